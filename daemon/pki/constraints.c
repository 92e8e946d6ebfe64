/*
 * constraints.c: JWT claim constraints of STIR certificates (RFC 8226
 * section 8, RFC 9118), decoded with libtasn1 from daemon/pki/stir.asn and
 * applied to PASSporT claims (Jansson).
 *
 * Reading of the RFCs, and where stird chooses for itself:
 *
 * - Which certificate counts.  RFC 8226 section 8: the extension "is
 *   non-critical, applicable only to end-entity certificates"; RFC 9118
 *   section 3 says the same of the enhanced one, and RFC 9795 section 8.1
 *   checks the rules "if present in the certificate used to compute the
 *   signature in the PASSporT".  So only the end-entity certificate (the
 *   first of an x5u chain, the signing one of a credential) is read: the
 *   extension in a CA certificate or a trust anchor is ignored, not
 *   decoded, and cannot fail a path.  stir_constraints_check_cert() takes
 *   that one certificate.
 * - RFC 8226's ASN.1 comments: mustInclude lists claims that "MUST appear
 *   in the PASSporT in addition to iat, orig, and dest.  If absent, iat,
 *   orig, and dest MUST appear in the PASSporT", and for permittedValues
 *   "If claim name is present, the claim MUST contain one of the listed
 *   values".  So iat, orig and dest are required whenever a certificate
 *   carries constraints.  RFC 9118 keeps both rules and adds mustExclude.
 * - RFC 9118 section 3: the baseline claims "MUST NOT be part of the
 *   mustExclude list.  If one of these baseline PASSporT claims appears in
 *   the mustExclude list, then the certificate MUST be treated as if the
 *   extension was not present."  stir_constraints_decode() answers
 *   STIR_ENOENT for such an extension, as for an absent one.
 * - Both types carry a WITH COMPONENTS constraint (at least one component
 *   present) and SIZE (1..MAX) on every list; libtasn1 enforces neither,
 *   so they are checked here: an empty list or an empty SEQUENCE is
 *   malformed (STIR_ECERT).
 * - Values are UTF8Strings and a claim's value is JSON.  RFC 9118
 *   section 3 says the claim "MUST exactly match one of the listed
 *   values"; RFC 9795 sections 6.2 and 6.3 list values for the "rcd" and
 *   "rcdi" objects, the latter "equal to the created "rcdi" claim value
 *   string".  stird compares (check_permitted()):
 *     - a claim that is a JSON string: its characters (UTF-8) with the
 *       listed value, byte for byte ("confidence": "high" matches high);
 *     - any other claim (object, array, number, true, false, null): its
 *       RFC 8225 section 9 serialization (keys sorted, no whitespace: the
 *       one stir_json_canonical() gives the JWS) with the same
 *       serialization of each listed value that parses as JSON, so the
 *       issuer's whitespace and key order do not matter.  A listed value
 *       that is not JSON matches no such claim.
 * - A certificate with both extensions is refused (STIR_ECERT): RFC 9118
 *   section 6 says they "MUST NOT both appear in the same certificate",
 *   and which one its issuer meant cannot be told, so it fails closed.
 *   See stir_constraints_from_cert().
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>
#include <libtasn1.h>

#include "stirclient.h"
#include "daemon/pki/cert.h"
#include "daemon/pki/constraints.h"
#include "daemon/base/log.h"
#include "daemon/stir/passport.h"

extern const asn1_static_node stir_asn1_tab[];

static const char *const base_claims[] = { "iat", "orig", "dest" };

/* ---- decoding ---- */

static void
strv_free(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
stir_constraints_free(struct stir_constraints *c)
{
	if (c == NULL)
		return;
	strv_free(c->include, c->n_include);
	strv_free(c->exclude, c->n_exclude);
	if (c->permitted != NULL)
		for (size_t i = 0; i < c->n_permitted; i++) {
			free(c->permitted[i].claim);
			strv_free(c->permitted[i].values, c->permitted[i].n);
			strv_free(c->permitted[i].canon, c->permitted[i].n);
		}
	free(c->permitted);
	free(c);
}

/* Strict UTF-8: no overlong forms, surrogates, or code points past U+10FFFF. */
static bool
utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else
			return false;
		if (i + n >= len)
			return false;		/* truncated sequence */
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		i += n + 1;
	}
	return true;
}

/*
 * The string at path: a claim name (IA5String: printable ASCII, not
 * empty) or a value (UTF8String: valid UTF-8, no NUL).
 */
static int
read_string(asn1_node n, const char *path, bool name, char **ret)
{
	char buf[STIR_CLAIM_STR_MAX + 1];
	int len = STIR_CLAIM_STR_MAX;
	char *s;

	if (asn1_read_value(n, path, buf, &len) != ASN1_SUCCESS ||
	    len < 0 || len > STIR_CLAIM_STR_MAX)
		return STIR_ECERT;	/* ASN1_MEM_ERROR: over the limit */
	if (memchr(buf, '\0', (size_t)len) != NULL)
		return STIR_ECERT;
	if (name) {
		if (len == 0)
			return STIR_ECERT;
		for (int i = 0; i < len; i++)
			if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
				return STIR_ECERT;
	} else if (!utf8_valid((const unsigned char *)buf, (size_t)len))
		return STIR_ECERT;
	if ((s = malloc((size_t)len + 1)) == NULL)
		return STIR_ENOMEM;
	memcpy(s, buf, (size_t)len);
	s[len] = '\0';
	*ret = s;
	return STIR_OK;
}

/*
 * The number of elements of the SEQUENCE OF at path: 0 if the (OPTIONAL)
 * component is absent, else 1..max; STIR_ECERT if empty or over max.
 */
static int
list_count(asn1_node n, const char *path, int max, int *ret)
{
	int count = 0, ar;

	ar = asn1_number_of_elements(n, path, &count);
	if (ar == ASN1_ELEMENT_NOT_FOUND) {
		*ret = 0;
		return STIR_OK;
	}
	if (ar != ASN1_SUCCESS || count < 1 || count > max)
		return STIR_ECERT;
	*ret = count;
	return STIR_OK;
}

/* A JWTClaimNames at path (absent: *ret_n = 0). */
static int
read_names(asn1_node n, const char *path, char ***ret, size_t *ret_n)
{
	char **v = NULL, elem[64];
	int count, r;

	if ((r = list_count(n, path, STIR_CLAIM_NAMES_MAX, &count)) != STIR_OK)
		return r;
	if (count > 0 && (v = calloc((size_t)count, sizeof(*v))) == NULL)
		return STIR_ENOMEM;
	for (int i = 0; i < count; i++) {
		snprintf(elem, sizeof(elem), "%s.?%d", path, i + 1);
		if ((r = read_string(n, elem, true, &v[i])) != STIR_OK) {
			strv_free(v, (size_t)count);
			return r;
		}
	}
	*ret = v;
	*ret_n = (size_t)count;
	return STIR_OK;
}

/*
 * The RFC 8225 section 9 serialization of value if it is JSON text (any
 * JSON value, no duplicate keys), else NULL in *ret: what a claim that is
 * not a string is compared with (top of file).  value is at most
 * STIR_CLAIM_STR_MAX bytes, so Jansson's work is bounded.
 */
static int
canonical_value(const char *value, char **ret)
{
	json_t *j = json_loads(value, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);

	*ret = NULL;
	if (j == NULL)
		return STIR_OK;		/* not JSON: it can match a string claim only */
	*ret = stir_json_canonical(j);
	json_decref(j);
	return *ret == NULL ? STIR_ENOMEM : STIR_OK;
}

/* A JWTClaimPermittedValuesList / JWTClaimValuesList at path. */
static int
read_permitted(asn1_node n, const char *path, const char *vname,
    struct stir_constraints *c)
{
	char elem[96];
	int count, nv, r;

	if ((r = list_count(n, path, STIR_PERMITTED_MAX, &count)) != STIR_OK ||
	    count == 0)
		return r;
	if ((c->permitted = calloc((size_t)count, sizeof(*c->permitted))) == NULL)
		return STIR_ENOMEM;
	c->n_permitted = (size_t)count;
	for (int i = 0; i < count; i++) {
		struct stir_claim_values *e = &c->permitted[i];

		snprintf(elem, sizeof(elem), "%s.?%d.claim", path, i + 1);
		if ((r = read_string(n, elem, true, &e->claim)) != STIR_OK)
			return r;
		snprintf(elem, sizeof(elem), "%s.?%d.%s", path, i + 1, vname);
		if ((r = list_count(n, elem, STIR_PERMITTED_VALUES_MAX, &nv)) != STIR_OK)
			return r;
		if (nv == 0)
			return STIR_ECERT;	/* not OPTIONAL */
		if ((e->values = calloc((size_t)nv, sizeof(*e->values))) == NULL ||
		    (e->canon = calloc((size_t)nv, sizeof(*e->canon))) == NULL)
			return STIR_ENOMEM;
		e->n = (size_t)nv;
		for (int k = 0; k < nv; k++) {
			snprintf(elem, sizeof(elem), "%s.?%d.%s.?%d", path, i + 1, vname,
			    k + 1);
			if ((r = read_string(n, elem, false, &e->values[k])) != STIR_OK ||
			    (r = canonical_value(e->values[k], &e->canon[k])) != STIR_OK)
				return r;
		}
	}
	return STIR_OK;
}

/* Does c's mustExclude name iat, orig or dest? */
static bool
excludes_baseline(const struct stir_constraints *c)
{
	for (size_t i = 0; i < c->n_exclude; i++)
		for (size_t k = 0; k < sizeof(base_claims) / sizeof(base_claims[0]); k++)
			if (strcmp(c->exclude[i], base_claims[k]) == 0)
				return true;
	return false;
}

int
stir_constraints_decode(const uint8_t *der, size_t len, bool enhanced,
    struct stir_constraints **ret)
{
	asn1_node defs = NULL, node = NULL;
	struct stir_constraints *c = NULL;
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	int r;

	if (der == NULL || len == 0 || len > STIR_CONSTRAINTS_DER_MAX)
		return STIR_ECERT;
	if (asn1_array2tree(stir_asn1_tab, &defs, err) != ASN1_SUCCESS) {
		log_err("ASN.1 definitions: %s", err);
		return STIR_EINTERNAL;
	}
	r = STIR_ECERT;
	if (asn1_create_element(defs, enhanced ? "STIR-CERT.EnhancedJWTClaimConstraints" :
	    "STIR-CERT.JWTClaimConstraints", &node) != ASN1_SUCCESS)
		goto out;
	if (asn1_der_decoding2(&node, der, (int[]){ (int)len },
	    ASN1_DECODE_FLAG_STRICT_DER, err) != ASN1_SUCCESS) {
		log_debug("%s: %s", enhanced ? "EnhancedJWTClaimConstraints" :
		    "JWTClaimConstraints", err);
		goto out;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	c->enhanced = enhanced;
	if ((r = read_names(node, "mustInclude", &c->include, &c->n_include)) != STIR_OK ||
	    (r = read_permitted(node, "permittedValues", enhanced ? "values" : "permitted",
	    c)) != STIR_OK)
		goto out;
	if (enhanced &&
	    (r = read_names(node, "mustExclude", &c->exclude, &c->n_exclude)) != STIR_OK)
		goto out;
	/* WITH COMPONENTS: at least one component is present */
	if (c->n_include == 0 && c->n_permitted == 0 && c->n_exclude == 0) {
		r = STIR_ECERT;
		goto out;
	}
	/* RFC 9118 section 3: a baseline claim in mustExclude voids the extension */
	if (excludes_baseline(c)) {
		log_debug("EnhancedJWTClaimConstraints: mustExclude names a baseline "
		    "claim; treated as absent (RFC 9118 section 3)");
		r = STIR_ENOENT;
		goto out;
	}
	*ret = c;
	c = NULL;
	r = STIR_OK;
 out:
	stir_constraints_free(c);
	asn1_delete_structure(&node);
	asn1_delete_structure(&defs);
	return r;
}

/* The value of extension oid: STIR_ENOENT if absent, STIR_ECERT if twice. */
static int
get_ext(gnutls_x509_crt_t crt, const char *oid, gnutls_datum_t *ret)
{
	gnutls_datum_t ext = { NULL, 0 }, dup = { NULL, 0 };
	unsigned critical = 0;
	int gr;

	gr = gnutls_x509_crt_get_extension_by_oid2(crt, oid, 0, &ext, &critical);
	if (gr == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return STIR_ENOENT;
	if (gr < 0)
		return STIR_ECERT;
	gr = gnutls_x509_crt_get_extension_by_oid2(crt, oid, 1, &dup, &critical);
	if (gr != GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
		gnutls_free(dup.data);
		gnutls_free(ext.data);
		return STIR_ECERT;	/* RFC 5280 4.2: at most one instance */
	}
	*ret = ext;
	return STIR_OK;
}

int
stir_constraints_from_cert(gnutls_x509_crt_t crt, struct stir_constraints **ret,
    const char **ret_why)
{
	gnutls_datum_t jcc = { NULL, 0 }, ejcc = { NULL, 0 };
	const char *why = "its JWT claim constraints are malformed";
	int rj, re, r;

	rj = get_ext(crt, STIR_OID_JWTCLAIMCONSTRAINTS, &jcc);
	re = get_ext(crt, STIR_OID_EJWTCLAIMCONSTRAINTS, &ejcc);
	if (rj == STIR_ENOENT && re == STIR_ENOENT)
		r = STIR_ENOENT;
	else if (rj == STIR_OK && re == STIR_OK) {
		why = "it has both JWTClaimConstraints and EnhancedJWTClaimConstraints";
		r = STIR_ECERT;		/* RFC 9118 section 6 (top of file) */
	} else if (rj != STIR_OK && rj != STIR_ENOENT)
		r = rj;
	else if (re != STIR_OK && re != STIR_ENOENT)
		r = re;
	else if (rj == STIR_OK)
		r = stir_constraints_decode(jcc.data, jcc.size, false, ret);
	else
		r = stir_constraints_decode(ejcc.data, ejcc.size, true, ret);
	gnutls_free(jcc.data);
	gnutls_free(ejcc.data);
	if (r == STIR_ECERT && ret_why != NULL)
		*ret_why = why;
	return r;
}

/* ---- evaluation ---- */

static int deny(char *msg, size_t msglen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

static int
deny(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	if (msg != NULL && msglen > 0) {
		va_start(ap, fmt);
		vsnprintf(msg, msglen, fmt, ap);
		va_end(ap);
	}
	return STIR_EPOLICY;
}

/*
 * permittedValues: "If the claim name is present, the claim MUST exactly
 * match one of the listed values" (RFC 9118 section 3; RFC 8226 section 8
 * says "contain").  A string claim compares its characters, any other
 * claim its RFC 8225 section 9 serialization with that of each listed
 * value that is JSON text (top of file).
 */
static int
check_permitted(const struct stir_claim_values *e, const json_t *payload,
    char *msg, size_t msglen)
{
	json_t *v = json_object_get(payload, e->claim);
	char *canon = NULL;
	bool match = false;

	if (v == NULL)
		return STIR_OK;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t len = json_string_length(v);

		for (size_t k = 0; k < e->n && !match; k++)
			match = strlen(e->values[k]) == len && memcmp(e->values[k], s, len) == 0;
	} else {
		if ((canon = stir_json_canonical(v)) == NULL)
			return STIR_ENOMEM;
		for (size_t k = 0; k < e->n && !match; k++)
			match = e->canon[k] != NULL && strcmp(e->canon[k], canon) == 0;
		free(canon);
	}
	if (match)
		return STIR_OK;
	return deny(msg, msglen, "the certificate does not permit this value of "
	    "claim '%s'", e->claim);
}

int
stir_constraints_check(const struct stir_constraints *c, const json_t *payload,
    char *msg, size_t msglen)
{
	int r;

	if (!json_is_object(payload))
		return STIR_EINVAL;
	for (size_t i = 0; i < sizeof(base_claims) / sizeof(base_claims[0]); i++)
		if (json_object_get(payload, base_claims[i]) == NULL)
			return deny(msg, msglen, "the certificate requires claim '%s', "
			    "which the PASSporT lacks", base_claims[i]);
	for (size_t i = 0; i < c->n_include; i++)
		if (json_object_get(payload, c->include[i]) == NULL)
			return deny(msg, msglen, "the certificate requires claim '%s', "
			    "which the PASSporT lacks", c->include[i]);
	for (size_t i = 0; i < c->n_exclude; i++)
		if (json_object_get(payload, c->exclude[i]) != NULL)
			return deny(msg, msglen, "the certificate forbids claim '%s', "
			    "which the PASSporT has", c->exclude[i]);
	for (size_t i = 0; i < c->n_permitted; i++)
		if ((r = check_permitted(&c->permitted[i], payload, msg, msglen)) != STIR_OK)
			return r;
	return STIR_OK;
}

int
stir_constraints_check_cert(gnutls_x509_crt_t crt, const json_t *payload,
    char *msg, size_t msglen)
{
	struct stir_constraints *c = NULL;
	const char *why = NULL;
	int r;

	if (!json_is_object(payload))
		return STIR_EINVAL;
	r = stir_constraints_from_cert(crt, &c, &why);
	if (r == STIR_ENOENT)
		return STIR_OK;
	if (r != STIR_OK) {
		if (msg != NULL && msglen > 0)
			snprintf(msg, msglen, "%s", why != NULL ? why : stir_strerror(r));
		return r;
	}
	r = stir_constraints_check(c, payload, msg, msglen);
	stir_constraints_free(c);
	return r;
}
