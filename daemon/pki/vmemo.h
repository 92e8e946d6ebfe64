/*
 * vmemo.h: what verification remembers in memory (loop thread only):
 * - validated certificates, keyed by x5u URL and the cache entry's serial,
 *   until the cache entry expires (or a CRL or a TN list by reference the
 *   verdict used does), so a chain is not validated per call;
 * - signatures seen within replay_window, to flag replays.
 */
#ifndef STIR_VMEMO_H
#define STIR_VMEMO_H

#include <stdbool.h>
#include <stdint.h>

#include <gnutls/abstract.h>

#include "daemon/pki/cert.h"
#include "daemon/pki/constraints.h"

#define STIR_VMEMO_MAX		4096	/* validated certificates kept */
#define STIR_REPLAY_MAX		(1u << 18)	/* signatures remembered */

/* A validated (or refused) certificate; shared with pool threads. */
struct stir_vcert {
	int			 refs;		/* atomic */
	char			*url;
	uint64_t		 serial;
	int64_t			 expires;	/* cache entry, CRLs, TN lists and notAfter */
	int64_t			 not_before;	/* the latest notBefore of the chain */
	uint64_t		 trust_gen;	/* the trust list it was validated with */
	int			 crl_mode;
	int			 err;		/* STIR_OK or STIR_ECERT */
	char			 detail[256];
	gnutls_pubkey_t		 pub;
	struct stir_tnauth	*tnauth;	/* by value; NULL if only by reference */
	/* the end entity's TNAuthList by reference (RFC 8226 10.1) as fetched,
	 * and its URL; NULL if it names none.  With tnauth, both bound it. */
	struct stir_tnauth	*tnref;
	char			*tnref_url;
	struct stir_cert_info	 info;
	/* JWT claim constraints of the end-entity certificate (RFC 8226
	 * section 8, RFC 9118 section 3): at most one; a CA's do not apply */
	struct stir_constraints	*cons[STIR_CHAIN_MAX];
	size_t			 ncons;
	/* the path ends at an anchor added for RCD (trust add --rcd) */
	bool			 rcd_anchor;
};

struct stir_vcert *stir_vcert_new(const char *url, uint64_t serial, int64_t expires);
struct stir_vcert *stir_vcert_ref(struct stir_vcert *vc);
void	stir_vcert_unref(struct stir_vcert *vc);

struct stir_vmemo;

int	stir_vmemo_new(struct stir_vmemo **ret);
void	stir_vmemo_free(struct stir_vmemo *m);
/*
 * A new reference, or NULL if absent, replaced, expired or not yet valid
 * at now, or validated with another trust list or crl_mode.
 */
struct stir_vcert *stir_vmemo_get(struct stir_vmemo *m, const char *url, uint64_t serial,
	    int64_t now, uint64_t trust_gen, int crl_mode);
/* Remember vc (takes a new reference). */
void	stir_vmemo_put(struct stir_vmemo *m, struct stir_vcert *vc);
void	stir_vmemo_clear(struct stir_vmemo *m);

/*
 * Has this signature been seen within window seconds of now?  Records it
 * either way.  The table is bounded: the oldest are forgotten first.
 */
bool	stir_replay_seen(struct stir_vmemo *m, const char *sig, int64_t now,
	    unsigned window);

#endif
