# tests/bench/local.mk: stir-bench is built by `make check` (not run);
# run it with `make bench` or tests/bench/run.sh.
check_PROGRAMS += tests/bench/stir-bench
tests_bench_stir_bench_SOURCES = tests/bench/stir-bench.c
tests_bench_stir_bench_CFLAGS = $(AM_CFLAGS) $(GNUTLS_CFLAGS) $(SODIUM_CFLAGS)
tests_bench_stir_bench_LDADD = libstirclient.la $(GNUTLS_LIBS) $(SODIUM_LIBS) -lpthread
EXTRA_DIST += tests/bench/run.sh tests/bench/http.sh

# libsecsipid's own signing rate, in its process: only for make bench (its
# cgo header is not ours to hold to our warnings)
BENCH_PEERS =
if HAVE_SECSIPID
EXTRA_PROGRAMS = tests/bench/secsipid-sign
tests_bench_secsipid_sign_SOURCES = tests/bench/secsipid-sign.c
tests_bench_secsipid_sign_CFLAGS = -O2
tests_bench_secsipid_sign_LDADD = -lsecsipid
BENCH_PEERS += tests/bench/secsipid-sign
endif
EXTRA_DIST += tests/bench/secsipid-sign.c

bench: stird stirctl stird-http tests/bench/stir-bench $(BENCH_PEERS)
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	$(SHELL) $(srcdir)/tests/bench/run.sh $(BENCH_SECONDS)
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	$(SHELL) $(srcdir)/tests/bench/http.sh $(BENCH_SECONDS)
.PHONY: bench
