/* test_signer.c: the local key store and ES256 signing (signer_local.c). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "daemon/stir/passport.h"
#include "daemon/keys/signer.h"
#include "tests/unit/test_util.h"

#define APPA_KEY	"rfc8225-appA-private-key.pem"
#define APPA_PUB	"rfc8225-appA-public-key.pem"
#define DERIVED_PUB	"derived-appA-public-key-from-private.pem"
#define DERIVED_SIG	"derived-appA-deterministic-signature.txt"
#define APPA_TOKEN	"rfc8225-appA-token.txt"

static char *dir;		/* key_dir of the current test (fixture) */
static struct stir_signer *sg;	/* opened by tests that need it */

static void
keydir_setup(void)
{
	size_t len;
	char *pem = tu_read_vector(APPA_KEY, &len), path[512];

	stir_log_init(STIR_LOG_ERR);
	dir = tu_mkdtemp();
	snprintf(path, sizeof(path), "%s/appa.key", dir);
	ck_assert_int_eq(tu_write_file(path, pem, len, 0600), 0);
	free(pem);
	sg = NULL;
}

static void
keydir_teardown(void)
{
	stir_signer_free(sg);
	sg = NULL;
	tu_rmtree(dir);
	free(dir);
	dir = NULL;
}

static void
open_signer(unsigned flags)
{
	ck_assert_int_eq(stir_signer_local_new(dir, flags, NULL, &sg), STIR_OK);
	ck_assert_ptr_nonnull(sg);
}

/* The App. A signing input "b64(header).b64(payload)". */
static char *
appa_signing_input(void)
{
	char *tbs = tu_vector_value(DERIVED_SIG, "Signing input (ASCII):", NULL);
	char *h = tu_vector_value(APPA_TOKEN, "BASE64URL(header):", NULL);
	char *p = tu_vector_value(APPA_TOKEN, "BASE64URL(payload):", NULL);
	char both[1024];

	snprintf(both, sizeof(both), "%s.%s", h, p);
	ck_assert_str_eq(tbs, both);		/* the two vectors agree */
	free(h);
	free(p);
	return tbs;
}

/* Verify raw r||s over data with a PEM public key from tests/vectors. */
static int
verify_rs(const char *pub_vector, const void *data, size_t len,
    const uint8_t sig[static STIR_ES256_SIG_LEN])
{
	gnutls_pubkey_t pub = NULL;
	size_t pemlen;
	char *pem = tu_read_vector(pub_vector, &pemlen);
	gnutls_datum_t pd = { (unsigned char *)pem, (unsigned)pemlen };
	gnutls_datum_t r = { (unsigned char *)sig, 32 };
	gnutls_datum_t s = { (unsigned char *)sig + 32, 32 };
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	gnutls_datum_t der = { NULL, 0 };
	int rc;

	ck_assert_int_eq(gnutls_pubkey_init(&pub), 0);
	ck_assert_int_eq(gnutls_pubkey_import(pub, &pd, GNUTLS_X509_FMT_PEM), 0);
	ck_assert_int_eq(gnutls_encode_rs_value(&der, &r, &s), 0);
	rc = gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_ECDSA_SHA256, 0, &d, &der);
	gnutls_free(der.data);
	gnutls_pubkey_deinit(pub);
	free(pem);
	return rc;
}

/* A base64url vector value as exactly 64 bytes. */
static void
sig_vector(const char *file, const char *label, uint8_t out[static STIR_ES256_SIG_LEN])
{
	char *b64 = tu_vector_value(file, label, NULL);
	uint8_t *bin = NULL;
	size_t n = 0;

	ck_assert_int_eq(stir_b64url_decode(b64, strlen(b64), &bin, &n), STIR_OK);
	ck_assert_uint_eq(n, STIR_ES256_SIG_LEN);
	memcpy(out, bin, n);
	free(bin);
	free(b64);
}

/* DER SubjectPublicKeyInfo of a PEM public key vector (free()). */
static uint8_t *
vector_spki(const char *pub_vector, size_t *ret_len)
{
	gnutls_pubkey_t pub = NULL;
	size_t pemlen;
	char *pem = tu_read_vector(pub_vector, &pemlen);
	gnutls_datum_t pd = { (unsigned char *)pem, (unsigned)pemlen }, der = { NULL, 0 };
	uint8_t *out;

	ck_assert_int_eq(gnutls_pubkey_init(&pub), 0);
	ck_assert_int_eq(gnutls_pubkey_import(pub, &pd, GNUTLS_X509_FMT_PEM), 0);
	ck_assert_int_eq(gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &der), 0);
	out = malloc(der.size);
	ck_assert_ptr_nonnull(out);
	memcpy(out, der.data, der.size);
	*ret_len = der.size;
	gnutls_free(der.data);
	gnutls_pubkey_deinit(pub);
	free(pem);
	return out;
}

static int
file_mode(const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) != 0)
		return -1;
	return (int)(st.st_mode & 07777);
}

START_TEST(deterministic_signature_matches_the_rfc6979_vector)
{
	uint8_t sig[STIR_SIG_MAX], want[STIR_ES256_SIG_LEN], again[STIR_SIG_MAX];
	char *tbs = appa_signing_input();
	size_t n = 0, n2 = 0;

	open_signer(STIR_SIGNER_FLAG_DETERMINISTIC);
	ck_assert_int_eq(stir_signer_sign(sg, "appa", (const uint8_t *)tbs, strlen(tbs),
	    sig, &n), STIR_OK);
	ck_assert_uint_eq(n, STIR_ES256_SIG_LEN);
	sig_vector(DERIVED_SIG, "JWS signature (raw r||s", want);
	ck_assert_mem_eq(sig, want, STIR_ES256_SIG_LEN);
	ck_assert_int_eq(stir_signer_sign(sg, "appa", (const uint8_t *)tbs, strlen(tbs),
	    again, &n2), STIR_OK);
	ck_assert_mem_eq(sig, again, STIR_ES256_SIG_LEN);
	free(tbs);
}
END_TEST

START_TEST(signature_verifies_with_the_derived_public_key)
{
	uint8_t sig[STIR_SIG_MAX];
	char *tbs = appa_signing_input();
	size_t n = 0;

	open_signer(STIR_SIGNER_FLAG_DETERMINISTIC);
	ck_assert_int_eq(stir_signer_sign(sg, "appa", (const uint8_t *)tbs, strlen(tbs),
	    sig, &n), STIR_OK);
	ck_assert_int_ge(verify_rs(DERIVED_PUB, tbs, strlen(tbs), sig), 0);
	/* and not over other bytes */
	ck_assert_int_eq(verify_rs(DERIVED_PUB, tbs, strlen(tbs) - 1, sig),
	    GNUTLS_E_PK_SIG_VERIFY_FAILED);
	free(tbs);
}
END_TEST

START_TEST(randomized_signatures_differ_and_both_verify)
{
	uint8_t a[STIR_SIG_MAX], b[STIR_SIG_MAX];
	char *tbs = appa_signing_input();
	size_t n = 0;

	open_signer(0);
	ck_assert_int_eq(stir_signer_sign(sg, "appa", (const uint8_t *)tbs, strlen(tbs),
	    a, &n), STIR_OK);
	ck_assert_int_eq(stir_signer_sign(sg, "appa", (const uint8_t *)tbs, strlen(tbs),
	    b, &n), STIR_OK);
	ck_assert_uint_eq(n, STIR_ES256_SIG_LEN);
	ck_assert(memcmp(a, b, STIR_ES256_SIG_LEN) != 0);
	ck_assert_int_ge(verify_rs(DERIVED_PUB, tbs, strlen(tbs), a), 0);
	ck_assert_int_ge(verify_rs(DERIVED_PUB, tbs, strlen(tbs), b), 0);
	free(tbs);
}
END_TEST

START_TEST(derived_vector_signature_verifies_with_the_derived_key)
{
	uint8_t want[STIR_ES256_SIG_LEN];
	char *tbs = appa_signing_input();

	sig_vector(DERIVED_SIG, "JWS signature (raw r||s", want);
	ck_assert_int_ge(verify_rs(DERIVED_PUB, tbs, strlen(tbs), want), 0);
	free(tbs);
}
END_TEST

/* RFC 8225 App. A defect: the printed signature verifies with no key. */
START_TEST(printed_appendix_a_signature_does_not_verify)
{
	uint8_t printed[STIR_ES256_SIG_LEN];
	char *tbs = appa_signing_input();

	sig_vector(APPA_TOKEN, "Signature as printed", printed);
	ck_assert_int_eq(verify_rs(APPA_PUB, tbs, strlen(tbs), printed),
	    GNUTLS_E_PK_SIG_VERIFY_FAILED);
	ck_assert_int_eq(verify_rs(DERIVED_PUB, tbs, strlen(tbs), printed),
	    GNUTLS_E_PK_SIG_VERIFY_FAILED);
	free(tbs);
}
END_TEST

START_TEST(pubkey_der_is_the_spki_of_the_derived_public_key)
{
	size_t wantlen = 0, len = 0, n = 0;
	uint8_t *want = vector_spki(DERIVED_PUB, &wantlen), *der = NULL, fp[32];
	struct stir_key_info *ki = NULL;
	char hex[65];

	open_signer(0);
	ck_assert_int_eq(stir_signer_pubkey_der(sg, "appa", &der, &len), STIR_OK);
	ck_assert_uint_eq(len, wantlen);
	ck_assert_mem_eq(der, want, len);
	ck_assert_int_eq(stir_signer_key_list(sg, &ki, &n), STIR_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ki[0].name, "appa");
	ck_assert_str_eq(ki[0].type, "EC P-256");
	ck_assert_int_eq(gnutls_hash_fast(GNUTLS_DIG_SHA256, want, wantlen, fp), 0);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", fp[i]);
	ck_assert_str_eq(ki[0].spki_sha256, hex);
	free(ki);
	free(der);
	free(want);
}
END_TEST

START_TEST(unknown_key_is_enoent)
{
	uint8_t sig[STIR_SIG_MAX], *der = (uint8_t *)"untouched";
	size_t n = 77;

	open_signer(0);
	ck_assert_int_eq(stir_signer_sign(sg, "nosuchkey", (const uint8_t *)"x", 1,
	    sig, &n), STIR_ENOENT);
	ck_assert_uint_eq(n, 77);
	ck_assert_int_eq(stir_signer_pubkey_der(sg, "nosuchkey", &der, &n), STIR_ENOENT);
	ck_assert_str_eq((const char *)der, "untouched");
}
END_TEST

START_TEST(group_or_world_writable_key_dir_is_eperm)
{
	ck_assert_int_eq(chmod(dir, 0770), 0);
	ck_assert_int_eq(stir_signer_local_new(dir, 0, NULL, &sg), STIR_EPERM);
	ck_assert_ptr_null(sg);
	ck_assert_int_eq(chmod(dir, 0702), 0);
	ck_assert_int_eq(stir_signer_local_new(dir, 0, NULL, &sg), STIR_EPERM);
	ck_assert_ptr_null(sg);
	ck_assert_int_eq(chmod(dir, 0750), 0);		/* readable is fine */
	open_signer(0);
}
END_TEST

START_TEST(missing_key_dir_is_created_0700_and_a_file_is_refused)
{
	char sub[512], file[512];

	snprintf(sub, sizeof(sub), "%s/keys", dir);
	ck_assert_int_eq(stir_signer_local_new(sub, 0, NULL, &sg), STIR_OK);
	ck_assert_int_eq(file_mode("keys"), 0700);
	stir_signer_free(sg);
	sg = NULL;
	snprintf(file, sizeof(file), "%s/appa.key", dir);
	ck_assert_int_eq(stir_signer_local_new(file, 0, NULL, &sg), STIR_EIO);
	ck_assert_ptr_null(sg);
}
END_TEST

START_TEST(key_file_readable_by_others_is_not_loaded)
{
	struct stir_key_info *ki = NULL;
	uint8_t sig[STIR_SIG_MAX];
	char path[512];
	size_t n = 99;

	snprintf(path, sizeof(path), "%s/appa.key", dir);
	ck_assert_int_eq(chmod(path, 0644), 0);
	open_signer(0);
	ck_assert_int_eq(stir_signer_key_list(sg, &ki, &n), STIR_OK);
	ck_assert_uint_eq(n, 0);
	free(ki);
	ck_assert_int_eq(stir_signer_sign(sg, "appa", (const uint8_t *)"x", 1, sig, &n),
	    STIR_ENOENT);
	/* chmod and reload: now it is */
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(stir_signer_reload(sg), STIR_OK);
	ck_assert_int_eq(stir_signer_sign(sg, "appa", (const uint8_t *)"x", 1, sig, &n),
	    STIR_OK);
}
END_TEST

START_TEST(files_that_are_not_keys_are_skipped)
{
	struct stir_key_info *ki = NULL;
	char path[512];
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/junk.key", dir);
	ck_assert_int_eq(tu_write_file(path, "not a key\n", 10, 0600), 0);
	snprintf(path, sizeof(path), "%s/.hidden.key", dir);
	ck_assert_int_eq(tu_write_file(path, "x", 1, 0600), 0);
	snprintf(path, sizeof(path), "%s/README", dir);
	ck_assert_int_eq(tu_write_file(path, "x", 1, 0600), 0);
	open_signer(0);
	ck_assert_int_eq(stir_signer_key_list(sg, &ki, &n), STIR_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ki[0].name, "appa");
	free(ki);
}
END_TEST

START_TEST(generate_import_list_remove_round_trip)
{
	size_t len, n = 0, dlen = 0;
	char *pem = tu_read_vector(APPA_KEY, &len), *pub = NULL, *gpub = NULL;
	char *want = tu_read_vector(DERIVED_PUB, NULL);
	struct stir_key_info *ki = NULL;
	uint8_t sig[STIR_SIG_MAX], *der = NULL;
	char path[512];

	open_signer(0);
	ck_assert_int_eq(stir_signer_key_generate(sg, "gen-1", &gpub), STIR_OK);
	ck_assert_ptr_nonnull(strstr(gpub, "-----BEGIN PUBLIC KEY-----\n"));
	ck_assert_int_eq(file_mode("gen-1.key"), 0600);
	ck_assert_int_eq(stir_signer_key_import(sg, "imported_2", pem, len, &pub), STIR_OK);
	for (size_t i = 0; i < len; i++)	/* the caller's copy is wiped */
		ck_assert_int_eq(pem[i], 0);
	ck_assert_str_eq(pub, want);
	ck_assert_int_eq(file_mode("imported_2.key"), 0600);
	ck_assert_int_eq(stir_signer_key_list(sg, &ki, &n), STIR_OK);
	ck_assert_uint_eq(n, 3);
	free(ki);
	ck_assert_int_eq(stir_signer_sign(sg, "gen-1", (const uint8_t *)"x", 1, sig, &n),
	    STIR_OK);
	ck_assert_int_eq(stir_signer_pubkey_der(sg, "imported_2", &der, &dlen), STIR_OK);
	free(der);
	/* a new signer sees the keys on disk */
	stir_signer_free(sg);
	open_signer(0);
	ck_assert_int_eq(stir_signer_key_list(sg, &ki, &n), STIR_OK);
	ck_assert_uint_eq(n, 3);
	free(ki);
	ck_assert_int_eq(stir_signer_key_remove(sg, "gen-1"), STIR_OK);
	ck_assert_int_eq(file_mode("gen-1.key"), -1);
	ck_assert_int_eq(stir_signer_key_remove(sg, "gen-1"), STIR_ENOENT);
	ck_assert_int_eq(stir_signer_sign(sg, "gen-1", (const uint8_t *)"x", 1, sig, &n),
	    STIR_ENOENT);
	ck_assert_int_eq(stir_signer_key_list(sg, &ki, &n), STIR_OK);
	ck_assert_uint_eq(n, 2);
	free(ki);
	snprintf(path, sizeof(path), "%s/" STIR_KEY_TMP_PREFIX "gen-1", dir);
	ck_assert_int_ne(access(path, F_OK), 0);	/* no temp file left */
	snprintf(path, sizeof(path), "%s/" STIR_KEY_TMP_PREFIX "imported_2", dir);
	ck_assert_int_ne(access(path, F_OK), 0);
	free(gpub);
	free(pub);
	free(want);
	free(pem);
}
END_TEST

START_TEST(import_of_garbage_is_ekey_and_wiped)
{
	char junk[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
	char *pub = NULL;
	size_t len = strlen(junk);

	open_signer(0);
	ck_assert_int_eq(stir_signer_key_import(sg, "junk", junk, len, &pub), STIR_EKEY);
	ck_assert_ptr_null(pub);
	for (size_t i = 0; i < len; i++)
		ck_assert_int_eq(junk[i], 0);
	ck_assert_int_eq(file_mode("junk.key"), -1);
}
END_TEST

START_TEST(import_of_a_p384_key_is_ekey)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	char *copy, *pub = NULL;

	ck_assert_int_eq(gnutls_x509_privkey_init(&xk), 0);
	ck_assert_int_eq(gnutls_x509_privkey_generate(xk, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1), 0), 0);
	ck_assert_int_eq(gnutls_x509_privkey_export2_pkcs8(xk, GNUTLS_X509_FMT_PEM, NULL,
	    GNUTLS_PKCS_PLAIN, &pem), 0);
	copy = strndup((const char *)pem.data, pem.size);
	open_signer(0);
	ck_assert_int_eq(stir_signer_key_import(sg, "p384", copy, pem.size, &pub),
	    STIR_EKEY);
	for (size_t i = 0; i < pem.size; i++)	/* refused, and wiped */
		ck_assert_int_eq(copy[i], 0);
	ck_assert_int_eq(file_mode("p384.key"), -1);
	free(copy);
	gnutls_free(pem.data);
	gnutls_x509_privkey_deinit(xk);
}
END_TEST

START_TEST(duplicate_key_name_is_eexist)
{
	size_t len;
	char *pem = tu_read_vector(APPA_KEY, &len), *pub = NULL;
	char path[512];

	open_signer(0);
	ck_assert_int_eq(stir_signer_key_generate(sg, "appa", &pub), STIR_EEXIST);
	ck_assert_ptr_null(pub);
	ck_assert_int_eq(stir_signer_key_import(sg, "appa", pem, len, &pub), STIR_EEXIST);
	ck_assert_ptr_null(pub);
	free(pem);
	/* a file that is there but was not loaded is not replaced either */
	snprintf(path, sizeof(path), "%s/unloaded.key", dir);
	ck_assert_int_eq(tu_write_file(path, "x", 1, 0644), 0);
	ck_assert_int_eq(stir_signer_key_generate(sg, "unloaded", &pub), STIR_EEXIST);
	ck_assert_ptr_null(pub);
	ck_assert_int_eq(file_mode("unloaded.key"), 0644);
}
END_TEST

START_TEST(invalid_key_names_are_einval)
{
	static const char *const bad[] = { "", ".hidden", "a/b", "../x", "a b",
	    "k\xc3\xa9y", "x;y", NULL };
	char longest[STIR_KEY_NAME_MAX + 2];
	size_t len;
	char *pem = tu_read_vector(APPA_KEY, &len), *pub = NULL;

	ck_assert_int_eq(stir_signer_name_check("a-Z_0.9"), STIR_OK);
	memset(longest, 'k', STIR_KEY_NAME_MAX);
	longest[STIR_KEY_NAME_MAX] = '\0';
	ck_assert_int_eq(stir_signer_name_check(longest), STIR_OK);
	open_signer(0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *name = bad[i];

		if (name == NULL) {		/* one byte over the limit */
			longest[STIR_KEY_NAME_MAX] = 'k';
			longest[STIR_KEY_NAME_MAX + 1] = '\0';
			name = longest;
		}
		ck_assert_msg(stir_signer_name_check(name) == STIR_EINVAL, "'%s'", name);
		ck_assert_int_eq(stir_signer_key_generate(sg, name, &pub), STIR_EINVAL);
		ck_assert_int_eq(stir_signer_key_remove(sg, name), STIR_EINVAL);
	}
	ck_assert_int_eq(stir_signer_key_import(sg, "../evil", pem, len, &pub), STIR_EINVAL);
	ck_assert_ptr_null(pub);
	free(pem);
}
END_TEST

/* The names of the loaded key files, sorted, space-separated. */
static void
loaded(char *out, size_t outlen)
{
	struct stir_key_info *ki = NULL;
	size_t n = 0;

	ck_assert_int_eq(stir_signer_key_list(sg, &ki, &n), STIR_OK);
	qsort(ki, n, sizeof(*ki), (int (*)(const void *, const void *))strcmp);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), outlen - strlen(out), "%s%s",
		    i ? " " : "", ki[i].name);
	free(ki);
}

static void
dir_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

/* LOW 11: a FIFO would block open(2) until a writer came; O_NONBLOCK. */
START_TEST(fifo_key_file_is_refused_without_blocking)
{
	uint8_t sig[STIR_SIG_MAX];
	char path[512], names[256];
	size_t n = 0;

	dir_path("x.key", path, sizeof(path));
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	open_signer(0);
	loaded(names, sizeof(names));
	ck_assert_str_eq(names, "appa");
	ck_assert_int_eq(stir_signer_sign(sg, "x", (const uint8_t *)"x", 1, sig, &n),
	    STIR_ENOENT);
	ck_assert_int_eq(stir_signer_reload(sg), STIR_OK);	/* SIGHUP too */
	loaded(names, sizeof(names));
	ck_assert_str_eq(names, "appa");
}
END_TEST

START_TEST(symlinked_key_file_is_refused)
{
	char path[512], names[256];

	dir_path("link.key", path, sizeof(path));
	ck_assert_int_eq(symlink("appa.key", path), 0);
	open_signer(0);
	loaded(names, sizeof(names));
	ck_assert_str_eq(names, "appa");
}
END_TEST

/* Another name for a key is refused, and so is the key it shares. */
START_TEST(hard_linked_key_file_is_refused)
{
	char path[512], other[512], names[256];

	dir_path("appa.key", path, sizeof(path));
	dir_path("hard.key", other, sizeof(other));
	ck_assert_int_eq(link(path, other), 0);
	open_signer(0);
	loaded(names, sizeof(names));
	ck_assert_str_eq(names, "");
	ck_assert_int_eq(unlink(other), 0);
	ck_assert_int_eq(stir_signer_reload(sg), STIR_OK);
	loaded(names, sizeof(names));
	ck_assert_str_eq(names, "appa");
}
END_TEST

START_TEST(key_file_of_another_user_is_refused)
{
	char path[512], names[256];

	if (geteuid() != 0) {
		fprintf(stderr, "key_file_of_another_user_is_refused: skipped: "
		    "only root can give a file to another user\n");
		return;
	}
	dir_path("appa.key", path, sizeof(path));
	ck_assert_int_eq(chown(path, 1, 1), 0);
	open_signer(0);
	loaded(names, sizeof(names));
	ck_assert_str_eq(names, "");
	ck_assert_int_eq(chown(path, 0, 0), 0);		/* root's is fine */
	ck_assert_int_eq(stir_signer_reload(sg), STIR_OK);
	loaded(names, sizeof(names));
	ck_assert_str_eq(names, "appa");
}
END_TEST

/*
 * LOW 13: a crash inside key_write_file() leaves a temporary file with a
 * private key, possibly still linked to the new key file.
 */
START_TEST(leftover_temp_files_are_removed_at_open)
{
	static const char *const gone[] = { STIR_KEY_TMP_PREFIX "gen-1",
	    STIR_KEY_TMP_PREFIX "linked", ".old.tmp" };
	char path[512], other[512], names[256];
	size_t len;
	char *pem = tu_read_vector(APPA_KEY, &len);

	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		dir_path(gone[i], path, sizeof(path));
		ck_assert_int_eq(tu_write_file(path, pem, len, 0600), 0);
	}
	/* the crash came between link() and unlink() */
	dir_path(STIR_KEY_TMP_PREFIX "linked", path, sizeof(path));
	dir_path("linked.key", other, sizeof(other));
	ck_assert_int_eq(link(path, other), 0);
	/* not ours to remove: a symlink, a directory, other names */
	dir_path(STIR_KEY_TMP_PREFIX "sym", path, sizeof(path));
	ck_assert_int_eq(symlink("appa.key", path), 0);
	dir_path(STIR_KEY_TMP_PREFIX "dir", path, sizeof(path));
	ck_assert_int_eq(mkdir(path, 0700), 0);
	dir_path("notes.tmp", path, sizeof(path));
	ck_assert_int_eq(tu_write_file(path, "x", 1, 0600), 0);
	open_signer(0);
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		dir_path(gone[i], path, sizeof(path));
		ck_assert_msg(access(path, F_OK) != 0 && errno == ENOENT, "%s", gone[i]);
	}
	ck_assert_int_eq(file_mode(STIR_KEY_TMP_PREFIX "sym"), 0600);	/* appa's */
	ck_assert_int_eq(file_mode(STIR_KEY_TMP_PREFIX "dir"), 0700);
	ck_assert_int_eq(file_mode("notes.tmp"), 0600);
	loaded(names, sizeof(names));
	ck_assert_str_eq(names, "appa linked");
	free(pem);
}
END_TEST

START_TEST(temp_file_of_another_user_is_left_alone)
{
	char path[512];

	if (geteuid() != 0) {
		fprintf(stderr, "temp_file_of_another_user_is_left_alone: skipped: "
		    "only root can give a file to another user\n");
		return;
	}
	dir_path(STIR_KEY_TMP_PREFIX "theirs", path, sizeof(path));
	ck_assert_int_eq(tu_write_file(path, "x", 1, 0600), 0);
	ck_assert_int_eq(chown(path, 1, 1), 0);
	open_signer(0);
	ck_assert_int_eq(file_mode(STIR_KEY_TMP_PREFIX "theirs"), 0600);
}
END_TEST

/* gnutls's own PEM decoding of the first block labelled label. */
static void
gnutls_der(const char *label, const char *pem, size_t len, gnutls_datum_t *der)
{
	gnutls_datum_t in = { (unsigned char *)pem, (unsigned)len };

	ck_assert_int_eq(gnutls_pem_base64_decode2(label, &in, der), 0);
}

/* LOW 10: the decode helper, which is all that sees PEM text. */
START_TEST(pem_decode_gives_the_der_in_locked_memory)
{
	size_t len, dlen = 0;
	char *pem = tu_read_vector(APPA_KEY, &len), *crlf;
	gnutls_datum_t want = { NULL, 0 };
	enum stir_pem_kind kind = 0;
	uint8_t *der = NULL;

	gnutls_der("PRIVATE KEY", pem, len, &want);
	ck_assert_int_eq(stir_signer_pem_decode(pem, len, &der, &dlen, &kind), STIR_OK);
	ck_assert_int_eq(kind, STIR_PEM_PKCS8);
	ck_assert_uint_eq(dlen, want.size);
	ck_assert_mem_eq(der, want.data, dlen);
	sodium_free(der);
	/* CRLF lines, and text before the block */
	crlf = calloc(1, 2 * len + 64);
	strcpy(crlf, "comment line\r\n");
	for (size_t i = 0; i < len; i++) {
		if (pem[i] == '\n')
			strcat(crlf, "\r");
		strncat(crlf, pem + i, 1);
	}
	der = NULL;
	ck_assert_int_eq(stir_signer_pem_decode(crlf, strlen(crlf), &der, &dlen, &kind),
	    STIR_OK);
	ck_assert_uint_eq(dlen, want.size);
	ck_assert_mem_eq(der, want.data, dlen);
	sodium_free(der);
	gnutls_free(want.data);
	free(crlf);
	free(pem);
}
END_TEST

/* Refused: the outputs are untouched and nothing is left allocated. */
START_TEST(pem_decode_refuses_what_is_no_plain_key_block)
{
	static const char *const bad[] = {
		"",
		"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n",
		"-----BEGIN PRIVATE KEY-----",
		"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n",
		"-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n",
		"-----BEGIN PRIVATE KEY-----MIGHAgEAMBMG\n-----END PRIVATE KEY-----\n",
		"-----BEGIN PRIVATE KEY-----\nMIGHAgEA#BMG\n-----END PRIVATE KEY-----\n",
		"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n-----END EC PRIVATE KEY-----\n",
		"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIGHAgEAMBMG\n"
		    "-----END ENCRYPTED PRIVATE KEY-----\n",
		"-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
		    "DEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n\n"
		    "MIGHAgEAMBMG\n-----END EC PRIVATE KEY-----\n",
	};
	uint8_t *der = (uint8_t *)"untouched";
	enum stir_pem_kind kind = 77;
	size_t dlen = 99;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(stir_signer_pem_decode(bad[i], strlen(bad[i]), &der, &dlen,
		    &kind) == STIR_EKEY, "bad[%zu]", i);
		ck_assert_str_eq((const char *)der, "untouched");
		ck_assert_uint_eq(dlen, 99);
		ck_assert_int_eq(kind, 77);
	}
}
END_TEST

/*
 * SEC1 after an EC PARAMETERS block, as "openssl ecparam -genkey" writes
 * it: the App. A key through "openssl pkey -traditional" (SEC1 with the
 * curve; GnuTLS's own SEC1 export leaves it out and cannot be read back).
 */
START_TEST(sec1_key_after_ec_parameters_imports)
{
	static const char sec1[] =
	    "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
	    "-----BEGIN EC PRIVATE KEY-----\n"
	    "MHcCAQEEIIu6tk2bzfVQxYPFcqgj9OmxE60dr/DEb6/Pa5+IvlAGoAoGCCqGSM49\n"
	    "AwEHoUQDQgAEFn2o9R1BE6aDQqzrafSgPKNFe/SLlgESrfQtXBT5MndxQT+EnojW\n"
	    "cUIQ6w9LXQR5bN/8BXvPvithaz8kBfb7oQ==\n"
	    "-----END EC PRIVATE KEY-----\n";
	char *want = tu_read_vector(DERIVED_PUB, NULL), *text, *pub = NULL;
	enum stir_pem_kind kind = 0;
	uint8_t *der = NULL;
	size_t dlen = 0;

	ck_assert_int_eq(stir_signer_pem_decode(sec1, strlen(sec1), &der, &dlen, &kind),
	    STIR_OK);
	ck_assert_int_eq(kind, STIR_PEM_SEC1);
	ck_assert_uint_eq(dlen, 121);
	ck_assert_uint_eq(der[0], 0x30);
	sodium_free(der);
	open_signer(0);
	text = strdup(sec1);
	ck_assert_int_eq(stir_signer_key_import(sg, "sec1", text, strlen(sec1), &pub), STIR_OK);
	ck_assert_str_eq(pub, want);
	free(pub);
	free(text);
	free(want);
}
END_TEST

/* Every refusal wipes the caller's PEM, as stir_signer_key_import() says. */
START_TEST(refused_imports_wipe_the_pem)
{
	size_t len;
	char *pem = tu_read_vector(APPA_KEY, &len), *copy = malloc(len), *pub = NULL;
	char *big = calloc(1, STIR_KEY_FILE_MAX + 1);
	struct { const char *name; size_t len; int want; } cases[] = {
		{ "../evil", len, STIR_EINVAL },
		{ "appa", len, STIR_EEXIST },
		{ "cut", len - 40, STIR_EKEY },
	};

	open_signer(0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(copy, pem, len);
		ck_assert_int_eq(stir_signer_key_import(sg, cases[i].name, copy,
		    cases[i].len, &pub), cases[i].want);
		ck_assert_ptr_null(pub);
		for (size_t j = 0; j < cases[i].len; j++)
			ck_assert_msg(copy[j] == 0, "case %zu byte %zu", i, j);
	}
	memcpy(big, pem, len);
	memset(big + len, 'A', STIR_KEY_FILE_MAX + 1 - len);
	ck_assert_int_eq(stir_signer_key_import(sg, "big", big, STIR_KEY_FILE_MAX + 1,
	    &pub), STIR_ETOOBIG);
	for (size_t j = 0; j < STIR_KEY_FILE_MAX + 1; j++)
		ck_assert_msg(big[j] == 0, "byte %zu", j);
	free(big);
	free(copy);
	free(pem);
}
END_TEST

/* The file key.generate writes is PKCS#8 PEM in 64-character lines. */
START_TEST(generated_key_file_is_pkcs8_pem)
{
	char path[512], *pub = NULL, *text, *line, *save = NULL;
	gnutls_x509_privkey_t xk = NULL;
	gnutls_datum_t in;
	size_t len;

	open_signer(0);
	ck_assert_int_eq(stir_signer_key_generate(sg, "gen", &pub), STIR_OK);
	dir_path("gen.key", path, sizeof(path));
	text = tu_read_file(path, &len);
	ck_assert_ptr_nonnull(text);
	in.data = (unsigned char *)text;
	in.size = (unsigned)len;
	ck_assert_int_eq(gnutls_x509_privkey_init(&xk), 0);
	ck_assert_int_eq(gnutls_x509_privkey_import_pkcs8(xk, &in, GNUTLS_X509_FMT_PEM,
	    NULL, GNUTLS_PKCS_PLAIN), 0);
	ck_assert_int_eq(gnutls_x509_privkey_get_pk_algorithm(xk), GNUTLS_PK_ECDSA);
	ck_assert_int_eq(text[len - 1], '\n');
	ck_assert(strncmp(text, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		ck_assert_uint_le(strlen(line), 64);
	gnutls_x509_privkey_deinit(xk);
	free(text);
	free(pub);
}
END_TEST

static Suite *
signer_suite(void)
{
	Suite *s = suite_create("signer");
	TCase *tc = tcase_create("sign");
	TCase *tk = tcase_create("keystore");

	tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
	tcase_add_checked_fixture(tc, keydir_setup, keydir_teardown);
	tcase_add_test(tc, deterministic_signature_matches_the_rfc6979_vector);
	tcase_add_test(tc, signature_verifies_with_the_derived_public_key);
	tcase_add_test(tc, randomized_signatures_differ_and_both_verify);
	tcase_add_test(tc, derived_vector_signature_verifies_with_the_derived_key);
	tcase_add_test(tc, printed_appendix_a_signature_does_not_verify);
	tcase_add_test(tc, pubkey_der_is_the_spki_of_the_derived_public_key);
	tcase_add_test(tc, unknown_key_is_enoent);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(tk, tu_root_setup, tu_root_teardown);
	tcase_add_checked_fixture(tk, keydir_setup, keydir_teardown);
	tcase_set_timeout(tk, 30);
	tcase_add_test(tk, group_or_world_writable_key_dir_is_eperm);
	tcase_add_test(tk, missing_key_dir_is_created_0700_and_a_file_is_refused);
	tcase_add_test(tk, key_file_readable_by_others_is_not_loaded);
	tcase_add_test(tk, files_that_are_not_keys_are_skipped);
	tcase_add_test(tk, generate_import_list_remove_round_trip);
	tcase_add_test(tk, import_of_garbage_is_ekey_and_wiped);
	tcase_add_test(tk, import_of_a_p384_key_is_ekey);
	tcase_add_test(tk, duplicate_key_name_is_eexist);
	tcase_add_test(tk, invalid_key_names_are_einval);
	tcase_add_test(tk, fifo_key_file_is_refused_without_blocking);
	tcase_add_test(tk, symlinked_key_file_is_refused);
	tcase_add_test(tk, hard_linked_key_file_is_refused);
	tcase_add_test(tk, key_file_of_another_user_is_refused);
	tcase_add_test(tk, leftover_temp_files_are_removed_at_open);
	tcase_add_test(tk, temp_file_of_another_user_is_left_alone);
	tcase_add_test(tk, pem_decode_gives_the_der_in_locked_memory);
	tcase_add_test(tk, pem_decode_refuses_what_is_no_plain_key_block);
	tcase_add_test(tk, sec1_key_after_ec_parameters_imports);
	tcase_add_test(tk, refused_imports_wipe_the_pem);
	tcase_add_test(tk, generated_key_file_is_pkcs8_pem);
	suite_add_tcase(s, tk);
	return s;
}

int
main(void)
{
	return tu_run(signer_suite());
}
