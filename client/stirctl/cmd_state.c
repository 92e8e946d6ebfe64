/*
 * cmd_state.c: stirctl export DIR and stirctl apply DIR: the declared
 * state of a host as plain files (doc/fleet-state.md).
 *
 *   DIR/trust/LABEL.pem          trust anchors, one certificate a file
 *   DIR/trust-rcd/LABEL.pem      trust anchors for RCD content (--rcd)
 *   DIR/credentials/NAME.json    a credential: key (a name), x5u, tns, spc
 *   DIR/credentials/NAME.chain.pem   its chain, end entity first
 *   DIR/policies/NAME.json       an RCD policy document
 *   DIR/settings.json            connected_identity
 *   DIR/README                   what the files are
 *
 * A file that does not read (bad JSON, a PEM block that does not parse,
 * an unknown member, a missing chain) stops apply before anything is
 * sent, naming the file and the line.  stird checks everything again.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "opschema.h"
#include "stirctl.h"
#include "cmd_state.h"

#define LABEL_MAX	48	/* of a subject's CN in an anchor's file name */

static const char *const managed_dirs[] = { "trust", "trust-rcd", "credentials", "policies" };

static const char readme[] =
    "This directory is the declared state of a stird host, written by\n"
    "`stirctl export` and read by `stirctl apply` (doc/fleet-state.md):\n"
    "\n"
    "  trust/*.pem                  trust anchors (CA certificates)\n"
    "  trust-rcd/*.pem              trust anchors for RCD content (trust add --rcd)\n"
    "  credentials/NAME.json        a signing credential: key (the name of a key\n"
    "                               in key_dir or a PKCS#11 registration), x5u, tns, spc\n"
    "  credentials/NAME.chain.pem   its certificate chain, end entity first\n"
    "  policies/NAME.json           an RCD policy document\n"
    "  settings.json                connected_identity\n"
    "\n"
    "Private keys and PINs never belong here: each host holds its own.\n";

/* ---- reading files ---- */

/* The line of the first "member" in text, or 1. */
static int
line_of_member(const char *text, const char *member)
{
	char quoted[96];
	const char *p;
	int line = 1;

	snprintf(quoted, sizeof(quoted), "\"%s\"", member);
	if ((p = strstr(text, quoted)) == NULL)
		return 1;
	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

/* A JSON object from path (rel: its name under DIR, for messages). */
static json_t *
read_json(const char *path, const char *rel, char **ret_text)
{
	json_error_t e;
	json_t *v;
	char *text;
	size_t len;

	if ((text = ctl_read_file(path, &len)) == NULL)
		return NULL;
	if ((v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e)) == NULL) {
		ctl_err("%s:%d:%d: %s", rel, e.line, e.column, e.text);
		free(text);
		return NULL;
	}
	if (!json_is_object(v)) {
		ctl_err("%s:1: not a JSON object", rel);
		json_decref(v);
		free(text);
		return NULL;
	}
	*ret_text = text;
	return v;
}

/* Check o's members against fields; the message names rel and a line. */
static int
check_file_members(json_t *o, const struct stir_field *fields, const char *rel,
    const char *text)
{
	char msg[STIR_OP_CHECK_MSG_MAX];
	const char *k;
	json_t *v;

	if (stir_proto_check(o, fields, msg, sizeof(msg)) == STIR_OK)
		return 0;
	/* the member it is about: the unknown one, else the first mentioned */
	json_object_foreach(o, k, v) {
		if (strstr(msg, k) != NULL) {
			ctl_err("%s:%d: %s", rel, line_of_member(text, k), msg);
			return -1;
		}
	}
	ctl_err("%s:1: %s", rel, msg);
	return -1;
}

/*
 * The certificates of a PEM file, each as its own PEM text (appended to
 * out as {"pem":..., "rcd":...} when out is not NULL), each checked with
 * GnuTLS.  Other blocks (a private key above all) are refused; text
 * between blocks is allowed.  -1 with the file and line said.
 */
static int
read_pem_certs(const char *text, const char *rel, json_t *out, bool rcd)
{
	const char *p = text, *begin = NULL;
	int line = 0, begin_line = 0, n = 0;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

		line++;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len >= 11 && strncmp(p, "-----BEGIN ", 11) == 0) {
			if (begin != NULL) {
				ctl_err("%s:%d: a BEGIN line inside the block that starts on line %d",
				    rel, line, begin_line);
				return -1;
			}
			if (len != 27 || strncmp(p, "-----BEGIN CERTIFICATE-----", 27) != 0) {
				ctl_err("%s:%d: %.*s: only certificates belong here%s", rel, line,
				    (int)(len > 64 ? 64 : len), p, strstr(p, "PRIVATE") != NULL &&
				    strstr(p, "PRIVATE") < p + len ?
				    " (never a private key: each host holds its own)" : "");
				return -1;
			}
			begin = p;
			begin_line = line;
		} else if (len >= 9 && strncmp(p, "-----END ", 9) == 0) {
			gnutls_x509_crt_t crt = NULL;
			gnutls_datum_t d;
			size_t blen = (size_t)(p - begin) + len;
			int gr;

			if (begin == NULL || len != 25 || strncmp(p, "-----END CERTIFICATE-----", 25) != 0) {
				ctl_err("%s:%d: an END line without its BEGIN CERTIFICATE line", rel, line);
				return -1;
			}
			d.data = (unsigned char *)(uintptr_t)begin;
			d.size = (unsigned)blen;
			if ((gr = gnutls_x509_crt_init(&crt)) >= 0)
				gr = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM);
			gnutls_x509_crt_deinit(crt);
			if (gr < 0) {
				ctl_err("%s:%d: the certificate does not parse (%s)", rel, begin_line,
				    gnutls_strerror(gr));
				return -1;
			}
			if (out != NULL) {
				json_t *pem = json_sprintf("%.*s\n", (int)blen, begin);

				if (pem == NULL || json_array_append_new(out, json_pack("{s:o, s:b}",
				    "pem", pem, "rcd", rcd)) != 0) {
					ctl_err("out of memory");
					return -1;
				}
			}
			n++;
			begin = NULL;
		}
		p += nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);
	}
	if (begin != NULL) {
		ctl_err("%s:%d: BEGIN CERTIFICATE without its END line", rel, begin_line);
		return -1;
	}
	if (n == 0) {
		ctl_err("%s:1: no PEM certificate", rel);
		return -1;
	}
	return 0;
}

static bool
opt_streq(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a > b && strcmp(s + a - b, suffix) == 0;
}

static int
skip_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* The entries of dir/sub, sorted, without dotfiles; 0 if it is absent. */
static int
list_dir(const char *dir, const char *sub, struct dirent ***ret)
{
	char path[4096];
	int n;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if ((n = scandir(path, ret, skip_dot, alphasort)) < 0) {
		if (errno == ENOENT) {
			*ret = NULL;
			return 0;
		}
		ctl_err("%s: %s", path, strerror(errno));
	}
	return n;
}

static void
free_list(struct dirent **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* One file of a subdirectory: its name, and everything the walk knows. */
struct walk {
	const char	*dir;		/* DIR */
	const char	*sub;		/* "trust", "credentials", ... */
	const char	*name;		/* the file's name in sub */
	struct dirent	**all;		/* every file of sub, sorted */
	int		 n;
	char		 rel[512];	/* sub/name, for messages */
	char		 path[4096];	/* DIR/sub/name */
	json_t		*out;		/* what the file adds to */
	bool		 rcd;		/* trust-rcd/ */
};

/* Call fn for each file of dir/sub, in order, until one fails (-1). */
static int
walk(const char *dir, const char *sub, json_t *out, bool rcd, int (*fn)(struct walk *w))
{
	struct walk w = { .dir = dir, .sub = sub, .out = out, .rcd = rcd };
	int r = 0;

	if ((w.n = list_dir(dir, sub, &w.all)) < 0)
		return -1;
	for (int i = 0; i < w.n && r == 0; i++) {
		w.name = w.all[i]->d_name;
		snprintf(w.rel, sizeof(w.rel), "%s/%s", sub, w.name);
		snprintf(w.path, sizeof(w.path), "%s/%s", dir, w.rel);
		r = fn(&w);
	}
	free_list(w.all, w.n);
	return r;
}

static int
read_anchors(struct walk *w)
{
	char *text;
	size_t len;
	int r;

	if (!ends_with(w->name, ".pem")) {
		ctl_err("%s: only NAME.pem files belong in %s/", w->rel, w->sub);
		return -1;
	}
	if ((text = ctl_read_file(w->path, &len)) == NULL)
		return -1;
	r = read_pem_certs(text, w->rel, w->out, w->rcd);
	free(text);
	return r;
}

static int
read_cred(struct walk *w)
{
	char path[4096], rel[512], stem[256], *text = NULL, *chain = NULL;
	json_t *o = NULL;
	size_t len;
	int r = -1;

	snprintf(stem, sizeof(stem), "%.*s", (int)(strlen(w->name) - 5), w->name);
	if ((o = read_json(w->path, w->rel, &text)) == NULL)
		goto out;
	if (json_object_get(o, "name") != NULL &&
	    !opt_streq(json_string_value(json_object_get(o, "name")), stem)) {
		ctl_err("%s:%d: 'name' is not the file's name ('%s')", w->rel,
		    line_of_member(text, "name"), stem);
		goto out;
	}
	(void)json_object_set_new(o, "name", json_string(stem));
	snprintf(rel, sizeof(rel), "credentials/%s.chain.pem", stem);
	snprintf(path, sizeof(path), "%s/%s", w->dir, rel);
	if (access(path, F_OK) != 0) {
		ctl_err("%s: missing: the chain of %s", rel, w->rel);
		goto out;
	}
	if ((chain = ctl_read_file(path, &len)) == NULL || read_pem_certs(chain, rel, NULL, false) != 0)
		goto out;
	if (json_object_set_new(o, "chain", json_string(chain)) != 0) {
		ctl_err("%s: the chain is not UTF-8 text", rel);
		goto out;
	}
	if (check_file_members(o, stir_state_cred_fields, w->rel, text) != 0)
		goto out;
	if (json_array_append(w->out, o) != 0) {
		ctl_err("out of memory");
		goto out;
	}
	r = 0;
 out:
	free(text);
	free(chain);
	json_decref(o);
	return r;
}

static int
read_creds(struct walk *w)
{
	char json[512];

	if (ends_with(w->name, ".json"))
		return read_cred(w);
	if (!ends_with(w->name, ".chain.pem")) {
		ctl_err("%s: only NAME.json and NAME.chain.pem files belong in credentials/", w->rel);
		return -1;
	}
	snprintf(json, sizeof(json), "%.*s.json", (int)(strlen(w->name) - 10), w->name);
	for (int k = 0; k < w->n; k++)
		if (strcmp(w->all[k]->d_name, json) == 0)
			return 0;
	ctl_err("%s: no credentials/%s beside it", w->rel, json);
	return -1;
}

static int
read_policy(struct walk *w)
{
	const char *name;
	char *text = NULL;
	json_t *o;
	int r = -1;

	if (!ends_with(w->name, ".json")) {
		ctl_err("%s: only NAME.json files belong in policies/", w->rel);
		return -1;
	}
	if ((o = read_json(w->path, w->rel, &text)) == NULL)
		return -1;
	name = json_string_value(json_object_get(o, "name"));
	if (name == NULL || strlen(name) + 5 != strlen(w->name) ||
	    strncmp(name, w->name, strlen(name)) != 0)
		ctl_err("%s:%d: the policy's 'name' must be the file's name", w->rel,
		    line_of_member(text, "name"));
	else if (json_array_append(w->out, o) != 0)
		ctl_err("out of memory");
	else
		r = 0;
	json_decref(o);
	free(text);
	return r;
}

static int
read_settings(const char *dir, json_t **ret)
{
	char path[4096], *text = NULL;
	json_t *o;

	snprintf(path, sizeof(path), "%s/settings.json", dir);
	if (access(path, F_OK) != 0) {
		*ret = json_object();
		return 0;
	}
	if ((o = read_json(path, "settings.json", &text)) == NULL)
		return -1;
	if (check_file_members(o, stir_state_settings_fields, "settings.json", text) != 0) {
		json_decref(o);
		free(text);
		return -1;
	}
	free(text);
	*ret = o;
	return 0;
}

/* Only what a state directory holds, so that a typo is not a silent no-op. */
static int
check_top(const char *dir)
{
	struct dirent **v = NULL;
	int n, r = 0;

	if ((n = scandir(dir, &v, skip_dot, alphasort)) < 0) {
		ctl_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *f = v[i]->d_name;
		bool ok = strcmp(f, "settings.json") == 0 || strncmp(f, "README", 6) == 0;

		for (size_t k = 0; k < sizeof(managed_dirs) / sizeof(managed_dirs[0]); k++)
			ok = ok || strcmp(f, managed_dirs[k]) == 0;
		if (!ok && r == 0) {
			ctl_err("%s: not part of a state directory (trust/, trust-rcd/, credentials/, policies/, settings.json, README)",
			    f);
			r = -1;
		}
	}
	free_list(v, n);
	return r;
}

/* The state document of DIR, or NULL (the error said). */
static json_t *
read_state(const char *dir)
{
	json_t *trust = json_array(), *creds = json_array(), *pols = json_array(),
	    *settings = NULL;

	if (trust == NULL || creds == NULL || pols == NULL) {
		ctl_err("out of memory");
		goto fail;
	}
	if (check_top(dir) != 0 || walk(dir, "trust", trust, false, read_anchors) != 0 ||
	    walk(dir, "trust-rcd", trust, true, read_anchors) != 0 ||
	    walk(dir, "credentials", creds, false, read_creds) != 0 ||
	    walk(dir, "policies", pols, false, read_policy) != 0 ||
	    read_settings(dir, &settings) != 0)
		goto fail;
	return json_pack("{s:i, s:o, s:o, s:o, s:o}", "version", STIR_P_STATE_VERSION,
	    "trust", trust, "credentials", creds, "policies", pols, "settings", settings);
 fail:
	json_decref(trust);
	json_decref(creds);
	json_decref(pols);
	return NULL;
}

/* ---- writing files ---- */

static int
write_file(const char *dir, const char *rel, const char *text)
{
	char path[4096], tmp[4200];
	size_t len = strlen(text), off = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		ctl_err("%s: %s", tmp, strerror(errno));
		return -1;
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off < len || fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		ctl_err("%s: %s", path, strerror(errno));
		if (off < len)
			(void)close(fd);
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

static int
write_json(const char *dir, const char *rel, const json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS), *t = NULL;
	int r = -1;

	if (s == NULL || asprintf(&t, "%s\n", s) < 0)
		ctl_err("out of memory");
	else
		r = write_file(dir, rel, t);
	free(s);
	free(t);
	return r;
}

/* The managed subdirectories, made and emptied of what export writes. */
static int
prepare_dir(const char *dir)
{
	char path[4096];

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		ctl_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	for (size_t k = 0; k < sizeof(managed_dirs) / sizeof(managed_dirs[0]); k++) {
		struct dirent **v = NULL;
		int n;

		snprintf(path, sizeof(path), "%s/%s", dir, managed_dirs[k]);
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			ctl_err("%s: %s", path, strerror(errno));
			return -1;
		}
		if ((n = list_dir(dir, managed_dirs[k], &v)) < 0)
			return -1;
		for (int i = 0; i < n; i++) {
			if (!ends_with(v[i]->d_name, ".pem") && !ends_with(v[i]->d_name, ".json"))
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s", dir, managed_dirs[k], v[i]->d_name);
			if (unlink(path) != 0)
				ctl_err("%s: %s", path, strerror(errno));
		}
		free_list(v, n);
	}
	return 0;
}

/* An anchor's file name: its subject's CN, made safe, and its fingerprint. */
static int
anchor_rel(const char *pem, bool rcd, char *rel, size_t rellen)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = { (unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem) };
	unsigned char fp[32];
	char cn[256] = "", hex[17];
	size_t fplen = sizeof(fp), cnlen = sizeof(cn) - 1;
	int gr;

	if ((gr = gnutls_x509_crt_init(&crt)) >= 0 &&
	    (gr = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM)) >= 0)
		gr = gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp, &fplen);
	if (gr >= 0 && gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0,
	    cn, &cnlen) < 0)
		cn[0] = '\0';
	gnutls_x509_crt_deinit(crt);
	if (gr < 0) {
		ctl_err("stird exported a trust anchor that does not parse (%s)", gnutls_strerror(gr));
		return -1;
	}
	for (int i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", fp[i]);
	cn[LABEL_MAX] = '\0';
	for (char *p = cn; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			*p = '_';
	snprintf(rel, rellen, "%s/%s%s%s.pem", rcd ? "trust-rcd" : "trust", cn,
	    cn[0] != '\0' ? "." : "", hex);
	return 0;
}

static int
write_state(const char *dir, json_t *st)
{
	char rel[512];
	json_t *v;
	size_t i;

	if (prepare_dir(dir) != 0 || write_file(dir, "README", readme) != 0)
		return -1;
	json_array_foreach(json_object_get(st, "trust"), i, v) {
		const char *pem = json_string_value(json_object_get(v, "pem"));

		if (anchor_rel(pem, json_is_true(json_object_get(v, "rcd")), rel, sizeof(rel)) != 0 ||
		    write_file(dir, rel, pem) != 0)
			return -1;
	}
	json_array_foreach(json_object_get(st, "credentials"), i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		json_t *o = json_deep_copy(v);
		int r;

		(void)json_object_del(o, "name");
		(void)json_object_del(o, "chain");
		snprintf(rel, sizeof(rel), "credentials/%s.json", name);
		r = write_json(dir, rel, o);
		json_decref(o);
		snprintf(rel, sizeof(rel), "credentials/%s.chain.pem", name);
		if (r != 0 || write_file(dir, rel,
		    json_string_value(json_object_get(v, "chain"))) != 0)
			return -1;
	}
	json_array_foreach(json_object_get(st, "policies"), i, v) {
		snprintf(rel, sizeof(rel), "policies/%s.json",
		    json_string_value(json_object_get(v, "name")));
		if (write_json(dir, rel, v) != 0)
			return -1;
	}
	return write_json(dir, "settings.json", json_object_get(st, "settings"));
}

/* ---- the commands ---- */

int
cmd_export(struct ctl *ctl, int argc, char **argv)
{
	json_t *res = NULL, *st;
	int ex;

	if (argc != 2)
		return ctl_usage_of("export");
	if ((ex = ctl_call(ctl, true, "state.export", NULL, &res)) != EXIT_OK)
		return ex;
	st = json_object_get(res, "state");
	if (!json_is_object(st) || write_state(argv[1], st) != 0) {
		json_decref(res);
		return EXIT_USAGE;
	}
	if (ctl->json)
		ctl_print_json(json_object_get(res, "digest"));
	else
		printf("exported %zu trust anchor(s), %zu credential(s), %zu RCD policy(ies) to %s\nstate digest %s\n",
		    json_array_size(json_object_get(st, "trust")),
		    json_array_size(json_object_get(st, "credentials")),
		    json_array_size(json_object_get(st, "policies")), argv[1],
		    json_string_value(json_object_get(res, "digest")));
	json_decref(res);
	return EXIT_OK;
}

int
cmd_apply(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	json_t *st, *res = NULL, *c;
	bool dry = false;
	size_t i;
	int ch, ex;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': dry = true; break;
		case 'j': ctl->json = true; break;
		default: return ctl_usage_of("apply");
		}
	}
	if (optind + 1 != argc)
		return ctl_usage_of("apply");
	if ((st = read_state(argv[optind])) == NULL)
		return EXIT_USAGE;
	if ((ex = ctl_call(ctl, true, "state.apply", json_pack("{s:o, s:b}", "state", st,
	    "dry_run", dry), &res)) != EXIT_OK)
		return ex;
	if (ctl->json) {
		ctl_print_json(res);
		json_decref(res);
		return EXIT_OK;
	}
	json_array_foreach(json_object_get(res, "changes"), i, c) {
		const char *a = json_string_value(json_object_get(c, "action"));

		printf("%s %s %s\n", strcmp(a, "add") == 0 ? "+" : strcmp(a, "remove") == 0 ?
		    "-" : "~", json_string_value(json_object_get(c, "kind")),
		    json_string_value(json_object_get(c, "name")));
	}
	if (json_integer_value(json_object_get(res, "changed")) == 0)
		printf("no changes\n");
	else
		printf("%lld change(s) %s\n", (long long)json_integer_value(json_object_get(res,
		    "changed")), dry ? "would be applied (dry run: nothing was changed)" : "applied");
	printf("state digest %s%s%s\n", json_string_value(json_object_get(res, "digest_before")),
	    json_integer_value(json_object_get(res, "changed")) != 0 ? (dry ? " -> (would be) " : " -> ") : "",
	    json_integer_value(json_object_get(res, "changed")) != 0 ?
	    json_string_value(json_object_get(res, "digest_after")) : "");
	json_decref(res);
	return EXIT_OK;
}
