/* verify_div.h: diversion chains and connected identity. */
#ifndef STIR_VERIFY_DIV_H
#define STIR_VERIFY_DIV_H

#include <jansson.h>

#include "daemon/verify/vctx.h"

/*
 * Link div and div-o hops into chains, check the outermost
 * against the Request-URI and an rsp's dest against To or the chain;
 * failing hops fail (stir_vreq_fail).  After the pool, before the verdict.
 */
void	stir_vreq_link(struct vctx *x);
/* The diversion result (null without div PASSporTs). */
json_t	*stir_vreq_diversion_json(const struct vctx *x);
/* The connected-identity result of a response or pre-call check. */
json_t	*stir_vreq_connected_json(const struct vctx *x);
/* What the SIP element should do: reject, continue (with Reason values). */
json_t	*stir_vreq_action_json(const struct vctx *x, const char *verstat, int code,
	    json_t *reasons);

#endif
