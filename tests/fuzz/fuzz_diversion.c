/*
 * fuzz_diversion.c: diversion chains (daemon/verify/diversion.c, RFC 8946).
 *
 * The input is HISTORY [NUL LINK]: HISTORY (up to the first NUL) is a
 * History-Info or Diversion header field value for stir_div_history();
 * LINK (after the NUL; without a NUL, the whole input) describes the
 * PASSporTs of a request for stir_div_link(), in one of two forms:
 *
 *  - JSON: {"max":N, "root":ID, "items":[{"usable":B, "orig":ID,
 *    "dest":{"tn":[...],"uri":[...]}, "div":ID, "opt":K}, ...]}, every
 *    member optional; an ID is digits (a TN) or a SIP URI, "div" makes the
 *    item a hop, "opt" (a div-o's nested original) is taken modulo the
 *    item count.  Readable seeds.
 *  - bytes: MAX ROOT then 4 bytes per item: FLAGS (bit 0 usable, bit 1 a
 *    hop, bit 2 a div-o, bit 3 the other orig), a DEST bit set over a pool
 *    of 6 TNs and 2 SIP URIs, DIV and OPT (indexes, modulo).  Dense, for
 *    the mutator.
 *
 * stir_div_history(): STIR_OK or STIR_EINVAL; on STIR_OK at most max
 * canonical identities (digits, or a sip/sips URI), the same with a large
 * max as with a small one, and STIR_EINVAL with the small max when the
 * large one failed.
 *
 * stir_div_link(): every code is 0 or 438 with a detail; a PASSporT that
 * is no usable hop has parent -1, depth 0, no code; a hop's parent is -1
 * (and it failed), STIR_DIV_ROOT (root equals its div) or an index of a
 * usable PASSporT with the same orig whose dest holds its div: a div-o's
 * own opt, else one on the shortest way back to an original (root only
 * when no original is a candidate).  A valid hop's depth is its
 * parent's plus one, at most max; a hop whose valid parent it could link
 * to failed only over max.  outermost is exactly "valid and no valid hop
 * diverts from it".  Linking twice gives the same.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "stirclient.h"
#include "daemon/verify/diversion.h"
#include "daemon/stir/tn.h"
#include "daemon/verify/verify.h"
#include "tests/fuzz/fuzz.h"

#define ITEMS_MAX	12
#define INPUT_MAX	(16 * 1024)
#define POOL_N		8

static const char *const pool[POOL_N] = {
	"12155551210", "12155551211", "12155551212", "12155551213", "12155551214",
	"12155551215", "sip:bob@example.org", "sip:carol@example.org",
};

struct items {
	size_t			 n;
	unsigned		 max;
	bool			 has_root;
	struct stir_ident	 root;
	struct stir_ident	 orig[ITEMS_MAX], div[ITEMS_MAX];
	json_t			*dest[ITEMS_MAX];
	struct stir_div_in	 in[ITEMS_MAX];
};

static bool
ident_eq(const struct stir_ident *a, const struct stir_ident *b)
{
	return a->kind == b->kind && strcmp(a->value, b->value) == 0;
}

/* Digits: a TN as a claim holds it; anything else through the SIP canonicalizer. */
static bool
ident_of(const char *s, struct stir_ident *ret)
{
	char msg[160];

	memset(ret, 0, sizeof(*ret));
	if (s == NULL || strlen(s) > STIR_URI_MAX)
		return false;
	if (*s != '\0' && strspn(s, "0123456789") == strlen(s)) {
		ret->kind = STIR_IDENT_TN;
		memcpy(ret->value, s, strlen(s) + 1);
		return true;
	}
	return stir_ident_canon(s, ret, msg, sizeof(msg)) == STIR_OK;
}

static void
items_free(struct items *it)
{
	for (size_t i = 0; i < it->n; i++)
		json_decref(it->dest[i]);
}

/* ---- the two input forms ---- */

static bool
from_json(const uint8_t *data, size_t size, struct items *it)
{
	json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL), *v;
	json_t *arr;
	size_t i;
	bool ok = false;

	if (!json_is_object(doc))
		goto out;
	it->max = json_is_integer(json_object_get(doc, "max")) ?
	    (unsigned)(json_integer_value(json_object_get(doc, "max")) & 15) : 5;
	if (json_object_get(doc, "root") != NULL) {
		if (!ident_of(json_string_value(json_object_get(doc, "root")), &it->root))
			goto out;
		it->has_root = true;
	}
	arr = json_object_get(doc, "items");
	if (!json_is_array(arr) || json_array_size(arr) > ITEMS_MAX)
		goto out;
	json_array_foreach(arr, i, v) {
		struct stir_div_in *in = &it->in[i];
		json_t *u = json_object_get(v, "usable"), *d = json_object_get(v, "dest");
		json_t *o = json_object_get(v, "opt");

		if (!ident_of(json_string_value(json_object_get(v, "orig")), &it->orig[i]))
			goto out;
		it->dest[i] = d != NULL ? json_incref(d) : json_object();
		it->n = i + 1;
		in->usable = u == NULL || json_is_true(u);
		in->orig = &it->orig[i];
		in->dest = it->dest[i];
		in->opt = -1;
		if (json_object_get(v, "div") != NULL) {
			if (!ident_of(json_string_value(json_object_get(v, "div")), &it->div[i]))
				goto out;
			in->is_div = true;
			in->div = &it->div[i];
			if (json_is_integer(o))
				in->opt = (int)((size_t)(json_integer_value(o) & 0xff) %
				    json_array_size(arr));
		}
	}
	ok = true;
 out:
	json_decref(doc);
	return ok;
}

static bool
from_bytes(const uint8_t *data, size_t size, struct items *it)
{
	struct stir_ident ids[POOL_N];

	if (size < 2)
		return false;
	for (size_t k = 0; k < POOL_N; k++)
		FUZZ_ASSERT(ident_of(pool[k], &ids[k]));
	it->max = data[0] & 7;
	if (data[1] % (POOL_N + 1) != 0) {
		it->root = ids[data[1] % (POOL_N + 1) - 1];
		it->has_root = true;
	}
	data += 2;
	size -= 2;
	it->n = size / 4 > ITEMS_MAX ? ITEMS_MAX : size / 4;
	for (size_t i = 0; i < it->n; i++) {
		const uint8_t *b = data + 4 * i;
		struct stir_div_in *in = &it->in[i];
		json_t *tn = json_array(), *uri = json_array();

		FUZZ_ASSERT(tn != NULL && uri != NULL);
		for (size_t k = 0; k < POOL_N; k++)
			if (b[1] & (1u << k))
				FUZZ_ASSERT(json_array_append_new(k < 6 ? tn : uri,
				    json_string(pool[k])) == 0);
		it->dest[i] = json_object();
		FUZZ_ASSERT(it->dest[i] != NULL);
		if (json_array_size(uri) == 0 || json_array_size(tn) > 0)
			FUZZ_ASSERT(json_object_set(it->dest[i], "tn", tn) == 0);
		if (json_array_size(uri) > 0)
			FUZZ_ASSERT(json_object_set(it->dest[i], "uri", uri) == 0);
		json_decref(tn);
		json_decref(uri);
		it->orig[i] = ids[(b[0] & 8) ? 1 : 2];
		in->usable = (b[0] & 1) != 0;
		in->is_div = (b[0] & 2) != 0;
		in->orig = &it->orig[i];
		in->dest = it->dest[i];
		in->opt = -1;
		if (in->is_div) {
			it->div[i] = ids[b[2] % POOL_N];
			in->div = &it->div[i];
			if (b[0] & 4)
				in->opt = (int)(b[3] % it->n);
		}
	}
	return true;
}

/* ---- stir_div_link ---- */

static bool
is_hop(const struct items *it, size_t i)
{
	return it->in[i].is_div && it->in[i].usable;
}

/* Could i divert from j (opt aside)? */
static bool
candidate(const struct items *it, size_t i, size_t j)
{
	const struct stir_div_in *in = it->in;

	return j != i && in[j].usable && ident_eq(in[j].orig, in[i].orig) &&
	    stir_dest_has(in[j].dest, in[i].div);
}

static void
check_hop(const struct items *it, const struct stir_div_out *out, size_t i)
{
	const struct stir_div_in *in = it->in;
	const struct stir_div_out *o = &out[i];
	int p = o->parent;

	FUZZ_ASSERT(p == -1 || p == STIR_DIV_ROOT || (p >= 0 && (size_t)p < it->n));
	if (p == -1) {
		FUZZ_ASSERT(o->code == STIR_SIP_INVALID && o->depth == 0);
		/* nothing it could link to */
		if (in[i].opt >= 0) {
			const struct stir_div_in *q = &in[in[i].opt];

			FUZZ_ASSERT(!q->usable || !ident_eq(q->orig, in[i].orig) ||
			    !stir_dest_has(q->dest, in[i].div));
		} else {
			for (size_t j = 0; j < it->n; j++)
				FUZZ_ASSERT(!candidate(it, i, j));
			FUZZ_ASSERT(!it->has_root || !ident_eq(&it->root, in[i].div));
		}
		return;
	}
	if (p == STIR_DIV_ROOT) {
		FUZZ_ASSERT(in[i].opt < 0 && it->has_root && ident_eq(&it->root, in[i].div));
		for (size_t j = 0; j < it->n; j++)	/* no original was a candidate */
			FUZZ_ASSERT(!candidate(it, i, j) || in[j].is_div);
	} else {
		FUZZ_ASSERT(in[p].usable && ident_eq(in[p].orig, in[i].orig));
		FUZZ_ASSERT(stir_dest_has(in[p].dest, in[i].div));
		if (in[i].opt >= 0) {
			FUZZ_ASSERT(p == in[i].opt);
		} else {
			FUZZ_ASSERT((size_t)p != i);
			/* the shortest way back: no valid candidate is nearer an original */
			if (o->code == 0)
				for (size_t j = 0; j < it->n; j++)
					if (candidate(it, i, j) && out[j].code == 0)
						FUZZ_ASSERT((in[j].is_div ? out[j].depth : 0) >=
						    (in[p].is_div ? out[p].depth : 0));
		}
	}
	if (o->code == 0) {
		FUZZ_ASSERT((size_t)p != i);
		FUZZ_ASSERT(o->depth >= 1 && (unsigned)o->depth <= it->max);
		if (p >= 0 && in[p].is_div) {
			FUZZ_ASSERT(out[p].code == 0 && o->depth == out[p].depth + 1);
		} else {
			FUZZ_ASSERT(o->depth == 1);
		}
		return;
	}
	/* linked to a valid hop or to an original, yet failed: only over max */
	if (p == STIR_DIV_ROOT || (p >= 0 && (size_t)p != i && !in[p].is_div))
		FUZZ_ASSERT(it->max == 0 && o->depth == 1);
	else if (p >= 0 && (size_t)p != i && out[p].code == 0)
		FUZZ_ASSERT((unsigned)o->depth > it->max && o->depth == out[p].depth + 1);
}

static void
check_link(const struct items *it)
{
	struct stir_div_out out[ITEMS_MAX], again[ITEMS_MAX];
	const struct stir_ident *root = it->has_root ? &it->root : NULL;

	memset(out, 0xa5, sizeof(out));
	stir_div_link(it->in, it->n, it->max, root, out);
	for (size_t i = 0; i < it->n; i++) {
		const struct stir_div_out *o = &out[i];
		bool diverted_from = false;

		FUZZ_ASSERT(o->code == 0 || o->code == STIR_SIP_INVALID);
		FUZZ_ASSERT(FUZZ_IS_CSTR(o->detail, sizeof(o->detail)));
		FUZZ_ASSERT((o->code == 0) == (o->detail[0] == '\0'));
		if (!is_hop(it, i)) {
			FUZZ_ASSERT(o->parent == -1 && o->depth == 0 && o->code == 0 &&
			    !o->outermost);
			continue;
		}
		check_hop(it, out, i);
		for (size_t j = 0; j < it->n; j++)
			if (j != i && is_hop(it, j) && out[j].code == 0 && out[j].parent == (int)i)
				diverted_from = true;
		FUZZ_ASSERT(o->outermost == (o->code == 0 && !diverted_from));
	}
	memset(again, 0x5a, sizeof(again));
	stir_div_link(it->in, it->n, it->max, root, again);
	for (size_t i = 0; i < it->n; i++) {
		FUZZ_ASSERT(again[i].parent == out[i].parent && again[i].depth == out[i].depth);
		FUZZ_ASSERT(again[i].code == out[i].code && again[i].outermost == out[i].outermost);
		FUZZ_ASSERT(strcmp(again[i].detail, out[i].detail) == 0);
	}
}

/* ---- stir_div_history ---- */

static void
check_idents(const struct stir_ident *ids, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const char *s = ids[k].value;

		FUZZ_ASSERT(FUZZ_IS_CSTR(s, sizeof(ids[k].value)) && *s != '\0');
		if (ids[k].kind == STIR_IDENT_TN) {
			FUZZ_ASSERT(strspn(s, "0123456789") == strlen(s));
		} else {
			FUZZ_ASSERT(ids[k].kind == STIR_IDENT_URI);
			FUZZ_ASSERT(strncmp(s, "sip:", 4) == 0 || strncmp(s, "sips:", 5) == 0);
		}
	}
}

static void
check_history(const char *value)
{
	static struct stir_ident big[STIR_HISTORY_MAX], small[2];
	size_t nb = 999, ns = 999;
	int rb, rs;

	rb = stir_div_history(value, big, STIR_HISTORY_MAX, &nb);
	rs = stir_div_history(value, small, 2, &ns);
	FUZZ_ASSERT(rb == STIR_OK || rb == STIR_EINVAL);
	FUZZ_ASSERT(rs == STIR_OK || rs == STIR_EINVAL);
	if (rb != STIR_OK) {
		FUZZ_ASSERT(nb == 999 && rs == STIR_EINVAL);
	} else {
		FUZZ_ASSERT(nb <= STIR_HISTORY_MAX);
		check_idents(big, nb);
		if (value[0] == '\0' || strchr(value, '<') == NULL)
			FUZZ_ASSERT(nb == 0);
	}
	if (rs == STIR_OK) {
		FUZZ_ASSERT(ns <= 2 && rb == STIR_OK && nb == ns);
		for (size_t k = 0; k < ns; k++)
			FUZZ_ASSERT(ident_eq(&small[k], &big[k]));
	} else {
		FUZZ_ASSERT(ns == 999);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul, *link = data;
	size_t link_len = size;
	char *value;
	struct items it;

	if (size > INPUT_MAX)
		return 0;
	nul = memchr(data, '\0', size);
	value = strndup((const char *)data, size);
	FUZZ_ASSERT(value != NULL);
	check_history(value);
	free(value);
	if (nul != NULL) {
		link = nul + 1;
		link_len = size - (size_t)(link - data);
	}
	memset(&it, 0, sizeof(it));
	if ((link_len > 0 && link[0] == '{' && from_json(link, link_len, &it)) ||
	    (!(link_len > 0 && link[0] == '{') && from_bytes(link, link_len, &it)))
		check_link(&it);
	items_free(&it);
	return 0;
}
