#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install the Debian 12 packages the build and the tests need, if missing.
# Libraries come from bookworm itself (-t bookworm) so that no newer suite
# is ever preferred; only meson comes from bookworm-backports, since QEMU
# 10.2 needs meson >= 1.5.  The one apt source we add lives in a file of
# its own; the system's sources are never edited.
set -eu

BUILD_PKGS="ninja-build libglib2.0-dev libfdt-dev libpixman-1-dev flex bison
python3-venv ccache rsync dpkg-dev nettle-dev libslirp-dev pkg-config"
GUEST_PKGS="kmod cpio xz-utils zstd"
TEST_PKGS="python3-cbor2 python3-cryptography"
BACKPORTS_PKGS="meson"
SOURCES=/etc/apt/sources.list.d/virtcca-qemu-backports.sources

missing=""
for p in $BUILD_PKGS $GUEST_PKGS $TEST_PKGS ${EXTRA_PKGS:-}; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
need_meson=1
if command -v meson >/dev/null 2>&1; then
    if /usr/bin/python3 - "$(meson --version)" <<'PY'
import sys
v = tuple(int(x) for x in sys.argv[1].split(".")[:2])
sys.exit(0 if v >= (1, 5) else 1)
PY
    then
        need_meson=0
    fi
fi

if [ -z "$missing" ] && [ "$need_meson" = 0 ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
fi

if [ ! -f "$SOURCES" ]; then
    echo "install-deps: adding $SOURCES (bookworm-backports, for meson)"
    $SUDO tee "$SOURCES" >/dev/null <<'SRC'
# Added by virtcca-qemu: QEMU 10.2 needs meson >= 1.5.
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: apt-get update"
$SUDO apt-get update -qq
if [ -n "$missing" ]; then
    echo "install-deps: installing$missing"
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends -t bookworm $missing
fi
if [ "$need_meson" = 1 ]; then
    echo "install-deps: installing meson from bookworm-backports"
    $SUDO apt-get install -y -q --no-install-recommends \
        -t bookworm-backports $BACKPORTS_PKGS
fi
