/*
 * fuzz_rcd.c: Rich Call Data (daemon/rcd.c).  The input is a PASSporT
 * payload as JSON; if Jansson does not take it and it is valid UTF-8, it
 * becomes the value of nam in {"rcd":{"nam":INPUT}}, so raw text reaches
 * the display-name sanitizer directly.  Then:
 *
 *  - stir_rcd_read(): STIR_OK, STIR_ENOENT or STIR_EINVAL (with a reason);
 *    on STIR_OK, nam is set, icn and jcl are https URLs, jcd and jcl are
 *    not both there, jcd is a jCard, and refs are icn then jcl;
 *  - stir_rcd_display_name() of nam: valid UTF-8 without C0/C1 controls,
 *    bidi overrides, isolates and marks, U+FEFF, '"' or '\\', at most
 *    STIR_RCD_DISPLAY_MAX characters, and the same again when sanitized
 *    twice;
 *  - stir_rcdi_check() of every rcdi digest over the input bytes: one of
 *    STIR_OK, STIR_EPOLICY, STIR_EINVAL, STIR_ECRYPTO; and the right
 *    sha256/384/512 digest of the input gives STIR_OK, a wrong one
 *    STIR_EPOLICY;
 *  - stir_rcd_icon_type() and stir_rcd_jcard_valid() of the raw input;
 *  - stir_rcd_jcard_refs() of an inline jcd, of the input when it is a
 *    jCard, and (valid UTF-8 input) of a jCard whose photo URI is the input
 *    and whose logo URI is "https://x.example/" and the input: STIR_OK,
 *    STIR_ETOOBIG or STIR_EINVAL (with a reason, *ret_n untouched); on
 *    STIR_OK exactly the http(s) values of "uri" properties, each an https
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
#include "daemon/rcd.h"
#include "tests/fuzz/fuzz.h"

#define RCD_INPUT_MAX	(64 * 1024)

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

static bool
https_url(const char *s)
{
	size_t n = strlen(s);

	if (n <= 8 || strncmp(s, "https://", 8) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* A value stir_rcd_jcard_refs() must report (http or https scheme)? */
static bool
web_value(json_t *prop, size_t k)
{
	json_t *type = json_array_get(prop, 2), *v = json_array_get(prop, k);

	return k >= 3 && json_is_string(json_array_get(prop, 0)) && json_is_string(type) &&
	    strcasecmp(json_string_value(type), "uri") == 0 && json_is_string(v) &&
	    (strncasecmp(json_string_value(v), "https:", 6) == 0 ||
	    strncasecmp(json_string_value(v), "http:", 5) == 0);
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
		FUZZ_ASSERT(https_url(refs[j].url));
		FUZZ_ASSERT(refs[j].digest == json_string_value(json_object_get(ri, refs[j].ptr)));
		FUZZ_ASSERT(j == 0 || strcmp(refs[j - 1].ptr, refs[j].ptr) != 0);
	}
}

static void
rcdi(const char *digest, const uint8_t *data, size_t size)
{
	int r = stir_rcdi_check(digest, data, size);

	FUZZ_ASSERT(r == STIR_OK || r == STIR_EPOLICY || r == STIR_EINVAL ||
	    r == STIR_ECRYPTO);
}

/* The right digest of the input passes, a wrong one does not. */
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

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		size_t pl = strlen(algs[i].name);

		FUZZ_ASSERT(gnutls_hash_fast(algs[i].alg, data, size, h) == 0);
		memcpy(d, algs[i].name, pl);
		sodium_bin2base64(d + pl, sizeof(d) - pl, h, algs[i].n,
		    sodium_base64_VARIANT_ORIGINAL);
		FUZZ_ASSERT(stir_rcdi_check(d, data, size) == STIR_OK);
		h[size % algs[i].n] ^= 0x01;
		sodium_bin2base64(d + pl, sizeof(d) - pl, h, algs[i].n,
		    sodium_base64_VARIANT_ORIGINAL);
		FUZZ_ASSERT(stir_rcdi_check(d, data, size) == STIR_EPOLICY);
	}
}

static void
check_rcd(json_t *payload, const uint8_t *data, size_t size)
{
	struct stir_rcd r;
	char msg[256];
	json_t *ri, *v;
	const char *k;
	int rc;

	memset(&r, 0xa5, sizeof(r));
	msg[0] = '\0';
	rc = stir_rcd_read(payload, &r, msg, sizeof(msg));
	FUZZ_ASSERT(rc == STIR_OK || rc == STIR_ENOENT || rc == STIR_EINVAL);
	if (rc == STIR_EINVAL)
		FUZZ_ASSERT(msg[0] != '\0' && FUZZ_IS_CSTR(msg, sizeof(msg)));
	if (rc == STIR_ENOENT)
		FUZZ_ASSERT(json_object_get(payload, "rcd") == NULL);
	if (rc != STIR_OK)
		return;

	FUZZ_ASSERT(json_is_object(json_object_get(payload, "rcd")));
	FUZZ_ASSERT(r.nam != NULL && strlen(r.nam) <= STIR_RCD_NAM_MAX);
	FUZZ_ASSERT(r.apn == NULL || strlen(r.apn) <= STIR_RCD_NAM_MAX);
	FUZZ_ASSERT(r.crn == NULL || strlen(r.crn) <= STIR_RCD_NAM_MAX);
	FUZZ_ASSERT(r.icn == NULL || https_url(r.icn));
	FUZZ_ASSERT(r.jcl == NULL || https_url(r.jcl));
	FUZZ_ASSERT(r.jcd == NULL || r.jcl == NULL);
	FUZZ_ASSERT(r.jcd == NULL || jcard_shape(r.jcd));
	FUZZ_ASSERT(r.nrefs == (size_t)(r.icn != NULL) + (size_t)(r.jcl != NULL));
	FUZZ_ASSERT(r.rcdi == json_object_get(payload, "rcdi"));
	for (size_t i = 0; i < r.nrefs; i++) {
		const char *want = i == 0 && r.icn != NULL ? r.icn : r.jcl;

		FUZZ_ASSERT(r.refs[i].url == want);
		FUZZ_ASSERT(strcmp(r.refs[i].ptr, want == r.icn ? "/icn" : "/jcl") == 0);
		if (r.refs[i].digest != NULL)
			rcdi(r.refs[i].digest, data, size);
	}
	display(r.nam);
	if (r.apn != NULL)
		display(r.apn);
	if (r.crn != NULL)
		display(r.crn);
	/* every digest in rcdi, followed or not */
	ri = json_object_get(payload, "rcdi");
	json_object_foreach(ri, k, v) {
		FUZZ_ASSERT(k[0] == '/' && json_is_string(v));
		rcdi(json_string_value(v), data, size);
	}
	/* an inline jCard: its URLs; written out, a jCard by the fetched-jCard check */
	if (r.jcd != NULL) {
		jcard_urls(r.jcd, "/jcd", r.rcdi);
		char *s = json_dumps(r.jcd, JSON_COMPACT);
		json_t *jc = NULL;

		if (s != NULL) {
			FUZZ_ASSERT(stir_rcd_jcard_valid((const uint8_t *)s, strlen(s), &jc));
			FUZZ_ASSERT(jc != NULL && jcard_shape(jc));
			json_decref(jc);
			free(s);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *payload, *jc = NULL;
	const char *type;

	if (size > RCD_INPUT_MAX)
		return 0;
	payload = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (payload == NULL && utf8_each(data, size, NULL) >= 0)
		payload = json_pack("{s:{s:s%}}", "rcd", "nam", (const char *)data, size);
	if (payload != NULL) {
		check_rcd(payload, data, size);
		json_decref(payload);
	}
	rcdi_self(data, size);

	type = stir_rcd_icon_type(data, size);
	if (size >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0)
		FUZZ_ASSERT(type != NULL && strcmp(type, "image/png") == 0);
	else if (size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
		FUZZ_ASSERT(type != NULL && strcmp(type, "image/jpeg") == 0);
	else
		FUZZ_ASSERT(type == NULL || strcmp(type, "image/svg+xml") == 0);

	if (stir_rcd_jcard_valid(data, size, &jc)) {
		FUZZ_ASSERT(jc != NULL && jcard_shape(jc));
		jcard_urls(jc, "/jcl", NULL);
		json_decref(jc);
	}
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
