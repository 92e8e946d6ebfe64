/*
 * replay.c: run a fuzz target without libFuzzer, for make check.  Linked
 * with one fuzz_<target>.c; local.mk sets FUZZ_TARGET to its name and
 * FUZZ_CORPUS_DIR to $(abs_top_srcdir)/tests/fuzz/corpus.
 *
 * Two Check tests: every seed in tests/fuzz/corpus/<target>/ (plus the
 * empty input), then a fixed, seeded stream of mutations of those seeds,
 * bounded in count and time.  With file arguments it runs just those files
 * (say, a crash libFuzzer found, under valgrind or gdb) and exits.
 *
 * Environment: top_srcdir (the corpus is $top_srcdir/tests/fuzz/corpus);
 * FUZZ_REPLAY_SEED and FUZZ_REPLAY_COUNT change the mutation stream, e.g.
 * for a longer plain run under valgrind.  When an input crashes, its name
 * (or, for a mutant, its hex) goes to stderr and the bytes to
 * $top_builddir/tests/fuzz/fuzz-crash-<target> (without top_builddir, to
 * ./fuzz-crash-<target>), ready to become a regression seed.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET must name the fuzz target (tests/fuzz/local.mk sets it)"
#endif
#ifndef FUZZ_CORPUS_DIR
#define FUZZ_CORPUS_DIR		"tests/fuzz/corpus"
#endif

#define REPLAY_FILE_MAX		(1024 * 1024)	/* bytes of one corpus file */
#define REPLAY_SEEDS_MAX	1000		/* files in one corpus */
#define REPLAY_MUTATIONS	10000		/* default mutant count */
#define REPLAY_BUDGET_NS	1000000000ull	/* ... or one second */
#define REPLAY_MUTANT_MAX	16384		/* bytes of one mutant */
#define REPLAY_SEED		0x5717d5eedull	/* default stream */
#define REPLAY_HEX_MAX		2048		/* mutant bytes shown as hex */

struct seed {
	char	*name;
	uint8_t	*data;
	size_t	 len;
};

struct corpus {
	char		*dir;
	struct seed	*v;
	size_t		 n;
	size_t		 maxlen;
};

/*
 * What is running now, for the crash report: set before each call and
 * read only by the signal handler (a test's child process owns its copy).
 */
static const char *volatile cur_name;
static const uint8_t *volatile cur_data;
static volatile size_t cur_len;
static char crash_path[4096] = "fuzz-crash-" FUZZ_TARGET;

static void
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w <= 0)
			return;
		c += w;
		n -= (size_t)w;
	}
}

static void
write_str(int fd, const char *s)
{
	write_all(fd, s, strlen(s));
}

/* Async-signal-safe: say which input it was and keep its bytes. */
static void
report_current(void)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *d = cur_data;
	size_t n = cur_len;
	char buf[64];
	int fd;

	if (d == NULL)
		return;
	write_str(2, "\nfuzz replay (" FUZZ_TARGET "): crashed on ");
	write_str(2, cur_name != NULL ? cur_name : "a mutant");
	write_str(2, "\n");
	if (cur_name == NULL) {
		size_t o = 0;

		write_str(2, "hex: ");
		for (size_t i = 0; i < n && i < REPLAY_HEX_MAX; i++) {
			buf[o++] = hex[d[i] >> 4];
			buf[o++] = hex[d[i] & 15];
			if (o == sizeof(buf)) {
				write_all(2, buf, o);
				o = 0;
			}
		}
		write_all(2, buf, o);
		write_str(2, n > REPLAY_HEX_MAX ? "...\n" : "\n");
	}
	fd = open(crash_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		write_all(fd, d, n);
		(void)close(fd);
		write_str(2, "input saved as ");
		write_str(2, crash_path);
		write_str(2, "\n");
	}
	cur_data = NULL;
}

static void
on_signal(int sig)
{
	report_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ASan and UBSan exit rather than signal; they call this first. */
void	__sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static void
trap_crashes(void)
{
	static const int sigs[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
	const char *top = getenv("top_builddir");
	struct sigaction sa;
	int n;

	if (top != NULL && *top != '\0') {
		n = snprintf(crash_path, sizeof(crash_path),
		    "%s/tests/fuzz/fuzz-crash-%s", top, FUZZ_TARGET);
		if (n < 0 || (size_t)n >= sizeof(crash_path))
			snprintf(crash_path, sizeof(crash_path), "fuzz-crash-%s",
			    FUZZ_TARGET);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)sigaction(sigs[i], &sa, NULL);
	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(report_current);
}

/* Run the target on an exact-size heap copy, so overreads show. */
static void
run_one(const char *name, const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);

	ck_assert_ptr_nonnull(copy);
	if (len > 0)
		memcpy(copy, data, len);
	cur_name = name;
	cur_len = len;
	cur_data = copy;
	(void)LLVMFuzzerTestOneInput(copy, len);
	cur_data = NULL;
	free(copy);
}

static int
read_file(const char *path, uint8_t **ret, size_t *ret_len)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd, r = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > REPLAY_FILE_MAX)
		goto out;
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto out;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		got += (size_t)n;
	}
	*ret = buf;
	*ret_len = got;
	buf = NULL;
	r = 0;
 out:
	free(buf);
	(void)close(fd);
	return r;
}

static void
corpus_free(struct corpus *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].data);
	}
	free(c->v);
	free(c->dir);
	memset(c, 0, sizeof(*c));
}

static int
skip_dotfiles(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* The seeds, in name order so every run sees the same stream. */
static void
corpus_load(struct corpus *c)
{
	const char *top = getenv("top_srcdir");
	struct dirent **names = NULL;
	int n;

	memset(c, 0, sizeof(*c));
	if (top != NULL && *top != '\0')
		ck_assert_int_ge(asprintf(&c->dir, "%s/tests/fuzz/corpus/%s", top,
		    FUZZ_TARGET), 0);
	else
		ck_assert_int_ge(asprintf(&c->dir, "%s/%s", FUZZ_CORPUS_DIR,
		    FUZZ_TARGET), 0);
	n = scandir(c->dir, &names, skip_dotfiles, alphasort);
	ck_assert_msg(n >= 0, "cannot read the corpus %s: %s", c->dir,
	    strerror(errno));
	ck_assert_msg(n > 0 && n <= REPLAY_SEEDS_MAX,
	    "corpus %s has %d files", c->dir, n);
	c->v = calloc((size_t)n, sizeof(*c->v));
	ck_assert_ptr_nonnull(c->v);
	for (int i = 0; i < n; i++) {
		struct seed *s = &c->v[c->n];
		char *path = NULL;

		ck_assert_int_ge(asprintf(&path, "%s/%s", c->dir, names[i]->d_name), 0);
		ck_assert_msg(read_file(path, &s->data, &s->len) == 0,
		    "cannot read %s", path);
		s->name = path;
		if (s->len > c->maxlen)
			c->maxlen = s->len;
		c->n++;
		free(names[i]);
	}
	free(names);
}

START_TEST(replay_corpus)
{
	struct corpus c;
	uint8_t b;

	trap_crashes();
	corpus_load(&c);
	run_one("the empty input", (const uint8_t *)"", 0);
	for (unsigned v = 0; v < 256; v++) {
		b = (uint8_t)v;
		run_one("a one-byte input", &b, 1);
	}
	for (size_t i = 0; i < c.n; i++)
		run_one(c.v[i].name, c.v[i].data, c.v[i].len);
	corpus_free(&c);
}
END_TEST

/* xorshift64*: small, fixed, and the same on every platform */
static uint64_t rng_state;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t
below(size_t n)
{
	return n == 0 ? 0 : (size_t)(rnd() % n);
}

/* Bytes that matter to JSON, PEM, DER lengths, URIs and the config. */
static uint8_t
interesting(void)
{
	static const uint8_t v[] = { 0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0x82,
	    0xff, 0xfe, 0xc3, 0xe2, '\n', '\r', '\t', ' ', '"', '\\', '{', '}',
	    '[', ']', ':', ',', '0', '1', '9', '-', '+', '*', '#', '%', '@', ';',
	    '<', '>', '=', '/', '?', 'A', 'a', 'u', '_' };

	return v[below(sizeof(v))];
}

/* One to four edits of buf (len bytes, room for cap); returns the length. */
static size_t
mutate(uint8_t *buf, size_t len, size_t cap, const struct corpus *c)
{
	size_t rounds = 1 + below(4);

	for (size_t k = 0; k < rounds; k++) {
		size_t pos = below(len + 1), n;
		const struct seed *o;

		switch (below(10)) {
		case 0:		/* flip a bit */
			if (len > 0)
				buf[below(len)] ^= (uint8_t)(1u << below(8));
			break;
		case 1:		/* a random byte */
			if (len > 0)
				buf[below(len)] = (uint8_t)rnd();
			break;
		case 2:		/* an interesting byte */
			if (len > 0)
				buf[below(len)] = interesting();
			break;
		case 3:		/* add or subtract a little (DER lengths) */
			if (len > 0)
				buf[below(len)] += (uint8_t)(below(33) - 16);
			break;
		case 4:		/* insert a byte */
			if (len < cap) {
				memmove(buf + pos + 1, buf + pos, len - pos);
				buf[pos] = below(2) ? interesting() : (uint8_t)rnd();
				len++;
			}
			break;
		case 5:		/* delete a run */
			if (pos < len) {
				n = 1 + below(len - pos < 16 ? len - pos : 16);
				memmove(buf + pos, buf + pos + n, len - pos - n);
				len -= n;
			}
			break;
		case 6:		/* repeat a run */
			if (pos < len) {
				n = 1 + below(len - pos < 64 ? len - pos : 64);
				if (len + n <= cap) {
					memmove(buf + pos + n, buf + pos, len - pos);
					len += n;
				}
			}
			break;
		case 7:		/* cut */
			len = pos;
			break;
		case 8:		/* insert a run of another seed */
			o = &c->v[below(c->n)];
			if (o->len > 0) {
				size_t from = below(o->len);

				n = 1 + below(o->len - from);
				if (len + n <= cap) {
					memmove(buf + pos + n, buf + pos, len - pos);
					memcpy(buf + pos, o->data + from, n);
					len += n;
				}
			}
			break;
		default:	/* splice: our head, another seed's tail */
			o = &c->v[below(c->n)];
			n = below(o->len + 1);
			if (pos + (o->len - n) <= cap) {
				memcpy(buf + pos, o->data + n, o->len - n);
				len = pos + (o->len - n);
			}
			break;
		}
	}
	return len;
}

static unsigned long long
env_ull(const char *name, unsigned long long dflt)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long n;

	if (v == NULL || *v == '\0')
		return dflt;
	errno = 0;
	n = strtoull(v, &end, 0);
	return errno == 0 && *end == '\0' ? n : dflt;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

START_TEST(replay_mutations)
{
	struct corpus c;
	unsigned long long count = env_ull("FUZZ_REPLAY_COUNT", REPLAY_MUTATIONS);
	unsigned long long i;
	uint64_t t0, budget = REPLAY_BUDGET_NS;
	uint8_t *buf;
	size_t cap, len;

	trap_crashes();
	corpus_load(&c);
	if (getenv("FUZZ_REPLAY_COUNT") != NULL)
		budget = UINT64_MAX;	/* asked for a count: run them all */
	rng_state = env_ull("FUZZ_REPLAY_SEED", REPLAY_SEED) | 1;
	cap = c.maxlen * 2 + 256;
	if (cap > REPLAY_MUTANT_MAX)
		cap = REPLAY_MUTANT_MAX;
	buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	t0 = now_ns();
	for (i = 0; i < count && now_ns() - t0 < budget; i++) {
		const struct seed *s = &c.v[below(c.n)];

		len = s->len < cap ? s->len : cap;
		memcpy(buf, s->data, len);
		len = mutate(buf, len, cap, &c);
		run_one(NULL, buf, len);
	}
	printf("fuzz replay (%s): %llu mutants of %zu seeds in %.2f s\n",
	    FUZZ_TARGET, i, c.n, (double)(now_ns() - t0) / 1e9);
	fflush(stdout);
	ck_assert_uint_gt(i, 0);
	free(buf);
	corpus_free(&c);
}
END_TEST

/* replay FILE...: run just these inputs, no Check, no fork. */
static int
run_files(int argc, char **argv)
{
	int bad = 0;

	trap_crashes();
	for (int i = 1; i < argc; i++) {
		uint8_t *d = NULL;
		size_t n = 0;

		if (read_file(argv[i], &d, &n) != 0) {
			fprintf(stderr, "%s: cannot read\n", argv[i]);
			bad = 1;
			continue;
		}
		fprintf(stderr, "running %s (%zu bytes)\n", argv[i], n);
		cur_name = argv[i];
		cur_len = n;
		cur_data = d;
		(void)LLVMFuzzerTestOneInput(d, n);
		cur_data = NULL;
		free(d);
	}
	return bad ? EXIT_FAILURE : EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	Suite *s;
	TCase *tc;
	SRunner *sr;
	int failed;

	if (argc > 1)
		return run_files(argc, argv);
	s = suite_create("fuzz_" FUZZ_TARGET);
	tc = tcase_create("replay");
	tcase_set_timeout(tc, 120);	/* valgrind; the budget keeps it short */
	tcase_add_test(tc, replay_corpus);
	tcase_add_test(tc, replay_mutations);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
