/* server.h: struct stir_server, connections and requests. */
#ifndef STIR_SERVER_H
#define STIR_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <uv.h>

#include "opschema.h"
#include "proto.h"
#include "daemon/base/conf.h"
#include "daemon/base/log.h"
#include "daemon/base/metrics.h"
#include "daemon/core/state.h"
#include "daemon/core/workq.h"
#include "daemon/fleet/replay.h"

#define STIR_MAX_GROUPS		256	/* supplementary groups kept per peer */
#define STIR_WRITE_QUEUE_MAX	(256 * 1024)	/* reply bytes before reads pause */
#define STIR_WRITE_STALL_MS	10000	/* a peer not reading its replies is dropped */
#define STIR_STOP_DRAIN_MS	5000	/* on stop, connections get this long */
#define STIR_SWEEP_MS		1000	/* how often timeouts are checked */
#define STIR_MAX_ADMIN_CONNS	32	/* admin connections, apart from max_connections */
#define STIR_ADMIN_DB_TIMEOUT_MS 5000	/* an admin op waits this long for the database */
#define STIR_MAX_REFUSING	64	/* refused peers waiting for their answer */
#define STIR_REFUSAL_LOG_BURST	10	/* refusals logged per interval ... */
#define STIR_REFUSAL_LOG_MS	1000	/* ... of this many ms; the rest are counted */

enum stir_role {
	STIR_ROLE_CLIENT,	/* the service socket */
	STIR_ROLE_ADMIN,	/* the admin socket */
	_STIR_ROLE_MAX
};

struct stir_server;
struct stir_state;
struct stir_storeq;

struct stir_listener {
	uv_pipe_t		 pipe;
	struct stir_server	*srv;
	enum stir_role		 role;
	bool			 open;
	bool			 bound_here;	/* we created the path */
	char			*path;
};

struct stir_conn {
	uv_pipe_t		 pipe;
	struct stir_server	*srv;
	enum stir_role		 role;
	uint64_t		 serial;
	pid_t			 pid;
	uid_t			 uid;
	gid_t			 gid;
	gid_t			 groups[STIR_MAX_GROUPS];
	int			 ngroups;
	struct stir_linebuf	*in;
	char			*out;		/* replies waiting for a write */
	size_t			 outlen, outcap;
	unsigned		 writing;	/* uv_write()s outstanding */
	uint64_t		 last_read_ms;	/* loop time of the last bytes in */
	uint64_t		 last_write_ms;	/* last write start or completion */
	uint64_t		 partial_ms;	/* loop time a partial line began, or 0 */
	char			*refusal;	/* error line a refused peer gets, or NULL */
	size_t			 refusal_len;
	bool			 counted;	/* holds a slot (nconns or nadmin) */
	unsigned		 inflight;
	unsigned		 refs;		/* handles open + requests alive */
	bool			 reading;
	bool			 dispatching;	/* inside a dispatch loop */
	bool			 eof;		/* the peer finished sending */
	bool			 closing;
	bool			 close_after_flush;	/* over-long line: nothing more */
	bool			 corked;	/* on srv->corked_conns (holds a ref) */
	struct stir_conn	*corked_next;
	struct stir_conn	*prev, *next;
};

struct stir_req;
typedef void (*stir_work_fn)(struct stir_req *req);
/* Work done for several queued requests at once (workq.h). */
typedef void (*stir_batch_fn)(struct stir_req **reqs, size_t n);

/* The longest deadline_ms a request may ask for. */
#define STIR_DEADLINE_MAX_MS	600000

struct stir_req {
	struct stir_conn	*conn;
	/* the state as the request arrived: all it reads (any thread) */
	struct stir_state	*state;
	struct stir_request	*env;		/* decoded envelope */
	const struct stir_op_desc *op;
	uv_work_t		 work;
	stir_work_fn		 work_fn;	/* runs on the thread pool */
	stir_work_fn		 done_fn;	/* then on the loop, may be NULL */
	/*
	 * Hot ops: if set, a drainer calls it once for all the requests of
	 * its batch that share it, before their work_fn (workq.h).
	 */
	stir_batch_fn		 batch_fn;
	/*
	 * Audited ops: work_fn runs inside the change's transaction; after
	 * it commits, commit_fn (store thread) does what must follow a
	 * committed change (reload tables, remove a file); if the commit
	 * fails, undo_fn undoes what work_fn did outside the database.
	 */
	stir_work_fn		 commit_fn;
	stir_work_fn		 undo_fn;
	void			*ctx;		/* op state */
	void			(*ctx_free)(void *);
	json_t			*result;	/* reply on success */
	int			 err;		/* or this error */
	char			 errmsg[512];
	char			 audit_subject[256];	/* what an admin op changed */
	bool			 audit_done;	/* written with the change */
	uint64_t		 t0_ns;
	struct stir_req		*qnext;		/* workq lists */
	/*
	 * deadline_ms (doc/protocol.md section 2): when the timer fires
	 * before the reply is ready, on_deadline (if the op set one) may
	 * build an early result; otherwise the request is answered with
	 * ETIMEDOUT.  Either way the reply goes out at once, "answered" is
	 * set, and the request finishes in the background: its own reply is
	 * then dropped.
	 */
	unsigned		 deadline_ms;
	uint64_t		 deadline_due;	/* loop time; on srv's deadline list */
	size_t			 dl_index;	/* on srv's deadline heap: place + 1 */
	void			(*on_deadline)(struct stir_req *);
	bool			 answered;
	bool			 held;		/* done_fn waits on something: stir_req_hold() */
};

struct stir_stats {
	uint64_t	requests;
	uint64_t	errors;
	uint64_t	signs;
	uint64_t	sign_errors;
	uint64_t	connections;
	uint64_t	refused_connections;
};

struct stir_op_desc;

struct stir_server {
	uv_loop_t		*loop;
	const struct stir_op_desc *ops;		/* the op table (ops/ops.c) */
	size_t			 nops;
	/* called each sweep (STIR_SWEEP_MS), after the connections' deadlines */
	void			(*on_sweep)(struct stir_server *srv);
	/*
	 * The settings stird started with: the ones a reload cannot change
	 * (sockets, database, key_dir, pkcs11_module, threads, lock_memory)
	 * are read here; every other setting from the state.
	 */
	struct stir_config	*boot;
	/* what requests read: settings, credentials, trust (state.h); loop thread */
	struct stir_state	*state;
	uint64_t		 load_seq;	/* state loads, numbered (store thread) */
	char			*config_path;
	struct stir_store	*store;	/* used on the store thread only */
	struct stir_storeq	*storeq;	/* the store thread */
	struct stir_signer	*signer;
	struct stir_listener	 listeners[_STIR_ROLE_MAX];
	uv_signal_t		 sig_hup, sig_term, sig_int;
	struct stir_conn	*conns;
	unsigned		 nconns;	/* service connections */
	unsigned		 nadmin;	/* admin connections */
	unsigned		 nrefusing;	/* refused connections not yet closed */
	struct stir_ratelimit	 refusal_log;	/* "conn N refused" lines */
	uv_timer_t		 sweep;		/* idle, write-stall and stop deadlines */
	uint64_t		 stop_ms;	/* loop time stop began */
	uint64_t		 next_serial;
	uid_t			 self_uid;
	time_t			 started;
	bool			 stopping;
	bool			 reload_pending;	/* a reload is running */
	bool			 reload_again;		/* another was asked for meanwhile */
	struct stir_stats	 stats;
	struct stir_metrics	 metrics;	/* op stats; loop thread only */
	unsigned		 inflight_total;
	struct stir_workq	 workq;		/* sign and verify */
	bool			 policy_refreshing;	/* RCD content being fetched again */
	uint64_t		 policy_refresh_ms;	/* loop time the last round began */
	struct stir_fetcher	*fetcher;	/* x5u and CRL fetches */
	struct stir_certcache	*certcache;	/* fetched chains */
	struct stir_vmemo	*vmemo;		/* validated chains, replays */
	/* fleet mode (doc/fleet.md): NULL without redis */
	struct stir_redis	*redis;
	struct stir_shared_cache *shared_cache;	/* the certificate cache's fleet level */
	struct stir_replay_shared_stats replay_shared;
	/* requests with a deadline_ms, a min-heap by due time, and one timer (req.c) */
	struct stir_req		**dl_heap;
	size_t			 dl_n, dl_cap;
	uv_timer_t		 dl_timer;
	uint64_t		 dl_armed;	/* loop time it fires at; 0: stopped */
	bool			 dl_timer_init;
	unsigned		 cork;		/* >0: replies wait for stir_conn_uncork() */
	struct stir_conn	*corked_conns;	/* with replies waiting for it */
	uv_prepare_t		 flush_prepare;	/* stir_conn_coalesce_start() */
	uv_check_t		 flush_check;
	bool			 coalescing;
};

/* server.c */
int	stir_server_init(struct stir_server *srv, uv_loop_t *loop,
	    struct stir_config *cfg, const char *config_path,
	    const struct stir_op_desc *ops, size_t nops);
int	stir_server_listen(struct stir_server *srv);
void	stir_server_done(struct stir_server *srv);
/* Close the fetcher and cache (their handles close on the loop). */
void	stir_server_close_io(struct stir_server *srv);
void	stir_server_stop(struct stir_server *srv);
/* Re-read config, key files and credentials (SIGHUP). */
int	stir_server_reload(struct stir_server *srv);
bool	stir_server_peer_has(struct stir_server *srv, const struct stir_conn *c,
	    enum stir_perm perm);
/*
 * Store thread (or before it starts): read what `what` names (STIR_LOAD_*,
 * state.h) into p, numbered in the order loads read.  msg says why not.
 */
int	stir_server_load(struct stir_server *srv, unsigned what, const char *crl_file,
	    struct stir_state_parts *p, char *msg, size_t msglen);
/*
 * Loop thread: install the state with p's newer parts (taken; p is left
 * empty) by one pointer swap; a new trust list forgets the validations
 * of the old one.  Empty parts install nothing.  STIR_ENOMEM keeps the
 * running state.
 */
int	stir_server_install(struct stir_server *srv, struct stir_state_parts *p);
void	stir__server_forget(struct stir_server *srv, struct stir_conn *c);
/* Close connections past their idle, write-stall or stop deadline. */
void	stir_conn_sweep(struct stir_server *srv);
void	stir__server_maybe_finish(struct stir_server *srv);

/* conn.c */
int	stir_conn_accept(struct stir_server *srv, struct stir_listener *l);
void	stir_conn_close(struct stir_conn *c);
void	stir_conn_send(struct stir_conn *c, char *line, size_t len);
/*
 * Between these, replies are gathered per connection and written by the
 * uncork, one write each (a batch of results from the workers, say).
 */
void	stir_conn_cork(struct stir_server *srv);
void	stir_conn_uncork(struct stir_server *srv);
/*
 * Hold one cork for as long as the server runs, and flush it twice per
 * loop iteration: after the I/O callbacks (check) and before the loop
 * may sleep (prepare).  Every reply made in one phase of the loop leaves
 * each connection in one write, wherever it was made (a read's dispatch,
 * the pool's completions, the certificate cache's answers, deadlines),
 * and none waits past the iteration it was made in.
 */
int	stir_conn_coalesce_start(struct stir_server *srv);
void	stir_conn_coalesce_stop(struct stir_server *srv);
/* No reply buffered or being written. */
bool	stir_conn_flushed(const struct stir_conn *c);
void	stir_conn_unref(struct stir_conn *c);
/*
 * Log how many refusals the rate limit kept out of the log, once their
 * interval has ended by now_ms (UINT64_MAX: at once, on stop).
 */
void	stir_conn_refusals_flush(struct stir_server *srv, uint64_t now_ms);
/* Dispatch buffered lines, start or stop reading, close when done. */
void	stir_conn_pump(struct stir_conn *c);

/* req.c: request lifetime */
void	stir_req_reply(struct stir_req *req);
/* Start the request's deadline_ms timer (dispatch, before the handler). */
int	stir_req_start_deadline(struct stir_req *req);
/* Free the deadline heap (the server is closing; no request is left). */
void	stir_req_deadlines_free(struct stir_server *srv);
/*
 * Answer now with req->result or req->err, before the work is done; the
 * request stays in flight until stir_req_reply(), whose reply is dropped.
 */
void	stir_req_answer_early(struct stir_req *req);
void	stir_req_fail(struct stir_req *req, int err, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * Attach a zeroed context of size bytes, freed with ctx_free (the params
 * were checked against the op's schema in dispatch); out of memory:
 * reply with the error and return NULL.
 */
void	*stir_req_begin(struct stir_req *req, size_t size, void (*ctx_free)(void *));
/*
 * Run work_fn on the store thread (admin ops: serialized, with the
 * database; audited ops in one transaction with their audit record),
 * then done_fn (if any) on the loop, then reply.
 */
void	stir_req_queue(struct stir_req *req, stir_work_fn work_fn,
	    stir_work_fn done_fn);
/* The same for hot ops (sign, verify): batched through srv->workq. */
void	stir_req_queue_hot(struct stir_req *req, stir_work_fn work_fn,
	    stir_work_fn done_fn);
/*
 * The same for a cheap hot request (CPU only, about one signature's
 * work, no I/O): run on the loop, before this returns, when the pool is
 * idle (workq.h), else queued as stir_req_queue_hot() queues it.
 */
void	stir_req_queue_cheap(struct stir_req *req, stir_work_fn work_fn,
	    stir_work_fn done_fn);
/*
 * For an op that keeps a light request off the pool its own way (one
 * that waits on the loop for another process): may it now (the pool
 * idle and no other request of this loop iteration off it, workq.h)?  If it then does, it says so with
 * stir_req_skipped_pool() (status counts it in stats.inline).
 */
bool	stir_req_may_skip_pool(struct stir_req *req);
/*
 * From a done_fn: the reply waits for something done_fn started (a
 * question to the fleet's Redis); its callback replies with
 * stir_req_reply() itself.
 */
void	stir_req_hold(struct stir_req *req);
/* done_fn, then the reply unless done_fn held it (the queues' end). */
void	stir_req_finish(struct stir_req *req);
void	stir_req_skipped_pool(struct stir_req *req);
/*
 * Call fn(req, status) on the loop once fd is readable (STIR_OK), fails
 * (STIR_EIO) or timeout_ms passes first (STIR_ETIMEDOUT).  fd is no
 * longer watched when fn runs, and its file status flags are as they
 * were (libuv makes it non-blocking while it watches).  STIR_OK, or a
 * code if it cannot wait.
 */
typedef void (*stir_fd_ready_fn)(struct stir_req *req, int status);
int	stir_req_wait_readable(struct stir_req *req, int fd, unsigned timeout_ms,
	    stir_fd_ready_fn fn);
void	stir_req_set_error(struct stir_req *req, int err, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
uint64_t stir_now_ns(void);
/* Append to the audit log from the loop (the write runs on the pool). */
void	stir_audit_async(struct stir_server *srv, uid_t uid, pid_t pid,
	    const char *op, const char *subject, int result);

/* dispatch.c */
void	stir_dispatch_line(struct stir_conn *c, const char *line, size_t len);
/*
 * The longest request line a socket of that role must take: the largest
 * limit of the ops it serves (an op without its own: max_request_bytes).
 */
size_t	stir_ops_max_line(const struct stir_server *srv, enum stir_role role,
	    size_t max_request_bytes);

#endif
