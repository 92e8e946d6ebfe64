/* cmd_sign.c: sign and verify from the command line (service socket). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stirctl.h"
#include "cmd_policy.h"

static int
parse_epoch(const char *s, json_int_t *ret)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v <= 0)
		return -1;
	*ret = (json_int_t)v;
	return 0;
}

int
cmd_sign(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "orig", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, 'f' },
		{ "dest", required_argument, NULL, 'd' },
		{ "to", required_argument, NULL, 't' },
		{ "attest", required_argument, NULL, 'a' },
		{ "origid", required_argument, NULL, 'u' },
		{ "iat", required_argument, NULL, 'i' },
		{ "cred", required_argument, NULL, 'c' },
		CTL_RCD_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	json_t *params = json_object(), *dest = json_array(), *res = NULL, *v;
	size_t i;
	const char *orig = NULL;
	int ch, ex = EXIT_USAGE, norig = 0;
	json_int_t iat;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': case 'f':
			orig = optarg;
			norig++;
			break;
		case 'd': case 't':
			(void)json_array_append_new(dest, json_string(optarg));
			break;
		case 'a':
			(void)json_object_set_new(params, "attest", json_string(optarg));
			break;
		case 'u':
			(void)json_object_set_new(params, "origid", json_string(optarg));
			break;
		case 'i':
			if (parse_epoch(optarg, &iat) != 0) {
				ctl_err("--iat takes seconds since the epoch");
				goto out;
			}
			(void)json_object_set_new(params, "iat", json_integer(iat));
			break;
		case 'c':
			(void)json_object_set_new(params, "cred", json_string(optarg));
			break;
		default:
			if (!ctl_rcd_option(ch, optarg, params))
				goto usage;
			break;
		}
	}
	if (optind != argc || norig != 1 || json_array_size(dest) == 0 ||
	    json_object_get(params, "attest") == NULL)
		goto usage;
	(void)json_object_set_new(params, "orig", json_string(orig));
	(void)json_object_set(params, "dest", dest);
	ex = ctl_call(ctl, false, "sign", params, &res);
	params = NULL;
	if (ex != EXIT_OK)
		goto out;
	if (ctl->json)
		ctl_print_json(res);
	else {
		char *h = json_dumps(json_object_get(res, "header"), JSON_COMPACT | JSON_SORT_KEYS);
		char *p = json_dumps(json_object_get(res, "payload"), JSON_COMPACT | JSON_SORT_KEYS);

		printf("# credential: %s\n", json_string_value(json_object_get(res, "cred")));
		if (json_is_string(json_object_get(res, "policy")))
			printf("# RCD policy: %s\n", json_string_value(json_object_get(res, "policy")));
		printf("# header:  %s\n# payload: %s\n", h ? h : "?", p ? p : "?");
		free(h);
		free(p);
		if (json_object_get(res, "rcd_passport") != NULL) {
			json_t *rp = json_object_get(res, "rcd_passport");

			h = json_dumps(json_object_get(rp, "header"), JSON_COMPACT | JSON_SORT_KEYS);
			p = json_dumps(json_object_get(rp, "payload"), JSON_COMPACT | JSON_SORT_KEYS);
			printf("# rcd header:  %s\n# rcd payload: %s\n", h ? h : "?", p ? p : "?");
			free(h);
			free(p);
		}
		/* the Identity header field values are always the last lines */
		json_array_foreach(json_object_get(res, "identities"), i, v)
			printf("%s\n", json_string_value(v));
	}
	json_decref(res);
	goto out;
 usage:
	ex = ctl_usage_of("sign");
 out:
	json_decref(params);
	json_decref(dest);
	return ex;
}

int
cmd_verify(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "identity", required_argument, NULL, 'y' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "pai", required_argument, NULL, 'p' },
		{ "date", required_argument, NULL, 'd' },
		{ "at", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	json_t *params = json_object(), *ids = json_array(), *res = NULL;
	const char *verstat;
	int ch, ex = EXIT_USAGE;
	json_int_t at;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'y':
			(void)json_array_append_new(ids, json_string(optarg));
			break;
		case 'f':
			(void)json_object_set_new(params, "from", json_string(optarg));
			break;
		case 't':
			(void)json_object_set_new(params, "to", json_string(optarg));
			break;
		case 'p':
			(void)json_object_set_new(params, "pai", json_string(optarg));
			break;
		case 'd':
			(void)json_object_set_new(params, "date", json_string(optarg));
			break;
		case 'a':
			if (parse_epoch(optarg, &at) != 0) {
				ctl_err("--at takes seconds since the epoch");
				goto out;
			}
			(void)json_object_set_new(params, "at", json_integer(at));
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || json_object_get(params, "from") == NULL ||
	    json_object_get(params, "to") == NULL)
		goto usage;
	(void)json_object_set(params, "identity", ids);
	ex = ctl_call(ctl, false, "verify", params, &res);
	params = NULL;
	if (ex != EXIT_OK) {
		ex = EXIT_USAGE;	/* no verdict: 2, as for connection errors */
		goto out;
	}
	ctl_print_json(res);
	verstat = json_string_value(json_object_get(res, "verstat"));
	ex = (verstat != NULL && strcmp(verstat, "TN-Validation-Passed") == 0) ?
	    EXIT_OK : EXIT_FAIL;
	json_decref(res);
	goto out;
 usage:
	ex = ctl_usage_of("verify");
 out:
	json_decref(params);
	json_decref(ids);
	return ex;
}
