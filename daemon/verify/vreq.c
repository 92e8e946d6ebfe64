/*
 * vreq.c: the engine of one verify request, once ops/op_verify.c has
 * decoded it.  On the loop: parse every Identity value and check its
 * claims (verify.c), then get each x5u from the certificate cache
 * (fetching asynchronously when needed).  On the pool: validate the chains
 * not already validated, check that the certificate covers orig, and
 * verify the signatures.  Back on the loop: remember validated
 * certificates, apply RFC 8224's rules across the Identity values, and
 * reply.
 *
 * With CRLs on, a fetched chain's path is checked first (on the pool,
 * path_work), and only a chain that ends at an anchor has its CRLs
 * fetched (an untrusted chain's URLs are never contacted); the CRLs are
 * checked on the pool with the signature.
 *
 * At most max_x5u_per_verify distinct x5u URLs are fetched per request
 * (limit_x5u), and every fetch counts against the request's share of
 * the fetcher (fetch_per_request).
 *
 * TN lists by reference (RFC 8226 10.1): a fetched chain whose
 * certificates name a TNAuthList URI (AIA id-ad-stirTNList) has those
 * lists fetched through the same cache before its path is checked
 * (start_tnlists); the path check takes them as if they were in the
 * certificates, and the memoised verdict expires with them.
 *
 * Rich Call Data: URL content (icn, jcl) is fetched through the same
 * cache beside the chain (verify_rcd.c); a jCard's own URLs (photo,
 * logo, ...) are fetched in a second round, once the jCard is there.
 * Each piece is judged when it arrives; rcd_json() applies the policy.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "daemon/fleet/replay.h"
#include "daemon/pki/constraints.h"
#include "daemon/pki/rcd_anchor.h"
#include "daemon/stir/callinfo.h"
#include "daemon/stir/message.h"
#include "daemon/verify/vreq.h"
#include "daemon/verify/verify_div.h"
#include "daemon/verify/verify_rcd.h"

void
stir_vreq_free(void *p)
{
	struct vctx *x = p;

	if (x == NULL)
		return;
	for (size_t i = 0; i < x->n; i++) {
		stir_identity_free(x->items[i].id);
		stir_vresult_clear(&x->items[i].res);
		stir_vcert_unref(x->items[i].cert);
		stir_vcert_unref(x->items[i].path.cert);
		stir_chain_free(x->items[i].chain);
		free(x->items[i].pem);
		for (size_t k = 0; k < x->items[i].ncrls; k++) {
			free(x->items[i].crls[k].url);
			free(x->items[i].crls[k].body);
		}
		for (size_t k = 0; k < x->items[i].ntnls; k++) {
			free(x->items[i].tnls[k].url);
			stir_tnauth_free(x->items[i].tnls[k].ta);
		}
		json_decref(x->items[i].jcard);
	}
	free(x->body);
	free(x);
}

/* ---- pool: chains, TN authority, signatures ---- */

/*
 * Parse the item's chain into it->chain and check its path (anchor,
 * times, TN authority, claim constraints): everything but revocation.
 * Returns the verdict (vc->err), or NULL if out of memory.  Writes no
 * other field of it, so the loop may read the others meanwhile.
 */
static struct stir_vcert *
path_check(struct vctx *x, struct vitem *it)
{
	struct stir_chain *chain = NULL;
	struct stir_vcert *vc;
	struct stir_tnrefs refs;
	int r;

	if ((vc = stir_vcert_new(it->res.x5u, it->serial, it->expires)) == NULL)
		return NULL;
	memset(&refs, 0, sizeof(refs));
	for (size_t k = 0; k < it->ntnls; k++) {
		refs.ta[it->tnls[k].cert] = it->tnls[k].ta;
		/* the verdict holds no longer than the TN lists it used */
		if (it->tnls[k].expires > 0 && it->tnls[k].expires < vc->expires)
			vc->expires = it->tnls[k].expires;
	}
	if ((r = stir_chain_parse(it->pem, it->pemlen, STIR_CHAIN_MAX, true, &chain)) != STIR_OK) {
		vc->err = STIR_ECERT;
		snprintf(vc->detail, sizeof(vc->detail), r == STIR_ETOOBIG ?
		    "the x5u chain has more than %d certificates" :
		    "the x5u resource is not a PEM certificate chain (end entity first)",
		    STIR_CHAIN_MAX);
		return vc;
	}
	(void)stir_cert_info(chain->crt[0], &vc->info);
	vc->trust_gen = x->st->trust_seq;
	vc->crl_mode = x->st->cfg->crl_mode;
	/* a memoised verdict holds only while every certificate is valid */
	for (unsigned k = 0; k < chain->n; k++) {
		int64_t nb = (int64_t)gnutls_x509_crt_get_activation_time(chain->crt[k]);
		int64_t na = (int64_t)gnutls_x509_crt_get_expiration_time(chain->crt[k]);

		if (nb > vc->not_before)
			vc->not_before = nb;
		if (na < vc->expires)
			vc->expires = na;
	}
	vc->err = stir_trust_verify(x->st->trust, chain, &refs, x->v.at, &vc->pub, &vc->tnauth,
	    vc->detail, sizeof(vc->detail));
	for (size_t k = 0; vc->err == STIR_OK && k < it->ntnls; k++)
		if (it->tnls[k].cert == 0 && ((vc->tnref = stir_tnauth_dup(it->tnls[k].ta)) == NULL ||
		    (vc->tnref_url = strdup(it->tnls[k].url)) == NULL)) {
			vc->err = STIR_ENOMEM;
			snprintf(vc->detail, sizeof(vc->detail), "out of memory");
		}
	/* known whatever rcd_anchors_only says: the verdict is memoised */
	vc->rcd_anchor = vc->err == STIR_OK && stir_rcd_anchors_issued(x->st->rcd_anchors, chain);
	/* claim constraints: "applicable only to end-entity certificates"
	 * (RFC 8226 section 8, RFC 9118 section 3), the one that signs; a CA
	 * certificate's extension is ignored */
	if (vc->err == STIR_OK) {
		struct stir_constraints *cons = NULL;
		const char *why = NULL;

		r = stir_constraints_from_cert(chain->crt[0], &cons, &why);
		if (r == STIR_OK)
			vc->cons[vc->ncons++] = cons;
		else if (r != STIR_ENOENT) {
			vc->err = STIR_ECERT;
			snprintf(vc->detail, sizeof(vc->detail),
			    "the signing certificate's JWT claim constraints cannot be honoured: %s",
			    why != NULL ? why : stir_strerror(r));
		}
	}
	it->chain = chain;
	return vc;
}

/* The CRLs fetched for a chain whose path is valid (pool). */
static void
crl_check(struct vctx *x, struct vitem *it)
{
	struct stir_vcert *vc = it->cert;

	it->crl_pending = false;
	if (vc->err == STIR_OK && it->chain != NULL && x->st->cfg->crl_mode != STIR_CRL_OFF) {
		struct stir_crl_input in[STIR_CRL_URLS_MAX];

		for (size_t k = 0; k < it->ncrls; k++) {
			in[k].url = it->crls[k].url;
			in[k].body = it->crls[k].body;
			in[k].len = it->crls[k].len;
			in[k].err = it->crls[k].err;
			/* the verdict holds no longer than the CRLs it used, or
			 * than a failed CRL fetch is remembered */
			if (it->crls[k].expires > 0 && it->crls[k].expires < vc->expires)
				vc->expires = it->crls[k].expires;
		}
		vc->err = stir_trust_check_crls(x->st->trust, it->chain, in, it->ncrls, x->v.at,
		    x->st->cfg->crl_mode == STIR_CRL_HARD, vc->detail, sizeof(vc->detail));
	}
}

/*
 * RFC 8226: do the certificate's TN entries cover the number the signer
 * speaks for?  Each of its lists that holds TN entries must (by value and
 * by reference: both bound it).  0 if covered, else 1 (the list by value)
 * or 2 (the list by reference) fails.
 */
static int
tn_uncovered(const struct stir_vcert *vc, const struct stir_ident *who)
{
	const struct stir_tnauth *lists[2] = { vc->tnauth, vc->tnref };

	for (int k = 0; k < 2; k++)
		if (lists[k] != NULL && stir_tnauth_has_tns(lists[k]) &&
		    (who->kind != STIR_IDENT_TN || !stir_tnauth_covers(lists[k], who->value)))
			return k + 1;
	return 0;
}

static void
verify_work(struct stir_req *req)
{
	struct vctx *x = req->ctx;

	for (size_t i = 0; i < x->n; i++) {
		struct vitem *it = &x->items[i];
		int uncovered;

		if (!it->checking)
			continue;
		/* CRLs off: the path is checked here, else it was (path_work) */
		if (it->cert == NULL && (it->cert = path_check(x, it)) == NULL) {
			stir_vreq_fail(it, STIR_SIP_UNSUPPORTED, "out of memory");
			continue;
		}
		if (it->crl_pending)
			crl_check(x, it);
		if (it->cert->err != STIR_OK) {
			stir_vreq_fail(it, STIR_SIP_UNSUPPORTED, it->cert->detail);
			continue;
		}
		/* RFC 8226: TN entries in the certificate must cover the number
		 * the signer speaks for: orig, the diverting div (RFC 8946), or
		 * the party reached (rsp, RFC 9970) */
		if ((uncovered = tn_uncovered(it->cert, &it->res.authority)) != 0) {
			static const char *const whom[_STIR_AUTH_MAX] = { "orig", "div", "dest" };
			const char *iss = json_string_value(json_object_get(it->res.payload, "iss"));
			char m[256];

			/* RFC 9795 10.2 lets a verifier trust third parties by other
			 * means; stird has none, so it says why such a one fails */
			snprintf(m, sizeof(m), "the certificate's TNAuthList%s does not cover %s%s%.40s%s",
			    uncovered == 2 ? " by reference" : "", whom[it->res.authority_of],
			    iss != NULL ? " (a third-party PASSporT, iss \"" : "", iss != NULL ? iss : "",
			    iss != NULL ? "\": stird takes RCD only from a signer with authority over "
			    "orig, doc/rcd.md section 10)" : "");
			stir_vreq_fail(it, STIR_SIP_INVALID, m);
			continue;
		}
		if (!stir_es256_verify(it->cert->pub, it->res.tbs, strlen(it->res.tbs),
		    it->res.sig)) {
			stir_vreq_fail(it, STIR_SIP_INVALID, "the signature does not verify");
			continue;
		}
		/* a claim the signing certificate constrains rejects the PASSporT */
		for (size_t k = 0; k < it->cert->ncons; k++) {
			char m[200] = "out of memory";	/* deny() writes it otherwise */

			if (stir_constraints_check(it->cert->cons[k], it->res.payload, m,
			    sizeof(m)) != STIR_OK) {
				stir_vreq_fail(it, STIR_SIP_INVALID, m);
				break;
			}
		}
	}
}

/* ---- loop: verdict and reply ---- */

static json_t *
error_json(int code, const char *detail)
{
	if (code == 0)
		return json_null();
	return json_pack("{s:i, s:s, s:s}", "code", code, "reason", stir_sip_reason(code),
	    "detail", detail);
}

static json_t *
item_json(const struct vctx *x, const struct vitem *it)
{
	const struct stir_vresult *r = &it->res;
	json_t *o = json_object(), *cert = json_null();

	(void)json_object_set_new(o, "ppt", r->ppt[0] ? json_string(r->ppt) : json_null());
	(void)json_object_set_new(o, "valid", json_boolean(r->code == 0 && !r->ignored));
	(void)json_object_set_new(o, "ignored", json_boolean(r->ignored));
	(void)json_object_set_new(o, "attest", r->attest ? json_sprintf("%c", r->attest) :
	    json_null());
	(void)json_object_set_new(o, "origid", r->origid[0] ? json_string(r->origid) :
	    json_null());
	(void)json_object_set_new(o, "orig", r->orig.value[0] ? stir_passport_ident(&r->orig) :
	    json_null());
	(void)json_object_set_new(o, "dest", json_incref(json_object_get(r->payload, "dest")) ?
	    json_object_get(r->payload, "dest") : json_null());
	(void)json_object_set_new(o, "iat", r->iat ? json_integer(r->iat) : json_null());
	(void)json_object_set_new(o, "x5u", r->x5u ? json_string(r->x5u) : json_null());
	(void)json_object_set_new(o, "replay", json_boolean(it->replay));
	(void)json_object_set_new(o, "error", error_json(r->code, r->detail));
	if (it->cert != NULL && it->cert->err == STIR_OK) {
		const struct stir_vcert *vc = it->cert;

		/* a list only by reference shows as if by value (RFC 9060 4.1) */
		cert = json_pack("{s:s, s:s, s:o, s:I, s:s}", "subject", vc->info.subject,
		    "issuer", vc->info.issuer, "tnauth",
		    stir_tnauth_json(vc->tnauth != NULL ? vc->tnauth : vc->tnref),
		    "not_after", (json_int_t)vc->info.not_after, "sha256", vc->info.sha256);
		if (cert != NULL && vc->tnref_url != NULL)
			(void)json_object_set_new(cert, "tnlist", json_pack("{s:s, s:o}", "url",
			    vc->tnref_url, "tnauth", stir_tnauth_json(vc->tnref)));
	}
	(void)json_object_set_new(o, "cert", cert != NULL ? cert : json_null());
	(void)json_object_set_new(o, "rcd", r->code == 0 && !r->ignored ? stir_vreq_rcd_json(x, it) :
	    json_null());
	if (r->div.value[0] != '\0')
		(void)json_object_set_new(o, "div", stir_passport_ident(&r->div));
	if (it->nested_in >= 0)		/* the original inside a div-o's opt */
		(void)json_object_set_new(o, "nested_in", json_integer(it->nested_in));
	if (strcmp(r->ppt, "msg") == 0)
		(void)json_object_set_new(o, "msgi", json_string(r->msgi < 0 ? "absent" :
		    r->msgi == 0 ? "not checked (no body)" : "matched"));
	return o;
}

/*
 * RFC 8224 across all Identity values: valid if any is; otherwise the one
 * error a proxy would answer with: 436 only if no credential could be
 * fetched for any, 437 if every one was fetched but unusable (or not
 * fetched), 403 if every one was stale, else 438.  In a response, only
 * the rsp values count (a div copied from the request proves nothing of
 * who answered).
 */
static void
verdict(struct vctx *x, const char **ret_verstat, int *ret_code, const char **ret_detail)
{
	size_t counted = 0, valid = 0, n436 = 0, n437 = 0, n403 = 0;
	const char *detail = "";

	for (size_t i = 0; i < x->n; i++) {
		const struct stir_vresult *r = &x->items[i].res;

		/* an original inside a div-o is judged as part of its hop; in a
		 * response only connected identity (rsp) says who answered */
		if (r->ignored || x->items[i].nested_in >= 0 ||
		    (stir_vmode_is_response(x->v.mode) && r->authority_of != STIR_AUTH_DEST))
			continue;
		counted++;
		if (r->code == 0) {
			valid++;
			continue;
		}
		if (*detail == '\0')
			detail = r->detail;
		n436 += r->code == STIR_SIP_BAD_INFO;
		n437 += r->code == STIR_SIP_UNSUPPORTED;
		n403 += r->code == STIR_SIP_STALE;
	}
	*ret_detail = "";
	*ret_code = 0;
	if (counted == 0)
		*ret_verstat = "No-TN-Validation";
	else if (valid > 0)
		*ret_verstat = "TN-Validation-Passed";
	else {
		*ret_verstat = "TN-Validation-Failed";
		*ret_detail = detail;
		if (n436 == counted)
			*ret_code = STIR_SIP_BAD_INFO;
		else if (n436 + n437 == counted)
			*ret_code = STIR_SIP_UNSUPPORTED;
		else if (n403 == counted)
			*ret_code = STIR_SIP_STALE;
		else
			*ret_code = STIR_SIP_INVALID;
	}
}

/* Does a valid diversion hop of this request start from item i? */
static bool
diverted_from(const struct vctx *x, size_t i)
{
	for (size_t j = 0; j < x->n; j++)
		if (j != i && x->items[j].res.authority_of == STIR_AUTH_DIV &&
		    x->items[j].hop.parent == (int)i && x->items[j].res.code == 0)
			return true;
	return false;
}

/*
 * A separate ppt=rcd PASSporT brands a call only beside a valid PASSporT
 * of the call itself (shaken) from the same orig: a branding service's
 * RCD does not stand in for the call's own verification.
 */
static bool
rcd_call_verified(const struct vctx *x, size_t i)
{
	const struct stir_vresult *r = &x->items[i].res;

	if (strcmp(r->ppt, "rcd") != 0)
		return true;
	for (size_t j = 0; j < x->n; j++) {
		const struct stir_vresult *o = &x->items[j].res;

		if (j != i && o->code == 0 && !o->ignored &&
		    (strcmp(o->ppt, "shaken") == 0 || o->ppt[0] == '\0') &&
		    o->orig.kind == r->orig.kind && strcmp(o->orig.value, r->orig.value) == 0 &&
		    json_equal(json_object_get(o->payload, "dest"), json_object_get(r->payload, "dest")))
			return true;
	}
	return false;
}

static void	verify_verdict(struct stir_req *req);

static void
replay_found(struct vctx *x, struct vitem *it)
{
	it->replay = true;
	if (x->st->cfg->replay_reject)
		stir_vreq_fail(it, STIR_SIP_INVALID,
		    "the same PASSporT was seen within replay_window");
}

/* The fleet could not say: replay_shared_failure decides (doc/fleet.md). */
static void
replay_unknown(struct vctx *x, struct vitem *it, int err)
{
	struct stir_server *srv = x->req->conn->srv;
	char d[200];

	if (x->st->cfg->replay_shared_failure != STIR_SHARED_CLOSED)
		return;			/* open: the local window judged */
	srv->replay_shared.closed++;
	snprintf(d, sizeof(d), "replay_window could not be checked across the fleet"
	    " (Redis: %s) and replay_shared_failure is closed", stir_strerror(err));
	stir_vreq_fail(it, STIR_SIP_INVALID, d);
}

struct vreplay {
	struct vctx	*x;
	size_t		 i;
};

static void
on_replay_shared(void *arg, int err, bool seen)
{
	struct vreplay *q = arg;
	struct vctx *x = q->x;
	struct vitem *it = &x->items[q->i];

	free(q);
	if (err != STIR_OK)
		replay_unknown(x, it, err);
	else if (seen)
		replay_found(x, it);
	if (--x->replay_pending > 0)
		return;
	verify_verdict(x->req);
	stir_req_reply(x->req);
}

/*
 * Replays are judged on the clock, and only for live calls: not an
 * original nested in a div-o, nor one a valid diversion of this request
 * starts from (a forwarded call comes back with it).  The local window
 * first; then, in a fleet (replay_shared), Redis for what it has not
 * seen, unless the verdict is going out at the deadline.
 */
static void
replay_judge(struct vctx *x)
{
	struct stir_server *srv = x->req->conn->srv;
	const struct stir_config *cfg = x->st->cfg;
	bool shared = srv->redis != NULL && cfg->replay_shared && !x->deadline;
	int64_t now = (int64_t)time(NULL);

	if (cfg->replay_window == 0 || !x->use_memo)
		return;
	for (size_t i = 0; i < x->n; i++) {
		struct vitem *it = &x->items[i];
		const char *sig = stir_identity_sig(it->id);
		struct vreplay *q;
		int r;

		if (it->res.code != 0 || it->res.ignored || it->nested_in >= 0 ||
		    diverted_from(x, i))
			continue;
		if (stir_replay_seen(srv->vmemo, sig, now, cfg->replay_window)) {
			replay_found(x, it);
			continue;
		}
		if (!shared)
			continue;
		if ((q = calloc(1, sizeof(*q))) == NULL) {
			replay_unknown(x, it, STIR_ENOMEM);
			continue;
		}
		q->x = x;
		q->i = i;
		if ((r = stir_replay_shared_check(srv->redis, cfg->redis_prefix, sig,
		    cfg->replay_window, &srv->replay_shared, on_replay_shared, q)) != STIR_OK) {
			free(q);
			replay_unknown(x, it, r);
			continue;
		}
		x->replay_pending++;
	}
}

static void
verify_done(struct stir_req *req)
{
	struct vctx *x = req->ctx;
	struct stir_server *srv = req->conn->srv;

	for (size_t i = 0; i < x->n; i++) {
		struct vitem *it = &x->items[i];

		/* remember validated (and refused) chains until the entry expires */
		/* only what was validated with the list in place now is shared:
		 * a reload or trust change while this request ran supersedes it */
		/* not at a deadline: a path whose CRLs were still being
		 * fetched was never checked for revocation */
		if (x->use_memo && !x->deadline && !it->crl_pending && it->cert != NULL &&
		    it->pem != NULL && x->st->trust_seq == srv->state->trust_seq &&
		    x->st->cfg->crl_mode == srv->state->cfg->crl_mode)
			stir_vmemo_put(srv->vmemo, it->cert);
		/* RFC 9970: later requests of the dialog come from the party that
		 * answered: its certificate, pinned from the first response */
		if (x->expect_cert[0] != '\0' && it->res.code == 0 && !it->res.ignored &&
		    it->cert != NULL && strcmp(it->cert->info.sha256, x->expect_cert) != 0)
			stir_vreq_fail(it, STIR_SIP_INVALID,
			    "signed with another certificate than expect_cert (the dialog's first response)");
	}
	stir_vreq_link(x);
	replay_judge(x);
	if (x->replay_pending > 0) {
		stir_req_hold(req);	/* the fleet answers: on_replay_shared() */
		return;
	}
	verify_verdict(req);
}

/* The verdict and the result, once every replay question has its answer. */
static void
verify_verdict(struct stir_req *req)
{
	struct vctx *x = req->ctx;
	json_t *ids = json_array(), *reasons = json_array();
	const char *verstat, *detail;
	json_t *lone_rcd = json_pack("{s:b, s:s}", "verified", 0, "why_not",
	    "an rcd PASSporT brands a call only beside a valid shaken PASSporT with the same orig and dest");
	int code;

	for (size_t i = 0; i < x->n; i++) {
		struct vitem *it = &x->items[i];
		json_t *o = item_json(x, it);

		if (it->res.code != 0 && !it->res.ignored && it->nested_in < 0) {
			json_t *reason = json_sprintf("STIR;cause=%d;text=\"%s\";ppi=\"%s\"",
			    it->res.code, stir_sip_reason(it->res.code),
			    it->res.compact_ppi ? it->res.compact_ppi : "..");

			(void)json_object_set(o, "reason", reason);
			(void)json_array_append_new(reasons, reason);
		}
		(void)json_array_append_new(ids, o);
	}
	verdict(x, &verstat, &code, &detail);
	{
		json_t *rcd = NULL, *v;
		size_t i;

		json_array_foreach(ids, i, v) {
			json_t *r = json_object_get(v, "rcd");

			if (json_is_object(r) && json_is_true(json_object_get(r, "verified")) &&
			    !rcd_call_verified(x, i))
				r = lone_rcd;
			if (json_is_object(r) && (rcd == NULL ||
			    (!json_is_true(json_object_get(rcd, "verified")) &&
			    json_is_true(json_object_get(r, "verified")))))
				rcd = r;
		}

		req->result = json_pack("{s:s, s:s, s:o, s:o, s:o, s:O, s:o, s:o, s:o}",
		    "verstat", verstat, "mode", stir_vmode_name(x->v.mode), "error",
		    error_json(code, detail), "identities", ids, "action",
		    stir_vreq_action_json(x, verstat, code, reasons), "rcd",
		    rcd != NULL ? rcd : json_null(), "diversion", stir_vreq_diversion_json(x),
		    "connected", stir_vreq_connected_json(x), "reason", reasons);
	}
	json_decref(lone_rcd);
	if (req->result == NULL)
		stir_req_set_error(req, STIR_EINTERNAL, "the result could not be built");
}

static void
vreq_run(struct vctx *x)
{
	struct stir_req *req = x->req;
	bool work = false, cheap = true;

	/* the verdict went out at the deadline: only the request is left */
	if (x->deadline) {
		stir_req_reply(req);
		return;
	}

	/* a value still being checked has its chain (memoised or fetched):
	 * its signature is verified on the pool */
	for (size_t i = 0; i < x->n; i++) {
		const struct vitem *it = &x->items[i];

		work |= it->checking;
		/* a memoised chain leaves a signature and a few checks: cheap */
		if (it->checking && (it->cert == NULL || it->crl_pending || x->n > 2))
			cheap = false;
	}
	if (!work) {
		req->done_fn = verify_done;
		stir_req_finish(req);
		return;
	}
	x->hot = true;
	if (cheap)
		stir_req_queue_cheap(req, verify_work, verify_done);
	else
		stir_req_queue_hot(req, verify_work, verify_done);
}

/*
 * deadline_ms passed while values wait for their x5u chain (or its path
 * check or CRLs): those values fail with 436 and the verdict goes out now
 * (RFC 8224 section 6.2.2: the credential could not be obtained in time).
 * The fetches go on, so the cache is warm for the next call; their
 * callbacks only count down.  Once the signatures are on the pool, the
 * values are the pool's: the request is answered with ETIMEDOUT.
 */
static void
vreq_deadline(struct stir_req *req)
{
	struct vctx *x = req->ctx;
	char d[160];

	if (x == NULL || x->hot || x->pending == 0)
		return;		/* ETIMEDOUT */
	snprintf(d, sizeof(d), "not verified within the request's deadline_ms (%u ms):"
	    " the x5u chain (or a TN list it references) was still being fetched or checked",
	    req->deadline_ms);
	for (size_t i = 0; i < x->n; i++)
		if (x->items[i].checking)
			stir_vreq_fail(&x->items[i], STIR_SIP_BAD_INFO, d);
	x->deadline = true;
	verify_done(req);
	stir_req_answer_early(req);
}

static void
on_crl(void *arg, const struct stir_certcache_entry *e)
{
	struct vcrl *cr = arg;
	struct vctx *x = cr->x;

	if (x->deadline)
		goto out;
	/* a body that is no CRL is "not a CRL" to the revocation check */
	cr->err = e->err == STIR_ECERT ? STIR_OK : e->err;
	cr->expires = e->expires;
	if (e->err == STIR_OK && (cr->body = malloc(e->len ? e->len : 1)) != NULL) {
		memcpy(cr->body, e->body, e->len);
		cr->len = e->len;
	} else if (e->err == STIR_OK)
		cr->err = STIR_ENOMEM;
 out:
	if (--x->pending == 0)
		vreq_run(x);
}

/*
 * A chain not validated before whose path ends at an anchor: fetch the
 * CRLs it names (through the cache, on the loop), so the pool can check
 * revocation.
 */
static void
start_crls(struct vctx *x, size_t i)
{
	struct vitem *it = &x->items[i];
	struct stir_server *srv = x->req->conn->srv;
	char *urls[STIR_CRL_URLS_MAX];
	size_t n;

	n = stir_chain_crl_urls(it->chain, urls, STIR_CRL_URLS_MAX);
	for (size_t k = 0; k < n; k++) {
		struct vcrl *cr = &it->crls[it->ncrls++];

		cr->x = x;
		cr->item = i;
		cr->url = urls[k];
		cr->err = STIR_EFETCH;
		x->pending++;
		if (stir_certcache_get_for(srv->certcache, cr->url, STIR_CC_CRL, (int64_t)time(NULL),
		    stir_vreq_owner(x), on_crl, cr) != STIR_OK)
			x->pending--;	/* the CRL check counts it as not fetched */
	}
}

static void
path_work(uv_work_t *w)
{
	struct vpath *p = w->data;

	p->cert = path_check(p->x, p->it);
}

/* Back on the loop: an anchored path gets its CRLs, then the pool again. */
static void
path_done(uv_work_t *w, int status)
{
	struct vpath *p = w->data;
	struct vctx *x = p->x;
	struct vitem *it = p->it;

	it->cert = p->cert;
	p->cert = NULL;
	if (status != 0 || it->cert == NULL) {
		stir_vreq_fail(it, STIR_SIP_UNSUPPORTED, status != 0 ?
		    "the daemon is shutting down" : "out of memory");
	} else if (it->cert->err == STIR_OK && !x->deadline) {
		it->crl_pending = true;
		start_crls(x, (size_t)(it - x->items));
	}
	if (--x->pending == 0)
		vreq_run(x);
}

/* Check a fetched chain's path on the pool before any CRL is fetched. */
static void
start_path(struct vctx *x, struct vitem *it)
{
	if (!it->checking || x->deadline)
		return;
	int rc;

	it->path.x = x;
	it->path.it = it;
	it->path.work.data = &it->path;
	x->pending++;
	if ((rc = uv_queue_work(x->req->conn->srv->loop, &it->path.work, path_work,
	    path_done)) != 0) {
		x->pending--;
		log_debug("verify: cannot queue a path check: %s", uv_strerror(rc));
		stir_vreq_fail(it, STIR_SIP_UNSUPPORTED, "the chain could not be validated");
	}
}

/* Every TN list of the item has answered: with CRLs on, check its path. */
static void
tnlists_done(struct vctx *x, struct vitem *it)
{
	if (x->st->cfg->crl_mode != STIR_CRL_OFF)
		start_path(x, it);
}

/*
 * A TN list by reference: a body that is no TNAuthList makes the
 * credential unusable (437); one that cannot be fetched leaves it
 * unobtained (436, as an x5u that cannot be: RFC 8224 6.2.2).
 */
static void
on_tnlist(void *arg, const struct stir_certcache_entry *e)
{
	struct vtnl *tl = arg;
	struct vctx *x = tl->x;
	struct vitem *it = tl->it;
	const char *why = e->detail != NULL && *e->detail ? e->detail : stir_strerror(e->err);
	char d[STIR_URL_MAX_CERT + 160];
	int r = e->err;

	if (x->deadline || !it->checking)
		goto out;
	tl->expires = e->expires;
	if (r == STIR_OK && (r = stir_tnauth_decode(e->body, e->len, &tl->ta)) != STIR_OK)
		why = "not a DER TNAuthList";
	if (r == STIR_ECERT) {
		snprintf(d, sizeof(d), "the TNAuthList by reference of certificate %u (%s): %s",
		    tl->cert + 1, tl->url, why);
		stir_vreq_fail(it, STIR_SIP_UNSUPPORTED, d);
	} else if (r != STIR_OK) {
		snprintf(d, sizeof(d), "the TNAuthList by reference of certificate %u could not be fetched (%s): %s",
		    tl->cert + 1, tl->url, why);
		stir_vreq_fail(it, STIR_SIP_BAD_INFO, d);
	}
 out:
	if (--it->tnl_pending == 0)
		tnlists_done(x, it);
	if (--x->pending == 0)
		vreq_run(x);
}

/*
 * RFC 8226 10.1, RFC 9060 4.1: fetch the TNAuthLists the fetched chain's
 * certificates name by reference, through the cache as x5u (counted
 * against the request's share), then go on (tnlists_done).  The chain is
 * parsed here for their URIs only, as the cache parsed it to keep it; a
 * URI that is not https fails the item (437).  An untrusted chain's TN
 * list is fetched too: whoever made it chose the x5u already.
 */
static void
start_tnlists(struct vctx *x, struct vitem *it)
{
	struct stir_server *srv = x->req->conn->srv;
	struct stir_chain *chain = NULL;

	/* answers come from the loop (certcache.h): count them, no guard */
	if (stir_chain_parse(it->pem, it->pemlen, STIR_CHAIN_MAX, true, &chain) != STIR_OK)
		goto done;		/* the path check says why */
	for (unsigned k = 0; k < chain->n && it->checking; k++) {
		char url[STIR_URL_MAX_CERT + 1], m[160];
		struct vtnl *tl = &it->tnls[it->ntnls];
		int r = stir_cert_tnlist_url(chain->crt[k], url, sizeof(url));

		if (r == STIR_ENOENT)
			continue;
		if (r != STIR_OK) {
			snprintf(m, sizeof(m), "the TNAuthList URI of certificate %u (AIA id-ad-stirTNList)"
			    " is not an https URI (RFC 8226 section 10.1)", k + 1);
			stir_vreq_fail(it, STIR_SIP_UNSUPPORTED, m);
			break;
		}
		if ((tl->url = strdup(url)) == NULL) {
			stir_vreq_fail(it, STIR_SIP_BAD_INFO, "out of memory");
			break;
		}
		it->ntnls++;
		tl->x = x;
		tl->it = it;
		tl->cert = k;
		it->tnl_pending++;
		x->pending++;
		if ((r = stir_certcache_get_for(srv->certcache, tl->url, STIR_CC_TNLIST,
		    (int64_t)time(NULL), stir_vreq_owner(x), on_tnlist, tl)) != STIR_OK) {
			it->tnl_pending--;
			x->pending--;
			stir_vreq_fail(it, STIR_SIP_BAD_INFO, r == STIR_EBUSY ?
			    "TN list by reference not fetched: too many fetches waiting (of this request, this host or in all)" :
			    "the TN list by reference could not be requested");
		}
	}
 done:
	stir_chain_free(chain);
	if (it->tnl_pending == 0)	/* none asked for */
		tnlists_done(x, it);
}

static void
on_cert(void *arg, const struct stir_certcache_entry *e)
{
	struct vctx *x = arg;
	struct stir_server *srv = x->req->conn->srv;

	for (size_t i = 0; i < x->n && !x->deadline; i++) {
		struct vitem *it = &x->items[i];

		if (!it->checking || it->cert != NULL || it->pem != NULL ||
		    strcmp(it->res.x5u, e->url) != 0)
			continue;
		if (e->err == STIR_ECERT) {	/* fetched, but not a PEM chain */
			stir_vreq_fail(it, STIR_SIP_UNSUPPORTED, e->detail && *e->detail ?
			    e->detail : stir_strerror(e->err));
			continue;
		}
		if (e->err != STIR_OK) {
			char d[256];

			snprintf(d, sizeof(d), "x5u could not be fetched: %s",
			    e->detail && *e->detail ? e->detail : stir_strerror(e->err));
			stir_vreq_fail(it, STIR_SIP_BAD_INFO, d);
			continue;
		}
		if (x->use_memo && (it->cert = stir_vmemo_get(srv->vmemo, e->url, e->serial,
		    (int64_t)time(NULL), x->st->trust_seq, x->st->cfg->crl_mode)) != NULL)
			continue;
		if ((it->pem = malloc(e->len + 1)) == NULL) {
			stir_vreq_fail(it, STIR_SIP_BAD_INFO, "out of memory");
			continue;
		}
		memcpy(it->pem, e->body, e->len);
		it->pem[e->len] = '\0';
		it->pemlen = e->len;
		it->serial = e->serial;
		it->expires = e->expires;
		start_tnlists(x, it);
	}
	if (--x->pending == 0)
		vreq_run(x);
}

/*
 * A div-o's opt, as an Identity value of its own: the original PASSporT
 * with the info and ppt its header names.  NULL if its header has no x5u.
 */
static char *
opt_identity(const char *opt)
{
	const char *dot = strchr(opt, '.');
	uint8_t *bin = NULL;
	size_t n = 0;
	json_t *h = NULL;
	const char *x5u, *ppt;
	char *out = NULL;
	size_t len;

	if (dot == NULL || stir_b64url_decode(opt, (size_t)(dot - opt), &bin, &n) != STIR_OK ||
	    (h = json_loadb((const char *)bin, n, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		goto out;
	x5u = json_string_value(json_object_get(h, "x5u"));
	ppt = json_string_value(json_object_get(h, "ppt"));
	if (x5u == NULL || strpbrk(x5u, "<>;\" ") != NULL ||
	    (ppt != NULL && strpbrk(ppt, "<>;\" ") != NULL))
		goto out;
	len = strlen(opt) + strlen(x5u) + (ppt ? strlen(ppt) : 0) + 48;
	if ((out = malloc(len)) != NULL)
		snprintf(out, len, "%s;info=<%s>;alg=ES256%s%s", opt, x5u, ppt ? ";ppt=" : "",
		    ppt ? ppt : "");
 out:
	json_decref(h);
	free(bin);
	return out;
}

/*
 * Parse and check item i (from text, len bytes) in mode; a bad value
 * fails it.  An original nested in a div-o is the request's, whatever
 * carries the div-o now.
 */
static int
item_check(struct vctx *x, size_t i, const char *text, size_t len, enum stir_vmode mode)
{
	struct vitem *it = &x->items[i];
	struct stir_vctx v = x->v;
	char msg[384];
	int r;

	v.mode = mode;
	r = stir_identity_parse(text, len, &it->id, msg, sizeof(msg));
	if (r == STIR_ENOMEM || (r == STIR_OK &&
	    stir_passport_check(it->id, &v, &it->res) == STIR_ENOMEM))
		return STIR_ENOMEM;
	if (r != STIR_OK)
		stir_vreq_fail(it, STIR_SIP_INVALID, msg);
	else
		it->checking = it->res.code == 0 && !it->res.ignored;
	return STIR_OK;
}

/* Each div-o's opt becomes an item, verified as its own ppt (RFC 8946 5). */
static int
nest_originals(struct vctx *x)
{
	for (size_t i = 0; i < x->n; i++) {
		struct vitem *it = &x->items[i];
		char *text;
		int r;

		if (!it->checking || it->res.opt == NULL)
			continue;
		if (x->n == x->cap) {
			stir_vreq_fail(it, STIR_SIP_INVALID, "div-o PASSporTs nested too deep");
			continue;
		}
		if ((text = opt_identity(it->res.opt)) == NULL) {
			stir_vreq_fail(it, STIR_SIP_INVALID,
			    "the original inside opt has no usable header (x5u)");
			continue;
		}
		x->items[x->n].nested_in = (int)i;
		x->items[x->n].opt_item = -1;
		it->opt_item = (int)x->n;
		r = item_check(x, x->n++, text, strlen(text), STIR_VMODE_REQUEST);
		free(text);
		if (r != STIR_OK)
			return r;
	}
	return STIR_OK;
}

/*
 * At most max distinct x5u URLs are fetched, in item order: the values
 * with other URLs fail (436) before anything is fetched.
 */
static void
limit_x5u(struct vctx *x, unsigned max)
{
	size_t distinct = 0;

	for (size_t i = 0; i < x->n; i++) {
		struct vitem *it = &x->items[i];
		bool seen = false;
		char m[160];

		if (!it->checking)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = x->items[k].checking && strcmp(x->items[k].res.x5u, it->res.x5u) == 0;
		if (seen || distinct++ < max)
			continue;
		snprintf(m, sizeof(m),
		    "x5u not fetched: the request names more than %u distinct x5u URLs (max_x5u_per_verify)",
		    max);
		stir_vreq_fail(it, STIR_SIP_BAD_INFO, m);
	}
}

/*
 * A verify request's context for req, with room for cap items (the
 * Identity values and the originals their div-o PASSporTs nest); it is
 * req's context (freed with it) and answers req's deadline_ms.
 */
struct vctx *
stir_vreq_new(struct stir_req *req, size_t cap)
{
	struct vctx *x;

	if ((x = calloc(1, sizeof(*x) + cap * sizeof(x->items[0]))) == NULL)
		return NULL;
	req->ctx = x;
	req->ctx_free = stir_vreq_free;
	req->on_deadline = vreq_deadline;
	x->req = req;
	x->st = req->state;
	x->cap = cap;
	x->lookups_done = vreq_run;
	for (size_t i = 0; i < cap; i++) {
		x->items[i].nested_in = x->items[i].opt_item = -1;
		x->items[i].hop.parent = -1;
	}
	return x;
}

int
stir_vreq_start(struct vctx *x, json_t *ids, unsigned max_x5u, struct stir_certcache *cache)
{
	size_t i;
	json_t *v;
	int r;

	/* parse and check each value; a bad one is a failed identity */
	x->n = json_array_size(ids);
	json_array_foreach(ids, i, v)
		if ((r = item_check(x, i, json_string_value(v), json_string_length(v),
		    x->v.mode)) != STIR_OK)
			return r;
	if ((r = nest_originals(x)) != STIR_OK)
		return r;
	limit_x5u(x, max_x5u);
	/* certificates: one cache lookup per value (the cache shares fetches);
	 * answers come from the loop (certcache.h), so counting needs no guard */
	for (i = 0; i < x->n; i++) {
		struct vitem *it = &x->items[i];

		if (!it->checking)
			continue;
		/* RCD content is fetched beside the chain, through the same cache */
		it->rcd_err = stir_rcd_read(it->res.payload, &it->rcd, it->rcd_msg,
		    sizeof(it->rcd_msg));
		it->has_rcd = it->rcd_err != STIR_ENOENT;
		if (it->rcd_err == STIR_OK)
			stir_vreq_rcd_start(x, it);
		x->pending++;
		if ((r = stir_certcache_get_for(cache, it->res.x5u, STIR_CC_CHAIN, (int64_t)time(NULL),
		    stir_vreq_owner(x), on_cert, x)) != STIR_OK) {
			x->pending--;
			stir_vreq_fail(it, STIR_SIP_BAD_INFO, r == STIR_EBUSY ?
			    "x5u not fetched: too many fetches waiting (of this request, this host or in all)" :
			    "x5u could not be requested");
		}
	}
	if (x->pending == 0)		/* no lookup started: nothing will call back */
		vreq_run(x);
	return STIR_OK;
}
