/*
 * fuzz_policy.c: RCD policy documents (daemon/sign/policy.c).  The input is a
 * policy document, optionally followed by a NUL and a JSON value the
 * caller passes as its own RCD values (the sign request's "rcd").  Then:
 *
 *  - stir_policy_parse() of the document: STIR_OK, STIR_EINVAL or
 *    STIR_ETOOBIG (exactly when it is over STIR_POLICY_DOC_MAX bytes), with
 *    a reason and *ret untouched on failure; on STIR_OK the policy keeps
 *    its promises (a name, rcd.nam, no jcd with jcl, RCD URLs (as
 *    stir_url_rcd_ok() has them), alternatives only with caller_values,
 *    an empty content object), and
 *    its document written out compactly parses to the same policy;
 *  - stir_policy_urls(): RCD URLs, each "icon", "jcard" or "other", and
 *    the inline jCard's URL values (stir_jcard_urls(): "/1/<i>/<k>"
 *    naming value k >= 3 of a "uri" property, that URL) among them;
 *  - rcdi_values: accepted only as 1 to 8 pointers naming values of rcd
 *    that are not https URLs;
 *  - stir_policy_claims(): before any content is fetched, STIR_ENOENT
 *    exactly when the rcd references URLs; with a content entry for every
 *    URL, the policy's own rcd with an rcdi digest for each reference and
 *    for each rcdi_values pointer (stir_rcdi_sha256_json() of the value it
 *    names in the rcd signed), and nothing else in rcdi; every reason of
 *    the policy as crn, and no other; the caller's values accepted exactly
 *    when each is the policy's own or, with caller_values, one of its
 *    alternatives (STIR_EINVAL when malformed), and then STIR_EPOLICY when
 *    they take away a value an rcdi_values pointer names (a jcl replaces
 *    the jcd);
 *  - stir_policies_match() finds the policy by each of its TN specs and
 *    its credential, and not by another credential;
 *  - stir_policy_content_entry() of the raw input as an icon, a jCard and
 *    other content: STIR_OK or STIR_EPOLICY, and on STIR_OK the digest is
 *    stir_rcdi_sha256() of the input.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "stirclient.h"
#include "daemon/sign/creds.h"
#include "daemon/sign/policy.h"
#include "daemon/stir/url.h"
#include "tests/fuzz/fuzz.h"

#define POLICY_INPUT_MAX	(STIR_POLICY_DOC_MAX + 4096)

static bool
is_kind(const char *k)
{
	return k != NULL && (strcmp(k, "icon") == 0 || strcmp(k, "jcard") == 0 ||
	    strcmp(k, "other") == 0);
}

/* The URL values of the inline jCard: pointers name "uri" values. */
static void
check_jcd(const json_t *jcd, const json_t *urls)
{
	json_t *ju = NULL, *u;
	size_t i;

	FUZZ_ASSERT(stir_jcard_urls(jcd, false, &ju) == STIR_OK);
	FUZZ_ASSERT(json_array_size(ju) <= STIR_JCARD_URLS_MAX);
	json_array_foreach(ju, i, u) {
		const char *ptr = json_string_value(json_object_get(u, "ptr"));
		const char *url = json_string_value(json_object_get(u, "url"));
		const json_t *prop;
		size_t pi, pk;
		int used = 0;

		FUZZ_ASSERT(ptr != NULL && stir_url_rcd_ok(url));
		FUZZ_ASSERT(sscanf(ptr, "/1/%zu/%zu%n", &pi, &pk, &used) == 2 &&
		    ptr[used] == '\0' && pk >= 3);
		prop = json_array_get(json_array_get(jcd, 1), pi);
		FUZZ_ASSERT(json_is_string(json_array_get(prop, 0)));
		FUZZ_ASSERT(json_is_string(json_array_get(prop, 2)) &&
		    strcasecmp(json_string_value(json_array_get(prop, 2)), "uri") == 0);
		FUZZ_ASSERT(json_is_string(json_array_get(prop, pk)) &&
		    strcmp(json_string_value(json_array_get(prop, pk)), url) == 0);
		FUZZ_ASSERT(is_kind(json_string_value(json_object_get(u, "kind"))));
		FUZZ_ASSERT(json_object_get(urls, url) != NULL);
		FUZZ_ASSERT(i == 0 || strcmp(ptr, json_string_value(json_object_get(
		    json_array_get(ju, i - 1), "ptr"))) != 0);
	}
	json_decref(ju);
}

/* How many references the rcd makes: icn, jcl, the inline jCard's URLs. */
static size_t
rcd_refs(const json_t *rcd)
{
	json_t *ju = NULL;
	size_t n = (json_object_get(rcd, "icn") != NULL) + (json_object_get(rcd, "jcl") != NULL);

	if (json_object_get(rcd, "jcd") != NULL &&
	    stir_jcard_urls(json_object_get(rcd, "jcd"), false, &ju) == STIR_OK) {
		n += json_array_size(ju);
		json_decref(ju);
	}
	return n;
}

static void
check_fields(const struct stir_policy *p)
{
	const json_t *rcd = p->rcd;

	FUZZ_ASSERT(p->name != NULL && strlen(p->name) > 0 &&
	    strlen(p->name) <= STIR_POLICY_NAME_MAX && p->name[0] != '.');
	FUZZ_ASSERT(json_is_object(p->doc) && json_is_object(rcd));
	FUZZ_ASSERT(rcd == json_object_get(p->doc, "rcd"));
	FUZZ_ASSERT(json_is_string(json_object_get(rcd, "nam")));
	FUZZ_ASSERT(json_object_get(rcd, "jcd") == NULL || json_object_get(rcd, "jcl") == NULL);
	/* rcdi_values: 1 to 8 pointers to values of rcd, none an https URL */
	FUZZ_ASSERT(p->rcdi_values == json_object_get(p->doc, "rcdi_values"));
	if (p->rcdi_values != NULL) {
		json_t *v, *named;
		size_t i;

		FUZZ_ASSERT(json_array_size(p->rcdi_values) >= 1 &&
		    json_array_size(p->rcdi_values) <= 8);
		json_array_foreach(p->rcdi_values, i, v) {
			FUZZ_ASSERT(json_is_string(v) && json_string_value(v)[0] == '/');
			named = stir_json_pointer((json_t *)rcd, json_string_value(v));
			FUZZ_ASSERT(named != NULL);
			FUZZ_ASSERT(!json_is_string(named) ||
			    strncmp(json_string_value(named), "https://", 8) != 0);
		}
	}
	FUZZ_ASSERT(json_object_get(rcd, "icn") == NULL ||
	    stir_url_rcd_ok(json_string_value(json_object_get(rcd, "icn"))));
	FUZZ_ASSERT(json_object_get(rcd, "jcl") == NULL ||
	    stir_url_rcd_ok(json_string_value(json_object_get(rcd, "jcl"))));
	FUZZ_ASSERT(p->nspecs <= STIR_POLICY_TNS_MAX);
	FUZZ_ASSERT((p->nspecs == 0) == (json_object_get(json_object_get(p->doc, "match"),
	    "tns") == NULL));
	FUZZ_ASSERT(p->nspecs > 0 || p->cred != NULL);
	FUZZ_ASSERT(p->attach == STIR_ATTACH_EMBEDDED || p->attach == STIR_ATTACH_SEPARATE);
	FUZZ_ASSERT(p->alternatives == NULL || (p->caller_values && json_is_object(p->alternatives)));
	FUZZ_ASSERT(p->reasons == NULL || (json_array_size(p->reasons) > 0 &&
	    json_array_size(p->reasons) <= STIR_POLICY_REASONS_MAX));
	FUZZ_ASSERT(json_is_object(p->content) && json_object_size(p->content) == 0);
}

/* Written out compactly, the document is the same policy. */
static void
check_reparse(const struct stir_policy *p)
{
	struct stir_policy *q = NULL;
	char *text = json_dumps(p->doc, JSON_COMPACT), msg[256];

	FUZZ_ASSERT(text != NULL);
	if (strlen(text) <= STIR_POLICY_DOC_MAX) {
		msg[0] = '\0';
		FUZZ_ASSERT(stir_policy_parse(text, strlen(text), &q, msg, sizeof(msg)) == STIR_OK);
		FUZZ_ASSERT(strcmp(q->name, p->name) == 0 && q->nspecs == p->nspecs &&
		    q->attach == p->attach && q->caller_values == p->caller_values);
		FUZZ_ASSERT((q->cred == NULL) == (p->cred == NULL));
		FUZZ_ASSERT(json_equal(q->rcd, p->rcd));
		stir_policy_free(q);
	}
	free(text);
}

/* Every URL gets a content entry whose digest is that of the URL itself. */
static void
add_content(struct stir_policy *p, const json_t *urls)
{
	const char *url;
	json_t *kind;

	json_object_foreach((json_t *)urls, url, kind) {
		char *d = stir_rcdi_sha256((const uint8_t *)url, strlen(url));
		json_t *e;

		FUZZ_ASSERT(d != NULL);
		e = json_pack("{s:s, s:O, s:[]}", "digest", d, "kind", kind, "urls");
		FUZZ_ASSERT(e != NULL && json_object_set_new(p->content, url, e) == 0);
		free(d);
	}
}

/* rcdi[ptr] is the digest of url (as add_content() made it). */
static void
check_digest(const json_t *rcdi, const char *ptr, const char *url)
{
	char *d = stir_rcdi_sha256((const uint8_t *)url, strlen(url));

	FUZZ_ASSERT(d != NULL);
	FUZZ_ASSERT(json_is_string(json_object_get(rcdi, ptr)));
	FUZZ_ASSERT(strcmp(json_string_value(json_object_get(rcdi, ptr)), d) == 0);
	free(d);
}

/* The distinct pointers of p's rcdi_values (none are reference pointers). */
static size_t
values_count(const struct stir_policy *p)
{
	size_t n = 0, i, j;

	for (i = 0; i < json_array_size(p->rcdi_values); i++) {
		const char *ptr = json_string_value(json_array_get(p->rcdi_values, i));

		for (j = 0; j < i; j++)
			if (strcmp(ptr, json_string_value(json_array_get(p->rcdi_values, j))) == 0)
				break;
		n += j == i;
	}
	return n;
}

/* rcdi[ptr] is the digest of the value ptr names in the rcd signed. */
static void
check_values(const struct stir_policy *p, const json_t *rcd, const json_t *rcdi)
{
	json_t *v;
	size_t i;

	json_array_foreach(p->rcdi_values, i, v) {
		json_t *named = stir_json_pointer((json_t *)rcd, json_string_value(v));
		char *d;

		FUZZ_ASSERT(named != NULL);
		d = stir_rcdi_sha256_json(named);
		FUZZ_ASSERT(d != NULL);
		FUZZ_ASSERT(strcmp(json_string_value(json_object_get(rcdi, json_string_value(v))),
		    d) == 0);
		FUZZ_ASSERT(stir_rcdi_check_json(d, named) == STIR_OK);
		free(d);
	}
}

/* Would the caller's values req take away a value rcdi_values names? */
static bool
values_lost(const struct stir_policy *p, const json_t *req)
{
	json_t *rcd = json_deep_copy(p->rcd), *v;
	bool lost = false;
	size_t i;

	FUZZ_ASSERT(rcd != NULL);
	if (json_is_object(req)) {
		FUZZ_ASSERT(json_object_update(rcd, (json_t *)req) == 0);
		if (json_object_get(req, "jcl") != NULL)
			(void)json_object_del(rcd, "jcd");
	}
	json_array_foreach(p->rcdi_values, i, v)
		lost = lost || stir_json_pointer(rcd, json_string_value(v)) == NULL;
	json_decref(rcd);
	return lost;
}

/* The rcdi of claims c: one digest for each reference of c's rcd and each rcdi_values. */
static void
check_rcdi(const struct stir_policy *p, const json_t *c)
{
	const json_t *rcd = json_object_get(c, "rcd"), *rcdi = json_object_get(c, "rcdi");
	const char *icn = json_string_value(json_object_get(rcd, "icn"));
	const char *jcl = json_string_value(json_object_get(rcd, "jcl"));
	size_t n = rcd_refs(rcd) + values_count(p);

	FUZZ_ASSERT(json_object_get(rcd, "jcd") == NULL || jcl == NULL);
	FUZZ_ASSERT(n == 0 ? rcdi == NULL : json_object_size(rcdi) == n);
	check_values(p, rcd, rcdi);
	if (icn != NULL)
		check_digest(rcdi, "/icn", icn);
	if (jcl != NULL)
		check_digest(rcdi, "/jcl", jcl);
	if (json_object_get(rcd, "jcd") != NULL) {
		json_t *ju = NULL, *u;
		size_t i;

		FUZZ_ASSERT(stir_jcard_urls(json_object_get(rcd, "jcd"), false, &ju) == STIR_OK);
		json_array_foreach(ju, i, u) {
			char ptr[64];

			snprintf(ptr, sizeof(ptr), "/jcd%s",
			    json_string_value(json_object_get(u, "ptr")));
			check_digest(rcdi, ptr, json_string_value(json_object_get(u, "url")));
		}
		json_decref(ju);
	}
}

/* May the caller pass v as member k? */
static bool
permitted(const struct stir_policy *p, const char *k, const json_t *v)
{
	const json_t *a;
	size_t i;

	if (json_equal((json_t *)v, json_object_get(p->rcd, k)))
		return true;
	if (!p->caller_values)
		return false;
	json_array_foreach(json_object_get(p->alternatives, k), i, a)
		if (json_equal(a, (json_t *)v))
			return true;
	return false;
}

static void
check_caller(const struct stir_policy *p, const json_t *req)
{
	static const char *const keys[] = { "nam", "apn", "icn", "jcl", NULL };
	bool unknown = false, mistyped = false, refused = false;
	json_t *c = NULL, *v;
	const char *k;
	char msg[256];
	int r;

	json_object_foreach((json_t *)req, k, v) {
		size_t i;

		for (i = 0; keys[i] != NULL && strcmp(keys[i], k) != 0; i++)
			;
		if (keys[i] == NULL)
			unknown = true;
		else if (!json_is_string(v))
			mistyped = true;
		else if (!permitted(p, k, v))
			refused = true;
	}
	msg[0] = '\0';
	r = stir_policy_claims(p, true, req, NULL, &c, msg, sizeof(msg));
	if (!json_is_object(req) || unknown || (mistyped && !refused))
		FUZZ_ASSERT(r == STIR_EINVAL);
	else if (refused && !mistyped)
		FUZZ_ASSERT(r == STIR_EPOLICY);
	else if (refused)
		FUZZ_ASSERT(r == STIR_EPOLICY || r == STIR_EINVAL);
	else if (values_lost(p, req))
		FUZZ_ASSERT(r == STIR_EPOLICY && strstr(msg, "rcdi_values names") != NULL);
	else
		FUZZ_ASSERT(r == STIR_OK);
	if (r != STIR_OK) {
		FUZZ_ASSERT(msg[0] != '\0' && FUZZ_IS_CSTR(msg, sizeof(msg)));
		return;
	}
	json_object_foreach((json_t *)req, k, v)
		FUZZ_ASSERT(json_equal(json_object_get(json_object_get(c, "rcd"), k), v));
	check_rcdi(p, c);
	json_decref(c);
}

static void
check_claims(struct stir_policy *p, const json_t *urls, const json_t *req)
{
	json_t *c = (json_t *)&c, *v;
	char msg[256];
	size_t i;
	int r;

	/* nothing fetched yet */
	msg[0] = '\0';
	r = stir_policy_claims(p, true, NULL, NULL, &c, msg, sizeof(msg));
	if (rcd_refs(p->rcd) > 0) {
		FUZZ_ASSERT(r == STIR_ENOENT && c == (json_t *)&c);
		FUZZ_ASSERT(msg[0] != '\0' && FUZZ_IS_CSTR(msg, sizeof(msg)));
	} else {
		FUZZ_ASSERT(r == STIR_OK);
		FUZZ_ASSERT(json_equal(json_object_get(c, "rcd"), p->rcd));
		check_rcdi(p, c);
		json_decref(c);
	}

	add_content(p, urls);
	c = NULL;
	FUZZ_ASSERT(stir_policy_claims(p, true, NULL, NULL, &c, msg, sizeof(msg)) == STIR_OK);
	FUZZ_ASSERT(json_equal(json_object_get(c, "rcd"), p->rcd));
	FUZZ_ASSERT(json_object_get(c, "crn") == NULL);
	check_rcdi(p, c);
	json_decref(c);

	/* call reasons: the policy's, and no other */
	json_array_foreach(p->reasons, i, v) {
		c = NULL;
		FUZZ_ASSERT(stir_policy_claims(p, false, NULL, json_string_value(v), &c, msg,
		    sizeof(msg)) == STIR_OK);
		FUZZ_ASSERT(json_object_size(c) == 1 &&
		    json_equal(json_object_get(c, "crn"), v));
		json_decref(c);
	}
	c = (json_t *)&c;
	msg[0] = '\0';
	FUZZ_ASSERT(stir_policy_claims(p, true, NULL, "\x01", &c, msg, sizeof(msg)) ==
	    STIR_EPOLICY && c == (json_t *)&c && msg[0] != '\0');

	/* the caller's own values: the policy's, the first alternative of each, the input's */
	c = json_deep_copy(p->rcd);
	FUZZ_ASSERT(c != NULL);
	(void)json_object_del(c, "jcd");
	check_caller(p, c);
	json_decref(c);
	if (p->alternatives != NULL) {
		const char *k;
		json_t *a;

		c = json_object();
		json_object_foreach(p->alternatives, k, a)
			FUZZ_ASSERT(json_object_set(c, k, json_array_get(a, json_array_size(a) - 1)) == 0);
		check_caller(p, c);
		json_decref(c);
	}
	if (req != NULL)
		check_caller(p, req);
}

static void
check_match(struct stir_policy *p)
{
	struct stir_policies ps = { p, 1 };

	for (size_t i = 0; i < p->nspecs; i++) {
		const char *tn = p->specs[i].a;

		if (*tn == '\0')
			continue;
		FUZZ_ASSERT(stir_policies_match(&ps, tn, p->cred) == p);
		FUZZ_ASSERT(stir_policies_match(&ps, tn, NULL) == p);
		if (p->specs[i].type == STIR_TNSPEC_RANGE)
			FUZZ_ASSERT(stir_policies_match(&ps, p->specs[i].b, p->cred) == p);
		if (p->cred != NULL)
			FUZZ_ASSERT(stir_policies_match(&ps, tn, "~not-a-cred") == NULL);
	}
	if (p->cred != NULL) {
		FUZZ_ASSERT(stir_policies_match(&ps, p->nspecs == 0 ? NULL : p->specs[0].a,
		    p->cred) == p);
		FUZZ_ASSERT(stir_policies_match(&ps, NULL, "~not-a-cred") == NULL);
	}
	if (p->nspecs == 0)
		FUZZ_ASSERT(stir_policies_match(&ps, "12155551212", NULL) == NULL);
}

static void
check_policy(struct stir_policy *p, const json_t *req)
{
	json_t *urls, *kind;
	const char *url;

	check_fields(p);
	check_reparse(p);
	urls = stir_policy_urls(p);
	FUZZ_ASSERT(json_is_object(urls));
	json_object_foreach(urls, url, kind)
		FUZZ_ASSERT(stir_url_rcd_ok(url) && is_kind(json_string_value(kind)));
	if (json_object_get(p->rcd, "icn") != NULL)
		FUZZ_ASSERT(json_object_get(urls, json_string_value(json_object_get(p->rcd,
		    "icn"))) != NULL);
	if (json_object_get(p->rcd, "jcl") != NULL)
		FUZZ_ASSERT(json_object_get(urls, json_string_value(json_object_get(p->rcd,
		    "jcl"))) != NULL);
	if (json_object_get(p->rcd, "jcd") != NULL)
		check_jcd(json_object_get(p->rcd, "jcd"), urls);
	check_claims(p, urls, req);
	check_match(p);
	json_decref(urls);
}

/* The raw input as fetched content of each kind. */
static void
check_content(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = { "icon", "jcard", "other" };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		json_t *e = (json_t *)&e;
		char msg[256], *d;
		int r;

		msg[0] = '\0';
		r = stir_policy_content_entry(kinds[i], data, size, 8192, 32768, (size & 1) != 0,
		    1, 2, &e, msg, sizeof(msg));
		FUZZ_ASSERT(r == STIR_OK || r == STIR_EPOLICY);
		if (r != STIR_OK) {
			FUZZ_ASSERT(e == (json_t *)&e && msg[0] != '\0' &&
			    FUZZ_IS_CSTR(msg, sizeof(msg)));
			continue;
		}
		d = stir_rcdi_sha256(data, size);
		FUZZ_ASSERT(d != NULL && strcmp(json_string_value(json_object_get(e, "digest")),
		    d) == 0);
		FUZZ_ASSERT(json_integer_value(json_object_get(e, "size")) == (json_int_t)size);
		FUZZ_ASSERT((json_object_get(e, "urls") != NULL) == (i == 1));
		FUZZ_ASSERT(json_array_size(json_object_get(e, "urls")) <= STIR_JCARD_URLS_MAX);
		free(d);
		json_decref(e);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul;
	struct stir_policy *p = (struct stir_policy *)&p;
	json_t *req = NULL;
	size_t len = size;
	char msg[256];
	int r;

	if (size > POLICY_INPUT_MAX)
		return 0;
	if ((nul = memchr(data, '\0', size)) != NULL) {
		len = (size_t)(nul - data);
		req = json_loadb((const char *)nul + 1, size - len - 1,
		    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
	}
	msg[0] = '\0';
	r = stir_policy_parse((const char *)data, len, &p, msg, sizeof(msg));
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EINVAL || r == STIR_ETOOBIG);
	FUZZ_ASSERT((r == STIR_ETOOBIG) == (len > STIR_POLICY_DOC_MAX));
	if (r != STIR_OK) {
		FUZZ_ASSERT(p == (struct stir_policy *)&p);
		FUZZ_ASSERT(msg[0] != '\0' && FUZZ_IS_CSTR(msg, sizeof(msg)));
	} else {
		check_policy(p, req);
		stir_policy_free(p);
	}
	json_decref(req);
	check_content(data, size);
	return 0;
}
