/*
 * rcd_sign.h: what a call to be signed carries: the credential that signs
 * it and, when the request asks for Rich Call Data or a call reason, the
 * RCD policy that vouches for them and the claims it gives.  Shared by
 * the sign op and policy.test (its dry run).  Loop thread.
 */
#ifndef STIR_RCD_SIGN_H
#define STIR_RCD_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <jansson.h>

#include "daemon/sign/creds.h"
#include "daemon/sign/policy.h"

struct stir_sign_plan {
	const struct stir_cred	 *cred;
	const struct stir_policy *policy;	/* NULL without RCD */
	json_t			 *claims;	/* rcd, crn, rcdi; NULL without RCD */
	enum stir_rcd_attach	  attach;
};

/*
 * Choose the credential (the one named, else the one a matching policy
 * is bound to, else by orig) and, when want_rcd or crn, the policy for
 * orig and that credential, and build the claims.  req_rcd is NULL or the
 * caller's own values; separate forces a separate rcd PASSporT.
 * STIR_ENOENT / STIR_EPOLICY / STIR_EINVAL / STIR_ECERT with the reason
 * in msg.  Clear the plan with stir_sign_plan_clear().
 */
int	stir_sign_plan(const struct stir_creds *cs, const struct stir_ident *orig,
	    const char *credname, bool want_rcd, const json_t *req_rcd,
	    const char *crn, bool separate, time_t now, struct stir_sign_plan *ret,
	    char *msg, size_t msglen);
void	stir_sign_plan_clear(struct stir_sign_plan *plan);

/*
 * May the credential's certificate sign payload?  The claim constraints
 * (RFC 8226, RFC 9118) of its end-entity certificate must allow it; those
 * of the CA certificates above it do not apply.  STIR_OK, or
 * STIR_EPOLICY with the reason in msg.
 */
int	stir_sign_constraints(const struct stir_cred *cred, const json_t *payload,
	    char *msg, size_t msglen);

#endif
