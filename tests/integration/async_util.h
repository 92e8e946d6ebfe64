/*
 * async_util.h: helpers for the tests of libstirclient's non-blocking API:
 * one poll round on a handle, and a fake daemon on a Unix socket that
 * reads request lines and writes whatever replies a test wants.
 */
#ifndef STIR_TEST_ASYNC_UTIL_H
#define STIR_TEST_ASYNC_UTIL_H

#include <jansson.h>

#include "stirclient.h"

/* One poll round (up to 1 s) on a; returns what stir_async_process() said. */
int	au_step(struct stir_async *a);
/* Poll until the condition holds; process must keep answering 0. */
#define AU_RUN_UNTIL(a, cond) do {					\
	while (!(cond))							\
		ck_assert_int_eq(au_step(a), STIR_OK);			\
} while (0)

/* Fake daemon: listen on a fresh socket path (checked fixture). */
void	au_fake_setup(void);
void	au_fake_teardown(void);
/* Connect a handle to it; returns the fake daemon's end. */
int	au_fake_pair(struct stir_async **ret_a);
/* Write s on fd, all of it. */
void	au_fake_write(int fd, const char *s);
/* The next request line the handle sent, decoded (decref it). */
json_t	*au_fake_read_request(struct stir_async *a, int fd);

#endif
