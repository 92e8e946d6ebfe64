/* test_creds.c: TN specs and credential selection (daemon/sign/creds.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "stirclient.h"
#include "daemon/pki/cert.h"
#include "daemon/sign/creds.h"
#include "daemon/base/log.h"
#include "tests/unit/test_util.h"

#define V_SPC	"# TNAuthList, single SPC '1234'"
#define V_ONE	"# TNAuthList, one TN '12155551212'"
#define V_RANGE	"# TNAuthList, range start '12155550000' count 100"

#define NOW	((time_t)1700000000)
#define LATER	((int64_t)2000000000)

/* ---- TN specs ---- */

static void
assert_spec(const char *s, enum stir_tnspec_type type, const char *a, const char *b)
{
	struct stir_tnspec sp;

	memset(&sp, 0x5a, sizeof(sp));
	ck_assert_msg(stir_tnspec_parse(s, &sp) == STIR_OK, "'%s' refused", s);
	ck_assert_int_eq(sp.type, type);
	ck_assert_str_eq(sp.a, a);
	ck_assert_str_eq(sp.b, b);
}

static void
assert_spec_refused(const char *s)
{
	struct stir_tnspec sp;

	memset(&sp, 0x5a, sizeof(sp));
	ck_assert_msg(stir_tnspec_parse(s, &sp) == STIR_EINVAL, "'%s' accepted", s);
	for (size_t i = 0; i < sizeof(sp); i++)		/* untouched */
		ck_assert_int_eq(((unsigned char *)&sp)[i], 0x5a);
}

static struct stir_tnspec
spec(const char *s)
{
	struct stir_tnspec sp;

	ck_assert_int_eq(stir_tnspec_parse(s, &sp), STIR_OK);
	return sp;
}

START_TEST(tnspec_parses_exact_prefix_and_range)
{
	assert_spec("12155551212", STIR_TNSPEC_EXACT, "12155551212", "");
	assert_spec("1215*", STIR_TNSPEC_PREFIX, "1215", "");
	assert_spec("12155550000-12155550999", STIR_TNSPEC_RANGE, "12155550000", "12155550999");
	assert_spec("5-5", STIR_TNSPEC_RANGE, "5", "5");
	assert_spec("123456789012345", STIR_TNSPEC_EXACT, "123456789012345", "");
	assert_spec("123456789012345*", STIR_TNSPEC_PREFIX, "123456789012345", "");
}
END_TEST

START_TEST(tnspec_range_of_unequal_lengths_is_refused)
{
	assert_spec_refused("1215555000-12155550999");
	assert_spec_refused("12155550000-1215555099");
	assert_spec_refused("1-2-3");
}
END_TEST

START_TEST(tnspec_reversed_range_is_refused)
{
	assert_spec_refused("12155550999-12155550000");
}
END_TEST

START_TEST(tnspec_with_letters_or_symbols_is_refused)
{
	assert_spec_refused("1215a551212");
	assert_spec_refused("+12155551212");
	assert_spec_refused("1215555121#");
	assert_spec_refused("12a5*");
	assert_spec_refused("1215555000a-12155550999");
	assert_spec_refused("12155550000-1215555099a");
	assert_spec_refused("1215 5551212");
}
END_TEST

START_TEST(tnspec_empty_or_bare_wildcard_is_refused)
{
	assert_spec_refused("");
	assert_spec_refused("*");
	assert_spec_refused("-");
	assert_spec_refused("1215**");
	assert_spec_refused("12*34");
	assert_spec_refused("*1215");
	assert_spec_refused("-12155550000");
}
END_TEST

START_TEST(tnspec_over_fifteen_digits_is_refused)
{
	assert_spec_refused("1234567890123456");
	assert_spec_refused("1234567890123456*");
	assert_spec_refused("1234567890123456-1234567890123457");
}
END_TEST

START_TEST(tnspec_covers_by_kind)
{
	struct stir_tnspec e = spec("12155551212"), p = spec("1215*");
	struct stir_tnspec r = spec("12155550000-12155550999");

	ck_assert(stir_tnspec_covers(&e, "12155551212"));
	ck_assert(!stir_tnspec_covers(&e, "121555512120"));
	ck_assert(!stir_tnspec_covers(&e, "1215555121"));
	ck_assert(stir_tnspec_covers(&p, "12155551212"));
	ck_assert(stir_tnspec_covers(&p, "1215"));
	ck_assert(!stir_tnspec_covers(&p, "1216"));
	ck_assert(!stir_tnspec_covers(&p, "121"));
	ck_assert(stir_tnspec_covers(&r, "12155550000"));
	ck_assert(stir_tnspec_covers(&r, "12155550999"));
	ck_assert(!stir_tnspec_covers(&r, "12155551000"));
	ck_assert(!stir_tnspec_covers(&r, "12155549999"));
	ck_assert(!stir_tnspec_covers(&r, "1215555050"));	/* shorter */
	ck_assert(!stir_tnspec_covers(&r, "121555505000"));	/* longer */
}
END_TEST

/* ---- credential selection ---- */

struct cred_def {
	const char	*name;
	const char	*tnauth;	/* label in derived-der-extensions.txt */
	const char	*specs[4];
	int64_t		 not_after;
};

static struct stir_creds *
make_creds(const struct cred_def *defs, size_t n)
{
	struct stir_creds *cs = calloc(1, sizeof(*cs));

	ck_assert_ptr_nonnull(cs);
	cs->refs = 1;		/* as stir_creds_load() makes one */
	cs->v = calloc(n + 1, sizeof(*cs->v));
	ck_assert_ptr_nonnull(cs->v);
	for (size_t i = 0; i < n; i++) {
		struct stir_cred *c = &cs->v[i];
		size_t len = 0, ns = 0;
		uint8_t *der = tu_der_vector(defs[i].tnauth, &len);

		c->name = strdup(defs[i].name);
		c->key_ref = strdup(defs[i].name);
		c->x5u = strdup("https://cert.example.org/c.pem");
		c->subject = strdup("CN=test");
		ck_assert_int_eq(stir_tnauth_decode(der, len, &c->tnauth), STIR_OK);
		free(der);
		while (ns < 4 && defs[i].specs[ns] != NULL)
			ns++;
		c->specs = calloc(ns + 1, sizeof(*c->specs));
		ck_assert_ptr_nonnull(c->specs);
		for (size_t k = 0; k < ns; k++)
			c->specs[k] = spec(defs[i].specs[k]);
		c->nspecs = ns;
		c->not_after = defs[i].not_after;
		cs->n++;
	}
	return cs;
}

static struct stir_ident
ident(const char *in)
{
	struct stir_ident id;
	char msg[128];

	ck_assert_int_eq(stir_ident_canon(in, &id, msg, sizeof(msg)), STIR_OK);
	return id;
}

/* Select for orig (and name); it must pick want. */
static void
assert_picks(const struct stir_creds *cs, const char *name, const char *orig,
    const char *want)
{
	const struct stir_cred *c = NULL;
	struct stir_ident id = ident(orig);
	char msg[256] = "";
	int r = stir_creds_select(cs, name, &id, NOW, &c, msg, sizeof(msg));

	ck_assert_msg(r == STIR_OK, "%s: %d: %s", orig, r, msg);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->name, want);
}

/* Select must fail with code and exactly message, leaving *ret alone. */
static void
assert_select_fails(const struct stir_creds *cs, const char *name, const char *orig,
    time_t now, int code, const char *message)
{
	const struct stir_cred *c = (const struct stir_cred *)cs;
	struct stir_ident id = ident(orig);
	char msg[256] = "";

	ck_assert_int_eq(stir_creds_select(cs, name, &id, now, &c, msg, sizeof(msg)), code);
	ck_assert_str_eq(msg, message);
	ck_assert_ptr_eq(c, (const void *)cs);
}

/* A table with every kind of match. */
static const struct cred_def mixed[] = {
	{ "spc", V_SPC, { NULL }, LATER },
	{ "prefix", V_SPC, { "1215*", NULL }, LATER },
	{ "range", V_SPC, { "1999*", "12155551200-12155551299", NULL }, LATER },
	{ "exact", V_SPC, { "12155551212", NULL }, LATER },
	{ "certrange", V_RANGE, { NULL }, LATER },
};
#define NMIXED	(sizeof(mixed) / sizeof(mixed[0]))

START_TEST(explicit_name_that_does_not_exist_is_enoent)
{
	struct stir_creds *cs = make_creds(mixed, NMIXED);

	assert_select_fails(cs, "nosuch", "12155551212", NOW, STIR_ENOENT,
	    "no credential named 'nosuch' (see 'stirctl cred list')");
	stir_creds_unref(cs);
}
END_TEST

START_TEST(explicit_credential_must_cover_orig)
{
	struct stir_creds *cs = make_creds(mixed, NMIXED);

	assert_picks(cs, "prefix", "+1 215 555 0000", "prefix");
	assert_picks(cs, "spc", "12155551212", "spc");	/* not the most specific */
	assert_select_fails(cs, "exact", "12155559999", NOW, STIR_EPOLICY,
	    "credential 'exact' does not cover the calling number 12155559999");
	assert_select_fails(cs, "certrange", "12155550100", NOW, STIR_EPOLICY,
	    "credential 'certrange' does not cover the calling number 12155550100");
	assert_select_fails(cs, "prefix", "sip:alice@example.com", NOW, STIR_EPOLICY,
	    "credential 'prefix' does not cover the calling number sip:alice@example.com");
	stir_creds_unref(cs);
}
END_TEST

START_TEST(most_specific_credential_wins)
{
	struct stir_creds *cs = make_creds(mixed, NMIXED);

	assert_picks(cs, NULL, "12155551212", "exact");		/* exact */
	assert_picks(cs, NULL, "12155551250", "range");		/* spec range */
	assert_picks(cs, NULL, "12155550050", "certrange");	/* certificate TNs */
	assert_picks(cs, NULL, "12159999999", "prefix");	/* prefix */
	assert_picks(cs, NULL, "19991234567", "range");		/* its other spec */
	assert_picks(cs, NULL, "13125550000", "spc");		/* the fallback */
	stir_creds_unref(cs);
}
END_TEST

START_TEST(longer_prefix_beats_shorter_prefix)
{
	static const struct cred_def defs[] = {
		{ "short", V_SPC, { "1*", NULL }, LATER },
		{ "long", V_SPC, { "12155*", NULL }, LATER },
		{ "mid", V_SPC, { "121*", NULL }, LATER },
	};
	struct stir_creds *cs = make_creds(defs, 3);

	assert_picks(cs, NULL, "12155550000", "long");
	assert_picks(cs, NULL, "12160000000", "mid");
	assert_picks(cs, NULL, "13000000000", "short");
	stir_creds_unref(cs);
}
END_TEST

START_TEST(operator_specs_cannot_widen_the_certificate)
{
	static const struct cred_def defs[] = {
		{ "one", V_ONE, { "1215*", NULL }, LATER },
	};
	struct stir_creds *cs = make_creds(defs, 1);

	assert_picks(cs, NULL, "12155551212", "one");
	assert_select_fails(cs, NULL, "12155550000", NOW, STIR_ENOENT,
	    "no credential covers the calling number 12155550000");
	assert_select_fails(cs, "one", "12155550000", NOW, STIR_EPOLICY,
	    "credential 'one' does not cover the calling number 12155550000");
	stir_creds_unref(cs);
}
END_TEST

START_TEST(equal_rank_uses_the_first_listed)
{
	static const struct cred_def defs[] = {
		{ "first", V_SPC, { "1215*", NULL }, LATER },
		{ "second", V_ONE, { "1215*", NULL }, LATER },
	};
	struct stir_creds *cs = make_creds(defs, 2);

	assert_picks(cs, NULL, "12155551212", "first");
	stir_creds_unref(cs);
}
END_TEST

START_TEST(single_spc_only_credential_is_the_fallback)
{
	static const struct cred_def defs[] = {
		{ "tns", V_RANGE, { NULL }, LATER },
		{ "shaken", V_SPC, { NULL }, LATER },
	};
	struct stir_creds *cs = make_creds(defs, 2);

	assert_picks(cs, NULL, "19995550000", "shaken");
	assert_picks(cs, NULL, "12155550001", "tns");
	stir_creds_unref(cs);
}
END_TEST

START_TEST(two_spc_only_credentials_are_ambiguous)
{
	static const struct cred_def defs[] = {
		{ "a", V_SPC, { NULL }, LATER },
		{ "b", V_SPC, { NULL }, LATER },
		{ "tn", V_ONE, { NULL }, LATER },
	};
	struct stir_creds *cs = make_creds(defs, 3);

	assert_select_fails(cs, NULL, "19995550000", NOW, STIR_EPOLICY,
	    "2 credentials could sign for 19995550000; name one with 'cred'");
	assert_select_fails(cs, NULL, "sip:alice@example.com", NOW, STIR_EPOLICY,
	    "2 credentials could sign for sip:alice@example.com; name one with 'cred'");
	assert_picks(cs, NULL, "12155551212", "tn");	/* a covering one still wins */
	assert_picks(cs, "b", "19995550000", "b");	/* naming one resolves it */
	stir_creds_unref(cs);
}
END_TEST

START_TEST(no_covering_credential_is_enoent)
{
	static const struct cred_def defs[] = {
		{ "tns", V_RANGE, { NULL }, LATER },
		{ "spec", V_SPC, { "1999*", NULL }, LATER },
	};
	struct stir_creds *cs = make_creds(defs, 2);

	assert_picks(cs, NULL, "19995550000", "spec");
	assert_select_fails(cs, NULL, "12125550000", NOW, STIR_ENOENT,
	    "no credential covers the calling number 12125550000");
	stir_creds_unref(cs);
	cs = make_creds(defs, 0);
	assert_select_fails(cs, NULL, "12125550000", NOW, STIR_ENOENT,
	    "no credential covers the calling number 12125550000");
	stir_creds_unref(cs);
}
END_TEST

START_TEST(expired_credential_is_ecert)
{
	static const struct cred_def defs[] = {
		{ "old", V_ONE, { NULL }, NOW },
		{ "spc", V_SPC, { NULL }, NOW + 1 },
	};
	struct stir_creds *cs = make_creds(defs, 2);

	/* rollover: the expired, more specific one is passed over */
	assert_picks(cs, NULL, "12155551212", "spc");
	assert_select_fails(cs, "old", "12155551212", NOW, STIR_ECERT,
	    "credential 'old' has expired; replace its certificate");
	assert_picks(cs, NULL, "19995550000", "spc");	/* one second left */
	assert_select_fails(cs, NULL, "19995550000", NOW + 1, STIR_ECERT,
	    "every credential covering 19995550000 has expired; replace its certificate");
	stir_creds_unref(cs);
}
END_TEST

START_TEST(uri_orig_can_only_use_spc_only_credentials)
{
	static const struct cred_def defs[] = {
		{ "tns", V_RANGE, { NULL }, LATER },
		{ "spec", V_SPC, { "1215*", NULL }, LATER },
		{ "shaken", V_SPC, { NULL }, LATER },
	};
	struct stir_creds *cs = make_creds(defs, 3);

	assert_picks(cs, NULL, "sip:alice@example.com", "shaken");
	assert_picks(cs, "shaken", "<sip:alice@example.com>;tag=1", "shaken");
	stir_creds_unref(cs);
	cs = make_creds(defs, 2);			/* without "shaken" */
	assert_select_fails(cs, NULL, "sip:alice@example.com", NOW, STIR_ENOENT,
	    "no credential covers the calling number sip:alice@example.com");
	assert_select_fails(cs, "tns", "sip:alice@example.com", NOW, STIR_EPOLICY,
	    "credential 'tns' does not cover the calling number sip:alice@example.com");
	stir_creds_unref(cs);
}
END_TEST

START_TEST(find_looks_up_by_exact_name)
{
	struct stir_creds *cs = make_creds(mixed, NMIXED);

	ck_assert_str_eq(stir_creds_find(cs, "range")->name, "range");
	ck_assert_ptr_null(stir_creds_find(cs, "Range"));
	ck_assert_ptr_null(stir_creds_find(cs, "rang"));
	stir_creds_unref(cs);
}
END_TEST

static Suite *
creds_suite(void)
{
	Suite *s = suite_create("creds");
	TCase *tt = tcase_create("tnspec");
	TCase *tc = tcase_create("select");

	tcase_add_test(tt, tnspec_parses_exact_prefix_and_range);
	tcase_add_test(tt, tnspec_range_of_unequal_lengths_is_refused);
	tcase_add_test(tt, tnspec_reversed_range_is_refused);
	tcase_add_test(tt, tnspec_with_letters_or_symbols_is_refused);
	tcase_add_test(tt, tnspec_empty_or_bare_wildcard_is_refused);
	tcase_add_test(tt, tnspec_over_fifteen_digits_is_refused);
	tcase_add_test(tt, tnspec_covers_by_kind);
	suite_add_tcase(s, tt);
	tcase_add_test(tc, explicit_name_that_does_not_exist_is_enoent);
	tcase_add_test(tc, explicit_credential_must_cover_orig);
	tcase_add_test(tc, most_specific_credential_wins);
	tcase_add_test(tc, longer_prefix_beats_shorter_prefix);
	tcase_add_test(tc, operator_specs_cannot_widen_the_certificate);
	tcase_add_test(tc, equal_rank_uses_the_first_listed);
	tcase_add_test(tc, single_spc_only_credential_is_the_fallback);
	tcase_add_test(tc, two_spc_only_credentials_are_ambiguous);
	tcase_add_test(tc, no_covering_credential_is_enoent);
	tcase_add_test(tc, expired_credential_is_ecert);
	tcase_add_test(tc, uri_orig_can_only_use_spc_only_credentials);
	tcase_add_test(tc, find_looks_up_by_exact_name);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	stir_log_init(STIR_LOG_ERR);
	return tu_run(creds_suite());
}
