/*
 * test_util.h: helpers shared by the Check unit tests in tests/unit/.
 * Test vectors are found through $top_srcdir (set by AM_TESTS_ENVIRONMENT;
 * "." when run by hand from the top of the tree).
 */
#ifndef STIR_TEST_UTIL_H
#define STIR_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <check.h>

/* $top_srcdir/rel into buf; returns buf. */
const char *tu_srcpath(const char *rel, char *buf, size_t len);
/* A whole file, NUL-terminated (free()); NULL if it cannot be read. */
char	*tu_read_file(const char *path, size_t *ret_len);
/* A file of tests/vectors/, as tu_read_file(); fails the test if absent. */
char	*tu_read_vector(const char *name, size_t *ret_len);
/*
 * In vector file name: the first line after the line holding label that
 * is not blank, with leading blanks and a "prefix" (if given and present)
 * removed and trailing blanks cut (free()).  Fails the test if absent.
 */
char	*tu_vector_value(const char *name, const char *label, const char *prefix);
/* Hex text to bytes (free()); -1 on bad hex. */
int	 tu_hex_decode(const char *hex, uint8_t **ret, size_t *ret_len);
/* The "hex:" line after label in derived-der-extensions.txt (free()). */
uint8_t	*tu_der_vector(const char *label, size_t *ret_len);
/* Create path with mode (exactly: umask is undone with fchmod). */
int	 tu_write_file(const char *path, const void *data, size_t len, mode_t mode);
/*
 * A new directory, mode 0700 (free()): under the suite's root when
 * tu_root_setup() ran, else mkdtemp("/tmp/stird-unit-XXXXXX").
 */
char	*tu_mkdtemp(void);
/*
 * Unchecked fixture (runs in the parent): make a root directory for the
 * test case and remove it, with whatever failed tests left in it, after.
 */
void	 tu_root_setup(void);
void	 tu_root_teardown(void);
/*
 * Unchecked-fixture helper: a test PKI made by scripts/mkpki.sh in a new
 * directory under the suite's root (free()).  Exits 77 (automake SKIP)
 * when openssl or certtool is missing, 1 when mkpki.sh fails; prog names
 * the test in those messages.
 */
char	*tu_mkpki(const char *prog);
/*
 * The files named in the space-separated list, each dir/<name><suffix>,
 * concatenated (free()); the test fails if one cannot be read.
 */
char	*tu_cat_files(const char *dir, const char *names, const char *suffix,
	    size_t *ret_len);
/* rm -rf path (no symlinks followed). */
void	 tu_rmtree(const char *path);
/* Run every test of s; returns the exit status for main(). */
int	 tu_run(Suite *s);

#endif
