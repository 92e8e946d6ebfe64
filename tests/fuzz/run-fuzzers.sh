#!/bin/sh
# run-fuzzers.sh: run stird's libFuzzer targets for a while each.
#
#   tests/fuzz/run-fuzzers.sh [-t SECONDS] [-j JOBS] [-c] [-k] BUILDDIR [TARGET...]
#
# BUILDDIR was configured with --enable-fuzzing CC=clang; missing fuzz
# binaries are built there first.  Each target (default: all) runs for
# SECONDS (default 30, or $FUZZ_SECONDS) on a scratch copy of its seed
# corpus, tests/fuzz/corpus/<target>/, so the checked-in corpus stays small.
# JOBS targets run at once (default 1).  Exits non-zero if any target
# crashed, leaked, timed out or failed to start; its log and the crashing
# input are kept in the scratch directory, whose path is printed.  Add a
# crashing input to the corpus as a regression seed once it is fixed.
# -c keeps going after a crash (libFuzzer -fork=1 -ignore_crashes=1), to
# collect every crash a run finds and to fuzz past a known one (a
# regression seed of an unfixed bug crashes at once otherwise); the run
# still fails if there was any.  -k keeps the scratch directory even when
# all went well.
set -eu

usage() {
	echo "usage: $0 [-t SECONDS] [-j JOBS] [-c] [-k] BUILDDIR [TARGET...]" >&2
	exit 2
}

secs=${FUZZ_SECONDS:-30}
jobs=1
keep=no
cont=no
while getopts t:j:ckh opt; do
	case $opt in
	t) secs=$OPTARG ;;
	j) jobs=$OPTARG ;;
	c) cont=yes ;;
	k) keep=yes ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
case $secs in ''|*[!0-9]*) usage ;; esac
case $jobs in ''|*[!0-9]*|0) usage ;; esac

builddir=$(cd "$1" && pwd)
shift
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
# Every tests/fuzz/fuzz_<name>.c is a target: no second list to forget.
ALL_TARGETS=$(for f in "$srcdir"/tests/fuzz/fuzz_*.c; do
	n=${f##*/fuzz_}; printf '%s ' "${n%.c}"; done)
targets=${*:-$ALL_TARGETS}

if ! grep -q '^FUZZ_CFLAGS = .*-fsanitize=fuzzer' "$builddir/Makefile" 2>/dev/null; then
	echo "$0: $builddir is not configured with --enable-fuzzing CC=clang" >&2
	exit 2
fi

for t in $targets; do
	case " $ALL_TARGETS " in *" $t "*) ;; *) echo "$0: unknown target '$t'" >&2; exit 2 ;; esac
	[ -d "$srcdir/tests/fuzz/corpus/$t" ] || { echo "$0: no corpus for $t" >&2; exit 2; }
done

# Build what is missing (make decides what is out of date).
bins=
for t in $targets; do bins="$bins tests/fuzz/fuzz_$t"; done
# shellcheck disable=SC2086
make -C "$builddir" -s $bins >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/stird-fuzz.XXXXXX")

# ASan: leaks are failures too; UBSan: stop at the first report.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

run_one() {
	t=$1
	d=$work/$t
	mkdir -p "$d/corpus" "$d/artifacts"
	cp "$srcdir/tests/fuzz/corpus/$t/"* "$d/corpus/"
	set -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$d/artifacts/"
	if [ -f "$srcdir/tests/fuzz/$t.dict" ]; then
		set -- "$@" -dict="$srcdir/tests/fuzz/$t.dict"
	fi
	if [ "$cont" = yes ]; then
		set -- "$@" -fork=1 -ignore_crashes=1
	fi
	rc=0
	"$builddir/tests/fuzz/fuzz_$t" "$@" "$d/corpus" >"$d/log" 2>&1 || rc=$?
	echo "$rc" >"$d/rc"
}

# Run in batches of $jobs.
n=0
for t in $targets; do
	run_one "$t" &
	n=$((n + 1))
	if [ "$n" -ge "$jobs" ]; then
		wait
		n=0
	fi
done
wait

REASONS='fuzz invariant failed|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|ERROR: libFuzzer: (timeout|out-of-memory)'
failed=
for t in $targets; do
	d=$work/$t
	rc=$(cat "$d/rc" 2>/dev/null || echo 1)
	# the last status line: "#N DONE cov: ..." or, forked, "#N: cov: ..."
	done_line=$(grep -E '^#[0-9]+(:|[[:space:]]+DONE)' "$d/log" | tail -n 1 || true)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -n 1)
	[ -n "$execs" ] || execs=$(echo "$done_line" | sed -n 's/^#\([0-9]*\).*/\1/p')
	cov=$(echo "$done_line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$done_line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$done_line" | sed -n 's/.*corp: \([0-9]*\(\/[0-9A-Za-z]*\)\{0,1\}\).*/\1/p')
	seeds=$(find "$srcdir/tests/fuzz/corpus/$t" -type f | wc -l)
	crashes=$(find "$d/artifacts" -type f | wc -l)
	stats=$(printf '%10s execs in %ss  cov %s  ft %s  corpus %s -> %s' \
		"${execs:-?}" "$secs" "${cov:-?}" "${ft:-?}" "$seeds" "${corp:-?}")
	if [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ]; then
		printf '%-8s ok    %s\n' "$t" "$stats"
	else
		printf '%-8s FAIL  %s\n    exit %s, %s crashing input(s), log %s\n' \
			"$t" "$stats" "$rc" "$crashes" "$d/log"
		# why: run (up to 50 of) the inputs again, one at a time; forked
		# runs keep the reports out of the main log
		for a in $(find "$d/artifacts" -type f | sort | head -n 50); do
			"$builddir/tests/fuzz/fuzz_$t" -timeout=10 "$a" 2>&1 |
				grep -E "$REASONS" | head -n 1 | sed 's/^==[0-9]*== *//'
		done | sort | uniq -c | sed 's/^/    /'
		# the first few inputs (with -c there may be hundreds)
		for a in $(find "$d/artifacts" -type f | sort | head -n 3); do
			printf '    %s\n    hex: %s\n' "$a" "$(od -An -v -tx1 "$a" | tr -d ' \n' | cut -c1-512)"
		done
		[ "$crashes" -le 3 ] || echo "    ... and $((crashes - 3)) more in $d/artifacts"
		failed="$failed $t"
	fi
done

if [ -n "$failed" ]; then
	echo "failed:$failed (logs and inputs in $work)"
	exit 1
fi
if [ "$keep" = yes ]; then
	echo "logs and corpora in $work"
else
	rm -rf "$work"
fi
