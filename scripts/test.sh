#!/bin/sh
# test.sh: the whole test suite, as CI runs it (README "Quick start").
#   1. install what is missing (Debian 12, as root); check the layout
#      (scripts/cycles.py --check)
#   2. build in build/ with -Werror and run `make check`
#   3. `make check-valgrind` in build/: unit tests and stird under valgrind,
#      two at a time (the integration tests whose paths the unit tests do
#      not cover in-process; ASan+UBSan in 4. runs them all)
#   4. build in build-asan/ with clang, ASan+UBSan and the libFuzzer
#      targets; run `make check`, then each fuzzer for a few seconds
#   5. `make distcheck` (with the tests that prove the tarball complete)
# STIR_QUICK=1 skips 3, the fuzzers of 4, and 5.
# Each `make check` prints Check's summary lines; the last line is
# "N passed, N failed" over all Check tests.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc)
# the suites mostly wait on daemons, servers and timeouts: twice as many
# at once as there are CPUs (measured: 4m28s at -j2, 3m04s at -j4 on 2 vCPUs)
check_jobs=${STIR_CHECK_JOBS:-$((jobs * 2))}

sh scripts/deps.sh

if [ -f config.status ]; then
	echo "test: the tree was configured in place; cleaning it for out-of-tree builds"
	make distclean >/dev/null 2>&1 || true
fi
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi

passed=0
failed=0
t_start=$(date +%s)
elapsed() { echo "   ($(($(date +%s) - t_start)) s since the start)"; }
count_checks() { # label file...: print and add up Check summary lines
	label=$1; shift
	for log in "$@"; do
		grep -E '^[0-9]+%: Checks: [0-9]+' "$log" | while read -r line; do
			echo "$label $(basename "$log" .log): $line"
		done
		for c in $(grep -E '^[0-9]+%: Checks: [0-9]+' "$log" |
		    sed -E 's/.*Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+).*/\1:\2:\3/'); do
			n=${c%%:*}; rest=${c#*:}; f=${rest%%:*}; e=${rest#*:}
			passed=$((passed + n - f - e))
			failed=$((failed + f + e))
		done
	done
}

summarise() { # builddir label
	echo "== $2: Check results"
	count_checks "$2" $(find "$1/tests" -name '*.log' ! -name test-suite.log | sort)
	grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' "$1/test-suite.log" | sed "s/^/$2 /"
}

run_check() { # builddir label configure-args...
	b=$1; label=$2; shift 2
	echo "== $label: configure $*"
	mkdir -p "$b"
	(cd "$b" && "$top/configure" -q --enable-werror "$@")
	echo "== $label: make"
	make -C "$b" -j"$jobs" >/dev/null
	echo "== $label: make check"
	st=0
	make -C "$b" -j"$check_jobs" check >/dev/null 2>&1 || st=$?
	summarise "$b" "$label"
	elapsed
	if [ $st -ne 0 ]; then
		echo "== $label: make check FAILED; failing logs follow"
		for log in $(grep -lE '^:test-result: (FAIL|ERROR)' $(find "$b/tests" -name '*.trs') 2>/dev/null); do
			echo "---- ${log%.trs}.log"
			tail -n 60 "${log%.trs}.log"
		done
		return 1
	fi
}

status=0
echo "== layout: no include or call cycles among daemon/ modules, no layer uses one above it"
if python3 scripts/cycles.py --check >build-cycles.log 2>&1; then
	head -n 2 build-cycles.log
else
	cat build-cycles.log
	status=1
fi
rm -f build-cycles.log
run_check build normal || status=1
if [ "${STIR_QUICK:-0}" != 1 ]; then
	echo "== valgrind: make check-valgrind"
	st=0
	make -C build check-valgrind >build/valgrind.log 2>&1 || st=$?
	count_checks valgrind build/valgrind.log
	elapsed
	if [ $st -ne 0 ]; then
		echo "== valgrind FAILED"
		tail -n 60 build/valgrind.log
		status=1
	fi
fi
# LeakSanitizer needs ptrace-free fork handling; abort on UBSan findings
# with clang, so the same tree builds the libFuzzer targets (4.), and at
# -O1, as ASan's documentation advises: a build half as long as gcc's -O2
# and one of the fuzzers' own; -Werror holds for gcc (2.) and clang alike
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	run_check build-asan sanitizers --enable-sanitizers --enable-fuzzing \
	CC=clang CFLAGS="-g -O1" || status=1

if [ "${STIR_QUICK:-0}" != 1 ]; then
	echo "== fuzz smoke: every libFuzzer target, bounded (clang)"
	st=0
	FUZZ_SECONDS=${FUZZ_SECONDS:-3} SMOKE_BUILDDIR=build-asan \
		sh tests/fuzz/smoke.sh "$top" >build/fuzz-smoke.log 2>&1 || st=$?
	grep -E '^(PASS|FAIL) ' build/fuzz-smoke.log | sed 's/^/fuzz /'
	elapsed
	fz=$(grep -E '^[0-9]+ passed, [0-9]+ failed' build/fuzz-smoke.log | tail -n 1)
	if [ -n "$fz" ]; then
		passed=$((passed + ${fz%% *}))
		f=${fz#*, }; failed=$((failed + ${f%% *}))
	fi
	if [ $st -ne 0 ]; then
		echo "== fuzz smoke FAILED"
		tail -n 40 build/fuzz-smoke.log
		status=1
	fi
fi

if [ "${STIR_QUICK:-0}" != 1 ] && [ $status -eq 0 ]; then
	echo "== distcheck"
	# the suite ran twice above: distcheck runs what proves the tarball
	# complete (Makefile.am, print-distcheck-tests)
	dtests=$(make -s -C build print-distcheck-tests)
	# and builds only the test programs it runs
	dprogs=$(for t in $dtests; do case $t in *.sh) ;; *) printf '%s ' "$t" ;; esac; done)
	# at -O0: the tarball's build proves it complete, not the optimiser
	# (the normal and sanitizer builds above are optimised)
	if make -C build -j"$check_jobs" distcheck TESTS="$dtests" check_PROGRAMS="$dprogs" \
	    DISTCHECK_CONFIGURE_FLAGS="CFLAGS=-O0" \
	    >build/distcheck.log 2>&1; then
		grep -E 'archives ready for distribution|\.tar\.gz' build/distcheck.log | head -n 3
		elapsed
	else
		tail -n 40 build/distcheck.log
		status=1
	fi
fi
echo "$passed passed, $failed failed"
exit $status
