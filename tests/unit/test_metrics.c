/*
 * test_metrics.c: daemon/base/metrics.c (bucketing, label capping, outcome
 * names, the JSON families op stats returns) and the quantiles stirctl
 * estimates from them (client/stirctl/hist.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "stirclient.h"
#include "daemon/base/conf.h"
#include "daemon/ops/ops.h"
#include "daemon/base/metrics.h"
#include "client/stirctl/cmd_stats.h"
#include "tests/unit/test_util.h"

static struct stir_metrics M;

static const char *const OPS[] = { "hello", "sign", "verify", "stats" };

static void
view_init(struct stir_metrics_view *v)
{
	memset(v, 0, sizeof(*v));
	v->now = 1000;
	v->op_names = OPS;
	v->nops = 4;
}

static json_t *
find(json_t *fams, const char *name)
{
	json_t *f;
	size_t i;

	json_array_foreach(fams, i, f)
		if (strcmp(json_string_value(json_object_get(f, "name")), name) == 0)
			return f;
	return NULL;
}

/* The value of the sample of family name with labels equal to labels (JSON text). */
static json_int_t
value_of(json_t *fams, const char *name, const char *labels)
{
	json_t *f = find(fams, name), *want = json_loads(labels, 0, NULL), *s;
	json_int_t v = -1;
	size_t i;

	ck_assert_msg(f != NULL, "no family %s", name);
	ck_assert_ptr_nonnull(want);
	json_array_foreach(json_object_get(f, "samples"), i, s)
		if (json_equal(json_object_get(s, "labels"), want)) {
			ck_assert(json_is_integer(json_object_get(s, "value")));
			v = json_integer_value(json_object_get(s, "value"));
		}
	json_decref(want);
	return v;
}

START_TEST(buckets_are_inclusive_upper_bounds)
{
	struct stir_histogram h;

	memset(&h, 0, sizeof(h));
	stir_histogram_observe(&h, 0);			/* le 0.0001 */
	stir_histogram_observe(&h, 100000);		/* exactly 0.0001: still the first */
	stir_histogram_observe(&h, 100001);		/* le 0.00025 */
	stir_histogram_observe(&h, 1000000);		/* le 0.001 */
	stir_histogram_observe(&h, 10000000000ull);	/* exactly 10 s: the last bound */
	stir_histogram_observe(&h, 10000000001ull);	/* over it: +Inf */
	ck_assert_uint_eq(h.counts[0], 2);
	ck_assert_uint_eq(h.counts[1], 1);
	ck_assert_uint_eq(h.counts[3], 1);
	ck_assert_uint_eq(h.counts[STIR_HIST_BUCKETS - 1], 1);
	ck_assert_uint_eq(h.counts[STIR_HIST_BUCKETS], 1);
	ck_assert_uint_eq(h.count, 6);
	ck_assert_uint_eq(h.sum_ns, 0 + 100000 + 100001 + 1000000 + 10000000000ull +
	    10000000001ull);
	/* bounds ascend from 0.1 ms to 10 s, by at most x2.5 */
	ck_assert(stir_histogram_bound(0) == 0.0001);
	ck_assert(stir_histogram_bound(STIR_HIST_BUCKETS - 1) == 10.0);
	for (size_t i = 1; i < STIR_HIST_BUCKETS; i++) {
		ck_assert(stir_histogram_bound(i) > stir_histogram_bound(i - 1));
		ck_assert(stir_histogram_bound(i) <= 2.5 * stir_histogram_bound(i - 1) + 1e-12);
	}
}
END_TEST

START_TEST(outcomes_are_named_by_error)
{
	ck_assert_str_eq(stir_metrics_outcome_name(stir_metrics_outcome_index(STIR_OK)), "ok");
	ck_assert_str_eq(stir_metrics_outcome_name(stir_metrics_outcome_index(STIR_EPERM)),
	    "EPERM");
	ck_assert_str_eq(stir_metrics_outcome_name(stir_metrics_outcome_index(STIR_ETIMEDOUT)),
	    "ETIMEDOUT");
	/* every error code has its own slot and its wire name */
	for (int e = STIR_EPROTO; e >= STIR_EINTERNAL; e--) {
		size_t i = stir_metrics_outcome_index(e);

		ck_assert_uint_lt(i, _STIR_M_OUTCOME_MAX);
		ck_assert_str_eq(stir_metrics_outcome_name(i), stir_errname(e));
		ck_assert_uint_ne(i, stir_metrics_outcome_index(e + 1));
	}
	/* codes nobody knows share one slot */
	ck_assert_str_eq(stir_metrics_outcome_name(stir_metrics_outcome_index(-99999)),
	    "EUNKNOWN");
	ck_assert_str_eq(stir_metrics_outcome_name(stir_metrics_outcome_index(12345)),
	    "EUNKNOWN");
}
END_TEST

START_TEST(requests_by_op_and_outcome)
{
	struct stir_metrics_view v;
	json_t *fams;

	stir_metrics_init(&M);
	view_init(&v);
	stir_metrics_request(&M, 1, STIR_OK);
	stir_metrics_request(&M, 1, STIR_OK);
	stir_metrics_request(&M, 1, STIR_EBADREQ);
	stir_metrics_request(&M, 2, STIR_OK);
	stir_metrics_request(&M, -1, STIR_EPROTO);		/* no op */
	stir_metrics_request(&M, 100000, STIR_EUNSUPP);	/* beyond the table */
	ck_assert_ptr_nonnull(fams = stir_metrics_json(&M, &v));
	ck_assert_int_eq(value_of(fams, "stird_requests_total",
	    "{\"op\":\"sign\",\"outcome\":\"ok\"}"), 2);
	ck_assert_int_eq(value_of(fams, "stird_requests_total",
	    "{\"op\":\"sign\",\"outcome\":\"EBADREQ\"}"), 1);
	ck_assert_int_eq(value_of(fams, "stird_requests_total",
	    "{\"op\":\"verify\",\"outcome\":\"ok\"}"), 1);
	ck_assert_int_eq(value_of(fams, "stird_requests_total",
	    "{\"op\":\"unknown\",\"outcome\":\"EPROTO\"}"), 1);
	ck_assert_int_eq(value_of(fams, "stird_requests_total",
	    "{\"op\":\"unknown\",\"outcome\":\"EUNSUPP\"}"), 1);
	/* every op of the table has a row of its own */
	ck_assert_uint_lt(stir_op_count, STIR_METRICS_OPS);
	/* only what happened: no rows of zeros */
	ck_assert_uint_eq(json_array_size(json_object_get(find(fams, "stird_requests_total"),
	    "samples")), 5);
	json_decref(fams);
}
END_TEST

START_TEST(credential_labels_are_capped)
{
	struct stir_metrics_view v;
	json_t *fams, *s;
	json_int_t total = 0;
	char name[64];
	size_t i;

	stir_metrics_init(&M);
	view_init(&v);
	for (int k = 0; k < STIR_METRICS_CREDS + 8; k++) {
		snprintf(name, sizeof(name), "cred%d", k);
		stir_metrics_sign(&M, 1000, STIR_OK, name, "shaken");
	}
	stir_metrics_sign(&M, 1000, STIR_OK, "cred0", "div");
	stir_metrics_sign(&M, 1000, STIR_OK, "cred0", "no-such-ppt");
	stir_metrics_sign(&M, 1000, STIR_EKEY, "cred1", "shaken");	/* failed: not a sign */
	stir_metrics_sign(&M, 1000, STIR_OK, "latecomer", "shaken");	/* no room left */
	ck_assert_ptr_nonnull(fams = stir_metrics_json(&M, &v));
	json_array_foreach(json_object_get(find(fams, "stird_signs_total"), "samples"), i, s)
		total += json_integer_value(json_object_get(s, "value"));
	ck_assert_int_eq(total, STIR_METRICS_CREDS + 8 + 3);
	ck_assert_int_eq(value_of(fams, "stird_signs_total",
	    "{\"cred\":\"cred0\",\"ppt\":\"shaken\"}"), 1);
	ck_assert_int_eq(value_of(fams, "stird_signs_total",
	    "{\"cred\":\"cred0\",\"ppt\":\"div\"}"), 1);
	ck_assert_int_eq(value_of(fams, "stird_signs_total",
	    "{\"cred\":\"cred0\",\"ppt\":\"other\"}"), 1);
	snprintf(name, sizeof(name), "{\"cred\":\"cred%d\",\"ppt\":\"shaken\"}",
	    STIR_METRICS_CREDS - 1);
	ck_assert_int_eq(value_of(fams, "stird_signs_total", name), 1);
	snprintf(name, sizeof(name), "{\"cred\":\"cred%d\",\"ppt\":\"shaken\"}",
	    STIR_METRICS_CREDS);
	ck_assert_int_eq(value_of(fams, "stird_signs_total", name), -1);
	ck_assert_int_eq(value_of(fams, "stird_signs_total",
	    "{\"cred\":\"other\",\"ppt\":\"shaken\"}"), 9);
	/* every sign request has its latency, failed or not */
	s = json_array_get(json_object_get(find(fams, "stird_sign_duration_seconds"),
	    "samples"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(s, "count")),
	    STIR_METRICS_CREDS + 8 + 4);
	json_decref(fams);
}
END_TEST

START_TEST(verdicts_and_reasons_come_from_the_result)
{
	struct stir_metrics_view v;
	json_t *fams, *r;

	stir_metrics_init(&M);
	view_init(&v);
	r = json_loads("{\"verstat\":\"TN-Validation-Passed\",\"error\":null,\"reason\":[]}", 0,
	    NULL);
	stir_metrics_verify(&M, 5000, STIR_OK, r);
	json_decref(r);
	r = json_loads("{\"verstat\":\"TN-Validation-Failed\",\"error\":{\"code\":438},"
	    "\"reason\":[\"STIR;cause=438;text=\\\"Invalid Identity Header\\\"\","
	    "\"STIR;cause=436;text=\\\"Bad Identity Info\\\"\",\"garbage\",\"STIR;cause=4381\"]}",
	    0, NULL);
	ck_assert_ptr_nonnull(r);
	stir_metrics_verify(&M, 5000, STIR_OK, r);
	json_decref(r);
	r = json_loads("{\"verstat\":\"No-TN-Validation\",\"error\":null,\"reason\":[]}", 0, NULL);
	stir_metrics_verify(&M, 5000, STIR_OK, r);
	stir_metrics_verify(&M, 5000, STIR_EBADREQ, NULL);	/* not a verdict */
	json_decref(r);
	ck_assert_ptr_nonnull(fams = stir_metrics_json(&M, &v));
	ck_assert_int_eq(value_of(fams, "stird_verify_verdicts_total",
	    "{\"verstat\":\"TN-Validation-Passed\",\"code\":\"none\"}"), 1);
	ck_assert_int_eq(value_of(fams, "stird_verify_verdicts_total",
	    "{\"verstat\":\"TN-Validation-Failed\",\"code\":\"438\"}"), 1);
	ck_assert_int_eq(value_of(fams, "stird_verify_verdicts_total",
	    "{\"verstat\":\"No-TN-Validation\",\"code\":\"none\"}"), 1);
	ck_assert_int_eq(value_of(fams, "stird_verify_reasons_total", "{\"cause\":\"438\"}"), 1);
	ck_assert_int_eq(value_of(fams, "stird_verify_reasons_total", "{\"cause\":\"436\"}"), 1);
	ck_assert_int_eq(value_of(fams, "stird_verify_reasons_total", "{\"cause\":\"other\"}"), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(
	    find(fams, "stird_verify_duration_seconds"), "samples"), 0), "count")), 4);
	json_decref(fams);
}
END_TEST

START_TEST(families_have_the_wire_shape)
{
	static const struct stir_metrics_cred creds[] = { { "sp", 1000 + 86400 },
	    { "old", 900 } };
	static const char *const types[] = { "counter", "gauge", "histogram" };
	struct stir_metrics_view v;
	struct stir_histogram fl;
	json_t *fams, *f, *s, *b;
	size_t i, j, k;
	char *text;

	stir_metrics_init(&M);
	view_init(&v);
	memset(&fl, 0, sizeof(fl));
	stir_histogram_observe(&fl, 3000000);
	stir_metrics_sign(&M, 200000, STIR_OK, "sp", "shaken");
	stir_metrics_conn(&M, STIR_M_SOCK_SERVICE, true);
	stir_metrics_conn(&M, STIR_M_SOCK_ADMIN, false);
	stir_metrics_policy_refresh(&M, 3, 1);
	v.conns[STIR_M_SOCK_SERVICE] = 2;
	v.has_fetcher = v.has_cache = true;
	v.fetch_outcomes[STIR_M_FETCH_OK] = 1;
	v.fetch_outcomes[STIR_M_FETCH_BUSY] = 2;
	v.fetch_refused_at_once = 3;
	v.fetch_latency = &fl;
	v.cache_hits = 3;
	v.cache_misses = 1;
	v.cache_negative_hits = 2;
	v.creds = creds;
	v.ncreds = 2;
	ck_assert_ptr_nonnull(fams = stir_metrics_json(&M, &v));
	json_array_foreach(fams, i, f) {
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *type = json_string_value(json_object_get(f, "type"));
		bool known = false;

		ck_assert_ptr_nonnull(name);
		ck_assert_msg(strncmp(name, "stird_", 6) == 0, "%s: no stird_ prefix", name);
		ck_assert_ptr_nonnull(type);
		for (k = 0; k < 3; k++)
			known |= strcmp(type, types[k]) == 0;
		ck_assert_msg(known, "%s: type %s", name, type);
		ck_assert_msg((strcmp(type, "counter") == 0) ==
		    (strlen(name) > 6 && strcmp(name + strlen(name) - 6, "_total") == 0),
		    "%s: counters, and only they, end in _total", name);
		ck_assert_ptr_nonnull(json_string_value(json_object_get(f, "help")));
		ck_assert_ptr_null(strchr(json_string_value(json_object_get(f, "help")), '\n'));
		ck_assert_uint_eq(json_object_size(f), 4);
		ck_assert(json_is_array(json_object_get(f, "samples")));
		json_array_foreach(json_object_get(f, "samples"), j, s) {
			ck_assert(json_is_object(json_object_get(s, "labels")));
			if (strcmp(type, "histogram") != 0) {
				ck_assert_uint_eq(json_object_size(s), 2);
				ck_assert(json_is_number(json_object_get(s, "value")));
				continue;
			}
			ck_assert_uint_eq(json_object_size(s), 4);
			ck_assert(json_is_integer(json_object_get(s, "count")));
			ck_assert(json_is_number(json_object_get(s, "sum")));
			ck_assert_uint_eq(json_array_size(json_object_get(s, "buckets")),
			    STIR_HIST_BUCKETS);
			json_array_foreach(json_object_get(s, "buckets"), k, b) {
				ck_assert_uint_eq(json_object_size(b), 2);
				ck_assert(json_is_number(json_object_get(b, "le")));
				ck_assert(json_is_integer(json_object_get(b, "count")));
			}
		}
	}
	/* the one fetch took 3 ms: in le 0.005 and every bucket after, not before */
	s = json_array_get(json_object_get(find(fams, "stird_fetch_duration_seconds"),
	    "samples"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(s,
	    "buckets"), 4), "count")), 0);
	ck_assert(json_real_value(json_object_get(json_array_get(json_object_get(s, "buckets"),
	    5), "le")) == 0.005);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(s,
	    "buckets"), 5), "count")), 1);
	ck_assert(json_real_value(json_object_get(s, "sum")) == 0.003);
	/* fetch outcomes: busy adds the fetches refused at once */
	ck_assert_int_eq(value_of(fams, "stird_fetches_total", "{\"outcome\":\"ok\"}"), 1);
	ck_assert_int_eq(value_of(fams, "stird_fetches_total", "{\"outcome\":\"busy\"}"), 5);
	ck_assert_int_eq(value_of(fams, "stird_fetches_total", "{\"outcome\":\"timeout\"}"), 0);
	ck_assert_int_eq(value_of(fams, "stird_fetches_total",
	    "{\"outcome\":\"negative_cache_hit\"}"), 2);
	ck_assert(json_real_value(json_object_get(json_array_get(json_object_get(find(fams,
	    "stird_cache_hit_ratio"), "samples"), 0), "value")) == 0.75);
	ck_assert_int_eq(value_of(fams, "stird_credential_expiry_seconds", "{\"cred\":\"sp\"}"),
	    86400);
	ck_assert_int_eq(value_of(fams, "stird_credential_expiry_seconds", "{\"cred\":\"old\"}"),
	    -100);
	ck_assert_int_eq(value_of(fams, "stird_connections", "{\"socket\":\"service\"}"), 2);
	ck_assert_int_eq(value_of(fams, "stird_connections_accepted_total",
	    "{\"socket\":\"service\"}"), 1);
	ck_assert_int_eq(value_of(fams, "stird_connections_refused_total",
	    "{\"socket\":\"admin\"}"), 1);
	ck_assert_int_eq(value_of(fams, "stird_rcd_policy_refresh_total",
	    "{\"outcome\":\"ok\"}"), 3);
	ck_assert_int_eq(value_of(fams, "stird_rcd_policy_refresh_total",
	    "{\"outcome\":\"error\"}"), 1);
	/* each family once */
	text = json_dumps(fams, JSON_COMPACT);
	ck_assert_ptr_nonnull(text);
	json_array_foreach(fams, i, f) {
		char key[96];
		const char *p = text;
		int n = 0;

		snprintf(key, sizeof(key), "\"name\":\"%s\"",
		    json_string_value(json_object_get(f, "name")));
		while ((p = strstr(p, key)) != NULL) {
			n++;
			p++;
		}
		ck_assert_int_eq(n, 1);
	}
	free(text);
	json_decref(fams);
	/* without a fetcher and cache: no fetch or cache families */
	view_init(&v);
	ck_assert_ptr_nonnull(fams = stir_metrics_json(&M, &v));
	ck_assert_ptr_null(find(fams, "stird_fetches_total"));
	ck_assert_ptr_null(find(fams, "stird_cache_entries"));
	json_decref(fams);
}
END_TEST

static json_t *
hist(const char *text)
{
	json_t *h = json_loads(text, 0, NULL);

	ck_assert_msg(h != NULL, "bad test JSON: %s", text);
	return h;
}

START_TEST(quantiles_interpolate_within_a_bucket)
{
	json_t *h;
	double x = -1;

	/* 10 in (0, 0.001], 10 in (0.001, 0.002] */
	h = hist("{\"labels\":{},\"buckets\":[{\"le\":0.001,\"count\":10},{\"le\":0.002,"
	    "\"count\":20}],\"count\":20,\"sum\":0.03}");
	ck_assert_int_eq(ctl_hist_quantile(h, 0.5, &x), 0);
	ck_assert(x > 0.000999 && x < 0.001001);
	ck_assert_int_eq(ctl_hist_quantile(h, 0.75, &x), 0);
	ck_assert(x > 0.001499 && x < 0.001501);
	ck_assert_int_eq(ctl_hist_quantile(h, 0.25, &x), 0);
	ck_assert(x > 0.000499 && x < 0.000501);
	json_decref(h);
	/* beyond the last bound: at least it */
	h = hist("{\"labels\":{},\"buckets\":[{\"le\":0.001,\"count\":1},{\"le\":10,"
	    "\"count\":1}],\"count\":100,\"sum\":1200}");
	ck_assert_int_eq(ctl_hist_quantile(h, 0.99, &x), 1);
	ck_assert(x == 10.0);
	json_decref(h);
	/* nothing observed, or not cumulative: no estimate */
	h = hist("{\"labels\":{},\"buckets\":[{\"le\":0.001,\"count\":0}],\"count\":0,\"sum\":0}");
	ck_assert_int_eq(ctl_hist_quantile(h, 0.5, &x), -1);
	json_decref(h);
	h = hist("{\"labels\":{},\"buckets\":[{\"le\":0.001,\"count\":5},{\"le\":0.002,"
	    "\"count\":2}],\"count\":5,\"sum\":0}");
	ck_assert_int_eq(ctl_hist_quantile(h, 0.9, &x), -1);
	json_decref(h);
	h = hist("{\"count\":5}");
	ck_assert_int_eq(ctl_hist_quantile(h, 0.9, &x), -1);
	json_decref(h);
}
END_TEST

START_TEST(stats_group_is_a_group_key)
{
	static const char text[] = "stats_group = 4242\n";
	struct stir_config *cfg = NULL;
	char err[256];

	ck_assert_int_eq(stir_config_defaults(&cfg), STIR_OK);
	ck_assert_str_eq(cfg->stats_group, "");
	ck_assert(cfg->stats_gid == (gid_t)-1);
	stir_config_free(cfg);
	cfg = NULL;
	ck_assert_int_eq(stir_config_parse("t.conf", text, sizeof(text) - 1, &cfg, err,
	    sizeof(err)), STIR_OK);
	ck_assert(cfg->stats_gid == (gid_t)4242);
	ck_assert(cfg->admin_gid == (gid_t)-1);
	stir_config_free(cfg);
	cfg = NULL;
	ck_assert_int_ne(stir_config_parse("t.conf", "stats_group = stird-no-such-group\n", 34,
	    &cfg, err, sizeof(err)), STIR_OK);
	ck_assert_ptr_nonnull(strstr(err, "no such group"));
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");

	tcase_add_test(tc, buckets_are_inclusive_upper_bounds);
	tcase_add_test(tc, outcomes_are_named_by_error);
	tcase_add_test(tc, requests_by_op_and_outcome);
	tcase_add_test(tc, credential_labels_are_capped);
	tcase_add_test(tc, verdicts_and_reasons_come_from_the_result);
	tcase_add_test(tc, families_have_the_wire_shape);
	tcase_add_test(tc, quantiles_interpolate_within_a_bucket);
	tcase_add_test(tc, stats_group_is_a_group_key);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(metrics_suite());
}
