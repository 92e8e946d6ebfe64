/* cmd_policy.c: policy add, check, list, show, remove, test (admin socket). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stirctl.h"
#include "cmd_policy.h"

static const struct ctl_col policy_cols[] = {
	{ "NAME", "name", CTL_COL_STR }, { "ATTACH", "attach", CTL_COL_STR },
	{ "MATCH", "match", CTL_COL_JSON }, { "RCD", "rcd", CTL_COL_JSON },
	{ "UPDATED (UTC)", "updated", CTL_COL_TIME }, { NULL, NULL, 0 }
};

int
ctl_rcd_option(int ch, const char *arg, json_t *params)
{
	static const char *const members[] = { "nam", "apn", "icn", "jcl" };
	json_t *rcd = json_object_get(params, "rcd");

	switch (ch) {
	case 0x100:
		if (rcd == NULL)
			(void)json_object_set_new(params, "rcd", json_true());
		return 1;
	case 0x101: case 0x102: case 0x103: case 0x104:
		if (!json_is_object(rcd)) {
			rcd = json_object();
			(void)json_object_set_new(params, "rcd", rcd);
		}
		(void)json_object_set_new(rcd, members[ch - 0x101], json_string(arg));
		return 1;
	case 0x105:
		(void)json_object_set_new(params, "crn", json_string(arg));
		return 1;
	case 0x106:
		(void)json_object_set_new(params, "ppt", json_string(arg));
		return 1;
	default:
		return 0;
	}
}

/* A policy file as the "policy" member of params; prints the error. */
static int
load_policy(const char *path, json_t *params)
{
	json_error_t je;
	json_t *doc;
	char *text;
	size_t len;

	if ((text = ctl_read_file(path, &len)) == NULL)
		return -1;
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	free(text);
	if (doc == NULL) {
		ctl_err("%s:%d:%d: %s", path, je.line, je.column, je.text);
		return -1;
	}
	if (!json_is_object(doc)) {
		ctl_err("%s: a policy is a JSON object", path);
		json_decref(doc);
		return -1;
	}
	(void)json_object_set_new(params, "policy", doc);
	return 0;
}

static void
print_content(json_t *content)
{
	json_t *e;
	size_t i;

	json_array_foreach(content, i, e)
		printf("  %-6s %-22s %7lld  %s\n  %6s %s\n",
		    json_string_value(json_object_get(e, "kind")),
		    json_string_value(json_object_get(e, "type")),
		    (long long)json_integer_value(json_object_get(e, "size")),
		    json_string_value(json_object_get(e, "url")), "",
		    json_string_value(json_object_get(e, "digest")));
}

static int
add_or_check(struct ctl *ctl, int argc, char **argv, bool add)
{
	static const struct option opts[] = {
		{ "replace", no_argument, NULL, 'r' }, { NULL, 0, NULL, 0 }
	};
	json_t *params = json_object(), *res = NULL;
	int ch, ex = EXIT_USAGE;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'r' || !add)
			goto usage;
		(void)json_object_set_new(params, "replace", json_true());
	}
	if (optind + 1 != argc)
		goto usage;
	if (load_policy(argv[optind], params) != 0)
		goto out;
	ex = ctl_call(ctl, true, add ? "policy.add" : "policy.check", params, &res);
	params = NULL;
	if (ex != EXIT_OK)
		goto out;
	if (ctl->json)
		ctl_print_json(res);
	else {
		printf("%s: RCD policy '%s' %s\n", argv[optind],
		    json_string_value(json_object_get(res, "name")), !add ? "is valid" :
		    json_is_true(json_object_get(res, "replaced")) ? "replaced" : "added");
		if (json_array_size(json_object_get(res, "content")) > 0) {
			printf("content (rcdi digests):\n");
			print_content(json_object_get(res, "content"));
		}
	}
	json_decref(res);
	goto out;
 usage:
	ex = ctl_usage_of(add ? "policy add" : "policy check");
 out:
	json_decref(params);
	return ex;
}

int
cmd_policy_add(struct ctl *ctl, int argc, char **argv)
{
	return add_or_check(ctl, argc, argv, true);
}

int
cmd_policy_check(struct ctl *ctl, int argc, char **argv)
{
	return add_or_check(ctl, argc, argv, false);
}

int
cmd_policy_list(struct ctl *ctl, int argc, char **argv)
{
	json_t *res = NULL;
	int ex;

	(void)argv;
	if (argc != 1)
		return ctl_usage_of("policy list");
	if ((ex = ctl_call(ctl, true, "policy.list", json_object(), &res)) != EXIT_OK)
		return ex;
	if (ctl->json)
		ctl_print_json(res);
	else
		ctl_print_table(json_object_get(res, "policies"), policy_cols);
	json_decref(res);
	return EXIT_OK;
}

static int
by_name(struct ctl *ctl, int argc, char **argv, const char *cmd, const char *op,
    json_t **ret)
{
	if (argc != 2)
		return ctl_usage_of(cmd);
	return ctl_call(ctl, true, op, json_pack("{s:s}", "name", argv[1]), ret);
}

int
cmd_policy_show(struct ctl *ctl, int argc, char **argv)
{
	json_t *res = NULL;
	int ex;

	if ((ex = by_name(ctl, argc, argv, "policy show", "policy.show", &res)) != EXIT_OK)
		return ex;
	if (ctl->json)
		ctl_print_json(res);
	else {
		char *doc = json_dumps(json_object_get(res, "document"), JSON_INDENT(2));

		printf("%s\n", doc != NULL ? doc : "?");
		free(doc);
		if (json_array_size(json_object_get(res, "content")) > 0) {
			printf("content (rcdi digests):\n");
			print_content(json_object_get(res, "content"));
		}
	}
	json_decref(res);
	return EXIT_OK;
}

int
cmd_policy_remove(struct ctl *ctl, int argc, char **argv)
{
	json_t *res = NULL;
	int ex;

	if ((ex = by_name(ctl, argc, argv, "policy remove", "policy.remove", &res)) != EXIT_OK)
		return ex;
	if (ctl->json)
		ctl_print_json(res);
	else
		printf("removed RCD policy '%s'\n", argv[1]);
	json_decref(res);
	return EXIT_OK;
}

int
cmd_policy_test(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "orig", required_argument, NULL, 'o' },
		{ "cred", required_argument, NULL, 'c' },
		CTL_RCD_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	json_t *params = json_object(), *res = NULL;
	int ch, ex = EXIT_USAGE;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'o')
			(void)json_object_set_new(params, "orig", json_string(optarg));
		else if (ch == 'c')
			(void)json_object_set_new(params, "cred", json_string(optarg));
		else if (!ctl_rcd_option(ch, optarg, params))
			goto usage;
	}
	if (optind != argc || json_object_get(params, "orig") == NULL)
		goto usage;
	ex = ctl_call(ctl, true, "policy.test", params, &res);
	params = NULL;
	if (ex != EXIT_OK)
		goto out;
	if (ctl->json)
		ctl_print_json(res);
	else {
		char *claims = json_dumps(json_object_get(res, "claims"), JSON_INDENT(2));
		char *ppt = json_dumps(json_object_get(res, "ppt"), JSON_COMPACT);

		printf("credential:  %s\npolicy:      %s\nattach:      %s\nPASSporTs:   %s\n"
		    "constraints: %s\nclaims:      %s\n",
		    json_string_value(json_object_get(res, "cred")),
		    json_is_string(json_object_get(res, "policy")) ?
		    json_string_value(json_object_get(res, "policy")) : "(none)",
		    json_string_value(json_object_get(res, "attach")), ppt ? ppt : "?",
		    json_string_value(json_object_get(res, "constraints")),
		    claims != NULL ? claims : "(none)");
		free(claims);
		free(ppt);
	}
	json_decref(res);
	goto out;
 usage:
	ex = ctl_usage_of("policy test");
 out:
	json_decref(params);
	return ex;
}
