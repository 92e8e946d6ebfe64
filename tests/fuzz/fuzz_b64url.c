/*
 * fuzz_b64url.c: base64url as it comes in JWS parts and request fields,
 * through stir_b64url_decode().  Decoding is strict (no padding, no
 * whitespace, zero trailing bits), so every string it accepts is the one
 * stir_b64url_encode() makes: the round trip must give the input back.
 */
#include "config.h"

#include <string.h>

#include "stirclient.h"
#include "daemon/stir/passport.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *bin = NULL;
	size_t len = 0;
	char *s;
	int r;

	r = stir_b64url_decode((const char *)data, size, &bin, &len);
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EINVAL || r == STIR_ENOMEM);
	if (r != STIR_OK) {
		FUZZ_ASSERT(bin == NULL);
		return 0;
	}
	FUZZ_ASSERT(bin != NULL && len <= size * 3 / 4);
	s = stir_b64url_encode(bin, len);
	FUZZ_ASSERT(s != NULL);
	FUZZ_ASSERT(strlen(s) == size && memcmp(s, data, size) == 0);
	free(s);
	free(bin);
	return 0;
}
