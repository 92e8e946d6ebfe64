/* passport.h: PASSporT (RFC 8225) and JWS building; canonical JSON. */
#ifndef STIR_PASSPORT_H
#define STIR_PASSPORT_H

#include "opschema.h"

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "daemon/stir/tn.h"

#define STIR_MAX_DEST	STIR_P_DEST_MAX	/* dest entries in one PASSporT */
#define STIR_UUID_LEN	STIR_P_UUID_LEN	/* opschema.h */
#define STIR_SIG_MAX		132	/* raw r||s up to P-521 */
#define STIR_ES256_SIG_LEN	64

/* base64url without padding (libsodium).  Free with free(). */
char	*stir_b64url_encode(const uint8_t *bin, size_t len);
/* Strict decode: no padding, no whitespace.  Free *ret with free(). */
int	stir_b64url_decode(const char *s, size_t len, uint8_t **ret,
	    size_t *ret_len);

/*
 * RFC 8225 section 9 deterministic JSON: sorted keys, no whitespace,
 * UTF-8, integers as integers.  Free with free().
 */
char	*stir_json_canonical(const json_t *v);

/* Is s a UUID in 8-4-4-4-12 hex form? */
int	stir_uuid_check(const char *s);
/* A random (version 4) UUID, lowercase. */
void	stir_uuid_v4(char out[static STIR_UUID_LEN + 1]);

/* The claims a SHAKEN PASSporT carries (RFC 8588). */
struct stir_shaken_claims {
	struct stir_ident	orig;
	struct stir_ident	dest[STIR_MAX_DEST];
	size_t			ndest;
	char			attest;		/* 'A', 'B' or 'C' */
	char			origid[STIR_UUID_LEN + 1];
	int64_t			iat;
};

/*
 * The JOSE header {"alg":"ES256","ppt":ppt,"typ":"passport","x5u":x5u}
 * and its base64url canonical form, which a credential computes once.
 * *ret_header is a new reference; *ret_b64 is freed with free().
 */
int	stir_passport_header(const char *x5u, const char *ppt, json_t **ret_header,
	    char **ret_b64);

/*
 * Build the payload of a shaken PASSporT and its signing input
 * "header_b64.b64(payload)".  *ret_payload is a new reference; *ret_tbs
 * is freed with free().
 */
int	stir_passport_shaken(const struct stir_shaken_claims *c,
	    const char *header_b64, json_t **ret_payload, char **ret_tbs);

/*
 * The same with extra claims (rcd, crn, rcdi; may be NULL) merged into
 * the payload.
 */
int	stir_passport_shaken_with(const struct stir_shaken_claims *c,
	    const json_t *extra, const char *header_b64, json_t **ret_payload,
	    char **ret_tbs);

/*
 * A ppt "rcd" PASSporT (RFC 9795): orig, dest and iat of c plus
 * rcd_claims (an object with "rcd" and optionally "crn" and "rcdi").
 */
int	stir_passport_rcd(const struct stir_shaken_claims *c, const json_t *rcd_claims,
	    const char *header_b64, json_t **ret_payload, char **ret_tbs);

/*
 * Any other PASSporT (div, div-o, msg, rsp): dest and iat of c, orig of
 * c or, when orig is not NULL, that JSON object exactly (a diverted
 * call's orig is copied from the original), plus the extra claims.
 */
int	stir_passport_other(const struct stir_shaken_claims *c, const json_t *orig,
	    const json_t *extra, const char *header_b64, json_t **ret_payload,
	    char **ret_tbs);

/* {"tn":"..."} or {"uri":"..."} for id.  New reference. */
json_t	*stir_passport_ident(const struct stir_ident *id);

/* "header_b64.b64url(canonical payload)".  Free *ret_tbs with free(). */
int	stir_passport_signing_input(const char *header_b64, const json_t *payload,
	    char **ret_tbs);

/*
 * Finish a JWS: tbs "." b64url(sig), then the Identity header field value
 * "<jws>;info=<x5u>;alg=ES256;ppt=<ppt>".  Free with free().
 */
char	*stir_identity_value(const char *tbs, const uint8_t *sig, size_t siglen,
	    const char *x5u, const char *ppt);

/*
 * An identity claim, {"tn":"<digits>"} or {"uri":"<sip URI>"}, into *ret
 * (a URI canonicalized).  STIR_EINVAL if it is anything else.
 */
int	stir_claim_ident(json_t *o, struct stir_ident *ret);
/* A tn claim's digits, one leading '+' dropped (RFC 8224 8.3); or NULL. */
const char *stir_claim_tn(const char *tn, char out[static STIR_TN_MAX + 1]);

/* The same identity (kind and canonical value)? */
bool	stir_ident_eq(const struct stir_ident *a, const struct stir_ident *b);

/* Does dest (a PASSporT's dest claim) hold want? */
bool	stir_dest_has(json_t *dest, const struct stir_ident *want);

#endif
