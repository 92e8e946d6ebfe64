/* cert.h: X.509 certificates, chains and the TNAuthList (RFC 8226). */
#ifndef STIR_CERT_H
#define STIR_CERT_H

#include "opschema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <jansson.h>

#define STIR_CHAIN_MAX		8		/* certificates in one PEM chain */
#define STIR_PEM_MAX	STIR_P_PEM_MAX	/* bytes of one PEM chain */
#define STIR_TNAUTH_MAX		256		/* entries in one TNAuthList */
#define STIR_SPC_MAX	STIR_P_SPC_MAX	/* bytes of one SPC */
#define STIR_OID_TNAUTHLIST	"1.3.6.1.5.5.7.1.26"
/* RFC 8226 10.1: AIA accessMethod id-ad-stirTNList (id-ad 14) */
#define STIR_OID_AD_STIRTNLIST	"1.3.6.1.5.5.7.48.14"
#define STIR_TNLIST_MAX_BYTES	(64 * 1024)	/* a TNAuthList fetched by reference */
#define STIR_AIA_MAX		16	/* AIA entries looked at per certificate */

enum stir_tnentry_type {
	STIR_TNE_SPC,
	STIR_TNE_RANGE,
	STIR_TNE_ONE,
	_STIR_TNE_MAX
};

struct stir_tnentry {
	enum stir_tnentry_type	type;
	char			value[STIR_SPC_MAX + 1];	/* SPC or TN/start */
	unsigned long		count;				/* ranges */
};

struct stir_tnauth {
	size_t			n;
	struct stir_tnentry	e[];
};

/* Decode a TNAuthList extension value (DER).  STIR_ECERT if malformed. */
int	stir_tnauth_decode(const uint8_t *der, size_t len,
	    struct stir_tnauth **ret);
void	stir_tnauth_free(struct stir_tnauth *ta);
/* A TNAuthList as the protocol shows it: [{"spc"},{"tn"},{"start","count"}]. */
json_t	*stir_tnauth_json(const struct stir_tnauth *ta);
/* A copy of ta (NULL for NULL or out of memory). */
struct stir_tnauth *stir_tnauth_dup(const struct stir_tnauth *ta);
/* Does a TN or range entry cover tn? (SPC entries never do.) */
bool	stir_tnauth_covers(const struct stir_tnauth *ta, const char *tn);
/* Does the list hold any TN or range entries? */
bool	stir_tnauth_has_tns(const struct stir_tnauth *ta);
/*
 * RFC 9060: is child's scope within parent's?  An SPC only within the same
 * SPC; a TN or range within any SPC of the parent, or within the parent's
 * TNs and ranges taken together.  If not, *ret_outside (when not NULL) is
 * the first entry of child outside parent.
 */
bool	stir_tnauth_within(const struct stir_tnauth *child,
	    const struct stir_tnauth *parent, const struct stir_tnentry **ret_outside);

struct stir_chain {
	gnutls_x509_crt_t	*crt;	/* [0] is the end entity */
	unsigned		 n;
};

/*
 * Parse one or more PEM certificates, at most max.  With sorted, each
 * certificate must be issued by the next (an x5u or credential chain);
 * without, any bundle (trust anchors).
 */
int	stir_chain_parse(const char *pem, size_t len, unsigned max, bool sorted,
	    struct stir_chain **ret);
#define STIR_TRUST_BUNDLE_MAX	512	/* anchors in one trust.add */
void	stir_chain_free(struct stir_chain *c);

struct stir_tnrefs;

/*
 * RFC 9060 delegation: every certificate whose issuer (in the chain) has a
 * TNAuthList must have one within it (stir_tnauth_within).  Certificates
 * issued by a CA without a TNAuthList are not constrained.  refs holds
 * the lists fetched by reference (NULL: none were fetched; then a list
 * only by reference is unknown, and a CA holding only one constrains
 * nothing: the signing side).  STIR_ECERT with the reason in msg
 * otherwise.
 */
int	stir_chain_check_delegation(const struct stir_chain *c,
	    const struct stir_tnrefs *refs, char *msg, size_t msglen);

/* The TNAuthList of crt; STIR_ENOENT if it has none. */
int	stir_cert_tnauth(gnutls_x509_crt_t crt, struct stir_tnauth **ret);

/*
 * RFC 8226 10.1: the URI of crt's TNAuthList by reference, the first
 * Authority Information Access entry with accessMethod id-ad-stirTNList,
 * into out (outlen >= STIR_URL_MAX_CERT + 1).  STIR_ENOENT if there is
 * none; STIR_ECERT if that entry is not an https URI of at most
 * STIR_URL_MAX_CERT printable bytes (the RFC's MUST), or the extension
 * is malformed.
 */
int	stir_cert_tnlist_url(gnutls_x509_crt_t crt, char *out, size_t outlen);

/*
 * The TNAuthLists a chain's certificates carry by reference, fetched by
 * the caller: ta[i] for certificate i (0 is the end entity), borrowed;
 * NULL where the certificate names none.  Path checks treat a fetched
 * list as if it were in the certificate (RFC 9060 section 4.1).  A
 * certificate with both a list by value and one by reference is bounded
 * by both: a number must lie in each (see doc/rcd.md section 11).
 */
struct stir_tnrefs {
	const struct stir_tnauth *ta[STIR_CHAIN_MAX];
};

struct stir_cert_info {
	char	subject[512];
	char	issuer[512];
	int64_t	not_before;
	int64_t	not_after;
	char	sha256[65];	/* hex fingerprint of the DER */
	bool	is_ca;
};

int	stir_cert_info(gnutls_x509_crt_t crt, struct stir_cert_info *ret);

/*
 * Check a signing credential: the end-entity certificate's public key is
 * spki (DER SubjectPublicKeyInfo of the private key), it is valid at now,
 * has a keyUsage extension that includes digitalSignature (ATIS-1000080;
 * a certificate without keyUsage is refused) and carries a TNAuthList by
 * value, which is returned in *ret_tnauth (one only by reference is
 * refused: orig could not be checked against it before signing).
 * The chain must be in order, each TNAuthList within its issuer's
 * (stir_chain_check_delegation).
 * STIR_ECERT with the reason in msg otherwise.
 */
int	stir_cred_check(const struct stir_chain *c, const uint8_t *spki,
	    size_t spki_len, time_t now, struct stir_tnauth **ret_tnauth,
	    char *msg, size_t msglen);

/*
 * Check a trust anchor candidate: a CA (basicConstraints cA TRUE), not
 * expired at now.
 */
int	stir_trust_check(gnutls_x509_crt_t crt, time_t now, char *msg,
	    size_t msglen);

/* ---- trust anchors: a GnuTLS trust list, shared by pool threads ---- */

struct stir_trust;

/*
 * A trust list of the anchors (PEM certificates) and, if crl_file is not
 * NULL or "", the CRLs in that PEM file.  Reference-counted: verification
 * on the pool holds a reference while a reload replaces the list.
 */
int	stir_trust_new(const char *const *pems, size_t n, const char *crl_file,
	    struct stir_trust **ret, char *msg, size_t msglen);
struct stir_trust *stir_trust_ref(struct stir_trust *t);
void	stir_trust_unref(struct stir_trust *t);
unsigned stir_trust_count(const struct stir_trust *t);

/*
 * Path validation, the one place its GnuTLS call and flags live: chain c
 * (end entity first) leads to an anchor of tl, with signatures, CA and
 * name constraints, algorithms and the CRLs tl holds checked; times are
 * not (the caller holds them to the time it judges at).  STIR_OK, or
 * STIR_ECERT with the reason in msg (msg may be NULL).  Used by
 * stir_trust_verify() and for the RCD anchors (rcd_anchor.c).
 */
int	stir_chain_verify_path(gnutls_x509_trust_list_t tl,
	    const struct stir_chain *c, char *msg, size_t msglen);

/*
 * Validate chain (end entity first, intermediates after it) against the
 * anchors as of time at: signatures, CA constraints, validity of every
 * certificate at `at`, CRLs when loaded, the end entity's keyUsage
 * digitalSignature and TNAuthList, and RFC 9060 delegation: each
 * certificate's TNAuthList within its issuer's, the anchor's included
 * (stir_chain_check_delegation), with the lists refs holds fetched by
 * reference as if they were by value; a certificate naming a list by
 * reference that refs lacks is refused.  On success *ret_pub is the end
 * entity's public key (gnutls_pubkey_deinit) and *ret_tnauth its
 * TNAuthList by value, or NULL when it has one only by reference
 * (refs->ta[0]).  STIR_ECERT with the reason in msg otherwise.
 */
int	stir_trust_verify(const struct stir_trust *t, const struct stir_chain *c,
	    const struct stir_tnrefs *refs, int64_t at, gnutls_pubkey_t *ret_pub,
	    struct stir_tnauth **ret_tnauth, char *msg, size_t msglen);


/* ---- revocation through CRL Distribution Points ---- */

#define STIR_CRL_URLS_MAX	STIR_CHAIN_MAX	/* one CRL URL per certificate */
#define STIR_URL_MAX_CERT	STIR_P_URL_MAX	/* longest URL taken from a certificate */

/*
 * The HTTP(S) CRL distribution point URLs of the chain's certificates
 * (the first usable one of each certificate), at most max.  Each url is
 * malloc'd; free them with free().
 */
size_t	stir_chain_crl_urls(const struct stir_chain *c, char **urls, size_t max);

struct stir_crl_input {
	const char	*url;
	const uint8_t	*body;		/* DER or PEM CRL, or NULL */
	size_t		 len;
	int		 err;		/* STIR_OK, or why it is missing */
};

/*
 * For each certificate of the chain that names a CRL distribution point,
 * the CRL fetched from it must be signed by the certificate's issuer, be
 * current at `at` and not list the certificate.  A revoked certificate is
 * always STIR_ECERT; a CRL that is missing, unreadable, wrongly signed or
 * stale is STIR_ECERT only when hard.
 */
int	stir_trust_check_crls(const struct stir_trust *t, const struct stir_chain *c,
	    const struct stir_crl_input *crls, size_t n, int64_t at, bool hard,
	    char *msg, size_t msglen);

#endif
