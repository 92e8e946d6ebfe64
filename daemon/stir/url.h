/*
 * url.h: the URL rules stird applies, in one place.  Each rule is a pure
 * function of the URL's bytes and explicit options: nothing is fetched,
 * resolved or allocated.
 *
 * The rules judge a URL as text, as it was received: its scheme prefix,
 * its length, its characters and whether anything follows "//".  They do
 * not parse it into parts.  Parsing for a fetch is libcurl's (curl_url()
 * in daemon/pki/fetch.c, which also judges the scheme again and the
 * address actually connected to); none of the rules here needs it, and
 * the RCD rule is used by daemon/stir/rcd.c, the bottom layer, which
 * links no library of the kind.  So this module lives in daemon/stir/
 * and uses only the C library.
 *
 * The base rule, which stir_url_check() applies and the x5u, RCD and
 * TNAuthList rules build on (the web-scheme test, the cache key and the
 * CRL distribution point are rules of their own):
 * - at most STIR_URL_MAX bytes;
 * - "https://" (or, with STIR_URL_HTTP, "http://"), in lowercase as it
 *   is written: stird has never taken "HTTPS://";
 * - only printable ASCII without space (0x21 to 0x7e): no control
 *   character, no NUL, no byte of a UTF-8 sequence;
 * - at least one byte after "//".
 */
#ifndef STIR_URL_H
#define STIR_URL_H

#include "opschema.h"

#include <stdbool.h>
#include <stddef.h>

#define STIR_URL_MAX	STIR_P_URL_MAX	/* longest URL stird takes, signs, caches or fetches */

/* Options of stir_url_check(), or'ed: each one admits or refuses more. */
#define STIR_URL_HTTP		0x01u	/* http:// as well as https:// */
#define STIR_URL_HOST		0x02u	/* refuse an empty authority ("https:///x") */
#define STIR_URL_URI_CHARS	0x04u	/* refuse "<>\^`{|}: not URI characters (RFC 3986 2) */
#define STIR_URL_INFO_CHARS	0x08u	/* refuse <>"\;: they would end or split the
					   Identity header's info=<url>;alg=... */

/* Why a URL was refused, in the order the checks are made. */
enum stir_url_fault {
	STIR_URL_OK = 0,
	STIR_URL_TOO_LONG,		/* over STIR_URL_MAX bytes */
	STIR_URL_BAD_SCHEME,		/* not https:// (or http:// when allowed) */
	STIR_URL_BAD_CHAR,		/* a byte the rule refuses */
	STIR_URL_NO_HOST,		/* nothing after "//", or an empty authority */
	_STIR_URL_FAULT_MAX
};

/*
 * The base rule (above) with options opts (STIR_URL_*) on the len bytes
 * at url, which need not end with a NUL (a NUL among them is refused).
 */
enum stir_url_fault stir_url_check(const char *url, size_t len, unsigned opts);

/*
 * An x5u (a credential's certificate URL, signed into PASSporTs and put
 * in Identity headers): the base rule, http:// too if allow_http, with
 * STIR_URL_INFO_CHARS and STIR_URL_HOST.  url is a C string.
 */
enum stir_url_fault stir_url_check_x5u(const char *url, bool allow_http);

/*
 * An RCD URL (RFC 9795: rcd icn and jcl, and a jCard's web "uri" values),
 * on the signing side (policies) and on the verifying side alike: the
 * base rule, https only, with STIR_URL_URI_CHARS.  False for NULL.
 */
bool	stir_url_rcd_ok(const char *url);

/*
 * The URI of a TNAuthList by reference (RFC 8226 10.1: an https URI),
 * the len bytes at uri from a certificate: the base rule, https only.
 */
bool	stir_url_tnlist_ok(const char *uri, size_t len);

/*
 * Does s start a web URL, http: or https: in any case?  Which jCard "uri"
 * values are references the verifier must follow (and so must pass
 * stir_url_rcd_ok()) rather than other URIs (tel:, mailto:, data:).
 */
bool	stir_url_is_web(const char *s);

/*
 * A URL the certificate cache and the fetcher may key on: 1 to
 * STIR_URL_MAX bytes, nothing more.  Its scheme and address are the
 * fetcher's to judge when it runs, so a refusal is cached like any
 * other result.  False for NULL.
 */
bool	stir_url_key_ok(const char *url);

/*
 * A CRL distribution point worth fetching, the len bytes at uri from a
 * certificate: "https://" or "http://" (lowercase), at most STIR_URL_MAX
 * bytes, no NUL.  Deliberately no more than that: a distribution point
 * passed over counts as none, and a certificate without one is not
 * checked at all, even with crl_mode = hard; a malformed one is taken,
 * fails to fetch, and crl_mode decides.
 */
bool	stir_url_crl_ok(const char *uri, size_t len);

#endif /* STIR_URL_H */
