/* opschema.c: the ops and their params, once (opschema.h). */
#include "config.h"

#include <string.h>

#include "stirclient.h"
#include "opschema.h"

#define END	{ NULL, 0, false, 0 }
#define S	STIR_JT_STRING

static const struct stir_field no_fields[] = { END };

static const struct stir_field sign_fields[] = {
	/* orig: required but for div and div-o (copied from the original) */
	{ "orig",	S, false, STIR_P_IDENT_MAX },
	/* dest: a string is held to STIR_P_IDENT_MAX, an array to
	 * STIR_P_DEST_MAX entries, by the sign op (they differ) */
	{ "dest",	S | STIR_JT_ARRAY, true, 0 },
	/* attest: required for shaken and rcd; "A", "B" or "C" */
	{ "attest",	S, false, 0 },
	{ "origid",	S, false, 0 },
	{ "iat",	STIR_JT_INT, false, 0 },
	{ "cred",	S, false, STIR_P_NAME_MAX },
	/* rcd: true, or an object of values (checked by the policy code) */
	{ "rcd",	STIR_JT_BOOL | STIR_JT_OBJECT, false, 0 },
	{ "crn",	S, false, STIR_P_CRN_MAX },
	{ "ppt",	S, false, STIR_P_WORD_MAX },
	{ "original",	S, false, STIR_P_IDENTITY_MAX },
	{ "div",	S, false, STIR_P_IDENT_MAX },
	/* body: base64, held to msg_max_body_bytes once decoded */
	{ "body",	S, false, 0 },
	{ "content_type", S, false, STIR_P_CTYPE_MAX },
	END
};

static const struct stir_field verify_fields[] = {
	{ "identity",	STIR_JT_ARRAY, true, STIR_P_IDENTITIES_MAX },
	{ "from",	S, true, STIR_P_IDENT_MAX },
	{ "to",		S, true, STIR_P_IDENT_MAX },
	{ "pai",	S, false, STIR_P_IDENT_MAX },
	{ "date",	S, false, STIR_P_DATE_MAX },
	{ "at",		STIR_JT_INT, false, 0 },
	{ "mode",	S, false, STIR_P_WORD_MAX },
	{ "request_uri", S, false, STIR_P_IDENT_MAX },
	{ "history_info", S, false, STIR_P_HEADER_MAX },
	{ "diversion",	S, false, STIR_P_HEADER_MAX },
	/* body: base64, held to msg_max_body_bytes once decoded */
	{ "body",	S, false, 0 },
	{ "content_type", S, false, STIR_P_CTYPE_MAX },
	{ "expect_cert", S, false, STIR_P_FPR_LEN },
	{ "call_info",	S, false, STIR_P_HEADER_MAX },
	{ "connected_dest", S, false, STIR_P_IDENT_MAX },
	END
};

static const struct stir_field name_fields[] = {
	{ "name",	S, true, STIR_P_NAME_MAX },
	END
};

static const struct stir_field key_import_fields[] = {
	{ "name",	S, true, STIR_P_NAME_MAX },
	{ "pem",	S, true, STIR_P_KEY_FILE_MAX },
	END
};

static const struct stir_field cred_add_fields[] = {
	{ "name",	S, true, STIR_P_NAME_MAX },
	{ "key",	S, false, STIR_P_NAME_MAX },
	{ "pkcs11",	S, false, STIR_P_PKCS11_URL_MAX },
	{ "chain",	S, true, STIR_P_PEM_MAX },
	{ "x5u",	S, true, STIR_P_URL_MAX },
	{ "tns",	STIR_JT_ARRAY, false, STIR_P_TNS_MAX },
	{ "spc",	S, false, STIR_P_SPC_MAX },
	END
};

static const struct stir_field trust_add_fields[] = {
	{ "pem",	S, true, STIR_P_TRUST_PEM_MAX },
	{ "rcd",	STIR_JT_BOOL, false, 0 },
	END
};

static const struct stir_field trust_remove_fields[] = {
	/* not "id": that is the envelope's request id */
	{ "anchor",	STIR_JT_INT, true, 0 },
	END
};

static const struct stir_field limit_fields[] = {
	{ "limit",	STIR_JT_INT, false, 0 },
	END
};

static const struct stir_field url_fields[] = {
	{ "url",	S, true, STIR_P_URL_MAX },
	END
};

static const struct stir_field purge_fields[] = {
	{ "url",	S, false, STIR_P_URL_MAX },
	END
};

static const struct stir_field prefetch_fields[] = {
	{ "url",	S, true, STIR_P_URL_MAX },
	{ "kind",	S, false, STIR_P_WORD_MAX },
	END
};

static const struct stir_field policy_fields[] = {
	{ "policy",	STIR_JT_OBJECT, true, 0 },
	{ "replace",	STIR_JT_BOOL, false, 0 },
	END
};

static const struct stir_field policy_test_fields[] = {
	{ "orig",	S, true, STIR_P_IDENT_MAX },
	{ "cred",	S, false, STIR_P_NAME_MAX },
	{ "rcd",	STIR_JT_BOOL | STIR_JT_OBJECT, false, 0 },
	{ "crn",	S, false, STIR_P_CRN_MAX },
	{ "ppt",	S, false, STIR_P_WORD_MAX },
	END
};

static const struct stir_field state_apply_fields[] = {
	{ "state",	STIR_JT_OBJECT, true, 0 },
	{ "dry_run",	STIR_JT_BOOL, false, 0 },
	END
};

const struct stir_field stir_state_fields[] = {
	{ "version",	STIR_JT_INT, true, 0 },
	{ "trust",	STIR_JT_ARRAY, true, STIR_P_STATE_ITEMS_MAX },
	{ "credentials", STIR_JT_ARRAY, true, STIR_P_STATE_ITEMS_MAX },
	{ "policies",	STIR_JT_ARRAY, true, STIR_P_STATE_ITEMS_MAX },
	{ "settings",	STIR_JT_OBJECT, true, 0 },
	END
};

const struct stir_field stir_state_trust_fields[] = {
	{ "pem",	S, true, STIR_P_PEM_MAX },	/* one certificate */
	{ "rcd",	STIR_JT_BOOL, true, 0 },
	END
};

const struct stir_field stir_state_cred_fields[] = {
	{ "name",	S, true, STIR_P_NAME_MAX },
	{ "key",	S, true, STIR_P_NAME_MAX },	/* a key's name: never its bytes */
	{ "chain",	S, true, STIR_P_PEM_MAX },
	{ "x5u",	S, true, STIR_P_URL_MAX },
	{ "tns",	STIR_JT_ARRAY, false, STIR_P_TNS_MAX },
	{ "spc",	S, false, STIR_P_SPC_MAX },
	END
};

const struct stir_field stir_state_settings_fields[] = {
	{ "connected_identity", S, false, STIR_P_TNLIST_MAX },
	END
};

#define SMALL	STIR_P_SMALL_LINE
#define OP(id, nm, perm, admin, line, secret, audit, flds) \
	[id] = { nm, perm, admin, line, secret, audit, false, flds }

const struct stir_op_schema stir_op_schemas[_STIR_OP_MAX] = {
	/* hello takes any params, and any "v": it is how a client learns ours */
	[STIR_OP_HELLO] = { "hello", STIR_PERM_NONE, false, SMALL, false, false, true, no_fields },
	/*  id                      name              permission        admin  max_line  secret audit  params */
	OP(STIR_OP_PING,           "ping",           STIR_PERM_NONE,   false, SMALL, false, false, no_fields),
	OP(STIR_OP_SIGN,           "sign",           STIR_PERM_SIGN,   false, 0,     false, false, sign_fields),
	OP(STIR_OP_VERIFY,         "verify",         STIR_PERM_VERIFY, false, 0,     false, false, verify_fields),
	OP(STIR_OP_STATS,          "stats",          STIR_PERM_STATS,  false, SMALL, false, false, no_fields),
	OP(STIR_OP_STATUS,         "status",         STIR_PERM_ADMIN,  true,  SMALL, false, false, no_fields),
	OP(STIR_OP_RELOAD,         "reload",         STIR_PERM_ADMIN,  true,  SMALL, false, false, no_fields),
	OP(STIR_OP_KEY_GENERATE,   "key.generate",   STIR_PERM_ADMIN,  true,  SMALL, false, true,  name_fields),
	OP(STIR_OP_KEY_IMPORT,     "key.import",     STIR_PERM_ADMIN,  true,  0,     true,  true,  key_import_fields),
	OP(STIR_OP_KEY_LIST,       "key.list",       STIR_PERM_ADMIN,  true,  SMALL, false, false, no_fields),
	OP(STIR_OP_KEY_REMOVE,     "key.remove",     STIR_PERM_ADMIN,  true,  SMALL, false, true,  name_fields),
	OP(STIR_OP_CRED_ADD,       "cred.add",       STIR_PERM_ADMIN,  true,  0,     true,  true,  cred_add_fields),
	OP(STIR_OP_CRED_LIST,      "cred.list",      STIR_PERM_ADMIN,  true,  SMALL, false, false, no_fields),
	OP(STIR_OP_CRED_REMOVE,    "cred.remove",    STIR_PERM_ADMIN,  true,  SMALL, false, true,  name_fields),
	OP(STIR_OP_TRUST_ADD,      "trust.add",      STIR_PERM_ADMIN,  true,  STIR_P_BUNDLE_LINE, false, true, trust_add_fields),
	OP(STIR_OP_TRUST_LIST,     "trust.list",     STIR_PERM_ADMIN,  true,  SMALL, false, false, no_fields),
	OP(STIR_OP_TRUST_REMOVE,   "trust.remove",   STIR_PERM_ADMIN,  true,  SMALL, false, true,  trust_remove_fields),
	OP(STIR_OP_AUDIT_LIST,     "audit.list",     STIR_PERM_ADMIN,  true,  SMALL, false, false, limit_fields),
	OP(STIR_OP_CACHE_LIST,     "cache.list",     STIR_PERM_ADMIN,  true,  SMALL, false, false, limit_fields),
	OP(STIR_OP_CACHE_SHOW,     "cache.show",     STIR_PERM_ADMIN,  true,  SMALL, false, false, url_fields),
	OP(STIR_OP_CACHE_PURGE,    "cache.purge",    STIR_PERM_ADMIN,  true,  SMALL, false, true,  purge_fields),
	OP(STIR_OP_CACHE_PREFETCH, "cache.prefetch", STIR_PERM_ADMIN,  true,  SMALL, false, true,  prefetch_fields),
	OP(STIR_OP_POLICY_ADD,     "policy.add",     STIR_PERM_ADMIN,  true,  0,     false, true,  policy_fields),
	OP(STIR_OP_POLICY_CHECK,   "policy.check",   STIR_PERM_ADMIN,  true,  0,     false, false, policy_fields),
	OP(STIR_OP_POLICY_LIST,    "policy.list",    STIR_PERM_ADMIN,  true,  SMALL, false, false, no_fields),
	OP(STIR_OP_POLICY_SHOW,    "policy.show",    STIR_PERM_ADMIN,  true,  SMALL, false, false, name_fields),
	OP(STIR_OP_POLICY_REMOVE,  "policy.remove",  STIR_PERM_ADMIN,  true,  SMALL, false, true,  name_fields),
	OP(STIR_OP_POLICY_TEST,    "policy.test",    STIR_PERM_ADMIN,  true,  0,     false, false, policy_test_fields),
	OP(STIR_OP_STATE_EXPORT,   "state.export",   STIR_PERM_ADMIN,  true,  SMALL, false, false, no_fields),
	OP(STIR_OP_STATE_APPLY,    "state.apply",    STIR_PERM_ADMIN,  true,  STIR_P_STATE_LINE, false, true, state_apply_fields),
};

const struct stir_op_schema *
stir_op_schema_find(const char *name)
{
	for (size_t i = 0; name != NULL && i < _STIR_OP_MAX; i++)
		if (strcmp(stir_op_schemas[i].name, name) == 0)
			return &stir_op_schemas[i];
	return NULL;
}

int
stir_op_schema_check(const struct stir_op_schema *op, json_t *params, char *msg,
    size_t msglen)
{
	return op->any_params ? STIR_OK : stir_proto_check(params, op->fields, msg, msglen);
}

int
stir_op_request_check(const char *op, json_t *params, char *msg, size_t msglen)
{
	const struct stir_op_schema *schema = stir_op_schema_find(op);

	/* an op stird does not know is stird's to answer */
	if (schema == NULL)
		return STIR_OK;
	return stir_op_schema_check(schema, params, msg, msglen);
}

const char *
stir_perm_name(enum stir_perm perm)
{
	static const char *const names[_STIR_PERM_MAX] = { "none", "sign", "verify", "admin",
	    "stats" };

	return perm < _STIR_PERM_MAX ? names[perm] : "?";
}
