/*
 * ops.c: the op table, what stird serves: each op's schema (its params,
 * permission and socket: opschema.c, in the protocol library) and its
 * handler.  main.c hands it to the server; doc/protocol.md section 3 is
 * its prose.
 */
#include "config.h"

#include "daemon/ops/ops.h"

const struct stir_op_desc stir_op_table[] = {
	/* schema (opschema.c)                      handler            metrics hook */
	{ &stir_op_schemas[STIR_OP_HELLO],           op_hello,          NULL },
	{ &stir_op_schemas[STIR_OP_PING],            op_ping,           NULL },
	{ &stir_op_schemas[STIR_OP_SIGN],            op_sign,           op_sign_observe },
	{ &stir_op_schemas[STIR_OP_VERIFY],          op_verify,         op_verify_observe },
	{ &stir_op_schemas[STIR_OP_STATS],           op_stats,          NULL },
	{ &stir_op_schemas[STIR_OP_STATUS],          op_status,         NULL },
	{ &stir_op_schemas[STIR_OP_RELOAD],          op_reload,         NULL },
	{ &stir_op_schemas[STIR_OP_KEY_GENERATE],    op_key_generate,   NULL },
	{ &stir_op_schemas[STIR_OP_KEY_IMPORT],      op_key_import,     NULL },
	{ &stir_op_schemas[STIR_OP_KEY_LIST],        op_key_list,       NULL },
	{ &stir_op_schemas[STIR_OP_KEY_REMOVE],      op_key_remove,     NULL },
	{ &stir_op_schemas[STIR_OP_CRED_ADD],        op_cred_add,       NULL },
	{ &stir_op_schemas[STIR_OP_CRED_LIST],       op_cred_list,      NULL },
	{ &stir_op_schemas[STIR_OP_CRED_REMOVE],     op_cred_remove,    NULL },
	{ &stir_op_schemas[STIR_OP_TRUST_ADD],       op_trust_add,      NULL },
	{ &stir_op_schemas[STIR_OP_TRUST_LIST],      op_trust_list,     NULL },
	{ &stir_op_schemas[STIR_OP_TRUST_REMOVE],    op_trust_remove,   NULL },
	{ &stir_op_schemas[STIR_OP_AUDIT_LIST],      op_audit_list,     NULL },
	{ &stir_op_schemas[STIR_OP_CACHE_LIST],      op_cache_list,     NULL },
	{ &stir_op_schemas[STIR_OP_CACHE_SHOW],      op_cache_show,     NULL },
	{ &stir_op_schemas[STIR_OP_CACHE_PURGE],     op_cache_purge,    NULL },
	{ &stir_op_schemas[STIR_OP_CACHE_PREFETCH],  op_cache_prefetch, NULL },
	{ &stir_op_schemas[STIR_OP_POLICY_ADD],      op_policy_add,     NULL },
	{ &stir_op_schemas[STIR_OP_POLICY_CHECK],    op_policy_check,   NULL },
	{ &stir_op_schemas[STIR_OP_POLICY_LIST],     op_policy_list,    NULL },
	{ &stir_op_schemas[STIR_OP_POLICY_SHOW],     op_policy_show,    NULL },
	{ &stir_op_schemas[STIR_OP_POLICY_REMOVE],   op_policy_remove,  NULL },
	{ &stir_op_schemas[STIR_OP_POLICY_TEST],     op_policy_test,    NULL },
	{ &stir_op_schemas[STIR_OP_STATE_EXPORT],    op_state_export,   NULL },
	{ &stir_op_schemas[STIR_OP_STATE_APPLY],     op_state_apply,    NULL },
};

const size_t stir_op_count = sizeof(stir_op_table) / sizeof(stir_op_table[0]);

