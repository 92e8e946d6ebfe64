/*
 * test_message.c: the body of a SIP MESSAGE for msg PASSporTs (RFC 9475):
 * its base64 transport with a size limit (stir_body_decode()) and the
 * sanity check against its Content-Type (stir_body_check()), in message.c.
 * The multipart body is the 139-byte example of doc/extensions.md 2.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "daemon/stir/message.h"
#include "tests/unit/test_util.h"

#define WATSON		"Watson, come here."
#define WATSON_B64	"V2F0c29uLCBjb21lIGhlcmUu"	/* 18 bytes, no padding */

static const char mixed[] =
    "--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
    "--b1\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "iVBORw0KGgo=\r\n--b1--\r\n";

/* ---- stir_body_decode ---- */

/* b64 must decode, under max, to want (len bytes). */
static void
decode_ok(const char *b64, unsigned max, const void *want, size_t len)
{
	uint8_t *body = NULL;
	size_t n = 999;
	char msg[160] = "";

	ck_assert_msg(stir_body_decode(b64, max, &body, &n, msg, sizeof(msg)) == STIR_OK,
	    "'%s' max %u: %s", b64, max, msg);
	ck_assert_ptr_nonnull(body);
	ck_assert_uint_eq(n, len);
	if (len > 0)
		ck_assert_mem_eq(body, want, len);
	free(body);
}

/* b64 must fail with err and msg; the outputs stay untouched. */
static void
decode_bad(const char *b64, unsigned max, int err, const char *want_msg)
{
	uint8_t *body = (uint8_t *)&body;
	size_t n = 999;
	char msg[160] = "";

	ck_assert_int_eq(stir_body_decode(b64, max, &body, &n, msg, sizeof(msg)), err);
	ck_assert_str_eq(msg, want_msg);
	ck_assert_ptr_eq(body, (uint8_t *)&body);
	ck_assert_uint_eq(n, 999);
}

static void
decode_big(const char *b64, unsigned max)
{
	char want[160];

	snprintf(want, sizeof(want), "the body is larger than msg_max_body_bytes (%u)", max);
	decode_bad(b64, max, STIR_ETOOBIG, want);
}

START_TEST(decode_valid)
{
	static const uint8_t bin[] = { 0x00, 0xff, 0x80, 0x7f, 0x0d, 0x0a, 0x00 };

	decode_ok(WATSON_B64, 1024, WATSON, 18);
	decode_ok("QQ==", 1024, "A", 1);
	decode_ok("QUI=", 1024, "AB", 2);
	decode_ok("QUJD", 1024, "ABC", 3);
	/* binary, NULs included */
	decode_ok("AP+Afw0KAA==", 1024, bin, sizeof(bin));
	/* the empty body */
	decode_ok("", 1024, "", 0);
	decode_ok("", 0, "", 0);
	/* the multipart example as one blob */
	decode_ok("LS1iMQ0KQ29udGVudC1UeXBlOiB0ZXh0L3BsYWluDQoNClNlZSBhdHRhY2hlZC4NCi0tYjENCkNvbnRl"
	    "bnQtVHlwZTogaW1hZ2UvcG5nDQpDb250ZW50LVRyYW5zZmVyLUVuY29kaW5nOiBiYXNlNjQNCg0KaVZC"
	    "T1J3MEtHZ289DQotLWIxLS0NCg==", 1024, mixed, sizeof(mixed) - 1);
}
END_TEST

START_TEST(decode_ignores_whitespace)
{
	decode_ok("V2F0 c29u\r\nLCBj\tb21lIGhlcmUu", 1024, WATSON, 18);
	decode_ok("  V2F0c29uLCBjb21lIGhlcmUu\r\n", 1024, WATSON, 18);
	decode_ok("QQ\r\n==", 1024, "A", 1);
	decode_ok(" \t\r\n", 1024, "", 0);
	/* MIME line length: 76 characters and CRLF */
	decode_ok("V2F0c29uLCBjb21lIGhlcmUuV2F0c29uLCBjb21lIGhlcmUuV2F0c29uLCBjb21lIGhlcmUuV2F0\r\n"
	    "c29uLCBjb21lIGhlcmUu\r\n", 1024, WATSON WATSON WATSON WATSON, 72);
	/* line breaks do not count against the limit: exactly 72 bytes fit */
	decode_ok("V2F0c29uLCBjb21lIGhlcmUuV2F0c29uLCBjb21lIGhlcmUuV2F0c29uLCBjb21lIGhlcmUuV2F0\r\n"
	    "c29uLCBjb21lIGhlcmUu\r\n", 72, WATSON WATSON WATSON WATSON, 72);
}
END_TEST

START_TEST(decode_not_base64)
{
	static const char *const bad[] = {
		"V2F0c29u!",		/* not in the alphabet */
		"QQ",			/* padding is required */
		"QUI",
		"Q",
		"QQ=",
		"QQ===",
		"QQ==QQ==",		/* data after padding */
		"-_-_",			/* base64url */
		"V2F0\001c29u",		/* a control character that is not whitespace */
		"V2F0\vc29u",
		"=",
		"====",
		"\xc3\xa9QUJD",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		decode_bad(bad[i], 1024, STIR_EINVAL, "not base64");
}
END_TEST

START_TEST(decode_over_the_limit_is_etoobig)
{
	/* exactly at the limit, and one byte over */
	decode_ok(WATSON_B64, 18, WATSON, 18);
	decode_big(WATSON_B64, 17);
	decode_ok("QQ==", 1, "A", 1);
	decode_big("QQ==", 0);
	decode_ok("QUI=", 2, "AB", 2);
	decode_big("QUI=", 1);
	decode_ok("QUJD", 3, "ABC", 3);
	decode_big("QUJD", 2);
	decode_big("QUJD", 0);
	decode_ok("QUJDRA==", 4, "ABCD", 4);
	decode_big("QUJDRA==", 3);
	/* with whitespace in between: what counts is the decoded size */
	decode_ok("QUJD\r\nRA==", 4, "ABCD", 4);
	decode_big("QUJD\r\nRA==", 3);
	/* far over: refused before decoding, even when it is not base64 */
	{
		char big[4097];

		memset(big, '!', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		decode_big(big, 16);
		decode_bad(big, 4096, STIR_EINVAL, "not base64");
		memset(big, 'A', sizeof(big) - 1);
		big[4096] = '\0';		/* 4096 characters: 3072 bytes */
		decode_big(big, 3071);
		decode_big(big, 3068);
		decode_big(big, 100);
		decode_bad(big + 1, 4096, STIR_EINVAL, "not base64");	/* 4095 */
		{
			uint8_t *body = NULL;
			size_t n = 0;
			char msg[160];

			ck_assert_int_eq(stir_body_decode(big, 3072, &body, &n, msg, sizeof(msg)),
			    STIR_OK);
			ck_assert_uint_eq(n, 3072);
			free(body);
		}
	}
}
END_TEST

/* ---- stir_body_check ---- */

static void
check_ok(const char *body, const char *ctype)
{
	char msg[256] = "";

	ck_assert_msg(stir_body_check((const uint8_t *)body, strlen(body), ctype, msg,
	    sizeof(msg)) == STIR_OK, "%s: %s", ctype ? ctype : "(null)", msg);
}

static void
check_bad(const char *body, const char *ctype, const char *want)
{
	char msg[256] = "";

	ck_assert_msg(stir_body_check((const uint8_t *)body, strlen(body), ctype, msg,
	    sizeof(msg)) == STIR_EINVAL, "%s accepted", ctype);
	ck_assert_str_eq(msg, want);
}

#define NOT_TYPE	"content_type is not a type/subtype"
#define NOT_ASCII	"content_type has a control or non-ASCII character"
#define NO_BOUNDARY	"a multipart content_type needs a boundary of 1-70 characters"

START_TEST(body_check_any_body_without_ctype)
{
	char msg[16] = "";

	check_ok(WATSON, NULL);
	check_ok("", NULL);
	check_ok("--b1 without its close", NULL);
	ck_assert_int_eq(stir_body_check((const uint8_t *)"\0\xff", 2, NULL, msg, sizeof(msg)),
	    STIR_OK);
	ck_assert_int_eq(stir_body_check(NULL, 0, NULL, msg, sizeof(msg)), STIR_OK);
}
END_TEST

START_TEST(body_check_simple_types)
{
	check_ok(WATSON, "text/plain");
	check_ok(WATSON, "text/plain; charset=utf-8");
	check_ok(WATSON, "TEXT/PLAIN;charset=\"UTF-8\"");
	check_ok("", "application/vnd.3gpp.sms");
	check_ok("<?xml version=\"1.0\"?><x/>", "application/im-iscomposing+xml");
	/* a body of another type that looks multipart is not looked at */
	check_ok("anything", "message/cpim");
	check_ok("--x", "text/plain; boundary=y");
}
END_TEST

START_TEST(body_check_bad_ctype)
{
	static const char *const bad[] = {
		"", "text", "textplain", "/plain", "text/", "text/;charset=x", "te xt/plain",
		"text;a=b/plain", "\ttext/plain", " text/plain", "text\t/plain",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_bad(WATSON, bad[i], NOT_TYPE);
	check_bad(WATSON, "text/plain\r\nX-Evil: 1", NOT_ASCII);
	check_bad(WATSON, "text/plain;\x01", NOT_ASCII);
	check_bad(WATSON, "text/pl\xc3\xa4in", NOT_ASCII);
	check_bad(WATSON, "text/plain\x7f", NOT_ASCII);
}
END_TEST

START_TEST(body_check_multipart_needs_a_boundary)
{
	check_bad(mixed, "multipart/mixed", NO_BOUNDARY);
	check_bad(mixed, "multipart/mixed;", NO_BOUNDARY);
	check_bad(mixed, "multipart/mixed; charset=utf-8", NO_BOUNDARY);
	check_bad(mixed, "multipart/mixed; boundary=", NO_BOUNDARY);
	check_bad(mixed, "multipart/mixed; boundary=\"\"", NO_BOUNDARY);
	check_bad(mixed, "multipart/mixed; boundary=\"b1", NO_BOUNDARY);
	check_bad(mixed, "multipart/mixed; boundary=;x=b1", NO_BOUNDARY);
	check_bad(mixed, "multipart/mixed; xboundary=b1", NO_BOUNDARY);
	/* the parameter name is case-insensitive, so is the type */
	check_ok(mixed, "multipart/mixed; boundary=b1");
	check_ok(mixed, "multipart/mixed;boundary=b1");
	check_ok(mixed, "Multipart/Mixed;  BOUNDARY=b1");
	check_ok(mixed, "multipart/mixed; charset=x; boundary=b1; type=\"text/plain\"");
	check_ok(mixed, "multipart/related; boundary=b1 ;type=text/plain");
}
END_TEST

START_TEST(body_check_quoted_boundary)
{
	check_ok(mixed, "multipart/mixed; boundary=\"b1\"");
	check_ok(mixed, "multipart/mixed; boundary=\"b1\"; charset=x");
	check_ok(mixed, "multipart/mixed;\tboundary=b1");	/* SIP allows tabs */
	/* a quoted boundary may hold what a token cannot: spaces, '=' */
	check_ok("--a b=c\r\nContent-Type: text/plain\r\n\r\nx\r\n--a b=c--\r\n",
	    "multipart/alternative; boundary=\"a b=c\"");
	check_bad("--a\r\nContent-Type: text/plain\r\n\r\nx\r\n--a--\r\n",
	    "multipart/alternative; boundary=\"a b=c\"",
	    "the body has no delimiter of its boundary 'a b=c'");
}
END_TEST

START_TEST(body_check_boundary_length)
{
	char b[STIR_BOUNDARY_MAX + 2], ctype[128], body[256];

	memset(b, 'q', sizeof(b));
	b[STIR_BOUNDARY_MAX] = '\0';			/* 70: the longest */
	snprintf(ctype, sizeof(ctype), "multipart/mixed; boundary=%s", b);
	snprintf(body, sizeof(body), "--%s\r\n\r\nx\r\n--%s--\r\n", b, b);
	check_ok(body, ctype);
	snprintf(ctype, sizeof(ctype), "multipart/mixed; boundary=\"%s\"", b);
	check_ok(body, ctype);
	b[STIR_BOUNDARY_MAX] = 'q';			/* 71 */
	b[STIR_BOUNDARY_MAX + 1] = '\0';
	snprintf(ctype, sizeof(ctype), "multipart/mixed; boundary=%s", b);
	snprintf(body, sizeof(body), "--%s\r\n\r\nx\r\n--%s--\r\n", b, b);
	check_bad(body, ctype, NO_BOUNDARY);
	snprintf(ctype, sizeof(ctype), "multipart/mixed; boundary=\"%s\"", b);
	check_bad(body, ctype, NO_BOUNDARY);
	check_ok("--x\r\n\r\n--x--", "multipart/mixed; boundary=x");
}
END_TEST

START_TEST(body_check_delimiters)
{
	static const char ctype[] = "multipart/mixed; boundary=b1";

	check_bad("", ctype, "the body has no delimiter of its boundary 'b1'");
	check_bad(WATSON, ctype, "the body has no delimiter of its boundary 'b1'");
	check_bad("-b1\r\n\r\nx\r\n-b1-", ctype, "the body has no delimiter of its boundary 'b1'");
	check_bad("--B1\r\n\r\nx\r\n--B1--\r\n", ctype,
	    "the body has no delimiter of its boundary 'b1'");
	check_bad("--b1\r\nContent-Type: text/plain\r\n\r\nx\r\n--b1\r\n", ctype,
	    "the body has no close delimiter of its boundary 'b1'");
	check_bad("--b1\r\n\r\nx\r\n--b1-\r\n", ctype,
	    "the body has no close delimiter of its boundary 'b1'");
	/* found past a NUL in the body */
	{
		static const char nul[] = "\0--b1\r\n\r\nx\r\n--b1--";
		char msg[160] = "";

		ck_assert_int_eq(stir_body_check((const uint8_t *)nul, sizeof(nul) - 1, ctype, msg,
		    sizeof(msg)), STIR_OK);
		/* and not past the length given */
		ck_assert_int_eq(stir_body_check((const uint8_t *)nul, sizeof(nul) - 2, ctype, msg,
		    sizeof(msg)), STIR_EINVAL);
		ck_assert_str_eq(msg, "the body has no close delimiter of its boundary 'b1'");
	}
}
END_TEST

START_TEST(body_check_real_multipart_mixed)
{
	static const char sms[] =
	    "--boundary42\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "\r\n"
	    "Meet at 5?\r\n"
	    "--boundary42\r\n"
	    "Content-Type: application/vnd.gsma.rcs-ft-http+xml\r\n"
	    "Content-Disposition: attachment; filename=\"map.xml\"\r\n"
	    "\r\n"
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
	    "<file xmlns=\"urn:gsma:params:xml:ns:rcs:rcs:fthttp\"/>\r\n"
	    "--boundary42--\r\n";

	ck_assert_uint_eq(sizeof(mixed) - 1, 139);
	check_ok(mixed, "multipart/mixed; boundary=b1");
	check_ok(sms, "multipart/mixed;boundary=\"boundary42\"");
	/* RFC 2046 allows a preamble and an epilogue */
	check_ok("This is the preamble.\r\n--b1\r\n\r\nx\r\n--b1--\r\nepilogue\r\n",
	    "multipart/mixed; boundary=b1");
}
END_TEST

static Suite *
message_suite(void)
{
	Suite *s = suite_create("message");
	TCase *td = tcase_create("decode"), *tc = tcase_create("check");

	tcase_add_test(td, decode_valid);
	tcase_add_test(td, decode_ignores_whitespace);
	tcase_add_test(td, decode_not_base64);
	tcase_add_test(td, decode_over_the_limit_is_etoobig);
	suite_add_tcase(s, td);
	tcase_add_test(tc, body_check_any_body_without_ctype);
	tcase_add_test(tc, body_check_simple_types);
	tcase_add_test(tc, body_check_bad_ctype);
	tcase_add_test(tc, body_check_multipart_needs_a_boundary);
	tcase_add_test(tc, body_check_quoted_boundary);
	tcase_add_test(tc, body_check_boundary_length);
	tcase_add_test(tc, body_check_delimiters);
	tcase_add_test(tc, body_check_real_multipart_mixed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	stir_log_init(STIR_LOG_ERR);
	return tu_run(message_suite());
}
