/*
 * rcd_fetch.h: RCD content fetched as a kind through the certificate
 * cache and judged by its bytes, for both sides: the RCD policies of the
 * signing side (ops/op_policy.c) and the rcd claims of the verifying side
 * (verify/verify_rcd.c).  The judgement is what the two share: the body
 * within the byte limit the caller gives for the kind, an image that is
 * PNG, JPEG or SVG by its bytes (the cache keeps no Content-Type), a
 * jCard by the one rule (stir_rcd_jcard_check(): RFC 7095
 * ["vcard", [properties]], its URL values https, at most
 * STIR_RCD_NESTED_MAX), as the certificate cache admits it.  What each side
 * makes of a verdict (messages, digests, states) stays with the side.
 */
#ifndef STIR_RCD_FETCH_H
#define STIR_RCD_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "daemon/pki/certcache.h"

/* No byte limit for the kind (the caller judges the size itself, or none). */
#define STIR_RCD_NO_LIMIT	SIZE_MAX

enum stir_rcd_verdict {
	STIR_RCD_OK = 0,	/* within the limit, of its kind by its bytes */
	STIR_RCD_FETCH_FAILED,	/* no body: err and detail say why */
	STIR_RCD_NOT_KIND,	/* fetched, but the cache refused it as the kind
				 * (err STIR_EINVAL, detail says why) */
	STIR_RCD_TOO_BIG,	/* larger than the limit */
	STIR_RCD_BAD_TYPE,	/* not a PNG, JPEG or SVG image; not a usable jCard
				 * (not one, or a URL value not https) */
	STIR_RCD_TOO_MANY_URLS,	/* a jCard with more than STIR_RCD_NESTED_MAX URL values */
	_STIR_RCD_VERDICT_MAX
};

/*
 * Judge body as kind (STIR_CC_IMAGE, STIR_CC_JCARD or STIR_CC_OTHER)
 * within max_bytes.  On STIR_RCD_OK *ret_type is the media type (an
 * image's by its bytes, "application/vcard+json" for a jCard, NULL for
 * other content) and, for a jCard, *ret_jcard the parsed jCard (the
 * caller's; ret_jcard may be NULL); both untouched otherwise.
 */
enum stir_rcd_verdict stir_rcd_judge(enum stir_cc_kind kind, const uint8_t *body,
	    size_t len, size_t max_bytes, const char **ret_type, json_t **ret_jcard);

/* One fetched URL, judged: everything is borrowed for the callback. */
struct stir_rcd_fetched {
	const char		*url;
	enum stir_rcd_verdict	 verdict;
	int			 err;		/* the cache's answer (STIR_OK ...) */
	const char		*detail;	/* why it failed, or NULL */
	const uint8_t		*body;		/* the body, or NULL (failure) */
	size_t			 len;
	int64_t			 expires;	/* when the cache entry goes stale */
	const char		*type;		/* on STIR_RCD_OK, as stir_rcd_judge() */
	json_t			*jcard;		/* on STIR_RCD_OK for a jCard: incref to keep */
};

typedef void (*stir_rcd_fetch_cb)(void *arg, const struct stir_rcd_fetched *f);

/*
 * Fetch url as kind through cc (a fetch counted against owner's share;
 * 0 for none) as of now, and judge it within max_bytes: cb is called
 * exactly once, from the loop, never from inside this call (certcache.h).
 * Returns an error only if the fetch could not be started (then no
 * callback).
 */
int	stir_rcd_fetch(struct stir_certcache *cc, const char *url, enum stir_cc_kind kind,
	    size_t max_bytes, int64_t now, uint64_t owner, stir_rcd_fetch_cb cb, void *arg);

#endif
