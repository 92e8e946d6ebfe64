/*
 * fuzz_identity.c: SIP Identity header field values (RFC 8224 section 4.1)
 * through stir_identity_parse(): full "h.p.s;info=<URI>;alg=ES256;ppt=shaken",
 * compact "..s;info=<URI>", quoted ppt, folded whitespace, unknown and
 * repeated parameters, junk.  The input is the value as it comes off the
 * wire: a length, not a C string (the parser refuses a NUL itself).
 *
 * On success: jws and info are set, the header and payload spans lie
 * inside jws with '.' after each, stir_identity_sig() points at a
 * non-empty signature inside jws, and the value written back out
 * canonically parses to the same thing.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/stir/identity.h"
#include "tests/fuzz/fuzz.h"

static bool
b64url_or_dot(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

static bool
same_opt(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Can v go back between double quotes and come out the same? */
static bool
quotable(const char *v)
{
	return v == NULL || strpbrk(v, "\"\\\r\n") == NULL;
}

static void
check_ok(const struct stir_identity *id)
{
	size_t n, sl;
	const char *sig;

	FUZZ_ASSERT(id != NULL);
	FUZZ_ASSERT(id->jws != NULL && id->info != NULL);
	n = strlen(id->jws);
	FUZZ_ASSERT(b64url_or_dot(id->jws, n));
	/* "h.p.s": the spans and both dots inside jws, then a signature */
	FUZZ_ASSERT(id->hlen < n && id->plen < n);
	FUZZ_ASSERT(id->hlen + 1 + id->plen + 1 < n);
	FUZZ_ASSERT(id->jws[id->hlen] == '.');
	FUZZ_ASSERT(id->jws[id->hlen + 1 + id->plen] == '.');
	FUZZ_ASSERT(memchr(id->jws, '.', id->hlen) == NULL);
	FUZZ_ASSERT(memchr(id->jws + id->hlen + 1, '.', id->plen) == NULL);
	FUZZ_ASSERT(id->compact == (id->hlen == 0 && id->plen == 0));
	FUZZ_ASSERT((id->hlen == 0) == (id->plen == 0));
	sig = stir_identity_sig(id);
	FUZZ_ASSERT(sig > id->jws && sig < id->jws + n);
	sl = strlen(sig);
	FUZZ_ASSERT(sl > 0 && sig + sl == id->jws + n);
	FUZZ_ASSERT(strchr(sig, '.') == NULL);
	/*
	 * info: the URI inside <>, nothing a URI cannot hold (a quoted
	 * info="<->>" once let '>' in: regression seed regress-info-quoted-gt).
	 */
	FUZZ_ASSERT(id->info[0] != '\0');
	for (const char *c = id->info; *c != '\0'; c++)
		FUZZ_ASSERT((unsigned char)*c > 0x20 && (unsigned char)*c < 0x7f &&
		    *c != '<' && *c != '>' && *c != '"' && *c != '\\');
	FUZZ_ASSERT(id->alg == NULL ||
	    (id->alg[0] != '\0' && strlen(id->alg) <= STIR_PPT_MAX));
	FUZZ_ASSERT(id->ppt == NULL ||
	    (id->ppt[0] != '\0' && strlen(id->ppt) <= STIR_PPT_MAX));
}

/* Write id back canonically and parse it again: the same identity. */
static void
round_trip(const struct stir_identity *id)
{
	struct stir_identity *again = NULL;
	char *out = NULL, msg[256];
	size_t len;
	int n, r;

	if (!quotable(id->alg) || !quotable(id->ppt) || strchr(id->info, '>') != NULL)
		return;
	n = asprintf(&out, "%s;info=<%s>%s%s%s%s%s%s", id->jws, id->info,
	    id->alg ? ";alg=\"" : "", id->alg ? id->alg : "", id->alg ? "\"" : "",
	    id->ppt ? ";ppt=\"" : "", id->ppt ? id->ppt : "", id->ppt ? "\"" : "");
	if (n < 0)
		return;
	len = (size_t)n;
	msg[0] = '\0';
	r = stir_identity_parse(out, len, &again, msg, sizeof(msg));
	if (len > STIR_IDENTITY_MAX) {
		FUZZ_ASSERT(r == STIR_EINVAL);
		free(out);
		return;
	}
	FUZZ_ASSERT(r == STIR_OK);
	check_ok(again);
	FUZZ_ASSERT(strcmp(again->jws, id->jws) == 0);
	FUZZ_ASSERT(strcmp(again->info, id->info) == 0);
	FUZZ_ASSERT(again->compact == id->compact);
	FUZZ_ASSERT(again->hlen == id->hlen && again->plen == id->plen);
	FUZZ_ASSERT(same_opt(again->alg, id->alg));
	FUZZ_ASSERT(same_opt(again->ppt, id->ppt));
	stir_identity_free(again);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stir_identity *id = NULL;
	char msg[256];
	int r;

	if (size > STIR_IDENTITY_MAX + 64)
		return 0;
	msg[0] = '\0';
	r = stir_identity_parse((const char *)data, size, &id, msg, sizeof(msg));
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EINVAL);
	FUZZ_ASSERT(FUZZ_IS_CSTR(msg, sizeof(msg)));
	if (r != STIR_OK) {
		FUZZ_ASSERT(msg[0] != '\0');
		FUZZ_ASSERT(id == NULL);
		return 0;
	}
	FUZZ_ASSERT(size > 0 && size <= STIR_IDENTITY_MAX);
	check_ok(id);
	round_trip(id);
	stir_identity_free(id);
	return 0;
}
