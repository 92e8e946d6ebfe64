/* stirctl: administer stird and sign or verify by hand. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/base/conf.h"
#include "stirctl.h"
#include "cmd_cache.h"
#include "cmd_policy.h"
#include "cmd_state.h"
#include "cmd_stats.h"

#define DEFAULT_CONFIG	STIR_SYSCONFDIR "/stird/stird.conf"

const struct ctl_cmd ctl_cmds[] = {
	{ "status", cmd_status, "", "daemon state, store counts, expiring credentials" },
	{ "ping", cmd_ping, "", "check that stird answers on the service socket" },
	{ "hello", cmd_hello, "", "protocol versions, ops and limits of the service socket" },
	{ "stats", cmd_stats, "[--admin]", "counters, gauges and latency histograms (service socket; --admin: the admin socket)" },
	{ "reload", cmd_reload, "", "re-read config, keys and credentials (as SIGHUP)" },
	{ "audit", cmd_audit, "[--limit N]", "the newest admin changes" },
	{ "key generate", cmd_key_generate, "NAME", "make a new EC P-256 key; prints its public key" },
	{ "key import", cmd_key_import, "NAME FILE", "store a PEM private key (PKCS#8 or SEC1)" },
	{ "key list", cmd_key_list, "", "keys in the key store" },
	{ "key remove", cmd_key_remove, "NAME", "delete a key no credential uses" },
	{ "cred add", cmd_cred_add, "NAME (--key FILE | --key-name NAME | --pkcs11 URL) --chain FILE --x5u URL [--tn SPEC]... [--spc SPC]",
	    "add a signing credential" },
	{ "cred list", cmd_cred_list, "", "signing credentials" },
	{ "cred remove", cmd_cred_remove, "NAME", "remove a signing credential" },
	{ "cache list", cmd_cache_list, "[--limit N]", "fetched x5u chains, CRLs and RCD content, most recently used first" },
	{ "cache show", cmd_cache_show, "URL", "one cached entry, with its PEM" },
	{ "cache purge", cmd_cache_purge, "[URL]", "drop one cached URL, or all" },
	{ "cache prefetch", cmd_cache_prefetch, "[--kind KIND] URL", "fetch URL now into the cache" },
	{ "trust add", cmd_trust_add, "FILE... [--rcd]", "add trust anchors (CA certificates, PEM)" },
	{ "trust list", cmd_trust_list, "", "trust anchors" },
	{ "trust remove", cmd_trust_remove, "ID", "remove a trust anchor" },
	{ "policy add", cmd_policy_add, "FILE [--replace]", "add an RCD policy; fetches and digests its content" },
	{ "policy check", cmd_policy_check, "FILE", "validate an RCD policy and its content without storing it" },
	{ "policy list", cmd_policy_list, "", "RCD policies" },
	{ "policy show", cmd_policy_show, "NAME", "one RCD policy with its content digests" },
	{ "policy remove", cmd_policy_remove, "NAME", "remove an RCD policy" },
	{ "export", cmd_export, "DIR", "write the declared state (anchors, credentials, policies, settings) as files to DIR" },
	{ "apply", cmd_apply, "DIR [--dry-run] [--json]", "make the state match DIR in one audited transaction; prints the changes" },
	{ "policy test", cmd_policy_test, "--orig TN [--cred NAME] [--rcd | --nam T --apn TN --icn URL --jcl URL] [--crn T] [--ppt rcd]",
	    "what a call from TN would carry (dry run)" },
	{ "sign", cmd_sign, "(--orig TN | --from URI) (--dest TN... | --to URI) --attest A|B|C [--origid UUID] [--iat EPOCH] [--cred NAME]\n"
	    "                [--rcd | --nam T --apn TN --icn URL --jcl URL] [--crn T] [--ppt rcd]\n"
	    "       sign --ppt div|div-o --original IDENTITY --dest TN... [--div TN] [--cred NAME]\n"
	    "       sign --ppt msg --orig TN --dest TN... [--body-file F [--content-type T]]\n"
	    "       sign --ppt rsp --orig TN --dest TN",
	    "sign a call; the Identity header values are the last lines, in order" },
	{ "verify", cmd_verify, "--identity VALUE... --from URI --to URI [--pai URI] [--date HTTP-DATE] [--at EPOCH]\n"
	    "                [--request-uri URI] [--history-info V] [--diversion V] [--body-file F [--content-type T]]\n"
	    "                [--response | --precall | --backward [--connected-dest TN]] [--expect-cert SHA256]"
	    " [--call-info VALUE]",
	    "verify Identity header values; exit 0 only for TN-Validation-Passed" },
	{ NULL, NULL, NULL, NULL }
};

void
ctl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("stirctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: stirctl [-c CONFIG] [--socket PATH] [--admin-socket PATH] [--json]\n"
	    "               [--timeout MS] COMMAND [ARGS]\n\ncommands:\n");
	for (const struct ctl_cmd *c = ctl_cmds; c->name != NULL; c++)
		fprintf(f, "  %s %s\n      %s\n", c->name, c->args, c->help);
	fprintf(f, "\nDefault CONFIG: %s.  Exit status: 0 success, 1 refused or not\n"
	    "verified, 2 usage or connection error.\n", DEFAULT_CONFIG);
}

int
ctl_usage_of(const char *name)
{
	for (const struct ctl_cmd *c = ctl_cmds; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			fprintf(stderr, "usage: stirctl %s %s\n", c->name, c->args);
	return EXIT_USAGE;
}

int
ctl_connect(struct ctl *ctl, bool admin, struct stir_client **ret)
{
	const char *path = admin ? ctl->admin_socket : ctl->socket;
	int r = stir_client_connect(path, ctl->timeout_ms, ret);

	if (r == STIR_ECONNREFUSED)
		ctl_err("cannot connect to %s: is stird running? (systemctl status stird)", path);
	else if (r == STIR_EPERM)
		ctl_err("permission denied on %s: run as root or as a member of the socket's group",
		    path);
	else if (r != STIR_OK)
		ctl_err("cannot connect to %s: %s", path, stir_strerror(r));
	return r;
}

int
ctl_call(struct ctl *ctl, bool admin, const char *op, json_t *params,
    json_t **ret_result)
{
	struct stir_client *c = NULL;
	char *p = NULL, *res = NULL;
	int r, ex = EXIT_USAGE;

	if (ctl_connect(ctl, admin, &c) != STIR_OK)
		goto out;
	if (params != NULL && (p = json_dumps(params, JSON_COMPACT)) == NULL) {
		ctl_err("out of memory");
		goto out;
	}
	r = stir_client_call(c, op, p, &res);
	if (r != STIR_OK) {
		const char *m = stir_client_errmsg(c);

		ctl_err("%s: %s (%s)", op, *m ? m : stir_strerror(r), stir_errname(r));
		ex = (r == STIR_EIO || r == STIR_ETIMEDOUT || r == STIR_EPROTO) ?
		    EXIT_USAGE : EXIT_FAIL;
		goto out;
	}
	if ((*ret_result = json_loads(res, 0, NULL)) == NULL) {
		ctl_err("%s: unreadable reply", op);
		goto out;
	}
	ex = EXIT_OK;
 out:
	if (p != NULL) {
		/* params may carry a private key (key import) */
		explicit_bzero(p, strlen(p));
		free(p);
	}
	free(res);
	if (params != NULL) {
		const char *k;
		json_t *v;

		json_object_foreach(params, k, v)
			if (json_is_string(v))
				explicit_bzero((char *)json_string_value(v), json_string_length(v));
	}
	json_decref(params);
	stir_client_free(c);
	return ex;
}

char *
ctl_read_file(const char *path, size_t *ret_len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		ctl_err("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STIRCTL_FILE_MAX) {
		ctl_err("%s: not a regular file of at most %d bytes", path, STIRCTL_FILE_MAX);
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		ctl_err("out of memory");
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (memchr(buf, '\0', got) != NULL) {
		ctl_err("%s: not a text (PEM) file", path);
		goto fail;
	}
	close(fd);
	*ret_len = got;
	return buf;
 fail:
	free(buf);
	close(fd);
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "admin-socket", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl ctl = { DEFAULT_CONFIG, NULL, NULL, false, 10000 };
	const char *sock = NULL, *admin = NULL;
	bool config_given = false;
	struct stir_config *cfg = NULL;
	char err[512];
	int ch, ex;

	while ((ch = getopt_long(argc, argv, "+c:s:a:jT:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			ctl.config = optarg;
			config_given = true;
			break;
		case 's':
			sock = optarg;
			break;
		case 'a':
			admin = optarg;
			break;
		case 'j':
			ctl.json = true;
			break;
		case 'T': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*optarg == '\0' || *end != '\0' || v < 0 || v > 3600000) {
				ctl_err("--timeout takes milliseconds from 0 (none) to 3600000");
				return EXIT_USAGE;
			}
			ctl.timeout_ms = (int)v;
			break;
		}
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("stirctl %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* socket paths come from stird's own config unless given */
	if (sock == NULL || admin == NULL) {
		int r = stir_config_load(ctl.config, &cfg, err, sizeof(err));

		/* an unreadable default config (0640 root:stird) is not an
		 * error: its socket paths are the defaults in practice */
		if (r != STIR_OK && (config_given || access(ctl.config, R_OK) == 0)) {
			ctl_err("%s", err);
			return EXIT_USAGE;
		}
		if (r != STIR_OK && stir_config_defaults(&cfg) != STIR_OK) {
			ctl_err("out of memory");
			return EXIT_USAGE;
		}
	}
	ctl.socket = strdup(sock ? sock : cfg->socket);
	ctl.admin_socket = strdup(admin ? admin : cfg->admin_socket);
	stir_config_free(cfg);
	if (ctl.socket == NULL || ctl.admin_socket == NULL) {
		ctl_err("out of memory");
		return EXIT_USAGE;
	}
	ex = -1;
	for (const struct ctl_cmd *c = ctl_cmds; c->name != NULL; c++) {
		const char *sp = strchr(c->name, ' ');

		if (sp == NULL && strcmp(c->name, argv[0]) == 0) {
			optind = 0;
			ex = c->fn(&ctl, argc, argv);
			break;
		}
		if (sp != NULL && argc >= 2 && strncmp(c->name, argv[0], (size_t)(sp - c->name)) == 0 &&
		    strlen(argv[0]) == (size_t)(sp - c->name) && strcmp(sp + 1, argv[1]) == 0) {
			optind = 0;
			ex = c->fn(&ctl, argc - 1, argv + 1);
			break;
		}
	}
	if (ex == -1) {
		ctl_err("unknown command '%s%s%s' (see 'stirctl --help')", argv[0],
		    argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
		ex = EXIT_USAGE;
	}
	free(ctl.socket);
	free(ctl.admin_socket);
	return ex;
}
