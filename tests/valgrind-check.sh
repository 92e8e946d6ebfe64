#!/bin/sh
# valgrind-check.sh: make check-valgrind.  Runs the unit tests in-process
# under valgrind (CK_FORK=no) and the integration tests with stird under
# valgrind (tests/valgrind-stird.sh), JOBS at a time; each run's output is
# kept apart and printed in order, so the log reads as if they ran one by
# one.  Exits non-zero if any run failed.
#
#   tests/valgrind-check.sh JOBS UNIT-TEST... -- INTEGRATION-TEST...
#
# Environment (set by the Makefile): top_srcdir, top_builddir, LIBTOOL.
set -u
vg="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --suppressions=$top_srcdir/tests/valgrind.supp"

if [ "${1:-}" = --one ]; then	# --one OUTDIR SEQ KIND TEST: one run (from xargs)
	out=$2; seq=$3; kind=$4; t=$5
	t0=$(date +%s)
	if [ "$kind" = unit ]; then
		echo "valgrind $t"
		# shellcheck disable=SC2086
		CK_FORK=no CK_VERBOSITY=minimal ${LIBTOOL:-libtool} --mode=execute $vg "./$t"
	else
		echo "valgrind stird under $t"
		STIRD="$top_srcdir/tests/valgrind-stird.sh" STIRCTL="$top_builddir/stirctl" \
			CK_VERBOSITY=normal "./$t"
	fi >"$out/$seq.log" 2>&1
	echo $? >"$out/$seq.rc"
	echo "valgrind: $t took $(($(date +%s) - t0)) s" >>"$out/$seq.log"
	exit 0
fi

jobs=$1; shift
out=$(mktemp -d "${TMPDIR:-/tmp}/stird-valgrind.XXXXXX")
trap 'rm -rf "$out"' EXIT
# the integration runs are the longest: they start first, the unit
# tests fill in around them; the log keeps the order of the arguments
i=0
kind=unit
for t in "$@"; do
	if [ "$t" = -- ]; then kind=integration; continue; fi
	i=$((i + 1))
	printf '%03d %s %s\n' "$i" "$kind" "$t"
done >"$out/list"
{ grep ' integration ' "$out/list"; grep ' unit ' "$out/list"; } >"$out/order"
export top_srcdir top_builddir LIBTOOL
xargs -P "$jobs" -L 1 sh "$0" --one "$out" <"$out/order"

status=0
while read -r seq kind t; do
	cat "$out/$seq.log"
	rc=$(cat "$out/$seq.rc" 2>/dev/null || echo 1)
	if [ "$rc" != 0 ]; then
		echo "valgrind: $t FAILED (exit $rc)"
		status=1
	fi
done <"$out/list"
exit $status
