/*
 * door.h: stird-http, the HTTP front door of stird (stird-http(8),
 * doc/http.md).  An unprivileged client of stird: it parses HTTP
 * (libmicrohttpd, http_mhd.c only), maps requests to stird ops and talks to
 * stird over its Unix socket with the non-blocking libstirclient API
 * (upstream.c).  One thread, one libuv loop; nothing here blocks.
 *
 * Ownership: struct door (main.c) owns everything; a struct hreq lives from
 * the first byte of a request to MHD's completion callback and is freed
 * there (http_mhd.c), never by a route.
 */
#ifndef STIR_HTTP_DOOR_H
#define STIR_HTTP_DOOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "daemon/base/log.h"
#include "client/stird-http/conf.h"

/* Permissions a request's principal may hold (auth.c). */
#define PERM_SIGN	0x1
#define PERM_VERIFY	0x2
#define PERM_STATS	0x4
#define PERM_ALL	(PERM_SIGN | PERM_VERIFY | PERM_STATS)

/* How a route words its errors (http_mhd.c hreq_fail()). */
enum route_style {
	STYLE_NATIVE,		/* {"error":{"code","name","message"}} */
	STYLE_SHAKEN,		/* {"requestError":{"serviceException":...}} */
	_STYLE_MAX
};

struct hreq;
struct door;
struct hd_listener;
struct up_slot;

/*
 * A reply from stird for r (upstream.c): err 0 and the reply's "result"
 * object (borrowed for the call), or an error and NULL.
 */
typedef void (*up_cb)(struct hreq *r, int err, const char *errmsg,
    json_t *result);

struct route {
	const char	*path;
	const char	*method;	/* "POST" or "GET" (GET also takes HEAD) */
	unsigned	 perm;		/* needed; 0: none */
	bool		 json_body;	/* POST with application/json */
	enum route_style style;
	void		(*run)(struct hreq *r);
	const char	*name;		/* the route label of the metrics */
};

/* A request, as the MHD layer hands it to a route. */
struct hreq {
	struct door		*door;
	const struct route	*route;		/* NULL: no such path */
	void			*conn;		/* the MHD connection (http_mhd.c) */
	struct hd_listener	*lst;
	char			*body;		/* NUL-terminated, body_len bytes */
	size_t			 body_len;
	size_t			 body_cap;	/* allocated, at most max_body_bytes + 1 */
	size_t			 body_seen;	/* bytes that arrived (counted past the limit) */
	bool			 body_oom;	/* no memory for the body: 500 */
	char			 reqid[129];	/* X-RequestID, "" if none */
	unsigned		 perms;		/* of the principal */
	char			 principal[64];	/* token/cert name, or "-" */
	/* the reply, once there is one */
	int			 status;
	char			*resp;		/* malloc'd */
	size_t			 resp_len;
	const char		*resp_type;
	bool			 close;		/* Connection: close */
	const char		*allow;		/* Allow: for 405 */
	bool			 www_auth;	/* WWW-Authenticate: Bearer for 401 */
	/* state */
	int			 early_status;	/* decided at the headers; sent at the end */
	bool			 started;	/* the route ran */
	bool			 suspended;
	bool			 timed_out;
	/* the upstream request in flight (upstream.c) */
	struct up_slot		*up_slot;
	unsigned		 up_gen;
	long long		 up_id;
	up_cb			 up_done;
	uv_timer_t		*guard;		/* door-side deadline; freed by its close */
	uint64_t		 t0_ms;
};

/* ---- http_mhd.c: the only user of libmicrohttpd ---- */
int	hd_start(struct door *d);
/* Stop accepting, answer what is pending, free the daemons (loop still runs). */
void	hd_stop(struct door *d);
/* The tokens and grants were reloaded: recompute who may go unauthenticated. */
void	hd_auth_changed(struct door *d);
/* Give r its reply (body malloc'd, owned now); resumes a suspended request. */
void	hreq_reply(struct hreq *r, int status, const char *type, char *body,
	    size_t len);
/*
 * An error reply in the route's style: HTTP status, the stird error code it
 * stands for, for SHAKEN routes the messageId, the field it is about (or
 * NULL), and the text.
 */
void	hreq_fail(struct hreq *r, int status, int err, const char *msgid,
	    const char *field, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));
/* Reply with a stird error code (mapped to an HTTP status, doc/http.md). */
void	hreq_fail_stir(struct hreq *r, int err, const char *errmsg);
/* The HTTP status for a stird error code. */
int	http_status_of(int err);

/* ---- listen.c ---- */
/* A listening unix socket at path (a stale file is replaced); -1 and errno. */
int	door_listen_unix(const char *path, unsigned mode);
/* A listening TCP socket for "host:port" or "[v6]:port"; -1 and errno. */
int	door_listen_inet(const char *spec, bool *ret_loopback);

/* ---- upstream.c: the pool of stir_async connections to stird ---- */
struct upstream;
int	up_new(struct door *d, struct upstream **ret);
void	up_free(struct upstream *u);
/*
 * Send op with params (a JSON object, borrowed, or NULL; deadline_ms is
 * set in it) to stird for r; cb runs later from the loop, exactly once,
 * unless up_cancel() is called first.  Returns 0, or an error
 * (STIR_ECONNREFUSED: no connection to stird; STIR_ESHUTDOWN: u is NULL
 * or being freed) and cb will not run.
 */
int	up_call(struct upstream *u, struct hreq *r, const char *op,
	    json_t *params, up_cb cb);
/*
 * Send the requests up_call() queued (once per loop iteration: they go in
 * one system call per connection).  NULL-safe.
 */
void	up_flush(struct upstream *u);
/* Forget r's request (its callback will not run); no-op if none. */
void	up_cancel(struct upstream *u, struct hreq *r);
/* Connected handles now (0 for NULL). */
unsigned up_connected(const struct upstream *u);

/* ---- auth.c ---- */
struct auth;
int	auth_load(const struct http_conf *cf, struct auth **ret, char *err,
	    size_t errlen);
void	auth_free(struct auth *a);
/*
 * The permissions of a bearer token (0 and no name: unknown token).
 * cert_der: the verified client certificate, or NULL.
 */
unsigned auth_token(const struct auth *a, const char *token, char *name,
	    size_t namelen);
unsigned auth_cert(const struct auth *a, const uint8_t *der, size_t len,
	    char *name, size_t namelen);
bool	auth_has_tokens(const struct auth *a);
/* "sign,verify" into perms; -1 on an unknown word. */
int	auth_parse_perms(const char *list, unsigned *ret_perms);

/* ---- routes (route_*.c) ---- */
extern const struct route door_routes[];
extern const size_t door_nroutes;
void	route_shaken_sign(struct hreq *r);
void	route_shaken_verify(struct hreq *r);
void	route_native_sign(struct hreq *r);
void	route_native_verify(struct hreq *r);
void	route_metrics(struct hreq *r);
void	route_healthz(struct hreq *r);

/* ---- metrics of the door itself (route_metrics.c) ---- */
#define DOOR_CODES_MAX	16
struct door_stats {
	uint64_t	 requests[16][DOOR_CODES_MAX];	/* [route][code index] */
	unsigned	 connections;			/* open now */
	uint64_t	 refused_connections;		/* 503 for max_connections */
};
void	door_count(struct door *d, const struct route *rt, int status);

/* The whole door: made in main(), passed down. */
struct door {
	uv_loop_t		*loop;
	struct http_conf	*cf;
	struct auth		*auth;
	struct upstream		*up;
	struct hd_listener	*listeners;	/* array of cf->nlisten */
	size_t			 nlisteners;
	size_t			 hd_open_handles;	/* listener handles not closed yet */
	uv_check_t		 hd_check;	/* runs MHD once per loop iteration */
	uv_idle_t		 hd_soon;	/* active: the check has work */
	bool			 hd_check_on;
	struct door_stats	 stats;
	struct stir_ratelimit	 warn_rl;	/* 5xx log lines */
	uv_signal_t		 sigterm, sigint, sigpipe, sighup;
	bool			 stopping;
};

/* Milliseconds of the loop's clock. */
uint64_t door_now_ms(const struct door *d);

#endif
