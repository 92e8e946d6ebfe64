/*
 * opschema.h: every op of the protocol (doc/protocol.md section 3), once:
 * its name, who may call it and on which socket, how long its line may
 * be, and each of its params' name, JSON types, size limit and whether it
 * is required.  stird checks each request against it once, in dispatch,
 * before the op's handler runs; libstirclient checks what it encodes
 * against it; stirctl, the doors and the fuzzers read it.  Built into
 * stird and libstirclient (libstirproto).
 */
#ifndef STIR_OPSCHEMA_H
#define STIR_OPSCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

/* ---- the protocol's size limits, in bytes or entries ---- */
#define STIR_P_NAME_MAX		64		/* a key's, credential's or policy's name */
#define STIR_P_IDENT_MAX	1024		/* an identity: orig, dest, from, to, ... */
#define STIR_P_DEST_MAX		16		/* dest entries of one sign */
#define STIR_P_UUID_LEN		36		/* origid */
#define STIR_P_IDENTITY_MAX	(16 * 1024)	/* one Identity header value */
#define STIR_P_IDENTITIES_MAX	32		/* Identity values of one verify */
#define STIR_P_DATE_MAX		64		/* an HTTP-date */
#define STIR_P_HEADER_MAX	8192		/* History-Info, Diversion, Call-Info */
#define STIR_P_URL_MAX		1024		/* an x5u or cache URL */
#define STIR_P_PEM_MAX		(64 * 1024)	/* a credential's chain */
#define STIR_P_KEY_FILE_MAX	(64 * 1024)	/* a private key to import */
#define STIR_P_TRUST_PEM_MAX	(1024 * 1024)	/* a bundle of trust anchors */
#define STIR_P_PKCS11_URL_MAX	2048
#define STIR_P_TNS_MAX		64		/* TN specs of one credential */
#define STIR_P_SPC_MAX		64		/* a service provider code */
#define STIR_P_CRN_MAX		128		/* a call reason */
#define STIR_P_WORD_MAX		16		/* ppt, mode, a cache kind */
#define STIR_P_CTYPE_MAX	256		/* a MESSAGE's Content-Type */
#define STIR_P_FPR_LEN		64		/* a SHA-256 fingerprint, in hex */
/* the longest line of an op with a name or two */
#define STIR_P_SMALL_LINE	4096
/* trust.add: a bundle JSON-escaped (each newline doubles), with the envelope */
#define STIR_P_BUNDLE_LINE	(2 * STIR_P_TRUST_PEM_MAX + STIR_P_SMALL_LINE)
/* state.apply: a whole declared state (anchors, chains, policies), escaped */
#define STIR_P_STATE_LINE	(8 * 1024 * 1024)
#define STIR_P_STATE_ITEMS_MAX	4096		/* anchors, credentials or policies in a state */
#define STIR_P_TNLIST_MAX	4096		/* a list of TN specs (connected_identity) */
#define STIR_P_STATE_VERSION	1		/* the state document's "version" */

/* What an op needs from the peer (checked per request). */
enum stir_perm {
	STIR_PERM_NONE,
	STIR_PERM_SIGN,
	STIR_PERM_VERIFY,
	STIR_PERM_ADMIN,
	STIR_PERM_STATS,	/* read the metrics (admin implies it) */
	_STIR_PERM_MAX
};

/* The ops, in the order of doc/protocol.md (the index into stir_op_schemas). */
enum stir_op_id {
	STIR_OP_HELLO,
	STIR_OP_PING,
	STIR_OP_SIGN,
	STIR_OP_VERIFY,
	STIR_OP_STATS,
	STIR_OP_STATUS,
	STIR_OP_RELOAD,
	STIR_OP_KEY_GENERATE,
	STIR_OP_KEY_IMPORT,
	STIR_OP_KEY_LIST,
	STIR_OP_KEY_REMOVE,
	STIR_OP_CRED_ADD,
	STIR_OP_CRED_LIST,
	STIR_OP_CRED_REMOVE,
	STIR_OP_TRUST_ADD,
	STIR_OP_TRUST_LIST,
	STIR_OP_TRUST_REMOVE,
	STIR_OP_AUDIT_LIST,
	STIR_OP_CACHE_LIST,
	STIR_OP_CACHE_SHOW,
	STIR_OP_CACHE_PURGE,
	STIR_OP_CACHE_PREFETCH,
	STIR_OP_POLICY_ADD,
	STIR_OP_POLICY_CHECK,
	STIR_OP_POLICY_LIST,
	STIR_OP_POLICY_SHOW,
	STIR_OP_POLICY_REMOVE,
	STIR_OP_POLICY_TEST,
	STIR_OP_STATE_EXPORT,
	STIR_OP_STATE_APPLY,
	_STIR_OP_MAX
};

struct stir_op_schema {
	const char		*name;
	enum stir_perm		 perm;
	bool			 admin_only;	/* only on the admin socket */
	size_t			 max_line;	/* 0: stird's max_request_bytes */
	bool			 sensitive;	/* carries secrets: wiped after use */
	bool			 audited;	/* an admin change: goes to the audit log */
	bool			 any_params;	/* hello: any params, never checked */
	/* the params, NULL-terminated (an op without params: just the NULL) */
	const struct stir_field	*fields;
};

extern const struct stir_op_schema stir_op_schemas[_STIR_OP_MAX];

/*
 * The declared state (state.export, state.apply; doc/fleet-state.md), one
 * document: its members, and those of each anchor, credential and the
 * settings.  stird checks what state.apply is given against these;
 * stirctl checks the files it reads with them, so both refuse the same.
 * Policies are policy documents, checked as policy.add checks them.
 */
extern const struct stir_field stir_state_fields[];
extern const struct stir_field stir_state_trust_fields[];
extern const struct stir_field stir_state_cred_fields[];
extern const struct stir_field stir_state_settings_fields[];

/* The op named name, or NULL. */
const struct stir_op_schema *stir_op_schema_find(const char *name);
/*
 * Check params (an object, or NULL for none) against op's schema, as
 * stird does: STIR_OK, or STIR_EBADREQ / STIR_ETOOBIG naming the field
 * in msg.
 */
int	stir_op_schema_check(const struct stir_op_schema *op, json_t *params,
	    char *msg, size_t msglen);
/* Room for any message stir_op_schema_check() writes. */
#define STIR_OP_CHECK_MSG_MAX	256
/*
 * What libstirclient checks before it sends a request (the blocking and
 * the non-blocking path alike): params (an object without the envelope,
 * or NULL) against the schema of the op named op, as stird's dispatch
 * does.  STIR_OK for an op stird does not know (stird answers it,
 * EUNSUPP); else as stir_op_schema_check().
 */
int	stir_op_request_check(const char *op, json_t *params, char *msg,
	    size_t msglen);
/* "none", "sign", "verify", "admin" or "stats". */
const char *stir_perm_name(enum stir_perm perm);

#endif
