/*
 * harness.h: the component test harness.  It builds, in this process and
 * without starting the daemon, what stir_server_init() and
 * stir_server_listen() would: a libuv loop; a struct stir_server filled
 * by hand with stird's op table (ops/ops.c); a state (core/state.h) read
 * the daemon's way, by stir_server_load() and stir_server_install(), from
 * a real SQLite store in a temporary directory holding the suite's test
 * PKI (scripts/mkpki.sh): the root CA as trust anchor, and credential
 * "sp" (sp-chain.pem, x5u CH_X5U) on key "sp"; the work queue, the store
 * thread, a vmemo, and the certificate cache over the scripted fetcher
 * (fake_fetch.h).  Keys are held by the fake signer (fake_signer.h); no
 * signer process runs.
 *
 * Requests go in as JSON lines on a real connection: a listener on a
 * socket in the temporary directory hands it to stir_conn_accept(), and
 * the test holds the other end; replies are read back, in the order they
 * arrive.  Nothing here waits on the clock: ch_run_until() turns the loop
 * until a condition holds, and a watchdog only turns a hang into a
 * failure.
 */
#ifndef STIR_COMPONENT_HARNESS_H
#define STIR_COMPONENT_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <uv.h>

#include "daemon/core/server.h"

#define CH_X5U		"https://cert.example.org/sp-chain.pem"
#define CH_CRED		"sp"
#define CH_REPLIES_MAX	128
#define CH_WATCHDOG_MS	120000	/* a wait longer than this is a hang (valgrind included) */

struct fake_signer;

struct ch {
	char			*dir;		/* the temporary directory */
	const char		*pki;		/* the suite's test PKI (borrowed) */
	uv_loop_t		 loop;
	struct stir_server	 srv;
	struct fake_signer	*signer;	/* srv.signer, the test's handle on it */
	struct stir_fetcher	*fetcher;	/* srv.fetcher: the scripted one */
	uv_pipe_t		 client;	/* the test's end of the connection */
	char			*in;		/* reply bytes not yet a whole line */
	size_t			 inlen;
	json_t			*replies[CH_REPLIES_MAX];	/* in arrival order */
	size_t			 nreplies;
	uv_timer_t		 watchdog;
	bool			 expired;
	bool			 eof;
};

/*
 * Build it all; conf_extra (or NULL) is appended to the configuration
 * text (stird.conf lines).  Fails the test on any error.
 */
void	ch_init(struct ch *h, const char *pki, const char *conf_extra);
/*
 * Stop as stird stops (stir_server_stop(), the loop run out,
 * stir_server_done()) and free everything.  Nothing may be in flight.
 */
void	ch_done(struct ch *h);

/* Send one request (stolen; encoded as one line). */
void	ch_request(struct ch *h, json_t *req);
/* Turn the loop until pred(h, arg) holds; what names it if it never does. */
void	ch_run_until(struct ch *h, bool (*pred)(struct ch *h, void *arg), void *arg,
	    const char *what);
/* Turn the loop until n replies have arrived in all. */
void	ch_wait_replies(struct ch *h, size_t n);
/* Turn the loop until url has been fetched n times in all. */
void	ch_wait_fetches(struct ch *h, const char *url, unsigned n);
/* The reply to request id, waited for (borrowed until ch_done()). */
json_t	*ch_reply(struct ch *h, json_int_t id);
/* The place of id's reply in arrival order, or -1 if none came yet. */
int	ch_reply_index(const struct ch *h, json_int_t id);
/* j as compact JSON, for failure messages (a static buffer). */
const char *ch_text(const json_t *j);

/* Serve the chain of credential "sp" at CH_X5U, with that Cache-Control. */
void	ch_serve_chain(struct ch *h, const char *cache_control);
/*
 * Sign a shaken PASSporT (attest A) from orig to dest as request id and
 * return its Identity value (free()); the test fails if it cannot.
 */
char	*ch_sign(struct ch *h, json_int_t id, const char *orig, const char *dest);
/* Send a verify request for the Identity values ids (NULL-ended). */
void	ch_verify_send(struct ch *h, json_int_t id, const char *from, const char *to,
	    const char *const *ids);
/*
 * Install, as a reload would, a state whose trust list holds the PEM
 * files of the PKI named (none: an empty list); the rest is kept.
 */
void	ch_install_trust(struct ch *h, const char *const *pem_files, size_t n);

/* Fields of a verify reply: result.verstat, result.error.code (0 if none). */
const char *ch_verstat(const json_t *reply);
int	ch_code(const json_t *reply);
/* identities[i].error.code (0 if none) and identities[i].valid. */
int	ch_id_code(const json_t *reply, size_t i);
bool	ch_id_valid(const json_t *reply, size_t i);

#endif
