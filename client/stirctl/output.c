/* output.c: tables for people, JSON for scripts. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stirctl.h"

#define COL_MAX	64	/* widest column before values are cut */

void
ctl_print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS);

	if (s != NULL) {
		puts(s);
		free(s);
	}
}

static void
cell(json_t *row, const struct ctl_col *col, char *buf, size_t len)
{
	json_t *v = json_object_get(row, col->key);

	buf[0] = '\0';
	if (v == NULL || json_is_null(v)) {
		snprintf(buf, len, "-");
		return;
	}
	switch (col->kind) {
	case CTL_COL_INT:
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		break;
	case CTL_COL_TIME: {
		time_t t = (time_t)json_integer_value(v);
		struct tm tm;

		(void)gmtime_r(&t, &tm);
		(void)strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
		break;
	}
	case CTL_COL_JSON: {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		snprintf(buf, len, "%s", s ? s : "?");
		free(s);
		break;
	}
	default:
		if (json_is_boolean(v))
			snprintf(buf, len, "%s", json_is_true(v) ? "yes" : "no");
		else
			snprintf(buf, len, "%s", json_string_value(v) ? json_string_value(v) : "?");
		break;
	}
	/* outside strings: no control characters on the terminal */
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (strlen(buf) > COL_MAX) {
		buf[COL_MAX - 3] = '\0';
		strcat(buf, "...");
	}
}

void
ctl_print_table(json_t *rows, const struct ctl_col *cols)
{
	size_t ncols = 0, w[16] = { 0 }, i;
	char buf[256];
	json_t *row;

	while (cols[ncols].title != NULL && ncols < 16)
		ncols++;
	for (size_t c = 0; c < ncols; c++)
		w[c] = strlen(cols[c].title);
	json_array_foreach(rows, i, row)
		for (size_t c = 0; c < ncols; c++) {
			cell(row, &cols[c], buf, sizeof(buf));
			if (strlen(buf) > w[c])
				w[c] = strlen(buf);
		}
	for (size_t c = 0; c < ncols; c++)
		printf("%-*s%s", (int)w[c], cols[c].title, c + 1 < ncols ? "  " : "\n");
	json_array_foreach(rows, i, row)
		for (size_t c = 0; c < ncols; c++) {
			cell(row, &cols[c], buf, sizeof(buf));
			printf("%-*s%s", (int)w[c], buf, c + 1 < ncols ? "  " : "\n");
		}
	if (json_array_size(rows) == 0)
		printf("(none)\n");
}
