/* ops.h: the op handlers and the op table (ops.c) that names them. */
#ifndef STIR_OPS_H
#define STIR_OPS_H

#include <stddef.h>
#include <stdint.h>

#include <gnutls/x509.h>
#include <jansson.h>

#include "daemon/core/dispatch.h"

struct stir_policy;

extern const struct stir_op_desc stir_op_table[];
extern const size_t stir_op_count;

/*
 * op_common.c: the tail of an op that worked off the loop and may have
 * reloaded state (key, cred and trust admin; policies), on the loop:
 * install parts (an empty load installs nothing) and, if the op
 * succeeded, hand over *out as its result (an empty object if NULL).
 */
void	stir_op_install_done(struct stir_req *req, struct stir_state_parts *parts,
	    json_t **out);

/*
 * op_common.c: the checks of a credential's x5u and tns (EINVAL, msg
 * names the field), for cred.add and state.apply alike.
 */
struct stir_config;
int	stir_op_check_x5u(const struct stir_config *cfg, const char *u, char *msg,
	    size_t msglen);
int	stir_op_check_tns(const json_t *tns, char *msg, size_t msglen);
/*
 * The row of trust anchor crt as trust.add stores it: its normalised PEM
 * (row->pem, free()), with info's fingerprint and subject (row borrows
 * them from info).  STIR_ECERT if it cannot be read, STIR_ENOMEM.
 */
struct stir_trust_row;
struct stir_cert_info;
int	stir_op_anchor_row(gnutls_x509_crt_t crt, int rcd, int64_t now,
	    struct stir_trust_row *row, struct stir_cert_info *info);

/* op_basic.c */
void	op_hello(struct stir_req *req);
void	op_ping(struct stir_req *req);
void	op_status(struct stir_req *req);
void	op_reload(struct stir_req *req);
/* op_stats.c */
void	op_stats(struct stir_req *req);
/* op_sign.c */
void	op_sign(struct stir_req *req);
void	op_sign_observe(struct stir_req *req, uint64_t ns, int err, const json_t *result);
/* op_verify.c */
void	op_verify(struct stir_req *req);
void	op_verify_observe(struct stir_req *req, uint64_t ns, int err, const json_t *result);
/* op_admin.c */
void	op_key_generate(struct stir_req *req);
void	op_key_import(struct stir_req *req);
void	op_key_list(struct stir_req *req);
void	op_key_remove(struct stir_req *req);
void	op_cred_add(struct stir_req *req);
void	op_cred_list(struct stir_req *req);
void	op_cred_remove(struct stir_req *req);
void	op_trust_add(struct stir_req *req);
void	op_trust_list(struct stir_req *req);
void	op_trust_remove(struct stir_req *req);
void	op_audit_list(struct stir_req *req);

/* op_cache.c: each runs on the loop thread and replies itself */
void	op_cache_list(struct stir_req *req);
void	op_cache_show(struct stir_req *req);
void	op_cache_purge(struct stir_req *req);
void	op_cache_prefetch(struct stir_req *req);

/* op_policy.c */
void	op_policy_add(struct stir_req *req);
void	op_policy_check(struct stir_req *req);
void	op_policy_list(struct stir_req *req);
void	op_policy_show(struct stir_req *req);
void	op_policy_remove(struct stir_req *req);
void	op_policy_test(struct stir_req *req);

/*
 * Fetch and judge the content policy p references, as policy.add does
 * (through the certificate cache; jCard URLs one level deep).  done is
 * called once, on the loop, with content (url -> entry, to store with
 * the policy) and errors ("url: why"), both borrowed for the call.
 * STIR_ENOMEM if nothing could start (done is then not called).
 */
typedef void (*stir_policy_content_fn)(void *arg, json_t *content, json_t *errors);
int	stir_policy_content_fetch(struct stir_server *srv, const struct stir_policy *p,
	    stir_policy_content_fn done, void *arg);

/* op_state.c: the declared state (doc/fleet-state.md) */
#define STIR_STATE_DIGEST_LEN	64	/* hex of SHA-256 */
struct stir_store;
/*
 * Store thread: the digest of the declared state in the store (what
 * state.export gives), conf_ci being stird.conf's connected_identity.
 */
int	stir_state_digest_read(struct stir_store *store, const char *conf_ci,
	    char hex[static STIR_STATE_DIGEST_LEN + 1]);
void	op_state_export(struct stir_req *req);
void	op_state_apply(struct stir_req *req);

/*
 * Fetch again the content of policies whose content has expired (at
 * most one round at a time); a digest that changed is logged as a
 * warning, audited, and stored, so that calls carry the new digest.
 * Called from the sweep timer (loop thread).
 */
void	stir_policy_refresh(struct stir_server *srv);

#endif
