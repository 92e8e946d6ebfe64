/*
 * http_mhd.c: the only user of libmicrohttpd.  One MHD daemon per listen
 * line, each in external epoll mode without threads of its own
 * (MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME): a uv_poll_t watches MHD's
 * epoll descriptor and a uv_timer_t follows MHD_get_timeout().  A request
 * waiting for stird is suspended (MHD_suspend_connection()) and resumed
 * from the reply's callback.
 *
 * Once per loop iteration: the poll and the resumes only mark the daemon;
 * a uv_check_t, after the loop's poll phase (so after every reply that
 * came in), runs MHD_run() once for all of them (each run is an
 * epoll_wait() of MHD's own) and then up_flush() sends the requests that
 * run read to stird, one send per connection.
 *
 * Order of checks on a request, each answered once the body is read (so
 * that the connection stays usable), except the two that close it:
 *   connections over max_connections: 503 at once, then close;
 *   X-RequestID malformed: 400; unknown path: 404; wrong method: 405;
 *   authentication: 401; permission: 403; Content-Type: 415;
 *   Content-Length over max_body_bytes: 413 at once, then close;
 *   a body (chunked) over max_body_bytes: 413, read and dropped up to
 *   HD_DISCARD_MAX more bytes, past which the connection is closed.
 * Pipelined requests on one connection are answered in order (MHD reads
 * the next one only after the reply to this one).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>

#include "stirclient.h"
#include "daemon/base/conffile.h"
#include "daemon/base/log.h"
#include "client/stird-http/door.h"

#define HD_REQID_MAX		128		/* X-RequestID characters */
#define HD_DISCARD_MAX		(1024 * 1024)	/* body bytes dropped past the limit */
#define HD_CONN_HEADROOM	16		/* MHD's own limit: ours plus this */
#define HD_FLUSH_ROUNDS		3		/* MHD_run()s before stopping */
#define HD_BODY_START		4096		/* first allocation for a body */
#define HD_CHECK_ROUNDS		4		/* MHD_run()s per check, at most */

struct hd_listener {
	struct door		*d;
	struct MHD_Daemon	*mhd;
	uv_poll_t		 poll;
	uv_timer_t		 timer;
	int			 fd;
	bool			 tls;
	bool			 client_ca;	/* a verified client certificate is required */
	bool			 unauth_ok;
	bool			 local;		/* unix or loopback */
	bool			 handles;	/* poll and timer initialised */
	bool			 want_run;	/* MHD_run() at the next check */
	char			 name[128];
	char			*tls_cert, *tls_key, *tls_ca;	/* PEM, kept for MHD */
};

/*
 * May requests without a token or certificate be served here?  "auto"
 * (the default): only on a unix or loopback listener, and only while no
 * token and no TLS are configured.
 */
static bool
unauth_ok(const struct door *d, const struct hd_listener *l)
{
	switch (d->cf->allow_unauthenticated) {
	case UNAUTH_YES:
		return true;
	case UNAUTH_NO:
		return false;
	default:
		return l->local && !auth_has_tokens(d->auth) && *d->cf->tls_cert == '\0';
	}
}

void
hd_auth_changed(struct door *d)
{
	for (size_t i = 0; i < d->nlisteners; i++)
		d->listeners[i].unauth_ok = unauth_ok(d, &d->listeners[i]);
}

#define PEM_FILE_MAX	(1024 * 1024)	/* bytes of a certificate or key file */

/* A TLS certificate, key or CA file for MHD (which wants PEM text). */
static int
read_pem(const char *path, char **ret)
{
	char err[512];
	size_t len;
	int r;

	if ((r = conffile_read(path, PEM_FILE_MAX, ret, &len, err, sizeof(err))) != STIR_OK) {
		log_err("TLS: %s", err);
		return r;
	}
	if (len == 0) {
		log_err("TLS: %s: the file is empty", path);
		free(*ret);
		*ret = NULL;
		return STIR_EINVAL;
	}
	return STIR_OK;
}

/* Free PEM text; a private key's is wiped first. */
static void
free_pem(char *pem)
{
	if (pem != NULL)
		sodium_memzero(pem, strlen(pem));
	free(pem);
}

uint64_t
door_now_ms(const struct door *d)
{
	return uv_now(d->loop);
}

/* ---- replies ---- */

int
http_status_of(int err)
{
	switch (err) {
	case STIR_OK:		return 200;
	case STIR_EPROTO: case STIR_EBADREQ: case STIR_EINVAL: case STIR_EVERSION:
	case STIR_EUNSUPP:	return 400;
	case STIR_ETOOBIG:	return 413;
	case STIR_EPERM: case STIR_EPOLICY: return 403;
	case STIR_ENOENT: case STIR_ECERT: case STIR_EKEY: case STIR_EEXIST:
				return 422;
	case STIR_ETIMEDOUT:	return 504;
	case STIR_EBUSY: case STIR_ESHUTDOWN: case STIR_EIO: case STIR_ECONNREFUSED:
				return 503;
	default:		return 500;
	}
}

static void
on_hd_soon(uv_idle_t *h)
{
	(void)h;		/* only there to keep the poll from waiting */
}

/*
 * Run MHD at this iteration's check: a resumed connection has its reply.
 * A resume outside the poll phase (a guard timer) must not wait for the
 * poll: the idle handle makes it return at once.
 */
static void
hd_kick(struct hd_listener *l)
{
	l->want_run = true;
	if (l->d->hd_check_on)
		(void)uv_idle_start(&l->d->hd_soon, on_hd_soon);
}

void
hreq_reply(struct hreq *r, int status, const char *type, char *body, size_t len)
{
	if (r->resp != NULL || r->status != 0) {	/* one reply per request */
		free(body);
		return;
	}
	r->status = status;
	r->resp = body;
	r->resp_len = len;
	r->resp_type = type;
	if (r->suspended) {
		r->suspended = false;
		MHD_resume_connection(r->conn);
		hd_kick(r->lst);
	}
}

static const char *
shaken_msgid(int status)
{
	switch (status) {
	case 401:	return "POL4000";
	case 403:	return "POL4001";
	case 404:	return "SVC4004";
	case 405:	return "SVC4005";
	case 413:	return "SVC4003";
	case 415:	return "SVC4002";
	case 503:	return "SVC5003";
	case 504:	return "SVC5004";
	default:	return status >= 500 ? "SVC5000" : "SVC4001";
	}
}

void
hreq_fail(struct hreq *r, int status, int err, const char *msgid, const char *field,
    const char *fmt, ...)
{
	enum route_style style = r->route ? r->route->style : STYLE_NATIVE;
	json_t *body = NULL;
	char text[512], *s;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (style == STYLE_SHAKEN) {
		const char *kind = status == 401 || status == 403 ? "policyException" :
		    "serviceException";

		body = json_pack("{s:{s:{s:s,s:s,s:[]}}}", "requestError", kind, "messageId",
		    msgid ? msgid : shaken_msgid(status), "text", text, "variables");
		if (body != NULL && field != NULL && *field != '\0')
			(void)json_array_append_new(json_object_get(json_object_get(
			    json_object_get(body, "requestError"), kind), "variables"),
			    json_string(field));
	} else
		body = json_pack("{s:{s:i,s:s,s:s}}", "error", "code", err, "name",
		    stir_errname(err), "message", text);
	s = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (status >= 500) {
		unsigned dropped = 0;

		if (stir_ratelimit_allow(&r->door->warn_rl, door_now_ms(r->door), &dropped)) {
			if (dropped > 0)
				log_warn("%u more failed request(s) not logged", dropped);
			log_warn("request %s %s: %d %s", r->route ? r->route->name : "-",
			    r->reqid[0] ? r->reqid : "-", status, text);
		}
	}
	hreq_reply(r, status, "application/json", s, s ? strlen(s) : 0);
}

void
hreq_fail_stir(struct hreq *r, int err, const char *errmsg)
{
	hreq_fail(r, http_status_of(err), err, NULL, NULL, "%s",
	    errmsg && *errmsg ? errmsg : stir_strerror(err));
}

/* ---- request state ---- */

static void
hreq_free(struct hreq *r)
{
	if (r == NULL)
		return;
	up_cancel(r->door->up, r);
	free(r->body);
	free(r->resp);
	free(r);
}

static bool
reqid_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > HD_REQID_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

static bool
is_json_type(const char *ct)
{
	size_t n = strlen("application/json");

	if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t';
}

/* The verified client certificate's DER, or NULL. */
static const gnutls_datum_t *
client_cert(struct hreq *r)
{
	const union MHD_ConnectionInfo *ci;
	gnutls_session_t s;
	const gnutls_datum_t *certs;
	unsigned n = 0, status = 0;

	if (!r->lst->tls || (ci = MHD_get_connection_info(r->conn,
	    MHD_CONNECTION_INFO_GNUTLS_SESSION)) == NULL)
		return NULL;
	s = (gnutls_session_t)ci->tls_session;
	if (s == NULL || (certs = gnutls_certificate_get_peers(s, &n)) == NULL || n == 0)
		return NULL;
	if (gnutls_certificate_verify_peers2(s, &status) < 0 || status != 0)
		return NULL;
	return &certs[0];
}

/* Who is asking, and may they use the route?  false: r has its reply. */
static bool
authorize(struct hreq *r)
{
	struct door *d = r->door;
	const char *authz = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	const gnutls_datum_t *cert = NULL;
	unsigned perms = 0;

	snprintf(r->principal, sizeof(r->principal), "-");
	if (r->route->perm == 0)
		return true;
	if (r->lst->client_ca && (cert = client_cert(r)) == NULL) {
		r->www_auth = true;
		hreq_fail(r, 401, STIR_EPERM, NULL, NULL,
		    "a client certificate issued under tls_client_ca is required");
		return false;
	}
	if (authz != NULL) {
		if (strncasecmp(authz, "Bearer ", 7) != 0 || !auth_has_tokens(d->auth) ||
		    (perms = auth_token(d->auth, authz + 7, r->principal,
		    sizeof(r->principal))) == 0) {
			r->www_auth = true;
			hreq_fail(r, 401, STIR_EPERM, NULL, NULL, "unknown bearer token");
			return false;
		}
	} else if (cert != NULL) {
		if (*d->cf->client_cert_grants == '\0')
			perms = PERM_ALL;
		else if ((perms = auth_cert(d->auth, cert->data, cert->size, r->principal,
		    sizeof(r->principal))) == 0) {
			hreq_fail(r, 403, STIR_EPERM, NULL, NULL,
			    "the client certificate is not granted anything (client_cert_grants)");
			return false;
		}
	} else if (r->lst->unauth_ok)
		perms = PERM_ALL;
	else {
		r->www_auth = true;
		hreq_fail(r, 401, STIR_EPERM, NULL, NULL, "authentication required");
		return false;
	}
	r->perms = perms;
	if ((perms & r->route->perm) != r->route->perm) {
		hreq_fail(r, 403, STIR_EPERM, NULL, NULL, "not permitted: this route needs '%s'",
		    r->route->perm == PERM_SIGN ? "sign" : r->route->perm == PERM_VERIFY ?
		    "verify" : "stats");
		return false;
	}
	return true;
}

/* First call for a request: its headers are in.  Sets an early reply or not. */
static void
hreq_headers(struct hreq *r, const char *url, const char *method, bool over_limit)
{
	const char *v;

	if (over_limit) {
		r->close = true;
		hreq_fail(r, 503, STIR_EBUSY, NULL, NULL, "too many connections (max_connections)");
		return;
	}
	if ((v = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-RequestID")) != NULL) {
		if (!reqid_ok(v)) {
			hreq_fail(r, 400, STIR_EINVAL, NULL, "X-RequestID",
			    "X-RequestID must be 1-%d visible ASCII characters", HD_REQID_MAX);
			return;
		}
		snprintf(r->reqid, sizeof(r->reqid), "%s", v);
	}
	for (size_t i = 0; i < door_nroutes; i++)
		if (strcmp(door_routes[i].path, url) == 0) {
			r->route = &door_routes[i];
			break;
		}
	if (r->route == NULL) {
		hreq_fail(r, 404, STIR_ENOENT, NULL, NULL, "no such route");
		return;
	}
	if (strcmp(method, r->route->method) != 0 &&
	    !(strcmp(r->route->method, "GET") == 0 && strcmp(method, "HEAD") == 0)) {
		r->allow = strcmp(r->route->method, "GET") == 0 ? "GET, HEAD" : r->route->method;
		hreq_fail(r, 405, STIR_EUNSUPP, NULL, NULL, "method %s not allowed here (%s)",
		    method, r->allow);
		return;
	}
	if (!authorize(r))
		return;
	if (r->route->json_body) {
		v = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_TYPE);
		if (!is_json_type(v)) {
			hreq_fail(r, 415, STIR_EPROTO, NULL, "Content-Type",
			    "Content-Type must be application/json");
			return;
		}
	}
	v = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (v != NULL && strtoull(v, NULL, 10) > r->door->cf->max_body_bytes) {
		r->close = true;
		hreq_fail(r, 413, STIR_ETOOBIG, NULL, NULL, "the body is larger than %u bytes",
		    r->door->cf->max_body_bytes);
	}
}

/* Keep upload bytes up to the limit; count the rest. */
static void
hreq_take(struct hreq *r, const char *data, size_t n)
{
	size_t limit = r->door->cf->max_body_bytes;

	r->body_seen += n;
	if (r->resp != NULL || r->status != 0 || r->body_oom || r->body_seen > limit) {
		free(r->body);		/* dropped: never more than the limit held */
		r->body = NULL;
		r->body_len = r->body_cap = 0;
		return;
	}
	if (r->body_len + n + 1 > r->body_cap) {
		size_t cap = r->body_cap ? r->body_cap : HD_BODY_START;
		char *p;

		while (cap < r->body_len + n + 1)
			cap *= 2;
		if (cap > limit + 1)
			cap = limit + 1;
		if ((p = realloc(r->body, cap)) == NULL) {
			r->body_oom = true;
			free(r->body);
			r->body = NULL;
			r->body_len = r->body_cap = 0;
			return;
		}
		r->body = p;
		r->body_cap = cap;
	}
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
}

static enum MHD_Result
hreq_queue(struct hreq *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *body = r->resp;

	r->resp = NULL;
	if (body == NULL) {		/* out of memory while composing it */
		r->status = 500;
		body = strdup("{\"error\":{\"code\":-12,\"name\":\"ENOMEM\",\"message\":\"out of memory\"}}");
		r->resp_len = body ? strlen(body) : 0;
		r->resp_type = "application/json";
	}
	resp = MHD_create_response_from_buffer(r->resp_len, body, body ? MHD_RESPMEM_MUST_FREE :
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    r->resp_type ? r->resp_type : "application/json");
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (r->reqid[0] != '\0')
		(void)MHD_add_response_header(resp, "X-RequestID", r->reqid);
	if (r->allow != NULL)
		(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (r->www_auth)
		(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer realm=\"stird-http\"");
	if (r->close)
		(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	door_count(r->door, r->route, r->status);
	log_debug("%s %s -> %d (%s, %s)", r->route ? r->route->name : "-",
	    r->reqid[0] ? r->reqid : "-", r->status, r->principal, r->lst->name);
	ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct hd_listener *l = cls;
	struct hreq *r = *con_cls;

	(void)version;
	if (r == NULL) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		bool over = ci != NULL && ci->socket_context != NULL;

		if ((r = calloc(1, sizeof(*r))) == NULL)
			return MHD_NO;
		r->door = l->d;
		r->lst = l;
		r->conn = conn;
		r->t0_ms = door_now_ms(l->d);
		*con_cls = r;
		hreq_headers(r, url, method, over);
		if (r->resp != NULL && r->close)
			return hreq_queue(r);
		return MHD_YES;
	}
	if (*upload_size > 0) {
		hreq_take(r, upload, *upload_size);
		*upload_size = 0;
		if (r->body_seen > (size_t)l->d->cf->max_body_bytes + HD_DISCARD_MAX)
			return MHD_NO;
		return MHD_YES;
	}
	if (r->resp == NULL && r->status == 0 && !r->started) {
		r->started = true;
		if (r->body_seen > l->d->cf->max_body_bytes)
			hreq_fail(r, 413, STIR_ETOOBIG, NULL, NULL,
			    "the body is larger than %u bytes", l->d->cf->max_body_bytes);
		else if (r->body_oom)
			hreq_fail_stir(r, STIR_ENOMEM, NULL);
		else {
			if (r->body == NULL && (r->body = strdup("")) == NULL)
				return MHD_NO;
			r->route->run(r);
		}
	}
	if (r->resp != NULL || r->status != 0)
		return hreq_queue(r);
	r->suspended = true;
	MHD_suspend_connection(conn);
	return MHD_YES;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	hreq_free(*con_cls);
	*con_cls = NULL;
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct hd_listener *l = cls;
	struct door *d = l->d;

	(void)conn;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		d->stats.connections++;
		if (d->stats.connections > d->cf->max_connections) {
			*socket_context = (void *)1;	/* each request: 503, close */
			d->stats.refused_connections++;
		}
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
		d->stats.connections--;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	(void)cls;
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_debug("libmicrohttpd: %s", buf);
}

/* ---- driving MHD from libuv ---- */

static void hd_run(struct hd_listener *l);

static void
on_hd_timer(uv_timer_t *t)
{
	struct hd_listener *l = t->data;

	hd_run(l);
	up_flush(l->d->up);	/* what it read: the poll may wait */
}

static void
on_hd_poll(uv_poll_t *p, int status, int events)
{
	struct hd_listener *l = p->data;

	(void)status;
	(void)events;
	l->want_run = true;	/* at the check, after the other callbacks */
}

/*
 * After the poll phase: MHD reads the new requests and sends the replies
 * of the connections resumed in this iteration, in one run; the requests
 * read go to stird together.  Replies that the flush itself produces
 * (a lost connection: 503) get another round.
 */
static void
on_hd_check(uv_check_t *c)
{
	struct door *d = c->data;

	for (int round = 0; round < HD_CHECK_ROUNDS; round++) {
		bool ran = false;

		for (size_t i = 0; i < d->nlisteners; i++) {
			struct hd_listener *l = &d->listeners[i];

			if (l->want_run) {
				l->want_run = false;
				hd_run(l);
				ran = true;
			}
		}
		up_flush(d->up);
		if (!ran)
			break;
	}
	/* still wanted: run at the next iteration without waiting */
	for (size_t i = 0; i < d->nlisteners; i++)
		if (d->listeners[i].want_run)
			return;
	(void)uv_idle_stop(&d->hd_soon);
}

static void
hd_run(struct hd_listener *l)
{
	MHD_UNSIGNED_LONG_LONG to = 0;

	if (l->mhd == NULL)
		return;
	(void)MHD_run(l->mhd);
	if (MHD_get_timeout(l->mhd, &to) == MHD_YES)
		(void)uv_timer_start(&l->timer, on_hd_timer, to, 0);
	else
		(void)uv_timer_stop(&l->timer);
}

static int
hd_open(struct door *d, struct hd_listener *l, const char *spec)
{
	const struct http_conf *cf = d->cf;
	bool is_unix = strncmp(spec, "unix:", 5) == 0, loopback = false;
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *di;
	struct MHD_OptionItem opts[16];
	size_t no = 0;

	/* the logger first, so that MHD logs nothing of its own way */
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_EXTERNAL_LOGGER,
	    (intptr_t)on_mhd_log, NULL };

	l->d = d;
	snprintf(l->name, sizeof(l->name), "%s", spec);
	l->fd = is_unix ? door_listen_unix(spec + 5, cf->unix_socket_mode) :
	    door_listen_inet(spec, &loopback);
	if (l->fd < 0) {
		log_err("listen %s: %s", spec, strerror(errno));
		return STIR_EIO;
	}
	l->tls = !is_unix && *cf->tls_cert != '\0';
	if (l->tls) {
		if (read_pem(cf->tls_cert, &l->tls_cert) != STIR_OK ||
		    read_pem(cf->tls_key, &l->tls_key) != STIR_OK ||
		    (*cf->tls_client_ca != '\0' &&
		    read_pem(cf->tls_client_ca, &l->tls_ca) != STIR_OK))
			return STIR_EIO;
		flags |= MHD_USE_TLS;
		opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, l->tls_cert };
		opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, l->tls_key };
		if (l->tls_ca != NULL) {
			opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0, l->tls_ca };
			l->client_ca = true;
		}
	}
	l->local = is_unix || loopback;
	l->unauth_ok = unauth_ok(d, l);
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_SOCKET, l->fd, NULL };
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT,
	    (intptr_t)(cf->max_connections + HD_CONN_HEADROOM), NULL };
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT,
	    (intptr_t)cf->idle_timeout_s, NULL };
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED,
	    (intptr_t)on_completed, NULL };
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_CONNECTION,
	    (intptr_t)on_connection, l };
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	l->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_access, l,
	    MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (l->mhd == NULL) {
		log_err("listen %s: libmicrohttpd did not start", spec);
		close(l->fd);
		l->fd = -1;
		return STIR_EIO;
	}
	if ((di = MHD_get_daemon_info(l->mhd, MHD_DAEMON_INFO_EPOLL_FD)) == NULL) {
		log_err("listen %s: no epoll descriptor from libmicrohttpd", spec);
		return STIR_EINTERNAL;
	}
	l->fd = -1;		/* MHD owns (and closes) it now */
	(void)uv_poll_init(d->loop, &l->poll, di->epoll_fd);
	(void)uv_timer_init(d->loop, &l->timer);
	l->poll.data = l;
	l->timer.data = l;
	l->handles = true;
	d->hd_open_handles += 2;
	(void)uv_poll_start(&l->poll, UV_READABLE, on_hd_poll);
	hd_run(l);
	log_info("listening on %s%s%s", spec, l->tls ? " (TLS)" : "",
	    l->unauth_ok ? " (unauthenticated requests allowed)" : "");
	return STIR_OK;
}

int
hd_start(struct door *d)
{
	int r;

	if ((d->listeners = calloc(d->cf->nlisten, sizeof(*d->listeners))) == NULL)
		return STIR_ENOMEM;
	/* neither keeps the loop alive by itself */
	(void)uv_check_init(d->loop, &d->hd_check);
	(void)uv_idle_init(d->loop, &d->hd_soon);
	d->hd_check.data = d;
	(void)uv_check_start(&d->hd_check, on_hd_check);
	uv_unref((uv_handle_t *)&d->hd_check);
	uv_unref((uv_handle_t *)&d->hd_soon);
	d->hd_check_on = true;
	d->nlisteners = d->cf->nlisten;
	for (size_t i = 0; i < d->nlisteners; i++)
		d->listeners[i].fd = -1;
	for (size_t i = 0; i < d->nlisteners; i++)
		if ((r = hd_open(d, &d->listeners[i], d->cf->listen[i])) != STIR_OK)
			return r;
	return STIR_OK;
}

static void
on_listener_closed(uv_handle_t *h)
{
	struct hd_listener *l = h->data;
	struct door *d = l->d;

	if ((uv_handle_t *)&l->timer == h) {
		free(l->tls_cert);
		free_pem(l->tls_key);
		free(l->tls_ca);
		l->tls_cert = l->tls_key = l->tls_ca = NULL;
	}
	if (--d->hd_open_handles == 0) {
		free(d->listeners);
		d->listeners = NULL;
		d->nlisteners = 0;
	}
}

void
hd_stop(struct door *d)
{
	bool any = false;

	if (d->hd_check_on) {
		uv_close((uv_handle_t *)&d->hd_check, NULL);
		uv_close((uv_handle_t *)&d->hd_soon, NULL);
		d->hd_check_on = false;
	}
	/* requests just answered (503 when stird went away) are sent first */
	for (int round = 0; round < HD_FLUSH_ROUNDS; round++)
		for (size_t i = 0; i < d->nlisteners; i++)
			if (d->listeners[i].mhd != NULL)
				(void)MHD_run(d->listeners[i].mhd);

	for (size_t i = 0; i < d->nlisteners; i++) {
		struct hd_listener *l = &d->listeners[i];

		if (l->mhd != NULL) {
			/* closes the connections and the listening socket */
			MHD_stop_daemon(l->mhd);
			l->mhd = NULL;
			if (strncmp(l->name, "unix:", 5) == 0)
				(void)unlink(l->name + 5);
		}
		if (l->fd >= 0)
			close(l->fd);
		l->fd = -1;
		if (l->handles) {
			(void)uv_poll_stop(&l->poll);
			uv_close((uv_handle_t *)&l->poll, on_listener_closed);
			(void)uv_timer_stop(&l->timer);
			uv_close((uv_handle_t *)&l->timer, on_listener_closed);
			l->handles = false;
			any = true;
		} else {
			free(l->tls_cert);
			free_pem(l->tls_key);
			free(l->tls_ca);
			l->tls_cert = l->tls_key = l->tls_ca = NULL;
		}
	}
	if (!any) {
		free(d->listeners);
		d->listeners = NULL;
		d->nlisteners = 0;
	}
}
