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
/* STIR_ASYNC_READ, plus STIR_ASYNC_WRITE while requests wait to be sent;
 * 0 once the connection is lost. */
int	stir_async_events(const struct stir_async *a);
/*
 * Do the work the events allow: send what is queued, read what arrived
 * and run the callbacks of complete replies.  Returns 0, or STIR_EIO once
 * the connection is lost (every pending callback has then run with
 * STIR_EIO, or with the daemon's code when it refused the connection, e.g.
 * STIR_EPERM; only stir_async_free() is left to call), or STIR_ESHUTDOWN
 * when a callback freed the handle (it is gone), or STIR_EBUSY when
 * called from one of the handle's own callbacks.  Pass STIR_ASYNC_READ
 * for POLLHUP and POLLERR too.
 */
int	stir_async_process(struct stir_async *a, int revents);
/*
 * Queue a request: op with params_json (a JSON object text of the op's
 * fields, or NULL).  deadline_ms > 0 asks the daemon to answer within that
 * many milliseconds (doc/protocol.md, "deadline_ms"); 0 means no deadline.
 * Returns the request's id (> 0), to cancel it with, or an error (STIR_EINVAL
 * for bad arguments or params that are not a JSON object, STIR_EBUSY when
 * more than 4 MiB wait to be sent, STIR_EIO once the connection is lost,
 * STIR_ESHUTDOWN while the handle is being freed); on error the callback
 * is not called.  The request is sent by the next
 * stir_async_process() (or at once, if the socket takes it).  A request
 * stird would refuse by its op's fields (an unknown field, a wrong type, a
 * missing required field, a value over its limit) is not sent: it gets an
 * id all the same, and the next stir_async_process() runs its callback
 * with the code and message stird would have sent (STIR_EBADREQ or
 * STIR_ETOOBIG), as stir_client_call() returns them.
 */
long long stir_async_call(struct stir_async *a, const char *op,
	    const char *params_json, int deadline_ms, stir_async_cb cb,
	    void *arg);
/* Forget a request: its callback will not run.  STIR_ENOENT if unknown. */
int	stir_async_cancel(struct stir_async *a, long long id);
/* Requests queued or sent whose callbacks have not run yet. */
size_t	stir_async_pending(const struct stir_async *a);

/*
 * ---- Typed requests and results (non-blocking) ----
 *
 * One function per op: it builds the op's fields from a request struct
 * (strings borrowed for the call; NULL or 0 means "absent"), queues the
 * request as stir_async_call() does, and the callback gets the reply
 * decoded into a result struct.  A result and everything it points to
 * (strings, arrays) is borrowed for the duration of the callback; its
 * json member is the whole "result" object as compact JSON text, for what
 * the struct does not carry.  On error the result pointer is NULL.
 * Zero-initialize request structs (= { 0 }): members are only ever
 * appended.  Every function returns the request's id (> 0) or an error,
 * in which case the callback is not called.
 */

/* A callback for ops whose result is not typed: the result's JSON text. */
typedef stir_async_cb stir_async_json_cb;

/* sign (doc/protocol.md 4.3): every ppt. */
struct stir_sign_params {
	const char	 *ppt;		/* NULL: "shaken"; "rcd", "div", "div-o", "msg", "rsp" */
	const char	 *orig;		/* TN, tel:/sip: URI or name-addr (not for div, div-o) */
	const char	**dest;		/* 1-16 TNs or URIs */
	size_t		  ndest;
	const char	 *attest;	/* "A", "B", "C": shaken and rcd */
	const char	 *origid;	/* UUID; NULL: the daemon makes one */
	int64_t		  iat;		/* 0: now */
	const char	 *cred;		/* credential name; NULL: chosen by orig */
	int		  rcd;		/* 0: none, 1: the policy's values, 2: rcd_* below */
	const char	 *rcd_nam;	/* with rcd == 2: values asked for (NULL: the policy's) */
	const char	 *rcd_apn;
	const char	 *rcd_icn;
	const char	 *rcd_jcl;
	const char	 *crn;		/* call reason */
	const char	 *original;	/* div, div-o: the Identity value diverted */
	const char	 *div;		/* div, div-o: the diverting identity */
	const void	 *body;		/* msg: the MESSAGE body bytes (base64-encoded here) */
	size_t		  body_len;
	const char	 *body_b64;	/* or the body already in base64 (wins over body) */
	const char	 *content_type;	/* msg: the MESSAGE's Content-Type */
};
#define STIR_SIGN_RCD_NONE	0
#define STIR_SIGN_RCD_POLICY	1
#define STIR_SIGN_RCD_VALUES	2

struct stir_sign_result {
	const char	 *identity;	/* the first Identity header field value */
	const char	**identities;	/* every value to send, in order */
	size_t		  nidentities;
	const char	 *cred;		/* the credential that signed */
	const char	 *policy;	/* the RCD policy applied, or NULL */
	const char	 *ppt;		/* the header's ppt */
	const char	 *x5u;
	int64_t		  iat;
	const char	 *origid;	/* shaken; NULL for other types */
	const char	 *json;
};
typedef void (*stir_async_sign_cb)(void *arg, int err, const char *errmsg,
    const struct stir_sign_result *res);
long long stir_async_sign(struct stir_async *a, const struct stir_sign_params *p,
	    int deadline_ms, stir_async_sign_cb cb, void *arg);

/* verify (doc/protocol.md 4.4): every field. */
struct stir_verify_params {
	const char	**identity;	/* Identity header field values, as received */
	size_t		  nidentity;
	const char	 *from;		/* From header field value (required) */
	const char	 *to;		/* To header field value (required) */
	const char	 *pai;
	const char	 *date;		/* SIP Date header */
	int64_t		  at;		/* verify as of; 0: now */
	const char	 *mode;		/* NULL: "request"; "response", "precall",
					 * "backward" (the called party's BYE,
					 * re-INVITE, UPDATE: RFC 9970 s6) */
	const char	 *request_uri;
	const char	 *history_info;
	const char	 *diversion;
	const void	 *body;		/* a MESSAGE body (base64-encoded here) */
	size_t		  body_len;
	const char	 *body_b64;	/* or already in base64 (wins over body) */
	const char	 *content_type;
	const char	 *expect_cert;	/* SHA-256 hex of the expected certificate */
	/* mode "backward": the dialog's connected dest, connected_number of
	 * the verified first response (NULL: To) */
	const char	 *connected_dest;
	/* the Call-Info header field value(s): a compact ppt=rcd value's crn
	 * is rebuilt from its call-reason (RFC 9795 9.3) */
	const char	 *call_info;
};

/*
 * The Rich Call Data of a call or of one PASSporT.  Each member is set
 * only when that part is verified (RFC 9795 8.2: a failed icon leaves the
 * name usable); verified is 1 when all of it is.
 */
struct stir_verify_rcd {
	int		  verified;	/* 1: every part is verified */
	const char	 *why_not;	/* the first part that is not, or NULL */
	const char	 *display_name;	/* safe for From/PAI display-name */
	const char	 *nam;
	const char	 *apn;
	const char	 *crn;
	const char	 *icon;		/* the icn URL */
	const char	**call_info;	/* RFC 9796 Call-Info values */
	size_t		  ncall_info;
	int		  integrity;
	/* nam compared with the display-names (RFC 9795 12.2): "from", "pai",
	 * "differs" or "no-display-name" */
	const char	 *nam_match;
	const char	 *iss;		/* a third party's name, or NULL */
};

/* One Identity value's outcome. */
struct stir_verify_identity {
	const char	 *ppt;
	int		  valid;
	int		  ignored;
	const char	 *attest;
	const char	 *origid;
	const char	 *orig_tn;	/* orig as digits, or NULL (then orig_uri) */
	const char	 *orig_uri;
	const char	**dest;		/* dest TNs and URIs */
	size_t		  ndest;
	int64_t		  iat;
	const char	 *x5u;
	int		  replay;
	int		  code;		/* 0, or 403/436/437/438 */
	const char	 *reason_phrase;
	const char	 *detail;
	const char	 *reason;	/* its RFC 9410 Reason value, when failed */
	const char	 *cert_subject;
	const char	 *cert_sha256;
	const char	 *div_tn;	/* div, div-o: the diverting identity */
	const char	 *div_uri;
	long		  nested_in;	/* index of the div-o it is nested in, or -1 */
	struct stir_verify_rcd rcd;
};

struct stir_verify_result {
	const char	 *verstat;	/* "TN-Validation-Passed", "-Failed", "No-TN-Validation" */
	const char	 *mode;
	int		  code;		/* 0 when passed, else the SIP code (403, 436-438) */
	const char	 *reason_phrase;	/* "Invalid Identity Header", ... */
	const char	 *detail;
	const char	**reason;	/* RFC 9410 Reason values */
	size_t		  nreason;
	const char	 *action;	/* "reject", "continue", "terminate" */
	int		  action_code;	/* reject: the SIP code to answer with */
	const char	 *action_reason_phrase;
	const char	**action_reason; /* continue-with-reason: Reason values */
	size_t		  naction_reason;
	/* the caller: orig of the first valid shaken value (else of the
	 * first valid one, else of the first one), NULL if none */
	const char	 *orig_tn;
	const char	 *orig_uri;
	const char	 *attest;
	struct stir_verify_rcd rcd;	/* the call's RCD */
	int		  diversion;	/* 0: no div values, 1: verified, -1: not */
	int		  connected;	/* 0: not checked, 1: verified, -1: not */
	const char	 *connected_number;
	const struct stir_verify_identity *identities;
	size_t		  nidentities;
	const char	 *json;
	/* connected == 1: the SHA-256 of the certificate that proved
	 * connected_number, to pin (expect_cert) for the backward requests */
	const char	 *connected_cert_sha256;
};
typedef void (*stir_async_verify_cb)(void *arg, int err, const char *errmsg,
    const struct stir_verify_result *res);
long long stir_async_verify(struct stir_async *a,
	    const struct stir_verify_params *p, int deadline_ms,
	    stir_async_verify_cb cb, void *arg);

/* hello, ping, reload: untyped results. */
long long stir_async_hello(struct stir_async *a, int deadline_ms,
	    stir_async_json_cb cb, void *arg);
long long stir_async_ping(struct stir_async *a, int deadline_ms,
	    stir_async_json_cb cb, void *arg);
long long stir_async_reload(struct stir_async *a, int deadline_ms,
	    stir_async_json_cb cb, void *arg);

/* status (doc/protocol.md 4.5). */
struct stir_status_cred {
	const char	*name;
	int64_t		 not_after;
	int64_t		 days_left;
	const char	*state;		/* "ok", "expiring", "expired" */
};
struct stir_status_result {
	const char	 *version;
	int64_t		  pid, uptime, schema_version, connections;
	struct {
		int64_t	  credentials, trust_anchors, cached_certs, rcd_policies, keys;
	} store;
	struct {
		int64_t	  requests, errors, signs, sign_errors, connections;
	} stats;
	int		  has_fetch;	/* the members of fetch are set */
	struct {
		int64_t	  active, queued, hosts, expired, refused;
	} fetch;
	const struct stir_status_cred *credentials;
	size_t		  ncredentials;
	const char	**warnings;
	size_t		  nwarnings;
	const char	 *json;
};
typedef void (*stir_async_status_cb)(void *arg, int err, const char *errmsg,
    const struct stir_status_result *res);
long long stir_async_status(struct stir_async *a, int deadline_ms,
	    stir_async_status_cb cb, void *arg);

/* stats: metric families, as the Prometheus data model has them. */
struct stir_metric_bucket {
	double		 le;		/* upper bound, seconds (or units); +Inf implied */
	uint64_t	 count;		/* cumulative */
};
struct stir_metric_sample {
	const char	**label_names;
	const char	**label_values;
	size_t		  nlabels;
	double		  value;	/* counter, gauge */
	const struct stir_metric_bucket *buckets;	/* histogram */
	size_t		  nbuckets;
	uint64_t	  count;	/* histogram */
	double		  sum;		/* histogram */
};
struct stir_metric_family {
	const char	 *name;
	const char	 *type;		/* "counter", "gauge", "histogram" */
	const char	 *help;
	const struct stir_metric_sample *samples;
	size_t		  nsamples;
};
struct stir_stats_result {
	int64_t		  uptime;
	const struct stir_metric_family *families;
	size_t		  nfamilies;
	const char	 *json;
};
typedef void (*stir_async_stats_cb)(void *arg, int err, const char *errmsg,
    const struct stir_stats_result *res);
long long stir_async_stats(struct stir_async *a, int deadline_ms,
	    stir_async_stats_cb cb, void *arg);

/* key.* (doc/protocol.md 4.7). */
struct stir_key_entry {
	const char	*name;
	const char	*type;
	const char	*spki_sha256;
};
struct stir_key_list_result {
	const struct stir_key_entry *keys;
	size_t		  nkeys;
	const char	 *json;
};
typedef void (*stir_async_key_list_cb)(void *arg, int err, const char *errmsg,
    const struct stir_key_list_result *res);
long long stir_async_key_list(struct stir_async *a, int deadline_ms,
	    stir_async_key_list_cb cb, void *arg);
/* result: name, public_key */
long long stir_async_key_generate(struct stir_async *a, const char *name,
	    int deadline_ms, stir_async_json_cb cb, void *arg);
/* pem: the private key; the request is wiped once sent */
long long stir_async_key_import(struct stir_async *a, const char *name,
	    const char *pem, int deadline_ms, stir_async_json_cb cb, void *arg);
long long stir_async_key_remove(struct stir_async *a, const char *name,
	    int deadline_ms, stir_async_json_cb cb, void *arg);

/* cred.* (doc/protocol.md 4.8). */
struct stir_cred_add_params {
	const char	 *name;
	const char	 *key;		/* a key name, or */
	const char	 *pkcs11;	/* a pkcs11: URL */
	const char	 *chain;	/* PEM, end entity first */
	const char	 *x5u;
	const char	**tns;
	size_t		  ntns;
	const char	 *spc;
};
struct stir_cred_info {
	const char	 *name;
	const char	 *key;
	const char	 *x5u;
	const char	 *subject;
	int64_t		  not_after;
	int64_t		  created;
	const char	**tns;
	size_t		  ntns;
	const char	 *spc;
	int		  loaded;
};
struct stir_cred_list_result {
	const struct stir_cred_info *credentials;
	size_t		  ncredentials;
	const char	 *json;
};
typedef void (*stir_async_cred_list_cb)(void *arg, int err, const char *errmsg,
    const struct stir_cred_list_result *res);
long long stir_async_cred_add(struct stir_async *a,
	    const struct stir_cred_add_params *p, int deadline_ms,
	    stir_async_json_cb cb, void *arg);
long long stir_async_cred_list(struct stir_async *a, int deadline_ms,
	    stir_async_cred_list_cb cb, void *arg);
long long stir_async_cred_remove(struct stir_async *a, const char *name,
	    int deadline_ms, stir_async_json_cb cb, void *arg);

/* trust.* (doc/protocol.md 4.9). */
struct stir_trust_anchor {
	int64_t		 id;
	const char	*subject;
	const char	*sha256;
	int64_t		 not_after;
	int		 rcd;
	int64_t		 added;
};
struct stir_trust_list_result {
	const struct stir_trust_anchor *anchors;
	size_t		  nanchors;
	const char	 *json;
};
typedef void (*stir_async_trust_list_cb)(void *arg, int err, const char *errmsg,
    const struct stir_trust_list_result *res);
/* rcd: trusted for Rich Call Data too */
long long stir_async_trust_add(struct stir_async *a, const char *pem, int rcd,
	    int deadline_ms, stir_async_json_cb cb, void *arg);
long long stir_async_trust_list(struct stir_async *a, int deadline_ms,
	    stir_async_trust_list_cb cb, void *arg);
long long stir_async_trust_remove(struct stir_async *a, int64_t anchor,
	    int deadline_ms, stir_async_json_cb cb, void *arg);

/* audit.list (doc/protocol.md 4.10); limit 0: the daemon's default. */
struct stir_audit_entry {
	int64_t		 id;
	int64_t		 ts;
	int64_t		 uid;
	int64_t		 pid;
	const char	*op;
	const char	*subject;
	const char	*result;	/* "OK" or an error name */
};
struct stir_audit_list_result {
	const struct stir_audit_entry *entries;
	size_t		  nentries;
	const char	 *json;
};
typedef void (*stir_async_audit_list_cb)(void *arg, int err, const char *errmsg,
    const struct stir_audit_list_result *res);
long long stir_async_audit_list(struct stir_async *a, int limit,
	    int deadline_ms, stir_async_audit_list_cb cb, void *arg);

/* cache.* (doc/protocol.md 4.11); limit 0: the daemon's default. */
struct stir_cache_entry {
	const char	*url;
	const char	*status;	/* "OK" or an error name */
	const char	*kind;
	int64_t		 bytes;
	int64_t		 fetched_at;
	int64_t		 expires;
	int64_t		 last_used;
	const char	*detail;
};
struct stir_cache_list_result {
	const struct stir_cache_entry *entries;
	size_t		  nentries;
	const char	 *json;
};
typedef void (*stir_async_cache_list_cb)(void *arg, int err, const char *errmsg,
    const struct stir_cache_list_result *res);
long long stir_async_cache_list(struct stir_async *a, int limit,
	    int deadline_ms, stir_async_cache_list_cb cb, void *arg);
long long stir_async_cache_show(struct stir_async *a, const char *url,
	    int deadline_ms, stir_async_json_cb cb, void *arg);
/* url NULL: every entry */
long long stir_async_cache_purge(struct stir_async *a, const char *url,
	    int deadline_ms, stir_async_json_cb cb, void *arg);
/* kind NULL: "chain" */
long long stir_async_cache_prefetch(struct stir_async *a, const char *url,
	    const char *kind, int deadline_ms, stir_async_json_cb cb, void *arg);

/* policy.* (doc/protocol.md 4.12); policy_json: the policy document. */
struct stir_policy_info {
	const char	 *name;
	const char	 *description;
	const char	 *attach;
	int		  caller_values;
	const char	**reasons;
	size_t		  nreasons;
	int64_t		  created;
	int64_t		  updated;
	int64_t		  content_expires;
};
struct stir_policy_list_result {
	const struct stir_policy_info *policies;
	size_t		  npolicies;
	const char	 *json;
};
typedef void (*stir_async_policy_list_cb)(void *arg, int err, const char *errmsg,
    const struct stir_policy_list_result *res);
struct stir_policy_test_params {
	const char	*orig;		/* required */
	const char	*cred;
	int		 rcd;		/* as stir_sign_params.rcd; 0: the daemon's default (true) */
	const char	*rcd_nam, *rcd_apn, *rcd_icn, *rcd_jcl;
	const char	*crn;
	const char	*ppt;
};
long long stir_async_policy_add(struct stir_async *a, const char *policy_json,
	    int replace, int deadline_ms, stir_async_json_cb cb, void *arg);
long long stir_async_policy_check(struct stir_async *a,
	    const char *policy_json, int deadline_ms, stir_async_json_cb cb,
	    void *arg);
long long stir_async_policy_list(struct stir_async *a, int deadline_ms,
	    stir_async_policy_list_cb cb, void *arg);
long long stir_async_policy_show(struct stir_async *a, const char *name,
	    int deadline_ms, stir_async_json_cb cb, void *arg);
long long stir_async_policy_remove(struct stir_async *a, const char *name,
	    int deadline_ms, stir_async_json_cb cb, void *arg);
long long stir_async_policy_test(struct stir_async *a,
	    const struct stir_policy_test_params *p, int deadline_ms,
	    stir_async_json_cb cb, void *arg);

#ifdef __cplusplus
}
#endif
#endif /* STIRCLIENT_H */
