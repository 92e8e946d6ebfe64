/*
 * sipmap.h: what stird-sipd asks stird for a SIP request, and which SIP
 * response stird's answer becomes (doc/sip-redirect.md).  Pure functions
 * of strings and JSON texts (Jansson): no I/O, no osip, so the fuzz
 * target (tests/fuzz/fuzz_sipmsg.c) runs them as the door does.
 */
#ifndef STIRD_SIPMAP_H
#define STIRD_SIPMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "client/stird-sipd/sipmsg.h"

#define SIPMAP_MAX_HDRS		48	/* header fields one answer adds */
#define SIPMAP_PHRASE_MAX	96	/* reason phrase taken from stird */

enum sipd_mode {
	SIPD_MODE_AUTO,		/* no Identity: sign; Identity: verify */
	SIPD_MODE_SIGN,
	SIPD_MODE_VERIFY,
	_SIPD_MODE_MAX
};

enum sipd_on_failure {
	SIPD_FAIL_FOLLOW,	/* do what stird's "action" says */
	SIPD_FAIL_REJECT,	/* a failed verstat is always answered with its error */
	SIPD_FAIL_MARK,		/* always 302, verstat=TN-Validation-Failed */
	_SIPD_FAIL_MAX
};

enum sipd_op {
	SIPD_OP_SIGN,
	SIPD_OP_VERIFY,
	_SIPD_OP_MAX
};

/*
 * The stird request for an INVITE.  attest: the attestation to sign with
 * (the listener's or the configured header's).  *ret_params (free()) is a
 * JSON object text of the op's fields.  STIR_EINVAL when the request lacks
 * what the op needs (*ret_why, static).
 */
int	sipmap_request(const struct sip_fields *f, enum sipd_mode mode,
	    const char *attest, enum sipd_op *ret_op, char **ret_params,
	    const char **ret_why);

/* A SIP response to send: status, phrase and extra header fields. */
struct sip_answer {
	int		 code;
	char		 phrase[SIPMAP_PHRASE_MAX];
	struct sip_hdr	 hdrs[SIPMAP_MAX_HDRS];
	size_t		 nhdrs;
	char		*owned[SIPMAP_MAX_HDRS];	/* values we allocated */
	size_t		 nowned;
};

void	sip_answer_init(struct sip_answer *a, int code, const char *phrase);
/* Add a header; value is copied.  STIR_ETOOBIG past SIPMAP_MAX_HDRS. */
int	sip_answer_add(struct sip_answer *a, const char *name, const char *value);
/* Free what the answer holds; it may be reused after sip_answer_init(). */
void	sip_answer_clear(struct sip_answer *a);

/* sign result (JSON text) -> 302 with Contact and Identity. */
int	sipmap_sign_answer(const struct sip_fields *f, const char *result_json,
	    struct sip_answer *ret);
/* verify result -> 302 with P-Asserted-Identity;verstat, or the error. */
int	sipmap_verify_answer(const struct sip_fields *f, const char *result_json,
	    enum sipd_on_failure on_failure, struct sip_answer *ret);
/*
 * An error reply from stird (or none: STIR_EIO and friends) -> 5xx/4xx
 * with a Warning; retry_after is the Retry-After of a 503.
 */
void	sipmap_error_answer(enum sipd_op op, int err, const char *errmsg,
	    unsigned retry_after, struct sip_answer *ret);

/* "+12155551212" style digits of a caller's user part, or false. */
bool	sipmap_tn(const char *user, char *out, size_t outlen);

#endif
