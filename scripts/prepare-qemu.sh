#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Produce the QEMU tree the extension builds in: Debian's qemu source
# package (patches applied), our hook patches, and our files laid over it.
#
# Re-running only touches what changed: the pristine tree is unpacked once
# into the cache, the working tree is recreated only when the hook patches
# (or the pristine tree) change, and the overlay is copied with rsync, which
# keeps mtimes, so ninja and ccache rebuild just the files that moved.
#
# usage: prepare-qemu.sh TOPDIR WORKTREE
#   QEMU_SRC=dir   use an existing QEMU 10.2 tree instead of Debian's
set -eu

TOP=$(cd "$1" && pwd)
TREE=$2
CACHE=${VIRTCCA_CACHE:-$HOME/.cache/virtcca-qemu}
DEB_VERSION=1:10.2.2+ds-1
DL=$CACHE/downloads/qemu

# sha256 of the source package's files, as published in sid.
SUMS="be05230fe47a6937cd29f28f562932c8125f9c93c2a82c625198f7a4aa601dfb  qemu_10.2.2+ds.orig.tar.xz
ddf75aceab4f8f77374f3cb34fc97b41514895aeb293ce8b2ddd5e072bb0f5c0  qemu_10.2.2+ds-1.debian.tar.xz
f1684b3aa5ec500c3389d346c6501dee45041ea91656c6556d4da9023b7987dd  qemu_10.2.2+ds-1.dsc"

# Top-level directories that mirror QEMU's layout and are laid over it.
OVERLAY_DIRS="hw target accel tests/qtest docs configs include qapi"

fetch_debian_source() {
    mkdir -p "$DL"
    if (cd "$DL" && echo "$SUMS" | sha256sum --quiet -c - 2>/dev/null); then
        return
    fi
    echo "prepare-qemu: downloading Debian's qemu $DEB_VERSION source package"
    if ! "$TOP/scripts/debian-apt.sh" source qemu "$DEB_VERSION" "$DL"; then
        echo "prepare-qemu: error: Debian's mirror has no qemu $DEB_VERSION;" \
             "pass QEMU_SRC=<qemu 10.2 tree> to build from an existing tree" >&2
        exit 1
    fi
    if ! (cd "$DL" && echo "$SUMS" | sha256sum --quiet -c -); then
        echo "prepare-qemu: error: sha256 mismatch in $DL" >&2
        exit 1
    fi
}

if [ -n "${QEMU_SRC:-}" ]; then
    PRISTINE=$(cd "$QEMU_SRC" && pwd)
    if [ ! -f "$PRISTINE/VERSION" ] || ! grep -q '^10\.2' "$PRISTINE/VERSION"; then
        echo "prepare-qemu: error: QEMU_SRC=$QEMU_SRC is not a QEMU 10.2 tree" >&2
        exit 1
    fi
else
    PRISTINE=$CACHE/src/qemu-10.2.2+ds
    if [ ! -f "$PRISTINE/.unpacked" ]; then
        fetch_debian_source
        echo "prepare-qemu: unpacking with Debian's patches into $PRISTINE"
        rm -rf "$PRISTINE" "$PRISTINE.tmp"
        mkdir -p "$CACHE/src"
        dpkg-source -q -x "$DL/qemu_10.2.2+ds-1.dsc" "$PRISTINE.tmp" >/dev/null
        mv "$PRISTINE.tmp" "$PRISTINE"
        touch "$PRISTINE/.unpacked"
    fi
fi

# The working tree depends on the pristine tree and the hook patches.
want=$( (echo "$PRISTINE"; cat "$TOP"/patches/*.patch) | sha256sum | cut -d' ' -f1)
have=$(cat "$TREE/.virtcca-base" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
    echo "prepare-qemu: creating $TREE"
    rm -rf "$TREE"
    mkdir -p "$(dirname "$TREE")"
    cp -a "$PRISTINE" "$TREE"
    rm -f "$TREE/.unpacked"
    for p in "$TOP"/patches/*.patch; do
        [ -e "$p" ] || continue
        echo "prepare-qemu: applying $(basename "$p")"
        patch -s -p1 -d "$TREE" < "$p"
    done
    rm -f "$TREE/.virtcca-overlay"
    echo "$want" > "$TREE/.virtcca-base"
fi

# Overlay: new files only.  Existing QEMU files change through patches.
cd "$TOP"
new_list=$(mktemp)
trap 'rm -f "$new_list"' EXIT
for d in $OVERLAY_DIRS; do
    [ -d "$d" ] && git ls-files --cached --others --exclude-standard "$d" 2>/dev/null ||
        { [ -d "$d" ] && find "$d" -type f; }
done | sort -u | while read -r f; do
    # git still lists a file deleted but not yet committed: skip it
    [ -f "$f" ] && echo "$f"
done > "$new_list"
while read -r f; do
    [ -f "$f" ] || continue
    if [ -e "$PRISTINE/$f" ]; then
        echo "prepare-qemu: error: $f exists in QEMU; change it with a" \
             "hook patch in patches/ instead" >&2
        exit 1
    fi
done < "$new_list"
# Files that left the overlay since last time leave the tree too.
if [ -f "$TREE/.virtcca-overlay" ]; then
    comm -23 "$TREE/.virtcca-overlay" "$new_list" | while read -r f; do
        rm -f "$TREE/$f"
    done
fi
rsync -a --files-from="$new_list" "$TOP/" "$TREE/"
cp "$new_list" "$TREE/.virtcca-overlay"
