/* test_passport.c: base64url, canonical JSON, UUIDs, PASSporT assembly. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "stirclient.h"
#include "daemon/stir/passport.h"
#include "tests/unit/test_util.h"

#define APPA	"rfc8225-appA-token.txt"
#define MKY	"rfc8225-mky-deterministic-json.txt"
#define X5U	"https://cert.example.org/passport.cer"
#define ORIGID	"123e4567-e89b-42d3-a456-426614174000"

static void
assert_encodes(const void *bin, size_t len, const char *want)
{
	char *s = stir_b64url_encode(bin, len);

	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, want);
	free(s);
}

static void
assert_decode_refused(const char *s)
{
	uint8_t *out = (uint8_t *)"untouched";
	size_t n = 12345;

	ck_assert_msg(stir_b64url_decode(s, strlen(s), &out, &n) == STIR_EINVAL,
	    "'%s' was accepted", s);
	ck_assert_str_eq((const char *)out, "untouched");
	ck_assert_uint_eq(n, 12345);
}

/* Canonical JSON of text, which must parse. */
static char *
canon_of(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	char *s;

	ck_assert_msg(v != NULL, "bad JSON (%s): %s", jerr.text, text);
	s = stir_json_canonical(v);
	json_decref(v);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* Decode a base64url segment to a NUL-terminated string. */
static char *
b64_text(const char *s, size_t len)
{
	uint8_t *bin = NULL;
	size_t n = 0;
	char *t;

	ck_assert_int_eq(stir_b64url_decode(s, len, &bin, &n), STIR_OK);
	t = strndup((const char *)bin, n);
	free(bin);
	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(b64url_encode_has_no_padding_and_url_alphabet)
{
	assert_encodes("", 0, "");
	assert_encodes("f", 1, "Zg");
	assert_encodes("fo", 2, "Zm8");
	assert_encodes("foo", 3, "Zm9v");
	assert_encodes("foob", 4, "Zm9vYg");
	assert_encodes("\xfb\xff", 2, "-_8");
	assert_encodes("\xfb\xef\xbe", 3, "----");
	assert_encodes("\xff\xff\xff", 3, "____");
}
END_TEST

START_TEST(b64url_decode_inverts_encode)
{
	uint8_t *out = NULL;
	size_t n = 0;

	ck_assert_int_eq(stir_b64url_decode("-_8", 3, &out, &n), STIR_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(out, "\xfb\xff", 2);
	free(out);
	ck_assert_int_eq(stir_b64url_decode("Zm9vYg", 6, &out, &n), STIR_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert_mem_eq(out, "foob", 4);
	free(out);
	ck_assert_int_eq(stir_b64url_decode("", 0, &out, &n), STIR_OK);
	ck_assert_uint_eq(n, 0);
	free(out);
}
END_TEST

START_TEST(b64url_decode_uses_only_the_given_length)
{
	uint8_t *out = NULL;
	size_t n = 0;

	ck_assert_int_eq(stir_b64url_decode("Zm9v.Zg", 4, &out, &n), STIR_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(out, "foo", 3);
	free(out);
}
END_TEST

START_TEST(b64url_decode_refuses_padding)
{
	assert_decode_refused("Zg==");
	assert_decode_refused("Zm8=");
}
END_TEST

START_TEST(b64url_decode_refuses_standard_alphabet)
{
	assert_decode_refused("+/8");
	assert_decode_refused("Zm+v");
	assert_decode_refused("Zm/v");
}
END_TEST

START_TEST(b64url_decode_refuses_whitespace)
{
	assert_decode_refused("Zm9v Yg");
	assert_decode_refused("Zm9v\nYg");
	assert_decode_refused(" Zm9v");
	assert_decode_refused("Zm9v\t");
}
END_TEST

START_TEST(b64url_decode_refuses_impossible_lengths_and_stray_bits)
{
	assert_decode_refused("Z");
	assert_decode_refused("Zm9vY");
	assert_decode_refused("Zh");		/* low bits of 'h' must be 0 */
	assert_decode_refused("Zm9vYh");
	assert_decode_refused("Zm9v.");
}
END_TEST

START_TEST(canonical_json_sorts_keys_recursively_without_whitespace)
{
	char *s = canon_of("{ \"b\" : 1,\n \"a\" : { \"d\" : [ 3, 1, {\"z\":null,\"y\":false} ], "
	    "\"c\" : true } }");

	ck_assert_str_eq(s, "{\"a\":{\"c\":true,\"d\":[3,1,{\"y\":false,\"z\":null}]},\"b\":1}");
	free(s);
}
END_TEST

START_TEST(canonical_json_keeps_utf8_and_slash_unescaped)
{
	/* "\u00e9" arrives escaped and leaves as the two UTF-8 bytes */
	char *s = canon_of("{\"uri\":\"sip:j\\u00e9r\\u00f4me@example.com/x\",\"n\":\"\\u20ac\"}");

	ck_assert_str_eq(s, "{\"n\":\"\xe2\x82\xac\",\"uri\":\"sip:j\xc3\xa9r\xc3\xb4me@example.com/x\"}");
	free(s);
}
END_TEST

START_TEST(canonical_json_escapes_quote_backslash_and_controls)
{
	char *s = canon_of("{\"t\":\"a\\\"b\\\\c\\nd\\u0001\"}");

	ck_assert_str_eq(s, "{\"t\":\"a\\\"b\\\\c\\nd\\u0001\"}");
	free(s);
}
END_TEST

START_TEST(appendix_a_header_and_payload_give_the_printed_base64url)
{
	static const char *const parts[][2] = {
		{ "Protected header (deterministic JSON):", "BASE64URL(header):" },
		{ "Payload (JSON, as shown):", "BASE64URL(payload):" },
	};

	for (size_t i = 0; i < 2; i++) {
		char *json = tu_vector_value(APPA, parts[i][0], NULL);
		char *want = tu_vector_value(APPA, parts[i][1], NULL);
		char *canon = canon_of(json), *b64;

		ck_assert_str_eq(canon, json);		/* already canonical */
		b64 = stir_b64url_encode((const uint8_t *)canon, strlen(canon));
		ck_assert_ptr_nonnull(b64);
		ck_assert_str_eq(b64, want);
		free(b64);
		free(canon);
		free(want);
		free(json);
	}
}
END_TEST

START_TEST(appendix_a_payload_in_any_member_order_gives_the_same_bytes)
{
	char *want = tu_vector_value(APPA, "Payload (JSON, as shown):", NULL);
	char *s = canon_of("{\"orig\": {\"tn\": \"12155551212\"}, \"iat\": 1471375418,\n"
	    "  \"dest\": {\"uri\": [\"sip:alice@example.com\"]}}");

	ck_assert_str_eq(s, want);
	free(s);
	free(want);
}
END_TEST

START_TEST(mky_example_gives_the_corrected_serialization)
{
	char *text = tu_read_vector(MKY, NULL);
	char *want = tu_vector_value(MKY, "Correct deterministic serialization", NULL);
	char *printed = tu_vector_value(MKY, "a typo in the source):", NULL);
	char *start = strstr(text, "Resulting payload (pretty):");
	char *end = strstr(text, "Rules:");
	char *s;

	ck_assert_ptr_nonnull(start);
	ck_assert_ptr_nonnull(end);
	start = strchr(start, '\n');
	*end = '\0';
	s = canon_of(start);				/* the pretty form */
	ck_assert_str_eq(s, want);
	free(s);
	s = canon_of(want);				/* a fixed point */
	ck_assert_str_eq(s, want);
	free(s);
	/* the RFC's printed string is the one missing a '}' */
	ck_assert_ptr_null(json_loads(printed, 0, NULL));
	free(printed);
	free(want);
	free(text);
}
END_TEST

START_TEST(uuid_check_accepts_8_4_4_4_12_hex_only)
{
	ck_assert_int_eq(stir_uuid_check(ORIGID), STIR_OK);
	ck_assert_int_eq(stir_uuid_check("123E4567-E89B-12D3-A456-426614174000"), STIR_OK);
	ck_assert_int_eq(stir_uuid_check(""), STIR_EINVAL);
	ck_assert_int_eq(stir_uuid_check("123e4567-e89b-42d3-a456-42661417400"), STIR_EINVAL);
	ck_assert_int_eq(stir_uuid_check("123e4567-e89b-42d3-a456-4266141740000"), STIR_EINVAL);
	ck_assert_int_eq(stir_uuid_check("123e4567e-89b-42d3-a456-426614174000"), STIR_EINVAL);
	ck_assert_int_eq(stir_uuid_check("123e4567-e89b-42d3-a456-42661417400g"), STIR_EINVAL);
	ck_assert_int_eq(stir_uuid_check("{23e4567-e89b-42d3-a456-426614174000"), STIR_EINVAL);
}
END_TEST

START_TEST(uuid_v4_sets_version_and_variant_bits)
{
	char a[STIR_UUID_LEN + 1], b[STIR_UUID_LEN + 1];

	for (int i = 0; i < 200; i++) {
		stir_uuid_v4(a);
		ck_assert_uint_eq(strlen(a), STIR_UUID_LEN);
		ck_assert_int_eq(stir_uuid_check(a), STIR_OK);
		ck_assert_int_eq(a[14], '4');
		ck_assert_msg(strchr("89ab", a[19]) != NULL, "variant nibble in %s", a);
		ck_assert_msg(strspn(a, "0123456789abcdef-") == STIR_UUID_LEN,
		    "not lowercase: %s", a);
	}
	stir_uuid_v4(b);
	ck_assert_str_ne(a, b);
}
END_TEST

static void
set_ident(struct stir_ident *id, enum stir_ident_kind kind, const char *v)
{
	id->kind = kind;
	snprintf(id->value, sizeof(id->value), "%s", v);
}

static void
claims_init(struct stir_shaken_claims *c)
{
	memset(c, 0, sizeof(*c));
	set_ident(&c->orig, STIR_IDENT_TN, "12155551212");
	c->attest = 'A';
	strcpy(c->origid, ORIGID);
	c->iat = 1471375418;
}

#define SHAKEN_HEADER	"{\"alg\":\"ES256\",\"ppt\":\"shaken\"," \
	"\"typ\":\"passport\",\"x5u\":\"" X5U "\"}"

START_TEST(jose_header_is_sorted_and_its_base64url_is_canonical)
{
	json_t *h = NULL;
	char *b64 = NULL, *s;

	ck_assert_int_eq(stir_passport_header(X5U, "shaken", &h, &b64), STIR_OK);
	s = stir_json_canonical(h);
	ck_assert_str_eq(s, SHAKEN_HEADER);
	free(s);
	s = b64_text(b64, strlen(b64));
	ck_assert_str_eq(s, SHAKEN_HEADER);
	free(s);
	json_decref(h);
	free(b64);
	ck_assert_int_eq(stir_passport_header("https://a.example/x.pem", "div", &h, &b64),
	    STIR_OK);
	s = b64_text(b64, strlen(b64));
	ck_assert_str_eq(s, "{\"alg\":\"ES256\",\"ppt\":\"div\",\"typ\":\"passport\","
	    "\"x5u\":\"https://a.example/x.pem\"}");
	free(s);
	json_decref(h);
	free(b64);
}
END_TEST

/* Build c; check tbs is header_b64 "." b64(canonical payload). */
static void
assert_shaken(const struct stir_shaken_claims *c, const char *want_payload)
{
	json_t *h = NULL, *p = NULL;
	char *hb64 = NULL, *tbs = NULL, *dot, *s;

	ck_assert_int_eq(stir_passport_header(X5U, "shaken", &h, &hb64), STIR_OK);
	ck_assert_int_eq(stir_passport_shaken(c, hb64, &p, &tbs), STIR_OK);
	s = stir_json_canonical(p);
	ck_assert_str_eq(s, want_payload);
	free(s);
	dot = strchr(tbs, '.');
	ck_assert_ptr_nonnull(dot);
	ck_assert_ptr_null(strchr(dot + 1, '.'));
	ck_assert_uint_eq((size_t)(dot - tbs), strlen(hb64));
	ck_assert(strncmp(tbs, hb64, strlen(hb64)) == 0);
	s = b64_text(tbs, (size_t)(dot - tbs));
	ck_assert_str_eq(s, SHAKEN_HEADER);
	free(s);
	s = b64_text(dot + 1, strlen(dot + 1));
	ck_assert_str_eq(s, want_payload);
	free(s);
	json_decref(h);
	json_decref(p);
	free(hb64);
	free(tbs);
}

START_TEST(shaken_passport_has_sorted_claims)
{
	struct stir_shaken_claims c;

	claims_init(&c);
	set_ident(&c.dest[0], STIR_IDENT_TN, "12125551212");
	c.ndest = 1;
	assert_shaken(&c, "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12125551212\"]},"
	    "\"iat\":1471375418,\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"" ORIGID "\"}");
}
END_TEST

START_TEST(shaken_dest_arrays_are_sorted_deduplicated_tn_before_uri)
{
	struct stir_shaken_claims c;

	claims_init(&c);
	c.attest = 'C';
	set_ident(&c.dest[0], STIR_IDENT_URI, "sip:bob@example.net");
	set_ident(&c.dest[1], STIR_IDENT_TN, "12125551212");
	set_ident(&c.dest[2], STIR_IDENT_TN, "12025550000");
	set_ident(&c.dest[3], STIR_IDENT_TN, "12125551212");
	set_ident(&c.dest[4], STIR_IDENT_URI, "sip:alice@example.com");
	set_ident(&c.dest[5], STIR_IDENT_URI, "sip:bob@example.net");
	c.ndest = 6;
	assert_shaken(&c, "{\"attest\":\"C\",\"dest\":{\"tn\":[\"12025550000\",\"12125551212\"],"
	    "\"uri\":[\"sip:alice@example.com\",\"sip:bob@example.net\"]},"
	    "\"iat\":1471375418,\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"" ORIGID "\"}");
}
END_TEST

START_TEST(shaken_uri_orig_and_uri_only_dest)
{
	struct stir_shaken_claims c;

	claims_init(&c);
	c.attest = 'B';
	set_ident(&c.orig, STIR_IDENT_URI, "sip:alice@example.com");
	set_ident(&c.dest[0], STIR_IDENT_URI, "sip:bob@example.net");
	c.ndest = 1;
	assert_shaken(&c, "{\"attest\":\"B\",\"dest\":{\"uri\":[\"sip:bob@example.net\"]},"
	    "\"iat\":1471375418,\"orig\":{\"uri\":\"sip:alice@example.com\"},\"origid\":\""
	    ORIGID "\"}");
}
END_TEST

START_TEST(shaken_without_dest_or_with_too_many_is_refused)
{
	struct stir_shaken_claims c;
	json_t *p = NULL;
	char *tbs = NULL;

	claims_init(&c);
	c.ndest = 0;
	ck_assert_int_eq(stir_passport_shaken(&c, "aGVhZA", &p, &tbs), STIR_EINVAL);
	c.ndest = STIR_MAX_DEST + 1;
	ck_assert_int_eq(stir_passport_shaken(&c, "aGVhZA", &p, &tbs), STIR_EINVAL);
	ck_assert_ptr_null(p);
	ck_assert_ptr_null(tbs);
}
END_TEST

START_TEST(shaken_accepts_the_maximum_number_of_dest)
{
	struct stir_shaken_claims c;
	json_t *p = NULL, *tn;
	char *tbs = NULL;

	claims_init(&c);
	for (size_t i = 0; i < STIR_MAX_DEST; i++) {
		char v[16];

		snprintf(v, sizeof(v), "1212555%04zu", STIR_MAX_DEST - i);
		set_ident(&c.dest[i], STIR_IDENT_TN, v);
	}
	c.ndest = STIR_MAX_DEST;
	ck_assert_int_eq(stir_passport_shaken(&c, "aGVhZA", &p, &tbs), STIR_OK);
	ck_assert(strncmp(tbs, "aGVhZA.", 7) == 0);
	tn = json_object_get(json_object_get(p, "dest"), "tn");
	ck_assert_uint_eq(json_array_size(tn), STIR_MAX_DEST);
	ck_assert_str_eq(json_string_value(json_array_get(tn, 0)), "12125550001");
	ck_assert_str_eq(json_string_value(json_array_get(tn, STIR_MAX_DEST - 1)),
	    "12125550016");
	json_decref(p);
	free(tbs);
}
END_TEST

START_TEST(identity_value_appends_signature_info_alg_and_ppt)
{
	char *s = stir_identity_value("aGVhZA.cGF5", (const uint8_t *)"\xfb\xff", 2,
	    X5U, "shaken");

	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "aGVhZA.cGF5.-_8;info=<" X5U ">;alg=ES256;ppt=shaken");
	free(s);
}
END_TEST

START_TEST(identity_value_of_a_64_byte_signature_has_86_characters)
{
	uint8_t sig[STIR_ES256_SIG_LEN];
	char *s, *semi;

	memset(sig, 0xa5, sizeof(sig));
	s = stir_identity_value("h.p", sig, sizeof(sig), X5U, "shaken");
	ck_assert_ptr_nonnull(s);
	semi = strchr(s, ';');
	ck_assert_ptr_nonnull(semi);
	ck_assert_uint_eq((size_t)(semi - s), strlen("h.p.") + 86);
	free(s);
}
END_TEST

static Suite *
passport_suite(void)
{
	Suite *s = suite_create("passport");
	TCase *tb = tcase_create("base64url");
	TCase *tj = tcase_create("json");
	TCase *tp = tcase_create("passport");

	tcase_add_test(tb, b64url_encode_has_no_padding_and_url_alphabet);
	tcase_add_test(tb, b64url_decode_inverts_encode);
	tcase_add_test(tb, b64url_decode_uses_only_the_given_length);
	tcase_add_test(tb, b64url_decode_refuses_padding);
	tcase_add_test(tb, b64url_decode_refuses_standard_alphabet);
	tcase_add_test(tb, b64url_decode_refuses_whitespace);
	tcase_add_test(tb, b64url_decode_refuses_impossible_lengths_and_stray_bits);
	suite_add_tcase(s, tb);
	tcase_add_test(tj, canonical_json_sorts_keys_recursively_without_whitespace);
	tcase_add_test(tj, canonical_json_keeps_utf8_and_slash_unescaped);
	tcase_add_test(tj, canonical_json_escapes_quote_backslash_and_controls);
	tcase_add_test(tj, appendix_a_header_and_payload_give_the_printed_base64url);
	tcase_add_test(tj, appendix_a_payload_in_any_member_order_gives_the_same_bytes);
	tcase_add_test(tj, mky_example_gives_the_corrected_serialization);
	suite_add_tcase(s, tj);
	tcase_add_test(tp, uuid_check_accepts_8_4_4_4_12_hex_only);
	tcase_add_test(tp, uuid_v4_sets_version_and_variant_bits);
	tcase_add_test(tp, jose_header_is_sorted_and_its_base64url_is_canonical);
	tcase_add_test(tp, shaken_passport_has_sorted_claims);
	tcase_add_test(tp, shaken_dest_arrays_are_sorted_deduplicated_tn_before_uri);
	tcase_add_test(tp, shaken_uri_orig_and_uri_only_dest);
	tcase_add_test(tp, shaken_without_dest_or_with_too_many_is_refused);
	tcase_add_test(tp, shaken_accepts_the_maximum_number_of_dest);
	tcase_add_test(tp, identity_value_appends_signature_info_alg_and_ppt);
	tcase_add_test(tp, identity_value_of_a_64_byte_signature_has_86_characters);
	suite_add_tcase(s, tp);
	return s;
}

int
main(void)
{
	return tu_run(passport_suite());
}
