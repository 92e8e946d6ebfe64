/*
 * fuzz_message.c: SIP MESSAGE bodies for msg PASSporTs (daemon/stir/message.c,
 * RFC 9475).  The input is [CTYPE NUL] BODY: without a NUL, no
 * Content-Type and the whole input is the body.
 *
 * stir_body_check(BODY, CTYPE): STIR_OK or STIR_EINVAL with a reason;
 * always STIR_OK without a Content-Type; for a type that is not multipart
 * the body does not matter; a multipart body that passes has at least a
 * delimiter (so the empty body fails) and still passes with bytes added.
 *
 * stir_body_decode() of BODY (up to a NUL) and of CTYPE as base64, with
 * a generous limit and with small ones around the decoded size L: on
 * STIR_OK the same bytes, never more than the limit; STIR_EINVAL exactly
 * when it is not base64 (or for nothing else); STIR_ETOOBIG only over the
 * limit or when it is not base64 anyway (checked before decoding), and
 * never at a limit >= L for input without whitespace.  (With whitespace
 * the size check before decoding counts it: a line-wrapped body near the
 * limit gets STIR_ETOOBIG.  Reported, not asserted.)  Failures leave the
 * outputs alone.  The msgi digest of what decodes (stir_rcdi_sha256())
 * matches it and no other body (stir_rcdi_check()).
 */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "stirclient.h"
#include "daemon/stir/message.h"
#include "daemon/stir/rcd.h"
#include "tests/fuzz/fuzz.h"

#define INPUT_MAX	(64 * 1024)

static int
body_check(const uint8_t *body, size_t len, const char *ctype)
{
	char msg[256];
	int r;

	msg[0] = '\0';
	r = stir_body_check(body, len, ctype, msg, sizeof(msg));
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EINVAL);
	FUZZ_ASSERT(FUZZ_IS_CSTR(msg, sizeof(msg)));
	if (r != STIR_OK)
		FUZZ_ASSERT(msg[0] != '\0');
	return r;
}

static void
check_body(const uint8_t *body, size_t len, const char *ctype)
{
	int r = body_check(body, len, ctype);
	uint8_t *more;

	if (ctype == NULL) {
		FUZZ_ASSERT(r == STIR_OK);
		return;
	}
	if (strncasecmp(ctype, "multipart/", 10) != 0) {
		FUZZ_ASSERT(body_check((const uint8_t *)"", 0, ctype) == r);
		return;
	}
	if (r != STIR_OK)
		return;
	FUZZ_ASSERT(len >= 4 && memmem(body, len, "--", 2) != NULL);
	FUZZ_ASSERT(body_check((const uint8_t *)"", 0, ctype) == STIR_EINVAL);
	/* a delimiter found stays found */
	more = malloc(len + 2);
	FUZZ_ASSERT(more != NULL);
	memcpy(more + 1, body, len);
	more[0] = '\n';
	more[len + 1] = '-';
	FUZZ_ASSERT(body_check(more, len + 2, ctype) == STIR_OK);
	free(more);
}

static bool
has_space(const char *s)
{
	return strpbrk(s, " \t\r\n") != NULL;
}

/* b64 under max, checked against the decoding without a limit (ref). */
static void
decode(const char *b64, unsigned max, int ref, const uint8_t *ref_bin, size_t ref_len)
{
	uint8_t *bin = (uint8_t *)&bin;
	size_t len = 12345;
	char msg[160];
	int r;

	msg[0] = '\0';
	r = stir_body_decode(b64, max, &bin, &len, msg, sizeof(msg));
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EINVAL || r == STIR_ETOOBIG);
	if (r != STIR_OK) {
		FUZZ_ASSERT(bin == (uint8_t *)&bin && len == 12345);
		FUZZ_ASSERT(msg[0] != '\0' && FUZZ_IS_CSTR(msg, sizeof(msg)));
	}
	switch (r) {
	case STIR_OK:
		FUZZ_ASSERT(ref == STIR_OK && len == ref_len && len <= max);
		FUZZ_ASSERT(len == 0 || memcmp(bin, ref_bin, len) == 0);
		free(bin);
		break;
	case STIR_EINVAL:
		FUZZ_ASSERT(ref == STIR_EINVAL);
		break;
	case STIR_ETOOBIG:
		FUZZ_ASSERT(ref == STIR_EINVAL || ref_len > max || has_space(b64));
		break;
	}
	if (ref == STIR_OK && ref_len <= max && !has_space(b64))
		FUZZ_ASSERT(r == STIR_OK);
}

static void
check_decode(const char *b64)
{
	size_t n = strlen(b64);
	unsigned big = (unsigned)n + 16;
	uint8_t *ref = NULL;
	size_t ref_len = 0;
	char msg[160];
	int r;

	r = stir_body_decode(b64, big, &ref, &ref_len, msg, sizeof(msg));
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EINVAL);
	if (r == STIR_OK) {
		FUZZ_ASSERT(ref != NULL && ref_len <= n / 4 * 3);
	}
	{
		const unsigned limits[] = { 0, 1, 2, 3, 4, 7, 16, 64, UINT_MAX,
			(unsigned)ref_len, (unsigned)ref_len + 1, (unsigned)ref_len + 3,
			ref_len > 0 ? (unsigned)ref_len - 1 : 0 };

		for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
			decode(b64, limits[i], r, ref, ref_len);
	}
	if (r == STIR_OK) {
		char *d = stir_rcdi_sha256(ref, ref_len);

		FUZZ_ASSERT(d != NULL && strncmp(d, "sha256-", 7) == 0);
		FUZZ_ASSERT(stir_rcdi_check(d, ref, ref_len) == STIR_OK);
		if (ref_len > 0) {
			ref[ref_len / 2] ^= 0x01;
			FUZZ_ASSERT(stir_rcdi_check(d, ref, ref_len) == STIR_EPOLICY);
			FUZZ_ASSERT(stir_rcdi_check(d, ref, ref_len - 1) == STIR_EPOLICY);
		}
		free(d);
		free(ref);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul, *body = data;
	size_t len = size;
	char *ctype = NULL, *b64;

	if (size > INPUT_MAX)
		return 0;
	if ((nul = memchr(data, '\0', size)) != NULL) {
		ctype = strndup((const char *)data, (size_t)(nul - data));
		FUZZ_ASSERT(ctype != NULL);
		body = nul + 1;
		len = size - (size_t)(body - data);
	}
	check_body(body, len, ctype);
	b64 = strndup((const char *)body, len);
	FUZZ_ASSERT(b64 != NULL);
	check_decode(b64);
	if (ctype != NULL)
		check_decode(ctype);
	free(b64);
	free(ctype);
	return 0;
}
