/* creds.h: the in-memory table of signing credentials (loop thread). */
#ifndef STIR_CREDS_H
#define STIR_CREDS_H

#include "opschema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "daemon/pki/cert.h"
#include "daemon/stir/tn.h"
#include "daemon/stir/tnspec.h"
#include "daemon/sign/policy.h"	/* STIR_CRED_NAME_MAX */

#define STIR_X5U_MAX	STIR_P_URL_MAX	/* opschema.h */
#define STIR_CRED_TNS_MAX	STIR_P_TNS_MAX	/* TN specs per credential */

struct stir_cred {
	char			*name;
	char			*key_ref;
	char			*x5u;
	char			*spc;
	char			*subject;
	struct stir_tnspec	*specs;
	size_t			 nspecs;
	struct stir_tnauth	*tnauth;	/* of the end-entity certificate */
	struct stir_chain	*chain;		/* for claim constraints when signing */
	bool			 has_constraints; /* its end-entity certificate has them */
	int64_t			 not_after;
	json_t			*header;	/* shaken JOSE header for x5u */
	char			*header_b64;	/* its canonical base64url */
};

struct stir_policies;

/*
 * What signing needs, loaded together: credentials, RCD policies and the
 * settings stored through the admin socket (stirctl apply), which
 * override stird.conf's.
 */
struct stir_creds {
	unsigned		 refs;		/* atomic: states share a table */
	struct stir_cred	*v;
	size_t			 n;
	struct stir_policies	*policies;
	char			*connected_identity;	/* stored, or NULL: stird.conf's */
};

/* The settings table's name for connected_identity (schema 0004). */
#define STIR_SETTING_CONNECTED_IDENTITY	"connected_identity"

/*
 * The connected_identity that signing honours: the stored one if there
 * is one, else conf_value (stird.conf's).  Borrowed.
 */
const char *stir_creds_connected_identity(const struct stir_creds *cs,
	    const char *conf_value);

struct stir_store;

/* What cred.add is given (borrowed; pkcs11 is wiped). */
struct stir_cred_add {
	const char	*name;
	const char	*key;		/* a key's name, or NULL with pkcs11 */
	char		*pkcs11;	/* a pkcs11: URL (may hold a PIN), or NULL */
	size_t		 pkcs11_len;
	const char	*chain_pem;	/* end entity first */
	const char	*x5u;
	json_t		*tns;		/* an array of TN specs, or NULL */
	const char	*spc;
	bool		 replace;	/* change the credential of that name */
};

struct stir_signer;

/*
 * Add a credential to the store (store thread, in the caller's
 * transaction): a PKCS#11 URL is first registered with the signer as key
 * in->name (undone if the credential is not added); the key must exist,
 * the chain parse, and its end entity hold the key, be current and carry
 * TN authority (stir_cred_check).  With in->replace a credential named
 * in->name is changed in place, so that a policy bound to it stays bound.  *ret is what cred.add answers.  On
 * failure msg says why, never with the URL.
 */
int	stir_cred_add(struct stir_store *store, struct stir_signer *signer,
	    struct stir_cred_add *in, int64_t now, json_t **ret, char *msg, size_t msglen);

/* Build the table (and the RCD policies) from the store (any thread). */
int	stir_creds_load(struct stir_store *st, struct stir_creds **ret);
struct stir_creds *stir_creds_ref(struct stir_creds *cs);
/* Drop a reference (any thread); the last frees the table.  NULL-safe. */
void	stir_creds_unref(struct stir_creds *cs);
const struct stir_cred *stir_creds_find(const struct stir_creds *cs,
	    const char *name);

/*
 * Pick the credential for a call from orig: the one named (and it must
 * cover orig), else the most specific one whose TN specs or certificate
 * TNs cover orig, else the only credential that lists no TNs at all.
 * STIR_ENOENT / STIR_EPOLICY / STIR_ECERT with the reason in msg.
 */
int	stir_creds_select(const struct stir_creds *cs, const char *name,
	    const struct stir_ident *orig, time_t now,
	    const struct stir_cred **ret, char *msg, size_t msglen);

#endif
