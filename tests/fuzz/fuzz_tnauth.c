/*
 * fuzz_tnauth.c: a TNAuthList extension value (RFC 8226, DER), as it
 * comes in a certificate from an x5u URL or a cred.add chain:
 * stir_tnauth_decode(), then the questions stir_creds_select() asks.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/pki/cert.h"
#include "daemon/stir/tn.h"
#include "tests/fuzz/fuzz.h"

/* TNs asked about: one of the test vectors, a range member, an SPC. */
static const char *const tns[] = {
	"12155551212", "12155550099", "12155550100", "1234", "1", "",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stir_tnauth *ta = NULL;
	bool any = false;
	int r;

	r = stir_tnauth_decode(data, size, &ta);
	FUZZ_ASSERT(r == STIR_OK || r == STIR_ECERT || r == STIR_ENOMEM);
	if (r != STIR_OK) {
		FUZZ_ASSERT(ta == NULL);
		return 0;
	}
	FUZZ_ASSERT(ta != NULL && ta->n >= 1 && ta->n <= STIR_TNAUTH_MAX);
	for (size_t i = 0; i < ta->n; i++) {
		const struct stir_tnentry *e = &ta->e[i];

		FUZZ_ASSERT(FUZZ_IS_CSTR(e->value, sizeof(e->value)));
		FUZZ_ASSERT(e->value[0] != '\0');
		switch (e->type) {
		case STIR_TNE_SPC:
			break;
		case STIR_TNE_RANGE:
			FUZZ_ASSERT(e->count >= 2);
			FUZZ_ASSERT(stir_tn_is_valid(e->value));
			/* a range of digits holds its start ('#' and '*' never match) */
			if (strspn(e->value, "0123456789") == strlen(e->value))
				FUZZ_ASSERT(stir_tnauth_covers(ta, e->value));
			break;
		case STIR_TNE_ONE:
			FUZZ_ASSERT(stir_tn_is_valid(e->value));
			FUZZ_ASSERT(stir_tnauth_covers(ta, e->value));
			break;
		default:
			FUZZ_ASSERT(!"entry type out of range");
		}
	}
	for (size_t i = 0; i < sizeof(tns) / sizeof(tns[0]); i++)
		any |= stir_tnauth_covers(ta, tns[i]);
	/* covering a TN takes a TN or range entry */
	FUZZ_ASSERT(!any || stir_tnauth_has_tns(ta));
	stir_tnauth_free(ta);
	return 0;
}
