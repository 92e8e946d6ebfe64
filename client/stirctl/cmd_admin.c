/* cmd_admin.c: key, cred and trust commands (admin socket). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stirctl.h"

static const struct ctl_col key_cols[] = {
	{ "NAME", "name", CTL_COL_STR }, { "TYPE", "type", CTL_COL_STR },
	{ "SPKI SHA-256", "spki_sha256", CTL_COL_STR }, { NULL, NULL, 0 }
};

/* Print res as JSON, or "<before><res[text_key]><after>" for people. */
static int
print_result(struct ctl *ctl, json_t *res, const char *text_key,
    const char *before, const char *after)
{
	if (ctl->json)
		ctl_print_json(res);
	else if (text_key != NULL) {
		const char *v = json_string_value(json_object_get(res, text_key));

		printf("%s%s%s", before, v != NULL ? v : "", after);
	}
	json_decref(res);
	return EXIT_OK;
}

int
cmd_key_generate(struct ctl *ctl, int argc, char **argv)
{
	json_t *res = NULL;
	int ex;

	if (argc != 2)
		return ctl_usage_of("key generate");
	if ((ex = ctl_call(ctl, true, "key.generate", json_pack("{s:s}", "name", argv[1]),
	    &res)) != EXIT_OK)
		return ex;
	return print_result(ctl, res, "public_key", "", "");
}

static int
key_import(struct ctl *ctl, const char *name, const char *file)
{
	json_t *res = NULL;
	char *pem;
	size_t len;
	int ex;

	if ((pem = ctl_read_file(file, &len)) == NULL)
		return EXIT_USAGE;
	ex = ctl_call(ctl, true, "key.import", json_pack("{s:s, s:s}", "name", name,
	    "pem", pem), &res);
	explicit_bzero(pem, len);
	free(pem);
	if (ex != EXIT_OK)
		return ex;
	return print_result(ctl, res, "name", "imported key '", "'\n");
}

int
cmd_key_import(struct ctl *ctl, int argc, char **argv)
{
	if (argc != 3)
		return ctl_usage_of("key import");
	return key_import(ctl, argv[1], argv[2]);
}

int
cmd_key_list(struct ctl *ctl, int argc, char **argv)
{
	json_t *res = NULL;
	int ex;

	(void)argv;
	if (argc != 1)
		return ctl_usage_of("key list");
	if ((ex = ctl_call(ctl, true, "key.list", NULL, &res)) != EXIT_OK)
		return ex;
	if (ctl->json)
		ctl_print_json(res);
	else
		ctl_print_table(json_object_get(res, "keys"), key_cols);
	json_decref(res);
	return EXIT_OK;
}

int
cmd_key_remove(struct ctl *ctl, int argc, char **argv)
{
	json_t *res = NULL;
	int ex;

	if (argc != 2)
		return ctl_usage_of("key remove");
	if ((ex = ctl_call(ctl, true, "key.remove", json_pack("{s:s}", "name", argv[1]),
	    &res)) != EXIT_OK)
		return ex;
	return print_result(ctl, res, "removed", "removed key '", "'\n");
}

int
cmd_cred_add(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "key-name", required_argument, NULL, 'n' },
		{ "pkcs11", required_argument, NULL, 'p' },
		{ "chain", required_argument, NULL, 'c' },
		{ "x5u", required_argument, NULL, 'x' },
		{ "tn", required_argument, NULL, 't' },
		{ "spc", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const char *keyfile = NULL, *keyname = NULL, *pkcs11 = NULL, *chainf = NULL,
	    *x5u = NULL, *spc = NULL, *name;
	json_t *tns = json_array(), *params = NULL, *res = NULL;
	char *chain = NULL;
	size_t len;
	int ch, ex = EXIT_USAGE;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': keyfile = optarg; break;
		case 'n': keyname = optarg; break;
		case 'p': pkcs11 = optarg; break;
		case 'c': chainf = optarg; break;
		case 'x': x5u = optarg; break;
		case 's': spc = optarg; break;
		case 't': (void)json_array_append_new(tns, json_string(optarg)); break;
		default: goto usage;
		}
	}
	if (optind + 1 != argc || chainf == NULL || x5u == NULL ||
	    (keyfile != NULL) + (keyname != NULL) + (pkcs11 != NULL) != 1)
		goto usage;
	name = argv[optind];
	if ((chain = ctl_read_file(chainf, &len)) == NULL)
		goto out;
	/* --key FILE: the key is imported under the credential's name */
	if (keyfile != NULL) {
		if ((ex = key_import(ctl, name, keyfile)) != EXIT_OK)
			goto out;
		keyname = name;
	}
	params = json_pack("{s:s, s:s, s:s}", "name", name, "chain", chain, "x5u", x5u);
	if (keyname != NULL)
		(void)json_object_set_new(params, "key", json_string(keyname));
	else
		(void)json_object_set_new(params, "pkcs11", json_string(pkcs11));
	if (json_array_size(tns) > 0)
		(void)json_object_set(params, "tns", tns);
	if (spc != NULL)
		(void)json_object_set_new(params, "spc", json_string(spc));
	if ((ex = ctl_call(ctl, true, "cred.add", params, &res)) != EXIT_OK)
		goto out;
	if (ctl->json)
		ctl_print_json(res);
	else {
		char *ta = json_dumps(json_object_get(res, "tnauth"), JSON_COMPACT);

		printf("added credential '%s': %s, TNAuthList %s\n", name,
		    json_string_value(json_object_get(res, "subject")), ta ? ta : "?");
		free(ta);
	}
	json_decref(res);
	goto out;
 usage:
	ex = ctl_usage_of("cred add");
 out:
	free(chain);
	json_decref(tns);
	return ex;
}

int
cmd_cred_list(struct ctl *ctl, int argc, char **argv)
{
	static const struct ctl_col cols[] = {
		{ "NAME", "name", CTL_COL_STR }, { "KEY", "key", CTL_COL_STR },
		{ "NOT AFTER (UTC)", "not_after", CTL_COL_TIME },
		{ "TNAUTHLIST", "tnauth", CTL_COL_JSON }, { "TNS", "tns", CTL_COL_JSON },
		{ "X5U", "x5u", CTL_COL_STR }, { NULL, NULL, 0 }
	};
	json_t *res = NULL;
	int ex;

	(void)argv;
	if (argc != 1)
		return ctl_usage_of("cred list");
	if ((ex = ctl_call(ctl, true, "cred.list", NULL, &res)) != EXIT_OK)
		return ex;
	if (ctl->json)
		ctl_print_json(res);
	else
		ctl_print_table(json_object_get(res, "credentials"), cols);
	json_decref(res);
	return EXIT_OK;
}

int
cmd_cred_remove(struct ctl *ctl, int argc, char **argv)
{
	json_t *res = NULL;
	int ex;

	if (argc != 2)
		return ctl_usage_of("cred remove");
	if ((ex = ctl_call(ctl, true, "cred.remove", json_pack("{s:s}", "name", argv[1]),
	    &res)) != EXIT_OK)
		return ex;
	return print_result(ctl, res, "removed", "removed credential '", "'\n");
}

int
cmd_trust_add(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rcd", no_argument, NULL, 'r' }, { NULL, 0, NULL, 0 }
	};
	static const struct ctl_col cols[] = {
		{ "ID", "id", CTL_COL_INT }, { "SUBJECT", "subject", CTL_COL_STR },
		{ "NOT AFTER (UTC)", "not_after", CTL_COL_TIME }, { NULL, NULL, 0 }
	};
	bool rcd = false;
	int ch, ex = EXIT_OK;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'r')
			return ctl_usage_of("trust add");
		rcd = true;
	}
	if (optind >= argc)
		return ctl_usage_of("trust add");
	for (int i = optind; i < argc && ex == EXIT_OK; i++) {
		json_t *res = NULL;
		char *pem;
		size_t len;

		if ((pem = ctl_read_file(argv[i], &len)) == NULL)
			return EXIT_USAGE;
		ex = ctl_call(ctl, true, "trust.add", json_pack("{s:s, s:b}", "pem", pem,
		    "rcd", rcd), &res);
		free(pem);
		if (ex != EXIT_OK) {
			ctl_err("%s: not added", argv[i]);
			break;
		}
		if (ctl->json)
			ctl_print_json(res);
		else {
			printf("%s:\n", argv[i]);
			if (json_array_size(json_object_get(res, "added")) > 0)
				ctl_print_table(json_object_get(res, "added"), cols);
			if (json_array_size(json_object_get(res, "existing")) > 0) {
				printf("already trusted:\n");
				ctl_print_table(json_object_get(res, "existing"), cols + 1);
			}
		}
		json_decref(res);
	}
	return ex;
}

int
cmd_trust_list(struct ctl *ctl, int argc, char **argv)
{
	static const struct ctl_col cols[] = {
		{ "ID", "id", CTL_COL_INT }, { "SUBJECT", "subject", CTL_COL_STR },
		{ "NOT AFTER (UTC)", "not_after", CTL_COL_TIME }, { "RCD", "rcd", CTL_COL_STR },
		{ "SHA-256", "sha256", CTL_COL_STR }, { NULL, NULL, 0 }
	};
	json_t *res = NULL;
	int ex;

	(void)argv;
	if (argc != 1)
		return ctl_usage_of("trust list");
	if ((ex = ctl_call(ctl, true, "trust.list", NULL, &res)) != EXIT_OK)
		return ex;
	if (ctl->json)
		ctl_print_json(res);
	else
		ctl_print_table(json_object_get(res, "anchors"), cols);
	json_decref(res);
	return EXIT_OK;
}

int
cmd_trust_remove(struct ctl *ctl, int argc, char **argv)
{
	json_t *res = NULL;
	char *end;
	long long id;
	int ex;

	if (argc != 2)
		return ctl_usage_of("trust remove");
	id = strtoll(argv[1], &end, 10);
	if (*argv[1] == '\0' || *end != '\0' || id <= 0) {
		ctl_err("'%s' is not a trust anchor id (see 'stirctl trust list')", argv[1]);
		return EXIT_USAGE;
	}
	if ((ex = ctl_call(ctl, true, "trust.remove", json_pack("{s:I}", "anchor", (json_int_t)id),
	    &res)) != EXIT_OK)
		return ex;
	if (ctl->json)
		ctl_print_json(res);
	else
		printf("removed trust anchor %lld\n", id);
	json_decref(res);
	return EXIT_OK;
}
