/* tn.h: telephone-number and URI canonicalization (RFC 8224 section 8). */
#ifndef STIR_TN_H
#define STIR_TN_H

#include "opschema.h"

#include <stdbool.h>
#include <stddef.h>

#define STIR_TN_MAX	15	/* digits in an E.164 number (TNAuthList max) */
#define STIR_URI_MAX	512	/* longest identity URI we accept */
#define STIR_IDENT_MAX	STIR_P_IDENT_MAX	/* longest raw identity input */

enum stir_ident_kind {
	STIR_IDENT_TN,		/* value holds digits only */
	STIR_IDENT_URI,		/* value holds scheme:user@host */
	_STIR_IDENT_KIND_MAX
};

struct stir_ident {
	enum stir_ident_kind kind;
	char	value[STIR_URI_MAX + 1];
};

/*
 * Canonicalize an identity given as a bare number ("+1 (215) 555-1212"),
 * a tel: URI, a sip:/sips: URI, or a name-addr ("Alice" <sip:...>;tag=x).
 * A tel: URI, a SIP URI with user=phone, a SIP user part that is a dial
 * string, and a bare number are telephone numbers: the result is the
 * digits only (RFC 8224 section 8).  Any other SIP URI becomes
 * scheme:user@host with scheme and host lowercased and password, port,
 * parameters and headers dropped.
 * Returns STIR_EINVAL for anything else (with a reason in msg).
 */
int	stir_ident_canon(const char *in, struct stir_ident *ret,
	    char *msg, size_t msglen);

/* True if s is 1..15 characters of "0123456789#*" (TNAuthList TN). */
bool	stir_tn_is_valid(const char *s);

/*
 * Is tn inside the range [start, start+count-1]?  Equal-length digit
 * strings only (RFC 8226 ranges); anything else is outside.
 */
bool	stir_tn_in_range(const char *tn, const char *start, unsigned long count);

#endif
