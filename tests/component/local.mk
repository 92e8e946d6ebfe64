# tests/component/local.mk: included from Makefile.am.  Component tests
# (Check): the ops and the verify engine on a hand-built server and state,
# in one process, with link-time fakes (as Unbound's testcode/fake_event.c):
# a signer holding a test key (fake_signer.c) and a scripted x5u fetcher
# (fake_fetch.c).  The fetcher's functions are wrapped at link time
# (FAKE_FETCH_WRAP): every call of them, from libstircore or the tests,
# goes to fake_fetch.c's __wrap_ definitions; no daemon file changes.
if HAVE_CHECK
COMPONENT_TESTS = \
	tests/component/test_ops
check_PROGRAMS += $(COMPONENT_TESTS)
TESTS += $(COMPONENT_TESTS)

FAKE_FETCH_WRAP = \
	-Wl,--wrap=stir_fetcher_new -Wl,--wrap=stir_fetcher_set_opts \
	-Wl,--wrap=stir_fetch -Wl,--wrap=stir_fetch_for \
	-Wl,--wrap=stir_fetcher_close -Wl,--wrap=stir_fetcher_inflight \
	-Wl,--wrap=stir_fetcher_stats
COMPONENT_HARNESS = \
	tests/component/harness.c tests/component/harness.h \
	tests/component/fake_signer.c tests/component/fake_signer.h \
	tests/component/fake_fetch.c tests/component/fake_fetch.h \
	$(UNIT_UTIL)

tests_component_test_ops_SOURCES = tests/component/test_ops.c $(COMPONENT_HARNESS)
tests_component_test_ops_CFLAGS = $(TEST_CFLAGS)
tests_component_test_ops_LDFLAGS = $(AM_LDFLAGS) $(FAKE_FETCH_WRAP)
tests_component_test_ops_LDADD = $(TEST_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS) $(UV_LIBS)
endif
