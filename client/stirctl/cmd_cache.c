/* cmd_cache.c: cache list, show, purge, prefetch (admin socket). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stirctl.h"
#include "cmd_cache.h"

static const struct ctl_col cache_cols[] = {
	{ "STATUS", "status", CTL_COL_STR }, { "KIND", "kind", CTL_COL_STR },
	{ "BYTES", "bytes", CTL_COL_INT },
	{ "FETCHED (UTC)", "fetched_at", CTL_COL_TIME },
	{ "EXPIRES (UTC)", "expires", CTL_COL_TIME }, { "URL", "url", CTL_COL_STR },
	{ NULL, NULL, 0 }
};

/* Outside text on the terminal: no control characters but newlines. */
static void
put_text(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		putchar(((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') ||
		    *s == 0x7f ? '?' : *s);
}

static void
put_time(const char *label, json_t *v)
{
	time_t t = (time_t)json_integer_value(v);
	struct tm tm;
	char buf[64];

	(void)gmtime_r(&t, &tm);
	(void)strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
	printf("%-11s %s\n", label, buf);
}

/* One entry for people: the fields, then the PEM if there is one. */
static void
print_entry(json_t *e)
{
	const char *pem = json_string_value(json_object_get(e, "pem"));
	const char *detail = json_string_value(json_object_get(e, "detail"));

	printf("%-11s ", "url:");
	put_text(json_string_value(json_object_get(e, "url")));
	printf("\n%-11s ", "status:");
	put_text(json_string_value(json_object_get(e, "status")));
	putchar('\n');
	if (detail != NULL) {
		printf("%-11s ", "detail:");
		put_text(detail);
		putchar('\n');
	}
	printf("%-11s ", "kind:");
	put_text(json_string_value(json_object_get(e, "kind")));
	putchar('\n');
	printf("%-11s %lld\n", "bytes:", (long long)json_integer_value(json_object_get(e, "bytes")));
	put_time("fetched:", json_object_get(e, "fetched_at"));
	put_time("expires:", json_object_get(e, "expires"));
	if (pem != NULL) {
		putchar('\n');
		put_text(pem);
		if (pem[0] != '\0' && pem[strlen(pem) - 1] != '\n')
			putchar('\n');
	}
}

int
cmd_cache_list(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'n' }, { NULL, 0, NULL, 0 }
	};
	json_t *params = json_object(), *res = NULL;
	int ch, ex;

	while ((ch = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		char *end;
		long v;

		if (ch != 'n')
			goto usage;
		v = strtol(optarg, &end, 10);
		if (*optarg == '\0' || *end != '\0' || v < 1 || v > 10000) {
			ctl_err("--limit takes a number from 1 to 10000");
			json_decref(params);
			return EXIT_USAGE;
		}
		(void)json_object_set_new(params, "limit", json_integer(v));
	}
	if (optind != argc)
		goto usage;
	if ((ex = ctl_call(ctl, true, "cache.list", params, &res)) != EXIT_OK)
		return ex;
	if (ctl->json)
		ctl_print_json(res);
	else
		ctl_print_table(json_object_get(res, "entries"), cache_cols);
	json_decref(res);
	return EXIT_OK;
 usage:
	json_decref(params);
	return ctl_usage_of("cache list");
}

int
cmd_cache_show(struct ctl *ctl, int argc, char **argv)
{
	json_t *res = NULL;
	int ex;

	if (argc != 2)
		return ctl_usage_of("cache show");
	if ((ex = ctl_call(ctl, true, "cache.show", json_pack("{s:s}", "url", argv[1]),
	    &res)) != EXIT_OK)
		return ex;
	if (ctl->json)
		ctl_print_json(res);
	else
		print_entry(res);
	json_decref(res);
	return EXIT_OK;
}

int
cmd_cache_purge(struct ctl *ctl, int argc, char **argv)
{
	json_t *res = NULL;
	json_int_t n;
	int ex;

	if (argc > 2)
		return ctl_usage_of("cache purge");
	if ((ex = ctl_call(ctl, true, "cache.purge", argc == 2 ?
	    json_pack("{s:s}", "url", argv[1]) : NULL, &res)) != EXIT_OK)
		return ex;
	n = json_integer_value(json_object_get(res, "purged"));
	if (ctl->json)
		ctl_print_json(res);
	else
		printf("purged %lld entr%s\n", (long long)n, n == 1 ? "y" : "ies");
	json_decref(res);
	return EXIT_OK;
}

int
cmd_cache_prefetch(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' }, { NULL, 0, NULL, 0 }
	};
	json_t *params, *res = NULL;
	const char *kind = NULL;
	int ch, ex;

	while ((ch = getopt_long(argc, argv, "k:", opts, NULL)) != -1) {
		if (ch != 'k')
			return ctl_usage_of("cache prefetch");
		kind = optarg;
	}
	if (optind != argc - 1)
		return ctl_usage_of("cache prefetch");
	if ((params = json_pack("{s:s}", "url", argv[optind])) == NULL ||
	    (kind != NULL && json_object_set_new(params, "kind", json_string(kind)) != 0)) {
		json_decref(params);
		ctl_err("out of memory");
		return EXIT_FAIL;
	}
	if ((ex = ctl_call(ctl, true, "cache.prefetch", params, &res)) != EXIT_OK)
		return ex;
	if (ctl->json)
		ctl_print_json(res);
	else
		print_entry(res);
	json_decref(res);
	return EXIT_OK;
}
