/*
 * metrics.h: what stird counts (op "stats", doc/protocol.md 4.13).
 *
 * Everything here lives in fixed arrays indexed by enums: recording a
 * request allocates nothing and takes no lock.  Every update happens on
 * the loop thread (a request is counted when its reply is sent, a fetch
 * when it ends, a connection when it is accepted), so plain integers
 * suffice; nothing here may be called from the pool.
 *
 * The only label values not known at compile time are credential names:
 * the first STIR_METRICS_CREDS names seen are counted under their own
 * name, the rest under "other".
 *
 * stir_metrics_json() renders the families in the shape op "stats"
 * returns: {"name","type","help","samples":[...]}, counters and gauges
 * with {"labels":{...},"value":N}, histograms with cumulative "buckets"
 * ({"le":seconds,"count":N}; +Inf is implied by "count") and "sum".
 */
#ifndef STIR_METRICS_H
#define STIR_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define STIR_METRICS_OPS	64	/* ops counted by name (the op table must fit) */
#define STIR_METRICS_CREDS	32	/* credential names counted apart; then "other" */
#define STIR_METRICS_NAME_MAX	64	/* bytes of a credential name kept */
#define STIR_METRICS_DOMAIN_ERRS 32	/* error codes -1000 .. -1031 counted by name */
#define STIR_HIST_BUCKETS	16	/* 0.0001 s .. 10 s, steps of about 2.5 */

/* A latency histogram: counts[i] for values <= bound i (not cumulative;
 * counts[STIR_HIST_BUCKETS] is over the last bound), their sum in ns. */
struct stir_histogram {
	uint64_t	counts[STIR_HIST_BUCKETS + 1];
	uint64_t	count;
	uint64_t	sum_ns;
};

/* The upper bound of bucket i in seconds (0 <= i < STIR_HIST_BUCKETS). */
double	stir_histogram_bound(size_t i);
void	stir_histogram_observe(struct stir_histogram *h, uint64_t ns);

/* What a request's outcome is counted as: "ok" or an error's name. */
enum {
	STIR_M_OUTCOME_OK,
	STIR_M_OUTCOME_ERRNO,		/* 9 errno-valued codes follow */
	STIR_M_OUTCOME_DOMAIN = STIR_M_OUTCOME_ERRNO + 9,
	STIR_M_OUTCOME_OTHER = STIR_M_OUTCOME_DOMAIN + STIR_METRICS_DOMAIN_ERRS,
	_STIR_M_OUTCOME_MAX
};

/* verify verdicts */
enum stir_m_verstat {
	STIR_M_PASSED,		/* TN-Validation-Passed */
	STIR_M_FAILED,		/* TN-Validation-Failed */
	STIR_M_NO_VALIDATION,	/* No-TN-Validation */
	_STIR_M_VERSTAT_MAX
};

/* SIP codes of verdicts ("none": no error) and of Reason causes */
enum stir_m_code {
	STIR_M_CODE_NONE,
	STIR_M_CODE_403,
	STIR_M_CODE_428,
	STIR_M_CODE_436,
	STIR_M_CODE_437,
	STIR_M_CODE_438,
	STIR_M_CODE_OTHER,
	_STIR_M_CODE_MAX
};

enum stir_m_ppt {
	STIR_M_PPT_SHAKEN,
	STIR_M_PPT_RCD,
	STIR_M_PPT_DIV,
	STIR_M_PPT_DIV_O,
	STIR_M_PPT_MSG,
	STIR_M_PPT_RSP,
	STIR_M_PPT_OTHER,
	_STIR_M_PPT_MAX
};

enum stir_m_socket {
	STIR_M_SOCK_SERVICE,
	STIR_M_SOCK_ADMIN,
	_STIR_M_SOCK_MAX
};

/* How a fetch ended (fetch.c counts them per transfer). */
enum stir_m_fetch {
	STIR_M_FETCH_OK,
	STIR_M_FETCH_TIMEOUT,	/* no complete answer within fetch_timeout_ms */
	STIR_M_FETCH_REFUSED,	/* the URL or the address is not allowed */
	STIR_M_FETCH_TOO_BIG,	/* body or headers over the limit */
	STIR_M_FETCH_BUSY,	/* no slot within fetch_queue_ms */
	STIR_M_FETCH_ERROR,	/* anything else: HTTP status, TLS, connect */
	_STIR_M_FETCH_MAX
};

struct stir_metrics {
	uint64_t	requests[STIR_METRICS_OPS + 1][_STIR_M_OUTCOME_MAX];	/* last: unknown op */
	uint64_t	verdicts[_STIR_M_VERSTAT_MAX][_STIR_M_CODE_MAX];
	uint64_t	reasons[_STIR_M_CODE_MAX];
	char		cred_names[STIR_METRICS_CREDS][STIR_METRICS_NAME_MAX + 1];
	size_t		ncreds;
	uint64_t	signs[STIR_METRICS_CREDS + 1][_STIR_M_PPT_MAX];		/* last: "other" */
	struct stir_histogram sign_latency, verify_latency;
	uint64_t	accepted[_STIR_M_SOCK_MAX], refused[_STIR_M_SOCK_MAX];
	uint64_t	policy_refresh_ok, policy_refresh_error;
};

/* The state op "stats" reads besides the counters, gathered at the time. */
struct stir_metrics_cred {
	const char	*name;		/* borrowed */
	int64_t		 not_after;
};

struct stir_metrics_view {
	int64_t		 now;
	const char *const *op_names;	/* index -> name, nops of them */
	size_t		 nops;
	unsigned	 conns[_STIR_M_SOCK_MAX];
	unsigned	 inflight;
	bool		 has_fetcher;
	unsigned	 fetch_active, fetch_queued;
	uint64_t	 fetch_outcomes[_STIR_M_FETCH_MAX];
	uint64_t	 fetch_refused_at_once;	/* a queue or share was full: busy */
	const struct stir_histogram *fetch_latency;
	bool		 has_cache;
	uint64_t	 cache_entries, cache_bytes;
	uint64_t	 cache_hits, cache_misses, cache_negative_hits;
	const struct stir_metrics_cred *creds;
	size_t		 ncreds;
	/* fleet mode (doc/fleet.md): with redis configured */
	bool		 has_redis;
	const char	*redis_state;		/* "up", "connecting", "stalled", "down" */
	uint64_t	 redis_connects, redis_disconnects, redis_commands, redis_replies;
	uint64_t	 redis_errors, redis_timeouts, redis_refused;
	uint64_t	 redis_rtt_us_sum, redis_rtt_us_max;
	uint64_t	 replay_shared_checks, replay_shared_replays, replay_shared_failures,
			 replay_shared_closed;
	bool		 has_shared_cache;
	uint64_t	 shared_hits, shared_misses, shared_waits, shared_waited_hits,
			 shared_published, shared_bypassed;
};

/* Zero everything. */
void	stir_metrics_init(struct stir_metrics *m);
/*
 * A request answered: op is its index in the op table (or -1 for a line
 * whose op was unknown or unreadable), err its outcome.
 */
void	stir_metrics_request(struct stir_metrics *m, int op, int err);
/* The outcome slot err is counted in, and its label ("ok", "EPERM", ...). */
size_t	stir_metrics_outcome_index(int err);
const char *stir_metrics_outcome_name(size_t idx);
/* A sign request answered after ns; cred and ppt (may be NULL) when it succeeded. */
void	stir_metrics_sign(struct stir_metrics *m, uint64_t ns, int err, const char *cred,
	    const char *ppt);
/* A verify request answered after ns; result (may be NULL) is its result object. */
void	stir_metrics_verify(struct stir_metrics *m, uint64_t ns, int err, const json_t *result);
void	stir_metrics_conn(struct stir_metrics *m, enum stir_m_socket s, bool accepted);
/* One RCD policy content refresh round: URLs fetched well and not. */
void	stir_metrics_policy_refresh(struct stir_metrics *m, size_t ok, size_t failed);
/* The families, in a new array (NULL on no memory). */
json_t	*stir_metrics_json(const struct stir_metrics *m, const struct stir_metrics_view *v);

#endif
