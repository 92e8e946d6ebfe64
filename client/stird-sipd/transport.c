/*
 * transport.c: stird-sipd's sockets.  UDP: one datagram is one message
 * (a datagram longer than max_message_bytes is dropped); the answer goes
 * to the datagram's source address and port (RFC 3581 symmetric
 * response).  TCP: messages framed by Content-Length (RFC 3261 section
 * 18.3) in a fixed buffer of max_message_bytes; a message that does not
 * fit, or does not parse, gets one response and the connection is closed
 * once it is written.  CRLF keep-alives (RFC 5626 section 4.4.1) are
 * answered on TCP and ignored on UDP.
 *
 * A TCP connection's memory is freed when its handle is closed and no
 * transaction holds a reference to it (sipd_tcp_ref).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "client/stird-sipd/sipd.h"
#include "client/stird-sipd/tls.h"

#define TCP_BACKLOG	128

struct sipd_tcp {
	struct sipd		*s;
	struct sipd_listener	*l;
	uv_tcp_t		 h;
	struct sipd_tcp		*prev, *next;
	char			*buf;
	size_t			 used;
	unsigned		 refs;		/* the list's, and transactions' */
	bool			 closing;	/* no more reads or writes */
	bool			 draining;	/* no more reads: closing once written */
	bool			 handle_closed;
	uint64_t		 last_active;
	uint64_t		 partial_since;	/* a message began arriving */
	uint64_t		 accepted;
	struct sockaddr_storage	 peer;		/* the peer's address */
	struct sipd_tls_conn	*tls;		/* a listen_tls connection */
	char			*cbuf;		/* TLS: ciphertext as read */
};

#define TLS_READ_BYTES	(16 * 1024 + 512)	/* one record and more */

struct send_req {
	union {
		uv_udp_send_t	 udp;
		uv_write_t	 tcp;
	} r;
	char	data[];
};

/* Rate-limited notice about what a peer sent. */
static void
peer_notice(struct sipd *s, const char *what, const char *detail)
{
	unsigned dropped = 0;

	if (!stir_ratelimit_allow(&s->log_rl, sipd_now(s), &dropped))
		return;
	if (dropped > 0)
		log_notice("%u similar messages not logged", dropped);
	log_notice("%s%s%s", what, detail ? ": " : "", detail ? detail : "");
}

static void
addr_text(const struct sockaddr *sa, char *out, size_t outlen)
{
	char host[64] = "?";
	int port = 0;

	if (sa->sa_family == AF_INET) {
		(void)uv_ip4_name((const struct sockaddr_in *)sa, host, sizeof(host));
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
		snprintf(out, outlen, "%s:%d", host, port);
	} else if (sa->sa_family == AF_INET6) {
		(void)uv_ip6_name((const struct sockaddr_in6 *)sa, host, sizeof(host));
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
		snprintf(out, outlen, "[%s]:%d", host, port);
	} else
		snprintf(out, outlen, "?");
}

/* ---- sending ---- */

static void
udp_sent(uv_udp_send_t *req, int status)
{
	(void)status;
	free(req);
}

static void
tcp_written(uv_write_t *req, int status)
{
	(void)status;
	free(req);
}

static void tcp_close(struct sipd_tcp *c);

/* Bytes as they go on the wire (TLS records, or plain SIP). */
static int
tcp_raw_write(void *arg, const void *buf, size_t len)
{
	struct sipd_tcp *c = arg;
	struct send_req *req;
	uv_buf_t b;

	if (c->closing)
		return -1;
	if (uv_stream_get_write_queue_size((uv_stream_t *)&c->h) > SIPD_TCP_WQ_MAX) {
		peer_notice(c->s, "TCP peer does not read its responses; closing", NULL);
		tcp_close(c);
		return -1;
	}
	if ((req = malloc(sizeof(*req) + len)) == NULL)
		return -1;
	memcpy(req->data, buf, len);
	b = uv_buf_init(req->data, (unsigned)len);
	if (uv_write(&req->r.tcp, (uv_stream_t *)&c->h, &b, 1, tcp_written) != 0) {
		free(req);
		tcp_close(c);
		return -1;
	}
	return 0;
}

static void
tcp_write(struct sipd_tcp *c, const char *buf, size_t len)
{
	if (c->closing)
		return;
	if (c->tls == NULL)
		(void)tcp_raw_write(c, buf, len);
	else if (sipd_tls_send(c->tls, buf, len) != STIR_OK)
		tcp_close(c);
}

void
sipd_send(struct sipd *s, const struct sipd_peer *p, const char *buf, size_t len)
{
	struct send_req *req;
	uv_buf_t b;

	(void)s;
	if (p->tcp != NULL) {
		tcp_write(p->tcp, buf, len);
		return;
	}
	if (p->l == NULL || !p->l->open || (req = malloc(sizeof(*req) + len)) == NULL)
		return;
	memcpy(req->data, buf, len);
	b = uv_buf_init(req->data, (unsigned)len);
	if (uv_udp_send(&req->r.udp, &p->l->h.udp, &b, 1, (const struct sockaddr *)&p->addr,
	    udp_sent) != 0)
		free(req);
}

/* ---- TCP connections ---- */

void
sipd_tcp_ref(struct sipd_tcp *c)
{
	c->refs++;
}

void
sipd_tcp_unref(struct sipd_tcp *c)
{
	if (c == NULL || --c->refs > 0)
		return;
	sipd_tls_conn_free(c->tls);
	free(c->cbuf);
	free(c->buf);
	free(c);
}

static void
tcp_closed(uv_handle_t *h)
{
	struct sipd_tcp *c = h->data;

	c->handle_closed = true;
	sipd_tcp_unref(c);		/* the list's reference */
}

static void
tcp_close(struct sipd_tcp *c)
{
	struct sipd *s = c->s;

	if (c->closing)
		return;
	c->closing = true;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	s->nconns--;
	uv_close((uv_handle_t *)&c->h, tcp_closed);
}

static void
tcp_shut(uv_shutdown_t *req, int status)
{
	struct sipd_tcp *c = req->data;

	(void)status;
	free(req);
	tcp_close(c);
}

/* Stop reading, write what is queued, then close. */
static void
tcp_close_after_write(struct sipd_tcp *c)
{
	uv_shutdown_t *req;

	if (c->closing || c->draining)
		return;
	c->draining = true;
	(void)uv_read_stop((uv_stream_t *)&c->h);
	if ((req = malloc(sizeof(*req))) == NULL) {
		tcp_close(c);
		return;
	}
	req->data = c;
	if (uv_shutdown(req, (uv_stream_t *)&c->h, tcp_shut) != 0) {
		free(req);
		tcp_close(c);
	}
}

/*
 * A message we cannot frame: a proper response when its headers parse
 * (513 Message Too Large, 400 Bad Request), else a bare status line, so
 * the peer learns why the connection ends.
 */
void
sipd_tcp_refuse(struct sipd_tcp *c, int err)
{
	static const char bare400[] = "SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
	static const char bare513[] = "SIP/2.0 513 Message Too Large\r\nContent-Length: 0\r\n\r\n";
	struct sipmsg *m = NULL;
	const char *why = NULL;
	char *text = NULL;
	size_t len;
	bool big = err == STIR_ETOOBIG;

	if (c->closing || c->draining)
		return;
	c->s->st.malformed++;
	peer_notice(c->s, big ? "TCP message over max_message_bytes or max_headers; closing" :
	    "TCP message does not parse; closing", NULL);
	if (sipmsg_parse(c->buf, c->used, c->s->conf->max_headers, true, &m, &why) == STIR_OK &&
	    sipmsg_fields(m)->is_request && sipmsg_check(m, &why) &&
	    sipmsg_respond(m, big ? 513 : 400, big ? "Message Too Large" : "Bad Request", NULL,
	    NULL, 0, &text, &len) == STIR_OK) {
		tcp_write(c, text, len);
		free(text);
	} else if (big)
		tcp_write(c, bare513, sizeof(bare513) - 1);
	else
		tcp_write(c, bare400, sizeof(bare400) - 1);
	sipmsg_free(m);
	tcp_close_after_write(c);
}

static void
tcp_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct sipd_tcp *c = h->data;
	size_t room = c->s->conf->max_message_bytes - c->used;

	(void)hint;
	if (c->tls != NULL)
		*buf = uv_buf_init(c->cbuf, TLS_READ_BYTES);
	else
		*buf = uv_buf_init(c->buf + c->used, (unsigned)room);
}

/* Frame and handle the plaintext messages in c->buf. */
static void
tcp_feed(struct sipd_tcp *c)
{
	struct sipd *s = c->s;
	size_t max = s->conf->max_message_bytes, mlen = 0;
	int r;

	while (c->used > 0 && !c->closing && !c->draining) {
		if (c->buf[0] == '\r' || c->buf[0] == '\n') {
			size_t k = 0;

			while (k < c->used && (c->buf[k] == '\r' || c->buf[k] == '\n'))
				k++;
			if (k >= 4 && memcmp(c->buf, "\r\n\r\n", 4) == 0) {
				tcp_write(c, "\r\n", 2);	/* keep-alive pong */
				mlen = 4;
			} else if (k < c->used || k >= 4)
				mlen = k;	/* CRLFs before a message are ignored */
			else
				break;		/* a keep-alive, half arrived */
		} else {
			r = sipmsg_frame(c->buf, c->used, max, s->conf->max_headers, &mlen);
			if (r == 0 && c->used >= max)
				r = STIR_ETOOBIG;
			if (r < 0)
				sipd_tcp_refuse(c, r);
			if (r <= 0)
				break;
			sipd_message(s, &(struct sipd_peer){ .l = c->l, .tcp = c, .addr = c->peer },
			    c->buf, mlen);
		}
		memmove(c->buf, c->buf + mlen, c->used - mlen);
		c->used -= mlen;
		c->partial_since = c->last_active;	/* the rest began now */
	}
}

/* TLS: decrypt what arrived (and what was kept) into c->buf, feed it. */
static void
tls_read(struct sipd_tcp *c, const char *cipher, size_t n)
{
	size_t max = c->s->conf->max_message_bytes, got;
	int r;

	do {
		if (c->used == 0)
			c->partial_since = c->last_active;
		r = sipd_tls_input(c->tls, cipher, n, c->buf + c->used, max - c->used, &got);
		n = 0;
		if (r < 0) {
			peer_notice(c->s, "TLS session failed; closing", stir_strerror(r));
			tcp_close(c);
			return;
		}
		c->used += got;
		tcp_feed(c);
		if (r == 1) {
			tcp_close_after_write(c);	/* the peer said close_notify */
			return;
		}
	} while (!c->closing && !c->draining && got > 0 && sipd_tls_pending(c->tls) > 0);
}

static void
tcp_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	struct sipd_tcp *c = st->data;

	(void)b;
	if (n < 0) {
		tcp_close(c);
		return;
	}
	c->last_active = sipd_now(c->s);
	sipd_tcp_ref(c);		/* c lives until the end, closed or not */
	if (c->tls != NULL)
		tls_read(c, c->cbuf, (size_t)n);
	else {
		if (c->used == 0)
			c->partial_since = c->last_active;
		c->used += (size_t)n;
		tcp_feed(c);
	}
	sipd_tcp_unref(c);
}

static void
tcp_accept(uv_stream_t *server, int status)
{
	struct sipd_listener *l = server->data;
	struct sipd *s = l->s;
	struct sipd_tcp *c;

	if (status < 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return;
	c->s = s;
	c->l = l;
	c->refs = 1;
	c->last_active = c->accepted = sipd_now(s);
	if (uv_tcp_init(s->loop, &c->h) != 0) {
		free(c);
		return;
	}
	c->h.data = c;
	c->closing = true;		/* not listed yet */
	if (uv_accept(server, (uv_stream_t *)&c->h) != 0 || s->stopping ||
	    s->nconns >= s->conf->max_connections ||
	    (c->buf = malloc(s->conf->max_message_bytes)) == NULL) {
		if (s->nconns >= s->conf->max_connections)
			peer_notice(s, "TCP connection refused: max_connections reached", NULL);
		uv_close((uv_handle_t *)&c->h, tcp_closed);
		return;
	}
	{
		struct sockaddr_storage ss;
		int len = sizeof(ss);
		char from[80];

		memset(&ss, 0, sizeof(ss));
		if (uv_tcp_getpeername(&c->h, (struct sockaddr *)&ss, &len) != 0 ||
		    !sipd_conf_allowed(s->conf, (struct sockaddr *)&ss)) {
			addr_text((struct sockaddr *)&ss, from, sizeof(from));
			peer_notice(s, "TCP connection from a peer not in allow_from refused", from);
			uv_close((uv_handle_t *)&c->h, tcp_closed);
			return;
		}
		c->peer = ss;
	}
	if (l->cfg->proto == SIPD_TLS &&
	    ((c->cbuf = malloc(TLS_READ_BYTES)) == NULL ||
	    sipd_tls_conn_new(s->tls, tcp_raw_write, c, &c->tls) != STIR_OK)) {
		uv_close((uv_handle_t *)&c->h, tcp_closed);
		return;
	}
	c->closing = false;
	c->next = s->conns;
	if (s->conns != NULL)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	(void)uv_tcp_nodelay(&c->h, 1);
	if (uv_read_start((uv_stream_t *)&c->h, tcp_alloc, tcp_read) != 0)
		tcp_close(c);
}

void
sipd_tcp_sweep(struct sipd *s, uint64_t now)
{
	uint64_t idle = (uint64_t)s->conf->idle_timeout_s * 1000;
	struct sipd_tcp *c, *next;

	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		/* refs > 1: a transaction still owes this connection an answer */
		if (c->refs == 1 && now - c->last_active > idle)
			tcp_close(c);
		else if (c->used > 0 && now - c->partial_since > SIPD_PARTIAL_MS) {
			/* bytes that never become a message hold a buffer */
			peer_notice(s, "TCP message not complete in time; closing", NULL);
			tcp_close(c);
		} else if (c->tls != NULL && !sipd_tls_ready(c->tls) &&
		    now - c->accepted > SIPD_PARTIAL_MS) {
			peer_notice(s, "TLS handshake not complete in time; closing", NULL);
			tcp_close(c);
		}
	}
}

/* ---- UDP ---- */

static void
udp_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct sipd_listener *l = h->data;

	(void)hint;
	*buf = uv_buf_init(l->rbuf, l->s->conf->max_message_bytes + 1);
}

static void
udp_recv(uv_udp_t *h, ssize_t n, const uv_buf_t *buf, const struct sockaddr *addr,
    unsigned flags)
{
	struct sipd_listener *l = h->data;
	struct sipd *s = l->s;
	struct sipd_peer p;
	char from[80];

	if (n <= 0 || addr == NULL)
		return;
	if (!sipd_conf_allowed(s->conf, addr)) {
		/* never answered: a spoofed source must not get our bytes */
		s->st.dropped++;
		addr_text(addr, from, sizeof(from));
		peer_notice(s, "UDP datagram from a peer not in allow_from dropped", from);
		return;
	}
	if ((flags & UV_UDP_PARTIAL) || (size_t)n > s->conf->max_message_bytes) {
		s->st.dropped++;
		addr_text(addr, from, sizeof(from));
		peer_notice(s, "UDP datagram over max_message_bytes dropped", from);
		return;
	}
	buf->base[n] = '\0';		/* rbuf has the room */
	if (strspn(buf->base, "\r\n") >= (size_t)n)
		return;				/* a keep-alive */
	memset(&p, 0, sizeof(p));
	p.l = l;
	memcpy(&p.addr, addr, addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in));
	sipd_message(s, &p, buf->base, (size_t)n);
}

/* ---- listeners ---- */

static int
listen_one(struct sipd *s, struct sipd_listener *l)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss), r;
	char where[80];

	if (l->cfg->proto == SIPD_UDP) {
		if ((r = uv_udp_init(s->loop, &l->h.udp)) != 0)
			return r;
		l->h.udp.data = l;
		l->open = true;
		if ((l->rbuf = malloc(s->conf->max_message_bytes + 1)) == NULL)
			return UV_ENOMEM;
		if ((r = uv_udp_bind(&l->h.udp, (const struct sockaddr *)&l->cfg->addr, 0)) != 0 ||
		    (r = uv_udp_recv_start(&l->h.udp, udp_alloc, udp_recv)) != 0)
			return r;
		r = uv_udp_getsockname(&l->h.udp, (struct sockaddr *)&ss, &len);
	} else {
		if ((r = uv_tcp_init(s->loop, &l->h.tcp)) != 0)
			return r;
		l->h.tcp.data = l;
		l->open = true;
		if ((r = uv_tcp_bind(&l->h.tcp, (const struct sockaddr *)&l->cfg->addr, 0)) != 0 ||
		    (r = uv_listen((uv_stream_t *)&l->h.tcp, TCP_BACKLOG, tcp_accept)) != 0)
			return r;
		r = uv_tcp_getsockname(&l->h.tcp, (struct sockaddr *)&ss, &len);
	}
	if (r != 0)
		return r;
	addr_text((struct sockaddr *)&ss, where, sizeof(where));
	log_notice("listening on %s:%s (mode %s, attest %s)",
	    l->cfg->proto == SIPD_UDP ? "udp" : l->cfg->proto == SIPD_TCP ? "tcp" : "tls", where,
	    l->mode == SIPD_MODE_SIGN ? "sign" : l->mode == SIPD_MODE_VERIFY ? "verify" : "auto",
	    l->attest);
	return 0;
}

int
sipd_listen_all(struct sipd *s)
{
	int r;

	for (size_t i = 0; i < s->conf->nlisten; i++) {
		struct sipd_listener *l = &s->listeners[i];
		const struct sipd_listen *cfg = &s->conf->listen[i];

		l->s = s;
		l->cfg = cfg;
		l->mode = (enum sipd_mode)(cfg->mode >= 0 ? cfg->mode : s->conf->mode);
		l->attest = cfg->attest[0] != '\0' ? cfg->attest : s->conf->attest;
		s->nlisteners++;
		if ((r = listen_one(s, l)) != 0) {
			log_err("cannot listen on %s: %s", cfg->text, uv_strerror(r));
			return STIR_EIO;
		}
	}
	return STIR_OK;
}

static void
listener_closed(uv_handle_t *h)
{
	struct sipd_listener *l = h->data;

	free(l->rbuf);
	l->rbuf = NULL;
}

void
sipd_close_all(struct sipd *s)
{
	for (size_t i = 0; i < s->nlisteners; i++) {
		struct sipd_listener *l = &s->listeners[i];

		if (!l->open)
			continue;
		l->open = false;
		uv_close(l->cfg->proto == SIPD_UDP ? (uv_handle_t *)&l->h.udp :
		    (uv_handle_t *)&l->h.tcp, listener_closed);
	}
	while (s->conns != NULL)
		tcp_close(s->conns);
}
