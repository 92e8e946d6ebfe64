/*
 * fuzz_rcd.c: Rich Call Data (daemon/stir/rcd.c).  The input is a PASSporT
 * payload as JSON; if Jansson does not take it and it is valid UTF-8, it
 * becomes the value of nam in {"rcd":{"nam":INPUT}}, so raw text reaches
 * the display-name sanitizer directly.  Then:
 *
 *  - stir_rcd_read(): STIR_OK, STIR_ENOENT or STIR_EINVAL (with a reason);
 *    STIR_ENOENT only when there is neither rcd nor crn; on STIR_OK rcd is
 *    an object with nam set, or absent with crn a string (RFC 9795 8) and
 *    no rcd member read; crn and iss are the payload's; icn is an RCD
 *    URL (stir_url_rcd_ok()) or (icn_data) a data: URI, jcl an RCD URL,
 *    jcd and jcl are not both there, jcd is a jCard, and refs are an
 *    https icn then jcl;
 *  - stir_rcd_data_icon() of a data: icn, of the raw input as a URI, and
 *    of "data:<type>;base64,<the input in base64>" for each type, padded
 *    and not: STIR_OK, STIR_EINVAL, STIR_ETOOBIG or STIR_ENOMEM, a reason
 *    on error; STIR_OK only with the type the URI declares, and for the
 *    built URIs exactly when stir_rcd_icon_type() of the input is that
 *    type (STIR_ETOOBIG when the input is over the bound);
 *  - stir_rcd_display_name() of nam: valid UTF-8 without C0/C1 controls,
 *    bidi overrides, isolates and marks, U+FEFF, '"' or '\\', at most
 *    STIR_RCD_DISPLAY_MAX characters, and the same again when sanitized
 *    twice;
 *  - stir_rcdi_check() of every rcdi digest over the input bytes, and of
 *    the raw input as a digest: one of STIR_OK, STIR_EPOLICY, STIR_EINVAL,
 *    STIR_ECRYPTO, and STIR_OK or STIR_EPOLICY only for "sha256-",
 *    "sha384-" or "sha512-" and base64 of the digest's length, unpadded
 *    or completely padded; the right sha256/384/512 digest of the input
 *    gives STIR_OK padded and unpadded, a wrong one STIR_EPOLICY, a
 *    partly padded or over-padded one STIR_EINVAL;
 *  - stir_rcdi_sha256_json() of the payload (and of every rcdi-named
 *    value): "sha256-" and 43 characters, that stir_rcdi_check_json()
 *    takes (with or without its one '='), the digest of its RFC 8225
 *    serialization, the same for the value parsed back from that
 *    serialization, STIR_EPOLICY for a changed value;
 *  - stir_json_pointer(): "" is the root; a pointer built from each member
 *    name (escaped "~0"/"~1") and each index, three levels down, names
 *    that member or element; the raw input as a pointer names something
 *    only if it starts with '/', is under STIR_RCD_PTR_MAX bytes and
 *    every '~' is followed by '0' or '1';
 *  - stir_sip_display_name() of the raw input: on true a NUL-terminated
 *    name that fits; unquoted, only token characters and single spaces
 *    before a '<'; the same name from a larger buffer, and again from the
 *    name written back as a quoted-string;
 *  - stir_rcd_icon_type() of the raw input, and the one rule for a usable
 *    jCard, stir_rcd_jcard_parse(): it admits exactly JSON text (no
 *    duplicate members) that stir_rcd_jcard_refs() accepts under "/jcl",
 *    with a reason otherwise and *ret_jcard untouched; an inline jcd
 *    written out is admitted iff stir_rcd_jcard_check() accepts it;
 *  - stir_rcd_jcard_refs() of an inline jcd, of the input when it is a
 *    jCard, and (valid UTF-8 input) of a jCard whose photo URI is the input
 *    and whose logo URI is "https://x.example/" and the input: STIR_OK,
 *    STIR_ETOOBIG or STIR_EINVAL (with a reason, *ret_n untouched); on
 *    STIR_OK exactly the http(s) values of "uri" properties, each an RCD
 *    URL, each pointer "<base>/1/<i>/<k>" naming that very value (k >= 3),
 *    and its digest the rcdi member of that pointer.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <sodium.h>

#include "stirclient.h"
#include "daemon/stir/passport.h"
#include "daemon/stir/rcd.h"
#include "daemon/stir/url.h"
#include "tests/fuzz/fuzz.h"

#define RCD_INPUT_MAX	(64 * 1024)
#define ICON_MAX	4096	/* the bound of the built data: URIs */

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF);
 * calls f on each code point unless f is NULL.  Returns the count, or -1. */
static long
utf8_each(const uint8_t *s, size_t n, bool (*f)(uint32_t))
{
	long count = 0;

	for (size_t i = 0; i < n; count++) {
		uint8_t b = s[i];
		size_t len;
		uint32_t c, min;

		if (b < 0x80) {
			len = 1; c = b; min = 0;
		} else if (b >= 0xc2 && b <= 0xdf) {
			len = 2; c = b & 0x1f; min = 0x80;
		} else if (b >= 0xe0 && b <= 0xef) {
			len = 3; c = b & 0x0f; min = 0x800;
		} else if (b >= 0xf0 && b <= 0xf4) {
			len = 4; c = b & 0x07; min = 0x10000;
		} else
			return -1;
		if (i + len > n)
			return -1;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return -1;
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return -1;
		if (f != NULL && !f(c))
			return -1;
		i += len;
	}
	return count;
}

/* May c appear in a display name? */
static bool
shown(uint32_t c)
{
	return !(c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x061c || c == 0x200b ||
	    c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069) || c == 0xfeff || c == '"' || c == '\\');
}

static void
display(const char *nam)
{
	char *out = stir_rcd_display_name(nam), *again;
	size_t n;
	long chars;

	FUZZ_ASSERT(out != NULL);
	n = strlen(out);
	FUZZ_ASSERT(n <= strlen(nam));
	chars = utf8_each((const uint8_t *)out, n, shown);
	FUZZ_ASSERT(chars >= 0 && chars <= STIR_RCD_DISPLAY_MAX);
	/* sanitizing is idempotent */
	again = stir_rcd_display_name(out);
	FUZZ_ASSERT(again != NULL && strcmp(again, out) == 0);
	free(again);
	free(out);
}

static bool
jcard_shape(json_t *j)
{
	return json_is_array(j) && json_array_size(j) == 2 &&
	    json_is_string(json_array_get(j, 0)) &&
	    strcmp(json_string_value(json_array_get(j, 0)), "vcard") == 0 &&
	    json_is_array(json_array_get(j, 1));
}

/* A value stir_rcd_jcard_refs() must report (http or https scheme)? */
static bool
web_value(json_t *prop, size_t k)
{
	json_t *type = json_array_get(prop, 2), *v = json_array_get(prop, k);

	return k >= 3 && json_is_string(json_array_get(prop, 0)) && json_is_string(type) &&
	    strcasecmp(json_string_value(type), "uri") == 0 && json_is_string(v) &&
	    stir_url_is_web(json_string_value(v));
}

static void
jcard_urls(json_t *jcard, const char *base, json_t *ri)
{
	struct stir_rcd_nref refs[STIR_RCD_NESTED_MAX];
	size_t n = (size_t)-1, want = 0, i, bl = strlen(base);
	json_t *props = json_array_get(jcard, 1), *prop;
	char msg[256];
	int rc;

	msg[0] = '\0';
	rc = stir_rcd_jcard_refs(jcard, base, ri, refs, &n, msg, sizeof(msg));
	FUZZ_ASSERT(rc == STIR_OK || rc == STIR_ETOOBIG || rc == STIR_EINVAL);
	if (rc != STIR_OK) {
		FUZZ_ASSERT(n == (size_t)-1);
		FUZZ_ASSERT(msg[0] != '\0' && FUZZ_IS_CSTR(msg, sizeof(msg)));
		return;
	}
	FUZZ_ASSERT(jcard_shape(jcard) && n <= STIR_RCD_NESTED_MAX);
	json_array_foreach(props, i, prop)
		for (size_t k = 3; json_is_array(prop) && k < json_array_size(prop); k++)
			want += web_value(prop, k);
	FUZZ_ASSERT(n == want);
	for (size_t j = 0; j < n; j++) {
		size_t pi, pk;
		int used = 0;

		FUZZ_ASSERT(FUZZ_IS_CSTR(refs[j].ptr, sizeof(refs[j].ptr)));
		FUZZ_ASSERT(strncmp(refs[j].ptr, base, bl) == 0);
		FUZZ_ASSERT(sscanf(refs[j].ptr + bl, "/1/%zu/%zu%n", &pi, &pk, &used) == 2 &&
		    refs[j].ptr[bl + (size_t)used] == '\0');
		prop = json_array_get(props, pi);
		FUZZ_ASSERT(json_is_array(prop) && web_value(prop, pk));
		FUZZ_ASSERT(refs[j].url == json_string_value(json_array_get(prop, pk)));
		FUZZ_ASSERT(refs[j].prop == json_string_value(json_array_get(prop, 0)));
		FUZZ_ASSERT(stir_url_rcd_ok(refs[j].url));
		FUZZ_ASSERT(refs[j].digest == json_string_value(json_object_get(ri, refs[j].ptr)));
		FUZZ_ASSERT(j == 0 || strcmp(refs[j - 1].ptr, refs[j].ptr) != 0);
	}
}

/* The one rule over bytes (see the top); returns its answer. */
static int
jcard_rule(const uint8_t *b, size_t len)
{
	struct stir_rcd_nref refs[STIR_RCD_NESTED_MAX];
	json_t *jc = NULL, *v;
	char msg[256], m2[256];
	size_t n = 0;
	int rc, want;

	msg[0] = '\0';
	rc = stir_rcd_jcard_parse(b, len, &jc, msg, sizeof(msg));
	FUZZ_ASSERT(rc == STIR_OK || rc == STIR_ETOOBIG || rc == STIR_EINVAL);
	FUZZ_ASSERT((rc == STIR_OK) == (jc != NULL));
	v = json_loadb((const char *)b, len, JSON_REJECT_DUPLICATES, NULL);
	want = v == NULL ? STIR_EINVAL : stir_rcd_jcard_refs(v, "/jcl", NULL, refs, &n, m2,
	    sizeof(m2));
	FUZZ_ASSERT(rc == want);
	if (rc != STIR_OK)
		FUZZ_ASSERT(msg[0] != '\0' && FUZZ_IS_CSTR(msg, sizeof(msg)));
	else {
		FUZZ_ASSERT(jcard_shape(jc) && json_equal(jc, v));
		jcard_urls(jc, "/jcl", NULL);
	}
	json_decref(v);
	json_decref(jc);
	return rc;
}

/* The base64 length of an n-byte digest, unpadded or padded, is b64 (bl chars)? */
static bool
digest_b64_len(size_t n, const char *b64, size_t bl)
{
	size_t unpadded = (n * 4 + 2) / 3, padded = (n + 2) / 3 * 4, pad = padded - unpadded;

	if (bl == unpadded)
		return strchr(b64, '=') == NULL;
	return bl == padded && strspn(b64 + unpadded, "=") == pad;
}

static void
rcdi(const char *digest, const uint8_t *data, size_t size)
{
	static const struct { const char *name; size_t n; } algs[] = {
		{ "sha256-", 32 }, { "sha384-", 48 }, { "sha512-", 64 },
	};
	int r = stir_rcdi_check(digest, data, size);
	bool known = false;

	FUZZ_ASSERT(r == STIR_OK || r == STIR_EPOLICY || r == STIR_EINVAL ||
	    r == STIR_ECRYPTO);
	if (r != STIR_OK && r != STIR_EPOLICY)
		return;
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strncmp(digest, algs[i].name, 7) == 0)
			known = digest_b64_len(algs[i].n, digest + 7, strlen(digest + 7));
	FUZZ_ASSERT(known);
}

/* The right digest of the input passes, padded or not; a wrong one does not. */
static void
rcdi_self(const uint8_t *data, size_t size)
{
	static const struct { const char *name; gnutls_digest_algorithm_t alg; size_t n; } algs[] = {
		{ "sha256-", GNUTLS_DIG_SHA256, 32 },
		{ "sha384-", GNUTLS_DIG_SHA384, 48 },
		{ "sha512-", GNUTLS_DIG_SHA512, 64 },
	};
	uint8_t h[64];
	char d[8 + 100];
	size_t l;

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		size_t pl = strlen(algs[i].name);

		FUZZ_ASSERT(gnutls_hash_fast(algs[i].alg, data, size, h) == 0);
		memcpy(d, algs[i].name, pl);
		sodium_bin2base64(d + pl, sizeof(d) - pl, h, algs[i].n,
		    sodium_base64_VARIANT_ORIGINAL);
		FUZZ_ASSERT(stir_rcdi_check(d, data, size) == STIR_OK);
		/* over-padded; and, with two '=', one taken away */
		l = strlen(d);
		d[l] = '=';
		d[l + 1] = '\0';
		FUZZ_ASSERT(stir_rcdi_check(d, data, size) == STIR_EINVAL);
		d[l] = '\0';
		if (d[l - 2] == '=') {
			d[l - 1] = '\0';
			FUZZ_ASSERT(stir_rcdi_check(d, data, size) == STIR_EINVAL);
		}
		sodium_bin2base64(d + pl, sizeof(d) - pl, h, algs[i].n,
		    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
		FUZZ_ASSERT(stir_rcdi_check(d, data, size) == STIR_OK);
		h[size % algs[i].n] ^= 0x01;
		sodium_bin2base64(d + pl, sizeof(d) - pl, h, algs[i].n,
		    sodium_base64_VARIANT_ORIGINAL);
		FUZZ_ASSERT(stir_rcdi_check(d, data, size) == STIR_EPOLICY);
		sodium_bin2base64(d + pl, sizeof(d) - pl, h, algs[i].n,
		    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
		FUZZ_ASSERT(stir_rcdi_check(d, data, size) == STIR_EPOLICY);
	}
}

/* The digest of a JSON value: over its serialization, stable, unpadded. */
static void
json_digest(json_t *v)
{
	char *d = stir_rcdi_sha256_json(v), *text = stir_json_canonical(v), *d2, padded[64];
	json_t *back, *changed;

	if (d == NULL || text == NULL) {	/* out of memory only */
		free(d);
		free(text);
		return;
	}
	FUZZ_ASSERT(strncmp(d, "sha256-", 7) == 0 && strlen(d) == 7 + 43 &&
	    strchr(d, '=') == NULL);
	FUZZ_ASSERT(stir_rcdi_check_json(d, v) == STIR_OK);
	FUZZ_ASSERT(stir_rcdi_check(d, (const uint8_t *)text, strlen(text)) == STIR_OK);
	d2 = stir_rcdi_sha256((const uint8_t *)text, strlen(text));
	FUZZ_ASSERT(d2 != NULL && strcmp(d, d2) == 0);
	free(d2);
	snprintf(padded, sizeof(padded), "%s=", d);
	FUZZ_ASSERT(stir_rcdi_check_json(padded, v) == STIR_OK);
	snprintf(padded, sizeof(padded), "%s==", d);
	FUZZ_ASSERT(stir_rcdi_check_json(padded, v) == STIR_EINVAL);
	/* the value parsed back from its serialization has the same digest */
	back = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	FUZZ_ASSERT(back != NULL);
	FUZZ_ASSERT(stir_rcdi_check_json(d, back) == STIR_OK);
	json_decref(back);
	/* another value does not */
	changed = json_pack("[O,i]", v, 1);
	if (changed != NULL)
		FUZZ_ASSERT(stir_rcdi_check_json(d, changed) == STIR_EPOLICY);
	json_decref(changed);
	free(text);
	free(d);
}

/* RFC 6901 4: "~" as "~0", "/" as "~1"; false when it does not fit. */
static bool
ptr_append(char *ptr, size_t cap, const char *tok)
{
	size_t o = strlen(ptr);

	if (o + 1 >= cap)
		return false;
	ptr[o++] = '/';
	for (; *tok != '\0'; tok++) {
		if (o + 3 >= cap)
			return false;
		if (*tok == '~' || *tok == '/') {
			ptr[o++] = '~';
			ptr[o++] = *tok == '~' ? '0' : '1';
		} else
			ptr[o++] = *tok;
	}
	ptr[o] = '\0';
	return true;
}

/* Each member and element of v, depth levels down, named by its pointer. */
static void
pointers_of(json_t *root, json_t *v, char *ptr, size_t cap, int depth)
{
	size_t len = strlen(ptr), i;
	const char *k;
	json_t *m;
	char idx[24];

	FUZZ_ASSERT(stir_json_pointer(root, ptr) == v);
	if (depth == 0)
		return;
	json_object_foreach(v, k, m) {
		/* a name with a NUL in it cannot be written as a C string */
		if (strlen(k) == json_object_iter_key_len(json_object_key_to_iter(k)) &&
		    ptr_append(ptr, cap, k) &&
		    strlen(ptr) < STIR_RCD_PTR_MAX)
			pointers_of(root, m, ptr, cap, depth - 1);
		ptr[len] = '\0';
	}
	json_array_foreach(v, i, m) {
		if (i > 3)
			break;
		snprintf(idx, sizeof(idx), "%zu", i);
		if (ptr_append(ptr, cap, idx) && strlen(ptr) < STIR_RCD_PTR_MAX)
			pointers_of(root, m, ptr, cap, depth - 1);
		ptr[len] = '\0';
	}
}

/* The raw text as a pointer: only a well-formed one names anything. */
static void
pointer_raw(json_t *root, const char *ptr)
{
	json_t *v = stir_json_pointer(root, ptr);

	if (v == NULL)
		return;
	FUZZ_ASSERT(strlen(ptr) < STIR_RCD_PTR_MAX);
	FUZZ_ASSERT(*ptr == '\0' ? v == root : *ptr == '/');
	for (const char *t = strchr(ptr, '~'); t != NULL; t = strchr(t + 2, '~'))
		FUZZ_ASSERT(t[1] == '0' || t[1] == '1');
}

static void
data_icon(const char *uri, size_t max, int want)
{
	const char *type = NULL;
	char msg[256];
	int r;

	msg[0] = '\0';
	r = stir_rcd_data_icon(uri, max, &type, msg, sizeof(msg));
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EINVAL || r == STIR_ETOOBIG || r == STIR_ENOMEM);
	if (r == STIR_ENOMEM)
		return;
	if (want != 1)
		FUZZ_ASSERT(r == want);
	if (r != STIR_OK) {
		FUZZ_ASSERT(msg[0] != '\0' && FUZZ_IS_CSTR(msg, sizeof(msg)));
		FUZZ_ASSERT(type == NULL);
		return;
	}
	FUZZ_ASSERT(type != NULL && (strcmp(type, "image/png") == 0 ||
	    strcmp(type, "image/jpeg") == 0 || strcmp(type, "image/svg+xml") == 0));
	FUZZ_ASSERT(strncasecmp(uri, "data:", 5) == 0 &&
	    strncasecmp(uri + 5, type, strlen(type)) == 0 &&
	    strncasecmp(uri + 5 + strlen(type), ";base64,", 8) == 0);
}

/* "data:<type>;base64,<input>" is OK exactly when the input is that type. */
static void
data_icons_of(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "image/png", "image/jpeg", "image/svg+xml" };
	static const int variants[] = { sodium_base64_VARIANT_ORIGINAL,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING };
	const char *sniffed = stir_rcd_icon_type(data, size);
	size_t bl = sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL);
	char *uri = malloc(32 + bl);

	if (uri == NULL)
		return;
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
			int n = snprintf(uri, 32, "data:%s;base64,", types[t]);

			sodium_bin2base64(uri + n, bl, data, size, variants[v]);
			data_icon(uri, ICON_MAX, size > ICON_MAX ? STIR_ETOOBIG :
			    sniffed != NULL && strcmp(sniffed, types[t]) == 0 ? STIR_OK :
			    STIR_EINVAL);
		}
	free(uri);
}

static const char SIP_TOKEN[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~";

static void
sip_name(const char *value)
{
	char small[16], big[1100], again[1100], *quoted;
	const char *lead = value + strspn(value, " \t\r\n");
	bool ok_small = stir_sip_display_name(value, small, sizeof(small));
	bool ok = stir_sip_display_name(value, big, sizeof(big));
	size_t n, o = 0;

	FUZZ_ASSERT(!ok_small || ok);
	if (!ok)
		return;
	n = strlen(big);
	FUZZ_ASSERT(n < sizeof(big) && n < strlen(value));
	if (ok_small)
		FUZZ_ASSERT(strcmp(small, big) == 0);
	if (*lead != '"') {
		/* tokens, one space between them, then a '<' */
		FUZZ_ASSERT(n > 0 && big[0] != ' ' && big[n - 1] != ' ' && strstr(big, "  ") == NULL);
		for (size_t i = 0; i < n; i++)
			FUZZ_ASSERT(big[i] == ' ' || strchr(SIP_TOKEN, big[i]) != NULL);
		FUZZ_ASSERT(strchr(value, '<') != NULL);
	}
	/* written back as a quoted-string, the same name */
	if ((quoted = malloc(2 * n + 16)) == NULL)
		return;
	quoted[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		if (big[i] == '"' || big[i] == '\\')
			quoted[o++] = '\\';
		quoted[o++] = big[i];
	}
	memcpy(quoted + o, "\" <sip:x>", 10);
	FUZZ_ASSERT(stir_sip_display_name(quoted, again, sizeof(again)));
	FUZZ_ASSERT(strcmp(again, big) == 0);
	free(quoted);
}

static void
check_rcd(json_t *payload, const uint8_t *data, size_t size)
{
	struct stir_rcd r;
	char msg[256];
	json_t *ri, *v, *rcd = json_object_get(payload, "rcd");
	const char *k;
	int rc;

	memset(&r, 0xa5, sizeof(r));
	msg[0] = '\0';
	rc = stir_rcd_read(payload, &r, msg, sizeof(msg));
	FUZZ_ASSERT(rc == STIR_OK || rc == STIR_ENOENT || rc == STIR_EINVAL);
	if (rc == STIR_EINVAL)
		FUZZ_ASSERT(msg[0] != '\0' && FUZZ_IS_CSTR(msg, sizeof(msg)));
	if (rc == STIR_ENOENT)
		FUZZ_ASSERT(rcd == NULL && json_object_get(payload, "crn") == NULL);
	if (rc != STIR_OK)
		return;

	FUZZ_ASSERT(r.obj == rcd);
	FUZZ_ASSERT(r.crn == json_string_value(json_object_get(payload, "crn")));
	FUZZ_ASSERT(r.iss == json_string_value(json_object_get(payload, "iss")));
	if (rcd == NULL) {
		/* crn alone (RFC 9795 8) */
		FUZZ_ASSERT(r.crn != NULL);
		FUZZ_ASSERT(r.nam == NULL && r.apn == NULL && r.icn == NULL && r.jcl == NULL &&
		    r.jcd == NULL && !r.icn_data);
	} else {
		FUZZ_ASSERT(json_is_object(rcd));
		FUZZ_ASSERT(r.nam != NULL && strlen(r.nam) <= STIR_RCD_NAM_MAX);
	}
	FUZZ_ASSERT(r.apn == NULL || strlen(r.apn) <= STIR_RCD_NAM_MAX);
	FUZZ_ASSERT(r.crn == NULL || strlen(r.crn) <= STIR_RCD_NAM_MAX);
	FUZZ_ASSERT(r.icn == NULL || strlen(r.icn) <= STIR_RCD_ICN_MAX);
	FUZZ_ASSERT(r.icn_data == (r.icn != NULL && strncasecmp(r.icn, "data:", 5) == 0));
	FUZZ_ASSERT(r.icn == NULL || r.icn_data ||
	    (stir_url_rcd_ok(r.icn) && strlen(r.icn) <= STIR_RCD_NAM_MAX));
	FUZZ_ASSERT(r.jcl == NULL || stir_url_rcd_ok(r.jcl));
	FUZZ_ASSERT(r.jcd == NULL || r.jcl == NULL);
	FUZZ_ASSERT(r.jcd == NULL || jcard_shape(r.jcd));
	FUZZ_ASSERT(r.nrefs == (size_t)(r.icn != NULL && !r.icn_data) + (size_t)(r.jcl != NULL));
	FUZZ_ASSERT(r.rcdi == json_object_get(payload, "rcdi"));
	for (size_t i = 0; i < r.nrefs; i++) {
		const char *want = i == 0 && r.icn != NULL && !r.icn_data ? r.icn : r.jcl;

		FUZZ_ASSERT(r.refs[i].url == want);
		FUZZ_ASSERT(strcmp(r.refs[i].ptr, want == r.icn ? "/icn" : "/jcl") == 0);
		if (r.refs[i].digest != NULL)
			rcdi(r.refs[i].digest, data, size);
	}
	if (r.icn_data)
		data_icon(r.icn, STIR_RCD_ICN_MAX, 1);
	if (r.nam != NULL)
		display(r.nam);
	if (r.apn != NULL)
		display(r.apn);
	if (r.crn != NULL)
		display(r.crn);
	/* every digest in rcdi, followed or not; and over the value it names */
	ri = json_object_get(payload, "rcdi");
	json_object_foreach(ri, k, v) {
		json_t *named = rcd != NULL ? stir_json_pointer(rcd, k) : NULL;

		FUZZ_ASSERT(k[0] == '/' && strlen(k) < STIR_RCD_PTR_MAX && json_is_string(v));
		rcdi(json_string_value(v), data, size);
		if (named != NULL) {
			rc = stir_rcdi_check_json(json_string_value(v), named);
			FUZZ_ASSERT(rc == STIR_OK || rc == STIR_EPOLICY || rc == STIR_EINVAL ||
			    rc == STIR_ECRYPTO || rc == STIR_ENOMEM);
			json_digest(named);
		}
	}
	/* an inline jCard: its URLs; written out, admitted by the one rule iff
	 * the rule over the value admits it */
	if (r.jcd != NULL) {
		jcard_urls(r.jcd, "/jcd", r.rcdi);
		char *s = json_dumps(r.jcd, JSON_COMPACT), m[256];

		if (s != NULL) {
			FUZZ_ASSERT(jcard_rule((const uint8_t *)s, strlen(s)) ==
			    stir_rcd_jcard_check(r.jcd, "/jcd", m, sizeof(m)));
			free(s);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *payload, *jc = NULL;
	const char *type;
	char *text, ptr[STIR_RCD_PTR_MAX * 3 + 8];

	if (size > RCD_INPUT_MAX)
		return 0;
	payload = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (payload == NULL && utf8_each(data, size, NULL) >= 0)
		payload = json_pack("{s:{s:s%}}", "rcd", "nam", (const char *)data, size);
	/* the raw input as a C string (pointer, data: URI, From value) */
	text = memchr(data, '\0', size) == NULL ? malloc(size + 1) : NULL;
	if (text != NULL) {
		memcpy(text, data, size);
		text[size] = '\0';
		data_icon(text, STIR_RCD_ICN_MAX, 1);
		sip_name(text);
	}
	if (payload != NULL) {
		check_rcd(payload, data, size);
		json_digest(payload);
		ptr[0] = '\0';
		pointers_of(payload, payload, ptr, sizeof(ptr), 3);
		if (text != NULL)
			pointer_raw(payload, text);
		json_decref(payload);
	}
	free(text);
	rcdi_self(data, size);
	data_icons_of(data, size);

	type = stir_rcd_icon_type(data, size);
	if (size >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0)
		FUZZ_ASSERT(type != NULL && strcmp(type, "image/png") == 0);
	else if (size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
		FUZZ_ASSERT(type != NULL && strcmp(type, "image/jpeg") == 0);
	else
		FUZZ_ASSERT(type == NULL || strcmp(type, "image/svg+xml") == 0);

	(void)jcard_rule(data, size);
	/* the raw text as URL values of a jCard */
	if (utf8_each(data, size, NULL) >= 0 &&
	    (jc = json_pack("[s,[[s,{},s,s%],[s,{},s,s+%]]]", "vcard", "photo", "uri",
	    (const char *)data, size, "logo", "uri", "https://x.example/", (const char *)data,
	    size)) != NULL) {
		jcard_urls(jc, "/jcl", NULL);
		json_decref(jc);
	}
	return 0;
}
