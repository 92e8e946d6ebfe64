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
#include "client/stird-sipd/sipd.h"

#define CONF_LINE_MAX	4096
#define CONF_MAX_BYTES	(256 * 1024)
#define DEFAULT_LISTEN	"127.0.0.1:5070"

enum key_type { KT_PATH, KT_OPTPATH, KT_UINT, KT_ENUM, KT_ATTEST, KT_HEADER, KT_LOGLEVEL, KT_LISTEN,
	KT_ALLOW };

struct key_desc {
	const char		*name;
	enum key_type		 type;
	size_t			 off;
	unsigned		 min, max;
	const char		*dflt;
	const char *const	*names;		/* KT_ENUM */
	int			 proto;		/* KT_LISTEN */
};

static const char *const modes[] = { "auto", "sign", "verify", NULL };
static const char *const failures[] = { "follow", "reject", "mark", NULL };

#define OFF(f)	offsetof(struct sipd_conf, f)

static const struct key_desc keys[] = {
	{ "listen_udp", KT_LISTEN, 0, 0, 0, NULL, NULL, SIPD_UDP },
	{ "listen_tcp", KT_LISTEN, 0, 0, 0, NULL, NULL, SIPD_TCP },
	{ "listen_tls", KT_LISTEN, 0, 0, 0, NULL, NULL, SIPD_TLS },
	{ "tls_cert", KT_OPTPATH, OFF(tls_cert), 0, 0, "", NULL, 0 },
	{ "tls_key", KT_OPTPATH, OFF(tls_key), 0, 0, "", NULL, 0 },
	{ "tls_client_ca", KT_OPTPATH, OFF(tls_client_ca), 0, 0, "", NULL, 0 },
	{ "allow_from", KT_ALLOW, 0, 0, 0, NULL, NULL, 0 },
	{ "stird_socket", KT_PATH, OFF(stird_socket), 0, 0, STIR_RUNSTATEDIR "/stird/stird.sock", NULL, 0 },
	{ "upstream_connections", KT_UINT, OFF(upstream_connections), 1, 16, "2", NULL, 0 },
	{ "deadline_ms", KT_UINT, OFF(deadline_ms), 1, 600000, "3000", NULL, 0 },
	{ "mode", KT_ENUM, OFF(mode), 0, 0, "auto", modes, 0 },
	{ "attest", KT_ATTEST, OFF(attest), 0, 0, "A", NULL, 0 },
	{ "attest_header", KT_HEADER, OFF(attest_header), 0, 0, "", NULL, 0 },
	{ "on_verify_failure", KT_ENUM, OFF(on_verify_failure), 0, 0, "follow", failures, 0 },
	{ "max_message_bytes", KT_UINT, OFF(max_message_bytes), 1024, 65535, "16384", NULL, 0 },
	{ "max_headers", KT_UINT, OFF(max_headers), 8, 1000, "100", NULL, 0 },
	{ "max_connections", KT_UINT, OFF(max_connections), 1, 65536, "256", NULL, 0 },
	{ "max_transactions", KT_UINT, OFF(max_transactions), 16, 1000000, "8192", NULL, 0 },
	{ "idle_timeout_s", KT_UINT, OFF(idle_timeout_s), 1, 86400, "120", NULL, 0 },
	{ "retry_after", KT_UINT, OFF(retry_after), 1, 3600, "5", NULL, 0 },
	{ "log_level", KT_LOGLEVEL, OFF(log_level), 0, 0, "info", NULL, 0 },
};

#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

void
sipd_conf_free(struct sipd_conf *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->stird_socket);
	free(c->attest_header);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->tls_client_ca);
	free(c);
}

static int
parse_uint(const char *v, unsigned long *ret)
{
	char *end;
	unsigned long n;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*ret = n;
	return 0;
}

static int
set_string(char **dst, const char *v)
{
	char *s = strdup(v);

	if (s == NULL)
		return STIR_ENOMEM;
	free(*dst);
	*dst = s;
	return STIR_OK;
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
	if (hl == 0 || hl >= sizeof(host) || parse_uint(colon + 1, &port) != 0 || port > 65535)
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
set_listen(struct sipd_conf *c, const struct key_desc *k, char *v, char *msg, size_t msglen)
{
	struct sipd_listen *l;
	char *word, *save = NULL;
	bool first = true;

	if (c->nlisten >= SIPD_MAX_LISTENERS) {
		snprintf(msg, msglen, "more than %d listeners", SIPD_MAX_LISTENERS);
		return STIR_EINVAL;
	}
	l = &c->listen[c->nlisten];
	memset(l, 0, sizeof(*l));
	l->proto = (enum sipd_proto)k->proto;
	l->mode = -1;
	for (word = strtok_r(v, " \t", &save); word != NULL; word = strtok_r(NULL, " \t", &save)) {
		if (first) {
			if (parse_addr(word, &l->addr) != 0) {
				snprintf(msg, msglen, "'%s' must be ADDRESS:PORT ([IPv6]:PORT), not '%.64s'",
				    k->name, word);
				return STIR_EINVAL;
			}
			snprintf(l->text, sizeof(l->text), "%s:%s", k->proto == SIPD_UDP ? "udp" :
			    k->proto == SIPD_TCP ? "tcp" : "tls", word);
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
set_allow(struct sipd_conf *c, const struct key_desc *k, char *v, char *msg, size_t msglen)
{
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
		if (slash != NULL && (parse_uint(slash + 1, &bits) != 0 || bits > (unsigned)max)) {
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
set_key(struct sipd_conf *c, const struct key_desc *k, char *v, char *msg, size_t msglen)
{
	char *base = (char *)c;
	unsigned long n;
	int i;

	switch (k->type) {
	case KT_OPTPATH:
		if (*v == '\0')
			return set_string((char **)(base + k->off), v);
		if (*v != '/' || strlen(v) >= PATH_MAX) {
			snprintf(msg, msglen, "'%s' must be an absolute path", k->name);
			return STIR_EINVAL;
		}
		return set_string((char **)(base + k->off), v);
	case KT_PATH:
		if (*v != '/' || strlen(v) >= 108) {
			snprintf(msg, msglen, "'%s' must be an absolute path (under 108 bytes)", k->name);
			return STIR_EINVAL;
		}
		return set_string((char **)(base + k->off), v);
	case KT_UINT:
		if (parse_uint(v, &n) != 0 || n < k->min || n > k->max) {
			snprintf(msg, msglen, "'%s' must be an integer from %u to %u, not '%.64s'",
			    k->name, k->min, k->max, v);
			return STIR_EINVAL;
		}
		*(unsigned *)(base + k->off) = (unsigned)n;
		return STIR_OK;
	case KT_ENUM:
		if ((i = find_name(k->names, v)) < 0) {
			snprintf(msg, msglen, "'%s' must be one of %s, %s, %s", k->name,
			    k->names[0], k->names[1], k->names[2]);
			return STIR_EINVAL;
		}
		*(int *)(base + k->off) = i;
		return STIR_OK;
	case KT_ATTEST:
		if (strlen(v) != 1 || strchr("ABC", *v) == NULL) {
			snprintf(msg, msglen, "'%s' must be A, B or C", k->name);
			return STIR_EINVAL;
		}
		((char *)(base + k->off))[0] = *v;
		((char *)(base + k->off))[1] = '\0';
		return STIR_OK;
	case KT_HEADER:
		/* a header field name: an RFC 3261 token */
		for (const char *p = v; *p != '\0'; p++)
			if (!isalnum((unsigned char)*p) && strchr("-.!%*_+`'~", *p) == NULL) {
				snprintf(msg, msglen, "'%s' must be a header field name", k->name);
				return STIR_EINVAL;
			}
		if (strlen(v) > 64) {
			snprintf(msg, msglen, "'%s' is too long", k->name);
			return STIR_EINVAL;
		}
		return set_string((char **)(base + k->off), v);
	case KT_LOGLEVEL: {
		static const struct { const char *n; int l; } levels[] = {
			{ "error", STIR_LOG_ERR }, { "warning", STIR_LOG_WARNING },
			{ "notice", STIR_LOG_NOTICE }, { "info", STIR_LOG_INFO },
			{ "debug", STIR_LOG_DEBUG },
		};
		for (size_t j = 0; j < sizeof(levels) / sizeof(levels[0]); j++)
			if (strcmp(v, levels[j].n) == 0) {
				*(int *)(base + k->off) = levels[j].l;
				return STIR_OK;
			}
		snprintf(msg, msglen, "'%s' must be error, warning, notice, info or debug", k->name);
		return STIR_EINVAL;
	}
	case KT_LISTEN:
		return set_listen(c, k, v, msg, msglen);
	case KT_ALLOW:
		return set_allow(c, k, v, msg, msglen);
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

/* Split "key = value # comment" in place; NULL key for blank lines. */
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
sipd_conf_parse(const char *path, const char *text, size_t len, struct sipd_conf **ret,
    char *err, size_t errlen)
{
	struct sipd_conf *c;
	bool seen[NKEYS] = { false };
	char line[CONF_LINE_MAX + 1], msg[384], dflt[64];
	size_t pos = 0, lineno = 0, i;
	int r;

	if ((c = calloc(1, sizeof(*c))) == NULL || (c->path = strdup(path)) == NULL) {
		free(c);
		snprintf(err, errlen, "%s: out of memory", path);
		return STIR_ENOMEM;
	}
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].dflt == NULL)
			continue;
		snprintf(dflt, sizeof(dflt), "%s", keys[i].dflt);
		if ((r = set_key(c, &keys[i], dflt, msg, sizeof(msg))) != STIR_OK)
			goto bad;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
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
		if (seen[i] && keys[i].type != KT_LISTEN && keys[i].type != KT_ALLOW) {
			snprintf(msg, sizeof(msg), "'%s' is set twice", key);
			r = STIR_EINVAL;
			goto bad;
		}
		seen[i] = true;
		if ((r = set_key(c, &keys[i], val, msg, sizeof(msg))) != STIR_OK)
			goto bad;
	}
	lineno = 0;
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
	if (lineno > 0)
		snprintf(err, errlen, "%s:%zu: %s", path, lineno, msg);
	else
		snprintf(err, errlen, "%s: %s", path, msg);
	sipd_conf_free(c);
	return r;
}

int
sipd_conf_load(const char *path, struct sipd_conf **ret, char *err, size_t errlen)
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
	if (st.st_size > CONF_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, CONF_MAX_BYTES);
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
	r = sipd_conf_parse(path, text, got, ret, err, errlen);
 out:
	free(text);
	close(fd);
	return r;
}
