/*
 * conf.c: stird-sipd.conf, "key = value" lines as stird.conf has them
 * (stird-sipd(8)): '#' comments, a quoted value keeps blanks, unknown keys
 * and repeated keys are errors, except the repeatable listen_udp and
 * listen_tcp:
 *
 *	listen_udp = 127.0.0.1:5070 [mode=sign|verify|auto] [attest=A|B|C]
 *	listen_tcp = [::1]:5070
 *
 * and allow_from, a list of networks (192.0.2.0/24, 2001:db8::/32, a bare
 * address) that may also be given on several lines.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/base/conffile.h"
#include "client/stird-sipd/sipd.h"

#define CONF_MAX_BYTES	(256 * 1024)
#define DEFAULT_LISTEN	"127.0.0.1:5070"

static int	set_listen(void *, const struct conffile_key *, char *, char *, size_t);
static int	set_allow(void *, const struct conffile_key *, char *, char *, size_t);
static int	set_attest(void *, const struct conffile_key *, char *, char *, size_t);
static int	set_header(void *, const struct conffile_key *, char *, char *, size_t);

static const char *const modes[] = { "auto", "sign", "verify", NULL };
static const char *const failures[] = { "follow", "reject", "mark", NULL };

#define OFF(f)	offsetof(struct sipd_conf, f)
#define LISTEN(n, proto) \
	{ .name = n, .type = CONFFILE_CUSTOM, .flags = CONFFILE_REPEAT, .set = set_listen, \
	  .aux = proto }
#define OPTPATH(n, f) \
	{ .name = n, .type = CONFFILE_OPTPATH, .off = OFF(f), .dflt = "", \
	  .help = "an absolute path" }
#define UINT(n, f, lo, hi, d) \
	{ .name = n, .type = CONFFILE_UINT, .off = OFF(f), .min = lo, .max = hi, .dflt = d }
#define ENUM(n, f, d, names_, help_) \
	{ .name = n, .type = CONFFILE_ENUM, .off = OFF(f), .dflt = d, .names = names_, \
	  .help = help_ }

static const struct conffile_key keys[] = {
	LISTEN("listen_udp", SIPD_UDP),
	LISTEN("listen_tcp", SIPD_TCP),
	LISTEN("listen_tls", SIPD_TLS),
	OPTPATH("tls_cert", tls_cert),
	OPTPATH("tls_key", tls_key),
	OPTPATH("tls_client_ca", tls_client_ca),
	{ .name = "allow_from", .type = CONFFILE_CUSTOM, .flags = CONFFILE_REPEAT,
	  .set = set_allow },
	{ .name = "stird_socket", .type = CONFFILE_PATH, .off = OFF(stird_socket), .max = 108,
	  .dflt = STIR_RUNSTATEDIR "/stird/stird.sock",
	  .help = "an absolute path (under 108 bytes)" },
	UINT("upstream_connections", upstream_connections, 1, 16, "2"),
	UINT("deadline_ms", deadline_ms, 1, 600000, "3000"),
	ENUM("mode", mode, "auto", modes, "one of auto, sign, verify"),
	{ .name = "attest", .type = CONFFILE_CUSTOM, .off = OFF(attest), .dflt = "A",
	  .set = set_attest },
	{ .name = "attest_header", .type = CONFFILE_OPTSTRING, .off = OFF(attest_header),
	  .dflt = "", .set = set_header },
	ENUM("on_verify_failure", on_verify_failure, "follow", failures,
	    "one of follow, reject, mark"),
	UINT("max_message_bytes", max_message_bytes, 1024, 65535, "16384"),
	UINT("max_headers", max_headers, 8, 1000, "100"),
	UINT("max_connections", max_connections, 1, 65536, "256"),
	UINT("max_transactions", max_transactions, 16, 1000000, "8192"),
	UINT("idle_timeout_s", idle_timeout_s, 1, 86400, "120"),
	UINT("retry_after", retry_after, 1, 3600, "5"),
	{ .name = "log_level", .type = CONFFILE_LOGLEVEL, .off = OFF(log_level), .dflt = "info" },
};

#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

void
sipd_conf_free(struct sipd_conf *c)
{
	if (c == NULL)
		return;
	conffile_free(keys, NKEYS, c);
	free(c->path);
	free(c);
}

static int
find_name(const char *const *names, const char *v)
{
	for (int i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], v) == 0)
			return i;
	return -1;
}

/* "1.2.3.4:5070" or "[::1]:5070" */
static int
parse_addr(const char *v, struct sockaddr_storage *ss)
{
	char host[64];
	const char *colon;
	unsigned long port;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (*v == '[') {
		const char *close = strchr(v, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		hl = (size_t)(close - v - 1);
		colon = close + 1;
		v++;
	} else {
		if ((colon = strrchr(v, ':')) == NULL)
			return -1;
		hl = (size_t)(colon - v);
	}
	if (hl == 0 || hl >= sizeof(host) || conffile_uint(colon + 1, 10, &port) != 0 || port > 65535)
		return -1;
	memcpy(host, v, hl);
	host[hl] = '\0';
	if (uv_ip4_addr(host, (int)port, (struct sockaddr_in *)ss) == 0)
		return 0;
	if (uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)ss) == 0)
		return 0;
	return -1;
}

static int
set_listen(void *obj, const struct conffile_key *k, char *v, char *msg, size_t msglen)
{
	struct sipd_conf *c = obj;
	struct sipd_listen *l;
	char *word, *save = NULL;
	bool first = true;

	if (c->nlisten >= SIPD_MAX_LISTENERS) {
		snprintf(msg, msglen, "more than %d listeners", SIPD_MAX_LISTENERS);
		return STIR_EINVAL;
	}
	l = &c->listen[c->nlisten];
	memset(l, 0, sizeof(*l));
	l->proto = (enum sipd_proto)k->aux;
	l->mode = -1;
	for (word = strtok_r(v, " \t", &save); word != NULL; word = strtok_r(NULL, " \t", &save)) {
		if (first) {
			if (parse_addr(word, &l->addr) != 0) {
				snprintf(msg, msglen, "'%s' must be ADDRESS:PORT ([IPv6]:PORT), not '%.64s'",
				    k->name, word);
				return STIR_EINVAL;
			}
			snprintf(l->text, sizeof(l->text), "%s:%s", k->aux == SIPD_UDP ? "udp" :
			    k->aux == SIPD_TCP ? "tcp" : "tls", word);
			first = false;
		} else if (strncmp(word, "mode=", 5) == 0 && find_name(modes, word + 5) >= 0)
			l->mode = find_name(modes, word + 5);
		else if (strncmp(word, "attest=", 7) == 0 && strlen(word + 7) == 1 &&
		    strchr("ABC", word[7]) != NULL)
			l->attest[0] = word[7];
		else {
			snprintf(msg, msglen, "'%s': unknown option '%.64s' (mode=auto|sign|verify, attest=A|B|C)",
			    k->name, word);
			return STIR_EINVAL;
		}
	}
	if (first) {
		snprintf(msg, msglen, "'%s' needs ADDRESS:PORT", k->name);
		return STIR_EINVAL;
	}
	c->nlisten++;
	return STIR_OK;
}

static int
set_allow(void *obj, const struct conffile_key *k, char *v, char *msg, size_t msglen)
{
	struct sipd_conf *c = obj;
	char *word, *save = NULL;

	for (word = strtok_r(v, " \t,", &save); word != NULL; word = strtok_r(NULL, " \t,", &save)) {
		struct sipd_net *n;
		char *slash = strchr(word, '/');
		unsigned long bits = 0;
		int max;

		if (c->nallow >= SIPD_MAX_ALLOW) {
			snprintf(msg, msglen, "'%s': more than %d networks", k->name, SIPD_MAX_ALLOW);
			return STIR_EINVAL;
		}
		n = &c->allow[c->nallow];
		if (slash != NULL)
			*slash = '\0';
		if (inet_pton(AF_INET, word, n->addr) == 1) {
			n->family = AF_INET;
			max = 32;
		} else if (inet_pton(AF_INET6, word, n->addr) == 1) {
			n->family = AF_INET6;
			max = 128;
		} else {
			snprintf(msg, msglen, "'%s': '%.64s' is not an IPv4 or IPv6 address", k->name,
			    word);
			return STIR_EINVAL;
		}
		if (slash != NULL && (conffile_uint(slash + 1, 10, &bits) != 0 || bits > (unsigned)max)) {
			snprintf(msg, msglen, "'%s': bad prefix length '/%.8s'", k->name, slash + 1);
			return STIR_EINVAL;
		}
		n->bits = slash != NULL ? (unsigned)bits : (unsigned)max;
		c->nallow++;
	}
	return STIR_OK;
}

bool
sipd_conf_allowed(const struct sipd_conf *c, const struct sockaddr *sa)
{
	const uint8_t *a;
	uint8_t mapped[4];
	int family = sa->sa_family;

	if (c->nallow == 0)
		return true;
	if (family == AF_INET)
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	else if (family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)sa)->sin6_addr)) {
			memcpy(mapped, a + 12, 4);
			a = mapped;
			family = AF_INET;
		}
	} else
		return false;
	for (size_t i = 0; i < c->nallow; i++) {
		const struct sipd_net *n = &c->allow[i];
		unsigned full = n->bits / 8, rest = n->bits % 8;

		if (n->family != family || memcmp(a, n->addr, full) != 0)
			continue;
		if (rest == 0 || ((a[full] ^ n->addr[full]) & (0xff << (8 - rest))) == 0)
			return true;
	}
	return false;
}

static int
set_attest(void *obj, const struct conffile_key *k, char *v, char *msg, size_t msglen)
{
	char *dst = (char *)obj + k->off;

	if (strlen(v) != 1 || strchr("ABC", *v) == NULL) {
		snprintf(msg, msglen, "'%s' must be A, B or C", k->name);
		return STIR_EINVAL;
	}
	dst[0] = *v;
	dst[1] = '\0';
	return STIR_OK;
}

/* a header field name: an RFC 3261 token */
static int
set_header(void *obj, const struct conffile_key *k, char *v, char *msg, size_t msglen)
{
	for (const char *p = v; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("-.!%*_+`'~", *p) == NULL) {
			snprintf(msg, msglen, "'%s' must be a header field name", k->name);
			return STIR_EINVAL;
		}
	if (strlen(v) > 64) {
		snprintf(msg, msglen, "'%s' is too long", k->name);
		return STIR_EINVAL;
	}
	return conffile_set_string((char **)((char *)obj + k->off), v);
}

int
sipd_conf_parse(const char *path, const char *text, size_t len, struct sipd_conf **ret,
    char *err, size_t errlen)
{
	struct sipd_conf *c;
	char msg[384], dflt[64];
	size_t i;
	int r;

	if ((c = calloc(1, sizeof(*c))) == NULL || (c->path = strdup(path)) == NULL) {
		free(c);
		snprintf(err, errlen, "%s: out of memory", path);
		return STIR_ENOMEM;
	}
	if ((r = conffile_defaults(keys, NKEYS, c, msg, sizeof(msg))) != STIR_OK)
		goto bad;
	if ((r = conffile_parse(keys, NKEYS, c, path, text, len, err, errlen)) != STIR_OK)
		goto out;
	for (i = 0; i < c->nlisten; i++)
		if (c->listen[i].proto == SIPD_TLS && (c->tls_cert[0] == '\0' || c->tls_key[0] == '\0')) {
			snprintf(msg, sizeof(msg), "'listen_tls' needs 'tls_cert' and 'tls_key'");
			r = STIR_EINVAL;
			goto bad;
		}
	if (c->nlisten == 0) {
		/* neither listen_udp nor listen_tcp: both on the default */
		for (i = 0; i < 2; i++) {
			snprintf(dflt, sizeof(dflt), "%s", DEFAULT_LISTEN);
			if ((r = set_listen(c, &keys[i], dflt, msg, sizeof(msg))) != STIR_OK)
				goto bad;
		}
	}
	*ret = c;
	return STIR_OK;
 bad:
	snprintf(err, errlen, "%s: %s", path, msg);
 out:
	sipd_conf_free(c);
	return r;
}

int
sipd_conf_load(const char *path, struct sipd_conf **ret, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int r;

	if ((r = conffile_read(path, CONF_MAX_BYTES, &text, &len, err, errlen)) != STIR_OK)
		return r;
	r = sipd_conf_parse(path, text, len, ret, err, errlen);
	free(text);
	return r;
}
