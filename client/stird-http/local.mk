# client/stird-http/local.mk: stird-http, the HTTP front door (included
# from Makefile.am after the test fragments).  See doc/http.md.

# the pure parts (config, SHAKEN mapping, Prometheus text): the door, the
# tests and the fuzz target link them
noinst_LTLIBRARIES += libstirhttp.la
libstirhttp_la_SOURCES = \
	client/stird-http/conf.c client/stird-http/conf.h \
	client/stird-http/shaken_map.c client/stird-http/shaken_map.h \
	client/stird-http/prom.c client/stird-http/prom.h
libstirhttp_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
libstirhttp_la_LIBADD = libstirconf.la $(JANSSON_LIBS) -lm

sbin_PROGRAMS += stird-http
stird_http_SOURCES = client/stird-http/door.h client/stird-http/main.c \
	client/stird-http/http_mhd.c client/stird-http/upstream.c \
	client/stird-http/auth.c client/stird-http/routes.c \
	client/stird-http/listen.c \
	client/stird-http/route_shaken.c client/stird-http/route_native.c \
	client/stird-http/route_metrics.c
stird_http_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(GNUTLS_CFLAGS) $(JANSSON_CFLAGS) \
	$(SODIUM_CFLAGS) $(UV_CFLAGS)
stird_http_LDADD = libstirhttp.la libstirasync.la libstirproto.la libstirconf.la $(MHD_LIBS) \
	$(GNUTLS_LIBS) $(JANSSON_LIBS) $(SODIUM_LIBS) $(UV_LIBS)

dist_man_MANS += doc/stird-http.8
dist_stirdoc_DATA += doc/http.md doc/stird-http.conf.example

systemdsystemunit_DATA += systemd/stird-http.service
EXTRA_DIST += systemd/stird-http.service.in

# ---- tests ----
AM_TESTS_ENVIRONMENT += STIRD_HTTP='$(abs_top_builddir)/stird-http'; export STIRD_HTTP;

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_http
TESTS += tests/integration/test_http
tests_integration_test_http_SOURCES = tests/integration/test_http.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_http_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_http_LDADD = libstirclient.la $(TEST_LIBS) $(CURL_LIBS) $(JANSSON_LIBS)

check_PROGRAMS += tests/unit/test_http_map
TESTS += tests/unit/test_http_map
tests_unit_test_http_map_SOURCES = tests/unit/test_http_map.c
tests_unit_test_http_map_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_http_map_LDADD = libstirhttp.la $(TEST_LIBS) $(JANSSON_LIBS)
endif

# the SHAKEN request mapping: a fuzz target (tests/fuzz/local.mk has the rest)
FUZZ_NAMES += shakenreq
EXTRA_DIST += tests/fuzz/shakenreq.dict
if HAVE_CHECK
check_PROGRAMS += tests/fuzz/replay_shakenreq
TESTS += tests/fuzz/replay_shakenreq
endif
tests_fuzz_replay_shakenreq_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_shakenreq.c
tests_fuzz_replay_shakenreq_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"shakenreq"'
tests_fuzz_replay_shakenreq_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_shakenreq_LDADD = libstirhttp.la $(TEST_LIBS) $(JANSSON_LIBS)
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_shakenreq
endif
tests_fuzz_fuzz_shakenreq_SOURCES = tests/fuzz/fuzz_shakenreq.c tests/fuzz/fuzz.h \
	client/stird-http/shaken_map.c client/stird-http/prom.c
tests_fuzz_fuzz_shakenreq_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_shakenreq_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_shakenreq_LDADD = $(FUZZ_BIN_LIBS) $(JANSSON_LIBS) -lm
