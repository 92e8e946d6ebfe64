/* test_signer.c: the local key store and ES256 signing (signer_local.c). */
#include "config.h"

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

#include "stirclient.h"
#include "daemon/log.h"
#include "daemon/passport.h"
#include "daemon/signer.h"
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
	snprintf(path, sizeof(path), "%s/.gen-1.tmp", dir);
	ck_assert_int_ne(access(path, F_OK), 0);	/* no temp file left */
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
	ck_assert_int_eq(stir_signer_key_import(sg, "p384", copy, strlen(copy), &pub),
	    STIR_EKEY);
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
	suite_add_tcase(s, tk);
	return s;
}

int
main(void)
{
	return tu_run(signer_suite());
}
