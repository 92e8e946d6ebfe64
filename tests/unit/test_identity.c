/* test_identity.c: the Identity header field value parser (identity.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "stirclient.h"
#include "daemon/stir/identity.h"
#include "tests/unit/test_util.h"

#define H	"eyJhbGciOiJFUzI1NiJ9"		/* any base64url will do here */
#define P	"eyJpYXQiOjF9"
#define S	"c2lnbmF0dXJlLWJ5dGVz_-0"
#define JWS	H "." P "." S
#define URI	"https://cert.example.org/sp.pem"

/* Parse value (len bytes); returns the identity or fails the test. */
static struct stir_identity *
parse_len(const char *value, size_t len)
{
	struct stir_identity *id = NULL;
	char msg[256] = "";
	int r = stir_identity_parse(value, len, &id, msg, sizeof(msg));

	ck_assert_msg(r == STIR_OK, "'%s' refused (%d): %s", value, r, msg);
	ck_assert_ptr_nonnull(id);
	return id;
}

static struct stir_identity *
parse_ok(const char *value)
{
	return parse_len(value, strlen(value));
}

/* value (len bytes) must be refused with STIR_EINVAL and exactly msgwant. */
static void
refused_len(const char *value, size_t len, const char *msgwant)
{
	struct stir_identity *id = (struct stir_identity *)&id;	/* untouched marker */
	char msg[256] = "";

	ck_assert_int_eq(stir_identity_parse(value, len, &id, msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_ptr_eq(id, (struct stir_identity *)&id);
	ck_assert_str_eq(msg, msgwant);
}

static void
refused(const char *value, const char *msgwant)
{
	refused_len(value, strlen(value), msgwant);
}

START_TEST(full_form_with_all_parameters)
{
	struct stir_identity *id = parse_ok(JWS ";info=<" URI ">;alg=ES256;ppt=shaken");

	ck_assert(!id->compact);
	ck_assert_str_eq(id->jws, JWS);
	ck_assert_uint_eq(id->hlen, strlen(H));
	ck_assert_uint_eq(id->plen, strlen(P));
	ck_assert_int_eq(strncmp(id->jws, H, id->hlen), 0);
	ck_assert_int_eq(strncmp(id->jws + id->hlen + 1, P, id->plen), 0);
	ck_assert_str_eq(id->info, URI);
	ck_assert_str_eq(id->alg, "ES256");
	ck_assert_str_eq(id->ppt, "shaken");
	ck_assert_str_eq(stir_identity_sig(id), S);
	stir_identity_free(id);
}
END_TEST

START_TEST(compact_form_and_absent_optional_parameters)
{
	struct stir_identity *id = parse_ok(".." S ";info=<" URI ">");

	ck_assert(id->compact);
	ck_assert_str_eq(id->jws, ".." S);
	ck_assert_uint_eq(id->hlen, 0);
	ck_assert_uint_eq(id->plen, 0);
	ck_assert_str_eq(id->info, URI);
	ck_assert_ptr_null(id->alg);
	ck_assert_ptr_null(id->ppt);
	ck_assert_str_eq(stir_identity_sig(id), S);
	stir_identity_free(id);
}
END_TEST

START_TEST(info_is_required_and_must_be_an_angle_bracketed_uri)
{
	struct stir_identity *id;

	refused(JWS, "the Identity value has no info parameter");
	refused(JWS ";alg=ES256;ppt=shaken", "the Identity value has no info parameter");
	refused(JWS ";info=" URI, "info is not <URI>");
	refused(JWS ";info=\"" URI "\"", "info is not <URI>");
	refused(JWS ";info", "info is not <URI>");
	refused(JWS ";info=<>", "info is not <URI>");
	refused(JWS ";info=<" URI, "a '<' without '>'");
	refused(JWS ";info=<https://cert.example.org/a b.pem>",
	    "info has a character not allowed in a URI");
	refused(JWS ";info=<https://cert.example.org/\"x>",
	    "info has a character not allowed in a URI");
	refused(JWS ";info=<https://cert.example.org/\x7f>",
	    "info has a character not allowed in a URI");
	/* the shortest URI: one character */
	id = parse_ok(JWS ";info=<x>");
	ck_assert_str_eq(id->info, "x");
	stir_identity_free(id);
}
END_TEST

START_TEST(alg_and_ppt_parameters_quoted_or_not)
{
	struct stir_identity *id = parse_ok(JWS ";ppt=\"shaken\";info=<" URI ">;alg=\"ES256\"");

	ck_assert_str_eq(id->ppt, "shaken");
	ck_assert_str_eq(id->alg, "ES256");
	ck_assert_str_eq(id->info, URI);
	stir_identity_free(id);
	/* parameter names are case-insensitive, values kept as sent */
	id = parse_ok(JWS ";INFO=<" URI ">;Alg=es256;PPT=div");
	ck_assert_str_eq(id->alg, "es256");
	ck_assert_str_eq(id->ppt, "div");
	stir_identity_free(id);
	refused(JWS ";info=<" URI ">;alg=", "the parameter 'alg' has no usable value");
	refused(JWS ";info=<" URI ">;ppt", "the parameter 'ppt' has no usable value");
	refused(JWS ";info=<" URI ">;ppt=\"\"", "the parameter 'ppt' has no usable value");
	refused(JWS ";info=<" URI ">;ppt=\"shaken", "an unterminated quoted string");
	/* STIR_PPT_MAX characters pass, one more does not */
	id = parse_ok(JWS ";info=<" URI ">;ppt=abcdefghijklmnopqrstuvwxyz012345");
	ck_assert_uint_eq(strlen(id->ppt), STIR_PPT_MAX);
	stir_identity_free(id);
	refused(JWS ";info=<" URI ">;ppt=abcdefghijklmnopqrstuvwxyz0123456",
	    "the parameter 'ppt' has no usable value");
}
END_TEST

START_TEST(unknown_parameters_are_ignored)
{
	struct stir_identity *id = parse_ok(JWS ";foo=bar;info=<" URI ">;flag;x-y=\"a;b\";z=<q>");

	ck_assert_str_eq(id->info, URI);
	ck_assert_ptr_null(id->alg);
	ck_assert_ptr_null(id->ppt);
	stir_identity_free(id);
	refused(JWS ";info=<" URI ">;=x", "a parameter has no name");
	refused(JWS ";info=<" URI "> junk", "expected ';' after the PASSporT or a parameter");
	refused(JWS ";info=<" URI ">;a;b;c;d;e;f;g;h;i;j;k;l;m;n;o;p",
	    "more than 16 parameters");
	id = parse_ok(JWS ";info=<" URI ">;a;b;c;d;e;f;g;h;i;j;k;l;m;n;o");
	stir_identity_free(id);
}
END_TEST

START_TEST(folded_whitespace_around_separators)
{
	struct stir_identity *id = parse_ok(
	    " \t" JWS "\r\n ;\r\n\tinfo \r\n =\r\n <" URI ">\r\n ; alg\t=\tES256 ;ppt\n = shaken \t");

	ck_assert_str_eq(id->jws, JWS);
	ck_assert_str_eq(id->info, URI);
	ck_assert_str_eq(id->alg, "ES256");
	ck_assert_str_eq(id->ppt, "shaken");
	stir_identity_free(id);
	/* a line break not followed by a blank is not folding */
	refused(JWS "\r\n;info=<" URI ">", "expected ';' after the PASSporT or a parameter");
	refused(JWS ";info=<" URI ">\r\n", "expected ';' after the PASSporT or a parameter");
}
END_TEST

START_TEST(leading_header_name_is_tolerated)
{
	static const char *const ok[] = {
		"Identity: " JWS ";info=<" URI ">",
		"identity:" JWS ";info=<" URI ">",
		"IDENTITY:\r\n " JWS ";info=<" URI ">",
		"y: " JWS ";info=<" URI ">",
		"Y:" JWS ";info=<" URI ">",
		"  y: " JWS ";info=<" URI ">",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct stir_identity *id = parse_ok(ok[i]);

		ck_assert_str_eq(id->jws, JWS);
		ck_assert_str_eq(id->info, URI);
		stir_identity_free(id);
	}
	refused("Identity-Info: " JWS ";info=<" URI ">",
	    "the PASSporT is not header.payload.signature or ..signature");
	refused("x: " JWS ";info=<" URI ">",
	    "the PASSporT is not header.payload.signature or ..signature");
}
END_TEST

START_TEST(duplicate_info_alg_or_ppt_is_refused)
{
	refused(JWS ";info=<" URI ">;info=<" URI ">", "the parameter 'info' appears twice");
	refused(JWS ";info=<" URI ">;alg=ES256;ALG=ES256", "the parameter 'ALG' appears twice");
	refused(JWS ";ppt=shaken;info=<" URI ">;ppt=\"shaken\"",
	    "the parameter 'ppt' appears twice");
}
END_TEST

START_TEST(dot_count_other_than_two_is_refused)
{
	static const char msg[] = "the PASSporT is not header.payload.signature or ..signature";

	refused(S ";info=<" URI ">", msg);
	refused(H "." S ";info=<" URI ">", msg);
	refused("." S ";info=<" URI ">", msg);
	refused(H "." P "." S "." S ";info=<" URI ">", msg);
	refused("..." S ";info=<" URI ">", msg);
	refused(";info=<" URI ">", msg);
}
END_TEST

START_TEST(characters_outside_base64url_are_refused)
{
	/* the digest runs to ';' or a blank; anything in it outside
	 * base64url and '.' is named with its offset */
	size_t hl = strlen(H), pl = strlen(P), sl = strlen(S);
	char want[128];

	snprintf(want, sizeof(want), "the PASSporT has a character outside base64url at %zu",
	    hl + pl + sl + 2);
	refused(H "." P "." S "+/;info=<" URI ">", want);
	refused(H "." P "." S "==;info=<" URI ">", want);
	snprintf(want, sizeof(want), "the PASSporT has a character outside base64url at %zu",
	    hl + pl + 1);
	refused(H "." P "+." S ";info=<" URI ">", want);
	snprintf(want, sizeof(want), "the PASSporT has a character outside base64url at %zu",
	    hl + pl + 2);
	refused(H "." P "." "\xc3\xa9" S ";info=<" URI ">", want);
	/* a blank ends the digest: what follows must be a parameter */
	refused(H " ." P "." S ";info=<" URI ">",
	    "the PASSporT is not header.payload.signature or ..signature");
}
END_TEST

START_TEST(empty_signature_is_refused)
{
	refused(H "." P ".;info=<" URI ">", "the PASSporT has no signature");
	refused("..;info=<" URI ">", "the PASSporT has no signature");
	refused(H "." P ".", "the PASSporT has no signature");
}
END_TEST

START_TEST(header_without_payload_is_refused)
{
	static const char msg[] = "the PASSporT has a header or a payload but not both";

	refused(H ".." S ";info=<" URI ">", msg);
	refused("." P "." S ";info=<" URI ">", msg);
}
END_TEST

START_TEST(empty_overlong_or_nul_value_is_refused)
{
	static const char head[] = JWS ";info=<" URI ">;pad=";
	char *buf = malloc(STIR_IDENTITY_MAX + 2);
	char want[128];
	struct stir_identity *id;

	snprintf(want, sizeof(want), "the Identity value is empty or longer than %d bytes",
	    STIR_IDENTITY_MAX);
	refused_len("", 0, want);
	/* exactly STIR_IDENTITY_MAX bytes pass (an unknown parameter pads it) */
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, head, sizeof(head) - 1);
	memset(buf + sizeof(head) - 1, 'a', STIR_IDENTITY_MAX + 1 - (sizeof(head) - 1));
	buf[STIR_IDENTITY_MAX + 1] = '\0';
	id = parse_len(buf, STIR_IDENTITY_MAX);
	ck_assert_str_eq(id->info, URI);
	stir_identity_free(id);
	refused_len(buf, STIR_IDENTITY_MAX + 1, want);
	free(buf);
	refused_len(JWS ";info=<" URI ">\0;ppt=shaken", sizeof(JWS ";info=<" URI ">") + 11,
	    "the Identity value holds a NUL byte");
	refused_len("\0" JWS ";info=<" URI ">", sizeof(JWS ";info=<" URI ">"),
	    "the Identity value holds a NUL byte");
}
END_TEST

START_TEST(only_len_bytes_are_read)
{
	static const char v[] = JWS ";info=<" URI ">;ppt=shaken";
	struct stir_identity *id = parse_len(v, strlen(JWS ";info=<" URI ">"));

	ck_assert_ptr_null(id->ppt);
	stir_identity_free(id);
	/* cut inside the URI: no '>' within len */
	refused_len(v, strlen(JWS ";info=<https"), "a '<' without '>'");
}
END_TEST

START_TEST(sig_points_after_the_second_dot)
{
	struct stir_identity *id = parse_ok("a.b.c;info=<u>");

	ck_assert_str_eq(stir_identity_sig(id), "c");
	stir_identity_free(id);
	id = parse_ok("..-_;info=<u>");
	ck_assert_str_eq(stir_identity_sig(id), "-_");
	stir_identity_free(id);
	stir_identity_free(NULL);
}
END_TEST

static Suite *
identity_suite(void)
{
	Suite *s = suite_create("identity");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, full_form_with_all_parameters);
	tcase_add_test(tc, compact_form_and_absent_optional_parameters);
	tcase_add_test(tc, info_is_required_and_must_be_an_angle_bracketed_uri);
	tcase_add_test(tc, alg_and_ppt_parameters_quoted_or_not);
	tcase_add_test(tc, unknown_parameters_are_ignored);
	tcase_add_test(tc, folded_whitespace_around_separators);
	tcase_add_test(tc, leading_header_name_is_tolerated);
	tcase_add_test(tc, duplicate_info_alg_or_ppt_is_refused);
	tcase_add_test(tc, dot_count_other_than_two_is_refused);
	tcase_add_test(tc, characters_outside_base64url_are_refused);
	tcase_add_test(tc, empty_signature_is_refused);
	tcase_add_test(tc, header_without_payload_is_refused);
	tcase_add_test(tc, empty_overlong_or_nul_value_is_refused);
	tcase_add_test(tc, only_len_bytes_are_read);
	tcase_add_test(tc, sig_points_after_the_second_dot);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(identity_suite());
}
