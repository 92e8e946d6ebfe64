/*
 * certcache_kind.h: what the certificate cache fetches a URL as, and the
 * check a body must pass to be kept as that kind (certcache_kind.c).
 */
#ifndef STIR_CERTCACHE_KIND_H
#define STIR_CERTCACHE_KIND_H

#include <stddef.h>
#include <stdint.h>

/* What a URL is fetched as: a body is kept only if it parses as that. */
enum stir_cc_kind {
	STIR_CC_CHAIN,		/* PEM certificate chain, end entity first (x5u) */
	STIR_CC_CRL,		/* X.509 CRL, DER or PEM */
	STIR_CC_IMAGE,		/* PNG, JPEG or SVG (RCD icn, jCard photo and logo) */
	STIR_CC_JCARD,		/* jCard (RCD jcl), by stir_rcd_jcard_check() */
	STIR_CC_OTHER,		/* other RCD content: any bytes, no type rule */
	STIR_CC_TNLIST,		/* DER TNAuthList by reference (RFC 8226 10.1) */
	STIR_CC_KINDS
};

/* "chain", "crl", "image", "jcard", "other", "tnlist"; NULL for no kind. */
const char *stir_cc_kind_name(int kind);
/* The kind named name: STIR_OK, or STIR_EINVAL. */
int	stir_cc_kind_parse(const char *name, enum stir_cc_kind *ret);
/*
 * Does body parse as kind?  STIR_OK, or the code a caller sees for a body
 * that does not (STIR_ECERT for a chain, CRL or TN list, STIR_EINVAL for RCD
 * content), with why in msg.
 */
int	stir_cc_kind_check(enum stir_cc_kind kind, const uint8_t *body, size_t len,
	    char *msg, size_t msglen);

#endif
