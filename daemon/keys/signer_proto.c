/* signer_proto.c: the signer messages' framing and checks (signer_proto.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "stirclient.h"
#include "daemon/keys/signer_proto.h"

/* Payload limits per op and direction. */
static const struct {
	bool		named;
	uint32_t	req_min, req_max, rep_max;
} limits[STIR_SP_OP_END] = {
	[STIR_SP_HELLO]    = { false, 0, 0, 0 },
	[STIR_SP_SIGN]     = { true, 1, STIR_SP_PAYLOAD_MAX, STIR_SIG_MAX },
	[STIR_SP_PUBKEY]   = { true, 0, 0, 4096 },
	[STIR_SP_GENERATE] = { true, 0, 0, 4096 },
	[STIR_SP_IMPORT]   = { true, 1, STIR_SP_PAYLOAD_MAX, 4096 },
	[STIR_SP_REMOVE]   = { true, 0, 0, 0 },
	[STIR_SP_REGISTER] = { true, 8, STIR_PKCS11_URL_MAX, 0 },
	[STIR_SP_LIST]     = { false, 0, 0,
	    STIR_SP_LIST_BATCH * sizeof(struct stir_sp_keyinfo) },
	[STIR_SP_RELOAD]   = { false, 0, 0, 0 },
	[STIR_SP_FLAGS]    = { false, 0, 0, 0 },
	[STIR_SP_SIGN_BATCH] = { false, sizeof(struct stir_sp_batch_item) + 1,
	    STIR_SP_PAYLOAD_MAX, STIR_SIGN_BATCH_MAX * sizeof(struct stir_sp_batch_result) },
};

_Static_assert(sizeof(struct stir_sp_hdr) == 88, "the header has no padding");
_Static_assert(STIR_SP_NAME_LEN > STIR_KEY_NAME_MAX, "a key name fits");
_Static_assert(sizeof(struct stir_sp_batch_item) == 76, "no padding");
_Static_assert(sizeof(struct stir_sp_batch_result) == 140, "no padding");

static bool
op_known(uint32_t op)
{
	return op >= STIR_SP_HELLO && op < STIR_SP_OP_END;
}

bool
stir_sp_op_named(uint32_t op)
{
	return op_known(op) && limits[op].named;
}

void
stir_sp_request(struct stir_sp_msg *m, uint32_t op, const char *name,
    uint32_t arg, uint32_t len)
{
	memset(&m->h, 0, sizeof(m->h));
	m->h.op = op;
	m->h.arg = arg;
	m->h.len = len;
	(void)snprintf(m->h.name, sizeof(m->h.name), "%s", name);
}

int
stir_sp_send(int fd, const struct stir_sp_msg *m)
{
	size_t n = sizeof(m->h) + m->h.len;
	ssize_t w;

	if (m->h.len > STIR_SP_PAYLOAD_MAX) {
		errno = EMSGSIZE;
		return STIR_EIO;
	}
	do
		w = send(fd, m, n, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0 || (size_t)w != n) {
		if (w >= 0)
			errno = EMSGSIZE;
		return STIR_EIO;
	}
	return STIR_OK;
}

/* The name field: NUL-terminated, zero after the NUL, a key name or "". */
static bool
name_ok(const void *field, bool named)
{
	const char *name = field, *nul = memchr(name, '\0', STIR_SP_NAME_LEN);

	if (nul == NULL)
		return false;
	for (const char *p = nul; p < name + STIR_SP_NAME_LEN; p++)
		if (*p != '\0')
			return false;
	if (!named)
		return nul == name;
	return stir_signer_name_check(name) == STIR_OK;
}

int
stir_sp_recv(int fd, struct stir_sp_msg *m, bool request, uint32_t op)
{
	ssize_t n;

	do
		n = recv(fd, m, sizeof(*m), MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		if (n == 0)
			errno = 0;
		return STIR_EIO;
	}
	if ((size_t)n < sizeof(m->h) || (size_t)n > sizeof(*m) ||
	    (size_t)n - sizeof(m->h) != m->h.len || !op_known(m->h.op))
		return STIR_EPROTO;
	if (request) {
		if (m->h.r != 0 || m->h.len < limits[m->h.op].req_min ||
		    m->h.len > limits[m->h.op].req_max ||
		    !name_ok(m->h.name, limits[m->h.op].named))
			return STIR_EPROTO;
	} else {
		if (m->h.op != op || m->h.r > 0 || m->h.len > limits[op].rep_max ||
		    (m->h.r != STIR_OK && m->h.len != 0) || !name_ok(m->h.name, false))
			return STIR_EPROTO;
	}
	return STIR_OK;
}

int
stir_sp_batch_next(const struct stir_sp_msg *m, size_t *off, uint32_t *count,
    const char **name, const uint8_t **tbs, uint32_t *len)
{
	struct stir_sp_batch_item it;

	if (*off == m->h.len)
		return *count == m->h.arg ? 0 : STIR_EPROTO;
	if (*count >= m->h.arg || *count >= STIR_SIGN_BATCH_MAX ||
	    m->h.len - *off < sizeof(it))
		return STIR_EPROTO;
	memcpy(&it, m->payload + *off, sizeof(it));
	if (!name_ok(m->payload + *off, true) || it.len == 0 ||
	    it.len > m->h.len - *off - sizeof(it))
		return STIR_EPROTO;
	*name = (const char *)m->payload + *off;
	*tbs = m->payload + *off + sizeof(it);
	*len = it.len;
	*off += sizeof(it) + it.len;
	(*count)++;
	return 1;
}
