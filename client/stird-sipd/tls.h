/*
 * tls.h: SIP over TLS (RFC 3261 section 26.2) for stird-sipd's TCP
 * connections; tls.c is the only file of the door that calls GnuTLS.
 * A connection's ciphertext arrives through sipd_tls_input(), which
 * decrypts what it can; records to send leave through the push callback.
 */
#ifndef STIRD_TLS_H
#define STIRD_TLS_H

#include <stdbool.h>
#include <stddef.h>

#define SIPD_TLS_CIPHER_MAX	(64 * 1024)	/* ciphertext waiting to be read */

struct sipd_tls;		/* credentials: certificate, key, client CA */
struct sipd_tls_conn;

/* Write n bytes of ciphertext to the peer; returns 0 or -1. */
typedef int (*sipd_tls_push)(void *arg, const void *data, size_t n);

/* Load cert/key (PEM) and, when client_ca is not NULL, require clients to
 * present a certificate chaining to it.  *err gets the reason. */
int	sipd_tls_new(const char *cert, const char *key, const char *client_ca,
	    struct sipd_tls **ret, char *err, size_t errlen);
void	sipd_tls_free(struct sipd_tls *t);

int	sipd_tls_conn_new(struct sipd_tls *t, sipd_tls_push push, void *arg,
	    struct sipd_tls_conn **ret);
void	sipd_tls_conn_free(struct sipd_tls_conn *c);
/*
 * Take n bytes of ciphertext (n may be 0: continue with what is kept),
 * and decrypt into plain (room bytes).  *ret_plain: bytes written.
 * Returns 0, 1 when the peer closed, or a negative STIR_E* when the
 * session failed (handshake, a bad record, too much ciphertext kept).
 */
int	sipd_tls_input(struct sipd_tls_conn *c, const char *cipher, size_t n,
	    char *plain, size_t room, size_t *ret_plain);
/* Encrypt and push n bytes; STIR_EIO if the session cannot send. */
int	sipd_tls_send(struct sipd_tls_conn *c, const char *data, size_t n);
/* Has the handshake completed? */
bool	sipd_tls_ready(const struct sipd_tls_conn *c);
/* Ciphertext kept but not yet decrypted (more may come out of it). */
size_t	sipd_tls_pending(const struct sipd_tls_conn *c);

#endif
