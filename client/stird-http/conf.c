/*
 * conf.c: stird-http.conf.  The same strict "key = value" syntax as
 * stird.conf(5) (comments after '#', quoted values, unknown keys and keys
 * set twice are errors), with one repeatable key, listen.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/base/conffile.h"
#include "client/stird-http/conf.h"

#define DEFAULT_LISTEN	"127.0.0.1:8680"

static int	set_listen(void *, const struct conffile_key *, char *, char *, size_t);

static const char *const unauth_names[] = { "auto", "yes", "no", NULL };

#define OFF(f)	offsetof(struct http_conf, f)
#define KEY(n, t, f, d)	{ .name = n, .type = CONFFILE_##t, .off = OFF(f), .dflt = d, \
	.help = "an absolute path" }
#define UINT(n, f, lo, hi, d) \
	{ .name = n, .type = CONFFILE_UINT, .off = OFF(f), .min = lo, .max = hi, .dflt = d }

static const struct conffile_key keys[] = {
	{ .name = "listen", .type = CONFFILE_CUSTOM, .flags = CONFFILE_REPEAT, .set = set_listen },
	KEY("stird_socket", PATH, stird_socket, STIR_RUNSTATEDIR "/stird/stird.sock"),
	UINT("upstream_connections", upstream_connections, 1, 64, "2"),
	UINT("deadline_ms", deadline_ms, 1, 600000, "3000"),
	UINT("max_connections", max_connections, 1, 65536, "256"),
	UINT("max_body_bytes", max_body_bytes, 1024, 16 * 1024 * 1024, "65536"),
	UINT("idle_timeout_s", idle_timeout_s, 1, 86400, "60"),
	{ .name = "unix_socket_mode", .type = CONFFILE_MODE, .off = OFF(unix_socket_mode),
	  .max = 0777, .dflt = "0660", .help = "an octal mode such as 0660" },
	KEY("tls_cert", OPTPATH, tls_cert, ""),
	KEY("tls_key", OPTPATH, tls_key, ""),
	KEY("tls_client_ca", OPTPATH, tls_client_ca, ""),
	KEY("client_cert_grants", OPTPATH, client_cert_grants, ""),
	KEY("tokens_file", OPTPATH, tokens_file, ""),
	{ .name = "allow_unauthenticated", .type = CONFFILE_ENUM,
	  .off = OFF(allow_unauthenticated), .dflt = "auto", .names = unauth_names },
	{ .name = "log_level", .type = CONFFILE_LOGLEVEL, .off = OFF(log_level), .dflt = "info" },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

void
http_conf_free(struct http_conf *cf)
{
	if (cf == NULL)
		return;
	for (size_t i = 0; i < cf->nlisten; i++)
		free(cf->listen[i]);
	conffile_free(keys, NKEYS, cf);
	free(cf->path);
	free(cf);
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
	return conffile_uint(colon + 1, 10, &port) == 0 && port <= 65535;
}

static int
set_listen(void *obj, const struct conffile_key *k, char *v, char *msg, size_t msglen)
{
	struct http_conf *cf = obj;

	(void)k;
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
}

int
http_conf_parse(const char *path, const char *text, size_t len,
    struct http_conf **ret, char *err, size_t errlen)
{
	struct http_conf *cf = NULL;
	char msg[384], dflt[] = DEFAULT_LISTEN;
	int r;

	if ((cf = calloc(1, sizeof(*cf))) == NULL || (cf->path = strdup(path)) == NULL) {
		r = STIR_ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if ((r = conffile_defaults(keys, NKEYS, cf, msg, sizeof(msg))) != STIR_OK) {
		snprintf(err, errlen, "%s: %s", path, msg);
		goto out;
	}
	if ((r = conffile_parse(keys, NKEYS, cf, path, text, len, err, errlen)) != STIR_OK)
		goto out;
	if (cf->nlisten == 0 && (r = set_listen(cf, &keys[0], dflt, msg,
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
 out:
	http_conf_free(cf);
	return r;
}

int
http_conf_load(const char *path, struct http_conf **ret, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int r;

	if ((r = conffile_read(path, HTTP_CONF_MAX_BYTES, &text, &len, err, errlen)) != STIR_OK)
		return r;
	r = http_conf_parse(path, text, len, ret, err, errlen);
	free(text);
	return r;
}
