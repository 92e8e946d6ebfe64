/*
 * sipmap.c: SIP request -> stird request, stird reply -> SIP response
 * (sipmap.h).  Every string taken from stird's reply goes into a header
 * field only if it is one line of printable text.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "stirclient.h"
#include "client/stird-sipd/sipmap.h"

#define TN_MAX		32	/* digits of a telephone number, and more */

void
sip_answer_init(struct sip_answer *a, int code, const char *phrase)
{
	memset(a, 0, sizeof(*a));
	a->code = code;
	snprintf(a->phrase, sizeof(a->phrase), "%s", phrase);
}

void
sip_answer_clear(struct sip_answer *a)
{
	for (size_t i = 0; i < a->nowned; i++)
		free(a->owned[i]);
	a->nowned = 0;
	a->nhdrs = 0;
}

/* One line of printable text (UTF-8 allowed): nothing that ends a header. */
static bool
header_safe(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return false;
	return true;
}

int
sip_answer_add(struct sip_answer *a, const char *name, const char *value)
{
	char *v;

	if (!header_safe(value))
		return STIR_EINVAL;
	if (a->nhdrs >= SIPMAP_MAX_HDRS || a->nowned >= SIPMAP_MAX_HDRS)
		return STIR_ETOOBIG;
	if ((v = strdup(value)) == NULL)
		return STIR_ENOMEM;
	a->owned[a->nowned++] = v;
	a->hdrs[a->nhdrs].name = name;
	a->hdrs[a->nhdrs].value = v;
	a->nhdrs++;
	return STIR_OK;
}

/* ---- SIP request -> stird request ---- */

static bool
attest_ok(const char *a)
{
	return a != NULL && (strcmp(a, "A") == 0 || strcmp(a, "B") == 0 ||
	    strcmp(a, "C") == 0);
}

static int
set_str(json_t *o, const char *key, const char *v)
{
	if (v == NULL)
		return 0;
	return json_object_set_new(o, key, json_string(v));
}

int
sipmap_request(const struct sip_fields *f, enum sipd_mode mode, const char *attest,
    enum sipd_op *ret_op, char **ret_params, const char **ret_why)
{
	json_t *p = NULL, *ids = NULL;
	enum sipd_op op;
	char *text = NULL;
	int r = STIR_EINVAL;

	*ret_why = NULL;
	if (mode == SIPD_MODE_SIGN)
		op = SIPD_OP_SIGN;
	else if (mode == SIPD_MODE_VERIFY)
		op = SIPD_OP_VERIFY;
	else
		op = f->nidentity > 0 ? SIPD_OP_VERIFY : SIPD_OP_SIGN;
	if (f->from == NULL || f->to == NULL) {
		*ret_why = "no From or To";
		goto out;
	}
	if ((p = json_object()) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	if (op == SIPD_OP_SIGN) {
		if (!attest_ok(attest)) {
			*ret_why = "attestation must be A, B or C";
			goto out;
		}
		if (set_str(p, "orig", f->pai != NULL ? f->pai : f->from) != 0 ||
		    set_str(p, "dest", f->to) != 0 || set_str(p, "attest", attest) != 0) {
			r = STIR_ENOMEM;
			goto out;
		}
	} else {
		if ((ids = json_array()) == NULL) {
			r = STIR_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < f->nidentity; i++)
			if (json_array_append_new(ids, json_string(f->identity[i])) != 0) {
				/* not UTF-8: json_string() said NULL */
				*ret_why = "an Identity header is not UTF-8";
				goto out;
			}
		if (json_object_set(p, "identity", ids) != 0 ||
		    set_str(p, "from", f->from) != 0 || set_str(p, "to", f->to) != 0 ||
		    set_str(p, "pai", f->pai) != 0 || set_str(p, "date", f->date) != 0 ||
		    set_str(p, "request_uri", f->request_uri) != 0 ||
		    set_str(p, "history_info", f->history_info) != 0 ||
		    set_str(p, "diversion", f->diversion) != 0) {
			*ret_why = "a header is not UTF-8";
			goto out;
		}
	}
	if ((text = json_dumps(p, JSON_COMPACT)) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	*ret_op = op;
	*ret_params = text;
	r = STIR_OK;
 out:
	json_decref(ids);
	json_decref(p);
	return r;
}

/* ---- stird reply -> SIP response ---- */

bool
sipmap_tn(const char *user, char *out, size_t outlen)
{
	size_t n = 0;
	const char *p = user;

	if (user == NULL || outlen < 3)
		return false;
	if (*p == '+')
		p++;
	for (; *p != '\0' && *p != ';'; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n + 1 >= outlen || n >= 15)
				return false;
			out[n++] = *p;
		} else if (strchr("-.() ", *p) == NULL)
			return false;	/* not a dial string */
	}
	out[n] = '\0';
	return n > 0;
}

static int
add_contact(const struct sip_fields *f, struct sip_answer *a)
{
	char *v;
	int r;

	if (f->request_uri == NULL)
		return STIR_EINVAL;
	if (asprintf(&v, "<%s>", f->request_uri) < 0)
		return STIR_ENOMEM;
	r = sip_answer_add(a, "Contact", v);
	free(v);
	return r;
}

/* Add each string of arr (if an array) as header name; others skipped. */
static int
add_each(struct sip_answer *a, const char *name, json_t *arr)
{
	size_t i;
	json_t *v;
	int r;

	if (!json_is_array(arr))
		return STIR_OK;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			continue;
		r = sip_answer_add(a, name, json_string_value(v));
		if (r == STIR_ENOMEM || r == STIR_ETOOBIG)
			return r;
	}
	return STIR_OK;
}

static json_t *
load(const char *result_json)
{
	json_t *o = result_json != NULL ? json_loads(result_json, 0, NULL) : NULL;

	if (o != NULL && !json_is_object(o)) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

int
sipmap_sign_answer(const struct sip_fields *f, const char *result_json,
    struct sip_answer *ret)
{
	json_t *res = load(result_json), *ids;
	int r = STIR_EPROTO;

	sip_answer_init(ret, 302, "Moved Temporarily");
	if (res == NULL)
		goto out;
	if ((r = add_contact(f, ret)) != STIR_OK)
		goto out;
	ids = json_object_get(res, "identities");
	if (json_is_array(ids) && json_array_size(ids) > 0)
		r = add_each(ret, "Identity", ids);
	else if (json_is_string(json_object_get(res, "identity")))
		r = sip_answer_add(ret, "Identity",
		    json_string_value(json_object_get(res, "identity")));
	else
		r = STIR_EPROTO;
	if (r == STIR_EINVAL || (r == STIR_OK && ret->nhdrs < 2))
		r = STIR_EPROTO;	/* no usable Identity value */
 out:
	json_decref(res);
	if (r != STIR_OK)
		sip_answer_clear(ret);
	return r;
}

/* The calling TN: verified by stird when it passed, else the caller's own. */
static bool
caller_tn(const struct sip_fields *f, json_t *res, bool passed, char *tn, size_t tnlen)
{
	if (passed) {
		size_t i;
		json_t *id;

		json_array_foreach(json_object_get(res, "identities"), i, id) {
			const char *t = json_string_value(json_object_get(
			    json_object_get(id, "orig"), "tn"));

			if (json_is_true(json_object_get(id, "valid")) &&
			    !json_is_true(json_object_get(id, "ignored")) &&
			    t != NULL && sipmap_tn(t, tn, tnlen))
				return true;
		}
	}
	if (f->caller_scheme == NULL || f->caller_user == NULL)
		return false;
	if (strcasecmp(f->caller_scheme, "tel") != 0 && strcasecmp(f->caller_scheme, "sip") != 0 &&
	    strcasecmp(f->caller_scheme, "sips") != 0)
		return false;
	return sipmap_tn(f->caller_user, tn, tnlen);
}

static int
add_pai(const struct sip_fields *f, json_t *res, const char *verstat, struct sip_answer *a)
{
	json_t *rcd = json_object_get(res, "rcd");
	const char *name = NULL;
	char tn[TN_MAX], *v = NULL;
	int r;

	/* display_name is there only when nam is verified (RFC 9795 8.2) */
	name = json_string_value(json_object_get(rcd, "display_name"));
	if (name != NULL && (strpbrk(name, "\"\\") != NULL || !header_safe(name)))
		name = NULL;	/* stird promises neither; do not trust it */
	if (caller_tn(f, res, strcmp(verstat, "TN-Validation-Passed") == 0, tn, sizeof(tn))) {
		if (asprintf(&v, "%s%s%s<tel:+%s;verstat=%s>", name ? "\"" : "", name ? name : "",
		    name ? "\" " : "", tn, verstat) < 0)
			return STIR_ENOMEM;
	} else {
		const char *who = f->pai != NULL ? f->pai : f->from;

		if (who == NULL)
			return STIR_OK;
		if ((r = sipmsg_uri_add_param(who, "verstat", verstat, &v)) != STIR_OK)
			return r == STIR_ENOMEM ? r : STIR_OK;	/* no PAI then */
	}
	r = sip_answer_add(a, "P-Asserted-Identity", v);
	free(v);
	return r;
}

static bool
verstat_ok(const char *v)
{
	return v != NULL && (strcmp(v, "TN-Validation-Passed") == 0 ||
	    strcmp(v, "TN-Validation-Failed") == 0 || strcmp(v, "No-TN-Validation") == 0);
}

/* A reason phrase from stird: printable, no CR/LF; else the default. */
static void
set_phrase(struct sip_answer *a, const char *p, const char *dflt)
{
	snprintf(a->phrase, sizeof(a->phrase), "%s",
	    p != NULL && header_safe(p) && strlen(p) < sizeof(a->phrase) ? p : dflt);
}

int
sipmap_verify_answer(const struct sip_fields *f, const char *result_json,
    enum sipd_on_failure on_failure, struct sip_answer *ret)
{
	json_t *res = load(result_json), *action, *err;
	const char *verstat, *what;
	bool failed, reject;
	int r = STIR_EPROTO;

	sip_answer_init(ret, 302, "Moved Temporarily");
	if (res == NULL)
		goto out;
	verstat = json_string_value(json_object_get(res, "verstat"));
	if (!verstat_ok(verstat))
		goto out;
	action = json_object_get(res, "action");
	err = json_object_get(res, "error");
	what = json_string_value(json_object_get(action, "do"));
	failed = strcmp(verstat, "TN-Validation-Failed") == 0;
	switch (on_failure) {
	case SIPD_FAIL_REJECT:
		reject = failed;
		break;
	case SIPD_FAIL_MARK:
		reject = false;
		break;
	default:
		reject = what != NULL && strcmp(what, "reject") == 0;
		break;
	}
	if (reject) {
		json_int_t code = json_integer_value(json_object_get(action, "code"));
		const char *phrase = json_string_value(json_object_get(action, "reason_phrase"));

		if (code == 0) {
			code = json_integer_value(json_object_get(err, "code"));
			phrase = json_string_value(json_object_get(err, "reason"));
		}
		if (code < 400 || code > 699) {
			code = 438;
			phrase = NULL;
		}
		ret->code = (int)code;
		set_phrase(ret, phrase, code == 438 ? "Invalid Identity Header" : "Forbidden");
		r = add_each(ret, "Reason", json_object_get(res, "reason"));
		goto out;
	}
	if ((r = add_contact(f, ret)) != STIR_OK || (r = add_pai(f, res, verstat, ret)) != STIR_OK)
		goto out;
	/* call_info holds the verified parts only, each with verified="true" */
	if ((r = add_each(ret, "Call-Info",
	    json_object_get(json_object_get(res, "rcd"), "call_info"))) != STIR_OK)
		goto out;
	if (on_failure == SIPD_FAIL_FOLLOW)
		r = add_each(ret, "Reason", json_object_get(action, "reason"));
	else
		r = add_each(ret, "Reason", json_object_get(res, "reason"));
 out:
	json_decref(res);
	if (r != STIR_OK)
		sip_answer_clear(ret);
	return r;
}

/* A Warning (RFC 3261 section 20.43) with stird's message: quoted-string safe. */
static void
add_warning(struct sip_answer *a, int err, const char *errmsg)
{
	char text[256], *v = NULL;
	size_t n = 0;

	for (const char *p = errmsg != NULL ? errmsg : stir_strerror(err);
	    *p != '\0' && n + 1 < sizeof(text); p++)
		text[n++] = (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20 ||
		    *p == 0x7f) ? '\'' : *p;
	text[n] = '\0';
	if (asprintf(&v, "399 stird-sipd \"%s: %s\"", stir_errname(err), text) < 0)
		return;
	(void)sip_answer_add(a, "Warning", v);
	free(v);
}

void
sipmap_error_answer(enum sipd_op op, int err, const char *errmsg, unsigned retry_after,
    struct sip_answer *ret)
{
	char ra[16];

	switch (err) {
	case STIR_EIO:
	case STIR_ECONNREFUSED:
	case STIR_ESHUTDOWN:
	case STIR_EBUSY:
		sip_answer_init(ret, 503, "Service Unavailable");
		snprintf(ra, sizeof(ra), "%u", retry_after);
		(void)sip_answer_add(ret, "Retry-After", ra);
		break;
	case STIR_ETIMEDOUT:
		sip_answer_init(ret, 504, "Server Time-out");
		break;
	case STIR_EINVAL:
	case STIR_EBADREQ:
	case STIR_ETOOBIG:
		sip_answer_init(ret, 400, "Bad Request");
		break;
	case STIR_EPOLICY:
	case STIR_ENOENT:
	case STIR_ECERT:
		if (op == SIPD_OP_SIGN) {
			/* no credential may sign for this caller */
			sip_answer_init(ret, 403, "Forbidden");
			break;
		}
		/* FALLTHROUGH */
	default:
		sip_answer_init(ret, 500, "Server Internal Error");
		break;
	}
	add_warning(ret, err, errmsg);
}
