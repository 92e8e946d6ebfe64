/*
 * stirclient.h: the client library for stird, the STIR/SHAKEN signing and
 * verification daemon.  A small blocking API over the daemon's Unix-socket
 * protocol (doc/protocol.md).  Thread safety: one struct stir_client per
 * thread; different handles may be used from different threads.
 */
#ifndef STIRCLIENT_H
#define STIRCLIENT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Protocol version this library speaks.  Bump on any incompatible change
 * to a request or reply (doc/protocol.md, "Version history"). */
#define STIR_PROTO_VERSION 1

/*
 * Error codes.  Values go on the wire and into doc/protocol.md: never
 * renumber, only add.  Every fallible function returns 0 or one of these.
 */
enum stir_err {
	STIR_OK		= 0,
	STIR_ENOMEM	= -ENOMEM,	/* out of memory */
	STIR_EINVAL	= -EINVAL,	/* invalid argument or value */
	STIR_EPERM	= -EPERM,	/* peer lacks the permission */
	STIR_ENOENT	= -ENOENT,	/* no such credential, key, anchor */
	STIR_EEXIST	= -EEXIST,	/* the name is already taken */
	STIR_EIO	= -EIO,		/* I/O error (socket, file) */
	STIR_ETIMEDOUT	= -ETIMEDOUT,	/* timed out */
	STIR_EBUSY	= -EBUSY,	/* too many connections/requests */
	STIR_ECONNREFUSED = -ECONNREFUSED, /* daemon not running */
	/* domain errors: explicit values from -1000 down */
	STIR_EPROTO	= -1000,	/* not one valid JSON object */
	STIR_ETOOBIG	= -1001,	/* line or field over its limit */
	STIR_EVERSION	= -1002,	/* unsupported "v" */
	STIR_EBADREQ	= -1003,	/* field missing, unknown or mistyped */
	STIR_EUNSUPP	= -1004,	/* unknown "op" */
	STIR_EPOLICY	= -1005,	/* denied by policy */
	STIR_EDB	= -1006,	/* store failure (details logged) */
	STIR_ECRYPTO	= -1007,	/* cryptographic failure */
	STIR_EFETCH	= -1008,	/* x5u fetch failed */
	STIR_ECERT	= -1009,	/* certificate or chain invalid */
	STIR_ENOTIMPL	= -1010,	/* op specified but not implemented */
	STIR_EKEY	= -1011,	/* key missing, unreadable or unusable */
	STIR_ESHUTDOWN	= -1012,	/* daemon is shutting down */
	STIR_EINTERNAL	= -1013,	/* internal error (details logged) */
};

/* A human-readable description of err; never NULL, never freed. */
const char *stir_strerror(int err);
/* The wire name of err ("EPROTO", ...); "EUNKNOWN" for unknown codes. */
const char *stir_errname(int err);

/* Opaque connection handle. */
struct stir_client;

/*
 * Connect to the daemon's Unix socket at path.  On success *ret_client
 * owns the connection; free it with stir_client_free().  timeout_ms bounds
 * each later call (0: wait forever).
 */
int	stir_client_connect(const char *path, int timeout_ms,
	    struct stir_client **ret_client);
/* Close and free; NULL-safe. */
void	stir_client_free(struct stir_client *c);

/*
 * The message of the last error reply the daemon sent on c, or of the
 * last local failure.  Borrowed: valid until the next call on c.
 */
const char *stir_client_errmsg(const struct stir_client *c);

/*
 * Generic call.  params_json is a JSON object text holding the op's
 * fields (without "v", "id" and "op"), or NULL for none.  On success
 * *ret_result_json is the reply's "result" object as compact JSON text,
 * to be freed with free().  On an error reply the daemon's code is
 * returned and stir_client_errmsg() gives its message.
 */
int	stir_client_call(struct stir_client *c, const char *op,
	    const char *params_json, char **ret_result_json);

/* hello: *ret_result_json as for stir_client_call(). */
int	stir_client_hello(struct stir_client *c, char **ret_result_json);
/* ping: 0 when the daemon answered. */
int	stir_client_ping(struct stir_client *c);

/* A SHAKEN sign request.  Strings are borrowed for the call. */
struct stir_sign_req {
	const char	 *orig;		/* TN, tel: or sip: URI (required) */
	const char	**dest;		/* TNs or URIs (required) */
	size_t		  ndest;
	const char	 *attest;	/* "A", "B" or "C" (required) */
	const char	 *origid;	/* UUID; NULL: the daemon makes one */
	int64_t		  iat;		/* 0: now */
	const char	 *cred;		/* credential name; NULL: by orig */
};

/*
 * Sign.  On success *ret_identity is the Identity header field value
 * (free with free()); if ret_result_json is not NULL it receives the
 * whole result object (free with free()).
 */
int	stir_client_sign(struct stir_client *c, const struct stir_sign_req *req,
	    char **ret_identity, char **ret_result_json);

/* A verify request.  Strings are borrowed for the call. */
struct stir_verify_req {
	const char	**identity;	/* Identity header field values */
	size_t		  nidentity;
	const char	 *from;		/* From header (URI or name-addr) */
	const char	 *to;		/* To header */
	const char	 *pai;		/* P-Asserted-Identity or NULL */
	const char	 *date;		/* SIP Date header or NULL */
	int64_t		  at;		/* verify as of; 0: now */
};

/* Verify.  *ret_result_json as for stir_client_call(). */
int	stir_client_verify(struct stir_client *c,
	    const struct stir_verify_req *req, char **ret_result_json);


/*
 * ---- The non-blocking API ----
 *
 * For event loops (libuv, epoll, a SIP server's reactor): the caller owns
 * the loop and polls the handle's file descriptor; requests are pipelined
 * on one connection and replies, which may come back in any order, are
 * matched to their requests by id and handed to the request's callback.
 * Nothing here ever blocks (connect to a Unix socket completes at once or
 * fails).  One struct stir_async belongs to one thread.
 *
 *	stir_async_connect(path, &a);
 *	stir_async_call(a, "verify", params, 2000, on_reply, ctx);
 *	loop: poll(stir_async_fd(a), stir_async_events(a)) ->
 *	      stir_async_process(a, revents)   (callbacks run in here)
 */
struct stir_async;

/* Events to wait for, and events that happened (stir_async_process). */
#define STIR_ASYNC_READ		0x1
#define STIR_ASYNC_WRITE	0x2

/*
 * A reply.  err is 0 and result_json the reply's "result" object as
 * compact JSON text, or err is an error code (the daemon's, or STIR_EIO
 * when the connection was lost, STIR_ESHUTDOWN when the handle was freed)
 * with errmsg saying why and result_json NULL.  Both strings are borrowed
 * for the duration of the callback.  A callback may queue new requests,
 * cancel others and free the handle.
 */
typedef void (*stir_async_cb)(void *arg, int err, const char *errmsg,
    const char *result_json);

/* Connect to the daemon's socket, non-blocking. */
int	stir_async_connect(const char *path, struct stir_async **ret_async);
/*
 * Close.  Callbacks of requests still pending run with STIR_ESHUTDOWN,
 * before this returns.  NULL-safe.
 */
void	stir_async_free(struct stir_async *a);
/* The descriptor to poll. */
int	stir_async_fd(const struct stir_async *a);
/* STIR_ASYNC_READ, plus STIR_ASYNC_WRITE while requests wait to be sent. */
int	stir_async_events(const struct stir_async *a);
/*
 * Do the work the events allow: send what is queued, read what arrived
 * and run the callbacks of complete replies.  Returns 0, or STIR_EIO once
 * the connection is lost (every pending callback has then run with
 * STIR_EIO; only stir_async_free() is left to call).
 */
int	stir_async_process(struct stir_async *a, int revents);
/*
 * Queue a request: op with params_json (a JSON object text of the op's
 * fields, or NULL).  deadline_ms > 0 asks the daemon to answer within that
 * many milliseconds (doc/protocol.md, "deadline_ms"); 0 means no deadline.
 * Returns the request's id (> 0), to cancel it with, or an error; on
 * error the callback is not called.  The request is sent by the next
 * stir_async_process() (or at once, if the socket takes it).
 */
long long stir_async_call(struct stir_async *a, const char *op,
	    const char *params_json, int deadline_ms, stir_async_cb cb,
	    void *arg);
/* Forget a request: its callback will not run.  STIR_ENOENT if unknown. */
int	stir_async_cancel(struct stir_async *a, long long id);
/* Requests queued or sent whose callbacks have not run yet. */
size_t	stir_async_pending(const struct stir_async *a);

#ifdef __cplusplus
}
#endif
#endif /* STIRCLIENT_H */
