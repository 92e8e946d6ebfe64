/* diversion.c: linking div and div-o PASSporTs into chains (RFC 8946). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/verify/diversion.h"
#include "daemon/verify/verify.h"


static void
hop_fail(struct stir_div_out *o, const char *detail)
{
	o->code = STIR_SIP_INVALID;
	snprintf(o->detail, sizeof(o->detail), "%s", detail);
}

/* div-o: its own nested original, or -1 with why. */
static int
opt_parent(const struct stir_div_in *in, size_t i, struct stir_div_out *o)
{
	const struct stir_div_in *p = &in[in[i].opt];

	if (!p->usable)
		hop_fail(o, "the original PASSporT inside opt does not verify");
	else if (!stir_ident_eq(p->orig, in[i].orig))
		hop_fail(o, "orig differs from that of the original inside opt");
	else if (!stir_dest_has(p->dest, in[i].div))
		hop_fail(o, "div is not the dest of the original inside opt");
	else
		return in[i].opt;
	return -1;
}

/* Can hop i divert from j (linked already, at depth d)? */
static bool
links_to(const struct stir_div_in *in, size_t i, size_t j)
{
	return in[j].usable && stir_dest_has(in[j].dest, in[i].div) &&
	    stir_ident_eq(in[j].orig, in[i].orig);
}

/* The first PASSporT hop i could divert from (same orig, dest holds div), or -1. */
static int
candidate(const struct stir_div_in *in, size_t n, size_t i)
{
	for (size_t j = 0; j < n; j++)
		if (j != i && links_to(in, i, j))
			return (int)j;
	return -1;
}

/* Hop i has no candidate at all: no dest holds its div, or orig changed. */
static void
unlinked(const struct stir_div_in *in, size_t n, size_t i, struct stir_div_out *out)
{
	for (size_t j = 0; j < n; j++)
		if (j != i && in[j].usable && stir_dest_has(in[j].dest, in[i].div)) {
			hop_fail(&out[i], "orig changed along the diversion (RFC 8946: it must stay the original's)");
			return;
		}
	snprintf(out[i].detail, sizeof(out[i].detail),
	    "div %.64s is not the dest of any other PASSporT of the request", in[i].div->value);
	out[i].code = STIR_SIP_INVALID;
}

/*
 * An unresolved hop (its candidates never reach an original): following
 * the first candidates either meets a hop that failed or goes round.
 */
static bool
walks_into_failure(const struct stir_div_out *out, size_t n, size_t i)
{
	int k = out[i].parent;

	for (size_t steps = 0; k >= 0 && steps <= n; steps++, k = out[k].parent)
		if (out[k].code != 0)
			return true;
	return false;
}

static bool
unresolved(const struct stir_div_in *in, const struct stir_div_out *out, size_t i)
{
	return in[i].is_div && in[i].usable && out[i].code == 0 && out[i].depth < 0;
}

/*
 * Link hops outwards from the originals (and the root), one ring at a
 * time, so that the order of the Identity headers does not matter and
 * every hop takes the shortest way back to an original.
 */
void
stir_div_link(const struct stir_div_in *in, size_t n, unsigned max_hops,
    const struct stir_ident *root, struct stir_div_out *out)
{
	bool *into_failure, changed;

	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].parent = -1;
		out[i].depth = in[i].is_div && in[i].usable ? -1 : 0;	/* -1: not linked yet */
		if (in[i].is_div && in[i].usable && in[i].opt >= 0)
			out[i].parent = opt_parent(in, i, &out[i]);
	}
	for (size_t ring = 1; ring <= n; ring++) {
		for (size_t i = 0; i < n; i++) {
			int p = out[i].parent;

			if (!unresolved(in, out, i))
				continue;
			if (in[i].opt >= 0) {		/* a div-o hangs below its own original */
				if (p >= 0 && out[p].code == 0 && out[p].depth == (int)ring - 1)
					out[i].depth = (int)ring;
				continue;
			}
			for (size_t j = 0; j < n; j++)
				if (j != i && out[j].code == 0 && out[j].depth == (int)ring - 1 &&
				    links_to(in, i, j)) {
					out[i].parent = (int)j;
					out[i].depth = (int)ring;
					break;
				}
			/* a response's root (To) when no PASSporT of it came back */
			if (out[i].depth < 0 && ring == 1 && root != NULL && stir_ident_eq(root, in[i].div)) {
				out[i].parent = STIR_DIV_ROOT;
				out[i].depth = 1;
			}
		}
	}
	/* what never reached an original: no candidate, a failed one, or a loop */
	for (size_t i = 0; i < n; i++)
		if (unresolved(in, out, i) && in[i].opt < 0 &&
		    (out[i].parent = candidate(in, n, i)) < 0)
			unlinked(in, n, i, out);
	if ((into_failure = calloc(n ? n : 1, sizeof(*into_failure))) != NULL)
		for (size_t i = 0; i < n; i++)
			into_failure[i] = unresolved(in, out, i) && walks_into_failure(out, n, i);
	for (size_t i = 0; i < n; i++) {
		if (unresolved(in, out, i))
			hop_fail(&out[i], into_failure == NULL || into_failure[i] ?
			    "an earlier hop of its diversion chain failed" : "the diversion chain loops");
		else if (in[i].is_div && in[i].usable && out[i].code == 0 &&
		    (unsigned)out[i].depth > max_hops) {
			snprintf(out[i].detail, sizeof(out[i].detail),
			    "more than %u diversions (div_max_hops)", max_hops);
			out[i].code = STIR_SIP_INVALID;
		}
		if (out[i].depth < 0)
			out[i].depth = 0;
	}
	free(into_failure);
	/* a hop beyond a failed one fails too (beyond the limit, say) */
	for (changed = true; changed; ) {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			int p = out[i].parent;

			if (in[i].is_div && in[i].usable && out[i].code == 0 && p >= 0 &&
			    out[p].code != 0) {
				hop_fail(&out[i], "an earlier hop of its diversion chain failed");
				changed = true;
			}
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
	const char *p = value, *gt;
	size_t n = 0;

	while (*p != '\0') {
		char uri[STIR_URI_MAX + 1], msg[128];
		struct stir_ident id;
		size_t len;

		if (*p == '"') {		/* a display name: its '<' is text */
			for (p++; *p != '\0' && *p != '"'; p++)
				if (*p == '\\' && p[1] != '\0')
					p++;
			if (*p == '"')
				p++;
			continue;
		}
		if (*p++ != '<')
			continue;
		if ((gt = strchr(p, '>')) == NULL)
			return STIR_EINVAL;
		len = (size_t)(gt - p);
		if (len > 0 && len <= STIR_URI_MAX) {
			memcpy(uri, p, len);
			uri[len] = '\0';
			if (stir_ident_canon(uri, &id, msg, sizeof(msg)) == STIR_OK) {
				if (n == max)
					return STIR_EINVAL;
				ret[n++] = id;
			}
		}
		p = gt + 1;
	}
	*ret_n = n;
	return STIR_OK;
}
