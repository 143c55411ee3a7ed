#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A private apt for downloads: its own sources list, lists and cache under
# $VIRTCCA_CACHE/apt, so fetching sid's QEMU source and arm64 guest
# packages neither edits nor extends the system's apt configuration and
# never makes sid's packages candidates for installation.
#
# usage: debian-apt.sh update
#        debian-apt.sh source PKG VERSION DESTDIR     (download only)
#        debian-apt.sh deb PKG:ARCH VERSION DESTDIR
set -eu

CACHE=${VIRTCCA_CACHE:-$HOME/.cache/virtcca-qemu}
APTDIR=$CACHE/apt
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$APTDIR/lists/partial" "$APTDIR/archives/partial" "$APTDIR/etc"

cat > "$APTDIR/etc/sources.list" <<SRC
deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR sid main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR sid main
SRC

apt_private() {
    apt-get -q \
        -o Dir::Etc::SourceList="$APTDIR/etc/sources.list" \
        -o Dir::Etc::SourceParts=/nonexistent \
        -o Dir::State::Lists="$APTDIR/lists" \
        -o Dir::Cache="$APTDIR" \
        -o Dir::Cache::archives="$APTDIR/archives" \
        -o Dir::State::status=/dev/null \
        -o APT::Architecture=arm64 \
        -o APT::Architectures::=arm64 \
        -o Debug::NoLocking=1 \
        "$@"
}

update_lists() {
    stamp=$APTDIR/lists/.updated
    # Refresh at most daily: sid moves, but the versions we pin do not.
    if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
        echo "debian-apt: updating the private package lists (sid)"
        apt_private update >/dev/null
        touch "$stamp"
    fi
}

cmd=$1
shift
case "$cmd" in
update)
    update_lists
    ;;
source)
    pkg=$1 ver=$2 dest=$3
    update_lists
    mkdir -p "$dest"
    cd "$dest"
    if ! apt_private source --download-only "$pkg=$ver"; then
        echo "debian-apt: the mirror does not offer source $pkg $ver" >&2
        exit 1
    fi
    ;;
deb)
    pkg=$1 ver=$2 dest=$3
    update_lists
    mkdir -p "$dest"
    cd "$dest"
    if ! apt_private download "$pkg=$ver"; then
        echo "debian-apt: the mirror does not offer $pkg $ver" >&2
        exit 1
    fi
    ;;
*)
    echo "usage: $0 update|source|deb ..." >&2
    exit 2
    ;;
esac
