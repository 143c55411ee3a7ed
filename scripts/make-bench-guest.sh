#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the workload benchmark guest's initramfs from Debian sid arm64
# packages:
#   OUTDIR/initramfs.cpio.gz  the default guest's initramfs (scripts/
#                             make-guest.sh), unchanged, followed by a second
#                             archive with the workloads, their shared
#                             libraries and scripts/guest/workbench as
#                             /workbench
#   OUTDIR/SHA256SUMS         its sum
#
# usage: make-bench-guest.sh [OUTDIR]     (default $VIRTCCA_CACHE/bench-guest)
#
# The kernel is the default guest's Image ($VIRTCCA_CACHE/guest/Image, not
# copied): build the default guest first (make guest). The guest's /init
# runs /workbench only when the kernel command line has virtcca.workbench=
# (see scripts/guest/workbench); tests/bench/workloads.py boots it.
#
# The kernel unpacks concatenated cpio archives one after the other, so
# the default initramfs is taken as it is (with its /dev/console node,
# which only root could recreate) and the workloads are appended as an
# archive of their own.
#
# Workloads (all inside the guest, over loopback):
#   hackbench          rt-tests
#   redis-server       redis-tools (redis-server is its binary under that
#                      name; the redis-server package holds the name),
#                      load from redis-benchmark (redis-tools)
#   memcached          memcached, load from memcaslap (libmemcached-tools;
#                      memtier-benchmark is not in Debian)
#   lighttpd           lighttpd, load from ab (apache2-utils)
# plus sid's libc6 and the libraries these binaries need (their DT_NEEDED
# closure, checked below with readelf), nothing else from the packages.
#
# Downloads go to $VIRTCCA_CACHE/downloads/bench-guest through
# scripts/debian-apt.sh (a private apt state: nothing on the host is
# installed or reconfigured) and are pinned by version and sha256. The
# versions were resolved against sid once; when sid drops one the download
# fails and the pins have to be moved. Extraction uses dpkg-deb -x only.
# The output is rebuilt only when an input changes (see the stamp below).
set -eu

CACHE=${VIRTCCA_CACHE:-$HOME/.cache/virtcca-qemu}
OUTDIR=${1:-$CACHE/bench-guest}
GUESTDIR=$CACHE/guest
DLDIR=$CACHE/downloads/bench-guest
HERE=$(cd "$(dirname "$0")" && pwd)
WORKBENCH=$HERE/guest/workbench
MA=aarch64-linux-gnu

# package  version  sha256 of the .deb   (29 packages, 9.8 MB in all)
PACKAGES="\
rt-tests 2.10-1 2d475acd572a1f477a28a901fd49c2b023607f20a5fec3cbcfd199fd35eff291
redis-server 5:8.0.6-3 6a9099f9e224bd79988fceb6e4125a48d80bb37f05270d8ab8a83c4b9aa5304f
redis-tools 5:8.0.6-3 c1d4239b8fb27484ab7079d3197e7951eddf6a130697caf39e28ea52c43f960c
memcached 1.6.45-1 4f48170126ed911bae792197ba51c79243e447e1887107f8e43ecfd0d9080d3e
libmemcached-tools 1.1.4-1.2 aba290ff56bb7616b5830452533d75fb840f7c124833b694c3c4c85f2e0b8f2b
lighttpd 1.4.85-1 794c8acb92c2de6ed86868e861419150b6a12fbacbdcfddfb8050b82012b4df0
apache2-utils 2.4.69-1 9482dba141ed920a59ac2f98eb5212fe9c221febfa5912a680ee9a8c5ae151d7
libc6 2.43-7 2315e75157bf67622bb435724de8be3c4c6f5bb33f3f26e8310842ea66093c74
libgcc-s1 16.2.0-4 385ea4394ef27e610dfa033ea422dd79b154d88255a9d945de86ece751578b9f
libstdc++6 16.2.0-4 d7d0387468ffed2bc8aa32e16cd05bd9e4b9ea120863d69ee557d2d6dd663c39
libatomic1 16.2.0-4 9e4514b0e566aee4f08ba62b156f979b3bcefd849312aa441907e7ab66e0b102
libjemalloc2 5.3.1-2 298ead4fc70c62f7d3b987e216b9c382b40112b549401431f919aa71273322ac
liblzf1 3.6-4+b4 ebd9d5d818f9ef61baca23618a7a616391f59efee08254066309d683d5fe0be8
libsystemd0 262.1-1 ff2d6fa05731a2e903b02a8d5d3ec1789743baa27248664650c5bea42f587d47
libssl3t64 3.6.5-1 76770c099cfb06cd48cb0764ac3a7771c8b38e17d25780010d55772dce6b36f8
zlib1g 1:1.3.dfsg+really1.3.2-4 aaf9e8cfc7d86771144c660d544806c886a5ae406f97bd50b62588a0718229ab
libzstd1 1.5.7+dfsg-4 e99e6e244d6c80f1c8e96cb68bb04bffc6848b12e3dcc5a35f6a775e4332e936
libevent-2.1-7t64 2.1.13-stable-1 cc06577fab0ee0d073cb2ae3f627b5dea9b9589463846b91fa4c2e1a682d8b2b
libsasl2-2 2.1.28+dfsg1-12 5ed715f5edba72341b8ba60176049501b6aed6dc27e90668fd53231d733e3abe
liblua5.4-0 5.4.9-2 5a4ebf967c65de41f89119f9662997db4811072a34f1b3012f877abd9508ff12
libmemcached11t64 1.1.4-1.2 0d569c1b2ff2f0b0f67245cb20b8ffacf9bb868a925a2c843ce277000eb1c6de
libhashkit2t64 1.1.4-1.2 61d6ce60afc08de0e9e1e545f78ad0cc0d3851c51ea348529f27b7ad088b4004
libpcre2-8-0 10.49-1 3af37b066fb2b6ff7c6cc37c33f5144fa97650030b1b191cb082a93e0c5a5f8a
libnettle8t64 3.10.2-1+b1 b600dcf64a45508b39be31f8d415f177aa6a1c31af9b7e673063a0f4aea3875e
libcrypt1 1:4.5.2+20251210-1 e4fa1fc3309a0aba140512467ddc487310444f8a2024f4bcc350c1851c1b053e
libapr1t64 1.7.6-3+b1 e33c45333d46e301dbaf80f85b681a44047e0d62707a361df1b8507f28d8c980
libaprutil1t64 1.6.4-2 24fbc83e0b34bcb3954d80c08494162c02df5cad1301f9b50788686e8ea52e8d
libexpat1 2.9.0-1 810a63c52c8ff78f30f04da8c78f133a34c24504caed3f9e673ddda0c878f53d
libuuid1 2.42.4-1 a328012faba3f0ce224a61571a77b0798dbd783303aa436277c7909ed77800a9"

# The programs copied into the guest (paths in the packages, and in the
# guest). Symbolic links are followed: redis-server is a link to the one
# redis binary, which picks its role from the name it is started as.
PROGRAMS="usr/bin/hackbench usr/bin/redis-server usr/bin/redis-benchmark \
usr/bin/memcached usr/bin/memcaslap usr/sbin/lighttpd usr/bin/ab"

say() { echo "make-bench-guest: $*"; }
die() { echo "make-bench-guest: error: $*" >&2; exit 1; }

for tool in dpkg-deb readelf cpio gzip sha256sum; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "'$tool' not found (packages: dpkg, binutils, cpio, gzip, coreutils)"
done
[ -f "$WORKBENCH" ] || die "missing $WORKBENCH"
BASE=$GUESTDIR/initramfs.cpio.gz
if ! [ -f "$BASE" ] || ! [ -f "$GUESTDIR/Image" ]; then
    die "no default guest in $GUESTDIR: run scripts/make-guest.sh (make guest) first"
fi

# fetch_all, up_to_date, start_build
. "$HERE/debian-fetch.sh"

fetch_all

# The stamp hashes every input: package sums, the program list, the
# default guest's initramfs, /workbench and this script's own logic.
stamp=$(
    {
        echo "$PACKAGES"
        echo "$PROGRAMS"
        sha256sum <"$BASE"
        sha256sum <"$WORKBENCH"
        sha256sum <"$HERE/make-bench-guest.sh"
        sha256sum <"$HERE/debian-fetch.sh"
    } | sha256sum | cut -d' ' -f1
)
if up_to_date "$stamp" initramfs.cpio.gz; then
    say "up to date: $OUTDIR"
    exit 0
fi

say "building the bench initramfs in $OUTDIR"
start_build bench-guest

# The overlay. sid's glibc lives in /usr/lib/aarch64-linux-gnu, but its
# binaries ask for the loader as /lib/ld-linux-aarch64.so.1; the default
# initramfs has a real /lib (the modules), so links go into it rather than
# making /lib a link to usr/lib.
ROOT=$WORK/overlay
LIBDIR=$ROOT/usr/lib/$MA
mkdir -p "$ROOT/usr/bin" "$ROOT/usr/sbin" "$LIBDIR" "$ROOT/lib" "$ROOT/etc/virtcca"
ln -s "../usr/lib/$MA/ld-linux-aarch64.so.1" "$ROOT/lib/ld-linux-aarch64.so.1"
ln -s "../usr/lib/$MA" "$ROOT/lib/$MA"

for p in $PROGRAMS; do
    [ -e "$PKGROOT/$p" ] || die "$p is missing from the packages"
    cp -L "$PKGROOT/$p" "$ROOT/$p"
    chmod 0755 "$ROOT/$p"
    interp=$(readelf -l "$ROOT/$p" | sed -n 's/.*program interpreter: \(.*\)\]/\1/p')
    [ "$interp" = /lib/ld-linux-aarch64.so.1 ] ||
        die "$p wants the loader '$interp', not /lib/ld-linux-aarch64.so.1"
done

# Libraries: the DT_NEEDED closure of the programs, each copied under its
# soname (that is the name the loader looks for), symbolic links followed.
needed() {
    readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}
: >"$WORK/libs"
todo=$(for p in $PROGRAMS; do echo "$ROOT/$p"; done)
while [ -n "$todo" ]; do
    next=
    for obj in $todo; do
        for so in $(needed "$obj"); do
            grep -qxF "$so" "$WORK/libs" && continue
            src=
            for d in "usr/lib/$MA" "lib/$MA" usr/lib lib; do
                if [ -e "$PKGROOT/$d/$so" ]; then
                    src=$PKGROOT/$d/$so
                    break
                fi
            done
            [ -n "$src" ] || die "no package provides $so (needed by ${obj#"$ROOT/"})"
            echo "$so" >>"$WORK/libs"
            cp -L "$src" "$LIBDIR/$so"
            next="$next $LIBDIR/$so"
        done
    done
    todo=$next
done
[ -f "$LIBDIR/ld-linux-aarch64.so.1" ] || die "the loader is not in the closure"
chmod 0755 "$LIBDIR"/*

cp "$WORKBENCH" "$ROOT/workbench"
chmod 0755 "$ROOT/workbench"
# What is inside, for the report (wb_versions).
echo "$PACKAGES" | awk '{ print $1 "=" $2 }' >"$ROOT/etc/virtcca/workbench-packages"

# Reproducible archive: fixed mtimes (libc.so.6's, as packaged), sorted
# names, root ownership, no gzip timestamp.
epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$PKGROOT/usr/lib/$MA/libc.so.6")}
find "$ROOT" -exec touch -h -d "@$epoch" {} +
tmpout=$WORK/initramfs.cpio.gz
cp "$BASE" "$tmpout"
(
    cd "$ROOT"
    find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort |
        cpio -o -H newc -R 0:0 --reproducible --quiet | gzip -n -9
) >>"$tmpout"

mv -f "$tmpout" "$OUTDIR/initramfs.cpio.gz"
(cd "$OUTDIR" && sha256sum initramfs.cpio.gz >SHA256SUMS)
echo "$stamp" >"$OUTDIR/.stamp"

say "initramfs: $(du -h "$OUTDIR/initramfs.cpio.gz" | cut -f1) ($(wc -l <"$WORK/libs") libraries; kernel: $GUESTDIR/Image)"
say "done: $OUTDIR"
