/*
 * signer.h: the key store, and the only path to a private key.
 * Nothing here returns key bytes or parses JSON, PASSporTs or
 * certificates; it is shaped so it can move into a sandboxed process.
 *
 * A key_id is either the name of a key file in key_dir ("name" for
 * key_dir/name.key) or a PKCS#11 URL ("pkcs11:token=...;object=...").
 * All functions are thread-safe.
 *
 * Private key bytes (PEM text, DER) live only in sodium_malloc()'d
 * memory, which is locked and wiped when freed, on every path; GnuTLS is
 * handed DER, never PEM, as its PEM reader copies the base64 text into
 * buffers it frees unwiped.
 */
#ifndef STIR_SIGNER_H
#define STIR_SIGNER_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/passport.h"	/* STIR_SIG_MAX */

#define STIR_KEY_NAME_MAX	64	/* [A-Za-z0-9_.-], not starting with '.' */
#define STIR_KEY_FILE_MAX	(64 * 1024)
#define STIR_MAX_KEYS		4096
#define STIR_SIGNER_FLAG_DETERMINISTIC	1u	/* RFC 6979 ECDSA */
/* Temporary files of key.generate/import in key_dir; removed at open. */
#define STIR_KEY_TMP_PREFIX	".stird-tmp-"

enum stir_pem_kind { STIR_PEM_PKCS8 = 1, STIR_PEM_SEC1 };

struct stir_signer;

struct stir_key_info {
	char	name[STIR_KEY_NAME_MAX + 1];
	char	type[16];		/* "EC P-256", ... */
	char	spki_sha256[65];	/* hex of SHA-256 over the SPKI DER */
};

/*
 * Open key_dir (which must exist, be a directory and not be group- or
 * world-writable) and load every key in it.  pkcs11_module: "" or NULL
 * to use p11-kit's modules, else the module to load.
 */
int	stir_signer_local_new(const char *key_dir, unsigned flags,
	    const char *pkcs11_module, struct stir_signer **ret);
void	stir_signer_free(struct stir_signer *s);
/* Reload key files (SIGHUP); PKCS#11 keys are reopened on next use. */
int	stir_signer_reload(struct stir_signer *s);
void	stir_signer_set_flags(struct stir_signer *s, unsigned flags);

/* Is name a valid key name? */
int	stir_signer_name_check(const char *name);

/* Sign tbs with key_id; writes the JWS signature (r||s for ES256). */
int	stir_signer_sign(struct stir_signer *s, const char *key_id,
	    const uint8_t *tbs, size_t tbs_len,
	    uint8_t sig[static STIR_SIG_MAX], size_t *ret_sig_len);

/* The public key of key_id as SubjectPublicKeyInfo DER (free()). */
int	stir_signer_pubkey_der(struct stir_signer *s, const char *key_id,
	    uint8_t **ret_der, size_t *ret_len);

/* Generate a new EC P-256 key file; *ret_pub_pem (free()) is its public key. */
int	stir_signer_key_generate(struct stir_signer *s, const char *name,
	    char **ret_pub_pem);
/*
 * Import a PEM private key (PKCS#8 unencrypted or SEC1).  pem is wiped
 * before return whatever the outcome.
 */
int	stir_signer_key_import(struct stir_signer *s, const char *name,
	    char *pem, size_t len, char **ret_pub_pem);
int	stir_signer_key_remove(struct stir_signer *s, const char *name);
/*
 * The DER of the first "PRIVATE KEY" (PKCS#8) or "EC PRIVATE KEY" (SEC1)
 * PEM block in pem, decoded straight into sodium_malloc()'d memory:
 * *ret_der is released with sodium_free(), which wipes it.  No other copy
 * is made on any path.  Text around the block is ignored; headers
 * (encrypted SEC1), characters outside base64 in the block, or no END
 * line are STIR_EKEY, with the outputs untouched.
 */
int	stir_signer_pem_decode(const char *pem, size_t len, uint8_t **ret_der,
	    size_t *ret_len, enum stir_pem_kind *ret_kind);
/* Key files loaded now; *ret (free()) has *ret_n entries. */
int	stir_signer_key_list(struct stir_signer *s, struct stir_key_info **ret,
	    size_t *ret_n);

#endif
