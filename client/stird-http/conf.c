/*
 * conf.c: stird-http.conf.  The same strict "key = value" syntax as
 * stird.conf(5) (comments after '#', quoted values, unknown keys and keys
 * set twice are errors), with one repeatable key, listen.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stirclient.h"
#include "daemon/log.h"
#include "client/stird-http/conf.h"

#define CONF_LINE_MAX	4096

enum kt { KT_LISTEN, KT_PATH, KT_OPTPATH, KT_UINT, KT_MODE, KT_ENUM, KT_LOGLEVEL };

struct key {
	const char	*name;
	enum kt		 type;
	size_t		 off;
	unsigned	 min, max;
	const char	*dflt;		/* NULL: none (listen) */
	const char *const *names;
};

static const char *const unauth_names[] = { "auto", "yes", "no", NULL };

#define OFF(f)	offsetof(struct http_conf, f)

static const struct key keys[] = {
	{ "listen", KT_LISTEN, 0, 0, 0, NULL, NULL },
	{ "stird_socket", KT_PATH, OFF(stird_socket), 0, 0, STIR_RUNSTATEDIR "/stird/stird.sock", NULL },
	{ "upstream_connections", KT_UINT, OFF(upstream_connections), 1, 64, "2", NULL },
	{ "deadline_ms", KT_UINT, OFF(deadline_ms), 1, 600000, "3000", NULL },
	{ "max_connections", KT_UINT, OFF(max_connections), 1, 65536, "256", NULL },
	{ "max_body_bytes", KT_UINT, OFF(max_body_bytes), 1024, 16 * 1024 * 1024, "65536", NULL },
	{ "idle_timeout_s", KT_UINT, OFF(idle_timeout_s), 1, 86400, "60", NULL },
	{ "unix_socket_mode", KT_MODE, OFF(unix_socket_mode), 0, 0777, "0660", NULL },
	{ "tls_cert", KT_OPTPATH, OFF(tls_cert), 0, 0, "", NULL },
	{ "tls_key", KT_OPTPATH, OFF(tls_key), 0, 0, "", NULL },
	{ "tls_client_ca", KT_OPTPATH, OFF(tls_client_ca), 0, 0, "", NULL },
	{ "client_cert_grants", KT_OPTPATH, OFF(client_cert_grants), 0, 0, "", NULL },
	{ "tokens_file", KT_OPTPATH, OFF(tokens_file), 0, 0, "", NULL },
	{ "allow_unauthenticated", KT_ENUM, OFF(allow_unauthenticated), 0, 0, "auto", unauth_names },
	{ "log_level", KT_LOGLEVEL, OFF(log_level), 0, 0, "info", NULL },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

void
http_conf_free(struct http_conf *cf)
{
	if (cf == NULL)
		return;
	for (size_t i = 0; i < cf->nlisten; i++)
		free(cf->listen[i]);
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].type == KT_PATH || keys[i].type == KT_OPTPATH)
			free(*(char **)((char *)cf + keys[i].off));
	free(cf->path);
	free(cf);
}

static int
parse_uint(const char *v, int base, unsigned long *ret)
{
	char *end;
	unsigned long n;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoul(v, &end, base);
	if (errno != 0 || *end != '\0')
		return -1;
	*ret = n;
	return 0;
}

/* "127.0.0.1:8680", "[::1]:8680" or "unix:/abs/path". */
static bool
listen_ok(const char *v)
{
	const char *colon;
	unsigned long port;

	if (strncmp(v, "unix:", 5) == 0)
		return v[5] == '/' && strlen(v + 5) < 108;
	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (close == NULL || close[1] != ':')
			return false;
		colon = close + 1;
	} else if ((colon = strrchr(v, ':')) == NULL || colon == v)
		return false;
	return parse_uint(colon + 1, 10, &port) == 0 && port <= 65535;
}

static int
set_key(struct http_conf *cf, const struct key *k, const char *v, char *msg,
    size_t msglen)
{
	char *base = (char *)cf;
	unsigned long n;

	switch (k->type) {
	case KT_LISTEN:
		if (!listen_ok(v)) {
			snprintf(msg, msglen, "'listen' must be HOST:PORT, [V6]:PORT or unix:/PATH, not '%.64s'", v);
			return STIR_EINVAL;
		}
		if (cf->nlisten == HTTP_CONF_MAX_LISTEN) {
			snprintf(msg, msglen, "more than %d 'listen' lines", HTTP_CONF_MAX_LISTEN);
			return STIR_EINVAL;
		}
		if ((cf->listen[cf->nlisten] = strdup(v)) == NULL)
			return STIR_ENOMEM;
		cf->nlisten++;
		return STIR_OK;
	case KT_PATH:
	case KT_OPTPATH: {
		char **dst = (char **)(base + k->off), *s;

		if (!(k->type == KT_OPTPATH && *v == '\0') &&
		    (*v != '/' || strlen(v) >= PATH_MAX)) {
			snprintf(msg, msglen, "'%s' must be an absolute path", k->name);
			return STIR_EINVAL;
		}
		if ((s = strdup(v)) == NULL)
			return STIR_ENOMEM;
		free(*dst);
		*dst = s;
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
			snprintf(msg, msglen, "'%s' must be an octal mode such as 0660", k->name);
			return STIR_EINVAL;
		}
		*(unsigned *)(base + k->off) = (unsigned)n;
		return STIR_OK;
	case KT_ENUM:
		for (int i = 0; k->names[i] != NULL; i++)
			if (strcmp(v, k->names[i]) == 0) {
				*(int *)(base + k->off) = i;
				return STIR_OK;
			}
		snprintf(msg, msglen, "'%s' must be auto, yes or no", k->name);
		return STIR_EINVAL;
	case KT_LOGLEVEL: {
		static const struct { const char *n; int l; } lv[] = {
			{ "error", STIR_LOG_ERR }, { "warning", STIR_LOG_WARNING },
			{ "notice", STIR_LOG_NOTICE }, { "info", STIR_LOG_INFO },
			{ "debug", STIR_LOG_DEBUG },
		};
		for (size_t i = 0; i < sizeof(lv) / sizeof(lv[0]); i++)
			if (strcmp(v, lv[i].n) == 0) {
				*(int *)(base + k->off) = lv[i].l;
				return STIR_OK;
			}
		snprintf(msg, msglen, "'%s' must be error, warning, notice, info or debug", k->name);
		return STIR_EINVAL;
	}
	}
	return STIR_EINVAL;
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

/* Split one line into key and value in place; NULL key: blank or comment. */
static int
split_line(char *line, char **ret_key, char **ret_val, char *msg, size_t msglen)
{
	char *key = trim(line), *eq, *val, *hash;

	*ret_key = NULL;
	if (*key == '\0' || *key == '#')
		return STIR_OK;
	if ((eq = strchr(key, '=')) == NULL) {
		snprintf(msg, msglen, "expected 'key = value'");
		return STIR_EINVAL;
	}
	*eq = '\0';
	val = eq + 1;
	while (*val == ' ' || *val == '\t')
		val++;
	if (*val == '"') {
		char *close = strchr(val + 1, '"');

		if (close == NULL) {
			snprintf(msg, msglen, "unterminated quoted value");
			return STIR_EINVAL;
		}
		*close = '\0';
		hash = trim(close + 1);
		if (*hash != '\0' && *hash != '#') {
			snprintf(msg, msglen, "text after the quoted value");
			return STIR_EINVAL;
		}
		val++;
	} else {
		for (hash = val; (hash = strchr(hash, '#')) != NULL; hash++)
			if (hash == val || hash[-1] == ' ' || hash[-1] == '\t') {
				*hash = '\0';
				break;
			}
		val = trim(val);
	}
	*ret_key = trim(key);
	*ret_val = val;
	return STIR_OK;
}

int
http_conf_parse(const char *path, const char *text, size_t len,
    struct http_conf **ret, char *err, size_t errlen)
{
	struct http_conf *cf = NULL;
	bool seen[NKEYS] = { false };
	char line[CONF_LINE_MAX + 1], msg[384];
	size_t pos = 0, lineno = 0;
	int r;

	if ((cf = calloc(1, sizeof(*cf))) == NULL || (cf->path = strdup(path)) == NULL) {
		r = STIR_ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	for (size_t i = 1; i < NKEYS; i++)
		if ((r = set_key(cf, &keys[i], keys[i].dflt, msg, sizeof(msg))) != STIR_OK) {
			snprintf(err, errlen, "%s: %s", path, msg);
			goto out;
		}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos, i;
		char *key, *val;

		lineno++;
		if (n > CONF_LINE_MAX) {
			snprintf(msg, sizeof(msg), "line longer than %d bytes", CONF_LINE_MAX);
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
		if ((r = split_line(line, &key, &val, msg, sizeof(msg))) != STIR_OK)
			goto bad;
		if (key == NULL)
			continue;
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
		if (seen[i] && keys[i].type != KT_LISTEN) {
			snprintf(msg, sizeof(msg), "'%s' is set twice", key);
			r = STIR_EINVAL;
			goto bad;
		}
		seen[i] = true;
		if ((r = set_key(cf, &keys[i], val, msg, sizeof(msg))) != STIR_OK)
			goto bad;
	}
	if (cf->nlisten == 0 && (r = set_key(cf, &keys[0], "127.0.0.1:8680", msg,
	    sizeof(msg))) != STIR_OK) {
		snprintf(err, errlen, "%s: %s", path, msg);
		goto out;
	}
	if ((*cf->tls_cert == '\0') != (*cf->tls_key == '\0')) {
		snprintf(err, errlen, "%s: 'tls_cert' and 'tls_key' go together", path);
		r = STIR_EINVAL;
		goto out;
	}
	if (*cf->tls_client_ca != '\0' && *cf->tls_cert == '\0') {
		snprintf(err, errlen, "%s: 'tls_client_ca' needs 'tls_cert' and 'tls_key'", path);
		r = STIR_EINVAL;
		goto out;
	}
	if (*cf->client_cert_grants != '\0' && *cf->tls_client_ca == '\0') {
		snprintf(err, errlen, "%s: 'client_cert_grants' needs 'tls_client_ca'", path);
		r = STIR_EINVAL;
		goto out;
	}
	*ret = cf;
	cf = NULL;
	r = STIR_OK;
	goto out;
 bad:
	snprintf(err, errlen, "%s:%zu: %s", path, lineno, msg);
 out:
	http_conf_free(cf);
	return r;
}

int
http_conf_load(const char *path, struct http_conf **ret, char *err, size_t errlen)
{
	struct stat st;
	char *text = NULL;
	size_t got = 0;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return STIR_EIO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		r = STIR_EIO;
		goto out;
	}
	if (st.st_size > HTTP_CONF_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, HTTP_CONF_MAX_BYTES);
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
	r = http_conf_parse(path, text, got, ret, err, errlen);
 out:
	free(text);
	close(fd);
	return r;
}
