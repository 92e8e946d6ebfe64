/*
 * fuzz_signerproto.c: a message between stird and its signer process
 * (signer_proto.h), as stir_sp_recv() takes it from the socket: one
 * datagram, checked as a request (what the signer process reads: stird
 * parses strangers' input, so the signer does not trust it) and as a
 * reply to each op (what stird reads), and a SIGN_BATCH request's items.  Whatever passes is exactly a
 * header and its payload, of a known op, with a clean name field.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stirclient.h"
#include "daemon/keys/signer_proto.h"
#include "tests/fuzz/fuzz.h"

static void
check(const uint8_t *data, size_t size, bool request, uint32_t op)
{
	static struct stir_sp_msg m;
	int sv[2], r;

	FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	FUZZ_ASSERT(send(sv[0], data, size, 0) == (ssize_t)size);
	r = stir_sp_recv(sv[1], &m, request, op);
	close(sv[0]);
	close(sv[1]);
	if (size == 0) {	/* an empty datagram reads as end of file */
		FUZZ_ASSERT(r == STIR_EIO);
		return;
	}
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EPROTO);
	if (r != STIR_OK)
		return;
	FUZZ_ASSERT(size == sizeof(m.h) + m.h.len);
	FUZZ_ASSERT(m.h.op >= STIR_SP_HELLO && m.h.op < STIR_SP_OP_END);
	FUZZ_ASSERT(memchr(m.h.name, '\0', sizeof(m.h.name)) != NULL);
	if (request && stir_sp_op_named(m.h.op))
		FUZZ_ASSERT(stir_signer_name_check(m.h.name) == STIR_OK);
	else
		FUZZ_ASSERT(m.h.name[0] == '\0');
	if (!request)
		FUZZ_ASSERT(m.h.op == op && m.h.r <= 0);
	if (request && m.h.op == STIR_SP_SIGN_BATCH) {	/* its items, as the signer reads them */
		const uint8_t *tbs;
		const char *name;
		uint32_t count = 0, len;
		size_t off = 0;

		while ((r = stir_sp_batch_next(&m, &off, &count, &name, &tbs, &len)) == 1) {
			FUZZ_ASSERT(stir_signer_name_check(name) == STIR_OK);
			FUZZ_ASSERT(len > 0 && tbs + len <= m.payload + m.h.len);
			FUZZ_ASSERT(count <= m.h.arg && count <= STIR_SIGN_BATCH_MAX);
		}
		FUZZ_ASSERT(r == 0 || r == STIR_EPROTO);
		if (r == 0)
			FUZZ_ASSERT(off == m.h.len && count == m.h.arg);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > sizeof(struct stir_sp_msg) + 16)
		return 0;
	check(data, size, true, 0);
	for (uint32_t op = STIR_SP_HELLO; op < STIR_SP_OP_END; op++)
		check(data, size, false, op);
	return 0;
}
