/*
 * sipd_harness.h: the real stird (harness.h) and the real stird-sipd on
 * loopback ports it picks itself, and raw SIP over UDP and TCP from plain
 * sockets, for test_sipd and test_sipd_hostile.
 */
#ifndef STIR_TEST_SIPD_HARNESS_H
#define STIR_TEST_SIPD_HARNESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "harness.h"

#define RURI	"sip:+12125551213@example.com;user=phone"
#define FROM	"<sip:+12155551212@example.com;user=phone>;tag=caller1"
#define SPOOF	"<sip:+12155559999@example.com;user=phone>;tag=caller2"
#define TO	"<sip:+12125551213@example.com;user=phone>"
#define WAIT_MS	5000		/* an answer that does not come (a failure) */
#define QUIET_MS 300		/* nothing should come back: how long we listen */
#define RESP_MAX 32768

extern struct h H;		/* stird, its PKI and x5u server */
extern char out[H_OUT_MAX];	/* stirctl's output */
extern pid_t sipd_pid;
extern int udp_port, tcp_port, tls_port;	/* the door's, from its log */
extern char sipd_log[H_PATH_MAX];
extern int crlf_seen;		/* keep-alive pongs skipped on TCP */

const char *sipd_env(const char *name, const char *dflt);
void	read_file(const char *path, char *buf, size_t len);
/* Start stird-sipd (STIRD_SIPD: another binary or a wrapper) with extra
 * config lines; waits for "ready" and reads its ports from the log. */
void	sipd_start(const char *extra);
/* SIGTERM; the exit status. */
int	sipd_stop(void);
/* stird with the test PKI and a credential whose x5u it serves, the door. */
void	sipd_setup(void);
void	sipd_teardown(void);

int	sock_to(int type, int port);
void	send_all(int fd, const char *buf, size_t len);
/* One UDP datagram, or one TCP response (headers; no body), or -1. */
ssize_t	recv_msg(int fd, bool tcp, char *buf, size_t len, int timeout_ms);
int	code_of(const char *resp);
/* The final response (provisional ones counted into *ret_prov). */
int	final(int fd, bool tcp, char *resp, size_t len, int *ret_prov);
/* The value of the n-th header field name (case-insensitive); static. */
const char *hdr(const char *resp, const char *name, int n);
/* An INVITE (static text) of call-id cid, branch z9hG4bK<br>, From from,
 * with an Identity header when identity is not NULL. */
char	*invite(const char *cid, const char *br, const char *from, const char *identity,
	    bool tcp);
void	send_ack(int fd, const char *cid, const char *br, const char *resp);
/* INVITE over UDP (ACKed) or TCP: the final response code. */
int	udp_invite(const char *from, const char *identity, char *resp, size_t len);
int	tcp_invite(const char *from, const char *identity, char *resp, size_t len);
/* stird's count of signatures made (status, admin socket). */
long long stird_signs(void);
/* Nothing arrives on fd for QUIET_MS. */
bool	quiet(int fd);
/* A 302 of a sign: Contact, one Identity, RFC 3261 8.2.6 copies. */
void	check_302_sign(const char *resp);

#endif
