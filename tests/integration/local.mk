# tests/integration/local.mk: the real daemon, driven end to end.
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_daemon
TESTS += tests/integration/test_daemon
tests_integration_test_daemon_SOURCES = tests/integration/test_daemon.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_daemon_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_daemon_LDADD = libstirclient.la $(TEST_LIBS)
endif

# systemd-analyze verify on the units (skips where systemd-analyze is missing)
TESTS += tests/integration/test_units.sh
EXTRA_DIST += tests/integration/test_units.sh

if HAVE_CHECK
check_PROGRAMS += tests/integration/test_verify
TESTS += tests/integration/test_verify
tests_integration_test_verify_SOURCES = tests/integration/test_verify.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_verify_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_verify_LDADD = libstirclient.la $(TEST_LIBS)
endif

# RCD verification: jCard URLs, verification policy switches
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_rcd_verify
TESTS += tests/integration/test_rcd_verify
tests_integration_test_rcd_verify_SOURCES = tests/integration/test_rcd_verify.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_rcd_verify_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_rcd_verify_LDADD = libstirclient.la $(TEST_LIBS)
endif

# RFC 9060 delegate certificates
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_delegate
TESTS += tests/integration/test_delegate
tests_integration_test_delegate_SOURCES = tests/integration/test_delegate.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_delegate_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_delegate_LDADD = libstirclient.la $(TEST_LIBS)
endif

# RCD policies and RCD signing
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_rcd_sign
TESTS += tests/integration/test_rcd_sign
tests_integration_test_rcd_sign_SOURCES = tests/integration/test_rcd_sign.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_rcd_sign_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_rcd_sign_LDADD = libstirclient.la $(TEST_LIBS)
endif

# diversion, messages, connected identity, RFC 9410 reasons
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_extensions
TESTS += tests/integration/test_extensions
tests_integration_test_extensions_SOURCES = tests/integration/test_extensions.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_extensions_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_extensions_LDADD = libstirclient.la $(TEST_LIBS)
endif

# admin changes under concurrency and faults, log injection, foreign databases
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_admin
TESTS += tests/integration/test_admin
tests_integration_test_admin_SOURCES = tests/integration/test_admin.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_admin_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_admin_LDADD = libstirclient.la $(TEST_LIBS)
endif

# what a remote caller can make stird fetch: fair scheduling, x5u limit, CRL order
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_fetch_abuse
TESTS += tests/integration/test_fetch_abuse
tests_integration_test_fetch_abuse_SOURCES = tests/integration/test_fetch_abuse.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_fetch_abuse_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_fetch_abuse_LDADD = libstirclient.la $(TEST_LIBS)
endif

# the real Kamailio (contrib/kamailio/) with sipp in front of stird and its
# doors; skips (77) where kamailio or sipp is not installed
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_kamailio
TESTS += tests/integration/test_kamailio
tests_integration_test_kamailio_SOURCES = tests/integration/test_kamailio.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_kamailio_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_kamailio_LDADD = libstirclient.la $(TEST_LIBS)
endif
EXTRA_DIST += tests/kamailio/uac.xml tests/kamailio/uac_identity.xml \
	tests/kamailio/uas.xml contrib/kamailio/README.md \
	contrib/kamailio/stird-http.cfg contrib/kamailio/stird-http-async.cfg \
	contrib/kamailio/stird-redirect.cfg doc/integration.md
