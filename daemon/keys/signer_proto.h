/*
 * signer_proto.h: the messages between stird (signer_remote.c) and its
 * signer process (signer_main.c), one per SOCK_SEQPACKET datagram.
 *
 * Every message is a fixed header and `len` payload bytes; a message is
 * refused unless its size is exactly that (no leftovers), its op is
 * known, its name field is a NUL-terminated, zero-padded key name where
 * the op takes one (and empty where it does not), and len is within the
 * op's limits for its direction.  One request, one reply, on a channel
 * used by one thread at a time.
 */
#ifndef STIR_SIGNER_PROTO_H
#define STIR_SIGNER_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/keys/signer.h"

#define STIR_SP_PAYLOAD_MAX	STIR_KEY_FILE_MAX	/* 64 KiB */
#define STIR_SP_NAME_LEN	72			/* STIR_KEY_NAME_MAX + NUL, padded */
#define STIR_SP_LIST_BATCH	256			/* key infos per LIST reply */

enum stir_sp_op {
	STIR_SP_HELLO = 1,	/* -> r: did the key store open? */
	STIR_SP_SIGN,		/* name, to-be-signed bytes -> signature */
	STIR_SP_PUBKEY,		/* name -> SubjectPublicKeyInfo DER */
	STIR_SP_GENERATE,	/* name -> public key PEM */
	STIR_SP_IMPORT,		/* name, private key PEM -> public key PEM */
	STIR_SP_REMOVE,		/* name */
	STIR_SP_REGISTER,	/* name, pkcs11: URL -> arg: 1 if created */
	STIR_SP_LIST,		/* arg: first index -> arg: total, key infos */
	STIR_SP_RELOAD,		/* reread key_dir */
	STIR_SP_FLAGS,		/* arg: STIR_SIGNER_FLAG_* */
	STIR_SP_SIGN_BATCH,	/* arg: n, n batch items -> n batch results */
	STIR_SP_OP_END
};

struct stir_sp_hdr {
	uint32_t	op;		/* enum stir_sp_op */
	int32_t		r;		/* replies: STIR_OK or a STIR_E* code */
	uint32_t	arg;		/* per op, above */
	uint32_t	len;		/* payload bytes that follow */
	char		name[STIR_SP_NAME_LEN];
};

struct stir_sp_msg {
	struct stir_sp_hdr	h;
	uint8_t			payload[STIR_SP_PAYLOAD_MAX];
};

/* A key info on the wire (LIST replies): each string NUL-terminated. */
struct stir_sp_keyinfo {
	char	name[STIR_KEY_NAME_MAX + 1];
	char	type[16];
	char	spki_sha256[65];
};

/*
 * SIGN_BATCH: the request's payload is arg items, each a
 * stir_sp_batch_item and item.len bytes to sign; the reply's is arg
 * stir_sp_batch_result.
 */
struct stir_sp_batch_item {
	char		name[STIR_SP_NAME_LEN];
	uint32_t	len;
};
struct stir_sp_batch_result {
	int32_t		r;
	uint32_t	len;
	uint8_t		sig[STIR_SIG_MAX];
};

/*
 * The next item of a SIGN_BATCH request m at *off: 1 with *name, *tbs and
 * *len set and *off moved past it, 0 at the end of the payload, or
 * STIR_EPROTO (a bad name, an empty or overlong item, more items than
 * arg says, or fewer).  *count counts the items so far (start at 0).
 */
int	stir_sp_batch_next(const struct stir_sp_msg *m, size_t *off, uint32_t *count,
	    const char **name, const uint8_t **tbs, uint32_t *len);

/* Does op (a request if request) name a key? */
bool	stir_sp_op_named(uint32_t op);
/* Set m's header for a request: op, name ("" for none), arg, len. */
void	stir_sp_request(struct stir_sp_msg *m, uint32_t op, const char *name,
	    uint32_t arg, uint32_t len);
/*
 * Send m (header and m->h.len payload bytes) on fd.  STIR_OK, or STIR_EIO
 * with errno set.
 */
int	stir_sp_send(int fd, const struct stir_sp_msg *m);
/*
 * Receive one message into m and check it against the rules above (a
 * request if request, else a reply to op).  STIR_OK; STIR_EIO at EOF or a
 * socket error (errno set, 0 at EOF); STIR_EPROTO for a message that
 * breaks the rules.
 */
int	stir_sp_recv(int fd, struct stir_sp_msg *m, bool request, uint32_t op);

#endif
