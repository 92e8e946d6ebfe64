# client/stird-sipd/local.mk: stird-sipd, the SIP redirect front door
# (doc/sip-redirect.md, stird-sipd(8)); included at the end of Makefile.am.

# libosip2 (the parser library only) and the SIP <-> stird mapping: the
# door, its fuzz target and its replay all link this
noinst_LTLIBRARIES += libsipdmsg.la
libsipdmsg_la_SOURCES = client/stird-sipd/sipmsg.c client/stird-sipd/sipmsg.h \
	client/stird-sipd/sipmap.c client/stird-sipd/sipmap.h
libsipdmsg_la_CFLAGS = $(AM_CFLAGS) $(OSIP_CFLAGS) $(JANSSON_CFLAGS)
libsipdmsg_la_LIBADD = $(OSIPPARSER_LIBS) $(JANSSON_LIBS)

sbin_PROGRAMS += stird-sipd
stird_sipd_SOURCES = client/stird-sipd/main.c client/stird-sipd/sipd.h \
	client/stird-sipd/conf.c client/stird-sipd/transport.c \
	client/stird-sipd/tx.c client/stird-sipd/upstream.c \
	client/stird-sipd/tls.c client/stird-sipd/tls.h
stird_sipd_CFLAGS = $(AM_CFLAGS) $(UV_CFLAGS) $(SODIUM_CFLAGS) $(SYSTEMD_CFLAGS) \
	$(OSIP_CFLAGS) $(GNUTLS_CFLAGS)
stird_sipd_LDADD = libsipdmsg.la $(STIRCLIENT_IN) libstirconf.la $(UV_LIBS) \
	$(SODIUM_LIBS) $(SYSTEMD_LIBS) $(GNUTLS_LIBS)

dist_man_MANS += doc/stird-sipd.8
dist_stirdoc_DATA += doc/sip-redirect.md doc/stird-sipd.conf.example
systemdsystemunit_DATA += systemd/stird-sipd.service
EXTRA_DIST += systemd/stird-sipd.service.in

# ---- tests: the mapping alone (unit), then the real stird and stird-sipd ----
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_sipmap
TESTS += tests/unit/test_sipmap
endif
tests_unit_test_sipmap_SOURCES = tests/unit/test_sipmap.c
tests_unit_test_sipmap_CFLAGS = $(TEST_CFLAGS) $(OSIP_CFLAGS)
tests_unit_test_sipmap_LDADD = libsipdmsg.la $(TEST_LIBS) $(JANSSON_LIBS)

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_sipd tests/integration/test_sipd_hostile
TESTS += tests/integration/test_sipd tests/integration/test_sipd_hostile
endif
SIPD_TEST_SRC = tests/integration/sipd_harness.c tests/integration/sipd_harness.h \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_sipd_SOURCES = tests/integration/test_sipd.c $(SIPD_TEST_SRC)
tests_integration_test_sipd_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_sipd_LDADD = libstirclient.la $(TEST_LIBS)
tests_integration_test_sipd_hostile_SOURCES = tests/integration/test_sipd_hostile.c \
	$(SIPD_TEST_SRC)
tests_integration_test_sipd_hostile_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_sipd_hostile_LDADD = libstirclient.la $(TEST_LIBS)
EXTRA_DIST += tests/integration/sipd-sign-verify.xml

# ---- fuzzing: SIP message -> stird request (tests/fuzz/local.mk) ----
FUZZ_NAMES += sipmsg
EXTRA_DIST += tests/fuzz/sipmsg.dict
if HAVE_CHECK
check_PROGRAMS += tests/fuzz/replay_sipmsg
TESTS += tests/fuzz/replay_sipmsg
endif
tests_fuzz_replay_sipmsg_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_sipmsg.c
tests_fuzz_replay_sipmsg_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"sipmsg"'
tests_fuzz_replay_sipmsg_CFLAGS = $(TEST_CFLAGS) $(OSIP_CFLAGS)
tests_fuzz_replay_sipmsg_LDADD = libsipdmsg.la $(TEST_LIBS) $(JANSSON_LIBS)

if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_sipmsg
endif
tests_fuzz_fuzz_sipmsg_SOURCES = tests/fuzz/fuzz_sipmsg.c tests/fuzz/fuzz.h \
	client/stird-sipd/sipmsg.c client/stird-sipd/sipmap.c
tests_fuzz_fuzz_sipmsg_CFLAGS = $(FUZZ_BIN_CFLAGS) $(OSIP_CFLAGS)
tests_fuzz_fuzz_sipmsg_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_sipmsg_LDADD = $(FUZZ_BIN_LIBS) $(OSIPPARSER_LIBS) $(JANSSON_LIBS)

# ---- make check-valgrind: the door's integration tests with stird-sipd
# under valgrind (tests/valgrind-sipd.sh) ----
EXTRA_DIST += tests/valgrind-sipd.sh
check-valgrind-sipd: all $(check_PROGRAMS)
	@echo "valgrind stird-sipd (integration tests)"
	@top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		STIRD='$(abs_top_builddir)/stird' STIRCTL='$(abs_top_builddir)/stirctl' \
		STIRD_SIPD='$(abs_top_srcdir)/tests/valgrind-sipd.sh' CK_VERBOSITY=normal \
		sh -c 'for t in test_sipd test_sipd_hostile; do ./tests/integration/$$t || exit 1; done'
check-valgrind: check-valgrind-sipd
.PHONY: check-valgrind-sipd
