/*
 * verify_rcd.c: Rich Call Data on the verifying side: the content an rcd
 * claim references (icn, jcl, and the URLs inside the jCard, one level)
 * is fetched beside the x5u chain and judged as it arrives (size and type
 * by pki/rcd_fetch.c, as on the signing side; then the rcdi digest), and
 * turned into the rcd result.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "stirclient.h"
#include "daemon/stir/callinfo.h"
#include "daemon/pki/rcd_fetch.h"
#include "daemon/stir/passport.h"
#include "daemon/verify/vctx.h"
#include "daemon/verify/verify_rcd.h"

/* Why f is not verified, into why; false if it is. */
static bool
ref_why(const struct vctx *x, const struct vref *f, char *why, size_t len)
{
	bool icon = f->kind == VREF_ICON, jcard = f->kind == VREF_JCARD;

	switch (f->state) {
	case VREF_OK:
		return false;
	case VREF_NOT_FETCHED:
		snprintf(why, len, "%s is not fetched: stird presents only the icon, the jCard and "
		    "its photo and logo (RFC 9795 section 8.2)", f->ptr);
		break;
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
			    x->st->cfg->rcd_jcard_max_bytes);
		else
			snprintf(why, len, "the %s%s is larger than rcd_icon_max_bytes (%u bytes)",
			    icon ? "icon" : "image at ", icon ? "" : f->ptr, x->st->cfg->rcd_icon_max_bytes);
		break;
	case VREF_BAD_TYPE:
		if (jcard && f->it->jcl_why[0] != '\0')	/* the one rule's words */
			snprintf(why, len, "%s", f->it->jcl_why);
		else if (jcard)
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

/* The switches that tie RCD to the certification path, and who signed it. */
static bool
policy_why(const struct vctx *x, const struct vitem *it, char *why, size_t len)
{
	if (x->st->cfg->rcd_require_constraints && (it->cert == NULL || it->cert->ncons == 0)) {
		snprintf(why, len, "the signing certificate carries no JWT claim constraints "
		    "(rcd_require_constraints)");
		return true;
	}
	if (x->st->cfg->rcd_anchors_only && (it->cert == NULL || !it->cert->rcd_anchor)) {
		snprintf(why, len, "the path does not end at a trust anchor added for RCD "
		    "(rcd_anchors_only: stirctl trust add --rcd)");
		return true;
	}
	/* RFC 9795 12.1: "Third-party authentication services ... MUST include
	 * a PASSporT extension value of "rcd"" */
	if (it->rcd.iss != NULL && strcmp(it->res.ppt, "rcd") != 0) {
		snprintf(why, len, "a third-party PASSporT (iss) must have ppt rcd "
		    "(RFC 9795 section 12.1)");
		return true;
	}
	return false;
}

static const struct vref *
item_ref(const struct vitem *it, size_t k)
{
	return k < it->rcd.nrefs ? &it->refs[k] : &it->nested[k - it->rcd.nrefs];
}

/*
 * What of one rcd claim is verified (RFC 9795 section 8.2): each element
 * stird presents on its own, so that content failing its digest leaves
 * what the PASSporT carries directly (nam, crn) usable.
 */
enum rcd_element { EL_NAM, EL_APN, EL_ICON, EL_JCARD, EL_OTHER, _EL_MAX };

struct rcd_eval {
	char		 why[_EL_MAX][200];	/* "" while verified */
	char		 first[256];		/* the first failure, for why_not */
	json_t		*digests;		/* rcdi over JSON values: outcomes */
};

static void
note(struct rcd_eval *e, enum rcd_element el, const char *why)
{
	if (e->why[el][0] == '\0')
		snprintf(e->why[el], sizeof(e->why[el]), "%s", why);
	if (e->first[0] == '\0')
		snprintf(e->first, sizeof(e->first), "%s", why);
}

/* The element an rcdi pointer into the claim belongs to. */
static enum rcd_element
element_of(const char *ptr)
{
	static const struct { const char *name; enum rcd_element el; } els[] = {
		{ "/nam", EL_NAM }, { "/apn", EL_APN }, { "/icn", EL_ICON }, { "/jcd", EL_JCARD },
		{ "/jcl", EL_JCARD },
	};

	for (size_t i = 0; i < sizeof(els) / sizeof(els[0]); i++) {
		size_t n = strlen(els[i].name);

		if (strncmp(ptr, els[i].name, n) == 0 && (ptr[n] == '\0' || ptr[n] == '/'))
			return els[i].el;
	}
	return EL_OTHER;
}

/*
 * An rcdi pointer that names no fetched URL names a JSON value (RFC 9795
 * section 6.1 step 2): in the claim, or past "/jcl" in the jCard fetched
 * from jcl, "as if ... directly part of the overall rcd claim" (6.1.4).
 */
static void
check_value_digest(const struct vitem *it, const char *ptr, const char *digest,
    struct rcd_eval *e)
{
	bool in_jcl = strncmp(ptr, "/jcl/", 5) == 0;
	json_t *v;
	char why[200];
	int r;

	if (in_jcl && it->jcard == NULL)	/* the jCard failed: said already */
		return;
	v = in_jcl ? stir_json_pointer(it->jcard, ptr + 4) : stir_json_pointer(it->rcd.obj, ptr);
	if (v == NULL) {
		snprintf(why, sizeof(why), "rcdi names %.64s, which the RCD does not hold", ptr);
		note(e, EL_OTHER, why);
		(void)json_array_append_new(e->digests, json_pack("{s:s, s:b, s:s}", "ptr", ptr,
		    "verified", 0, "why_not", why));
		return;
	}
	if ((r = stir_rcdi_check_json(digest, v)) == STIR_OK) {
		(void)json_array_append_new(e->digests, json_pack("{s:s, s:b}", "ptr", ptr,
		    "verified", 1));
		return;
	}
	snprintf(why, sizeof(why), r == STIR_EPOLICY ?
	    "the value at %.64s does not match its rcdi digest" :
	    "the rcdi digest of %.64s is malformed or of an unsupported algorithm", ptr);
	note(e, element_of(ptr), why);
	(void)json_array_append_new(e->digests, json_pack("{s:s, s:b, s:s}", "ptr", ptr,
	    "verified", 0, "why_not", why));
}

static void
evaluate(const struct vctx *x, const struct vitem *it, struct rcd_eval *e)
{
	const struct stir_rcd *r = &it->rcd;
	const char *ptr, *type;
	char why[200];
	json_t *d;

	for (size_t k = 0; k < r->nrefs + it->nnested; k++) {
		const struct vref *f = item_ref(it, k);

		/* a URL nobody is shown is neither fetched nor held against RCD */
		if (f->state != VREF_NOT_FETCHED && ref_why(x, f, why, sizeof(why)))
			note(e, k >= r->nrefs ? EL_OTHER : f->kind == VREF_ICON ? EL_ICON :
			    EL_JCARD, why);
	}
	if (r->icn_data && stir_rcd_data_icon(r->icn, x->st->cfg->rcd_icon_max_bytes, &type, why,
	    sizeof(why)) != STIR_OK)
		note(e, EL_ICON, why);
	json_object_foreach(r->rcdi, ptr, d) {
		size_t k;

		for (k = 0; k < r->nrefs + it->nnested; k++)
			if (strcmp(item_ref(it, k)->ptr, ptr) == 0)
				break;
		if (k == r->nrefs + it->nnested)
			check_value_digest(it, ptr, json_string_value(d), e);
	}
}

/* The URL content, in order (icn, jcl, then the jCard's URLs). */
static json_t *
content_json(const struct vctx *x, const struct vitem *it, bool *ret_integrity)
{
	json_t *a = json_array();
	bool all = true;

	for (size_t k = 0; k < it->rcd.nrefs + it->nnested; k++) {
		const struct vref *f = item_ref(it, k);
		bool fetched = f->state != VREF_NOT_FETCHED && f->state != VREF_NO_DIGEST;
		char why[200];
		json_t *o;

		if (fetched)
			all &= f->digest != NULL;
		o = json_pack("{s:s, s:s, s:s?, s:b, s:b, s:b}", "ptr", f->ptr, "url", f->url,
		    "type", f->type, "fetched", fetched, "integrity", f->digest != NULL &&
		    f->state == VREF_OK, "verified", f->state == VREF_OK);
		if (o != NULL && ref_why(x, f, why, sizeof(why)))
			(void)json_object_set_new(o, "why_not", json_string(why));
		(void)json_array_append_new(a, o);
	}
	*ret_integrity = all;
	return a;
}

/*
 * RFC 9795 12.2: nam "MUST" be compared with the From display-name or the
 * preferred one (P-Asserted-Identity here).
 */
static const char *
nam_match(const struct vctx *x, const char *nam)
{
	if (!x->has_from_name && !x->has_pai_name)
		return "no-display-name";
	if (x->has_from_name && strcmp(nam, x->from_name) == 0)
		return "from";
	if (x->has_pai_name && strcmp(nam, x->pai_name) == 0)
		return "pai";
	return "differs";
}

/* The inline jCard as a data: URI (RFC 2397, base64: no character to escape). */
static char *
jcd_data_uri(const json_t *jcd)
{
	char *text = stir_json_canonical(jcd), *out = NULL;
	size_t n, b;

	if (text == NULL)
		return NULL;
	n = strlen(text);
	b = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	if ((out = malloc(b + 32)) != NULL) {
		memcpy(out, "data:application/json;base64,", 29);
		sodium_bin2base64(out + 29, b, (const uint8_t *)text, n,
		    sodium_base64_VARIANT_ORIGINAL);
	}
	free(text);
	return out;
}

static void
add_call_info(json_t *a, char *value)
{
	if (value != NULL)
		(void)json_array_append_new(a, json_string(value));
	free(value);
}

/* RFC 9796 Call-Info values for what is verified, as rcd_call_info says. */
static json_t *
call_info_json(const struct vctx *x, const struct vitem *it, const struct rcd_eval *e,
    const char *match)
{
	const struct stir_rcd *r = &it->rcd;
	unsigned m = x->st->cfg->rcd_call_info_mask;
	json_t *a = json_array();

	if (r->icn != NULL && e->why[EL_ICON][0] == '\0' && (m & STIR_CI_ICON))
		add_call_info(a, stir_callinfo_value(r->icn, "icon", NULL, r->icn_data ?
		    json_string_value(json_object_get(r->rcdi, "/icn")) : r->refs[0].digest, m));
	if (r->jcl != NULL && e->why[EL_JCARD][0] == '\0' && (m & STIR_CI_JCARD))
		add_call_info(a, stir_callinfo_value(r->jcl, "jcard", NULL,
		    r->refs[r->nrefs - 1].digest, m));
	if (r->jcd != NULL && e->why[EL_JCARD][0] == '\0' && (m & STIR_CI_JCD)) {
		char *uri = jcd_data_uri(r->jcd);

		if (uri != NULL)
			add_call_info(a, stir_callinfo_value(uri, "jcard", NULL,
			    json_string_value(json_object_get(r->rcdi, "/jcd")), m));
		free(uri);
	}
	if (r->crn != NULL && (m & STIR_CI_REASON))
		add_call_info(a, stir_callinfo_value("data:", "jcard", r->crn, NULL, m));
	/* 9796 7: <data:>;purpose=jcard;verified="true" says the display-name
	 * in From or P-Asserted-Identity was verified: only when it is nam */
	if (r->nam != NULL && e->why[EL_NAM][0] == '\0' && (m & STIR_CI_NAME) &&
	    (m & STIR_CI_VERIFIED) && (strcmp(match, "from") == 0 || strcmp(match, "pai") == 0))
		add_call_info(a, stir_callinfo_value("data:", "jcard", NULL, NULL, m));
	return a;
}

/*
 * The rcd result of a valid PASSporT.  Nothing is offered when the claims
 * are malformed or the path may not carry RCD (rcd_require_constraints,
 * rcd_anchors_only, a third party without ppt rcd).  Otherwise each
 * element on its own (RFC 9795 8.2): nam, apn and crn, carried in the
 * signed claims, unless an rcdi digest over them fails; the icon and the
 * jCard when their content was fetched, is the right kind within its
 * limit and matches its digest (or has none, with rcd_require_rcdi = no:
 * then "integrity" is false).  "verified" is true when all of it is.
 */
json_t *
stir_vreq_rcd_json(const struct vctx *x, const struct vitem *it)
{
	const struct stir_rcd *r = &it->rcd;
	struct rcd_eval e;
	json_t *o, *jcard = NULL;
	const char *match = NULL;
	bool integrity;
	char *disp = NULL;

	if (!it->has_rcd)
		return json_null();
	memset(&e, 0, sizeof(e));
	if (it->rcd_err != STIR_OK)
		snprintf(e.first, sizeof(e.first), "%s", it->rcd_msg);
	else
		(void)policy_why(x, it, e.first, sizeof(e.first));
	if (e.first[0] != '\0')
		return json_pack("{s:b, s:s}", "verified", 0, "why_not", e.first);
	if ((e.digests = json_array()) == NULL)
		return json_null();
	evaluate(x, it, &e);
	if (r->nam != NULL && e.why[EL_NAM][0] == '\0') {
		disp = stir_rcd_display_name(r->nam);
		match = nam_match(x, r->nam);
	}
	if (e.why[EL_JCARD][0] == '\0')
		jcard = it->jcard != NULL ? it->jcard : r->jcd;
	o = json_pack("{s:b, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:O?, s:o, s:o}",
	    "verified", e.first[0] == '\0', "why_not", e.first[0] ? e.first : NULL,
	    "iss", r->iss, "nam", disp != NULL ? r->nam : NULL, "nam_match", match,
	    "display_name", disp, "apn", e.why[EL_APN][0] ? NULL : r->apn, "crn", r->crn,
	    "icon", e.why[EL_ICON][0] ? NULL : r->icn, "jcard", jcard,
	    "call_info", call_info_json(x, it, &e, match != NULL ? match : ""),
	    "digests", e.digests);
	free(disp);
	if (o == NULL)
		return json_null();
	(void)json_object_set_new(o, "content", content_json(x, it, &integrity));
	(void)json_object_set_new(o, "integrity", json_boolean(integrity));
	return o;
}

static void on_ref(void *arg, const struct stir_rcd_fetched *e);

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
	if (digest == NULL && x->st->cfg->rcd_require_rcdi) {
		f->state = VREF_NO_DIGEST;
		return;
	}
	f->state = VREF_FETCHING;
	f->err = STIR_EFETCH;
	x->pending++;
	if (stir_rcd_fetch(x->req->conn->srv->certcache, url, kind == VREF_JCARD ?
	    STIR_CC_JCARD : kind == VREF_OTHER ? STIR_CC_OTHER : STIR_CC_IMAGE,
	    kind == VREF_JCARD ? x->st->cfg->rcd_jcard_max_bytes : kind == VREF_OTHER ?
	    STIR_RCD_NO_LIMIT : x->st->cfg->rcd_icon_max_bytes, (int64_t)time(NULL),
	    stir_vreq_owner(x), on_ref, f) != STIR_OK)
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
	for (size_t k = 0; k < n; k++) {
		struct vref *f = &it->nested[k];

		/* 8.2: fetching what nobody is shown, only to check its digest, is
		 * NOT RECOMMENDED: a url or sound property stays unfetched */
		if (!stir_rcd_prop_is_image(it->nrefs[k].prop)) {
			f->x = x;
			f->it = it;
			f->ptr = it->nrefs[k].ptr;
			f->url = it->nrefs[k].url;
			f->digest = it->nrefs[k].digest;
			f->kind = VREF_OTHER;
			f->state = VREF_NOT_FETCHED;
			continue;
		}
		ref_start(x, it, f, it->nrefs[k].ptr, it->nrefs[k].url, it->nrefs[k].digest,
		    VREF_IMAGE);
	}
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
 * Content judged as it arrives (rcd_fetch.h: size, kind by its bytes),
 * then its digest; the body is the cache's.
 */
static void
ref_judge(struct vref *f, const struct stir_rcd_fetched *e)
{
	static const enum vref_state states[_STIR_RCD_VERDICT_MAX] = {
		[STIR_RCD_OK] = VREF_OK,
		[STIR_RCD_FETCH_FAILED] = VREF_FETCH_FAILED,
		[STIR_RCD_NOT_KIND] = VREF_BAD_TYPE,
		[STIR_RCD_TOO_BIG] = VREF_TOO_BIG,
		[STIR_RCD_BAD_TYPE] = VREF_BAD_TYPE,
		[STIR_RCD_TOO_MANY_URLS] = VREF_BAD_TYPE,
	};
	int r;

	f->err = e->err;
	if ((f->state = states[e->verdict]) != VREF_OK) {
		/* a jCard the cache refused by the one rule (stir_rcd_jcard_check()):
		 * its reason, pointers under /jcl, is what the client is told */
		if (f->kind == VREF_JCARD && e->verdict == STIR_RCD_NOT_KIND && e->detail != NULL)
			snprintf(f->it->jcl_why, sizeof(f->it->jcl_why), "%s", e->detail);
		return;
	}
	f->type = e->type;
	if (f->digest != NULL && (r = stir_rcdi_check(f->digest, e->body != NULL ? e->body :
	    (const uint8_t *)"", e->len)) != STIR_OK) {
		f->state = r == STIR_EPOLICY ? VREF_MISMATCH : VREF_BAD_DIGEST;
		return;
	}
	if (e->jcard != NULL)
		f->it->jcard = json_incref(e->jcard);	/* one jcl per rcd */
}

static void
on_ref(void *arg, const struct stir_rcd_fetched *e)
{
	struct vref *f = arg;
	struct vctx *x = f->x;

	ref_judge(f, e);
	/* one level only: the jCard's URLs, never URLs in what they name */
	if (f->kind == VREF_JCARD && f->state == VREF_OK && !x->deadline)
		start_nested(x, f->it, "/jcl", f->it->jcard);
	if (--x->pending == 0)
		x->lookups_done(x);
}
