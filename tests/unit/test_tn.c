/* test_tn.c: identity canonicalization and TN ranges (daemon/stir/tn.c). */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <check.h>

#include "stirclient.h"
#include "daemon/stir/tn.h"
#include "tests/unit/test_util.h"

/* Canonicalize in; it must succeed with kind and value. */
static void
assert_canon(const char *in, enum stir_ident_kind kind, const char *value)
{
	struct stir_ident id;
	char msg[256] = "";
	int r;

	memset(&id, 0, sizeof(id));
	r = stir_ident_canon(in, &id, msg, sizeof(msg));
	ck_assert_msg(r == STIR_OK, "'%s' refused (%d): %s", in, r, msg);
	ck_assert_msg(id.kind == kind, "'%s': kind %d, expected %d", in,
	    (int)id.kind, (int)kind);
	ck_assert_str_eq(id.value, value);
}

/* Canonicalize in; it must fail with STIR_EINVAL, message and ret untouched. */
static void
assert_refused(const char *in, const char *message)
{
	struct stir_ident id;
	char msg[256] = "";

	memset(&id, 0, sizeof(id));
	id.kind = _STIR_IDENT_KIND_MAX;
	strcpy(id.value, "untouched");
	ck_assert_int_eq(stir_ident_canon(in, &id, msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_str_eq(msg, message);
	ck_assert_int_eq(id.kind, _STIR_IDENT_KIND_MAX);
	ck_assert_str_eq(id.value, "untouched");
}

START_TEST(bare_number_loses_plus_and_visual_separators)
{
	assert_canon("+1 (215) 555-1212", STIR_IDENT_TN, "12155551212");
	assert_canon("1.215.555.1212", STIR_IDENT_TN, "12155551212");
	assert_canon("+123456789012345", STIR_IDENT_TN, "123456789012345");
}
END_TEST

START_TEST(tel_uri_becomes_digits_without_parameters)
{
	assert_canon("tel:+1-215-555-1212;phone-context=x", STIR_IDENT_TN, "12155551212");
	assert_canon("TEL:+12155551212", STIR_IDENT_TN, "12155551212");
	assert_canon("<tel:+1-215-555-1212;npdi>;tag=9", STIR_IDENT_TN, "12155551212");
}
END_TEST

START_TEST(sip_uri_with_user_phone_becomes_digits)
{
	assert_canon("sip:+1-(215)-555-1212@example.com;user=phone", STIR_IDENT_TN,
	    "12155551212");
}
END_TEST

START_TEST(sip_user_part_that_is_a_dial_string_becomes_digits)
{
	assert_canon("sips:+12155551212@example.com", STIR_IDENT_TN, "12155551212");
	assert_canon("sip:12155551212;npdi@example.com", STIR_IDENT_TN, "12155551212");
}
END_TEST

START_TEST(name_addr_uses_the_uri_inside_angle_brackets)
{
	assert_canon("\"Alice\" <sip:+12155551212@h>;tag=1", STIR_IDENT_TN, "12155551212");
	assert_canon("  Bob <sip:bob@Example.NET;transport=udp>;tag=x", STIR_IDENT_URI,
	    "sip:bob@example.net");
}
END_TEST

/*
 * RFC 8224 section 8 for a non-TN URI: scheme, user and host only.  The
 * user part's case: see the report (tn.h keeps it; the digest's
 * third-party example lowercases it), so it is compared without case.
 */
START_TEST(non_tn_sip_uri_keeps_only_scheme_user_and_host)
{
	struct stir_ident id;
	char msg[256] = "";

	ck_assert_int_eq(stir_ident_canon(
	    "SIP:Al%69ce:secret@EXAMPLE.com:5060;transport=tcp?Subject=x", &id,
	    msg, sizeof(msg)), STIR_OK);
	ck_assert_int_eq(id.kind, STIR_IDENT_URI);
	ck_assert_msg(strcasecmp(id.value, "sip:alice@example.com") == 0,
	    "got '%s'", id.value);
	ck_assert_msg(strncmp(id.value, "sip:", 4) == 0 &&
	    strcmp(id.value + 9, "@example.com") == 0, "got '%s'", id.value);
}
END_TEST

START_TEST(sips_scheme_and_ipv6_host_are_lowercased)
{
	assert_canon("SIPS:carol@[2001:DB8::1]:5061", STIR_IDENT_URI,
	    "sips:carol@[2001:db8::1]");
}
END_TEST

START_TEST(escapes_of_reserved_characters_are_kept)
{
	assert_canon("sip:a%40b@example.com", STIR_IDENT_URI, "sip:a%40b@example.com");
}
END_TEST

START_TEST(empty_identity_is_refused)
{
	assert_refused("", "not a telephone number, tel: or sip: URI");
}
END_TEST

START_TEST(control_characters_are_refused)
{
	assert_refused("sip:al\x01ice@example.com", "identity contains a control character");
	assert_refused("+1215555\n1212", "identity contains a control character");
}
END_TEST

START_TEST(sip_uri_without_user_part_is_refused)
{
	assert_refused("sip:example.com", "SIP URI has no user part");
	assert_refused("sip:@example.com", "SIP URI user part is empty or too long");
}
END_TEST

START_TEST(sip_uri_without_host_is_refused)
{
	assert_refused("sip:alice@", "SIP URI host is empty or too long");
	assert_refused("sip:alice@:5060", "SIP URI host is empty or too long");
	assert_refused("sip:alice@exa_mple.com", "SIP URI host has an invalid character");
}
END_TEST

START_TEST(more_than_fifteen_digits_is_not_a_tn)
{
	assert_refused("1234567890123456", "not a telephone number, tel: or sip: URI");
	assert_refused("tel:+1234567890123456", "tel: URI is not a telephone number");
	assert_refused("sip:+1234567890123456@example.com;user=phone",
	    "user=phone but the user part is not a telephone number");
}
END_TEST

START_TEST(user_phone_with_a_name_is_refused)
{
	assert_refused("sip:alice@example.com;user=phone",
	    "user=phone but the user part is not a telephone number");
}
END_TEST

START_TEST(tel_uri_with_letters_is_refused)
{
	assert_refused("tel:+1-800-FLOWERS", "tel: URI is not a telephone number");
}
END_TEST

START_TEST(other_schemes_are_refused)
{
	assert_refused("mailto:alice@example.com", "not a telephone number, tel: or sip: URI");
	assert_refused("mailto:", "not a telephone number, tel: or sip: URI");
	assert_refused("sip:", "not a telephone number, tel: or sip: URI");
}
END_TEST

START_TEST(unbalanced_angle_bracket_is_refused)
{
	assert_refused("\"A\" <sip:a@b", "unbalanced '<' in identity");
}
END_TEST

START_TEST(bad_percent_escape_is_refused)
{
	assert_refused("sip:a%zz@example.com", "SIP URI user part has invalid characters");
	assert_refused("sip:a%4@example.com", "SIP URI user part has invalid characters");
}
END_TEST

START_TEST(identity_over_the_limit_is_refused)
{
	char *in = malloc(STIR_IDENT_MAX + 2);

	ck_assert_ptr_nonnull(in);
	memset(in, '1', STIR_IDENT_MAX + 1);
	in[STIR_IDENT_MAX + 1] = '\0';
	assert_refused(in, "identity missing or longer than 1024 bytes");
	free(in);
}
END_TEST

START_TEST(tn_validity_follows_tnauthlist_syntax)
{
	ck_assert(stir_tn_is_valid("1"));
	ck_assert(stir_tn_is_valid("123456789012345"));
	ck_assert(stir_tn_is_valid("12#*"));
	ck_assert(!stir_tn_is_valid(""));
	ck_assert(!stir_tn_is_valid("1234567890123456"));
	ck_assert(!stir_tn_is_valid("+12155551212"));
	ck_assert(!stir_tn_is_valid("1215a551212"));
	ck_assert(!stir_tn_is_valid("1215 551212"));
}
END_TEST

START_TEST(range_covers_start_to_start_plus_count_minus_one)
{
	ck_assert(stir_tn_in_range("12155550000", "12155550000", 100));
	ck_assert(stir_tn_in_range("12155550099", "12155550000", 100));
	ck_assert(!stir_tn_in_range("12155550100", "12155550000", 100));
	ck_assert(!stir_tn_in_range("12155549999", "12155550000", 100));
	ck_assert(stir_tn_in_range("12155550000", "12155550000", 1));
	ck_assert(!stir_tn_in_range("12155550001", "12155550000", 1));
}
END_TEST

START_TEST(range_crossing_a_digit_boundary_is_numeric)
{
	ck_assert(stir_tn_in_range("12155551000", "12155550999", 2));
	ck_assert(stir_tn_in_range("12160000000", "12159999999", 2));
	ck_assert(!stir_tn_in_range("12160000001", "12159999999", 2));
}
END_TEST

START_TEST(range_of_count_zero_covers_nothing)
{
	ck_assert(!stir_tn_in_range("12155550000", "12155550000", 0));
}
END_TEST

START_TEST(different_lengths_are_never_in_range)
{
	ck_assert(!stir_tn_in_range("2155550000", "12155550000", ULONG_MAX));
	ck_assert(!stir_tn_in_range("121555500000", "12155550000", ULONG_MAX));
	ck_assert(!stir_tn_in_range("012155550000", "12155550000", ULONG_MAX));
}
END_TEST

START_TEST(non_digits_and_empty_are_never_in_range)
{
	ck_assert(!stir_tn_in_range("1215555000#", "12155550000", 1000));
	ck_assert(!stir_tn_in_range("12155550001", "1215555000*", 1000));
	ck_assert(!stir_tn_in_range("", "", 1000));
	ck_assert(!stir_tn_in_range("1234567890123456", "1234567890123450", 1000));
}
END_TEST

START_TEST(huge_count_does_not_wrap)
{
	ck_assert(stir_tn_in_range("999999999999999", "999999999999999", ULONG_MAX));
	ck_assert(stir_tn_in_range("999999999999999", "000000000000000", ULONG_MAX));
	ck_assert(!stir_tn_in_range("000000000000000", "999999999999999", ULONG_MAX));
}
END_TEST

static Suite *
tn_suite(void)
{
	Suite *s = suite_create("tn");
	TCase *tc = tcase_create("canon");
	TCase *tr = tcase_create("range");

	tcase_add_test(tc, bare_number_loses_plus_and_visual_separators);
	tcase_add_test(tc, tel_uri_becomes_digits_without_parameters);
	tcase_add_test(tc, sip_uri_with_user_phone_becomes_digits);
	tcase_add_test(tc, sip_user_part_that_is_a_dial_string_becomes_digits);
	tcase_add_test(tc, name_addr_uses_the_uri_inside_angle_brackets);
	tcase_add_test(tc, non_tn_sip_uri_keeps_only_scheme_user_and_host);
	tcase_add_test(tc, sips_scheme_and_ipv6_host_are_lowercased);
	tcase_add_test(tc, escapes_of_reserved_characters_are_kept);
	tcase_add_test(tc, empty_identity_is_refused);
	tcase_add_test(tc, control_characters_are_refused);
	tcase_add_test(tc, sip_uri_without_user_part_is_refused);
	tcase_add_test(tc, sip_uri_without_host_is_refused);
	tcase_add_test(tc, more_than_fifteen_digits_is_not_a_tn);
	tcase_add_test(tc, user_phone_with_a_name_is_refused);
	tcase_add_test(tc, tel_uri_with_letters_is_refused);
	tcase_add_test(tc, other_schemes_are_refused);
	tcase_add_test(tc, unbalanced_angle_bracket_is_refused);
	tcase_add_test(tc, bad_percent_escape_is_refused);
	tcase_add_test(tc, identity_over_the_limit_is_refused);
	suite_add_tcase(s, tc);
	tcase_add_test(tr, tn_validity_follows_tnauthlist_syntax);
	tcase_add_test(tr, range_covers_start_to_start_plus_count_minus_one);
	tcase_add_test(tr, range_crossing_a_digit_boundary_is_numeric);
	tcase_add_test(tr, range_of_count_zero_covers_nothing);
	tcase_add_test(tr, different_lengths_are_never_in_range);
	tcase_add_test(tr, non_digits_and_empty_are_never_in_range);
	tcase_add_test(tr, huge_count_does_not_wrap);
	suite_add_tcase(s, tr);
	return s;
}

int
main(void)
{
	return tu_run(tn_suite());
}
