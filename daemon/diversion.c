/* diversion.c: linking div and div-o PASSporTs into chains (RFC 8946). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/diversion.h"
#include "daemon/verify.h"

static bool
ident_eq(const struct stir_ident *a, const struct stir_ident *b)
{
	return a->kind == b->kind && strcmp(a->value, b->value) == 0;
}

static void
hop_fail(struct stir_div_out *o, const char *detail)
{
	o->code = STIR_SIP_INVALID;
	snprintf(o->detail, sizeof(o->detail), "%s", detail);
}

/* The PASSporT hop i diverts from (or STIR_DIV_ROOT, or -1 with why). */
static int
find_parent(const struct stir_div_in *in, size_t n, size_t i,
    const struct stir_ident *root, struct stir_div_out *o)
{
	bool orig_changed = false;

	if (in[i].opt >= 0) {		/* div-o: its own nested original */
		const struct stir_div_in *p = &in[in[i].opt];

		if (!p->usable) {
			hop_fail(o, "the original PASSporT inside opt does not verify");
			return -1;
		}
		if (!ident_eq(p->orig, in[i].orig)) {
			hop_fail(o, "orig differs from that of the original inside opt");
			return -1;
		}
		if (!stir_dest_has(p->dest, in[i].div)) {
			hop_fail(o, "div is not the dest of the original inside opt");
			return -1;
		}
		return in[i].opt;
	}
	for (size_t j = 0; j < n; j++) {
		if (j == i || !in[j].usable || !stir_dest_has(in[j].dest, in[i].div))
			continue;
		if (!ident_eq(in[j].orig, in[i].orig)) {
			orig_changed = true;
			continue;
		}
		return (int)j;
	}
	if (root != NULL && ident_eq(root, in[i].div))
		return STIR_DIV_ROOT;
	snprintf(o->detail, sizeof(o->detail), orig_changed ?
	    "orig changed along the diversion (RFC 8946: it must stay the original's)" :
	    "div %.64s is not the dest of any other PASSporT of the request", in[i].div->value);
	o->code = STIR_SIP_INVALID;
	return -1;
}

void
stir_div_link(const struct stir_div_in *in, size_t n, unsigned max_hops,
    const struct stir_ident *root, struct stir_div_out *out)
{
	bool changed = true;

	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].parent = -1;
		if (in[i].is_div && in[i].usable)
			out[i].parent = find_parent(in, n, i, root, &out[i]);
	}
	/* depth, loops and the hop limit; a failure spreads outwards */
	while (changed) {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			int p = out[i].parent, depth = 0;
			size_t steps = 0;

			if (!in[i].is_div || !in[i].usable || out[i].code != 0)
				continue;
			for (int k = (int)i; k >= 0 && in[k].is_div && steps <= n;
			    k = out[k].parent, steps++)
				depth++;
			if (steps > n) {
				hop_fail(&out[i], "the diversion chain loops");
				changed = true;
			} else if ((unsigned)depth > max_hops) {
				snprintf(out[i].detail, sizeof(out[i].detail),
				    "more than %u diversions (div_max_hops)", max_hops);
				out[i].code = STIR_SIP_INVALID;
				changed = true;
			} else if (p >= 0 && out[p].code != 0) {
				hop_fail(&out[i], "an earlier hop of its diversion chain failed");
				changed = true;
			}
			out[i].depth = depth;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!in[i].is_div || !in[i].usable || out[i].code != 0)
			continue;
		out[i].outermost = true;
		for (size_t j = 0; j < n; j++)
			if (j != i && in[j].is_div && out[j].code == 0 && out[j].parent == (int)i)
				out[i].outermost = false;
	}
}

int
stir_div_history(const char *value, struct stir_ident *ret, size_t max, size_t *ret_n)
{
	const char *p = value, *lt, *gt;
	size_t n = 0;

	while ((lt = strchr(p, '<')) != NULL) {
		char uri[STIR_URI_MAX + 1], msg[128];
		size_t len;

		if ((gt = strchr(lt, '>')) == NULL)
			return STIR_EINVAL;
		len = (size_t)(gt - lt - 1);
		p = gt + 1;
		if (len == 0 || len > STIR_URI_MAX)
			continue;
		if (n == max)
			return STIR_EINVAL;
		memcpy(uri, lt + 1, len);
		uri[len] = '\0';
		if (stir_ident_canon(uri, &ret[n], msg, sizeof(msg)) == STIR_OK)
			n++;
	}
	*ret_n = n;
	return STIR_OK;
}
