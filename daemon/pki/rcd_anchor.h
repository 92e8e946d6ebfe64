/*
 * rcd_anchor.h: the trust anchors added for Rich Call Data (stirctl trust
 * add --rcd, trust_anchors.rcd), as a GnuTLS trust list of their own, so
 * that verification can tell whether a validated chain ends at one of
 * them (rcd_anchors_only).  Built beside the full trust list whenever it
 * is loaded (server.c); reference-counted, read by pool threads.
 */
#ifndef STIR_RCD_ANCHOR_H
#define STIR_RCD_ANCHOR_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/pki/cert.h"

struct stir_rcd_anchors;

/*
 * A list of the anchors in pems (n PEM texts, each one or more
 * certificates; n may be 0).  Text GnuTLS cannot read adds nothing, as in
 * stir_trust_new().  STIR_ENOMEM; free with stir_rcd_anchors_unref().
 */
int	stir_rcd_anchors_new(const char *const *pems, size_t n,
	    struct stir_rcd_anchors **ret);
struct stir_rcd_anchors *stir_rcd_anchors_ref(struct stir_rcd_anchors *a);
/* NULL-safe. */
void	stir_rcd_anchors_unref(struct stir_rcd_anchors *a);
/* Certificates in the list (0 for NULL). */
unsigned stir_rcd_anchors_count(const struct stir_rcd_anchors *a);

/*
 * Does chain (end entity first) lead to one of these anchors: the last
 * certificate is one, or is signed by one?  Signatures and CA
 * constraints are checked, times are not: call it only for a chain that
 * stir_trust_verify() accepted.  False for NULL or an empty list.
 */
bool	stir_rcd_anchors_issued(const struct stir_rcd_anchors *a,
	    const struct stir_chain *chain);

#endif
