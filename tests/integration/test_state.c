/*
 * test_state.c: one declared state for many hosts (issue 14, part 2):
 * `stirctl export DIR` on one stird and `stirctl apply DIR` on a second,
 * fresh one (its own directory, database and sockets; the same key file
 * copied into its key_dir) reproduce the state exactly: the same digest,
 * byte-identical exports.  A dry run changes nothing, a second apply
 * reports no changes, a broken file or a missing key changes nothing,
 * and what DIR no longer holds is removed.  Two real daemons; outcomes
 * and digests are asserted, never durations.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "harness.h"

#define POLICY	"{\"name\":\"front\",\"match\":{\"cred\":\"sp\"},\"rcd\":{\"nam\":\"Front Desk\"}}"
#define ANSWERS	"12155550100"

static struct h A, B;		/* A is provisioned; B starts empty */
static char out[H_OUT_MAX];
static char dir[H_PATH_MAX];	/* A's export */

/* The result of `stirctl --json ARGS` on h (exit status 0), parsed. */
static json_t *ctl_json(struct h *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static json_t *
ctl_json(struct h *h, const char *fmt, ...)
{
	char args[2048];
	va_list ap;
	json_t *v;

	va_start(ap, fmt);
	(void)vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	ck_assert_msg(h_ctl(h, NULL, out, sizeof(out), "--json %s", args) == 0,
	    "stirctl --json %s failed: %s", args, out);
	v = json_loads(out, 0, NULL);
	ck_assert_msg(v != NULL, "not JSON: %s", out);
	return v;
}

/* h's state digest, from status. */
static void
digest_of(struct h *h, char ret[65])
{
	json_t *st = ctl_json(h, "status");
	const char *d = json_string_value(json_object_get(st, "state_digest"));

	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(strlen(d), 64);
	snprintf(ret, 65, "%s", d);
	json_decref(st);
}

static size_t
rows(struct h *h, const char *list, const char *member)
{
	json_t *v = ctl_json(h, "%s", list);
	size_t n = json_array_size(json_object_get(v, member));

	json_decref(v);
	return n;
}

/*
 * A: the test CA, the SP CA as an RCD anchor, credential sp (key file),
 * RCD policy front bound to it, and connected_identity declared through
 * an apply of its own export.  dir: A's export.
 */
static void
setup(void)
{
	h_init(&A, NULL);
	ck_assert_msg(h_start(&A), "stird A did not start");
	h_provision(&A);
	ck_assert_int_eq(h_ctl(&A, NULL, out, sizeof(out), "trust add --rcd '%s/sp-ca.pem'", A.pki), 0);
	ck_assert_int_eq(h_sh(out, sizeof(out), "printf '%%s\\n' '%s' > '%s/front.json'", POLICY,
	    A.dir), 0);
	ck_assert_int_eq(h_ctl(&A, NULL, out, sizeof(out), "policy add '%s/front.json'", A.dir), 0);
	snprintf(dir, sizeof(dir), "%s/state", A.dir);
	ck_assert_int_eq(h_ctl(&A, NULL, out, sizeof(out), "export '%s'", dir), 0);
	ck_assert_int_eq(h_sh(out, sizeof(out),
	    "printf '{\"connected_identity\": \"%s\"}\\n' > '%s/settings.json'", ANSWERS, dir), 0);
	ck_assert_int_eq(h_ctl(&A, NULL, out, sizeof(out), "apply '%s'", dir), 0);
	ck_assert_ptr_nonnull(strstr(out, "+ setting connected_identity"));
	ck_assert_int_eq(h_ctl(&A, NULL, out, sizeof(out), "export '%s'", dir), 0);

	h_init(&B, NULL);
}

static void
teardown(void)
{
	h_teardown(&B);
	h_teardown(&A);
}

/* B holds the key A's credential names (copied, as a fleet's vault would). */
static void
start_b_with_key(void)
{
	ck_assert_int_eq(h_sh(out, sizeof(out), "cp -p '%s/sp.key' '%s/sp.key'", A.keys, B.keys), 0);
	ck_assert_msg(h_start(&B), "stird B did not start");
}

START_TEST(export_then_apply_on_a_fresh_host_reproduces_the_state)
{
	char da[65], db[65], b_dir[H_PATH_MAX];
	json_t *res;

	start_b_with_key();
	digest_of(&A, da);
	digest_of(&B, db);
	ck_assert_str_ne(da, db);

	res = ctl_json(&B, "apply '%s'", dir);
	ck_assert_int_eq(json_integer_value(json_object_get(res, "changed")), 5);
	ck_assert_str_eq(json_string_value(json_object_get(res, "digest_after")), da);
	ck_assert_str_eq(json_string_value(json_object_get(res, "digest_before")), db);
	json_decref(res);

	digest_of(&B, db);
	ck_assert_str_eq(da, db);
	snprintf(b_dir, sizeof(b_dir), "%s/state", B.dir);
	ck_assert_int_eq(h_ctl(&B, NULL, out, sizeof(out), "export '%s'", b_dir), 0);
	ck_assert_msg(h_sh(out, sizeof(out), "diff -r '%s' '%s'", dir, b_dir) == 0,
	    "the exports differ: %s", out);
	/* and B signs with it: the credential and the declared connected_identity */
	ck_assert_int_eq(h_ctl(&B, NULL, out, sizeof(out),
	    "sign --ppt rsp --orig 12155550199 --dest " ANSWERS), 0);
	ck_assert_int_ne(h_ctl(&B, NULL, out, sizeof(out),
	    "sign --ppt rsp --orig 12155550199 --dest 12155550101 2>&1"), 0);
	ck_assert_ptr_nonnull(strstr(out, "does not answer connected-identity requests"));
}
END_TEST

START_TEST(a_dry_run_reports_the_diff_and_changes_nothing)
{
	char before[65], after[65];
	json_t *res;

	start_b_with_key();
	digest_of(&B, before);
	res = ctl_json(&B, "apply --dry-run '%s'", dir);
	ck_assert(json_is_true(json_object_get(res, "dry_run")));
	ck_assert_int_eq(json_integer_value(json_object_get(res, "changed")), 5);
	json_decref(res);
	ck_assert_int_eq(h_ctl(&B, NULL, out, sizeof(out), "apply --dry-run '%s'", dir), 0);
	ck_assert_ptr_nonnull(strstr(out, "+ credential sp\n"));
	ck_assert_ptr_nonnull(strstr(out, "+ policy front\n"));
	ck_assert_int_eq(h_count(out, "+ trust "), 2);
	ck_assert_ptr_nonnull(strstr(out, "dry run: nothing was changed"));

	digest_of(&B, after);
	ck_assert_str_eq(before, after);
	ck_assert_uint_eq(rows(&B, "trust list", "anchors"), 0);
	ck_assert_uint_eq(rows(&B, "cred list", "credentials"), 0);
	ck_assert_uint_eq(rows(&B, "policy list", "policies"), 0);
}
END_TEST

START_TEST(a_second_apply_reports_no_changes)
{
	char d1[65], d2[65];
	json_t *res;

	start_b_with_key();
	ck_assert_int_eq(h_ctl(&B, NULL, out, sizeof(out), "apply '%s'", dir), 0);
	digest_of(&B, d1);
	res = ctl_json(&B, "apply '%s'", dir);
	ck_assert_int_eq(json_integer_value(json_object_get(res, "changed")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(res, "changes")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(res, "digest_before")), d1);
	ck_assert_str_eq(json_string_value(json_object_get(res, "digest_after")), d1);
	json_decref(res);
	ck_assert_int_eq(h_ctl(&B, NULL, out, sizeof(out), "apply '%s'", dir), 0);
	ck_assert_ptr_nonnull(strstr(out, "no changes\n"));
	digest_of(&B, d2);
	ck_assert_str_eq(d1, d2);
	/* and A, whose export it is, has nothing to change either */
	res = ctl_json(&A, "apply '%s'", dir);
	ck_assert_int_eq(json_integer_value(json_object_get(res, "changed")), 0);
	json_decref(res);
}
END_TEST

START_TEST(a_broken_file_changes_nothing_and_names_the_file_and_line)
{
	char before[65], after[65];

	start_b_with_key();
	digest_of(&B, before);
	/* a JSON syntax error on line 4 */
	ck_assert_int_eq(h_sh(out, sizeof(out), "printf '{\\n  \"key\": \"sp\",\\n"
	    "  \"x5u\": \"https://cert.example.org/sp.pem\"\\n  \"tns\": []\\n}\\n' > '%s/credentials/sp.json'",
	    dir), 0);
	ck_assert_int_eq(h_ctl(&B, NULL, out, sizeof(out), "apply '%s' 2>&1", dir), 2);
	ck_assert_msg(strstr(out, "credentials/sp.json:4:") != NULL, "%s", out);
	/* a PEM block (from line 3) that does not parse, beside a good anchor */
	ck_assert_int_eq(h_ctl(&A, NULL, out, sizeof(out), "export '%s'", dir), 0);
	ck_assert_int_eq(h_sh(out, sizeof(out), "printf 'a bundle\\n\\n-----BEGIN CERTIFICATE-----\\n"
	    "bm90IGEgY2VydGlmaWNhdGU=\\n-----END CERTIFICATE-----\\n' > '%s/trust/broken.pem'", dir), 0);
	ck_assert_int_eq(h_ctl(&B, NULL, out, sizeof(out), "apply '%s' 2>&1", dir), 2);
	ck_assert_msg(strstr(out, "trust/broken.pem:3:") != NULL, "%s", out);
	/* a member no credential has */
	ck_assert_int_eq(h_sh(out, sizeof(out), "rm '%s/trust/broken.pem' && printf '{\\n"
	    "  \"key\": \"sp\",\\n  \"x5u\": \"https://cert.example.org/sp.pem\",\\n  \"pin\": \"1234\"\\n}\\n'"
	    " > '%s/credentials/sp.json'", dir, dir), 0);
	ck_assert_int_eq(h_ctl(&B, NULL, out, sizeof(out), "apply '%s' 2>&1", dir), 2);
	ck_assert_msg(strstr(out, "credentials/sp.json:4: unknown field 'pin'") != NULL, "%s", out);
	/* a chain that is missing */
	ck_assert_int_eq(h_ctl(&A, NULL, out, sizeof(out), "export '%s'", dir), 0);
	ck_assert_int_eq(h_sh(out, sizeof(out), "rm '%s/credentials/sp.chain.pem'", dir), 0);
	ck_assert_int_eq(h_ctl(&B, NULL, out, sizeof(out), "apply '%s' 2>&1", dir), 2);
	ck_assert_msg(strstr(out, "credentials/sp.chain.pem: missing") != NULL, "%s", out);

	digest_of(&B, after);
	ck_assert_str_eq(before, after);
	ck_assert_uint_eq(rows(&B, "trust list", "anchors"), 0);
}
END_TEST

START_TEST(a_credential_whose_key_is_missing_fails_the_whole_apply)
{
	char before[65], after[65];

	/* B has no key file: the credential cannot be added, nor anything else */
	ck_assert_msg(h_start(&B), "stird B did not start");
	digest_of(&B, before);
	ck_assert_int_eq(h_ctl(&B, NULL, out, sizeof(out), "apply '%s' 2>&1", dir), 1);
	ck_assert_msg(strstr(out, "credential 'sp': no key named 'sp'") != NULL, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "nothing was changed"));
	digest_of(&B, after);
	ck_assert_str_eq(before, after);
	ck_assert_uint_eq(rows(&B, "trust list", "anchors"), 0);	/* dir holds two */
	ck_assert_uint_eq(rows(&B, "cred list", "credentials"), 0);
	/* the refusal is audited, as every admin change is */
	ck_assert_int_eq(h_ctl(&B, NULL, out, sizeof(out), "audit"), 0);
	ck_assert_ptr_nonnull(strstr(out, "state.apply"));
	ck_assert_ptr_nonnull(strstr(out, "EKEY"));
}
END_TEST

START_TEST(what_the_directory_no_longer_holds_is_removed)
{
	char sha[65];
	json_t *res, *anchors;
	size_t i;
	json_t *a;

	/* the RCD anchor's fingerprint, as the diff names it */
	anchors = ctl_json(&A, "trust list");
	sha[0] = '\0';
	json_array_foreach(json_object_get(anchors, "anchors"), i, a)
		if (json_is_true(json_object_get(a, "rcd")))
			snprintf(sha, sizeof(sha), "%s", json_string_value(json_object_get(a, "sha256")));
	json_decref(anchors);
	ck_assert_uint_eq(strlen(sha), 64);

	ck_assert_int_eq(h_sh(out, sizeof(out), "rm '%s'/policies/front.json '%s'/trust-rcd/*.pem"
	    " '%s'/credentials/sp.json '%s'/credentials/sp.chain.pem", dir, dir, dir, dir), 0);
	ck_assert_int_eq(h_ctl(&A, NULL, out, sizeof(out), "apply --dry-run '%s'", dir), 0);
	ck_assert_ptr_nonnull(strstr(out, "- policy front\n"));
	ck_assert_ptr_nonnull(strstr(out, "- credential sp\n"));
	ck_assert_int_eq(h_count(out, "- trust "), 1);
	ck_assert_ptr_nonnull(strstr(out, sha));
	ck_assert_uint_eq(rows(&A, "policy list", "policies"), 1);

	res = ctl_json(&A, "apply '%s'", dir);
	ck_assert_int_eq(json_integer_value(json_object_get(res, "changed")), 3);
	json_decref(res);
	ck_assert_uint_eq(rows(&A, "policy list", "policies"), 0);
	ck_assert_uint_eq(rows(&A, "cred list", "credentials"), 0);
	ck_assert_uint_eq(rows(&A, "trust list", "anchors"), 1);
	/* the key stays: keys are the host's, not the state's */
	ck_assert_uint_eq(rows(&A, "key list", "keys"), 1);
}
END_TEST

static Suite *
state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("state");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, export_then_apply_on_a_fresh_host_reproduces_the_state);
	tcase_add_test(tc, a_dry_run_reports_the_diff_and_changes_nothing);
	tcase_add_test(tc, a_second_apply_reports_no_changes);
	tcase_add_test(tc, a_broken_file_changes_nothing_and_names_the_file_and_line);
	tcase_add_test(tc, a_credential_whose_key_is_missing_fails_the_whole_apply);
	tcase_add_test(tc, what_the_directory_no_longer_holds_is_removed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return h_run(state_suite());
}
