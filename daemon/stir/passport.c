/* passport.c: PASSporT claims, canonical JSON and JWS assembly. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"
#include "stirclient.h"
#include "daemon/stir/passport.h"

#define B64URL	sodium_base64_VARIANT_URLSAFE_NO_PADDING

char *
stir_b64url_encode(const uint8_t *bin, size_t len)
{
	size_t n = sodium_base64_encoded_len(len, B64URL);
	char *s = malloc(n);

	if (s == NULL)
		return NULL;
	sodium_bin2base64(s, n, bin, len, B64URL);
	return s;
}

int
stir_b64url_decode(const char *s, size_t len, uint8_t **ret, size_t *ret_len)
{
	size_t cap = len / 4 * 3 + 3, out = 0;
	const char *end = NULL;
	uint8_t *bin;

	/* libsodium 1.0.18 lets some bytes >= 0x80 through: check the
	 * alphabet first, then let it decode */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '-' && c != '_')
			return STIR_EINVAL;
	}
	if ((bin = malloc(cap + 1)) == NULL)
		return STIR_ENOMEM;
	if (sodium_base642bin(bin, cap, s, len, NULL, &out, &end, B64URL) != 0 ||
	    end != s + len) {
		free(bin);
		return STIR_EINVAL;
	}
	*ret = bin;
	*ret_len = out;
	return STIR_OK;
}

char *
stir_json_canonical(const json_t *v)
{
	/* Jansson sorts by byte order, which is code-point order in UTF-8;
	 * it does not escape '/' unless asked (JSON_ESCAPE_SLASH). */
	return stir_json_dump(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY, 0, NULL);
}

int
stir_uuid_check(const char *s)
{
	if (strlen(s) != STIR_UUID_LEN)
		return STIR_EINVAL;
	for (int i = 0; i < STIR_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return STIR_EINVAL;
		} else if (!isxdigit((unsigned char)s[i]))
			return STIR_EINVAL;
	}
	return STIR_OK;
}

void
stir_uuid_v4(char out[static STIR_UUID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t b[16];
	size_t o = 0;

	randombytes_buf(b, sizeof(b));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
}

/* dest: {"tn":[...],"uri":[...]}, each array sorted (RFC 8225 5.2.1). */
static json_t *
ident_dest(const struct stir_ident *ids, size_t n)
{
	json_t *dest = json_object(), *tn = json_array(), *uri = json_array();
	const char *sorted[STIR_MAX_DEST];
	size_t ns;

	if (dest == NULL || tn == NULL || uri == NULL)
		goto fail;
	for (int kind = STIR_IDENT_TN; kind < _STIR_IDENT_KIND_MAX; kind++) {
		json_t *arr = kind == STIR_IDENT_TN ? tn : uri;

		ns = 0;
		for (size_t i = 0; i < n; i++)
			if ((int)ids[i].kind == kind)
				sorted[ns++] = ids[i].value;
		/* insertion sort; n <= STIR_MAX_DEST; duplicates dropped */
		for (size_t i = 1; i < ns; i++)
			for (size_t j = i; j > 0 && strcmp(sorted[j - 1], sorted[j]) > 0; j--) {
				const char *t = sorted[j];

				sorted[j] = sorted[j - 1];
				sorted[j - 1] = t;
			}
		for (size_t i = 0; i < ns; i++) {
			if (i > 0 && strcmp(sorted[i - 1], sorted[i]) == 0)
				continue;
			if (json_array_append_new(arr, json_string(sorted[i])) != 0)
				goto fail;
		}
	}
	if (json_array_size(tn) > 0 && json_object_set(dest, "tn", tn) != 0)
		goto fail;
	if (json_array_size(uri) > 0 && json_object_set(dest, "uri", uri) != 0)
		goto fail;
	json_decref(tn);
	json_decref(uri);
	return dest;
 fail:
	json_decref(dest);
	json_decref(tn);
	json_decref(uri);
	return NULL;
}

static char *
b64url_json(const json_t *v)
{
	char *s, *b;

	if ((s = stir_json_canonical(v)) == NULL)
		return NULL;
	b = stir_b64url_encode((const uint8_t *)s, strlen(s));
	free(s);
	return b;
}

int
stir_passport_header(const char *x5u, const char *ppt, json_t **ret_header,
    char **ret_b64)
{
	json_t *header;
	char *b;

	header = json_pack("{s:s, s:s, s:s, s:s}", "alg", "ES256", "ppt", ppt,
	    "typ", "passport", "x5u", x5u);
	if (header == NULL)
		return STIR_ENOMEM;
	if ((b = b64url_json(header)) == NULL) {
		json_decref(header);
		return STIR_ENOMEM;
	}
	*ret_header = header;
	*ret_b64 = b;
	return STIR_OK;
}

int
stir_passport_signing_input(const char *header_b64, const json_t *payload,
    char **ret_tbs)
{
	char *p64, *tbs;
	size_t hl, pl;

	if ((p64 = b64url_json(payload)) == NULL)
		return STIR_ENOMEM;
	hl = strlen(header_b64);
	pl = strlen(p64);
	if ((tbs = malloc(hl + pl + 2)) == NULL) {
		free(p64);
		return STIR_ENOMEM;
	}
	memcpy(tbs, header_b64, hl);
	tbs[hl] = '.';
	memcpy(tbs + hl + 1, p64, pl + 1);
	free(p64);
	*ret_tbs = tbs;
	return STIR_OK;
}

/* The claims every PASSporT has (RFC 8225): dest, iat, orig. */
static json_t *
base_claims(const struct stir_shaken_claims *c)
{
	return json_pack("{s:o, s:I, s:o}", "dest", ident_dest(c->dest, c->ndest),
	    "iat", (json_int_t)c->iat, "orig", stir_passport_ident(&c->orig));
}

/* Finish a payload: merge extra (may be NULL) and build the signing input. */
static int
finish(json_t *payload, const json_t *extra, const char *header_b64,
    json_t **ret_payload, char **ret_tbs)
{
	int r = STIR_ENOMEM;

	if (payload == NULL)
		goto out;
	if (extra != NULL && json_object_update(payload, (json_t *)extra) != 0)
		goto out;
	if ((r = stir_passport_signing_input(header_b64, payload, ret_tbs)) != STIR_OK)
		goto out;
	*ret_payload = payload;
	payload = NULL;
 out:
	json_decref(payload);
	return r;
}

int
stir_passport_shaken(const struct stir_shaken_claims *c, const char *header_b64,
    json_t **ret_payload, char **ret_tbs)
{
	return stir_passport_shaken_with(c, NULL, header_b64, ret_payload, ret_tbs);
}

int
stir_passport_shaken_with(const struct stir_shaken_claims *c, const json_t *extra,
    const char *header_b64, json_t **ret_payload, char **ret_tbs)
{
	json_t *payload;
	char attest[2] = { c->attest, '\0' };

	if (c->ndest == 0 || c->ndest > STIR_MAX_DEST)
		return STIR_EINVAL;
	if ((payload = base_claims(c)) != NULL &&
	    (json_object_set_new(payload, "attest", json_string(attest)) != 0 ||
	    json_object_set_new(payload, "origid", json_string(c->origid)) != 0)) {
		json_decref(payload);
		return STIR_ENOMEM;
	}
	return finish(payload, extra, header_b64, ret_payload, ret_tbs);
}

int
stir_passport_rcd(const struct stir_shaken_claims *c, const json_t *rcd_claims,
    const char *header_b64, json_t **ret_payload, char **ret_tbs)
{
	if (c->ndest == 0 || c->ndest > STIR_MAX_DEST || rcd_claims == NULL ||
	    !json_is_object(json_object_get(rcd_claims, "rcd")))
		return STIR_EINVAL;
	return finish(base_claims(c), rcd_claims, header_b64, ret_payload, ret_tbs);
}

int
stir_passport_other(const struct stir_shaken_claims *c, const json_t *orig,
    const json_t *extra, const char *header_b64, json_t **ret_payload, char **ret_tbs)
{
	json_t *payload;

	if (c->ndest == 0 || c->ndest > STIR_MAX_DEST)
		return STIR_EINVAL;
	if ((payload = base_claims(c)) != NULL && orig != NULL &&
	    json_object_set_new(payload, "orig", json_deep_copy(orig)) != 0) {
		json_decref(payload);
		return STIR_ENOMEM;
	}
	return finish(payload, extra, header_b64, ret_payload, ret_tbs);
}

json_t *
stir_passport_ident(const struct stir_ident *id)
{
	return json_pack("{s:s}", id->kind == STIR_IDENT_TN ? "tn" : "uri", id->value);
}

char *
stir_identity_value(const char *tbs, const uint8_t *sig, size_t siglen,
    const char *x5u, const char *ppt)
{
	char *s64, *out;
	size_t n;

	if ((s64 = stir_b64url_encode(sig, siglen)) == NULL)
		return NULL;
	n = strlen(tbs) + strlen(s64) + strlen(x5u) + strlen(ppt) + 40;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, "%s.%s;info=<%s>;alg=ES256;ppt=%s", tbs, s64, x5u, ppt);
	free(s64);
	return out;
}

/*
 * The digits of a tn claim.  A signer should put the canonical form
 * there (RFC 8224 section 8.3: digits only, the leading '+' removed), but
 * some (secsipid, given an E.164 number with '+') sign "+12155551212".
 * It is the same number, and the signature covers the bytes as sent, so
 * a verifier applies the same canonicalization to the claim before it
 * compares (RFC 8224 section 6.2 step 2: the comparison is of canonical
 * forms): one leading '+' is dropped.  Anything else that is not a digit
 * fails.  Returns the digits (in out) or NULL.
 */
const char *
stir_claim_tn(const char *tn, char out[static STIR_TN_MAX + 1])
{
	size_t n;

	if (tn == NULL)
		return NULL;
	if (tn[0] == '+')
		tn++;
	n = strlen(tn);
	if (n == 0 || n > STIR_TN_MAX || strspn(tn, "0123456789") != n)
		return NULL;
	memcpy(out, tn, n + 1);
	return out;
}

/* {"tn":"..."} or {"uri":"..."}, canonicalized the way SIP fields are. */
int
stir_claim_ident(json_t *o, struct stir_ident *ret)
{
	const char *tn = json_string_value(json_object_get(o, "tn"));
	const char *uri = json_string_value(json_object_get(o, "uri"));
	char m[160];

	if (!json_is_object(o) || json_object_size(o) != 1 || (tn == NULL) == (uri == NULL))
		return STIR_EINVAL;
	if (tn != NULL) {
		if (stir_claim_tn(tn, ret->value) == NULL)
			return STIR_EINVAL;
		ret->kind = STIR_IDENT_TN;
		return STIR_OK;
	}
	return stir_ident_canon(uri, ret, m, sizeof(m));
}

bool
stir_ident_eq(const struct stir_ident *a, const struct stir_ident *b)
{
	return a->kind == b->kind && strcmp(a->value, b->value) == 0;
}

/* Is want among dest's tn or uri entries? */
bool
stir_dest_has(json_t *dest, const struct stir_ident *want)
{
	json_t *arr = json_object_get(dest, want->kind == STIR_IDENT_TN ? "tn" : "uri"), *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		struct stir_ident d;
		char m[160];

		if (!json_is_string(v))
			continue;
		if (want->kind == STIR_IDENT_TN) {
			char tn[STIR_TN_MAX + 1];

			if (stir_claim_tn(json_string_value(v), tn) != NULL &&
			    strcmp(tn, want->value) == 0)
				return true;
		} else if (stir_ident_canon(json_string_value(v), &d, m, sizeof(m)) == STIR_OK &&
		    stir_ident_eq(&d, want))
			return true;
	}
	return false;
}
