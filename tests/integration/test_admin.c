/*
 * test_admin.c: admin changes under concurrency and faults (issue 9):
 * concurrent adds and removes act on their own rows, key.remove and
 * cred.add never leave a credential without its key, a change and its
 * audit record commit together, a locked database delays no signature
 * and admin ops fail with EDB, a foreign database is left untouched,
 * and no client string forges a log line.  The real stird, a real
 * SQLite file; outcomes and counts are asserted, never durations.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>

#include "stirclient.h"
#include "harness.h"

#define BURST_CONNS	8
#define BURST_WAIT_MS	120000	/* only a hang reaches it */

static struct h H;
static char out[H_OUT_MAX];

static void
setup(void)
{
	h_init(&H, NULL);
	ck_assert_msg(h_start(&H), "stird did not start");
}

static void
teardown(void)
{
	h_teardown(&H);
}

/* ---- many pipelined requests over several connections at once ---- */

struct wire {
	int	 fd;
	char	*tx;
	size_t	 txlen, txoff;
	char	 rx[1 << 16];
	size_t	 rxlen;
};

/*
 * Send lines[i] (each with "id": i) spread over nconn connections to
 * path, all written before any reply is awaited, and return the replies
 * indexed by id (json_decref each).  The order in which arrivals were
 * seen is written to order[] (ids) when it is not NULL.
 */
static json_t **
burst(const char *path, int nconn, char **lines, int n, int *order)
{
	struct wire *w = calloc((size_t)nconn, sizeof(*w));
	json_t **rep = calloc((size_t)n, sizeof(*rep));
	struct pollfd *pf = calloc((size_t)nconn, sizeof(*pf));
	int got = 0;
	struct timespec t0, t;

	ck_assert(w != NULL && rep != NULL && pf != NULL);
	for (int c = 0; c < nconn; c++) {
		size_t cap = 0;

		w[c].fd = h_connect(path);
		ck_assert_int_ge(w[c].fd, 0);
		(void)fcntl(w[c].fd, F_SETFL, O_NONBLOCK);
		for (int i = c; i < n; i += nconn)
			cap += strlen(lines[i]) + 1;
		w[c].tx = malloc(cap + 1);
		for (int i = c; i < n; i += nconn) {
			size_t l = strlen(lines[i]);

			memcpy(w[c].tx + w[c].txlen, lines[i], l);
			w[c].txlen += l;
			w[c].tx[w[c].txlen++] = '\n';
		}
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	while (got < n) {
		for (int c = 0; c < nconn; c++) {
			pf[c].fd = w[c].fd;
			pf[c].events = POLLIN | (w[c].txoff < w[c].txlen ? POLLOUT : 0);
		}
		ck_assert_int_ge(poll(pf, (nfds_t)nconn, 1000), 0);
		(void)clock_gettime(CLOCK_MONOTONIC, &t);
		ck_assert_msg((t.tv_sec - t0.tv_sec) * 1000 < BURST_WAIT_MS,
		    "only %d of %d replies came", got, n);
		for (int c = 0; c < nconn; c++) {
			ssize_t k;
			char *nl;

			if ((pf[c].revents & POLLOUT) && w[c].txoff < w[c].txlen) {
				k = write(w[c].fd, w[c].tx + w[c].txoff, w[c].txlen - w[c].txoff);
				if (k > 0)
					w[c].txoff += (size_t)k;
			}
			if (!(pf[c].revents & (POLLIN | POLLHUP)))
				continue;
			k = read(w[c].fd, w[c].rx + w[c].rxlen, sizeof(w[c].rx) - 1 - w[c].rxlen);
			ck_assert_msg(k > 0 || (k < 0 && errno == EAGAIN),
			    "connection %d closed with %d replies missing", c, n - got);
			if (k <= 0)
				continue;
			w[c].rxlen += (size_t)k;
			w[c].rx[w[c].rxlen] = '\0';
			while ((nl = memchr(w[c].rx, '\n', w[c].rxlen)) != NULL) {
				size_t l = (size_t)(nl - w[c].rx) + 1;
				json_t *j = json_loadb(w[c].rx, l - 1, 0, NULL);
				json_int_t id;

				ck_assert_msg(j != NULL, "a reply is not JSON");
				id = json_integer_value(json_object_get(j, "id"));
				ck_assert_msg(id >= 0 && id < n && rep[id] == NULL,
				    "unexpected reply id %lld", (long long)id);
				rep[id] = j;
				if (order != NULL)
					order[got] = (int)id;
				got++;
				memmove(w[c].rx, w[c].rx + l, w[c].rxlen - l);
				w[c].rxlen -= l;
			}
		}
	}
	for (int c = 0; c < nconn; c++) {
		close(w[c].fd);
		free(w[c].tx);
	}
	free(w);
	free(pf);
	return rep;
}

static void
replies_free(json_t **rep, int n)
{
	for (int i = 0; i < n; i++)
		json_decref(rep[i]);
	free(rep);
}

static void
lines_free(char **lines, int n)
{
	for (int i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static const char *
err_name(const json_t *rep)
{
	const char *s = json_string_value(json_object_get(json_object_get(rep, "error"), "name"));

	return s != NULL ? s : "OK";
}

/* One request line: the envelope plus the fields of params (taken). */
static char *
req_line(int id, const char *op, json_t *params)
{
	char *s;

	if (params == NULL)
		params = json_object();
	(void)json_object_set_new(params, "v", json_integer(1));
	(void)json_object_set_new(params, "id", json_integer(id));
	(void)json_object_set_new(params, "op", json_string(op));
	s = json_dumps(params, JSON_COMPACT);
	json_decref(params);
	ck_assert(s != NULL);
	return s;
}

/* One request on a fresh admin connection; the reply (json_decref). */
static json_t *
admin1(const char *op, json_t *params)
{
	char *line = req_line(0, op, params);
	json_t **rep = burst(H.admin, 1, &line, 1, NULL);
	json_t *r = rep[0];

	free(line);
	free(rep);
	return r;
}

/* A self-signed P-256 CA made here, as PEM (free()) and its SHA-256 hex. */
static char *
make_ca(int serial, char sha256_hex[65])
{
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	gnutls_datum_t pem = { NULL, 0 };
	unsigned char sn[4] = { 0x10, (unsigned char)(serial >> 16),
	    (unsigned char)(serial >> 8), (unsigned char)serial };
	unsigned char fp[32];
	size_t fplen = sizeof(fp);
	char cn[64];
	time_t now = time(NULL);
	char *r;

	ck_assert_int_ge(gnutls_x509_privkey_init(&key), 0);
	ck_assert_int_ge(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
	ck_assert_int_ge(gnutls_x509_crt_init(&crt), 0);
	snprintf(cn, sizeof(cn), "Concurrent Test CA %d", serial);
	ck_assert_int_ge(gnutls_x509_crt_set_version(crt, 3), 0);
	ck_assert_int_ge(gnutls_x509_crt_set_serial(crt, sn, sizeof(sn)), 0);
	ck_assert_int_ge(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	    cn, (unsigned)strlen(cn)), 0);
	ck_assert_int_ge(gnutls_x509_crt_set_issuer_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
	    0, cn, (unsigned)strlen(cn)), 0);
	ck_assert_int_ge(gnutls_x509_crt_set_activation_time(crt, now - 3600), 0);
	ck_assert_int_ge(gnutls_x509_crt_set_expiration_time(crt, now + 86400 * 30), 0);
	ck_assert_int_ge(gnutls_x509_crt_set_basic_constraints(crt, 1, -1), 0);
	ck_assert_int_ge(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN |
	    GNUTLS_KEY_CRL_SIGN), 0);
	ck_assert_int_ge(gnutls_x509_crt_set_key(crt, key), 0);
	ck_assert_int_ge(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), 0);
	ck_assert_int_ge(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem), 0);
	ck_assert_int_ge(gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp, &fplen), 0);
	for (size_t i = 0; i < 32; i++)
		snprintf(sha256_hex + 2 * i, 3, "%02x", fp[i]);
	r = strndup((const char *)pem.data, pem.size);
	gnutls_free(pem.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return r;
}

static char *
slurp(const char *path)
{
	gnutls_datum_t d = { NULL, 0 };
	char *s;

	ck_assert_msg(gnutls_load_file(path, &d) >= 0, "cannot read %s", path);
	s = strndup((const char *)d.data, d.size);
	gnutls_free(d.data);
	return s;
}

/* The anchors stored now: sha256 of each id (json object id -> sha256). */
static json_t *
anchors_by_id(void)
{
	json_t *rep = admin1("trust.list", NULL), *arr, *a, *map = json_object();
	size_t i;

	ck_assert_str_eq(err_name(rep), "OK");
	arr = json_object_get(json_object_get(rep, "result"), "anchors");
	json_array_foreach(arr, i, a) {
		char k[32];

		snprintf(k, sizeof(k), "%lld", (long long)json_integer_value(json_object_get(a, "id")));
		(void)json_object_set(map, k, json_object_get(a, "sha256"));
	}
	json_decref(rep);
	return map;
}

/* ---- HIGH 1: every concurrent admin op acts on its own row ---- */

#define NCA	160
#define NGHOST	160

START_TEST(concurrent_adds_and_removes_act_on_their_own_rows)
{
	int n = NCA + NGHOST, wrong = 0;
	char **lines = calloc((size_t)n, sizeof(*lines)), (*sha)[65] = calloc(NCA, 65);
	json_int_t *ids = calloc(NCA, sizeof(*ids));
	json_t **rep, *map;

	/* trust.add of distinct CAs interleaved with cred.remove of names that never existed */
	for (int i = 0; i < n; i++) {
		if (i % 2 == 0 && i / 2 < NCA) {
			char *pem = make_ca(i / 2 + 1, sha[i / 2]);

			lines[i] = req_line(i, "trust.add", json_pack("{s:s}", "pem", pem));
			free(pem);
		} else {
			char name[32];

			snprintf(name, sizeof(name), "ghost%d", i);
			lines[i] = req_line(i, "cred.remove", json_pack("{s:s}", "name", name));
		}
	}
	rep = burst(H.admin, BURST_CONNS, lines, n, NULL);
	for (int i = 0; i < n; i++) {
		if (i % 2 == 0 && i / 2 < NCA) {
			json_t *a = json_array_get(json_object_get(json_object_get(rep[i], "result"),
			    "added"), 0);

			ck_assert_msg(a != NULL, "trust.add %d: %s", i, err_name(rep[i]));
			ck_assert_str_eq(json_string_value(json_object_get(a, "sha256")), sha[i / 2]);
			ids[i / 2] = json_integer_value(json_object_get(a, "id"));
		} else
			ck_assert_msg(strcmp(err_name(rep[i]), "ENOENT") == 0,
			    "cred.remove of a name never stored answered %s", err_name(rep[i]));
	}
	replies_free(rep, n);
	lines_free(lines, n);

	/* each id the daemon returned names the anchor it was returned for */
	map = anchors_by_id();
	ck_assert_int_eq(json_object_size(map), NCA);
	for (int i = 0; i < NCA; i++) {
		char k[32];
		const char *s;

		snprintf(k, sizeof(k), "%lld", (long long)ids[i]);
		s = json_string_value(json_object_get(map, k));
		if (s == NULL || strcmp(s, sha[i]) != 0)
			wrong++;
	}
	json_decref(map);
	ck_assert_int_eq(wrong, 0);

	/* remove half of them concurrently: exactly those go */
	n = NCA / 2;
	lines = calloc((size_t)n, sizeof(*lines));
	for (int i = 0; i < n; i++)
		lines[i] = req_line(i, "trust.remove", json_pack("{s:I}", "anchor", ids[2 * i]));
	rep = burst(H.admin, BURST_CONNS, lines, n, NULL);
	for (int i = 0; i < n; i++) {
		ck_assert_str_eq(err_name(rep[i]), "OK");
		ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(rep[i],
		    "result"), "removed")), ids[2 * i]);
	}
	replies_free(rep, n);
	lines_free(lines, n);
	map = anchors_by_id();
	ck_assert_int_eq(json_object_size(map), NCA / 2);
	for (int i = 0; i < NCA; i++) {
		char k[32];

		snprintf(k, sizeof(k), "%lld", (long long)ids[i]);
		ck_assert_msg((json_object_get(map, k) != NULL) == (i % 2 == 1),
		    "anchor %d (id %s) %s", i, k, i % 2 ? "was removed" : "is still there");
	}
	json_decref(map);
	free(sha);
	free(ids);
}
END_TEST

#define NPAIR	100

START_TEST(key_remove_racing_cred_add_never_orphans_a_credential)
{
	char *key = NULL, *chain = NULL, path[H_PATH_MAX + 32];
	char **lines = calloc(2 * NPAIR, sizeof(*lines));
	int creds_added = 0, keys_removed = 0;
	json_t **rep, *r, *arr, *o;
	size_t i;

	snprintf(path, sizeof(path), "%s/sp.key", H.pki);
	key = slurp(path);
	snprintf(path, sizeof(path), "%s/sp-chain.pem", H.pki);
	chain = slurp(path);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust add '%s/ca.pem'", H.pki), 0);
	for (int k = 0; k < NPAIR; k++) {
		char name[32];

		snprintf(name, sizeof(name), "k%d", k);
		r = admin1("key.import", json_pack("{s:s, s:s}", "name", name, "pem", key));
		ck_assert_msg(strcmp(err_name(r), "OK") == 0, "key.import: %s", err_name(r));
		json_decref(r);
	}
	/*
	 * key.remove k and cred.add c using k: one pair at a time, each op on
	 * its own connection, so the two ops of a pair reach the daemon together
	 */
	rep = calloc(2 * NPAIR, sizeof(*rep));
	for (int k = 0; k < NPAIR; k++) {
		char kn[32], cn[32];
		json_t **two;

		snprintf(kn, sizeof(kn), "k%d", k);
		snprintf(cn, sizeof(cn), "c%d", k);
		lines[2 * k] = req_line(0, "key.remove", json_pack("{s:s}", "name", kn));
		lines[2 * k + 1] = req_line(1, "cred.add", json_pack("{s:s, s:s, s:s, s:s}",
		    "name", cn, "key", kn, "chain", chain,
		    "x5u", "https://cert.example.org/sp.pem"));
		two = burst(H.admin, 2, lines + 2 * k, 2, NULL);
		rep[2 * k] = two[0];
		rep[2 * k + 1] = two[1];
		free(two);
	}
	for (int k = 0; k < NPAIR; k++) {
		bool removed = strcmp(err_name(rep[2 * k]), "OK") == 0;
		bool added = strcmp(err_name(rep[2 * k + 1]), "OK") == 0;

		ck_assert_msg(removed != added, "pair %d: key.remove %s, cred.add %s", k,
		    err_name(rep[2 * k]), err_name(rep[2 * k + 1]));
		if (removed)
			ck_assert_str_eq(err_name(rep[2 * k + 1]), "EKEY");
		else
			ck_assert_str_eq(err_name(rep[2 * k]), "EPOLICY");
		creds_added += added;
		keys_removed += removed;
	}
	replies_free(rep, 2 * NPAIR);
	lines_free(lines, 2 * NPAIR);
	ck_assert_int_eq(creds_added + keys_removed, NPAIR);

	/* every stored credential's key is there, and it is loaded */
	r = admin1("cred.list", NULL);
	arr = json_object_get(json_object_get(r, "result"), "credentials");
	ck_assert_int_eq((int)json_array_size(arr), creds_added);
	json_array_foreach(arr, i, o) {
		ck_assert_msg(json_is_true(json_object_get(o, "loaded")), "credential %s is not loaded",
		    json_string_value(json_object_get(o, "name")));
		snprintf(path, sizeof(path), "%s/%s.key", H.keys,
		    json_string_value(json_object_get(o, "key")));
		ck_assert_msg(access(path, F_OK) == 0, "credential %s lost its key file %s",
		    json_string_value(json_object_get(o, "name")), path);
	}
	json_decref(r);
	free(key);
	free(chain);
}
END_TEST

/* ---- MEDIUM 6: a change and its audit record commit together ---- */

static int
db_exec(const char *sql)
{
	return h_sh(NULL, 0, "sqlite3 -cmd '.timeout 5000' '%s' \"%s\"", H.db, sql);
}

static int
audit_count(void)
{
	char buf[64];

	ck_assert_int_eq(h_sh(buf, sizeof(buf), "sqlite3 -cmd '.timeout 5000' '%s'"
	    " 'SELECT count(*) FROM audit_log'", H.db), 0);
	return atoi(buf);
}

START_TEST(a_change_whose_audit_record_fails_is_not_made)
{
	char sha[65], *pem = make_ca(7, sha), *key, path[H_PATH_MAX + 32];
	int before;
	json_t *r;

	snprintf(path, sizeof(path), "%s/sp.key", H.pki);
	key = slurp(path);
	ck_assert_int_eq(db_exec("CREATE TRIGGER audit_full BEFORE INSERT ON audit_log"
	    " BEGIN SELECT RAISE(ABORT, 'audit log full'); END;"), 0);
	before = audit_count();

	r = admin1("trust.add", json_pack("{s:s}", "pem", pem));
	ck_assert_str_eq(err_name(r), "EDB");
	json_decref(r);
	r = admin1("key.generate", json_pack("{s:s}", "name", "unaudited"));
	ck_assert_str_eq(err_name(r), "EDB");
	json_decref(r);
	r = admin1("key.import", json_pack("{s:s, s:s}", "name", "imported", "pem", key));
	ck_assert_str_eq(err_name(r), "EDB");
	json_decref(r);

	/* nothing was changed: no anchor, no key file */
	r = admin1("trust.list", NULL);
	ck_assert_int_eq((int)json_array_size(json_object_get(json_object_get(r, "result"),
	    "anchors")), 0);
	json_decref(r);
	snprintf(path, sizeof(path), "%s/unaudited.key", H.keys);
	ck_assert_int_ne(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/imported.key", H.keys);
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_int_eq(audit_count(), before);

	/* the audit log works again: so do the changes, each with its record */
	ck_assert_int_eq(db_exec("DROP TRIGGER audit_full"), 0);
	r = admin1("trust.add", json_pack("{s:s}", "pem", pem));
	ck_assert_str_eq(err_name(r), "OK");
	json_decref(r);
	r = admin1("key.generate", json_pack("{s:s}", "name", "audited"));
	ck_assert_str_eq(err_name(r), "OK");
	json_decref(r);
	ck_assert_int_eq(audit_count(), before + 2);
	free(pem);
	free(key);
}
END_TEST

/* ---- MEDIUM 8: a locked database delays no signature ---- */

/* Hold the database's write lock from another process until killed. */
static pid_t
hold_write_lock(void)
{
	char ready[H_PATH_MAX + 16];
	pid_t pid;

	snprintf(ready, sizeof(ready), "%s/locked", H.dir);
	if ((pid = fork()) == 0) {
		execlp("python3", "python3", "-c",
		    "import sqlite3, sys, time\n"
		    "c = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)\n"
		    "c.execute('BEGIN IMMEDIATE')\n"
		    "c.execute('INSERT INTO audit_log (ts, uid, pid, op, result) VALUES (0, 0, 0, \"outside\", 0)')\n"
		    "open(sys.argv[2], 'w').close()\n"
		    "time.sleep(600)\n", H.db, ready, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	for (int i = 0; i < 1000 && access(ready, F_OK) != 0; i++)
		usleep(10000);
	ck_assert_msg(access(ready, F_OK) == 0, "the outside lock was not taken");
	return pid;
}

#define NSIGN	20
#define NADMIN	4

START_TEST(a_locked_database_delays_no_signature_and_admin_ops_fail_with_edb)
{
	char **admin = calloc(NADMIN, sizeof(*admin)), **sign = calloc(NSIGN, sizeof(*sign));
	char sha[65], *pem;
	int order[NSIGN];
	json_t **srep, *r;
	pid_t locker;
	int fds[NADMIN];

	h_provision(&H);
	locker = hold_write_lock();
	/* admin changes first, each on its own connection, then the signs */
	for (int i = 0; i < NADMIN; i++) {
		pem = make_ca(100 + i, sha);
		admin[i] = req_line(i, "trust.add", json_pack("{s:s}", "pem", pem));
		free(pem);
		fds[i] = h_connect(H.admin);
		ck_assert_int_ge(fds[i], 0);
		ck_assert_int_eq(write(fds[i], admin[i], strlen(admin[i])), (ssize_t)strlen(admin[i]));
		ck_assert_int_eq(write(fds[i], "\n", 1), 1);
	}
	for (int i = 0; i < NSIGN; i++)
		sign[i] = req_line(i, "sign", json_pack("{s:s, s:[s], s:s}", "orig", "12155551212",
		    "dest", "12125551213", "attest", "A"));
	srep = burst(H.sock, 2, sign, NSIGN, order);
	for (int i = 0; i < NSIGN; i++)
		ck_assert_msg(strcmp(err_name(srep[i]), "OK") == 0, "sign %d: %s", i,
		    err_name(srep[i]));
	replies_free(srep, NSIGN);
	lines_free(sign, NSIGN);

	/* every sign was answered while the admin ops still wait for the lock */
	for (int i = 0; i < NADMIN; i++) {
		struct pollfd p = { fds[i], POLLIN, 0 };

		ck_assert_msg(poll(&p, 1, 0) == 0, "admin op %d was answered before the signs", i);
	}
	/* then each admin op fails with EDB (no hang) and stores nothing */
	for (int i = 0; i < NADMIN; i++) {
		char buf[4096];
		ssize_t k;
		json_t *j;
		struct pollfd p = { fds[i], POLLIN, 0 };

		ck_assert_int_eq(poll(&p, 1, BURST_WAIT_MS), 1);
		k = read(fds[i], buf, sizeof(buf) - 1);
		ck_assert_int_gt(k, 0);
		buf[k] = '\0';
		j = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
		ck_assert_msg(j != NULL && strcmp(err_name(j), "EDB") == 0, "admin op %d: %s", i, buf);
		json_decref(j);
		close(fds[i]);
	}
	lines_free(admin, NADMIN);
	r = admin1("cache.purge", NULL);
	ck_assert_str_eq(err_name(r), "EDB");
	json_decref(r);

	kill(locker, SIGKILL);
	(void)waitpid(locker, NULL, 0);
	r = admin1("trust.list", NULL);
	ck_assert_int_eq((int)json_array_size(json_object_get(json_object_get(r, "result"),
	    "anchors")), 1);	/* only h_provision's CA */
	json_decref(r);
	pem = make_ca(200, sha);
	r = admin1("trust.add", json_pack("{s:s}", "pem", pem));
	ck_assert_str_eq(err_name(r), "OK");
	json_decref(r);
	free(pem);
}
END_TEST

/*
 * deadline_ms on an op the store thread has not reached: trust.list waits
 * behind a trust.add held by an outside lock.  It is answered ETIMEDOUT
 * at its deadline, before the trust.add's EDB; its own late reply is
 * dropped (the next store-thread reply is the one after it); the
 * trust.add, an op that changes state, is never cut short.
 */
static json_t *
read_reply(int fd)
{
	static char buf[65536];
	static size_t have;
	char *nl;
	json_t *j;

	while ((nl = memchr(buf, '\n', have)) == NULL) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t k;

		ck_assert_int_eq(poll(&p, 1, BURST_WAIT_MS), 1);
		ck_assert_int_gt(k = read(fd, buf + have, sizeof(buf) - have), 0);
		have += (size_t)k;
	}
	ck_assert_ptr_nonnull(j = json_loadb(buf, (size_t)(nl - buf), 0, NULL));
	have -= (size_t)(nl + 1 - buf);
	memmove(buf, nl + 1, have);
	return j;
}

START_TEST(an_op_waiting_for_the_store_is_answered_at_its_deadline)
{
	char sha[65], *pem, *lines[3];
	json_t *r;
	pid_t locker;
	int fd;

	h_provision(&H);
	locker = hold_write_lock();
	pem = make_ca(300, sha);
	lines[0] = req_line(1, "trust.add", json_pack("{s:s, s:i}", "pem", pem, "deadline_ms", 100));
	free(pem);
	lines[1] = req_line(2, "trust.list", json_pack("{s:i}", "deadline_ms", 300));
	lines[2] = req_line(3, "audit.list", NULL);
	ck_assert_int_ge(fd = h_connect(H.admin), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(write(fd, lines[i], strlen(lines[i])), (ssize_t)strlen(lines[i]));
		ck_assert_int_eq(write(fd, "\n", 1), 1);
	}
	for (int i = 0; i < 3; i++)
		free(lines[i]);
	r = read_reply(fd);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 2);
	ck_assert_str_eq(err_name(r), "ETIMEDOUT");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(r, "error"),
	    "message")), "deadline_ms (300 ms)"));
	json_decref(r);
	r = read_reply(fd);		/* the change waited for the lock in vain */
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 1);
	ck_assert_str_eq(err_name(r), "EDB");
	json_decref(r);
	r = read_reply(fd);		/* not trust.list's late reply */
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 3);
	ck_assert_str_eq(err_name(r), "OK");
	json_decref(r);
	close(fd);
	kill(locker, SIGKILL);
	(void)waitpid(locker, NULL, 0);
}
END_TEST

/* ---- LOW 9: a foreign database is refused and left untouched ---- */

START_TEST(a_foreign_database_is_refused_and_left_untouched)
{
	char before[128], after[128], wal[H_PATH_MAX + 8];

	h_teardown(&H);
	h_init(&H, NULL);
	ck_assert_int_eq(h_sh(NULL, 0, "sqlite3 '%s' 'CREATE TABLE users (name TEXT);"
	    " INSERT INTO users VALUES (\"alice\");'", H.db), 0);
	ck_assert_int_eq(h_sh(NULL, 0, "chmod 600 '%s'", H.db), 0);
	ck_assert_int_eq(h_sh(before, sizeof(before), "sha256sum < '%s'", H.db), 0);
	ck_assert_int_ne(h_start_fails(&H), 0);
	ck_assert_int_eq(h_sh(after, sizeof(after), "sha256sum < '%s'", H.db), 0);
	ck_assert_str_eq(before, after);
	snprintf(wal, sizeof(wal), "%s-wal", H.db);
	ck_assert_int_ne(access(wal, F_OK), 0);
	h_read_log(&H, out, sizeof(out));
	ck_assert_msg(strstr(out, "not a stird database") != NULL, "log: %s", out);

	/* the same with a schema version set by the other application */
	ck_assert_int_eq(h_sh(NULL, 0, "sqlite3 '%s' 'PRAGMA user_version = 2;'", H.db), 0);
	ck_assert_int_eq(h_sh(before, sizeof(before), "sha256sum < '%s'", H.db), 0);
	ck_assert_int_ne(h_start_fails(&H), 0);
	ck_assert_int_eq(h_sh(after, sizeof(after), "sha256sum < '%s'", H.db), 0);
	ck_assert_str_eq(before, after);

	/* an empty file is a new database; stird's own is reopened */
	ck_assert_int_eq(h_sh(NULL, 0, "rm -f '%s'; : > '%s'; chmod 600 '%s'", H.db, H.db, H.db), 0);
	ck_assert(h_start(&H));
	ck_assert_int_eq(h_stop(&H), 0);
	ck_assert(h_start(&H));
}
END_TEST

/* ---- MEDIUM 5: no client string forges a log line ---- */

#define EVIL	"x\n<0>forged by the client"

START_TEST(client_strings_cannot_forge_log_lines)
{
	/* every op, with the hostile text where it can reach an error message */
	static const char *const reqs[][2] = {
		{ "sign", "{\"cred\":\"" "x\\n<0>forged by the client" "\",\"orig\":\"12155551212\",\"dest\":[\"12125551213\"],\"attest\":\"A\"}" },
		{ "sign", "{\"orig\":\"x\\n<0>forged by the client\",\"dest\":[\"1\"],\"attest\":\"A\"}" },
		{ "verify", "{\"identity\":\"x\\n<0>forged by the client\",\"from\":\"1\",\"to\":\"2\"}" },
		{ "status", "{\"x\\n<0>forged by the client\":1}" },
		{ "reload", "{\"x\\n<0>forged by the client\":1}" },
		{ "key.generate", "{\"name\":\"x\\n<0>forged by the client\"}" },
		{ "key.import", "{\"name\":\"x\\n<0>forged by the client\",\"pem\":\"x\\n<0>forged by the client\"}" },
		{ "key.import", "{\"name\":\"ok\",\"pem\":\"x\\n<0>forged by the client\"}" },
		{ "key.list", "{\"x\\n<0>forged by the client\":1}" },
		{ "key.remove", "{\"name\":\"x\\n<0>forged by the client\"}" },
		{ "cred.add", "{\"name\":\"c\",\"key\":\"x\\n<0>forged by the client\",\"chain\":\"x\",\"x5u\":\"https://a/x\"}" },
		{ "cred.add", "{\"name\":\"c\",\"key\":\"nokey\",\"chain\":\"x\",\"x5u\":\"https://a/x\\n<0>forged by the client\"}" },
		{ "cred.list", "{\"x\\n<0>forged by the client\":1}" },
		{ "cred.remove", "{\"name\":\"x\\n<0>forged by the client\"}" },
		{ "trust.add", "{\"pem\":\"x\\n<0>forged by the client\"}" },
		{ "trust.list", "{\"x\\n<0>forged by the client\":1}" },
		{ "trust.remove", "{\"anchor\":\"x\\n<0>forged by the client\"}" },
		{ "audit.list", "{\"limit\":\"x\\n<0>forged by the client\"}" },
		{ "cache.list", "{\"x\\n<0>forged by the client\":1}" },
		{ "cache.show", "{\"url\":\"https://x\\n<0>forged by the client\"}" },
		{ "cache.purge", "{\"url\":\"https://x\\n<0>forged by the client\"}" },
		{ "cache.prefetch", "{\"url\":\"https://x\\n<0>forged by the client\"}" },
		{ "policy.add", "{\"name\":\"x\\n<0>forged by the client\",\"policy\":{}}" },
		{ "policy.check", "{\"policy\":{\"x\\n<0>forged by the client\":1}}" },
		{ "policy.list", "{\"x\\n<0>forged by the client\":1}" },
		{ "policy.show", "{\"name\":\"x\\n<0>forged by the client\"}" },
		{ "policy.remove", "{\"name\":\"x\\n<0>forged by the client\"}" },
		{ "policy.test", "{\"name\":\"x\\n<0>forged by the client\",\"orig\":\"1\"}" },
		{ "x\\n<0>forged by the client", "{}" },
	};
	size_t n = sizeof(reqs) / sizeof(reqs[0]);
	char **lines = calloc(n, sizeof(*lines));
	json_t **rep;

	h_provision(&H);
	for (size_t i = 0; i < n; i++) {
		json_error_t e;
		json_t *p = json_loads(reqs[i][1], 0, &e);

		ck_assert_msg(p != NULL, "test request %zu: %s", i, e.text);
		/* op is set raw so that even an op name is hostile */
		(void)json_object_set_new(p, "v", json_integer(1));
		(void)json_object_set_new(p, "id", json_integer((json_int_t)i));
		(void)json_object_set_new(p, "op", json_string(strcmp(reqs[i][0],
		    "x\\n<0>forged by the client") == 0 ? EVIL : reqs[i][0]));
		lines[i] = json_dumps(p, JSON_COMPACT);
		json_decref(p);
	}
	rep = burst(H.admin, 1, lines, (int)n, NULL);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(json_object_get(rep[i], "error") != NULL || i == 0 ||
		    strcmp(reqs[i][0], "status") != 0, "request %zu", i);
	replies_free(rep, (int)n);
	lines_free(lines, (int)n);
	ck_assert_int_eq(h_stop(&H), 0);

	h_read_log(&H, out, sizeof(out));
	/* no line of the log starts with what the client sent after its newline */
	ck_assert_int_eq(h_count(out, "\n<0>forged"), 0);
	ck_assert_int_eq(h_count(out, "\nforged"), 0);
	/*
	 * and the text did reach the log: escaped where a value is echoed,
	 * and, where it is the name of an unknown field (status, reload and
	 * the five list ops), quoted with its controls as '?' (opschema.c)
	 */
	ck_assert_int_gt(h_count(out, "\\x0a<0>forged by the client"), 3);
	ck_assert_int_ge(h_count(out, "unknown field 'x?<0>forged by the client'"), 7);
}
END_TEST

static Suite *
admin_suite(void)
{
	Suite *s = suite_create("admin");
	TCase *tc = tcase_create("admin");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, concurrent_adds_and_removes_act_on_their_own_rows);
	tcase_add_test(tc, key_remove_racing_cred_add_never_orphans_a_credential);
	tcase_add_test(tc, a_change_whose_audit_record_fails_is_not_made);
	tcase_add_test(tc, a_locked_database_delays_no_signature_and_admin_ops_fail_with_edb);
	tcase_add_test(tc, an_op_waiting_for_the_store_is_answered_at_its_deadline);
	tcase_add_test(tc, a_foreign_database_is_refused_and_left_untouched);
	tcase_add_test(tc, client_strings_cannot_forge_log_lines);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return h_run(admin_suite());
}
