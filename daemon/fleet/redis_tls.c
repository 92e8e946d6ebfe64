/* redis_tls.c: hiredis's connection to Redis, relayed over TLS (redis_tls.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "stirclient.h"
#include "daemon/base/conf.h"
#include "daemon/base/log.h"
#include "daemon/fleet/redis_tls.h"

#define CHUNK	16384

struct buf {
	char	*data;
	size_t	 len;
};

/* One hiredis connection and its TLS session to Redis. */
struct relay {
	struct stir_redis_tls	*t;
	int			 pfd;		/* plaintext: hiredis's side */
	int			 cfd;		/* ciphertext: TCP to Redis */
	uv_poll_t		 ppoll, cpoll;
	int			 open_handles;
	gnutls_session_t	 s;
	bool			 connected, handshaken, closing;
	size_t			 sending;	/* a record GnuTLS must finish sending */
	struct buf		 up;		/* from hiredis, to encrypt */
	struct buf		 down;		/* decrypted, to hiredis */
};

struct stir_redis_tls {
	uv_loop_t				*loop;
	gnutls_certificate_credentials_t	 cred;
	char					 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int					 lfd;
	uv_poll_t				 lpoll;
	bool					 listening;
	struct relay				*cur;
	char					 host[INET6_ADDRSTRLEN];
	int					 port;
	char					 name[256];	/* checked against the certificate */
	char					 fixed_name[256];	/* redis_tls_name */
	bool					 closing;
};

static void	relay_update(struct relay *x);

static int
buf_add(struct buf *b, const char *p, size_t n)
{
	char *d;

	if ((d = realloc(b->data, b->len + n)) == NULL)
		return STIR_ENOMEM;
	memcpy(d + b->len, p, n);
	b->data = d;
	b->len += n;
	return STIR_OK;
}

static void
buf_take(struct buf *b, size_t n)
{
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

/* ---- a relay's end ---- */

static void
relay_handle_closed(uv_handle_t *h)
{
	struct relay *x = h->data;

	if (--x->open_handles > 0)
		return;
	if (x->s != NULL)
		gnutls_deinit(x->s);
	if (x->pfd >= 0)
		(void)close(x->pfd);
	if (x->cfd >= 0)
		(void)close(x->cfd);
	free(x->up.data);
	free(x->down.data);
	free(x);
}

/* Close both sides: hiredis sees the connection end and reconnects. */
static void
relay_close(struct relay *x, const char *why)
{
	if (x->closing)
		return;
	x->closing = true;
	if (why != NULL)
		log_warn("redis TLS: %s:%d: %s", x->t->host, x->t->port, why);
	if (x->t->cur == x)
		x->t->cur = NULL;
	uv_close((uv_handle_t *)&x->ppoll, relay_handle_closed);
	if (x->open_handles == 2)
		uv_close((uv_handle_t *)&x->cpoll, relay_handle_closed);
}

/* ---- ciphertext: the session ---- */

static void
tls_failed(struct relay *x, const char *what, int r)
{
	char why[300];

	if (r == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
		gnutls_datum_t d = { NULL, 0 };
		unsigned status = gnutls_session_get_verify_cert_status(x->s);

		(void)gnutls_certificate_verification_status_print(status,
		    GNUTLS_CRT_X509, &d, 0);
		snprintf(why, sizeof(why), "%s: the server's certificate: %s", what,
		    d.data != NULL ? (const char *)d.data : "not trusted");
		gnutls_free(d.data);
	} else
		snprintf(why, sizeof(why), "%s: %s", what, gnutls_strerror(r));
	relay_close(x, why);
}

static bool
is_ip(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

static int
session_start(struct relay *x)
{
	struct stir_redis_tls *t = x->t;
	int r;

	if ((r = gnutls_init(&x->s, GNUTLS_CLIENT | GNUTLS_NONBLOCK)) < 0 ||
	    (r = gnutls_set_default_priority(x->s)) < 0 ||
	    (r = gnutls_credentials_set(x->s, GNUTLS_CRD_CERTIFICATE, t->cred)) < 0 ||
	    (!is_ip(t->name) && (r = gnutls_server_name_set(x->s, GNUTLS_NAME_DNS, t->name,
	    strlen(t->name))) < 0))
		return r;
	gnutls_session_set_verify_cert(x->s, t->name, 0);
	gnutls_transport_set_int(x->s, x->cfd);
	return 0;
}

static void
handshake(struct relay *x)
{
	int r = gnutls_handshake(x->s);

	if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
		return;
	if (r < 0) {
		tls_failed(x, "handshake", r);
		return;
	}
	x->handshaken = true;
}

/* Encrypt what hiredis sent, as far as the socket takes it. */
static void
send_up(struct relay *x)
{
	while (!x->closing && (x->sending > 0 || x->up.len > 0)) {
		ssize_t n;

		if (x->sending > 0)	/* GnuTLS resumes the record it kept */
			n = gnutls_record_send(x->s, NULL, 0);
		else {
			x->sending = x->up.len < CHUNK ? x->up.len : CHUNK;
			n = gnutls_record_send(x->s, x->up.data, x->sending);
		}
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			return;
		if (n < 0) {
			tls_failed(x, "send", (int)n);
			return;
		}
		buf_take(&x->up, x->sending);
		x->sending = 0;
	}
}

/* Decrypt what Redis sent, while there is room for it. */
static void
recv_down(struct relay *x)
{
	char tmp[CHUNK];

	while (!x->closing && x->down.len < STIR_REDIS_TLS_BUF) {
		ssize_t n = gnutls_record_recv(x->s, tmp, sizeof(tmp));

		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			return;
		if (n == 0) {
			relay_close(x, NULL);	/* Redis closed */
			return;
		}
		if (n < 0) {
			if (gnutls_error_is_fatal((int)n))
				tls_failed(x, "receive", (int)n);
			continue;
		}
		if (buf_add(&x->down, tmp, (size_t)n) != STIR_OK) {
			relay_close(x, "out of memory");
			return;
		}
	}
}

static void
on_cipher(uv_poll_t *p, int status, int events)
{
	struct relay *x = p->data;
	int err = 0;
	socklen_t len = sizeof(err);

	if (x->closing)
		return;
	if (status < 0) {
		relay_close(x, uv_strerror(status));
		return;
	}
	if (!x->connected) {
		if (getsockopt(x->cfd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
			relay_close(x, strerror(err ? err : errno));
			return;
		}
		x->connected = true;
		if ((err = session_start(x)) < 0) {
			tls_failed(x, "session", err);
			return;
		}
	}
	if (!x->handshaken)
		handshake(x);
	if (x->handshaken && (events & UV_WRITABLE))
		send_up(x);
	if (x->handshaken && (events & UV_READABLE))
		recv_down(x);
	if (x->handshaken)
		send_up(x);
	relay_update(x);
}

/* ---- plaintext: hiredis ---- */

static void
on_plain(uv_poll_t *p, int status, int events)
{
	struct relay *x = p->data;
	char tmp[CHUNK];

	if (x->closing)
		return;
	if (status < 0) {
		relay_close(x, NULL);
		return;
	}
	if (events & UV_READABLE) {
		ssize_t n = read(x->pfd, tmp, sizeof(tmp));

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			relay_close(x, NULL);	/* hiredis closed */
			return;
		}
		if (n > 0 && buf_add(&x->up, tmp, (size_t)n) != STIR_OK) {
			relay_close(x, "out of memory");
			return;
		}
		if (x->handshaken)
			send_up(x);
	}
	if ((events & UV_WRITABLE) && x->down.len > 0) {
		ssize_t n = write(x->pfd, x->down.data, x->down.len);

		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			relay_close(x, NULL);
			return;
		}
		if (n > 0)
			buf_take(&x->down, (size_t)n);
		if (x->handshaken)
			recv_down(x);	/* there is room again */
	}
	relay_update(x);
}

static void
relay_update(struct relay *x)
{
	int pev = 0, cev = 0;

	if (x->closing)
		return;
	if (x->up.len < STIR_REDIS_TLS_BUF)
		pev |= UV_READABLE;
	if (x->down.len > 0)
		pev |= UV_WRITABLE;
	if (!x->connected)
		cev = UV_WRITABLE;
	else if (!x->handshaken)
		cev = gnutls_record_get_direction(x->s) ? UV_WRITABLE : UV_READABLE;
	else {
		if (x->down.len < STIR_REDIS_TLS_BUF)
			cev |= UV_READABLE;
		if (x->sending > 0 || x->up.len > 0)
			cev |= UV_WRITABLE;
	}
	(void)uv_poll_start(&x->ppoll, pev, on_plain);
	(void)uv_poll_start(&x->cpoll, cev, on_cipher);
}

/* ---- the listener ---- */

static int
tcp_connect(const char *host, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) == 0)
		len = sizeof(struct sockaddr_in);
	else if (uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss) == 0)
		len = sizeof(struct sockaddr_in6);
	else
		return -1;
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) != 0 && errno != EINPROGRESS) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

static void
on_accept(uv_poll_t *p, int status, int events)
{
	struct stir_redis_tls *t = p->data;
	struct ucred cr;
	socklen_t len = sizeof(cr);
	struct relay *x;
	int fd;

	(void)events;
	if (status < 0 || (fd = accept4(t->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0)
		return;
	/* only hiredis, in this process */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0 || cr.pid != getpid()) {
		log_warn("redis TLS: refused a connection to %s from pid %d", t->path,
		    (int)cr.pid);
		(void)close(fd);
		return;
	}
	if (t->cur != NULL)
		relay_close(t->cur, NULL);	/* one link at a time */
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		(void)close(fd);
		return;
	}
	x->t = t;
	x->pfd = fd;
	x->cfd = -1;
	if (uv_poll_init(t->loop, &x->ppoll, fd) != 0) {
		(void)close(fd);
		free(x);
		return;
	}
	x->ppoll.data = x;
	x->open_handles = 1;
	t->cur = x;
	if ((x->cfd = tcp_connect(t->host, t->port)) < 0) {
		relay_close(x, strerror(errno));
		return;
	}
	if (uv_poll_init(t->loop, &x->cpoll, x->cfd) != 0) {
		relay_close(x, "cannot watch the socket");
		return;
	}
	x->cpoll.data = x;
	x->open_handles = 2;
	relay_update(x);
}

int
stir_redis_tls_new(uv_loop_t *loop, const struct stir_config *cfg, const char *path,
    struct stir_redis_tls **ret, char *msg, size_t msglen)
{
	struct stir_redis_tls *t;
	struct sockaddr_un sun;
	mode_t old;
	int r;

	*ret = NULL;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(msg, msglen, "redis_tls: the relay socket path %s is too long", path);
		return STIR_EINVAL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return STIR_ENOMEM;
	t->loop = loop;
	t->lfd = -1;
	snprintf(t->path, sizeof(t->path), "%s", path);
	snprintf(t->fixed_name, sizeof(t->fixed_name), "%s", cfg->redis_tls_name);
	if ((r = gnutls_certificate_allocate_credentials(&t->cred)) < 0)
		goto tls;
	if (cfg->redis_tls_ca_file[0] != '\0')
		r = gnutls_certificate_set_x509_trust_file(t->cred, cfg->redis_tls_ca_file,
		    GNUTLS_X509_FMT_PEM);
	else
		r = gnutls_certificate_set_x509_system_trust(t->cred);
	if (r <= 0) {
		snprintf(msg, msglen, "redis_tls_ca_file %s: no certificate could be read (%s)",
		    cfg->redis_tls_ca_file[0] ? cfg->redis_tls_ca_file : "(the system's)",
		    r < 0 ? gnutls_strerror(r) : "empty");
		goto fail;
	}
	if (cfg->redis_tls_cert_file[0] != '\0' && (r = gnutls_certificate_set_x509_key_file(
	    t->cred, cfg->redis_tls_cert_file, cfg->redis_tls_key_file, GNUTLS_X509_FMT_PEM)) < 0) {
		snprintf(msg, msglen, "redis_tls_cert_file %s, redis_tls_key_file %s: %s",
		    cfg->redis_tls_cert_file, cfg->redis_tls_key_file, gnutls_strerror(r));
		goto fail;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	(void)unlink(path);
	old = umask(0177);	/* 0600: stird's alone */
	if ((t->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(t->lfd, (struct sockaddr *)&sun, sizeof(sun)) != 0 || listen(t->lfd, 4) != 0) {
		(void)umask(old);
		snprintf(msg, msglen, "redis_tls: cannot listen at %s: %s", path, strerror(errno));
		goto fail;
	}
	(void)umask(old);
	if (uv_poll_init(loop, &t->lpoll, t->lfd) != 0) {
		snprintf(msg, msglen, "redis_tls: cannot watch %s", path);
		goto fail;
	}
	t->lpoll.data = t;
	t->listening = true;
	(void)uv_poll_start(&t->lpoll, UV_READABLE, on_accept);
	*ret = t;
	return STIR_OK;
 tls:
	snprintf(msg, msglen, "redis_tls: %s", gnutls_strerror(r));
 fail:
	if (t->lfd >= 0) {
		(void)close(t->lfd);
		(void)unlink(path);
	}
	if (t->cred != NULL)
		gnutls_certificate_free_credentials(t->cred);
	free(t);
	return STIR_EINVAL;
}

void
stir_redis_tls_target(struct stir_redis_tls *t, const char *host, int port, const char *name)
{
	snprintf(t->host, sizeof(t->host), "%s", host);
	t->port = port;
	snprintf(t->name, sizeof(t->name), "%s", t->fixed_name[0] ? t->fixed_name : name);
}

const char *
stir_redis_tls_path(const struct stir_redis_tls *t)
{
	return t->path;
}

static void
on_listener_closed(uv_handle_t *h)
{
	struct stir_redis_tls *t = h->data;

	(void)close(t->lfd);
	gnutls_certificate_free_credentials(t->cred);
	free(t);
}

void
stir_redis_tls_free(struct stir_redis_tls *t)
{
	if (t == NULL)
		return;
	t->closing = true;
	if (t->cur != NULL)
		relay_close(t->cur, NULL);
	(void)unlink(t->path);
	uv_close((uv_handle_t *)&t->lpoll, on_listener_closed);
}
