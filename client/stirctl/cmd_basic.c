/* cmd_basic.c: status, ping, hello, reload, audit. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stirctl.h"

static int
no_args(int argc, const char *name)
{
	if (argc != 1)
		return ctl_usage_of(name);
	return EXIT_OK;
}

int
cmd_status(struct ctl *ctl, int argc, char **argv)
{
	json_t *res = NULL, *w;
	size_t i;
	int ex;

	(void)argv;
	if ((ex = no_args(argc, "status")) != EXIT_OK ||
	    (ex = ctl_call(ctl, true, "status", NULL, &res)) != EXIT_OK)
		return ex;
	if (ctl->json)
		ctl_print_json(res);
	else {
		json_t *st = json_object_get(res, "store");

		printf("stird %s, pid %lld, up %llds, schema %lld\n",
		    json_string_value(json_object_get(res, "version")),
		    (long long)json_integer_value(json_object_get(res, "pid")),
		    (long long)json_integer_value(json_object_get(res, "uptime")),
		    (long long)json_integer_value(json_object_get(res, "schema_version")));
		printf("keys %lld, credentials %lld, trust anchors %lld, cached certificates %lld, RCD policies %lld\n",
		    (long long)json_integer_value(json_object_get(st, "keys")),
		    (long long)json_integer_value(json_object_get(st, "credentials")),
		    (long long)json_integer_value(json_object_get(st, "trust_anchors")),
		    (long long)json_integer_value(json_object_get(st, "cached_certs")),
		    (long long)json_integer_value(json_object_get(st, "rcd_policies")));
		printf("state digest %s\n", json_string_value(json_object_get(res, "state_digest")));
		{
			json_t *f = json_object_get(res, "fetch");

			printf("x5u/CRL fetches: %lld active, %lld queued, %lld hosts; since start %lld expired in the queue, %lld refused\n",
			    (long long)json_integer_value(json_object_get(f, "active")),
			    (long long)json_integer_value(json_object_get(f, "queued")),
			    (long long)json_integer_value(json_object_get(f, "hosts")),
			    (long long)json_integer_value(json_object_get(f, "expired")),
			    (long long)json_integer_value(json_object_get(f, "refused")));
		}
		if ((w = json_object_get(res, "fleet")) != NULL) {
			const char *server = json_string_value(json_object_get(w, "server"));

			printf("fleet: redis %s%s%s%s, replay window %s, certificate cache %s\n",
			    json_string_value(json_object_get(w, "redis")),
			    server != NULL && server[0] ? " (" : "", server != NULL ? server : "",
			    server != NULL && server[0] ? ")" : "",
			    json_is_true(json_object_get(w, "replay_shared")) ? "shared" : "local",
			    json_is_true(json_object_get(w, "cache_shared")) ? "shared" : "local");
		}
		json_array_foreach(json_object_get(res, "warnings"), i, w)
			printf("warning: %s\n", json_string_value(w));
	}
	json_decref(res);
	return EXIT_OK;
}

int
cmd_ping(struct ctl *ctl, int argc, char **argv)
{
	json_t *res = NULL;
	int ex;

	(void)argv;
	if ((ex = no_args(argc, "ping")) != EXIT_OK ||
	    (ex = ctl_call(ctl, false, "ping", NULL, &res)) != EXIT_OK)
		return ex;
	if (ctl->json)
		ctl_print_json(res);
	else
		printf("pong\n");
	json_decref(res);
	return EXIT_OK;
}

int
cmd_hello(struct ctl *ctl, int argc, char **argv)
{
	json_t *res = NULL;
	int ex;

	(void)argv;
	if ((ex = no_args(argc, "hello")) != EXIT_OK ||
	    (ex = ctl_call(ctl, false, "hello", NULL, &res)) != EXIT_OK)
		return ex;
	ctl_print_json(res);
	json_decref(res);
	return EXIT_OK;
}

int
cmd_reload(struct ctl *ctl, int argc, char **argv)
{
	json_t *res = NULL;
	int ex;

	(void)argv;
	if ((ex = no_args(argc, "reload")) != EXIT_OK ||
	    (ex = ctl_call(ctl, true, "reload", NULL, &res)) != EXIT_OK)
		return ex;
	if (ctl->json)
		ctl_print_json(res);
	else
		printf("reloading; see the daemon's log for the outcome\n");
	json_decref(res);
	return EXIT_OK;
}

int
cmd_audit(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'n' }, { NULL, 0, NULL, 0 }
	};
	static const struct ctl_col cols[] = {
		{ "ID", "id", CTL_COL_INT }, { "WHEN (UTC)", "ts", CTL_COL_TIME },
		{ "UID", "uid", CTL_COL_INT }, { "PID", "pid", CTL_COL_INT },
		{ "OP", "op", CTL_COL_STR }, { "SUBJECT", "subject", CTL_COL_STR },
		{ "RESULT", "result", CTL_COL_STR }, { NULL, NULL, 0 }
	};
	json_t *params = json_object(), *res = NULL;
	int ch, ex;

	while ((ch = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		if (ch != 'n') {
			json_decref(params);
			return ctl_usage_of("audit");
		}
		(void)json_object_set_new(params, "limit", json_integer(atoi(optarg)));
	}
	if (optind != argc) {
		json_decref(params);
		return ctl_usage_of("audit");
	}
	if ((ex = ctl_call(ctl, true, "audit.list", params, &res)) != EXIT_OK)
		return ex;
	if (ctl->json)
		ctl_print_json(res);
	else
		ctl_print_table(json_object_get(res, "entries"), cols);
	json_decref(res);
	return EXIT_OK;
}
