/* rcd_sign.c: the credential, RCD policy and RCD claims of a call to sign. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/pki/constraints.h"
#include "daemon/sign/rcd_sign.h"

void
stir_sign_plan_clear(struct stir_sign_plan *plan)
{
	json_decref(plan->claims);
	memset(plan, 0, sizeof(*plan));
}

int
stir_sign_plan(const struct stir_creds *cs, const struct stir_ident *orig,
    const char *credname, bool want_rcd, const json_t *req_rcd, const char *crn,
    bool separate, time_t now, struct stir_sign_plan *ret, char *msg, size_t msglen)
{
	const char *tn = orig->kind == STIR_IDENT_TN ? orig->value : NULL;
	const struct stir_policy *p = NULL;
	struct stir_sign_plan plan;
	int r;

	memset(&plan, 0, sizeof(plan));
	if (want_rcd || crn != NULL)
		p = stir_policies_match(cs->policies, tn, credname);
	if ((r = stir_creds_select(cs, credname != NULL ? credname :
	    p != NULL ? p->cred : NULL, orig, now, &plan.cred, msg, msglen)) != STIR_OK) {
		if (credname == NULL && p != NULL && p->cred != NULL) {
			char m[384];

			snprintf(m, sizeof(m), "%s", msg);
			snprintf(msg, msglen, "RCD policy '%s' is bound to credential '%s' (after a certificate rollover, bind it to the new one): %s",
			    p->name, p->cred, m);
		}
		return r;
	}
	if (!want_rcd && crn == NULL) {
		*ret = plan;
		return STIR_OK;
	}
	/* a policy bound to the chosen credential alone */
	if (p == NULL || (p->cred != NULL && strcmp(p->cred, plan.cred->name) != 0))
		p = stir_policies_match(cs->policies, tn, plan.cred->name);
	if (p == NULL) {
		snprintf(msg, msglen, "no RCD policy covers calls from %s with credential '%s' (see 'stirctl policy list')",
		    orig->value, plan.cred->name);
		return STIR_ENOENT;
	}
	if ((r = stir_policy_claims(p, want_rcd, req_rcd, crn, &plan.claims, msg,
	    msglen)) != STIR_OK)
		return r;
	plan.policy = p;
	plan.attach = separate ? STIR_ATTACH_SEPARATE : p->attach;
	if (!want_rcd)		/* a call reason alone rides in the PASSporT */
		plan.attach = STIR_ATTACH_EMBEDDED;
	*ret = plan;
	return STIR_OK;
}

int
stir_sign_constraints(const struct stir_cred *cred, const json_t *payload, char *msg,
    size_t msglen)
{
	char m[300] = "out of memory";	/* overwritten with the reason */
	int r;

	/* the end-entity certificate's alone: RFC 8226 section 8 */
	if (!cred->has_constraints)
		return STIR_OK;
	if ((r = stir_constraints_check_cert(cred->chain->crt[0], payload, m,
	    sizeof(m))) == STIR_OK)
		return STIR_OK;
	snprintf(msg, msglen, "the certificate of credential '%s' does not permit this PASSporT: %s",
	    cred->name, m);
	return r == STIR_ENOMEM ? r : STIR_EPOLICY;
}
