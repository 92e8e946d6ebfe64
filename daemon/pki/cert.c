/* cert.c: X.509 (GnuTLS) and STIR certificate extensions (libtasn1). */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libtasn1.h>

#include "stirclient.h"
#include "daemon/pki/cert.h"
#include "daemon/base/log.h"
#include "daemon/stir/tn.h"
#include "daemon/stir/url.h"

/* a URL from a certificate is cached and fetched like any other */
#if STIR_URL_MAX_CERT != STIR_URL_MAX
#error "STIR_URL_MAX_CERT must be the URL rules' STIR_URL_MAX"
#endif

extern const asn1_static_node stir_asn1_tab[];

static int
asn1_defs(asn1_node *ret)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];

	*ret = NULL;
	if (asn1_array2tree(stir_asn1_tab, ret, err) != ASN1_SUCCESS) {
		log_err("ASN.1 definitions: %s", err);
		return STIR_EINTERNAL;
	}
	return STIR_OK;
}

void
stir_tnauth_free(struct stir_tnauth *ta)
{
	free(ta);
}

json_t *
stir_tnauth_json(const struct stir_tnauth *ta)
{
	json_t *arr = json_array();

	for (size_t i = 0; ta != NULL && i < ta->n; i++) {
		const struct stir_tnentry *e = &ta->e[i];

		if (e->type == STIR_TNE_SPC)
			(void)json_array_append_new(arr, json_pack("{s:s}", "spc", e->value));
		else if (e->type == STIR_TNE_ONE)
			(void)json_array_append_new(arr, json_pack("{s:s}", "tn", e->value));
		else
			(void)json_array_append_new(arr, json_pack("{s:s, s:I}", "start",
			    e->value, "count", (json_int_t)e->count));
	}
	return arr;
}

static int
read_ia5(asn1_node n, const char *name, char *out, size_t outlen)
{
	int len = (int)outlen - 1;

	if (asn1_read_value(n, name, out, &len) != ASN1_SUCCESS || len <= 0 ||
	    (size_t)len >= outlen)
		return STIR_ECERT;
	out[len] = '\0';
	if (memchr(out, '\0', (size_t)len) != NULL)
		return STIR_ECERT;
	for (int i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
			return STIR_ECERT;
	return STIR_OK;
}

int
stir_tnauth_decode(const uint8_t *der, size_t len, struct stir_tnauth **ret)
{
	asn1_node defs = NULL, list = NULL;
	struct stir_tnauth *ta = NULL;
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	int count = 0, r;

	if (len == 0 || len > STIR_PEM_MAX)
		return STIR_ECERT;
	if ((r = asn1_defs(&defs)) != STIR_OK)
		return r;
	r = STIR_ECERT;
	if (asn1_create_element(defs, "STIR-CERT.TNAuthorizationList", &list) != ASN1_SUCCESS)
		goto out;
	if (asn1_der_decoding2(&list, der, (int[]){ (int)len }, ASN1_DECODE_FLAG_STRICT_DER,
	    err) != ASN1_SUCCESS) {
		log_debug("TNAuthList: %s", err);
		goto out;
	}
	if (asn1_number_of_elements(list, "", &count) != ASN1_SUCCESS ||
	    count < 1 || count > STIR_TNAUTH_MAX)
		goto out;
	if ((ta = calloc(1, sizeof(*ta) + (size_t)count * sizeof(ta->e[0]))) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	for (int i = 1; i <= count; i++) {
		struct stir_tnentry *e = &ta->e[i - 1];
		char path[64], choice[16];
		int clen = sizeof(choice) - 1;

		snprintf(path, sizeof(path), "?%d", i);
		if (asn1_read_value(list, path, choice, &clen) != ASN1_SUCCESS)
			goto out;
		choice[clen] = '\0';
		if (strcmp(choice, "spc") == 0) {
			e->type = STIR_TNE_SPC;
			snprintf(path, sizeof(path), "?%d.spc", i);
			if (read_ia5(list, path, e->value, sizeof(e->value)) != STIR_OK)
				goto out;
		} else if (strcmp(choice, "one") == 0) {
			e->type = STIR_TNE_ONE;
			snprintf(path, sizeof(path), "?%d.one", i);
			if (read_ia5(list, path, e->value, STIR_TN_MAX + 1) != STIR_OK ||
			    !stir_tn_is_valid(e->value))
				goto out;
		} else if (strcmp(choice, "range") == 0) {
			uint8_t num[8];
			int nlen = sizeof(num);
			unsigned long v = 0;

			e->type = STIR_TNE_RANGE;
			snprintf(path, sizeof(path), "?%d.range.start", i);
			if (read_ia5(list, path, e->value, STIR_TN_MAX + 1) != STIR_OK ||
			    !stir_tn_is_valid(e->value))
				goto out;
			snprintf(path, sizeof(path), "?%d.range.count", i);
			if (asn1_read_value(list, path, num, &nlen) != ASN1_SUCCESS ||
			    nlen < 1 || nlen > 8 || (num[0] & 0x80))
				goto out;	/* negative or over 2^63 */
			for (int k = 0; k < nlen; k++)
				v = (v << 8) | num[k];
			if (v < 2)
				goto out;	/* RFC 8226: count INTEGER (2..MAX) */
			e->count = v;
		} else
			goto out;
		ta->n++;
	}
	*ret = ta;
	ta = NULL;
	r = STIR_OK;
 out:
	free(ta);
	asn1_delete_structure(&list);
	asn1_delete_structure(&defs);
	return r;
}

bool
stir_tnauth_covers(const struct stir_tnauth *ta, const char *tn)
{
	for (size_t i = 0; i < ta->n; i++) {
		const struct stir_tnentry *e = &ta->e[i];

		if (e->type == STIR_TNE_ONE && strcmp(e->value, tn) == 0)
			return true;
		if (e->type == STIR_TNE_RANGE && stir_tn_in_range(tn, e->value, e->count))
			return true;
	}
	return false;
}

bool
stir_tnauth_has_tns(const struct stir_tnauth *ta)
{
	for (size_t i = 0; i < ta->n; i++)
		if (ta->e[i].type != STIR_TNE_SPC)
			return true;
	return false;
}

/* ---- RFC 9060 delegation: a TNAuthList within its issuer's ---- */

/*
 * The rule (RFC 9060 section 4: a delegate certificate's TNAuthList must
 * be "encompassed" by, equal to or a subset of, its parent's):
 *  - an SPC entry is encompassed only by the same SPC in the parent: an
 *    SPC names a provider, it is not a set of numbers a parent can hold;
 *  - a TN or range entry is encompassed by any SPC of the parent.  Which
 *    numbers an SPC holds is not in any certificate, and an SPC-only end
 *    entity may already sign for any orig (as in verify), so a delegation
 *    under an SPC cannot widen it;
 *  - otherwise a TN or range entry is encompassed when the parent has the
 *    identical entry or every number of it lies in the parent's TN and
 *    range entries taken together (two adjacent parent ranges cover a
 *    range across their boundary).  Ranges hold numbers of the length of
 *    their start only (RFC 8226), as stir_tn_in_range() counts them.
 */

/* v as a TN of exactly len digits, leading zeros kept (out: len + 1). */
static void
tn_digits(unsigned long long v, size_t len, char *out)
{
	out[len] = '\0';
	for (size_t k = len; k > 0; k--) {
		out[k - 1] = (char)('0' + v % 10);
		v /= 10;
	}
}

/*
 * Do the parent's TN and range entries, together, hold every number of
 * [start, start+count-1]?  Each step moves past the end of the parent
 * entry holding the current number, so it ends after p->n steps at most.
 */
static bool
numbers_within(const struct stir_tnauth *p, const char *start, unsigned long count)
{
	size_t len = strlen(start);
	unsigned long long cur, last, max = 0;
	char tn[STIR_TN_MAX + 1];

	if (count == 0 || len == 0 || len > STIR_TN_MAX || strspn(start, "0123456789") != len)
		return false;
	for (size_t k = 0; k < len; k++)
		max = max * 10 + 9;
	cur = strtoull(start, NULL, 10);
	last = count - 1 > max - cur ? max : cur + (count - 1);
	for (;;) {
		unsigned long long next = cur;

		tn_digits(cur, len, tn);
		for (size_t i = 0; i < p->n && next == cur; i++) {
			const struct stir_tnentry *e = &p->e[i];

			if (e->type == STIR_TNE_ONE && strcmp(e->value, tn) == 0)
				next = cur + 1;
			else if (e->type == STIR_TNE_RANGE &&
			    stir_tn_in_range(tn, e->value, e->count))
				next = strtoull(e->value, NULL, 10) + e->count;
		}
		if (next == cur)
			return false;		/* cur is in no parent entry */
		if (next > last)
			return true;
		cur = next;
	}
}

static bool
entry_within(const struct stir_tnentry *e, const struct stir_tnauth *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct stir_tnentry *pe = &p->e[i];

		if (pe->type == e->type && strcmp(pe->value, e->value) == 0 &&
		    pe->count == e->count)
			return true;
		if (pe->type == STIR_TNE_SPC && e->type != STIR_TNE_SPC)
			return true;
	}
	if (e->type == STIR_TNE_SPC)
		return false;
	return numbers_within(p, e->value, e->type == STIR_TNE_RANGE ? e->count : 1);
}

bool
stir_tnauth_within(const struct stir_tnauth *child, const struct stir_tnauth *parent,
    const struct stir_tnentry **ret_outside)
{
	for (size_t i = 0; i < child->n; i++)
		if (!entry_within(&child->e[i], parent)) {
			if (ret_outside != NULL)
				*ret_outside = &child->e[i];
			return false;
		}
	return true;
}

static void
entry_text(const struct stir_tnentry *e, char *out, size_t outlen)
{
	if (e->type == STIR_TNE_SPC)
		snprintf(out, outlen, "SPC %s", e->value);
	else if (e->type == STIR_TNE_RANGE)
		snprintf(out, outlen, "range %s+%lu", e->value, e->count);
	else
		snprintf(out, outlen, "TN %s", e->value);
}

/*
 * A certificate's TN scope: its TNAuthList by value and the one fetched
 * by reference (RFC 8226 10.1).  With both, it is bounded by both: the
 * reference is the current view of the scope (section 10: numbers move),
 * the value what the CA signed, and neither text lets one widen the other.
 */
struct scope {
	struct stir_tnauth		*val;	/* owned */
	const struct stir_tnauth	*ref;	/* borrowed from the caller */
};

/*
 * The scope of crt, named name in messages.  ref points at the list
 * fetched for it, or is NULL when lists by reference were not fetched
 * (the signing side, the anchor): then a list only by reference is
 * unknown and counts as none.  STIR_ENOENT if it has no list; STIR_ECERT
 * with msg if a list or its URI is malformed or a list by reference was
 * not fetched.
 */
static int
cert_scope(gnutls_x509_crt_t crt, const char *name, const struct stir_tnauth *const *ref,
    struct scope *ret, char *msg, size_t msglen)
{
	char url[STIR_URL_MAX_CERT + 1];
	int r;

	ret->val = NULL;
	ret->ref = NULL;
	if ((r = stir_cert_tnauth(crt, &ret->val)) != STIR_OK && r != STIR_ENOENT) {
		snprintf(msg, msglen, "the TNAuthList of %s is malformed", name);
		return r;
	}
	switch (stir_cert_tnlist_url(crt, url, sizeof(url))) {
	case STIR_ENOENT:
		break;
	case STIR_OK:
		if (ref == NULL)
			break;
		if (*ref == NULL) {
			snprintf(msg, msglen, "the TNAuthList of %s by reference (%s) was not fetched",
			    name, url);
			goto bad;
		}
		ret->ref = *ref;
		break;
	default:
		snprintf(msg, msglen, "the TNAuthList URI of %s (AIA id-ad-stirTNList) is not an "
		    "https URI (RFC 8226 section 10.1)", name);
		goto bad;
	}
	return ret->val != NULL || ret->ref != NULL ? STIR_OK : STIR_ENOENT;
 bad:
	stir_tnauth_free(ret->val);
	ret->val = NULL;
	return STIR_ECERT;
}

/*
 * Certificate number cno (1 is the end entity) and its issuer, named by
 * issuer_name for messages, with the lists fetched for each (cert_scope):
 * if the issuer has a TNAuthList, the certificate must have one within
 * it.  With two lists on either side, some list of the certificate must
 * lie within every list of the issuer: the part both of its lists hold
 * is then within the part both of the issuer's hold.
 */
static int
delegation_pair(gnutls_x509_crt_t crt, unsigned cno, const struct stir_tnauth *const *cref,
    gnutls_x509_crt_t issuer, const char *issuer_name, const struct stir_tnauth *const *pref,
    char *msg, size_t msglen)
{
	struct scope ps = { NULL, NULL }, cs = { NULL, NULL };
	const struct stir_tnentry *bad = NULL;
	bool bad_in_ref = false;
	char ent[STIR_SPC_MAX + 32], cname[32];
	int r;

	if ((r = cert_scope(issuer, issuer_name, pref, &ps, msg, msglen)) == STIR_ENOENT)
		return STIR_OK;		/* no scope to delegate from */
	if (r != STIR_OK)
		return r;
	snprintf(cname, sizeof(cname), "certificate %u", cno);
	if ((r = cert_scope(crt, cname, cref, &cs, msg, msglen)) != STIR_OK) {
		if (r == STIR_ENOENT)
			snprintf(msg, msglen, "certificate %u has no TNAuthList, but its issuer (%s) has one (RFC 9060)",
			    cno, issuer_name);
		r = r == STIR_ENOENT ? STIR_ECERT : r;
		goto out;
	}
	{
		const struct stir_tnauth *cl[2] = { cs.val, cs.ref }, *pl[2] = { ps.val, ps.ref };

		for (size_t i = 0; i < 2; i++) {
			bool inside = cl[i] != NULL;

			for (size_t k = 0; inside && k < 2; k++) {
				const struct stir_tnentry *b = NULL;

				if (pl[k] == NULL || stir_tnauth_within(cl[i], pl[k], &b))
					continue;
				inside = false;
				if (bad == NULL) {
					bad = b;
					bad_in_ref = k == 1;
				}
			}
			if (inside) {
				r = STIR_OK;
				goto out;
			}
		}
	}
	entry_text(bad, ent, sizeof(ent));
	snprintf(msg, msglen, "certificate %u holds %s, outside the TNAuthList%s of its issuer (%s) (RFC 9060)",
	    cno, ent, bad_in_ref ? " by reference" : "", issuer_name);
	r = STIR_ECERT;
 out:
	stir_tnauth_free(cs.val);
	stir_tnauth_free(ps.val);
	return r;
}

int
stir_chain_check_delegation(const struct stir_chain *c, const struct stir_tnrefs *refs,
    char *msg, size_t msglen)
{
	for (unsigned i = 0; i < c->n; i++) {
		char name[32];
		unsigned j = i + 1;
		int r;

		/* the issuer is the next certificate; in a bundle, any other */
		if (j < c->n && !gnutls_x509_crt_check_issuer(c->crt[i], c->crt[j]))
			for (j = 0; j < c->n; j++)
				if (j != i && gnutls_x509_crt_check_issuer(c->crt[i], c->crt[j]))
					break;
		if (j >= c->n)
			continue;	/* issued from outside the chain */
		snprintf(name, sizeof(name), "certificate %u", j + 1);
		if ((r = delegation_pair(c->crt[i], i + 1, refs != NULL ? &refs->ta[i] : NULL,
		    c->crt[j], name, refs != NULL ? &refs->ta[j] : NULL, msg, msglen)) != STIR_OK)
			return r;
	}
	return STIR_OK;
}

void
stir_chain_free(struct stir_chain *c)
{
	if (c == NULL)
		return;
	for (unsigned i = 0; i < c->n; i++)
		gnutls_x509_crt_deinit(c->crt[i]);
	gnutls_free(c->crt);
	free(c);
}

int
stir_chain_parse(const char *pem, size_t len, unsigned max, bool sorted,
    struct stir_chain **ret)
{
	struct stir_chain *c;
	gnutls_datum_t d = { (unsigned char *)pem, (unsigned)len };
	int gr;

	if (len == 0)
		return STIR_ECERT;
	if (len > (sorted ? STIR_PEM_MAX : (size_t)STIR_TRUST_BUNDLE_MAX * 4096))
		return STIR_ETOOBIG;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return STIR_ENOMEM;
	gr = gnutls_x509_crt_list_import2(&c->crt, &c->n, &d, GNUTLS_X509_FMT_PEM,
	    sorted ? GNUTLS_X509_CRT_LIST_FAIL_IF_UNSORTED : 0);
	if (gr < 0 || c->n == 0) {
		log_debug("certificate list: %s", gnutls_strerror(gr));
		c->n = 0;
		c->crt = NULL;
		free(c);
		return STIR_ECERT;
	}
	if (c->n > max) {
		stir_chain_free(c);
		return STIR_ETOOBIG;
	}
	*ret = c;
	return STIR_OK;
}

int
stir_cert_tnauth(gnutls_x509_crt_t crt, struct stir_tnauth **ret)
{
	gnutls_datum_t ext = { NULL, 0 };
	unsigned critical = 0;
	int gr, r;

	gr = gnutls_x509_crt_get_extension_by_oid2(crt, STIR_OID_TNAUTHLIST, 0,
	    &ext, &critical);
	if (gr == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return STIR_ENOENT;
	if (gr < 0)
		return STIR_ECERT;
	r = stir_tnauth_decode(ext.data, ext.size, ret);
	gnutls_free(ext.data);
	return r;
}

struct stir_tnauth *
stir_tnauth_dup(const struct stir_tnauth *ta)
{
	struct stir_tnauth *copy;
	size_t size;

	if (ta == NULL)
		return NULL;
	size = sizeof(*ta) + ta->n * sizeof(ta->e[0]);
	if ((copy = malloc(size)) != NULL)
		memcpy(copy, ta, size);
	return copy;
}

/* Is the datum d (as GnuTLS gives an OID: maybe NUL-terminated) the OID oid? */
static bool
oid_is(const gnutls_datum_t *d, const char *oid)
{
	size_t n = strlen(oid);

	return d->data != NULL && (d->size == n || (d->size == n + 1 && d->data[n] == '\0')) &&
	    memcmp(d->data, oid, n) == 0;
}

int
stir_cert_tnlist_url(gnutls_x509_crt_t crt, char *out, size_t outlen)
{
	for (unsigned seq = 0; seq < STIR_AIA_MAX; seq++) {
		gnutls_datum_t d = { NULL, 0 };
		unsigned critical = 0;
		bool ours;
		int gr;

		gr = gnutls_x509_crt_get_authority_info_access(crt, seq, GNUTLS_IA_ACCESSMETHOD_OID,
		    &d, &critical);
		if (gr == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			return STIR_ENOENT;
		if (gr < 0) {
			log_debug("authorityInfoAccess: %s", gnutls_strerror(gr));
			return STIR_ECERT;
		}
		ours = oid_is(&d, STIR_OID_AD_STIRTNLIST);
		gnutls_free(d.data);
		if (!ours)
			continue;
		/* the first id-ad-stirTNList entry is the one: it must be a URI */
		d.data = NULL;
		gr = gnutls_x509_crt_get_authority_info_access(crt, seq, GNUTLS_IA_URI, &d, &critical);
		if (gr < 0) {
			log_debug("id-ad-stirTNList accessLocation: %s", gnutls_strerror(gr));
			return STIR_ECERT;
		}
		if (d.size >= outlen || !stir_url_tnlist_ok((const char *)d.data, d.size)) {
			gnutls_free(d.data);
			return STIR_ECERT;
		}
		memcpy(out, d.data, d.size);
		out[d.size] = '\0';
		gnutls_free(d.data);
		return STIR_OK;
	}
	return STIR_ENOENT;
}

/*
 * Copy a DN for display: at most dstlen-1 bytes, cut on a character
 * boundary, with bytes that are not valid UTF-8 (certificates come from
 * strangers) and control characters replaced by '?'.
 */
static void
copy_dn(char *dst, size_t dstlen, const unsigned char *src, size_t len)
{
	size_t i = 0, o = 0;

	while (i < len && o + 1 < dstlen) {
		unsigned char c = src[i];
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 :
		    (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		bool ok = n > 0 && i + n <= len && !(c == 0xc0 || c == 0xc1 || c > 0xf4);

		for (size_t k = 1; ok && k < n; k++)
			ok = (src[i + k] & 0xc0) == 0x80;
		if (!ok || (n == 1 && (c < 0x20 || c == 0x7f))) {
			dst[o++] = '?';
			i++;
			continue;
		}
		if (o + n >= dstlen)
			break;
		memcpy(dst + o, src + i, n);
		o += n;
		i += n;
	}
	dst[o] = '\0';
}

int
stir_cert_info(gnutls_x509_crt_t crt, struct stir_cert_info *ret)
{
	struct stir_cert_info info;
	gnutls_datum_t dn = { NULL, 0 }, der = { NULL, 0 };
	uint8_t fp[32];
	unsigned ca = 0;
	static const char hex[] = "0123456789abcdef";

	memset(&info, 0, sizeof(info));
	if (gnutls_x509_crt_get_dn3(crt, &dn, 0) >= 0) {
		copy_dn(info.subject, sizeof(info.subject), dn.data, dn.size);
		gnutls_free(dn.data);
	}
	if (gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) >= 0) {
		copy_dn(info.issuer, sizeof(info.issuer), dn.data, dn.size);
		gnutls_free(dn.data);
	}
	info.not_before = (int64_t)gnutls_x509_crt_get_activation_time(crt);
	info.not_after = (int64_t)gnutls_x509_crt_get_expiration_time(crt);
	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) < 0)
		return STIR_ECERT;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, der.size, fp) < 0) {
		gnutls_free(der.data);
		return STIR_ECRYPTO;
	}
	gnutls_free(der.data);
	for (int i = 0; i < 32; i++) {
		info.sha256[2 * i] = hex[fp[i] >> 4];
		info.sha256[2 * i + 1] = hex[fp[i] & 15];
	}
	info.is_ca = gnutls_x509_crt_get_basic_constraints(crt, NULL, &ca, NULL) >= 0 && ca;
	*ret = info;
	return STIR_OK;
}

int
stir_cred_check(const struct stir_chain *c, const uint8_t *spki,
    size_t spki_len, time_t now, struct stir_tnauth **ret_tnauth, char *msg,
    size_t msglen)
{
	gnutls_x509_crt_t ee = c->crt[0];
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t der = { NULL, 0 };
	struct stir_tnauth *ta = NULL;
	unsigned usage = 0;
	int gr, r = STIR_ECERT;

	if (gnutls_pubkey_init(&pub) < 0)
		return STIR_ENOMEM;
	if (gnutls_pubkey_import_x509(pub, ee, 0) < 0 ||
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &der) < 0) {
		snprintf(msg, msglen, "cannot read the certificate's public key");
		goto out;
	}
	if (der.size != spki_len || memcmp(der.data, spki, spki_len) != 0) {
		snprintf(msg, msglen, "the certificate does not match the key");
		goto out;
	}
	if (gnutls_x509_crt_get_activation_time(ee) > now) {
		snprintf(msg, msglen, "the certificate is not valid yet");
		goto out;
	}
	if (gnutls_x509_crt_get_expiration_time(ee) <= now) {
		snprintf(msg, msglen, "the certificate has expired");
		goto out;
	}
	gr = gnutls_x509_crt_get_key_usage(ee, &usage, NULL);
	if (gr < 0 || !(usage & GNUTLS_KEY_DIGITAL_SIGNATURE)) {
		snprintf(msg, msglen, "the certificate lacks keyUsage digitalSignature");
		goto out;
	}
	r = stir_cert_tnauth(ee, &ta);
	if (r == STIR_ENOENT) {
		char url[STIR_URL_MAX_CERT + 1];

		/* RFC 8224 6.1: the signer checks it may speak for orig, and a
		 * list by reference is not fetched here (RFC 8226 10.1) */
		if (stir_cert_tnlist_url(ee, url, sizeof(url)) != STIR_ENOENT)
			snprintf(msg, msglen, "the certificate carries its TNAuthList only by "
			    "reference (AIA id-ad-stirTNList, RFC 8226 section 10.1); stird signs "
			    "only with a TNAuthList by value, which it checks orig against");
		else
			snprintf(msg, msglen, "the certificate has no TNAuthList (%s)",
			    STIR_OID_TNAUTHLIST);
		r = STIR_ECERT;
		goto out;
	}
	if (r != STIR_OK) {
		snprintf(msg, msglen, "the certificate's TNAuthList is malformed");
		goto out;
	}
	/* the rest of the chain must be in order: each issues the previous */
	for (unsigned i = 1; i < c->n; i++)
		if (!gnutls_x509_crt_check_issuer(c->crt[i - 1], c->crt[i])) {
			snprintf(msg, msglen, "certificate %u of the chain did not issue certificate %u",
			    i + 1, i);
			r = STIR_ECERT;
			goto out;
		}
	if ((r = stir_chain_check_delegation(c, NULL, msg, msglen)) != STIR_OK)
		goto out;
	*ret_tnauth = ta;
	ta = NULL;
	r = STIR_OK;
 out:
	stir_tnauth_free(ta);
	gnutls_free(der.data);
	gnutls_pubkey_deinit(pub);
	return r;
}

int
stir_trust_check(gnutls_x509_crt_t crt, time_t now, char *msg, size_t msglen)
{
	unsigned ca = 0;

	if (gnutls_x509_crt_get_basic_constraints(crt, NULL, &ca, NULL) < 0 || !ca) {
		snprintf(msg, msglen, "the certificate is not a CA (basicConstraints cA is not TRUE)");
		return STIR_ECERT;
	}
	if (gnutls_x509_crt_get_expiration_time(crt) <= now) {
		snprintf(msg, msglen, "the certificate has expired");
		return STIR_ECERT;
	}
	return STIR_OK;
}

/* ---- trust anchors ---- */

struct stir_trust {
	gnutls_x509_trust_list_t tl;
	unsigned		 n;
	int			 refs;		/* atomic */
};

int
stir_trust_new(const char *const *pems, size_t n, const char *crl_file,
    struct stir_trust **ret, char *msg, size_t msglen)
{
	struct stir_trust *t;
	int gr;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return STIR_ENOMEM;
	t->refs = 1;
	if (gnutls_x509_trust_list_init(&t->tl, 0) < 0) {
		free(t);
		return STIR_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		gnutls_datum_t d = { (unsigned char *)pems[i], (unsigned)strlen(pems[i]) };

		gr = gnutls_x509_trust_list_add_trust_mem(t->tl, &d, NULL,
		    GNUTLS_X509_FMT_PEM, 0, 0);
		if (gr > 0)
			t->n += (unsigned)gr;
	}
	if (crl_file != NULL && *crl_file != '\0') {
		/* the operator's file is trusted as it is: its CRLs may come
		 * from intermediates, which are not anchors, so they are not
		 * verified against the list (GNUTLS_TL_VERIFY_CRL would drop them) */
		gr = gnutls_x509_trust_list_add_trust_file(t->tl, NULL, crl_file,
		    GNUTLS_X509_FMT_PEM, 0, 0);
		if (gr < 0) {
			snprintf(msg, msglen, "crl_file '%s': %s", crl_file, gnutls_strerror(gr));
			stir_trust_unref(t);
			return STIR_ECERT;
		}
	}
	*ret = t;
	return STIR_OK;
}

struct stir_trust *
stir_trust_ref(struct stir_trust *t)
{
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
	return t;
}

void
stir_trust_unref(struct stir_trust *t)
{
	if (t == NULL || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	gnutls_x509_trust_list_deinit(t->tl, 1);
	free(t);
}

unsigned
stir_trust_count(const struct stir_trust *t)
{
	return t->n;
}

/*
 * The last certificate of the chain against the anchor that issued it,
 * which may hold a TNAuthList too (an SP's CA as the anchor).
 */
static int
anchor_delegation(const struct stir_trust *t, const struct stir_chain *c,
    const struct stir_tnrefs *refs, char *msg, size_t msglen)
{
	gnutls_x509_crt_t top = c->crt[c->n - 1], anchor = NULL;
	int r;

	if (gnutls_x509_crt_check_issuer(top, top))
		return STIR_OK;		/* self-issued: the chain holds its anchor */
	if (gnutls_x509_trust_list_get_issuer(t->tl, top, &anchor, GNUTLS_TL_GET_COPY) < 0)
		return STIR_OK;		/* the path verified, so not expected */
	/* the anchor is the operator's: a list it names by reference is not
	 * fetched (NULL), only its list by value bounds the chain */
	r = delegation_pair(top, c->n, refs != NULL ? &refs->ta[c->n - 1] : NULL, anchor,
	    "the trust anchor", NULL, msg, msglen);
	gnutls_x509_crt_deinit(anchor);
	return r;
}

static const char *
verify_reason(unsigned status)
{
	if (status & GNUTLS_CERT_REVOKED)
		return "a certificate of the chain is revoked";
	if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
		return "the chain does not lead to a trusted CA (trust anchors: stirctl trust list)";
	if (status & GNUTLS_CERT_SIGNER_NOT_CA)
		return "a certificate that signed the chain is not a CA";
	if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
		return "the chain uses an insecure algorithm";
	if (status & GNUTLS_CERT_SIGNATURE_FAILURE)
		return "a signature in the chain does not verify";
	if (status & GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE)
		return "a CA's constraints forbid this chain";
	return "the chain does not verify";
}

int
stir_chain_verify_path(gnutls_x509_trust_list_t tl, const struct stir_chain *c, char *msg,
    size_t msglen)
{
	unsigned status = 0;
	int gr;

	gr = gnutls_x509_trust_list_verify_crt2(tl, c->crt, c->n, NULL, 0,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS,
	    &status, NULL);
	if (gr >= 0 && status == 0)
		return STIR_OK;
	if (msg != NULL)
		snprintf(msg, msglen, "%s", gr < 0 ? gnutls_strerror(gr) : verify_reason(status));
	return STIR_ECERT;
}

int
stir_trust_verify(const struct stir_trust *t, const struct stir_chain *c,
    const struct stir_tnrefs *refs, int64_t at, gnutls_pubkey_t *ret_pub,
    struct stir_tnauth **ret_tnauth, char *msg, size_t msglen)
{
	static const struct stir_tnrefs none;
	gnutls_x509_crt_t ee = c->crt[0];
	gnutls_pubkey_t pub = NULL;
	struct scope sc = { NULL, NULL };
	unsigned usage = 0;
	int r;

	/* times are checked against `at` below, not against the clock */
	if ((r = stir_chain_verify_path(t->tl, c, msg, msglen)) != STIR_OK)
		goto out;
	r = STIR_ECERT;
	for (unsigned i = 0; i < c->n; i++) {
		if ((int64_t)gnutls_x509_crt_get_activation_time(c->crt[i]) > at) {
			snprintf(msg, msglen, "certificate %u of the chain is not valid yet", i + 1);
			goto out;
		}
		if ((int64_t)gnutls_x509_crt_get_expiration_time(c->crt[i]) <= at) {
			snprintf(msg, msglen, "certificate %u of the chain has expired", i + 1);
			goto out;
		}
	}
	if (gnutls_x509_crt_get_key_usage(ee, &usage, NULL) < 0 ||
	    !(usage & GNUTLS_KEY_DIGITAL_SIGNATURE)) {
		snprintf(msg, msglen, "the certificate lacks keyUsage digitalSignature");
		goto out;
	}
	/* a list by reference that was not fetched is a refusal here */
	if (refs == NULL)
		refs = &none;
	if ((r = cert_scope(ee, "the certificate", &refs->ta[0], &sc, msg, msglen)) != STIR_OK) {
		if (r == STIR_ENOENT)
			snprintf(msg, msglen, "the certificate has no TNAuthList");
		r = STIR_ECERT;
		goto out;
	}
	/* RFC 9060: each TNAuthList within its issuer's, up to the anchor */
	if ((r = stir_chain_check_delegation(c, refs, msg, msglen)) != STIR_OK ||
	    (r = anchor_delegation(t, c, refs, msg, msglen)) != STIR_OK)
		goto out;
	r = STIR_ECERT;
	if (gnutls_pubkey_init(&pub) < 0 || gnutls_pubkey_import_x509(pub, ee, 0) < 0) {
		snprintf(msg, msglen, "cannot read the certificate's public key");
		goto out;
	}
	{
		gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;

		if (gnutls_pubkey_get_pk_algorithm(pub, NULL) != GNUTLS_PK_ECDSA ||
		    gnutls_pubkey_export_ecc_raw2(pub, &curve, NULL, NULL, 0) < 0 ||
		    curve != GNUTLS_ECC_CURVE_SECP256R1) {
			snprintf(msg, msglen, "the certificate's key is not ECDSA P-256 (ES256)");
			goto out;
		}
	}
	*ret_pub = pub;
	*ret_tnauth = sc.val;		/* NULL when only by reference */
	pub = NULL;
	sc.val = NULL;
	r = STIR_OK;
 out:
	gnutls_pubkey_deinit(pub);
	stir_tnauth_free(sc.val);
	return r;
}

/* ---- CRL distribution points ---- */

size_t
stir_chain_crl_urls(const struct stir_chain *c, char **urls, size_t max)
{
	size_t n = 0;

	for (unsigned i = 0; i < c->n && n < max; i++) {
		for (unsigned seq = 0; seq < 8; seq++) {
			char buf[STIR_URL_MAX_CERT + 1];
			size_t len = sizeof(buf) - 1;
			unsigned flags = 0;
			int gr = gnutls_x509_crt_get_crl_dist_points(c->crt[i], seq, buf, &len,
			    &flags, NULL);

			if (gr < 0)
				break;
			if (gr != GNUTLS_SAN_URI || len >= sizeof(buf))
				continue;
			buf[len] = '\0';
			if (!stir_url_crl_ok(buf, len))
				continue;
			if ((urls[n] = strdup(buf)) != NULL)
				n++;
			break;			/* one per certificate */
		}
	}
	return n;
}

static int
crl_import(const struct stir_crl_input *in, gnutls_x509_crl_t *ret)
{
	gnutls_x509_crl_t crl = NULL;
	gnutls_datum_t d = { (unsigned char *)in->body, (unsigned)in->len };

	if (in->body == NULL || in->len == 0 || gnutls_x509_crl_init(&crl) < 0)
		return STIR_ECERT;
	if (gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER) < 0 &&
	    gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_PEM) < 0) {
		gnutls_x509_crl_deinit(crl);
		return STIR_ECERT;
	}
	*ret = crl;
	return STIR_OK;
}

int
stir_trust_check_crls(const struct stir_trust *t, const struct stir_chain *c,
    const struct stir_crl_input *crls, size_t n, int64_t at, bool hard,
    char *msg, size_t msglen)
{
	for (unsigned i = 0; i < c->n; i++) {
		char url[STIR_URL_MAX_CERT + 1], *urls[1] = { NULL };
		struct stir_chain one = { &c->crt[i], 1 };
		const struct stir_crl_input *in = NULL;
		gnutls_x509_crt_t issuer = NULL;
		gnutls_x509_crl_t crl = NULL;
		unsigned vstatus = 0;
		const char *why = NULL;
		int revoked;

		if (stir_chain_crl_urls(&one, urls, 1) == 0)
			continue;		/* no distribution point: nothing to check */
		snprintf(url, sizeof(url), "%s", urls[0]);
		free(urls[0]);
		for (size_t k = 0; k < n; k++)
			if (crls[k].url != NULL && strcmp(crls[k].url, url) == 0)
				in = &crls[k];
		if (in == NULL || in->err != STIR_OK)
			why = "its CRL could not be fetched";
		else if (crl_import(in, &crl) != STIR_OK)
			why = "its CRL is not a CRL";
		else {
			if (i + 1 < c->n && gnutls_x509_crt_check_issuer(c->crt[i], c->crt[i + 1]))
				issuer = c->crt[i + 1];
			else if (gnutls_x509_trust_list_get_issuer(t->tl, c->crt[i], &issuer,
			    GNUTLS_TL_GET_COPY) < 0)	/* a copy, freed below */
				issuer = NULL;
			if (issuer == NULL)
				why = "its CRL's issuer is unknown";
			else if (gnutls_x509_crl_verify(crl, &issuer, 1, 0, &vstatus) < 0 ||
			    vstatus != 0)
				why = "its CRL is not signed by its issuer";
			else if ((int64_t)gnutls_x509_crl_get_next_update(crl) != -1 &&
			    (int64_t)gnutls_x509_crl_get_next_update(crl) < at)
				why = "its CRL is out of date";
			if (issuer != NULL && !(i + 1 < c->n && issuer == c->crt[i + 1]))
				gnutls_x509_crt_deinit(issuer);
		}
		if (why == NULL) {
			revoked = gnutls_x509_crt_check_revocation(c->crt[i], &crl, 1);
			gnutls_x509_crl_deinit(crl);
			if (revoked == 1) {
				snprintf(msg, msglen, "certificate %u of the chain is revoked (CRL %s)",
				    i + 1, url);
				return STIR_ECERT;
			}
			continue;
		}
		gnutls_x509_crl_deinit(crl);
		if (hard) {
			snprintf(msg, msglen, "certificate %u of the chain: %s (crl_mode = hard)",
			    i + 1, why);
			return STIR_ECERT;
		}
		log_debug("certificate %u: %s; accepted (crl_mode = soft)", i + 1, why);
	}
	return STIR_OK;
}
