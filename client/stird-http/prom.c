/* prom.c: see prom.h. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "stirclient.h"
#include "client/stird-http/prom.h"

#define PROM_MAX_BYTES	(8 * 1024 * 1024)	/* of one exposition */

void
prom_printf(struct prom_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err != 0)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->err = STIR_EINVAL;
			return;
		}
		if (b->s != NULL && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t cap = b->cap ? b->cap * 2 : 4096;
			char *s;

			while (cap < b->len + (size_t)n + 1)
				cap *= 2;
			if (cap > PROM_MAX_BYTES || (s = realloc(b->s, cap)) == NULL) {
				b->err = STIR_ENOMEM;
				return;
			}
			b->s = s;
			b->cap = cap;
		}
	}
}

static bool
name_ok(const char *s, bool colon)
{
	if (s == NULL || *s == '\0' || strlen(s) > 200)
		return false;
	for (const char *p = s; *p != '\0'; p++) {
		bool alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
		    (colon && *p == ':');

		if (!alpha && !(p != s && *p >= '0' && *p <= '9'))
			return false;
	}
	return true;
}

void
prom_label_value(struct prom_buf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\')
			prom_printf(b, "\\\\");
		else if (*v == '"')
			prom_printf(b, "\\\"");
		else if (*v == '\n')
			prom_printf(b, "\\n");
		else
			prom_printf(b, "%c", *v);
	}
}

void
prom_family(struct prom_buf *b, const char *name, const char *type, const char *help)
{
	prom_printf(b, "# HELP %s ", name);
	for (const char *p = help ? help : ""; *p != '\0'; p++) {
		if (*p == '\\')
			prom_printf(b, "\\\\");
		else if (*p == '\n')
			prom_printf(b, "\\n");
		else
			prom_printf(b, "%c", *p);
	}
	prom_printf(b, "\n# TYPE %s %s\n", name, type);
}

/* A number as Prometheus reads it. */
static bool
number(struct prom_buf *b, const json_t *v)
{
	double d;

	if (json_is_integer(v)) {
		prom_printf(b, "%lld", (long long)json_integer_value(v));
		return true;
	}
	if (!json_is_real(v))
		return false;
	d = json_real_value(v);
	if (isnan(d))
		prom_printf(b, "NaN");
	else if (isinf(d))
		prom_printf(b, d > 0 ? "+Inf" : "-Inf");
	else {
		char s[40];

		snprintf(s, sizeof(s), "%.15g", d);
		if (strtod(s, NULL) != d)
			snprintf(s, sizeof(s), "%.17g", d);
		prom_printf(b, "%s", s);
	}
	return true;
}

/* {a="x",b="y"} plus an extra label (le) if given; false if a label is bad. */
static bool
labels_ok(const json_t *labels)
{
	const char *k;
	json_t *v;

	if (labels == NULL)
		return true;
	if (!json_is_object(labels))
		return false;
	json_object_foreach((json_t *)labels, k, v)
		if (!name_ok(k, false) || strcmp(k, "le") == 0 || !json_is_string(v))
			return false;
	return true;
}

static void
labels(struct prom_buf *b, const json_t *labels, const char *le)
{
	const char *k;
	json_t *v;
	bool first = true;

	if (json_object_size(labels) == 0 && le == NULL)
		return;
	prom_printf(b, "{");
	json_object_foreach((json_t *)labels, k, v) {
		prom_printf(b, "%s%s=\"", first ? "" : ",", k);
		prom_label_value(b, json_string_value(v));
		prom_printf(b, "\"");
		first = false;
	}
	if (le != NULL)
		prom_printf(b, "%sle=\"%s\"", first ? "" : ",", le);
	prom_printf(b, "}");
}

static void
sample_plain(struct prom_buf *b, const char *name, const json_t *s)
{
	const json_t *l = json_object_get(s, "labels"), *v = json_object_get(s, "value");

	if (!labels_ok(l) || !(json_is_integer(v) || json_is_real(v)))
		return;
	prom_printf(b, "%s", name);
	labels(b, l, NULL);
	prom_printf(b, " ");
	(void)number(b, v);
	prom_printf(b, "\n");
}

static void
sample_histogram(struct prom_buf *b, const char *name, const json_t *s)
{
	const json_t *l = json_object_get(s, "labels"), *buckets = json_object_get(s, "buckets");
	const json_t *count = json_object_get(s, "count"), *sum = json_object_get(s, "sum"), *bk;
	size_t i;

	if (!labels_ok(l) || !json_is_array(buckets) || !json_is_integer(count) ||
	    !(json_is_integer(sum) || json_is_real(sum)))
		return;
	json_array_foreach(buckets, i, bk) {
		const json_t *le = json_object_get(bk, "le"), *c = json_object_get(bk, "count");
		struct prom_buf lb = { NULL, 0, 0, 0 };

		if (!(json_is_integer(le) || json_is_real(le)) || !json_is_integer(c))
			continue;
		(void)number(&lb, le);
		if (lb.err == 0 && lb.s != NULL) {
			prom_printf(b, "%s_bucket", name);
			labels(b, l, lb.s);
			prom_printf(b, " %lld\n", (long long)json_integer_value(c));
		}
		free(lb.s);
	}
	prom_printf(b, "%s_bucket", name);
	labels(b, l, "+Inf");
	prom_printf(b, " %lld\n%s_sum", (long long)json_integer_value(count), name);
	labels(b, l, NULL);
	prom_printf(b, " ");
	(void)number(b, sum);
	prom_printf(b, "\n%s_count", name);
	labels(b, l, NULL);
	prom_printf(b, " %lld\n", (long long)json_integer_value(count));
}

int
prom_render_stats_json(struct prom_buf *b, const json_t *root)
{
	json_t *fams, *f;
	size_t i;
	int n = 0;

	if (!json_is_array(fams = json_object_get(root, "metrics")))
		return STIR_EPROTO;
	json_array_foreach(fams, i, f) {
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *type = json_string_value(json_object_get(f, "type"));
		const char *help = json_string_value(json_object_get(f, "help"));
		json_t *samples = json_object_get(f, "samples"), *s;
		size_t j;
		bool hist;

		if (!name_ok(name, true) || type == NULL || !json_is_array(samples) ||
		    (strcmp(type, "counter") != 0 && strcmp(type, "gauge") != 0 &&
		    strcmp(type, "histogram") != 0))
			continue;
		hist = strcmp(type, "histogram") == 0;
		prom_family(b, name, type, help);
		json_array_foreach(samples, j, s) {
			if (hist)
				sample_histogram(b, name, s);
			else
				sample_plain(b, name, s);
		}
		n++;
	}
	return b->err != 0 ? b->err : n;
}

int
prom_render_stats(struct prom_buf *b, const char *stats_json)
{
	json_t *root;
	int r;

	if ((root = json_loads(stats_json, 0, NULL)) == NULL)
		return STIR_EPROTO;
	r = prom_render_stats_json(b, root);
	json_decref(root);
	return r;
}
