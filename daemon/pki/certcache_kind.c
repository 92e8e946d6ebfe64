/*
 * certcache_kind.c: what the certificate cache may keep.  A body fetched
 * for a URL is kept only if it parses as the kind it was fetched as: a
 * PEM chain, a CRL, an image, a jCard, a DER TNAuthList (other RCD
 * content has no type rule).  The checks are the ones the callers make later, so a body the
 * cache refuses would have been refused anyway.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gnutls/x509.h>
#include <jansson.h>

#include "stirclient.h"
#include "daemon/pki/cert.h"
#include "daemon/pki/certcache_kind.h"
#include "daemon/stir/rcd.h"

static const char *const kind_names[STIR_CC_KINDS] = {
	[STIR_CC_CHAIN] = "chain",
	[STIR_CC_CRL] = "crl",
	[STIR_CC_IMAGE] = "image",
	[STIR_CC_JCARD] = "jcard",
	[STIR_CC_OTHER] = "other",
	[STIR_CC_TNLIST] = "tnlist",
};

const char *
stir_cc_kind_name(int kind)
{
	return kind >= 0 && kind < STIR_CC_KINDS ? kind_names[kind] : NULL;
}

int
stir_cc_kind_parse(const char *name, enum stir_cc_kind *ret)
{
	for (int k = 0; name != NULL && k < STIR_CC_KINDS; k++)
		if (strcmp(name, kind_names[k]) == 0) {
			*ret = (enum stir_cc_kind)k;
			return STIR_OK;
		}
	return STIR_EINVAL;
}

static bool
crl_parses(const uint8_t *body, size_t len)
{
	gnutls_datum_t d = { (unsigned char *)body, (unsigned)len };
	gnutls_x509_crl_t crl = NULL;
	bool ok;

	if (len == 0 || len > UINT32_MAX || gnutls_x509_crl_init(&crl) < 0)
		return false;
	ok = gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER) >= 0 ||
	    gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_PEM) >= 0;
	gnutls_x509_crl_deinit(crl);
	return ok;
}

int
stir_cc_kind_check(enum stir_cc_kind kind, const uint8_t *body, size_t len,
    char *msg, size_t msglen)
{
	struct stir_chain *chain = NULL;
	json_t *jcard = NULL;
	int r;

	if (body == NULL)
		body = (const uint8_t *)"";
	switch (kind) {
	case STIR_CC_CHAIN:
		/* as verification parses it (op_verify.c validate()) */
		if ((r = stir_chain_parse((const char *)body, len, STIR_CHAIN_MAX, true,
		    &chain)) == STIR_OK) {
			stir_chain_free(chain);
			return STIR_OK;
		}
		snprintf(msg, msglen, r == STIR_ETOOBIG ?
		    "the x5u chain has more than %d certificates" :
		    "the x5u resource is not a PEM certificate chain (end entity first)",
		    STIR_CHAIN_MAX);
		return STIR_ECERT;
	case STIR_CC_CRL:
		if (crl_parses(body, len))
			return STIR_OK;
		snprintf(msg, msglen, "the resource is not a CRL (DER or PEM)");
		return STIR_ECERT;
	case STIR_CC_IMAGE:
		if (stir_rcd_icon_type(body, len) != NULL)
			return STIR_OK;
		snprintf(msg, msglen, "it is not a PNG, JPEG or SVG image");
		return STIR_EINVAL;
	case STIR_CC_JCARD:
		/* the one rule (stir_rcd_jcard_check()); its words, under /jcl */
		if (stir_rcd_jcard_parse(body, len, &jcard, msg, msglen) == STIR_OK) {
			json_decref(jcard);
			return STIR_OK;
		}
		return STIR_EINVAL;
	case STIR_CC_OTHER:
		return STIR_OK;
	case STIR_CC_TNLIST: {
		/* RFC 8226 10.1: the complete DER TNAuthList; as verification
		 * decodes it (op_verify.c on_tnlist()), within its own bound */
		struct stir_tnauth *ta = NULL;

		if (len <= STIR_TNLIST_MAX_BYTES && stir_tnauth_decode(body, len, &ta) == STIR_OK) {
			stir_tnauth_free(ta);
			return STIR_OK;
		}
		snprintf(msg, msglen, len > STIR_TNLIST_MAX_BYTES ?
		    "the TN list is larger than %d bytes" :
		    "the TN list is not a DER TNAuthList (RFC 8226 section 9)", STIR_TNLIST_MAX_BYTES);
		return STIR_ECERT;
	}
	default:
		snprintf(msg, msglen, "no such kind of content");
		return STIR_EINVAL;
	}
}
