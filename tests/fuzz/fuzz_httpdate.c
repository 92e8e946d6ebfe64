/*
 * fuzz_httpdate.c: HTTP-dates (the SIP Date header: RFC 7231 IMF-fixdate,
 * RFC 850 and asctime forms) through stir_http_date().  The input is a C
 * string (it ends at a NUL if it holds one).
 *
 * A date it accepts, written back as IMF-fixdate, parses to the same
 * time.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "stirclient.h"
#include "daemon/verify/verify.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, out[128];
	int64_t t = 0, again = -2;
	struct tm tm;
	time_t tt;
	int r;

	if (size > 256)
		return 0;
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	r = stir_http_date(s, &t);
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EINVAL);
	if (r != STIR_OK) {
		free(s);
		return 0;
	}
	FUZZ_ASSERT(strlen(s) <= 64);
	/* write it back (years 0..9999 are what %Y reads) and parse again */
	tt = (time_t)t;
	if (gmtime_r(&tt, &tm) != NULL && tm.tm_year >= -1900 &&
	    tm.tm_year <= 9999 - 1900 &&
	    strftime(out, sizeof(out), "%a, %d %b %Y %H:%M:%S GMT", &tm) > 0) {
		r = stir_http_date(out, &again);
		FUZZ_ASSERT(r == STIR_OK || tt == (time_t)-1);
		if (r == STIR_OK)
			FUZZ_ASSERT(again == t);
	}
	free(s);
	return 0;
}
