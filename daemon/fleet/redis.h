/*
 * redis.h: the fleet's Redis, on the loop: one connection through
 * hiredis's asynchronous API and its libuv adapter (this module is the
 * one owner of hiredis).  Loop thread only; nothing here blocks.
 *
 * - Addressing: host:port, unix:/path, or Sentinels asked for the
 *   master's address (SENTINEL get-master-addr-by-name), then ROLE
 *   checked on the master.  Host names are resolved with
 *   uv_getaddrinfo(), never by hiredis on the loop.
 * - AUTH [user] password (an ACL user, or the password alone), SELECT db.
 * - Connection loss: reconnects with exponential backoff (100 ms to
 *   5 s, with jitter); with Sentinel, the master is asked again.
 * - Every command has a deadline (redis_timeout_ms).  Replies arrive in
 *   order, so one timer watches the oldest: when it passes, every command
 *   waiting fails with STIR_ETIMEDOUT, the link is "stalled" (new
 *   commands fail at once) and a PING probes it; its answer makes it up
 *   again, and none within STIR_REDIS_STALL_MS drops and reconnects.
 *   A paused or slow Redis costs a caller at most one timeout.
 */
#ifndef STIR_FLEET_REDIS_H
#define STIR_FLEET_REDIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define STIR_REDIS_ARGS_MAX	8	/* arguments of one command */
#define STIR_REDIS_ELEMS_MAX	8	/* array elements a reply shows */
#define STIR_REDIS_STALL_MS	3000	/* a stalled link without answer: reconnect */
#define STIR_REDIS_BACKOFF_MIN_MS 100
#define STIR_REDIS_BACKOFF_MAX_MS 5000

struct stir_config;
struct stir_redis;

enum stir_redis_type {
	STIR_REDIS_NIL,
	STIR_REDIS_STRING,	/* bulk string: str, len */
	STIR_REDIS_STATUS,	/* +OK and the like: str */
	STIR_REDIS_INTEGER,	/* integer */
	STIR_REDIS_ARRAY,	/* elem[0 .. nelem) (strings; others NIL) */
	STIR_REDIS_ERROR,	/* -ERR ...: str */
};

/* A reply, borrowed for the callback.  err: STIR_OK with a reply;
 * STIR_ETIMEDOUT; STIR_EIO (connection lost); STIR_ESHUTDOWN. */
struct stir_redis_reply {
	int			 err;
	enum stir_redis_type	 type;
	const char		*str;
	size_t			 len;
	long long		 integer;
	size_t			 nelem;
	struct {
		const char	*str;	/* NULL for a non-string element */
		size_t		 len;
	}			 elem[STIR_REDIS_ELEMS_MAX];
};

typedef void (*stir_redis_cb)(void *arg, const struct stir_redis_reply *r);

/* Counters since the start, for the stats op and the metrics. */
struct stir_redis_stats {
	const char	*state;		/* "up", "connecting", "stalled", "down" */
	char		 server[300];	/* the address in use, "" if none */
	uint64_t	 connects;	/* connections that became usable */
	uint64_t	 disconnects;	/* ... and were lost */
	uint64_t	 commands;	/* sent */
	uint64_t	 replies;	/* answered in time */
	uint64_t	 errors;	/* error replies and lost connections' commands */
	uint64_t	 timeouts;	/* commands past redis_timeout_ms */
	uint64_t	 refused;	/* not sent: the link was not up */
	uint64_t	 rtt_us_sum;	/* round trips of the replies in time */
	uint64_t	 rtt_us_max;
};

/*
 * A Redis link for cfg's settings (redis or redis_sentinels); it starts
 * connecting at once.  The password file is read here.  STIR_EINVAL with
 * msg if it cannot be read.
 */
int	stir_redis_new(uv_loop_t *loop, const struct stir_config *cfg,
	    struct stir_redis **ret, char *msg, size_t msglen);
/* Does cfg address the same server, with the same credentials? */
bool	stir_redis_same(const struct stir_redis *r, const struct stir_config *cfg);
/* New deadline for commands sent from now on (reload). */
void	stir_redis_set_timeout(struct stir_redis *r, unsigned timeout_ms);
/*
 * Every command waiting is answered with STIR_ESHUTDOWN, from inside
 * this call; the handles close on the loop.
 */
void	stir_redis_free(struct stir_redis *r);

bool	stir_redis_up(const struct stir_redis *r);

/*
 * Send one command (argv[0] is its name; binary-safe arguments).  cb is
 * called exactly once, later, from the loop: with the reply, or with
 * err set.  Returns STIR_EIO (the link is not up: connecting, stalled or
 * down) or STIR_ENOMEM without sending, and then cb is never called.
 */
int	stir_redis_command(struct stir_redis *r, stir_redis_cb cb, void *arg, int argc,
	    const char *const *argv, const size_t *argvlen);

void	stir_redis_stats(const struct stir_redis *r, struct stir_redis_stats *ret);

#endif
