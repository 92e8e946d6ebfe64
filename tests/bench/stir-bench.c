/*
 * stir-bench: sign and verify throughput and latency through stird, against
 * the raw in-process GnuTLS ES256 rates measured in the same run.
 *
 *   stir-bench --socket PATH --key KEY.pem [--pid PID] [--clients N]
 *              [--depth D] [--seconds S] [--raw-threads T]
 *              [--deterministic yes|no] [--orig TN] [--dest TN]
 *              [--verify yes|no] [--ids N] [--hang-url URL] [--hang-depth H]
 *
 * Sign phases: (1) raw: gnutls_privkey_sign_data2() on a PASSporT-sized
 * input in T threads; (2) latency: one client, one request at a time,
 * through libstirclient, back to back, then paced at 50/s and at 500/s
 * (a fixed schedule, as a lightly loaded proxy sends them); (3)
 * throughput: N clients, each a connection with D requests in flight.
 *
 * Verify phases (unless --verify no; the daemon's credential for orig must
 * have an x5u the daemon can fetch): N identities are signed by the daemon
 * (fresh iat) and verified once (the cache is warm from then on); then
 * (1) raw: gnutls_pubkey_verify_data2() with the same key on a PASSporT-
 * sized input in T threads; (2) latency, one client, back to back and
 * paced at 50/s and 500/s; (3) throughput, N
 * clients x D in flight; (4) with --hang-url, the latency of (2) again
 * while another connection keeps H verifications in flight whose x5u is
 * URL?r=<unique> (a URL that never answers: each one is a fetch that stays
 * pending until the daemon's fetch_timeout_ms).
 *
 * With --pid, the daemon's CPU time over each throughput phase gives the
 * cores it used, and the per-core efficiency against the raw rate.  The
 * last lines ("SUMMARY ...") hold the figures in key=value form.
 */
#include "config.h"

#include <dirent.h>

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <sodium.h>

#include "stirclient.h"

#define MAX_CLIENTS	256
#define MAX_DEPTH	256
#define MAX_IDS		4096	/* signed by the daemon */
#define MAX_FRESH	200000	/* made here (--fresh) */
#define LAT_MAX		1000000
#define LINE_MAX_B	4096

enum op { OP_SIGN, OP_VERIFY, OP_PING };

struct opts {
	const char	*socket;
	const char	*key;
	const char	*orig;
	const char	*dest;
	const char	*hang_url;
	int		 pid;
	int		 clients;
	int		 depth;
	double		 seconds;
	int		 raw_threads;
	int		 deterministic;
	int		 verify;
	int		 nids;
	int		 hang_depth;
	int		 sign_phases;	/* --sign no: verify only */
	const char	*fresh_url;	/* --fresh URL: each identity verified once */
	/* derived */
	char		 from_hdr[64], to_hdr[64];
	char		**ids;		/* daemon-signed Identity values */
};

/* fresh identities are handed out once each, across every phase */
static atomic_ulong fresh_next;
static atomic_ulong fresh_wrapped;

static const char *
pick(const struct opts *o, unsigned long n)
{
	if (o->fresh_url != NULL) {
		n = atomic_fetch_add(&fresh_next, 1);
		if (n >= (unsigned long)o->nids)
			atomic_store(&fresh_wrapped, 1);
	}
	return o->ids[n % (unsigned long)o->nids];
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleep until t (a now_s() time). */
static void
sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t,
	    .tv_nsec = (long)((t - (double)(time_t)t) * 1e9) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static gnutls_privkey_t
load_key(const char *path)
{
	gnutls_datum_t pem;
	gnutls_privkey_t pk;

	if (gnutls_load_file(path, &pem) < 0 || gnutls_privkey_init(&pk) < 0 ||
	    gnutls_privkey_import_x509_raw(pk, &pem, GNUTLS_X509_FMT_PEM, NULL, 0) < 0) {
		fprintf(stderr, "cannot load %s\n", path);
		exit(2);
	}
	gnutls_free(pem.data);
	return pk;
}

/* ---- raw GnuTLS ---- */

struct raw_arg {
	gnutls_privkey_t pk;
	gnutls_pubkey_t	 pub;
	const gnutls_datum_t *vdata, *vsig;	/* verify: NV inputs and signatures */
	double		 until;
	unsigned	 flags;
	unsigned long	 n;
};

#define NV	16	/* distinct (input, signature) pairs the verify loop cycles over */

static void *
raw_sign_thread(void *p)
{
	struct raw_arg *a = p;
	unsigned char tbs[308];
	gnutls_datum_t data = { tbs, sizeof(tbs) }, sig;

	memset(tbs, 'e', sizeof(tbs));
	while (now_s() < a->until) {
		for (int i = 0; i < 64; i++) {
			tbs[i % sizeof(tbs)]++;		/* a new input each time */
			if (gnutls_privkey_sign_data2(a->pk, GNUTLS_SIGN_ECDSA_SHA256,
			    a->flags, &data, &sig) < 0) {
				fprintf(stderr, "raw sign failed\n");
				exit(2);
			}
			gnutls_free(sig.data);
			a->n++;
		}
	}
	return NULL;
}

static void *
raw_verify_thread(void *p)
{
	struct raw_arg *a = p;

	while (now_s() < a->until) {
		for (int i = 0; i < 64; i++) {
			if (gnutls_pubkey_verify_data2(a->pub, GNUTLS_SIGN_ECDSA_SHA256, 0,
			    &a->vdata[i % NV], &a->vsig[i % NV]) < 0) {
				fprintf(stderr, "raw verify failed\n");
				exit(2);
			}
			a->n++;
		}
	}
	return NULL;
}

static double
raw_rate(const struct opts *o, enum op op, int threads, double seconds)
{
	cpu_set_t cpus;
	int pinned = o->pid > 0 && sched_getaffinity(o->pid, sizeof(cpus), &cpus) == 0;
	gnutls_privkey_t pk = load_key(o->key);
	gnutls_pubkey_t pub = NULL;
	static unsigned char tbs[NV][308];
	gnutls_datum_t vdata[NV], vsig[NV];
	pthread_t t[64];
	struct raw_arg a[64];
	unsigned long total = 0;
	double t0;

	if (op == OP_VERIFY) {
		if (gnutls_pubkey_init(&pub) < 0 || gnutls_pubkey_import_privkey(pub, pk, 0, 0) < 0) {
			fprintf(stderr, "cannot get the public key of %s\n", o->key);
			exit(2);
		}
		for (int i = 0; i < NV; i++) {
			memset(tbs[i], 'e', sizeof(tbs[i]));
			tbs[i][0] = (unsigned char)('A' + i);
			vdata[i].data = tbs[i];
			vdata[i].size = sizeof(tbs[i]);
			if (gnutls_privkey_sign_data2(pk, GNUTLS_SIGN_ECDSA_SHA256, 0,
			    &vdata[i], &vsig[i]) < 0) {
				fprintf(stderr, "raw sign failed\n");
				exit(2);
			}
		}
	}
	t0 = now_s();
	for (int i = 0; i < threads; i++) {
		a[i].pk = pk;
		a[i].pub = pub;
		a[i].vdata = vdata;
		a[i].vsig = vsig;
		a[i].until = t0 + seconds;
		a[i].flags = o->deterministic ? GNUTLS_PRIVKEY_FLAG_REPRODUCIBLE : 0;
		a[i].n = 0;
		pthread_create(&t[i], NULL, op == OP_SIGN ? raw_sign_thread : raw_verify_thread,
		    &a[i]);
		/* on the daemon's CPUs: per-CPU speed differs on a VM */
		if (pinned)
			(void)pthread_setaffinity_np(t[i], sizeof(cpus), &cpus);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		total += a[i].n;
	}
	t0 = (double)total / (now_s() - t0);
	if (pub != NULL) {
		for (int i = 0; i < NV; i++)
			gnutls_free(vsig[i].data);
		gnutls_pubkey_deinit(pub);
	}
	gnutls_privkey_deinit(pk);
	return t0;
}

/*
 * The raw operation alone, in this process, paced as the latency phases
 * pace requests: what a CPU that sleeps between requests costs the
 * crypto itself (cold caches, idle states), with no daemon at all.
 */
static void
raw_paced(const struct opts *o, enum op op, double pace, double *ret_p50, double *ret_p99)
{
	static double lat[LAT_MAX];
	gnutls_privkey_t pk = load_key(o->key);
	gnutls_pubkey_t pub = NULL;
	unsigned char tbs[308];
	gnutls_datum_t data = { tbs, sizeof(tbs) }, sig = { NULL, 0 };
	size_t n = 0;
	double t0 = now_s(), end = t0 + o->seconds;
	unsigned flags = o->deterministic ? GNUTLS_PRIVKEY_FLAG_REPRODUCIBLE : 0;

	memset(tbs, 'e', sizeof(tbs));
	if (op == OP_VERIFY && (gnutls_pubkey_init(&pub) < 0 ||
	    gnutls_pubkey_import_privkey(pub, pk, 0, 0) < 0 ||
	    gnutls_privkey_sign_data2(pk, GNUTLS_SIGN_ECDSA_SHA256, 0, &data, &sig) < 0)) {
		fprintf(stderr, "cannot make a signature to verify with %s\n", o->key);
		exit(2);
	}
	while (n < LAT_MAX) {
		double s;

		sleep_until(t0 + (double)n / pace);
		if ((s = now_s()) >= end)
			break;
		if (op == OP_SIGN) {
			gnutls_datum_t out;

			tbs[n % sizeof(tbs)]++;
			if (gnutls_privkey_sign_data2(pk, GNUTLS_SIGN_ECDSA_SHA256, flags, &data,
			    &out) < 0) {
				fprintf(stderr, "raw sign failed\n");
				exit(2);
			}
			gnutls_free(out.data);
		} else if (gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_ECDSA_SHA256, 0, &data,
		    &sig) < 0) {
			fprintf(stderr, "raw verify failed\n");
			exit(2);
		}
		lat[n++] = (now_s() - s) * 1e3;
	}
	gnutls_free(sig.data);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(pk);
	qsort(lat, n, sizeof(lat[0]), cmp_double);
	*ret_p50 = n > 0 ? lat[n / 2] : 0;
	*ret_p99 = n > 0 ? lat[(size_t)((double)n * 0.99)] : 0;
}

/* ---- latency: one client, one request at a time ---- */

static struct stir_client *
client_connect(const struct opts *o)
{
	struct stir_client *c;
	int r;

	if ((r = stir_client_connect(o->socket, 10000, &c)) != STIR_OK) {
		fprintf(stderr, "connect %s: %s\n", o->socket, stir_strerror(r));
		exit(2);
	}
	return c;
}

/* One verify through libstirclient; exits unless the verdict is Passed. */
static void
verify_one(struct stir_client *c, const struct opts *o, const char *identity)
{
	const char *idv[] = { identity };
	struct stir_verify_req vreq = { idv, 1, o->from_hdr, o->to_hdr, NULL, NULL, 0 };
	char *res = NULL;
	int r;

	if ((r = stir_client_verify(c, &vreq, &res)) != STIR_OK) {
		fprintf(stderr, "verify: %s: %s\n", stir_strerror(r), stir_client_errmsg(c));
		exit(2);
	}
	if (strstr(res, "\"TN-Validation-Passed\"") == NULL) {
		fprintf(stderr, "verify did not pass: %s\n", res);
		exit(2);
	}
	free(res);
}

static double lat_max;		/* of the last latency() */
static double lat_max_at;	/* when it began (now_s()) */

/*
 * One client, one request at a time: back to back (pace 0) or pace
 * requests per second on a fixed schedule, as a SIP proxy at light load
 * sends them.
 */
static void
latency(const struct opts *o, enum op op, double pace, double *ret_p50, double *ret_p99,
    double *ret_rate)
{
	static double lat[LAT_MAX];
	struct stir_client *c = client_connect(o);
	const char *dest[] = { o->dest };
	struct stir_sign_req req = { o->orig, dest, 1, "A", NULL, 0, NULL };
	size_t n = 0;
	double t0, end;
	int r;

	lat_max = -1;
	t0 = now_s();
	end = t0 + o->seconds;
	while (n < LAT_MAX) {
		double s;
		char *id = NULL;

		if (pace > 0)
			sleep_until(t0 + (double)n / pace);
		if ((s = now_s()) >= end)
			break;
		if (op == OP_SIGN) {
			if ((r = stir_client_sign(c, &req, &id, NULL)) != STIR_OK) {
				fprintf(stderr, "sign: %s: %s\n", stir_strerror(r),
				    stir_client_errmsg(c));
				exit(2);
			}
			free(id);
		} else if (op == OP_PING) {
			if ((r = stir_client_ping(c)) != STIR_OK) {
				fprintf(stderr, "ping: %s\n", stir_strerror(r));
				exit(2);
			}
		} else
			verify_one(c, o, pick(o, n));
		lat[n] = (now_s() - s) * 1e3;
		if (lat[n] > lat_max) {
			lat_max = lat[n];
			lat_max_at = s;
		}
		n++;
	}
	*ret_rate = (double)n / (now_s() - t0);
	stir_client_free(c);
	if (n == 0) {
		fprintf(stderr, "latency: no request in %.1f s\n", o->seconds);
		exit(2);
	}
	qsort(lat, n, sizeof(lat[0]), cmp_double);
	*ret_p50 = lat[n / 2];
	*ret_p99 = lat[(size_t)((double)n * 0.99)];
}

/* ---- raw pipelined connections ---- */

static int
raw_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		perror("connect");
		exit(2);
	}
	return fd;
}

static void
send_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror("send");
			exit(2);
		}
		s += n;
		len -= (size_t)n;
	}
}

/* Reads what is there (blocking); calls line() on each reply line. */
struct rbuf {
	char	 buf[262144];
	size_t	 have;
};

static int
read_replies(int fd, struct rbuf *b, void (*line)(void *, const char *, size_t), void *arg)
{
	ssize_t n = recv(fd, b->buf + b->have, sizeof(b->buf) - b->have, 0);
	char *s = b->buf, *nl;
	int got = 0;

	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0) {
		fprintf(stderr, "daemon closed the connection\n");
		exit(2);
	}
	b->have += (size_t)n;
	while ((nl = memchr(s, '\n', b->have - (size_t)(s - b->buf))) != NULL) {
		line(arg, s, (size_t)(nl - s));
		got++;
		s = nl + 1;
	}
	b->have -= (size_t)(s - b->buf);
	memmove(b->buf, s, b->have);
	if (b->have == sizeof(b->buf)) {
		fprintf(stderr, "reply line too long\n");
		exit(2);
	}
	return got;
}

struct client_arg {
	const struct opts *o;
	enum op		 op;
	int		 index;
	double		 until;
	unsigned long	 done;
	unsigned long	 errors;
};

static void
client_line(void *p, const char *s, size_t len)
{
	struct client_arg *a = p;
	int ok;

	if (a->op == OP_SIGN)
		ok = memmem(s, len, "\"error\"", 7) == NULL;
	else
		ok = memmem(s, len, "\"TN-Validation-Passed\"", 22) != NULL;
	if (ok)
		a->done++;
	else {
		if (a->errors == 0)
			fprintf(stderr, "unexpected reply: %.*s\n", (int)(len > 400 ? 400 : len), s);
		a->errors++;
	}
}

static void *
client_thread(void *p)
{
	struct client_arg *a = p;
	const struct opts *o = a->o;
	struct rbuf *rb = malloc(sizeof(*rb));
	char line[LINE_MAX_B];
	int fd = raw_connect(o->socket), inflight = 0, len;
	unsigned long id = 0, next = (unsigned long)a->index * 7919u;

	if (rb == NULL) {
		perror("malloc");
		exit(2);
	}
	rb->have = 0;
	for (;;) {
		int stop = now_s() >= a->until;

		while (!stop && inflight < o->depth) {
			if (a->op == OP_SIGN)
				len = snprintf(line, sizeof(line),
				    "{\"v\":1,\"id\":%lu,\"op\":\"sign\",\"orig\":\"%s\","
				    "\"dest\":[\"%s\"],\"attest\":\"A\"}\n", ++id, o->orig, o->dest);
			else
				len = snprintf(line, sizeof(line),
				    "{\"v\":1,\"id\":%lu,\"op\":\"verify\",\"identity\":[\"%s\"],"
				    "\"from\":\"%s\",\"to\":\"%s\"}\n", ++id,
				    pick(o, next++), o->from_hdr, o->to_hdr);
			if (len <= 0 || (size_t)len >= sizeof(line)) {
				fprintf(stderr, "request too long\n");
				exit(2);
			}
			send_all(fd, line, (size_t)len);
			inflight++;
		}
		if (inflight == 0)
			break;
		inflight -= read_replies(fd, rb, client_line, a);
	}
	close(fd);
	free(rb);
	return NULL;
}

/* The CPU seconds of pid alone; *ret_ppid (may be NULL) its parent. */
static double
proc_cpu_seconds_one(int pid, int *ret_ppid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	int ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	/* fields after ")": state is 3, ppid 4; utime 14 and stime 15 */
	if (sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ppid,
	    &ut, &st) != 3)
		return -1;
	if (ret_ppid != NULL)
		*ret_ppid = ppid;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/*
 * The CPU seconds of pid and its children: stird's signer process
 * (`stird --signer`) does the signing, and its time is the daemon's too.
 */
static double
proc_cpu_seconds(int pid)
{
	double total = proc_cpu_seconds_one(pid, NULL), c;
	struct dirent *de;
	DIR *d;

	if (total < 0 || (d = opendir("/proc")) == NULL)
		return total;
	while ((de = readdir(d)) != NULL) {
		int child = atoi(de->d_name), ppid = 0;

		if (child > 0 && child != pid &&
		    (c = proc_cpu_seconds_one(child, &ppid)) >= 0 && ppid == pid)
			total += c;
	}
	closedir(d);
	return total;
}

/* N clients x D in flight for o->seconds; *ret_cores < 0 without --pid. */
static double
throughput(const struct opts *o, enum op op, double seconds, unsigned long *ret_errors,
    double *ret_cores)
{
	static struct client_arg ca[MAX_CLIENTS];
	pthread_t t[MAX_CLIENTS];
	unsigned long done = 0, errors = 0;
	double t0, wall, cpu0 = -1, cpu1 = -1;

	if (o->pid > 0)
		cpu0 = proc_cpu_seconds(o->pid);
	t0 = now_s();
	for (int i = 0; i < o->clients; i++) {
		ca[i].o = o;
		ca[i].op = op;
		ca[i].index = i;
		ca[i].until = t0 + seconds;
		ca[i].done = ca[i].errors = 0;
		pthread_create(&t[i], NULL, client_thread, &ca[i]);
	}
	for (int i = 0; i < o->clients; i++) {
		pthread_join(t[i], NULL);
		done += ca[i].done;
		errors += ca[i].errors;
	}
	wall = now_s() - t0;
	if (o->pid > 0)
		cpu1 = proc_cpu_seconds(o->pid);
	*ret_errors = errors;
	*ret_cores = cpu0 >= 0 && cpu1 >= 0 ? (cpu1 - cpu0) / wall : -1;
	return (double)done / wall;
}

#define ROUNDS	3

/*
 * The raw rate and the daemon's, in ROUNDS alternating slices of
 * o->seconds / ROUNDS each, so that the drift of a virtual machine's speed
 * between phases (seen here: 40%) falls on both sides of the ratio.
 */
struct rates {
	double		 raw, raw_lo, raw_hi;	/* the raw rate: mean, min, max */
	double		 rate;			/* the daemon's */
	double		 cores;			/* < 0 without --pid */
	unsigned long	 errors;
};

static void
measure(const struct opts *o, enum op op, struct rates *r)
{
	double slice = o->seconds / ROUNDS;

	memset(r, 0, sizeof(*r));
	r->raw_lo = 1e18;
	for (int k = 0; k < ROUNDS; k++) {
		double raw = raw_rate(o, op, o->raw_threads, slice), cores;
		unsigned long errors;

		r->raw += raw / ROUNDS;
		r->raw_lo = raw < r->raw_lo ? raw : r->raw_lo;
		r->raw_hi = raw > r->raw_hi ? raw : r->raw_hi;
		r->rate += throughput(o, op, slice, &errors, &cores) / ROUNDS;
		r->errors += errors;
		r->cores = cores < 0 || r->cores < 0 ? -1 : r->cores + cores / ROUNDS;
	}
}

/* ---- hanging fetches ---- */

/* base64url without padding (libsodium) at out; returns the end. */
static char *
b64url(const unsigned char *in, size_t len, char *out)
{
	size_t n = sodium_base64_encoded_len(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);

	(void)sodium_bin2base64(out, n, in, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out + strlen(out);
}

/*
 * A well-formed, correctly signed SHAKEN Identity value (full form) whose
 * x5u is url: the daemon must fetch url before it can check anything else.
 */
static void
make_identity(gnutls_privkey_t pk, const struct opts *o, const char *url, char *out, size_t cap)
{
	static atomic_ulong serial;
	char hdr[1536], pay[512], tbs[4096], *p;
	unsigned char rs[64];
	gnutls_datum_t data, sig, r, s;
	int hl, pl;

	hl = snprintf(hdr, sizeof(hdr),
	    "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"%s\"}", url);
	pl = snprintf(pay, sizeof(pay),
	    "{\"attest\":\"A\",\"dest\":{\"tn\":[\"%s\"]},\"iat\":%lld,\"orig\":{\"tn\":\"%s\"},"
	    "\"origid\":\"123e4567-e89b-12d3-a456-%012lx\"}",
	    o->dest, (long long)time(NULL), o->orig, atomic_fetch_add(&serial, 1));
	p = b64url((unsigned char *)hdr, (size_t)hl, tbs);
	*p++ = '.';
	p = b64url((unsigned char *)pay, (size_t)pl, p);
	data.data = (unsigned char *)tbs;
	data.size = (unsigned)(p - tbs);
	if (gnutls_privkey_sign_data2(pk, GNUTLS_SIGN_ECDSA_SHA256, 0, &data, &sig) < 0 ||
	    gnutls_decode_rs_value(&sig, &r, &s) < 0) {
		fprintf(stderr, "hang: sign failed\n");
		exit(2);
	}
	memset(rs, 0, sizeof(rs));
	/* r and s are big-endian integers, maybe with a leading zero: right-align */
	memcpy(rs + 32 - (r.size > 32 ? 32 : r.size), r.data + (r.size > 32 ? r.size - 32 : 0),
	    r.size > 32 ? 32 : r.size);
	memcpy(rs + 64 - (s.size > 32 ? 32 : s.size), s.data + (s.size > 32 ? s.size - 32 : 0),
	    s.size > 32 ? 32 : s.size);
	gnutls_free(sig.data);
	gnutls_free(r.data);
	gnutls_free(s.data);
	*p++ = '.';
	p = b64url(rs, sizeof(rs), p);
	if ((size_t)snprintf(out, cap, "%s;info=<%s>;alg=ES256;ppt=shaken", tbs, url) >= cap) {
		fprintf(stderr, "hang: identity too long\n");
		exit(2);
	}
}

struct hang_arg {
	const struct opts *o;
	atomic_int	 stop;
	unsigned long	 sent, answered, fetch_fail, other;
	double		 first_answer;	/* seconds after the start, -1: none */
	double		 t0;
};

static void
hang_line(void *p, const char *s, size_t len)
{
	struct hang_arg *a = p;

	if (a->first_answer < 0)
		a->first_answer = now_s() - a->t0;
	a->answered++;
	if (memmem(s, len, "\"code\":436", 10) != NULL)
		a->fetch_fail++;
	else {
		if (a->other == 0)
			fprintf(stderr, "hang: unexpected reply: %.*s\n",
			    (int)(len > 400 ? 400 : len), s);
		a->other++;
	}
}

static void *
hang_thread(void *p)
{
	struct hang_arg *a = p;
	const struct opts *o = a->o;
	static struct rbuf rb;
	gnutls_privkey_t pk = load_key(o->key);
	char url[1100], ident[LINE_MAX_B - 512], line[LINE_MAX_B];
	int fd = raw_connect(o->socket), inflight = 0, len;
	double drain_until = 0;
	struct timeval tv = { 0, 200000 };

	/* recv with a timeout, to see the stop flag */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	rb.have = 0;
	for (;;) {
		while (!atomic_load(&a->stop) && inflight < o->hang_depth) {
			snprintf(url, sizeof(url), "%s?r=%ld-%lu", o->hang_url, (long)getpid(),
			    a->sent);
			make_identity(pk, o, url, ident, sizeof(ident));
			len = snprintf(line, sizeof(line),
			    "{\"v\":1,\"id\":%lu,\"op\":\"verify\",\"identity\":[\"%s\"],"
			    "\"from\":\"%s\",\"to\":\"%s\"}\n", a->sent, ident, o->from_hdr,
			    o->to_hdr);
			send_all(fd, line, (size_t)len);
			a->sent++;
			inflight++;
		}
		if (inflight == 0)
			break;
		if (atomic_load(&a->stop)) {
			/* drain: the pending ones end at the daemon's fetch timeout */
			if (drain_until == 0)
				drain_until = now_s() + 65;
			if (now_s() > drain_until) {
				fprintf(stderr, "hang: %d replies never came\n", inflight);
				break;
			}
		}
		/* recv with a timeout: EAGAIN means nothing yet */
		{
			ssize_t n = recv(fd, rb.buf + rb.have, sizeof(rb.buf) - rb.have, 0);
			char *s = rb.buf, *nl;

			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				continue;
			if (n <= 0) {
				fprintf(stderr, "hang: daemon closed the connection\n");
				exit(2);
			}
			rb.have += (size_t)n;
			while ((nl = memchr(s, '\n', rb.have - (size_t)(s - rb.buf))) != NULL) {
				hang_line(a, s, (size_t)(nl - s));
				inflight--;
				s = nl + 1;
			}
			rb.have -= (size_t)(s - rb.buf);
			memmove(rb.buf, s, rb.have);
		}
	}
	close(fd);
	gnutls_privkey_deinit(pk);
	return NULL;
}

/* ---- main ---- */

static void
sign_identities(struct opts *o)
{
	struct stir_client *c = client_connect(o);
	const char *dest[] = { o->dest };
	struct stir_sign_req req = { o->orig, dest, 1, "A", NULL, 0, NULL };
	int r;

	if ((o->ids = calloc((size_t)o->nids, sizeof(*o->ids))) == NULL) {
		perror("calloc");
		exit(2);
	}
	if (o->fresh_url != NULL) {
		gnutls_privkey_t pk = load_key(o->key);

		/* made here: the daemon's CPU is not spent on them */
		for (int i = 0; i < o->nids; i++) {
			if ((o->ids[i] = malloc(2048)) == NULL) {
				perror("malloc");
				exit(2);
			}
			make_identity(pk, o, o->fresh_url, o->ids[i], 2048);
		}
		gnutls_privkey_deinit(pk);
		verify_one(c, o, pick(o, 0));	/* the x5u fetched: a warm cache */
		stir_client_free(c);
		return;
	}
	for (int i = 0; i < o->nids; i++) {
		if ((r = stir_client_sign(c, &req, &o->ids[i], NULL)) != STIR_OK) {
			fprintf(stderr, "sign: %s: %s\n", stir_strerror(r), stir_client_errmsg(c));
			exit(2);
		}
	}
	/* each once: fetches the x5u (warm cache) and checks they pass */
	for (int i = 0; i < o->nids; i++)
		verify_one(c, o, o->ids[i]);
	stir_client_free(c);
}

static void
print_cores(const char *what, double rate, double cores, double raw, int raw_threads,
    double *ret_per_core)
{
	*ret_per_core = -1;
	if (cores > 0) {
		double per_core_raw = raw / raw_threads;

		*ret_per_core = rate / cores / per_core_raw;
		printf("daemon CPU: %.2f cores; per core used: %.0f %s/s = %.2f of raw per core\n",
		    cores, rate / cores, what, *ret_per_core);
	}
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "key", required_argument, NULL, 'k' },
		{ "pid", required_argument, NULL, 'p' },
		{ "clients", required_argument, NULL, 'c' },
		{ "depth", required_argument, NULL, 'd' },
		{ "seconds", required_argument, NULL, 't' },
		{ "raw-threads", required_argument, NULL, 'r' },
		{ "deterministic", required_argument, NULL, 'D' },
		{ "orig", required_argument, NULL, 'o' },
		{ "dest", required_argument, NULL, 'T' },
		{ "verify", required_argument, NULL, 'V' },
		{ "ids", required_argument, NULL, 'n' },
		{ "hang-url", required_argument, NULL, 'H' },
		{ "hang-depth", required_argument, NULL, 'h' },
		{ "sign", required_argument, NULL, 'S' },
		{ "fresh", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { .orig = "12155551212", .dest = "12125551213", .clients = 4,
	    .depth = 16, .seconds = 3.0, .raw_threads = 1, .deterministic = 1, .verify = 1,
	    .nids = 256, .hang_depth = 32, .sign_phases = 1 };
	unsigned long errors = 0, verrors = 0;
	double raw = 0, p50 = 0, p99 = 0, lat_rate, rate = 0, cores, sign_pc = -1;
	struct rates r;
	double vraw = 0, vp50 = 0, vp99 = 0, vmax = 0, vrate = 0, vpc = -1, hp50 = -1, hp99 = -1;
	static const double paces[2] = { 50, 500 };
	double sp50[2], sp99[2], vsp50[2] = { 0, 0 }, vsp99[2] = { 0, 0 };
	double rp50[2], rp99[2], vrp50[2] = { 0, 0 }, vrp99[2] = { 0, 0 }, pp50[2], pp99[2];
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 's': o.socket = optarg; break;
		case 'k': o.key = optarg; break;
		case 'p': o.pid = atoi(optarg); break;
		case 'c': o.clients = atoi(optarg); break;
		case 'd': o.depth = atoi(optarg); break;
		case 't': o.seconds = atof(optarg); break;
		case 'r': o.raw_threads = atoi(optarg); break;
		case 'D': o.deterministic = strcmp(optarg, "no") != 0; break;
		case 'o': o.orig = optarg; break;
		case 'T': o.dest = optarg; break;
		case 'V': o.verify = strcmp(optarg, "no") != 0; break;
		case 'n': o.nids = atoi(optarg); break;
		case 'H': o.hang_url = optarg; break;
		case 'h': o.hang_depth = atoi(optarg); break;
		case 'S': o.sign_phases = strcmp(optarg, "no") != 0; break;
		case 'F': o.fresh_url = optarg; break;
		default: goto usage;
		}
	}
	if (o.socket == NULL || o.key == NULL || o.clients < 1 || o.clients > MAX_CLIENTS ||
	    o.depth < 1 || o.depth > MAX_DEPTH || o.raw_threads < 1 || o.raw_threads > 64 ||
	    o.seconds <= 0 || o.nids < 1 ||
	    o.nids > (o.fresh_url != NULL ? MAX_FRESH : MAX_IDS) || o.hang_depth < 1 ||
	    o.hang_depth > MAX_DEPTH || strlen(o.orig) > 32 || strlen(o.dest) > 32 ||
	    (o.hang_url != NULL && strlen(o.hang_url) > 1000))
		goto usage;
	snprintf(o.from_hdr, sizeof(o.from_hdr), "tel:+%s", o.orig);
	snprintf(o.to_hdr, sizeof(o.to_hdr), "tel:+%s", o.dest);

	/* ---- sign ---- */
	if (o.sign_phases) {
		latency(&o, OP_SIGN, 0, &p50, &p99, &lat_rate);
		printf("sign: latency, 1 client, 1 in flight: p50 %.3f ms, p99 %.3f ms, max %.3f ms "
		    "(%.0f/s)\n", p50, p99, lat_max, lat_rate);
		fflush(stdout);
		for (int k = 0; k < 2; k++) {
			latency(&o, OP_PING, paces[k], &pp50[k], &pp99[k], &lat_rate);
			printf("ping: latency, 1 client paced at %.0f/s (the socket path, no crypto): "
			    "p50 %.3f ms, p99 %.3f ms\n", paces[k], pp50[k], pp99[k]);
			raw_paced(&o, OP_SIGN, paces[k], &rp50[k], &rp99[k]);
			printf("sign: raw GnuTLS sign alone, paced at %.0f/s: p50 %.3f ms, p99 %.3f ms\n",
			    paces[k], rp50[k], rp99[k]);
			latency(&o, OP_SIGN, paces[k], &sp50[k], &sp99[k], &lat_rate);
			printf("sign: latency, 1 client paced at %.0f/s: p50 %.3f ms, p99 %.3f ms, "
			    "max %.3f ms\n", paces[k], sp50[k], sp99[k], lat_max);
			fflush(stdout);
		}

		measure(&o, OP_SIGN, &r);
		raw = r.raw;
		rate = r.rate;
		cores = r.cores;
		errors = r.errors;
		printf("sign: raw GnuTLS ES256 sign (in-process, %d thread%s on the daemon's CPUs, %s, "
		    "%d slices between the daemon's): %.0f/s (slices %.0f..%.0f)\n", o.raw_threads,
		    o.raw_threads > 1 ? "s" : "", o.deterministic ? "RFC 6979" : "random k", ROUNDS,
		    raw, r.raw_lo, r.raw_hi);
		printf("sign: throughput, %d clients x %d in flight: %.0f signs/s (%lu errors)\n",
		    o.clients, o.depth, rate, errors);
		printf("sign: ratio daemon/raw: %.2f\n", rate / raw);
		print_cores("signs", rate, cores, raw, o.raw_threads, &sign_pc);
		fflush(stdout);
	}

	/* ---- verify ---- */
	if (o.verify) {
		double t0 = now_s();

		sign_identities(&o);
		printf("verify: %d identities %s in %.2f s\n", o.nids, o.fresh_url != NULL ?
		    "made here, one verified (warm cache)" :
		    "signed by the daemon and verified once (warm cache)", now_s() - t0);
		fflush(stdout);

		latency(&o, OP_VERIFY, 0, &vp50, &vp99, &lat_rate);
		vmax = lat_max;
		printf("verify: latency, 1 client, 1 in flight, warm: p50 %.3f ms, p99 %.3f ms, "
		    "max %.3f ms (%.0f/s)\n", vp50, vp99, vmax, lat_rate);
		fflush(stdout);
		for (int k = 0; k < 2; k++) {
			raw_paced(&o, OP_VERIFY, paces[k], &vrp50[k], &vrp99[k]);
			printf("verify: raw GnuTLS verify alone, paced at %.0f/s: p50 %.3f ms, "
			    "p99 %.3f ms\n", paces[k], vrp50[k], vrp99[k]);
			latency(&o, OP_VERIFY, paces[k], &vsp50[k], &vsp99[k], &lat_rate);
			printf("verify: latency, 1 client paced at %.0f/s, warm: p50 %.3f ms, "
			    "p99 %.3f ms, max %.3f ms\n", paces[k], vsp50[k], vsp99[k], lat_max);
			fflush(stdout);
		}

		measure(&o, OP_VERIFY, &r);
		vraw = r.raw;
		vrate = r.rate;
		cores = r.cores;
		verrors = r.errors;
		printf("verify: raw GnuTLS ES256 verify (in-process, %d thread%s on the daemon's "
		    "CPUs, %d slices between the daemon's): %.0f/s (slices %.0f..%.0f)\n",
		    o.raw_threads, o.raw_threads > 1 ? "s" : "", ROUNDS, vraw, r.raw_lo, r.raw_hi);
		printf("verify: throughput, %d clients x %d in flight, warm: %.0f verifies/s "
		    "(%lu errors)\n", o.clients, o.depth, vrate, verrors);
		printf("verify: ratio daemon/raw: %.2f\n", vrate / vraw);
		print_cores("verifies", vrate, cores, vraw, o.raw_threads, &vpc);
		fflush(stdout);

		if (o.hang_url != NULL) {
			static struct hang_arg ha;
			pthread_t ht;
			double hl_rate;
			unsigned long sent_at_end;

			ha.o = &o;
			ha.first_answer = -1;
			ha.t0 = now_s();
			atomic_init(&ha.stop, 0);
			pthread_create(&ht, NULL, hang_thread, &ha);
			usleep(300000);		/* let the fetches start */
			latency(&o, OP_VERIFY, 0, &hp50, &hp99, &hl_rate);
			sent_at_end = ha.sent;
			atomic_store(&ha.stop, 1);
			printf("verify: latency, 1 client, warm, with %d hanging x5u fetches "
			    "in flight: p50 %.3f ms, p99 %.3f ms, max %.3f ms at +%.2f s (%.0f/s); "
			    "without: p99 %.3f ms, max %.3f ms\n", o.hang_depth, hp50, hp99,
			    lat_max, lat_max_at - ha.t0, hl_rate, vp99, vmax);
			fflush(stdout);
			pthread_join(ht, NULL);
			printf("verify: hanging verifies: %lu sent (%lu during the measurement), "
			    "%lu answered 436 after the fetch timeout, first answer after %.1f s",
			    ha.sent, sent_at_end, ha.fetch_fail, ha.first_answer);
			if (ha.other > 0)
				printf(", %lu unexpected", ha.other);
			printf("\n");
			if (ha.other > 0)
				verrors += ha.other;
		}
	}

	if (o.sign_phases) {
		printf("SUMMARY sign raw=%.0f daemon=%.0f ratio=%.2f percore=%.2f p50=%.3f p99=%.3f "
		    "p50_50=%.3f p99_50=%.3f p50_500=%.3f p99_500=%.3f raw50=%.3f raw500=%.3f "
		    "hangp99=-\n", raw, rate, rate / raw, sign_pc, p50, p99, sp50[0], sp99[0],
		    sp50[1], sp99[1], rp50[0], rp50[1]);
		printf("SUMMARY ping raw=- daemon=- ratio=- percore=- p50=- p99=- p50_50=%.3f "
		    "p99_50=%.3f p50_500=%.3f p99_500=%.3f raw50=- raw500=- hangp99=-\n", pp50[0],
		    pp99[0], pp50[1], pp99[1]);
	}
	if (o.fresh_url != NULL)
		printf("verify: %d fresh identities made here, %lu used%s\n", o.nids,
		    (unsigned long)atomic_load(&fresh_next), atomic_load(&fresh_wrapped) ?
		    " (wrapped: some were verified twice, and were local replays)" : ", each once");
	if (o.verify) {
		printf("SUMMARY verify raw=%.0f daemon=%.0f ratio=%.2f percore=%.2f p50=%.3f "
		    "p99=%.3f p50_50=%.3f p99_50=%.3f p50_500=%.3f p99_500=%.3f raw50=%.3f "
		    "raw500=%.3f ", vraw, vrate, vrate / vraw, vpc, vp50, vp99, vsp50[0], vsp99[0],
		    vsp50[1], vsp99[1], vrp50[0], vrp50[1]);
		if (hp99 >= 0)
			printf("hangp99=%.3f\n", hp99);
		else
			printf("hangp99=-\n");
	}
	return errors == 0 && verrors == 0 ? 0 : 1;
 usage:
	fprintf(stderr, "usage: stir-bench --socket PATH --key KEY.pem [--pid PID] [--clients N]\n"
	    "       [--depth D] [--seconds S] [--raw-threads T] [--deterministic yes|no]\n"
	    "       [--orig TN] [--dest TN] [--verify yes|no] [--ids N]\n"
	    "       [--hang-url URL] [--hang-depth H]\n");
	return 2;
}
