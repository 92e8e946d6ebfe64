/* rcd.c: Rich Call Data claims on the verifying side (see rcd.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <sodium.h>

#include "stirclient.h"
#include "daemon/stir/passport.h"
#include "daemon/stir/rcd.h"
#include "daemon/stir/url.h"

static int
opt_string(json_t *o, const char *key, size_t max, const char **ret, char *msg, size_t msglen)
{
	json_t *v = json_object_get(o, key);

	*ret = NULL;
	if (v == NULL)
		return STIR_OK;
	if (!json_is_string(v) || json_string_length(v) > max) {
		snprintf(msg, msglen, "rcd member '%s' is not a string of at most %zu bytes",
		    key, max);
		return STIR_EINVAL;
	}
	*ret = json_string_value(v);
	return STIR_OK;
}

/* The rcd object's own members (RFC 9795 section 5.1); crn is read apart. */
static int
read_rcd_object(json_t *rcd, struct stir_rcd *r, char *msg, size_t msglen)
{
	if (!json_is_object(rcd)) {
		snprintf(msg, msglen, "rcd is not an object");
		return STIR_EINVAL;
	}
	if (opt_string(rcd, "nam", STIR_RCD_NAM_MAX, &r->nam, msg, msglen) != STIR_OK ||
	    opt_string(rcd, "apn", STIR_RCD_NAM_MAX, &r->apn, msg, msglen) != STIR_OK ||
	    opt_string(rcd, "icn", STIR_RCD_ICN_MAX, &r->icn, msg, msglen) != STIR_OK ||
	    opt_string(rcd, "jcl", STIR_RCD_NAM_MAX, &r->jcl, msg, msglen) != STIR_OK)
		return STIR_EINVAL;
	if (r->nam == NULL) {		/* 5.1.1: "MUST be included once" */
		snprintf(msg, msglen, "rcd has no nam");
		return STIR_EINVAL;
	}
	r->jcd = json_object_get(rcd, "jcd");
	if (r->jcd != NULL && r->jcl != NULL) {
		snprintf(msg, msglen, "rcd has both jcd and jcl");
		return STIR_EINVAL;
	}
	if (r->jcd != NULL && (!json_is_array(r->jcd) || json_array_size(r->jcd) != 2 ||
	    !json_is_string(json_array_get(r->jcd, 0)) ||
	    strcmp(json_string_value(json_array_get(r->jcd, 0)), "vcard") != 0 ||
	    !json_is_array(json_array_get(r->jcd, 1)))) {
		snprintf(msg, msglen, "rcd jcd is not a jCard");
		return STIR_EINVAL;
	}
	/* an icn data: URI carries the image itself (the section 8.3 example) */
	r->icn_data = r->icn != NULL && strncasecmp(r->icn, "data:", 5) == 0;
	if ((r->icn != NULL && !r->icn_data && (strlen(r->icn) > STIR_RCD_NAM_MAX ||
	    !stir_url_rcd_ok(r->icn))) || (r->jcl != NULL && !stir_url_rcd_ok(r->jcl))) {
		snprintf(msg, msglen, "rcd icn (unless a data: URI) and jcl must be https URLs");
		return STIR_EINVAL;
	}
	return STIR_OK;
}

int
stir_rcd_read(json_t *payload, struct stir_rcd *ret, char *msg, size_t msglen)
{
	json_t *rcd = json_object_get(payload, "rcd"), *rcdi, *crn, *v;
	struct stir_rcd r;
	const char *k;

	memset(&r, 0, sizeof(r));
	crn = json_object_get(payload, "crn");
	if (rcd == NULL && crn == NULL)
		return STIR_ENOENT;
	r.obj = rcd;
	if (rcd != NULL && read_rcd_object(rcd, &r, msg, msglen) != STIR_OK)
		return STIR_EINVAL;
	if (crn != NULL && (!json_is_string(crn) || json_string_length(crn) > STIR_RCD_NAM_MAX)) {
		snprintf(msg, msglen, "crn is not a string of at most %d bytes", STIR_RCD_NAM_MAX);
		return STIR_EINVAL;
	}
	r.crn = json_string_value(crn);
	r.iss = json_string_value(json_object_get(payload, "iss"));
	rcdi = json_object_get(payload, "rcdi");
	if (rcdi != NULL && !json_is_object(rcdi)) {
		snprintf(msg, msglen, "rcdi is not an object");
		return STIR_EINVAL;
	}
	json_object_foreach(rcdi, k, v) {
		/* pointers into the rcd claim's content (RFC 6901) */
		if (k[0] != '/' || strlen(k) >= STIR_RCD_PTR_MAX || !json_is_string(v)) {
			snprintf(msg, msglen, "rcdi member '%.32s' is not a pointer with a digest", k);
			return STIR_EINVAL;
		}
	}
	r.rcdi = rcdi;
	if (r.icn != NULL && !r.icn_data) {
		r.refs[r.nrefs].ptr = "/icn";
		r.refs[r.nrefs].url = r.icn;
		r.refs[r.nrefs++].digest = json_string_value(json_object_get(rcdi, "/icn"));
	}
	if (r.jcl != NULL) {
		r.refs[r.nrefs].ptr = "/jcl";
		r.refs[r.nrefs].url = r.jcl;
		r.refs[r.nrefs++].digest = json_string_value(json_object_get(rcdi, "/jcl"));
	}
	*ret = r;
	return STIR_OK;
}

/*
 * RFC 9795 and RFC 9796 print every digest without '=' padding
 * ("sha256-" and 43 characters), and so does the signer here; Subresource
 * Integrity, which rcdi follows, writes standard base64 with padding.  A
 * verifier takes both (doc/rcd.md section 3).
 */
char *
stir_rcdi_sha256(const uint8_t *body, size_t len)
{
	uint8_t md[32];
	size_t n = sodium_base64_ENCODED_LEN(sizeof(md), sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	char *out;

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, body, len, md) < 0 ||
	    (out = malloc(7 + n)) == NULL)
		return NULL;
	memcpy(out, "sha256-", 7);
	sodium_bin2base64(out + 7, n, md, sizeof(md), sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	return out;
}

int
stir_rcdi_check(const char *digest, const uint8_t *body, size_t len)
{
	static const struct { const char *name; gnutls_digest_algorithm_t alg; size_t n; } algs[] = {
		{ "sha256-", GNUTLS_DIG_SHA256, 32 },
		{ "sha384-", GNUTLS_DIG_SHA384, 48 },
		{ "sha512-", GNUTLS_DIG_SHA512, 64 },
	};
	uint8_t want[64], got[64];
	size_t wl = 0;
	const char *end = NULL;

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		size_t pl = strlen(algs[i].name), bl, pad = 0;
		const char *b64 = digest + pl;

		if (strncmp(digest, algs[i].name, pl) != 0)
			continue;
		/* padding complete or absent, nothing in between */
		for (bl = strlen(b64); bl > 0 && b64[bl - 1] == '='; bl--)
			pad++;
		if ((pad != 0 && pad != (4 - bl % 4) % 4) ||
		    sodium_base642bin(want, sizeof(want), b64, bl, NULL, &wl, &end,
		    sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 || end != b64 + bl ||
		    wl != algs[i].n)
			return STIR_EINVAL;
		if (gnutls_hash_fast(algs[i].alg, body, len, got) < 0)
			return STIR_ECRYPTO;
		return sodium_memcmp(want, got, wl) == 0 ? STIR_OK : STIR_EPOLICY;
	}
	return STIR_EINVAL;
}

int
stir_rcdi_check_json(const char *digest, const json_t *value)
{
	char *s = stir_json_canonical(value);
	int r;

	if (s == NULL)
		return STIR_ENOMEM;
	r = stir_rcdi_check(digest, (const uint8_t *)s, strlen(s));
	free(s);
	return r;
}

char *
stir_rcdi_sha256_json(const json_t *value)
{
	char *s = stir_json_canonical(value), *d;

	if (s == NULL)
		return NULL;
	d = stir_rcdi_sha256((const uint8_t *)s, strlen(s));
	free(s);
	return d;
}

json_t *
stir_json_pointer(json_t *root, const char *ptr)
{
	json_t *v = root;
	char tok[STIR_RCD_PTR_MAX];

	if (strlen(ptr) >= STIR_RCD_PTR_MAX || (*ptr != '\0' && *ptr != '/'))
		return NULL;
	while (v != NULL && *ptr == '/') {
		size_t n = 0;
		char *endp;
		unsigned long idx;

		/* one reference token, "~1" for '/' and "~0" for '~' (RFC 6901 4) */
		for (ptr++; *ptr != '\0' && *ptr != '/'; ptr++) {
			if (*ptr == '~') {
				if (ptr[1] != '0' && ptr[1] != '1')
					return NULL;
				tok[n++] = ptr[1] == '0' ? '~' : '/';
				ptr++;
			} else
				tok[n++] = *ptr;
		}
		tok[n] = '\0';
		if (json_is_object(v))
			v = json_object_get(v, tok);
		else if (json_is_array(v)) {
			/* an index is "0" or digits without a leading zero */
			if (n == 0 || n > 6 || strspn(tok, "0123456789") != n ||
			    (n > 1 && tok[0] == '0'))
				return NULL;
			idx = strtoul(tok, &endp, 10);
			v = json_array_get(v, idx);
		} else
			return NULL;
	}
	return v;
}

/* Add the web URLs among the values of property prop (index i). */
static int
prop_refs(json_t *prop, size_t i, const char *base, json_t *rcdi,
    struct stir_rcd_nref *refs, size_t *n, char *msg, size_t msglen)
{
	json_t *name = json_array_get(prop, 0), *type = json_array_get(prop, 2), *v;

	if (!json_is_string(name) || !json_is_string(type) ||
	    strcasecmp(json_string_value(type), "uri") != 0)
		return STIR_OK;
	for (size_t k = 3; k < json_array_size(prop); k++) {
		struct stir_rcd_nref *f;
		const char *url;

		v = json_array_get(prop, k);
		if (!json_is_string(v) || !stir_url_is_web(url = json_string_value(v)))
			continue;
		if (*n == STIR_RCD_NESTED_MAX) {
			snprintf(msg, msglen, "the jCard of %s holds more than %d URLs", base,
			    STIR_RCD_NESTED_MAX);
			return STIR_ETOOBIG;
		}
		f = &refs[*n];
		snprintf(f->ptr, sizeof(f->ptr), "%s/1/%zu/%zu", base, i, k);
		if (!stir_url_rcd_ok(url)) {
			snprintf(msg, msglen, "the URL at %s is not a usable https URL", f->ptr);
			return STIR_EINVAL;
		}
		f->prop = json_string_value(name);
		f->url = url;
		f->digest = json_string_value(json_object_get(rcdi, f->ptr));
		(*n)++;
	}
	return STIR_OK;
}

int
stir_rcd_jcard_refs(json_t *jcard, const char *base, json_t *rcdi,
    struct stir_rcd_nref refs[static STIR_RCD_NESTED_MAX], size_t *ret_n,
    char *msg, size_t msglen)
{
	json_t *props = json_array_get(jcard, 1), *prop;
	size_t n = 0, i;
	int r;

	if (!json_is_array(jcard) || json_array_size(jcard) != 2 || !json_is_array(props) ||
	    !json_is_string(json_array_get(jcard, 0)) ||
	    strcmp(json_string_value(json_array_get(jcard, 0)), "vcard") != 0) {
		snprintf(msg, msglen, "the content of %s is not a jCard", base);
		return STIR_EINVAL;
	}
	json_array_foreach(props, i, prop) {
		if (json_is_array(prop) &&
		    (r = prop_refs(prop, i, base, rcdi, refs, &n, msg, msglen)) != STIR_OK)
			return r;
	}
	*ret_n = n;
	return STIR_OK;
}

bool
stir_rcd_prop_is_image(const char *prop)
{
	return strcasecmp(prop, "photo") == 0 || strcasecmp(prop, "logo") == 0;
}

/* Does s (n bytes) contain needle, ignoring ASCII case? */
static const uint8_t *
find_nocase(const uint8_t *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; k <= n && i <= n - k; i++)
		if (strncasecmp((const char *)s + i, needle, k) == 0)
			return s + i;
	return NULL;
}

/*
 * RCD content must not reference other content (one level of URLs): an
 * SVG with a script, an entity declaration, foreign content, or an href
 * or url() that is not a local "#fragment" is refused.  A scan that
 * refuses too much rather than too little.
 */
static bool
svg_self_contained(const uint8_t *b, size_t n)
{
	static const char *const banned[] = { "<script", "<!entity", "<!doctype", "<foreignobject",
	    "javascript:", "<iframe", "<embed", "<object", "@import" };
	static const char *const refs[] = { "href", "url(" };
	const uint8_t *p, *end = b + n;

	for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
		if (find_nocase(b, n, banned[i]) != NULL)
			return false;
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
		for (p = b; (p = find_nocase(p, (size_t)(end - p), refs[i])) != NULL; ) {
			p += strlen(refs[i]);
			while (p < end && strchr(" \t\r\n=\"'", *p) != NULL)
				p++;
			if (p < end && *p != '#')
				return false;
		}
	return true;
}

const char *
stir_rcd_icon_type(const uint8_t *b, size_t n)
{
	if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return "image/jpeg";
	if (n >= 4 && memmem(b, n < 1024 ? n : 1024, "<svg", 4) != NULL)
		return svg_self_contained(b, n) ? "image/svg+xml" : NULL;
	return NULL;
}

int
stir_rcd_jcard_check(json_t *jcard, const char *base, char *msg, size_t msglen)
{
	struct stir_rcd_nref refs[STIR_RCD_NESTED_MAX];
	size_t n = 0;

	return stir_rcd_jcard_refs(jcard, base, NULL, refs, &n, msg, msglen);
}

int
stir_rcd_jcard_parse(const uint8_t *body, size_t len, json_t **ret_jcard, char *msg,
    size_t msglen)
{
	json_t *j = NULL;
	int r = STIR_EINVAL;

	if ((j = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, NULL)) == NULL) {
		snprintf(msg, msglen, "the content of /jcl is not a jCard");
		goto out;
	}
	if ((r = stir_rcd_jcard_check(j, "/jcl", msg, msglen)) != STIR_OK)
		goto out;
	*ret_jcard = j;
	j = NULL;
 out:
	json_decref(j);
	return r;
}

/* Code points never shown: controls, bidi overrides and isolates, marks. */
static bool
hidden(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x061c || c == 0x200b ||
	    (c >= 0x200e && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069) || c == 0xfeff || c == '"' || c == '\\';
}

char *
stir_rcd_display_name(const char *nam)
{
	size_t n = strlen(nam), o = 0, chars = 0;
	const unsigned char *s = (const unsigned char *)nam;
	char *out = malloc(n + 1);

	if (out == NULL)
		return NULL;
	/* nam came through Jansson, so it is valid UTF-8 */
	for (size_t i = 0; i < n && chars < STIR_RCD_DISPLAY_MAX;) {
		size_t len = s[i] < 0x80 ? 1 : (s[i] & 0xe0) == 0xc0 ? 2 :
		    (s[i] & 0xf0) == 0xe0 ? 3 : 4;
		uint32_t c = len == 1 ? s[i] : len == 2 ? s[i] & 0x1f :
		    len == 3 ? s[i] & 0x0f : s[i] & 0x07;

		if (i + len > n)
			break;
		for (size_t k = 1; k < len; k++)
			c = (c << 6) | (s[i + k] & 0x3f);
		if (!hidden(c)) {
			memcpy(out + o, s + i, len);
			o += len;
			chars++;
		}
		i += len;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return out;
}

int
stir_rcd_data_icon(const char *uri, size_t max, const char **ret_type, char *msg,
    size_t msglen)
{
	static const char *const types[] = { "image/png", "image/jpeg", "image/svg+xml" };
	const char *comma = strchr(uri, ',');
	const char *sniffed, *declared = NULL, *end = NULL;
	size_t n = strlen(uri), blen = 0, len = 0;
	uint8_t *bin = NULL;
	int r = STIR_EINVAL;

	if (strncasecmp(uri, "data:", 5) != 0 || comma == NULL) {
		snprintf(msg, msglen, "the icn data: URI has no ','");
		return STIR_EINVAL;
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t tl = strlen(types[i]);

		/* "data:<type>;base64,": no other parameter */
		if ((size_t)(comma - uri) == 5 + tl + 7 && strncasecmp(uri + 5, types[i], tl) == 0 &&
		    strncasecmp(uri + 5 + tl, ";base64", 7) == 0)
			declared = types[i];
	}
	if (declared == NULL) {
		snprintf(msg, msglen, "the icn data: URI is not data:image/png, image/jpeg or image/svg+xml;base64,...");
		return STIR_EINVAL;
	}
	blen = n - (size_t)(comma + 1 - uri);
	if (blen / 4 * 3 > max + 3) {
		snprintf(msg, msglen, "the icon in the icn data: URI is larger than rcd_icon_max_bytes (%zu bytes)",
		    max);
		return STIR_ETOOBIG;
	}
	if ((bin = malloc(blen / 4 * 3 + 3)) == NULL)
		return STIR_ENOMEM;
	if (sodium_base642bin(bin, blen / 4 * 3 + 3, comma + 1, blen, NULL, &len, &end,
	    blen > 0 && comma[blen] == '=' ? sodium_base64_VARIANT_ORIGINAL :
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 || *end != '\0') {
		snprintf(msg, msglen, "the icn data: URI is not valid base64");
		goto out;
	}
	if (len > max) {
		snprintf(msg, msglen, "the icon in the icn data: URI is larger than rcd_icon_max_bytes (%zu bytes)",
		    max);
		r = STIR_ETOOBIG;
		goto out;
	}
	if ((sniffed = stir_rcd_icon_type(bin, len)) == NULL || strcmp(sniffed, declared) != 0) {
		snprintf(msg, msglen, "the icn data: URI does not hold the %s it declares", declared);
		goto out;
	}
	*ret_type = declared;
	r = STIR_OK;
 out:
	free(bin);
	return r;
}

/* RFC 3261 LWS and the characters of a token (section 25.1). */
#define SIP_LWS		" \t\r\n"
#define SIP_TOKEN	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~"

bool
stir_sip_display_name(const char *value, char *out, size_t outlen)
{
	const char *p = value + strspn(value, SIP_LWS);
	size_t o = 0;

	if (outlen == 0)
		return false;
	*out = '\0';
	if (*p == '"') {		/* quoted-string, with quoted-pairs */
		for (p++; *p != '\0' && *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (o + 1 >= outlen)
				return false;
			out[o++] = *p;
		}
		if (*p != '"')
			return false;
		out[o] = '\0';
		return true;
	}
	/* *(token LWS) before '<': the words, one space between them */
	while (*p != '\0' && *p != '<') {
		size_t t = strspn(p, SIP_TOKEN);

		/* the space before it (not the first), the token and the NUL */
		if (t == 0 || o + (o > 0) + t + 1 > outlen)
			return false;
		if (o > 0)
			out[o++] = ' ';
		memcpy(out + o, p, t);
		o += t;
		p += t;
		p += strspn(p, SIP_LWS);
	}
	out[o] = '\0';
	return *p == '<' && o > 0;
}
