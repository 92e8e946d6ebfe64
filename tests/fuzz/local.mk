# tests/fuzz/local.mk: included from Makefile.am
#
# One fuzz target per parser of outside data (tests/fuzz/fuzz_<name>.c),
# each with a seed corpus in tests/fuzz/corpus/<name>/.
#
#  - make check (any compiler, needs Check): tests/fuzz/replay_<name> runs
#    the corpus and a bounded, seeded stream of mutations of it through the
#    target (tests/fuzz/replay.c).
#  - ./configure --enable-fuzzing CC=clang: tests/fuzz/fuzz_<name> are
#    libFuzzer binaries with ASan and UBSan.  The modules a target parses
#    with are compiled into it again with coverage instrumentation (the
#    convenience libraries are built without it, and libFuzzer is blind in
#    code it cannot see); the rest comes from libstircore.la.
#    tests/fuzz/run-fuzzers.sh BUILDDIR runs them all for a while.

FUZZ_NAMES = request linebuf tnauth chain config ident b64url \
	identity passport cachecontrol httpdate rcd policy diversion message \
	keypem callinfo constraints signerproto url sharedvalue

EXTRA_DIST += tests/fuzz/corpus tests/fuzz/run-fuzzers.sh \
	tests/fuzz/smoke.sh tests/fuzz/gen-seeds.py \
	tests/fuzz/request.dict tests/fuzz/config.dict tests/fuzz/ident.dict \
	tests/fuzz/identity.dict tests/fuzz/passport.dict \
	tests/fuzz/cachecontrol.dict tests/fuzz/httpdate.dict tests/fuzz/rcd.dict \
	tests/fuzz/policy.dict tests/fuzz/diversion.dict tests/fuzz/message.dict \
	tests/fuzz/callinfo.dict tests/fuzz/url.dict

# ---- make check: replay through a plain build ----
FUZZ_REPLAY_PROGS = \
	tests/fuzz/replay_request tests/fuzz/replay_linebuf \
	tests/fuzz/replay_tnauth tests/fuzz/replay_chain \
	tests/fuzz/replay_config tests/fuzz/replay_ident \
	tests/fuzz/replay_b64url tests/fuzz/replay_identity \
	tests/fuzz/replay_passport tests/fuzz/replay_cachecontrol \
	tests/fuzz/replay_httpdate tests/fuzz/replay_rcd \
	tests/fuzz/replay_policy tests/fuzz/replay_diversion \
	tests/fuzz/replay_message tests/fuzz/replay_keypem \
	tests/fuzz/replay_callinfo \
	tests/fuzz/replay_constraints tests/fuzz/replay_signerproto \
	tests/fuzz/replay_url tests/fuzz/replay_sharedvalue

if HAVE_CHECK
check_PROGRAMS += $(FUZZ_REPLAY_PROGS)
TESTS += $(FUZZ_REPLAY_PROGS)
endif

# crash inputs the replay saves (see replay.c)
CLEANFILES += $(FUZZ_NAMES:%=tests/fuzz/fuzz-crash-%) $(FUZZ_NAMES:%=fuzz-crash-%)

FUZZ_REPLAY_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus"'
FUZZ_REPLAY_SRC = tests/fuzz/replay.c tests/fuzz/fuzz.h

tests_fuzz_replay_request_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_request.c
tests_fuzz_replay_request_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"request"'
tests_fuzz_replay_request_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_request_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)

tests_fuzz_replay_linebuf_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_linebuf.c
tests_fuzz_replay_linebuf_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"linebuf"'
tests_fuzz_replay_linebuf_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_linebuf_LDADD = $(TEST_LIBS)

tests_fuzz_replay_tnauth_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_tnauth.c
tests_fuzz_replay_tnauth_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"tnauth"'
tests_fuzz_replay_tnauth_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_tnauth_LDADD = $(TEST_LIBS)

tests_fuzz_replay_chain_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_chain.c
tests_fuzz_replay_chain_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"chain"'
tests_fuzz_replay_chain_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_chain_LDADD = $(TEST_LIBS) $(GNUTLS_LIBS) $(SODIUM_LIBS)

tests_fuzz_replay_config_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_config.c
tests_fuzz_replay_config_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"config"'
tests_fuzz_replay_config_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_config_LDADD = $(TEST_LIBS)

tests_fuzz_replay_ident_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_ident.c
tests_fuzz_replay_ident_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"ident"'
tests_fuzz_replay_ident_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_ident_LDADD = $(TEST_LIBS)

tests_fuzz_replay_b64url_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_b64url.c
tests_fuzz_replay_b64url_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"b64url"'
tests_fuzz_replay_b64url_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_b64url_LDADD = $(TEST_LIBS)

tests_fuzz_replay_identity_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_identity.c
tests_fuzz_replay_identity_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"identity"'
tests_fuzz_replay_identity_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_identity_LDADD = $(TEST_LIBS)

tests_fuzz_replay_passport_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_passport.c
tests_fuzz_replay_passport_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"passport"'
tests_fuzz_replay_passport_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_passport_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)

tests_fuzz_replay_cachecontrol_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_cachecontrol.c
tests_fuzz_replay_cachecontrol_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"cachecontrol"'
tests_fuzz_replay_cachecontrol_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_cachecontrol_LDADD = $(TEST_LIBS) $(CURL_LIBS)

tests_fuzz_replay_httpdate_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_httpdate.c
tests_fuzz_replay_httpdate_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"httpdate"'
tests_fuzz_replay_httpdate_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_httpdate_LDADD = $(TEST_LIBS)

tests_fuzz_replay_url_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_url.c
tests_fuzz_replay_url_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"url"'
tests_fuzz_replay_url_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_url_LDADD = $(TEST_LIBS)

tests_fuzz_replay_sharedvalue_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_sharedvalue.c
tests_fuzz_replay_sharedvalue_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"sharedvalue"'
tests_fuzz_replay_sharedvalue_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_sharedvalue_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)

tests_fuzz_replay_rcd_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_rcd.c
tests_fuzz_replay_rcd_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"rcd"'
tests_fuzz_replay_rcd_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_rcd_LDADD = $(TEST_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS) $(SODIUM_LIBS)

tests_fuzz_replay_policy_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_policy.c
tests_fuzz_replay_policy_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"policy"'
tests_fuzz_replay_policy_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_policy_LDADD = $(TEST_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS) $(SODIUM_LIBS)

tests_fuzz_replay_diversion_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_diversion.c
tests_fuzz_replay_diversion_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"diversion"'
tests_fuzz_replay_diversion_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_diversion_LDADD = $(TEST_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS) $(SODIUM_LIBS)

tests_fuzz_replay_message_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_message.c
tests_fuzz_replay_message_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"message"'
tests_fuzz_replay_message_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_message_LDADD = $(TEST_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS) $(SODIUM_LIBS)

tests_fuzz_replay_keypem_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_keypem.c
tests_fuzz_replay_keypem_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"keypem"'
tests_fuzz_replay_keypem_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_keypem_LDADD = $(TEST_LIBS) $(GNUTLS_LIBS) $(SODIUM_LIBS)

tests_fuzz_replay_callinfo_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_callinfo.c
tests_fuzz_replay_callinfo_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"callinfo"'
tests_fuzz_replay_callinfo_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_callinfo_LDADD = $(TEST_LIBS)

tests_fuzz_replay_constraints_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_constraints.c
tests_fuzz_replay_constraints_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"constraints"'
tests_fuzz_replay_constraints_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_constraints_LDADD = $(TEST_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS)

# ---- --enable-fuzzing: libFuzzer binaries ----
if ENABLE_FUZZING
noinst_PROGRAMS += \
	tests/fuzz/fuzz_request tests/fuzz/fuzz_linebuf \
	tests/fuzz/fuzz_tnauth tests/fuzz/fuzz_chain \
	tests/fuzz/fuzz_config tests/fuzz/fuzz_ident \
	tests/fuzz/fuzz_b64url tests/fuzz/fuzz_identity \
	tests/fuzz/fuzz_passport tests/fuzz/fuzz_cachecontrol \
	tests/fuzz/fuzz_httpdate tests/fuzz/fuzz_rcd \
	tests/fuzz/fuzz_policy tests/fuzz/fuzz_diversion \
	tests/fuzz/fuzz_message tests/fuzz/fuzz_keypem \
	tests/fuzz/fuzz_callinfo \
	tests/fuzz/fuzz_constraints tests/fuzz/fuzz_signerproto \
	tests/fuzz/fuzz_url tests/fuzz/fuzz_sharedvalue
endif

FUZZ_BIN_CFLAGS = $(TEST_CFLAGS) $(FUZZ_CFLAGS) \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -g
FUZZ_BIN_LINKFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer,address,undefined
FUZZ_BIN_LIBS = libstircore.la

# the wire codec
FUZZ_PROTO_SRC = client/libstirclient/proto.c client/libstirclient/error.c

tests_fuzz_fuzz_request_SOURCES = tests/fuzz/fuzz_request.c tests/fuzz/fuzz.h \
	$(FUZZ_PROTO_SRC) daemon/stir/tn.c daemon/stir/passport.c daemon/base/log.c
tests_fuzz_fuzz_request_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_request_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_request_LDADD = $(FUZZ_BIN_LIBS) $(JANSSON_LIBS)

tests_fuzz_fuzz_linebuf_SOURCES = tests/fuzz/fuzz_linebuf.c tests/fuzz/fuzz.h \
	$(FUZZ_PROTO_SRC)
tests_fuzz_fuzz_linebuf_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_linebuf_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_linebuf_LDADD = $(FUZZ_BIN_LIBS)

tests_fuzz_fuzz_tnauth_SOURCES = tests/fuzz/fuzz_tnauth.c tests/fuzz/fuzz.h \
	daemon/pki/cert.c daemon/stir/tn.c
tests_fuzz_fuzz_tnauth_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_tnauth_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_tnauth_LDADD = $(FUZZ_BIN_LIBS)

tests_fuzz_fuzz_chain_SOURCES = tests/fuzz/fuzz_chain.c tests/fuzz/fuzz.h \
	daemon/pki/cert.c daemon/stir/tn.c daemon/stir/url.c
tests_fuzz_fuzz_chain_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_chain_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_chain_LDADD = $(FUZZ_BIN_LIBS) $(GNUTLS_LIBS) $(SODIUM_LIBS)

tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c tests/fuzz/fuzz.h \
	daemon/base/conf.c daemon/base/conffile.c daemon/base/log.c
tests_fuzz_fuzz_config_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_config_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_config_LDADD = $(FUZZ_BIN_LIBS)

tests_fuzz_fuzz_ident_SOURCES = tests/fuzz/fuzz_ident.c tests/fuzz/fuzz.h \
	daemon/stir/tn.c daemon/sign/creds.c
tests_fuzz_fuzz_ident_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_ident_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_ident_LDADD = $(FUZZ_BIN_LIBS)

tests_fuzz_fuzz_keypem_SOURCES = tests/fuzz/fuzz_keypem.c tests/fuzz/fuzz.h \
	daemon/keys/signer_local.c
tests_fuzz_fuzz_keypem_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_keypem_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_keypem_LDADD = $(FUZZ_BIN_LIBS) $(GNUTLS_LIBS) $(SODIUM_LIBS)

tests_fuzz_replay_signerproto_SOURCES = $(FUZZ_REPLAY_SRC) tests/fuzz/fuzz_signerproto.c
tests_fuzz_replay_signerproto_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_TARGET='"signerproto"'
tests_fuzz_replay_signerproto_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_replay_signerproto_LDADD = $(TEST_LIBS)

tests_fuzz_fuzz_signerproto_SOURCES = tests/fuzz/fuzz_signerproto.c tests/fuzz/fuzz.h \
	daemon/keys/signer_proto.c
tests_fuzz_fuzz_signerproto_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_signerproto_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_signerproto_LDADD = $(FUZZ_BIN_LIBS)

tests_fuzz_fuzz_constraints_SOURCES = tests/fuzz/fuzz_constraints.c tests/fuzz/fuzz.h \
	daemon/pki/constraints.c daemon/stir/passport.c
tests_fuzz_fuzz_constraints_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_constraints_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_constraints_LDADD = $(FUZZ_BIN_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS)

tests_fuzz_fuzz_b64url_SOURCES = tests/fuzz/fuzz_b64url.c tests/fuzz/fuzz.h \
	daemon/stir/passport.c
tests_fuzz_fuzz_b64url_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_b64url_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_b64url_LDADD = $(FUZZ_BIN_LIBS)

tests_fuzz_fuzz_identity_SOURCES = tests/fuzz/fuzz_identity.c tests/fuzz/fuzz.h \
	daemon/stir/identity.c
tests_fuzz_fuzz_identity_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_identity_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_identity_LDADD = $(FUZZ_BIN_LIBS)

tests_fuzz_fuzz_passport_SOURCES = tests/fuzz/fuzz_passport.c tests/fuzz/fuzz.h \
	daemon/stir/identity.c daemon/verify/verify.c daemon/stir/passport.c daemon/stir/tn.c daemon/stir/rcd.c
tests_fuzz_fuzz_passport_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_passport_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_passport_LDADD = $(FUZZ_BIN_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS) \
	$(SODIUM_LIBS)

tests_fuzz_fuzz_cachecontrol_SOURCES = tests/fuzz/fuzz_cachecontrol.c tests/fuzz/fuzz.h \
	daemon/pki/fetch.c
tests_fuzz_fuzz_cachecontrol_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_cachecontrol_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_cachecontrol_LDADD = $(FUZZ_BIN_LIBS) $(CURL_LIBS) $(UV_LIBS)

tests_fuzz_fuzz_httpdate_SOURCES = tests/fuzz/fuzz_httpdate.c tests/fuzz/fuzz.h \
	daemon/verify/verify.c
tests_fuzz_fuzz_httpdate_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_httpdate_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_httpdate_LDADD = $(FUZZ_BIN_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS)

tests_fuzz_fuzz_url_SOURCES = tests/fuzz/fuzz_url.c tests/fuzz/fuzz.h \
	daemon/stir/url.c
tests_fuzz_fuzz_url_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_url_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_url_LDADD = $(FUZZ_BIN_LIBS)

tests_fuzz_fuzz_sharedvalue_SOURCES = tests/fuzz/fuzz_sharedvalue.c tests/fuzz/fuzz.h \
	daemon/fleet/shared_cache.c daemon/pki/fetch.c
tests_fuzz_fuzz_sharedvalue_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_sharedvalue_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_sharedvalue_LDADD = $(FUZZ_BIN_LIBS) $(JANSSON_LIBS) $(CURL_LIBS) $(UV_LIBS) \
	$(GNUTLS_LIBS) $(SODIUM_LIBS) $(HIREDIS_LIBS)

tests_fuzz_fuzz_rcd_SOURCES = tests/fuzz/fuzz_rcd.c tests/fuzz/fuzz.h \
	daemon/stir/rcd.c daemon/stir/url.c
tests_fuzz_fuzz_rcd_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_rcd_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_rcd_LDADD = $(FUZZ_BIN_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS) \
	$(SODIUM_LIBS)

tests_fuzz_fuzz_policy_SOURCES = tests/fuzz/fuzz_policy.c tests/fuzz/fuzz.h \
	daemon/sign/policy.c daemon/sign/creds.c daemon/stir/tn.c daemon/stir/rcd.c \
	daemon/stir/url.c
tests_fuzz_fuzz_policy_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_policy_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_policy_LDADD = $(FUZZ_BIN_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS) \
	$(SODIUM_LIBS)

tests_fuzz_fuzz_diversion_SOURCES = tests/fuzz/fuzz_diversion.c tests/fuzz/fuzz.h \
	daemon/verify/diversion.c daemon/verify/verify.c daemon/stir/tn.c
tests_fuzz_fuzz_diversion_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_diversion_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_diversion_LDADD = $(FUZZ_BIN_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS) \
	$(SODIUM_LIBS)

tests_fuzz_fuzz_message_SOURCES = tests/fuzz/fuzz_message.c tests/fuzz/fuzz.h \
	daemon/stir/message.c daemon/stir/rcd.c
tests_fuzz_fuzz_message_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_message_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_message_LDADD = $(FUZZ_BIN_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS) \
	$(SODIUM_LIBS)

# RFC 9796 Call-Info values and call-reason
tests_fuzz_fuzz_callinfo_SOURCES = tests/fuzz/fuzz_callinfo.c tests/fuzz/fuzz.h \
	daemon/stir/callinfo.c
tests_fuzz_fuzz_callinfo_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_callinfo_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_callinfo_LDADD = $(FUZZ_BIN_LIBS)

# ---- make fuzz-smoke: every libFuzzer target for a short while ----
# FUZZ_SECONDS (default 20) each, two at a time, on scratch copies of the
# corpora; fails on any crash, leak or timeout (run-fuzzers.sh).  Without
# --enable-fuzzing it fails, or with FUZZ_SMOKE_OPTIONAL=1 says so and
# passes.  tests/fuzz/smoke.sh does it all in a fresh clang copy.
if ENABLE_FUZZING
FUZZ_SMOKE_ENABLED = yes
else
FUZZ_SMOKE_ENABLED = no
endif
FUZZ_BINS = $(FUZZ_NAMES:%=tests/fuzz/fuzz_%)

fuzz-smoke:
	@if test '$(FUZZ_SMOKE_ENABLED)' != yes; then \
		if test '$(FUZZ_SMOKE_OPTIONAL)' = 1; then \
			echo "fuzz-smoke: skipped: this tree is not configured with --enable-fuzzing CC=clang (FUZZ_SMOKE_OPTIONAL=1)"; \
			exit 0; \
		fi; \
		echo "fuzz-smoke: this tree is not configured for fuzzing; run ./configure --enable-fuzzing CC=clang (in a separate copy), or tests/fuzz/smoke.sh, or set FUZZ_SMOKE_OPTIONAL=1 to skip" >&2; \
		exit 1; \
	fi; \
	secs='$(FUZZ_SECONDS)'; test -n "$$secs" || secs=20; \
	$(MAKE) $(AM_MAKEFLAGS) $(FUZZ_BINS) && \
	$(SHELL) $(srcdir)/tests/fuzz/run-fuzzers.sh -t "$$secs" -j 2 '$(abs_top_builddir)' $(FUZZ_NAMES)

# just build them (tests/fuzz/smoke.sh, with -j)
if ENABLE_FUZZING
fuzz-bins: $(FUZZ_BINS)
else
fuzz-bins:
	@echo "fuzz-bins: configure with --enable-fuzzing CC=clang first" >&2; exit 1
endif
.PHONY: fuzz-smoke fuzz-bins
