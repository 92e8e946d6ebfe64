/* rcd_anchor.c: trust anchors added for Rich Call Data (see rcd_anchor.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "stirclient.h"
#include "daemon/pki/rcd_anchor.h"

struct stir_rcd_anchors {
	gnutls_x509_trust_list_t tl;
	unsigned		 n;
	int			 refs;		/* atomic */
};

int
stir_rcd_anchors_new(const char *const *pems, size_t n, struct stir_rcd_anchors **ret)
{
	struct stir_rcd_anchors *a;
	int gr, r = STIR_OK;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return STIR_ENOMEM;
	a->refs = 1;
	if (gnutls_x509_trust_list_init(&a->tl, 0) < 0) {
		free(a);
		return STIR_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		gnutls_datum_t d = { (unsigned char *)pems[i], (unsigned)strlen(pems[i]) };

		/* as in stir_trust_new(): a row GnuTLS cannot read anchors nothing */
		gr = gnutls_x509_trust_list_add_trust_mem(a->tl, &d, NULL, GNUTLS_X509_FMT_PEM,
		    0, 0);
		if (gr == GNUTLS_E_MEMORY_ERROR) {
			r = STIR_ENOMEM;
			goto out;
		}
		if (gr > 0)
			a->n += (unsigned)gr;
	}
	*ret = a;
	a = NULL;
 out:
	stir_rcd_anchors_unref(a);
	return r;
}

struct stir_rcd_anchors *
stir_rcd_anchors_ref(struct stir_rcd_anchors *a)
{
	if (a != NULL)
		__atomic_add_fetch(&a->refs, 1, __ATOMIC_RELAXED);
	return a;
}

void
stir_rcd_anchors_unref(struct stir_rcd_anchors *a)
{
	if (a == NULL || __atomic_sub_fetch(&a->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	gnutls_x509_trust_list_deinit(a->tl, 1);
	free(a);
}

unsigned
stir_rcd_anchors_count(const struct stir_rcd_anchors *a)
{
	return a != NULL ? a->n : 0;
}

bool
stir_rcd_anchors_issued(const struct stir_rcd_anchors *a, const struct stir_chain *chain)
{
	if (a == NULL || a->n == 0 || chain == NULL || chain->n == 0)
		return false;
	/* the path rules of stir_trust_verify(), against these anchors only */
	return stir_chain_verify_path(a->tl, chain, NULL, 0) == STIR_OK;
}
