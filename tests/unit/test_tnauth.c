/* test_tnauth.c: TNAuthList DER decoding and coverage (daemon/pki/cert.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "stirclient.h"
#include "daemon/pki/cert.h"
#include "daemon/base/log.h"
#include "tests/unit/test_util.h"

#define V_SPC	"# TNAuthList, single SPC '1234'"
#define V_ONE	"# TNAuthList, one TN '12155551212'"
#define V_RANGE	"# TNAuthList, range start '12155550000' count 100"
#define V_MIXED	"# TNAuthList, SPC '1234' + TN '12155551212'"

static struct stir_tnauth *
decode_vector(const char *label)
{
	size_t len = 0;
	uint8_t *der = tu_der_vector(label, &len);
	struct stir_tnauth *ta = NULL;

	ck_assert_int_eq(stir_tnauth_decode(der, len, &ta), STIR_OK);
	ck_assert_ptr_nonnull(ta);
	free(der);
	return ta;
}

static void
assert_malformed(const uint8_t *der, size_t len)
{
	struct stir_tnauth *ta = (struct stir_tnauth *)(void *)&len;

	ck_assert_int_eq(stir_tnauth_decode(der, len, &ta), STIR_ECERT);
	ck_assert_ptr_eq(ta, (void *)&len);		/* untouched */
}

/* Append a short-form TLV; returns the new length. */
static size_t
tlv(uint8_t *out, size_t off, uint8_t tag, const void *val, size_t n)
{
	ck_assert_uint_lt(n, 128);
	out[off] = tag;
	out[off + 1] = (uint8_t)n;
	memcpy(out + off + 2, val, n);
	return off + 2 + n;
}

/* SEQUENCE { [tag] EXPLICIT inner } where inner is one TLV. */
static size_t
wrap_entry(uint8_t *out, uint8_t ctx, const uint8_t *inner, size_t n)
{
	uint8_t e[160];
	size_t el = tlv(e, 0, ctx, inner, n);

	return tlv(out, 0, 0x30, e, el);
}

static size_t
der_one(uint8_t *out, const char *tn)
{
	uint8_t ia5[64];
	size_t n = tlv(ia5, 0, 0x16, tn, strlen(tn));

	return wrap_entry(out, 0xa2, ia5, n);
}

static size_t
der_range(uint8_t *out, const char *start, const uint8_t *count, size_t clen)
{
	uint8_t seq[96], body[96];
	size_t n = tlv(body, 0, 0x16, start, strlen(start));

	n = tlv(body, n, 0x02, count, clen);
	n = tlv(seq, 0, 0x30, body, n);
	return wrap_entry(out, 0xa1, seq, n);
}

START_TEST(spc_only_list_decodes_and_covers_no_tn)
{
	struct stir_tnauth *ta = decode_vector(V_SPC);

	ck_assert_uint_eq(ta->n, 1);
	ck_assert_int_eq(ta->e[0].type, STIR_TNE_SPC);
	ck_assert_str_eq(ta->e[0].value, "1234");
	ck_assert(!stir_tnauth_has_tns(ta));
	ck_assert(!stir_tnauth_covers(ta, "1234"));
	stir_tnauth_free(ta);
}
END_TEST

START_TEST(one_tn_list_covers_exactly_that_tn)
{
	struct stir_tnauth *ta = decode_vector(V_ONE);

	ck_assert_uint_eq(ta->n, 1);
	ck_assert_int_eq(ta->e[0].type, STIR_TNE_ONE);
	ck_assert_str_eq(ta->e[0].value, "12155551212");
	ck_assert(stir_tnauth_has_tns(ta));
	ck_assert(stir_tnauth_covers(ta, "12155551212"));
	ck_assert(!stir_tnauth_covers(ta, "12155551213"));
	ck_assert(!stir_tnauth_covers(ta, "2155551212"));
	stir_tnauth_free(ta);
}
END_TEST

START_TEST(range_list_covers_start_to_start_plus_count_minus_one)
{
	struct stir_tnauth *ta = decode_vector(V_RANGE);

	ck_assert_uint_eq(ta->n, 1);
	ck_assert_int_eq(ta->e[0].type, STIR_TNE_RANGE);
	ck_assert_str_eq(ta->e[0].value, "12155550000");
	ck_assert_uint_eq(ta->e[0].count, 100);
	ck_assert(stir_tnauth_has_tns(ta));
	ck_assert(stir_tnauth_covers(ta, "12155550000"));
	ck_assert(stir_tnauth_covers(ta, "12155550099"));
	ck_assert(!stir_tnauth_covers(ta, "12155550100"));
	ck_assert(!stir_tnauth_covers(ta, "12155549999"));
	stir_tnauth_free(ta);
}
END_TEST

START_TEST(mixed_list_keeps_order_and_covers_its_tn)
{
	struct stir_tnauth *ta = decode_vector(V_MIXED);

	ck_assert_uint_eq(ta->n, 2);
	ck_assert_int_eq(ta->e[0].type, STIR_TNE_SPC);
	ck_assert_str_eq(ta->e[0].value, "1234");
	ck_assert_int_eq(ta->e[1].type, STIR_TNE_ONE);
	ck_assert_str_eq(ta->e[1].value, "12155551212");
	ck_assert(stir_tnauth_has_tns(ta));
	ck_assert(stir_tnauth_covers(ta, "12155551212"));
	stir_tnauth_free(ta);
}
END_TEST

START_TEST(built_der_matches_the_vectors)
{
	uint8_t buf[128], *v;
	size_t n, vl;

	v = tu_der_vector(V_ONE, &vl);
	n = der_one(buf, "12155551212");
	ck_assert_uint_eq(n, vl);
	ck_assert_mem_eq(buf, v, n);
	free(v);
	v = tu_der_vector(V_RANGE, &vl);
	n = der_range(buf, "12155550000", (const uint8_t *)"\x64", 1);
	ck_assert_uint_eq(n, vl);
	ck_assert_mem_eq(buf, v, n);
	free(v);
}
END_TEST

START_TEST(truncated_der_is_ecert)
{
	size_t len = 0;
	uint8_t *der = tu_der_vector(V_MIXED, &len);

	for (size_t n = 0; n < len; n++)
		assert_malformed(der, n);
	free(der);
}
END_TEST

START_TEST(trailing_garbage_is_ecert)
{
	size_t len = 0;
	uint8_t *der = tu_der_vector(V_SPC, &len), buf[64];

	memcpy(buf, der, len);
	buf[len] = 0x00;
	assert_malformed(buf, len + 1);
	memcpy(buf + len, der, len);		/* two lists back to back */
	assert_malformed(buf, 2 * len);
	free(der);
}
END_TEST

START_TEST(wrong_tags_are_ecert)
{
	size_t len = 0;
	uint8_t *der = tu_der_vector(V_ONE, &len), buf[64];

	memcpy(buf, der, len);
	buf[0] = 0x31;				/* SET instead of SEQUENCE */
	assert_malformed(buf, len);
	memcpy(buf, der, len);
	buf[2] = 0xa3;				/* no such TNEntry choice */
	assert_malformed(buf, len);
	memcpy(buf, der, len);
	buf[2] = 0xa0;				/* [0] spc holding... fine */
	buf[4] = 0x0c;				/* ...a UTF8String, not IA5 */
	assert_malformed(buf, len);
	/* IMPLICIT tagging: 30 0d 82 0b "12155551212" */
	buf[0] = 0x30;
	buf[1] = 0x0d;
	buf[2] = 0x82;
	buf[3] = 0x0b;
	memcpy(buf + 4, "12155551212", 11);
	assert_malformed(buf, 15);
	free(der);
}
END_TEST

START_TEST(empty_list_or_empty_input_is_ecert)
{
	static const uint8_t empty_seq[] = { 0x30, 0x00 };
	static const uint8_t empty_spc[] = { 0x30, 0x04, 0xa0, 0x02, 0x16, 0x00 };

	assert_malformed(empty_seq, sizeof(empty_seq));
	assert_malformed(empty_spc, 0);
	assert_malformed(empty_spc, sizeof(empty_spc));
}
END_TEST

START_TEST(range_count_below_two_is_ecert)
{
	uint8_t buf[128];

	assert_malformed(buf, der_range(buf, "12155550000", (const uint8_t *)"\x01", 1));
	assert_malformed(buf, der_range(buf, "12155550000", (const uint8_t *)"\x00", 1));
}
END_TEST

START_TEST(negative_range_count_is_ecert)
{
	uint8_t buf[128];

	assert_malformed(buf, der_range(buf, "12155550000", (const uint8_t *)"\xff", 1));
	assert_malformed(buf, der_range(buf, "12155550000", (const uint8_t *)"\x80", 1));
	assert_malformed(buf, der_range(buf, "12155550000",
	    (const uint8_t *)"\xff\x00\x00\x00\x00\x00\x00\x00", 8));
}
END_TEST

START_TEST(range_count_of_two_and_large_counts_decode)
{
	struct stir_tnauth *ta = NULL;
	uint8_t buf[128];
	size_t n;

	n = der_range(buf, "12155550000", (const uint8_t *)"\x02", 1);
	ck_assert_int_eq(stir_tnauth_decode(buf, n, &ta), STIR_OK);
	ck_assert_uint_eq(ta->e[0].count, 2);
	ck_assert(stir_tnauth_covers(ta, "12155550001"));
	ck_assert(!stir_tnauth_covers(ta, "12155550002"));
	stir_tnauth_free(ta);
	n = der_range(buf, "100000000000000", (const uint8_t *)"\x00\x80\x00\x00\x00\x00", 6);
	ck_assert_int_eq(stir_tnauth_decode(buf, n, &ta), STIR_OK);
	ck_assert_uint_eq(ta->e[0].count, 0x8000000000UL);
	stir_tnauth_free(ta);
}
END_TEST

START_TEST(range_with_an_extra_element_is_refused)
{
	uint8_t seq[96], body[96], buf[128];
	size_t n = tlv(body, 0, 0x16, "12155550000", 11);

	n = tlv(body, n, 0x02, "\x64", 1);
	n = tlv(body, n, 0x02, "\x01", 1);	/* after the extension marker */
	n = tlv(seq, 0, 0x30, body, n);
	assert_malformed(buf, wrap_entry(buf, 0xa1, seq, n));
}
END_TEST

START_TEST(tn_with_letters_or_sixteen_digits_is_ecert)
{
	struct stir_tnauth *ta = NULL;
	uint8_t buf[128];

	assert_malformed(buf, der_one(buf, "1215555121a"));
	assert_malformed(buf, der_one(buf, "+12155551212"));
	assert_malformed(buf, der_one(buf, "1234567890123456"));
	assert_malformed(buf, der_one(buf, ""));
	assert_malformed(buf, der_range(buf, "1215555000a", (const uint8_t *)"\x64", 1));
	assert_malformed(buf, der_range(buf, "1234567890123456", (const uint8_t *)"\x64", 1));
	ck_assert_int_eq(stir_tnauth_decode(buf, der_one(buf, "123456789012345"), &ta),
	    STIR_OK);
	ck_assert_str_eq(ta->e[0].value, "123456789012345");
	stir_tnauth_free(ta);
	ck_assert_int_eq(stir_tnauth_decode(buf, der_one(buf, "12#*"), &ta), STIR_OK);
	stir_tnauth_free(ta);
}
END_TEST

static size_t
der_spc(uint8_t *out, const char *spc)
{
	uint8_t ia5[96];
	size_t n = tlv(ia5, 0, 0x16, spc, strlen(spc));

	return wrap_entry(out, 0xa0, ia5, n);
}

START_TEST(spc_of_the_maximum_length_decodes_and_longer_is_ecert)
{
	struct stir_tnauth *ta = NULL;
	char spc[STIR_SPC_MAX + 2];
	uint8_t buf[160];

	memset(spc, 'S', STIR_SPC_MAX);
	spc[STIR_SPC_MAX] = '\0';
	ck_assert_int_eq(stir_tnauth_decode(buf, der_spc(buf, spc), &ta), STIR_OK);
	ck_assert_str_eq(ta->e[0].value, spc);
	stir_tnauth_free(ta);
	strcat(spc, "S");
	assert_malformed(buf, der_spc(buf, spc));
	assert_malformed(buf, der_spc(buf, "70\x01J"));	/* control byte */
	assert_malformed(buf, der_spc(buf, "70\x7fJ"));
}
END_TEST

static Suite *
tnauth_suite(void)
{
	Suite *s = suite_create("tnauth");
	TCase *tt = tcase_create("tnauthlist");

	tcase_add_test(tt, spc_only_list_decodes_and_covers_no_tn);
	tcase_add_test(tt, one_tn_list_covers_exactly_that_tn);
	tcase_add_test(tt, range_list_covers_start_to_start_plus_count_minus_one);
	tcase_add_test(tt, mixed_list_keeps_order_and_covers_its_tn);
	tcase_add_test(tt, built_der_matches_the_vectors);
	tcase_add_test(tt, truncated_der_is_ecert);
	tcase_add_test(tt, trailing_garbage_is_ecert);
	tcase_add_test(tt, wrong_tags_are_ecert);
	tcase_add_test(tt, empty_list_or_empty_input_is_ecert);
	tcase_add_test(tt, range_count_below_two_is_ecert);
	tcase_add_test(tt, negative_range_count_is_ecert);
	tcase_add_test(tt, range_count_of_two_and_large_counts_decode);
	tcase_add_test(tt, range_with_an_extra_element_is_refused);
	tcase_add_test(tt, tn_with_letters_or_sixteen_digits_is_ecert);
	tcase_add_test(tt, spc_of_the_maximum_length_decodes_and_longer_is_ecert);
	suite_add_tcase(s, tt);
	return s;
}

int
main(void)
{
	stir_log_init(STIR_LOG_ERR);
	return tu_run(tnauth_suite());
}
