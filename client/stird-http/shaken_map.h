/*
 * shaken_map.h: the JSON mapping between the SHAKEN REST shape
 * (ATIS-1000082 style signingRequest/verificationRequest, doc/http.md) and
 * stird's sign and verify ops (doc/protocol.md).  Pure functions: no I/O,
 * no MHD, no loop, so that tests/fuzz/fuzz_shakenreq.c can drive them.
 */
#ifndef STIR_HTTP_SHAKEN_MAP_H
#define STIR_HTTP_SHAKEN_MAP_H

#include <stddef.h>

#include <jansson.h>

#define SHAKEN_MAX_IDENTITIES	32	/* identity values of one request */
#define SHAKEN_MAX_DEST		16	/* dest numbers and URIs */

/* Why a request could not be mapped: for the requestError body. */
struct shaken_err {
	const char	*msgid;		/* "SVC4000" (missing) or "SVC4001" (invalid) */
	char		 field[64];	/* the JSON path of the member, or "" */
	char		 text[256];
};

/*
 * A signingRequest body to the params of stird's sign op.  On success
 * *ret_params is a JSON object text (free()).  STIR_EPROTO: not JSON;
 * STIR_EBADREQ: a member missing, unknown or of the wrong type; STIR_EINVAL:
 * a bad value; e says which.
 */
int	shaken_sign_params(const char *body, size_t len, char **ret_params,
	    struct shaken_err *e);
/* stird's sign result to the signingResponse body (free()). */
int	shaken_sign_reply(const char *result_json, char **ret_body);
/* A verificationRequest body to the params of stird's verify op. */
int	shaken_verify_params(const char *body, size_t len, char **ret_params,
	    struct shaken_err *e);
/* stird's verify result to the verificationResponse body (free()). */
int	shaken_verify_reply(const char *result_json, char **ret_body);

/*
 * The same with Jansson values, as the door holds them: *ret_params is a
 * new object (json_decref()); the result is borrowed.
 */
int	shaken_sign_params_json(const char *body, size_t len, json_t **ret_params,
	    struct shaken_err *e);
int	shaken_sign_reply_json(const json_t *result, char **ret_body);
int	shaken_verify_params_json(const char *body, size_t len, json_t **ret_params,
	    struct shaken_err *e);
int	shaken_verify_reply_json(const json_t *result, char **ret_body);

#endif
