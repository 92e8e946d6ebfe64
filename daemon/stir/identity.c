/* identity.c: parsing Identity header field values (RFC 8224). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stirclient.h"
#include "daemon/stir/identity.h"
#include "daemon/stir/passport.h"

void
stir_identity_free(struct stir_identity *id)
{
	if (id == NULL)
		return;
	free(id->jws);
	free(id->info);
	free(id->alg);
	free(id->ppt);
	free(id);
}

const char *
stir_identity_sig(const struct stir_identity *id)
{
	return id->jws + id->hlen + 1 + id->plen + 1;
}

/* Linear white space: blanks, and CRLF (or LF) followed by a blank. */
static const char *
skip_lws(const char *p, const char *end)
{
	for (;;) {
		if (p < end && (*p == ' ' || *p == '\t'))
			p++;
		else if (p + 1 < end && *p == '\n' && (p[1] == ' ' || p[1] == '\t'))
			p += 2;
		else if (p + 2 < end && *p == '\r' && p[1] == '\n' &&
		    (p[2] == ' ' || p[2] == '\t'))
			p += 3;
		else
			return p;
	}
}

static bool
is_b64url(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

/* RFC 3261 token characters. */
static bool
is_token(char c)
{
	return isalnum((unsigned char)c) || strchr("-.!%*_+`'~", c) != NULL;
}

static char *
dup_span(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s != NULL) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

/* Parse "h.p.s" or "..s" into id. */
static int
parse_digest(const char *p, size_t n, struct stir_identity *id, char *msg, size_t msglen)
{
	const char *d1, *d2;
	size_t sl;

	if ((d1 = memchr(p, '.', n)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', (size_t)(p + n - d1 - 1))) == NULL ||
	    memchr(d2 + 1, '.', (size_t)(p + n - d2 - 1)) != NULL) {
		snprintf(msg, msglen, "the PASSporT is not header.payload.signature or ..signature");
		return STIR_EINVAL;
	}
	id->hlen = (size_t)(d1 - p);
	id->plen = (size_t)(d2 - d1 - 1);
	sl = (size_t)(p + n - d2 - 1);
	if (sl == 0) {
		snprintf(msg, msglen, "the PASSporT has no signature");
		return STIR_EINVAL;
	}
	if ((id->hlen == 0) != (id->plen == 0)) {
		snprintf(msg, msglen, "the PASSporT has a header or a payload but not both");
		return STIR_EINVAL;
	}
	id->compact = id->hlen == 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] != '.' && !is_b64url(p[i])) {
			snprintf(msg, msglen, "the PASSporT has a character outside base64url at %zu",
			    i);
			return STIR_EINVAL;
		}
	if ((id->jws = dup_span(p, n)) == NULL)
		return STIR_ENOMEM;
	return STIR_OK;
}

int
stir_identity_parse(const char *value, size_t len, struct stir_identity **ret,
    char *msg, size_t msglen)
{
	struct stir_identity *id;
	const char *p = value, *end = value + len, *q;
	int r = STIR_EINVAL, nparams = 0;

	if (len == 0 || len > STIR_IDENTITY_MAX) {
		snprintf(msg, msglen, "the Identity value is empty or longer than %d bytes",
		    STIR_IDENTITY_MAX);
		return STIR_EINVAL;
	}
	if (memchr(value, '\0', len) != NULL) {
		snprintf(msg, msglen, "the Identity value holds a NUL byte");
		return STIR_EINVAL;
	}
	if ((id = calloc(1, sizeof(*id))) == NULL)
		return STIR_ENOMEM;
	p = skip_lws(p, end);
	/* tolerate the header name given with its value */
	if ((size_t)(end - p) > 9 && strncasecmp(p, "identity:", 9) == 0)
		p = skip_lws(p + 9, end);
	else if ((size_t)(end - p) > 2 && strncasecmp(p, "y:", 2) == 0)
		p = skip_lws(p + 2, end);
	/* the digest runs to the first ';' or blank */
	for (q = p; q < end && *q != ';' && *q != ' ' && *q != '\t' && *q != '\r' &&
	    *q != '\n'; q++)
		;
	if ((r = parse_digest(p, (size_t)(q - p), id, msg, msglen)) != STIR_OK)
		goto out;
	p = skip_lws(q, end);
	r = STIR_EINVAL;
	while (p < end) {
		const char *name, *val;
		size_t nl, vl;
		char **slot = NULL;
		bool angle = false;	/* the value was <...> */

		if (*p != ';') {
			snprintf(msg, msglen, "expected ';' after the PASSporT or a parameter");
			goto out;
		}
		if (++nparams > STIR_IDENTITY_PARAMS) {
			snprintf(msg, msglen, "more than %d parameters", STIR_IDENTITY_PARAMS);
			goto out;
		}
		p = skip_lws(p + 1, end);
		for (name = p; p < end && is_token(*p); p++)
			;
		nl = (size_t)(p - name);
		if (nl == 0) {
			snprintf(msg, msglen, "a parameter has no name");
			goto out;
		}
		p = skip_lws(p, end);
		val = NULL;
		vl = 0;
		if (p < end && *p == '=') {
			p = skip_lws(p + 1, end);
			if (p < end && *p == '<') {		/* <absoluteURI> */
				const char *gt = memchr(p, '>', (size_t)(end - p));

				if (gt == NULL) {
					snprintf(msg, msglen, "a '<' without '>'");
					goto out;
				}
				val = p;
				vl = (size_t)(gt - p + 1);
				p = gt + 1;
				angle = true;
			} else if (p < end && *p == '"') {	/* quoted-string */
				const char *s = p + 1;

				while (s < end && *s != '"')
					s += (*s == '\\' && s + 1 < end) ? 2 : 1;
				if (s >= end) {
					snprintf(msg, msglen, "an unterminated quoted string");
					goto out;
				}
				val = p + 1;
				vl = (size_t)(s - p - 1);
				p = s + 1;
			} else {
				for (val = p; p < end && (is_token(*p) || *p == ':' ||
				    *p == '/' || *p == '[' || *p == ']'); p++)
					;
				vl = (size_t)(p - val);
			}
		}
		p = skip_lws(p, end);
		if (nl == 4 && strncasecmp(name, "info", 4) == 0) {
			/* ident-info = LAQUOT absoluteURI RAQUOT: never quoted */
			if (!angle || val == NULL || vl < 3 || val[0] != '<' || val[vl - 1] != '>') {
				snprintf(msg, msglen, "info is not <URI>");
				goto out;
			}
			val++;
			vl -= 2;
			for (size_t i = 0; i < vl; i++)
				if ((unsigned char)val[i] <= 0x20 || (unsigned char)val[i] >= 0x7f ||
				    val[i] == '<' || val[i] == '>' || val[i] == '"' || val[i] == '\\') {
					snprintf(msg, msglen, "info has a character not allowed in a URI");
					goto out;
				}
			slot = &id->info;
		} else if (nl == 3 && strncasecmp(name, "alg", 3) == 0)
			slot = &id->alg;
		else if (nl == 3 && strncasecmp(name, "ppt", 3) == 0)
			slot = &id->ppt;
		else
			continue;		/* unknown parameters are ignored */
		if (*slot != NULL) {
			snprintf(msg, msglen, "the parameter '%.*s' appears twice", (int)nl, name);
			goto out;
		}
		if (val == NULL || vl == 0 || (slot != &id->info && vl > STIR_PPT_MAX)) {
			snprintf(msg, msglen, "the parameter '%.*s' has no usable value", (int)nl, name);
			goto out;
		}
		if ((*slot = dup_span(val, vl)) == NULL) {
			r = STIR_ENOMEM;
			goto out;
		}
	}
	if (id->info == NULL) {
		snprintf(msg, msglen, "the Identity value has no info parameter");
		goto out;
	}
	*ret = id;
	id = NULL;
	r = STIR_OK;
 out:
	stir_identity_free(id);
	return r;
}

json_t *
stir_identity_json(const char *b64, size_t len)
{
	uint8_t *bin = NULL;
	size_t n = 0;
	json_t *v;

	if (len == 0 || len > STIR_JWS_PART_MAX * 4 / 3 + 4 ||
	    stir_b64url_decode(b64, len, &bin, &n) != STIR_OK)
		return NULL;
	v = json_loadb((const char *)bin, n, JSON_REJECT_DUPLICATES, NULL);
	free(bin);
	if (v != NULL && !json_is_object(v)) {
		json_decref(v);
		return NULL;
	}
	return v;
}

int
stir_identity_payload(const struct stir_identity *id, json_t **ret)
{
	if (id->compact || (*ret = stir_identity_json(id->jws + id->hlen + 1, id->plen)) == NULL)
		return STIR_EINVAL;
	return STIR_OK;
}
