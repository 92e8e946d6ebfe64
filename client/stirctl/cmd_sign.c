/* cmd_sign.c: sign and verify from the command line (service socket). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "stirctl.h"
#include "cmd_policy.h"

/* A file's bytes as base64 in params[key] (a MESSAGE body); prints the error. */
static int
body_file(const char *path, json_t *params)
{
	char *data, *b64;
	size_t len, n;

	if ((data = ctl_read_file(path, &len)) == NULL)
		return -1;
	n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	if ((b64 = malloc(n)) == NULL) {
		free(data);
		ctl_err("out of memory");
		return -1;
	}
	sodium_bin2base64(b64, n, (const unsigned char *)data, len, sodium_base64_VARIANT_ORIGINAL);
	(void)json_object_set_new(params, "body", json_string(b64));
	free(b64);
	free(data);
	return 0;
}

/* The options sign and verify share for other PASSporT types. */
static int
ext_option(int ch, const char *arg, json_t *params)
{
	switch (ch) {
	case 0x200:
		(void)json_object_set_new(params, "div", json_string(arg));
		return 1;
	case 0x201:
		(void)json_object_set_new(params, "original", json_string(arg));
		return 1;
	case 0x202:
		return body_file(arg, params) == 0 ? 1 : -1;
	case 0x203:
		(void)json_object_set_new(params, "content_type", json_string(arg));
		return 1;
	case 0x204:
		(void)json_object_set_new(params, "request_uri", json_string(arg));
		return 1;
	case 0x205:
		(void)json_object_set_new(params, "history_info", json_string(arg));
		return 1;
	case 0x206:
		(void)json_object_set_new(params, "diversion", json_string(arg));
		return 1;
	case 0x209:
		(void)json_object_set_new(params, "expect_cert", json_string(arg));
		return 1;
	case 0x20a:
		(void)json_object_set_new(params, "connected_dest", json_string(arg));
		return 1;
	case 0x20c:
		(void)json_object_set_new(params, "call_info", json_string(arg));
		return 1;
	case 0x207: case 0x208: case 0x20b:
		if (json_object_get(params, "mode") != NULL) {
			ctl_err("give one of --response, --precall and --backward");
			return -1;
		}
		(void)json_object_set_new(params, "mode", json_string(ch == 0x207 ? "response" :
		    ch == 0x208 ? "precall" : "backward"));
		return 1;
	default:
		return 0;
	}
}

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
		{ "div", required_argument, NULL, 0x200 },
		{ "original", required_argument, NULL, 0x201 },
		{ "body-file", required_argument, NULL, 0x202 },
		{ "content-type", required_argument, NULL, 0x203 },
		{ NULL, 0, NULL, 0 }
	};
	json_t *params = json_object(), *dest = json_array(), *res = NULL, *v;
	const char *ppt;
	int e;
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
			if ((e = ext_option(ch, optarg, params)) < 0)
				goto out;
			if (e == 0 && !ctl_rcd_option(ch, optarg, params))
				goto usage;
			break;
		}
	}
	ppt = json_string_value(json_object_get(params, "ppt"));
	/* shaken needs attest; div and div-o take orig from the original */
	if (optind != argc || json_array_size(dest) == 0 || norig > 1 ||
	    ((ppt == NULL || strcmp(ppt, "shaken") == 0 || strcmp(ppt, "rcd") == 0) &&
	    json_object_get(params, "attest") == NULL) ||
	    (norig == 0 && (ppt == NULL || (strcmp(ppt, "div") != 0 && strcmp(ppt, "div-o") != 0))))
		goto usage;
	if (orig != NULL)
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
		{ "body-file", required_argument, NULL, 0x202 },
		{ "content-type", required_argument, NULL, 0x203 },
		{ "request-uri", required_argument, NULL, 0x204 },
		{ "history-info", required_argument, NULL, 0x205 },
		{ "diversion", required_argument, NULL, 0x206 },
		{ "response", no_argument, NULL, 0x207 },
		{ "precall", no_argument, NULL, 0x208 },
		{ "expect-cert", required_argument, NULL, 0x209 },
		{ "connected-dest", required_argument, NULL, 0x20a },
		{ "backward", no_argument, NULL, 0x20b },
		{ "call-info", required_argument, NULL, 0x20c },
		{ NULL, 0, NULL, 0 }
	};
	json_t *params = json_object(), *ids = json_array(), *res = NULL;
	const char *verstat;
	int ch, ex = EXIT_USAGE, e;
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
			if ((e = ext_option(ch, optarg, params)) < 0)
				goto out;
			if (e == 0)
				goto usage;
			break;
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
