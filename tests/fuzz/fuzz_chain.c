/*
 * fuzz_chain.c: a PEM certificate chain, as an x5u URL serves it or an
 * admin hands it to cred.add / trust.add: stir_chain_parse() in sorted
 * (credential, x5u) and unsorted (trust bundle) mode, then per certificate
 * what the daemon reads from it: stir_cert_tnauth(), stir_cert_tnlist_url(), stir_cert_info(),
 * stir_trust_check() and, for the sorted chain, stir_cred_check() with the
 * end entity's own public key so it gets past the key match.
 *
 * An input that starts with '-' is the PEM text.  Any other input is DER:
 * one or more certificates (each a SEQUENCE, split by its length; what is
 * left over is one more), which the target wraps in PEM itself.  That way
 * the fuzzer mutates the certificates, not their base64.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>

#include "stirclient.h"
#include "daemon/pki/cert.h"
#include "daemon/stir/url.h"
#include "tests/fuzz/fuzz.h"

static void
cert(gnutls_x509_crt_t crt)
{
	struct stir_tnauth *ta = NULL;
	struct stir_cert_info info;
	char msg[256], url[STIR_URL_MAX_CERT + 1];
	int r;

	r = stir_cert_tnauth(crt, &ta);
	FUZZ_ASSERT(r == STIR_OK || r == STIR_ENOENT || r == STIR_ECERT ||
	    r == STIR_ENOMEM);
	FUZZ_ASSERT((r == STIR_OK) == (ta != NULL));
	if (ta != NULL)
		FUZZ_ASSERT(ta->n >= 1 && ta->n <= STIR_TNAUTH_MAX);
	stir_tnauth_free(ta);

	/* RFC 8226 10.1: the TN list URI, which verify fetches */
	r = stir_cert_tnlist_url(crt, url, sizeof(url));
	FUZZ_ASSERT(r == STIR_OK || r == STIR_ENOENT || r == STIR_ECERT);
	if (r == STIR_OK)
		FUZZ_ASSERT(stir_url_tnlist_ok(url, strlen(url)));

	r = stir_cert_info(crt, &info);
	FUZZ_ASSERT(r == STIR_OK || r == STIR_ECERT || r == STIR_ECRYPTO);
	if (r == STIR_OK) {
		FUZZ_ASSERT(FUZZ_IS_CSTR(info.subject, sizeof(info.subject)));
		FUZZ_ASSERT(FUZZ_IS_CSTR(info.issuer, sizeof(info.issuer)));
		FUZZ_ASSERT(strlen(info.sha256) == 64 &&
		    strspn(info.sha256, "0123456789abcdef") == 64);
	}

	/* a fixed "now": the result must not depend on the day of the run */
	msg[0] = '\0';
	r = stir_trust_check(crt, (time_t)1700000000, msg, sizeof(msg));
	FUZZ_ASSERT(r == STIR_OK || (r == STIR_ECERT && msg[0] != '\0'));
}

/* stir_cred_check() as cred.add runs it, with the end entity's own key. */
static void
cred(const struct stir_chain *c)
{
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t spki = { NULL, 0 };
	struct stir_tnauth *ta = NULL;
	char msg[256];
	time_t now;
	int r;

	if (gnutls_pubkey_init(&pub) < 0)
		return;
	if (gnutls_pubkey_import_x509(pub, c->crt[0], 0) < 0 ||
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &spki) < 0)
		goto out;
	/* just inside the validity period, so the later checks run */
	now = gnutls_x509_crt_get_activation_time(c->crt[0]);
	if (now != (time_t)-1 && now < (time_t)INT64_MAX)
		now++;
	msg[0] = '\0';
	r = stir_cred_check(c, spki.data, spki.size, now, &ta, msg, sizeof(msg));
	FUZZ_ASSERT(r == STIR_OK || r == STIR_ECERT || r == STIR_ENOMEM);
	FUZZ_ASSERT((r == STIR_OK) == (ta != NULL));
	FUZZ_ASSERT(FUZZ_IS_CSTR(msg, sizeof(msg)));
	if (r == STIR_ECERT)
		FUZZ_ASSERT(msg[0] != '\0');
	stir_tnauth_free(ta);
 out:
	gnutls_free(spki.data);
	gnutls_pubkey_deinit(pub);
}

static void
chain(const char *pem, size_t len, unsigned max, bool sorted)
{
	struct stir_chain *c = NULL;
	int r;

	r = stir_chain_parse(pem, len, max, sorted, &c);
	FUZZ_ASSERT(r == STIR_OK || r == STIR_ECERT || r == STIR_ETOOBIG ||
	    r == STIR_ENOMEM);
	if (r != STIR_OK) {
		FUZZ_ASSERT(c == NULL);
		return;
	}
	FUZZ_ASSERT(c != NULL && c->n >= 1 && c->n <= max);
	for (unsigned i = 0; i < c->n; i++)
		cert(c->crt[i]);
	if (sorted)
		cred(c);
	stir_chain_free(c);
}

/* Length of the DER SEQUENCE at p (header included), or 0. */
static size_t
der_seq_len(const uint8_t *p, size_t n)
{
	size_t len = 0, hl = 2;

	if (n < 2 || p[0] != 0x30)
		return 0;
	if (p[1] < 0x80)
		len = p[1];
	else {
		size_t k = p[1] & 0x7f;

		if (k == 0 || k > 3 || n < 2 + k)
			return 0;
		for (size_t i = 0; i < k; i++)
			len = len << 8 | p[2 + i];
		hl += k;
	}
	return len <= n - hl ? hl + len : 0;
}

#define PEM_BEGIN	"-----BEGIN CERTIFICATE-----\n"
#define PEM_END		"\n-----END CERTIFICATE-----\n"
#define DER_PIECES_MAX	(STIR_CHAIN_MAX + 2)

/* The DER certificates in data as one PEM text; free with free(). */
static char *
der_to_pem(const uint8_t *data, size_t size, size_t *ret_len)
{
	size_t start[DER_PIECES_MAX], len[DER_PIECES_MAX];
	size_t n = 0, pos = 0, total = 1, o = 0;
	char *pem;

	while (pos < size && n < DER_PIECES_MAX) {
		size_t l = der_seq_len(data + pos, size - pos);

		if (l == 0 || n == DER_PIECES_MAX - 1)
			l = size - pos;		/* the rest, as it is */
		start[n] = pos;
		len[n++] = l;
		pos += l;
	}
	for (size_t i = 0; i < n; i++)
		total += strlen(PEM_BEGIN) + strlen(PEM_END) +
		    sodium_base64_ENCODED_LEN(len[i], sodium_base64_VARIANT_ORIGINAL);
	if ((pem = malloc(total)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		memcpy(pem + o, PEM_BEGIN, strlen(PEM_BEGIN));
		o += strlen(PEM_BEGIN);
		sodium_bin2base64(pem + o, total - o, data + start[i], len[i],
		    sodium_base64_VARIANT_ORIGINAL);
		o += strlen(pem + o);
		memcpy(pem + o, PEM_END, strlen(PEM_END));
		o += strlen(PEM_END);
	}
	pem[o] = '\0';
	*ret_len = o;
	return pem;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *pem = (const char *)data;
	char *wrapped = NULL;
	size_t len = size;

	if (size > STIR_PEM_MAX)
		return 0;
	if (size > 0 && data[0] != '-') {
		if ((wrapped = der_to_pem(data, size, &len)) == NULL)
			return 0;
		pem = wrapped;
	}
	chain(pem, len, STIR_CHAIN_MAX, true);
	chain(pem, len, STIR_TRUST_BUNDLE_MAX, false);
	free(wrapped);
	return 0;
}
