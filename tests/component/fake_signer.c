/* fake_signer.c: see fake_signer.h. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "stirclient.h"
#include "daemon/keys/signer_impl.h"
#include "daemon/stir/passport.h"
#include "tests/component/fake_signer.h"

struct fake_signer {
	struct stir_signer	 base;		/* first: what the server holds */
	pthread_mutex_t		 mu;		/* the pool signs from several threads */
	gnutls_privkey_t	 pk;
	char			 key_id[STIR_KEY_NAME_MAX + 1];
	int			 fail;		/* STIR_OK, or what every signature gives */
	unsigned		 calls;
	unsigned		 batches;
};

static struct fake_signer *
fake(struct stir_signer *base)
{
	return (struct fake_signer *)base;
}

static void
fs_free(struct stir_signer *base)
{
	struct fake_signer *fs = fake(base);

	gnutls_privkey_deinit(fs->pk);
	(void)pthread_mutex_destroy(&fs->mu);
	free(fs);
}

static int
fs_reload(struct stir_signer *base)
{
	(void)base;
	return STIR_OK;
}

static void
fs_set_flags(struct stir_signer *base, unsigned flags)
{
	(void)base;
	(void)flags;
}

static void
fs_status(struct stir_signer *base, struct stir_signer_status *st)
{
	struct fake_signer *fs = fake(base);

	st->mode = "fake";
	(void)pthread_mutex_lock(&fs->mu);
	st->batches = fs->batches;
	(void)pthread_mutex_unlock(&fs->mu);
}

/* One ES256 signature, as signer_local.c makes it (caller holds mu). */
static int
sign_locked(struct fake_signer *fs, const char *key_id, const uint8_t *tbs,
    size_t tbs_len, uint8_t sig[static STIR_SIG_MAX], size_t *ret_sig_len)
{
	gnutls_datum_t data = { (unsigned char *)tbs, (unsigned)tbs_len };
	gnutls_datum_t der = { NULL, 0 };
	int r;

	fs->calls++;
	if (fs->fail != STIR_OK)
		return fs->fail;
	if (strcmp(key_id, fs->key_id) != 0)
		return STIR_ENOENT;
	if (gnutls_privkey_sign_data2(fs->pk, GNUTLS_SIGN_ECDSA_SHA256, 0, &data, &der) < 0)
		return STIR_ECRYPTO;
	r = stir_es256_jws_sig(&der, sig, ret_sig_len);
	gnutls_free(der.data);
	return r;
}

static int
fs_sign(struct stir_signer *base, const char *key_id, const uint8_t *tbs, size_t tbs_len,
    uint8_t sig[static STIR_SIG_MAX], size_t *ret_sig_len)
{
	struct fake_signer *fs = fake(base);
	int r;

	(void)pthread_mutex_lock(&fs->mu);
	r = sign_locked(fs, key_id, tbs, tbs_len, sig, ret_sig_len);
	(void)pthread_mutex_unlock(&fs->mu);
	return r;
}

static int
fs_sign_batch(struct stir_signer *base, struct stir_sign_item *items, size_t n)
{
	struct fake_signer *fs = fake(base);

	(void)pthread_mutex_lock(&fs->mu);
	fs->batches++;
	for (size_t i = 0; i < n; i++)
		items[i].r = sign_locked(fs, items[i].key_id, items[i].tbs, items[i].tbs_len,
		    items[i].sig, &items[i].sig_len);
	(void)pthread_mutex_unlock(&fs->mu);
	return STIR_OK;		/* every item was tried; each says how it went */
}

static int
fs_pubkey_der(struct stir_signer *base, const char *key_id, uint8_t **ret_der,
    size_t *ret_len)
{
	struct fake_signer *fs = fake(base);
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t d = { NULL, 0 };
	uint8_t *der;
	int r = STIR_ECRYPTO;

	if (strcmp(key_id, fs->key_id) != 0)
		return STIR_ENOENT;
	if (gnutls_pubkey_init(&pub) < 0)
		return STIR_ENOMEM;
	if (gnutls_pubkey_import_privkey(pub, fs->pk, 0, 0) < 0 ||
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &d) < 0)
		goto out;
	r = STIR_ENOMEM;
	if ((der = malloc(d.size)) == NULL)
		goto out;
	memcpy(der, d.data, d.size);
	*ret_der = der;
	*ret_len = d.size;
	r = STIR_OK;
 out:
	gnutls_free(d.data);
	gnutls_pubkey_deinit(pub);
	return r;
}

/* Key management is not what the fake is for: refused, as a read-only store would. */
static int
fs_key_generate(struct stir_signer *base, const char *name, char **ret_pub_pem)
{
	(void)base;
	(void)name;
	(void)ret_pub_pem;
	return STIR_EPERM;
}

static int
fs_key_import(struct stir_signer *base, const char *name, char *pem, size_t len,
    char **ret_pub_pem)
{
	(void)base;
	(void)name;
	(void)ret_pub_pem;
	memset(pem, 0, len);		/* the contract: wiped whatever the outcome */
	return STIR_EPERM;
}

static int
fs_key_remove(struct stir_signer *base, const char *name)
{
	(void)base;
	(void)name;
	return STIR_EPERM;
}

static int
fs_pkcs11_register(struct stir_signer *base, const char *name, char *url, size_t len,
    int *ret_created)
{
	(void)base;
	(void)name;
	(void)ret_created;
	memset(url, 0, len);
	return STIR_EPERM;
}

static int
fs_key_list(struct stir_signer *base, struct stir_key_info **ret, size_t *ret_n)
{
	struct fake_signer *fs = fake(base);
	struct stir_key_info *v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return STIR_ENOMEM;
	memcpy(v->name, fs->key_id, sizeof(v->name));
	memcpy(v->type, "EC P-256", sizeof("EC P-256"));
	*ret = v;
	*ret_n = 1;
	return STIR_OK;
}

static const struct stir_signer_ops fake_ops = {
	.free = fs_free,
	.reload = fs_reload,
	.set_flags = fs_set_flags,
	.status = fs_status,
	.sign = fs_sign,
	.sign_batch = fs_sign_batch,
	.pubkey_der = fs_pubkey_der,
	.key_generate = fs_key_generate,
	.key_import = fs_key_import,
	.key_remove = fs_key_remove,
	.pkcs11_register = fs_pkcs11_register,
	.key_list = fs_key_list,
};

int
fake_signer_new(const char *key_id, const char *key_pem_file, struct fake_signer **ret,
    struct stir_signer **ret_base)
{
	struct fake_signer *fs;
	gnutls_datum_t pem = { NULL, 0 };
	int r = STIR_EKEY;

	if (strlen(key_id) > STIR_KEY_NAME_MAX)
		return STIR_EINVAL;
	if ((fs = calloc(1, sizeof(*fs))) == NULL)
		return STIR_ENOMEM;
	fs->base.ops = &fake_ops;
	memcpy(fs->key_id, key_id, strlen(key_id) + 1);
	(void)pthread_mutex_init(&fs->mu, NULL);
	if (gnutls_privkey_init(&fs->pk) < 0) {
		r = STIR_ENOMEM;
		goto fail;
	}
	if (gnutls_load_file(key_pem_file, &pem) < 0 ||
	    gnutls_privkey_import_x509_raw(fs->pk, &pem, GNUTLS_X509_FMT_PEM, NULL, 0) < 0)
		goto fail;
	gnutls_free(pem.data);
	*ret = fs;
	*ret_base = &fs->base;
	return STIR_OK;
 fail:
	gnutls_free(pem.data);
	fs_free(&fs->base);
	return r;
}

void
fake_signer_fail(struct fake_signer *fs, int err)
{
	(void)pthread_mutex_lock(&fs->mu);
	fs->fail = err;
	(void)pthread_mutex_unlock(&fs->mu);
}

unsigned
fake_signer_calls(struct fake_signer *fs)
{
	unsigned n;

	(void)pthread_mutex_lock(&fs->mu);
	n = fs->calls;
	(void)pthread_mutex_unlock(&fs->mu);
	return n;
}

unsigned
fake_signer_batches(struct fake_signer *fs)
{
	unsigned n;

	(void)pthread_mutex_lock(&fs->mu);
	n = fs->batches;
	(void)pthread_mutex_unlock(&fs->mu);
	return n;
}
