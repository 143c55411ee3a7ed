# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# Pinned Debian arm64 downloads, sourced by scripts/make-guest.sh and
# scripts/make-bench-guest.sh.  The caller sets DLDIR (where the .debs go)
# HERE (the scripts directory), CACHE, OUTDIR and PACKAGES, and defines say
# and die.
#
#   fetch PKG VERSION SHA256   download PKG_VERSION_arm64.deb through
#                              scripts/debian-apt.sh unless a file with that
#                              sum is there; a wrong sum is an error
#   deb_path PKG VERSION       where fetch puts it
#   fetch_all                  fetch every "pkg ver sum" line of $PACKAGES
#   up_to_date, start_build    below

# apt names a download PKG_VER_ARCH.deb with the epoch colon escaped.
deb_path() {
    echo "$DLDIR/${1}_$(echo "$2" | sed 's/:/%3a/')_arm64.deb"
}

sum_of() { sha256sum "$1" | cut -d' ' -f1; }

fetch() {
    pkg=$1 ver=$2 sum=$3
    f=$(deb_path "$pkg" "$ver")
    if [ -f "$f" ] && [ "$(sum_of "$f")" = "$sum" ]; then
        return 0
    fi
    rm -f "$f"
    say "downloading $pkg $ver"
    if ! "$HERE/debian-apt.sh" deb "$pkg:arm64" "$ver" "$DLDIR" >"$DLDIR/.apt.log" 2>&1; then
        cat "$DLDIR/.apt.log" >&2
        die "could not download $pkg $ver (arm64); the mirror (${DEBIAN_MIRROR:-deb.debian.org}) may no longer carry it"
    fi
    [ -f "$f" ] || die "apt reported success but $f is missing"
    got=$(sum_of "$f")
    if [ "$got" != "$sum" ]; then
        mv -f "$f" "$f.bad"
        die "sha256 mismatch for $pkg $ver: expected $sum, got $got (kept as $f.bad)"
    fi
    say "verified $pkg $ver"
}

fetch_all() {
    mkdir -p "$DLDIR"
    echo "$PACKAGES" | while read -r pkg ver sum; do
        fetch "$pkg" "$ver" "$sum"
    done
}

# up_to_date STAMP FILE...: OUTDIR holds FILE... as built with STAMP (an
# input hash) and they match its SHA256SUMS.
up_to_date() {
    want=$1
    shift
    [ -f "$OUTDIR/.stamp" ] && [ "$(cat "$OUTDIR/.stamp")" = "$want" ] ||
        return 1
    for out in "$@"; do
        [ -f "$OUTDIR/$out" ] || return 1
    done
    (cd "$OUTDIR" && sha256sum -c --quiet SHA256SUMS >/dev/null 2>&1)
}

# start_build NAME: a work directory $WORK under the cache, removed at
# exit, and OUTDIR's stamp invalidated first, so that an interrupted build
# never leaves a matching one; then every package of $PACKAGES ("pkg ver
# sum" lines) extracted into $WORK/pkg ($PKGROOT).
start_build() {
    mkdir -p "$OUTDIR"
    WORK=$(mktemp -d "$CACHE/$1-work.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
    trap 'exit 130' INT TERM
    rm -f "$OUTDIR/.stamp"
    PKGROOT=$WORK/pkg
    mkdir -p "$PKGROOT"
    echo "$PACKAGES" | while read -r pkg ver sum; do
        dpkg-deb -x "$(deb_path "$pkg" "$ver")" "$PKGROOT"
    done
}
