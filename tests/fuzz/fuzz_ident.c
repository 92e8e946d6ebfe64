/*
 * fuzz_ident.c: identities as they come in sign requests and SIP headers
 * (a bare number, tel:, sip:, sips:, a name-addr) through
 * stir_ident_canon(), and TN specs as cred.add takes them through
 * stir_tnspec_parse().  Both get the input as a C string (a request's
 * strings never hold a NUL: stir_proto_check() refuses them).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/sign/creds.h"
#include "daemon/stir/tn.h"
#include "tests/fuzz/fuzz.h"

static bool
all_digits(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= STIR_TN_MAX && strspn(s, "0123456789") == n;
}

static void
ident(const char *in)
{
	struct stir_ident id, again;
	char msg[256];
	size_t n;
	int r;

	msg[0] = '\0';
	r = stir_ident_canon(in, &id, msg, sizeof(msg));
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EINVAL);
	FUZZ_ASSERT(FUZZ_IS_CSTR(msg, sizeof(msg)));
	if (r != STIR_OK) {
		FUZZ_ASSERT(msg[0] != '\0');
		return;
	}
	FUZZ_ASSERT(FUZZ_IS_CSTR(id.value, sizeof(id.value)));
	n = strlen(id.value);
	switch (id.kind) {
	case STIR_IDENT_TN:
		/* RFC 8224 section 8: digits only */
		FUZZ_ASSERT(all_digits(id.value));
		break;
	case STIR_IDENT_URI:
		FUZZ_ASSERT(n <= STIR_URI_MAX);
		FUZZ_ASSERT(strncmp(id.value, "sip:", 4) == 0 ||
		    strncmp(id.value, "sips:", 5) == 0);
		FUZZ_ASSERT(strchr(id.value, '@') != NULL);
		for (size_t i = 0; i < n; i++)
			FUZZ_ASSERT((unsigned char)id.value[i] > 0x20 &&
			    (unsigned char)id.value[i] < 0x7f);
		break;
	default:
		FUZZ_ASSERT(!"identity kind out of range");
	}
	/* canonical is a fixed point: the same identity again */
	r = stir_ident_canon(id.value, &again, msg, sizeof(msg));
	FUZZ_ASSERT(r == STIR_OK);
	FUZZ_ASSERT(again.kind == id.kind && strcmp(again.value, id.value) == 0);
}

static void
tnspec(const char *in)
{
	struct stir_tnspec sp;
	int r;

	memset(&sp, 0xa5, sizeof(sp));
	r = stir_tnspec_parse(in, &sp);
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EINVAL);
	if (r != STIR_OK)
		return;
	FUZZ_ASSERT(FUZZ_IS_CSTR(sp.a, sizeof(sp.a)));
	FUZZ_ASSERT(FUZZ_IS_CSTR(sp.b, sizeof(sp.b)));
	switch (sp.type) {
	case STIR_TNSPEC_EXACT:
		FUZZ_ASSERT(all_digits(sp.a) && strcmp(sp.a, in) == 0);
		FUZZ_ASSERT(stir_tnspec_covers(&sp, sp.a));
		break;
	case STIR_TNSPEC_PREFIX:
		FUZZ_ASSERT(all_digits(sp.a));
		FUZZ_ASSERT(stir_tnspec_covers(&sp, sp.a));
		break;
	case STIR_TNSPEC_RANGE:
		FUZZ_ASSERT(all_digits(sp.a) && all_digits(sp.b));
		FUZZ_ASSERT(strlen(sp.a) == strlen(sp.b) && strcmp(sp.a, sp.b) <= 0);
		FUZZ_ASSERT(stir_tnspec_covers(&sp, sp.a));
		FUZZ_ASSERT(stir_tnspec_covers(&sp, sp.b));
		break;
	default:
		FUZZ_ASSERT(!"spec type out of range");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 2 * STIR_IDENT_MAX)
		return 0;
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	ident(s);
	tnspec(s);
	free(s);
	return 0;
}
