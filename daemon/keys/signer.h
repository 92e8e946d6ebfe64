/*
 * signer.h: the key store, and the only path to a private key.
 * Nothing here returns key bytes or parses JSON, PASSporTs or
 * certificates.  Two implementations sit behind one function table
 * (signer_impl.h):
 *   local   (signer_local.c)   keys in this process: key files in key_dir
 *                              and PKCS#11 keys; used by the signer process
 *                              and by `signer = in-process`;
 *   process (signer_remote.c)  the same store in a sandboxed child process,
 *                              `stird --signer` (signer_main.c), reached
 *                              over socketpairs (signer_proto.h).
 *
 * A key_id is the name of a key in key_dir: a key file (key_dir/NAME.key)
 * or a PKCS#11 registration (key_dir/NAME.p11, mode 0600, holding the
 * pkcs11: URL and its PIN).  The local signer also takes a PKCS#11 URL
 * itself as a key_id (0.3's credentials); the process signer does not, so
 * no URL or PIN crosses stird.  All functions are thread-safe.
 *
 * Private key bytes (PEM text, DER) live only in sodium_malloc()'d
 * memory, which is locked and wiped when freed, on every path; GnuTLS is
 * handed DER, never PEM, as its PEM reader copies the base64 text into
 * buffers it frees unwiped.
 */
#ifndef STIR_SIGNER_H
#define STIR_SIGNER_H

#include "opschema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/stir/passport.h"	/* STIR_SIG_MAX */

#define STIR_KEY_NAME_MAX	STIR_P_NAME_MAX	/* [A-Za-z0-9_.-], not starting with '.' */
#define STIR_KEY_FILE_MAX	STIR_P_KEY_FILE_MAX	/* opschema.h */
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
/*
 * The key store in a child process: exe (normally /proc/self/exe) is run
 * as `exe --signer ...` with one socketpair per channel; channels are the
 * number of threads that may sign at once.  network: the process may open
 * sockets other than AF_UNIX (a network HSM's PKCS#11 module);
 * write_dirs: directories, separated by commas or spaces, that it may
 * write besides key_dir where Landlock confines writes (SoftHSM's tokens).  Fails as the local store
 * would (key_dir refused, module not loaded) if the child cannot start.
 */
int	stir_signer_process_new(const char *exe, const char *key_dir,
	    unsigned flags, const char *pkcs11_module, int log_level,
	    unsigned channels, bool network, const char *write_dirs,
	    struct stir_signer **ret);

struct stir_signer_status {
	const char	*mode;		/* "process" or "in-process" */
	long		 pid;		/* the signer process, or 0 */
	uint64_t	 restarts;	/* times the signer process was restarted */
	uint64_t	 batches;	/* SIGN_BATCH messages sent */
	uint64_t	 batched_signs;	/* signatures they carried */
};
void	stir_signer_status(struct stir_signer *s, struct stir_signer_status *st);

/* Reload key files (SIGHUP); PKCS#11 keys are reopened on next use. */
int	stir_signer_reload(struct stir_signer *s);
void	stir_signer_set_flags(struct stir_signer *s, unsigned flags);

/* Is name a valid key name? */
int	stir_signer_name_check(const char *name);

/* Sign tbs with key_id; writes the JWS signature (r||s for ES256). */
int	stir_signer_sign(struct stir_signer *s, const char *key_id,
	    const uint8_t *tbs, size_t tbs_len,
	    uint8_t sig[static STIR_SIG_MAX], size_t *ret_sig_len);

/*
 * Is signing with key_id only CPU work in this process (a key file the
 * in-process store holds), with no I/O to a token or to the signer
 * process?  Such a signature may run on the loop when it is idle.
 */
bool	stir_signer_cpu_only(struct stir_signer *s, const char *key_id);

/* One signature of a batch: key_id and tbs in, r, sig and sig_len out. */
struct stir_sign_item {
	const char	*key_id;
	const uint8_t	*tbs;
	size_t		 tbs_len;
	int		 r;		/* STIR_OK or why this one failed */
	uint8_t		 sig[STIR_SIG_MAX];
	size_t		 sig_len;
};
#define STIR_SIGN_BATCH_MAX	64	/* items per message to the signer process */

/*
 * Sign n items; each gets its own outcome.  The process signer sends them
 * in as few messages as fit (STIR_SIGN_BATCH_MAX items, 64 KiB), so that
 * a busy daemon pays one round trip per batch, not per signature.
 * Returns STIR_OK if every item was tried, else what stopped the batch
 * (then every item's r says so too).
 */
int	stir_signer_sign_batch(struct stir_signer *s, struct stir_sign_item *items,
	    size_t n);

/*
 * A batch signed without waiting, for the loop (the signer process
 * only).  stir_signer_call_start() sends items[0..n) (one message's
 * worth) and gives the fd that becomes readable when the answer is
 * there; STIR_EBUSY when it cannot now (another implementation, every
 * channel busy, the process restarting, an item it would refuse): sign
 * them with stir_signer_sign_batch() or stir_signer_sign() instead.  Once
 * the fd is readable, stir_signer_call_finish() fills the items' r, sig
 * and sig_len (STIR_OK), or fails (STIR_EIO: the process is restarted and
 * the items are left to the blocking calls).  stir_signer_call_abort()
 * gives up on a call that did not answer in time.  The items stay the
 * caller's until the call is finished or aborted.
 */
struct stir_sign_call;
int	stir_signer_call_start(struct stir_signer *s, struct stir_sign_item *items,
	    size_t n, struct stir_sign_call **ret, int *ret_fd);
int	stir_signer_call_finish(struct stir_signer *s, struct stir_sign_call *c);
void	stir_signer_call_abort(struct stir_signer *s, struct stir_sign_call *c);

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
 * Register the PKCS#11 key at url (a "pkcs11:" URL, which may hold a PIN)
 * as key name: it is opened (a P-256 key that signs, or STIR_EKEY), then
 * written to key_dir/NAME.p11 (0600).  An existing registration of the
 * same URL is STIR_OK with *ret_created false; another key of that name is
 * STIR_EEXIST.  url is wiped before return whatever the outcome.
 */
int	stir_signer_pkcs11_register(struct stir_signer *s, const char *name,
	    char *url, size_t len, int *ret_created);
#define STIR_PKCS11_URL_MAX	2048
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
/* Keys loaded now (files and PKCS#11 registrations); *ret (free()) has
 * *ret_n entries. */
int	stir_signer_key_list(struct stir_signer *s, struct stir_key_info **ret,
	    size_t *ret_n);

#endif
