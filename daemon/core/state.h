/*
 * state.h: what requests read, as one immutable, reference-counted value
 * (after Knot DNS's conf() snapshot): the settings, the credentials and
 * RCD policies, the trust list and its RCD anchors.  A change is read off
 * the loop (the store thread) into parts, and installed on the loop as a
 * new state by one pointer swap (stir_server_install(), server.h).  Each request takes
 * a reference when it is dispatched (req->state) and reads only that: a
 * request sees one state from start to end, whatever is installed
 * meanwhile, and the pool may read it because nothing in it changes.
 */
#ifndef STIR_STATE_H
#define STIR_STATE_H

#include <stddef.h>
#include <stdint.h>

struct stir_config;
struct stir_creds;
struct stir_trust;
struct stir_rcd_anchors;
struct stir_store;

struct stir_state {
	unsigned		 refs;		/* atomic: the pool drops references too */
	uint64_t		 gen;		/* 1 at start, one more per install */
	const struct stir_config *cfg;		/* the settings (restart-only ones: srv->boot) */
	struct stir_creds	*creds;		/* credentials and RCD policies */
	struct stir_trust	*trust;		/* anchors and CRLs, for verify */
	struct stir_rcd_anchors	*rcd_anchors;	/* of trust, the anchors added --rcd */
	uint64_t		 creds_seq;	/* the loads these came from */
	uint64_t		 trust_seq;	/* (validations are memoised per trust_seq) */
};

/* What to read (stir_state_load). */
#define STIR_LOAD_CREDS	0x1u		/* credentials and RCD policies */
#define STIR_LOAD_TRUST	0x2u		/* the trust list and its RCD anchors */

/*
 * Parts read off the loop for stir_state_next(); NULL parts are left
 * as they are.  seq orders loads: a part older than the installed one is
 * dropped (a slow load never undoes a newer one).
 */
struct stir_state_parts {
	struct stir_config	*cfg;
	struct stir_creds	*creds;
	struct stir_trust	*trust;
	struct stir_rcd_anchors	*rcd_anchors;
	uint64_t		 seq;
};

struct stir_state *stir_state_ref(struct stir_state *st);
/* Drop a reference (any thread); NULL-safe. */
void	stir_state_unref(struct stir_state *st);

/*
 * Read what `what` names (STIR_LOAD_*) from the store into p (empty on
 * entry), the trust list with crl_file; seq numbers the load (the store
 * thread numbers loads in the order they read: stir_server_load()).  On
 * failure p is left empty and msg says why.
 */
int	stir_state_load(struct stir_store *store, uint64_t seq, unsigned what,
	    const char *crl_file, struct stir_state_parts *p, char *msg, size_t msglen);
/* Free what p still holds (NULL-safe); p is left empty. */
void	stir_state_parts_clear(struct stir_state_parts *p);
/*
 * The state after o (NULL: the first) with p's parts that are newer than
 * o's (taken; p is left empty), in *ret with one reference.  STIR_ENOMEM.
 */
int	stir_state_next(const struct stir_state *o, struct stir_state_parts *p,
	    struct stir_state **ret);

#endif
