/*
 * fake_signer.h: a key store for component tests, behind the same
 * function table as the real ones (daemon/keys/signer_impl.h).  It holds
 * one P-256 key, read by the test from a PEM file and used with GnuTLS
 * in this process; it signs exactly as the local signer does (ES256, JWS
 * r||s), and can be told to fail and asked how often it was called.
 * No key file in key_dir, no signer process, no PKCS#11.
 */
#ifndef STIR_FAKE_SIGNER_H
#define STIR_FAKE_SIGNER_H

#include <stdint.h>

struct stir_signer;
struct fake_signer;

/*
 * A signer holding the key in key_pem_file as key key_id.  *ret_base is
 * what the server holds (freed by stir_signer_free(), as the server does);
 * *ret is the test's handle on the same object.
 */
int	fake_signer_new(const char *key_id, const char *key_pem_file,
	    struct fake_signer **ret, struct stir_signer **ret_base);
/*
 * From now on every signature fails with err (a STIR_E* code; STIR_OK
 * to sign again).  STIR_ENOENT is what a signer says of a key it lacks.
 */
void	fake_signer_fail(struct fake_signer *fs, int err);
/* Signatures asked for (successful or not), in all and in batches. */
unsigned fake_signer_calls(struct fake_signer *fs);
unsigned fake_signer_batches(struct fake_signer *fs);

#endif
