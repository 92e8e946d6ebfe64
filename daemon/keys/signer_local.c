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
#include "daemon/base/log.h"
#include "daemon/keys/signer_impl.h"

#define KEY_SUFFIX	".key"
#define P11_SUFFIX	".p11"		/* a PKCS#11 registration: its URL */

struct signer_key {
	char			*id;		/* name or pkcs11: URL */
	gnutls_privkey_t	 pk;		/* NULL: a registration not opened yet */
	bool			 pkcs11;
	char			*url;		/* a registration's URL (sodium_malloc) */
	pthread_mutex_t		 mu;		/* PKCS#11 sessions are not shared */
	struct stir_key_info	 info;
};

struct signer_local {
	struct stir_signer	 base;		/* first: the function table */
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
	sodium_free(k->url);		/* wipes: it may hold a PIN */
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

static const struct {
	const char		*begin, *end;
	enum stir_pem_kind	 kind;
} pem_kinds[] = {
	{ "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", STIR_PEM_PKCS8 },
	{ "-----BEGIN EC PRIVATE KEY-----", "-----END EC PRIVATE KEY-----", STIR_PEM_SEC1 },
};

int
stir_signer_pem_decode(const char *pem, size_t len, uint8_t **ret_der,
    size_t *ret_len, enum stir_pem_kind *ret_kind)
{
	const char *begin = NULL, *body, *end = NULL;
	size_t k = 0, blen, cap, dlen = 0;
	uint8_t *der;

	/* the first block of a kind we take (EC PARAMETERS may come first) */
	for (size_t i = 0; i < sizeof(pem_kinds) / sizeof(pem_kinds[0]); i++) {
		const char *b = memmem(pem, len, pem_kinds[i].begin,
		    strlen(pem_kinds[i].begin));

		if (b != NULL && (begin == NULL || b < begin)) {
			begin = b;
			k = i;
		}
	}
	if (begin == NULL)
		return STIR_EKEY;
	body = begin + strlen(pem_kinds[k].begin);
	end = memmem(body, len - (size_t)(body - pem), pem_kinds[k].end,
	    strlen(pem_kinds[k].end));
	if (end == NULL || end == body || (*body != '\n' && *body != '\r'))
		return STIR_EKEY;
	blen = (size_t)(end - body);
	cap = blen / 4 * 3 + 3;
	if ((der = sodium_malloc(cap)) == NULL)
		return STIR_ENOMEM;
	/* b64_end NULL: anything but base64 and line breaks is refused */
	if (sodium_base642bin(der, cap, body, blen, " \t\r\n", &dlen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || dlen == 0) {
		sodium_free(der);
		return STIR_EKEY;
	}
	*ret_der = der;
	*ret_len = dlen;
	*ret_kind = pem_kinds[k].kind;
	return STIR_OK;
}

/*
 * A new privkey from PEM text.  GnuTLS gets the DER, decoded into locked
 * memory and wiped here: its own PEM reader would leave copies of the
 * base64 text in freed memory.  Does not wipe pem.
 */
static int
privkey_from_pem(const char *pem, size_t len, gnutls_privkey_t *ret)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_privkey_t pk = NULL;
	enum stir_pem_kind kind;
	gnutls_datum_t d = { NULL, 0 };
	uint8_t *der = NULL;
	size_t dlen = 0;
	int r, gr;

	if ((r = stir_signer_pem_decode(pem, len, &der, &dlen, &kind)) != STIR_OK)
		return r;
	d.data = der;
	d.size = (unsigned)dlen;
	r = STIR_ENOMEM;
	if (gnutls_x509_privkey_init(&xk) < 0 || gnutls_privkey_init(&pk) < 0)
		goto out;
	r = STIR_EKEY;
	if (kind == STIR_PEM_PKCS8)
		gr = gnutls_x509_privkey_import_pkcs8(xk, &d, GNUTLS_X509_FMT_DER,
		    NULL, GNUTLS_PKCS_PLAIN);
	else
		gr = gnutls_x509_privkey_import(xk, &d, GNUTLS_X509_FMT_DER);
	if (gr < 0 || gnutls_privkey_import_x509(pk, xk,
	    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE) < 0)
		goto out;
	xk = NULL;			/* pk owns it */
	*ret = pk;
	pk = NULL;
	r = STIR_OK;
 out:
	sodium_free(der);		/* wipes */
	gnutls_privkey_deinit(pk);
	gnutls_x509_privkey_deinit(xk);
	return r;
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

/* Why a key file is not loaded, or NULL if it may be. */
static const char *
key_file_refusal(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return "is not a regular file";
	if (st->st_uid != geteuid() && st->st_uid != 0)
		return "is owned by another user (chown it to the daemon's user)";
	if ((st->st_mode & 077) != 0)
		return "is accessible by group or others (chmod 0600)";
	if (st->st_nlink != 1)
		return "has more than one hard link";
	if (st->st_size <= 0 || st->st_size > STIR_KEY_FILE_MAX)
		return "is empty or larger than 64 KiB";
	return NULL;
}

/*
 * Read dirfd/file into sodium_malloc'd memory (*ret_buf, sodium_free()).
 * Only a regular file of ours (or root's) with one link and no permission
 * bits for group or others is read; it is checked before it is opened, so
 * a FIFO or device is never opened, and again on the descriptor, opened
 * so that it cannot block or follow a symbolic link.  A refusal is logged
 * and STIR_EPERM.
 */
static int
secret_file_read(int dirfd, const char *file, char **ret_buf, size_t *ret_len)
{
	struct stat st, fst;
	const char *why;
	char *buf = NULL;
	size_t got = 0;
	int fd = -1, r = STIR_EPERM;

	if (fstatat(dirfd, file, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return STIR_EKEY;	/* gone since readdir */
	if (S_ISLNK(st.st_mode))
		why = "is a symbolic link";
	else if ((why = key_file_refusal(&st)) == NULL) {
		fd = openat(dirfd, file, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
		    O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			why = "cannot be opened";
		else if (fstat(fd, &fst) != 0 || fst.st_dev != st.st_dev ||
		    fst.st_ino != st.st_ino)
			why = "was replaced while it was opened";
		else
			why = key_file_refusal(&fst);
	}
	if (why != NULL) {
		log_warn("key file '%s' %s; not loaded", file, why);
		goto out;
	}
	if ((buf = sodium_malloc((size_t)fst.st_size + 1)) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	while (got < (size_t)fst.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)fst.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*ret_buf = buf;
	*ret_len = got;
	buf = NULL;
	r = STIR_OK;
 out:
	sodium_free(buf);
	if (fd >= 0)
		close(fd);
	return r;
}

/* Load the key file dirfd/file as key name. */
static int
key_load_file(int dirfd, const char *file, const char *name, struct signer_key **ret)
{
	gnutls_privkey_t pk = NULL;
	char *buf = NULL;
	size_t len = 0;
	int r;

	if ((r = secret_file_read(dirfd, file, &buf, &len)) != STIR_OK)
		return r;
	if ((r = privkey_from_pem(buf, len, &pk)) != STIR_OK)
		goto out;
	if ((r = key_new(name, pk, false, ret)) != STIR_OK)
		goto out;
	pk = NULL;
 out:
	sodium_free(buf);		/* wipes */
	gnutls_privkey_deinit(pk);
	return r;
}

/* Is url (len bytes) a pkcs11: URL we store: no controls, not too long? */
static bool
p11_url_ok(const char *url, size_t len)
{
	if (len <= 7 || len > STIR_PKCS11_URL_MAX || strncmp(url, "pkcs11:", 7) != 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f)
			return false;
	return true;
}

/* A registration, not opened yet: url is copied into locked memory. */
static int
p11_key_new(const char *name, const char *url, size_t len, struct signer_key **ret)
{
	struct signer_key *k;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return STIR_ENOMEM;
	(void)pthread_mutex_init(&k->mu, NULL);
	k->pkcs11 = true;
	if ((k->id = strdup(name)) == NULL || (k->url = sodium_malloc(len + 1)) == NULL) {
		key_free(k);
		return STIR_ENOMEM;
	}
	memcpy(k->url, url, len);
	k->url[len] = '\0';
	snprintf(k->info.name, sizeof(k->info.name), "%s", name);
	snprintf(k->info.type, sizeof(k->info.type), "PKCS#11");
	*ret = k;
	return STIR_OK;
}

/* Load the PKCS#11 registration dirfd/file as key name (opened on use). */
static int
p11_load_file(int dirfd, const char *file, const char *name, struct signer_key **ret)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	if ((r = secret_file_read(dirfd, file, &buf, &len)) != STIR_OK)
		return r;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (!p11_url_ok(buf, len)) {
		log_warn("key file '%s' does not hold one pkcs11: URL; not loaded", file);
		r = STIR_EPERM;
		goto out;
	}
	r = p11_key_new(name, buf, len, ret);
 out:
	sodium_free(buf);		/* wipes */
	return r;
}

/*
 * Open a PKCS#11 URL: a P-256 key or STIR_EKEY.  The URL is never logged:
 * it may hold a PIN.
 */
static int
p11_open(const char *url, gnutls_privkey_t *ret_pk, struct stir_key_info *info)
{
	gnutls_privkey_t pk = NULL;
	int r;

	if (gnutls_privkey_init(&pk) < 0)
		return STIR_ENOMEM;
	if ((r = gnutls_privkey_import_url(pk, url, 0)) < 0) {
		log_warn("PKCS#11 key: %s", gnutls_strerror(r));
		gnutls_privkey_deinit(pk);
		return STIR_EKEY;
	}
	if ((r = key_check_type(pk, info)) != STIR_OK) {
		log_warn("PKCS#11 key: not an EC P-256 key, or its public half cannot be read (does the module write files outside signer_write_dirs?)");
		gnutls_privkey_deinit(pk);
		return STIR_EKEY;
	}
	*ret_pk = pk;
	return STIR_OK;
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

/* Is file a temporary file of key_write_file(), or of 0.3 (".NAME.tmp")? */
static bool
is_tmp_file(const char *file)
{
	size_t n = strlen(file), pl = strlen(STIR_KEY_TMP_PREFIX);
	char name[STIR_KEY_NAME_MAX + 1];

	if (strncmp(file, STIR_KEY_TMP_PREFIX, pl) == 0)
		return stir_signer_name_check(file + pl) == STIR_OK;
	if (n < 6 || n - 5 > STIR_KEY_NAME_MAX || file[0] != '.' ||
	    strcmp(file + n - 4, ".tmp") != 0)
		return false;
	memcpy(name, file + 1, n - 5);
	name[n - 5] = '\0';
	return stir_signer_name_check(name) == STIR_OK;
}

/*
 * Remove the temporary files that a crash during key.generate or
 * key.import left (they hold private keys): regular files of ours only.
 * Key-set changes are ordered by s->change, so none is being written.
 */
static void
tmp_files_clean(const char *dir, DIR *d)
{
	struct dirent *de;
	struct stat st;
	unsigned n = 0;

	while ((de = readdir(d)) != NULL) {
		if (!is_tmp_file(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) != 0) {
			log_warn("key_dir '%s': cannot remove the temporary file '%s': %s",
			    dir, de->d_name, strerror(errno));
			continue;
		}
		log_notice("key_dir '%s': removed '%s', left by an interrupted key.generate or key.import",
		    dir, de->d_name);
		n++;
	}
	if (n > 0 && fsync(dirfd(d)) != 0)
		log_warn("key_dir '%s': fsync: %s", dir, strerror(errno));
	rewinddir(d);
}

static struct signer_key *
keys_find(struct signer_key **keys, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i]->id, id) == 0)
			return keys[i];
	return NULL;
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
	tmp_files_clean(dir, d);	/* first: a key's link count is 1 again */
	while ((de = readdir(d)) != NULL) {
		char name[STIR_KEY_NAME_MAX + 1];
		size_t len = strlen(de->d_name);

		bool p11;

		if (len > strlen(KEY_SUFFIX) &&
		    strcmp(de->d_name + len - strlen(KEY_SUFFIX), KEY_SUFFIX) == 0)
			p11 = false;
		else if (len > strlen(P11_SUFFIX) &&
		    strcmp(de->d_name + len - strlen(P11_SUFFIX), P11_SUFFIX) == 0)
			p11 = true;
		else
			continue;
		len -= strlen(KEY_SUFFIX);	/* both suffixes are 4 bytes */
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
		if (keys_find(keys, n, name) != NULL) {
			log_warn("key '%s' is both a key file and a PKCS#11 registration; '%s' is not loaded",
			    name, de->d_name);
			continue;
		}
		r = p11 ? p11_load_file(dfd, de->d_name, name, &k) :
		    key_load_file(dfd, de->d_name, name, &k);
		if (r != STIR_OK) {
			if (r != STIR_EPERM)	/* refusals are logged with why */
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

static const struct stir_signer_ops local_ops;
static void local_free(struct stir_signer *base);

int
stir_signer_local_new(const char *key_dir, unsigned flags,
    const char *pkcs11_module, struct stir_signer **ret)
{
	struct signer_local *s;
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
	s->base.ops = &local_ops;
	(void)pthread_rwlock_init(&s->lock, NULL);
	(void)pthread_mutex_init(&s->change, NULL);
	s->flags = flags;
	if ((s->key_dir = strdup(key_dir)) == NULL) {
		local_free(&s->base);
		return STIR_ENOMEM;
	}
	if ((r = keys_scan(key_dir, &s->keys, &s->nkeys)) != STIR_OK) {
		local_free(&s->base);
		return r;
	}
	*ret = &s->base;
	return STIR_OK;
}

static void
local_free(struct stir_signer *base)
{
	struct signer_local *s = (struct signer_local *)base;
	if (s == NULL)
		return;
	keys_free(s->keys, s->nkeys);
	(void)pthread_rwlock_destroy(&s->lock);
	(void)pthread_mutex_destroy(&s->change);
	free(s->key_dir);
	free(s);
}

static void
local_set_flags(struct stir_signer *base, unsigned flags)
{
	struct signer_local *s = (struct signer_local *)base;
	(void)pthread_rwlock_wrlock(&s->lock);
	s->flags = flags;
	(void)pthread_rwlock_unlock(&s->lock);
}

static int
local_reload(struct stir_signer *base)
{
	struct signer_local *s = (struct signer_local *)base;
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
key_find(struct signer_local *s, const char *id)
{
	return keys_find(s->keys, s->nkeys, id);
}

/*
 * Open a registration found unopened: outside the lock (a token login
 * may be slow), then installed unless the key set changed meanwhile.
 */
static int
key_open_registration(struct signer_local *s, const char *key_id)
{
	struct signer_key *k;
	struct stir_key_info info;
	gnutls_privkey_t pk = NULL;
	char *url = NULL;
	size_t len;
	int r = STIR_ENOENT;

	memset(&info, 0, sizeof(info));
	(void)pthread_rwlock_rdlock(&s->lock);
	if ((k = key_find(s, key_id)) != NULL && k->url != NULL) {
		len = strlen(k->url);
		if ((url = sodium_malloc(len + 1)) == NULL)
			r = STIR_ENOMEM;
		else {
			memcpy(url, k->url, len + 1);
			r = STIR_OK;
		}
	}
	(void)pthread_rwlock_unlock(&s->lock);
	if (r != STIR_OK)
		return r;
	if ((r = p11_open(url, &pk, &info)) != STIR_OK)
		goto out;
	(void)pthread_rwlock_wrlock(&s->lock);
	if ((k = key_find(s, key_id)) != NULL && k->pk == NULL && k->url != NULL &&
	    strcmp(k->url, url) == 0) {
		snprintf(k->info.type, sizeof(k->info.type), "%s", info.type);
		memcpy(k->info.spki_sha256, info.spki_sha256, sizeof(info.spki_sha256));
		k->pk = pk;
		pk = NULL;
	}
	(void)pthread_rwlock_unlock(&s->lock);
 out:
	gnutls_privkey_deinit(pk);
	sodium_free(url);		/* wipes */
	return r;
}

/* Find a key, opening a PKCS#11 key on first use.  Returns with the read
 * lock held on success. */
static int
key_get(struct signer_local *s, const char *key_id, struct signer_key **ret)
{
	struct signer_key *k, **t;
	gnutls_privkey_t pk = NULL;
	int r;

	for (int tries = 0; tries < 4; tries++) {
		(void)pthread_rwlock_rdlock(&s->lock);
		if ((k = key_find(s, key_id)) != NULL && k->pk != NULL) {
			*ret = k;
			return STIR_OK;
		}
		(void)pthread_rwlock_unlock(&s->lock);
		if (k == NULL)
			break;
		if ((r = key_open_registration(s, key_id)) != STIR_OK)
			return r;
	}
	if (k != NULL)			/* reloaded under us, again and again */
		return STIR_EBUSY;
	if (strncmp(key_id, "pkcs11:", 7) != 0)
		return STIR_ENOENT;
	/* 0.3's credentials: the URL itself (in-process only) */
	if ((r = p11_open(key_id, &pk, &(struct stir_key_info){ 0 })) != STIR_OK)
		return r;
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

static int
local_sign(struct stir_signer *base, const char *key_id,
    const uint8_t *tbs, size_t tbs_len, uint8_t sig[static STIR_SIG_MAX],
    size_t *ret_sig_len)
{
	struct signer_local *s = (struct signer_local *)base;
	struct signer_key *k;
	gnutls_datum_t data = { (unsigned char *)tbs, (unsigned)tbs_len };
	gnutls_datum_t der = { NULL, 0 };
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
	r = stir_es256_jws_sig(&der, sig, ret_sig_len);
	gnutls_free(der.data);
	return r;
}

static int
local_pubkey_der(struct stir_signer *base, const char *key_id,
    uint8_t **ret_der, size_t *ret_len)
{
	struct signer_local *s = (struct signer_local *)base;
	struct signer_key *k;
	int r;

	if ((r = key_get(s, key_id, &k)) != STIR_OK)
		return r;
	r = privkey_spki(k->pk, ret_der, ret_len);
	(void)pthread_rwlock_unlock(&s->lock);
	return r;
}

/*
 * Write pem to key_dir/name.key atomically, mode 0600, refusing to
 * replace an existing key: a temporary file, fsync, link, unlink the
 * temporary file, fsync key_dir.  A crash leaves at most a temporary file,
 * which the next open removes.  Caller holds s->change.
 */
static int
key_write_file(struct signer_local *s, const char *name, const char *suffix,
    const void *pem, size_t len)
{
	char file[STIR_KEY_NAME_MAX + sizeof(KEY_SUFFIX)];
	char tmp[sizeof(STIR_KEY_TMP_PREFIX) + STIR_KEY_NAME_MAX];
	size_t off = 0;
	int dfd, fd = -1, r = STIR_EIO;

	(void)snprintf(file, sizeof(file), "%s%s", name, suffix);
	(void)snprintf(tmp, sizeof(tmp), "%s%s", STIR_KEY_TMP_PREFIX, name);
	if ((dfd = open(s->key_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return STIR_EIO;
	(void)unlinkat(dfd, tmp, 0);
	if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) < 0) {
		r = errno == EEXIST ? STIR_EBUSY : STIR_EIO;
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, (const char *)pem + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	/* link() refuses to replace: a key is never overwritten */
	if (linkat(dfd, tmp, dfd, file, 0) != 0) {
		r = errno == EEXIST ? STIR_EEXIST : STIR_EIO;
		goto fail;
	}
	(void)unlinkat(dfd, tmp, 0);
	if (fsync(dfd) != 0) {
		/* not durable: say so rather than lose the key at a crash */
		log_err("key_dir '%s': fsync: %s; key '%s' not added",
		    s->key_dir, strerror(errno), name);
		(void)unlinkat(dfd, file, 0);
		r = STIR_EIO;
		goto out;
	}
	r = STIR_OK;
	goto out;
 fail:
	if (fd >= 0)
		close(fd);
	(void)unlinkat(dfd, tmp, 0);
 out:
	close(dfd);
	return r;
}

static int
key_add_loaded(struct signer_local *s, const char *name, gnutls_privkey_t pk,
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
	else if ((r = key_write_file(s, name, KEY_SUFFIX, pem, pemlen)) != STIR_OK)
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

/* der as PEM "PRIVATE KEY" text in sodium_malloc()'d memory. */
static int
pem_encode_pkcs8(const uint8_t *der, size_t len, char **ret_pem, size_t *ret_len)
{
	static const char begin[] = "-----BEGIN PRIVATE KEY-----\n";
	static const char end[] = "-----END PRIVATE KEY-----\n";
	size_t cap, off = sizeof(begin) - 1;
	char *p;

	/* 48 bytes a line: 64 characters and a NUL, which '\n' replaces */
	cap = sizeof(begin) + (len + 47) / 48 * 65 + sizeof(end);
	if ((p = sodium_malloc(cap)) == NULL)
		return STIR_ENOMEM;
	memcpy(p, begin, off);
	for (size_t i = 0; i < len; i += 48) {
		size_t n = len - i < 48 ? len - i : 48;

		(void)sodium_bin2base64(p + off, cap - off, der + i, n,
		    sodium_base64_VARIANT_ORIGINAL);
		off += sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL) - 1;
		p[off++] = '\n';
	}
	memcpy(p + off, end, sizeof(end) - 1);
	*ret_pem = p;
	*ret_len = off + sizeof(end) - 1;
	return STIR_OK;
}

/*
 * The file gets PKCS#8 exported as DER and encoded here, in locked
 * memory: GnuTLS's PEM export and import would leave copies in freed
 * memory.
 */
static int
local_key_generate(struct stir_signer *base, const char *name,
    char **ret_pub_pem)
{
	struct signer_local *s = (struct signer_local *)base;
	gnutls_x509_privkey_t xk = NULL;
	gnutls_privkey_t pk = NULL;
	gnutls_datum_t der = { NULL, 0 };
	char *pem = NULL;
	size_t pemlen = 0;
	int r = STIR_ECRYPTO;

	if (stir_signer_name_check(name) != STIR_OK)
		return STIR_EINVAL;
	if (gnutls_x509_privkey_init(&xk) < 0)
		return STIR_ENOMEM;
	if (gnutls_x509_privkey_generate(xk, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0)
		goto out;
	if (gnutls_x509_privkey_export2_pkcs8(xk, GNUTLS_X509_FMT_DER, NULL,
	    GNUTLS_PKCS_PLAIN, &der) < 0)
		goto out;
	if ((r = pem_encode_pkcs8(der.data, der.size, &pem, &pemlen)) != STIR_OK)
		goto out;
	r = STIR_ENOMEM;
	if (gnutls_privkey_init(&pk) < 0)
		goto out;
	r = STIR_ECRYPTO;
	if (gnutls_privkey_import_x509(pk, xk, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE) < 0)
		goto out;
	xk = NULL;			/* pk owns it */
	if ((r = key_add_loaded(s, name, pk, pem, pemlen, ret_pub_pem)) != STIR_OK)
		goto out;
	pk = NULL;
 out:
	if (der.data != NULL) {
		sodium_memzero(der.data, der.size);
		gnutls_free(der.data);
	}
	sodium_free(pem);		/* wipes */
	gnutls_privkey_deinit(pk);
	gnutls_x509_privkey_deinit(xk);
	return r;
}

static int
local_key_import(struct stir_signer *base, const char *name, char *pem,
    size_t len, char **ret_pub_pem)
{
	struct signer_local *s = (struct signer_local *)base;
	gnutls_privkey_t pk = NULL;
	char *buf = NULL;
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
	sodium_free(buf);		/* wipes */
	gnutls_privkey_deinit(pk);
	return r;
}

static int
local_key_remove(struct stir_signer *base, const char *name)
{
	struct signer_local *s = (struct signer_local *)base;
	char file[STIR_KEY_NAME_MAX + sizeof(KEY_SUFFIX)];
	int dfd, r = STIR_ENOENT;

	if (stir_signer_name_check(name) != STIR_OK)
		return STIR_EINVAL;
	if ((dfd = open(s->key_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return STIR_EIO;
	(void)pthread_mutex_lock(&s->change);
	(void)pthread_rwlock_wrlock(&s->lock);
	for (size_t i = 0; i < s->nkeys; i++) {
		if (strcmp(s->keys[i]->id, name) != 0)
			continue;
		(void)snprintf(file, sizeof(file), "%s%s", name,
		    s->keys[i]->url != NULL ? P11_SUFFIX : KEY_SUFFIX);
		if (unlinkat(dfd, file, 0) != 0 && errno != ENOENT) {
			r = STIR_EIO;
			break;
		}
		/* the key is gone from the directory: drop it whatever fsync says */
		if (fsync(dfd) != 0)
			log_err("key_dir '%s': fsync: %s; key '%s' may reappear after a crash",
			    s->key_dir, strerror(errno), name);
		key_free(s->keys[i]);
		s->keys[i] = s->keys[--s->nkeys];
		r = STIR_OK;
		break;
	}
	(void)pthread_rwlock_unlock(&s->lock);
	(void)pthread_mutex_unlock(&s->change);
	close(dfd);
	return r;
}

static int
local_key_list(struct stir_signer *base, struct stir_key_info **ret,
    size_t *ret_n)
{
	struct signer_local *s = (struct signer_local *)base;
	struct stir_key_info *out;
	size_t n = 0;

	(void)pthread_rwlock_rdlock(&s->lock);
	if ((out = calloc(s->nkeys + 1, sizeof(*out))) == NULL) {
		(void)pthread_rwlock_unlock(&s->lock);
		return STIR_ENOMEM;
	}
	for (size_t i = 0; i < s->nkeys; i++)
		if (!s->keys[i]->pkcs11 || s->keys[i]->url != NULL)
			out[n++] = s->keys[i]->info;
	(void)pthread_rwlock_unlock(&s->lock);
	*ret = out;
	*ret_n = n;
	return STIR_OK;
}

static int
local_pkcs11_register(struct stir_signer *base, const char *name, char *url,
    size_t len, int *ret_created)
{
	struct signer_local *s = (struct signer_local *)base;
	struct signer_key *k = NULL, *old, **t;
	gnutls_privkey_t pk = NULL;
	int r;

	*ret_created = 0;
	if (stir_signer_name_check(name) != STIR_OK) {
		r = STIR_EINVAL;
		goto out;
	}
	if (!p11_url_ok(url, len)) {
		r = STIR_EINVAL;
		goto out;
	}
	if ((r = p11_key_new(name, url, len, &k)) != STIR_OK)
		goto out;
	(void)pthread_mutex_lock(&s->change);
	(void)pthread_rwlock_rdlock(&s->lock);
	old = key_find(s, name);
	if (old != NULL)
		r = old->url != NULL && strcmp(old->url, k->url) == 0 ? STIR_OK : STIR_EEXIST;
	(void)pthread_rwlock_unlock(&s->lock);
	if (old != NULL)
		goto unlock;		/* registered already (r OK) or taken */
	/* a key that does not open is not registered */
	if ((r = p11_open(k->url, &pk, &k->info)) != STIR_OK)
		goto unlock;
	if ((r = key_write_file(s, name, P11_SUFFIX, k->url, strlen(k->url))) != STIR_OK)
		goto unlock;
	k->pk = pk;
	pk = NULL;
	(void)pthread_rwlock_wrlock(&s->lock);
	if ((t = realloc(s->keys, (s->nkeys + 1) * sizeof(*t))) == NULL)
		r = STIR_ENOMEM;	/* the file is there; reload picks it up */
	else {
		s->keys = t;
		s->keys[s->nkeys++] = k;
		k = NULL;
		*ret_created = 1;
	}
	(void)pthread_rwlock_unlock(&s->lock);
 unlock:
	(void)pthread_mutex_unlock(&s->change);
 out:
	gnutls_privkey_deinit(pk);
	key_free(k);
	sodium_memzero(url, len);
	return r;
}

static int
local_sign_batch(struct stir_signer *base, struct stir_sign_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		items[i].r = local_sign(base, items[i].key_id, items[i].tbs,
		    items[i].tbs_len, items[i].sig, &items[i].sig_len);
	return STIR_OK;
}

static void
local_status(struct stir_signer *base, struct stir_signer_status *st)
{
	(void)base;
	st->mode = "in-process";
}

static bool
local_cpu_only(struct stir_signer *base, const char *key_id)
{
	struct signer_local *s = (struct signer_local *)base;
	struct signer_key *k;
	bool r;

	(void)pthread_rwlock_rdlock(&s->lock);
	r = (k = key_find(s, key_id)) != NULL && !k->pkcs11 && k->pk != NULL;
	(void)pthread_rwlock_unlock(&s->lock);
	return r;
}

static const struct stir_signer_ops local_ops = {
	.free = local_free,
	.reload = local_reload,
	.set_flags = local_set_flags,
	.status = local_status,
	.sign = local_sign,
	.sign_batch = local_sign_batch,
	.cpu_only = local_cpu_only,
	.pubkey_der = local_pubkey_der,
	.key_generate = local_key_generate,
	.key_import = local_key_import,
	.key_remove = local_key_remove,
	.pkcs11_register = local_pkcs11_register,
	.key_list = local_key_list,
};
