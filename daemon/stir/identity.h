/*
 * identity.h: the SIP Identity header field value (RFC 8224 section 4.1,
 * with base64url per erratum 6499): a PASSporT in full form (h.p.s) or
 * compact form (..s), then ";info=<URI>" and optional ";alg=" and
 * ";ppt=" (a token or a quoted string); unknown parameters are ignored.
 * Folded whitespace around ';' and '=' is accepted.  Hostile input:
 * everything is bounded and every failure is an error, never a crash.
 */
#ifndef STIR_IDENTITY_H
#define STIR_IDENTITY_H

#include "opschema.h"

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define STIR_IDENTITY_MAX	STIR_P_IDENTITY_MAX	/* bytes of one value */
#define STIR_IDENTITY_PARAMS	16		/* parameters after the digest */
#define STIR_PPT_MAX		32
#define STIR_JWS_PART_MAX	(8 * 1024)	/* decoded header or payload */

struct stir_identity {
	bool	 compact;	/* "..sig": header and payload rebuilt from SIP */
	char	*jws;		/* the digest as received (h.p.s or ..s) */
	size_t	 hlen;		/* base64url header: jws[0, hlen) */
	size_t	 plen;		/* payload: jws[hlen + 1, hlen + 1 + plen) */
	char	*info;		/* the URI inside <> */
	char	*alg;		/* NULL if absent */
	char	*ppt;		/* unquoted; NULL if absent */
};

/* Parse value (len bytes); *ret is freed with stir_identity_free(). */
int	stir_identity_parse(const char *value, size_t len, struct stir_identity **ret,
	    char *msg, size_t msglen);
void	stir_identity_free(struct stir_identity *id);
/* The signature part of the digest (borrowed). */
const char *stir_identity_sig(const struct stir_identity *id);

/*
 * One base64url part of a JWS (len bytes at b64) decoded as a JSON
 * object, at most STIR_JWS_PART_MAX bytes decoded; NULL if it is not one.
 */
json_t	*stir_identity_json(const char *b64, size_t len);

/*
 * The payload of a full-form Identity value, decoded but not checked
 * (nor its signature).  STIR_EINVAL for a compact form or bad JSON.
 */
int	stir_identity_payload(const struct stir_identity *id, json_t **ret);

#endif
