/* signer.c: signer.h's calls, dispatched through the function table. */
#include "config.h"

#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>

#include "stirclient.h"
#include "daemon/keys/signer_impl.h"

int
stir_signer_name_check(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > STIR_KEY_NAME_MAX || name[0] == '.' ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-") != n)
		return STIR_EINVAL;
	return STIR_OK;
}

void
stir_signer_free(struct stir_signer *s)
{
	if (s != NULL)
		s->ops->free(s);
}

int
stir_signer_reload(struct stir_signer *s)
{
	return s->ops->reload(s);
}

void
stir_signer_set_flags(struct stir_signer *s, unsigned flags)
{
	s->ops->set_flags(s, flags);
}

void
stir_signer_status(struct stir_signer *s, struct stir_signer_status *st)
{
	memset(st, 0, sizeof(*st));
	s->ops->status(s, st);
}

int
stir_signer_sign(struct stir_signer *s, const char *key_id,
    const uint8_t *tbs, size_t tbs_len, uint8_t sig[static STIR_SIG_MAX],
    size_t *ret_sig_len)
{
	return s->ops->sign(s, key_id, tbs, tbs_len, sig, ret_sig_len);
}

bool
stir_signer_cpu_only(struct stir_signer *s, const char *key_id)
{
	return s->ops->cpu_only != NULL && s->ops->cpu_only(s, key_id);
}

int
stir_signer_call_start(struct stir_signer *s, struct stir_sign_item *items, size_t n,
    struct stir_sign_call **ret, int *ret_fd)
{
	if (s->ops->call_start == NULL)
		return STIR_EBUSY;
	return s->ops->call_start(s, items, n, ret, ret_fd);
}

int
stir_signer_call_finish(struct stir_signer *s, struct stir_sign_call *c)
{
	return s->ops->call_finish(c);
}

void
stir_signer_call_abort(struct stir_signer *s, struct stir_sign_call *c)
{
	s->ops->call_abort(c);
}

int
stir_signer_sign_batch(struct stir_signer *s, struct stir_sign_item *items, size_t n)
{
	return s->ops->sign_batch(s, items, n);
}

int
stir_signer_pubkey_der(struct stir_signer *s, const char *key_id,
    uint8_t **ret_der, size_t *ret_len)
{
	return s->ops->pubkey_der(s, key_id, ret_der, ret_len);
}

int
stir_signer_key_generate(struct stir_signer *s, const char *name,
    char **ret_pub_pem)
{
	return s->ops->key_generate(s, name, ret_pub_pem);
}

int
stir_signer_key_import(struct stir_signer *s, const char *name, char *pem,
    size_t len, char **ret_pub_pem)
{
	return s->ops->key_import(s, name, pem, len, ret_pub_pem);
}

int
stir_signer_key_remove(struct stir_signer *s, const char *name)
{
	return s->ops->key_remove(s, name);
}

int
stir_signer_pkcs11_register(struct stir_signer *s, const char *name,
    char *url, size_t len, int *ret_created)
{
	return s->ops->pkcs11_register(s, name, url, len, ret_created);
}

int
stir_signer_key_list(struct stir_signer *s, struct stir_key_info **ret,
    size_t *ret_n)
{
	return s->ops->key_list(s, ret, ret_n);
}

int
stir_es256_jws_sig(const gnutls_datum_t *der, uint8_t sig[static STIR_SIG_MAX],
    size_t *ret_sig_len)
{
	gnutls_datum_t rd = { NULL, 0 }, sd = { NULL, 0 };
	const uint8_t *rp, *sp;
	size_t rl, sl;
	int r = STIR_ECRYPTO;

	if (gnutls_decode_rs_value(der, &rd, &sd) < 0)
		goto out;
	/* DER integers to r||s, each left-padded to 32 bytes */
	rp = rd.data;
	sp = sd.data;
	rl = rd.size;
	sl = sd.size;
	while (rl > 32 && *rp == 0) { rp++; rl--; }
	while (sl > 32 && *sp == 0) { sp++; sl--; }
	if (rl > 32 || sl > 32)
		goto out;
	memset(sig, 0, STIR_ES256_SIG_LEN);
	memcpy(sig + 32 - rl, rp, rl);
	memcpy(sig + 64 - sl, sp, sl);
	*ret_sig_len = STIR_ES256_SIG_LEN;
	r = STIR_OK;
 out:
	gnutls_free(rd.data);
	gnutls_free(sd.data);
	return r;
}
