/*
 * fuzz_sipmsg.c: what stird-sipd does with the bytes of one SIP message
 * before and after stird: stream framing, parsing (libosip2), the header
 * checks, the stird request for every mode, and the responses it can
 * write (a 100, a 400 with a Warning, and the 302 a sign or verify result
 * becomes).  Everything is freed; bad input must give an error code.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stirclient.h"
#include "client/stird-sipd/sipmap.h"
#include "client/stird-sipd/sipmsg.h"
#include "tests/fuzz/fuzz.h"

#define MAX_BYTES	16384
#define MAX_HEADERS	100

static const char sign_result[] =
    "{\"identity\":\"eyJ.eyJ.sig;info=<https://cert.example.org/sp.pem>;alg=ES256;ppt=shaken\","
    "\"identities\":[\"eyJ.eyJ.sig;info=<https://cert.example.org/sp.pem>;alg=ES256;ppt=shaken\"]}";
static const char verify_result[] =
    "{\"verstat\":\"TN-Validation-Passed\",\"error\":null,\"identities\":[{\"valid\":true,"
    "\"ignored\":false,\"orig\":{\"tn\":\"12155551212\"}}],\"action\":{\"do\":\"continue\"},"
    "\"rcd\":{\"verified\":true,\"display_name\":\"Q\",\"call_info\":[\"<https://x/q.json>;purpose=jcard\"]},"
    "\"reason\":[]}";
static const char reject_result[] =
    "{\"verstat\":\"TN-Validation-Failed\",\"error\":{\"code\":438,\"reason\":\"Invalid Identity Header\"},"
    "\"identities\":[],\"action\":{\"do\":\"reject\",\"code\":438,\"reason_phrase\":\"Invalid Identity Header\"},"
    "\"reason\":[\"STIR;cause=438;text=\\\"Invalid Identity Header\\\"\"]}";

static void
respond(const struct sipmsg *m, const struct sip_answer *a)
{
	char *text = NULL;
	size_t len = 0;

	if (sipmsg_respond(m, a->code, a->phrase, "f00d", a->hdrs, a->nhdrs, &text, &len) ==
	    STIR_OK) {
		FUZZ_ASSERT(text != NULL && len > 0);
		FUZZ_ASSERT(strncmp(text, "SIP/2.0 ", 8) == 0);
	}
	free(text);
}

static void
answers(const struct sipmsg *m)
{
	const struct sip_fields *f = sipmsg_fields(m);
	struct sip_answer a;

	if (sipmap_sign_answer(f, sign_result, &a) == STIR_OK) {
		respond(m, &a);
		sip_answer_clear(&a);
	}
	for (int k = 0; k < _SIPD_FAIL_MAX; k++) {
		if (sipmap_verify_answer(f, verify_result, (enum sipd_on_failure)k, &a) == STIR_OK) {
			respond(m, &a);
			sip_answer_clear(&a);
		}
		if (sipmap_verify_answer(f, reject_result, (enum sipd_on_failure)k, &a) == STIR_OK) {
			respond(m, &a);
			sip_answer_clear(&a);
		}
	}
	sipmap_error_answer(SIPD_OP_SIGN, STIR_EIO, "down", 5, &a);
	respond(m, &a);
	sip_answer_clear(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	struct sipmsg *m = NULL;
	const char *why = NULL, *buf = (const char *)data;
	size_t framed = 0;
	int r;

	if (!inited) {
		sipmsg_global_init();
		inited = 1;
	}
	if (size > MAX_BYTES)
		return 0;
	r = sipmsg_frame(buf, size, MAX_BYTES, MAX_HEADERS, &framed);
	FUZZ_ASSERT(r <= 1);
	if (r == 1)
		FUZZ_ASSERT(framed > 0 && framed <= size);
	/* as tcp_refuse() parses a message refused for its size */
	if (sipmsg_parse(buf, size, MAX_HEADERS, true, &m, &why) == STIR_OK) {
		FUZZ_ASSERT(m != NULL);
		sipmsg_free(m);
		m = NULL;
	}
	r = sipmsg_parse(buf, size, MAX_HEADERS, false, &m, &why);
	if (r != STIR_OK) {
		FUZZ_ASSERT(m == NULL);
		return 0;
	}
	if (sipmsg_check(m, &why)) {
		const struct sip_fields *f = sipmsg_fields(m);

		for (int mode = 0; mode < _SIPD_MODE_MAX; mode++) {
			enum sipd_op op;
			char *params = NULL;

			if (sipmap_request(f, (enum sipd_mode)mode, "A", &op, &params, &why) == STIR_OK) {
				FUZZ_ASSERT(params != NULL && params[0] == '{');
				free(params);
			}
		}
		answers(m);
	} else
		FUZZ_ASSERT(why != NULL);
	{
		struct sip_answer a;

		sip_answer_init(&a, 400, "Bad Request");
		(void)sip_answer_add(&a, "Warning", "399 stird-sipd \"x\"");
		respond(m, &a);
		sip_answer_clear(&a);
	}
	sipmsg_free(m);
	return 0;
}
