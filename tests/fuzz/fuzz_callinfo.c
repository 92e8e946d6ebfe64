/*
 * fuzz_callinfo.c: RFC 9796 Call-Info (daemon/stir/callinfo.c).  The input, up
 * to its first NUL, is a received Call-Info header field value, an
 * rcd_call_info word list and a call-reason to write.  Then:
 *
 *  - stir_callinfo_reason() with room for STIR_CI_REASON_MAX bytes and
 *    with room for 7: STIR_OK, STIR_ENOENT or STIR_EINVAL; STIR_ENOENT
 *    from both or neither (whether there is a call-reason does not depend
 *    on the room); on STIR_OK a NUL-terminated reason that fits, and the
 *    same reason from the larger room when the smaller one took it;
 *  - a reason it returned, written by stir_callinfo_value() and read
 *    again, is itself less its control characters;
 *  - stir_callinfo_value() of the input as the reason (and as the
 *    integrity value): "<data:>;purpose=jcard;call-reason=\"...",
 *    ;verified="true" and ;integrity="<input>" exactly when their bits are
 *    in the mask; read back, even after a value without a call-reason, the
 *    reason is the input less its control characters (STIR_EINVAL only
 *    when that is over STIR_CI_REASON_MAX bytes);
 *  - stir_callinfo_mask(): STIR_OK with only the seven known bits, or
 *    STIR_EINVAL with a reason and *ret untouched; the words of the mask it
 *    gave give the same mask again.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/stir/callinfo.h"
#include "tests/fuzz/fuzz.h"

#define CALLINFO_INPUT_MAX	(16 * 1024)
#define ALL_PARTS	(STIR_CI_ICON | STIR_CI_JCARD | STIR_CI_JCD | STIR_CI_REASON | \
	STIR_CI_NAME | STIR_CI_VERIFIED | STIR_CI_INTEGRITY)
#define DIGEST	"sha256-RojgWwU6xUtI4q82+kHPyHm1JKbm7+663bMvzymhkl4"

/* s less its C0 controls and DEL (what a quoted call-reason drops), malloc'd. */
static char *
printable(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			*o++ = *s;
	*o = '\0';
	return out;
}

/* The reason stir_callinfo_value() wrote for reason, read back, is want. */
static void
round_trip(const char *reason, unsigned mask)
{
	char *v = stir_callinfo_value("data:", "jcard", reason, DIGEST, mask), *want, *prefixed;
	char got[STIR_CI_REASON_MAX + 1];
	size_t n;
	int r;

	if (v == NULL)
		return;
	want = printable(reason);
	prefixed = malloc(strlen(v) + 64);
	if (want == NULL || prefixed == NULL)
		goto out;
	n = strlen("<data:>;purpose=jcard;call-reason=\"");
	FUZZ_ASSERT(strncmp(v, "<data:>;purpose=jcard;call-reason=\"", n) == 0);
	/* the reason's own quotes are escaped: only the parameter can match */
	FUZZ_ASSERT((strstr(v, "\";verified=\"true\"") != NULL) == ((mask & STIR_CI_VERIFIED) != 0));
	if (mask & STIR_CI_INTEGRITY) {
		n = strlen(v);
		FUZZ_ASSERT(n > sizeof(DIGEST) + 12 &&
		    strcmp(v + n - sizeof(DIGEST) - 12, ";integrity=\"" DIGEST "\"") == 0);
	}
	r = stir_callinfo_reason(v, got, sizeof(got));
	if (strlen(want) > STIR_CI_REASON_MAX) {
		FUZZ_ASSERT(r == STIR_EINVAL);
		goto out;
	}
	FUZZ_ASSERT(r == STIR_OK && strcmp(got, want) == 0);
	/* after a value without one, and with LWS as a fold leaves it */
	snprintf(prefixed, strlen(v) + 64, "<https://x.example/i.png>;purpose=icon,\r\n %s", v);
	r = stir_callinfo_reason(prefixed, got, sizeof(got));
	FUZZ_ASSERT(r == STIR_OK && strcmp(got, want) == 0);
 out:
	free(prefixed);
	free(want);
	free(v);
}

static void
reason(const char *header)
{
	char big[STIR_CI_REASON_MAX + 1], small[8];
	int rb, rs;

	memset(big, 0xa5, sizeof(big));
	memset(small, 0xa5, sizeof(small));
	rb = stir_callinfo_reason(header, big, sizeof(big));
	rs = stir_callinfo_reason(header, small, sizeof(small));
	FUZZ_ASSERT(rb == STIR_OK || rb == STIR_ENOENT || rb == STIR_EINVAL);
	FUZZ_ASSERT(rs == STIR_OK || rs == STIR_ENOENT || rs == STIR_EINVAL);
	FUZZ_ASSERT((rb == STIR_ENOENT) == (rs == STIR_ENOENT));
	if (rs == STIR_OK) {
		FUZZ_ASSERT(FUZZ_IS_CSTR(small, sizeof(small)));
		FUZZ_ASSERT(rb == STIR_OK && strcmp(small, big) == 0);
	}
	if (rb != STIR_OK)
		return;
	FUZZ_ASSERT(FUZZ_IS_CSTR(big, sizeof(big)));
	FUZZ_ASSERT(strlen(big) < strlen(header));
	round_trip(big, STIR_CI_VERIFIED);
}

static void
mask(const char *list)
{
	static const char *const words[] = { "icon", "jcard", "jcd", "call-reason", "name",
	    "verified", "integrity" };
	static const unsigned bits[] = { STIR_CI_ICON, STIR_CI_JCARD, STIR_CI_JCD, STIR_CI_REASON,
	    STIR_CI_NAME, STIR_CI_VERIFIED, STIR_CI_INTEGRITY };
	unsigned m = 0xdeadbeef, again = 0xdeadbeef;
	char msg[256], back[128];
	size_t o = 0;
	int r;

	msg[0] = '\0';
	r = stir_callinfo_mask(list, &m, msg, sizeof(msg));
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EINVAL);
	if (r != STIR_OK) {
		FUZZ_ASSERT(m == 0xdeadbeef);
		FUZZ_ASSERT(msg[0] != '\0' && FUZZ_IS_CSTR(msg, sizeof(msg)));
		return;
	}
	FUZZ_ASSERT((m & ~(unsigned)ALL_PARTS) == 0);
	back[0] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (m & bits[i])
			o += (size_t)snprintf(back + o, sizeof(back) - o, "%s%s", o ? ", " : "",
			    words[i]);
	FUZZ_ASSERT(stir_callinfo_mask(m == 0 ? "none" : back, &again, msg, sizeof(msg)) ==
	    STIR_OK && again == m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size > CALLINFO_INPUT_MAX || (text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';		/* up to the first NUL */
	reason(text);
	mask(text);
	round_trip(text, size > 0 ? data[0] & ALL_PARTS : 0);
	free(text);
	return 0;
}
