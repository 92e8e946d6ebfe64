/*
 * test_callinfo.c: the SIP Call-Info values of Rich Call Data (RFC 9796,
 * daemon/stir/callinfo.c): the rcd_call_info word list, the values a
 * verification service passes on (checked against the RFC's section 6 to
 * 8 examples, unfolded) and the call-reason a compact ppt=rcd PASSporT's
 * crn is rebuilt from (RFC 9795 9.3; the RFC 9796 section 5 and 6
 * examples).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "stirclient.h"
#include "daemon/stir/callinfo.h"
#include "tests/unit/test_util.h"

#define ALL_PARTS	(STIR_CI_ICON | STIR_CI_JCARD | STIR_CI_JCD | STIR_CI_REASON | \
	STIR_CI_NAME | STIR_CI_VERIFIED | STIR_CI_INTEGRITY)

/* ---- rcd_call_info ---- */

static unsigned
mask_ok(const char *list)
{
	unsigned m = 0xdead;
	char msg[160] = "";

	ck_assert_msg(stir_callinfo_mask(list, &m, msg, sizeof(msg)) == STIR_OK, "%s: %s", list,
	    msg);
	return m;
}

static void
mask_bad(const char *list, const char *what)
{
	unsigned m = 0xdead;
	char msg[160] = "";

	ck_assert_msg(stir_callinfo_mask(list, &m, msg, sizeof(msg)) == STIR_EINVAL, "%s", list);
	ck_assert_msg(strstr(msg, what) != NULL, "%s: '%s' lacks '%s'", list, msg, what);
	ck_assert_uint_eq(m, 0xdead);
}

START_TEST(test_mask)
{
	ck_assert_uint_eq(mask_ok(STIR_CI_DEFAULT), ALL_PARTS & ~(unsigned)STIR_CI_JCD);
	ck_assert_uint_eq(mask_ok("icon,jcard,jcd,call-reason,name,verified,integrity"),
	    ALL_PARTS);
	ck_assert_uint_eq(mask_ok("icon"), STIR_CI_ICON);
	ck_assert_uint_eq(mask_ok("  , verified ,, integrity , "),
	    STIR_CI_VERIFIED | STIR_CI_INTEGRITY);
	ck_assert_uint_eq(mask_ok("jcd jcd call-reason"), STIR_CI_JCD | STIR_CI_REASON);
	ck_assert_uint_eq(mask_ok("none"), 0);
	ck_assert_uint_eq(mask_ok(" none"), 0);
	ck_assert_uint_eq(mask_ok(""), 0);

	mask_bad("icon, jcards", "'jcards' is not one of");
	mask_bad("ICON", "'ICON'");
	mask_bad("icon;jcard", "'icon;jcard'");
	mask_bad("none, icon", "'none'");
	mask_bad("icon none", "'none'");
	mask_bad("call_reason", "'call_reason'");
	mask_bad("verified=true", "'verified=true'");
	/* a long word is cut in the message */
	mask_bad("iconiconiconiconiconiconiconiconiconicon", "'iconiconiconiconiconiconiconicon'");
}
END_TEST

/* ---- values as RFC 9796 writes them ---- */

static void
value_is(const char *uri, const char *purpose, const char *reason, const char *integrity,
    unsigned mask, const char *want)
{
	char *got = stir_callinfo_value(uri, purpose, reason, integrity, mask);

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
}

#define Q256	"https://example.com/photos/q-256x256.png"
#define Q256_D	"sha256-RojgWwU6xUtI4q82+kHPyHm1JKbm7+663bMvzymhkl4"
#define NELLIE	"Rendezvous for Little Nellie"

/*
 * RFC 9796 8, as printed (folded):
 *   Call-Info: <https://example.com/photos/q-256x256.png>;purpose=
 *    icon;verified="true";integrity="sha256-RojgWwU6xUtI4q82+kHPyHm
 *    1JKbm7+663bMvzymhkl4"
 *   Call-Info: <data:>;purpose=jcard;call-reason="Rendezvous for
 *    Little Nellie";verified="true"
 *   Call-Info: <data:>;purpose=jcard;verified="true"
 */
START_TEST(test_value_rfc9796_s8)
{
	value_is(Q256, "icon", NULL, Q256_D, STIR_CI_VERIFIED | STIR_CI_INTEGRITY,
	    "<https://example.com/photos/q-256x256.png>;purpose=icon;verified=\"true\";"
	    "integrity=\"sha256-RojgWwU6xUtI4q82+kHPyHm1JKbm7+663bMvzymhkl4\"");
	value_is("data:", "jcard", NELLIE, NULL, STIR_CI_REASON | STIR_CI_VERIFIED,
	    "<data:>;purpose=jcard;call-reason=\"Rendezvous for Little Nellie\";verified=\"true\"");
	value_is("data:", "jcard", NULL, NULL, STIR_CI_NAME | STIR_CI_VERIFIED,
	    "<data:>;purpose=jcard;verified=\"true\"");
	/* everything the default passes on gives the same */
	value_is(Q256, "icon", NULL, Q256_D, ALL_PARTS,
	    "<" Q256 ">;purpose=icon;verified=\"true\";integrity=\"" Q256_D "\"");
}
END_TEST

/*
 * RFC 9796 6 and 7:
 *   Call-Info: <https://example.com/jbond.json>;purpose=jcard;
 *    call-reason="For your ears only"
 *   Call-Info: <data:>;purpose=jcard;
 *    call-reason="For your ears only"
 *   Call-Info: <https://example.com/jbond.png>;purpose=icon;
 *    verified="true"
 */
START_TEST(test_value_rfc9796_s6_s7)
{
	value_is("https://example.com/jbond.json", "jcard", "For your ears only", NULL, 0,
	    "<https://example.com/jbond.json>;purpose=jcard;call-reason=\"For your ears only\"");
	value_is("data:", "jcard", "For your ears only", NULL, 0,
	    "<data:>;purpose=jcard;call-reason=\"For your ears only\"");
	value_is("https://example.com/jbond.png", "icon", NULL, NULL, STIR_CI_VERIFIED,
	    "<https://example.com/jbond.png>;purpose=icon;verified=\"true\"");
	value_is("https://example.com/qbranch.json", "jcard", NULL, NULL, 0,
	    "<https://example.com/qbranch.json>;purpose=jcard");
}
END_TEST

START_TEST(test_value_params)
{
	/* verified and integrity only with their bits; integrity only when given */
	value_is(Q256, "icon", NULL, Q256_D, 0, "<" Q256 ">;purpose=icon");
	value_is(Q256, "icon", NULL, Q256_D, STIR_CI_INTEGRITY,
	    "<" Q256 ">;purpose=icon;integrity=\"" Q256_D "\"");
	value_is(Q256, "icon", NULL, NULL, STIR_CI_INTEGRITY, "<" Q256 ">;purpose=icon");
	/* a quoted-string: '"' and '\' escaped, control characters dropped */
	value_is("data:", "jcard", "Say \"hi\" \\ bye", NULL, 0,
	    "<data:>;purpose=jcard;call-reason=\"Say \\\"hi\\\" \\\\ bye\"");
	value_is("data:", "jcard", "a\r\nb\tc\x01\x7f" "d\xc3\xa9", NULL, 0,
	    "<data:>;purpose=jcard;call-reason=\"abcd\xc3\xa9\"");
	value_is("data:", "jcard", "", NULL, 0, "<data:>;purpose=jcard;call-reason=\"\"");
}
END_TEST

/* The largest value: every character escaped, every parameter. */
START_TEST(test_value_bounds)
{
	char reason[STIR_CI_REASON_MAX + 1], want[2 * STIR_CI_REASON_MAX + 200], *got;
	int n;

	memset(reason, '"', STIR_CI_REASON_MAX);
	reason[STIR_CI_REASON_MAX] = '\0';
	n = snprintf(want, sizeof(want), "<data:>;purpose=jcard;call-reason=\"");
	for (int i = 0; i < STIR_CI_REASON_MAX; i++)
		n += snprintf(want + n, sizeof(want) - (size_t)n, "\\\"");
	snprintf(want + n, sizeof(want) - (size_t)n, "\";verified=\"true\";integrity=\"%s\"",
	    Q256_D);
	got = stir_callinfo_value("data:", "jcard", reason, Q256_D, ALL_PARTS);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
}
END_TEST

/* ---- call-reason out of received Call-Info ---- */

static void
reason_is(const char *header, const char *want)
{
	char out[STIR_CI_REASON_MAX + 1];

	memset(out, 'Z', sizeof(out));
	ck_assert_msg(stir_callinfo_reason(header, out, sizeof(out)) == STIR_OK, "%s", header);
	ck_assert_str_eq(out, want);
}

static void
reason_fails(const char *header, int want)
{
	char out[STIR_CI_REASON_MAX + 1];

	ck_assert_msg(stir_callinfo_reason(header, out, sizeof(out)) == want, "%s", header);
}

/* RFC 9796 5, the data: URI example's Call-Info, unfolded ("\>" as printed). */
#define S5_DATA_JCARD "[\"vcard\",[[\"version\",{},\"text\",\"4.0\"],[\"fn\",{},\"text\"," \
	"\"Q Branch\"],[\"org\",{},\"text\",\"MI6;Q Branch Spy Gadgets\"],[\"photo\",{},\"uri\"," \
	"\"https://example.com/photos/quartermaster-256x256.png\"],[\"logo\",{},\"uri\"," \
	"\"https://example.com/logos/mi6-256x256.jpg\"],[\"logo\",{},\"uri\"," \
	"\"https://example.com/logos/mi6-64x64.jpg\"]]]"

START_TEST(test_reason_rfc9796)
{
	/* 6, unfolded with and without the space a fold leaves */
	reason_is("<https://example.com/jbond.json>;purpose=jcard; call-reason=\"For your ears only\"",
	    "For your ears only");
	reason_is("<https://example.com/jbond.json>;purpose=jcard;call-reason=\"For your ears only\"",
	    "For your ears only");
	reason_is("<data:>;purpose=jcard;\r\n call-reason=\"For your ears only\"",
	    "For your ears only");
	/* 5: a data: URI full of ';', ',' and '"' */
	reason_is("<data:application/json," S5_DATA_JCARD "\\>;purpose=jcard;call-reason=\""
	    NELLIE "\"", NELLIE);
	reason_is("<data:application/json," S5_DATA_JCARD ">;purpose=jcard;call-reason=\""
	    NELLIE "\"", NELLIE);
	/* 5, the cid: example */
	reason_is("<cid:12155551000@example.com>;purpose=jcard;\r\n call-reason=\"" NELLIE "\"",
	    NELLIE);
	/* 8, the three values as one header field, and as we write them */
	reason_is("<" Q256 ">;purpose=icon;verified=\"true\";integrity=\"" Q256_D "\", "
	    "<data:>;purpose=jcard;call-reason=\"" NELLIE "\";verified=\"true\", "
	    "<data:>;purpose=jcard;verified=\"true\"", NELLIE);
	/* 9 (verified unquoted there) */
	reason_is("<https://example.com/jbond.png>;purpose=icon;\r\n call-reason=\"For your ears "
	    "only\";verified=true;integrity=\r\n \"" Q256_D "\"", "For your ears only");
	/* 5 and 7: none */
	reason_fails("<https://example.com/qbranch.json>;purpose=jcard", STIR_ENOENT);
	reason_fails("<https://example.com/jbond.png>;purpose=icon;\r\n verified=\"true\", "
	    "<data:>;purpose=jcard;verified=\"true\"", STIR_ENOENT);
}
END_TEST

START_TEST(test_reason_forms)
{
	char *v, out[8];

	/* what stir_callinfo_value() writes comes back */
	v = stir_callinfo_value("data:", "jcard", "Say \"hi\" \\ bye", NULL, STIR_CI_VERIFIED);
	reason_is(v, "Say \"hi\" \\ bye");
	free(v);
	/* the first value that has one; a token; any case; blanks around '=' */
	reason_is("<a:>;purpose=icon, <b:>;call-reason=\"second\", <c:>;call-reason=\"third\"",
	    "second");
	reason_is("<data:>;purpose=jcard;call-reason=Delivery;verified=\"true\"", "Delivery");
	reason_is("<data:>;call-reason=Delivery, <x:>", "Delivery");
	reason_is("<data:>;Call-Reason=\"Mixed\"", "Mixed");
	reason_is("<data:>; call-reason \t= \"Spaced\"", "Spaced");
	reason_is("<data:>;call-reason=\"\"", "");
	reason_is("<data:>;call-reason=\"a, b; c <d>\"", "a, b; c <d>");
	/* not where it only looks like one: in a URI, a quoted-string, another name */
	reason_fails("<https://x.example/;call-reason=no>;purpose=icon", STIR_ENOENT);
	reason_is("<data:>;note=\"x;call-reason=no\";call-reason=\"yes\"", "yes");
	reason_fails("<data:>;call-reasons=\"no\"", STIR_ENOENT);
	reason_fails("<data:>;x-call-reason=\"no\"", STIR_ENOENT);
	reason_fails("<data:>;call-reason", STIR_ENOENT);
	reason_fails("call-reason=\"no\"", STIR_ENOENT);
	reason_fails("", STIR_ENOENT);
	/* malformed */
	reason_fails("<data:;call-reason=\"x\"", STIR_EINVAL);
	reason_fails("<data:>;call-reason=\"unterminated", STIR_EINVAL);
	reason_fails("<data:>;call-reason=\"unterminated\\\"", STIR_EINVAL);
	reason_fails("<data:>;note=\"unterminated;call-reason=x", STIR_EINVAL);
	/* exactly what fits, and one more byte */
	ck_assert_int_eq(stir_callinfo_reason("<d:>;call-reason=\"1234567\"", out, sizeof(out)),
	    STIR_OK);
	ck_assert_str_eq(out, "1234567");
	ck_assert_int_eq(stir_callinfo_reason("<d:>;call-reason=\"12345678\"", out, sizeof(out)),
	    STIR_EINVAL);
	ck_assert_int_eq(stir_callinfo_reason("<d:>;call-reason=1234567", out, sizeof(out)),
	    STIR_OK);
	ck_assert_str_eq(out, "1234567");
	ck_assert_int_eq(stir_callinfo_reason("<d:>;call-reason=12345678", out, sizeof(out)),
	    STIR_EINVAL);
	ck_assert_int_eq(stir_callinfo_reason("<d:>;call-reason=\"a\\\\b\\\"c\"", out, 6),
	    STIR_OK);
	ck_assert_str_eq(out, "a\\b\"c");
	ck_assert_int_eq(stir_callinfo_reason("<d:>;call-reason=\"a\"", out, 0), STIR_EINVAL);
}
END_TEST

static Suite *
callinfo_suite(void)
{
	Suite *s = suite_create("callinfo");
	TCase *tm = tcase_create("mask");
	TCase *tv = tcase_create("value");
	TCase *tr = tcase_create("reason");

	tcase_add_test(tm, test_mask);
	suite_add_tcase(s, tm);
	tcase_add_test(tv, test_value_rfc9796_s8);
	tcase_add_test(tv, test_value_rfc9796_s6_s7);
	tcase_add_test(tv, test_value_params);
	tcase_add_test(tv, test_value_bounds);
	suite_add_tcase(s, tv);
	tcase_add_test(tr, test_reason_rfc9796);
	tcase_add_test(tr, test_reason_forms);
	suite_add_tcase(s, tr);
	return s;
}

int
main(void)
{
	return tu_run(callinfo_suite());
}
