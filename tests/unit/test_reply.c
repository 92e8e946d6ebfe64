/* test_reply.c: field tables, replies and error names (proto.c, error.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "stirclient.h"
#include "proto.h"
#include "tests/unit/test_util.h"

static const struct stir_field fields[] = {
	{ "orig", STIR_JT_STRING, true, 8 },
	{ "dest", STIR_JT_ARRAY, true, 2 },
	{ "iat", STIR_JT_INT, false, 0 },
	{ "ref", STIR_JT_STRING | STIR_JT_INT, false, 0 },
	{ "opts", STIR_JT_OBJECT | STIR_JT_BOOL, false, 0 },
	{ NULL, 0, false, 0 },
};

static int
check_params(const char *text, char *msg, size_t msglen)
{
	json_t *p = json_loads(text, 0, NULL);
	int r;

	ck_assert_ptr_nonnull(p);
	msg[0] = '\0';
	r = stir_proto_check(p, fields, msg, msglen);
	json_decref(p);
	return r;
}

static void
assert_check(const char *text, int code, const char *message)
{
	char msg[256];

	ck_assert_int_eq(check_params(text, msg, sizeof(msg)), code);
	ck_assert_str_eq(msg, message);
}

START_TEST(params_within_the_table_pass)
{
	assert_check("{\"orig\":\"12345678\",\"dest\":[\"a\",\"b\"]}", STIR_OK, "");
	assert_check("{\"orig\":\"1\",\"dest\":[],\"iat\":5,\"ref\":\"r\",\"opts\":true}",
	    STIR_OK, "");
	assert_check("{\"orig\":\"1\",\"dest\":[],\"ref\":3,\"opts\":{}}", STIR_OK, "");
}
END_TEST

START_TEST(unknown_field_is_named)
{
	char key[128], text[256];

	assert_check("{\"orig\":\"1\",\"dest\":[],\"bogus\":1}", STIR_EBADREQ,
	    "unknown field 'bogus'");
	assert_check("{\"orig\":\"1\",\"dest\":[],\"a\\u0001b\":1}", STIR_EBADREQ,
	    "unknown field 'a?b'");
	memset(key, 'k', 50);
	key[50] = '\0';
	snprintf(text, sizeof(text), "{\"%s\":1}", key);
	assert_check(text, STIR_EBADREQ,
	    "unknown field 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...'");
}
END_TEST

START_TEST(wrong_type_names_field_and_allowed_types)
{
	assert_check("{\"orig\":1,\"dest\":[]}", STIR_EBADREQ, "field 'orig' must be a string");
	assert_check("{\"orig\":\"1\",\"dest\":\"x\"}", STIR_EBADREQ,
	    "field 'dest' must be an array");
	assert_check("{\"orig\":\"1\",\"dest\":[],\"iat\":1.5}", STIR_EBADREQ,
	    "field 'iat' must be an integer");
	assert_check("{\"orig\":\"1\",\"dest\":[],\"iat\":null}", STIR_EBADREQ,
	    "field 'iat' must be an integer");
	assert_check("{\"orig\":\"1\",\"dest\":[],\"ref\":[]}", STIR_EBADREQ,
	    "field 'ref' must be a string or an integer");
	assert_check("{\"orig\":\"1\",\"dest\":[],\"opts\":1}", STIR_EBADREQ,
	    "field 'opts' must be a boolean or an object");
}
END_TEST

START_TEST(missing_required_field_is_named)
{
	assert_check("{\"orig\":\"1\"}", STIR_EBADREQ, "field 'dest' is missing");
	assert_check("{}", STIR_EBADREQ, "field 'orig' is missing");
}
END_TEST

START_TEST(too_long_string_or_array_is_etoobig)
{
	assert_check("{\"orig\":\"123456789\",\"dest\":[]}", STIR_ETOOBIG,
	    "field 'orig' is longer than 8 bytes");
	assert_check("{\"orig\":\"1\",\"dest\":[1,2,3]}", STIR_ETOOBIG,
	    "field 'dest' is longer than 2 entries");
}
END_TEST

START_TEST(string_with_nul_is_refused)
{
	json_t *p = json_pack("{s:s%, s:[]}", "orig", "a\0b", (size_t)3, "dest");
	char msg[256];

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(stir_proto_check(p, fields, msg, sizeof(msg)), STIR_EBADREQ);
	ck_assert_str_eq(msg, "field 'orig' contains a NUL character");
	json_decref(p);
}
END_TEST

START_TEST(strict_unpack_refuses_leftover_fields)
{
	json_t *p = json_pack("{s:s, s:i}", "orig", "1", "extra", 2);
	const char *orig = NULL;
	char msg[256] = "";

	ck_assert_int_eq(stir_proto_unpack(p, msg, sizeof(msg), "{s:s}", "orig", &orig),
	    STIR_EBADREQ);
	ck_assert_ptr_nonnull(strstr(msg, "extra"));
	ck_assert_int_eq(stir_proto_unpack(p, msg, sizeof(msg), "{s:s, s:i}", "orig", &orig,
	    "extra", &(int){ 0 }), STIR_OK);
	ck_assert_str_eq(orig, "1");
	json_decref(p);
}
END_TEST

/* ---- replies ---- */

START_TEST(result_reply_is_one_compact_line)
{
	json_t *id = json_integer(7), *res = json_pack("{s:i}", "a", 1);
	static const char want[] = "{\"v\":1,\"id\":7,\"result\":{\"a\":1}}\n";
	size_t len = 0;
	char *s = stir_reply_result(id, res, &len);

	ck_assert_str_eq(s, want);
	ck_assert_uint_eq(len, sizeof(want) - 1);
	free(s);
	s = stir_reply_result(NULL, res, &len);
	ck_assert_str_eq(s, "{\"v\":1,\"id\":null,\"result\":{\"a\":1}}\n");
	free(s);
	ck_assert_int_eq(res->refcount, 1);		/* result is borrowed */
	json_decref(res);
	json_decref(id);
}
END_TEST

START_TEST(error_reply_carries_code_name_and_message)
{
	json_t *id = json_string("abc");
	char *s = stir_reply_error(id, STIR_EBADREQ, "field 'x' is missing", NULL);

	ck_assert_str_eq(s, "{\"v\":1,\"id\":\"abc\",\"error\":{\"code\":-1003,"
	    "\"name\":\"EBADREQ\",\"message\":\"field 'x' is missing\"}}\n");
	free(s);
	s = stir_reply_error(NULL, STIR_EPROTO, NULL, NULL);
	ck_assert_str_eq(s, "{\"v\":1,\"id\":null,\"error\":{\"code\":-1000,"
	    "\"name\":\"EPROTO\",\"message\":\"malformed request (not one JSON object)\"}}\n");
	free(s);
	json_decref(id);
}
END_TEST

START_TEST(every_error_code_round_trips_through_a_reply)
{
	static const int codes[] = { STIR_ENOMEM, STIR_EINVAL, STIR_EPERM, STIR_ENOENT,
	    STIR_EEXIST, STIR_EIO, STIR_ETIMEDOUT, STIR_EBUSY, STIR_ECONNREFUSED,
	    STIR_EPROTO, STIR_ETOOBIG, STIR_EVERSION, STIR_EBADREQ, STIR_EUNSUPP,
	    STIR_EPOLICY, STIR_EDB, STIR_ECRYPTO, STIR_EFETCH, STIR_ECERT,
	    STIR_ENOTIMPL, STIR_EKEY, STIR_ESHUTDOWN, STIR_EINTERNAL };
	json_t *id = json_integer(42);

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		json_t *root = NULL, *rid = NULL, *res = NULL;
		const char *errmsg = NULL;
		char text[64], *line;
		size_t len;

		snprintf(text, sizeof(text), "message %zu \xc3\xa9", i);
		line = stir_reply_error(id, codes[i], text, &len);
		ck_assert_ptr_nonnull(line);
		ck_assert_int_eq(line[len - 1], '\n');
		ck_assert_int_eq(stir_reply_decode(line, len - 1, &root, &rid, &res, &errmsg),
		    codes[i]);
		ck_assert_str_eq(errmsg, text);
		ck_assert_int_eq(json_integer_value(rid), 42);
		ck_assert_ptr_null(res);
		ck_assert_int_eq(stir_errcode_from_name(stir_errname(codes[i])), codes[i]);
		json_decref(root);
		free(line);
	}
	json_decref(id);
}
END_TEST

START_TEST(result_reply_decodes_to_its_result)
{
	json_t *id = json_string("q1"), *res = json_pack("{s:s}", "identity", "x.y.z");
	json_t *root = NULL, *rid = NULL, *got = NULL;
	const char *errmsg = "untouched";
	size_t len;
	char *line = stir_reply_result(id, res, &len);

	ck_assert_int_eq(stir_reply_decode(line, len, &root, &rid, &got, &errmsg), STIR_OK);
	ck_assert(json_equal(got, res));
	ck_assert_str_eq(json_string_value(rid), "q1");
	ck_assert_str_eq(errmsg, "untouched");
	json_decref(root);
	free(line);
	json_decref(res);
	json_decref(id);
}
END_TEST

static int
reply_code(const char *line)
{
	json_t *root = NULL, *id = NULL, *res = NULL;
	const char *errmsg = NULL;
	int r = stir_reply_decode(line, strlen(line), &root, &id, &res, &errmsg);

	json_decref(root);
	return r;
}

START_TEST(reply_with_positive_code_falls_back_to_the_name)
{
	ck_assert_int_eq(reply_code("{\"v\":1,\"id\":1,\"error\":{\"code\":5,\"name\":\"ENOENT\","
	    "\"message\":\"m\"}}"), STIR_ENOENT);
	ck_assert_int_eq(reply_code("{\"v\":1,\"id\":1,\"error\":{\"name\":\"ECERT\"}}"),
	    STIR_ECERT);
	ck_assert_int_eq(reply_code("{\"v\":1,\"id\":1,\"error\":{\"code\":5,\"name\":\"EWHAT\"}}"),
	    STIR_EPROTO);
	ck_assert_int_eq(reply_code("{\"v\":1,\"id\":1,\"error\":{}}"), STIR_EPROTO);
}
END_TEST

START_TEST(malformed_replies_are_eproto)
{
	ck_assert_int_eq(reply_code("{\"v\":1,\"id\":1}"), STIR_EPROTO);
	ck_assert_int_eq(reply_code("{\"v\":1,\"id\":1,\"result\":{},\"error\":{}}"), STIR_EPROTO);
	ck_assert_int_eq(reply_code("[]"), STIR_EPROTO);
	ck_assert_int_eq(reply_code("{\"result\":1"), STIR_EPROTO);
	ck_assert_int_eq(reply_code("{\"result\":1,\"result\":2}"), STIR_EPROTO);
}
END_TEST

START_TEST(request_encode_decodes_back)
{
	json_t *id = json_integer(3), *params = json_pack("{s:s}", "orig", "1");
	struct stir_request *req = NULL;
	char msg[128];
	size_t len;
	char *line = stir_request_encode(id, "sign", params, &len);

	ck_assert_str_eq(line, "{\"orig\":\"1\",\"v\":1,\"id\":3,\"op\":\"sign\"}\n");
	ck_assert_int_eq(stir_request_decode(line, len - 1, &req, msg, sizeof(msg)), STIR_OK);
	ck_assert_str_eq(req->op, "sign");
	stir_request_free(req);
	free(line);
	line = stir_request_encode(id, "ping", NULL, NULL);
	ck_assert_str_eq(line, "{\"v\":1,\"id\":3,\"op\":\"ping\"}\n");
	free(line);
	json_decref(params);
	params = json_array();
	ck_assert_ptr_null(stir_request_encode(id, "ping", params, NULL));
	json_decref(params);
	json_decref(id);
}
END_TEST

START_TEST(strerror_and_errname_are_never_null)
{
	for (int e = -1100; e <= 10; e++) {
		ck_assert_ptr_nonnull(stir_strerror(e));
		ck_assert_ptr_nonnull(stir_errname(e));
	}
	ck_assert_str_eq(stir_strerror(STIR_EPROTO), "malformed request (not one JSON object)");
	ck_assert_str_eq(stir_errname(STIR_EPROTO), "EPROTO");
	ck_assert_str_eq(stir_errname(STIR_OK), "OK");
	ck_assert_str_eq(stir_strerror(12345), "unknown error");
	ck_assert_str_eq(stir_errname(12345), "EUNKNOWN");
	ck_assert_int_eq(stir_errcode_from_name("EKEY"), STIR_EKEY);
	ck_assert_int_eq(stir_errcode_from_name("ekey"), 0);
	ck_assert_int_eq(stir_errcode_from_name(NULL), 0);
}
END_TEST

static Suite *
reply_suite(void)
{
	Suite *s = suite_create("reply");
	TCase *tf = tcase_create("fields");
	TCase *tp = tcase_create("reply");

	tcase_add_test(tf, params_within_the_table_pass);
	tcase_add_test(tf, unknown_field_is_named);
	tcase_add_test(tf, wrong_type_names_field_and_allowed_types);
	tcase_add_test(tf, missing_required_field_is_named);
	tcase_add_test(tf, too_long_string_or_array_is_etoobig);
	tcase_add_test(tf, string_with_nul_is_refused);
	tcase_add_test(tf, strict_unpack_refuses_leftover_fields);
	suite_add_tcase(s, tf);
	tcase_add_test(tp, result_reply_is_one_compact_line);
	tcase_add_test(tp, error_reply_carries_code_name_and_message);
	tcase_add_test(tp, every_error_code_round_trips_through_a_reply);
	tcase_add_test(tp, result_reply_decodes_to_its_result);
	tcase_add_test(tp, reply_with_positive_code_falls_back_to_the_name);
	tcase_add_test(tp, malformed_replies_are_eproto);
	tcase_add_test(tp, request_encode_decodes_back);
	tcase_add_test(tp, strerror_and_errname_are_never_null);
	suite_add_tcase(s, tp);
	return s;
}

int
main(void)
{
	return tu_run(reply_suite());
}
