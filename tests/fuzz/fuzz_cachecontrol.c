/*
 * fuzz_cachecontrol.c: the caching headers of an x5u response
 * (Cache-Control, Expires, Date) through stir_http_cache_ttl().  The input
 * is split at its first two '\n' into the three header values, each a C
 * string (ending at a NUL if it holds one); a missing part is a missing
 * header (NULL).  Each triple runs with several (min_ttl, max_ttl) pairs.
 *
 * The promise (daemon/pki/fetch.h): a TTL in [min_ttl, max_ttl], except that
 * no-store and no-cache give 0, not clamped up; never above max_ttl, never
 * negative (with min_ttl > max_ttl the clamp to max_ttl wins).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "daemon/pki/fetch.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_NOW	1795871896	/* Sat, 28 Nov 2026 13:18:16 GMT */
#define CC_SCAN_MAX	4096		/* bytes of Cache-Control parsed */

/* Does cc (as far as it is parsed) mention no-store or no-cache? */
static bool
says_no_store(const char *cc)
{
	size_t n;

	if (cc == NULL)
		return false;
	n = strnlen(cc, CC_SCAN_MAX);
	for (size_t i = 0; i + 8 <= n; i++)
		if (strncasecmp(cc + i, "no-store", 8) == 0 ||
		    strncasecmp(cc + i, "no-cache", 8) == 0)
			return true;
	return false;
}

static void
ttl(const char *cc, const char *ex, const char *date, int64_t now,
    unsigned min, unsigned max)
{
	int64_t t = stir_http_cache_ttl(cc, ex, date, now, min, max), again;

	FUZZ_ASSERT(t >= 0 && t <= (int64_t)max);
	if (min <= max && t < (int64_t)min)
		FUZZ_ASSERT(t == 0 && says_no_store(cc));
	if (min > max)
		FUZZ_ASSERT(t == (int64_t)max || (t == 0 && says_no_store(cc)));
	/* no caching headers at all: stale, so min_ttl */
	if (cc == NULL && ex == NULL)
		FUZZ_ASSERT(t == (int64_t)(min < max ? min : max));
	/* a pure function of its arguments */
	again = stir_http_cache_ttl(cc, ex, date, now, min, max);
	FUZZ_ASSERT(again == t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned bounds[][2] = {
		{ 0, 86400 }, { 60, 86400 }, { 300, 300 }, { 0, 0 },
		{ 600, 60 }, { 0, UINT32_MAX }, { UINT32_MAX, UINT32_MAX },
	};
	char *buf, *part[3] = { NULL, NULL, NULL };

	if (size > 3 * CC_SCAN_MAX)
		return 0;
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	part[0] = buf;
	for (int i = 1; i < 3; i++) {
		char *nl = memchr(part[i - 1], '\n', (size_t)(buf + size - part[i - 1]));

		if (nl == NULL)
			break;
		*nl = '\0';
		part[i] = nl + 1;
	}
	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++)
		ttl(part[0], part[1], part[2], FUZZ_NOW, bounds[i][0], bounds[i][1]);
	/* Cache-Control absent: Expires and Date decide */
	ttl(NULL, part[1], part[2], FUZZ_NOW, 0, 86400);
	ttl(NULL, part[0], part[1], FUZZ_NOW, 0, UINT32_MAX);
	ttl(NULL, part[0], NULL, 0, 0, UINT32_MAX);
	free(buf);
	return 0;
}
