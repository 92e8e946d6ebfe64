/*
 * secsipid-sign: the peer's signing rate for the benchmark.  libsecsipid
 * (secsipidx's C library, Debian libsecsipid-dev) builds and signs the
 * same SHAKEN PASSporT stird signs, in this process, back to back, for
 * SECONDS, with the private key given in memory (its fastest call: no
 * key file read per signature); the rate per CPU-second counts every
 * thread of the process (the Go runtime's too).
 *
 *   secsipid-sign KEY.pem X5U SECONDS
 *
 * Prints "SUMMARY secsipid-sign rate=<per s> cpu=<cores> percpu=<per CPU-s>".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <secsipid.h>

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* The key file's PEM text, NUL-terminated; exits if it cannot be read. */
static char *
read_key(const char *path)
{
	static char pem[16384];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL || (n = fread(pem, 1, sizeof(pem) - 1, f)) == 0) {
		fprintf(stderr, "secsipid-sign: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	pem[n] = '\0';
	return pem;
}

/* One Identity value; exits if the library fails. */
static void
sign_one(char *key, char *x5u)
{
	char *out = NULL;
	int n;

	n = SecSIPIDGetIdentityPrvKey("12155551212", "12125551213", "A", "", x5u, key, &out);
	if (n <= 0 || out == NULL) {
		fprintf(stderr, "secsipid-sign: SecSIPIDGetIdentityPrvKey failed (%d)\n", n);
		exit(2);
	}
	free(out);
}

int
main(int argc, char **argv)
{
	double secs, t0, c0, t, c;
	unsigned long n = 0;
	char *key;

	if (argc != 4 || (secs = atof(argv[3])) <= 0) {
		fprintf(stderr, "usage: secsipid-sign KEY.pem X5U SECONDS\n");
		return 2;
	}
	key = read_key(argv[1]);
	sign_one(key, argv[2]);			/* warm up, and check it works */
	t0 = now_s();
	c0 = cpu_s();
	while (now_s() - t0 < secs) {
		for (int i = 0; i < 32; i++)
			sign_one(key, argv[2]);
		n += 32;
	}
	t = now_s() - t0;
	c = cpu_s() - c0;
	printf("secsipid-sign: libsecsipid in-process, 1 caller: %.0f signs/s, %.2f cores, "
	    "%.0f signs per CPU-second\n", (double)n / t, c / t, (double)n / c);
	printf("SUMMARY secsipid-sign rate=%.0f cpu=%.2f percpu=%.0f\n", (double)n / t, c / t,
	    (double)n / c);
	return 0;
}
