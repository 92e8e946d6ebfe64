/*
 * test_claim_constraints.c: JWT claim constraints (RFC 8226 section 8,
 * RFC 9118) end to end, issue 11 points 11 to 13: the real stird signs
 * and verifies with certificates this test makes (openssl, the
 * extension's DER given as hex), x5u served by tests/https-server.py.
 *
 *   cca     a CA under the root whose EnhancedJWTClaimConstraints exclude
 *           rcd and crn; ccee, an end entity it issues, has none
 *   void    mustInclude confidence, mustExclude iat: void (RFC 9118 s3)
 *   pinned  mustInclude rcd, rcd in { '{ "nam" : "Acme Pharmacy" }' }
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <jansson.h>

#include "harness.h"

static struct h H;
static char out[H_OUT_MAX];
static char x5u[64];

#define FROM	"'sip:+12155551212@example.com;user=phone'"
#define TO	"tel:+12125551213"

/* EnhancedJWTClaimConstraints values (extnValue contents) */
#define EXCLUDE_RCD_CRN	"300ea20c300a1603726364160363726e"
#define VOID_IAT	"3019a00e300c160a636f6e666964656e6365a20730051603696174"
#define PINNED_RCD	"3033a00730051603726364a128302630241603726364301d0c1b7b20226e616d22" \
			"203a202241636d6520506861726d61637922207d"

static const char pki_sh[] =
    "cd '%s' && cat >> ext.cnf <<EOF &&\n"
    "[cca]\nbasicConstraints = critical, CA:TRUE, pathlen:0\n"
    "keyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n"
    "authorityKeyIdentifier = keyid\n1.3.6.1.5.5.7.1.33 = DER:" EXCLUDE_RCD_CRN "\n"
    "[ccee]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n"
    "authorityKeyIdentifier = keyid\n1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_spc\n"
    "[void]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n"
    "1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_spc\n1.3.6.1.5.5.7.1.33 = DER:" VOID_IAT "\n"
    "[pinned]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n"
    "1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_spc\n1.3.6.1.5.5.7.1.33 = DER:" PINNED_RCD "\n"
    "EOF\n"
    "mk() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $1.key 2>/dev/null &&"
    " openssl req -new -key $1.key -subj /CN=$1 -config ext.cnf -out $1.csr &&"
    " openssl x509 -req -in $1.csr -CA $2.pem -CAkey $2.key -CAcreateserial -days 30"
    " -extfile ext.cnf -extensions $1 -out $1.pem 2>/dev/null && cat $1.pem $2.pem > $1-chain.pem &&"
    " cp $1-chain.pem '%s/'; } &&"
    " mk cca ca && mk ccee cca &&"
    " mk void inter && mk pinned inter";

static void
setup(void)
{
	h_init(&H, NULL);
	h_verifier_conf(&H, NULL);
	ck_assert_int_eq(h_sh(out, sizeof(out), pki_sh, H.pki, H.www), 0);
	ck_assert_msg(h_https_start(&H), "tests/https-server.py did not start");
	snprintf(x5u, sizeof(x5u), "https://127.0.0.1:%d", H.https_port);
	ck_assert_msg(h_start(&H), "stird did not start");
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust add '%s/ca.pem'", H.pki), 0);
	for (size_t i = 0; i < 3; i++) {
		static const char *const creds[] = { "ccee", "void", "pinned" };

		ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
		    "cred add %s --key '%s/%s.key' --chain '%s/%s-chain.pem' --x5u %s/%s-chain.pem",
		    creds[i], H.pki, creds[i], H.pki, creds[i], x5u, creds[i]), 0);
	}
}

static void
teardown(void)
{
	h_teardown(&H);
}

/* Write a policy file; returns its path (static). */
static const char *
policy_file(const char *name, const char *body)
{
	static char path[H_PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.json", H.dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(body, f);
	fclose(f);
	return path;
}

/*
 * A shaken PASSporT signed outside stird with cred's key, for the x5u
 * <x5u>/<cred>-chain.pem, with more claims (",..." or "").
 */
static char *
passport(const char *cred, const char *more)
{
	char hdr[512], pay[2048], info[256], key[64], params[320];

	snprintf(info, sizeof(info), "%s/%s-chain.pem", x5u, cred);
	snprintf(key, sizeof(key), "%s.key", cred);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\","
	    "\"x5u\":\"%s\"}", info);
	snprintf(pay, sizeof(pay), "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%ld,"
	    "\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"%s}",
	    (long)time(NULL), more);
	snprintf(params, sizeof(params), ";info=<%s>;alg=ES256;ppt=shaken", info);
	return h_jws(&H, key, hdr, pay, params);
}

/* stirctl verify of identity: the exit status; the identity's error code
 * (0 if valid) in *ret_code and the output in out. */
static int
verify(const char *identity, int *ret_code)
{
	int st = h_ctl(&H, NULL, out, sizeof(out), "verify --identity '%s' --from %s --to %s",
	    identity, FROM, TO);
	json_t *res = json_loads(out, 0, NULL), *id0;

	ck_assert_msg(res != NULL, "verify printed no JSON (exit %d): %s", st, out);
	id0 = json_array_get(json_object_get(res, "identities"), 0);
	*ret_code = (int)json_integer_value(json_object_get(json_object_get(id0, "error"), "code"));
	if (st == 0)
		ck_assert(json_is_true(json_object_get(id0, "valid")));
	json_decref(res);
	return st;
}

/* The PASSporT verifies as valid. */
static void
valid(char *identity)
{
	int code;

	ck_assert_msg(verify(identity, &code) == 0, "not valid: %s", out);
	ck_assert_int_eq(code, 0);
	free(identity);
}

/* The PASSporT fails with 438 and a detail saying why. */
static void
refused(char *identity, const char *why)
{
	int code;

	ck_assert_msg(verify(identity, &code) == 1, "not refused: %s", out);
	ck_assert_int_eq(code, 438);
	ck_assert_msg(strstr(out, why) != NULL, "no '%s' in %s", why, out);
	free(identity);
}

/* stirctl sign ARGS: the Identity value (static), or NULL if refused (out says why). */
static const char *
sign(const char *args)
{
	static char id[8192];

	if (h_ctl(&H, NULL, out, sizeof(out), "sign --orig 12155551212 --dest 12125551213 "
	    "--attest A %s 2>&1", args) != 0)
		return NULL;
	snprintf(id, sizeof(id), "%s", h_last_line(out));
	return id;
}

/*
 * Point 11: the extension is "applicable only to end-entity certificates"
 * (RFC 8226 section 8, RFC 9118 section 3).  A CA that excludes rcd and
 * crn in its own certificate does not constrain the end entity it issues.
 */
START_TEST(a_ca_certificates_claim_constraints_do_not_apply)
{
	const char *id;

	/* verify: rcd and crn under a CA that "excludes" them */
	valid(passport("ccee", ",\"crn\":\"Your appointment\",\"rcd\":{\"nam\":\"Acme Pharmacy\"}"));
	valid(passport("ccee", ""));
	/* sign: the credential has no constraints of its own */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy add '%s'",
	    policy_file("cc", "{\"name\":\"cc\",\"match\":{\"cred\":\"ccee\"},"
	    "\"rcd\":{\"nam\":\"Acme Pharmacy\"},\"reasons\":[\"Your appointment\"]}")), 0);
	ck_assert_msg((id = sign("--cred ccee --rcd --crn 'Your appointment'")) != NULL,
	    "refused: %s", out);
	valid(strdup(id));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "policy test --orig 12155551212 --cred ccee"), 0);
	ck_assert_ptr_null(strstr(out, "does not permit"));
}
END_TEST

/*
 * Point 12: "If one of these baseline PASSporT claims appears in the
 * mustExclude list, then the certificate MUST be treated as if the
 * extension was not present" (RFC 9118 section 3).  void's mustInclude
 * confidence therefore requires nothing.
 */
START_TEST(a_baseline_claim_in_must_exclude_voids_the_extension)
{
	const char *id;

	valid(passport("void", ""));
	valid(passport("void", ",\"confidence\":\"low\""));
	ck_assert_msg((id = sign("--cred void")) != NULL, "refused: %s", out);
	valid(strdup(id));
}
END_TEST

/*
 * Point 13: permittedValues of an object claim (RFC 9795 section 6.2):
 * the claim's RFC 8225 section 9 serialization against the listed value
 * re-serialized, so the CA's spaces do not matter.
 */
START_TEST(an_object_claim_matches_its_permitted_values_as_json)
{
	const char *id;

	valid(passport("pinned", ",\"rcd\":{\"nam\":\"Acme Pharmacy\"}"));
	refused(passport("pinned", ",\"rcd\":{\"nam\":\"Other Pharmacy\"}"),
	    "does not permit this value of claim 'rcd'");
	refused(passport("pinned", ",\"rcd\":{\"nam\":\"Acme Pharmacy\",\"apn\":\"Acme\"}"),
	    "does not permit this value of claim 'rcd'");
	/* a string claim is compared by its characters: the listed text
	 * matches (the RCD itself is then refused as not an object), the same
	 * JSON spaced otherwise does not */
	valid(passport("pinned", ",\"rcd\":\"{ \\\"nam\\\" : \\\"Acme Pharmacy\\\" }\""));
	refused(passport("pinned", ",\"rcd\":\"{\\\"nam\\\":\\\"Acme Pharmacy\\\"}\""),
	    "does not permit this value of claim 'rcd'");
	refused(passport("pinned", ""), "requires claim 'rcd'");

	/* signing: the policy's rcd is the permitted one */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy add '%s'",
	    policy_file("acme", "{\"name\":\"acme\",\"match\":{\"cred\":\"pinned\"},"
	    "\"rcd\":{\"nam\":\"Acme Pharmacy\"}}")), 0);
	ck_assert_msg((id = sign("--cred pinned --rcd")) != NULL, "refused: %s", out);
	valid(strdup(id));
	/* the certificate requires rcd: a plain call cannot be signed with it */
	ck_assert_ptr_null(sign("--cred pinned"));
	ck_assert_ptr_nonnull(strstr(out, "requires claim 'rcd'"));
	/* another name is not permitted */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy remove acme"), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy add '%s'",
	    policy_file("other", "{\"name\":\"other\",\"match\":{\"cred\":\"pinned\"},"
	    "\"rcd\":{\"nam\":\"Other Pharmacy\"}}")), 0);
	ck_assert_ptr_null(sign("--cred pinned --rcd"));
	ck_assert_ptr_nonnull(strstr(out, "does not permit this PASSporT"));
	ck_assert_ptr_nonnull(strstr(out, "does not permit this value of claim 'rcd'"));
}
END_TEST

static Suite *
claim_constraints_suite(void)
{
	Suite *s = suite_create("claim_constraints");
	TCase *tc = tcase_create("e2e");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_ca_certificates_claim_constraints_do_not_apply);
	tcase_add_test(tc, a_baseline_claim_in_must_exclude_voids_the_extension);
	tcase_add_test(tc, an_object_claim_matches_its_permitted_values_as_json);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return h_run(claim_constraints_suite());
}
