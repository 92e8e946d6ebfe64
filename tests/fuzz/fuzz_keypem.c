/*
 * fuzz_keypem.c: a private key's PEM text as key.import and key files
 * give it, through stir_signer_pem_decode(), the only code that reads it
 * before GnuTLS gets DER.  A refusal leaves the outputs untouched; what
 * is accepted is the base64 between the markers, so it is never longer
 * than three quarters of the input.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "stirclient.h"
#include "daemon/keys/signer.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	uint8_t *der = (uint8_t *)&init;	/* any marker pointer */
	enum stir_pem_kind kind = 0;
	size_t len = 7;
	int r;

	if (!init) {
		FUZZ_ASSERT(sodium_init() >= 0);
		init = 1;
	}
	if (size > STIR_KEY_FILE_MAX)
		return 0;
	r = stir_signer_pem_decode((const char *)data, size, &der, &len, &kind);
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EKEY || r == STIR_ENOMEM);
	if (r != STIR_OK) {
		FUZZ_ASSERT(der == (uint8_t *)&init && len == 7 && kind == 0);
		return 0;
	}
	FUZZ_ASSERT(kind == STIR_PEM_PKCS8 || kind == STIR_PEM_SEC1);
	FUZZ_ASSERT(len > 0 && len <= size * 3 / 4);
	der[len - 1] ^= 1;		/* all of it is writable */
	sodium_free(der);
	return 0;
}
