/*
 * stir-bench: sign throughput and latency through stird, against the raw
 * in-process GnuTLS ES256 rate measured in the same run.
 *
 *   stir-bench --socket PATH --key KEY.pem [--pid PID] [--clients N]
 *              [--depth D] [--seconds S] [--raw-threads T]
 *              [--deterministic yes|no] [--orig TN]
 *
 * Phases: (1) raw: gnutls_privkey_sign_data2() on a PASSporT-sized input
 * in T threads; (2) latency: one client, one request at a time, through
 * libstirclient; (3) throughput: N clients, each a connection with D
 * requests in flight.  With --pid, the daemon's CPU time over phase 3
 * gives the cores it used, and the per-core efficiency against phase 1.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "stirclient.h"

#define MAX_CLIENTS	256
#define MAX_DEPTH	256
#define LAT_MAX		1000000

struct opts {
	const char	*socket;
	const char	*key;
	const char	*orig;
	int		 pid;
	int		 clients;
	int		 depth;
	double		 seconds;
	int		 raw_threads;
	int		 deterministic;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- phase 1: raw GnuTLS ---- */

struct raw_arg {
	gnutls_privkey_t pk;
	double		 until;
	unsigned	 flags;
	unsigned long	 n;
};

static void *
raw_thread(void *p)
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

static double
raw_rate(const struct opts *o, int threads)
{
	gnutls_datum_t pem;
	gnutls_privkey_t pk;
	pthread_t t[64];
	struct raw_arg a[64];
	unsigned long total = 0;
	double t0;

	if (gnutls_load_file(o->key, &pem) < 0 || gnutls_privkey_init(&pk) < 0 ||
	    gnutls_privkey_import_x509_raw(pk, &pem, GNUTLS_X509_FMT_PEM, NULL, 0) < 0) {
		fprintf(stderr, "cannot load %s\n", o->key);
		exit(2);
	}
	gnutls_free(pem.data);
	t0 = now_s();
	for (int i = 0; i < threads; i++) {
		a[i].pk = pk;
		a[i].until = t0 + o->seconds;
		a[i].flags = o->deterministic ? GNUTLS_PRIVKEY_FLAG_REPRODUCIBLE : 0;
		a[i].n = 0;
		pthread_create(&t[i], NULL, raw_thread, &a[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		total += a[i].n;
	}
	gnutls_privkey_deinit(pk);
	return (double)total / (now_s() - t0);
}

/* ---- phase 2: latency ---- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
latency(const struct opts *o, double *ret_p50, double *ret_p99, double *ret_rate)
{
	static double lat[LAT_MAX];
	struct stir_client *c;
	const char *dest[] = { "12125551213" };
	struct stir_sign_req req = { o->orig, dest, 1, "A", NULL, 0, NULL };
	size_t n = 0;
	double t0, end;
	int r;

	if ((r = stir_client_connect(o->socket, 5000, &c)) != STIR_OK) {
		fprintf(stderr, "connect %s: %s\n", o->socket, stir_strerror(r));
		exit(2);
	}
	t0 = now_s();
	end = t0 + o->seconds;
	while (n < LAT_MAX) {
		double s = now_s();
		char *id = NULL;

		if (s >= end)
			break;
		if ((r = stir_client_sign(c, &req, &id, NULL)) != STIR_OK) {
			fprintf(stderr, "sign: %s: %s\n", stir_strerror(r), stir_client_errmsg(c));
			exit(2);
		}
		free(id);
		lat[n++] = (now_s() - s) * 1e3;
	}
	*ret_rate = (double)n / (now_s() - t0);
	stir_client_free(c);
	qsort(lat, n, sizeof(lat[0]), cmp_double);
	*ret_p50 = lat[n / 2];
	*ret_p99 = lat[(size_t)((double)n * 0.99)];
}

/* ---- phase 3: throughput, pipelined ---- */

struct client_arg {
	const struct opts *o;
	double		 until;
	unsigned long	 done;
	unsigned long	 errors;
};

static void *
client_thread(void *p)
{
	struct client_arg *a = p;
	struct sockaddr_un sun;
	char line[512], buf[65536];
	size_t have = 0;
	int fd, inflight = 0, len;
	unsigned long id = 0;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", a->o->socket);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		perror("connect");
		exit(2);
	}
	for (;;) {
		int stop = now_s() >= a->until;

		while (!stop && inflight < a->o->depth) {
			len = snprintf(line, sizeof(line),
			    "{\"v\":1,\"id\":%lu,\"op\":\"sign\",\"orig\":\"%s\","
			    "\"dest\":[\"12125551213\"],\"attest\":\"A\"}\n", ++id, a->o->orig);
			if (send(fd, line, (size_t)len, MSG_NOSIGNAL) != len) {
				perror("send");
				exit(2);
			}
			inflight++;
		}
		if (inflight == 0)
			break;
		{
			ssize_t n = recv(fd, buf + have, sizeof(buf) - have, 0);
			char *s = buf, *nl;

			if (n <= 0) {
				fprintf(stderr, "daemon closed the connection\n");
				exit(2);
			}
			have += (size_t)n;
			while ((nl = memchr(s, '\n', have - (size_t)(s - buf))) != NULL) {
				if (memmem(s, (size_t)(nl - s), "\"error\"", 7) != NULL)
					a->errors++;
				else
					a->done++;
				inflight--;
				s = nl + 1;
			}
			have -= (size_t)(s - buf);
			memmove(buf, s, have);
		}
	}
	close(fd);
	return NULL;
}

static double
proc_cpu_seconds(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
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
	/* fields after ")": state is 3; utime 14 and stime 15 */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
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
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { NULL, NULL, "12155551212", 0, 4, 16, 3.0, 1, 1 };
	struct client_arg ca[MAX_CLIENTS];
	pthread_t t[MAX_CLIENTS];
	unsigned long done = 0, errors = 0;
	double raw, p50, p99, lat_rate, t0, wall, cpu0 = -1, cpu1 = -1, rate;
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
		default: goto usage;
		}
	}
	if (o.socket == NULL || o.key == NULL || o.clients < 1 || o.clients > MAX_CLIENTS ||
	    o.depth < 1 || o.depth > MAX_DEPTH || o.raw_threads < 1 || o.raw_threads > 64 ||
	    o.seconds <= 0)
		goto usage;

	raw = raw_rate(&o, o.raw_threads);
	printf("raw GnuTLS ES256 sign (in-process, %d thread%s, %s): %.0f/s\n", o.raw_threads,
	    o.raw_threads > 1 ? "s" : "", o.deterministic ? "RFC 6979" : "random k", raw);
	fflush(stdout);

	latency(&o, &p50, &p99, &lat_rate);
	printf("latency, 1 client, 1 in flight: p50 %.3f ms, p99 %.3f ms (%.0f/s)\n",
	    p50, p99, lat_rate);
	fflush(stdout);

	if (o.pid > 0)
		cpu0 = proc_cpu_seconds(o.pid);
	t0 = now_s();
	for (int i = 0; i < o.clients; i++) {
		ca[i].o = &o;
		ca[i].until = t0 + o.seconds;
		ca[i].done = ca[i].errors = 0;
		pthread_create(&t[i], NULL, client_thread, &ca[i]);
	}
	for (int i = 0; i < o.clients; i++) {
		pthread_join(t[i], NULL);
		done += ca[i].done;
		errors += ca[i].errors;
	}
	wall = now_s() - t0;
	if (o.pid > 0)
		cpu1 = proc_cpu_seconds(o.pid);
	rate = (double)done / wall;
	printf("throughput, %d clients x %d in flight: %.0f signs/s (%lu errors)\n",
	    o.clients, o.depth, rate, errors);
	printf("ratio daemon/raw: %.2f\n", rate / raw);
	if (cpu0 >= 0 && cpu1 >= 0) {
		double cores = (cpu1 - cpu0) / wall;
		double per_core_raw = raw / o.raw_threads;

		printf("daemon CPU: %.2f cores; per core used: %.0f signs/s = %.2f of raw per core\n",
		    cores, rate / cores, rate / cores / per_core_raw);
	}
	return errors == 0 ? 0 : 1;
 usage:
	fprintf(stderr, "usage: stir-bench --socket PATH --key KEY.pem [--pid PID] [--clients N]\n"
	    "       [--depth D] [--seconds S] [--raw-threads T] [--deterministic yes|no] [--orig TN]\n");
	return 2;
}
