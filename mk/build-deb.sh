#!/bin/bash
# SPDX-License-Identifier: ISC
# build-deb.sh — builds the Debian package, for `make deb` and `make
# check-package`: copies the source tree to a temporary directory (the
# developer's tree is never touched: debian/rules clean runs `make
# distclean`), installs what the build needs with apt-get (dpkg-dev,
# lintian, and debian/control's Build-Depends through `apt-get build-dep`),
# runs `dpkg-buildpackage -b -us -uc` there, runs lintian on the .deb, moves
# the .deb to OUTPUT_DIR and prints its path as the last line of stdout.
#
# Usage: build-deb.sh OUTPUT_DIR
# The source: PT_TARBALL (a `make dist` tarball) when set; else the git work
# tree at PT_SRCDIR as it is (tracked and new files, not what .gitignore
# names); else, outside git, what `make distdir` in PT_BUILDDIR puts in the
# tarball.
# Exit status: 0 built and lintian clean; 1 the build failed; 2 usage or a
# missing prerequisite; built (path printed) but lintian found errors: 3,
# only warnings: 4. Installing needs root; without it, missing packages are
# named.
# PT_KEEP_BUILD=1 keeps the temporary directory (it is kept on failure).
set -u

PACKAGE=platform-test
output_dir=${1:-}
[ -n "$output_dir" ] || { echo "usage: build-deb.sh OUTPUT_DIR" >&2; exit 2; }
: "${PT_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${PT_BUILDDIR:=$PT_SRCDIR}"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
apt_get="apt-get -o DPkg::Lock::Timeout=300 -y -q --no-install-recommends"

say() {
	printf 'build-deb: %s\n' "$*" >&2
}

mkdir -p "$output_dir" || exit 2
output_dir=$(cd "$output_dir" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/platform-test-deb.XXXXXX") || exit 2
keep=${PT_KEEP_BUILD:-0}
cleanup() {
	if [ "$keep" = 1 ]; then say "the build directory is kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
source_dir=$work/$PACKAGE

# ---- the source tree ----
mkdir -p "$source_dir"
if [ -n "${PT_TARBALL:-}" ]; then
	say "source: $PT_TARBALL"
	tar -C "$source_dir" --strip-components=1 -xzf "$PT_TARBALL" || exit 2
elif git -C "$PT_SRCDIR" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	say "source: the git work tree $PT_SRCDIR (tracked and new files)"
	(cd "$PT_SRCDIR" && git ls-files -z -c -o --exclude-standard | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	done | tar --null -T - -cf -) | tar -C "$source_dir" -xf - || exit 2
elif [ -f "$PT_BUILDDIR/Makefile" ]; then
	say "source: make distdir in $PT_BUILDDIR (no git work tree)"
	rmdir "$source_dir"
	make -s -C "$PT_BUILDDIR" distdir distdir="$source_dir" >&2 || exit 2
else
	say "no source: PT_SRCDIR is no git work tree, PT_BUILDDIR has no Makefile and PT_TARBALL is unset"
	exit 2
fi
[ -x "$source_dir/debian/rules" ] || { say "the source has no debian/rules"; exit 2; }

# ---- what the build needs ----
missing_packages() {
	local package
	for package in "$@"; do
		dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || printf '%s ' "$package"
	done
}

# apt_run ARGS...: apt-get, and once more after `apt-get update` (a fresh
# machine may have no package lists, or stale ones).
apt_run() {
	# shellcheck disable=SC2086
	$apt_get "$@" >"$work/apt.log" 2>&1 && return 0
	say "apt-get $* failed; apt-get update and again"
	apt-get -q update >"$work/apt-update.log" 2>&1
	# shellcheck disable=SC2086
	$apt_get "$@" >"$work/apt.log" 2>&1 && return 0
	tail -n 20 "$work/apt.log" >&2
	return 1
}

missing=$(missing_packages dpkg-dev lintian)
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		say "missing packages: $missing(run as root, or: sudo apt-get install $missing)"
		exit 2
	fi
	say "apt-get install $missing"
	# shellcheck disable=SC2086
	apt_run install $missing || exit 2
fi
if ! (cd "$source_dir" && dpkg-checkbuilddeps) >"$work/builddeps.log" 2>&1; then
	if [ "$(id -u)" -ne 0 ]; then
		say "$(sed 's/^dpkg-checkbuilddeps: error: //' "$work/builddeps.log")"
		say "run as root, or: sudo apt-get build-dep ./ (in the source tree)"
		exit 2
	fi
	say "apt-get build-dep ./ (debian/control's Build-Depends)"
	(cd "$source_dir" && apt_run build-dep ./) || exit 2
	(cd "$source_dir" && dpkg-checkbuilddeps) >&2 || exit 2
fi

# ---- the build ----
say "dpkg-buildpackage -b -us -uc (log: $work/build.log)"
if ! (cd "$source_dir" && dpkg-buildpackage -b -us -uc) >"$work/build.log" 2>&1; then
	keep=1
	tail -n 40 "$work/build.log" >&2
	say "dpkg-buildpackage failed"
	exit 1
fi
deb=$(ls "$work"/${PACKAGE}_*_"$(dpkg --print-architecture)".deb 2>/dev/null | head -n 1)
if [ ! -s "$deb" ]; then
	keep=1
	say "dpkg-buildpackage made no $PACKAGE .deb"
	exit 1
fi

# ---- lintian ----
lintian_status=0
lintian "$deb" >"$work/lintian.log" 2>&1 || lintian_status=$?
grep -v 'running with root privileges' "$work/lintian.log" | sed 's/^/lintian: /' >&2
if [ "$lintian_status" -ne 0 ] || grep -q '^E: ' "$work/lintian.log"; then
	lintian_status=3
	say "lintian found errors (above)"
elif grep -q '^W: ' "$work/lintian.log"; then
	lintian_status=4
	say "lintian found warnings (above)"
fi

mv -f "$deb" "$output_dir/" || exit 1
echo "$output_dir/$(basename "$deb")"
exit "$lintian_status"
