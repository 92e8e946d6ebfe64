/*
 * rcd.h: Rich Call Data claims (RFC 9795) on the verifying side: the
 * rcd object, crn, and rcdi digests over URL-referenced content, plus what
 * may be shown to a person.  Pure functions; see doc/rcd.md for our
 * reading of the RFCs, including what stays unconfirmed.
 */
#ifndef STIR_RCD_H
#define STIR_RCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define STIR_RCD_NAM_MAX	256	/* bytes of nam, apn, crn */
#define STIR_RCD_DISPLAY_MAX	64	/* characters of a display name */
#define STIR_RCD_REFS_MAX	2	/* URL content followed: icn, jcl */

/* URL-referenced content of one rcd claim. */
struct stir_rcd_ref {
	const char	*ptr;		/* JSON pointer: "/icn" or "/jcl" */
	const char	*url;		/* borrowed from the payload */
	const char	*digest;	/* rcdi value for ptr, or NULL */
};

struct stir_rcd {
	const char		*nam, *apn, *icn, *jcl, *crn;	/* borrowed */
	json_t			*jcd;				/* borrowed */
	struct stir_rcd_ref	 refs[STIR_RCD_REFS_MAX];
	size_t			 nrefs;
};

/*
 * Read the rcd, crn and rcdi claims of payload into *ret (strings stay
 * owned by payload).  STIR_ENOENT when there is no rcd claim; STIR_EINVAL
 * with the reason in msg when rcd is malformed (nam missing, jcd with
 * jcl, a member of the wrong type, an rcdi key that is not a pointer into
 * rcd, a URL that is not https).
 */
int	stir_rcd_read(json_t *payload, struct stir_rcd *ret, char *msg, size_t msglen);

/*
 * Check an rcdi digest ("sha256-<base64>", also sha384/sha512; standard
 * base64 with padding, as Subresource Integrity writes it) over body.
 * STIR_OK, STIR_EPOLICY (mismatch), STIR_EINVAL (malformed or another
 * algorithm).
 */
int	stir_rcdi_check(const char *digest, const uint8_t *body, size_t len);

/* What the icon's bytes are: "image/png", "image/jpeg", "image/svg+xml", or NULL. */
const char *stir_rcd_icon_type(const uint8_t *body, size_t len);
/* Is body a jCard (RFC 7095: ["vcard", [properties...]])? */
bool	stir_rcd_jcard_valid(const uint8_t *body, size_t len, json_t **ret_jcard);

/*
 * A display name safe to put in From/PAI: control, format and bidi
 * override characters removed, at most STIR_RCD_DISPLAY_MAX characters,
 * quotes and backslashes dropped.  Free with free().
 */
char	*stir_rcd_display_name(const char *nam);

#endif
