/*
 * sipd.h: stird-sipd, the SIP redirect front door of stird
 * (doc/sip-redirect.md, stird-sipd(8)).  One libuv loop: UDP and TCP
 * listeners, a transaction table, and a few pipelined connections to
 * stird through libstirclient's non-blocking API.
 *
 *	conf.c		stird-sipd.conf (key table)
 *	sipmsg.c	libosip2: framing, parsing, writing responses
 *	sipmap.c	SIP request <-> stird request and reply (Jansson)
 *	transport.c	listeners, TCP connections, sending
 *	tls.c		GnuTLS sessions of listen_tls connections
 *	tx.c		transactions: retransmissions, ACK, CANCEL, timers
 *	upstream.c	stir_async handles watched with uv_poll
 *	main.c		argv, config, signals, the loop
 */
#ifndef STIRD_SIPD_H
#define STIRD_SIPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <uv.h>

#include "daemon/base/log.h"
#include "client/stird-sipd/sipmap.h"
#include "client/stird-sipd/sipmsg.h"

#define SIPD_MAX_LISTENERS	16
#define SIPD_MAX_ALLOW		64	/* allow_from networks */
#define SIPD_PARTIAL_MS		10000	/* a TCP message must be complete within */
#define SIPD_TX_LINGER_MS	32000	/* a completed INVITE transaction (64*T1) */
#define SIPD_T1_MS		500	/* RFC 3261 timers for retransmitting */
#define SIPD_T2_MS		4000	/* ... a final response over UDP */
#define SIPD_TICK_MS		100	/* the one timer's period */
#define SIPD_DEADLINE_SLACK_MS	1000	/* past deadline_ms, give up on stird */
#define SIPD_RECONNECT_MS	1000	/* retry a lost stird connection */
#define SIPD_TCP_WQ_MAX		(256 * 1024)	/* unsent bytes before a close */
#define SIPD_TX_BUCKETS		1024

enum sipd_proto { SIPD_UDP, SIPD_TCP, SIPD_TLS };

/* ---- configuration (conf.c) ---- */

struct sipd_listen {
	enum sipd_proto		 proto;
	char			 text[80];	/* as written, for logs */
	struct sockaddr_storage	 addr;
	int			 mode;		/* enum sipd_mode; -1: the global one */
	char			 attest[2];	/* "": the global one */
};

/* A network peers may come from: family, address bytes, prefix length. */
struct sipd_net {
	int		 family;
	uint8_t		 addr[16];
	unsigned	 bits;
};

struct sipd_conf {
	char		*path;
	struct sipd_listen listen[SIPD_MAX_LISTENERS];
	size_t		 nlisten;
	struct sipd_net	 allow[SIPD_MAX_ALLOW];	/* none: everyone */
	size_t		 nallow;
	char		*stird_socket;
	unsigned	 upstream_connections;
	unsigned	 deadline_ms;
	int		 mode;		/* enum sipd_mode */
	char		 attest[2];
	char		*attest_header;	/* "" = none */
	int		 on_verify_failure; /* enum sipd_on_failure */
	unsigned	 max_message_bytes;
	unsigned	 max_headers;
	unsigned	 max_connections;
	unsigned	 max_transactions;
	unsigned	 idle_timeout_s;
	unsigned	 retry_after;
	int		 log_level;
	char		*tls_cert;	/* "" = none; needed by listen_tls */
	char		*tls_key;
	char		*tls_client_ca;	/* "" = no client certificate asked */
};

int	sipd_conf_load(const char *path, struct sipd_conf **ret, char *err, size_t errlen);
int	sipd_conf_parse(const char *path, const char *text, size_t len,
	    struct sipd_conf **ret, char *err, size_t errlen);
void	sipd_conf_free(struct sipd_conf *c);
/* May a peer at sa send us anything (allow_from)? */
bool	sipd_conf_allowed(const struct sipd_conf *c, const struct sockaddr *sa);

/* ---- the server ---- */

struct sipd;
struct sipd_tcp;
struct sipd_tls;
struct sipd_tx;
struct upstream;

/* A listener: the socket and what requests arriving on it get. */
struct sipd_listener {
	struct sipd		*s;
	const struct sipd_listen *cfg;
	enum sipd_mode		 mode;
	const char		*attest;
	union {
		uv_udp_t	 udp;
		uv_tcp_t	 tcp;
	} h;
	char			*rbuf;		/* UDP: one datagram, max_message_bytes + 1 */
	bool			 open;
};

/* Where a response goes: the datagram's source, or the TCP connection. */
struct sipd_peer {
	struct sipd_listener	*l;
	struct sockaddr_storage	 addr;		/* UDP: where to; TCP: the peer's */
	struct sipd_tcp		*tcp;		/* TCP: a reference held */
};

struct sipd_stats {
	uint64_t	received, malformed, dropped, retransmissions, acks;
	uint64_t	signs, verifies, answered_503;
};

struct sipd {
	uv_loop_t		*loop;
	struct sipd_conf	*conf;
	struct sipd_listener	 listeners[SIPD_MAX_LISTENERS];
	size_t			 nlisteners;
	uv_timer_t		 tick;
	uv_signal_t		 sigterm, sigint;
	struct sipd_tcp		*conns;		/* open TCP connections */
	size_t			 nconns;
	struct sipd_tx		*tx_bucket[SIPD_TX_BUCKETS];
	struct sipd_tx		*tx_all;	/* every transaction, oldest first */
	struct sipd_tx		*tx_last;
	size_t			 ntx;
	struct upstream		**up;		/* upstream_connections slots */
	struct sipd_tls		*tls;		/* with a listen_tls */
	uint64_t		 last_reconnect;
	struct sipd_stats	 st;
	struct stir_ratelimit	 log_rl;	/* notices about peers */
	bool			 stopping;
};

/* main.c */
uint64_t sipd_now(const struct sipd *s);

/* transport.c */
int	sipd_listen_all(struct sipd *s);
void	sipd_close_all(struct sipd *s);
void	sipd_send(struct sipd *s, const struct sipd_peer *p, const char *buf, size_t len);
void	sipd_tcp_ref(struct sipd_tcp *c);
void	sipd_tcp_unref(struct sipd_tcp *c);
void	sipd_tcp_sweep(struct sipd *s, uint64_t now);
/* A message on c that cannot be handled: 400 (or 513 for STIR_ETOOBIG),
 * then the connection closes once that is written. */
void	sipd_tcp_refuse(struct sipd_tcp *c, int err);
/* Handle one message (tx.c): from a listener, with where to answer. */
void	sipd_message(struct sipd *s, const struct sipd_peer *p, const char *buf, size_t len);

/* tx.c */
void	sipd_tx_tick(struct sipd *s, uint64_t now);
void	sipd_tx_free_all(struct sipd *s);

/* upstream.c */
typedef void (*upstream_cb)(void *arg, int err, const char *errmsg, const char *result);
int	upstream_init(struct sipd *s);
/* Queue op with params; on success *ret_slot and *ret_id name it for cancel. */
int	upstream_call(struct sipd *s, const char *op, const char *params, upstream_cb cb,
	    void *arg, int *ret_slot, long long *ret_id);
void	upstream_cancel(struct sipd *s, int slot, long long id);
void	upstream_tick(struct sipd *s, uint64_t now);
void	upstream_close_all(struct sipd *s);

#endif
