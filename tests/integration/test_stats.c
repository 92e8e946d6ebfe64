/*
 * test_stats.c: op stats against the real daemon.  After a known number
 * of signs and verifies with known outcomes, the counters say exactly
 * that, the histograms hold one observation per request, and only peers
 * holding the stats permission may read them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>
#include <uv.h>

#include "harness.h"

static struct h H;
static char out[H_OUT_MAX];
static char x5u[64];

#define FROM	"'sip:+12155551212@example.com;user=phone'"
#define TO	"tel:+12125551213"
#define NOBODY	"setpriv --reuid=nobody --regid=nogroup --clear-groups"
#define STATS_PEER	"setpriv --reuid=nobody --regid=daemon --clear-groups"

static void
provision(void)
{
	h_publish(&H, "sp-chain.pem");
	ck_assert_msg(h_https_start(&H), "tests/https-server.py did not start");
	snprintf(x5u, sizeof(x5u), "https://127.0.0.1:%d", H.https_port);
	ck_assert_msg(h_start(&H), "stird did not start");
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust add '%s/ca.pem'", H.pki), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add sp --key '%s/sp.key' --chain '%s/sp-chain.pem' --x5u %s/sp-chain.pem",
	    H.pki, H.pki, x5u), 0);
}

/* The chain may be kept a minute (and its verdict with it). */
static void
cacheable(void)
{
	char path[H_PATH_MAX + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/sp-chain.pem.meta", H.www);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("{\"headers\": {\"Cache-Control\": \"max-age=60\"}}\n", f);
	fclose(f);
}

static void
setup(void)
{
	h_init(&H, NULL);
	h_verifier_conf(&H, NULL);
	/* gone.pem is not there (404) */
	cacheable();
	provision();
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add gone --key '%s/sp.key' --chain '%s/sp-chain.pem' --x5u %s/gone.pem",
	    H.pki, H.pki, x5u), 0);
}

static void
setup_perms(void)
{
	h_init(&H, NULL);
	/* the service socket open to all: stird's own checks decide */
	h_verifier_conf(&H, "socket_mode = 0666\nsign_group = nogroup\nstats_group = daemon\n");
	provision();
}

static void
setup_inline(void)
{
	h_init(&H, NULL);
	/* keys in stird: a signature is CPU work that may run on the loop */
	h_verifier_conf(&H, "signer = in-process\n");
	cacheable();
	provision();
}

static void
teardown(void)
{
	h_teardown(&H);
}

/* stirctl stats --json, parsed (decref). */
static json_t *
stats(void)
{
	json_t *res;

	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json stats"), 0);
	res = json_loads(out, 0, NULL);
	ck_assert_msg(res != NULL, "stats printed no JSON: %s", out);
	return res;
}

static json_t *
family(json_t *res, const char *name, const char *type)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(res, "metrics"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "name")), name) == 0) {
			ck_assert_str_eq(json_string_value(json_object_get(f, "type")), type);
			ck_assert_ptr_nonnull(json_string_value(json_object_get(f, "help")));
			return f;
		}
	ck_abort_msg("no family %s", name);
	return NULL;
}

/*
 * The value of the sample of family name whose labels are exactly
 * (k1=v1, k2=v2) (k2 may be NULL; both NULL: no labels); 0 if none.
 */
static json_int_t
value(json_t *res, const char *name, const char *k1, const char *v1, const char *k2,
    const char *v2)
{
	json_t *f = family(res, name, strstr(name, "_total") ? "counter" : "gauge"), *s;
	size_t i, n = (k1 != NULL) + (k2 != NULL);

	json_array_foreach(json_object_get(f, "samples"), i, s) {
		json_t *l = json_object_get(s, "labels");

		if (json_object_size(l) != n)
			continue;
		if (k1 != NULL && (json_string_value(json_object_get(l, k1)) == NULL ||
		    strcmp(json_string_value(json_object_get(l, k1)), v1) != 0))
			continue;
		if (k2 != NULL && (json_string_value(json_object_get(l, k2)) == NULL ||
		    strcmp(json_string_value(json_object_get(l, k2)), v2) != 0))
			continue;
		ck_assert_msg(json_is_integer(json_object_get(s, "value")),
		    "%s: value is not an integer", name);
		return json_integer_value(json_object_get(s, "value"));
	}
	return 0;
}

/* A histogram's only sample: checks its shape; returns its count. */
static json_int_t
histogram(json_t *res, const char *name)
{
	json_t *f = family(res, name, "histogram"), *s, *b;
	json_int_t prev = 0, count;
	double le = 0;
	size_t i;

	ck_assert_int_eq(json_array_size(json_object_get(f, "samples")), 1);
	s = json_array_get(json_object_get(f, "samples"), 0);
	ck_assert_int_eq(json_object_size(json_object_get(s, "labels")), 0);
	count = json_integer_value(json_object_get(s, "count"));
	ck_assert_int_eq(json_array_size(json_object_get(s, "buckets")), 16);
	json_array_foreach(json_object_get(s, "buckets"), i, b) {
		json_int_t c = json_integer_value(json_object_get(b, "count"));
		double l = json_number_value(json_object_get(b, "le"));

		ck_assert_msg(l > le, "%s: le not ascending at %zu", name, i);
		ck_assert_msg(c >= prev, "%s: counts not cumulative at %zu", name, i);
		le = l;
		prev = c;
	}
	ck_assert(json_number_value(json_object_get(json_array_get(json_object_get(s,
	    "buckets"), 0), "le")) == 0.0001);
	ck_assert(le == 10.0);
	ck_assert_int_le(prev, count);
	ck_assert(json_number_value(json_object_get(s, "sum")) >= 0);
	if (count > 0)
		ck_assert(json_number_value(json_object_get(s, "sum")) > 0);
	return count;
}

/* Sign a call; returns a static copy of the Identity value. */
static const char *
sign_with(const char *cred)
{
	static char id[8192];

	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --cred %s", cred), 0);
	snprintf(id, sizeof(id), "%s", h_last_line(out));
	return id;
}

static const char *
sign(void)
{
	return sign_with("sp");
}

static int
verify(const char *identity, const char *from, const char *more)
{
	return h_ctl(&H, NULL, out, sizeof(out), "verify --identity '%s' --from %s --to %s %s",
	    identity, from, TO, more ? more : "");
}

START_TEST(stats_counts_exactly_what_was_done)
{
	const char *bad = "{\"v\":1,\"id\":1,\"op\":\"sign\",\"orig\":\"12155551212\"}\n";
	json_t *res;

	json_int_t service;

	/* two valid calls (the second finds the chain cached), one spoofed
	 * From (438), one stale iat (403) */
	ck_assert_int_eq(verify(sign(), FROM, NULL), 0);
	ck_assert_int_eq(verify(sign(), FROM, NULL), 0);
	ck_assert_int_eq(verify(sign(), "sip:+19995550000@example.com", NULL), 1);
	ck_assert_int_eq(verify(sign(), FROM, "--at $(($(date +%s) + 3600))"), 1);
	/* two whose x5u is not found (436): fetched once, then the failure
	 * is answered from the cache */
	ck_assert_int_eq(verify(sign_with("gone"), FROM, NULL), 1);
	ck_assert_int_eq(verify(sign_with("gone"), FROM, NULL), 1);
	/* and a sign request that is refused: no dest */
	ck_assert_int_gt(h_raw(H.sock, bad, strlen(bad), out, sizeof(out), 5000), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"EBADREQ\""));

	res = stats();
	ck_assert_int_ge(json_integer_value(json_object_get(res, "uptime")), 0);
	ck_assert_int_eq(value(res, "stird_requests_total", "op", "sign", "outcome", "ok"), 6);
	ck_assert_int_eq(value(res, "stird_requests_total", "op", "sign", "outcome", "EBADREQ"), 1);
	ck_assert_int_eq(value(res, "stird_requests_total", "op", "verify", "outcome", "ok"), 6);
	ck_assert_int_eq(value(res, "stird_requests_total", "op", "trust.add", "outcome", "ok"), 1);
	ck_assert_int_eq(value(res, "stird_requests_total", "op", "cred.add", "outcome", "ok"), 2);
	/* this request is counted once answered, not in its own reply */
	ck_assert_int_eq(value(res, "stird_requests_total", "op", "stats", "outcome", "ok"), 0);
	/* verdicts: exactly those */
	ck_assert_int_eq(value(res, "stird_verify_verdicts_total", "verstat",
	    "TN-Validation-Passed", "code", "none"), 2);
	ck_assert_int_eq(value(res, "stird_verify_verdicts_total", "verstat",
	    "TN-Validation-Failed", "code", "438"), 1);
	ck_assert_int_eq(value(res, "stird_verify_verdicts_total", "verstat",
	    "TN-Validation-Failed", "code", "403"), 1);
	ck_assert_int_eq(value(res, "stird_verify_verdicts_total", "verstat",
	    "TN-Validation-Failed", "code", "436"), 2);
	ck_assert_int_eq(json_array_size(json_object_get(family(res,
	    "stird_verify_verdicts_total", "counter"), "samples")), 4);
	ck_assert_int_eq(value(res, "stird_verify_reasons_total", "cause", "438", NULL, NULL), 1);
	ck_assert_int_eq(value(res, "stird_verify_reasons_total", "cause", "403", NULL, NULL), 1);
	ck_assert_int_eq(value(res, "stird_verify_reasons_total", "cause", "436", NULL, NULL), 2);
	ck_assert_int_eq(json_array_size(json_object_get(family(res,
	    "stird_verify_reasons_total", "counter"), "samples")), 3);
	ck_assert_int_eq(value(res, "stird_signs_total", "cred", "sp", "ppt", "shaken"), 4);
	ck_assert_int_eq(value(res, "stird_signs_total", "cred", "gone", "ppt", "shaken"), 2);
	/* one observation per request of the op, refused ones included */
	ck_assert_int_eq(histogram(res, "stird_sign_duration_seconds"), 7);
	ck_assert_int_eq(histogram(res, "stird_verify_duration_seconds"), 6);
	/* the 403 and 438 calls fail before any fetch: sp-chain.pem once
	 * (then cached), gone.pem once (404, then its failure cached) */
	ck_assert_int_eq(value(res, "stird_fetches_total", "outcome", "ok", NULL, NULL), 1);
	ck_assert_int_eq(value(res, "stird_fetches_total", "outcome", "error", NULL, NULL), 1);
	ck_assert_int_eq(value(res, "stird_fetches_total", "outcome", "timeout", NULL, NULL), 0);
	ck_assert_int_eq(value(res, "stird_fetches_total", "outcome", "negative_cache_hit",
	    NULL, NULL), 1);
	ck_assert_int_eq(histogram(res, "stird_fetch_duration_seconds"), 2);
	ck_assert_int_eq(value(res, "stird_cache_entries", NULL, NULL, NULL, NULL), 2);
	ck_assert_int_gt(value(res, "stird_cache_bytes", NULL, NULL, NULL, NULL), 0);
	ck_assert_int_eq(value(res, "stird_cache_misses_total", NULL, NULL, NULL, NULL), 2);
	ck_assert_int_eq(value(res, "stird_cache_hits_total", NULL, NULL, NULL, NULL), 2);
	/* the credentials' certificate is valid for a while yet */
	ck_assert_int_gt(value(res, "stird_credential_expiry_seconds", "cred", "sp", NULL, NULL),
	    86400);
	ck_assert_int_gt(value(res, "stird_credential_expiry_seconds", "cred", "gone", NULL,
	    NULL), 86400);
	ck_assert_int_eq(value(res, "stird_connections", "socket", "service", NULL, NULL), 1);
	ck_assert_int_eq(value(res, "stird_connections", "socket", "admin", NULL, NULL), 0);
	ck_assert_int_eq(value(res, "stird_inflight_requests", NULL, NULL, NULL, NULL), 0);
	ck_assert_int_eq(value(res, "stird_connections_refused_total", "socket", "service",
	    NULL, NULL), 0);
	service = value(res, "stird_connections_accepted_total", "socket", "service", NULL, NULL);
	/* 12 stirctl commands, the raw line and this one, at least */
	ck_assert_int_ge(service, 14);
	json_decref(res);

	/* a second look counts the first, its connection included */
	res = stats();
	ck_assert_int_eq(value(res, "stird_requests_total", "op", "stats", "outcome", "ok"), 1);
	ck_assert_int_eq(value(res, "stird_requests_total", "op", "sign", "outcome", "ok"), 6);
	ck_assert_int_eq(value(res, "stird_connections_accepted_total", "socket", "service",
	    NULL, NULL), service + 1);
	json_decref(res);

	/* for people: tables */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "stats"), 0);
	ck_assert_ptr_nonnull(strstr(out, "METRIC"));
	ck_assert_ptr_nonnull(strstr(out, "op=sign,outcome=ok"));
	ck_assert_ptr_nonnull(strstr(out, "verstat=TN-Validation-Failed,code=438"));
	ck_assert_ptr_nonnull(strstr(out, "cred=sp,ppt=shaken"));
	ck_assert_ptr_nonnull(strstr(out, "HISTOGRAM"));
	ck_assert_ptr_nonnull(strstr(out, "stird_sign_duration_seconds"));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "stats --admin"), 0);
	ck_assert_ptr_nonnull(strstr(out, "stird_verify_duration_seconds"));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "stats extra 2>&1"), 2);
}
END_TEST

/*
 * A verify whose x5u server never answers, with deadline_ms: answered at
 * the deadline with a 436 verdict; its fetch goes on until
 * fetch_timeout_ms and is then counted as a timeout.
 */
START_TEST(a_deadline_verdict_and_a_fetch_timeout_are_counted)
{
	char path[H_PATH_MAX + 32], line[9000];
	const char *id;
	json_t *res;
	FILE *f;

	snprintf(path, sizeof(path), "%s/slow.pem.meta", H.www);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("{\"hang\": true}\n", f);
	fclose(f);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add slow --key '%s/sp.key' --chain '%s/sp-chain.pem' --x5u %s/slow.pem",
	    H.pki, H.pki, x5u), 0);
	id = sign_with("slow");
	snprintf(line, sizeof(line), "{\"v\":1,\"id\":7,\"op\":\"verify\",\"deadline_ms\":200,"
	    "\"identity\":[\"%s\"],\"from\":\"sip:+12155551212@example.com;user=phone\","
	    "\"to\":\"tel:+12125551213\"}\n", id);
	/* the connection closes once the request is done: after its fetch */
	ck_assert_int_gt(h_raw(H.sock, line, strlen(line), out, sizeof(out), 20000), 0);
	ck_assert_ptr_nonnull(strstr(out, "deadline_ms (200 ms)"));
	res = stats();
	ck_assert_int_eq(value(res, "stird_verify_verdicts_total", "verstat",
	    "TN-Validation-Failed", "code", "436"), 1);
	ck_assert_int_eq(value(res, "stird_verify_reasons_total", "cause", "436", NULL, NULL), 1);
	ck_assert_int_eq(value(res, "stird_requests_total", "op", "verify", "outcome", "ok"), 1);
	ck_assert_int_eq(histogram(res, "stird_verify_duration_seconds"), 1);
	ck_assert_int_eq(value(res, "stird_fetches_total", "outcome", "timeout", NULL, NULL), 1);
	ck_assert_int_eq(value(res, "stird_fetches_total", "outcome", "ok", NULL, NULL), 0);
	ck_assert_int_eq(histogram(res, "stird_fetch_duration_seconds"), 1);
	ck_assert_int_eq(value(res, "stird_fetch_active", NULL, NULL, NULL, NULL), 0);
	json_decref(res);
}
END_TEST

static bool
need_root(const char *test)
{
	if (geteuid() == 0)
		return true;
	printf("%s: skipped: needs root to run a peer as nobody\n", test);
	return false;
}

START_TEST(only_peers_with_the_stats_permission_read_them)
{
	if (!need_root("only_peers_with_the_stats_permission_read_them"))
		return;
	/* sign_group only: signs, but may not read the metrics */
	ck_assert_int_eq(h_ctl(&H, NOBODY, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A 2>&1"), 0);
	ck_assert_int_eq(h_ctl(&H, NOBODY, out, sizeof(out), "stats 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "lacks the 'stats' permission"));
	ck_assert_ptr_nonnull(strstr(out, "(EPERM)"));
	/* stats_group only: gets a connection on the service socket, reads
	 * the metrics, and may do nothing else */
	ck_assert_int_eq(h_ctl(&H, STATS_PEER, out, sizeof(out), "--json stats"), 0);
	ck_assert_ptr_nonnull(strstr(out, "stird_requests_total"));
	ck_assert_int_eq(h_ctl(&H, STATS_PEER, out, sizeof(out), "--json hello"), 0);
	{
		json_t *res = json_loads(out, 0, NULL), *perms;

		ck_assert_ptr_nonnull(res);
		perms = json_object_get(res, "permissions");
		ck_assert_int_eq(json_array_size(perms), 1);
		ck_assert_str_eq(json_string_value(json_array_get(perms, 0)), "stats");
		json_decref(res);
	}
	ck_assert_int_eq(h_ctl(&H, STATS_PEER, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "lacks the 'sign' permission"));
	/* neither: no connection at all */
	ck_assert_int_eq(h_ctl(&H, "setpriv --reuid=nobody --regid=users --clear-groups", out,
	    sizeof(out), "stats 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "lacks the 'sign' and 'verify' permissions"));
	/* what was refused is counted too */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json stats --admin"), 0);
	{
		json_t *res = json_loads(out, 0, NULL);

		ck_assert_ptr_nonnull(res);
		ck_assert_int_eq(value(res, "stird_requests_total", "op", "stats", "outcome",
		    "EPERM"), 1);
		ck_assert_int_eq(value(res, "stird_requests_total", "op", "sign", "outcome",
		    "EPERM"), 1);
		ck_assert_int_eq(value(res, "stird_requests_total", "op", "stats", "outcome",
		    "ok"), 1);
		ck_assert_int_eq(value(res, "stird_connections_refused_total", "socket", "service",
		    NULL, NULL), 1);
		ck_assert_int_eq(value(res, "stird_connections_refused_total", "socket", "admin",
		    NULL, NULL), 0);
		json_decref(res);
	}
}
END_TEST

/* status's stats.inline: the signs and verifies run on the loop. */
static json_int_t
inlined(void)
{
	json_t *res;
	json_int_t n;

	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json status"), 0);
	res = json_loads(out, 0, NULL);
	ck_assert_msg(res != NULL, "status printed no JSON: %s", out);
	ck_assert(json_is_integer(json_object_get(json_object_get(res, "stats"), "inline")));
	n = json_integer_value(json_object_get(json_object_get(res, "stats"), "inline"));
	json_decref(res);
	return n;
}

/*
 * A request that arrives alone finds the pool idle and runs on the loop
 * (no thread hand-off); a verify whose chain must still be validated,
 * and a burst beyond the first of a loop iteration, go to the pool.
 */
START_TEST(a_lone_cheap_request_runs_on_the_loop_and_a_burst_on_the_pool)
{
	char burst[16 * 160];
	const char *id;
	json_int_t n0, n;
	size_t len = 0;
	int ok = 0;

	n0 = inlined();
	for (int i = 0; i < 3; i++)
		(void)sign();
	ck_assert_int_eq(inlined() - n0, 3);
	/* the first verify fetches and validates the chain on the pool; the
	 * second finds it memoised: a signature check, on the loop */
	id = sign();
	n0 = inlined();
	ck_assert_int_eq(verify(id, FROM, NULL), 0);
	ck_assert_int_eq(inlined() - n0, 0);
	id = sign();
	n0 = inlined();
	ck_assert_int_eq(verify(id, FROM, NULL), 0);
	ck_assert_int_eq(inlined() - n0, 1);
	/* 16 signs in one write: the first of the loop iteration runs on
	 * the loop, the others on the pool, and every one is answered */
	for (int i = 0; i < 16; i++)
		len += (size_t)snprintf(burst + len, sizeof(burst) - len,
		    "{\"v\":1,\"id\":%d,\"op\":\"sign\",\"orig\":\"12155551212\","
		    "\"dest\":\"12125551213\",\"attest\":\"A\"}\n", i + 1);
	n0 = inlined();
	ck_assert_int_gt(h_raw(H.sock, burst, len, out, sizeof(out), 5000), 0);
	for (const char *p = out; (p = strstr(p, "\"identity\":")) != NULL; p++)
		ok++;
	ck_assert_int_eq(ok, 16);
	n = inlined() - n0;
	if (uv_available_parallelism() == 1)	/* stird too: no pool is worth it */
		ck_assert_int_eq(n, 16);
	else
		ck_assert_msg(n >= 1 && n < 16, "%lld of a burst of 16 ran on the loop",
		    (long long)n);
}
END_TEST

/* status's signer.batches: messages that carried signatures as a batch. */
static json_int_t
signer_batches(void)
{
	json_t *res;
	json_int_t n;

	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json status"), 0);
	ck_assert_ptr_nonnull(res = json_loads(out, 0, NULL));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(res, "signer"),
	    "mode")), "process");
	n = json_integer_value(json_object_get(json_object_get(res, "signer"), "batches"));
	json_decref(res);
	return n;
}

/*
 * With the keys in the signer process, a lone sign goes from the loop to
 * the signer and back (one message each), never through the pool.
 */
START_TEST(a_lone_sign_goes_to_the_signer_process_from_the_loop)
{
	json_int_t n0 = inlined(), b0 = signer_batches();

	for (int i = 0; i < 3; i++)
		(void)sign();
	ck_assert_int_eq(inlined() - n0, 3);
	ck_assert_int_eq(signer_batches() - b0, 3);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("counts");
	TCase *tp = tcase_create("permission");
	TCase *ti = tcase_create("inline");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, stats_counts_exactly_what_was_done);
	tcase_add_test(tc, a_deadline_verdict_and_a_fetch_timeout_are_counted);
	tcase_add_test(tc, a_lone_sign_goes_to_the_signer_process_from_the_loop);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tp, setup_perms, teardown);
	tcase_set_timeout(tp, 60);
	tcase_add_test(tp, only_peers_with_the_stats_permission_read_them);
	suite_add_tcase(s, tp);
	tcase_add_checked_fixture(ti, setup_inline, teardown);
	tcase_set_timeout(ti, 60);
	tcase_add_test(ti, a_lone_cheap_request_runs_on_the_loop_and_a_burst_on_the_pool);
	suite_add_tcase(s, ti);
	return s;
}

int
main(void)
{
	return h_run(suite());
}
