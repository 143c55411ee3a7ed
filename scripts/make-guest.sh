#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the default test guest from Debian sid arm64 packages:
#   OUTDIR/Image              Debian's uncompressed arm64 kernel (EFI stub)
#   OUTDIR/initramfs.cpio.gz  busybox, scripts/guest/init, the modules it loads
#   OUTDIR/SHA256SUMS         sums of both
#
# usage: make-guest.sh [OUTDIR]      (default $VIRTCCA_CACHE/guest)
#
# Downloads go to $VIRTCCA_CACHE/downloads/guest through scripts/debian-apt.sh
# (a private apt state: nothing on the host is installed or reconfigured) and
# are pinned by sha256, because sid moves and every later measurement and
# boot test assumes this exact kernel. Extraction uses dpkg-deb -x only.
# The outputs are rebuilt only when an input changes (see the stamp below).
set -eu

CACHE=${VIRTCCA_CACHE:-$HOME/.cache/virtcca-qemu}
OUTDIR=${1:-$CACHE/guest}
DLDIR=$CACHE/downloads/guest
HERE=$(cd "$(dirname "$0")" && pwd)
INIT=$HERE/guest/init
KVER=7.2.13+deb14-arm64

# package  version  sha256 of the .deb
# linux-base is not booted: it carries modules.builtin, modules.order and the
# kernel config, without which depmod cannot tell built-in drivers from
# missing ones (linux-modules ships neither).
PACKAGES="\
linux-binary-unsigned-$KVER 7.2.13-1 3df0d307696ef1e8c0c47b958a0d328fd0c133bd63eece3e8ffb4781a55f5270
linux-modules-$KVER 7.2.13-1 a9425ac3d90f86d92cf2469e1e8f6a985b3335403adfa1ce002d6996374de912
linux-base-$KVER 7.2.13-1 60e3b0f2a150562f1cf0f15830924cdd7ed8931bdc1a8c826c39c6dd4d33e056
busybox-static 1:1.38.0-3+b1 968d1aa8f579fa1ac59c26afa365454369e13cf29848e6400b50028fed0ffda0"

# What /init loads, in this order. "a|b" takes the first name this kernel
# has (the configfs-tsm report module was renamed tsm -> tsm_report).
# Dependencies come from modules.dep. A name that is built in is recorded as
# such so /init reports it instead of failing to load it.
#   configfs, tsm_report, arm-cca-guest: attestation via configfs-tsm
#   virtio_mmio: QEMU virt's virtio-mmio slots (PCI is built in)
#   virtio_blk, virtio_net (+failover), virtio-rng: the test devices
#   virtio_pci, virtio_console, rng-core: expected built in; listed so that
#   a kernel where they are not gets them loaded and the report says so
#   gpio_keys, evdev: the machine's power button (system_powerdown)
MODULES="configfs tsm_report|tsm arm-cca-guest virtio_pci virtio_mmio \
virtio_console virtio_blk virtio_net rng-core virtio-rng gpio_keys evdev"

# Config options the guest cannot work without and that no module supplies.
REQUIRED_Y="CONFIG_BLK_DEV_INITRD CONFIG_RD_GZIP CONFIG_DEVTMPFS \
CONFIG_ARM64 CONFIG_VIRTIO_PCI CONFIG_SERIAL_AMBA_PL011_CONSOLE"

say() { echo "make-guest: $*"; }
die() { echo "make-guest: error: $*" >&2; exit 1; }

for tool in dpkg-deb depmod modprobe cpio gzip xz sha256sum; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "'$tool' not found (packages: dpkg, kmod, cpio, gzip, xz-utils, coreutils)"
done
[ -f "$INIT" ] || die "missing $INIT"

# fetch_all, up_to_date, start_build
. "$HERE/debian-fetch.sh"

fetch_all

# The stamp hashes every input: package sums, /init, the module list and
# this script's own logic. Same stamp and intact outputs: nothing to do.
stamp=$(
    {
        echo "$PACKAGES"
        echo "$MODULES"
        echo "$REQUIRED_Y"
        sha256sum <"$INIT"
        sha256sum <"$HERE/make-guest.sh"
        sha256sum <"$HERE/debian-fetch.sh"
    } | sha256sum | cut -d' ' -f1
)
if up_to_date "$stamp" Image initramfs.cpio.gz; then
    say "up to date: $OUTDIR"
    exit 0
fi

say "building the guest in $OUTDIR"
# Everything goes into one tree. Modules live in lib/modules with
# usr/lib/modules pointing at it, so depmod finds them whether this kmod
# looks under /lib/modules or /usr/lib/modules.
start_build guest
MD=usr/lib/modules/$KVER
[ -f "$PKGROOT/$MD/vmlinuz.unsigned" ] || die "vmlinuz.unsigned missing from the kernel package"
[ -f "$PKGROOT/$MD/config" ] || die "config missing from linux-base"
[ -x "$PKGROOT/usr/bin/busybox" ] || die "busybox missing from busybox-static"

# An arm64 Image carries the magic "ARM\x64" at offset 0x38.
magic=$(dd if="$PKGROOT/$MD/vmlinuz.unsigned" bs=1 skip=56 count=4 2>/dev/null | od -An -tx1 | tr -d ' \n')
[ "$magic" = "41524d64" ] || die "vmlinuz.unsigned is not an uncompressed arm64 Image (magic $magic)"

for opt in $REQUIRED_Y; do
    grep -q "^$opt=y" "$PKGROOT/$MD/config" || die "kernel config lacks $opt=y"
done

modroot() {  # set up DIR/lib/modules/KVER (+ usr/lib/modules link)
    mkdir -p "$1/lib/modules" "$1/usr/lib"
    ln -sfn ../../lib/modules "$1/usr/lib/modules"
}

HOSTROOT=$WORK/host
modroot "$HOSTROOT"
mv "$PKGROOT/$MD" "$HOSTROOT/lib/modules/$KVER"
say "depmod over the full module tree"
depmod -b "$HOSTROOT" "$KVER"
[ -f "$HOSTROOT/lib/modules/$KVER/modules.dep" ] || die "depmod wrote no modules.dep"

# Resolve each wanted module to its files (dependencies first) or to
# "builtin". modprobe --show-depends reads the host tree only.
ROOT=$WORK/initramfs
modroot "$ROOT"
IMD=$ROOT/lib/modules/$KVER
mkdir -p "$IMD" "$ROOT/etc/virtcca"
list=$ROOT/etc/virtcca/modules
: >"$list"
: >"$WORK/files"
for spec in $MODULES; do
    found=
    for name in $(echo "$spec" | tr '|' ' '); do
        if out=$(modprobe -d "$HOSTROOT" -S "$KVER" --show-depends "$name" 2>/dev/null); then
            found=$name
            break
        fi
    done
    [ -n "$found" ] || die "no module or built-in driver named '$spec' in $KVER"
    if echo "$out" | grep -q '^builtin '; then
        echo "$found builtin" >>"$list"
        say "  $found: built in"
    else
        echo "$found module" >>"$list"
        echo "$out" | sed -n 's/^insmod \([^ ]*\).*/\1/p' >>"$WORK/files"
        say "  $found: module ($(echo "$out" | grep -c '^insmod') file(s) with dependencies)"
    fi
done

# Copy the closure decompressed: busybox insmod/modprobe need not handle
# .xz, and the initramfs is gzip-compressed anyway.
sort -u "$WORK/files" | while read -r f; do
    rel=${f#"$HOSTROOT/lib/modules/$KVER/"}
    case $rel in /*) die "unexpected module path $f" ;; esac
    dst=$IMD/${rel%.xz}
    mkdir -p "$(dirname "$dst")"
    case $f in
    *.xz) xz -dc "$f" >"$dst" ;;
    *) cp "$f" "$dst" ;;
    esac
done
cp "$HOSTROOT/lib/modules/$KVER/modules.builtin" "$HOSTROOT/lib/modules/$KVER/modules.order" "$IMD/"
depmod -b "$ROOT" "$KVER" 2>/dev/null
[ -s "$IMD/modules.dep" ] || die "depmod wrote no modules.dep for the initramfs"
# Only modules.builtin's binary index matters in the guest; the text list
# of every module in the distribution would be dead weight.
rm -f "$IMD/modules.order"

# busybox links its applets at boot (--install -s): the applet list is in
# the binary, and this host cannot run arm64 code to ask for it.
mkdir -p "$ROOT/bin" "$ROOT/sbin" "$ROOT/usr/bin" "$ROOT/usr/sbin" \
    "$ROOT/proc" "$ROOT/sys" "$ROOT/tmp" "$ROOT/run" "$ROOT/root"
cp "$PKGROOT/usr/bin/busybox" "$ROOT/bin/busybox"
cp "$INIT" "$ROOT/init"
chmod 0755 "$ROOT/init" "$ROOT/bin/busybox"
chmod 1777 "$ROOT/tmp"
echo "$KVER" >"$ROOT/etc/virtcca/kernel"

# /dev/console must exist before /init runs or init has no stdout. Rather
# than mknod (root only), emit the dev directory and the console node as
# newc headers ourselves, ahead of cpio's archive (the kernel reads entries
# in order, so dev must come first). A header is the magic 070701 and 13
# fields of 8 hex digits: ino, mode, uid, gid, nlink, mtime, filesize,
# devmajor, devminor, rdevmajor, rdevminor, namesize (with its NUL), check;
# then the name and NULs up to a multiple of 4. Inode numbers stay clear of
# cpio's (it renumbers from 1) although the kernel only looks at them for
# hard links.
newc_entry() {  # NAME MODE(octal) NLINK RDEVMAJOR RDEVMINOR INO MTIME
    namesize=$((${#1} + 1))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\000' \
        "$6" $((0$2)) 0 0 "$3" "$7" 0 0 0 "$4" "$5" "$namesize" 0 "$1"
    pad=$(((4 - (110 + namesize) % 4) % 4))
    while [ "$pad" -gt 0 ]; do printf '\000'; pad=$((pad - 1)); done
}

# Reproducible archive: fixed mtimes (the kernel's, as packaged), sorted
# names, root ownership, no gzip timestamp.
epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$HOSTROOT/lib/modules/$KVER/vmlinuz.unsigned")}
find "$ROOT" -exec touch -h -d "@$epoch" {} +
tmpout=$WORK/initramfs.cpio.gz
(
    cd "$ROOT"
    {
        newc_entry dev 40755 2 0 0 $((0x7fff0001)) "$epoch"
        newc_entry dev/console 20600 1 5 1 $((0x7fff0002)) "$epoch"
        find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort |
            cpio -o -H newc -R 0:0 --reproducible --quiet
    } | gzip -n -9
) >"$tmpout"

cp "$HOSTROOT/lib/modules/$KVER/vmlinuz.unsigned" "$WORK/Image"
mv -f "$WORK/Image" "$OUTDIR/Image"
mv -f "$tmpout" "$OUTDIR/initramfs.cpio.gz"
(cd "$OUTDIR" && sha256sum Image initramfs.cpio.gz >SHA256SUMS)
echo "$stamp" >"$OUTDIR/.stamp"

say "Image: $(du -h "$OUTDIR/Image" | cut -f1), initramfs: $(du -h "$OUTDIR/initramfs.cpio.gz" | cut -f1) ($(wc -l <"$list") modules listed, $(find "$IMD" -name '*.ko' | wc -l) files)"
say "done: $OUTDIR"
