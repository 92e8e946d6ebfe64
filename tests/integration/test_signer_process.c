/*
 * test_signer_process.c: the keys live in their own sandboxed process.
 *
 *   - `stird --signer` runs as stird's child, with a seccomp filter and
 *     no_new_privs, and `status` names it;
 *   - no private key and no PIN is in stird's memory, its database (and
 *     WAL) or its log after `key import` and `cred add --pkcs11` with a
 *     PIN, while the signer's 0600 registration holds the URL;
 *   - a 0.3 database whose credential holds a PKCS#11 URL with its PIN is
 *     moved to the signer at start, and the PIN is gone from the files;
 *   - kill -9 of the signer during signing: it is restarted and every
 *     sign succeeds.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "harness.h"

#define REGION_MAX	(1024L * 1024 * 1024)	/* larger mappings are not heap */

static struct h H;
static char out[H_OUT_MAX];
static char pin[40];			/* unique to this run */

static void
setup(void)
{
	h_init(&H, NULL);
}

static void
teardown(void)
{
	h_teardown(&H);
}

/* The signer's pid from `status`, or 0. */
static long
signer_pid(void)
{
	const char *p;

	if (h_ctl(&H, NULL, out, sizeof(out), "--json status") != 0)
		return 0;
	if ((p = strstr(out, "\"signer\"")) == NULL || (p = strstr(p, "\"pid\":")) == NULL)
		return 0;
	return strtol(p + 6, NULL, 10);
}

/* A field of /proc/pid/status ("Seccomp"), as a number, or -1. */
static long
proc_status_field(long pid, const char *field)
{
	char path[64], line[256];
	size_t n = strlen(field);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, n) == 0 && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* The parent pid of pid, or -1. */
static long
proc_ppid(long pid)
{
	return proc_status_field(pid, "PPid");
}

/* Wait (up to 10 s) for a signer other than old; its pid, or 0. */
static long
signer_pid_other_than(long old)
{
	for (int i = 0; i < 200; i++) {
		long p = signer_pid();

		if (p > 0 && p != old)
			return p;
		usleep(50000);
	}
	return 0;
}

/*
 * A SoftHSM token with an EC P-256 key k1 under a PIN unique to this run,
 * a certificate for it (hsm-chain.pem), and a config that uses it.
 */
static bool
softhsm_setup(void)
{
	char extra[H_PATH_MAX * 2 + 96];
	unsigned char rnd[12];
	int fd;

	fd = open("/dev/urandom", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, rnd, sizeof(rnd)), (ssize_t)sizeof(rnd));
	close(fd);
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(pin + 2 * i, 3, "%02x", rnd[i]);
	if (!h_softhsm(&H, pin))
		return false;
	snprintf(extra, sizeof(extra), "pkcs11_module = %s\nsigner_write_dirs = %s/tokens\n",
	    H_SOFTHSM_MODULE, H.dir);
	h_write_conf(&H, extra);
	return true;
}

static void
cred_add_hsm(void)
{
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add hsm --pkcs11 'pkcs11:token=stirtest;object=k1;type=private?pin-value=%s'"
	    " --chain '%s/hsm-chain.pem' --x5u https://x.example/h.pem 2>&1", pin, H.dir), 0);
}

/* Does the file at path hold needle (len bytes)?  A missing file does not. */
static bool
file_has(const char *path, const void *needle, size_t len)
{
	static char buf[64 * 1024 * 1024];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return n >= len && memmem(buf, n, needle, len) != NULL;
}

/*
 * Which needles are in pid's readable memory: found[i] for needles[i]
 * (lens[i] bytes).  Returns the bytes scanned.
 */
static size_t
memory_scan(long pid, const void *const *needles, const size_t *lens, size_t n,
    bool *found)
{
	char path[64], line[512];
	size_t scanned = 0;
	FILE *maps;
	int mem;

	for (size_t i = 0; i < n; i++)
		found[i] = false;
	snprintf(path, sizeof(path), "/proc/%ld/maps", pid);
	maps = fopen(path, "r");
	ck_assert_ptr_nonnull(maps);
	snprintf(path, sizeof(path), "/proc/%ld/mem", pid);
	mem = open(path, O_RDONLY);
	ck_assert_msg(mem >= 0, "cannot read %s (%s): the memory scan needs root or CAP_SYS_PTRACE",
	    path, strerror(errno));
	while (fgets(line, sizeof(line), maps) != NULL) {
		unsigned long lo, hi;
		char perms[8], *buf;
		ssize_t got;

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[0] != 'r' ||
		    hi - lo > REGION_MAX || strstr(line, "[vvar]") != NULL ||
		    strstr(line, "[vsyscall]") != NULL)
			continue;
		if ((buf = malloc(hi - lo)) == NULL)
			continue;
		got = pread(mem, buf, hi - lo, (off_t)lo);
		if (got > 0) {
			scanned += (size_t)got;
			for (size_t i = 0; i < n; i++)
				if (!found[i] && (size_t)got >= lens[i] &&
				    memmem(buf, (size_t)got, needles[i], lens[i]) != NULL)
					found[i] = true;
		}
		free(buf);
	}
	close(mem);
	fclose(maps);
	return scanned;
}

/* The 32-byte private scalar of the PEM key at path. */
static void
private_scalar(const char *path, uint8_t d[32])
{
	uint8_t raw[64];
	size_t n = 0;
	char *p;

	ck_assert_int_eq(h_sh(out, sizeof(out), "openssl ec -in '%s' -text -noout 2>/dev/null |"
	    " sed -n '/^priv:/,/^pub:/p' | grep -v '^p' | tr -d ' :\\n'", path), 0);
	for (p = out; p[0] != '\0' && p[1] != '\0' && n < sizeof(raw); p += 2) {
		unsigned v;

		ck_assert_int_eq(sscanf(p, "%2x", &v), 1);
		raw[n++] = (uint8_t)v;
	}
	ck_assert_int_ge(n, 32);
	memcpy(d, raw + n - 32, 32);	/* a leading zero byte is not part of it */
}

/* The signer is stird's child, and sandboxed; `status` says so. */
START_TEST(signer_is_a_sandboxed_child_process)
{
	long spid;
	char comm[64], path[64];
	FILE *f;

	ck_assert(h_start(&H));
	h_provision(&H);
	spid = signer_pid();
	ck_assert_int_gt(spid, 0);
	ck_assert_int_ne(spid, H.pid);
	ck_assert_int_eq(proc_ppid(spid), H.pid);
	ck_assert_int_eq(proc_status_field(spid, "Seccomp"), 2);
	ck_assert_int_eq(proc_status_field(spid, "NoNewPrivs"), 1);
	snprintf(path, sizeof(path), "/proc/%ld/comm", spid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(comm, sizeof(comm), f));
	fclose(f);
	ck_assert_str_eq(comm, "stird-signer\n");
	/* it holds its channels (threads = 2: four) and nothing else of stird's */
	{
		char fdpath[384], link[256];
		struct dirent *de;
		int nsock = 0;
		DIR *d;

		snprintf(path, sizeof(path), "/proc/%ld/fd", spid);
		d = opendir(path);
		ck_assert_ptr_nonnull(d);
		while ((de = readdir(d)) != NULL) {
			ssize_t n;

			if (atoi(de->d_name) < 3)
				continue;
			snprintf(fdpath, sizeof(fdpath), "%s/%s", path, de->d_name);
			n = readlink(fdpath, link, sizeof(link) - 1);
			ck_assert_int_gt(n, 0);
			link[n] = '\0';
			ck_assert_msg(strncmp(link, "socket:", 7) == 0, "the signer holds fd %s: %s",
			    de->d_name, link);
			nsock++;
		}
		closedir(d);
		ck_assert_int_eq(nsock, 4);
	}
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json status"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"mode\": \"process\""));
	/* it signs, and key.list comes from it */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A"), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json key list"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"name\": \"sp\""));
	ck_assert_int_eq(h_stop(&H), 0);
	/* stird's exit takes the signer with it */
	for (int i = 0; i < 100 && kill((pid_t)spid, 0) == 0; i++)
		usleep(20000);
	ck_assert_int_ne(kill((pid_t)spid, 0), 0);
}
END_TEST

/*
 * After `key import` (through h_provision) and `cred add --pkcs11` with a
 * PIN, and signing with both: neither the private scalar, nor the key's
 * PEM text, nor the PIN is in stird's memory, database, WAL or log.
 */
START_TEST(no_key_or_pin_in_stird)
{
	char path[H_PATH_MAX + 32], keyline[80], log[H_OUT_MAX / 4];
	const char *x5u = "https://x.example/h.pem";
	uint8_t d[32];
	const void *needles[4];
	size_t lens[4], scanned;
	bool found[4];
	struct stat st;
	FILE *f;

	if (!softhsm_setup())
		return;
	ck_assert(h_start(&H));
	h_provision(&H);		/* key import of pki/sp.key */
	cred_add_hsm();
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --cred hsm"), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --cred sp"), 0);

	/* what to look for: the scalar, a line of the PEM body, the PIN */
	snprintf(path, sizeof(path), "%s/sp.key", H.pki);
	private_scalar(path, d);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(keyline, sizeof(keyline), f));	/* BEGIN */
	ck_assert_ptr_nonnull(fgets(keyline, sizeof(keyline), f));
	fclose(f);
	keyline[48] = '\0';
	needles[0] = d;		lens[0] = sizeof(d);
	needles[1] = keyline;	lens[1] = strlen(keyline);
	needles[2] = pin;	lens[2] = strlen(pin);
	needles[3] = x5u;	lens[3] = strlen(x5u);	/* control: it must be found */
	ck_assert_int_eq(lens[1], 48);

	scanned = memory_scan(H.pid, needles, lens, 4, found);
	ck_assert_uint_gt(scanned, 1024 * 1024);
	ck_assert_msg(found[3], "the scan does not find what stird holds (the x5u URL)");
	ck_assert_msg(!found[0], "the private scalar of sp.key is in stird's memory");
	ck_assert_msg(!found[1], "the PEM text of sp.key is in stird's memory");
	ck_assert_msg(!found[2], "the PKCS#11 PIN is in stird's memory");

	for (int i = 0; i < 3; i++) {
		const char *suffix[] = { "", "-wal", "-shm" };

		snprintf(path, sizeof(path), "%s%s", H.db, suffix[i]);
		ck_assert_msg(!file_has(path, pin, strlen(pin)), "the PIN is in %s", path);
		ck_assert_msg(!file_has(path, d, sizeof(d)), "the private scalar is in %s", path);
		ck_assert_msg(!file_has(path, keyline, strlen(keyline)), "the key's PEM is in %s",
		    path);
	}
	ck_assert(!file_has(H.log, pin, strlen(pin)));
	ck_assert(!file_has(H.log, keyline, strlen(keyline)));
	h_read_log(&H, log, sizeof(log));
	ck_assert_ptr_null(strstr(log, "pkcs11:token"));
	/* the credential names the key; cred list shows no URL */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json cred list"), 0);
	ck_assert_ptr_null(strstr(out, "pkcs11:"));
	/* the URL lives in the signer's registration, 0600 */
	snprintf(path, sizeof(path), "%s/hsm.p11", H.keys);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert(file_has(path, pin, strlen(pin)));
	/* adding it again with the same URL reuses the registration */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "cred remove hsm"), 0);
	cred_add_hsm();
	ck_assert_int_eq(h_stop(&H), 0);
}
END_TEST

/*
 * A 0.3 database: the credential's key is its PKCS#11 URL with the PIN.
 * At start it moves to the signer, and the PIN leaves the database files.
 */
START_TEST(pkcs11_url_in_database_moves_to_signer)
{
	char path[H_PATH_MAX + 32], db_out[H_PATH_MAX + 32];
	const char *suffix[] = { "", "-wal", "-shm" };

	if (!softhsm_setup())
		return;
	ck_assert(h_start(&H));
	cred_add_hsm();
	ck_assert_int_eq(h_stop(&H), 0);
	/* back to what 0.3 stored */
	snprintf(path, sizeof(path), "%s/hsm.p11", H.keys);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(h_sh(db_out, sizeof(db_out), "sqlite3 '%s' \"UPDATE credentials SET"
	    " key_ref = 'pkcs11:token=stirtest;object=k1;type=private?pin-value=%s'"
	    " WHERE name = 'hsm'\"", H.db, pin), 0);
	snprintf(db_out, sizeof(db_out), "%s-wal", H.db);
	ck_assert(file_has(H.db, pin, strlen(pin)) || file_has(db_out, pin, strlen(pin)));
	ck_assert(h_start(&H));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --cred hsm"), 0);
	ck_assert_int_eq(h_sh(db_out, sizeof(db_out), "sqlite3 '%s' \"SELECT key_ref FROM"
	    " credentials WHERE name = 'hsm'\"", H.db), 0);
	ck_assert_str_eq(db_out, "hsm\n");
	ck_assert(file_has(path, pin, strlen(pin)));
	for (int i = 0; i < 3; i++) {
		char f[H_PATH_MAX + 16];

		snprintf(f, sizeof(f), "%s%s", H.db, suffix[i]);
		ck_assert_msg(!file_has(f, pin, strlen(pin)), "the PIN is still in %s", f);
	}
	h_read_log(&H, out, sizeof(out));
	ck_assert_ptr_nonnull(strstr(out, "credential 'hsm': its PKCS#11 URL is now the signer's key 'hsm'"));
	ck_assert_int_eq(h_stop(&H), 0);
}
END_TEST

/* kill -9 of the signer, three times while four clients sign: no sign fails. */
START_TEST(killed_signer_restarts_and_no_sign_is_lost)
{
	char cmd[H_PATH_MAX * 2 + 512], line[256];
	long spid, first;
	int ok = 0, bad = 0;
	FILE *p;

	ck_assert(h_start(&H));
	h_provision(&H);
	first = spid = signer_pid();
	ck_assert_int_gt(spid, 0);
	snprintf(cmd, sizeof(cmd), "for c in 1 2 3 4; do (for i in $(seq 60); do"
	    " if e=$('%s' -c '%s' sign --orig 12155551212 --dest 12125551213 --attest A"
	    " 2>&1 >/dev/null); then echo OK; else echo \"FAIL $e\"; fi; done) & done; wait",
	    getenv("STIRCTL") ? getenv("STIRCTL") : "./stirctl", H.conf);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	for (int k = 0; k < 3; k++) {
		usleep(150000);
		ck_assert_int_eq(kill((pid_t)spid, SIGKILL), 0);
		spid = signer_pid_other_than(spid);
		ck_assert_int_gt(spid, 0);
		ck_assert_int_eq(proc_status_field(spid, "Seccomp"), 2);
		/* the next kill comes once this signer has signed */
		ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
		    "sign --orig 12155551212 --dest 12125551213 --attest A"), 0);
	}
	while (fgets(line, sizeof(line), p) != NULL) {
		if (strcmp(line, "OK\n") == 0)
			ok++;
		else {
			fprintf(stderr, "a sign failed: %s", line);
			bad++;
		}
	}
	ck_assert_int_eq(pclose(p), 0);
	if (bad != 0) {			/* what stird said about its signer */
		char *l, *sv = NULL;

		h_read_log(&H, out, sizeof(out));
		for (l = strtok_r(out, "\n", &sv); l != NULL; l = strtok_r(NULL, "\n", &sv))
			if (strstr(l, "signer") != NULL)
				fprintf(stderr, "log: %s\n", l);
	}
	ck_assert_msg(bad == 0, "%d sign(s) failed (see above)", bad);
	ck_assert_int_eq(ok, 240);
	ck_assert_int_ne(spid, first);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json status"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"restarts\": 3"));
	h_read_log(&H, out, sizeof(out));
	ck_assert_int_eq(h_count(out, "was killed by signal 9; restarting it"), 3);
	/* keys and credentials survive: it still signs */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A"), 0);
	ck_assert_int_eq(h_stop(&H), 0);
}
END_TEST

/*
 * Signs that arrive together go to the signer in one message; each
 * signature is over its own PASSporT (each verifies, against its own
 * dest, through the x5u server).
 */
START_TEST(batched_signatures_each_verify)
{
	enum { N = 48 };
	static char lines[(N + 1) * 1024], reply[H_OUT_MAX / 2];
	char x5u[128];
	char *ids[N] = { NULL };
	size_t off = 0;
	char *line, *save = NULL;
	json_t *st;
	int got = 0;

	h_verifier_conf(&H, NULL);
	h_publish(&H, "sp-chain.pem");
	ck_assert_msg(h_https_start(&H), "tests/https-server.py did not start");
	snprintf(x5u, sizeof(x5u), "https://127.0.0.1:%d/sp-chain.pem", H.https_port);
	ck_assert(h_start(&H));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust add '%s/ca.pem'", H.pki), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add sp --key '%s/sp.key' --chain '%s/sp-chain.pem' --x5u %s", H.pki, H.pki,
	    x5u), 0);
	/* N signs in one write: the daemon takes them in together */
	for (int i = 0; i < N; i++)
		off += (size_t)snprintf(lines + off, sizeof(lines) - off,
		    "{\"v\":1,\"id\":%d,\"op\":\"sign\",\"orig\":\"12155551212\","
		    "\"dest\":\"121255%05d\",\"attest\":\"A\"}\n", i, i);
	ck_assert_int_gt(h_raw(H.sock, lines, off, reply, sizeof(reply), 10000), 0);
	for (line = strtok_r(reply, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(line, 0, NULL), *id, *res;

		ck_assert_ptr_nonnull(j);
		id = json_object_get(j, "id");
		res = json_object_get(j, "result");
		ck_assert_msg(res != NULL, "sign failed: %s", line);
		ck_assert(json_is_integer(id) && json_integer_value(id) >= 0 &&
		    json_integer_value(id) < N);
		ids[json_integer_value(id)] = strdup(json_string_value(
		    json_object_get(res, "identity")));
		got++;
		json_decref(j);
	}
	ck_assert_int_eq(got, N);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json status"), 0);
	st = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_gt(json_integer_value(json_object_get(json_object_get(st, "signer"),
	    "batches")), 0);
	ck_assert_int_ge(json_integer_value(json_object_get(json_object_get(st, "signer"),
	    "batched_signs")), 2);
	json_decref(st);
	/* each signature is over its own dest, and not over another's: all
	 * verified in one write, each against its own To and id N + i against
	 * the next one's */
	off = 0;
	for (int i = 0; i < N; i++) {
		off += (size_t)snprintf(lines + off, sizeof(lines) - off,
		    "{\"v\":1,\"id\":%d,\"op\":\"verify\",\"identity\":[\"%s\"],"
		    "\"from\":\"tel:+12155551212\",\"to\":\"tel:+121255%05d\"}\n", i, ids[i], i);
		ck_assert_uint_lt(off, sizeof(lines) - 1024);
	}
	off += (size_t)snprintf(lines + off, sizeof(lines) - off,
	    "{\"v\":1,\"id\":%d,\"op\":\"verify\",\"identity\":[\"%s\"],"
	    "\"from\":\"tel:+12155551212\",\"to\":\"tel:+121255%05d\"}\n", N, ids[0], 1);
	ck_assert_int_gt(h_raw(H.sock, lines, off, reply, sizeof(reply), 20000), 0);
	got = 0;
	for (line = strtok_r(reply, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(line, 0, NULL);
		const char *vs;
		json_int_t id;

		ck_assert_ptr_nonnull(j);
		id = json_integer_value(json_object_get(j, "id"));
		vs = json_string_value(json_object_get(json_object_get(j, "result"), "verstat"));
		ck_assert_msg(vs != NULL, "verify %d: %s", (int)id, line);
		if (id < N)
			ck_assert_msg(strcmp(vs, "TN-Validation-Passed") == 0, "identity %d: %s",
			    (int)id, line);
		else
			ck_assert_msg(strcmp(vs, "TN-Validation-Failed") == 0, "identity 0 as 1: %s",
			    line);
		got++;
		json_decref(j);
	}
	ck_assert_int_eq(got, N + 1);
	for (int i = 0; i < N; i++)
		free(ids[i]);
	ck_assert_int_eq(h_stop(&H), 0);
}
END_TEST

/* A refused key_dir is refused at start, as in 0.3: the signer says why. */
START_TEST(refused_key_dir_stops_the_start)
{
	char log[H_OUT_MAX / 4];

	ck_assert_int_eq(chmod(H.keys, 0777), 0);
	ck_assert_int_ne(h_start_fails(&H), 0);
	h_read_log(&H, log, sizeof(log));
	ck_assert_ptr_nonnull(strstr(log, "is group- or world-writable"));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("signer process");
	TCase *tc = tcase_create("signer");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, signer_is_a_sandboxed_child_process);
	tcase_add_test(tc, no_key_or_pin_in_stird);
	tcase_add_test(tc, pkcs11_url_in_database_moves_to_signer);
	tcase_add_test(tc, killed_signer_restarts_and_no_sign_is_lost);
	tcase_add_test(tc, refused_key_dir_stops_the_start);
	tcase_add_test(tc, batched_signatures_each_verify);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return h_run(suite());
}
