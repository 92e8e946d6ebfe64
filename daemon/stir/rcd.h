/*
 * rcd.h: Rich Call Data claims (RFC 9795) on the verifying side: the
 * rcd object, crn, and rcdi digests over URL-referenced content, plus what
 * may be shown to a person.  Pure functions; see doc/rcd.md for our
 * reading of the RFCs and the choices where they leave one.
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
#define STIR_RCD_NESTED_MAX	8	/* URLs followed inside one jCard */
#define STIR_RCD_PTR_MAX	64	/* bytes of an rcdi pointer, "/jcl/1/<i>/<k>" */
#define STIR_RCD_ICN_MAX	12288	/* bytes of icn: a data: URI holds the image */

/* URL-referenced content of one rcd claim. */
struct stir_rcd_ref {
	const char	*ptr;		/* JSON pointer: "/icn" or "/jcl" */
	const char	*url;		/* borrowed from the payload */
	const char	*digest;	/* rcdi value for ptr, or NULL */
};

struct stir_rcd {
	json_t			*obj;		/* the rcd claim, or NULL (crn alone) */
	const char		*nam, *apn, *icn, *jcl, *crn;	/* borrowed */
	const char		*iss;		/* a third party's name (RFC 9795 10) */
	bool			 icn_data;	/* icn is a data: URI: nothing to fetch */
	json_t			*jcd;				/* borrowed */
	json_t			*rcdi;		/* borrowed; NULL when absent */
	struct stir_rcd_ref	 refs[STIR_RCD_REFS_MAX];
	size_t			 nrefs;
};

/*
 * Read the rcd, crn, iss and rcdi claims of payload into *ret (strings
 * stay owned by payload; ret->rcdi is the rcdi object, for the pointers
 * into a jCard: stir_rcd_jcard_refs()).  A crn without rcd is RCD too
 * (RFC 9795 section 8: "at least one "rcd" or "crn" claim").  STIR_ENOENT
 * when there is neither; STIR_EINVAL with the reason in msg when rcd is
 * malformed (nam missing, jcd with jcl, a member of the wrong type, an
 * rcdi key that is not a pointer, jcl or an icn that is not a data: URI
 * not an https URL).
 */
int	stir_rcd_read(json_t *payload, struct stir_rcd *ret, char *msg, size_t msglen);

/*
 * Check an rcdi digest ("sha256-<base64>", also sha384/sha512; standard
 * base64 without padding, as RFC 9795 prints it, or with it, as
 * Subresource Integrity writes it) over body.  STIR_OK, STIR_EPOLICY
 * (mismatch), STIR_EINVAL (malformed or another algorithm).
 */
int	stir_rcdi_check(const char *digest, const uint8_t *body, size_t len);

/*
 * The same over a JSON value an rcdi pointer names (RFC 9795 section 6.1
 * step 2): over its RFC 8225 section 9 serialization, so a string's
 * digest covers its quotes.  STIR_ENOMEM besides.
 */
int	stir_rcdi_check_json(const char *digest, const json_t *value);

/*
 * The digest "sha256-<base64>" (unpadded, as RFC 9795 and RFC 9475 print
 * it) of body, or of a JSON value's serialization.  Free with free().
 */
char	*stir_rcdi_sha256(const uint8_t *body, size_t len);
char	*stir_rcdi_sha256_json(const json_t *value);

/*
 * The value an RFC 6901 JSON pointer names in root ("" is root itself),
 * borrowed; NULL if it names nothing, is malformed, or is
 * STIR_RCD_PTR_MAX bytes or longer.
 */
json_t	*stir_json_pointer(json_t *root, const char *ptr);

/*
 * Check an icn data: URI (RFC 2397; RFC 9795 section 8.3):
 * "data:image/png;base64,...", image/jpeg or image/svg+xml, whose bytes
 * are what it declares (a self-contained SVG), at most max bytes.
 * STIR_OK with the type in *ret_type; STIR_EINVAL or STIR_ETOOBIG with the
 * reason in msg; STIR_ENOMEM.
 */
int	stir_rcd_data_icon(const char *uri, size_t max, const char **ret_type, char *msg,
	    size_t msglen);

/*
 * The display-name of a From or P-Asserted-Identity header field value
 * (RFC 3261 name-addr: a quoted-string, unescaped, or tokens before '<',
 * one space between them) into out.  False when there is none or it does
 * not fit.
 */
bool	stir_sip_display_name(const char *value, char *out, size_t outlen);

/*
 * A URL inside a jCard: a property value of type "uri" with an http or
 * https scheme.  RFC 9795's rcdi names it by a JSON pointer into the
 * jCard: "/jcd/1/<i>/<k>" for an inline jcd, "/jcl/1/<i>/<k>" for the
 * jCard fetched from jcl (<i> the property, <k> the value, 3 or more).
 */
struct stir_rcd_nref {
	char		 ptr[STIR_RCD_PTR_MAX];
	const char	*prop;		/* property name, e.g. "photo" (borrowed) */
	const char	*url;		/* borrowed from the jCard */
	const char	*digest;	/* rcdi value for ptr (borrowed), or NULL */
};

/*
 * The URLs inside jcard (["vcard",[properties...]]), in order, with their
 * digests from rcdi (may be NULL); base is "/jcd" or "/jcl".  Only this
 * level: what those URLs name is never searched for more URLs.  On
 * STIR_OK *ret_n (0 to STIR_RCD_NESTED_MAX) entries of refs are set.
 * STIR_ETOOBIG when there are more than STIR_RCD_NESTED_MAX;
 * STIR_EINVAL when jcard is not a jCard or a URL is not a usable https
 * URL (plain http, spaces, controls, over 1024 bytes); msg says which.
 */
int	stir_rcd_jcard_refs(json_t *jcard, const char *base, json_t *rcdi,
	    struct stir_rcd_nref refs[static STIR_RCD_NESTED_MAX], size_t *ret_n,
	    char *msg, size_t msglen);
/* Does a jCard property hold an image (photo, logo)? */
bool	stir_rcd_prop_is_image(const char *prop);

/* What the icon's bytes are: "image/png", "image/jpeg", "image/svg+xml", or NULL. */
const char *stir_rcd_icon_type(const uint8_t *body, size_t len);

/*
 * The one rule for a usable jCard, on both sides and for every jCard
 * (fetched from jcl by the verifier, the signer's policy content and the
 * certificate cache; an inline jcd): the shape of RFC 7095
 * (["vcard", [properties...]]) and URL values that stir_rcd_jcard_refs()
 * accepts (usable https URLs, at most STIR_RCD_NESTED_MAX).  STIR_OK;
 * STIR_EINVAL (not a jCard, or a URL value that is not a usable https
 * URL) or STIR_ETOOBIG (too many URL values) with the reason in msg,
 * pointers under base.
 */
int	stir_rcd_jcard_check(json_t *jcard, const char *base, char *msg, size_t msglen);

/*
 * The same over bytes (a fetched jCard, named by jcl: pointers under
 * "/jcl"): JSON without duplicate members, then stir_rcd_jcard_check().
 * On STIR_OK *ret_jcard is the parsed jCard (the caller's); untouched
 * otherwise.
 */
int	stir_rcd_jcard_parse(const uint8_t *body, size_t len, json_t **ret_jcard, char *msg,
	    size_t msglen);

/*
 * A display name safe to put in From/PAI: control, format and bidi
 * override characters removed, at most STIR_RCD_DISPLAY_MAX characters,
 * quotes and backslashes dropped.  Free with free().
 */
char	*stir_rcd_display_name(const char *nam);

#endif
