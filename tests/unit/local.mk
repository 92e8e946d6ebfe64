# tests/unit/local.mk: included from Makefile.am.  Check unit tests, one
# program per daemon module; each links libstircore.la and test_util.c.
if HAVE_CHECK
UNIT_TESTS = \
	tests/unit/test_conf \
	tests/unit/test_tn \
	tests/unit/test_state \
	tests/unit/test_url \
	tests/unit/test_passport \
	tests/unit/test_signer \
	tests/unit/test_proto \
	tests/unit/test_reply \
	tests/unit/test_store \
	tests/unit/test_tnauth \
	tests/unit/test_cert \
	tests/unit/test_tnlist \
	tests/unit/test_creds
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

UNIT_UTIL = tests/unit/test_util.c tests/unit/test_util.h

tests_unit_test_conf_SOURCES = tests/unit/test_conf.c $(UNIT_UTIL)
tests_unit_test_conf_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_conf_LDADD = $(TEST_LIBS)

tests_unit_test_tn_SOURCES = tests/unit/test_tn.c $(UNIT_UTIL)
tests_unit_test_tn_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_tn_LDADD = $(TEST_LIBS)
tests_unit_test_state_SOURCES = tests/unit/test_state.c $(UNIT_UTIL)
tests_unit_test_state_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_state_LDADD = $(TEST_LIBS)

tests_unit_test_url_SOURCES = tests/unit/test_url.c $(UNIT_UTIL)
tests_unit_test_url_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_url_LDADD = $(TEST_LIBS)

tests_unit_test_passport_SOURCES = tests/unit/test_passport.c $(UNIT_UTIL)
tests_unit_test_passport_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_passport_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)

tests_unit_test_signer_SOURCES = tests/unit/test_signer.c $(UNIT_UTIL)
tests_unit_test_signer_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_signer_LDADD = $(TEST_LIBS) $(GNUTLS_LIBS)

tests_unit_test_proto_SOURCES = tests/unit/test_proto.c $(UNIT_UTIL)
tests_unit_test_proto_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_proto_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)

tests_unit_test_reply_SOURCES = tests/unit/test_reply.c $(UNIT_UTIL)
tests_unit_test_reply_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_reply_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)

tests_unit_test_store_SOURCES = tests/unit/test_store.c $(UNIT_UTIL)
tests_unit_test_store_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_store_LDADD = $(TEST_LIBS) $(SQLITE_LIBS)

tests_unit_test_tnauth_SOURCES = tests/unit/test_tnauth.c $(UNIT_UTIL)
tests_unit_test_tnauth_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_tnauth_LDADD = $(TEST_LIBS)

tests_unit_test_cert_SOURCES = tests/unit/test_cert.c $(UNIT_UTIL)
tests_unit_test_cert_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_cert_LDADD = $(TEST_LIBS) $(GNUTLS_LIBS)

tests_unit_test_tnlist_SOURCES = tests/unit/test_tnlist.c $(UNIT_UTIL)
tests_unit_test_tnlist_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_tnlist_LDADD = $(TEST_LIBS) $(GNUTLS_LIBS)

tests_unit_test_creds_SOURCES = tests/unit/test_creds.c $(UNIT_UTIL)
tests_unit_test_creds_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_creds_LDADD = $(TEST_LIBS)
endif

# fetcher, HTTP cache lifetimes and the certificate cache (daemon/verify.mk)
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_fetch
TESTS += tests/unit/test_fetch
tests_unit_test_fetch_SOURCES = tests/unit/test_fetch.c $(UNIT_UTIL)
tests_unit_test_fetch_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_fetch_LDADD = $(TEST_LIBS) $(UV_LIBS) $(CURL_LIBS) $(SODIUM_LIBS)
endif

# Identity header parsing, PASSporT checks and ES256, trust and vmemo.
if HAVE_CHECK
UNIT_TESTS_VERIFY = \
	tests/unit/test_identity \
	tests/unit/test_verify \
	tests/unit/test_trust
check_PROGRAMS += $(UNIT_TESTS_VERIFY)
TESTS += $(UNIT_TESTS_VERIFY)

tests_unit_test_identity_SOURCES = tests/unit/test_identity.c $(UNIT_UTIL)
tests_unit_test_identity_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_identity_LDADD = $(TEST_LIBS)

tests_unit_test_verify_SOURCES = tests/unit/test_verify.c $(UNIT_UTIL)
tests_unit_test_verify_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_verify_LDADD = $(TEST_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS)

tests_unit_test_trust_SOURCES = tests/unit/test_trust.c $(UNIT_UTIL)
tests_unit_test_trust_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_trust_LDADD = $(TEST_LIBS) $(GNUTLS_LIBS)
endif

# JWT claim constraints, RFC 8226 and RFC 9118 (daemon/pki/constraints.c)
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_constraints
TESTS += tests/unit/test_constraints
tests_unit_test_constraints_SOURCES = tests/unit/test_constraints.c $(UNIT_UTIL)
tests_unit_test_constraints_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_constraints_LDADD = $(TEST_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS)
endif

# Rich Call Data: rcd/crn/rcdi claims, icons, jCards, display names (daemon/stir/rcd.c)
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_rcd
TESTS += tests/unit/test_rcd
tests_unit_test_rcd_SOURCES = tests/unit/test_rcd.c $(UNIT_UTIL)
tests_unit_test_rcd_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_rcd_LDADD = $(TEST_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS) $(SODIUM_LIBS)
endif

# RCD policies: validation, jCard URLs, content, claims, matching (daemon/sign/policy.c)
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_policy
TESTS += tests/unit/test_policy
tests_unit_test_policy_SOURCES = tests/unit/test_policy.c $(UNIT_UTIL)
tests_unit_test_policy_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_policy_LDADD = $(TEST_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS) $(SODIUM_LIBS)
endif

# Diversion chains and History-Info/Diversion identities (daemon/verify/diversion.c)
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_diversion
TESTS += tests/unit/test_diversion
tests_unit_test_diversion_SOURCES = tests/unit/test_diversion.c $(UNIT_UTIL)
tests_unit_test_diversion_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_diversion_LDADD = $(TEST_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS) $(SODIUM_LIBS)
endif

# SIP MESSAGE bodies: base64 transport, Content-Type checks (daemon/stir/message.c)
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_message
TESTS += tests/unit/test_message
tests_unit_test_message_SOURCES = tests/unit/test_message.c $(UNIT_UTIL)
tests_unit_test_message_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_message_LDADD = $(TEST_LIBS) $(SODIUM_LIBS)
endif

# RFC 9796 Call-Info values and call-reason (daemon/stir/callinfo.c)
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_callinfo
TESTS += tests/unit/test_callinfo
tests_unit_test_callinfo_SOURCES = tests/unit/test_callinfo.c $(UNIT_UTIL)
tests_unit_test_callinfo_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_callinfo_LDADD = $(TEST_LIBS)
endif

# certificates with a TNAuthList by reference, made at test time (test_tnlist, test_tnlist integration)
EXTRA_DIST += tests/mktnlist.sh

if HAVE_CHECK
# histogram bucketing, label capping, the JSON families' shape
check_PROGRAMS += tests/unit/test_metrics
TESTS += tests/unit/test_metrics
tests_unit_test_metrics_SOURCES = tests/unit/test_metrics.c $(UNIT_UTIL) \
	client/stirctl/hist.c
tests_unit_test_metrics_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_metrics_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)
endif
