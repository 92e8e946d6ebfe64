/*
 * test_async_typed.c: the typed layer of libstirclient's non-blocking API:
 * every op's request built from its struct and its reply decoded, against
 * the real stird (sign and verify of shaken and msg PASSporTs, the admin
 * ops on the admin socket), and against a fake daemon for the exact
 * request fields and results stird would rarely give in a test (RCD,
 * diversion, metrics).  Outcomes and counts, never durations.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "stirclient.h"
#include "async_util.h"
#include "harness.h"

static struct h H;
static char out[H_OUT_MAX];
static char x5u[64];

static void
setup(void)
{
	char extra[H_PATH_MAX + 256];

	h_init(&H, NULL);
	/* as h_verifier_conf(), but fetched chains stay cached (cache.list) */
	snprintf(extra, sizeof(extra), "x5u_ca_file = %s/web-ca.pem\nx5u_allow_private = yes\n"
	    "fetch_timeout_ms = 1500\ncache_min_ttl = 600\n", H.pki);
	h_write_conf(&H, extra);
	h_publish(&H, "sp-chain.pem");
	ck_assert_msg(h_https_start(&H), "tests/https-server.py did not start");
	snprintf(x5u, sizeof(x5u), "https://127.0.0.1:%d/sp-chain.pem", H.https_port);
	ck_assert_msg(h_start(&H), "stird did not start");
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust add '%s/ca.pem'", H.pki), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add sp --key '%s/sp.key' --chain '%s/sp-chain.pem' --x5u %s",
	    H.pki, H.pki, x5u), 0);
}

static void
teardown(void)
{
	h_teardown(&H);
}

/* What a typed callback saw, copied out of the borrowed result. */
struct seen {
	int	 n;
	int	 err;
	char	 msg[256];
	char	 s[8][4096];	/* strings the test cares about */
	int64_t	 i[8];
	size_t	 z[8];
};

static bool
contains(const char **v, size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] != NULL && strcmp(v[i], want) == 0)
			return true;
	return false;
}

static void
seen_start(struct seen *w, int err, const char *errmsg, const void *res)
{
	w->n++;
	w->err = err;
	snprintf(w->msg, sizeof(w->msg), "%s", errmsg != NULL ? errmsg : "");
	if (err == STIR_OK)
		ck_assert_ptr_nonnull(res);
	else
		ck_assert_ptr_null(res);
}

#define CP(w, k, v)	snprintf((w)->s[k], sizeof((w)->s[k]), "%s", (v) != NULL ? (v) : "(null)")

static void
on_sign(void *arg, int err, const char *errmsg, const struct stir_sign_result *r)
{
	struct seen *w = arg;

	seen_start(w, err, errmsg, r);
	if (r == NULL)
		return;
	ck_assert_ptr_nonnull(r->json);
	ck_assert_int_ge(r->nidentities, 1);
	ck_assert_str_eq(r->identities[0], r->identity);
	CP(w, 0, r->identity);
	CP(w, 1, r->cred);
	CP(w, 2, r->ppt);
	CP(w, 3, r->x5u);
	CP(w, 4, r->origid);
	CP(w, 5, r->policy);
	w->i[0] = r->iat;
	w->z[0] = r->nidentities;
}

static void
on_verify(void *arg, int err, const char *errmsg, const struct stir_verify_result *r)
{
	struct seen *w = arg;
	const struct stir_verify_identity *id;

	seen_start(w, err, errmsg, r);
	if (r == NULL)
		return;
	ck_assert_ptr_nonnull(r->json);
	CP(w, 0, r->verstat);
	CP(w, 1, r->orig_tn);
	CP(w, 2, r->attest);
	CP(w, 3, r->action);
	CP(w, 4, r->nreason > 0 ? r->reason[0] : NULL);
	CP(w, 5, r->reason_phrase);
	w->i[0] = r->code;
	w->i[1] = r->action_code;
	w->z[0] = r->nidentities;
	w->z[1] = r->nreason;
	if (r->nidentities > 0) {
		id = &r->identities[0];
		CP(w, 6, id->ppt);
		CP(w, 7, id->cert_subject);
		w->i[2] = id->valid;
		w->i[3] = id->code;
		w->i[4] = id->nested_in;
		w->z[2] = id->ndest;
		w->i[5] = id->ndest == 2 && contains(id->dest, id->ndest, "12125551213") &&
		    contains(id->dest, id->ndest, "12125551214");
		w->i[6] = id->reason != NULL;
	}
}

START_TEST(typed_sign_and_verify_against_stird)
{
	const char *dest[] = { "tel:+12125551214", "12125551213" };
	struct stir_sign_params sp = { 0 };
	struct stir_verify_params vp = { 0 };
	struct seen sw = { 0 }, vw = { 0 };
	struct stir_async *a;
	const char *ident;
	char identity[4096];
	int64_t now = (int64_t)time(NULL);

	ck_assert_int_eq(stir_async_connect(H.sock, &a), STIR_OK);
	sp.orig = "+1 215 555 1212";
	sp.dest = dest;
	sp.ndest = 2;
	sp.attest = "A";
	sp.origid = "123e4567-e89b-12d3-a456-426655440000";
	sp.iat = now;
	ck_assert_int_gt(stir_async_sign(a, &sp, 0, on_sign, &sw), 0);
	AU_RUN_UNTIL(a, sw.n == 1);
	ck_assert_msg(sw.err == STIR_OK, "sign: %s", sw.msg);
	ck_assert_int_eq(sw.z[0], 1);
	ck_assert_str_eq(sw.s[1], "sp");
	ck_assert_str_eq(sw.s[2], "shaken");
	ck_assert_str_eq(sw.s[3], x5u);
	ck_assert_str_eq(sw.s[4], "123e4567-e89b-12d3-a456-426655440000");
	ck_assert_str_eq(sw.s[5], "(null)");
	ck_assert_int_eq(sw.i[0], now);
	snprintf(identity, sizeof(identity), "%s", sw.s[0]);
	ident = identity;

	/* verified as sent: passed, the caller's number and attestation */
	vp.identity = &ident;
	vp.nidentity = 1;
	vp.from = "<sip:+12155551212@example.com;user=phone>;tag=a";
	vp.to = "<tel:+12125551213>";
	ck_assert_int_gt(stir_async_verify(a, &vp, 0, on_verify, &vw), 0);
	AU_RUN_UNTIL(a, vw.n == 1);
	ck_assert_msg(vw.err == STIR_OK, "verify: %s", vw.msg);
	ck_assert_str_eq(vw.s[0], "TN-Validation-Passed");
	ck_assert_str_eq(vw.s[1], "12155551212");
	ck_assert_str_eq(vw.s[2], "A");
	ck_assert_str_eq(vw.s[3], "continue");
	ck_assert_int_eq(vw.i[0], 0);
	ck_assert_int_eq(vw.z[0], 1);
	ck_assert_int_eq(vw.z[1], 0);
	ck_assert_str_eq(vw.s[6], "shaken");
	ck_assert_ptr_nonnull(strstr(vw.s[7], "709J"));
	ck_assert_int_eq(vw.i[2], 1);
	ck_assert_int_eq(vw.i[4], -1);
	ck_assert_int_eq(vw.i[5], 1);		/* both dest numbers */

	/* to another number: failed 438, with its Reason and the action */
	memset(&vw, 0, sizeof(vw));
	vp.to = "tel:+19995550000";
	ck_assert_int_gt(stir_async_verify(a, &vp, 0, on_verify, &vw), 0);
	AU_RUN_UNTIL(a, vw.n == 1);
	ck_assert_int_eq(vw.err, STIR_OK);
	ck_assert_str_eq(vw.s[0], "TN-Validation-Failed");
	ck_assert_int_eq(vw.i[0], 438);
	ck_assert_str_eq(vw.s[5], "Invalid Identity Header");
	ck_assert_str_eq(vw.s[3], "reject");
	ck_assert_int_eq(vw.i[1], 438);
	ck_assert_int_eq(vw.z[1], 1);
	ck_assert_ptr_nonnull(strstr(vw.s[4], "STIR;cause=438;"));
	ck_assert_int_eq(vw.i[2], 0);
	ck_assert_int_eq(vw.i[3], 438);
	ck_assert_int_eq(vw.i[6], 1);

	/* a message: the body bytes travel base64-encoded and msgi matches */
	memset(&sp, 0, sizeof(sp));
	memset(&sw, 0, sizeof(sw));
	sp.ppt = "msg";
	sp.orig = "12155551212";
	sp.dest = &dest[1];
	sp.ndest = 1;
	sp.body = "Hello from stird\r\n";
	sp.body_len = strlen("Hello from stird\r\n");
	sp.content_type = "text/plain";
	ck_assert_int_gt(stir_async_sign(a, &sp, 0, on_sign, &sw), 0);
	AU_RUN_UNTIL(a, sw.n == 1);
	ck_assert_msg(sw.err == STIR_OK, "sign msg: %s", sw.msg);
	ck_assert_str_eq(sw.s[2], "msg");
	ck_assert_str_eq(sw.s[4], "(null)");	/* no origid in msg */
	snprintf(identity, sizeof(identity), "%s", sw.s[0]);
	memset(&vp, 0, sizeof(vp));
	memset(&vw, 0, sizeof(vw));
	vp.identity = &ident;
	vp.nidentity = 1;
	vp.from = "tel:+12155551212";
	vp.to = "tel:+12125551213";
	vp.body_b64 = "SGVsbG8gZnJvbSBzdGlyZA0K";	/* the same bytes */
	vp.content_type = "text/plain";
	ck_assert_int_gt(stir_async_verify(a, &vp, 0, on_verify, &vw), 0);
	AU_RUN_UNTIL(a, vw.n == 1);
	ck_assert_int_eq(vw.err, STIR_OK);
	ck_assert_str_eq(vw.s[0], "TN-Validation-Passed");
	ck_assert_str_eq(vw.s[6], "msg");
	/* another body: msgi does not match */
	memset(&vw, 0, sizeof(vw));
	vp.body_b64 = NULL;
	vp.body = "Hello from elsewhere\r\n";
	vp.body_len = strlen(vp.body);
	ck_assert_int_gt(stir_async_verify(a, &vp, 0, on_verify, &vw), 0);
	AU_RUN_UNTIL(a, vw.n == 1);
	ck_assert_str_eq(vw.s[0], "TN-Validation-Failed");
	ck_assert_int_eq(vw.i[3], 438);

	/* an error reply: the code, no result */
	memset(&sp, 0, sizeof(sp));
	memset(&sw, 0, sizeof(sw));
	sp.ppt = "div";
	sp.dest = dest;
	sp.ndest = 1;
	ck_assert_int_gt(stir_async_sign(a, &sp, 0, on_sign, &sw), 0);
	AU_RUN_UNTIL(a, sw.n == 1);
	ck_assert_int_lt(sw.err, 0);
	ck_assert_ptr_nonnull(strstr(sw.msg, "original"));
	/* nothing sent for what cannot be sent */
	ck_assert_int_eq(stir_async_sign(a, NULL, 0, on_sign, &sw), STIR_EINVAL);
	ck_assert_int_eq(stir_async_sign(a, &sp, 0, NULL, &sw), STIR_EINVAL);
	sp.ndest = 2;
	sp.dest = NULL;
	ck_assert_int_eq(stir_async_sign(a, &sp, 0, on_sign, &sw), STIR_EINVAL);
	sp.dest = dest;
	sp.orig = "\xff\xfe";
	ck_assert_int_eq(stir_async_sign(a, &sp, 0, on_sign, &sw), STIR_EINVAL);
	sp.orig = NULL;
	sp.rcd = 7;
	ck_assert_int_eq(stir_async_sign(a, &sp, 0, on_sign, &sw), STIR_EINVAL);
	vp.from = NULL;
	ck_assert_int_eq(stir_async_verify(a, &vp, 0, on_verify, &vw), STIR_EINVAL);
	ck_assert_int_eq(stir_async_pending(a), 0);
	ck_assert_int_eq(sw.n, 1);
	stir_async_free(a);
}
END_TEST

/* ---- admin ops ---- */

static void
on_json(void *arg, int err, const char *errmsg, const char *json)
{
	struct seen *w = arg;

	seen_start(w, err, errmsg, json);
	CP(w, 0, json);
}

static void
on_status(void *arg, int err, const char *errmsg, const struct stir_status_result *r)
{
	struct seen *w = arg;

	seen_start(w, err, errmsg, r);
	if (r == NULL)
		return;
	CP(w, 0, r->version);
	CP(w, 1, r->ncredentials > 0 ? r->credentials[0].name : NULL);
	CP(w, 2, r->ncredentials > 0 ? r->credentials[0].state : NULL);
	w->i[0] = r->pid;
	w->i[1] = r->store.credentials;
	w->i[2] = r->store.trust_anchors;
	w->i[3] = r->stats.requests;
	w->i[4] = r->has_fetch;
	w->z[0] = r->ncredentials;
}

static void
on_stats(void *arg, int err, const char *errmsg, const struct stir_stats_result *r)
{
	struct seen *w = arg;

	seen_start(w, err, errmsg, r);
	if (r == NULL)
		return;
	w->z[0] = r->nfamilies;
	w->i[3] = r->uptime;
	for (size_t i = 0; i < r->nfamilies; i++) {
		const struct stir_metric_family *f = &r->families[i];

		if (strcmp(f->name, "stird_requests_total") == 0) {
			w->i[0] = 1;
			ck_assert_str_eq(f->type, "counter");
			for (size_t j = 0; j < f->nsamples; j++)
				for (size_t k = 0; k < f->samples[j].nlabels; k++)
					if (strcmp(f->samples[j].label_names[k], "op") == 0 &&
					    strcmp(f->samples[j].label_values[k], "ping") == 0)
						w->i[1] += (int64_t)f->samples[j].value;
		}
		if (strcmp(f->type, "histogram") == 0)
			for (size_t j = 0; j < f->nsamples; j++) {
				const struct stir_metric_sample *sm = &f->samples[j];

				/* cumulative, ascending, within count */
				for (size_t k = 1; k < sm->nbuckets; k++) {
					ck_assert(sm->buckets[k].le > sm->buckets[k - 1].le);
					ck_assert_uint_ge(sm->buckets[k].count,
					    sm->buckets[k - 1].count);
				}
				if (sm->nbuckets > 0) {
					ck_assert_uint_le(sm->buckets[sm->nbuckets - 1].count,
					    sm->count);
					w->i[2] = 1;
				}
			}
	}
}

static void
on_keys(void *arg, int err, const char *errmsg, const struct stir_key_list_result *r)
{
	struct seen *w = arg;

	seen_start(w, err, errmsg, r);
	if (r == NULL)
		return;
	w->z[0] = r->nkeys;
	w->i[0] = 0;
	for (size_t i = 0; i < r->nkeys; i++) {
		ck_assert_str_eq(r->keys[i].type, "EC P-256");
		ck_assert_int_eq(strlen(r->keys[i].spki_sha256), 64);
		if (strcmp(r->keys[i].name, "k2") == 0)
			w->i[0] = 1;
	}
}

static void
on_creds(void *arg, int err, const char *errmsg, const struct stir_cred_list_result *r)
{
	struct seen *w = arg;

	seen_start(w, err, errmsg, r);
	if (r == NULL)
		return;
	w->z[0] = r->ncredentials;
	if (r->ncredentials > 0) {
		CP(w, 0, r->credentials[0].name);
		CP(w, 1, r->credentials[0].x5u);
		CP(w, 2, r->credentials[0].subject);
		w->i[0] = r->credentials[0].loaded;
		w->i[1] = r->credentials[0].not_after;
	}
}

static void
on_anchors(void *arg, int err, const char *errmsg, const struct stir_trust_list_result *r)
{
	struct seen *w = arg;

	seen_start(w, err, errmsg, r);
	if (r == NULL)
		return;
	w->z[0] = r->nanchors;
	if (r->nanchors > 0) {
		w->i[0] = r->anchors[0].id;
		w->z[1] = strlen(r->anchors[0].sha256);
		CP(w, 0, r->anchors[0].subject);
	}
}

static void
on_audit(void *arg, int err, const char *errmsg, const struct stir_audit_list_result *r)
{
	struct seen *w = arg;

	seen_start(w, err, errmsg, r);
	if (r == NULL)
		return;
	w->z[0] = r->nentries;
	if (r->nentries > 0) {
		CP(w, 0, r->entries[0].op);
		CP(w, 1, r->entries[0].result);
		CP(w, 2, r->entries[0].subject);
		w->i[0] = r->entries[0].uid;
	}
}

static void
on_cache(void *arg, int err, const char *errmsg, const struct stir_cache_list_result *r)
{
	struct seen *w = arg;

	seen_start(w, err, errmsg, r);
	if (r == NULL)
		return;
	w->z[0] = r->nentries;
	CP(w, 3, r->json);
	if (r->nentries > 0) {
		CP(w, 0, r->entries[0].url);
		CP(w, 1, r->entries[0].status);
		CP(w, 2, r->entries[0].kind);
		w->i[0] = r->entries[0].bytes;
	}
}

static void
on_policies(void *arg, int err, const char *errmsg, const struct stir_policy_list_result *r)
{
	struct seen *w = arg;

	seen_start(w, err, errmsg, r);
	if (r != NULL)
		w->z[0] = r->npolicies;
}

/* Run one request to completion on a (w's callback). */
#define ONE(a, w, call) do {						\
	memset(&(w), 0, sizeof(w));					\
	ck_assert_int_gt((call), 0);					\
	AU_RUN_UNTIL(a, (w).n == 1);					\
} while (0)

START_TEST(typed_admin_ops_against_stird)
{
	struct stir_policy_test_params pt = { 0 };
	struct stir_async *a;
	struct seen w;
	char pem[H_PATH_MAX + 16];

	ck_assert_int_eq(stir_async_connect(H.admin, &a), STIR_OK);
	ONE(a, w, stir_async_hello(a, 0, on_json, &w));
	ck_assert_int_eq(w.err, STIR_OK);
	ck_assert_ptr_nonnull(strstr(w.s[0], "\"role\":\"admin\""));
	ONE(a, w, stir_async_ping(a, 0, on_json, &w));
	ck_assert_ptr_nonnull(strstr(w.s[0], "\"pong\":true"));
	ONE(a, w, stir_async_status(a, 0, on_status, &w));
	ck_assert_int_eq(w.err, STIR_OK);
	ck_assert_str_ne(w.s[0], "(null)");
	ck_assert_int_eq(w.i[0], H.pid);
	ck_assert_int_eq(w.i[1], 1);
	ck_assert_int_eq(w.i[2], 1);
	ck_assert_int_gt(w.i[3], 0);
	ck_assert_int_eq(w.z[0], 1);
	ck_assert_str_eq(w.s[1], "sp");
	ck_assert_str_eq(w.s[2], "ok");
	/* stats: the families, the ping above counted, histograms well formed */
	ONE(a, w, stir_async_stats(a, 0, on_stats, &w));
	ck_assert_msg(w.err == STIR_OK, "stats: %s", w.msg);
	ck_assert_int_gt(w.z[0], 0);
	ck_assert_int_eq(w.i[0], 1);
	ck_assert_int_eq(w.i[1], 1);
	ck_assert_int_eq(w.i[2], 1);
	ck_assert_int_ge(w.i[3], 0);

	/* keys */
	ONE(a, w, stir_async_key_generate(a, "k2", 0, on_json, &w));
	ck_assert_int_eq(w.err, STIR_OK);
	ck_assert_ptr_nonnull(strstr(w.s[0], "BEGIN PUBLIC KEY"));
	ONE(a, w, stir_async_key_generate(a, "k2", 0, on_json, &w));
	ck_assert_int_eq(w.err, STIR_EEXIST);
	ONE(a, w, stir_async_key_list(a, 0, on_keys, &w));
	ck_assert_int_eq(w.err, STIR_OK);
	ck_assert_int_eq(w.z[0], 2);
	ck_assert_int_eq(w.i[0], 1);
	ONE(a, w, stir_async_key_remove(a, "k2", 0, on_json, &w));
	ck_assert_int_eq(w.err, STIR_OK);
	ONE(a, w, stir_async_key_list(a, 0, on_keys, &w));
	ck_assert_int_eq(w.z[0], 1);
	ck_assert_int_eq(w.i[0], 0);
	ONE(a, w, stir_async_key_import(a, "bad", "not a key", 0, on_json, &w));
	ck_assert_int_eq(w.err, STIR_EKEY);

	/* credentials and anchors */
	ONE(a, w, stir_async_cred_list(a, 0, on_creds, &w));
	ck_assert_int_eq(w.err, STIR_OK);
	ck_assert_int_eq(w.z[0], 1);
	ck_assert_str_eq(w.s[0], "sp");
	ck_assert_str_eq(w.s[1], x5u);
	ck_assert_ptr_nonnull(strstr(w.s[2], "709J"));
	ck_assert_int_eq(w.i[0], 1);
	ck_assert_int_gt(w.i[1], 0);
	{
		struct stir_cred_add_params cp = { 0 };

		cp.name = "sp2";
		cp.key = "nosuchkey";
		cp.chain = "-----BEGIN CERTIFICATE-----\n";
		cp.x5u = x5u;
		ONE(a, w, stir_async_cred_add(a, &cp, 0, on_json, &w));
		ck_assert_int_lt(w.err, 0);
	}
	ONE(a, w, stir_async_cred_remove(a, "nope", 0, on_json, &w));
	ck_assert_int_eq(w.err, STIR_ENOENT);
	ONE(a, w, stir_async_trust_list(a, 0, on_anchors, &w));
	ck_assert_int_eq(w.err, STIR_OK);
	ck_assert_int_eq(w.z[0], 1);
	ck_assert_int_gt(w.i[0], 0);
	ck_assert_int_eq(w.z[1], 64);
	snprintf(pem, sizeof(pem), "%s/ca.pem", H.pki);
	{
		char *text = NULL;
		FILE *f = fopen(pem, "r");
		size_t n;

		ck_assert_ptr_nonnull(f);
		ck_assert_ptr_nonnull(text = calloc(1, 65536));
		n = fread(text, 1, 65535, f);
		ck_assert_int_gt(n, 0);
		fclose(f);
		ONE(a, w, stir_async_trust_add(a, text, 0, 0, on_json, &w));
		free(text);
	}
	ck_assert_int_eq(w.err, STIR_OK);
	ck_assert_ptr_nonnull(strstr(w.s[0], "\"existing\":[{"));
	ONE(a, w, stir_async_trust_remove(a, 999, 0, on_json, &w));
	ck_assert_int_eq(w.err, STIR_ENOENT);

	/* the audit log: newest first, the refused removal last */
	ONE(a, w, stir_async_audit_list(a, 3, 0, on_audit, &w));
	ck_assert_int_eq(w.err, STIR_OK);
	ck_assert_int_eq(w.z[0], 3);
	ck_assert_str_eq(w.s[0], "trust.remove");
	ck_assert_str_eq(w.s[1], "ENOENT");
	ck_assert_int_eq(w.i[0], (int64_t)geteuid());

	/* the cache: prefetch, list, show, purge */
	ONE(a, w, stir_async_cache_prefetch(a, x5u, NULL, 0, on_json, &w));
	ck_assert_msg(w.err == STIR_OK, "prefetch: %s", w.msg);
	ONE(a, w, stir_async_cache_list(a, 10, 0, on_cache, &w));
	ck_assert_int_eq(w.err, STIR_OK);
	ck_assert_msg(w.z[0] == 1, "cache.list: %s", w.s[3]);
	ck_assert_str_eq(w.s[0], x5u);
	ck_assert_str_eq(w.s[1], "OK");
	ck_assert_str_eq(w.s[2], "chain");
	ck_assert_int_gt(w.i[0], 0);
	ONE(a, w, stir_async_cache_show(a, x5u, 0, on_json, &w));
	ck_assert_ptr_nonnull(strstr(w.s[0], "BEGIN CERTIFICATE"));
	ONE(a, w, stir_async_cache_purge(a, NULL, 0, on_json, &w));
	ck_assert_str_eq(w.s[0], "{\"purged\":1}");
	ONE(a, w, stir_async_cache_list(a, 0, 0, on_cache, &w));
	ck_assert_int_eq(w.z[0], 0);
	ONE(a, w, stir_async_cache_show(a, x5u, 0, on_json, &w));
	ck_assert_int_eq(w.err, STIR_ENOENT);

	/* policies: none; what cannot be sent is refused here */
	ONE(a, w, stir_async_policy_list(a, 0, on_policies, &w));
	ck_assert_int_eq(w.err, STIR_OK);
	ck_assert_int_eq(w.z[0], 0);
	ONE(a, w, stir_async_policy_show(a, "nope", 0, on_json, &w));
	ck_assert_int_eq(w.err, STIR_ENOENT);
	ONE(a, w, stir_async_policy_remove(a, "nope", 0, on_json, &w));
	ck_assert_int_eq(w.err, STIR_ENOENT);
	ONE(a, w, stir_async_policy_check(a, "{\"name\":\"x\"}", 0, on_json, &w));
	ck_assert_int_lt(w.err, 0);
	ck_assert_ptr_nonnull(strstr(w.msg, "match"));
	pt.orig = "12155551212";
	ONE(a, w, stir_async_policy_test(a, &pt, 0, on_json, &w));
	ck_assert_int_eq(w.err, STIR_ENOENT);	/* no RCD policy covers it */
	ck_assert_int_eq(stir_async_policy_add(a, "[1]", 0, 0, on_json, &w), STIR_EINVAL);
	ck_assert_int_eq(stir_async_policy_add(a, NULL, 0, 0, on_json, &w), STIR_EINVAL);
	ck_assert_int_eq(stir_async_key_remove(a, NULL, 0, on_json, &w), STIR_EINVAL);
	ck_assert_int_eq(stir_async_cache_show(a, NULL, 0, on_json, &w), STIR_EINVAL);
	ck_assert_int_eq(stir_async_pending(a), 0);
	ONE(a, w, stir_async_reload(a, 0, on_json, &w));
	ck_assert_str_eq(w.s[0], "{\"reloading\":true}");
	stir_async_free(a);

	/* the service socket refuses admin ops */
	ck_assert_int_eq(stir_async_connect(H.sock, &a), STIR_OK);
	ONE(a, w, stir_async_status(a, 0, on_status, &w));
	ck_assert_int_lt(w.err, 0);
	stir_async_free(a);
}
END_TEST

/* ---- against a fake daemon ---- */

/* The compact JSON text of the request's fields (v, id, op removed). */
static char *
fields_of(json_t *req)
{
	char *s;

	(void)json_object_del(req, "v");
	(void)json_object_del(req, "id");
	(void)json_object_del(req, "op");
	ck_assert_ptr_nonnull(s = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS));
	json_decref(req);
	return s;
}

static void
on_ignore(void *arg, int err, const char *errmsg, const char *json)
{
	(void)errmsg;
	(void)json;
	(void)err;
	(*(int *)arg)++;
}

START_TEST(typed_requests_carry_every_field)
{
	const char *dest[] = { "12125550100" }, *ids[] = { "a.b.c;info=<x>", "..d;info=<y>" };
	const char *tns[] = { "1215555*", "12155550000-12155550999" };
	struct stir_sign_params sp = { 0 };
	struct stir_verify_params vp = { 0 };
	struct stir_cred_add_params cp = { 0 };
	struct stir_policy_test_params pt = { 0 };
	struct stir_async *a;
	struct seen sw = { 0 };
	int n = 0, fd;
	char *s;

	fd = au_fake_pair(&a);
	sp.ppt = "div";
	sp.orig = "12155551212";
	sp.dest = dest;
	sp.ndest = 1;
	sp.attest = "B";
	sp.origid = "u";
	sp.iat = 1700000000;
	sp.cred = "sp";
	sp.rcd = STIR_SIGN_RCD_VALUES;
	sp.rcd_nam = "Acme";
	sp.rcd_icn = "https://i";
	sp.crn = "why";
	sp.original = "o.r.g;info=<z>";
	sp.div = "12125551213";
	sp.body = "\x00\x01\xff";
	sp.body_len = 3;
	sp.content_type = "application/octet-stream";
	ck_assert_int_eq(stir_async_sign(a, &sp, 2500, on_sign, &sw), 1);
	s = fields_of(au_fake_read_request(a, fd));
	ck_assert_str_eq(s, "{\"attest\":\"B\",\"body\":\"AAH/\",\"content_type\":"
	    "\"application/octet-stream\",\"cred\":\"sp\",\"crn\":\"why\",\"deadline_ms\":2500,"
	    "\"dest\":[\"12125550100\"],\"div\":\"12125551213\",\"iat\":1700000000,"
	    "\"orig\":\"12155551212\",\"origid\":\"u\",\"original\":\"o.r.g;info=<z>\","
	    "\"ppt\":\"div\",\"rcd\":{\"icn\":\"https://i\",\"nam\":\"Acme\"}}");
	free(s);
	/* the defaults: only what was given; rcd true */
	memset(&sp, 0, sizeof(sp));
	sp.orig = "1";
	sp.dest = dest;		/* required (else refused locally, unsent) */
	sp.ndest = 1;
	sp.rcd = STIR_SIGN_RCD_POLICY;
	sp.body_b64 = "QQ==";
	sp.body = "ignored";
	sp.body_len = 7;
	ck_assert_int_eq(stir_async_sign(a, &sp, 0, on_sign, &sw), 2);
	s = fields_of(au_fake_read_request(a, fd));
	ck_assert_str_eq(s, "{\"body\":\"QQ==\",\"dest\":[\"12125550100\"],\"orig\":\"1\","
	    "\"rcd\":true}");
	free(s);

	vp.identity = ids;
	vp.nidentity = 2;
	vp.from = "f";
	vp.to = "t";
	vp.pai = "p";
	vp.date = "d";
	vp.at = 5;
	vp.mode = "response";
	vp.request_uri = "r";
	vp.history_info = "h";
	vp.diversion = "dv";
	vp.body = "A";
	vp.body_len = 1;
	vp.content_type = "text/plain";
	vp.expect_cert = "e";
	vp.connected_dest = "cd";
	ck_assert_int_eq(stir_async_verify(a, &vp, 0, on_verify, &sw), 3);
	s = fields_of(au_fake_read_request(a, fd));
	ck_assert_str_eq(s, "{\"at\":5,\"body\":\"QQ==\",\"connected_dest\":\"cd\","
	    "\"content_type\":\"text/plain\",\"date\":\"d\",\"diversion\":\"dv\",\"expect_cert\":\"e\",\"from\":\"f\","
	    "\"history_info\":\"h\",\"identity\":[\"a.b.c;info=<x>\",\"..d;info=<y>\"],"
	    "\"mode\":\"response\",\"pai\":\"p\",\"request_uri\":\"r\",\"to\":\"t\"}");
	free(s);
	/* no identity at all is still an (empty) array: the field is required */
	memset(&vp, 0, sizeof(vp));
	vp.from = "f";
	vp.to = "t";
	ck_assert_int_eq(stir_async_verify(a, &vp, 0, on_verify, &sw), 4);
	s = fields_of(au_fake_read_request(a, fd));
	ck_assert_str_eq(s, "{\"from\":\"f\",\"identity\":[],\"to\":\"t\"}");
	free(s);

	cp.name = "c";
	cp.pkcs11 = "pkcs11:token=T";
	cp.chain = "PEM";
	cp.x5u = "https://x";
	cp.tns = tns;
	cp.ntns = 2;
	cp.spc = "709J";
	ck_assert_int_eq(stir_async_cred_add(a, &cp, 0, on_ignore, &n), 5);
	s = fields_of(au_fake_read_request(a, fd));
	ck_assert_str_eq(s, "{\"chain\":\"PEM\",\"name\":\"c\",\"pkcs11\":\"pkcs11:token=T\","
	    "\"spc\":\"709J\",\"tns\":[\"1215555*\",\"12155550000-12155550999\"],"
	    "\"x5u\":\"https://x\"}");
	free(s);
	pt.orig = "o";
	pt.rcd = STIR_SIGN_RCD_VALUES;
	pt.rcd_apn = "1";
	pt.rcd_jcl = "https://j";
	pt.crn = "c";
	pt.ppt = "rcd";
	pt.cred = "k";
	ck_assert_int_eq(stir_async_policy_test(a, &pt, 0, on_ignore, &n), 6);
	s = fields_of(au_fake_read_request(a, fd));
	ck_assert_str_eq(s, "{\"cred\":\"k\",\"crn\":\"c\",\"orig\":\"o\",\"ppt\":\"rcd\","
	    "\"rcd\":{\"apn\":\"1\",\"jcl\":\"https://j\"}}");
	free(s);
	ck_assert_int_eq(stir_async_policy_add(a, "{\"name\":\"n\"}", 1, 0, on_ignore, &n), 7);
	s = fields_of(au_fake_read_request(a, fd));
	ck_assert_str_eq(s, "{\"policy\":{\"name\":\"n\"},\"replace\":true}");
	free(s);
	ck_assert_int_eq(stir_async_trust_add(a, "PEM", 1, 0, on_ignore, &n), 8);
	s = fields_of(au_fake_read_request(a, fd));
	ck_assert_str_eq(s, "{\"pem\":\"PEM\",\"rcd\":true}");
	free(s);
	ck_assert_int_eq(stir_async_trust_remove(a, 42, 0, on_ignore, &n), 9);
	s = fields_of(au_fake_read_request(a, fd));
	ck_assert_str_eq(s, "{\"anchor\":42}");
	free(s);
	ck_assert_int_eq(stir_async_audit_list(a, 0, 0, on_audit, &sw), 10);
	s = fields_of(au_fake_read_request(a, fd));
	ck_assert_str_eq(s, "{}");
	free(s);
	ck_assert_int_eq(stir_async_cache_prefetch(a, "u", "crl", 0, on_ignore, &n), 11);
	s = fields_of(au_fake_read_request(a, fd));
	ck_assert_str_eq(s, "{\"kind\":\"crl\",\"url\":\"u\"}");
	free(s);
	ck_assert_int_eq(stir_async_key_import(a, "k", "SECRET", 0, on_ignore, &n), 12);
	s = fields_of(au_fake_read_request(a, fd));
	ck_assert_str_eq(s, "{\"name\":\"k\",\"pem\":\"SECRET\"}");
	free(s);
	ck_assert_int_eq(stir_async_pending(a), 12);
	stir_async_free(a);
	ck_assert_int_eq(n, 7);		/* the on_ignore ones, with ESHUTDOWN */
	(void)close(fd);
}
END_TEST

/* The doc's examples of what stird answers, decoded. */
static const char *verify_reply =
    "{\"v\":1,\"id\":1,\"result\":{\"verstat\":\"TN-Validation-Passed\",\"mode\":\"request\","
    "\"error\":null,\"identities\":["
    "{\"ppt\":\"div\",\"valid\":true,\"ignored\":false,\"orig\":{\"tn\":\"12155551212\"},"
    "\"dest\":{\"tn\":[\"12125550100\"]},\"div\":{\"tn\":\"12125551213\"},\"nested_in\":1,"
    "\"error\":null,\"rcd\":null},"
    "{\"ppt\":\"shaken\",\"valid\":true,\"ignored\":false,\"attest\":\"B\",\"origid\":\"u\","
    "\"orig\":{\"tn\":\"12155551212\"},\"dest\":{\"tn\":[\"12125551213\"],\"uri\":[\"sip:a@b\"]},"
    "\"iat\":1700000000,\"x5u\":\"https://x\",\"replay\":true,\"error\":null,"
    "\"cert\":{\"subject\":\"CN=S\",\"sha256\":\"ab\"},"
    "\"rcd\":{\"verified\":true,\"why_not\":null,\"nam\":\"Q Branch\",\"display_name\":\"Q Branch\","
    "\"call_info\":[\"<https://r/q.json>;purpose=jcard\",\"<https://r/q.png>;purpose=icon\"],"
    "\"integrity\":true}}],"
    "\"action\":{\"do\":\"continue\",\"reason\":[\"STIR;cause=437\"]},"
    "\"rcd\":{\"verified\":true,\"nam\":\"Q Branch\",\"display_name\":\"Q Branch\",\"apn\":\"1\","
    "\"crn\":\"c\",\"icon\":\"https://r/q.png\",\"call_info\":[\"<https://r/q.png>;purpose=icon\"],"
    "\"integrity\":true},"
    "\"diversion\":{\"verified\":false},\"connected\":{\"verified\":true,\"number\":{\"tn\":\"1\"},\"cert_sha256\":\"ab\"},"
    "\"reason\":[]}}\n";

static void
on_verify_rich(void *arg, int err, const char *errmsg, const struct stir_verify_result *r)
{
	struct seen *w = arg;
	const struct stir_verify_identity *d, *s;

	seen_start(w, err, errmsg, r);
	ck_assert_int_eq(err, STIR_OK);
	ck_assert_str_eq(r->verstat, "TN-Validation-Passed");
	ck_assert_int_eq(r->code, 0);
	ck_assert_ptr_null(r->reason_phrase);
	ck_assert_int_eq(r->nreason, 0);
	ck_assert_str_eq(r->action, "continue");
	ck_assert_int_eq(r->naction_reason, 1);
	ck_assert_str_eq(r->action_reason[0], "STIR;cause=437");
	/* the caller is the valid shaken one, not the div before it */
	ck_assert_str_eq(r->orig_tn, "12155551212");
	ck_assert_str_eq(r->attest, "B");
	ck_assert_int_eq(r->rcd.verified, 1);
	ck_assert_str_eq(r->rcd.display_name, "Q Branch");
	ck_assert_str_eq(r->rcd.apn, "1");
	ck_assert_str_eq(r->rcd.icon, "https://r/q.png");
	ck_assert_int_eq(r->rcd.ncall_info, 1);
	ck_assert_int_eq(r->diversion, -1);
	ck_assert_int_eq(r->connected, 1);
	ck_assert_str_eq(r->connected_number, "1");
	ck_assert_str_eq(r->connected_cert_sha256, "ab");
	ck_assert_int_eq(r->nidentities, 2);
	d = &r->identities[0];
	s = &r->identities[1];
	ck_assert_str_eq(d->div_tn, "12125551213");
	ck_assert_int_eq(d->nested_in, 1);
	ck_assert_ptr_null(d->attest);
	ck_assert_int_eq(s->nested_in, -1);
	ck_assert_int_eq(s->ndest, 2);
	ck_assert_str_eq(s->dest[1], "sip:a@b");
	ck_assert_int_eq(s->replay, 1);
	ck_assert_int_eq(s->iat, 1700000000);
	ck_assert_str_eq(s->cert_sha256, "ab");
	ck_assert_int_eq(s->rcd.ncall_info, 2);
	ck_assert_str_eq(s->rcd.call_info[1], "<https://r/q.png>;purpose=icon");
	ck_assert_ptr_nonnull(strstr(r->json, "\"Q Branch\""));
}

static const char *stats_reply =
    "{\"v\":1,\"id\":2,\"result\":{\"uptime\":7,\"metrics\":["
    "{\"name\":\"stird_requests_total\",\"type\":\"counter\",\"help\":\"Requests.\","
    "\"samples\":[{\"labels\":{\"op\":\"verify\",\"outcome\":\"ok\"},\"value\":12},"
    "{\"labels\":{},\"value\":0.5}]},"
    "{\"name\":\"stird_request_seconds\",\"type\":\"histogram\",\"help\":\"Latency.\","
    "\"samples\":[{\"labels\":{\"op\":\"sign\"},\"buckets\":[{\"le\":0.0005,\"count\":1},"
    "{\"le\":0.001,\"count\":4}],\"count\":40,\"sum\":0.123}]}]}}\n";

static void
on_stats_rich(void *arg, int err, const char *errmsg, const struct stir_stats_result *r)
{
	struct seen *w = arg;
	const struct stir_metric_family *f;

	seen_start(w, err, errmsg, r);
	ck_assert_int_eq(err, STIR_OK);
	ck_assert_int_eq(r->uptime, 7);
	ck_assert_int_eq(r->nfamilies, 2);
	f = &r->families[0];
	ck_assert_str_eq(f->name, "stird_requests_total");
	ck_assert_str_eq(f->type, "counter");
	ck_assert_str_eq(f->help, "Requests.");
	ck_assert_int_eq(f->nsamples, 2);
	ck_assert_int_eq(f->samples[0].nlabels, 2);
	ck_assert_str_eq(f->samples[0].label_names[0], "op");
	ck_assert_str_eq(f->samples[0].label_values[0], "verify");
	ck_assert_str_eq(f->samples[0].label_values[1], "ok");
	ck_assert(f->samples[0].value == 12.0);
	ck_assert_int_eq(f->samples[1].nlabels, 0);
	ck_assert(f->samples[1].value == 0.5);
	f = &r->families[1];
	ck_assert_str_eq(f->type, "histogram");
	ck_assert_int_eq(f->samples[0].nbuckets, 2);
	ck_assert(f->samples[0].buckets[0].le == 0.0005);
	ck_assert_int_eq(f->samples[0].buckets[1].count, 4);
	ck_assert_int_eq(f->samples[0].count, 40);
	ck_assert(f->samples[0].sum == 0.123);
}

START_TEST(typed_results_decode_what_stird_documents)
{
	struct seen w1 = { 0 }, w2 = { 0 }, w3 = { 0 }, w4 = { 0 };
	struct stir_verify_params vp = { 0 };
	struct stir_async *a;
	int fd;

	fd = au_fake_pair(&a);
	vp.from = "f";
	vp.to = "t";
	ck_assert_int_eq(stir_async_verify(a, &vp, 0, on_verify_rich, &w1), 1);
	ck_assert_int_eq(stir_async_stats(a, 0, on_stats_rich, &w2), 2);
	ck_assert_int_eq(stir_async_status(a, 0, on_status, &w3), 3);
	ck_assert_int_eq(stir_async_key_list(a, 0, on_keys, &w4), 4);
	au_fake_write(fd, stats_reply);
	au_fake_write(fd, verify_reply);
	/* a result that is not an object, and one without its members */
	au_fake_write(fd, "{\"v\":1,\"id\":3,\"result\":[1]}\n{\"v\":1,\"id\":4,\"result\":{}}\n");
	AU_RUN_UNTIL(a, w1.n + w2.n + w3.n + w4.n == 4);
	ck_assert_int_eq(w3.err, STIR_EPROTO);
	ck_assert_int_eq(w4.err, STIR_OK);
	ck_assert_int_eq(w4.z[0], 0);
	/* a verify result without verstat, a sign result without identity */
	memset(&w1, 0, sizeof(w1));
	ck_assert_int_eq(stir_async_verify(a, &vp, 0, on_verify, &w1), 5);
	{
		const char *dest[] = { "2" };
		struct stir_sign_params sp = { 0 };

		sp.orig = "1";
		sp.dest = dest;		/* else refused locally, unsent */
		sp.ndest = 1;
		ck_assert_int_eq(stir_async_sign(a, &sp, 0, on_sign, &w2), 6);
	}
	memset(&w2, 0, sizeof(w2));
	au_fake_write(fd, "{\"v\":1,\"id\":5,\"result\":{\"identities\":[]}}\n"
	    "{\"v\":1,\"id\":6,\"result\":{\"cred\":\"x\"}}\n");
	AU_RUN_UNTIL(a, w1.n + w2.n == 2);
	ck_assert_int_eq(w1.err, STIR_EPROTO);
	ck_assert_int_eq(w2.err, STIR_EPROTO);
	stir_async_free(a);
	(void)close(fd);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("async_typed");
	TCase *tc = tcase_create("daemon"), *fk = tcase_create("fake");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, typed_sign_and_verify_against_stird);
	tcase_add_test(tc, typed_admin_ops_against_stird);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(fk, au_fake_setup, au_fake_teardown);
	tcase_set_timeout(fk, 30);
	tcase_add_test(fk, typed_requests_carry_every_field);
	tcase_add_test(fk, typed_results_decode_what_stird_documents);
	suite_add_tcase(s, fk);
	return s;
}

int
main(void)
{
	return h_run(suite());
}
