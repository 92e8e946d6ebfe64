/*
 * fuzz_shakenreq.c: request bodies of stird-http's SHAKEN routes through
 * the mapping to stird params (client/stird-http/shaken_map.c), both
 * ways, and the same bytes as a stird result through the reply mappings
 * and the Prometheus renderer (prom.c).  A mapped request must be one
 * JSON object; a refused one must say why (messageId and text).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "stirclient.h"
#include "client/stird-http/prom.h"
#include "client/stird-http/shaken_map.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_MAX	(256 * 1024)

static void
check_params(int r, char *params, const struct shaken_err *e)
{
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EPROTO || r == STIR_EBADREQ ||
	    r == STIR_EINVAL || r == STIR_ENOMEM);
	if (r == STIR_OK) {
		json_t *o = json_loads(params, 0, NULL);

		FUZZ_ASSERT(o != NULL && json_is_object(o));
		FUZZ_ASSERT(json_object_get(o, "op") == NULL && json_object_get(o, "v") == NULL);
		json_decref(o);
		free(params);
	} else if (r != STIR_ENOMEM) {
		FUZZ_ASSERT(e->msgid != NULL && e->text[0] != '\0');
		FUZZ_ASSERT(FUZZ_IS_CSTR(e->field, sizeof(e->field)));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct shaken_err e;
	struct prom_buf b = { NULL, 0, 0, 0 };
	char *out = NULL, *text;
	int r;

	if (size > FUZZ_MAX)
		return 0;
	memset(&e, 0, sizeof(e));
	out = NULL;
	r = shaken_sign_params((const char *)data, size, &out, &e);
	check_params(r, out, &e);
	memset(&e, 0, sizeof(e));
	out = NULL;
	r = shaken_verify_params((const char *)data, size, &out, &e);
	check_params(r, out, &e);

	/* the same bytes as what stird might answer */
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	out = NULL;
	if (shaken_sign_reply(text, &out) == STIR_OK) {
		FUZZ_ASSERT(out != NULL);
		free(out);
	}
	out = NULL;
	if (shaken_verify_reply(text, &out) == STIR_OK) {
		FUZZ_ASSERT(out != NULL);
		free(out);
	}
	r = prom_render_stats(&b, text);
	FUZZ_ASSERT(r >= 0 || r == STIR_EPROTO || r == STIR_ENOMEM || r == STIR_EINVAL);
	if (b.s != NULL)
		FUZZ_ASSERT(strlen(b.s) == b.len);
	free(b.s);
	free(text);
	return 0;
}
