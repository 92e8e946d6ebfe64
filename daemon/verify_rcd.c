/*
 * verify_rcd.c: Rich Call Data on the verifying side: the content an rcd
 * claim references (icn, jcl, and the URLs inside the jCard, one level)
 * is fetched through the certificate cache beside the x5u chain, judged
 * as it arrives (size, type, rcdi digest), and turned into the rcd result.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stirclient.h"
#include "daemon/verify_req.h"

/* Why f keeps the RCD from being verified, into why; false if it does not. */
static bool
ref_why(const struct vctx *x, const struct vref *f, char *why, size_t len)
{
	bool icon = f->kind == VREF_ICON, jcard = f->kind == VREF_JCARD;

	switch (f->state) {
	case VREF_OK:
		return false;
	case VREF_NO_DIGEST:
		snprintf(why, len, "no rcdi digest covers %s", f->ptr);
		break;
	case VREF_FETCHING:
	case VREF_FETCH_FAILED:
		snprintf(why, len, "the content of %s could not be fetched: %s", f->ptr,
		    stir_strerror(f->err));
		break;
	case VREF_TOO_BIG:
		if (jcard)
			snprintf(why, len, "the jCard is larger than rcd_jcard_max_bytes (%u bytes)",
			    x->jcard_max);
		else
			snprintf(why, len, "the %s%s is larger than rcd_icon_max_bytes (%u bytes)",
			    icon ? "icon" : "image at ", icon ? "" : f->ptr, x->icon_max);
		break;
	case VREF_BAD_TYPE:
		if (jcard)
			snprintf(why, len, "the content of %s is not a jCard", f->ptr);
		else
			snprintf(why, len, "the %s%s is not PNG, JPEG or SVG",
			    icon ? "icon" : "image at ", icon ? "" : f->ptr);
		break;
	case VREF_MISMATCH:
		snprintf(why, len, "the content of %s does not match its rcdi digest", f->ptr);
		break;
	default:
		snprintf(why, len, "the rcdi digest of %s is malformed or of an unsupported "
		    "algorithm", f->ptr);
		break;
	}
	return true;
}

/* The switches that tie RCD to the certification path. */
static bool
policy_why(const struct vctx *x, const struct vitem *it, char *why, size_t len)
{
	if (x->require_cons && (it->cert == NULL || it->cert->ncons == 0)) {
		snprintf(why, len, "no certificate of the path carries JWT claim constraints "
		    "(rcd_require_constraints)");
		return true;
	}
	if (x->anchors_only && (it->cert == NULL || !it->cert->rcd_anchor)) {
		snprintf(why, len, "the path does not end at a trust anchor added for RCD "
		    "(rcd_anchors_only: stirctl trust add --rcd)");
		return true;
	}
	return false;
}

static const struct vref *
item_ref(const struct vitem *it, size_t k)
{
	return k < it->rcd.nrefs ? &it->refs[k] : &it->nested[k - it->rcd.nrefs];
}

/* An rcdi pointer that names no URL the RCD references: fail closed. */
static bool
stale_digest_why(const struct vitem *it, char *why, size_t len)
{
	const char *ptr;
	json_t *v;

	json_object_foreach(it->rcd.rcdi, ptr, v) {
		size_t k;

		for (k = 0; k < it->rcd.nrefs + it->nnested; k++)
			if (strcmp(item_ref(it, k)->ptr, ptr) == 0)
				break;
		if (k == it->rcd.nrefs + it->nnested) {
			snprintf(why, len, "rcdi names %.64s, which the RCD does not reference", ptr);
			return true;
		}
	}
	return false;
}

/* The URL content followed, in order (icn, jcl, then the jCard's URLs). */
static json_t *
content_json(const struct vitem *it, bool *ret_integrity)
{
	json_t *a = json_array();
	bool all = true;

	for (size_t k = 0; k < it->rcd.nrefs + it->nnested; k++) {
		const struct vref *f = item_ref(it, k);

		all &= f->digest != NULL;
		(void)json_array_append_new(a, json_pack("{s:s, s:s, s:s?, s:b}", "ptr", f->ptr,
		    "url", f->url, "type", f->type, "integrity", f->digest != NULL));
	}
	*ret_integrity = all;
	return a;
}

/*
 * The rcd result of a valid PASSporT: verified only when the path may
 * carry RCD (rcd_require_constraints, rcd_anchors_only) and every URL it
 * references, and every URL in its jCard, was fetched, is the right kind
 * of content within its size limit and matches its rcdi digest (or has
 * none, with rcd_require_rcdi = no: then "integrity" is false).
 * Unverified RCD is never offered for display (only why).
 */
json_t *
stir_vreq_rcd_json(const struct vctx *x, const struct vitem *it)
{
	const struct stir_rcd *r = &it->rcd;
	json_t *jcard, *o, *callinfo, *content;
	char why[256] = "";
	bool integrity;
	char *disp;

	if (!it->has_rcd)
		return json_null();
	if (it->rcd_err != STIR_OK)
		snprintf(why, sizeof(why), "%s", it->rcd_msg);
	else
		(void)policy_why(x, it, why, sizeof(why));
	for (size_t k = 0; *why == '\0' && k < r->nrefs + it->nnested; k++)
		(void)ref_why(x, item_ref(it, k), why, sizeof(why));
	if (*why == '\0')
		(void)stale_digest_why(it, why, sizeof(why));
	if (*why != '\0')
		return json_pack("{s:b, s:s}", "verified", 0, "why_not", why);
	jcard = it->jcard != NULL ? json_incref(it->jcard) : json_incref(r->jcd);
	content = content_json(it, &integrity);
	callinfo = json_array();
	if (r->icn != NULL)
		(void)json_array_append_new(callinfo, json_sprintf("<%s>;purpose=icon", r->icn));
	if (r->jcl != NULL)
		(void)json_array_append_new(callinfo, json_sprintf("<%s>;purpose=jcard", r->jcl));
	disp = stir_rcd_display_name(r->nam);
	o = json_pack("{s:b, s:n, s:s, s:s?, s:s?, s:s?, s:o?, s:s?, s:o, s:b, s:o}",
	    "verified", 1, "why_not", "nam", r->nam, "apn", r->apn, "crn", r->crn, "icon", r->icn,
	    "jcard", jcard, "display_name", disp, "call_info", callinfo, "integrity", integrity,
	    "content", content);
	free(disp);
	return o != NULL ? o : json_null();
}

static void on_ref(void *arg, const struct stir_certcache_entry *e);

/* Fetch f's URL through the cache, unless it cannot be verified anyway. */
static void
ref_start(struct vctx *x, struct vitem *it, struct vref *f, const char *ptr, const char *url,
    const char *digest, enum vref_kind kind)
{
	f->x = x;
	f->it = it;
	f->ptr = ptr;
	f->url = url;
	f->digest = digest;
	f->kind = kind;
	if (digest == NULL && x->require_rcdi) {
		f->state = VREF_NO_DIGEST;
		return;
	}
	f->state = VREF_FETCHING;
	f->err = STIR_EFETCH;
	x->pending++;
	if (stir_certcache_get_for(x->req->conn->srv->certcache, url, kind == VREF_JCARD ?
	    STIR_CC_JCARD : kind == VREF_OTHER ? STIR_CC_OTHER : STIR_CC_IMAGE,
	    (int64_t)time(NULL), stir_vreq_owner(x), on_ref, f) != STIR_OK)
		x->pending--;
}

/* The URLs inside a jCard (jcd, or the one fetched from jcl). */
static void
start_nested(struct vctx *x, struct vitem *it, const char *base, json_t *jcard)
{
	char msg[sizeof(it->rcd_msg)];
	size_t n = 0;

	if (stir_rcd_jcard_refs(jcard, base, it->rcd.rcdi, it->nrefs, &n, msg,
	    sizeof(msg)) != STIR_OK) {
		it->rcd_err = STIR_EINVAL;
		memcpy(it->rcd_msg, msg, sizeof(msg));
		return;
	}
	it->nnested = n;
	for (size_t k = 0; k < n; k++)
		ref_start(x, it, &it->nested[k], it->nrefs[k].ptr, it->nrefs[k].url,
		    it->nrefs[k].digest, stir_rcd_prop_is_image(it->nrefs[k].prop) ?
		    VREF_IMAGE : VREF_OTHER);
}

void
stir_vreq_rcd_start(struct vctx *x, struct vitem *it)
{
	for (size_t k = 0; k < it->rcd.nrefs; k++)
		ref_start(x, it, &it->refs[k], it->rcd.refs[k].ptr, it->rcd.refs[k].url,
		    it->rcd.refs[k].digest, strcmp(it->rcd.refs[k].ptr, "/icn") == 0 ?
		    VREF_ICON : VREF_JCARD);
	if (it->rcd.jcd != NULL)
		start_nested(x, it, "/jcd", it->rcd.jcd);
}

/*
 * Judge fetched content at once (the body is the cache's): size, kind
 * (by its bytes: the cache keeps no Content-Type), then digest.
 */
static void
ref_judge(struct vref *f, const struct stir_certcache_entry *e)
{
	const struct vctx *x = f->x;
	const uint8_t *body = e->body != NULL ? e->body : (const uint8_t *)"";
	bool image = f->kind == VREF_ICON || f->kind == VREF_IMAGE;
	json_t *jcard = NULL;
	int r;

	f->err = e->err;
	f->state = e->err == STIR_EINVAL ? VREF_BAD_TYPE : VREF_FETCH_FAILED;
	if (e->err != STIR_OK)		/* EINVAL: fetched, but not of its kind */
		return;
	f->state = VREF_TOO_BIG;
	if ((image && e->len > x->icon_max) || (f->kind == VREF_JCARD && e->len > x->jcard_max))
		return;
	f->state = VREF_BAD_TYPE;
	if (image && (f->type = stir_rcd_icon_type(body, e->len)) == NULL)
		return;
	if (f->kind == VREF_JCARD) {
		if (!stir_rcd_jcard_valid(body, e->len, &jcard))
			return;
		f->type = "application/vcard+json";
	}
	if (f->digest != NULL && (r = stir_rcdi_check(f->digest, body, e->len)) != STIR_OK) {
		f->state = r == STIR_EPOLICY ? VREF_MISMATCH : VREF_BAD_DIGEST;
		json_decref(jcard);
		return;
	}
	f->state = VREF_OK;
	if (jcard != NULL)
		f->it->jcard = jcard;		/* one jcl per rcd */
}

static void
on_ref(void *arg, const struct stir_certcache_entry *e)
{
	struct vref *f = arg;
	struct vctx *x = f->x;

	ref_judge(f, e);
	/* one level only: the jCard's URLs, never URLs in what they name */
	if (f->kind == VREF_JCARD && f->state == VREF_OK && !x->deadline)
		start_nested(x, f->it, "/jcl", f->it->jcard);
	if (--x->pending == 0)
		stir_vreq_run(x);
}
