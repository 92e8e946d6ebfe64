/* conf.c: table-driven parser for stird.conf. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stirclient.h"
#include "daemon/conf.h"
#include "daemon/log.h"

enum key_type {
	KT_STRING,	/* any non-empty value */
	KT_OPTSTRING,	/* may be empty */
	KT_PATH,	/* absolute path */
	KT_OPTPATH,	/* absolute path or empty */
	KT_BOOL,
	KT_UINT,
	KT_MODE,	/* octal file mode */
	KT_GROUP,	/* group name or numeric gid, or empty */
	KT_LOGLEVEL,
	KT_ENUM,	/* one of names[], stored as its index */
	_KT_MAX
};

struct key_desc {
	const char	*name;
	enum key_type	 type;
	size_t		 off;
	unsigned	 min, max;	/* KT_UINT */
	size_t		 gid_off;	/* KT_GROUP */
	const char	*dflt;
	const char *const *names;	/* KT_ENUM, NULL-terminated */
};

static const char *const crl_modes[] = { "off", "soft", "hard", NULL };
static const char *const failure_actions[] = { "reject", "continue", "continue-with-reason",
    NULL };

#define OFF(f)	offsetof(struct stir_config, f)

static const struct key_desc keys[] = {
	{ "socket", KT_PATH, OFF(socket), 0, 0, 0, STIR_RUNSTATEDIR "/stird/stird.sock", NULL },
	{ "admin_socket", KT_PATH, OFF(admin_socket), 0, 0, 0, STIR_RUNSTATEDIR "/stird/admin.sock", NULL },
	{ "socket_mode", KT_MODE, OFF(socket_mode), 0, 0777, 0, "0660", NULL },
	{ "admin_socket_mode", KT_MODE, OFF(admin_socket_mode), 0, 0777, 0, "0660", NULL },
	{ "database", KT_PATH, OFF(database), 0, 0, 0, STIR_LOCALSTATEDIR "/lib/stird/stird.db", NULL },
	{ "key_dir", KT_PATH, OFF(key_dir), 0, 0, 0, STIR_LOCALSTATEDIR "/lib/stird/keys", NULL },
	{ "x5u_ca_file", KT_OPTPATH, OFF(x5u_ca_file), 0, 0, 0, "", NULL },
	{ "x5u_allow_http", KT_BOOL, OFF(x5u_allow_http), 0, 0, 0, "no", NULL },
	{ "x5u_allow_private", KT_BOOL, OFF(x5u_allow_private), 0, 0, 0, "no", NULL },
	{ "fetch_timeout_ms", KT_UINT, OFF(fetch_timeout_ms), 100, 60000, 0, "2000", NULL },
	{ "fetch_max_bytes", KT_UINT, OFF(fetch_max_bytes), 1024, 16 * 1024 * 1024, 0, "65536", NULL },
	/* fetch scheduling (fetch.h): per host:port, per request, queue wait */
	{ "fetch_per_host", KT_UINT, OFF(fetch_per_host), 1, 256, 0, "8", NULL },
	{ "fetch_per_request", KT_UINT, OFF(fetch_per_request), 1, 256, 0, "16", NULL },
	{ "fetch_queue_ms", KT_UINT, OFF(fetch_queue_ms), 0, 60000, 0, "0", NULL },
	{ "max_x5u_per_verify", KT_UINT, OFF(max_x5u_per_verify), 1, 32, 0, "4", NULL },
	{ "iat_window", KT_UINT, OFF(iat_window), 1, 86400, 0, "60", NULL },
	{ "sign_group", KT_GROUP, OFF(sign_group), 0, 0, OFF(sign_gid), "", NULL },
	{ "verify_group", KT_GROUP, OFF(verify_group), 0, 0, OFF(verify_gid), "", NULL },
	{ "admin_group", KT_GROUP, OFF(admin_group), 0, 0, OFF(admin_gid), "", NULL },
	{ "stats_group", KT_GROUP, OFF(stats_group), 0, 0, OFF(stats_gid), "", NULL },
	{ "max_request_bytes", KT_UINT, OFF(max_request_bytes), 1024, 16 * 1024 * 1024, 0, "65536", NULL },
	{ "threads", KT_UINT, OFF(threads), 0, 128, 0, "0", NULL },
	{ "max_connections", KT_UINT, OFF(max_connections), 1, 65536, 0, "1024", NULL },
	{ "max_conn_per_uid", KT_UINT, OFF(max_conn_per_uid), 1, 65536, 0, "256", NULL },
	{ "max_inflight", KT_UINT, OFF(max_inflight), 1, 4096, 0, "64", NULL },
	{ "idle_timeout_ms", KT_UINT, OFF(idle_timeout_ms), 0, 86400000, 0, "300000", NULL },
	{ "request_timeout_ms", KT_UINT, OFF(request_timeout_ms), 100, 3600000, 0, "10000", NULL },
	{ "log_level", KT_LOGLEVEL, OFF(log_level), 0, 0, 0, "info", NULL },
	{ "deterministic_signatures", KT_BOOL, OFF(deterministic_signatures), 0, 0, 0, "yes", NULL },
	{ "lock_memory", KT_BOOL, OFF(lock_memory), 0, 0, 0, "yes", NULL },
	{ "pkcs11_module", KT_OPTPATH, OFF(pkcs11_module), 0, 0, 0, "", NULL },
	{ "cred_expiry_warn_days", KT_UINT, OFF(cred_expiry_warn_days), 0, 3650, 0, "30", NULL },
	{ "cache_min_ttl", KT_UINT, OFF(cache_min_ttl), 0, 86400, 0, "60", NULL },
	{ "cache_max_ttl", KT_UINT, OFF(cache_max_ttl), 60, 30 * 86400, 0, "86400", NULL },
	{ "cache_negative_ttl", KT_UINT, OFF(cache_negative_ttl), 0, 3600, 0, "30", NULL },
	{ "cache_max_entries", KT_UINT, OFF(cache_max_entries), 16, 1000000, 0, "10000", NULL },
	{ "cache_max_bytes", KT_UINT, OFF(cache_max_bytes), 65536, 2048u * 1024 * 1024, 0,
	    "67108864", NULL },
	{ "cache_store_max_bytes", KT_UINT, OFF(cache_store_max_bytes), 65536,
	    4095u * 1024 * 1024, 0, "268435456", NULL },
	{ "crl_mode", KT_ENUM, OFF(crl_mode), 0, 0, 0, "soft", crl_modes },
	{ "crl_file", KT_OPTPATH, OFF(crl_file), 0, 0, 0, "", NULL },
	{ "date_iat_skew", KT_UINT, OFF(date_iat_skew), 0, 86400, 0, "60", NULL },
	{ "replay_window", KT_UINT, OFF(replay_window), 0, 86400, 0, "0", NULL },
	{ "replay_reject", KT_BOOL, OFF(replay_reject), 0, 0, 0, "no", NULL },
	{ "rcd_icon_max_bytes", KT_UINT, OFF(rcd_icon_max_bytes), 256, 16 * 1024 * 1024, 0, "65536", NULL },
	{ "rcd_jcard_max_bytes", KT_UINT, OFF(rcd_jcard_max_bytes), 256, 16 * 1024 * 1024, 0, "65536", NULL },
	{ "rcd_require_rcdi", KT_BOOL, OFF(rcd_require_rcdi), 0, 0, 0, "yes", NULL },
	{ "rcd_require_constraints", KT_BOOL, OFF(rcd_require_constraints), 0, 0, 0, "no", NULL },
	{ "rcd_anchors_only", KT_BOOL, OFF(rcd_anchors_only), 0, 0, 0, "no", NULL },
	{ "div_max_hops", KT_UINT, OFF(div_max_hops), 1, 16, 0, "5", NULL },
	{ "msg_max_body_bytes", KT_UINT, OFF(msg_max_body_bytes), 64, 1024 * 1024, 0, "16384", NULL },
	{ "failure_action", KT_ENUM, OFF(failure_action), 0, 0, 0, "reject", failure_actions },
	{ "connected_identity", KT_OPTSTRING, OFF(connected_identity), 0, 0, 0, "", NULL },
};

#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

/*
 * A list of TN specs, as connected_identity takes them: numbers (1-15
 * digits), prefixes ("1215555*") and ranges of equal-length numbers
 * ("12155550100-12155550199", low to high), separated by commas.
 */
static bool
tn_specs_ok(const char *list)
{
	const char *p = list;

	while (*p != '\0') {
		size_t a, b = 0;

		p += strspn(p, ", ");
		if (*p == '\0')
			break;
		a = strspn(p, "0123456789");
		if (a == 0 || a > 15)
			return false;
		if (p[a] == '*')
			p += a + 1;
		else if (p[a] == '-') {
			b = strspn(p + a + 1, "0123456789");
			if (b != a || strncmp(p, p + a + 1, a) > 0)
				return false;
			p += a + 1 + b;
		} else
			p += a;
		if (*p != '\0' && *p != ',' && *p != ' ')
			return false;
	}
	return true;
}

void
stir_config_free(struct stir_config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < NKEYS; i++) {
		switch (keys[i].type) {
		case KT_STRING: case KT_OPTSTRING: case KT_PATH:
		case KT_OPTPATH: case KT_GROUP:
			free(*(char **)((char *)cfg + keys[i].off));
			break;
		default:
			break;
		}
	}
	free(cfg->path);
	free(cfg);
}

static int
parse_uint(const char *v, int base, unsigned long *ret)
{
	char *end;
	unsigned long n;

	if (*v == '\0' || *v == '-' || *v == '+' || isspace((unsigned char)*v))
		return -1;
	errno = 0;
	n = strtoul(v, &end, base);
	if (errno != 0 || *end != '\0')
		return -1;
	*ret = n;
	return 0;
}

static int
set_key(struct stir_config *cfg, const struct key_desc *k, const char *v,
    char *msg, size_t msglen)
{
	char *base = (char *)cfg;
	unsigned long n;

	switch (k->type) {
	case KT_PATH:
	case KT_OPTPATH:
		if (*v == '\0' && k->type == KT_OPTPATH)
			goto string;
		if (*v != '/') {
			snprintf(msg, msglen, "'%s' must be an absolute path", k->name);
			return STIR_EINVAL;
		}
		if (strlen(v) >= PATH_MAX) {
			snprintf(msg, msglen, "'%s' is too long", k->name);
			return STIR_EINVAL;
		}
		goto string;
	case KT_STRING:
		if (*v == '\0') {
			snprintf(msg, msglen, "'%s' must not be empty", k->name);
			return STIR_EINVAL;
		}
		/* FALLTHROUGH */
	case KT_OPTSTRING:
	string: {
		char **dst = (char **)(base + k->off);
		char *s = strdup(v);

		if (s == NULL)
			return STIR_ENOMEM;
		free(*dst);
		*dst = s;
		return STIR_OK;
	}
	case KT_BOOL: {
		bool *dst = (bool *)(base + k->off);

		if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
		    !strcmp(v, "1") || !strcasecmp(v, "on"))
			*dst = true;
		else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") ||
		    !strcmp(v, "0") || !strcasecmp(v, "off"))
			*dst = false;
		else {
			snprintf(msg, msglen, "'%s' must be yes or no, not '%.64s'",
			    k->name, v);
			return STIR_EINVAL;
		}
		return STIR_OK;
	}
	case KT_UINT:
		if (parse_uint(v, 10, &n) != 0 || n < k->min || n > k->max) {
			snprintf(msg, msglen, "'%s' must be an integer from %u to %u, not '%.64s'",
			    k->name, k->min, k->max, v);
			return STIR_EINVAL;
		}
		*(unsigned *)(base + k->off) = (unsigned)n;
		return STIR_OK;
	case KT_MODE:
		if (parse_uint(v, 8, &n) != 0 || n > k->max) {
			snprintf(msg, msglen, "'%s' must be an octal mode such as 0660, not '%.64s'",
			    k->name, v);
			return STIR_EINVAL;
		}
		*(unsigned *)(base + k->off) = (unsigned)n;
		return STIR_OK;
	case KT_GROUP: {
		gid_t *gid = (gid_t *)(base + k->gid_off);

		if (*v == '\0')
			*gid = (gid_t)-1;
		else if (parse_uint(v, 10, &n) == 0 && n < (gid_t)-1)
			*gid = (gid_t)n;
		else {
			struct group gr, *res = NULL;
			char buf[4096];

			if (getgrnam_r(v, &gr, buf, sizeof(buf), &res) != 0 ||
			    res == NULL) {
				snprintf(msg, msglen, "'%s': no such group '%.64s'",
				    k->name, v);
				return STIR_EINVAL;
			}
			*gid = res->gr_gid;
		}
		goto string;
	}
	case KT_ENUM: {
		char list[256] = "";

		for (int i = 0; k->names[i] != NULL; i++) {
			if (strcmp(v, k->names[i]) == 0) {
				*(int *)(base + k->off) = i;
				return STIR_OK;
			}
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			    i == 0 ? "" : k->names[i + 1] == NULL ? " or " : ", ", k->names[i]);
		}
		snprintf(msg, msglen, "'%s' must be %s", k->name, list);
		return STIR_EINVAL;
	}
	case KT_LOGLEVEL: {
		static const struct { const char *n; int l; } levels[] = {
			{ "error", STIR_LOG_ERR }, { "warning", STIR_LOG_WARNING },
			{ "notice", STIR_LOG_NOTICE }, { "info", STIR_LOG_INFO },
			{ "debug", STIR_LOG_DEBUG },
		};
		for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
			if (!strcmp(v, levels[i].n)) {
				*(int *)(base + k->off) = levels[i].l;
				return STIR_OK;
			}
		snprintf(msg, msglen, "'%s' must be error, warning, notice, info or debug",
		    k->name);
		return STIR_EINVAL;
	}
	default:
		break;
	}
	return STIR_EINVAL;
}

int
stir_config_defaults(struct stir_config **ret_cfg)
{
	struct stir_config *cfg;
	char msg[256];
	int r;

	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return STIR_ENOMEM;
	for (size_t i = 0; i < NKEYS; i++)
		if ((r = set_key(cfg, &keys[i], keys[i].dflt, msg, sizeof(msg))) != STIR_OK) {
			stir_config_free(cfg);
			return r;
		}
	*ret_cfg = cfg;
	return STIR_OK;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
stir_config_parse(const char *path, const char *text, size_t len,
    struct stir_config **ret_cfg, char *errbuf, size_t errlen)
{
	struct stir_config *cfg = NULL;
	bool seen[NKEYS] = { false };
	char line[STIR_CONFIG_LINE_MAX + 1];
	char msg[384];
	size_t pos = 0, lineno = 0;
	int r;

	if ((r = stir_config_defaults(&cfg)) != STIR_OK) {
		snprintf(errbuf, errlen, "%s: out of memory", path);
		return r;
	}
	if ((cfg->path = strdup(path)) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *key, *val, *eq, *hash;
		size_t i;

		lineno++;
		if (n > STIR_CONFIG_LINE_MAX) {
			snprintf(msg, sizeof(msg), "line longer than %d bytes",
			    STIR_CONFIG_LINE_MAX);
			r = STIR_EINVAL;
			goto bad;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		if (memchr(line, '\0', n) != NULL) {
			snprintf(msg, sizeof(msg), "NUL byte in line");
			r = STIR_EINVAL;
			goto bad;
		}
		key = trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			snprintf(msg, sizeof(msg), "expected 'key = value'");
			r = STIR_EINVAL;
			goto bad;
		}
		*eq = '\0';
		val = eq + 1;
		while (*val == ' ' || *val == '\t')
			val++;
		if (*val == '"') {
			/* a quoted value keeps blanks and '#'; a comment may follow */
			char *close = strchr(val + 1, '"');

			if (close == NULL) {
				snprintf(msg, sizeof(msg), "unterminated quoted value");
				r = STIR_EINVAL;
				goto bad;
			}
			*close = '\0';
			hash = trim(close + 1);
			if (*hash != '\0' && *hash != '#') {
				snprintf(msg, sizeof(msg), "text after the quoted value");
				r = STIR_EINVAL;
				goto bad;
			}
			val++;
		} else {
			/* '#' starts a comment after blanks */
			for (hash = val; (hash = strchr(hash, '#')) != NULL; hash++)
				if (hash == val || hash[-1] == ' ' || hash[-1] == '\t') {
					*hash = '\0';
					break;
				}
			val = trim(val);
		}
		key = trim(key);
		for (i = 0; i < NKEYS; i++)
			if (strcmp(keys[i].name, key) == 0)
				break;
		if (i == NKEYS) {
			char q[80];

			snprintf(msg, sizeof(msg), "unknown key '%s'",
			    stir_log_quote(key, strlen(key), q, sizeof(q)));
			r = STIR_EINVAL;
			goto bad;
		}
		if (seen[i]) {
			snprintf(msg, sizeof(msg), "'%s' is set twice", key);
			r = STIR_EINVAL;
			goto bad;
		}
		seen[i] = true;
		if ((r = set_key(cfg, &keys[i], val, msg, sizeof(msg))) != STIR_OK)
			goto bad;
	}
	if (cfg->fetch_queue_ms > cfg->fetch_timeout_ms) {
		snprintf(errbuf, errlen, "%s: 'fetch_queue_ms' is larger than 'fetch_timeout_ms'", path);
		r = STIR_EINVAL;
		goto out;
	}
	if (cfg->cache_min_ttl > cfg->cache_max_ttl) {
		snprintf(errbuf, errlen, "%s: 'cache_min_ttl' is larger than 'cache_max_ttl'", path);
		r = STIR_EINVAL;
		goto out;
	}
	if (cfg->rcd_icon_max_bytes > cfg->fetch_max_bytes ||
	    cfg->rcd_jcard_max_bytes > cfg->fetch_max_bytes) {
		snprintf(errbuf, errlen, "%s: 'rcd_icon_max_bytes' and 'rcd_jcard_max_bytes' "
		    "must not be larger than 'fetch_max_bytes'", path);
		r = STIR_EINVAL;
		goto out;
	}
	if (!tn_specs_ok(cfg->connected_identity)) {
		snprintf(errbuf, errlen, "%s: 'connected_identity' is a list of numbers, prefixes (1215555*) and ranges (a-b), separated by commas",
		    path);
		r = STIR_EINVAL;
		goto out;
	}
	if (strcmp(cfg->socket, cfg->admin_socket) == 0) {
		snprintf(errbuf, errlen, "%s: 'socket' and 'admin_socket' must differ",
		    path);
		r = STIR_EINVAL;
		goto out;
	}
	*ret_cfg = cfg;
	cfg = NULL;
	r = STIR_OK;
	goto out;
 bad:
	snprintf(errbuf, errlen, "%s:%zu: %s", path, lineno, msg);
 out:
	stir_config_free(cfg);
	return r;
}

int
stir_config_load(const char *path, struct stir_config **ret_cfg,
    char *errbuf, size_t errlen)
{
	struct stat st;
	char *text = NULL;
	size_t got = 0;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		snprintf(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
		return STIR_EIO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(errbuf, errlen, "%s: not a regular file", path);
		r = STIR_EIO;
		goto out;
	}
	if (st.st_size > STIR_CONFIG_MAX_BYTES) {
		snprintf(errbuf, errlen, "%s: larger than %d bytes", path,
		    STIR_CONFIG_MAX_BYTES);
		r = STIR_EINVAL;
		goto out;
	}
	if ((text = malloc((size_t)st.st_size + 1)) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	r = stir_config_parse(path, text, got, ret_cfg, errbuf, errlen);
 out:
	free(text);
	close(fd);
	return r;
}
