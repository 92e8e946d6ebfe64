/*
 * op_state.c: state.export and state.apply (admin socket), the declared
 * state of a host as one document (doc/fleet-state.md), and its digest.
 *
 * The document holds what an operator declares and nothing a host makes
 * itself: the trust anchors (PEM, rcd flag) by fingerprint, the
 * credentials by name (key name, chain, x5u, tns, spc: never key bytes
 * or a PIN), the RCD policy documents by name, and the settings
 * (connected_identity, the stored value else stird.conf's).  Its digest
 * is SHA-256 over its canonical JSON (sorted keys, compact), so two
 * hosts with the same state show the same digest in `stirctl status`.
 *
 * state.apply checks the document on the loop (members, names, TN specs,
 * x5u, the policies as policy.add checks them), fetches and judges the
 * content of new or changed policies as policy.add does, then on the
 * store thread, in the audited transaction and inside one savepoint,
 * makes the store match: every credential added or changed goes through
 * stir_cred_add() (its key must exist and match its chain), every anchor
 * through the checks of trust.add.  Any failure, and a dry run, rolls the
 * savepoint back: all or nothing.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>

#include "stirclient.h"
#include "daemon/base/conf.h"
#include "daemon/base/log.h"
#include "daemon/keys/signer.h"
#include "daemon/ops/ops.h"
#include "daemon/pki/cert.h"
#include "daemon/sign/creds.h"
#include "daemon/sign/policy.h"
#include "daemon/sign/policy_content.h"
#include "daemon/stir/tnspec.h"
#include "daemon/store/store.h"

/* ---- the document, read from the store (store thread) ---- */

/* A PKCS#11 URL (0.3 credentials) without its query: no PIN leaves. */
static json_t *
key_ref_json(const char *key_ref)
{
	const char *q;

	if (strncmp(key_ref, "pkcs11:", 7) == 0 && (q = strchr(key_ref, '?')) != NULL)
		return json_stringn(key_ref, (size_t)(q - key_ref));
	return json_string(key_ref);
}

static int
cmp_trust_row(const void *a, const void *b)
{
	return strcmp(((const struct stir_trust_row *)a)->sha256,
	    ((const struct stir_trust_row *)b)->sha256);
}

/* arr with item appended (both taken), or NULL having freed them. */
static json_t *
push(json_t *arr, json_t *item)
{
	if (arr != NULL && json_array_append_new(arr, item) == 0)
		return arr;
	json_decref(arr);
	return NULL;
}

static json_t *
cred_json(const struct stir_cred_row *row)
{
	json_t *o = json_pack("{s:s, s:o, s:s, s:s}", "name", row->name, "key",
	    key_ref_json(row->key_ref), "chain", row->chain_pem, "x5u", row->x5u);

	if (o != NULL && row->tns != NULL &&
	    json_object_set_new(o, "tns", json_loads(row->tns, 0, NULL)) != 0) {
		json_decref(o);
		return NULL;
	}
	if (o != NULL && row->spc != NULL &&
	    json_object_set_new(o, "spc", json_string(row->spc)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * The declared state in the store, as a document; conf_ci is stird.conf's
 * connected_identity (the value when none is stored).
 */
static int
state_read(struct stir_store *store, const char *conf_ci, json_t **ret)
{
	struct stir_trust_row *trust = NULL;
	struct stir_cred_row *creds = NULL;
	struct stir_policy_row *pols = NULL;
	size_t nt = 0, nc = 0, np = 0;
	char *ci = NULL;
	json_t *doc = NULL, *t = json_array(), *c = json_array(), *p = json_array();
	int r;

	if ((r = stir_store_trust_list(store, &trust, &nt)) != STIR_OK ||
	    (r = stir_store_cred_list(store, &creds, &nc)) != STIR_OK ||
	    (r = stir_store_policy_list(store, &pols, &np)) != STIR_OK)
		goto out;
	if ((r = stir_store_setting_get(store, STIR_SETTING_CONNECTED_IDENTITY, &ci)) != STIR_OK &&
	    r != STIR_ENOENT)
		goto out;
	/* credentials and policies come by name; anchors go by fingerprint */
	if (nt > 1)
		qsort(trust, nt, sizeof(*trust), cmp_trust_row);
	for (size_t i = 0; i < nt; i++)
		t = push(t, json_pack("{s:s, s:b}", "pem", trust[i].pem, "rcd", trust[i].rcd));
	for (size_t i = 0; i < nc; i++)
		c = push(c, cred_json(&creds[i]));
	for (size_t i = 0; i < np; i++)
		p = push(p, json_loads(pols[i].doc, 0, NULL));
	doc = json_pack("{s:i, s:o, s:o, s:o, s:{s:s}}", "version", STIR_P_STATE_VERSION,
	    "trust", t, "credentials", c, "policies", p, "settings", "connected_identity",
	    ci != NULL ? ci : conf_ci);
	t = c = p = NULL;	/* the document took them, or they are gone */
	r = doc != NULL ? STIR_OK : STIR_ENOMEM;
	if (r == STIR_OK) {
		*ret = doc;
		doc = NULL;
	}
 out:
	json_decref(t);
	json_decref(c);
	json_decref(p);
	free(ci);
	stir_store_trust_rows_free(trust, nt);
	stir_store_cred_rows_free(creds, nc);
	stir_store_policy_rows_free(pols, np);
	return r;
}

/* SHA-256 over the canonical JSON of doc, in hex. */
static int
state_digest(const json_t *doc, char hex[static STIR_STATE_DIGEST_LEN + 1])
{
	unsigned char md[32];
	char *text;
	size_t len = 0;
	int r = STIR_OK;

	if ((text = stir_json_dump(doc, JSON_SORT_KEYS | JSON_COMPACT, 0, &len)) == NULL)
		return STIR_ENOMEM;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, text, len, md) < 0)
		r = STIR_ECRYPTO;
	else
		for (size_t i = 0; i < sizeof(md); i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
	free(text);
	return r;
}

int
stir_state_digest_read(struct stir_store *store, const char *conf_ci,
    char hex[static STIR_STATE_DIGEST_LEN + 1])
{
	json_t *doc = NULL;
	int r;

	if ((r = state_read(store, conf_ci, &doc)) == STIR_OK)
		r = state_digest(doc, hex);
	json_decref(doc);
	return r;
}

/* ---- state.export ---- */

struct state_ctx {
	json_t			*out;
	struct stir_state_parts	 parts;
	/* apply: the checked document, and what the loop found out */
	json_t			*state;
	json_t			*content;	/* policy name -> fetched content */
	json_t			*errors;	/* content refused: "policy 'x': url: why" */
	unsigned		 pending;	/* content fetches outstanding */
	bool			 dry_run;
};

static void
state_ctx_free(void *p)
{
	struct state_ctx *x = p;

	if (x == NULL)
		return;
	json_decref(x->out);
	json_decref(x->state);
	json_decref(x->content);
	json_decref(x->errors);
	stir_state_parts_clear(&x->parts);
	free(x);
}

static void
state_done(struct stir_req *req)
{
	struct state_ctx *x = req->ctx;

	stir_op_install_done(req, &x->parts, &x->out);
}

static void
export_work(struct stir_req *req)
{
	struct state_ctx *x = req->ctx;
	char hex[STIR_STATE_DIGEST_LEN + 1];
	json_t *doc = NULL;
	int r;

	if ((r = state_read(req->conn->srv->store, req->state->cfg->connected_identity,
	    &doc)) != STIR_OK || (r = state_digest(doc, hex)) != STIR_OK) {
		stir_req_set_error(req, r, "cannot read the state");
		json_decref(doc);
		return;
	}
	x->out = json_pack("{s:o, s:s}", "state", doc, "digest", hex);
}

void
op_state_export(struct stir_req *req)
{
	if (stir_req_begin(req, sizeof(struct state_ctx), state_ctx_free) == NULL)
		return;
	stir_req_queue(req, export_work, state_done);
}

/* ---- state.apply: checks on the loop ---- */

/* Does the declared list want (of objects with a "name") name name? */
static bool
declared(json_t *want, const char *name)
{
	json_t *o;
	size_t i;

	json_array_foreach(want, i, o)
		if (strcmp(stir_param_str(o, "name"), name) == 0)
			return true;
	return false;
}

static int
check_members(json_t *o, const struct stir_field *fields, const char *what, char *msg,
    size_t msglen)
{
	char m[STIR_OP_CHECK_MSG_MAX];
	int r;

	if (!json_is_object(o)) {
		snprintf(msg, msglen, "%s must be an object", what);
		return STIR_EBADREQ;
	}
	if ((r = stir_proto_check(o, fields, m, sizeof(m))) != STIR_OK)
		snprintf(msg, msglen, "%s: %s", what, m);
	return r;
}

static int
check_creds(struct stir_req *req, json_t *creds, char *msg, size_t msglen)
{
	json_t *c, *seen = json_object();
	char what[96], m[384];
	size_t i;
	int r = STIR_OK;

	json_array_foreach(creds, i, c) {
		const char *name;

		snprintf(what, sizeof(what), "credentials[%zu]", i);
		if ((r = check_members(c, stir_state_cred_fields, what, msg, msglen)) != STIR_OK)
			break;
		name = stir_param_str(c, "name");
		r = STIR_EINVAL;
		if (stir_signer_name_check(name) != STIR_OK) {
			snprintf(msg, msglen, "%s: a credential name is 1-%d of A-Z a-z 0-9 _ . - and does not start with '.'",
			    what, STIR_CRED_NAME_MAX);
			break;
		}
		if (json_object_get(seen, name) != NULL) {
			snprintf(msg, msglen, "credential '%s' is declared twice", name);
			break;
		}
		if (stir_signer_name_check(stir_param_str(c, "key")) != STIR_OK) {
			snprintf(msg, msglen, "credential '%s': field 'key' must name a key of the key store (key_dir/NAME.key, or a PKCS#11 registration key_dir/NAME.p11)",
			    name);
			break;
		}
		if (stir_op_check_x5u(req->state->cfg, stir_param_str(c, "x5u"), m, sizeof(m)) != STIR_OK ||
		    stir_op_check_tns(json_object_get(c, "tns"), m, sizeof(m)) != STIR_OK) {
			snprintf(msg, msglen, "credential '%s': %s", name, m);
			break;
		}
		(void)json_object_set_new(seen, name, json_true());
		r = STIR_OK;
	}
	json_decref(seen);
	return r;
}

/*
 * The policies, parsed as policy.add parses them (*ret_parsed, one per
 * document), each bound to a declared credential if to any, and none
 * matched the same way as another.
 */
static int
check_policies(json_t *pols, json_t *creds,
    struct stir_policy ***ret_parsed, char *msg, size_t msglen)
{
	struct stir_policy **v;
	size_t n = json_array_size(pols), i, k;
	json_t *doc;
	char m[384];
	int r = STIR_OK;

	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return STIR_ENOMEM;
	json_array_foreach(pols, i, doc) {
		char *text = json_is_object(doc) ? stir_json_dump(doc, JSON_COMPACT, 0, NULL) : NULL;

		if (!json_is_object(doc)) {
			snprintf(msg, msglen, "policies[%zu] must be an object (a policy document)", i);
			r = STIR_EBADREQ;
			break;
		}
		if (text == NULL) {
			r = STIR_ENOMEM;
			snprintf(msg, msglen, "out of memory");
			break;
		}
		r = stir_policy_parse(text, strlen(text), &v[i], m, sizeof(m));
		free(text);
		if (r != STIR_OK) {
			const char *nm = stir_param_str(doc, "name");

			snprintf(msg, msglen, "RCD policy '%.64s': %s", nm != NULL ? nm : "?", m);
			break;
		}
		for (k = 0; k < i; k++)
			if (strcmp(v[k]->name, v[i]->name) == 0)
				break;
		if (k < i) {
			snprintf(msg, msglen, "RCD policy '%s' is declared twice", v[i]->name);
			r = STIR_EINVAL;
			break;
		}
		if (v[i]->cred != NULL && !declared(creds, v[i]->cred)) {
			snprintf(msg, msglen, "RCD policy '%s' names credential '%s', which the state does not declare",
			    v[i]->name, v[i]->cred);
			r = STIR_EPOLICY;
			break;
		}
		for (k = 0; k < i; k++) {
			struct stir_policies one = { .v = v[k], .n = 1 };
			const char *other;
			size_t at = 0;

			if ((other = stir_policy_duplicate(&one, v[i], &at)) == NULL)
				continue;
			if (v[i]->nspecs > 0)
				snprintf(msg, msglen, "RCD policy '%s': match.tns[%zu] is matched the same way by RCD policy '%s'; a call must have one policy",
				    v[i]->name, at, other);
			else
				snprintf(msg, msglen, "RCD policy '%s' is bound to the same credential alone as RCD policy '%s'",
				    v[i]->name, other);
			r = STIR_EEXIST;
			break;
		}
		if (r != STIR_OK)
			break;
	}
	if (r != STIR_OK) {
		for (i = 0; i < n; i++)
			stir_policy_free(v[i]);
		free(v);
		return r;
	}
	*ret_parsed = v;
	return STIR_OK;
}

static int
check_state(struct stir_req *req, json_t *st, char *msg, size_t msglen)
{
	json_t *t, *ci;
	char what[64];
	size_t i;
	int r;

	if ((r = check_members(st, stir_state_fields, "field 'state'", msg, msglen)) != STIR_OK)
		return r;
	if (json_integer_value(json_object_get(st, "version")) != STIR_P_STATE_VERSION) {
		snprintf(msg, msglen, "field 'state': version %d is the one this stird knows",
		    STIR_P_STATE_VERSION);
		return STIR_EINVAL;
	}
	json_array_foreach(json_object_get(st, "trust"), i, t) {
		snprintf(what, sizeof(what), "trust[%zu]", i);
		if ((r = check_members(t, stir_state_trust_fields, what, msg, msglen)) != STIR_OK)
			return r;
	}
	if ((r = check_members(json_object_get(st, "settings"), stir_state_settings_fields,
	    "settings", msg, msglen)) != STIR_OK)
		return r;
	ci = json_object_get(json_object_get(st, "settings"), "connected_identity");
	if (ci != NULL && !stir_tnspec_list_ok(json_string_value(ci))) {
		snprintf(msg, msglen, "settings: 'connected_identity' is a list of numbers, prefixes (1215555*) and ranges (a-b), separated by commas");
		return STIR_EINVAL;
	}
	return check_creds(req, json_object_get(st, "credentials"), msg, msglen);
}

/* ---- state.apply: on the store thread ---- */

/* What one apply does, and says it does. */
struct apply {
	struct stir_req		*req;
	struct stir_store	*store;
	json_t			*changes;	/* [{kind, name, action}] */
	int64_t			 now;
	char			 msg[512];
};

static int
change(struct apply *a, const char *kind, const char *name, const char *action)
{
	if (json_array_append_new(a->changes, json_pack("{s:s, s:s, s:s}", "kind", kind,
	    "name", name, "action", action)) != 0) {
		snprintf(a->msg, sizeof(a->msg), "out of memory");
		return STIR_ENOMEM;
	}
	return STIR_OK;
}

/* The anchors: by fingerprint; a changed rcd flag is a change. */
static int
apply_trust(struct apply *a, json_t *want)
{
	struct stir_trust_row *have = NULL;
	struct stir_trust_row *rows = NULL;
	struct stir_cert_info *infos = NULL;
	size_t nh = 0, nw = json_array_size(want), i, k;
	char m[384];
	json_t *t;
	int r;

	if ((r = stir_store_trust_list(a->store, &have, &nh)) != STIR_OK) {
		snprintf(a->msg, sizeof(a->msg), "cannot read the trust anchors");
		return r;
	}
	if ((rows = calloc(nw + 1, sizeof(*rows))) == NULL ||
	    (infos = calloc(nw + 1, sizeof(*infos))) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	/* every declared anchor parses and passes trust.add's checks first */
	json_array_foreach(want, i, t) {
		const char *pem = stir_param_str(t, "pem");
		struct stir_chain *c = NULL;

		if (stir_chain_parse(pem, strlen(pem), 2, false, &c) != STIR_OK || c->n != 1) {
			snprintf(a->msg, sizeof(a->msg), "trust[%zu]: not one PEM certificate", i);
			stir_chain_free(c);
			r = STIR_ECERT;
			goto out;
		}
		snprintf(m, sizeof(m), "the certificate cannot be read");
		if ((r = stir_trust_check(c->crt[0], (time_t)a->now, m, sizeof(m))) == STIR_OK)
			r = stir_op_anchor_row(c->crt[0], json_is_true(json_object_get(t, "rcd")),
			    a->now, &rows[i], &infos[i]);
		stir_chain_free(c);
		if (r != STIR_OK) {
			snprintf(a->msg, sizeof(a->msg), "trust[%zu]: %s", i, m);
			goto out;
		}
		for (k = 0; k < i; k++)
			if (strcmp(rows[k].sha256, rows[i].sha256) == 0) {
				snprintf(a->msg, sizeof(a->msg), "trust[%zu]: anchor %s is declared twice",
				    i, rows[i].sha256);
				r = STIR_EINVAL;
				goto out;
			}
	}
	for (k = 0; k < nh; k++) {
		for (i = 0; i < nw; i++)
			if (strcmp(have[k].sha256, rows[i].sha256) == 0)
				break;
		if (i < nw && have[k].rcd == rows[i].rcd)
			continue;
		if ((r = stir_store_trust_remove(a->store, have[k].id)) != STIR_OK) {
			snprintf(a->msg, sizeof(a->msg), "cannot remove trust anchor %s", have[k].sha256);
			goto out;
		}
		if (i == nw && (r = change(a, "trust", have[k].sha256, "remove")) != STIR_OK)
			goto out;
	}
	for (i = 0; i < nw; i++) {
		int64_t id = 0;
		bool had = false, same = false;

		for (k = 0; k < nh; k++)
			if (strcmp(have[k].sha256, rows[i].sha256) == 0) {
				had = true;
				same = have[k].rcd == rows[i].rcd;
			}
		if (same)
			continue;
		if ((r = stir_store_trust_add(a->store, &rows[i], &id)) != STIR_OK) {
			snprintf(a->msg, sizeof(a->msg), "cannot store trust anchor %s", rows[i].sha256);
			goto out;
		}
		if ((r = change(a, "trust", rows[i].sha256, had ? "change" : "add")) != STIR_OK)
			goto out;
	}
	r = STIR_OK;
 out:
	for (i = 0; rows != NULL && i < nw; i++)
		free(rows[i].pem);
	free(rows);
	free(infos);
	stir_store_trust_rows_free(have, nh);
	return r;
}

/* The row named name among n rows of size bytes, whose name is at name_off. */
static const void *
find_named(const void *rows, size_t n, size_t size, size_t name_off, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		const char *row = (const char *)rows + i * size;

		if (strcmp(*(char *const *)(const void *)(row + name_off), name) == 0)
			return row;
	}
	return NULL;
}

/* Is the stored credential the one declared? */
static bool
cred_same(const struct stir_cred_row *row, json_t *want)
{
	json_t *have_json = cred_json(row);
	bool same = have_json != NULL && json_equal(have_json, want);

	json_decref(have_json);
	return same;
}

/* Add or change the declared credentials (their keys and chains checked). */
static int
apply_creds_put(struct apply *a, json_t *want, const struct stir_cred_row *have, size_t nh)
{
	struct stir_server *srv = a->req->conn->srv;
	json_t *c, *ignored = NULL;
	size_t i;
	int r;

	json_array_foreach(want, i, c) {
		const struct stir_cred_row *row = find_named(have, nh, sizeof(*have),
		    offsetof(struct stir_cred_row, name), stir_param_str(c, "name"));
		json_t *tns = json_object_get(c, "tns");
		struct stir_cred_add in = {
			.name = stir_param_str(c, "name"),
			.key = stir_param_str(c, "key"),
			.chain_pem = stir_param_str(c, "chain"),
			.x5u = stir_param_str(c, "x5u"),
			.tns = tns,
			.spc = stir_param_str(c, "spc"),
			.replace = row != NULL,
		};
		char m[384];

		if (row != NULL && cred_same(row, c))
			continue;
		r = stir_cred_add(a->store, srv->signer, &in, a->now, &ignored, m, sizeof(m));
		json_decref(ignored);
		ignored = NULL;
		if (r != STIR_OK) {
			snprintf(a->msg, sizeof(a->msg), "credential '%s': %s", in.name, m);
			return r;
		}
		if ((r = change(a, "credential", in.name, row != NULL ? "change" : "add")) != STIR_OK)
			return r;
	}
	return STIR_OK;
}

static int
apply_creds_remove(struct apply *a, json_t *want, const struct stir_cred_row *have, size_t nh)
{
	int r;

	for (size_t k = 0; k < nh; k++) {
		if (declared(want, have[k].name))
			continue;
		if ((r = stir_store_cred_remove(a->store, have[k].name)) != STIR_OK) {
			snprintf(a->msg, sizeof(a->msg), r == STIR_EPOLICY ?
			    "credential '%s' is used by an RCD policy" :
			    "cannot remove credential '%s'", have[k].name);
			return r;
		}
		if ((r = change(a, "credential", have[k].name, "remove")) != STIR_OK)
			return r;
	}
	return STIR_OK;
}

/* Is the stored policy the one declared? */
static bool
policy_same(const struct stir_policy_row *row, json_t *want)
{
	json_t *doc = row != NULL ? json_loads(row->doc, 0, NULL) : NULL;
	bool same = doc != NULL && json_equal(doc, want);

	json_decref(doc);
	return same;
}

static int
apply_policies_remove(struct apply *a, json_t *want, const struct stir_policy_row *have,
    size_t nh)
{
	int r;

	for (size_t k = 0; k < nh; k++) {
		if (declared(want, have[k].name))
			continue;
		if ((r = stir_store_policy_remove(a->store, have[k].name)) != STIR_OK) {
			snprintf(a->msg, sizeof(a->msg), "cannot remove RCD policy '%s'", have[k].name);
			return r;
		}
		if ((r = change(a, "policy", have[k].name, "remove")) != STIR_OK)
			return r;
	}
	return STIR_OK;
}

static int
apply_policies_put(struct apply *a, json_t *want, json_t *fetched,
    const struct stir_policy_row *have, size_t nh)
{
	json_t *p;
	size_t i;
	int r;

	json_array_foreach(want, i, p) {
		const char *name = stir_param_str(p, "name");
		const struct stir_policy_row *row = find_named(have, nh, sizeof(*have),
		    offsetof(struct stir_policy_row, name), name);
		json_t *content = json_object_get(fetched, name), *match;
		struct stir_policy_row put;
		char *doc = NULL, *text = NULL;

		if (row != NULL && policy_same(row, p))
			continue;
		if (content == NULL) {
			/* the running state said unchanged; the store says otherwise */
			snprintf(a->msg, sizeof(a->msg), "RCD policy '%s' changed while the state was applied; apply again",
			    name);
			return STIR_EBUSY;
		}
		match = json_object_get(p, "match");
		memset(&put, 0, sizeof(put));
		put.name = (char *)name;
		put.cred = (char *)stir_param_str(match, "cred");
		put.created = put.updated = a->now;
		if ((doc = stir_json_dump(p, JSON_COMPACT, 0, NULL)) == NULL ||
		    (text = stir_json_dump(content, JSON_COMPACT, 0, NULL)) == NULL) {
			free(doc);
			snprintf(a->msg, sizeof(a->msg), "out of memory");
			return STIR_ENOMEM;
		}
		put.doc = doc;
		put.content = text;
		r = stir_store_policy_put(a->store, &put, true);
		free(doc);
		free(text);
		if (r != STIR_OK) {
			snprintf(a->msg, sizeof(a->msg), r == STIR_EPOLICY ?
			    "RCD policy '%s' names credential '%s', which does not exist" :
			    "cannot store RCD policy '%s'", name, put.cred != NULL ? put.cred : "");
			return r;
		}
		if ((r = change(a, "policy", name, row != NULL ? "change" : "add")) != STIR_OK)
			return r;
	}
	return STIR_OK;
}

/* connected_identity: declared, it is stored unless it is the value already. */
static int
apply_settings(struct apply *a, json_t *settings, const char *conf_ci)
{
	const char *want = stir_param_str(settings, "connected_identity");
	char *have = NULL;
	int r;

	r = stir_store_setting_get(a->store, STIR_SETTING_CONNECTED_IDENTITY, &have);
	if (r != STIR_OK && r != STIR_ENOENT) {
		snprintf(a->msg, sizeof(a->msg), "cannot read the settings");
		return r;
	}
	r = STIR_OK;
	if (want != NULL && strcmp(want, have != NULL ? have : conf_ci) == 0)
		goto out;
	if (want == NULL && have == NULL)
		goto out;
	if ((r = stir_store_setting_set(a->store, STIR_SETTING_CONNECTED_IDENTITY, want)) != STIR_OK) {
		snprintf(a->msg, sizeof(a->msg), "cannot store the settings");
		goto out;
	}
	r = change(a, "setting", STIR_SETTING_CONNECTED_IDENTITY, want == NULL ?
	    "remove" : have != NULL || conf_ci[0] != '\0' ? "change" : "add");
 out:
	free(have);
	return r;
}

/*
 * Make the store match st: anchors, then policies that go (they hold
 * their credentials), credentials added or changed, policies added or
 * changed, credentials that go, and settings.  The caller's savepoint
 * undoes whatever was written before a failure.
 */
static int
apply_all(struct apply *a, json_t *st, json_t *fetched, const char *conf_ci)
{
	struct stir_cred_row *creds = NULL;
	struct stir_policy_row *pols = NULL;
	json_t *wc = json_object_get(st, "credentials"), *wp = json_object_get(st, "policies");
	size_t nc = 0, np = 0;
	int r;

	if ((r = stir_store_cred_list(a->store, &creds, &nc)) != STIR_OK ||
	    (r = stir_store_policy_list(a->store, &pols, &np)) != STIR_OK) {
		snprintf(a->msg, sizeof(a->msg), "cannot read the store");
		goto out;
	}
	if ((r = apply_trust(a, json_object_get(st, "trust"))) != STIR_OK ||
	    (r = apply_policies_remove(a, wp, pols, np)) != STIR_OK ||
	    (r = apply_creds_put(a, wc, creds, nc)) != STIR_OK ||
	    (r = apply_policies_put(a, wp, fetched, pols, np)) != STIR_OK ||
	    (r = apply_creds_remove(a, wc, creds, nc)) != STIR_OK)
		goto out;
	r = apply_settings(a, json_object_get(st, "settings"), conf_ci);
 out:
	stir_store_cred_rows_free(creds, nc);
	stir_store_policy_rows_free(pols, np);
	return r;
}

static void
reload_all(struct stir_req *req)
{
	struct state_ctx *x = req->ctx;
	char msg[256];

	if (stir_server_load(req->conn->srv, STIR_LOAD_CREDS | STIR_LOAD_TRUST,
	    req->state->cfg->crl_file, &x->parts, msg, sizeof(msg)) != STIR_OK)
		log_err("the state could not be reloaded after state.apply: %s", msg);
}

/* Store thread, in the audited transaction. */
static void
apply_work(struct stir_req *req)
{
	struct state_ctx *x = req->ctx;
	struct apply a = { .req = req, .store = req->conn->srv->store,
	    .now = (int64_t)time(NULL) };
	const char *conf_ci = req->state->cfg->connected_identity;
	char before[STIR_STATE_DIGEST_LEN + 1], after[STIR_STATE_DIGEST_LEN + 1];
	bool keep;
	int r;

	snprintf(req->audit_subject, sizeof(req->audit_subject), "state%s",
	    x->dry_run ? " (dry run)" : "");
	if ((a.changes = json_array()) == NULL) {
		stir_req_set_error(req, STIR_ENOMEM, NULL);
		return;
	}
	if ((r = stir_state_digest_read(a.store, conf_ci, before)) != STIR_OK) {
		stir_req_set_error(req, r, "cannot read the state");
		goto out;
	}
	if ((r = stir_store_savepoint(a.store)) != STIR_OK) {
		stir_req_set_error(req, r, "the database is unavailable: nothing was changed");
		goto out;
	}
	if ((r = apply_all(&a, x->state, x->content, conf_ci)) != STIR_OK)
		stir_req_set_error(req, r, "%s: nothing was changed", a.msg);
	else if ((r = stir_state_digest_read(a.store, conf_ci, after)) != STIR_OK)
		stir_req_set_error(req, r, "cannot read the state: nothing was changed");
	keep = r == STIR_OK && !x->dry_run;
	if (stir_store_savepoint_end(a.store, !keep) != STIR_OK && req->err == STIR_OK)
		stir_req_set_error(req, STIR_EDB, "the database failed: nothing was changed");
	if (req->err != STIR_OK)
		goto out;
	snprintf(req->audit_subject, sizeof(req->audit_subject), "state%s: %zu change(s), digest %.16s",
	    x->dry_run ? " (dry run)" : "", json_array_size(a.changes), after);
	if (keep && json_array_size(a.changes) > 0)
		req->commit_fn = reload_all;
	x->out = json_pack("{s:b, s:I, s:O, s:s, s:s}", "dry_run", x->dry_run,
	    "changed", (json_int_t)json_array_size(a.changes), "changes", a.changes,
	    "digest_before", before, "digest_after", after);
	if (x->out == NULL)
		stir_req_set_error(req, STIR_ENOMEM, NULL);
 out:
	json_decref(a.changes);
}

/* ---- state.apply: the content of new and changed policies (loop) ---- */

struct fetch_arg {
	struct stir_req	*req;
	char		 name[STIR_POLICY_NAME_MAX + 1];
};

static void
apply_fetched(struct stir_req *req)
{
	struct state_ctx *x = req->ctx;

	if (--x->pending > 0)
		return;
	if (json_array_size(x->errors) > 0) {
		stir_req_fail(req, STIR_EPOLICY, "%s%s: nothing was changed",
		    json_string_value(json_array_get(x->errors, 0)),
		    json_array_size(x->errors) > 1 ? " (and more)" : "");
		return;
	}
	stir_req_queue(req, apply_work, state_done);
}

static void
policy_fetched(void *arg, json_t *content, json_t *errors)
{
	struct fetch_arg *f = arg;
	struct state_ctx *x = f->req->ctx;

	if (json_array_size(errors) > 0)
		(void)json_array_append_new(x->errors, json_sprintf("RCD policy '%s': content refused: %s",
		    f->name, json_string_value(json_array_get(errors, 0))));
	else
		(void)json_object_set(x->content, f->name, content);
	apply_fetched(f->req);
	free(f);
}

/* Is policy p of the running state the one declared as doc? */
static bool
policy_unchanged(const struct stir_req *req, const struct stir_policy *p)
{
	const struct stir_policy *have = stir_policies_find(req->state->creds->policies, p->name);

	return have != NULL && json_equal(have->doc, p->doc);
}

void
op_state_apply(struct stir_req *req)
{
	struct state_ctx *x;
	struct stir_policy **parsed = NULL;
	json_t *st = json_object_get(req->env->params, "state");
	char msg[512];
	size_t n = 0;
	int r;

	if ((x = stir_req_begin(req, sizeof(struct state_ctx), state_ctx_free)) == NULL)
		return;
	x->dry_run = json_is_true(json_object_get(req->env->params, "dry_run"));
	snprintf(req->audit_subject, sizeof(req->audit_subject), "state%s",
	    x->dry_run ? " (dry run)" : "");
	if ((r = check_state(req, st, msg, sizeof(msg))) != STIR_OK ||
	    (r = check_policies(json_object_get(st, "policies"),
	    json_object_get(st, "credentials"), &parsed, msg, sizeof(msg))) != STIR_OK) {
		stir_req_fail(req, r, "%s: nothing was changed", msg);
		return;
	}
	n = json_array_size(json_object_get(st, "policies"));
	x->state = json_incref(st);
	if ((x->content = json_object()) == NULL || (x->errors = json_array()) == NULL) {
		for (size_t i = 0; i < n; i++)
			stir_policy_free(parsed[i]);
		free(parsed);
		stir_req_fail(req, STIR_ENOMEM, NULL);
		return;
	}
	x->pending = 1;		/* until every fetch below has started */
	for (size_t i = 0; i < n; i++) {
		struct fetch_arg *f;

		if (policy_unchanged(req, parsed[i]))
			continue;
		if ((f = calloc(1, sizeof(*f))) == NULL) {
			(void)json_array_append_new(x->errors, json_string("out of memory"));
			break;
		}
		f->req = req;
		snprintf(f->name, sizeof(f->name), "%s", parsed[i]->name);
		x->pending++;
		if (stir_policy_content_fetch(req->conn->srv, parsed[i], policy_fetched, f) != STIR_OK) {
			x->pending--;
			free(f);
			(void)json_array_append_new(x->errors, json_string("out of memory"));
			break;
		}
	}
	for (size_t i = 0; i < n; i++)
		stir_policy_free(parsed[i]);
	free(parsed);
	apply_fetched(req);
}
