/* redis.c: the fleet's Redis link: hiredis's asynchronous API on the loop (redis.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <hiredis/adapters/libuv.h>
#include <sodium.h>

#include "stirclient.h"
#include "daemon/base/conf.h"
#include "daemon/base/log.h"
#include "daemon/fleet/redis.h"
#include "daemon/fleet/redis_tls.h"

#define PASSWORD_MAX	512
#define CONNECT_MIN_MS	1000	/* connecting and the handshake, at least */

enum link_state {
	L_DOWN,		/* waiting for the next attempt */
	L_RESOLVING,	/* uv_getaddrinfo() of the server (or a Sentinel) */
	L_CONNECTING,	/* TCP or Unix connect, then the handshake */
	L_UP,
	L_STALLED,	/* a command passed its deadline; a PING probes */
};

static const char *const state_names[] = { "down", "connecting", "connecting", "up",
	"stalled" };

enum cmd_kind {
	C_USER,
	C_HANDSHAKE,	/* AUTH, SELECT, ROLE, PING after connecting */
	C_SENTINEL_AUTH, /* AUTH to a Sentinel, before ... */
	C_SENTINEL,	/* SENTINEL get-master-addr-by-name */
	C_PROBE,	/* PING while stalled */
};

/*
 * One command given to hiredis, which calls back exactly once for it
 * (with NULL when the context goes): the struct lives until then.
 * answered: its caller has had its answer (a timeout, a lost link).
 */
struct rcmd {
	struct stir_redis	*r;
	redisAsyncContext	*ac;	/* the context it was sent on */
	enum cmd_kind		 kind;
	stir_redis_cb		 cb;
	void			*arg;
	uint64_t		 due_ms;	/* loop time */
	uint64_t		 sent_ns;
	bool			 answered;
	struct rcmd		*next;	/* the user commands waiting, in order */
};

struct resolve {
	uv_getaddrinfo_t	 req;
	struct stir_redis	*r;	/* NULL: the link went meanwhile */
};

struct stir_redis {
	uv_loop_t		*loop;
	uv_timer_t		 timer;		/* deadlines, connecting, backoff, stall */
	redisAsyncContext	*ac;
	enum link_state		 state;
	/* the settings */
	char			*addr;		/* host:port or unix:/path; NULL with Sentinel */
	char			*sentinels[STIR_REDIS_SENTINELS_MAX];
	size_t			 nsentinels;
	char			*sentinels_conf; /* as configured */
	char			*master;
	char			*user;
	char			*password;	/* NULL = no AUTH */
	char			*password_file;
	char			*sentinel_user;
	char			*sentinel_password;	/* NULL = no AUTH to the Sentinels */
	char			*sentinel_password_file;
	unsigned		 db;
	unsigned		 timeout_ms;
	/* the attempt */
	size_t			 sentinel_i;	/* the Sentinel asked next */
	bool			 at_sentinel;	/* ac is a Sentinel's */
	char			 target[300];	/* host:port or unix:/path being used */
	char			 target_host[256];	/* its host, as named (TLS checks it) */
	struct stir_redis_tls	*tls;		/* redis_tls: hiredis goes through it */
	char			*tls_conf;	/* the TLS settings, to compare at reload */
	struct resolve		*resolving;
	uint64_t		 attempt_ms;	/* when connecting began */
	uint64_t		 retry_ms;	/* L_DOWN: the next attempt */
	uint64_t		 stall_ms;	/* L_STALLED: since */
	unsigned		 backoff_ms;
	unsigned		 handshake_left;
	bool			 handshake_failed;
	/* the user commands waiting for their reply, oldest first */
	struct rcmd		*head, *tail;
	struct stir_redis_stats	 st;
	bool			 closing;
};

static void	attempt(struct stir_redis *r);
static void	arm(struct stir_redis *r);

/* ---- answers ---- */

static void
reply_of(const redisReply *rep, struct stir_redis_reply *out)
{
	memset(out, 0, sizeof(*out));
	switch (rep->type) {
	case REDIS_REPLY_STRING:
		out->type = STIR_REDIS_STRING;
		break;
	case REDIS_REPLY_STATUS:
		out->type = STIR_REDIS_STATUS;
		break;
	case REDIS_REPLY_ERROR:
		out->type = STIR_REDIS_ERROR;
		break;
	case REDIS_REPLY_INTEGER:
		out->type = STIR_REDIS_INTEGER;
		out->integer = rep->integer;
		return;
	case REDIS_REPLY_ARRAY:
		out->type = STIR_REDIS_ARRAY;
		out->nelem = rep->elements;
		for (size_t i = 0; i < rep->elements && i < STIR_REDIS_ELEMS_MAX; i++)
			if (rep->element[i]->type == REDIS_REPLY_STRING ||
			    rep->element[i]->type == REDIS_REPLY_STATUS) {
				out->elem[i].str = rep->element[i]->str;
				out->elem[i].len = rep->element[i]->len;
			}
		return;
	default:
		out->type = STIR_REDIS_NIL;
		return;
	}
	out->str = rep->str;
	out->len = rep->len;
}

/* Answer a user command without a reply (it stays hiredis's until its callback). */
static void
fail_cmd(struct rcmd *c, int err)
{
	struct stir_redis_reply rep;

	if (c->answered)
		return;
	c->answered = true;
	memset(&rep, 0, sizeof(rep));
	rep.err = err;
	if (c->cb != NULL)
		c->cb(c->arg, &rep);
}

/* Fail every user command waiting (they leave the list). */
static void
fail_waiting(struct stir_redis *r, int err)
{
	struct rcmd *c;

	while ((c = r->head) != NULL) {
		r->head = c->next;
		c->next = NULL;
		if (err == STIR_ETIMEDOUT)
			r->st.timeouts++;
		else
			r->st.errors++;
		fail_cmd(c, err);
	}
	r->tail = NULL;
}

static void
unlink_waiting(struct stir_redis *r, struct rcmd *c)
{
	struct rcmd **pp, *prev = NULL;

	for (pp = &r->head; *pp != NULL; prev = *pp, pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			if (r->tail == c)
				r->tail = prev;
			c->next = NULL;
			return;
		}
}

/* ---- the connection ---- */

static void
set_state(struct stir_redis *r, enum link_state s)
{
	if (r->state == s)
		return;
	if (s == L_UP)
		log_info("redis: up (%s)", r->target);
	else if (r->state == L_UP && s == L_STALLED)
		log_warn("redis: %s did not answer within redis_timeout_ms (%u ms); "
		    "probing it", r->target, r->timeout_ms);
	r->state = s;
}

/* Drop the context (its pending callbacks run now, with NULL). */
static void
drop(struct stir_redis *r)
{
	redisAsyncContext *ac = r->ac;

	r->ac = NULL;			/* its disconnect callback is ours */
	if (ac != NULL)
		redisAsyncFree(ac);
}

/* This attempt failed: the next Sentinel at once, or later. */
static void
retry_later(struct stir_redis *r, const char *why)
{
	bool was_up = r->state == L_UP || r->state == L_STALLED;

	drop(r);
	fail_waiting(r, STIR_EIO);
	if (was_up) {
		r->st.disconnects++;
		log_warn("redis: %s lost: %s; reconnecting", r->target, why);
		r->backoff_ms = 0;
	} else if (r->backoff_ms >= STIR_REDIS_BACKOFF_MAX_MS / 2 || r->backoff_ms == 0)
		log_warn("redis: %s: %s", r->target[0] ? r->target : "no server", why);
	set_state(r, L_DOWN);
	if (r->closing)
		return;
	if (r->nsentinels > 0 && r->at_sentinel && ++r->sentinel_i % r->nsentinels != 0) {
		attempt(r);		/* the next Sentinel, now */
		return;
	}
	if (r->backoff_ms == 0)
		r->backoff_ms = STIR_REDIS_BACKOFF_MIN_MS;
	else if ((r->backoff_ms *= 2) > STIR_REDIS_BACKOFF_MAX_MS)
		r->backoff_ms = STIR_REDIS_BACKOFF_MAX_MS;
	/* jitter: hosts that lost the same server do not come back together */
	r->retry_ms = uv_now(r->loop) + r->backoff_ms / 2 +
	    randombytes_uniform(r->backoff_ms / 2 + 1);
	arm(r);
}

static void on_reply(redisAsyncContext *ac, void *reply, void *privdata);

static int
send_cmd(struct stir_redis *r, enum cmd_kind kind, stir_redis_cb cb, void *arg, int argc,
    const char *const *argv, const size_t *argvlen)
{
	struct rcmd *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return STIR_ENOMEM;
	c->r = r;
	c->ac = r->ac;
	c->kind = kind;
	c->cb = cb;
	c->arg = arg;
	c->sent_ns = uv_hrtime();
	c->due_ms = uv_now(r->loop) + r->timeout_ms;
	if (redisAsyncCommandArgv(r->ac, on_reply, c, argc, (const char **)argv,
	    argvlen) != REDIS_OK) {
		free(c);
		return STIR_EIO;
	}
	if (kind == C_USER) {
		if (r->tail != NULL)
			r->tail->next = c;
		else
			r->head = c;
		r->tail = c;
		if (r->head == c)
			arm(r);
	}
	return STIR_OK;
}

static void
handshake_reply(struct stir_redis *r, struct rcmd *c, const redisReply *rep)
{
	const char *why = NULL;
	char msg[200];

	(void)c;
	if (rep == NULL)
		why = "the connection closed during the handshake";
	else if (rep->type == REDIS_REPLY_ERROR) {
		snprintf(msg, sizeof(msg), "refused: %.150s", rep->str);
		why = msg;
	} else if (rep->type == REDIS_REPLY_ARRAY && (rep->elements < 1 ||
	    rep->element[0]->type != REDIS_REPLY_STRING ||
	    strcmp(rep->element[0]->str, "master") != 0))
		why = "is not the master (ROLE): a failover is under way";
	if (why != NULL && !r->handshake_failed) {
		r->handshake_failed = true;
		retry_later(r, why);
		return;
	}
	if (r->handshake_failed || r->state != L_CONNECTING || --r->handshake_left > 0)
		return;
	r->backoff_ms = 0;
	r->sentinel_i = 0;
	r->st.connects++;
	set_state(r, L_UP);
	arm(r);
}

/* A Sentinel named the master: connect to it. */
static void
sentinel_reply(struct stir_redis *r, const redisReply *rep)
{
	if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
	    rep->element[0]->type != REDIS_REPLY_STRING ||
	    rep->element[1]->type != REDIS_REPLY_STRING || rep->element[0]->len > 255 ||
	    rep->element[1]->len > 5) {
		retry_later(r, "the Sentinel does not know redis_master");
		return;
	}
	drop(r);
	r->at_sentinel = false;
	if (strchr(rep->element[0]->str, ':') != NULL)
		snprintf(r->target, sizeof(r->target), "[%s]:%s", rep->element[0]->str,
		    rep->element[1]->str);
	else
		snprintf(r->target, sizeof(r->target), "%s:%s", rep->element[0]->str,
		    rep->element[1]->str);
	set_state(r, L_DOWN);
	attempt(r);
}

static void
on_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
	struct rcmd *c = privdata;
	struct stir_redis *r = c->r;
	const redisReply *rep = reply;
	struct stir_redis_reply out;

	(void)ac;
	if (r == NULL || c->ac != r->ac) {	/* a dropped context's, or ours is going */
		if (c->kind == C_USER && r != NULL && !c->answered) {
			unlink_waiting(r, c);
			r->st.errors++;
		}
		if (c->kind == C_USER)
			fail_cmd(c, r != NULL && r->closing ? STIR_ESHUTDOWN : STIR_EIO);
		free(c);
		return;
	}
	switch (c->kind) {
	case C_USER:
		if (!c->answered) {
			uint64_t us = (uv_hrtime() - c->sent_ns) / 1000;

			unlink_waiting(r, c);
			if (rep == NULL) {
				r->st.errors++;
				fail_cmd(c, STIR_EIO);
				break;
			}
			r->st.replies++;
			r->st.rtt_us_sum += us;
			if (us > r->st.rtt_us_max)
				r->st.rtt_us_max = us;
			if (rep->type == REDIS_REPLY_ERROR)
				r->st.errors++;
			reply_of(rep, &out);
			c->answered = true;
			c->cb(c->arg, &out);
			if (r->head != NULL || r->state == L_UP)
				arm(r);
		}
		break;
	case C_HANDSHAKE:
		handshake_reply(r, c, rep);
		break;
	case C_SENTINEL_AUTH:
		/* NULL: the link went, and the SENTINEL behind it says so */
		if (rep != NULL && rep->type == REDIS_REPLY_ERROR) {
			char why[200];

			snprintf(why, sizeof(why), "the Sentinel refused AUTH: %.150s", rep->str);
			retry_later(r, why);
		}
		break;
	case C_SENTINEL:
		sentinel_reply(r, rep);
		break;
	case C_PROBE:
		if (rep != NULL && rep->type != REDIS_REPLY_ERROR && r->state == L_STALLED) {
			log_info("redis: %s answers again", r->target);
			set_state(r, L_UP);
			arm(r);
		}
		break;
	}
	free(c);
}

/* AUTH [user] password ("" = no user). */
static int
send_auth(struct stir_redis *r, enum cmd_kind kind, const char *user, const char *password)
{
	const char *argv[3];
	size_t argl[3];
	int n = 0;

	argv[n] = "AUTH";
	argl[n++] = 4;
	if (user[0] != '\0') {
		argv[n] = user;
		argl[n++] = strlen(user);
	}
	argv[n] = password;
	argl[n++] = strlen(password);
	return send_cmd(r, kind, NULL, NULL, n, argv, argl);
}

static void
on_connect(const redisAsyncContext *ac, int status)
{
	struct stir_redis *r = ac->data;
	const char *argv[4];
	size_t argl[4];
	char db[16];

	if (r == NULL || r->ac != ac)
		return;
	if (status != REDIS_OK) {
		r->ac = NULL;		/* hiredis frees it after this */
		retry_later(r, ac->errstr[0] ? ac->errstr : "cannot connect");
		return;
	}
	r->handshake_failed = false;
	r->handshake_left = 0;
	if (r->at_sentinel) {
		/* pipelined: AUTH (redis_sentinel_password_file), SENTINEL */
		if (r->sentinel_password != NULL && send_auth(r, C_SENTINEL_AUTH,
		    r->sentinel_user, r->sentinel_password) != STIR_OK) {
			retry_later(r, "cannot ask the Sentinel");
			return;
		}
		argv[0] = "SENTINEL";
		argv[1] = "get-master-addr-by-name";
		argv[2] = r->master;
		for (int i = 0; i < 3; i++)
			argl[i] = strlen(argv[i]);
		if (send_cmd(r, C_SENTINEL, NULL, NULL, 3, argv, argl) != STIR_OK)
			retry_later(r, "cannot ask the Sentinel");
		return;
	}
	/* pipelined: AUTH, SELECT, ROLE (behind Sentinel), PING */
	if (r->password != NULL) {
		if (send_auth(r, C_HANDSHAKE, r->user, r->password) != STIR_OK)
			goto fail;
		r->handshake_left++;
	}
	if (r->db != 0) {
		snprintf(db, sizeof(db), "%u", r->db);
		argv[0] = "SELECT";
		argl[0] = 6;
		argv[1] = db;
		argl[1] = strlen(db);
		if (send_cmd(r, C_HANDSHAKE, NULL, NULL, 2, argv, argl) != STIR_OK)
			goto fail;
		r->handshake_left++;
	}
	if (r->nsentinels > 0) {
		argv[0] = "ROLE";
		argl[0] = 4;
		if (send_cmd(r, C_HANDSHAKE, NULL, NULL, 1, argv, argl) != STIR_OK)
			goto fail;
		r->handshake_left++;
	}
	argv[0] = "PING";
	argl[0] = 4;
	if (send_cmd(r, C_HANDSHAKE, NULL, NULL, 1, argv, argl) != STIR_OK)
		goto fail;
	r->handshake_left++;
	return;
 fail:
	r->handshake_failed = true;
	retry_later(r, "cannot send the handshake");
}

static void
on_disconnect(const redisAsyncContext *ac, int status)
{
	struct stir_redis *r = ac->data;

	(void)status;
	if (r == NULL || r->ac != ac)
		return;		/* one we dropped */
	r->ac = NULL;		/* hiredis frees it after this */
	retry_later(r, ac->errstr[0] ? ac->errstr : "the server closed the connection");
}

/* Connect to the numeric address host (port), or the Unix path. */
static void
connect_to(struct stir_redis *r, const char *host, int port, const char *path)
{
	redisAsyncContext *ac;

	if (path == NULL && r->tls != NULL) {	/* through the TLS relay */
		stir_redis_tls_target(r->tls, host, port, r->target_host);
		path = stir_redis_tls_path(r->tls);
	}
	ac = path != NULL ? redisAsyncConnectUnix(path) : redisAsyncConnect(host, port);
	if (ac == NULL) {
		retry_later(r, "out of memory");
		return;
	}
	if (ac->err) {
		char why[160];

		snprintf(why, sizeof(why), "%s", ac->errstr);
		redisAsyncFree(ac);
		retry_later(r, why);
		return;
	}
	ac->data = r;
	if (redisLibuvAttach(ac, r->loop) != REDIS_OK) {
		redisAsyncFree(ac);
		retry_later(r, "cannot watch the socket");
		return;
	}
	(void)redisAsyncSetConnectCallback(ac, on_connect);
	(void)redisAsyncSetDisconnectCallback(ac, on_disconnect);
	r->ac = ac;
	set_state(r, L_CONNECTING);
	arm(r);
}

static void
on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct resolve *q = req->data;
	struct stir_redis *r = q->r;
	char host[INET6_ADDRSTRLEN];
	int port = 0;

	if (r == NULL)
		goto out;
	r->resolving = NULL;
	if (status != 0 || res == NULL) {
		char why[160];

		snprintf(why, sizeof(why), "cannot resolve: %s", uv_strerror(status));
		set_state(r, L_CONNECTING);
		retry_later(r, why);
		goto out;
	}
	if (res->ai_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)res->ai_addr;

		(void)uv_ip6_name(a, host, sizeof(host));
		port = ntohs(a->sin6_port);
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)res->ai_addr;

		(void)uv_ip4_name(a, host, sizeof(host));
		port = ntohs(a->sin_port);
	}
	connect_to(r, host, port, NULL);
 out:
	uv_freeaddrinfo(res);
	free(q);
}

/* Split host:port or [v6]:port (checked by stir_config_redis_check()). */
static int
split_hostport(const char *a, char *host, size_t hostlen, char *port, size_t portlen)
{
	const char *colon = strrchr(a, ':');
	size_t n;

	if (colon == NULL)
		return STIR_EINVAL;
	n = (size_t)(colon - a);
	if (a[0] == '[' && n >= 2 && a[n - 1] == ']') {
		a++;
		n -= 2;
	}
	if (n == 0 || n >= hostlen || strlen(colon + 1) >= portlen)
		return STIR_EINVAL;
	memcpy(host, a, n);
	host[n] = '\0';
	snprintf(port, portlen, "%s", colon + 1);
	return STIR_OK;
}

/* Start the next attempt: the server (or a Sentinel, then its master). */
static void
attempt(struct stir_redis *r)
{
	struct addrinfo hints;
	struct resolve *q;
	char host[256], port[8];

	if (r->closing)
		return;
	r->attempt_ms = uv_now(r->loop);
	if (r->addr != NULL)
		snprintf(r->target, sizeof(r->target), "%s", r->addr);
	else if (r->at_sentinel || r->target[0] == '\0') {
		r->at_sentinel = true;
		snprintf(r->target, sizeof(r->target), "%s",
		    r->sentinels[r->sentinel_i % r->nsentinels]);
	}
	if (strncmp(r->target, "unix:", 5) == 0) {
		connect_to(r, NULL, 0, r->target + 5);
		return;
	}
	if (split_hostport(r->target, host, sizeof(host), port, sizeof(port)) != STIR_OK) {
		set_state(r, L_CONNECTING);
		retry_later(r, "not host:port");
		return;
	}
	snprintf(r->target_host, sizeof(r->target_host), "%s", host);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		retry_later(r, "out of memory");
		return;
	}
	q->r = r;
	q->req.data = q;
	if (uv_getaddrinfo(r->loop, &q->req, on_resolved, host, port, &hints) != 0) {
		free(q);
		set_state(r, L_CONNECTING);
		retry_later(r, "cannot resolve");
		return;
	}
	r->resolving = q;
	set_state(r, L_RESOLVING);
}

/* ---- the one timer ---- */

static void
on_timer(uv_timer_t *t)
{
	struct stir_redis *r = t->data;
	uint64_t now = uv_now(r->loop);
	const char *argv[1] = { "PING" };
	size_t argl[1] = { 4 };

	switch (r->state) {
	case L_DOWN:
		if (now >= r->retry_ms) {
			/* behind Sentinel, a lost master is asked for again */
			if (r->nsentinels > 0 && !r->at_sentinel) {
				r->at_sentinel = true;
				r->target[0] = '\0';
			}
			attempt(r);
			return;
		}
		break;
	case L_CONNECTING: {
		unsigned limit = r->timeout_ms * 10 > CONNECT_MIN_MS ? r->timeout_ms * 10 :
		    CONNECT_MIN_MS;

		if (now >= r->attempt_ms + limit) {
			retry_later(r, "no connection and handshake within 10 x redis_timeout_ms");
			return;
		}
		break;
	}
	case L_UP:
		if (r->head != NULL && now >= r->head->due_ms) {
			/* replies come in order: everything behind is late too */
			fail_waiting(r, STIR_ETIMEDOUT);
			set_state(r, L_STALLED);
			r->stall_ms = now;
			if (send_cmd(r, C_PROBE, NULL, NULL, 1, argv, argl) != STIR_OK) {
				retry_later(r, "cannot send a PING");
				return;
			}
		}
		break;
	case L_STALLED:
		if (now >= r->stall_ms + STIR_REDIS_STALL_MS) {
			retry_later(r, "no answer to PING");
			return;
		}
		break;
	case L_RESOLVING:
		break;
	}
	arm(r);
}

/* (Re)arm the timer for what the state waits for. */
static void
arm(struct stir_redis *r)
{
	uint64_t now = uv_now(r->loop), due = 0;
	unsigned limit;

	if (r->closing)
		return;
	switch (r->state) {
	case L_DOWN:
		due = r->retry_ms;
		break;
	case L_CONNECTING:
		limit = r->timeout_ms * 10 > CONNECT_MIN_MS ? r->timeout_ms * 10 : CONNECT_MIN_MS;
		due = r->attempt_ms + limit;
		break;
	case L_UP:
		if (r->head == NULL) {
			(void)uv_timer_stop(&r->timer);
			return;
		}
		due = r->head->due_ms;
		break;
	case L_STALLED:
		due = r->stall_ms + STIR_REDIS_STALL_MS;
		break;
	case L_RESOLVING:
		(void)uv_timer_stop(&r->timer);
		return;
	}
	(void)uv_timer_start(&r->timer, on_timer, due > now ? due - now : 0, 0);
}

/* ---- the interface ---- */

static int
read_password(const char *key, const char *path, char **ret, char *msg, size_t msglen)
{
	char buf[PASSWORD_MAX + 2];
	ssize_t n;
	int fd;

	*ret = NULL;
	if (path[0] == '\0')
		return STIR_OK;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		snprintf(msg, msglen, "%s %s: %s", key, path, strerror(errno));
		return STIR_EINVAL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n < 0 || n > PASSWORD_MAX) {
		snprintf(msg, msglen, "%s %s: %s", key, path,
		    n < 0 ? strerror(errno) : "longer than 512 bytes");
		sodium_memzero(buf, sizeof(buf));
		return STIR_EINVAL;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		snprintf(msg, msglen, "%s %s is empty", key, path);
		return STIR_EINVAL;
	}
	*ret = strdup(buf);
	sodium_memzero(buf, sizeof(buf));
	return *ret != NULL ? STIR_OK : STIR_ENOMEM;
}

static void
settings_free(struct stir_redis *r)
{
	free(r->addr);
	for (size_t i = 0; i < r->nsentinels; i++)
		free(r->sentinels[i]);
	free(r->sentinels_conf);
	free(r->master);
	free(r->user);
	if (r->password != NULL) {
		sodium_memzero(r->password, strlen(r->password));
		free(r->password);
	}
	free(r->password_file);
	free(r->sentinel_user);
	if (r->sentinel_password != NULL) {
		sodium_memzero(r->sentinel_password, strlen(r->sentinel_password));
		free(r->sentinel_password);
	}
	free(r->sentinel_password_file);
	free(r->tls_conf);
}

/* What a reload must compare: the TLS settings in one string. */
static char *
tls_conf_of(const struct stir_config *cfg)
{
	char buf[4 * 4096 + 16];

	snprintf(buf, sizeof(buf), "%d|%s|%s|%s|%s", cfg->redis_tls, cfg->redis_tls_ca_file,
	    cfg->redis_tls_cert_file, cfg->redis_tls_key_file, cfg->redis_tls_name);
	return strdup(buf);
}

/* The relay's socket, beside stird's own: stird's directory, its pid. */
static int
tls_start(struct stir_redis *r, const struct stir_config *cfg, char *msg, size_t msglen)
{
	char path[4200];
	const char *slash = strrchr(cfg->socket, '/');
	int n;

	n = slash != NULL ? (int)(slash - cfg->socket) : 1;
	snprintf(path, sizeof(path), "%.*s/stird-redis-tls.%d.sock", n,
	    slash != NULL ? cfg->socket : ".", (int)getpid());
	return stir_redis_tls_new(r->loop, cfg, path, &r->tls, msg, msglen);
}

static void
on_timer_closed(uv_handle_t *h)
{
	struct stir_redis *r = h->data;

	settings_free(r);
	free(r);
}

int
stir_redis_new(uv_loop_t *loop, const struct stir_config *cfg, struct stir_redis **ret,
    char *msg, size_t msglen)
{
	struct stir_redis *r;
	char list[1024], *save = NULL, *tok;
	int rc;

	*ret = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return STIR_ENOMEM;
	r->loop = loop;
	r->timeout_ms = cfg->redis_timeout_ms;
	r->db = cfg->redis_db;
	rc = STIR_ENOMEM;
	if ((r->master = strdup(cfg->redis_master)) == NULL ||
	    (r->sentinels_conf = strdup(cfg->redis_sentinels)) == NULL ||
	    (r->user = strdup(cfg->redis_user)) == NULL ||
	    (r->password_file = strdup(cfg->redis_password_file)) == NULL ||
	    (r->sentinel_user = strdup(cfg->redis_sentinel_user)) == NULL ||
	    (r->sentinel_password_file = strdup(cfg->redis_sentinel_password_file)) == NULL)
		goto fail;
	if (cfg->redis[0] != '\0' && (r->addr = strdup(cfg->redis)) == NULL)
		goto fail;
	snprintf(list, sizeof(list), "%s", cfg->redis_sentinels);
	for (tok = strtok_r(list, ", ", &save); tok != NULL && r->nsentinels <
	    STIR_REDIS_SENTINELS_MAX; tok = strtok_r(NULL, ", ", &save))
		if ((r->sentinels[r->nsentinels++] = strdup(tok)) == NULL)
			goto fail;
	if (r->addr == NULL && r->nsentinels == 0) {
		snprintf(msg, msglen, "no redis or redis_sentinels");
		rc = STIR_EINVAL;
		goto fail;
	}
	if ((rc = read_password("redis_password_file", cfg->redis_password_file,
	    &r->password, msg, msglen)) != STIR_OK ||
	    (rc = read_password("redis_sentinel_password_file",
	    cfg->redis_sentinel_password_file, &r->sentinel_password, msg, msglen)) != STIR_OK)
		goto fail;
	if ((r->tls_conf = tls_conf_of(cfg)) == NULL) {
		rc = STIR_ENOMEM;
		goto fail;
	}
	if (cfg->redis_tls && (rc = tls_start(r, cfg, msg, msglen)) != STIR_OK)
		goto fail;
	if (uv_timer_init(loop, &r->timer) != 0) {
		stir_redis_tls_free(r->tls);
		rc = STIR_EINTERNAL;
		goto fail;
	}
	r->timer.data = r;
	r->state = L_DOWN;
	attempt(r);
	*ret = r;
	return STIR_OK;
 fail:
	settings_free(r);
	free(r);
	return rc;
}

bool
stir_redis_same(const struct stir_redis *r, const struct stir_config *cfg)
{
	char *tls = r != NULL ? tls_conf_of(cfg) : NULL;
	bool same_tls = tls != NULL && strcmp(tls, r->tls_conf) == 0;

	free(tls);
	return r != NULL && same_tls && strcmp(r->addr ? r->addr : "", cfg->redis) == 0 &&
	    strcmp(r->sentinels_conf, cfg->redis_sentinels) == 0 &&
	    strcmp(r->master, cfg->redis_master) == 0 &&
	    strcmp(r->user, cfg->redis_user) == 0 &&
	    strcmp(r->password_file, cfg->redis_password_file) == 0 &&
	    strcmp(r->sentinel_user, cfg->redis_sentinel_user) == 0 &&
	    strcmp(r->sentinel_password_file, cfg->redis_sentinel_password_file) == 0 &&
	    r->db == cfg->redis_db;
}

void
stir_redis_set_timeout(struct stir_redis *r, unsigned timeout_ms)
{
	if (r != NULL && timeout_ms > 0)
		r->timeout_ms = timeout_ms;
}

void
stir_redis_free(struct stir_redis *r)
{
	if (r == NULL)
		return;
	r->closing = true;
	if (r->resolving != NULL) {
		r->resolving->r = NULL;	/* frees itself */
		r->resolving = NULL;
	}
	fail_waiting(r, STIR_ESHUTDOWN);
	drop(r);
	stir_redis_tls_free(r->tls);
	r->tls = NULL;
	(void)uv_timer_stop(&r->timer);
	uv_close((uv_handle_t *)&r->timer, on_timer_closed);
}

bool
stir_redis_up(const struct stir_redis *r)
{
	return r != NULL && r->state == L_UP;
}

int
stir_redis_command(struct stir_redis *r, stir_redis_cb cb, void *arg, int argc,
    const char *const *argv, const size_t *argvlen)
{
	int rc;

	if (r == NULL || cb == NULL || argc < 1 || argc > STIR_REDIS_ARGS_MAX)
		return STIR_EINVAL;
	if (r->state != L_UP || r->ac == NULL) {
		r->st.refused++;
		return STIR_EIO;
	}
	if ((rc = send_cmd(r, C_USER, cb, arg, argc, argv, argvlen)) != STIR_OK) {
		r->st.refused++;
		return rc;
	}
	r->st.commands++;
	return STIR_OK;
}

void
stir_redis_stats(const struct stir_redis *r, struct stir_redis_stats *ret)
{
	*ret = r->st;
	ret->state = state_names[r->state];
	snprintf(ret->server, sizeof(ret->server), "%s",
	    r->state == L_UP || r->state == L_STALLED ? r->target : "");
}
