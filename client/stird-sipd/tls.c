/*
 * tls.c: GnuTLS for stird-sipd's TLS listeners (tls.h).  The session is
 * non-blocking and never touches the socket: its pull function reads from
 * the ciphertext the loop handed in, its push function gives records to
 * the loop to write.  Default priorities (the system's policy), TLS 1.2
 * and later; with a client CA, a client certificate chaining to it is
 * required (mutual TLS, as SIP trunks use).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "client/stird-sipd/tls.h"

#define TLS_PRIORITY	"NORMAL:-VERS-TLS1.0:-VERS-TLS1.1:-VERS-DTLS1.0"

struct sipd_tls {
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t	 prio;
	bool			 require_client;
};

struct sipd_tls_conn {
	gnutls_session_t	 s;
	sipd_tls_push		 push;
	void			*arg;
	char			*in;		/* ciphertext not yet pulled */
	size_t			 inlen;
	bool			 handshaken;
};

void
sipd_tls_free(struct sipd_tls *t)
{
	if (t == NULL)
		return;
	if (t->prio != NULL)
		gnutls_priority_deinit(t->prio);
	if (t->cred != NULL)
		gnutls_certificate_free_credentials(t->cred);
	free(t);
}

int
sipd_tls_new(const char *cert, const char *key, const char *client_ca,
    struct sipd_tls **ret, char *err, size_t errlen)
{
	struct sipd_tls *t;
	int r;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return STIR_ENOMEM;
	if ((r = gnutls_certificate_allocate_credentials(&t->cred)) < 0 ||
	    (r = gnutls_priority_init(&t->prio, TLS_PRIORITY, NULL)) < 0) {
		snprintf(err, errlen, "TLS: %s", gnutls_strerror(r));
		goto fail;
	}
	if ((r = gnutls_certificate_set_x509_key_file2(t->cred, cert, key,
	    GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
		snprintf(err, errlen, "tls_cert/tls_key '%s', '%s': %s", cert, key,
		    gnutls_strerror(r));
		goto fail;
	}
	if (client_ca != NULL) {
		if ((r = gnutls_certificate_set_x509_trust_file(t->cred, client_ca,
		    GNUTLS_X509_FMT_PEM)) <= 0) {
			snprintf(err, errlen, "tls_client_ca '%s': %s", client_ca,
			    r == 0 ? "no certificate in it" : gnutls_strerror(r));
			goto fail;
		}
		t->require_client = true;
	}
	*ret = t;
	return STIR_OK;
 fail:
	sipd_tls_free(t);
	return STIR_EINVAL;
}

static ssize_t
pull(gnutls_transport_ptr_t ptr, void *data, size_t len)
{
	struct sipd_tls_conn *c = ptr;
	size_t n = len < c->inlen ? len : c->inlen;

	if (n == 0) {
		gnutls_transport_set_errno(c->s, EAGAIN);
		return -1;
	}
	memcpy(data, c->in, n);
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
	return (ssize_t)n;
}

static ssize_t
push(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	struct sipd_tls_conn *c = ptr;

	if (c->push(c->arg, data, len) != 0) {
		gnutls_transport_set_errno(c->s, EPIPE);
		return -1;
	}
	return (ssize_t)len;
}

int
sipd_tls_conn_new(struct sipd_tls *t, sipd_tls_push pushf, void *arg,
    struct sipd_tls_conn **ret)
{
	struct sipd_tls_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->in = malloc(SIPD_TLS_CIPHER_MAX)) == NULL) {
		free(c);
		return STIR_ENOMEM;
	}
	c->push = pushf;
	c->arg = arg;
	if (gnutls_init(&c->s, GNUTLS_SERVER | GNUTLS_NONBLOCK) < 0) {
		free(c->in);
		free(c);
		return STIR_ENOMEM;
	}
	if (gnutls_priority_set(c->s, t->prio) < 0 ||
	    gnutls_credentials_set(c->s, GNUTLS_CRD_CERTIFICATE, t->cred) < 0) {
		sipd_tls_conn_free(c);
		return STIR_ECRYPTO;
	}
	if (t->require_client) {
		gnutls_certificate_server_set_request(c->s, GNUTLS_CERT_REQUIRE);
		gnutls_session_set_verify_cert(c->s, NULL, 0);
	}
	gnutls_transport_set_ptr(c->s, c);
	gnutls_transport_set_pull_function(c->s, pull);
	gnutls_transport_set_push_function(c->s, push);
	*ret = c;
	return STIR_OK;
}

void
sipd_tls_conn_free(struct sipd_tls_conn *c)
{
	if (c == NULL)
		return;
	gnutls_deinit(c->s);
	free(c->in);
	free(c);
}

bool
sipd_tls_ready(const struct sipd_tls_conn *c)
{
	return c->handshaken;
}

size_t
sipd_tls_pending(const struct sipd_tls_conn *c)
{
	return c->inlen + gnutls_record_check_pending(c->s);
}

int
sipd_tls_input(struct sipd_tls_conn *c, const char *cipher, size_t n, char *plain,
    size_t room, size_t *ret_plain)
{
	size_t got = 0;
	int r;

	*ret_plain = 0;
	if (n > SIPD_TLS_CIPHER_MAX - c->inlen)
		return STIR_ETOOBIG;
	memcpy(c->in + c->inlen, cipher, n);
	c->inlen += n;
	if (!c->handshaken) {
		r = gnutls_handshake(c->s);
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			return 0;
		if (r < 0) {
			log_info("TLS handshake failed: %s", gnutls_strerror(r));
			return STIR_ECRYPTO;
		}
		c->handshaken = true;
	}
	while (got < room) {
		ssize_t k = gnutls_record_recv(c->s, plain + got, room - got);

		if (k > 0) {
			got += (size_t)k;
			continue;
		}
		if (k == 0) {
			*ret_plain = got;
			return 1;		/* close_notify */
		}
		if (k == GNUTLS_E_AGAIN || k == GNUTLS_E_INTERRUPTED)
			break;
		if (k == GNUTLS_E_REHANDSHAKE)
			continue;		/* refused by not answering; go on */
		log_info("TLS record failed: %s", gnutls_strerror((int)k));
		return STIR_ECRYPTO;
	}
	*ret_plain = got;
	return 0;
}

int
sipd_tls_send(struct sipd_tls_conn *c, const char *data, size_t n)
{
	int again = 0;

	while (n > 0) {
		ssize_t k;

		if (!c->handshaken)
			return STIR_EIO;
		k = gnutls_record_send(c->s, data, n);
		/* push never says EAGAIN (the loop queues), so this is rare */
		if ((k == GNUTLS_E_AGAIN || k == GNUTLS_E_INTERRUPTED) && again++ < 8)
			continue;
		if (k < 0)
			return STIR_EIO;
		data += k;
		n -= (size_t)k;
	}
	return STIR_OK;
}
