/* harness.c: see harness.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "daemon/stir/passport.h"
#include "harness.h"

static const char *
env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : dflt;
}

void
h_write_conf(struct h *h, const char *extra)
{
	FILE *f = fopen(h->conf, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "# written by the integration tests\n"
	    "socket = %s\nadmin_socket = %s\ndatabase = %s\nkey_dir = %s\n"
	    "log_level = debug\nthreads = 2\nadmin_socket_mode = 0666\n%s\n",
	    h->sock, h->admin, h->db, h->keys, extra ? extra : "");
	fclose(f);
}

/*
 * The test PKI, made once per `make check` (STIR_TEST_PKI) or else once
 * per test program by scripts/mkpki.sh (about a second of certtool and
 * openssl), and copied into each test's directory:
 * every test still gets its own files, made at test time.  Check forks a
 * child per test, so the copy is kept where every child finds it, under
 * the pid of the process that started (recorded before any fork) and
 * removed when that process exits.
 */
static pid_t pki_owner;
static char pki_master[64];

static void
pki_master_remove(void)
{
	struct stat st;
	char out[256];

	/* only the first process, and only if a test made it */
	if (getpid() == pki_owner && stat(pki_master, &st) == 0)
		(void)h_sh(out, sizeof(out), "rm -rf '%s'", pki_master);
}

__attribute__((constructor)) static void
pki_master_init(void)
{
	pki_owner = getpid();
	snprintf(pki_master, sizeof(pki_master), "/tmp/stird-test-pki.%ld", (long)pki_owner);
	(void)atexit(pki_master_remove);
}

/* A fresh copy of the program's test PKI in dir (made on first use). */
static int
pki_copy(const char *dir, char *out, size_t outlen)
{
	const char *shared = getenv("STIR_TEST_PKI");	/* make check's (Makefile.am) */
	struct stat st;
	int rc = 0;

	if (shared != NULL && shared[0] == '/' && stat(shared, &st) == 0 && S_ISDIR(st.st_mode))
		return h_sh(out, outlen, "rm -rf '%s' && cp -a '%s' '%s' 2>&1", dir, shared, dir);
	if (stat(pki_master, &st) != 0) {
		/* made aside, then renamed: a child killed meanwhile leaves no half PKI */
		rc = h_sh(out, outlen, "t='%s.'$$ && rm -rf \"$t\" && sh '%s/scripts/mkpki.sh' \"$t\" 2>&1"
		    " && { mv -T \"$t\" '%s' 2>/dev/null || rm -rf \"$t\"; }",
		    pki_master, env_or("top_srcdir", "."), pki_master);
		if (rc != 0)
			return rc;
	}
	return h_sh(out, outlen, "rm -rf '%s' && cp -a '%s' '%s' 2>&1", dir, pki_master, dir);
}

void
h_init(struct h *h, const char *extra)
{
	char out[4096];
	int rc;

	memset(h, 0, sizeof(*h));
	snprintf(h->dir, sizeof(h->dir), "/tmp/stird-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(h->dir));
	(void)chmod(h->dir, 0755);	/* tests run stirctl as nobody too */
	snprintf(h->pki, sizeof(h->pki), "%s/pki", h->dir);
	snprintf(h->conf, sizeof(h->conf), "%s/stird.conf", h->dir);
	snprintf(h->sock, sizeof(h->sock), "%s/stird.sock", h->dir);
	snprintf(h->admin, sizeof(h->admin), "%s/admin.sock", h->dir);
	snprintf(h->db, sizeof(h->db), "%s/stird.db", h->dir);
	snprintf(h->keys, sizeof(h->keys), "%s/keys", h->dir);
	snprintf(h->log, sizeof(h->log), "%s/stird.log", h->dir);
	snprintf(h->www, sizeof(h->www), "%s/www", h->dir);
	ck_assert_int_eq(mkdir(h->www, 0755), 0);
	ck_assert_int_eq(mkdir(h->keys, 0700), 0);
	for (int tries = 0; tries < 2; tries++) {
		rc = pki_copy(h->pki, out, sizeof(out));
		if (rc == 0)
			break;
		fprintf(stderr, "mkpki.sh failed (%d), try %d: %s\n", rc, tries + 1, out);
	}
	ck_assert_msg(rc == 0, "mkpki.sh failed (%d): %s", rc, out);
	(void)chmod(h->pki, 0755);
	h_write_conf(h, extra);
}

static bool
socket_answers(const char *path)
{
	struct sockaddr_un sun;
	int fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return false;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	return rc == 0;
}

static pid_t
spawn_stird_argv(struct h *h, char *const argv[])
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(h->log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		/* a failed test must not leave a daemon behind */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd >= 0) {
			(void)dup2(fd, 2);
			(void)dup2(fd, 1);
			close(fd);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static pid_t
spawn_stird(struct h *h)
{
	char prog[H_PATH_MAX], opt[] = "-c";
	char *argv[] = { prog, opt, h->conf, NULL };

	snprintf(prog, sizeof(prog), "%s", env_or("STIRD", "./stird"));
	return spawn_stird_argv(h, argv);
}

bool
h_start_activated(struct h *h)
{
	char l1[H_PATH_MAX + 16], l2[H_PATH_MAX + 16], prog[H_PATH_MAX];
	char e1[H_PATH_MAX + 16], e2[H_PATH_MAX + 16];
	char act[] = "systemd-socket-activate", names[] = "--fdname=client:admin", opt[] = "-c";
	/* the activator clears the environment: pass on what a wrapper
	 * (tests/valgrind-stird.sh) needs to find the real stird */
	char *argv[] = { act, l1, l2, names, e1, e2, prog, opt, h->conf, NULL };

	snprintf(e1, sizeof(e1), "--setenv=top_builddir=%s", env_or("top_builddir", "."));
	snprintf(e2, sizeof(e2), "--setenv=top_srcdir=%s", env_or("top_srcdir", "."));
	snprintf(prog, sizeof(prog), "%s", env_or("STIRD", "./stird"));
	snprintf(l1, sizeof(l1), "--listen=%s", h->sock);
	snprintf(l2, sizeof(l2), "--listen=%s", h->admin);
	h->pid = spawn_stird_argv(h, argv);
	/* the first connection starts stird (slowly under valgrind): wait
	 * until stird itself answers, not just the activator's socket */
	for (int i = 0; i < 300; i++) {
		if (socket_answers(h->sock) &&
		    h_ctl(h, NULL, NULL, 0, "--timeout 2000 --socket '%s' ping >/dev/null 2>&1",
		    h->sock) == 0)
			return true;
		usleep(100000);
	}
	return false;
}

bool
h_start(struct h *h)
{
	int status;

	h->pid = spawn_stird(h);
	for (int i = 0; i < 500; i++) {		/* up to 10 s (sanitizer builds) */
		if (socket_answers(h->sock) && socket_answers(h->admin))
			return true;
		if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
			h->pid = 0;
			return false;
		}
		usleep(20000);
	}
	return false;
}

int
h_start_fails(struct h *h)
{
	pid_t pid = spawn_stird(h);
	int status;

	for (int i = 0; i < 500; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		usleep(20000);
	}
	kill(pid, SIGKILL);
	(void)waitpid(pid, &status, 0);
	return -1;
}

int
h_stop(struct h *h)
{
	int status;

	if (h->pid <= 0)
		return -1;
	kill(h->pid, SIGTERM);
	for (int i = 0; i < 1000; i++) {
		if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
			h->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		usleep(10000);
	}
	kill(h->pid, SIGKILL);
	(void)waitpid(h->pid, &status, 0);
	h->pid = 0;
	return -1;
}

bool
h_https_start(struct h *h)
{
	char cmd[H_PATH_MAX * 4], line[64];
	FILE *p;
	int fds[2];
	pid_t pid;

	if (pipe(fds) != 0)
		return false;
	if ((pid = fork()) < 0)
		return false;
	if (pid == 0) {
		char log[H_PATH_MAX + 16], cert[H_PATH_MAX + 16], key[H_PATH_MAX + 16];
		int fd;

		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		snprintf(log, sizeof(log), "%s/https.log", h->dir);
		if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644)) >= 0)
			(void)dup2(fd, 2);
		(void)dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		snprintf(cmd, sizeof(cmd), "%s/tests/https-server.py", env_or("top_srcdir", "."));
		snprintf(cert, sizeof(cert), "%s/web.pem", h->pki);
		snprintf(key, sizeof(key), "%s/web.key", h->pki);
		execlp("python3", "python3", cmd, "--dir", h->www, "--cert", cert,
		    "--key", key, "--port", "0", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	h->https_pid = pid;
	p = fdopen(fds[0], "r");
	if (p == NULL || fgets(line, sizeof(line), p) == NULL) {
		if (p != NULL)
			fclose(p);
		return false;
	}
	fclose(p);
	h->https_port = atoi(line);
	return h->https_port > 0;
}

void
h_https_stop(struct h *h)
{
	int status;

	if (h->https_pid <= 0)
		return;
	kill(h->https_pid, SIGTERM);
	(void)waitpid(h->https_pid, &status, 0);
	h->https_pid = 0;
}

void
h_publish(struct h *h, const char *name)
{
	ck_assert_int_eq(h_sh(NULL, 0, "cp '%s/%s' '%s/%s'", h->pki, name, h->www, name), 0);
}

void
h_teardown(struct h *h)
{
	char out[64];

	h_https_stop(h);
	/* under valgrind (tests/valgrind-stird.sh) an error exits 99 */
	if (h->pid > 0)
		ck_assert_msg(h_stop(h) != 99, "stird under valgrind reported errors (see the log)");
	if (getenv("STIR_TEST_KEEP") == NULL && h->dir[0] != '\0')
		(void)h_sh(out, sizeof(out), "rm -rf '%s'", h->dir);
}

static int
run_capture(const char *cmd, char *out, size_t outlen)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int status;

	if (p == NULL)
		return -1;
	if (out != NULL && outlen > 0) {
		size_t got;

		while (n + 1 < outlen && (got = fread(out + n, 1, outlen - 1 - n, p)) > 0)
			n += got;
		out[n] = '\0';
	}
	{
		char sink[4096];

		while (fread(sink, 1, sizeof(sink), p) > 0)
			;
	}
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
h_sh(char *out, size_t outlen, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return run_capture(cmd, out, outlen);
}

int
h_ctl(struct h *h, const char *prefix, char *out, size_t outlen, const char *fmt, ...)
{
	char args[6144], cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s '%s' -c '%s' %s", prefix ? prefix : "",
	    env_or("STIRCTL", "./stirctl"), h->conf, args);
	return run_capture(cmd, out, outlen);
}

ssize_t
h_raw(const char *path, const char *input, size_t len, char *out, size_t outlen,
    int timeout_ms)
{
	struct sockaddr_un sun;
	struct pollfd pfd;
	size_t off = 0, n = 0;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(fd);
		return -1;
	}
	while (off < len) {
		ssize_t w = send(fd, input + off, len - off, MSG_NOSIGNAL);

		if (w <= 0)
			break;		/* the daemon may close early (ETOOBIG) */
		off += (size_t)w;
	}
	(void)shutdown(fd, SHUT_WR);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (n + 1 < outlen && poll(&pfd, 1, timeout_ms) > 0) {
		ssize_t r = recv(fd, out + n, outlen - 1 - n, 0);

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	close(fd);
	return (ssize_t)n;
}

int
h_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

char *
h_last_line(char *s)
{
	size_t n = strlen(s);
	char *p;

	while (n > 0 && s[n - 1] == '\n')
		s[--n] = '\0';
	p = strrchr(s, '\n');
	return p ? p + 1 : s;
}

int
h_count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

void
h_provision(struct h *h)
{
	char out[4096];

	ck_assert_int_eq(h_ctl(h, NULL, out, sizeof(out), "trust add '%s/ca.pem'", h->pki), 0);
	ck_assert_int_eq(h_ctl(h, NULL, out, sizeof(out),
	    "cred add sp --key '%s/sp.key' --chain '%s/sp-chain.pem' --x5u https://cert.example.org/sp.pem",
	    h->pki, h->pki), 0);
}

void
h_read_log(struct h *h, char *out, size_t outlen)
{
	FILE *f = fopen(h->log, "r");
	size_t n = 0;

	out[0] = '\0';
	if (f == NULL)
		return;
	n = fread(out, 1, outlen - 1, f);
	out[n] = '\0';
	fclose(f);
}

void
h_verifier_conf(struct h *h, const char *extra_conf)
{
	char extra[H_PATH_MAX + 4096];

	snprintf(extra, sizeof(extra), "x5u_ca_file = %s/web-ca.pem\nx5u_allow_private = yes\n"
	    "fetch_timeout_ms = 1500\ncache_min_ttl = 0\n%s", h->pki, extra_conf ? extra_conf : "");
	h_write_conf(h, extra);
}

char *
h_jws(const struct h *h, const char *key_file, const char *header, const char *payload,
    const char *params)
{
	gnutls_datum_t pem = { NULL, 0 }, data, sig = { NULL, 0 }, r = { NULL, 0 }, s = { NULL, 0 };
	gnutls_privkey_t pk;
	char key[H_PATH_MAX * 2], *h64, *p64, *s64, *tbs, *res;
	uint8_t raw[64];
	size_t rl, sl;

	snprintf(key, sizeof(key), "%s/%s", h->pki, key_file);
	ck_assert_int_ge(gnutls_load_file(key, &pem), 0);
	ck_assert_int_ge(gnutls_privkey_init(&pk), 0);
	ck_assert_int_ge(gnutls_privkey_import_x509_raw(pk, &pem, GNUTLS_X509_FMT_PEM, NULL, 0), 0);
	h64 = stir_b64url_encode((const uint8_t *)header, strlen(header));
	p64 = stir_b64url_encode((const uint8_t *)payload, strlen(payload));
	ck_assert_ptr_nonnull(tbs = malloc(strlen(h64) + strlen(p64) + 2));
	sprintf(tbs, "%s.%s", h64, p64);
	data.data = (unsigned char *)tbs;
	data.size = (unsigned)strlen(tbs);
	ck_assert_int_ge(gnutls_privkey_sign_data2(pk, GNUTLS_SIGN_ECDSA_SHA256, 0, &data, &sig), 0);
	ck_assert_int_ge(gnutls_decode_rs_value(&sig, &r, &s), 0);
	/* DER integers to JWS r||s: left-padded 32-byte halves */
	memset(raw, 0, sizeof(raw));
	rl = r.size > 32 ? 32 : r.size;
	sl = s.size > 32 ? 32 : s.size;
	memcpy(raw + 32 - rl, r.data + r.size - rl, rl);
	memcpy(raw + 64 - sl, s.data + s.size - sl, sl);
	s64 = stir_b64url_encode(raw, 64);
	ck_assert_ptr_nonnull(res = malloc(strlen(tbs) + strlen(s64) + strlen(params) + 2));
	sprintf(res, "%s.%s%s", tbs, s64, params);
	free(h64);
	free(p64);
	free(s64);
	free(tbs);
	gnutls_free(sig.data);
	gnutls_free(r.data);
	gnutls_free(s.data);
	gnutls_free(pem.data);
	gnutls_privkey_deinit(pk);
	return res;
}

int
h_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

bool
h_softhsm(struct h *h, const char *pin)
{
	static const char *module = H_SOFTHSM_MODULE;
	char conf[H_PATH_MAX + 32], out[4096];
	FILE *f;

	if (access(module, R_OK) != 0 || system("command -v p11tool >/dev/null") != 0) {
		ck_assert_msg(getenv("STIR_ALLOW_NO_SOFTHSM") != NULL,
		    "SoftHSM2 or p11tool is missing (apt-get install softhsm2 gnutls-bin)");
		return false;
	}
	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", h->dir);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = file\n", h->dir);
	fclose(f);
	ck_assert_int_eq(setenv("SOFTHSM2_CONF", conf, 1), 0);
	ck_assert_int_eq(h_sh(out, sizeof(out), "mkdir '%s/tokens' && softhsm2-util --init-token --free"
	    " --label stirtest --so-pin 1234 --pin %s >/dev/null 2>&1 && GNUTLS_PIN=%s p11tool"
	    " --provider %s --login --generate-privkey=ecdsa --curve=secp256r1 --label k1"
	    " 'pkcs11:token=stirtest' >/dev/null 2>&1", h->dir, pin, pin, module), 0);
	ck_assert_int_eq(h_sh(out, sizeof(out), "cd '%s' && printf 'cn = \"HSM key\"\\n' > hsm.tmpl &&"
	    " GNUTLS_PIN=%s certtool --provider %s --generate-request --load-privkey"
	    " 'pkcs11:token=stirtest;object=k1;type=private' --template hsm.tmpl --outfile hsm.csr"
	    " >/dev/null 2>&1 && openssl x509 -req -in hsm.csr -CA pki/inter.pem -CAkey pki/inter.key"
	    " -CAcreateserial -days 30 -extfile pki/ext.cnf -extensions sp -out hsm.pem 2>/dev/null &&"
	    " cat hsm.pem pki/inter.pem > hsm-chain.pem", h->dir, pin, module), 0);
	return true;
}
