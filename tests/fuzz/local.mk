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

FUZZ_NAMES = request linebuf tnauth chain config ident b64url

EXTRA_DIST += tests/fuzz/corpus tests/fuzz/run-fuzzers.sh \
	tests/fuzz/request.dict tests/fuzz/config.dict tests/fuzz/ident.dict

# ---- make check: replay through a plain build ----
FUZZ_REPLAY_PROGS = \
	tests/fuzz/replay_request tests/fuzz/replay_linebuf \
	tests/fuzz/replay_tnauth tests/fuzz/replay_chain \
	tests/fuzz/replay_config tests/fuzz/replay_ident \
	tests/fuzz/replay_b64url

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

# ---- --enable-fuzzing: libFuzzer binaries ----
if ENABLE_FUZZING
noinst_PROGRAMS += \
	tests/fuzz/fuzz_request tests/fuzz/fuzz_linebuf \
	tests/fuzz/fuzz_tnauth tests/fuzz/fuzz_chain \
	tests/fuzz/fuzz_config tests/fuzz/fuzz_ident \
	tests/fuzz/fuzz_b64url
endif

FUZZ_BIN_CFLAGS = $(TEST_CFLAGS) $(FUZZ_CFLAGS) \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -g
FUZZ_BIN_LINKFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer,address,undefined
FUZZ_BIN_LIBS = libstircore.la

# the wire codec
FUZZ_PROTO_SRC = client/libstirclient/proto.c client/libstirclient/error.c

tests_fuzz_fuzz_request_SOURCES = tests/fuzz/fuzz_request.c tests/fuzz/fuzz.h \
	$(FUZZ_PROTO_SRC) daemon/tn.c daemon/passport.c daemon/log.c
tests_fuzz_fuzz_request_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_request_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_request_LDADD = $(FUZZ_BIN_LIBS) $(JANSSON_LIBS)

tests_fuzz_fuzz_linebuf_SOURCES = tests/fuzz/fuzz_linebuf.c tests/fuzz/fuzz.h \
	$(FUZZ_PROTO_SRC)
tests_fuzz_fuzz_linebuf_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_linebuf_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_linebuf_LDADD = $(FUZZ_BIN_LIBS)

tests_fuzz_fuzz_tnauth_SOURCES = tests/fuzz/fuzz_tnauth.c tests/fuzz/fuzz.h \
	daemon/cert.c daemon/tn.c
tests_fuzz_fuzz_tnauth_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_tnauth_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_tnauth_LDADD = $(FUZZ_BIN_LIBS)

tests_fuzz_fuzz_chain_SOURCES = tests/fuzz/fuzz_chain.c tests/fuzz/fuzz.h \
	daemon/cert.c daemon/tn.c
tests_fuzz_fuzz_chain_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_chain_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_chain_LDADD = $(FUZZ_BIN_LIBS) $(GNUTLS_LIBS) $(SODIUM_LIBS)

tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c tests/fuzz/fuzz.h \
	daemon/conf.c daemon/log.c
tests_fuzz_fuzz_config_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_config_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_config_LDADD = $(FUZZ_BIN_LIBS)

tests_fuzz_fuzz_ident_SOURCES = tests/fuzz/fuzz_ident.c tests/fuzz/fuzz.h \
	daemon/tn.c daemon/creds.c
tests_fuzz_fuzz_ident_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_ident_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_ident_LDADD = $(FUZZ_BIN_LIBS)

tests_fuzz_fuzz_b64url_SOURCES = tests/fuzz/fuzz_b64url.c tests/fuzz/fuzz.h \
	daemon/passport.c
tests_fuzz_fuzz_b64url_CFLAGS = $(FUZZ_BIN_CFLAGS)
tests_fuzz_fuzz_b64url_LDFLAGS = $(FUZZ_BIN_LINKFLAGS)
tests_fuzz_fuzz_b64url_LDADD = $(FUZZ_BIN_LIBS)
