/* cmd_stats.c: stirctl stats: the daemon's metrics as tables. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stirctl.h"
#include "client/stirctl/cmd_stats.h"

/* "k=v,k=v" of a sample's labels, or "-". */
static json_t *
labels_text(const json_t *labels)
{
	const char *k;
	json_t *v;
	char *s = NULL;
	size_t len = 0;
	FILE *f;

	if (json_object_size(labels) == 0)
		return json_string("-");
	if ((f = open_memstream(&s, &len)) == NULL)
		return NULL;
	json_object_foreach((json_t *)labels, k, v)
		fprintf(f, "%s%s=%s", ftell(f) > 0 ? "," : "", k,
		    json_is_string(v) ? json_string_value(v) : "?");
	fclose(f);
	v = json_string(s);
	free(s);
	return v;
}

static json_t *
number_text(const json_t *v)
{
	if (json_is_integer(v))
		return json_sprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return json_sprintf("%.6g", json_real_value(v));
	return json_string("?");
}

/* A latency for people: "1.25ms", ">10s", or "-". */
static json_t *
seconds_text(int r, double s)
{
	const char *unit = "s";

	if (r < 0)
		return json_string("-");
	if (s < 1e-3) {
		s *= 1e6;
		unit = "us";
	} else if (s < 1) {
		s *= 1e3;
		unit = "ms";
	}
	return json_sprintf("%s%.3g%s", r > 0 ? ">" : "", s, unit);
}

static void
add_hist_row(json_t *rows, const char *name, const json_t *sm)
{
	json_int_t n = json_integer_value(json_object_get(sm, "count"));
	double sum = json_number_value(json_object_get(sm, "sum")), x = 0;
	json_t *row = json_object();
	int r;

	if (row == NULL)
		return;
	(void)json_object_set_new(row, "metric", json_string(name));
	(void)json_object_set_new(row, "labels", labels_text(json_object_get(sm, "labels")));
	(void)json_object_set_new(row, "count", json_integer(n));
	r = ctl_hist_quantile(sm, 0.50, &x);
	(void)json_object_set_new(row, "p50", seconds_text(r, x));
	r = ctl_hist_quantile(sm, 0.90, &x);
	(void)json_object_set_new(row, "p90", seconds_text(r, x));
	r = ctl_hist_quantile(sm, 0.99, &x);
	(void)json_object_set_new(row, "p99", seconds_text(r, x));
	(void)json_object_set_new(row, "mean", seconds_text(n > 0 ? 0 : -1,
	    n > 0 ? sum / (double)n : 0));
	(void)json_array_append_new(rows, row);
}

/* Counters and gauges in one table, histograms in another. */
static void
print_tables(const json_t *res)
{
	static const struct ctl_col cols[] = {
		{ "METRIC", "metric", CTL_COL_STR }, { "LABELS", "labels", CTL_COL_STR },
		{ "VALUE", "value", CTL_COL_STR }, { NULL, NULL, 0 }
	};
	static const struct ctl_col hcols[] = {
		{ "HISTOGRAM", "metric", CTL_COL_STR }, { "LABELS", "labels", CTL_COL_STR },
		{ "COUNT", "count", CTL_COL_INT }, { "P50", "p50", CTL_COL_STR },
		{ "P90", "p90", CTL_COL_STR }, { "P99", "p99", CTL_COL_STR },
		{ "MEAN", "mean", CTL_COL_STR }, { NULL, NULL, 0 }
	};
	json_t *rows = json_array(), *hrows = json_array(), *fam, *sm;
	size_t i, j;

	if (rows == NULL || hrows == NULL)
		goto out;
	json_array_foreach(json_object_get(res, "metrics"), i, fam) {
		const char *name = json_string_value(json_object_get(fam, "name"));
		const char *type = json_string_value(json_object_get(fam, "type"));

		if (name == NULL || type == NULL)
			continue;
		json_array_foreach(json_object_get(fam, "samples"), j, sm) {
			if (strcmp(type, "histogram") == 0) {
				add_hist_row(hrows, name, sm);
				continue;
			}
			(void)json_array_append_new(rows, json_pack("{s:s, s:o, s:o}", "metric",
			    name, "labels", labels_text(json_object_get(sm, "labels")), "value",
			    number_text(json_object_get(sm, "value"))));
		}
	}
	printf("up %llds\n", (long long)json_integer_value(json_object_get(res, "uptime")));
	ctl_print_table(rows, cols);
	printf("\n");
	ctl_print_table(hrows, hcols);
 out:
	json_decref(rows);
	json_decref(hrows);
}

int
cmd_stats(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "admin", no_argument, NULL, 'a' }, { NULL, 0, NULL, 0 }
	};
	json_t *res = NULL;
	bool admin = false;
	int ch, ex;

	while ((ch = getopt_long(argc, argv, "a", opts, NULL)) != -1) {
		if (ch != 'a')
			return ctl_usage_of("stats");
		admin = true;
	}
	if (optind != argc)
		return ctl_usage_of("stats");
	if ((ex = ctl_call(ctl, admin, "stats", NULL, &res)) != EXIT_OK)
		return ex;
	if (ctl->json)
		ctl_print_json(res);
	else
		print_tables(res);
	json_decref(res);
	return EXIT_OK;
}
