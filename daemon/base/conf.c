/* conf.c: stird.conf: its keys, defaults and checks across keys (conffile.h reads it). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/stir/callinfo.h"
#include "daemon/stir/tnspec.h"
#include "daemon/base/conf.h"
#include "daemon/base/conffile.h"

static int	set_group(void *, const struct conffile_key *, char *, char *, size_t);
static int	set_call_info(void *, const struct conffile_key *, char *, char *, size_t);

static const char *const signer_modes[] = { "process", "in-process", NULL };
static const char *const shared_failures[] = { "open", "closed", NULL };
static const char *const crl_modes[] = { "off", "soft", "hard", NULL };
static const char *const failure_actions[] = { "reject", "continue", "continue-with-reason",
    NULL };

#define OFF(f)	offsetof(struct stir_config, f)
#define KEY(n, t, f, d)	{ .name = n, .type = CONFFILE_##t, .off = OFF(f), .dflt = d }
#define UINT(n, f, lo, hi, d) \
	{ .name = n, .type = CONFFILE_UINT, .off = OFF(f), .min = lo, .max = hi, .dflt = d }
#define MODE(n, f, d) \
	{ .name = n, .type = CONFFILE_MODE, .off = OFF(f), .max = 0777, .dflt = d }
#define ENUM(n, f, d, names_) \
	{ .name = n, .type = CONFFILE_ENUM, .off = OFF(f), .dflt = d, .names = names_ }
/* group name or numeric gid, or empty; the gid goes to the field aux names */
#define GROUP(n, f, gid) \
	{ .name = n, .type = CONFFILE_OPTSTRING, .off = OFF(f), .dflt = "", \
	  .set = set_group, .aux = OFF(gid) }

static const struct conffile_key keys[] = {
	KEY("socket", PATH, socket, STIR_RUNSTATEDIR "/stird/stird.sock"),
	KEY("admin_socket", PATH, admin_socket, STIR_RUNSTATEDIR "/stird/admin.sock"),
	MODE("socket_mode", socket_mode, "0660"),
	MODE("admin_socket_mode", admin_socket_mode, "0660"),
	KEY("database", PATH, database, STIR_LOCALSTATEDIR "/lib/stird/stird.db"),
	KEY("key_dir", PATH, key_dir, STIR_LOCALSTATEDIR "/lib/stird/keys"),
	KEY("x5u_ca_file", OPTPATH, x5u_ca_file, ""),
	KEY("x5u_allow_http", BOOL, x5u_allow_http, "no"),
	KEY("x5u_allow_private", BOOL, x5u_allow_private, "no"),
	UINT("fetch_timeout_ms", fetch_timeout_ms, 100, 60000, "2000"),
	UINT("fetch_max_bytes", fetch_max_bytes, 1024, 16 * 1024 * 1024, "65536"),
	/* fetch scheduling (fetch.h): per host:port, per request, queue wait */
	UINT("fetch_per_host", fetch_per_host, 1, 256, "8"),
	UINT("fetch_per_request", fetch_per_request, 1, 256, "16"),
	UINT("fetch_queue_ms", fetch_queue_ms, 0, 60000, "0"),
	UINT("max_x5u_per_verify", max_x5u_per_verify, 1, 32, "4"),
	UINT("iat_window", iat_window, 1, 86400, "60"),
	GROUP("sign_group", sign_group, sign_gid),
	GROUP("verify_group", verify_group, verify_gid),
	GROUP("admin_group", admin_group, admin_gid),
	GROUP("stats_group", stats_group, stats_gid),
	UINT("max_request_bytes", max_request_bytes, 1024, 16 * 1024 * 1024, "65536"),
	UINT("threads", threads, 0, 128, "0"),
	UINT("max_connections", max_connections, 1, 65536, "1024"),
	UINT("max_conn_per_uid", max_conn_per_uid, 1, 65536, "256"),
	UINT("max_inflight", max_inflight, 1, 4096, "64"),
	UINT("idle_timeout_ms", idle_timeout_ms, 0, 86400000, "300000"),
	UINT("request_timeout_ms", request_timeout_ms, 100, 3600000, "10000"),
	KEY("log_level", LOGLEVEL, log_level, "info"),
	KEY("deterministic_signatures", BOOL, deterministic_signatures, "yes"),
	KEY("lock_memory", BOOL, lock_memory, "yes"),
	KEY("pkcs11_module", OPTPATH, pkcs11_module, ""),
	ENUM("signer", signer_mode, "process", signer_modes),
	KEY("signer_network", BOOL, signer_network, "no"),
	KEY("signer_write_dirs", OPTSTRING, signer_write_dirs, ""),
	UINT("cred_expiry_warn_days", cred_expiry_warn_days, 0, 3650, "30"),
	UINT("cache_min_ttl", cache_min_ttl, 0, 86400, "60"),
	UINT("cache_max_ttl", cache_max_ttl, 60, 30 * 86400, "86400"),
	UINT("cache_negative_ttl", cache_negative_ttl, 0, 3600, "30"),
	UINT("cache_max_entries", cache_max_entries, 16, 1000000, "10000"),
	UINT("cache_max_bytes", cache_max_bytes, 65536, 2048u * 1024 * 1024, "67108864"),
	UINT("cache_store_max_bytes", cache_store_max_bytes, 65536, 4095u * 1024 * 1024,
	    "268435456"),
	ENUM("crl_mode", crl_mode, "soft", crl_modes),
	KEY("crl_file", OPTPATH, crl_file, ""),
	UINT("date_iat_skew", date_iat_skew, 0, 86400, "60"),
	UINT("replay_window", replay_window, 0, 86400, "0"),
	KEY("replay_reject", BOOL, replay_reject, "no"),
	UINT("rcd_icon_max_bytes", rcd_icon_max_bytes, 256, 16 * 1024 * 1024, "65536"),
	UINT("rcd_jcard_max_bytes", rcd_jcard_max_bytes, 256, 16 * 1024 * 1024, "65536"),
	KEY("rcd_require_rcdi", BOOL, rcd_require_rcdi, "yes"),
	KEY("rcd_require_constraints", BOOL, rcd_require_constraints, "no"),
	KEY("rcd_anchors_only", BOOL, rcd_anchors_only, "no"),
	/* RFC 9796 Call-Info values to pass on; the mask goes to rcd_call_info_mask */
	{ .name = "rcd_call_info", .type = CONFFILE_OPTSTRING, .off = OFF(rcd_call_info),
	  .dflt = STIR_CI_DEFAULT, .set = set_call_info, .aux = OFF(rcd_call_info_mask) },
	UINT("div_max_hops", div_max_hops, 1, 16, "5"),
	UINT("msg_max_body_bytes", msg_max_body_bytes, 64, 1024 * 1024, "16384"),
	ENUM("failure_action", failure_action, "reject", failure_actions),
	KEY("connected_identity", OPTSTRING, connected_identity, ""),
	/* fleet mode (doc/fleet.md): state shared on Redis */
	KEY("redis", OPTSTRING, redis, ""),
	KEY("redis_sentinels", OPTSTRING, redis_sentinels, ""),
	KEY("redis_master", OPTSTRING, redis_master, ""),
	KEY("redis_user", OPTSTRING, redis_user, ""),
	KEY("redis_password_file", OPTPATH, redis_password_file, ""),
	KEY("redis_sentinel_user", OPTSTRING, redis_sentinel_user, ""),
	KEY("redis_sentinel_password_file", OPTPATH, redis_sentinel_password_file, ""),
	KEY("redis_tls", BOOL, redis_tls, "no"),
	KEY("redis_tls_ca_file", OPTPATH, redis_tls_ca_file, ""),
	KEY("redis_tls_cert_file", OPTPATH, redis_tls_cert_file, ""),
	KEY("redis_tls_key_file", OPTPATH, redis_tls_key_file, ""),
	KEY("redis_tls_name", OPTSTRING, redis_tls_name, ""),
	UINT("redis_db", redis_db, 0, 1023, "0"),
	UINT("redis_timeout_ms", redis_timeout_ms, 1, 60000, "100"),
	KEY("redis_prefix", OPTSTRING, redis_prefix, "stird:"),
	KEY("replay_shared", BOOL, replay_shared, "yes"),
	ENUM("replay_shared_failure", replay_shared_failure, "open", shared_failures),
	KEY("cache_shared", BOOL, cache_shared, "yes"),
	UINT("cache_shared_max_bytes", cache_shared_max_bytes, 1024, 64u * 1024 * 1024, "1048576"),
};

#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

struct stir_config *
stir_config_ref(struct stir_config *cfg)
{
	if (cfg != NULL)
		(void)__atomic_add_fetch(&cfg->refs, 1, __ATOMIC_RELAXED);
	return cfg;
}

void
stir_config_free(struct stir_config *cfg)
{
	if (cfg == NULL || __atomic_sub_fetch(&cfg->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	conffile_free(keys, NKEYS, cfg);
	free(cfg->path);
	free(cfg);
}

static int
set_group(void *obj, const struct conffile_key *k, char *v, char *msg, size_t msglen)
{
	gid_t *gid = (gid_t *)((char *)obj + k->aux);
	unsigned long n;

	if (*v == '\0')
		*gid = (gid_t)-1;
	else if (conffile_uint(v, 10, &n) == 0 && n < (gid_t)-1)
		*gid = (gid_t)n;
	else {
		struct group gr, *res = NULL;
		char buf[4096];

		if (getgrnam_r(v, &gr, buf, sizeof(buf), &res) != 0 || res == NULL) {
			snprintf(msg, msglen, "'%s': no such group '%.64s'", k->name, v);
			return STIR_EINVAL;
		}
		*gid = res->gr_gid;
	}
	return conffile_set_string((char **)((char *)obj + k->off), v);
}

static int
set_call_info(void *obj, const struct conffile_key *k, char *v, char *msg, size_t msglen)
{
	char m[160];

	if (stir_callinfo_mask(v, (unsigned *)((char *)obj + k->aux), m, sizeof(m)) != STIR_OK) {
		snprintf(msg, msglen, "'%s': %s", k->name, m);
		return STIR_EINVAL;
	}
	return conffile_set_string((char **)((char *)obj + k->off), v);
}

/* host:port, [v6]:port, or unix:/absolute/path; the port 1-65535 */
static bool
redis_address_ok(const char *a, bool unix_ok)
{
	const char *colon;
	char *end;
	unsigned long port;

	if (unix_ok && strncmp(a, "unix:", 5) == 0)
		return a[5] == '/' && strlen(a) < 5 + 108;
	if ((colon = strrchr(a, ':')) == NULL || colon == a || colon - a > 253)
		return false;
	if (a[0] == '[' && colon[-1] != ']')
		return false;
	for (const char *p = a; p < colon; p++)
		if (!isalnum((unsigned char)*p) && strchr(".-_:[]", *p) == NULL)
			return false;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	return errno == 0 && *end == '\0' && colon[1] != '\0' && port >= 1 && port <= 65535;
}

int
stir_config_redis_check(const struct stir_config *cfg, char *msg, size_t msglen)
{
	char list[1024], *save = NULL, *tok;
	size_t n = 0;

	if (cfg->redis[0] != '\0' && !redis_address_ok(cfg->redis, true)) {
		snprintf(msg, msglen, "'redis' is host:port, [IPv6]:port or unix:/path");
		return STIR_EINVAL;
	}
	if (strlen(cfg->redis_sentinels) >= sizeof(list)) {
		snprintf(msg, msglen, "'redis_sentinels' is too long");
		return STIR_EINVAL;
	}
	snprintf(list, sizeof(list), "%s", cfg->redis_sentinels);
	for (tok = strtok_r(list, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		if (!redis_address_ok(tok, false) || ++n > STIR_REDIS_SENTINELS_MAX) {
			snprintf(msg, msglen, "'redis_sentinels' is a list of at most %d host:port,"
			    " separated by commas", STIR_REDIS_SENTINELS_MAX);
			return STIR_EINVAL;
		}
	}
	if (n > 0 && cfg->redis[0] != '\0') {
		snprintf(msg, msglen, "'redis' and 'redis_sentinels' exclude each other"
		    " (with Sentinel, the master is asked of the sentinels)");
		return STIR_EINVAL;
	}
	if ((n > 0) != (cfg->redis_master[0] != '\0')) {
		snprintf(msg, msglen, "'redis_sentinels' and 'redis_master' go together");
		return STIR_EINVAL;
	}
	if (strlen(cfg->redis_master) > 64 || strlen(cfg->redis_user) > 128 ||
	    strlen(cfg->redis_sentinel_user) > 128) {
		snprintf(msg, msglen, "'redis_master', 'redis_user' or 'redis_sentinel_user'"
		    " is too long");
		return STIR_EINVAL;
	}
	if (n == 0 && (cfg->redis_sentinel_user[0] != '\0' ||
	    cfg->redis_sentinel_password_file[0] != '\0')) {
		snprintf(msg, msglen, "'redis_sentinel_user' and 'redis_sentinel_password_file'"
		    " are for 'redis_sentinels'");
		return STIR_EINVAL;
	}
	if (cfg->redis_sentinel_user[0] != '\0' && cfg->redis_sentinel_password_file[0] == '\0') {
		snprintf(msg, msglen, "'redis_sentinel_user' needs 'redis_sentinel_password_file'");
		return STIR_EINVAL;
	}
	if (cfg->redis_tls && strncmp(cfg->redis, "unix:", 5) == 0) {
		snprintf(msg, msglen, "'redis_tls' is for TCP: a Unix socket is local");
		return STIR_EINVAL;
	}
	if ((cfg->redis_tls_cert_file[0] != '\0') != (cfg->redis_tls_key_file[0] != '\0')) {
		snprintf(msg, msglen, "'redis_tls_cert_file' and 'redis_tls_key_file' go together");
		return STIR_EINVAL;
	}
	if (strlen(cfg->redis_tls_name) > 253) {
		snprintf(msg, msglen, "'redis_tls_name' is too long");
		return STIR_EINVAL;
	}
	for (const char *p = cfg->redis_user; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f) {
			snprintf(msg, msglen, "'redis_user' has a space or a control character");
			return STIR_EINVAL;
		}
	for (const char *p = cfg->redis_sentinel_user; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f) {
			snprintf(msg, msglen, "'redis_sentinel_user' has a space or a control"
			    " character");
			return STIR_EINVAL;
		}
	n = strlen(cfg->redis_prefix);
	if (n == 0 || n > 64 || strspn(cfg->redis_prefix, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.-{}") != n) {
		snprintf(msg, msglen, "'redis_prefix' is 1 to 64 letters, digits and :_.-{}");
		return STIR_EINVAL;
	}
	return STIR_OK;
}

int
stir_config_defaults(struct stir_config **ret_cfg)
{
	struct stir_config *cfg;
	char msg[256];
	int r;

	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return STIR_ENOMEM;
	cfg->refs = 1;
	if ((r = conffile_defaults(keys, NKEYS, cfg, msg, sizeof(msg))) != STIR_OK) {
		stir_config_free(cfg);
		return r;
	}
	*ret_cfg = cfg;
	return STIR_OK;
}

int
stir_config_parse(const char *path, const char *text, size_t len,
    struct stir_config **ret_cfg, char *errbuf, size_t errlen)
{
	struct stir_config *cfg = NULL;
	char msg[256];
	int r;

	if ((r = stir_config_defaults(&cfg)) != STIR_OK) {
		snprintf(errbuf, errlen, "%s: out of memory", path);
		return r;
	}
	if ((cfg->path = strdup(path)) == NULL) {
		snprintf(errbuf, errlen, "%s: out of memory", path);
		r = STIR_ENOMEM;
		goto out;
	}
	if ((r = conffile_parse(keys, NKEYS, cfg, path, text, len, errbuf, errlen)) != STIR_OK)
		goto out;
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
	if (!stir_tnspec_list_ok(cfg->connected_identity)) {
		snprintf(errbuf, errlen, "%s: 'connected_identity' is a list of numbers, prefixes (1215555*) and ranges (a-b), separated by commas",
		    path);
		r = STIR_EINVAL;
		goto out;
	}
	if (stir_config_redis_check(cfg, msg, sizeof(msg)) != STIR_OK) {
		snprintf(errbuf, errlen, "%s: %s", path, msg);
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
 out:
	stir_config_free(cfg);
	return r;
}

int
stir_config_load(const char *path, struct stir_config **ret_cfg,
    char *errbuf, size_t errlen)
{
	char *text;
	size_t len;
	int r;

	if ((r = conffile_read(path, STIR_CONFIG_MAX_BYTES, &text, &len, errbuf,
	    errlen)) != STIR_OK)
		return r;
	r = stir_config_parse(path, text, len, ret_cfg, errbuf, errlen);
	free(text);
	return r;
}
