/*
 * typed.h: internals of the typed layer of the non-blocking API: the
 * trampolines that decode a reply's result into a struct for the user's
 * callback (typed_res.c), used by the per-op functions (typed_req.c).
 */
#ifndef STIR_TYPED_H
#define STIR_TYPED_H

#include <jansson.h>

#include "async.h"

#define STIR__TRAMPOLINE(name) \
	void stir__##name##_done(stir__async_fn fn, void *arg, int err, \
	    const char *errmsg, json_t *result)

STIR__TRAMPOLINE(json);
STIR__TRAMPOLINE(sign);
STIR__TRAMPOLINE(verify);
STIR__TRAMPOLINE(status);
STIR__TRAMPOLINE(stats);
STIR__TRAMPOLINE(key_list);
STIR__TRAMPOLINE(cred_list);
STIR__TRAMPOLINE(trust_list);
STIR__TRAMPOLINE(audit_list);
STIR__TRAMPOLINE(cache_list);
STIR__TRAMPOLINE(policy_list);

#endif /* STIR_TYPED_H */
