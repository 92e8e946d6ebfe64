/*
 * fuzz_url.c: the URL rules (daemon/stir/url.c).  The input is a URL as
 * counted bytes (for stir_url_check(), stir_url_tnlist_ok() and
 * stir_url_crl_ok()) and, up to its first NUL, as a C string (for the
 * rest).  Then:
 *
 *  - stir_url_check() under every set of options: a fault in range,
 *    STIR_URL_TOO_LONG exactly when the input is over STIR_URL_MAX bytes,
 *    and on STIR_URL_OK the rule kept: "https://" (or "http://" with
 *    STIR_URL_HTTP) and at least one byte after it, only bytes 0x21 to
 *    0x7e, none of the characters STIR_URL_URI_CHARS or
 *    STIR_URL_INFO_CHARS refuse, no '/' right after "//" with
 *    STIR_URL_HOST;
 *  - options that refuse more never accept more, STIR_URL_HTTP never
 *    accepts less;
 *  - each named rule is the base rule with its own options, as url.h
 *    says: stir_url_check_x5u(), stir_url_rcd_ok(), stir_url_tnlist_ok();
 *    stir_url_key_ok() is 1 to STIR_URL_MAX bytes, stir_url_crl_ok() takes
 *    whatever stir_url_check() takes with http allowed, and an RCD URL is
 *    a web URL (stir_url_is_web()).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "daemon/stir/url.h"
#include "tests/fuzz/fuzz.h"

#define URL_INPUT_MAX	(STIR_URL_MAX + 64)
#define ALL_OPTS	(STIR_URL_HTTP | STIR_URL_HOST | STIR_URL_URI_CHARS | \
			 STIR_URL_INFO_CHARS)

/* What an accepted URL must look like under opts. */
static void
check_accepted(const char *u, size_t n, unsigned opts)
{
	size_t skip = n >= 8 && memcmp(u, "https://", 8) == 0 ? 8 : 7;

	FUZZ_ASSERT(n <= STIR_URL_MAX);
	FUZZ_ASSERT((n >= 8 && memcmp(u, "https://", 8) == 0) ||
	    ((opts & STIR_URL_HTTP) && n >= 7 && memcmp(u, "http://", 7) == 0));
	FUZZ_ASSERT(n > skip);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)u[i];

		FUZZ_ASSERT(c > 0x20 && c < 0x7f);
		FUZZ_ASSERT(!(opts & STIR_URL_URI_CHARS) || strchr("\"<>\\^`{|}", c) == NULL);
		FUZZ_ASSERT(!(opts & STIR_URL_INFO_CHARS) || strchr("<>\"\\;", c) == NULL);
	}
	FUZZ_ASSERT(!(opts & STIR_URL_HOST) || u[skip] != '/');
}

static void
check_counted(const char *u, size_t n)
{
	enum stir_url_fault f[ALL_OPTS + 1];

	for (unsigned opts = 0; opts <= ALL_OPTS; opts++) {
		f[opts] = stir_url_check(u, n, opts);
		FUZZ_ASSERT(f[opts] >= STIR_URL_OK && f[opts] < _STIR_URL_FAULT_MAX);
		FUZZ_ASSERT((f[opts] == STIR_URL_TOO_LONG) == (n > STIR_URL_MAX));
		if (f[opts] == STIR_URL_OK)
			check_accepted(u, n, opts);
	}
	for (unsigned opts = 0; opts <= ALL_OPTS; opts++)
		for (unsigned more = opts; more <= ALL_OPTS; more++) {
			if ((more & opts) != opts)
				continue;
			/* refusing more accepts no more; http accepts no less */
			if ((more & STIR_URL_HTTP) == (opts & STIR_URL_HTTP) &&
			    f[more] == STIR_URL_OK)
				FUZZ_ASSERT(f[opts] == STIR_URL_OK);
			if ((more ^ opts) == STIR_URL_HTTP && f[opts] == STIR_URL_OK)
				FUZZ_ASSERT(f[more] == STIR_URL_OK);
		}
	FUZZ_ASSERT(stir_url_tnlist_ok(u, n) == (f[0] == STIR_URL_OK));
	if (f[STIR_URL_HTTP] == STIR_URL_OK)
		FUZZ_ASSERT(stir_url_crl_ok(u, n));
	if (stir_url_crl_ok(u, n))
		FUZZ_ASSERT(n <= STIR_URL_MAX && memchr(u, '\0', n) == NULL &&
		    (strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0));
}

static void
check_string(const char *s)
{
	size_t n = strlen(s);

	FUZZ_ASSERT(stir_url_check_x5u(s, false) ==
	    stir_url_check(s, n, STIR_URL_INFO_CHARS | STIR_URL_HOST));
	FUZZ_ASSERT(stir_url_check_x5u(s, true) ==
	    stir_url_check(s, n, STIR_URL_INFO_CHARS | STIR_URL_HOST | STIR_URL_HTTP));
	FUZZ_ASSERT(stir_url_rcd_ok(s) ==
	    (stir_url_check(s, n, STIR_URL_URI_CHARS) == STIR_URL_OK));
	FUZZ_ASSERT(!stir_url_rcd_ok(s) || stir_url_is_web(s));
	FUZZ_ASSERT(stir_url_key_ok(s) == (n > 0 && n <= STIR_URL_MAX));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > URL_INPUT_MAX)
		return 0;
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_counted(s, size);
	check_string(s);
	free(s);
	return 0;
}
