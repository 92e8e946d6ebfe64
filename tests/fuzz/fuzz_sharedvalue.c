/*
 * fuzz_sharedvalue.c: a value of the fleet's shared certificate cache as
 * Redis returns it (daemon/fleet/shared_cache.c: stir_shared_value_read()).
 * Redis is shared by many hosts, and a value may have been written by any
 * of them, or by hand.  The input is the value's bytes, read for one URL
 * at a fixed time under a few sets of cache bounds.  Then:
 *
 *  - a value read is a fetch's answer: its body inside the input, right
 *    after the first newline, a failure with no body, a code in range, and
 *    a Cache-Control "max-age=N" with 0 < N <= the longest lifetime + 60
 *    (a value may be up to 60 s ahead of this host's clock);
 *  - the writer and the reader agree: what was read, made into a value
 *    again (stir_shared_value_make()) and read back at the same time, gives
 *    the same code, status, content type, detail and body.
 */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "stirclient.h"
#include "daemon/fleet/shared_cache.h"
#include "tests/fuzz/fuzz.h"

#define URL	"https://x5u.example/sp.pem"
#define NOW	1800000100

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
check(const char *v, size_t len, const struct stir_shared_cache_opts *o)
{
	struct stir_fetch_result res, back;
	char cc[40], cc2[40], *made;
	long long age;
	json_t *h, *h2;
	size_t mlen;

	if (stir_shared_value_read(v, len, URL, NOW, o, &res, cc, sizeof(cc), &h) != STIR_OK) {
		FUZZ_ASSERT(h == NULL);
		return;
	}
	FUZZ_ASSERT(h != NULL);
	FUZZ_ASSERT(res.err <= 0 && res.err >= -9999);
	FUZZ_ASSERT(res.http_status >= 0 && res.http_status <= 999);
	if (res.err == STIR_OK) {
		const char *nl = memchr(v, '\n', len);

		FUZZ_ASSERT(nl != NULL && (const char *)res.body == nl + 1);
		FUZZ_ASSERT(res.body + res.len == (const uint8_t *)v + len);
	} else
		FUZZ_ASSERT(res.len == 0 && res.body == NULL);
	FUZZ_ASSERT(res.cache_control == cc && sscanf(cc, "max-age=%lld", &age) == 1);
	FUZZ_ASSERT(age > 0 && age <= (long long)(res.err == STIR_OK ? o->max_ttl :
	    o->negative_ttl) + 60);
	/* round trip */
	made = stir_shared_value_make(URL, &res, NOW, 64 * 1024 * 1024, &mlen);
	if (made != NULL) {
		FUZZ_ASSERT(stir_shared_value_read(made, mlen, URL, NOW, o, &back, cc2, sizeof(cc2),
		    &h2) == STIR_OK);
		FUZZ_ASSERT(back.err == res.err && back.http_status == res.http_status);
		FUZZ_ASSERT(same_str(back.content_type, res.content_type));
		FUZZ_ASSERT(strcmp(back.detail, res.detail) == 0);
		FUZZ_ASSERT(back.len == res.len && (res.len == 0 ||
		    memcmp(back.body, res.body, res.len) == 0));
		json_decref(h2);
		free(made);
	}
	json_decref(h);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct stir_shared_cache_opts opts[] = {
		{ .min_ttl = 60, .max_ttl = 86400, .negative_ttl = 30 },
		{ .min_ttl = 0, .max_ttl = 60, .negative_ttl = 1 },
		{ .min_ttl = 3600, .max_ttl = 3600, .negative_ttl = 3600 },
	};

	if (size > 256 * 1024)
		return 0;
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		check((const char *)data, size, &opts[i]);
	return 0;
}
