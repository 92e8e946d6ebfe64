/*
 * shaken_map.c: SHAKEN REST bodies <-> stird sign/verify params and
 * results (shaken_map.h, doc/http.md "SHAKEN routes").  Strict: every
 * member is known and typed, or the request is refused naming it.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "stirclient.h"
#include "client/stird-http/shaken_map.h"

/* member types, as a mask */
#define T_STR	0x01
#define T_INT	0x02
#define T_OBJ	0x04
#define T_ARR	0x08
#define T_TRUE	0x10

struct member {
	const char	*name;
	unsigned	 types;
	bool		 required;
};

static const struct member sign_members[] = {
	{ "orig", T_OBJ, false },	/* required but for div, div-o */
	{ "dest", T_OBJ, true },
	{ "iat", T_INT, false },
	{ "attest", T_STR, false },	/* required for shaken, rcd */
	{ "origid", T_STR, false },
	{ "ppt", T_STR, false },
	{ "rcd", T_TRUE | T_OBJ, false },
	{ "crn", T_STR, false },
	{ "original", T_STR, false },
	{ "div", T_OBJ, false },
	{ "body", T_STR, false },
	{ "contentType", T_STR, false },
};

static const struct member verify_members[] = {
	{ "from", T_OBJ, true },
	{ "to", T_OBJ, true },
	{ "time", T_INT, false },
	{ "identity", T_STR | T_ARR, false },
	{ "requestUri", T_STR, false },
	{ "historyInfo", T_STR, false },
	{ "diversion", T_STR, false },
	{ "body", T_STR, false },
	{ "contentType", T_STR, false },
};

static const struct member one_tn_members[] = {
	{ "tn", T_STR, false },
	{ "uri", T_STR, false },
};

static const struct member tn_list_members[] = {
	{ "tn", T_ARR | T_STR, false },
	{ "uri", T_ARR | T_STR, false },
};

#define NMEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const sign_ppts[] = { "shaken", "rcd", "div", "div-o", "msg", "rsp", NULL };

static int
fail(struct shaken_err *e, int r, const char *msgid, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int
fail(struct shaken_err *e, int r, const char *msgid, const char *field, const char *fmt, ...)
{
	va_list ap;

	e->msgid = msgid;
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	va_start(ap, fmt);
	(void)vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	return r;
}

static unsigned
type_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:	return T_STR;
	case JSON_INTEGER:	return T_INT;
	case JSON_OBJECT:	return T_OBJ;
	case JSON_ARRAY:	return T_ARR;
	case JSON_TRUE:		return T_TRUE;
	default:		return 0;
	}
}

static const char *
type_words(unsigned t)
{
	switch (t) {
	case T_STR:		return "a string";
	case T_INT:		return "an integer";
	case T_OBJ:		return "an object";
	case T_ARR:		return "an array";
	case T_STR | T_ARR:	return "a string or an array of strings";
	case T_TRUE | T_OBJ:	return "true or an object";
	default:		return "of another type";
	}
}

/* Every member of obj is in the table with a right type; required ones are there. */
static int
check_members(const json_t *obj, const char *where, const struct member *m, size_t n,
    struct shaken_err *e)
{
	const char *key;
	json_t *v;
	char path[64];

	json_object_foreach((json_t *)obj, key, v) {
		size_t i;

		for (i = 0; i < n; i++)
			if (strcmp(m[i].name, key) == 0)
				break;
		snprintf(path, sizeof(path), "%s.%s", where, key);
		if (i == n)
			return fail(e, STIR_EBADREQ, "SVC4001", path,
			    "unknown member '%.48s'", path);
		if ((type_of(v) & m[i].types) == 0)
			return fail(e, STIR_EBADREQ, "SVC4001", path,
			    "'%s' must be %s", path, type_words(m[i].types));
	}
	for (size_t i = 0; i < n; i++)
		if (m[i].required && json_object_get(obj, m[i].name) == NULL) {
			snprintf(path, sizeof(path), "%s.%s", where, m[i].name);
			return fail(e, STIR_EBADREQ, "SVC4000", path,
			    "missing mandatory member '%s'", path);
		}
	return STIR_OK;
}

/* Parse body as {"<wrapper>":{...}}; *ret_root owns, *ret_inner borrowed. */
static int
load_wrapped(const char *body, size_t len, const char *wrapper, json_t **ret_root,
    json_t **ret_inner, struct shaken_err *e)
{
	json_error_t je;
	json_t *root, *inner;

	if ((root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return fail(e, STIR_EPROTO, "SVC4001", NULL,
		    "the body is not valid JSON: %.120s (at byte %d)", je.text, je.position);
	if (!json_is_object(root)) {
		json_decref(root);
		return fail(e, STIR_EBADREQ, "SVC4001", NULL, "the body must be a JSON object");
	}
	if ((inner = json_object_get(root, wrapper)) == NULL) {
		json_decref(root);
		return fail(e, STIR_EBADREQ, "SVC4000", wrapper,
		    "missing mandatory member '%s'", wrapper);
	}
	if (json_object_size(root) != 1) {
		const char *key;
		json_t *v;

		json_object_foreach(root, key, v)
			if (strcmp(key, wrapper) != 0) {
				(void)fail(e, STIR_EBADREQ, "SVC4001", key,
				    "unknown member '%.48s'", key);
				break;
			}
		json_decref(root);
		return STIR_EBADREQ;
	}
	if (!json_is_object(inner)) {
		json_decref(root);
		return fail(e, STIR_EBADREQ, "SVC4001", wrapper, "'%s' must be an object", wrapper);
	}
	*ret_root = root;
	*ret_inner = inner;
	return STIR_OK;
}

/* {"tn":"..."} or {"uri":"..."}: exactly one; *ret borrowed. */
static int
one_party(const json_t *obj, const char *where, const char **ret, struct shaken_err *e)
{
	json_t *tn, *uri;
	int r;

	if ((r = check_members(obj, where, one_tn_members, NMEM(one_tn_members), e)) != STIR_OK)
		return r;
	tn = json_object_get(obj, "tn");
	uri = json_object_get(obj, "uri");
	if ((tn == NULL) == (uri == NULL))
		return fail(e, STIR_EBADREQ, tn ? "SVC4001" : "SVC4000", where,
		    "'%s' must hold one of 'tn' and 'uri'", where);
	*ret = json_string_value(tn ? tn : uri);
	if (**ret == '\0')
		return fail(e, STIR_EINVAL, "SVC4001", where, "'%s' is empty", where);
	return STIR_OK;
}

/* {"tn":[...],"uri":[...]} (or single strings) appended to arr. */
static int
party_list(const json_t *obj, const char *where, json_t *arr, struct shaken_err *e)
{
	static const char *const kinds[] = { "tn", "uri" };
	char path[64];
	int r;

	if ((r = check_members(obj, where, tn_list_members, NMEM(tn_list_members), e)) != STIR_OK)
		return r;
	for (size_t k = 0; k < 2; k++) {
		json_t *v = json_object_get(obj, kinds[k]), *s;
		size_t i;

		if (v == NULL)
			continue;
		snprintf(path, sizeof(path), "%s.%s", where, kinds[k]);
		if (json_is_string(v)) {
			if (json_array_append(arr, v) != 0)
				return STIR_ENOMEM;
			continue;
		}
		json_array_foreach(v, i, s) {
			if (!json_is_string(s) || json_string_length(s) == 0)
				return fail(e, STIR_EBADREQ, "SVC4001", path,
				    "'%s' must hold non-empty strings", path);
			if (json_array_size(arr) == SHAKEN_MAX_DEST)
				return fail(e, STIR_EINVAL, "SVC4001", path,
				    "'%s' holds more than %d numbers", where, SHAKEN_MAX_DEST);
			if (json_array_append(arr, s) != 0)
				return STIR_ENOMEM;
		}
	}
	if (json_array_size(arr) == 0)
		return fail(e, STIR_EBADREQ, "SVC4000", where, "'%s' holds no number", where);
	return STIR_OK;
}

static int
dump(json_t *o, char **ret)
{
	char *s = json_dumps(o, JSON_COMPACT);

	if (s == NULL)
		return STIR_ENOMEM;
	*ret = s;
	return STIR_OK;
}

/* Copy a string member under another name (if present). */
static int
copy_str(json_t *dst, const char *dname, const json_t *src, const char *sname)
{
	json_t *v = json_object_get(src, sname);

	if (v == NULL)
		return STIR_OK;
	return json_object_set(dst, dname, v) == 0 ? STIR_OK : STIR_ENOMEM;
}

int
shaken_sign_params_json(const char *body, size_t len, json_t **ret_params,
    struct shaken_err *e)
{
	json_t *root = NULL, *sr, *out = NULL, *dest, *v;
	const char *ppt = "shaken", *s;
	bool div;
	size_t i;
	int r;

	if ((r = load_wrapped(body, len, "signingRequest", &root, &sr, e)) != STIR_OK)
		return r;
	if ((r = check_members(sr, "signingRequest", sign_members, NMEM(sign_members), e)) != STIR_OK)
		goto out;
	if ((v = json_object_get(sr, "ppt")) != NULL) {
		ppt = json_string_value(v);
		for (i = 0; sign_ppts[i] != NULL; i++)
			if (strcmp(ppt, sign_ppts[i]) == 0)
				break;
		if (sign_ppts[i] == NULL) {
			r = fail(e, STIR_EINVAL, "SVC4001", "signingRequest.ppt",
			    "'signingRequest.ppt' must be shaken, rcd, div, div-o, msg or rsp");
			goto out;
		}
	}
	div = strcmp(ppt, "div") == 0 || strcmp(ppt, "div-o") == 0;
	if ((out = json_object()) == NULL || (dest = json_array()) == NULL ||
	    json_object_set_new(out, "dest", dest) != 0) {
		r = STIR_ENOMEM;
		goto out;
	}
	if ((v = json_object_get(sr, "orig")) != NULL) {
		if ((r = one_party(v, "signingRequest.orig", &s, e)) != STIR_OK)
			goto out;
		if (json_object_set_new(out, "orig", json_string(s)) != 0) {
			r = STIR_ENOMEM;
			goto out;
		}
	} else if (!div) {
		r = fail(e, STIR_EBADREQ, "SVC4000", "signingRequest.orig",
		    "missing mandatory member 'signingRequest.orig'");
		goto out;
	}
	if ((r = party_list(json_object_get(sr, "dest"), "signingRequest.dest", dest, e)) != STIR_OK)
		goto out;
	if ((strcmp(ppt, "shaken") == 0 || strcmp(ppt, "rcd") == 0) &&
	    json_object_get(sr, "attest") == NULL) {
		r = fail(e, STIR_EBADREQ, "SVC4000", "signingRequest.attest",
		    "missing mandatory member 'signingRequest.attest'");
		goto out;
	}
	if (div && json_object_get(sr, "original") == NULL) {
		r = fail(e, STIR_EBADREQ, "SVC4000", "signingRequest.original",
		    "ppt %s needs 'signingRequest.original' (the Identity value diverted)", ppt);
		goto out;
	}
	if ((v = json_object_get(sr, "div")) != NULL) {
		if ((r = one_party(v, "signingRequest.div", &s, e)) != STIR_OK)
			goto out;
		if (json_object_set_new(out, "div", json_string(s)) != 0) {
			r = STIR_ENOMEM;
			goto out;
		}
	}
	if ((v = json_object_get(sr, "iat")) != NULL && json_object_set(out, "iat", v) != 0) {
		r = STIR_ENOMEM;
		goto out;
	}
	if ((r = copy_str(out, "attest", sr, "attest")) != STIR_OK ||
	    (r = copy_str(out, "origid", sr, "origid")) != STIR_OK ||
	    (r = copy_str(out, "crn", sr, "crn")) != STIR_OK ||
	    (r = copy_str(out, "original", sr, "original")) != STIR_OK ||
	    (r = copy_str(out, "body", sr, "body")) != STIR_OK ||
	    (r = copy_str(out, "content_type", sr, "contentType")) != STIR_OK)
		goto out;
	if ((v = json_object_get(sr, "rcd")) != NULL) {
		if (json_object_set(out, "rcd", v) != 0) {
			r = STIR_ENOMEM;
			goto out;
		}
	} else if (strcmp(ppt, "rcd") == 0 && json_object_set_new(out, "rcd", json_true()) != 0) {
		r = STIR_ENOMEM;
		goto out;
	}
	if (strcmp(ppt, "shaken") != 0 && json_object_set_new(out, "ppt", json_string(ppt)) != 0) {
		r = STIR_ENOMEM;
		goto out;
	}
	*ret_params = out;
	out = NULL;
 out:
	json_decref(out);
	json_decref(root);
	return r;
}

/* An HTTP-date (RFC 9110) for an epoch time; false if out of range. */
static bool
http_date(json_int_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt;

	if (t <= 0 || t > 253402300799LL)	/* 9999-12-31T23:59:59Z */
		return false;
	tt = (time_t)t;
	if (gmtime_r(&tt, &tm) == NULL)
		return false;
	return strftime(buf, len, "%a, %d %b %Y %H:%M:%S GMT", &tm) > 0;
}

int
shaken_verify_params_json(const char *body, size_t len, json_t **ret_params,
    struct shaken_err *e)
{
	json_t *root = NULL, *vr, *out = NULL, *ids, *to, *v;
	const char *s;
	char date[64];
	size_t i;
	int r;

	if ((r = load_wrapped(body, len, "verificationRequest", &root, &vr, e)) != STIR_OK)
		return r;
	if ((r = check_members(vr, "verificationRequest", verify_members,
	    NMEM(verify_members), e)) != STIR_OK)
		goto out;
	if ((out = json_object()) == NULL || (ids = json_array()) == NULL ||
	    json_object_set_new(out, "identity", ids) != 0 || (to = json_array()) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	if (json_object_set_new(out, "to", to) != 0) {	/* replaced by its string below */
		r = STIR_ENOMEM;
		goto out;
	}
	if ((r = one_party(json_object_get(vr, "from"), "verificationRequest.from", &s, e)) != STIR_OK)
		goto out;
	if (json_object_set_new(out, "from", json_string(s)) != 0) {
		r = STIR_ENOMEM;
		goto out;
	}
	if ((r = party_list(json_object_get(vr, "to"), "verificationRequest.to", to, e)) != STIR_OK)
		goto out;
	if (json_array_size(to) != 1) {
		r = fail(e, STIR_EINVAL, "SVC4001", "verificationRequest.to",
		    "'verificationRequest.to' must hold one number or URI");
		goto out;
	}
	if (json_object_set(out, "to", json_array_get(to, 0)) != 0) {
		r = STIR_ENOMEM;
		goto out;
	}
	if ((v = json_object_get(vr, "identity")) != NULL) {
		if (json_is_string(v)) {
			if (json_array_append(ids, v) != 0) {
				r = STIR_ENOMEM;
				goto out;
			}
		} else {
			json_t *s1;

			if (json_array_size(v) > SHAKEN_MAX_IDENTITIES) {
				r = fail(e, STIR_EINVAL, "SVC4001", "verificationRequest.identity",
				    "more than %d identity values", SHAKEN_MAX_IDENTITIES);
				goto out;
			}
			json_array_foreach(v, i, s1) {
				if (!json_is_string(s1)) {
					r = fail(e, STIR_EBADREQ, "SVC4001",
					    "verificationRequest.identity",
					    "'verificationRequest.identity' must hold strings");
					goto out;
				}
				if (json_array_append(ids, s1) != 0) {
					r = STIR_ENOMEM;
					goto out;
				}
			}
		}
	}
	if ((v = json_object_get(vr, "time")) != NULL) {
		if (!http_date(json_integer_value(v), date, sizeof(date))) {
			r = fail(e, STIR_EINVAL, "SVC4001", "verificationRequest.time",
			    "'verificationRequest.time' must be a positive epoch time");
			goto out;
		}
		if (json_object_set_new(out, "date", json_string(date)) != 0) {
			r = STIR_ENOMEM;
			goto out;
		}
	}
	if ((r = copy_str(out, "request_uri", vr, "requestUri")) != STIR_OK ||
	    (r = copy_str(out, "history_info", vr, "historyInfo")) != STIR_OK ||
	    (r = copy_str(out, "diversion", vr, "diversion")) != STIR_OK ||
	    (r = copy_str(out, "body", vr, "body")) != STIR_OK ||
	    (r = copy_str(out, "content_type", vr, "contentType")) != STIR_OK)
		goto out;
	*ret_params = out;
	out = NULL;
 out:
	json_decref(out);
	json_decref(root);
	return r;
}

int
shaken_sign_reply_json(const json_t *res, char **ret_body)
{
	json_t *out = NULL, *sresp, *ids;
	int r = STIR_EPROTO;

	if (!json_is_string(json_object_get(res, "identity")))
		goto out;
	if ((out = json_object()) == NULL || (sresp = json_object()) == NULL ||
	    json_object_set_new(out, "signingResponse", sresp) != 0 ||
	    json_object_set(sresp, "identity", json_object_get(res, "identity")) != 0) {
		r = STIR_ENOMEM;
		goto out;
	}
	ids = json_object_get(res, "identities");
	if (json_is_array(ids) && json_array_size(ids) > 1 &&
	    json_object_set(sresp, "identities", ids) != 0) {
		r = STIR_ENOMEM;
		goto out;
	}
	r = dump(out, ret_body);
 out:
	json_decref(out);
	return r;
}

/* One verifyResults entry for one of stird's identities[]. */
static json_t *
verify_result(const json_t *id)
{
	json_t *vr = json_object(), *wrap = json_object(), *err = json_object_get(id, "error");
	const char *status;

	if (vr == NULL || wrap == NULL || json_object_set_new(wrap, "verifyResult", vr) != 0) {
		json_decref(vr);
		json_decref(wrap);
		return NULL;
	}
	if (json_is_true(json_object_get(id, "ignored")))
		status = "ignored";
	else
		status = json_is_true(json_object_get(id, "valid")) ? "pass" : "fail";
	if (json_object_set_new(vr, "status", json_string(status)) != 0 ||
	    (json_is_string(json_object_get(id, "ppt")) &&
	    json_object_set(vr, "ppt", json_object_get(id, "ppt")) != 0) ||
	    (json_is_string(json_object_get(id, "attest")) &&
	    json_object_set(vr, "attest", json_object_get(id, "attest")) != 0) ||
	    (json_is_object(err) &&
	    (json_object_set(vr, "reasonCode", json_object_get(err, "code")) != 0 ||
	    json_object_set(vr, "reasonText", json_object_get(err, "reason")) != 0 ||
	    json_object_set(vr, "reasonDetail", json_object_get(err, "detail")) != 0)) ||
	    (json_is_string(json_object_get(id, "reason")) &&
	    json_object_set(vr, "reason", json_object_get(id, "reason")) != 0)) {
		json_decref(wrap);
		return NULL;
	}
	return wrap;
}

int
shaken_verify_reply_json(const json_t *res, char **ret_body)
{
	json_t *out = NULL, *vresp, *list, *ids, *id, *err, *v;
	size_t i;
	int r = STIR_EPROTO;

	if (!json_is_string(json_object_get(res, "verstat")))
		goto out;
	r = STIR_ENOMEM;
	if ((out = json_object()) == NULL || (vresp = json_object()) == NULL ||
	    json_object_set_new(out, "verificationResponse", vresp) != 0 ||
	    json_object_set(vresp, "verstatValue", json_object_get(res, "verstat")) != 0 ||
	    (list = json_array()) == NULL ||
	    json_object_set_new(vresp, "verifyResults", list) != 0)
		goto out;
	ids = json_object_get(res, "identities");
	json_array_foreach(ids, i, id) {
		json_t *one = verify_result(id);

		if (one == NULL || json_array_append_new(list, one) != 0)
			goto out;
	}
	if (json_is_object(err = json_object_get(res, "error")) &&
	    (json_object_set(vresp, "reasonCode", json_object_get(err, "code")) != 0 ||
	    json_object_set(vresp, "reasonText", json_object_get(err, "reason")) != 0))
		goto out;
	if (json_is_array(v = json_object_get(res, "reason")) && json_array_size(v) > 0 &&
	    json_object_set(vresp, "reason", v) != 0)
		goto out;
	if (json_is_object(v = json_object_get(res, "action")) &&
	    json_object_set(vresp, "action", v) != 0)
		goto out;
	if (json_is_object(v = json_object_get(res, "rcd")) &&
	    json_is_true(json_object_get(v, "verified")) &&
	    json_object_set(vresp, "rcd", v) != 0)
		goto out;
	if (json_is_object(v = json_object_get(res, "diversion")) &&
	    json_object_set(vresp, "diversion", v) != 0)
		goto out;
	r = dump(out, ret_body);
 out:
	json_decref(out);
	return r;
}

/* ---- the same with JSON text (tests, the fuzz target) ---- */

static int
params_text(json_t *params, char **ret_params)
{
	int r = dump(params, ret_params);

	json_decref(params);
	return r;
}

int
shaken_sign_params(const char *body, size_t len, char **ret_params, struct shaken_err *e)
{
	json_t *params = NULL;
	int r;

	if ((r = shaken_sign_params_json(body, len, &params, e)) != STIR_OK)
		return r;
	return params_text(params, ret_params);
}

int
shaken_verify_params(const char *body, size_t len, char **ret_params, struct shaken_err *e)
{
	json_t *params = NULL;
	int r;

	if ((r = shaken_verify_params_json(body, len, &params, e)) != STIR_OK)
		return r;
	return params_text(params, ret_params);
}

int
shaken_sign_reply(const char *result_json, char **ret_body)
{
	json_t *res;
	int r;

	if ((res = json_loads(result_json, 0, NULL)) == NULL)
		return STIR_EPROTO;
	r = shaken_sign_reply_json(res, ret_body);
	json_decref(res);
	return r;
}

int
shaken_verify_reply(const char *result_json, char **ret_body)
{
	json_t *res;
	int r;

	if ((res = json_loads(result_json, 0, NULL)) == NULL)
		return STIR_EPROTO;
	r = shaken_verify_reply_json(res, ret_body);
	json_decref(res);
	return r;
}
