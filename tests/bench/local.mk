# tests/bench/local.mk: stir-bench is built by `make check` (not run);
# run it with `make bench` or tests/bench/run.sh.
check_PROGRAMS += tests/bench/stir-bench
tests_bench_stir_bench_SOURCES = tests/bench/stir-bench.c
tests_bench_stir_bench_CFLAGS = $(AM_CFLAGS) $(GNUTLS_CFLAGS)
tests_bench_stir_bench_LDADD = libstirclient.la $(GNUTLS_LIBS) -lpthread
EXTRA_DIST += tests/bench/run.sh tests/bench/http.sh

bench: stird stirctl stird-http tests/bench/stir-bench
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	$(SHELL) $(srcdir)/tests/bench/run.sh $(BENCH_SECONDS)
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	$(SHELL) $(srcdir)/tests/bench/http.sh $(BENCH_SECONDS)
.PHONY: bench
