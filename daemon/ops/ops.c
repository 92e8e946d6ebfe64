/*
 * ops.c: the op table, what stird serves (main.c hands it to the server;
 * doc/protocol.md section 3 is its prose).
 */
#include "config.h"

#include "daemon/ops/ops.h"

#define SMALL	4096		/* requests that carry a name or two */
/* trust.add: a PEM bundle of up to TRUST_PEM_MAX (1 MiB), JSON-escaped
 * (each newline doubles), with the envelope */
#define BUNDLE	(2 * 1024 * 1024 + SMALL)

const struct stir_op_desc stir_op_table[] = {
	/* name            handler           permission        admin  max_line  secret audit  observe */
	{ "hello",         op_hello,         STIR_PERM_NONE,   false, SMALL,    false, false,  NULL },
	{ "ping",          op_ping,          STIR_PERM_NONE,   false, SMALL,    false, false,  NULL },
	{ "sign",          op_sign,          STIR_PERM_SIGN,   false, 0,        false, false, op_sign_observe },
	{ "verify",        op_verify,        STIR_PERM_VERIFY, false, 0,        false, false, op_verify_observe },
	{ "stats",         op_stats,         STIR_PERM_STATS,  false, SMALL,    false, false,  NULL },
	{ "status",        op_status,        STIR_PERM_ADMIN,  true,  SMALL,    false, false,  NULL },
	{ "reload",        op_reload,        STIR_PERM_ADMIN,  true,  SMALL,    false, false,  NULL },
	{ "key.generate",  op_key_generate,  STIR_PERM_ADMIN,  true,  SMALL,    false, true,  NULL },
	{ "key.import",    op_key_import,    STIR_PERM_ADMIN,  true,  0,        true,  true,  NULL },
	{ "key.list",      op_key_list,      STIR_PERM_ADMIN,  true,  SMALL,    false, false,  NULL },
	{ "key.remove",    op_key_remove,    STIR_PERM_ADMIN,  true,  SMALL,    false, true,  NULL },
	{ "cred.add",      op_cred_add,      STIR_PERM_ADMIN,  true,  0,        true,  true,  NULL },
	{ "cred.list",     op_cred_list,     STIR_PERM_ADMIN,  true,  SMALL,    false, false,  NULL },
	{ "cred.remove",   op_cred_remove,   STIR_PERM_ADMIN,  true,  SMALL,    false, true,  NULL },
	{ "trust.add",     op_trust_add,     STIR_PERM_ADMIN,  true,  BUNDLE,   false, true,  NULL },
	{ "trust.list",    op_trust_list,    STIR_PERM_ADMIN,  true,  SMALL,    false, false,  NULL },
	{ "trust.remove",  op_trust_remove,  STIR_PERM_ADMIN,  true,  SMALL,    false, true,  NULL },
	{ "audit.list",    op_audit_list,    STIR_PERM_ADMIN,  true,  SMALL,    false, false,  NULL },
	{ "cache.list",    op_cache_list,    STIR_PERM_ADMIN,  true,  SMALL,    false, false,  NULL },
	{ "cache.show",    op_cache_show,    STIR_PERM_ADMIN,  true,  SMALL,    false, false,  NULL },
	{ "cache.purge",   op_cache_purge,   STIR_PERM_ADMIN,  true,  SMALL,    false, true,  NULL },
	{ "cache.prefetch", op_cache_prefetch, STIR_PERM_ADMIN, true, SMALL,    false, true,  NULL },
	{ "policy.add",    op_policy_add,    STIR_PERM_ADMIN,  true,  0,        false, true,  NULL },
	{ "policy.check",  op_policy_check,  STIR_PERM_ADMIN,  true,  0,        false, false,  NULL },
	{ "policy.list",   op_policy_list,   STIR_PERM_ADMIN,  true,  SMALL,    false, false,  NULL },
	{ "policy.show",   op_policy_show,   STIR_PERM_ADMIN,  true,  SMALL,    false, false,  NULL },
	{ "policy.remove", op_policy_remove, STIR_PERM_ADMIN,  true,  SMALL,    false, true,  NULL },
	{ "policy.test",   op_policy_test,   STIR_PERM_ADMIN,  true,  0,        false, false,  NULL },
};

const size_t stir_op_count = sizeof(stir_op_table) / sizeof(stir_op_table[0]);

