/* policy.c: RCD policy documents: validation, matching, and the claims they give. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "stirclient.h"
#include "daemon/base/log.h"
#include "daemon/pki/rcd_fetch.h"
#include "daemon/sign/policy.h"
#include "daemon/stir/rcd.h"
#include "daemon/keys/signer.h"
#include "daemon/store/store.h"
#include "daemon/stir/tn.h"
#include "daemon/stir/url.h"

/* ---- validation ---- */

/* Printable text: no C0 control or DEL (Jansson has checked UTF-8, no NUL). */
static bool
text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* Only the listed members; msg names the first other one. */
static int
members_only(const json_t *o, const char *const *allowed, const char *where,
    char *msg, size_t msglen)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)o, k, v) {
		size_t i;

		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], k) == 0)
				break;
		if (allowed[i] == NULL) {
			snprintf(msg, msglen, "%s: unknown member '%.64s'", where, k);
			return STIR_EINVAL;
		}
	}
	return STIR_OK;
}

int
stir_jcard_urls(const json_t *jcard, bool allow_http, json_t **ret)
{
	struct stir_rcd_nref refs[STIR_RCD_NESTED_MAX];
	json_t *out;
	size_t n = 0;
	char msg[256];
	int r;

	(void)allow_http;	/* RCD URLs are https only, both sides (stir_url_rcd_ok()) */
	/* the one rule (stir_rcd_jcard_check()), listing what it accepted */
	if ((r = stir_rcd_jcard_refs((json_t *)jcard, "", NULL, refs, &n, msg,
	    sizeof(msg))) != STIR_OK)
		return r;
	if ((out = json_array()) == NULL)
		return STIR_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "ptr", refs[i].ptr,
		    "url", refs[i].url, "kind", stir_rcd_prop_is_image(refs[i].prop) ?
		    "icon" : "other")) != 0) {
			json_decref(out);
			return STIR_ENOMEM;
		}
	*ret = out;
	return STIR_OK;
}

/* One RCD member of the policy's rcd or alternatives. */
static int
rcd_value_check(const char *key, const json_t *v, const char *where, char *msg,
    size_t msglen)
{
	const char *s = json_string_value(v);
	json_t *urls = NULL;
	int r;

	if (strcmp(key, "jcd") == 0) {
		if ((r = stir_jcard_urls(v, false, &urls)) != STIR_OK) {
			snprintf(msg, msglen, r == STIR_ETOOBIG ?
			    "%s.jcd has more than %d URL values" :
			    "%s.jcd is not a jCard (RFC 7095: [\"vcard\", [properties]]) or has a URL value that is not https",
			    where, STIR_JCARD_URLS_MAX);
			return r == STIR_ENOMEM ? r : STIR_EINVAL;
		}
		json_decref(urls);
		return STIR_OK;
	}
	if (s == NULL) {
		snprintf(msg, msglen, "%s.%s must be a string", where, key);
		return STIR_EINVAL;
	}
	if (strcmp(key, "nam") == 0 && !text_ok(s, STIR_RCD_NAM_MAX)) {
		snprintf(msg, msglen, "%s.nam must be 1-%d bytes of text without control characters",
		    where, STIR_RCD_NAM_MAX);
		return STIR_EINVAL;
	}
	if (strcmp(key, "apn") == 0 && !stir_tn_is_valid(s)) {
		snprintf(msg, msglen, "%s.apn must be a telephone number of 1-%d digits",
		    where, STIR_TN_MAX);
		return STIR_EINVAL;
	}
	if ((strcmp(key, "icn") == 0 || strcmp(key, "jcl") == 0) && !stir_url_rcd_ok(s)) {
		snprintf(msg, msglen, "%s.%s must be an https URL of at most %d bytes",
		    where, key, STIR_URL_MAX);
		return STIR_EINVAL;
	}
	return STIR_OK;
}

static int
check_rcd(const json_t *rcd, char *msg, size_t msglen)
{
	static const char *const keys[] = { "nam", "apn", "icn", "jcl", "jcd", NULL };
	const char *k;
	json_t *v;
	int r;

	if (!json_is_object(rcd)) {
		snprintf(msg, msglen, "'rcd' must be an object with at least 'nam'");
		return STIR_EINVAL;
	}
	if ((r = members_only(rcd, keys, "rcd", msg, msglen)) != STIR_OK)
		return r;
	if (json_object_get(rcd, "nam") == NULL) {
		snprintf(msg, msglen, "rcd.nam is required (RFC 9795)");
		return STIR_EINVAL;
	}
	if (json_object_get(rcd, "jcd") != NULL && json_object_get(rcd, "jcl") != NULL) {
		snprintf(msg, msglen, "rcd has both 'jcd' and 'jcl'; give one");
		return STIR_EINVAL;
	}
	json_object_foreach((json_t *)rcd, k, v)
		if ((r = rcd_value_check(k, v, "rcd", msg, msglen)) != STIR_OK)
			return r;
	return STIR_OK;
}

static int
check_alternatives(const json_t *alt, char *msg, size_t msglen)
{
	static const char *const keys[] = { "nam", "apn", "icn", "jcl", NULL };
	const char *k;
	json_t *arr, *v;
	size_t i;
	int r;

	if (!json_is_object(alt)) {
		snprintf(msg, msglen, "'alternatives' must be an object of arrays");
		return STIR_EINVAL;
	}
	if ((r = members_only(alt, keys, "alternatives", msg, msglen)) != STIR_OK)
		return r;
	json_object_foreach((json_t *)alt, k, arr) {
		if (!json_is_array(arr) || json_array_size(arr) == 0 ||
		    json_array_size(arr) > STIR_POLICY_ALTS_MAX) {
			snprintf(msg, msglen, "alternatives.%s must be an array of 1-%d values", k,
			    STIR_POLICY_ALTS_MAX);
			return STIR_EINVAL;
		}
		json_array_foreach(arr, i, v)
			if ((r = rcd_value_check(k, v, "alternatives", msg, msglen)) != STIR_OK)
				return r;
	}
	return STIR_OK;
}

static int
check_reasons(const json_t *reasons, char *msg, size_t msglen)
{
	json_t *v;
	size_t i;

	if (!json_is_array(reasons) || json_array_size(reasons) == 0 ||
	    json_array_size(reasons) > STIR_POLICY_REASONS_MAX) {
		snprintf(msg, msglen, "'reasons' must be an array of 1-%d call reasons",
		    STIR_POLICY_REASONS_MAX);
		return STIR_EINVAL;
	}
	json_array_foreach(reasons, i, v) {
		if (!json_is_string(v) || !text_ok(json_string_value(v), STIR_POLICY_CRN_MAX)) {
			snprintf(msg, msglen, "reasons[%zu] must be 1-%d bytes of text without control characters",
			    i, STIR_POLICY_CRN_MAX);
			return STIR_EINVAL;
		}
	}
	return STIR_OK;
}

static int
parse_match(struct stir_policy *p, const json_t *match, char *msg, size_t msglen)
{
	static const char *const keys[] = { "tns", "cred", NULL };
	const json_t *tns = json_object_get(match, "tns"), *cred, *v;
	size_t i;
	int r;

	if (!json_is_object(match)) {
		snprintf(msg, msglen, "'match' must be an object with 'tns' and/or 'cred'");
		return STIR_EINVAL;
	}
	if ((r = members_only(match, keys, "match", msg, msglen)) != STIR_OK)
		return r;
	cred = json_object_get(match, "cred");
	if (tns == NULL && cred == NULL) {
		snprintf(msg, msglen, "'match' needs 'tns' or 'cred' (or both)");
		return STIR_EINVAL;
	}
	if (cred != NULL) {
		if (!json_is_string(cred) || json_string_length(cred) > STIR_CRED_NAME_MAX ||
		    stir_signer_name_check(json_string_value(cred)) != STIR_OK) {
			snprintf(msg, msglen, "match.cred must be a credential name");
			return STIR_EINVAL;
		}
		p->cred = json_string_value(cred);
	}
	if (tns == NULL)
		return STIR_OK;
	if (!json_is_array(tns) || json_array_size(tns) == 0 ||
	    json_array_size(tns) > STIR_POLICY_TNS_MAX) {
		snprintf(msg, msglen, "match.tns must be an array of 1-%d numbers, prefixes or ranges",
		    STIR_POLICY_TNS_MAX);
		return STIR_EINVAL;
	}
	if ((p->specs = calloc(json_array_size(tns), sizeof(*p->specs))) == NULL)
		return STIR_ENOMEM;
	json_array_foreach(tns, i, v) {
		if (!json_is_string(v) ||
		    stir_tnspec_parse(json_string_value(v), &p->specs[i]) != STIR_OK) {
			snprintf(msg, msglen, "match.tns[%zu] must be a number, a prefix ending in '*' or a range a-b of equal-length numbers",
			    i);
			return STIR_EINVAL;
		}
		p->nspecs++;
	}
	return STIR_OK;
}

static int policy_urls(const struct stir_policy *p, json_t **ret);

/* A URL may not be both an icon and a jCard (nor anything twice over). */
static int
check_roles(const struct stir_policy *p, char *msg, size_t msglen)
{
	json_t *urls = NULL;
	int r;

	if ((r = policy_urls(p, &urls)) == STIR_EINVAL)
		snprintf(msg, msglen, "a URL of the policy is used both as an icon and as a jCard; give each role its own URL");
	json_decref(urls);
	return r;
}

/*
 * rcdi_values: pointers to JSON values of rcd that get an rcdi digest
 * over their serialization (RFC 9795 6.1 step 2), e.g. "/nam", "/jcd".
 * URL content (icn, jcl, the jCard's URLs) always gets one; a pointer to
 * a URL is refused so that the two cannot be confused.
 */
static int
check_rcdi_values(const json_t *a, const json_t *rcd, char *msg, size_t msglen)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > 8) {
		snprintf(msg, msglen, "'rcdi_values' must be an array of 1-8 JSON pointers into rcd");
		return STIR_EINVAL;
	}
	json_array_foreach(a, i, v) {
		const char *ptr = json_string_value(v);
		json_t *t;

		if (ptr == NULL || *ptr != '/' ||
		    (t = stir_json_pointer((json_t *)rcd, ptr)) == NULL) {
			snprintf(msg, msglen, "rcdi_values[%zu] must be a JSON pointer to a value of rcd (\"/nam\", \"/jcd\")",
			    i);
			return STIR_EINVAL;
		}
		if (json_is_string(t) && strncmp(json_string_value(t), "https://", 8) == 0) {
			snprintf(msg, msglen, "rcdi_values[%zu] names a URL: its content gets a digest anyway",
			    i);
			return STIR_EINVAL;
		}
	}
	return STIR_OK;
}

static int
parse_doc(struct stir_policy *p, char *msg, size_t msglen)
{
	static const char *const keys[] = { "name", "description", "match", "rcd",
	    "alternatives", "reasons", "attach", "caller_values", "rcdi_values", NULL };
	const json_t *d = p->doc, *v;
	int r;

	if (!json_is_object(d)) {
		snprintf(msg, msglen, "a policy is a JSON object");
		return STIR_EINVAL;
	}
	if ((r = members_only(d, keys, "policy", msg, msglen)) != STIR_OK)
		return r;
	v = json_object_get(d, "name");
	if (!json_is_string(v) || json_string_length(v) > STIR_POLICY_NAME_MAX ||
	    stir_signer_name_check(json_string_value(v)) != STIR_OK) {
		snprintf(msg, msglen, "'name' must be 1-%d of A-Z a-z 0-9 _ . - and not start with '.'",
		    STIR_POLICY_NAME_MAX);
		return STIR_EINVAL;
	}
	if ((p->name = strdup(json_string_value(v))) == NULL)
		return STIR_ENOMEM;
	v = json_object_get(d, "description");
	if (v != NULL && (!json_is_string(v) ||
	    !text_ok(json_string_value(v), STIR_POLICY_TEXT_MAX))) {
		snprintf(msg, msglen, "'description' must be 1-%d bytes of text",
		    STIR_POLICY_TEXT_MAX);
		return STIR_EINVAL;
	}
	if ((r = parse_match(p, json_object_get(d, "match"), msg, msglen)) != STIR_OK)
		return r;
	p->rcd = json_object_get(d, "rcd");
	if ((r = check_rcd(p->rcd, msg, msglen)) != STIR_OK)
		return r;
	v = json_object_get(d, "caller_values");
	if (v != NULL && !json_is_boolean(v)) {
		snprintf(msg, msglen, "'caller_values' must be true or false");
		return STIR_EINVAL;
	}
	p->caller_values = json_is_true(v);
	if ((p->alternatives = json_object_get(d, "alternatives")) != NULL) {
		if (!p->caller_values) {
			snprintf(msg, msglen, "'alternatives' needs \"caller_values\": true (callers choose among them)");
			return STIR_EINVAL;
		}
		if ((r = check_alternatives(p->alternatives, msg, msglen)) != STIR_OK)
			return r;
	}
	if ((p->reasons = json_object_get(d, "reasons")) != NULL &&
	    (r = check_reasons(p->reasons, msg, msglen)) != STIR_OK)
		return r;
	if ((p->rcdi_values = json_object_get(d, "rcdi_values")) != NULL &&
	    (r = check_rcdi_values(p->rcdi_values, p->rcd, msg, msglen)) != STIR_OK)
		return r;
	v = json_object_get(d, "attach");
	if (v == NULL || (json_is_string(v) && strcmp(json_string_value(v), "embedded") == 0))
		p->attach = STIR_ATTACH_EMBEDDED;
	else if (json_is_string(v) && strcmp(json_string_value(v), "separate") == 0)
		p->attach = STIR_ATTACH_SEPARATE;
	else {
		snprintf(msg, msglen, "'attach' must be \"embedded\" or \"separate\"");
		return STIR_EINVAL;
	}
	return check_roles(p, msg, msglen);
}

void
stir_policy_free(struct stir_policy *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->text);
	free(p->specs);
	json_decref(p->doc);
	json_decref(p->content);
	free(p);
}

static void
policy_clear(struct stir_policy *p)
{
	free(p->name);
	free(p->text);
	free(p->specs);
	json_decref(p->doc);
	json_decref(p->content);
}

int
stir_policy_parse(const char *text, size_t len, struct stir_policy **ret, char *msg,
    size_t msglen)
{
	struct stir_policy *p;
	json_error_t je;
	int r;

	if (len > STIR_POLICY_DOC_MAX) {
		snprintf(msg, msglen, "a policy document is at most %d bytes", STIR_POLICY_DOC_MAX);
		return STIR_ETOOBIG;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return STIR_ENOMEM;
	if ((p->doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		snprintf(msg, msglen, "not JSON: line %d column %d: %s", je.line, je.column,
		    je.text);
		r = STIR_EINVAL;
		goto out;
	}
	if ((r = parse_doc(p, msg, msglen)) != STIR_OK)
		goto out;
	if ((p->content = json_object()) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	*ret = p;
	p = NULL;
 out:
	stir_policy_free(p);
	return r;
}

/* ---- content ---- */

/*
 * Record that url is content of kind.  One URL may serve two roles only
 * if one is "other" (no type rule): the stricter kind stands.  An icon
 * that is also a jCard cannot be both: STIR_EINVAL.
 */
static int
add_url(json_t *kinds, const char *url, const char *kind)
{
	const char *had = json_string_value(json_object_get(kinds, url));

	if (had != NULL && (strcmp(had, kind) == 0 || strcmp(kind, "other") == 0))
		return STIR_OK;
	if (had != NULL && strcmp(had, "other") != 0)
		return STIR_EINVAL;
	return json_object_set_new(kinds, url, json_string(kind)) == 0 ? STIR_OK : STIR_ENOMEM;
}

static int
add_member_urls(json_t *out, const json_t *obj, bool list)
{
	static const struct { const char *key, *kind; } refs[] = {
		{ "icn", "icon" }, { "jcl", "jcard" },
	};
	json_t *v, *jurls = NULL, *u;
	size_t i;
	int r;

	for (size_t k = 0; k < sizeof(refs) / sizeof(refs[0]); k++) {
		v = json_object_get(obj, refs[k].key);
		if (!list && json_is_string(v) &&
		    (r = add_url(out, json_string_value(v), refs[k].kind)) != STIR_OK)
			return r;
		json_array_foreach(list ? v : NULL, i, u)
			if ((r = add_url(out, json_string_value(u), refs[k].kind)) != STIR_OK)
				return r;
	}
	if ((v = json_object_get(obj, "jcd")) != NULL && !list &&
	    stir_jcard_urls(v, false, &jurls) == STIR_OK) {
		json_array_foreach(jurls, i, u)
			if ((r = add_url(out, json_string_value(json_object_get(u, "url")),
			    json_string_value(json_object_get(u, "kind")))) != STIR_OK) {
				json_decref(jurls);
				return r;
			}
		json_decref(jurls);
	}
	return STIR_OK;
}

/* The URLs of the document with their kinds; STIR_EINVAL on a conflict. */
static int
policy_urls(const struct stir_policy *p, json_t **ret)
{
	json_t *out = json_object();
	int r = STIR_ENOMEM;

	if (out != NULL && (r = add_member_urls(out, p->rcd, false)) == STIR_OK &&
	    (p->alternatives == NULL || (r = add_member_urls(out, p->alternatives,
	    true)) == STIR_OK)) {
		*ret = out;
		return STIR_OK;
	}
	json_decref(out);
	return r;
}

json_t *
stir_policy_urls(const struct stir_policy *p)
{
	json_t *out = NULL;

	return policy_urls(p, &out) == STIR_OK ? out : NULL;
}

size_t
stir_policy_content_max(const char *kind, unsigned icon_max, unsigned jcard_max)
{
	return strcmp(kind, "icon") == 0 ? icon_max : jcard_max;
}

int
stir_policy_content_entry(const char *kind, const uint8_t *body, size_t len,
    unsigned icon_max, unsigned jcard_max, bool allow_http, int64_t now,
    int64_t expires, json_t **ret, char *msg, size_t msglen)
{
	const char *type = "application/octet-stream", *sniffed = NULL;
	json_t *jcard = NULL, *urls = NULL, *e = NULL;
	char *digest = NULL;
	bool icon = strcmp(kind, "icon") == 0, jc = strcmp(kind, "jcard") == 0;
	int r = STIR_EPOLICY;

	/* size, an icon's type by its bytes, a jCard by the one rule: as the
	 * verifier judges them (stir_rcd_judge()); the words are the signer's */
	switch (stir_rcd_judge(icon ? STIR_CC_IMAGE : jc ? STIR_CC_JCARD : STIR_CC_OTHER,
	    body, len, stir_policy_content_max(kind, icon_max, jcard_max), &sniffed,
	    &jcard)) {
	case STIR_RCD_OK:
		break;
	case STIR_RCD_TOO_BIG:
		snprintf(msg, msglen, "it is %zu bytes, more than %s (%u)", len,
		    icon ? "rcd_icon_max_bytes" : "rcd_jcard_max_bytes", icon ? icon_max : jcard_max);
		goto out;
	case STIR_RCD_TOO_MANY_URLS:
		snprintf(msg, msglen, "the jCard has more than %d URL values", STIR_JCARD_URLS_MAX);
		goto out;
	default:
		snprintf(msg, msglen, "%s", jc ?
		    "it is not a jCard (RFC 7095: [\"vcard\", [properties]]) or has a URL value that is not https" :
		    "it is not a PNG, JPEG or SVG image");
		goto out;
	}
	if (sniffed != NULL)		/* an image's by its bytes; a jCard's */
		type = sniffed;
	r = STIR_ENOMEM;
	/* the URL values of the judged jCard: the rule passed, so only memory fails */
	if (jcard != NULL && stir_jcard_urls(jcard, allow_http, &urls) != STIR_OK)
		goto out;
	if ((digest = stir_rcdi_sha256(body, len)) == NULL)
		goto out;
	e = json_pack("{s:s, s:s, s:I, s:s, s:I, s:I, s:I}", "kind", kind, "type", type,
	    "size", (json_int_t)len, "digest", digest, "fetched", (json_int_t)now,
	    "expires", (json_int_t)expires, "changed", (json_int_t)now);
	if (e == NULL || (urls != NULL && json_object_set(e, "urls", urls) != 0))
		goto out;
	*ret = e;
	e = NULL;
	r = STIR_OK;
 out:
	json_decref(e);
	json_decref(jcard);
	json_decref(urls);
	free(digest);
	return r;
}

/* ---- the claims of a call ---- */

static bool
array_has_string(const json_t *arr, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

/* rcdi[prefix + ptr] = the stored digest of url. */
static int
put_digest(const struct stir_policy *p, json_t *rcdi, const char *ptr, const char *url,
    char *msg, size_t msglen)
{
	const char *digest = json_string_value(json_object_get(json_object_get(p->content,
	    url), "digest"));

	if (digest == NULL) {
		snprintf(msg, msglen, "RCD policy '%s': the content of %.200s has not been fetched (see 'stirctl policy show %s')",
		    p->name, url, p->name);
		return STIR_ENOENT;
	}
	/* as RFC 9795 prints them: without the '=' padding 0.3 stored */
	return json_object_set_new(rcdi, ptr, json_stringn(digest, strcspn(digest, "="))) == 0 ?
	    STIR_OK : STIR_ENOMEM;
}

/* rcdi over the JSON values rcdi_values names (the final rcd, caller values in). */
static int
value_digests(const struct stir_policy *p, json_t *rcd, json_t *rcdi, char *msg,
    size_t msglen)
{
	size_t i;
	json_t *v;

	json_array_foreach(p->rcdi_values, i, v) {
		json_t *t = stir_json_pointer(rcd, json_string_value(v));
		char *d;
		int r;

		if (t == NULL) {
			snprintf(msg, msglen, "RCD policy '%s': rcdi_values names %s, which the rcd to sign does not hold",
			    p->name, json_string_value(v));
			return STIR_EPOLICY;
		}
		if ((d = stir_rcdi_sha256_json(t)) == NULL)
			return STIR_ENOMEM;
		r = json_object_set_new(rcdi, json_string_value(v), json_string(d));
		free(d);
		if (r != 0)
			return STIR_ENOMEM;
	}
	return STIR_OK;
}

static int
jcard_digests(const struct stir_policy *p, json_t *rcdi, const char *base,
    const json_t *urls, char *msg, size_t msglen)
{
	json_t *u;
	size_t i;
	int r;

	json_array_foreach(urls, i, u) {
		char ptr[64];

		snprintf(ptr, sizeof(ptr), "%s%s", base, json_string_value(json_object_get(u, "ptr")));
		if ((r = put_digest(p, rcdi, ptr, json_string_value(json_object_get(u, "url")),
		    msg, msglen)) != STIR_OK)
			return r;
	}
	return STIR_OK;
}

/* rcdi for the URL content rcd references: /icn, /jcl and inside the jCard. */
static int
rcd_digests(const struct stir_policy *p, const json_t *rcd, json_t *rcdi, char *msg,
    size_t msglen)
{
	const char *icn = json_string_value(json_object_get(rcd, "icn"));
	const char *jcl = json_string_value(json_object_get(rcd, "jcl"));
	json_t *urls = NULL;
	int r = STIR_OK;

	if (icn != NULL && (r = put_digest(p, rcdi, "/icn", icn, msg, msglen)) != STIR_OK)
		return r;
	if (jcl != NULL) {
		if ((r = put_digest(p, rcdi, "/jcl", jcl, msg, msglen)) != STIR_OK)
			return r;
		urls = json_object_get(json_object_get(p->content, jcl), "urls");
		return jcard_digests(p, rcdi, "/jcl", urls, msg, msglen);
	}
	if (json_object_get(rcd, "jcd") != NULL) {
		if ((r = stir_jcard_urls(json_object_get(rcd, "jcd"), false, &urls)) != STIR_OK)
			return r == STIR_ENOMEM ? r : STIR_EINVAL;
		r = jcard_digests(p, rcdi, "/jcd", urls, msg, msglen);
		json_decref(urls);
	}
	return r;
}

/* Apply the caller's values (req_rcd) to rcd, a copy of the policy's. */
static int
caller_values(const struct stir_policy *p, const json_t *req_rcd, json_t *rcd,
    char *msg, size_t msglen)
{
	static const char *const keys[] = { "nam", "apn", "icn", "jcl", NULL };
	const char *k;
	json_t *v;
	int r;

	if (!json_is_object(req_rcd)) {
		snprintf(msg, msglen, "field 'rcd' must be true or an object of RCD values");
		return STIR_EINVAL;
	}
	if ((r = members_only(req_rcd, keys, "field 'rcd'", msg, msglen)) != STIR_OK)
		return r;
	json_object_foreach((json_t *)req_rcd, k, v) {
		if (!json_is_string(v)) {
			snprintf(msg, msglen, "field 'rcd.%s' must be a string", k);
			return STIR_EINVAL;
		}
		if (!json_equal(v, json_object_get(p->rcd, k)) && (!p->caller_values ||
		    !array_has_string(json_object_get(p->alternatives, k), json_string_value(v)))) {
			snprintf(msg, msglen, "RCD policy '%s' does not permit %s \"%.100s\"%s",
			    p->name, k, json_string_value(v), p->caller_values ? "" :
			    " (it lets callers pass only its own values)");
			return STIR_EPOLICY;
		}
		if (json_object_set(rcd, k, v) != 0)
			return STIR_ENOMEM;
		if (strcmp(k, "jcl") == 0)
			(void)json_object_del(rcd, "jcd");
	}
	return STIR_OK;
}

int
stir_policy_claims(const struct stir_policy *p, bool want_rcd, const json_t *req_rcd,
    const char *crn, json_t **ret, char *msg, size_t msglen)
{
	json_t *out = json_object(), *rcd = NULL, *rcdi = json_object();
	int r = STIR_ENOMEM;

	if (out == NULL || rcdi == NULL)
		goto out;
	if (crn != NULL) {
		if (p->reasons == NULL || !array_has_string(p->reasons, crn)) {
			snprintf(msg, msglen, p->reasons == NULL ?
			    "RCD policy '%s' permits no call reason" :
			    "RCD policy '%s' does not permit the call reason \"%.100s\"", p->name, crn);
			r = STIR_EPOLICY;
			goto out;
		}
		if (json_object_set_new(out, "crn", json_string(crn)) != 0)
			goto out;
	}
	if (want_rcd) {
		if ((rcd = json_deep_copy(p->rcd)) == NULL)
			goto out;
		if (req_rcd != NULL && (r = caller_values(p, req_rcd, rcd, msg, msglen)) != STIR_OK)
			goto out;
		if ((r = rcd_digests(p, rcd, rcdi, msg, msglen)) != STIR_OK ||
		    (r = value_digests(p, rcd, rcdi, msg, msglen)) != STIR_OK)
			goto out;
		r = STIR_ENOMEM;
		if (json_object_set(out, "rcd", rcd) != 0 ||
		    (json_object_size(rcdi) > 0 && json_object_set(out, "rcdi", rcdi) != 0))
			goto out;
	}
	*ret = out;
	out = NULL;
	r = STIR_OK;
 out:
	json_decref(out);
	json_decref(rcd);
	json_decref(rcdi);
	return r;
}

/* ---- the set of stored policies ---- */

void
stir_policies_free(struct stir_policies *ps)
{
	if (ps == NULL)
		return;
	for (size_t i = 0; i < ps->n; i++)
		policy_clear(&ps->v[i]);
	free(ps->v);
	free(ps);
}

/* Stored content as stird writes it: each entry has a kind and a digest. */
static bool
content_sane(const json_t *content)
{
	const char *url;
	json_t *e;

	json_object_foreach((json_t *)content, url, e)
		if (!json_is_string(json_object_get(e, "kind")) ||
		    !json_is_string(json_object_get(e, "digest")))
			return false;
	return true;
}

static int
policy_from_row(const struct stir_policy_row *row, struct stir_policy *ret)
{
	struct stir_policy *p = NULL;
	char msg[256];
	int r;

	if ((r = stir_policy_parse(row->doc, strlen(row->doc), &p, msg, sizeof(msg))) != STIR_OK) {
		log_err("RCD policy '%s' cannot be loaded: %s", row->name, msg);
		return r;
	}
	json_decref(p->content);
	if ((p->content = json_loads(row->content != NULL ? row->content : "{}", 0, NULL)) == NULL ||
	    !json_is_object(p->content) || !content_sane(p->content)) {
		log_err("RCD policy '%s': its stored content is not a JSON object", row->name);
		stir_policy_free(p);
		return STIR_EDB;
	}
	if ((p->text = strdup(row->doc)) == NULL) {
		stir_policy_free(p);
		return STIR_ENOMEM;
	}
	p->created = row->created;
	p->updated = row->updated;
	*ret = *p;
	free(p);
	return STIR_OK;
}

int
stir_policies_load(struct stir_store *st, struct stir_policies **ret)
{
	struct stir_policy_row *rows = NULL;
	struct stir_policies *ps = NULL;
	size_t n = 0;
	int r;

	if ((r = stir_store_policy_list(st, &rows, &n)) != STIR_OK)
		return r;
	r = STIR_ENOMEM;
	if ((ps = calloc(1, sizeof(*ps))) == NULL ||
	    (ps->v = calloc(n + 1, sizeof(*ps->v))) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if ((r = policy_from_row(&rows[i], &ps->v[ps->n])) == STIR_ENOMEM)
			goto out;
		if (r == STIR_OK)
			ps->n++;
	}
	*ret = ps;
	ps = NULL;
	r = STIR_OK;
 out:
	stir_policies_free(ps);
	stir_store_policy_rows_free(rows, n);
	return r;
}

const struct stir_policy *
stir_policies_find(const struct stir_policies *ps, const char *name)
{
	for (size_t i = 0; ps != NULL && i < ps->n; i++)
		if (strcmp(ps->v[i].name, name) == 0)
			return &ps->v[i];
	return NULL;
}

/* How well p fits: < 0 it does not apply; higher is more specific. */
static int
policy_rank(const struct stir_policy *p, const char *tn, const char *cred)
{
	int best = -1;

	if (p->cred != NULL && cred != NULL && strcmp(p->cred, cred) != 0)
		return -1;
	if (p->nspecs == 0)	/* a credential alone: it must be the one */
		return cred != NULL ? 1 : -1;
	if (tn == NULL)
		return -1;
	for (size_t i = 0; i < p->nspecs; i++)
		if (stir_tnspec_covers(&p->specs[i], tn) && stir_tnspec_rank(&p->specs[i]) > best)
			best = stir_tnspec_rank(&p->specs[i]);
	if (best < 0)
		return -1;
	return (best + 1) * 2 + (p->cred != NULL);
}

const struct stir_policy *
stir_policies_match(const struct stir_policies *ps, const char *tn, const char *cred)
{
	const struct stir_policy *best = NULL;
	int best_rank = -1;

	for (size_t i = 0; ps != NULL && i < ps->n; i++) {
		int rank = policy_rank(&ps->v[i], tn, cred);

		if (rank > best_rank) {
			best = &ps->v[i];
			best_rank = rank;
		}
	}
	return best;
}
