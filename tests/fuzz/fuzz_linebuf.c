/*
 * fuzz_linebuf.c: the connection line reader, fed as conn_on_alloc() and
 * conn_on_read() feed it, in reads whose sizes come from the input.
 *
 * Input: a sequence of [header][bytes]: header bits 0-5 give the read size
 * (1..64, or with bit 6 set 1..505 in steps of 8), bit 7 drains at most one
 * line after the read (a connection at its in-flight limit).  Each read is
 * copied into the room stir_linebuf_space() gives; when there is none,
 * lines are drained first.  A model of the byte stream checks every line:
 * lines come out in order, hold no '\n', are at most FUZZ_LINE_MAX bytes,
 * and STIR_ETOOBIG comes exactly when FUZZ_LINE_MAX + 1 bytes hold no
 * '\n'.  After STIR_ETOOBIG the connection is closed: a new buffer takes
 * the rest of the input.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "stirclient.h"
#include "proto.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_LINE_MAX	256

struct model {
	struct stir_linebuf *lb;
	uint8_t	*fed;		/* every byte committed on this connection */
	size_t	 len;		/* bytes in fed */
	size_t	 pos;		/* bytes consumed as lines (with '\n') */
	bool	 closed;	/* STIR_ETOOBIG seen */
};

/* One stir_linebuf_next() call, checked against the model. */
static int
next(struct model *m)
{
	const char *line = NULL;
	size_t len = 0, pending = m->len - m->pos;
	const uint8_t *nl;
	int r;

	nl = memchr(m->fed + m->pos, '\n', pending);
	r = stir_linebuf_next(m->lb, &line, &len);
	if (r == 1) {
		FUZZ_ASSERT(nl != NULL);
		FUZZ_ASSERT(len == (size_t)(nl - (m->fed + m->pos)));
		FUZZ_ASSERT(len <= FUZZ_LINE_MAX);
		FUZZ_ASSERT(memchr(line, '\n', len) == NULL);
		FUZZ_ASSERT(memcmp(line, m->fed + m->pos, len) == 0);
		m->pos += len + 1;
		FUZZ_ASSERT(stir_linebuf_pending(m->lb) == m->len - m->pos);
		if (len > 0 && line[0] == 'W')	/* the line carried a secret */
			stir_linebuf_wipe_consumed(m->lb);
	} else if (r == 0) {
		FUZZ_ASSERT(nl == NULL && pending <= FUZZ_LINE_MAX);
		FUZZ_ASSERT(stir_linebuf_pending(m->lb) == pending);
	} else {
		FUZZ_ASSERT(r == STIR_ETOOBIG);
		FUZZ_ASSERT(nl == NULL && pending == FUZZ_LINE_MAX + 1);
		m->closed = true;
	}
	return r;
}

/* conn_on_read(): lines until none is complete, or at most max. */
static void
drain(struct model *m, size_t max)
{
	for (size_t i = 0; i < max && !m->closed; i++)
		if (next(m) != 1)
			break;
}

/* One read of n bytes; returns false once the connection is closed. */
static bool
feed(struct model *m, const uint8_t *p, size_t n)
{
	while (n > 0 && !m->closed) {
		char *dst;
		size_t room;

		stir_linebuf_space(m->lb, &dst, &room);
		if (room == 0) {
			/* full: a complete line must be there, or it is too long */
			FUZZ_ASSERT(next(m) != 0);
			continue;
		}
		FUZZ_ASSERT(room <= FUZZ_LINE_MAX + 1);
		if (room > n)
			room = n;
		memcpy(dst, p, room);
		stir_linebuf_commit(m->lb, room);
		memcpy(m->fed + m->len, p, room);
		m->len += room;
		p += room;
		n -= room;
	}
	return !m->closed;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model m;
	size_t i = 0;

	memset(&m, 0, sizeof(m));
	if ((m.fed = malloc(size + 1)) == NULL)
		return 0;
	while (i < size) {
		uint8_t h = data[i++];
		size_t n = (h & 0x40) ? ((size_t)(h & 0x3f) << 3) + 1 :
		    (size_t)(h & 0x3f) + 1;

		if (m.lb == NULL || m.closed) {	/* a new connection */
			stir_linebuf_free(m.lb);
			m.lb = stir_linebuf_new(FUZZ_LINE_MAX);
			FUZZ_ASSERT(m.lb != NULL);
			m.len = m.pos = 0;
			m.closed = false;
		}
		if (n > size - i)
			n = size - i;
		if (feed(&m, data + i, n))
			drain(&m, (h & 0x80) ? 1 : SIZE_MAX);
		i += n;
	}
	if (m.lb != NULL)
		drain(&m, SIZE_MAX);	/* EOF: what is left is dropped */
	stir_linebuf_free(m.lb);
	free(m.fed);
	return 0;
}
