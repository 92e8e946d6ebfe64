/*
 * message.h: the body of a SIP MESSAGE (RFC 3428) for messaging
 * PASSporTs (RFC 9475): its base64 transport in the protocol, a sanity
 * check against its Content-Type (multipart bodies keep their boundary
 * delimiters), and its msgi digest.  Pure functions.
 */
#ifndef STIR_MESSAGE_H
#define STIR_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#define STIR_BOUNDARY_MAX	70	/* RFC 2046 */

/*
 * Decode b64 (standard base64, padding required, whitespace ignored) into
 * a new buffer of at most max bytes.  STIR_ETOOBIG over max, STIR_EINVAL
 * if it is not base64; msg says which.  Free *ret with free().
 */
int	stir_body_decode(const char *b64, unsigned max, uint8_t **ret, size_t *ret_len,
	    char *msg, size_t msglen);

/*
 * Does body fit ctype (may be NULL: anything does)?  ctype must be a
 * type/subtype; a multipart type needs a boundary parameter, and the
 * body its delimiter and close delimiter.  STIR_EINVAL with msg.
 */
int	stir_body_check(const uint8_t *body, size_t len, const char *ctype, char *msg,
	    size_t msglen);

#endif
