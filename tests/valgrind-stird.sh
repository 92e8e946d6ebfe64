#!/bin/sh
# valgrind-stird.sh: run stird under valgrind for the integration tests
# (STIRD=tests/valgrind-stird.sh); any error makes it exit 99.
exec valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --track-fds=no --child-silent-after-fork=yes \
	--suppressions="${top_srcdir:-.}/tests/valgrind.supp" \
	"${STIRD_REAL:-${top_builddir:-.}/stird}" "$@"
