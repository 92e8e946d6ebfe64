/*
 * auth.c: who may use the door.  Bearer tokens (tokens_file) and client
 * certificates by SHA-256 fingerprint (client_cert_grants), each granted
 * some of sign, verify and stats.  Tokens are kept only as their SHA-256
 * and compared in constant time.
 *
 * File format, one grant per line, '#' comments and blank lines ignored:
 *	<token> sign,verify,stats <name>
 *	<sha256 fingerprint, hex, colons allowed> sign,verify <name>
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <sodium.h>

#include "stirclient.h"
#include "client/stird-http/door.h"

#define AUTH_MAX_GRANTS		4096	/* lines of one file */
#define AUTH_TOKEN_MIN		16	/* characters of a token */
#define AUTH_TOKEN_MAX		512
#define AUTH_NAME_MAX		63

struct grant {
	uint8_t		 hash[32];	/* SHA-256 of the token, or the cert fingerprint */
	unsigned	 perms;
	char		 name[AUTH_NAME_MAX + 1];
};

struct auth {
	struct grant	*tokens;
	size_t		 ntokens;
	struct grant	*certs;
	size_t		 ncerts;
};

int
auth_parse_perms(const char *list, unsigned *ret_perms)
{
	static const struct { const char *w; unsigned p; } words[] = {
		{ "sign", PERM_SIGN }, { "verify", PERM_VERIFY }, { "stats", PERM_STATS },
	};
	unsigned perms = 0;
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ","), i;

		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i].w) == n && strncmp(p, words[i].w, n) == 0)
				break;
		if (i == sizeof(words) / sizeof(words[0]))
			return -1;
		perms |= words[i].p;
		p += n;
		if (*p == ',')
			p++;
	}
	if (perms == 0)
		return -1;
	*ret_perms = perms;
	return 0;
}

/* 64 hex digits, colons between bytes allowed, into 32 bytes. */
static bool
parse_fp(const char *s, uint8_t out[static 32])
{
	size_t n = 0;

	while (*s != '\0' && n < 64) {
		int v;

		if (*s == ':') {
			s++;
			continue;
		}
		if (!isxdigit((unsigned char)*s))
			return false;
		v = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);
		if (n % 2 == 0)
			out[n / 2] = (uint8_t)(v << 4);
		else
			out[n / 2] |= (uint8_t)v;
		n++;
		s++;
	}
	return n == 64 && *s == '\0';
}

static int
load_file(const char *path, bool certs, struct grant **ret, size_t *ret_n, char *err,
    size_t errlen)
{
	FILE *f = NULL;
	struct grant *g = NULL;
	char line[1024];
	size_t n = 0, lineno = 0;
	int r = STIR_EINVAL;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return STIR_EIO;
	}
	if ((g = calloc(AUTH_MAX_GRANTS, sizeof(*g))) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *secret, *perms, *name, *save = NULL;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%zu: line too long", path, lineno);
			goto out;
		}
		if ((secret = strtok_r(line, " \t\r\n", &save)) == NULL || *secret == '#')
			continue;
		perms = strtok_r(NULL, " \t\r\n", &save);
		name = strtok_r(NULL, " \t\r\n", &save);
		if (perms == NULL || name == NULL || strtok_r(NULL, " \t\r\n", &save) != NULL) {
			snprintf(err, errlen, "%s:%zu: expected '%s sign,verify,stats NAME'",
			    path, lineno, certs ? "FINGERPRINT" : "TOKEN");
			goto out;
		}
		if (n == AUTH_MAX_GRANTS) {
			snprintf(err, errlen, "%s:%zu: more than %d grants", path, lineno,
			    AUTH_MAX_GRANTS);
			goto out;
		}
		if (auth_parse_perms(perms, &g[n].perms) != 0) {
			snprintf(err, errlen, "%s:%zu: permissions are sign, verify and stats, "
			    "separated by commas", path, lineno);
			goto out;
		}
		if (strlen(name) > AUTH_NAME_MAX) {
			snprintf(err, errlen, "%s:%zu: name longer than %d", path, lineno,
			    AUTH_NAME_MAX);
			goto out;
		}
		snprintf(g[n].name, sizeof(g[n].name), "%s", name);
		if (certs) {
			if (!parse_fp(secret, g[n].hash)) {
				snprintf(err, errlen, "%s:%zu: not a SHA-256 fingerprint (64 hex digits)",
				    path, lineno);
				goto out;
			}
		} else {
			size_t tl = strlen(secret);

			if (tl < AUTH_TOKEN_MIN || tl > AUTH_TOKEN_MAX) {
				snprintf(err, errlen, "%s:%zu: a token has %d to %d characters",
				    path, lineno, AUTH_TOKEN_MIN, AUTH_TOKEN_MAX);
				goto out;
			}
			if (gnutls_hash_fast(GNUTLS_DIG_SHA256, secret, tl, g[n].hash) < 0) {
				r = STIR_ECRYPTO;
				goto out;
			}
			sodium_memzero(secret, tl);
		}
		n++;
	}
	*ret = g;
	*ret_n = n;
	g = NULL;
	r = STIR_OK;
 out:
	sodium_memzero(line, sizeof(line));
	free(g);
	fclose(f);
	return r;
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	free(a->tokens);
	free(a->certs);
	free(a);
}

int
auth_load(const struct http_conf *cf, struct auth **ret, char *err, size_t errlen)
{
	struct auth *a;
	int r = STIR_OK;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return STIR_ENOMEM;
	if (*cf->tokens_file != '\0' &&
	    (r = load_file(cf->tokens_file, false, &a->tokens, &a->ntokens, err, errlen)) != STIR_OK)
		goto out;
	if (*cf->client_cert_grants != '\0' &&
	    (r = load_file(cf->client_cert_grants, true, &a->certs, &a->ncerts, err, errlen)) != STIR_OK)
		goto out;
	*ret = a;
	a = NULL;
 out:
	auth_free(a);
	return r;
}

bool
auth_has_tokens(const struct auth *a)
{
	return a->tokens != NULL;
}

/* Look hash up, every entry compared (constant time per entry). */
static unsigned
lookup(const struct grant *g, size_t n, const uint8_t hash[static 32], char *name,
    size_t namelen)
{
	unsigned perms = 0;

	for (size_t i = 0; i < n; i++)
		if (sodium_memcmp(g[i].hash, hash, 32) == 0 && perms == 0) {
			perms = g[i].perms;
			snprintf(name, namelen, "%s", g[i].name);
		}
	return perms;
}

unsigned
auth_token(const struct auth *a, const char *token, char *name, size_t namelen)
{
	uint8_t h[32];
	size_t tl = strlen(token);

	if (tl < AUTH_TOKEN_MIN || tl > AUTH_TOKEN_MAX ||
	    gnutls_hash_fast(GNUTLS_DIG_SHA256, token, tl, h) < 0)
		return 0;
	return lookup(a->tokens, a->ntokens, h, name, namelen);
}

unsigned
auth_cert(const struct auth *a, const uint8_t *der, size_t len, char *name, size_t namelen)
{
	uint8_t h[32];

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, der, len, h) < 0)
		return 0;
	return lookup(a->certs, a->ncerts, h, name, namelen);
}
