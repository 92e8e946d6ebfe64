/*
 * verify.h: checking one PASSporT (RFC 8224 section 6.2, RFC 8225,
 * RFC 8588) against the SIP request it arrived in, and its certificate.
 * Pure functions: no I/O, no event loop; the crypto parts run on the
 * thread pool.  Results carry the SIP code a proxy would answer with.
 */
#ifndef STIR_VERIFY_H
#define STIR_VERIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <gnutls/abstract.h>

#include "daemon/pki/cert.h"
#include "daemon/stir/identity.h"
#include "daemon/stir/passport.h"
#include "daemon/stir/tn.h"

/* SIP response codes of RFC 8224 section 13 (and 403 Stale Date). */
#define STIR_SIP_STALE		403
#define STIR_SIP_USE_IDENTITY	428
#define STIR_SIP_BAD_INFO	436
#define STIR_SIP_UNSUPPORTED	437
#define STIR_SIP_INVALID	438

/*
 * What the Identity values arrived in: a request (INVITE, MESSAGE, ...),
 * a response to a request this side sent (RFC 9970 connected identity),
 * the provisional response to a media-less "pre-call" INVITE, or a
 * request the called party sent back in the dialog (BYE, re-INVITE,
 * UPDATE: RFC 9970 section 6), whose PASSporT speaks for its dest.
 * Names on the wire: stir_vmode_name().
 */
enum stir_vmode {
	STIR_VMODE_REQUEST,
	STIR_VMODE_RESPONSE,
	STIR_VMODE_PRECALL,
	STIR_VMODE_BACKWARD,
	_STIR_VMODE_MAX
};

/* What the SIP message says, canonicalized. */
struct stir_vctx {
	struct stir_ident	from, to, pai;
	bool			has_pai;
	int64_t			date;		/* Date header, or -1 */
	int64_t			at;		/* verify as of */
	unsigned		iat_window;
	unsigned		date_iat_skew;	/* 0: not checked */
	enum stir_vmode		mode;
	const uint8_t		*body;		/* a MESSAGE's body (msgi), or NULL */
	/* a compact ppt=rcd form's nam and crn (RFC 9795 9.1, 9.3), or NULL */
	const char		*from_name, *call_reason;
	size_t			body_len;
	/* backward: the dest the dialog's first response asserted (RFC 9970
	 * section 6), which every PASSporT's dest must be; else unused */
	struct stir_ident	dialog_dest;
};

/* Whose number the signer's certificate must cover (RFC 8224, 8946, 9970). */
enum stir_authority {
	STIR_AUTH_ORIG,		/* the caller: shaken, rcd, msg */
	STIR_AUTH_DIV,		/* the diverting number: div, div-o */
	STIR_AUTH_DEST,		/* the party reached: rsp; any in a backward request */
	_STIR_AUTH_MAX
};

/* One Identity value's outcome. */
struct stir_vresult {
	int		 code;		/* 0 valid so far, else a STIR_SIP_* */
	char		 detail[256];
	bool		 ignored;	/* an unsupported ppt: not counted */
	char		 ppt[STIR_PPT_MAX + 1];	/* "" for a base PASSporT */
	char		*x5u;		/* the info URI */
	json_t		*header, *payload;
	char		*tbs;		/* signing input: received or rebuilt */
	uint8_t		 sig[STIR_ES256_SIG_LEN];
	struct stir_ident orig;
	char		 attest;	/* shaken; 0 otherwise */
	char		 origid[STIR_UUID_LEN + 1];
	int64_t		 iat;
	char		*compact_ppi;	/* "..sig" for RFC 9410's ppi */
	enum stir_authority authority_of;
	struct stir_ident authority;	/* what the certificate must cover */
	struct stir_ident div;		/* div, div-o: the diverting identity */
	const char	*opt;		/* div-o: the nested PASSporT (in payload) */
	int		 msgi;		/* msg: -1 none, 0 not checked (no body), 1 matched */
};

void	stir_vresult_clear(struct stir_vresult *r);
/* "request", "response", "precall", "backward"; "" out of range. */
const char *stir_vmode_name(enum stir_vmode mode);
/* The mode named name into *ret; STIR_EINVAL for another name. */
int	stir_vmode_parse(const char *name, enum stir_vmode *ret);
/* Do the values of mode arrive in a SIP response (nothing to reject)? */
bool	stir_vmode_is_response(enum stir_vmode mode);
/* The reason phrase of a STIR_SIP_* code ("Invalid Identity Header", ...). */
const char *stir_sip_reason(int code);

/*
 * Decode id and check everything that needs no certificate: the header
 * (typ, alg, ppt, x5u == info), the claims each ppt requires, iat
 * freshness and Date consistency, orig against PAI/From and (except for
 * div and div-o, whose dest is the new target) dest against To, and a
 * msg's msgi against the body.  A ppt this verifier does not support, or
 * one that does not belong in v->mode (rsp in a request; anything but
 * rsp, div and div-o in a response; anything but a base or shaken
 * PASSporT in a backward request), is ignored.  In a backward request the
 * signer speaks for dest, which must be one tn equal to v->dialog_dest.  A compact form is
 * rebuilt from the SIP fields first.  Fills *res; res->code says the
 * outcome.  Returns STIR_ENOMEM only.
 */
int	stir_passport_check(const struct stir_identity *id, const struct stir_vctx *v,
	    struct stir_vresult *res);

/* Is ppt (NULL: a base PASSporT) one this verifier knows, in any mode? */
bool	stir_ppt_supported(const char *ppt);

/* ES256 over tbs with pub: true if the signature verifies. */
bool	stir_es256_verify(gnutls_pubkey_t pub, const char *tbs, size_t len,
	    const uint8_t sig[static STIR_ES256_SIG_LEN]);

/* Parse an HTTP-date (RFC 7231 IMF-fixdate, and the two obsolete forms). */
int	stir_http_date(const char *s, int64_t *ret);

#endif
