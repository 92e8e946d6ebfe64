/*
 * signer_impl.h: the function table behind signer.h, for its
 * implementations (signer_local.c, signer_remote.c) and the dispatch in
 * signer.c only.
 */
#ifndef STIR_SIGNER_IMPL_H
#define STIR_SIGNER_IMPL_H

#include <gnutls/gnutls.h>

#include "daemon/keys/signer.h"

struct stir_signer_ops {
	void	(*free)(struct stir_signer *s);
	int	(*reload)(struct stir_signer *s);
	void	(*set_flags)(struct stir_signer *s, unsigned flags);
	void	(*status)(struct stir_signer *s, struct stir_signer_status *st);
	int	(*sign)(struct stir_signer *s, const char *key_id,
		    const uint8_t *tbs, size_t tbs_len,
		    uint8_t sig[static STIR_SIG_MAX], size_t *ret_sig_len);
	int	(*sign_batch)(struct stir_signer *s, struct stir_sign_item *items,
		    size_t n);
	bool	(*cpu_only)(struct stir_signer *s, const char *key_id);
	int	(*call_start)(struct stir_signer *s, struct stir_sign_item *items,
		    size_t n, struct stir_sign_call **ret, int *ret_fd);
	int	(*call_finish)(struct stir_sign_call *c);
	void	(*call_abort)(struct stir_sign_call *c);
	int	(*pubkey_der)(struct stir_signer *s, const char *key_id,
		    uint8_t **ret_der, size_t *ret_len);
	int	(*key_generate)(struct stir_signer *s, const char *name,
		    char **ret_pub_pem);
	int	(*key_import)(struct stir_signer *s, const char *name, char *pem,
		    size_t len, char **ret_pub_pem);
	int	(*key_remove)(struct stir_signer *s, const char *name);
	int	(*pkcs11_register)(struct stir_signer *s, const char *name,
		    char *url, size_t len, int *ret_created);
	int	(*key_list)(struct stir_signer *s, struct stir_key_info **ret,
		    size_t *ret_n);
};

/*
 * A DER ECDSA-Sig-Value (what GnuTLS signs) as JWS ES256 wants it: r||s,
 * each left-padded to 32 bytes (RFC 7518 3.4).  STIR_ECRYPTO if it is not
 * a P-256 signature.
 */
int	stir_es256_jws_sig(const gnutls_datum_t *der, uint8_t sig[static STIR_SIG_MAX],
	    size_t *ret_sig_len);

/* The first member of every implementation's signer. */
struct stir_signer {
	const struct stir_signer_ops	*ops;
};

#endif
