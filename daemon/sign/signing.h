/*
 * signing.h: the signing side of a call, message or response: from a
 * decoded sign request to the PASSporTs it asks for (shaken with or
 * without Rich Call Data, rcd, div, div-o, msg, rsp), chosen credential,
 * and their signatures through the signer.  The sign op decodes and
 * renders; this file decides.
 *
 * stir_signing_prepare() runs on the loop (it reads the credentials and
 * policies of one state); stir_signing_batch() and stir_signing_sign()
 * run on a pool thread.
 */
#ifndef STIR_SIGNING_H
#define STIR_SIGNING_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <jansson.h>

#include "daemon/base/conf.h"
#include "daemon/keys/signer.h"
#include "daemon/sign/creds.h"
#include "daemon/stir/passport.h"

/* iat more than this far from now is refused (a typo, not a policy) */
#define STIR_SIGN_IAT_SKEW_MAX	(24 * 3600)

#define STIR_SIGN_PPT_MAX	2	/* PASSporTs one request signs: shaken, rcd */

/* The PASSporT types the sign op makes. */
enum stir_sign_ppt {
	STIR_SIGN_SHAKEN,
	STIR_SIGN_RCD,
	STIR_SIGN_DIV,
	STIR_SIGN_DIV_O,
	STIR_SIGN_MSG,
	STIR_SIGN_RSP,
};

/*
 * A sign request, decoded.  Strings are borrowed from the request's
 * parameters and live as long as it.  claims holds orig (when given),
 * dest and iat as the caller gave them (iat 0: now).
 */
struct stir_sign_request {
	enum stir_sign_ppt	 ppt;
	const char		*ppt_name;
	struct stir_shaken_claims claims;
	bool			 has_iat;
	const char		*attest;	/* shaken, rcd */
	const char		*origid;
	const char		*cred;		/* the credential named, or NULL */
	const json_t		*rcd;		/* the caller's RCD values, or NULL */
	bool			 want_rcd;	/* "rcd": true or an object */
	const char		*crn;
	const char		*original;	/* div, div-o */
	const char		*div;
	const char		*body_b64;	/* msg */
	const char		*content_type;
};

/* One PASSporT to sign, then signed. */
struct stir_signing_one {
	const char	*ppt;
	json_t		*header;
	json_t		*payload;
	char		*tbs;
	char		*identity;		/* the Identity value, once signed */
	struct stir_sign_item item;		/* signed by stir_signing_batch() */
	bool		 batched;
};

/* What one request signs, with what. */
struct stir_signing {
	char		 cred[STIR_CRED_NAME_MAX + 1];
	char		 policy[STIR_POLICY_NAME_MAX + 1];	/* "" without RCD */
	char		*key_ref;
	char		*x5u;
	struct stir_signing_one v[STIR_SIGN_PPT_MAX];
	size_t		 n;
};

/*
 * Choose the credential (and the RCD policy) for rq among cs and build
 * the PASSporTs into x (zeroed by the caller).  STIR_OK, or a STIR_E*
 * code with the reason in msg.  Free with stir_signing_clear().
 */
int	stir_signing_prepare(struct stir_signing *x, const struct stir_sign_request *rq,
	    const struct stir_creds *cs, const struct stir_config *cfg, time_t now,
	    char *msg, size_t msglen);

/*
 * Sign the PASSporTs of n signings in one round trip to the signer (a
 * drainer's batch); those left unsigned are signed by stir_signing_sign().
 */
void	stir_signing_batch(struct stir_signer *s, struct stir_signing *const *xs,
	    size_t n);

/*
 * The items to sign x's PASSporTs some other way (the loop's call to the
 * signer process); returns how many.  stir_signing_signed() takes their
 * results back, for stir_signing_sign() to finish.
 */
size_t	stir_signing_items(struct stir_signing *x,
	    struct stir_sign_item items[static STIR_SIGN_PPT_MAX]);
void	stir_signing_signed(struct stir_signing *x, const struct stir_sign_item *items);

/* Sign what is left of x and make the Identity values; the reason in msg. */
int	stir_signing_sign(struct stir_signer *s, struct stir_signing *x, char *msg,
	    size_t msglen);

void	stir_signing_clear(struct stir_signing *x);

#endif
