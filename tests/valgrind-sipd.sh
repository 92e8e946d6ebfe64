#!/bin/sh
# valgrind-sipd.sh: run stird-sipd under valgrind for its integration tests
# (STIRD_SIPD=tests/valgrind-sipd.sh); any error makes it exit 99, which
# the tests see when they stop it.  stird-sipd links the shared
# libstirclient, so the built program is libtool's wrapper script.
b=${top_builddir:-.}
exec "$b/libtool" --mode=execute valgrind --quiet --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite --track-fds=no \
	--suppressions="${top_srcdir:-.}/tests/valgrind.supp" \
	"${STIRD_SIPD_REAL:-$b/stird-sipd}" "$@"
