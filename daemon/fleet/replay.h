/*
 * replay.h: replay detection across the fleet.  A verified PASSporT's
 * signature is set in Redis with the window's lifetime, atomically and
 * only if absent (SET <prefix>replay:<signature> <1> NX EX <window>), so
 * the first host of the fleet to see it records it and every other host
 * (and that host again) finds it there.  What is judged is as before
 * (vreq.c): live calls only, not an original nested in a div-o nor one a
 * valid diversion of the request starts from.  Loop thread only.
 */
#ifndef STIR_FLEET_REPLAY_H
#define STIR_FLEET_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/fleet/redis.h"

#define STIR_REPLAY_SIG_MAX	128	/* an ES256 signature is 86 characters */

struct stir_replay_shared_stats {
	uint64_t	checks;		/* asked of Redis */
	uint64_t	replays;	/* ... and found there */
	uint64_t	failures;	/* not answered: the local window judged */
	uint64_t	closed;		/* ... and replay_shared_failure = closed failed it */
};

/*
 * err is STIR_OK with seen set, or why Redis did not answer (the caller
 * applies replay_shared_failure).
 */
typedef void (*stir_replay_shared_cb)(void *arg, int err, bool seen);

/*
 * Ask Redis about sig (window seconds); cb comes later, from the loop.
 * Returns an error without calling cb if it could not be asked (the link
 * is down or stalled: counted as a failure).
 */
int	stir_replay_shared_check(struct stir_redis *r, const char *prefix, const char *sig,
	    unsigned window, struct stir_replay_shared_stats *st, stir_replay_shared_cb cb,
	    void *arg);

#endif
