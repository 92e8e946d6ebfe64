# daemon/metrics.mk: the daemon's metrics, op stats and stirctl stats
libstircore_la_SOURCES += daemon/metrics.c daemon/metrics.h daemon/op_stats.c
stirctl_SOURCES += client/stirctl/cmd_stats.c client/stirctl/cmd_stats.h \
	client/stirctl/hist.c

if HAVE_CHECK
# histogram bucketing, label capping, the JSON families' shape
check_PROGRAMS += tests/unit/test_metrics
TESTS += tests/unit/test_metrics
tests_unit_test_metrics_SOURCES = tests/unit/test_metrics.c $(UNIT_UTIL) \
	client/stirctl/hist.c
tests_unit_test_metrics_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_metrics_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)

# op stats against the real daemon: counts after known signs and verifies
check_PROGRAMS += tests/integration/test_stats
TESTS += tests/integration/test_stats
tests_integration_test_stats_SOURCES = tests/integration/test_stats.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_stats_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_stats_LDADD = libstirclient.la $(TEST_LIBS)
endif
