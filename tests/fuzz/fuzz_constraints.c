/*
 * fuzz_constraints.c: a JWTClaimConstraints or EnhancedJWTClaimConstraints
 * extension value (RFC 8226 section 8, RFC 9118; DER) as it comes in an
 * end-entity certificate from an x5u URL or a cred.add chain.  The first
 * byte chooses the type (odd: enhanced), the rest is the DER:
 * stir_constraints_decode(), then stir_constraints_check() on claims that
 * exercise every rule, including the JSON comparison of object claims.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <jansson.h>

#include "stirclient.h"
#include "daemon/pki/constraints.h"
#include "tests/fuzz/fuzz.h"

/* Claims of every JSON type, under names a fuzzer finds in the seeds. */
static const char *const payloads[] = {
	"{\"iat\":1,\"orig\":{\"tn\":\"12155551212\"},\"dest\":{\"tn\":[\"12125551213\"]}}",
	"{\"iat\":1,\"orig\":{},\"dest\":{},\"attest\":\"A\",\"confidence\":\"high\","
	"\"rcd\":{\"nam\":\"Acme\"},\"rcdi\":{\"/icn\":\"sha256-x\"},\"crn\":\"call\"}",
	"{\"iat\":1,\"orig\":{},\"dest\":{},\"rcd\":[1,2.5,true,null,{\"b\":{},\"a\":[]}],"
	"\"attest\":1,\"priority\":null,\"confidence\":false}",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stir_constraints *c = NULL;
	bool enhanced;
	int r;

	if (size < 1)
		return 0;
	enhanced = (data[0] & 1) != 0;
	r = stir_constraints_decode(data + 1, size - 1, enhanced, &c);
	FUZZ_ASSERT(r == STIR_OK || r == STIR_ECERT || r == STIR_ENOENT || r == STIR_ENOMEM);
	if (r != STIR_OK) {
		FUZZ_ASSERT(c == NULL);
		/* a void extension is only an enhanced one (RFC 9118 section 3) */
		FUZZ_ASSERT(r != STIR_ENOENT || enhanced);
		return 0;
	}
	FUZZ_ASSERT(c != NULL && c->enhanced == enhanced);
	FUZZ_ASSERT(c->n_include + c->n_permitted + c->n_exclude > 0);
	FUZZ_ASSERT(c->n_include <= STIR_CLAIM_NAMES_MAX && c->n_exclude <= STIR_CLAIM_NAMES_MAX);
	FUZZ_ASSERT(c->n_permitted <= STIR_PERMITTED_MAX);
	FUZZ_ASSERT(enhanced || c->n_exclude == 0);
	for (size_t i = 0; i < c->n_exclude; i++)
		FUZZ_ASSERT(strcmp(c->exclude[i], "iat") != 0 && strcmp(c->exclude[i], "orig") != 0 &&
		    strcmp(c->exclude[i], "dest") != 0);
	for (size_t i = 0; i < c->n_permitted; i++) {
		FUZZ_ASSERT(c->permitted[i].n >= 1 && c->permitted[i].n <= STIR_PERMITTED_VALUES_MAX);
		for (size_t k = 0; k < c->permitted[i].n; k++) {
			const char *canon = c->permitted[i].canon[k];

			/* a re-serialized value is JSON again, and stable */
			if (canon != NULL) {
				json_t *j = json_loads(canon, JSON_DECODE_ANY, NULL);

				FUZZ_ASSERT(j != NULL);
				json_decref(j);
			}
		}
	}
	for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		json_t *p = json_loads(payloads[i], 0, NULL);
		char msg[256];

		FUZZ_ASSERT(p != NULL);
		r = stir_constraints_check(c, p, msg, sizeof(msg));
		FUZZ_ASSERT(r == STIR_OK || r == STIR_EPOLICY || r == STIR_ENOMEM);
		FUZZ_ASSERT(r != STIR_EPOLICY || FUZZ_IS_CSTR(msg, sizeof(msg)));
		json_decref(p);
	}
	stir_constraints_free(c);
	return 0;
}
