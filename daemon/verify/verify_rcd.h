/* verify_rcd.h: an item's Rich Call Data content, fetched and judged. */
#ifndef STIR_VERIFY_RCD_H
#define STIR_VERIFY_RCD_H

#include <jansson.h>

#include "daemon/verify/vctx.h"

/* Fetch the content an item's rcd claim references. */
void	stir_vreq_rcd_start(struct vctx *x, struct vitem *it);
/* The rcd result of a valid PASSporT (verified, or why not). */
json_t	*stir_vreq_rcd_json(const struct vctx *x, const struct vitem *it);

#endif
