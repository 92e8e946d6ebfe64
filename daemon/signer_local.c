/*
 * signer_local.c: the in-process key store.  The only file that touches
 * private keys: key files are read into sodium_malloc()'d memory, imported
 * into GnuTLS and wiped; nothing leaves but signatures and public keys.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs11.h>
#include <gnutls/x509.h>
#include <sodium.h>

#include "stirclient.h"
#include "daemon/log.h"
#include "daemon/signer.h"

#define KEY_SUFFIX	".key"

struct signer_key {
	char			*id;		/* name or pkcs11: URL */
	gnutls_privkey_t	 pk;
	bool			 pkcs11;
	pthread_mutex_t		 mu;		/* PKCS#11 sessions are not shared */
	struct stir_key_info	 info;
};

struct stir_signer {
	pthread_mutex_t		 change;	/* orders changes to the key set */
	pthread_rwlock_t	 lock;		/* guards keys/nkeys */
	char			*key_dir;
	unsigned		 flags;
	struct signer_key	**keys;
	size_t			 nkeys;
};

static void
key_free(struct signer_key *k)
{
	if (k == NULL)
		return;
	gnutls_privkey_deinit(k->pk);
	(void)pthread_mutex_destroy(&k->mu);
	free(k->id);
	free(k);
}

static void
keys_free(struct signer_key **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		key_free(keys[i]);
	free(keys);
}

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

static void
hex_encode(const uint8_t *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
privkey_spki(gnutls_privkey_t pk, uint8_t **ret_der, size_t *ret_len)
{
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t der = { NULL, 0 };
	int r = STIR_ECRYPTO;

	if (gnutls_pubkey_init(&pub) < 0)
		return STIR_ENOMEM;
	if (gnutls_pubkey_import_privkey(pub, pk, 0, 0) < 0)
		goto out;
	if (gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &der) < 0)
		goto out;
	if ((*ret_der = malloc(der.size)) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	memcpy(*ret_der, der.data, der.size);
	*ret_len = der.size;
	r = STIR_OK;
 out:
	gnutls_free(der.data);
	gnutls_pubkey_deinit(pub);
	return r;
}

static int
privkey_pub_pem(gnutls_privkey_t pk, char **ret_pem)
{
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	int r = STIR_ECRYPTO;

	if (gnutls_pubkey_init(&pub) < 0)
		return STIR_ENOMEM;
	if (gnutls_pubkey_import_privkey(pub, pk, 0, 0) < 0 ||
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_PEM, &pem) < 0)
		goto out;
	if ((*ret_pem = strndup((const char *)pem.data, pem.size)) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	r = STIR_OK;
 out:
	gnutls_free(pem.data);
	gnutls_pubkey_deinit(pub);
	return r;
}

/* Only P-256 ECDSA keys sign ES256. */
static int
key_check_type(gnutls_privkey_t pk, struct stir_key_info *info)
{
	gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
	uint8_t *der = NULL;
	size_t len = 0;
	uint8_t fp[32];
	int r;

	if (gnutls_privkey_get_pk_algorithm(pk, NULL) != GNUTLS_PK_ECDSA)
		return STIR_EKEY;
	if (gnutls_privkey_export_ecc_raw2(pk, &curve, NULL, NULL, NULL, 0) < 0) {
		/* PKCS#11 keys do not export; ask the public half instead */
		gnutls_pubkey_t pub = NULL;

		if (gnutls_pubkey_init(&pub) < 0)
			return STIR_ENOMEM;
		if (gnutls_pubkey_import_privkey(pub, pk, 0, 0) < 0 ||
		    gnutls_pubkey_export_ecc_raw2(pub, &curve, NULL, NULL, 0) < 0)
			curve = GNUTLS_ECC_CURVE_INVALID;
		gnutls_pubkey_deinit(pub);
	}
	if (curve != GNUTLS_ECC_CURVE_SECP256R1)
		return STIR_EKEY;
	if ((r = privkey_spki(pk, &der, &len)) != STIR_OK)
		return r;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, der, len, fp) < 0) {
		free(der);
		return STIR_ECRYPTO;
	}
	free(der);
	hex_encode(fp, sizeof(fp), info->spki_sha256);
	snprintf(info->type, sizeof(info->type), "EC P-256");
	return STIR_OK;
}

/* Import PEM bytes into a new privkey.  Does not wipe pem. */
static int
privkey_from_pem(const uint8_t *pem, size_t len, gnutls_privkey_t *ret)
{
	gnutls_privkey_t pk = NULL;
	gnutls_datum_t d = { (unsigned char *)pem, (unsigned)len };

	if (gnutls_privkey_init(&pk) < 0)
		return STIR_ENOMEM;
	if (gnutls_privkey_import_x509_raw(pk, &d, GNUTLS_X509_FMT_PEM, NULL,
	    GNUTLS_PKCS_PLAIN) < 0) {
		gnutls_privkey_deinit(pk);
		return STIR_EKEY;
	}
	*ret = pk;
	return STIR_OK;
}

static int
key_new(const char *id, gnutls_privkey_t pk, bool pkcs11, struct signer_key **ret)
{
	struct signer_key *k;
	int r;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return STIR_ENOMEM;
	if ((k->id = strdup(id)) == NULL) {
		free(k);
		return STIR_ENOMEM;
	}
	(void)pthread_mutex_init(&k->mu, NULL);
	k->pk = pk;
	k->pkcs11 = pkcs11;
	if ((r = key_check_type(pk, &k->info)) != STIR_OK) {
		k->pk = NULL;		/* caller still owns pk on failure */
		key_free(k);
		return r;
	}
	snprintf(k->info.name, sizeof(k->info.name), "%s", pkcs11 ? "" : id);
	*ret = k;
	return STIR_OK;
}

/*
 * Read dirfd/file into sodium_malloc'd memory and import it.  The file
 * must be a regular file, not readable or writable by group or others.
 */
static int
key_load_file(int dirfd, const char *file, const char *name, struct signer_key **ret)
{
	gnutls_privkey_t pk = NULL;
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd, r;

	if ((fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY)) < 0)
		return STIR_EKEY;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0 || st.st_size > STIR_KEY_FILE_MAX) {
		r = STIR_EKEY;
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		log_warn("key file '%s' is accessible by group or others; not loaded (chmod 0600)",
		    file);
		r = STIR_EPERM;
		goto out;
	}
	if ((buf = sodium_malloc((size_t)st.st_size)) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if ((r = privkey_from_pem(buf, got, &pk)) != STIR_OK)
		goto out;
	if ((r = key_new(name, pk, false, ret)) != STIR_OK)
		goto out;
	pk = NULL;
 out:
	if (buf != NULL) {
		sodium_memzero(buf, (size_t)st.st_size);
		sodium_free(buf);
	}
	gnutls_privkey_deinit(pk);
	close(fd);
	return r;
}

static int
dir_check(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) != 0 && errno == ENOENT && mkdir(dir, 0700) == 0)
		log_notice("created key_dir '%s'", dir);
	if (stat(dir, &st) != 0) {
		log_err("key_dir '%s': %s", dir, strerror(errno));
		return STIR_EIO;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_err("key_dir '%s' is not a directory", dir);
		return STIR_EIO;
	}
	if ((st.st_mode & 022) != 0) {
		log_err("key_dir '%s' is group- or world-writable; refusing it (chmod 0700)", dir);
		return STIR_EPERM;
	}
	if (st.st_uid != geteuid())
		log_warn("key_dir '%s' is not owned by the daemon's user", dir);
	return STIR_OK;
}

/* Scan key_dir and build a new key array. */
static int
keys_scan(const char *dir, struct signer_key ***ret_keys, size_t *ret_n)
{
	struct signer_key **keys = NULL, *k;
	struct dirent *de;
	size_t n = 0;
	DIR *d;
	int dfd, r = STIR_OK;

	if ((r = dir_check(dir)) != STIR_OK)
		return r;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return STIR_EIO;
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return STIR_EIO;
	}
	while ((de = readdir(d)) != NULL) {
		char name[STIR_KEY_NAME_MAX + 1];
		size_t len = strlen(de->d_name);

		if (len <= strlen(KEY_SUFFIX) ||
		    strcmp(de->d_name + len - strlen(KEY_SUFFIX), KEY_SUFFIX) != 0)
			continue;
		len -= strlen(KEY_SUFFIX);
		if (len > STIR_KEY_NAME_MAX)
			continue;
		memcpy(name, de->d_name, len);
		name[len] = '\0';
		if (stir_signer_name_check(name) != STIR_OK)
			continue;
		if (n == STIR_MAX_KEYS) {
			log_warn("key_dir '%s' holds more than %d keys; the rest are ignored",
			    dir, STIR_MAX_KEYS);
			break;
		}
		if ((r = key_load_file(dfd, de->d_name, name, &k)) != STIR_OK) {
			log_err("key '%s': cannot load: %s", name, stir_strerror(r));
			r = STIR_OK;
			continue;
		}
		{
			struct signer_key **t = realloc(keys, (n + 1) * sizeof(*keys));

			if (t == NULL) {
				key_free(k);
				r = STIR_ENOMEM;
				break;
			}
			keys = t;
		}
		keys[n++] = k;
	}
	closedir(d);
	if (r != STIR_OK) {
		keys_free(keys, n);
		return r;
	}
	*ret_keys = keys;
	*ret_n = n;
	return STIR_OK;
}

int
stir_signer_local_new(const char *key_dir, unsigned flags,
    const char *pkcs11_module, struct stir_signer **ret)
{
	struct stir_signer *s;
	int r;

	if (pkcs11_module != NULL && *pkcs11_module != '\0') {
		if (gnutls_pkcs11_init(GNUTLS_PKCS11_FLAG_MANUAL, NULL) < 0 ||
		    gnutls_pkcs11_add_provider(pkcs11_module, NULL) < 0) {
			log_err("pkcs11_module '%s' cannot be loaded", pkcs11_module);
			return STIR_EKEY;
		}
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return STIR_ENOMEM;
	(void)pthread_rwlock_init(&s->lock, NULL);
	(void)pthread_mutex_init(&s->change, NULL);
	s->flags = flags;
	if ((s->key_dir = strdup(key_dir)) == NULL) {
		stir_signer_free(s);
		return STIR_ENOMEM;
	}
	if ((r = keys_scan(key_dir, &s->keys, &s->nkeys)) != STIR_OK) {
		stir_signer_free(s);
		return r;
	}
	*ret = s;
	return STIR_OK;
}

void
stir_signer_free(struct stir_signer *s)
{
	if (s == NULL)
		return;
	keys_free(s->keys, s->nkeys);
	(void)pthread_rwlock_destroy(&s->lock);
	(void)pthread_mutex_destroy(&s->change);
	free(s->key_dir);
	free(s);
}

void
stir_signer_set_flags(struct stir_signer *s, unsigned flags)
{
	(void)pthread_rwlock_wrlock(&s->lock);
	s->flags = flags;
	(void)pthread_rwlock_unlock(&s->lock);
}

int
stir_signer_reload(struct stir_signer *s)
{
	struct signer_key **keys = NULL;
	size_t n = 0;
	int r;

	/* no key.generate/import/remove between the scan and the swap */
	(void)pthread_mutex_lock(&s->change);
	if ((r = keys_scan(s->key_dir, &keys, &n)) == STIR_OK) {
		(void)pthread_rwlock_wrlock(&s->lock);
		keys_free(s->keys, s->nkeys);	/* PKCS#11 keys reopen on next use */
		s->keys = keys;
		s->nkeys = n;
		(void)pthread_rwlock_unlock(&s->lock);
	}
	(void)pthread_mutex_unlock(&s->change);
	return r;
}

/* Caller holds the lock (read or write). */
static struct signer_key *
key_find(struct stir_signer *s, const char *id)
{
	for (size_t i = 0; i < s->nkeys; i++)
		if (strcmp(s->keys[i]->id, id) == 0)
			return s->keys[i];
	return NULL;
}

/* Find a key, opening a PKCS#11 URL on first use.  Returns with the read
 * lock held on success. */
static int
key_get(struct stir_signer *s, const char *key_id, struct signer_key **ret)
{
	struct signer_key *k, **t;
	gnutls_privkey_t pk = NULL;
	int r;

	(void)pthread_rwlock_rdlock(&s->lock);
	if ((k = key_find(s, key_id)) != NULL) {
		*ret = k;
		return STIR_OK;
	}
	(void)pthread_rwlock_unlock(&s->lock);
	if (strncmp(key_id, "pkcs11:", 7) != 0)
		return STIR_ENOENT;
	if (gnutls_privkey_init(&pk) < 0)
		return STIR_ENOMEM;
	if ((r = gnutls_privkey_import_url(pk, key_id, 0)) < 0) {
		log_warn("PKCS#11 key: %s", gnutls_strerror(r));	/* never the URL: PIN */
		gnutls_privkey_deinit(pk);
		return STIR_EKEY;
	}
	(void)pthread_rwlock_wrlock(&s->lock);
	if ((k = key_find(s, key_id)) != NULL) {	/* another thread won */
		gnutls_privkey_deinit(pk);
		goto done;
	}
	if ((r = key_new(key_id, pk, true, &k)) != STIR_OK) {
		gnutls_privkey_deinit(pk);
		(void)pthread_rwlock_unlock(&s->lock);
		return r;
	}
	if ((t = realloc(s->keys, (s->nkeys + 1) * sizeof(*t))) == NULL) {
		key_free(k);
		(void)pthread_rwlock_unlock(&s->lock);
		return STIR_ENOMEM;
	}
	s->keys = t;
	s->keys[s->nkeys++] = k;
 done:
	(void)pthread_rwlock_unlock(&s->lock);
	return key_get(s, key_id, ret);
}

int
stir_signer_sign(struct stir_signer *s, const char *key_id,
    const uint8_t *tbs, size_t tbs_len, uint8_t sig[static STIR_SIG_MAX],
    size_t *ret_sig_len)
{
	struct signer_key *k;
	gnutls_datum_t data = { (unsigned char *)tbs, (unsigned)tbs_len };
	gnutls_datum_t der = { NULL, 0 }, rd = { NULL, 0 }, sd = { NULL, 0 };
	unsigned flags;
	int r, gr;

	if ((r = key_get(s, key_id, &k)) != STIR_OK)
		return r;
	flags = (!k->pkcs11 && (s->flags & STIR_SIGNER_FLAG_DETERMINISTIC)) ?
	    GNUTLS_PRIVKEY_FLAG_REPRODUCIBLE : 0;
	if (k->pkcs11)
		(void)pthread_mutex_lock(&k->mu);
	gr = gnutls_privkey_sign_data2(k->pk, GNUTLS_SIGN_ECDSA_SHA256, flags,
	    &data, &der);
	if (k->pkcs11)
		(void)pthread_mutex_unlock(&k->mu);
	(void)pthread_rwlock_unlock(&s->lock);
	if (gr < 0) {
		log_debug("gnutls_privkey_sign_data2: %s", gnutls_strerror(gr));
		return STIR_ECRYPTO;
	}
	/* DER ECDSA-Sig-Value -> raw r||s, each left-padded to 32 bytes */
	r = STIR_ECRYPTO;
	if (gnutls_decode_rs_value(&der, &rd, &sd) < 0)
		goto out;
	{
		const uint8_t *rp = rd.data, *sp = sd.data;
		size_t rl = rd.size, sl = sd.size;

		while (rl > 32 && *rp == 0) { rp++; rl--; }
		while (sl > 32 && *sp == 0) { sp++; sl--; }
		if (rl > 32 || sl > 32)
			goto out;
		memset(sig, 0, STIR_ES256_SIG_LEN);
		memcpy(sig + 32 - rl, rp, rl);
		memcpy(sig + 64 - sl, sp, sl);
	}
	*ret_sig_len = STIR_ES256_SIG_LEN;
	r = STIR_OK;
 out:
	gnutls_free(der.data);
	gnutls_free(rd.data);
	gnutls_free(sd.data);
	return r;
}

int
stir_signer_pubkey_der(struct stir_signer *s, const char *key_id,
    uint8_t **ret_der, size_t *ret_len)
{
	struct signer_key *k;
	int r;

	if ((r = key_get(s, key_id, &k)) != STIR_OK)
		return r;
	r = privkey_spki(k->pk, ret_der, ret_len);
	(void)pthread_rwlock_unlock(&s->lock);
	return r;
}

/* Write pem to key_dir/name.key atomically, mode 0600, refusing to
 * replace an existing key. */
static int
key_write_file(struct stir_signer *s, const char *name, const void *pem,
    size_t len)
{
	char path[4096], tmp[4096];
	size_t off = 0;
	int fd, r = STIR_EIO;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s%s", s->key_dir, name,
	    KEY_SUFFIX) >= sizeof(path))
		return STIR_EINVAL;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", s->key_dir, name) >= sizeof(tmp))
		return STIR_EINVAL;
	(void)unlink(tmp);	/* left by a crash; key_dir is ours alone */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return errno == EEXIST ? STIR_EBUSY : STIR_EIO;
	while (off < len) {
		ssize_t n = write(fd, (const char *)pem + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	close(fd);
	fd = -1;
	/* link() refuses to replace: a key is never overwritten */
	if (link(tmp, path) != 0) {
		r = errno == EEXIST ? STIR_EEXIST : STIR_EIO;
		goto fail;
	}
	(void)unlink(tmp);
	return STIR_OK;
 fail:
	if (fd >= 0)
		close(fd);
	(void)unlink(tmp);
	return r;
}

static int
key_add_loaded(struct stir_signer *s, const char *name, gnutls_privkey_t pk,
    const void *pem, size_t pemlen, char **ret_pub_pem)
{
	struct signer_key *k = NULL, **t;
	char *pub = NULL;
	int r;

	if ((r = key_new(name, pk, false, &k)) != STIR_OK)
		return r;		/* caller frees pk */
	if ((r = privkey_pub_pem(pk, &pub)) != STIR_OK)
		goto fail;
	(void)pthread_mutex_lock(&s->change);
	(void)pthread_rwlock_wrlock(&s->lock);
	if (key_find(s, name) != NULL)
		r = STIR_EEXIST;
	else if ((r = key_write_file(s, name, pem, pemlen)) != STIR_OK)
		;
	else if ((t = realloc(s->keys, (s->nkeys + 1) * sizeof(*t))) == NULL)
		r = STIR_ENOMEM;	/* the file is there; reload picks it up */
	else {
		s->keys = t;
		s->keys[s->nkeys++] = k;
	}
	(void)pthread_rwlock_unlock(&s->lock);
	(void)pthread_mutex_unlock(&s->change);
	if (r != STIR_OK)
		goto fail;
	*ret_pub_pem = pub;
	return STIR_OK;
 fail:
	if (k != NULL)
		k->pk = NULL;		/* the caller still owns pk */
	key_free(k);
	free(pub);
	return r;
}

int
stir_signer_key_generate(struct stir_signer *s, const char *name,
    char **ret_pub_pem)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_privkey_t pk = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	int r = STIR_ECRYPTO;

	if (stir_signer_name_check(name) != STIR_OK)
		return STIR_EINVAL;
	if (gnutls_x509_privkey_init(&xk) < 0)
		return STIR_ENOMEM;
	if (gnutls_x509_privkey_generate(xk, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0)
		goto out;
	if (gnutls_x509_privkey_export2_pkcs8(xk, GNUTLS_X509_FMT_PEM, NULL,
	    GNUTLS_PKCS_PLAIN, &pem) < 0)
		goto out;
	if ((r = privkey_from_pem(pem.data, pem.size, &pk)) != STIR_OK)
		goto out;
	if ((r = key_add_loaded(s, name, pk, pem.data, pem.size, ret_pub_pem)) != STIR_OK)
		goto out;
	pk = NULL;
 out:
	if (pem.data != NULL) {
		sodium_memzero(pem.data, pem.size);
		gnutls_free(pem.data);
	}
	gnutls_privkey_deinit(pk);
	gnutls_x509_privkey_deinit(xk);
	return r;
}

int
stir_signer_key_import(struct stir_signer *s, const char *name, char *pem,
    size_t len, char **ret_pub_pem)
{
	gnutls_privkey_t pk = NULL;
	uint8_t *buf = NULL;
	int r;

	if (stir_signer_name_check(name) != STIR_OK) {
		r = STIR_EINVAL;
		goto out;
	}
	if (len == 0 || len > STIR_KEY_FILE_MAX) {
		r = STIR_ETOOBIG;
		goto out;
	}
	if ((buf = sodium_malloc(len)) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	memcpy(buf, pem, len);
	if ((r = privkey_from_pem(buf, len, &pk)) != STIR_OK)
		goto out;
	if ((r = key_add_loaded(s, name, pk, buf, len, ret_pub_pem)) != STIR_OK)
		goto out;
	pk = NULL;
 out:
	sodium_memzero(pem, len);
	if (buf != NULL) {
		sodium_memzero(buf, len);
		sodium_free(buf);
	}
	gnutls_privkey_deinit(pk);
	return r;
}

int
stir_signer_key_remove(struct stir_signer *s, const char *name)
{
	char path[4096];
	int r = STIR_ENOENT;

	if (stir_signer_name_check(name) != STIR_OK)
		return STIR_EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s%s", s->key_dir, name,
	    KEY_SUFFIX) >= sizeof(path))
		return STIR_EINVAL;
	(void)pthread_mutex_lock(&s->change);
	(void)pthread_rwlock_wrlock(&s->lock);
	for (size_t i = 0; i < s->nkeys; i++) {
		if (strcmp(s->keys[i]->id, name) != 0)
			continue;
		if (unlink(path) != 0 && errno != ENOENT) {
			r = STIR_EIO;
			break;
		}
		key_free(s->keys[i]);
		s->keys[i] = s->keys[--s->nkeys];
		r = STIR_OK;
		break;
	}
	(void)pthread_rwlock_unlock(&s->lock);
	(void)pthread_mutex_unlock(&s->change);
	return r;
}

int
stir_signer_key_list(struct stir_signer *s, struct stir_key_info **ret,
    size_t *ret_n)
{
	struct stir_key_info *out;
	size_t n = 0;

	(void)pthread_rwlock_rdlock(&s->lock);
	if ((out = calloc(s->nkeys + 1, sizeof(*out))) == NULL) {
		(void)pthread_rwlock_unlock(&s->lock);
		return STIR_ENOMEM;
	}
	for (size_t i = 0; i < s->nkeys; i++)
		if (!s->keys[i]->pkcs11)
			out[n++] = s->keys[i]->info;
	(void)pthread_rwlock_unlock(&s->lock);
	*ret = out;
	*ret_n = n;
	return STIR_OK;
}
