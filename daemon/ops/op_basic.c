/* op_basic.c: hello, ping, status, reload. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stirclient.h"
#include "daemon/sign/creds.h"
#include "daemon/ops/ops.h"
#include "daemon/pki/fetch.h"
#include "daemon/base/log.h"
#include "daemon/fleet/redis.h"
#include "daemon/sign/policy.h"
#include "daemon/stir/passport.h"
#include "daemon/keys/signer.h"
#include "daemon/store/store.h"

void
op_hello(struct stir_req *req)
{
	struct stir_conn *c = req->conn;
	struct stir_server *srv = c->srv;
	json_t *ops = json_array(), *perms = json_array();

	/* hello accepts any "v" and any fields: it never changes shape */
	for (size_t i = 0; i < c->srv->nops; i++) {
		if (c->srv->ops[i].schema->admin_only && c->role != STIR_ROLE_ADMIN)
			continue;
		(void)json_array_append_new(ops, json_string(c->srv->ops[i].schema->name));
	}
	for (int p = STIR_PERM_SIGN; p < _STIR_PERM_MAX; p++)
		if (stir_server_peer_has(srv, c, (enum stir_perm)p))
			(void)json_array_append_new(perms, json_string(stir_perm_name((enum stir_perm)p)));
	req->result = json_pack("{s:s, s:[i], s:s, s:o, s:o, s:{s:i, s:i, s:i, s:i}}",
	    "server", PACKAGE_NAME " " PACKAGE_VERSION,
	    "versions", STIR_PROTO_VERSION,
	    "role", c->role == STIR_ROLE_ADMIN ? "admin" : "client",
	    "ops", ops, "permissions", perms,
	    "limits", "max_request_bytes", (int)req->state->cfg->max_request_bytes,
	    "max_inflight", (int)req->state->cfg->max_inflight,
	    "max_dest", STIR_MAX_DEST, "iat_window", (int)req->state->cfg->iat_window);
	if (req->result == NULL)
		stir_req_set_error(req, STIR_ENOMEM, NULL);
	stir_req_reply(req);
}

void
op_ping(struct stir_req *req)
{
	req->result = json_pack("{s:b, s:I}", "pong", 1, "time", (json_int_t)time(NULL));
	stir_req_reply(req);
}

struct status_ctx {
	int64_t	 ncreds, nanchors, ncached, npolicies;
	int	 schema;
	size_t	 nkeys;
	char	 digest[STIR_STATE_DIGEST_LEN + 1];	/* of the declared state */
};

static void
status_work(struct stir_req *req)
{
	struct status_ctx *x = req->ctx;
	struct stir_key_info *keys = NULL;
	int r;

	if ((r = stir_store_counts(req->conn->srv->store, &x->ncreds, &x->nanchors,
	    &x->ncached, &x->npolicies)) != STIR_OK ||
	    (r = stir_store_version(req->conn->srv->store, &x->schema)) != STIR_OK ||
	    (r = stir_state_digest_read(req->conn->srv->store,
	    req->state->cfg->connected_identity, x->digest)) != STIR_OK) {
		stir_req_set_error(req, r, "cannot read the store");
		return;
	}
	if (stir_signer_key_list(req->conn->srv->signer, &keys, &x->nkeys) == STIR_OK)
		free(keys);
}

/* RCD policies bound to a credential that expires stop branding with it. */
static void
policy_warnings(const struct stir_policies *ps, const char *cred, json_t *warnings)
{
	for (size_t i = 0; ps != NULL && i < ps->n; i++)
		if (ps->v[i].cred != NULL && strcmp(ps->v[i].cred, cred) == 0)
			(void)json_array_append_new(warnings, json_sprintf(
			    "RCD policy '%s' is bound to credential '%s': bind it to the renewed credential (stirctl policy add --replace)",
			    ps->v[i].name, cred));
}

static void
status_done(struct stir_req *req)
{
	struct status_ctx *x = req->ctx;
	struct stir_server *srv = req->conn->srv;
	const struct stir_creds *cs = req->state->creds;
	json_t *creds = json_array(), *warnings = json_array();
	time_t now = time(NULL);

	if (req->err != STIR_OK)
		return;
	for (size_t i = 0; i < cs->n; i++) {
		const struct stir_cred *c = &cs->v[i];
		int64_t left = c->not_after - (int64_t)now;
		const char *state = "ok";

		if (left <= 0) {
			state = "expired";
			(void)json_array_append_new(warnings, json_sprintf(
			    "credential '%s' has expired; signing with it is refused", c->name));
		} else if (left < (int64_t)req->state->cfg->cred_expiry_warn_days * 86400) {
			state = "expiring";
			(void)json_array_append_new(warnings, json_sprintf(
			    "credential '%s' expires in %lld day(s); renew its certificate",
			    c->name, (long long)(left / 86400)));
		}
		(void)json_array_append_new(creds, json_pack("{s:s, s:I, s:I, s:s}",
		    "name", c->name, "not_after", (json_int_t)c->not_after,
		    "days_left", (json_int_t)(left / 86400), "state", state));
		if (strcmp(state, "ok") != 0)
			policy_warnings(cs->policies, c->name, warnings);
	}
	req->result = json_pack("{s:s, s:I, s:I, s:i, s:i, s:{s:I, s:I, s:I, s:I, s:i},"
	    " s:{s:i, s:i}, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:o, s:o, s:s}",
	    "version", PACKAGE_VERSION, "pid", (json_int_t)getpid(),
	    "uptime", (json_int_t)(now - srv->started),
	    "schema_version", x->schema, "connections", (int)(srv->nconns + srv->nadmin),
	    "store", "credentials", (json_int_t)x->ncreds, "trust_anchors",
	    (json_int_t)x->nanchors, "cached_certs", (json_int_t)x->ncached,
	    "rcd_policies", (json_int_t)x->npolicies, "keys", (int)x->nkeys,
	    "limits", "max_request_bytes", (int)req->state->cfg->max_request_bytes,
	    "max_inflight", (int)req->state->cfg->max_inflight,
	    "stats", "requests", (json_int_t)srv->stats.requests,
	    "errors", (json_int_t)srv->stats.errors, "signs", (json_int_t)srv->stats.signs,
	    "sign_errors", (json_int_t)srv->stats.sign_errors,
	    "connections", (json_int_t)srv->stats.connections,
	    "inline", (json_int_t)srv->workq.inlined,
	    "credentials", creds, "warnings", warnings, "state_digest", x->digest);
	if (req->result != NULL && srv->fetcher != NULL) {
		struct stir_fetch_stats fs;

		stir_fetcher_stats(srv->fetcher, &fs);
		(void)json_object_set_new(req->result, "fetch", json_pack("{s:i, s:i, s:i, s:I, s:I}",
		    "active", (int)fs.active, "queued", (int)fs.queued, "hosts", (int)fs.hosts,
		    "expired", (json_int_t)fs.expired, "refused", (json_int_t)fs.refused));
	}
	if (req->result != NULL) {
		struct stir_signer_status ss;

		stir_signer_status(srv->signer, &ss);
		(void)json_object_set_new(req->result, "signer", json_pack("{s:s, s:I, s:I, s:I, s:I}",
		    "mode", ss.mode, "pid", (json_int_t)ss.pid,
		    "restarts", (json_int_t)ss.restarts, "batches", (json_int_t)ss.batches,
		    "batched_signs", (json_int_t)ss.batched_signs));
	}
	if (req->result != NULL && srv->redis != NULL) {
		struct stir_redis_stats rs;

		stir_redis_stats(srv->redis, &rs);
		(void)json_object_set_new(req->result, "fleet", json_pack("{s:s, s:s, s:b, s:b}",
		    "redis", rs.state, "server", rs.server,
		    "replay_shared", req->state->cfg->replay_shared &&
		    req->state->cfg->replay_window > 0,
		    "cache_shared", srv->shared_cache != NULL));
	}
	if (req->result == NULL)
		stir_req_set_error(req, STIR_ENOMEM, NULL);
}

void
op_status(struct stir_req *req)
{
	if ((req->ctx = calloc(1, sizeof(struct status_ctx))) == NULL) {
		stir_req_fail(req, STIR_ENOMEM, NULL);
		return;
	}
	req->ctx_free = free;
	stir_req_queue(req, status_work, status_done);
}

void
op_reload(struct stir_req *req)
{
	int r;

	if ((r = stir_server_reload(req->conn->srv)) != STIR_OK) {
		stir_req_fail(req, r, r == STIR_ESHUTDOWN ? "stird is shutting down" :
		    "the reload could not start");
		return;
	}
	req->result = json_pack("{s:b}", "reloading", 1);
	stir_req_reply(req);
}
