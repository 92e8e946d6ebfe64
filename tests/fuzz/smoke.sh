#!/bin/sh
# smoke.sh: build stird's libFuzzer targets in a scratch copy of the source
# tree and run each for a short while (make fuzz-smoke).  For CI.
#
#   tests/fuzz/smoke.sh [SRCDIR]
#
# SRCDIR (default: the tree this script is in) may be configured in place:
# only its source files are copied (git ls-files: tracked files plus new
# ones not ignored, so uncommitted edits count; without git, the tree minus
# build outputs after a distclean of the copy).  The copy is bootstrapped
# with autoreconf when it has no configure, configured with
# --enable-fuzzing CC=clang and runs make fuzz-smoke.  Prints one line per
# target with its exec count, then "N passed, N failed"; exits non-zero if
# anything failed (a failed bootstrap, configure or build counts as one).
#
# Environment: FUZZ_SECONDS (default 20: 23 targets, two at a time, are
# 12 x 20 s), CC (default clang), SMOKE_CFLAGS (default -g -O1, the usual
# optimisation for fuzzing, and a quicker build than -O2),
# SMOKE_CONFIGURE_FLAGS (more ./configure arguments), SMOKE_KEEP=1 (keep
# the scratch tree), SMOKE_BUILDDIR (a build tree already configured with
# --enable-fuzzing: no scratch copy, no build of its own), TMPDIR.  Needs
# clang and libclang-rt-14-dev (or the matching compiler-rt) with
# libFuzzer.
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
src=$(cd "${1:-$here}" && pwd)
secs=${FUZZ_SECONDS:-20}
cc=${CC:-clang}
jobs=${SMOKE_JOBS:-2}

case $secs in ''|*[!0-9]*) echo "$0: FUZZ_SECONDS must be a number" >&2; exit 2 ;; esac
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "$0: $cc not found: install clang and libclang-rt-14-dev" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/stird-smoke.XXXXXX")
cleanup() {
	if [ "${SMOKE_KEEP:-0}" = 1 ]; then
		echo "scratch tree kept in $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
tree=$work/src
t0=$(date +%s)
log=$work/build.log
fail_build() {
	echo "fuzz smoke: $1 failed; the last lines of $log:" >&2
	tail -n 40 "$log" >&2
	SMOKE_KEEP=1
	echo "0 passed, 1 failed"
	exit 1
}

if [ -n "${SMOKE_BUILDDIR:-}" ]; then
	# 1-2. a build tree already configured with --enable-fuzzing
	# (scripts/test.sh: its sanitizer build, so the fuzzers share it)
	tree=$(cd "$SMOKE_BUILDDIR" && pwd)
	grep -q 'enable-fuzzing' "$tree/config.status" 2>/dev/null ||
		{ echo "$0: $tree is not configured with --enable-fuzzing" >&2; exit 2; }
	cd "$tree"
	make -j"$jobs" -s fuzz-bins >"$log" 2>&1 || fail_build build
else
mkdir -p "$tree"

# 1. the source files only
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf -) | tar -C "$tree" -xf -
else
	(cd "$src" && tar --exclude=.git --exclude=autom4te.cache --exclude='*.o' \
		--exclude='*.lo' --exclude='*.la' --exclude=.libs --exclude=.deps \
		-cf - .) | tar -C "$tree" -xf -
	if [ -f "$tree/Makefile" ]; then
		make -C "$tree" -s distclean >/dev/null 2>&1 || true
	fi
fi

# 2. bootstrap, configure, build
cd "$tree"
if [ ! -x configure ]; then
	autoreconf -fi >"$log" 2>&1 || fail_build autoreconf
fi
# shellcheck disable=SC2086
./configure -q --enable-fuzzing CC="$cc" CFLAGS="${SMOKE_CFLAGS:--g -O1}" \
	${SMOKE_CONFIGURE_FLAGS:-} >>"$log" 2>&1 ||
	fail_build configure
make -j"$jobs" -s fuzz-bins >>"$log" 2>&1 || fail_build build
fi
t1=$(date +%s)
echo "fuzz smoke: built the fuzzers in $((t1 - t0)) s; running each for $secs s, two at a time"

# 3. run them (make fuzz-smoke -> run-fuzzers.sh); summarize its report
out=$work/smoke.out
rc=0
make -s fuzz-smoke FUZZ_SECONDS="$secs" >"$out" 2>&1 || rc=$?
passed=0
failed=0
# run-fuzzers.sh prints "<target> ok|FAIL <execs> execs in <s>s  cov .. ft .."
while read -r name status execs rest; do
	case $status in
	ok)	passed=$((passed + 1))
		printf 'PASS %-13s %10s execs  %s\n' "$name" "$execs" "$(echo "$rest" | sed 's/^execs in [0-9]*s *//')" ;;
	FAIL)	failed=$((failed + 1))
		printf 'FAIL %-13s %10s execs  %s\n' "$name" "$execs" "$(echo "$rest" | sed 's/^execs in [0-9]*s *//')" ;;
	esac
done <<EOF
$(grep -E '^[a-z0-9_]+ +(ok|FAIL) ' "$out" || true)
EOF
if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ]; then
	# the details: crash kinds, inputs (hex), log paths, make's errors
	grep -vE '^[a-z0-9_]+ +ok ' "$out" | sed 's/^/  /' >&2 || true
	SMOKE_KEEP=1
	[ "$failed" -ne 0 ] || failed=1
fi
echo "fuzz smoke: $(( $(date +%s) - t0 )) s in all"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
