/* op_admin.c: key.*, cred.*, trust.* and audit.list (admin socket). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stirclient.h"
#include "daemon/pki/cert.h"
#include "daemon/sign/creds.h"
#include "daemon/stir/url.h"
#include "daemon/ops/ops.h"
#include "daemon/base/log.h"
#include "daemon/keys/signer.h"
#include "daemon/store/store.h"


/* Shared state of an admin request; fields used as each op needs. */
struct admin_ctx {
	char			 name[STIR_CRED_NAME_MAX + 1];
	char			*pub_pem;
	json_t			*out;		/* built on the pool, returned */
	struct stir_state_parts	 parts;		/* credentials or trust, reloaded */
	int64_t			 id;
	size_t			 limit;
};

static void
admin_ctx_free(void *p)
{
	struct admin_ctx *x = p;

	if (x == NULL)
		return;
	free(x->pub_pem);
	json_decref(x->out);
	stir_state_parts_clear(&x->parts);
	free(x);
}

/* Attach a context; replies and returns NULL on error. */
static struct admin_ctx *
admin_begin(struct stir_req *req)
{
	return stir_req_begin(req, sizeof(struct admin_ctx), admin_ctx_free);
}

/* Done callback: install what was reloaded, hand over x->out. */
static void
admin_done(struct stir_req *req)
{
	struct admin_ctx *x = req->ctx;

	stir_op_install_done(req, &x->parts, &x->out);
}

static void
reload_trust(struct stir_req *req)
{
	struct admin_ctx *x = req->ctx;
	char msg[256];

	if (stir_server_load(req->conn->srv, STIR_LOAD_TRUST, req->state->cfg->crl_file,
	    &x->parts, msg, sizeof(msg)) != STIR_OK)
		log_err("trust anchors could not be reloaded after %s: %s", req->op->schema->name, msg);
}

static void
reload_creds(struct stir_req *req)
{
	struct admin_ctx *x = req->ctx;
	char msg[256];

	if (stir_server_load(req->conn->srv, STIR_LOAD_CREDS, NULL, &x->parts, msg,
	    sizeof(msg)) != STIR_OK)
		log_err("credentials could not be reloaded after %s: %s", req->op->schema->name, msg);
}

/* ---- keys ---- */

/* Store thread, after the audit record of key.remove is committed. */
static void
key_remove_commit(struct stir_req *req)
{
	struct admin_ctx *x = req->ctx;
	struct stir_conn *c = req->conn;
	int r;

	if ((r = stir_signer_key_remove(c->srv->signer, x->name)) == STIR_OK)
		return;
	stir_req_set_error(req, r, "key '%s': %s", x->name, stir_strerror(r));
	/* the record says it went: add that it did not */
	if (stir_store_audit(c->srv->store, (int64_t)time(NULL), c->uid, c->pid,
	    req->op->schema->name, req->audit_subject, r) != STIR_OK)
		log_err("key '%s' could not be removed (%s) and the audit log could not say so",
		    x->name, stir_strerror(r));
}


static int
key_name_ok(struct stir_req *req, const char *name)
{
	if (stir_signer_name_check(name) != STIR_OK) {
		stir_req_fail(req, STIR_EINVAL, "field 'name': a key name is 1-%d of A-Z a-z 0-9 _ . - and does not start with '.'",
		    STIR_KEY_NAME_MAX);
		return 0;
	}
	return 1;
}

/* The audit record of a new key could not be written: the key goes. */
static void
key_new_undo(struct stir_req *req)
{
	struct admin_ctx *x = req->ctx;
	int r;

	if ((r = stir_signer_key_remove(req->conn->srv->signer, x->name)) != STIR_OK)
		log_err("key '%s' was made but its audit record failed, and it cannot be removed: %s",
		    x->name, stir_strerror(r));
}

static void
key_new_work(struct stir_req *req)
{
	struct admin_ctx *x = req->ctx;
	json_t *p = req->env->params;
	int r;

	snprintf(req->audit_subject, sizeof(req->audit_subject), "key %s", x->name);
	if (json_object_get(p, "pem") != NULL) {
		json_t *pem = json_object_get(p, "pem");

		r = stir_signer_key_import(req->conn->srv->signer, x->name,
		    (char *)json_string_value(pem), json_string_length(pem), &x->pub_pem);
	} else
		r = stir_signer_key_generate(req->conn->srv->signer, x->name, &x->pub_pem);
	if (r == STIR_EEXIST)
		stir_req_set_error(req, r, "a key named '%s' exists already", x->name);
	else if (r == STIR_EKEY)
		stir_req_set_error(req, r, "not an unencrypted PEM EC P-256 private key (PKCS#8 or SEC1)");
	else if (r != STIR_OK)
		stir_req_set_error(req, r, "key '%s': %s", x->name, stir_strerror(r));
	else {
		x->out = json_pack("{s:s, s:s}", "name", x->name, "public_key", x->pub_pem);
		req->undo_fn = key_new_undo;
	}
}

void
op_key_generate(struct stir_req *req)
{
	struct admin_ctx *x;

	if ((x = admin_begin(req)) == NULL)
		return;
	if (!key_name_ok(req, stir_param_str(req->env->params, "name")))
		return;
	snprintf(x->name, sizeof(x->name), "%s", stir_param_str(req->env->params, "name"));
	stir_req_queue(req, key_new_work, admin_done);
}

void
op_key_import(struct stir_req *req)
{
	struct admin_ctx *x;

	if ((x = admin_begin(req)) == NULL)
		return;
	if (!key_name_ok(req, stir_param_str(req->env->params, "name")))
		return;
	snprintf(x->name, sizeof(x->name), "%s", stir_param_str(req->env->params, "name"));
	stir_req_queue(req, key_new_work, admin_done);
}

static void
key_list_work(struct stir_req *req)
{
	struct admin_ctx *x = req->ctx;
	struct stir_key_info *keys = NULL;
	size_t n = 0;
	json_t *arr;
	int r;

	if ((r = stir_signer_key_list(req->conn->srv->signer, &keys, &n)) != STIR_OK) {
		stir_req_set_error(req, r, NULL);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		(void)json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "name",
		    keys[i].name, "type", keys[i].type, "spki_sha256", keys[i].spki_sha256));
	free(keys);
	x->out = json_pack("{s:o}", "keys", arr);
}

void
op_key_list(struct stir_req *req)
{

	if (admin_begin(req) == NULL)
		return;
	stir_req_queue(req, key_list_work, admin_done);
}

/*
 * Store thread, in the audit transaction: may the key go?  Admin ops run
 * one at a time, so no credential can start using it before the file is
 * removed in key_remove_commit(), once the audit record is committed.
 */
static void
key_remove_work(struct stir_req *req)
{
	struct admin_ctx *x = req->ctx;
	uint8_t *spki = NULL;
	size_t spki_len = 0;
	char *user = NULL;
	int r;

	snprintf(req->audit_subject, sizeof(req->audit_subject), "key %s", x->name);
	/* the store, not the loaded table, says who uses a key: a stored
	 * credential that failed to load still needs it */
	if ((r = stir_store_cred_using_key(req->conn->srv->store, x->name, &user)) == STIR_OK) {
		stir_req_set_error(req, STIR_EPOLICY,
		    "key '%s' is used by credential '%s'; remove the credential first", x->name, user);
		free(user);
		return;
	}
	if (r != STIR_ENOENT) {
		stir_req_set_error(req, r, "cannot check which credentials use key '%s'", x->name);
		return;
	}
	r = stir_signer_pubkey_der(req->conn->srv->signer, x->name, &spki, &spki_len);
	free(spki);
	if (r == STIR_ENOENT) {
		stir_req_set_error(req, r, "no key named '%s' (see 'stirctl key list')", x->name);
		return;
	}
	x->out = json_pack("{s:s}", "removed", x->name);
	req->commit_fn = key_remove_commit;
}

void
op_key_remove(struct stir_req *req)
{
	struct admin_ctx *x;
	const char *name;

	if ((x = admin_begin(req)) == NULL)
		return;
	name = stir_param_str(req->env->params, "name");
	if (!key_name_ok(req, name))
		return;
	snprintf(x->name, sizeof(x->name), "%s", name);
	stir_req_queue(req, key_remove_work, admin_done);
}

/* ---- credentials ---- */

/* Store thread, in the audit transaction: the domain adds it (creds.c). */
static void
cred_add_work(struct stir_req *req)
{
	struct admin_ctx *x = req->ctx;
	struct stir_server *srv = req->conn->srv;
	json_t *p = req->env->params, *url = json_object_get(p, "pkcs11");
	struct stir_cred_add in = {
		.name = x->name,
		.key = stir_param_str(p, "key"),
		/* the signer keeps the URL (and its PIN); the call wipes it here */
		.pkcs11 = (char *)json_string_value(url),
		.pkcs11_len = json_string_length(url),
		.chain_pem = stir_param_str(p, "chain"),
		.x5u = stir_param_str(p, "x5u"),
		.tns = json_object_get(p, "tns"),
		.spc = stir_param_str(p, "spc"),
	};
	char msg[384];
	int r;

	snprintf(req->audit_subject, sizeof(req->audit_subject), "cred %s", x->name);
	if ((r = stir_cred_add(srv->store, srv->signer, &in, (int64_t)time(NULL), &x->out,
	    msg, sizeof(msg))) != STIR_OK) {
		stir_req_set_error(req, r, "%s", msg);
		return;
	}
	req->commit_fn = reload_creds;
}

void
op_cred_add(struct stir_req *req)
{
	struct admin_ctx *x;
	json_t *p = req->env->params;
	const char *name;
	char msg[384];

	if ((x = admin_begin(req)) == NULL)
		return;
	name = stir_param_str(p, "name");
	if (stir_signer_name_check(name) != STIR_OK) {
		stir_req_fail(req, STIR_EINVAL, "field 'name': a credential name is 1-%d of A-Z a-z 0-9 _ . - and does not start with '.'",
		    STIR_CRED_NAME_MAX);
		return;
	}
	if ((json_object_get(p, "key") == NULL) == (json_object_get(p, "pkcs11") == NULL)) {
		stir_req_fail(req, STIR_EBADREQ, "give exactly one of the fields 'key' and 'pkcs11'");
		return;
	}
	if (json_object_get(p, "pkcs11") != NULL &&
	    strncmp(stir_param_str(p, "pkcs11"), "pkcs11:", 7) != 0) {
		stir_req_fail(req, STIR_EINVAL, "field 'pkcs11' must be a pkcs11: URL (RFC 7512)");
		return;
	}
	if (json_object_get(p, "key") != NULL &&
	    stir_signer_name_check(stir_param_str(p, "key")) != STIR_OK) {
		stir_req_fail(req, STIR_EINVAL, "field 'key' is not a valid key name");
		return;
	}
	if (stir_op_check_x5u(req->state->cfg, stir_param_str(p, "x5u"), msg, sizeof(msg)) != STIR_OK ||
	    stir_op_check_tns(json_object_get(p, "tns"), msg, sizeof(msg)) != STIR_OK) {
		stir_req_fail(req, STIR_EINVAL, "%s", msg);
		return;
	}
	snprintf(x->name, sizeof(x->name), "%s", name);
	stir_req_queue(req, cred_add_work, admin_done);
}

static void
cred_list_work(struct stir_req *req)
{
	struct admin_ctx *x = req->ctx;
	struct stir_cred_row *rows = NULL;
	size_t n = 0;
	json_t *arr;
	int r;

	if ((r = stir_store_cred_list(req->conn->srv->store, &rows, &n)) != STIR_OK) {
		stir_req_set_error(req, r, "cannot read credentials");
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "name", rows[i].name,
		    "key", rows[i].key_ref, "x5u", rows[i].x5u, "subject", rows[i].subject,
		    "not_after", (json_int_t)rows[i].not_after, "created",
		    (json_int_t)rows[i].created);

		if (o == NULL)
			continue;
		if (strncmp(rows[i].key_ref, "pkcs11:", 7) == 0) {
			/* never show a PIN carried in the URL */
			char *q = strchr(rows[i].key_ref, '?');

			if (q != NULL)
				*q = '\0';
			(void)json_object_set_new(o, "key", json_string(rows[i].key_ref));
		}
		if (rows[i].tns != NULL)
			(void)json_object_set_new(o, "tns", json_loads(rows[i].tns, 0, NULL));
		if (rows[i].spc != NULL)
			(void)json_object_set_new(o, "spc", json_string(rows[i].spc));
		(void)json_array_append_new(arr, o);
	}
	stir_store_cred_rows_free(rows, n);
	x->out = json_pack("{s:o}", "credentials", arr);
}

/* Loop thread: add what only the loaded table knows (TNAuthList, state). */
static void
cred_list_done(struct stir_req *req)
{
	struct admin_ctx *x = req->ctx;
	const struct stir_creds *cs = req->state->creds;
	json_t *arr, *o;
	size_t i;

	if (req->err == STIR_OK && x->out != NULL) {
		arr = json_object_get(x->out, "credentials");
		json_array_foreach(arr, i, o) {
			const struct stir_cred *c = stir_creds_find(cs,
			    json_string_value(json_object_get(o, "name")));

			(void)json_object_set_new(o, "loaded", json_boolean(c != NULL));
			if (c != NULL)
				(void)json_object_set_new(o, "tnauth", stir_tnauth_json(c->tnauth));
		}
	}
	admin_done(req);
}

void
op_cred_list(struct stir_req *req)
{

	if (admin_begin(req) == NULL)
		return;
	stir_req_queue(req, cred_list_work, cred_list_done);
}

static void
cred_remove_work(struct stir_req *req)
{
	struct admin_ctx *x = req->ctx;
	int r;

	snprintf(req->audit_subject, sizeof(req->audit_subject), "cred %s", x->name);
	r = stir_store_cred_remove(req->conn->srv->store, x->name);
	if (r == STIR_ENOENT)
		stir_req_set_error(req, r, "no credential named '%s'", x->name);
	else if (r == STIR_EPOLICY)
		stir_req_set_error(req, r, "credential '%s' is used by an RCD policy", x->name);
	else if (r != STIR_OK)
		stir_req_set_error(req, r, "cannot remove credential '%s'", x->name);
	else {
		req->commit_fn = reload_creds;
		x->out = json_pack("{s:s}", "removed", x->name);
	}
}

void
op_cred_remove(struct stir_req *req)
{
	struct admin_ctx *x;

	if ((x = admin_begin(req)) == NULL)
		return;
	if (stir_signer_name_check(stir_param_str(req->env->params, "name")) != STIR_OK) {
		stir_req_fail(req, STIR_EINVAL, "field 'name': a credential name is 1-%d of A-Z a-z 0-9 _ . - and does not start with '.'",
		    STIR_CRED_NAME_MAX);
		return;
	}
	snprintf(x->name, sizeof(x->name), "%s", stir_param_str(req->env->params, "name"));
	stir_req_queue(req, cred_remove_work, admin_done);
}

/* ---- trust anchors ---- */

static json_t *
anchor_json(int64_t id, const struct stir_cert_info *info, int rcd)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:b}", "id", (json_int_t)id,
	    "subject", info->subject, "sha256", info->sha256, "not_after",
	    (json_int_t)info->not_after, "rcd", rcd);
}

static void
trust_add_work(struct stir_req *req)
{
	struct admin_ctx *x = req->ctx;
	struct stir_server *srv = req->conn->srv;
	json_t *p = req->env->params, *added = json_array(), *existing = json_array();
	const char *pem = stir_param_str(p, "pem");
	int rcd = json_is_true(json_object_get(p, "rcd"));
	struct stir_chain *c = NULL;
	time_t now = time(NULL);
	char msg[384];
	int r;

	if ((r = stir_chain_parse(pem, strlen(pem), STIR_TRUST_BUNDLE_MAX, false, &c)) != STIR_OK) {
		stir_req_set_error(req, r == STIR_ETOOBIG ? r : STIR_ECERT,
		    "field 'pem': no PEM certificates, or more than %d", STIR_TRUST_BUNDLE_MAX);
		goto out;
	}
	/* all or nothing: check every certificate before storing any */
	for (unsigned i = 0; i < c->n; i++)
		if ((r = stir_trust_check(c->crt[i], now, msg, sizeof(msg))) != STIR_OK) {
			stir_req_set_error(req, r, "certificate %u: %s", i + 1, msg);
			goto out;
		}
	for (unsigned i = 0; i < c->n; i++) {
		struct stir_trust_row row;
		struct stir_cert_info info;
		int64_t id = 0;

		if ((r = stir_op_anchor_row(c->crt[i], rcd, (int64_t)now, &row, &info)) != STIR_OK) {
			stir_req_set_error(req, r, r == STIR_ENOMEM ? NULL :
			    "certificate %u cannot be read", i + 1);
			goto out;
		}
		r = stir_store_trust_add(srv->store, &row, &id);
		free(row.pem);
		if (r == STIR_EEXIST)
			(void)json_array_append_new(existing, anchor_json(0, &info, rcd));
		else if (r != STIR_OK) {
			stir_req_set_error(req, r, "cannot store certificate %u", i + 1);
			goto out;
		} else
			(void)json_array_append_new(added, anchor_json(id, &info, rcd));
		snprintf(req->audit_subject, sizeof(req->audit_subject),
		    "trust %s (%u of %u)", info.sha256, i + 1, c->n);
	}
	req->commit_fn = reload_trust;
	x->out = json_pack("{s:O, s:O}", "added", added, "existing", existing);
 out:
	json_decref(added);
	json_decref(existing);
	stir_chain_free(c);
}

void
op_trust_add(struct stir_req *req)
{

	if (admin_begin(req) == NULL)
		return;
	stir_req_queue(req, trust_add_work, admin_done);
}

static void
trust_list_work(struct stir_req *req)
{
	struct admin_ctx *x = req->ctx;
	struct stir_trust_row *rows = NULL;
	size_t n = 0;
	json_t *arr;
	int r;

	if ((r = stir_store_trust_list(req->conn->srv->store, &rows, &n)) != STIR_OK) {
		stir_req_set_error(req, r, "cannot read trust anchors");
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		(void)json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:I, s:b, s:I}",
		    "id", (json_int_t)rows[i].id, "subject", rows[i].subject, "sha256",
		    rows[i].sha256, "not_after", (json_int_t)rows[i].not_after, "rcd",
		    rows[i].rcd, "added", (json_int_t)rows[i].added));
	stir_store_trust_rows_free(rows, n);
	x->out = json_pack("{s:o}", "anchors", arr);
}

void
op_trust_list(struct stir_req *req)
{

	if (admin_begin(req) == NULL)
		return;
	stir_req_queue(req, trust_list_work, admin_done);
}

static void
trust_remove_work(struct stir_req *req)
{
	struct admin_ctx *x = req->ctx;
	int r;

	snprintf(req->audit_subject, sizeof(req->audit_subject), "trust id %lld",
	    (long long)x->id);
	r = stir_store_trust_remove(req->conn->srv->store, x->id);
	if (r == STIR_ENOENT)
		stir_req_set_error(req, r, "no trust anchor with id %lld (see 'stirctl trust list')",
		    (long long)x->id);
	else if (r != STIR_OK)
		stir_req_set_error(req, r, "cannot remove trust anchor %lld", (long long)x->id);
	else {
		req->commit_fn = reload_trust;
		x->out = json_pack("{s:I}", "removed", (json_int_t)x->id);
	}
}

void
op_trust_remove(struct stir_req *req)
{
	struct admin_ctx *x;

	if ((x = admin_begin(req)) == NULL)
		return;
	x->id = json_integer_value(json_object_get(req->env->params, "anchor"));
	stir_req_queue(req, trust_remove_work, admin_done);
}

/* ---- audit ---- */

static void
audit_list_work(struct stir_req *req)
{
	struct admin_ctx *x = req->ctx;
	struct stir_audit_row *rows = NULL;
	size_t n = 0;
	json_t *arr;
	int r;

	if ((r = stir_store_audit_list(req->conn->srv->store, x->limit, &rows, &n)) != STIR_OK) {
		stir_req_set_error(req, r, "cannot read the audit log");
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		(void)json_array_append_new(arr, json_pack("{s:I, s:I, s:I, s:I, s:s, s:s?, s:s}",
		    "id", (json_int_t)rows[i].id, "ts", (json_int_t)rows[i].ts,
		    "uid", (json_int_t)rows[i].uid, "pid", (json_int_t)rows[i].pid,
		    "op", rows[i].op, "subject", rows[i].subject,
		    "result", stir_errname(rows[i].result)));
	stir_store_audit_rows_free(rows, n);
	x->out = json_pack("{s:o}", "entries", arr);
}

void
op_audit_list(struct stir_req *req)
{
	struct admin_ctx *x;
	json_int_t lim = 50;

	if ((x = admin_begin(req)) == NULL)
		return;
	if (json_object_get(req->env->params, "limit") != NULL)
		lim = json_integer_value(json_object_get(req->env->params, "limit"));
	if (lim < 1 || lim > STIR_STORE_LIST_MAX) {
		stir_req_fail(req, STIR_EINVAL, "field 'limit' must be from 1 to %d",
		    STIR_STORE_LIST_MAX);
		return;
	}
	x->limit = (size_t)lim;
	stir_req_queue(req, audit_list_work, admin_done);
}
