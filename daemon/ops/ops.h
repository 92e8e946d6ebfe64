/* ops.h: the op handlers and the op table (ops.c) that names them. */
#ifndef STIR_OPS_H
#define STIR_OPS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "daemon/core/dispatch.h"

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
 * Fetch again the content of policies whose content has expired (at
 * most one round at a time); a digest that changed is logged as a
 * warning, audited, and stored, so that calls carry the new digest.
 * Called from the sweep timer (loop thread).
 */
void	stir_policy_refresh(struct stir_server *srv);

#endif
