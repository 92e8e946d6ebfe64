/*
 * diversion.h: chains of diverted calls (RFC 8946).  Each div or div-o
 * PASSporT is one hop: its div is the dest of the PASSporT before it, and
 * its orig is unchanged.  Pure functions over what verification found;
 * vreq.c applies the outcome.  See doc/extensions.md.
 */
#ifndef STIR_DIVERSION_H
#define STIR_DIVERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "daemon/stir/tn.h"

#define STIR_DIV_ROOT	(-2)	/* a hop that diverts from the root identity */
#define STIR_HISTORY_MAX 32	/* identities read from History-Info / Diversion */

/* One PASSporT of the request, as the chain builder sees it. */
struct stir_div_in {
	bool			 usable;	/* valid so far: claims, certificate, signature */
	bool			 is_div;	/* ppt div or div-o */
	const struct stir_ident	*orig;
	json_t			*dest;		/* its dest claim (borrowed) */
	const struct stir_ident	*div;		/* is_div: the diverting identity */
	int			 opt;		/* div-o: the index of its nested original, or -1 */
};

struct stir_div_out {
	int	 parent;	/* the PASSporT a hop diverts from, STIR_DIV_ROOT, or -1 */
	int	 depth;		/* hops since the original: 0 for an original */
	int	 code;		/* 0, or the SIP code the hop fails with (438) */
	char	 detail[200];
	bool	 outermost;	/* a hop no valid hop diverts from */
};

/*
 * Link every div hop of in[0..n) to the PASSporT it diverts from: the
 * nested original of a div-o, else the first usable PASSporT whose dest
 * holds the hop's div and whose orig is the hop's, else root (in a
 * response: the To the call was sent to), when div equals it.  A hop
 * fails (out[i].code 438) when nothing links, when orig changed, when
 * what it links to fails, when the chain loops, or beyond max_hops; then
 * only that hop and those after it fail.  out[i] for a PASSporT that is
 * not a hop says depth 0 and parent -1.
 */
void	stir_div_link(const struct stir_div_in *in, size_t n, unsigned max_hops,
	    const struct stir_ident *root, struct stir_div_out *out);

/*
 * The identities of a History-Info or Diversion header field value: each
 * <URI> (name-addr), canonicalized; those that are not telephone numbers
 * or SIP URIs are skipped.  At most max; *ret_n says how many.
 * STIR_EINVAL when a '<' has no '>' or there are more than max.
 */
int	stir_div_history(const char *value, struct stir_ident *ret, size_t max,
	    size_t *ret_n);

#endif
