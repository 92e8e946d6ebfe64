/* test_proto.c: line framing and request envelopes (client/libstirclient/proto.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "stirclient.h"
#include "proto.h"
#include "tests/unit/test_util.h"

/* ---- line buffer ---- */

static void
put(struct stir_linebuf *lb, const char *s, size_t n)
{
	char *p;
	size_t room;

	stir_linebuf_space(lb, &p, &room);
	ck_assert_uint_ge(room, n);
	memcpy(p, s, n);
	stir_linebuf_commit(lb, n);
}

static void
assert_line(struct stir_linebuf *lb, const char *want)
{
	const char *line = NULL;
	size_t len = 0;

	ck_assert_int_eq(stir_linebuf_next(lb, &line, &len), 1);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert_mem_eq(line, want, len);
}

static void
assert_no_line(struct stir_linebuf *lb)
{
	const char *line = NULL;
	size_t len = 0;

	ck_assert_int_eq(stir_linebuf_next(lb, &line, &len), 0);
	ck_assert_ptr_null(line);
}

START_TEST(line_of_exactly_max_bytes_and_newline_is_accepted)
{
	struct stir_linebuf *lb = stir_linebuf_new(16);
	char buf[17];
	char *p;
	size_t room;

	ck_assert_ptr_nonnull(lb);
	stir_linebuf_space(lb, &p, &room);
	ck_assert_uint_eq(room, 17);
	memset(buf, 'a', 16);
	buf[16] = '\n';
	put(lb, buf, 17);
	assert_line(lb, "aaaaaaaaaaaaaaaa");
	ck_assert_uint_eq(stir_linebuf_pending(lb), 0);
	stir_linebuf_free(lb);
}
END_TEST

START_TEST(max_plus_one_bytes_without_newline_is_etoobig_at_once)
{
	struct stir_linebuf *lb = stir_linebuf_new(16);
	const char *line;
	size_t len;
	char buf[17];

	memset(buf, 'a', sizeof(buf));
	put(lb, buf, 17);			/* all the room there is */
	ck_assert_int_eq(stir_linebuf_next(lb, &line, &len), STIR_ETOOBIG);
	stir_linebuf_free(lb);
}
END_TEST

START_TEST(max_bytes_without_newline_waits_for_one_more_byte)
{
	struct stir_linebuf *lb = stir_linebuf_new(16);
	char buf[16], *p;
	size_t room;

	memset(buf, 'b', sizeof(buf));
	put(lb, buf, 16);
	assert_no_line(lb);
	stir_linebuf_space(lb, &p, &room);
	ck_assert_uint_eq(room, 1);
	put(lb, "\n", 1);
	assert_line(lb, "bbbbbbbbbbbbbbbb");
	stir_linebuf_free(lb);
}
END_TEST

START_TEST(line_split_across_commits_is_joined)
{
	struct stir_linebuf *lb = stir_linebuf_new(64);

	put(lb, "{\"v\":1,", 7);
	assert_no_line(lb);
	put(lb, "\"id\":", 5);
	assert_no_line(lb);
	put(lb, "2}\n", 3);
	assert_line(lb, "{\"v\":1,\"id\":2}");
	assert_no_line(lb);
	stir_linebuf_free(lb);
}
END_TEST

START_TEST(several_lines_in_one_commit_come_out_one_by_one)
{
	struct stir_linebuf *lb = stir_linebuf_new(64);

	put(lb, "a\nbb\n\nccc\nrest", 14);
	assert_line(lb, "a");
	assert_line(lb, "bb");
	assert_line(lb, "");
	assert_line(lb, "ccc");
	assert_no_line(lb);
	ck_assert_uint_eq(stir_linebuf_pending(lb), 4);
	put(lb, "\n", 1);
	assert_line(lb, "rest");
	ck_assert_uint_eq(stir_linebuf_pending(lb), 0);
	stir_linebuf_free(lb);
}
END_TEST

START_TEST(trailing_cr_is_kept_in_the_line)
{
	struct stir_linebuf *lb = stir_linebuf_new(8);

	put(lb, "x\r\n", 3);
	assert_line(lb, "x\r");
	stir_linebuf_free(lb);
}
END_TEST

START_TEST(partial_line_after_a_full_one_is_moved_to_make_room)
{
	struct stir_linebuf *lb = stir_linebuf_new(10);
	char *p;
	size_t room;

	put(lb, "ab\n01234567", 11);
	assert_line(lb, "ab");
	assert_no_line(lb);
	stir_linebuf_space(lb, &p, &room);
	ck_assert_uint_eq(room, 3);
	put(lb, "89\n", 3);
	assert_line(lb, "0123456789");
	stir_linebuf_free(lb);
}
END_TEST

START_TEST(over_limit_line_after_a_full_one_is_etoobig)
{
	struct stir_linebuf *lb = stir_linebuf_new(10);
	const char *line;
	size_t len;

	put(lb, "ab\n01234567", 11);
	assert_line(lb, "ab");
	assert_no_line(lb);
	put(lb, "89X", 3);
	ck_assert_int_eq(stir_linebuf_next(lb, &line, &len), STIR_ETOOBIG);
	stir_linebuf_free(lb);
}
END_TEST

START_TEST(linebuf_limits_are_checked_at_creation)
{
	ck_assert_ptr_null(stir_linebuf_new(0));
	ck_assert_ptr_null(stir_linebuf_new(STIR_LINE_MAX_CEILING + 1));
	stir_linebuf_free(NULL);
}
END_TEST

/* ---- request envelopes ---- */

/* A pointer no decode can return: *ret_req must still hold it after errors. */
static char untouched_mark;
#define UNTOUCHED	((struct stir_request *)(void *)&untouched_mark)

static int
decode(const char *line, struct stir_request **req, char *msg, size_t msglen)
{
	msg[0] = '\0';
	return stir_request_decode(line, strlen(line), req, msg, msglen);
}

/* line must fail with code and message, and leave *ret alone. */
static void
assert_decode_fails_untouched(const char *line, int code, const char *message)
{
	struct stir_request *req = UNTOUCHED;
	char msg[256];

	ck_assert_int_eq(decode(line, &req, msg, sizeof(msg)), code);
	ck_assert_ptr_eq(req, UNTOUCHED);
	if (message != NULL)
		ck_assert_str_eq(msg, message);
}

/* line must fail with EBADREQ and message, with the id recovered. */
static void
assert_badreq_with_id(const char *line, json_int_t id, const char *message)
{
	struct stir_request *req = UNTOUCHED;
	char msg[256];

	ck_assert_int_eq(decode(line, &req, msg, sizeof(msg)), STIR_EBADREQ);
	ck_assert_ptr_ne(req, UNTOUCHED);
	ck_assert_ptr_nonnull(req);
	ck_assert(json_is_integer(req->id));
	ck_assert_int_eq(json_integer_value(req->id), id);
	ck_assert_str_eq(msg, message);
	stir_request_free(req);
}

#define ID_MSG	"field 'id' must be an integer or a string of at most 64 bytes"
#define OP_MSG	"field 'op' must be a non-empty string of at most 32 bytes"

START_TEST(valid_request_decodes_and_strip_leaves_only_params)
{
	struct stir_request *req = NULL;
	char msg[256];

	ck_assert_int_eq(decode("{\"v\":1,\"id\":7,\"op\":\"sign\",\"orig\":\"x\"}", &req,
	    msg, sizeof(msg)), STIR_OK);
	ck_assert_int_eq(req->v, 1);
	ck_assert_str_eq(req->op, "sign");
	ck_assert_int_eq(json_integer_value(req->id), 7);
	ck_assert_uint_eq(json_object_size(req->params), 4);
	stir_request_strip(req);
	ck_assert_ptr_null(req->op);
	ck_assert_uint_eq(json_object_size(req->params), 1);
	ck_assert_str_eq(stir_param_str(req->params, "orig"), "x");
	ck_assert_int_eq(json_integer_value(req->id), 7);	/* own reference */
	stir_request_free(req);
}
END_TEST

START_TEST(string_id_of_the_maximum_length_is_accepted)
{
	struct stir_request *req = NULL;
	char line[256], msg[256];

	snprintf(line, sizeof(line), "{\"v\":1,\"op\":\"ping\",\"id\":\"%064d\"}", 0);
	ck_assert_int_eq(decode(line, &req, msg, sizeof(msg)), STIR_OK);
	ck_assert_uint_eq(json_string_length(req->id), STIR_ID_MAX);
	stir_request_free(req);
}
END_TEST

START_TEST(bad_json_is_eproto_and_ret_untouched)
{
	struct stir_request *req = UNTOUCHED;
	char msg[256];

	ck_assert_int_eq(decode("{\"v\":1,", &req, msg, sizeof(msg)), STIR_EPROTO);
	ck_assert_ptr_eq(req, UNTOUCHED);
	ck_assert_msg(strncmp(msg, "invalid JSON at column ", 23) == 0, "msg: %s", msg);
	assert_decode_fails_untouched("", STIR_EPROTO, NULL);
	assert_decode_fails_untouched("{}{}", STIR_EPROTO, NULL);
	assert_decode_fails_untouched("{\"v\":1,\"id\":1,\"op\":\"x\"} x", STIR_EPROTO, NULL);
	assert_decode_fails_untouched("{\"v\":1,\"id\":1,\"op\":\"a\\u0000b\"}", STIR_EPROTO, NULL);
}
END_TEST

START_TEST(duplicate_keys_are_eproto)
{
	assert_decode_fails_untouched("{\"v\":1,\"id\":1,\"id\":2,\"op\":\"hello\"}",
	    STIR_EPROTO, NULL);
	assert_decode_fails_untouched("{\"v\":1,\"id\":1,\"op\":\"x\",\"p\":{\"a\":1,\"a\":1}}",
	    STIR_EPROTO, NULL);
}
END_TEST

START_TEST(non_object_is_eproto)
{
	assert_decode_fails_untouched("[1,2]", STIR_EPROTO, "request is not a JSON object");
	/* scalars do not even parse (no JSON_DECODE_ANY) */
	assert_decode_fails_untouched("42", STIR_EPROTO, NULL);
	assert_decode_fails_untouched("\"hello\"", STIR_EPROTO, NULL);
	assert_decode_fails_untouched("null", STIR_EPROTO, NULL);
}
END_TEST

START_TEST(missing_id_is_ebadreq_without_a_request)
{
	assert_decode_fails_untouched("{\"v\":1,\"op\":\"ping\"}", STIR_EBADREQ,
	    "field 'id' is missing");
}
END_TEST

START_TEST(mistyped_or_overlong_id_is_ebadreq_without_a_request)
{
	char line[256];

	assert_decode_fails_untouched("{\"v\":1,\"id\":1.5,\"op\":\"ping\"}", STIR_EBADREQ, ID_MSG);
	assert_decode_fails_untouched("{\"v\":1,\"id\":null,\"op\":\"ping\"}", STIR_EBADREQ, ID_MSG);
	assert_decode_fails_untouched("{\"v\":1,\"id\":true,\"op\":\"ping\"}", STIR_EBADREQ, ID_MSG);
	assert_decode_fails_untouched("{\"v\":1,\"id\":[1],\"op\":\"ping\"}", STIR_EBADREQ, ID_MSG);
	assert_decode_fails_untouched("{\"v\":1,\"id\":{},\"op\":\"ping\"}", STIR_EBADREQ, ID_MSG);
	snprintf(line, sizeof(line), "{\"v\":1,\"op\":\"ping\",\"id\":\"%065d\"}", 0);
	assert_decode_fails_untouched(line, STIR_EBADREQ, ID_MSG);
}
END_TEST

START_TEST(missing_or_mistyped_op_is_ebadreq_with_the_id)
{
	assert_badreq_with_id("{\"v\":1,\"id\":5}", 5, "field 'op' is missing");
	assert_badreq_with_id("{\"v\":1,\"id\":5,\"op\":7}", 5, OP_MSG);
	assert_badreq_with_id("{\"v\":1,\"id\":5,\"op\":\"\"}", 5, OP_MSG);
	assert_badreq_with_id("{\"v\":1,\"id\":5,\"op\":\"abcdefghijklmnopqrstuvwxyz0123456\"}",
	    5, OP_MSG);
}
END_TEST

START_TEST(op_of_the_maximum_length_is_accepted)
{
	struct stir_request *req = NULL;
	char msg[256];

	ck_assert_int_eq(decode("{\"v\":1,\"id\":5,\"op\":\"abcdefghijklmnopqrstuvwxyz012345\"}",
	    &req, msg, sizeof(msg)), STIR_OK);
	ck_assert_uint_eq(strlen(req->op), STIR_OP_MAX);
	stir_request_free(req);
}
END_TEST

/* The decoder leaves "v" to the dispatcher (hello takes any): a missing
 * or mistyped one decodes as -1, a large one as itself. */
static void
assert_v(const char *line, int want)
{
	struct stir_request *req = NULL;
	char msg[256];

	ck_assert_int_eq(decode(line, &req, msg, sizeof(msg)), STIR_OK);
	ck_assert_int_eq(req->v, want);
	stir_request_free(req);
}

START_TEST(missing_or_mistyped_v_decodes_as_minus_one)
{
	assert_v("{\"id\":9,\"op\":\"ping\"}", -1);
	assert_v("{\"v\":\"1\",\"id\":9,\"op\":\"ping\"}", -1);
	assert_v("{\"v\":-1,\"id\":9,\"op\":\"ping\"}", -1);
	assert_v("{\"v\":1.0,\"id\":9,\"op\":\"ping\"}", -1);
	assert_v("{\"v\":1001,\"id\":9,\"op\":\"ping\"}", 1001);
	assert_v("{\"v\":1,\"id\":9,\"op\":\"ping\"}", 1);
}
END_TEST

START_TEST(other_versions_decode_for_the_dispatcher_to_refuse)
{
	struct stir_request *req = NULL;
	char msg[256];

	ck_assert_int_eq(decode("{\"v\":2,\"id\":\"a\",\"op\":\"ping\"}", &req, msg,
	    sizeof(msg)), STIR_OK);
	ck_assert_int_eq(req->v, 2);
	ck_assert_str_eq(json_string_value(req->id), "a");
	stir_request_free(req);
}
END_TEST

static Suite *
proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tl = tcase_create("linebuf");
	TCase *tr = tcase_create("request");

	tcase_add_test(tl, line_of_exactly_max_bytes_and_newline_is_accepted);
	tcase_add_test(tl, max_plus_one_bytes_without_newline_is_etoobig_at_once);
	tcase_add_test(tl, max_bytes_without_newline_waits_for_one_more_byte);
	tcase_add_test(tl, line_split_across_commits_is_joined);
	tcase_add_test(tl, several_lines_in_one_commit_come_out_one_by_one);
	tcase_add_test(tl, trailing_cr_is_kept_in_the_line);
	tcase_add_test(tl, partial_line_after_a_full_one_is_moved_to_make_room);
	tcase_add_test(tl, over_limit_line_after_a_full_one_is_etoobig);
	tcase_add_test(tl, linebuf_limits_are_checked_at_creation);
	suite_add_tcase(s, tl);
	tcase_add_test(tr, valid_request_decodes_and_strip_leaves_only_params);
	tcase_add_test(tr, string_id_of_the_maximum_length_is_accepted);
	tcase_add_test(tr, bad_json_is_eproto_and_ret_untouched);
	tcase_add_test(tr, duplicate_keys_are_eproto);
	tcase_add_test(tr, non_object_is_eproto);
	tcase_add_test(tr, missing_id_is_ebadreq_without_a_request);
	tcase_add_test(tr, mistyped_or_overlong_id_is_ebadreq_without_a_request);
	tcase_add_test(tr, missing_or_mistyped_op_is_ebadreq_with_the_id);
	tcase_add_test(tr, op_of_the_maximum_length_is_accepted);
	tcase_add_test(tr, missing_or_mistyped_v_decodes_as_minus_one);
	tcase_add_test(tr, other_versions_decode_for_the_dispatcher_to_refuse);
	suite_add_tcase(s, tr);
	return s;
}

int
main(void)
{
	return tu_run(proto_suite());
}
