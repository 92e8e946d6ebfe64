/*
 * fuzz.h: shared by the fuzz targets (tests/fuzz/fuzz_*.c) and the plain
 * replay driver (replay.c).  Each target defines LLVMFuzzerTestOneInput();
 * libFuzzer calls it under clang --enable-fuzzing, replay.c under make check.
 *
 * A target frees everything it got, never keeps state between calls, and
 * calls FUZZ_ASSERT() only on invariants the code under test promises:
 * bad input must give an error code, never an abort.
 */
#ifndef STIR_FUZZ_H
#define STIR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise of the code under test: report it and abort. */
#define FUZZ_ASSERT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* Does the n-byte buffer s hold a NUL-terminated string? */
#define FUZZ_IS_CSTR(s, n)	(memchr((s), '\0', (n)) != NULL)

#endif /* STIR_FUZZ_H */
