/*
 * test_sipmap.c: stird-sipd's mapping (client/stird-sipd/sipmap.c) from a
 * parsed INVITE to the stird request and from stird's reply to the SIP
 * answer, with exact codes, phrases and header values.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "stirclient.h"
#include "client/stird-sipd/sipmap.h"
#include "client/stird-sipd/sipmsg.h"

#define INVITE_HEAD "INVITE sip:+12125551213@example.com;user=phone SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n" \
	"To: <sip:+12125551213@example.com;user=phone>\r\nCall-ID: c1@x\r\nCSeq: 1 INVITE\r\n"

static struct sipmsg *
parse(const char *more)
{
	char buf[8192];
	struct sipmsg *m = NULL;
	const char *why = NULL;

	snprintf(buf, sizeof(buf), INVITE_HEAD "%sContent-Length: 0\r\n\r\n", more);
	ck_assert_int_eq(sipmsg_parse(buf, strlen(buf), 100, false, &m, &why), STIR_OK);
	ck_assert(sipmsg_check(m, &why));
	return m;
}

static const char *
hval(const struct sip_answer *a, const char *name, int n)
{
	for (size_t i = 0; i < a->nhdrs; i++)
		if (strcmp(a->hdrs[i].name, name) == 0 && n-- == 0)
			return a->hdrs[i].value;
	return NULL;
}

START_TEST(sign_request_takes_pai_to_and_attest)
{
	struct sipmsg *m = parse("From: <sip:+12155551212@example.com;user=phone>;tag=a\r\n"
	    "P-Asserted-Identity: <tel:+1-215-555-0000>\r\n");
	enum sipd_op op;
	char *params = NULL;
	const char *why;
	json_t *p;

	ck_assert_int_eq(sipmap_request(sipmsg_fields(m), SIPD_MODE_AUTO, "B", &op, &params, &why),
	    STIR_OK);
	ck_assert_int_eq(op, SIPD_OP_SIGN);
	ck_assert_ptr_nonnull(p = json_loads(params, 0, NULL));
	ck_assert_str_eq(json_string_value(json_object_get(p, "orig")), "<tel:+1-215-555-0000>");
	ck_assert_str_eq(json_string_value(json_object_get(p, "dest")),
	    "<sip:+12125551213@example.com;user=phone>");
	ck_assert_str_eq(json_string_value(json_object_get(p, "attest")), "B");
	ck_assert_int_eq(json_object_size(p), 3);
	json_decref(p);
	free(params);
	/* an attestation that is not A, B or C */
	ck_assert_int_eq(sipmap_request(sipmsg_fields(m), SIPD_MODE_SIGN, "Z", &op, &params, &why),
	    STIR_EINVAL);
	ck_assert_str_eq(why, "attestation must be A, B or C");
	sipmsg_free(m);
}
END_TEST

START_TEST(verify_request_takes_every_identity_and_the_lists)
{
	struct sipmsg *m = parse("From: <sip:+12155551212@example.com;user=phone>;tag=a\r\n"
	    "Identity: a.b.c;info=<https://x/1>\r\ny: d.e.f;info=<https://x/2>\r\n"
	    "History-Info: <tel:+1>;index=1\r\nHistory-Info: <tel:+2>;index=1.1\r\n"
	    "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n");
	enum sipd_op op;
	char *params = NULL;
	const char *why;
	json_t *p, *ids;

	ck_assert_int_eq(sipmap_request(sipmsg_fields(m), SIPD_MODE_AUTO, "A", &op, &params, &why),
	    STIR_OK);
	ck_assert_int_eq(op, SIPD_OP_VERIFY);
	ck_assert_ptr_nonnull(p = json_loads(params, 0, NULL));
	ids = json_object_get(p, "identity");
	ck_assert_int_eq(json_array_size(ids), 2);
	ck_assert_str_eq(json_string_value(json_array_get(ids, 0)), "a.b.c;info=<https://x/1>");
	ck_assert_str_eq(json_string_value(json_array_get(ids, 1)), "d.e.f;info=<https://x/2>");
	ck_assert_str_eq(json_string_value(json_object_get(p, "history_info")),
	    "<tel:+1>;index=1, <tel:+2>;index=1.1");
	ck_assert_str_eq(json_string_value(json_object_get(p, "date")),
	    "Sat, 13 Nov 2010 23:29:00 GMT");
	ck_assert_str_eq(json_string_value(json_object_get(p, "request_uri")),
	    "sip:+12125551213@example.com;user=phone");
	ck_assert_ptr_null(json_object_get(p, "pai"));
	ck_assert_ptr_null(json_object_get(p, "diversion"));
	json_decref(p);
	free(params);
	sipmsg_free(m);
}
END_TEST

START_TEST(sign_answer_is_302_with_contact_and_each_identity)
{
	struct sipmsg *m = parse("From: <sip:+12155551212@example.com;user=phone>;tag=a\r\n");
	struct sip_answer a;

	ck_assert_int_eq(sipmap_sign_answer(sipmsg_fields(m),
	    "{\"identity\":\"x.y.z;ppt=shaken\",\"identities\":[\"x.y.z;ppt=shaken\",\"r.s.t;ppt=rcd\"]}",
	    &a), STIR_OK);
	ck_assert_int_eq(a.code, 302);
	ck_assert_str_eq(a.phrase, "Moved Temporarily");
	ck_assert_str_eq(hval(&a, "Contact", 0), "<sip:+12125551213@example.com;user=phone>");
	ck_assert_str_eq(hval(&a, "Identity", 0), "x.y.z;ppt=shaken");
	ck_assert_str_eq(hval(&a, "Identity", 1), "r.s.t;ppt=rcd");
	sip_answer_clear(&a);
	/* a value that would end the header is never written */
	ck_assert_int_eq(sipmap_sign_answer(sipmsg_fields(m),
	    "{\"identity\":\"x\\r\\nEvil: 1\"}", &a), STIR_EPROTO);
	ck_assert_int_eq(sipmap_sign_answer(sipmsg_fields(m), "[]", &a), STIR_EPROTO);
	sipmsg_free(m);
}
END_TEST

START_TEST(verify_answer_carries_verstat_rcd_and_reasons)
{
	struct sipmsg *m = parse("From: <sip:+12155551212@example.com;user=phone>;tag=a\r\n");
	struct sip_answer a;

	ck_assert_int_eq(sipmap_verify_answer(sipmsg_fields(m),
	    "{\"verstat\":\"TN-Validation-Passed\",\"identities\":[{\"valid\":true,\"ignored\":false,"
	    "\"orig\":{\"tn\":\"12155551212\"}}],\"action\":{\"do\":\"continue\"},"
	    "\"rcd\":{\"verified\":true,\"display_name\":\"Q Branch\",\"call_info\":"
	    "[\"<https://r/q.json>;purpose=jcard\"]},\"reason\":[]}", SIPD_FAIL_FOLLOW, &a), STIR_OK);
	ck_assert_int_eq(a.code, 302);
	ck_assert_str_eq(hval(&a, "P-Asserted-Identity", 0),
	    "\"Q Branch\" <tel:+12155551212;verstat=TN-Validation-Passed>");
	ck_assert_str_eq(hval(&a, "Call-Info", 0), "<https://r/q.json>;purpose=jcard");
	ck_assert_ptr_null(hval(&a, "Reason", 0));
	sip_answer_clear(&a);
	/* continue-with-reason: the action's reasons */
	ck_assert_int_eq(sipmap_verify_answer(sipmsg_fields(m),
	    "{\"verstat\":\"TN-Validation-Failed\",\"identities\":[],\"action\":{\"do\":\"continue\","
	    "\"reason\":[\"STIR;cause=436;text=\\\"Bad Identity Info\\\"\"]},\"rcd\":null,"
	    "\"reason\":[\"STIR;cause=436;text=\\\"Bad Identity Info\\\"\"]}", SIPD_FAIL_FOLLOW, &a),
	    STIR_OK);
	ck_assert_int_eq(a.code, 302);
	ck_assert_str_eq(hval(&a, "P-Asserted-Identity", 0),
	    "<tel:+12155551212;verstat=TN-Validation-Failed>");
	ck_assert_str_eq(hval(&a, "Reason", 0), "STIR;cause=436;text=\"Bad Identity Info\"");
	sip_answer_clear(&a);
	sipmsg_free(m);
}
END_TEST

START_TEST(verify_answer_rejects_as_stird_decides_or_as_configured)
{
	static const char res[] = "{\"verstat\":\"TN-Validation-Failed\",\"error\":{\"code\":437,"
	    "\"reason\":\"Unsupported Credential\"},\"identities\":[],\"action\":{\"do\":\"continue\"},"
	    "\"reason\":[\"STIR;cause=437;text=\\\"Unsupported Credential\\\"\"]}";
	struct sipmsg *m = parse("From: <sip:+12155551212@example.com;user=phone>;tag=a\r\n");
	struct sip_answer a;

	/* follow: stird says continue */
	ck_assert_int_eq(sipmap_verify_answer(sipmsg_fields(m), res, SIPD_FAIL_FOLLOW, &a), STIR_OK);
	ck_assert_int_eq(a.code, 302);
	ck_assert_ptr_null(hval(&a, "Reason", 0));
	sip_answer_clear(&a);
	/* reject: the error itself, with its Reason, no Contact */
	ck_assert_int_eq(sipmap_verify_answer(sipmsg_fields(m), res, SIPD_FAIL_REJECT, &a), STIR_OK);
	ck_assert_int_eq(a.code, 437);
	ck_assert_str_eq(a.phrase, "Unsupported Credential");
	ck_assert_str_eq(hval(&a, "Reason", 0), "STIR;cause=437;text=\"Unsupported Credential\"");
	ck_assert_ptr_null(hval(&a, "Contact", 0));
	sip_answer_clear(&a);
	/* mark: 302 with the Reason values */
	ck_assert_int_eq(sipmap_verify_answer(sipmsg_fields(m), res, SIPD_FAIL_MARK, &a), STIR_OK);
	ck_assert_int_eq(a.code, 302);
	ck_assert_str_eq(hval(&a, "Reason", 0), "STIR;cause=437;text=\"Unsupported Credential\"");
	sip_answer_clear(&a);
	/* a verstat stird never sends */
	ck_assert_int_eq(sipmap_verify_answer(sipmsg_fields(m), "{\"verstat\":\"Yes\"}",
	    SIPD_FAIL_FOLLOW, &a), STIR_EPROTO);
	sipmsg_free(m);
}
END_TEST

START_TEST(a_caller_without_a_number_keeps_its_uri)
{
	struct sipmsg *m = parse("From: \"Alice\" <sip:alice@example.com>;tag=a\r\n");
	struct sip_answer a;

	ck_assert_int_eq(sipmap_verify_answer(sipmsg_fields(m),
	    "{\"verstat\":\"No-TN-Validation\",\"identities\":[],\"action\":{\"do\":\"continue\"}}",
	    SIPD_FAIL_FOLLOW, &a), STIR_OK);
	ck_assert_str_eq(hval(&a, "P-Asserted-Identity", 0),
	    "\"Alice\" <sip:alice@example.com;verstat=No-TN-Validation>");
	sip_answer_clear(&a);
	sipmsg_free(m);
}
END_TEST

START_TEST(errors_map_to_sip_codes)
{
	static const struct { enum sipd_op op; int err, code; } map[] = {
		{ SIPD_OP_SIGN, STIR_ECONNREFUSED, 503 }, { SIPD_OP_VERIFY, STIR_EIO, 503 },
		{ SIPD_OP_SIGN, STIR_EBUSY, 503 }, { SIPD_OP_SIGN, STIR_ETIMEDOUT, 504 },
		{ SIPD_OP_VERIFY, STIR_EINVAL, 400 }, { SIPD_OP_SIGN, STIR_EPOLICY, 403 },
		{ SIPD_OP_SIGN, STIR_ENOENT, 403 }, { SIPD_OP_VERIFY, STIR_EPOLICY, 500 },
		{ SIPD_OP_SIGN, STIR_EKEY, 500 }, { SIPD_OP_SIGN, STIR_EPERM, 500 },
	};
	struct sip_answer a;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		sipmap_error_answer(map[i].op, map[i].err, "a \"quoted\"\r\nmessage", 7, &a);
		ck_assert_int_eq(a.code, map[i].code);
		ck_assert_ptr_nonnull(hval(&a, "Warning", 0));
		ck_assert_ptr_null(strpbrk(hval(&a, "Warning", 0), "\r\n"));
		if (a.code == 503)
			ck_assert_str_eq(hval(&a, "Retry-After", 0), "7");
		sip_answer_clear(&a);
	}
	sipmap_error_answer(SIPD_OP_SIGN, STIR_EPOLICY, "no credential", 5, &a);
	ck_assert_str_eq(hval(&a, "Warning", 0), "399 stird-sipd \"EPOLICY: no credential\"");
	sip_answer_clear(&a);
}
END_TEST

START_TEST(telephone_numbers_from_user_parts)
{
	char tn[32];

	ck_assert(sipmap_tn("+1-215-555-1212", tn, sizeof(tn)));
	ck_assert_str_eq(tn, "12155551212");
	ck_assert(sipmap_tn("+12155551212;verstat=x", tn, sizeof(tn)));
	ck_assert_str_eq(tn, "12155551212");
	ck_assert(sipmap_tn("(215) 555.1212", tn, sizeof(tn)));
	ck_assert_str_eq(tn, "2155551212");
	ck_assert(!sipmap_tn("alice", tn, sizeof(tn)));
	ck_assert(!sipmap_tn("+", tn, sizeof(tn)));
	ck_assert(!sipmap_tn("1234567890123456", tn, sizeof(tn)));	/* 16 digits */
	ck_assert(!sipmap_tn(NULL, tn, sizeof(tn)));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sipmap");
	TCase *tc = tcase_create("map");
	SRunner *sr;
	int failed;

	sipmsg_global_init();
	tcase_add_test(tc, sign_request_takes_pai_to_and_attest);
	tcase_add_test(tc, verify_request_takes_every_identity_and_the_lists);
	tcase_add_test(tc, sign_answer_is_302_with_contact_and_each_identity);
	tcase_add_test(tc, verify_answer_carries_verstat_rcd_and_reasons);
	tcase_add_test(tc, verify_answer_rejects_as_stird_decides_or_as_configured);
	tcase_add_test(tc, a_caller_without_a_number_keeps_its_uri);
	tcase_add_test(tc, errors_map_to_sip_codes);
	tcase_add_test(tc, telephone_numbers_from_user_parts);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
