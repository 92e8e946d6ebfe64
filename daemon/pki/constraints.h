/*
 * constraints.h: certificate claim constraints on PASSporTs: the
 * JWTClaimConstraints extension (RFC 8226 section 8) and the
 * EnhancedJWTClaimConstraints extension (RFC 9118).  Both apply to
 * end-entity certificates only; see constraints.c for the reading.
 */
#ifndef STIR_CONSTRAINTS_H
#define STIR_CONSTRAINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gnutls/x509.h>
#include <jansson.h>

#include "daemon/pki/cert.h"

#define STIR_OID_JWTCLAIMCONSTRAINTS	"1.3.6.1.5.5.7.1.27"	/* RFC 8226 */
#define STIR_OID_EJWTCLAIMCONSTRAINTS	"1.3.6.1.5.5.7.1.33"	/* RFC 9118 */

#define STIR_CONSTRAINTS_DER_MAX (64 * 1024)	/* bytes of one extension value */
#define STIR_CLAIM_NAMES_MAX	64	/* names in mustInclude, in mustExclude */
#define STIR_PERMITTED_MAX	64	/* entries in permittedValues */
#define STIR_PERMITTED_VALUES_MAX 64	/* values of one entry */
#define STIR_CLAIM_STR_MAX	1024	/* bytes of one name or value */

struct stir_claim_values {
	char	 *claim;		/* printable ASCII, not empty */
	char	**values;		/* valid UTF-8 without NUL */
	char	**canon;		/* values[k] re-serialized as RFC 8225
					 * section 9 JSON, NULL if not JSON */
	size_t	  n;
};

struct stir_constraints {
	bool			  enhanced;	/* from RFC 9118's extension */
	char			**include;	/* mustInclude */
	size_t			  n_include;
	char			**exclude;	/* mustExclude (enhanced only) */
	size_t			  n_exclude;
	struct stir_claim_values *permitted;	/* permittedValues */
	size_t			  n_permitted;
};

/*
 * Decode an extension value (the DER inside extnValue): a
 * JWTClaimConstraints, or with enhanced an EnhancedJWTClaimConstraints.
 * STIR_ECERT if it is malformed or over a limit above; STIR_ENOENT if
 * its mustExclude names iat, orig or dest, since RFC 9118 section 3 says
 * to treat the certificate "as if the extension was not present".  *ret
 * is written only on success (free with stir_constraints_free()).
 */
int	stir_constraints_decode(const uint8_t *der, size_t len, bool enhanced,
	    struct stir_constraints **ret);
void	stir_constraints_free(struct stir_constraints *c);

/*
 * The claim constraints of crt, which the caller knows to be an
 * end-entity certificate.  STIR_ENOENT if it has neither extension or
 * only a void one (above); STIR_ECERT if one is malformed, appears twice,
 * or both appear (RFC 9118 section 6), with *ret_why (if not NULL) a
 * static text saying which.
 */
int	stir_constraints_from_cert(gnutls_x509_crt_t crt,
	    struct stir_constraints **ret, const char **ret_why);

/*
 * Does payload (a PASSporT's claims, a JSON object; borrowed) satisfy c?
 * STIR_OK, or STIR_EPOLICY with the reason, naming the claim, in msg.
 * STIR_EINVAL if payload is not an object; STIR_ENOMEM.
 */
int	stir_constraints_check(const struct stir_constraints *c,
	    const json_t *payload, char *msg, size_t msglen);

/*
 * Apply the constraints of crt, the end-entity certificate that signs
 * payload; those of the CA certificates above it do not apply (RFC 8226
 * section 8, RFC 9118 section 3), so callers pass chain->crt[0] only.
 * STIR_OK (also without constraints); STIR_EPOLICY (a constraint fails)
 * or STIR_ECERT (the extension cannot be honoured) with the reason in
 * msg; STIR_EINVAL if payload is not an object.
 */
int	stir_constraints_check_cert(gnutls_x509_crt_t crt, const json_t *payload,
	    char *msg, size_t msglen);

#endif
