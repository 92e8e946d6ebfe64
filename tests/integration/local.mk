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

# TNAuthList by reference (RFC 8226 10.1), also for RFC 9060 delegation
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_tnlist
TESTS += tests/integration/test_tnlist
tests_integration_test_tnlist_SOURCES = tests/integration/test_tnlist.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_tnlist_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_tnlist_LDADD = libstirclient.la $(TEST_LIBS)
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

# one declared state for many hosts: export, apply, dry run, digests
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_state
TESTS += tests/integration/test_state
tests_integration_test_state_SOURCES = tests/integration/test_state.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_state_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_state_LDADD = libstirclient.la $(TEST_LIBS)
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

# libstirclient's non-blocking API: the real stird and a fake one
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_async
TESTS += tests/integration/test_async
tests_integration_test_async_SOURCES = tests/integration/test_async.c \
	tests/integration/async_util.c tests/integration/async_util.h \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_async_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_async_LDADD = libstirclient.la $(TEST_LIBS)
endif

# the typed layer of the non-blocking API: every op's request and result
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_async_typed
TESTS += tests/integration/test_async_typed
tests_integration_test_async_typed_SOURCES = tests/integration/test_async_typed.c \
	tests/integration/async_util.c tests/integration/async_util.h \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_async_typed_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_async_typed_LDADD = libstirclient.la $(TEST_LIBS)
endif

# JWT claim constraints (RFC 8226, RFC 9118): end-entity certificates only,
# void extensions, object-valued permitted values (issue 11)
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_claim_constraints
TESTS += tests/integration/test_claim_constraints
tests_integration_test_claim_constraints_SOURCES = tests/integration/test_claim_constraints.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_claim_constraints_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_claim_constraints_LDADD = libstirclient.la $(TEST_LIBS)
endif

# the signer process: sandbox, no key or PIN in stird, restarts
if HAVE_CHECK
check_PROGRAMS += tests/integration/test_signer_process
TESTS += tests/integration/test_signer_process
tests_integration_test_signer_process_SOURCES = tests/integration/test_signer_process.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_signer_process_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_signer_process_LDADD = libstirclient.la $(TEST_LIBS)
endif

if HAVE_CHECK
# op stats against the real daemon: counts after known signs and verifies
check_PROGRAMS += tests/integration/test_stats
TESTS += tests/integration/test_stats
tests_integration_test_stats_SOURCES = tests/integration/test_stats.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_stats_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_stats_LDADD = libstirclient.la $(TEST_LIBS)
endif

if HAVE_CHECK
# fleet mode: two daemons sharing a real redis-server (doc/fleet.md)
check_PROGRAMS += tests/integration/test_fleet
TESTS += tests/integration/test_fleet
tests_integration_test_fleet_SOURCES = tests/integration/test_fleet.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_fleet_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_fleet_LDADD = libstirclient.la $(TEST_LIBS)
endif
