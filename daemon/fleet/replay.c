/* replay.c: replay detection across the fleet, on Redis (replay.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/fleet/replay.h"

struct check {
	struct stir_replay_shared_stats	*st;
	stir_replay_shared_cb		 cb;
	void				*arg;
};

static void
on_set(void *arg, const struct stir_redis_reply *rep)
{
	struct check *k = arg;
	int err = rep->err;
	bool seen = false;

	if (err == STIR_OK && (rep->type == STIR_REDIS_ERROR || (rep->type != STIR_REDIS_NIL &&
	    rep->type != STIR_REDIS_STATUS)))
		err = STIR_EIO;
	if (err != STIR_OK)
		k->st->failures++;
	else if ((seen = rep->type == STIR_REDIS_NIL))	/* NX: it was there */
		k->st->replays++;
	k->cb(k->arg, err, seen);
	free(k);
}

int
stir_replay_shared_check(struct stir_redis *r, const char *prefix, const char *sig,
    unsigned window, struct stir_replay_shared_stats *st, stir_replay_shared_cb cb,
    void *arg)
{
	char key[64 + 8 + STIR_REPLAY_SIG_MAX + 1], ttl[16];
	const char *argv[6];
	size_t argl[6];
	struct check *k;
	int n, rc;

	if (strlen(sig) == 0 || strlen(sig) > STIR_REPLAY_SIG_MAX || window == 0)
		return STIR_EINVAL;
	n = snprintf(key, sizeof(key), "%sreplay:%s", prefix, sig);
	if (n < 0 || (size_t)n >= sizeof(key))
		return STIR_EINVAL;
	snprintf(ttl, sizeof(ttl), "%u", window);
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return STIR_ENOMEM;
	k->st = st;
	k->cb = cb;
	k->arg = arg;
	argv[0] = "SET";
	argv[1] = key;
	argv[2] = "1";
	argv[3] = "NX";
	argv[4] = "EX";
	argv[5] = ttl;
	for (int i = 0; i < 6; i++)
		argl[i] = strlen(argv[i]);
	st->checks++;
	if ((rc = stir_redis_command(r, on_set, k, 6, argv, argl)) != STIR_OK) {
		st->failures++;
		free(k);
		return rc;
	}
	return STIR_OK;
}
