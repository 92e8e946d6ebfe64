/*
 * harness.h: run the real stird in a temporary directory for integration
 * tests: a test PKI from scripts/mkpki.sh, a config, sockets and a SQLite
 * file of its own, driven by stirctl, libstirclient and raw socket lines.
 */
#ifndef STIR_TEST_HARNESS_H
#define STIR_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <check.h>

#define H_PATH_MAX	512
#define H_OUT_MAX	(2 * 1024 * 1024)

struct h {
	char	dir[64];		/* temp dir, removed by h_teardown */
	char	pki[H_PATH_MAX];	/* dir/pki: see scripts/mkpki.sh */
	char	conf[H_PATH_MAX];
	char	sock[H_PATH_MAX];
	char	admin[H_PATH_MAX];
	char	db[H_PATH_MAX];
	char	keys[H_PATH_MAX];
	char	log[H_PATH_MAX];
	pid_t	pid;			/* running stird, or 0 */
	pid_t	https_pid;		/* test x5u server, or 0 */
	int	https_port;
	char	www[H_PATH_MAX];	/* what it serves: dir/www */
};

/* Make the temp dir and PKI and write the default config plus extra lines. */
void	h_init(struct h *h, const char *extra_conf);
/* Rewrite the config (default lines plus extra). */
void	h_write_conf(struct h *h, const char *extra_conf);
/* Start stird; returns true once it answers on its socket. */
bool	h_start(struct h *h);
/*
 * Start stird under systemd-socket-activate, which listens on the two
 * socket paths and passes them as fds named "client" and "admin".
 */
bool	h_start_activated(struct h *h);
/*
 * Start tests/https-server.py on 127.0.0.1 (a free port) serving h->www
 * with the PKI's web certificate; h->https_port is the port.
 */
bool	h_https_start(struct h *h);
void	h_https_stop(struct h *h);
/* Copy pki/name into www/name. */
void	h_publish(struct h *h, const char *name);
/* Start stird and expect it to exit with a failure; returns its status. */
int	h_start_fails(struct h *h);
/* SIGTERM and wait: returns the exit status (or -1 if it did not exit). */
int	h_stop(struct h *h);
void	h_teardown(struct h *h);
/*
 * Run "stirctl -c CONF ARGS" through sh -c (ARGS is shell text), optionally
 * as another user via the prefix (e.g. "setpriv ... ").  Captures stdout
 * into out (may be NULL) and returns the exit status.
 */
int	h_ctl(struct h *h, const char *prefix, char *out, size_t outlen,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Run a shell command; captures stdout; returns the exit status. */
int	h_sh(char *out, size_t outlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * Write input to the socket at path, half-close, and read everything the
 * daemon answers until it closes.  Returns the bytes read (NUL-terminated
 * in out), or -1.
 */
ssize_t	h_raw(const char *path, const char *input, size_t len, char *out,
	    size_t outlen, int timeout_ms);
/* A connected stream socket to path, or -1. */
int	h_connect(const char *path);
/* The last line of s (trailing newlines cut, in place). */
char	*h_last_line(char *s);
/* Count occurrences of needle in hay. */
int	h_count(const char *hay, const char *needle);
/* Add the test CA and the sp credential (key file) through stirctl. */
void	h_provision(struct h *h);
/* The log so far, read into out. */
void	h_read_log(struct h *h, char *out, size_t outlen);
/*
 * Write the config of a verifying daemon: the test HTTPS server's CA for
 * x5u fetches, loopback allowed, short timeouts, no minimum cache time,
 * plus the extra lines.
 */
void	h_verifier_conf(struct h *h, const char *extra_conf);
/*
 * A JWS "header.payload.signature" over the header and payload texts,
 * signed ES256 with the PKI's key_file outside stird, followed by params
 * (";info=<...>;alg=ES256;ppt=..."); free() it.
 */
char	*h_jws(const struct h *h, const char *key_file, const char *header,
	    const char *payload, const char *params);
#define H_SOFTHSM_MODULE	"/usr/lib/softhsm/libsofthsm2.so"
/*
 * A SoftHSM2 token "stirtest" in dir/tokens (SOFTHSM2_CONF is set) with
 * an EC P-256 key "k1" under pin, and dir/hsm.pem, dir/hsm-chain.pem: a
 * certificate for it from the test PKI.  False if SoftHSM2 or p11tool is
 * missing and STIR_ALLOW_NO_SOFTHSM is set (else that fails the test).
 */
bool	h_softhsm(struct h *h, const char *pin);
/* Run a Check suite; the exit status for main(). */
int	h_run(Suite *s);

#endif
