/*
 * test_http_map.c: the pure parts of stird-http: its config file, the
 * SHAKEN REST mapping (shaken_map.c) and the Prometheus renderer (prom.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "stirclient.h"
#include "client/stird-http/conf.h"
#include "client/stird-http/prom.h"
#include "client/stird-http/shaken_map.h"

static json_t *
sign_map(const char *body, int want, struct shaken_err *e)
{
	char *params = NULL;
	json_t *o = NULL;
	int r;

	memset(e, 0, sizeof(*e));
	r = shaken_sign_params(body, strlen(body), &params, e);
	ck_assert_msg(r == want, "shaken_sign_params = %d, want %d (%s)", r, want, e->text);
	if (r == STIR_OK) {
		ck_assert_ptr_nonnull(o = json_loads(params, 0, NULL));
		free(params);
	} else
		ck_assert_ptr_null(params);
	return o;
}

static json_t *
verify_map(const char *body, int want, struct shaken_err *e)
{
	char *params = NULL;
	json_t *o = NULL;
	int r;

	memset(e, 0, sizeof(*e));
	r = shaken_verify_params(body, strlen(body), &params, e);
	ck_assert_msg(r == want, "shaken_verify_params = %d, want %d (%s)", r, want, e->text);
	if (r == STIR_OK) {
		ck_assert_ptr_nonnull(o = json_loads(params, 0, NULL));
		free(params);
	}
	return o;
}

START_TEST(signing_request_maps_to_sign_fields_as_given)
{
	struct shaken_err e;
	json_t *o = sign_map("{\"signingRequest\":{\"orig\":{\"tn\":\"+12155551212\"},"
	    "\"dest\":{\"tn\":[\"12125551213\",\"12125551214\"]},\"iat\":1700000000,"
	    "\"attest\":\"A\",\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}}", STIR_OK, &e);

	ck_assert_str_eq(json_string_value(json_object_get(o, "orig")), "+12155551212");
	ck_assert_int_eq(json_array_size(json_object_get(o, "dest")), 2);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(o, "dest"), 1)),
	    "12125551214");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "iat")), 1700000000);
	ck_assert_str_eq(json_string_value(json_object_get(o, "attest")), "A");
	ck_assert_ptr_null(json_object_get(o, "ppt"));		/* shaken: the default */
	ck_assert_int_eq(json_object_size(o), 5);
	json_decref(o);
}
END_TEST

START_TEST(every_ppt_maps_to_its_sign_fields)
{
	struct shaken_err e;
	json_t *o;

	o = sign_map("{\"signingRequest\":{\"ppt\":\"rcd\",\"orig\":{\"tn\":\"1\"},"
	    "\"dest\":{\"tn\":[\"2\"]},\"attest\":\"B\",\"crn\":\"why\"}}", STIR_OK, &e);
	ck_assert_str_eq(json_string_value(json_object_get(o, "ppt")), "rcd");
	ck_assert(json_is_true(json_object_get(o, "rcd")));	/* rcd: from the policy */
	ck_assert_str_eq(json_string_value(json_object_get(o, "crn")), "why");
	json_decref(o);
	o = sign_map("{\"signingRequest\":{\"ppt\":\"div-o\",\"original\":\"x.y.z;info=<https://a/>\","
	    "\"dest\":{\"tn\":[\"3\"]},\"div\":{\"tn\":\"2\"}}}", STIR_OK, &e);
	ck_assert_str_eq(json_string_value(json_object_get(o, "ppt")), "div-o");
	ck_assert_str_eq(json_string_value(json_object_get(o, "div")), "2");
	ck_assert_ptr_null(json_object_get(o, "orig"));
	json_decref(o);
	o = sign_map("{\"signingRequest\":{\"ppt\":\"msg\",\"orig\":{\"tn\":\"1\"},"
	    "\"dest\":{\"tn\":[\"2\"]},\"body\":\"SGk=\",\"contentType\":\"text/plain\"}}", STIR_OK, &e);
	ck_assert_str_eq(json_string_value(json_object_get(o, "content_type")), "text/plain");
	ck_assert_str_eq(json_string_value(json_object_get(o, "body")), "SGk=");
	json_decref(o);
	o = sign_map("{\"signingRequest\":{\"ppt\":\"rsp\",\"orig\":{\"uri\":\"sip:a@b\"},"
	    "\"dest\":{\"uri\":[\"sip:c@d\"]}}}", STIR_OK, &e);
	ck_assert_str_eq(json_string_value(json_object_get(o, "orig")), "sip:a@b");
	json_decref(o);
}
END_TEST

START_TEST(signing_request_errors_name_the_member)
{
	struct shaken_err e;

	(void)sign_map("{\"signingRequest\":{\"orig\":{\"tn\":\"1\"},\"dest\":{\"tn\":[\"2\"]},"
	    "\"attest\":\"A\",\"colour\":\"red\"}}", STIR_EBADREQ, &e);
	ck_assert_str_eq(e.field, "signingRequest.colour");
	ck_assert_str_eq(e.msgid, "SVC4001");
	(void)sign_map("{\"signingRequest\":{\"orig\":{\"tn\":\"1\"},\"attest\":\"A\"}}",
	    STIR_EBADREQ, &e);
	ck_assert_str_eq(e.field, "signingRequest.dest");
	ck_assert_str_eq(e.msgid, "SVC4000");
	(void)sign_map("{\"signingRequest\":{\"orig\":{\"tn\":\"1\"},\"dest\":{\"tn\":[\"2\"]}}}",
	    STIR_EBADREQ, &e);
	ck_assert_str_eq(e.field, "signingRequest.attest");
	(void)sign_map("{\"signingRequest\":{\"orig\":{\"tn\":1},\"dest\":{\"tn\":[\"2\"]},"
	    "\"attest\":\"A\"}}", STIR_EBADREQ, &e);
	ck_assert_str_eq(e.field, "signingRequest.orig.tn");
	(void)sign_map("{\"signingRequest\":{\"ppt\":\"nope\",\"orig\":{\"tn\":\"1\"},"
	    "\"dest\":{\"tn\":[\"2\"]}}}", STIR_EINVAL, &e);
	ck_assert_str_eq(e.field, "signingRequest.ppt");
	(void)sign_map("{\"signingRequest\":{\"ppt\":\"div\",\"dest\":{\"tn\":[\"2\"]}}}",
	    STIR_EBADREQ, &e);
	ck_assert_str_eq(e.field, "signingRequest.original");
	(void)sign_map("{\"signingRequest\":{}", STIR_EPROTO, &e);
	(void)sign_map("{\"signingRequest\":{},\"signingRequest\":{}}", STIR_EPROTO, &e);
	(void)sign_map("[]", STIR_EBADREQ, &e);
	(void)sign_map("{\"verificationRequest\":{}}", STIR_EBADREQ, &e);
	ck_assert_str_eq(e.field, "signingRequest");
}
END_TEST

START_TEST(verification_request_maps_time_to_an_http_date)
{
	struct shaken_err e;
	json_t *o = verify_map("{\"verificationRequest\":{\"from\":{\"tn\":\"12155551212\"},"
	    "\"to\":{\"tn\":[\"12125551213\"]},\"time\":1700000000,\"identity\":\"abc\"}}",
	    STIR_OK, &e);

	ck_assert_str_eq(json_string_value(json_object_get(o, "from")), "12155551212");
	ck_assert_str_eq(json_string_value(json_object_get(o, "to")), "12125551213");
	ck_assert_str_eq(json_string_value(json_object_get(o, "date")),
	    "Tue, 14 Nov 2023 22:13:20 GMT");
	ck_assert_int_eq(json_array_size(json_object_get(o, "identity")), 1);
	json_decref(o);
	/* a heartbeat without identity: verified as no identity at all */
	o = verify_map("{\"verificationRequest\":{\"from\":{\"tn\":\"1\"},\"to\":{\"tn\":[\"2\"]}}}",
	    STIR_OK, &e);
	ck_assert_int_eq(json_array_size(json_object_get(o, "identity")), 0);
	json_decref(o);
	(void)verify_map("{\"verificationRequest\":{\"from\":{\"tn\":\"1\"},"
	    "\"to\":{\"tn\":[\"2\",\"3\"]}}}", STIR_EINVAL, &e);
	ck_assert_str_eq(e.field, "verificationRequest.to");
	(void)verify_map("{\"verificationRequest\":{\"from\":{\"tn\":\"1\"},"
	    "\"to\":{\"tn\":[\"2\"]},\"time\":-5}}", STIR_EINVAL, &e);
	ck_assert_str_eq(e.field, "verificationRequest.time");
	(void)verify_map("{\"verificationRequest\":{\"to\":{\"tn\":[\"2\"]}}}", STIR_EBADREQ, &e);
	ck_assert_str_eq(e.field, "verificationRequest.from");
}
END_TEST

START_TEST(verify_result_maps_to_verification_response)
{
	char *body = NULL;
	json_t *o, *vr, *r0;

	ck_assert_int_eq(shaken_verify_reply("{\"verstat\":\"TN-Validation-Failed\","
	    "\"error\":{\"code\":438,\"reason\":\"Invalid Identity Header\",\"detail\":\"d\"},"
	    "\"identities\":[{\"ppt\":\"shaken\",\"valid\":false,\"ignored\":false,"
	    "\"error\":{\"code\":438,\"reason\":\"Invalid Identity Header\",\"detail\":\"d\"}},"
	    "{\"ppt\":\"foo\",\"valid\":false,\"ignored\":true,\"error\":null}],"
	    "\"reason\":[\"STIR;cause=438\"]}", &body), STIR_OK);
	ck_assert_ptr_nonnull(o = json_loads(body, 0, NULL));
	vr = json_object_get(o, "verificationResponse");
	ck_assert_str_eq(json_string_value(json_object_get(vr, "verstatValue")),
	    "TN-Validation-Failed");
	ck_assert_int_eq(json_integer_value(json_object_get(vr, "reasonCode")), 438);
	ck_assert_int_eq(json_array_size(json_object_get(vr, "verifyResults")), 2);
	r0 = json_object_get(json_array_get(json_object_get(vr, "verifyResults"), 0), "verifyResult");
	ck_assert_str_eq(json_string_value(json_object_get(r0, "status")), "fail");
	ck_assert_int_eq(json_integer_value(json_object_get(r0, "reasonCode")), 438);
	ck_assert_str_eq(json_string_value(json_object_get(r0, "reasonText")),
	    "Invalid Identity Header");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(
	    json_object_get(vr, "verifyResults"), 1), "verifyResult"), "status")), "ignored");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(vr, "reason"), 0)),
	    "STIR;cause=438");
	json_decref(o);
	free(body);
	ck_assert_int_eq(shaken_verify_reply("{}", &body), STIR_EPROTO);
}
END_TEST

START_TEST(prometheus_text_from_stats_families)
{
	struct prom_buf b = { NULL, 0, 0, 0 };

	ck_assert_int_eq(prom_render_stats(&b, "{\"uptime\":3,\"metrics\":["
	    "{\"name\":\"stird_requests_total\",\"type\":\"counter\",\"help\":\"a\\\\b\\nc\","
	    "\"samples\":[{\"labels\":{\"op\":\"ver\\\"ify\"},\"value\":12},{\"labels\":{},\"value\":1.5}]},"
	    "{\"name\":\"bad name\",\"type\":\"counter\",\"help\":\"\",\"samples\":[]},"
	    "{\"name\":\"stird_verify_seconds\",\"type\":\"histogram\",\"help\":\"h\",\"samples\":["
	    "{\"labels\":{\"op\":\"verify\"},\"buckets\":[{\"le\":0.0005,\"count\":1},{\"le\":0.001,\"count\":4}],"
	    "\"count\":40,\"sum\":0.123}]}]}"), 2);
	ck_assert_ptr_nonnull(b.s);
	ck_assert_ptr_nonnull(strstr(b.s, "# HELP stird_requests_total a\\\\b\\nc\n"
	    "# TYPE stird_requests_total counter\n"
	    "stird_requests_total{op=\"ver\\\"ify\"} 12\nstird_requests_total 1.5\n"));
	ck_assert_ptr_null(strstr(b.s, "bad name"));
	ck_assert_ptr_nonnull(strstr(b.s, "# TYPE stird_verify_seconds histogram\n"
	    "stird_verify_seconds_bucket{op=\"verify\",le=\"0.0005\"} 1\n"
	    "stird_verify_seconds_bucket{op=\"verify\",le=\"0.001\"} 4\n"
	    "stird_verify_seconds_bucket{op=\"verify\",le=\"+Inf\"} 40\n"
	    "stird_verify_seconds_sum{op=\"verify\"} 0.123\n"
	    "stird_verify_seconds_count{op=\"verify\"} 40\n"));
	free(b.s);
	b = (struct prom_buf){ NULL, 0, 0, 0 };
	ck_assert_int_eq(prom_render_stats(&b, "{\"uptime\":1}"), STIR_EPROTO);
	free(b.s);
}
END_TEST

START_TEST(config_listen_repeats_and_tls_keys_go_together)
{
	struct http_conf *cf = NULL;
	char err[512];
	const char *text = "listen = 127.0.0.1:1\nlisten = [::1]:2\nlisten = unix:/tmp/x.sock\n"
	    "deadline_ms = 500 # comment\n";

	ck_assert_int_eq(http_conf_parse("t.conf", text, strlen(text), &cf, err, sizeof(err)),
	    STIR_OK);
	ck_assert_int_eq(cf->nlisten, 3);
	ck_assert_str_eq(cf->listen[1], "[::1]:2");
	ck_assert_uint_eq(cf->deadline_ms, 500);
	ck_assert_uint_eq(cf->upstream_connections, 2);
	ck_assert_uint_eq(cf->max_body_bytes, 65536);
	http_conf_free(cf);
	cf = NULL;
	ck_assert_int_eq(http_conf_parse("t.conf", "", 0, &cf, err, sizeof(err)), STIR_OK);
	ck_assert_str_eq(cf->listen[0], "127.0.0.1:8680");
	http_conf_free(cf);
	cf = NULL;
	text = "tls_cert = /a.pem\n";
	ck_assert_int_eq(http_conf_parse("t.conf", text, strlen(text), &cf, err, sizeof(err)),
	    STIR_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "'tls_cert' and 'tls_key' go together"));
	text = "\nlisten = localhost\n";
	ck_assert_int_eq(http_conf_parse("t.conf", text, strlen(text), &cf, err, sizeof(err)),
	    STIR_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "t.conf:2: 'listen'"));
	text = "deadline_ms = 1\ndeadline_ms = 2\n";
	ck_assert_int_eq(http_conf_parse("t.conf", text, strlen(text), &cf, err, sizeof(err)),
	    STIR_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "t.conf:2: 'deadline_ms' is set twice"));
	text = "colour = red\n";
	ck_assert_int_eq(http_conf_parse("t.conf", text, strlen(text), &cf, err, sizeof(err)),
	    STIR_EINVAL);
	ck_assert_ptr_null(cf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("http_map");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, signing_request_maps_to_sign_fields_as_given);
	tcase_add_test(tc, every_ppt_maps_to_its_sign_fields);
	tcase_add_test(tc, signing_request_errors_name_the_member);
	tcase_add_test(tc, verification_request_maps_time_to_an_http_date);
	tcase_add_test(tc, verify_result_maps_to_verification_response);
	tcase_add_test(tc, prometheus_text_from_stats_families);
	tcase_add_test(tc, config_listen_repeats_and_tls_keys_go_together);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
