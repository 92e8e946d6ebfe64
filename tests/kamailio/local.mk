# tests/kamailio/local.mk: the real Kamailio (contrib/kamailio/) with sipp in
# front of stird and its doors; skips (77) where kamailio or sipp is not
# installed.  The scenarios and configurations it runs are in the dist.
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_kamailio
TESTS += tests/integration/test_kamailio
tests_integration_test_kamailio_SOURCES = tests/integration/test_kamailio.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_kamailio_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_kamailio_LDADD = libstirclient.la $(TEST_LIBS)
endif
EXTRA_DIST += tests/kamailio/local.mk tests/kamailio/uac.xml \
	tests/kamailio/uac_identity.xml tests/kamailio/uas.xml \
	contrib/kamailio/README.md contrib/kamailio/stird-http.cfg \
	contrib/kamailio/stird-http-async.cfg contrib/kamailio/stird-redirect.cfg
# installed beside README.md: how SIP software uses the doors
dist_stirdoc_DATA += doc/integration.md
