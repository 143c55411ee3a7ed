#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install what the aarch64 cross build of QEMU ("make cross") and its tests
# need, if missing: Debian's aarch64 cross compiler, the arm64 multiarch
# -dev packages matching the amd64 ones of scripts/install-deps.sh, and
# qemu-user-static (bookworm's 7.2) to run the cross-built binary in tests.
#
# Everything comes from bookworm (-t bookworm; bookworm-security where a
# Multi-Arch: same pair must match an amd64 package already upgraded from
# there).  The system's apt sources are not edited: Debian's own sources
# serve arm64 once the architecture is added with dpkg.
#
# libfdt-dev is not Multi-Arch: same in bookworm, so libfdt-dev:arm64 would
# replace the amd64 one the native build uses.  Its arm64 files are
# extracted instead into $VIRTCCA_CACHE/cross-sysroot (libfdt1:arm64, the
# runtime library, is co-installable and installed normally); the headers
# are architecture-independent and the same as the amd64 package's.
#
# Idempotent: with everything present it runs no apt command at all.
set -eu

CACHE=${VIRTCCA_CACHE:-$HOME/.cache/virtcca-qemu}
SYSROOT=$CACHE/cross-sysroot
CROSS_PKGS="gcc-aarch64-linux-gnu qemu-user-static"
ARM64_PKGS="libc6-dev pkgconf libglib2.0-dev libfdt1 libpixman-1-dev
nettle-dev libgmp-dev libslirp-dev zlib1g-dev"

SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
fi

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"
}

missing=""
for p in $CROSS_PKGS; do
    installed "$p" || missing="$missing $p"
done
for p in $ARM64_PKGS; do
    installed "$p:arm64" || missing="$missing $p:arm64"
done
have_fdt=0
[ -e "$SYSROOT/usr/lib/aarch64-linux-gnu/libfdt.so" ] && have_fdt=1

if [ -z "$missing" ] && [ "$have_fdt" = 1 ]; then
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "install-cross-deps: dpkg --add-architecture arm64"
    $SUDO dpkg --add-architecture arm64
fi
echo "install-cross-deps: apt-get update"
$SUDO apt-get update -qq
if ! apt-cache policy libglib2.0-dev:arm64 | grep -q 'bookworm/main arm64'; then
    echo "install-cross-deps: error: the apt sources serve no arm64" \
         "packages of bookworm (see /etc/apt/sources.list.d/)" >&2
    exit 1
fi

if [ -n "$missing" ]; then
    # Multi-Arch: same packages must have one version in both
    # architectures.  linux-libc-dev is the one commonly installed in a
    # version (from bookworm-security, or an older point release) that
    # -t bookworm would not pick for arm64: take the newest one offered for
    # arm64 in both architectures.
    pin=""
    want=$(apt-cache policy linux-libc-dev:arm64 |
           sed -n 's/^  Candidate: //p')
    have=$(dpkg-query -W -f='${Version}' linux-libc-dev 2>/dev/null || true)
    if [ -n "$want" ] && [ "$want" != "$have" ] &&
       ! installed linux-libc-dev:arm64; then
        pin="linux-libc-dev:amd64=$want linux-libc-dev:arm64=$want"
    fi
    echo "install-cross-deps: installing$missing"
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends -t bookworm \
        $missing $pin
fi

if [ "$have_fdt" = 0 ]; then
    echo "install-cross-deps: extracting libfdt-dev:arm64 into $SYSROOT"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    chmod 755 "$tmp"    # apt downloads as user _apt
    (cd "$tmp" && apt-get download -q libfdt-dev:arm64 libfdt1:arm64 \
        >/dev/null)
    rm -rf "$SYSROOT.tmp"
    mkdir -p "$SYSROOT.tmp"
    for deb in "$tmp"/*.deb; do
        dpkg-deb -x "$deb" "$SYSROOT.tmp"
    done
    rm -rf "$SYSROOT"
    mv "$SYSROOT.tmp" "$SYSROOT"
fi
