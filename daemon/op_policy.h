/* op_policy.h: the policy.* ops (admin socket) and the content refresh. */
#ifndef STIR_OP_POLICY_H
#define STIR_OP_POLICY_H

#include "daemon/server.h"

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
