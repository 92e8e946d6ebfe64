/* test_util.c: helpers shared by the unit tests (see test_util.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <sodium.h>

#include "tests/unit/test_util.h"

const char *
tu_srcpath(const char *rel, char *buf, size_t len)
{
	const char *top = getenv("top_srcdir");

	if (top == NULL || *top == '\0')
		top = ".";
	(void)snprintf(buf, len, "%s/%s", top, rel);
	return buf;
}

char *
tu_read_file(const char *path, size_t *ret_len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || (buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	if (ret_len != NULL)
		*ret_len = got;
	return buf;
}

char *
tu_read_vector(const char *name, size_t *ret_len)
{
	char rel[256], path[4096];
	char *s;

	(void)snprintf(rel, sizeof(rel), "tests/vectors/%s", name);
	s = tu_read_file(tu_srcpath(rel, path, sizeof(path)), ret_len);
	ck_assert_msg(s != NULL, "cannot read test vector %s (top_srcdir?)", path);
	return s;
}

char *
tu_vector_value(const char *name, const char *label, const char *prefix)
{
	char *text = tu_read_vector(name, NULL), *p, *out = NULL;

	p = strstr(text, label);
	ck_assert_msg(p != NULL, "label '%s' not found in %s", label, name);
	p = strchr(p, '\n');
	while (p != NULL && out == NULL) {
		char *start = p + 1, *end = strchr(start, '\n');
		size_t n;

		if (end == NULL)
			end = start + strlen(start);
		while (start < end && (*start == ' ' || *start == '\t'))
			start++;
		if (prefix != NULL && (size_t)(end - start) >= strlen(prefix) &&
		    strncmp(start, prefix, strlen(prefix)) == 0)
			start += strlen(prefix);
		n = (size_t)(end - start);
		while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\r'))
			n--;
		if (n > 0)
			out = strndup(start, n);
		p = *end != '\0' ? end : NULL;
	}
	free(text);
	ck_assert_msg(out != NULL, "no value after '%s' in %s", label, name);
	return out;
}

int
tu_hex_decode(const char *hex, uint8_t **ret, size_t *ret_len)
{
	size_t n = strlen(hex);
	uint8_t *b;

	if (n % 2 != 0 || (b = malloc(n / 2 + 1)) == NULL)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			free(b);
			return -1;
		}
		b[i] = (uint8_t)v;
	}
	*ret = b;
	*ret_len = n / 2;
	return 0;
}

uint8_t *
tu_der_vector(const char *label, size_t *ret_len)
{
	char *hex = tu_vector_value("derived-der-extensions.txt", label, "hex: ");
	uint8_t *der = NULL;

	ck_assert_int_eq(tu_hex_decode(hex, &der, ret_len), 0);
	free(hex);
	return der;
}

int
tu_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0)
		return -1;
	if ((len > 0 && write(fd, data, len) != (ssize_t)len) || fchmod(fd, mode) != 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Set in the parent by tu_root_setup(); forked tests inherit it. */
static char *root;

void
tu_root_setup(void)
{
	char *d = strdup("/tmp/stird-unit-XXXXXX");

	if (d == NULL || mkdtemp(d) == NULL) {
		perror("mkdtemp");
		exit(EXIT_FAILURE);
	}
	root = d;
}

void
tu_root_teardown(void)
{
	tu_rmtree(root);
	free(root);
	root = NULL;
}

char *
tu_mkdtemp(void)
{
	char *d;

	if (root != NULL) {
		size_t n = strlen(root) + sizeof("/t-XXXXXX");

		d = malloc(n);
		ck_assert_ptr_nonnull(d);
		(void)snprintf(d, n, "%s/t-XXXXXX", root);
	} else
		d = strdup("/tmp/stird-unit-XXXXXX");
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	(void)remove(path);
	return 0;
}

void
tu_rmtree(const char *path)
{
	if (path != NULL)
		(void)nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
tu_run(Suite *s)
{
	SRunner *sr;
	int failed;

	/* as stird's main() does: sodium_malloc() aborts without it */
	if (sodium_init() < 0) {
		fprintf(stderr, "sodium_init failed\n");
		return EXIT_FAILURE;
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

char *
tu_mkpki(const char *prog)
{
	char script[4096], cmd[8192], *pki;
	const char *shared = getenv("STIR_TEST_PKI");	/* make check's (Makefile.am) */
	struct stat st;
	bool copy = shared != NULL && shared[0] == '/' && strchr(shared, '\'') == NULL &&
	    stat(shared, &st) == 0 && S_ISDIR(st.st_mode);

	if (!copy &&
	    system("command -v openssl >/dev/null && command -v certtool >/dev/null") != 0) {
		fprintf(stderr, "%s: openssl and certtool are needed; skipped\n", prog);
		exit(77);			/* automake: SKIP */
	}
	tu_root_setup();
	pki = tu_mkdtemp();
	if (copy)
		snprintf(cmd, sizeof(cmd), "cp -a '%s/.' '%s/'", shared, pki);
	else
		snprintf(cmd, sizeof(cmd), "sh '%s' '%s' >/dev/null 2>&1",
		    tu_srcpath("scripts/mkpki.sh", script, sizeof(script)), pki);
	if (system(cmd) != 0) {
		fprintf(stderr, "%s: '%s' failed\n", prog, cmd);
		tu_root_teardown();
		exit(EXIT_FAILURE);
	}
	return pki;
}

char *
tu_cat_files(const char *dir, const char *names, const char *suffix, size_t *ret_len)
{
	char list[256], path[1024], *save = NULL, *buf = NULL;
	size_t len = 0;

	snprintf(list, sizeof(list), "%s", names);
	for (char *f = strtok_r(list, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
		size_t n = 0;
		char *part;

		snprintf(path, sizeof(path), "%s/%s%s", dir, f, suffix);
		part = tu_read_file(path, &n);
		ck_assert_msg(part != NULL, "%s", path);
		buf = realloc(buf, len + n + 1);
		ck_assert_ptr_nonnull(buf);
		memcpy(buf + len, part, n + 1);
		len += n;
		free(part);
	}
	*ret_len = len;
	return buf;
}
