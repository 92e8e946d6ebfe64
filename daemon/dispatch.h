/* dispatch.h: the op table (name -> handler, permission, socket, size). */
#ifndef STIR_DISPATCH_H
#define STIR_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/server.h"

typedef void (*stir_op_fn)(struct stir_req *req);

struct stir_op_desc {
	const char	*name;
	stir_op_fn	 fn;
	enum stir_perm	 perm;
	bool		 admin_only;	/* only on the admin socket */
	size_t		 max_line;	/* 0: max_request_bytes */
	bool		 sensitive;	/* request carries secrets: wipe it */
	bool		 audited;	/* an admin change: goes to the audit log */
};

extern const struct stir_op_desc stir_ops[];
extern const size_t stir_nops;

const struct stir_op_desc *stir_op_find(const char *name);
const char *stir_perm_name(enum stir_perm perm);

/* op_basic.c */
void	op_hello(struct stir_req *req);
void	op_ping(struct stir_req *req);
void	op_status(struct stir_req *req);
void	op_reload(struct stir_req *req);
/* op_stats.c */
void	op_stats(struct stir_req *req);
/* op_sign.c */
void	op_sign(struct stir_req *req);
/* op_verify.c */
void	op_verify(struct stir_req *req);
/* op_admin.c */
void	op_key_generate(struct stir_req *req);
void	op_key_import(struct stir_req *req);
void	op_key_list(struct stir_req *req);
void	op_key_remove(struct stir_req *req);
void	op_cred_add(struct stir_req *req);
void	op_cred_list(struct stir_req *req);
void	op_cred_remove(struct stir_req *req);
void	op_trust_add(struct stir_req *req);
void	op_trust_list(struct stir_req *req);
void	op_trust_remove(struct stir_req *req);
void	op_audit_list(struct stir_req *req);

struct stir_tnauth;
/* A TNAuthList as the protocol shows it: [{"spc"},{"tn"},{"start","count"}]. */
json_t	*stir_tnauth_json(const struct stir_tnauth *ta);

#endif
