/*
 * test_diversion.c: diversion chains (RFC 8946) as stir_div_link() links
 * them, and the identities of History-Info and Diversion header values
 * (stir_div_history()), in diversion.c.  Numbers follow the worked chain
 * of doc/extensions.md 1.4: 12155551212 calls ...213, which forwards to
 * ...214, which forwards to ...215.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "stirclient.h"
#include "daemon/verify/diversion.h"
#include "daemon/base/log.h"
#include "daemon/stir/tn.h"
#include "tests/unit/test_util.h"

#define A	"12155551212"	/* the caller */
#define B	"12155550000"	/* another caller */
#define N13	"12155551213"
#define N14	"12155551214"
#define N15	"12155551215"
#define N16	"12155551216"
#define NOWHERE	"12125559999"

#define MAXN	16

/* The PASSporTs of one test: in[i] points into hop[i]. */
static struct {
	struct stir_ident	orig, div;
	json_t			*dest;
} hop[MAXN];
static struct stir_div_in in[MAXN];
static struct stir_div_out out[MAXN];

/* Digits are a TN, anything else is canonicalized as a SIP field. */
static void
ident(const char *s, struct stir_ident *ret)
{
	char msg[160];

	memset(ret, 0, sizeof(*ret));
	if (strspn(s, "0123456789") == strlen(s)) {
		ret->kind = STIR_IDENT_TN;
		snprintf(ret->value, sizeof(ret->value), "%s", s);
		return;
	}
	ck_assert_msg(stir_ident_canon(s, ret, msg, sizeof(msg)) == STIR_OK, "%s: %s", s, msg);
}

/* dest as JSON text: "12155551213" alone is {"tn":["12155551213"]}. */
static json_t *
dest_of(const char *dest)
{
	json_error_t err;
	json_t *d;

	if (dest[0] != '{')
		d = json_pack("{s:[s]}", "tn", dest);
	else
		d = json_loads(dest, JSON_REJECT_DUPLICATES, &err);
	ck_assert_msg(d != NULL, "%s", dest);
	return d;
}

/* PASSporT i: an original (div NULL) or a hop; usable, no opt. */
static void
set(size_t i, const char *orig, const char *dest, const char *div)
{
	ck_assert_uint_lt(i, MAXN);
	json_decref(hop[i].dest);
	ident(orig, &hop[i].orig);
	hop[i].dest = dest_of(dest);
	memset(&hop[i].div, 0, sizeof(hop[i].div));
	if (div != NULL)
		ident(div, &hop[i].div);
	in[i].usable = true;
	in[i].is_div = div != NULL;
	in[i].orig = &hop[i].orig;
	in[i].dest = hop[i].dest;
	in[i].div = div != NULL ? &hop[i].div : NULL;
	in[i].opt = -1;
}

static void
teardown(void)
{
	for (size_t i = 0; i < MAXN; i++)
		json_decref(hop[i].dest);
	memset(hop, 0, sizeof(hop));
	memset(in, 0, sizeof(in));
}

/* Link in[0..n) with out[] filled with junk first. */
static void
link_n(size_t n, unsigned max_hops, const struct stir_ident *root)
{
	memset(out, 0x5a, sizeof(out));
	stir_div_link(in, n, max_hops, root, out);
}

static void
want_ok(size_t i, int parent, int depth, bool outermost)
{
	ck_assert_msg(out[i].code == 0, "%zu: code %d (%s)", i, out[i].code, out[i].detail);
	ck_assert_str_eq(out[i].detail, "");
	ck_assert_msg(out[i].parent == parent, "%zu: parent %d, want %d", i, out[i].parent,
	    parent);
	ck_assert_msg(out[i].depth == depth, "%zu: depth %d, want %d", i, out[i].depth, depth);
	ck_assert_msg(out[i].outermost == outermost, "%zu: outermost %d", i, out[i].outermost);
}

/* Not a hop (an original, or unusable): nothing linked, nothing failed. */
static void
want_none(size_t i)
{
	want_ok(i, -1, 0, false);
}

static void
want_fail(size_t i, const char *detail)
{
	ck_assert_msg(out[i].code == 438, "%zu: code %d, want 438", i, out[i].code);
	ck_assert_str_eq(out[i].detail, detail);
	ck_assert(!out[i].outermost);
}

#define UNLINKED_FMT "div %s is not the dest of any other PASSporT of the request"
static const char orig_changed[] =
    "orig changed along the diversion (RFC 8946: it must stay the original's)";
static const char earlier_failed[] = "an earlier hop of its diversion chain failed";
static const char loops[] = "the diversion chain loops";

static void
want_unlinked(size_t i, const char *div)
{
	char d[200];

	snprintf(d, sizeof(d), UNLINKED_FMT, div);
	want_fail(i, d);
	ck_assert_int_eq(out[i].parent, -1);
}

/* ---- stir_div_link ---- */

START_TEST(two_hop_chain_links)
{
	set(0, A, N13, NULL);		/* shaken */
	set(1, A, N14, N13);		/* div 213 -> 214 */
	set(2, A, N15, N14);		/* div 214 -> 215 */
	link_n(3, 5, NULL);
	want_none(0);
	want_ok(1, 0, 1, false);
	want_ok(2, 1, 2, true);
}
END_TEST

START_TEST(chain_links_in_any_order)
{
	/* Identity header fields are unordered (RFC 8946 4.2) */
	set(0, A, N15, N14);
	set(1, A, N13, NULL);
	set(2, A, N14, N13);
	link_n(3, 5, NULL);
	want_ok(0, 2, 2, true);
	want_none(1);
	want_ok(2, 1, 1, false);
}
END_TEST

START_TEST(uri_and_multi_valued_dest)
{
	/* a group dest: the div is one of its values */
	set(0, A, "{\"tn\":[\"" N13 "\",\"" N14 "\"]}", NULL);
	set(1, A, "{\"uri\":[\"sip:bob@example.org\"]}", N14);
	set(2, A, N15, "sip:bob@EXAMPLE.org;transport=tcp");
	link_n(3, 5, NULL);
	want_none(0);
	want_ok(1, 0, 1, false);
	want_ok(2, 1, 2, true);
	/* a URI div is not found among tn values, nor a TN among uri values */
	set(0, A, "{\"uri\":[\"sip:+12155551213@example.org\"]}", NULL);
	set(1, A, N14, N13);
	link_n(2, 5, NULL);
	want_unlinked(1, N13);
}
END_TEST

START_TEST(div_o_links_to_its_nested_original)
{
	set(0, A, N13, NULL);		/* an original shaken in the request */
	set(1, A, N13, NULL);		/* the original inside opt */
	set(2, A, N14, N13);		/* div-o */
	in[2].opt = 1;
	link_n(3, 5, NULL);
	want_none(0);
	want_none(1);
	want_ok(2, 1, 1, true);
	/* a div after a div-o */
	set(3, A, N15, N14);
	link_n(4, 5, NULL);
	want_ok(2, 1, 1, false);
	want_ok(3, 2, 2, true);
}
END_TEST

START_TEST(div_o_with_a_bad_nested_original_fails)
{
	set(0, A, N13, NULL);		/* would link, but opt names 1 */
	set(1, A, N13, NULL);
	set(2, A, N14, N13);
	in[2].opt = 1;
	in[1].usable = false;
	link_n(3, 5, NULL);
	want_none(0);
	want_none(1);
	want_fail(2, "the original PASSporT inside opt does not verify");
	ck_assert_int_eq(out[2].parent, -1);

	set(1, B, N13, NULL);
	link_n(3, 5, NULL);
	want_fail(2, "orig differs from that of the original inside opt");

	set(1, A, N16, NULL);
	link_n(3, 5, NULL);
	want_fail(2, "div is not the dest of the original inside opt");
}
END_TEST

START_TEST(nothing_to_link_fails_438)
{
	set(0, A, N13, NULL);
	set(1, A, N14, NOWHERE);
	link_n(2, 5, NULL);
	want_none(0);
	want_unlinked(1, NOWHERE);
	ck_assert_int_eq(out[1].depth, 0);
	/* a lone hop */
	set(0, A, N14, N13);
	link_n(1, 5, NULL);
	want_unlinked(0, N13);
	/* a hop whose own dest holds its div does not link to itself */
	set(0, A, "{\"tn\":[\"" N13 "\",\"" N14 "\"]}", N13);
	link_n(1, 5, NULL);
	want_unlinked(0, N13);
	/* the detail cuts a long URI div to 64 characters */
	{
		char uri[300], want[200], cut[65];

		memset(uri, 0, sizeof(uri));
		memcpy(uri, "sip:", 4);
		memset(uri + 4, 'x', 200);
		memcpy(uri + 204, "@example.org", 12);
		memcpy(cut, uri, 64);
		cut[64] = '\0';
		set(0, A, N14, uri);
		link_n(1, 5, NULL);
		snprintf(want, sizeof(want), UNLINKED_FMT, cut);
		want_fail(0, want);
	}
}
END_TEST

START_TEST(orig_changed_fails_438)
{
	set(0, B, N13, NULL);
	set(1, A, N14, N13);
	link_n(2, 5, NULL);
	want_fail(1, orig_changed);
	ck_assert_int_eq(out[1].parent, -1);
	/* along the chain, not only at the original */
	set(0, A, N13, NULL);
	set(1, A, N14, N13);
	set(2, B, N15, N14);
	link_n(3, 5, NULL);
	want_ok(1, 0, 1, true);
	want_fail(2, orig_changed);
	/* another PASSporT with the same orig is preferred to the changed one */
	set(0, B, N13, NULL);
	set(1, A, N13, NULL);
	set(2, A, N14, N13);
	link_n(3, 5, NULL);
	want_ok(2, 1, 1, true);
}
END_TEST

START_TEST(a_failing_hop_fails_the_hops_after_it)
{
	set(0, A, N13, NULL);
	set(1, A, N14, NOWHERE);	/* links nowhere */
	set(2, A, N15, N14);		/* diverts from 1 */
	set(3, A, N16, N15);		/* diverts from 2 */
	link_n(4, 5, NULL);
	want_none(0);
	want_unlinked(1, NOWHERE);
	want_fail(2, earlier_failed);
	ck_assert_int_eq(out[2].parent, 1);
	want_fail(3, earlier_failed);
	ck_assert_int_eq(out[3].parent, 2);
	/* the same, listed outermost first: the failure still spreads */
	set(0, A, N16, N15);
	set(1, A, N15, N14);
	set(2, A, N14, NOWHERE);
	set(3, A, N13, NULL);
	link_n(4, 5, NULL);
	want_fail(0, earlier_failed);
	want_fail(1, earlier_failed);
	want_unlinked(2, NOWHERE);
	want_none(3);
	/* a hop before the failure stays valid and becomes the outermost */
	set(0, A, N13, NULL);
	set(1, A, N14, N13);
	set(2, B, N15, N14);		/* orig changed */
	set(3, A, N16, N15);
	link_n(4, 5, NULL);
	want_ok(1, 0, 1, true);
	want_fail(2, orig_changed);
	want_fail(3, orig_changed);	/* 2 has another orig: no parent for 3 */
}
END_TEST

START_TEST(loops_fail)
{
	/* two hops diverting from each other, no original */
	set(0, A, N14, N13);
	set(1, A, N13, N14);
	link_n(2, 5, NULL);
	want_fail(0, loops);
	want_fail(1, loops);
	/* a loop of three next to a valid original elsewhere */
	set(0, A, N16, NULL);
	set(1, A, N14, N13);
	set(2, A, N15, N14);
	set(3, A, N13, N15);
	link_n(4, 5, NULL);
	want_none(0);
	want_fail(1, loops);
	want_fail(2, loops);
	want_fail(3, loops);
	/* a hop after the loop fails too */
	set(4, A, N16, N14);
	link_n(5, 5, NULL);
	ck_assert_int_eq(out[4].code, 438);
	ck_assert(!out[4].outermost);
	/* a div-o whose opt names itself */
	set(0, A, "{\"tn\":[\"" N13 "\",\"" N14 "\"]}", N13);
	in[0].opt = 0;
	link_n(1, 5, NULL);
	want_fail(0, loops);
}
END_TEST

START_TEST(more_than_max_hops_fail)
{
	set(0, A, N13, NULL);
	set(1, A, N14, N13);
	set(2, A, N15, N14);
	set(3, A, N16, N15);
	link_n(4, 3, NULL);
	want_ok(1, 0, 1, false);
	want_ok(2, 1, 2, false);
	want_ok(3, 2, 3, true);
	link_n(4, 2, NULL);
	want_ok(1, 0, 1, false);
	want_ok(2, 1, 2, true);
	want_fail(3, "more than 2 diversions (div_max_hops)");
	ck_assert_int_eq(out[3].parent, 2);
	ck_assert_int_eq(out[3].depth, 3);
	link_n(4, 1, NULL);
	want_ok(1, 0, 1, true);
	want_fail(2, "more than 1 diversions (div_max_hops)");
	want_fail(3, "more than 1 diversions (div_max_hops)");
	link_n(4, 0, NULL);
	want_none(0);
	want_fail(1, "more than 0 diversions (div_max_hops)");
	/* the limit is per chain, not per request: two chains of two */
	set(0, A, "{\"tn\":[\"" N13 "\",\"" N15 "\"]}", NULL);
	set(1, A, N14, N13);
	set(2, A, "12155552000", N14);
	set(3, A, N16, N15);
	set(4, A, "12155552001", N16);
	link_n(5, 2, NULL);
	want_ok(2, 1, 2, true);
	want_ok(4, 3, 2, true);
}
END_TEST

START_TEST(root_links_a_hop_from_to)
{
	struct stir_ident to, other;

	/* a response: the div PASSporTs came back without the original */
	ident(N13, &to);
	ident(N16, &other);
	set(0, A, N14, N13);
	set(1, A, N15, N14);
	link_n(2, 5, &to);
	want_ok(0, STIR_DIV_ROOT, 1, false);
	want_ok(1, 0, 2, true);
	/* without a root (a request), or another one, nothing links */
	link_n(2, 5, NULL);
	want_unlinked(0, N13);
	want_fail(1, earlier_failed);
	link_n(2, 5, &other);
	want_unlinked(0, N13);
	/* a PASSporT whose dest holds div comes before root */
	set(2, A, N13, NULL);
	link_n(3, 5, &to);
	want_ok(0, 2, 1, false);
	/* root is compared by kind and value */
	ident("sip:bob@example.org", &to);
	set(0, A, N14, "sip:bob@example.org;user=x");
	link_n(1, 5, &to);
	want_ok(0, STIR_DIV_ROOT, 1, true);
	/* but the orig-changed reason wins when a candidate had another orig */
	set(0, A, N14, N13);
	set(1, B, N13, NULL);
	ident(N16, &to);
	link_n(2, 5, &to);
	want_fail(0, orig_changed);
}
END_TEST

START_TEST(unusable_items_are_skipped)
{
	/* an unusable original is no parent */
	set(0, A, N13, NULL);
	set(1, A, N14, N13);
	in[0].usable = false;
	link_n(2, 5, NULL);
	want_none(0);
	want_unlinked(1, N13);
	/* another usable one is found */
	set(2, A, N13, NULL);
	link_n(3, 5, NULL);
	want_ok(1, 2, 1, true);
	/* an unusable hop is neither linked nor failed, nor a parent */
	set(0, A, N13, NULL);
	set(1, A, N14, N13);
	set(2, A, N15, N14);
	in[1].usable = false;
	link_n(3, 5, NULL);
	want_none(0);
	want_none(1);
	want_unlinked(2, N14);
	/* an unusable hop does not make the one it diverts from non-outermost */
	in[1].usable = true;
	in[2].usable = false;
	link_n(3, 5, NULL);
	want_ok(1, 0, 1, true);
	want_none(2);
	/* nothing at all */
	link_n(0, 5, NULL);
}
END_TEST

/* Identity headers are unordered (RFC 8946 4.2): a call forwarded back. */
START_TEST(the_order_of_the_headers_does_not_matter)
{
	/* 13 -> 14 -> 13 again: listed original first, then hops last first */
	set(0, A, N13, NULL);
	set(1, A, N14, N13);
	set(2, A, N13, N14);
	link_n(3, 5, NULL);
	want_ok(1, 0, 1, false);
	want_ok(2, 1, 2, true);
	set(0, A, N14, N13);
	set(1, A, N13, N14);
	set(2, A, N13, NULL);
	link_n(3, 5, NULL);
	want_ok(0, 2, 1, false);
	want_ok(1, 0, 2, true);
	want_none(2);
	/* the shortest way back wins, so a long detour does not hit the limit */
	set(0, A, N15, N13);		/* 13 -> 15, listed first */
	set(1, A, N14, N13);		/* 13 -> 14 */
	set(2, A, N13, N14);		/* 14 -> 13 */
	set(3, A, N13, NULL);		/* the original */
	link_n(4, 1, NULL);
	want_ok(0, 3, 1, true);
	want_ok(1, 3, 1, true);		/* what diverts from it failed */
	want_fail(2, "more than 1 diversions (div_max_hops)");
}
END_TEST

START_TEST(several_candidate_parents)
{
	/* two originals with the same dest (shaken and rcd): the first */
	set(0, A, N13, NULL);
	set(1, A, N13, NULL);
	set(2, A, N14, N13);
	link_n(3, 5, NULL);
	want_ok(2, 0, 1, true);
	/* the first with the hop's orig */
	set(0, B, N13, NULL);
	link_n(3, 5, NULL);
	want_ok(2, 1, 1, true);
	/* a fork: two hops from one original, both outermost */
	set(0, A, N13, NULL);
	set(1, A, N14, N13);
	set(2, A, N15, N13);
	link_n(3, 5, NULL);
	want_ok(1, 0, 1, true);
	want_ok(2, 0, 1, true);
	/* two chains from one original (RFC 8946 4.1: several originals) */
	set(0, A, "{\"tn\":[\"" N13 "\",\"" N14 "\"]}", NULL);
	set(1, A, N15, N13);
	set(2, A, N16, N14);
	set(3, A, "12155552000", N16);
	link_n(4, 5, NULL);
	want_ok(1, 0, 1, true);
	want_ok(2, 0, 1, false);
	want_ok(3, 2, 2, true);
	/* two hops into the same number: the later hop takes the first */
	set(0, A, "{\"tn\":[\"" N13 "\",\"" N14 "\"]}", NULL);
	set(1, A, N15, N13);
	set(2, A, N15, N14);
	set(3, A, N16, N15);
	link_n(4, 5, NULL);
	want_ok(1, 0, 1, false);
	want_ok(2, 0, 1, true);
	want_ok(3, 1, 2, true);
}
END_TEST

START_TEST(linking_is_deterministic)
{
	struct stir_div_out first[6];

	set(0, A, N13, NULL);
	set(1, A, N14, N13);
	set(2, A, N15, N14);
	set(3, A, N16, NOWHERE);
	set(4, A, N13, N14);
	set(5, B, N14, N13);
	link_n(6, 5, NULL);
	memcpy(first, out, sizeof(first));
	link_n(6, 5, NULL);
	for (size_t i = 0; i < 6; i++) {
		ck_assert_int_eq(out[i].parent, first[i].parent);
		ck_assert_int_eq(out[i].depth, first[i].depth);
		ck_assert_int_eq(out[i].code, first[i].code);
		ck_assert_int_eq(out[i].outermost, first[i].outermost);
		ck_assert_str_eq(out[i].detail, first[i].detail);
	}
}
END_TEST

/* ---- stir_div_history ---- */

/* value must give exactly the identities want (NULL-terminated; digits: TN). */
static void
history_ok(const char *value, size_t max, const char *const *want)
{
	struct stir_ident got[STIR_HISTORY_MAX + 1];
	size_t n = 999, k;

	ck_assert_uint_le(max, STIR_HISTORY_MAX);
	ck_assert_msg(stir_div_history(value, got, max, &n) == STIR_OK, "%s", value);
	for (k = 0; want[k] != NULL; k++) {
		struct stir_ident w;

		ck_assert_msg(k < n, "%s: %zu identities, want more", value, n);
		ident(want[k], &w);
		ck_assert_msg(got[k].kind == w.kind && strcmp(got[k].value, w.value) == 0,
		    "%s: #%zu is %s", value, k, got[k].value);
	}
	ck_assert_msg(n == k, "%s: %zu identities, want %zu", value, n, k);
}

static void
history_bad(const char *value, size_t max)
{
	struct stir_ident got[STIR_HISTORY_MAX];
	size_t n = 999;

	ck_assert_int_eq(stir_div_history(value, got, max, &n), STIR_EINVAL);
	ck_assert_uint_eq(n, 999);
}

START_TEST(history_info_and_diversion_values)
{
	history_ok("<sip:+12155551212@example.com;user=phone>;index=1, <tel:+12125550100>;index=1.1",
	    STIR_HISTORY_MAX, (const char *const[]){ "12155551212", "12125550100", NULL });
	history_ok("<tel:+12125551213>;reason=unconditional;counter=1", STIR_HISTORY_MAX,
	    (const char *const[]){ "12125551213", NULL });
	/* several Diversion values, display names, a SIP URI that is no number */
	history_ok("\"Bob\" <sip:bob@Example.ORG:5060;transport=tcp>;reason=user-busy,"
	    " <tel:+1-212-555-1214>;reason=no-answer;counter=2",
	    STIR_HISTORY_MAX, (const char *const[]){ "sip:bob@example.org", "12125551214", NULL });
	/* History-Info with escaped headers inside the URI */
	history_ok("<sip:+12125551213@example.com;user=phone?Reason=SIP%3Bcause%3D302>;index=1.1;rc=1",
	    STIR_HISTORY_MAX, (const char *const[]){ "12125551213", NULL });
	/* nothing in <> */
	history_ok("", 4, (const char *const[]){ NULL });
	history_ok("tel:+12125551213;reason=unconditional", 4, (const char *const[]){ NULL });
	history_ok("no angle brackets > here", 4, (const char *const[]){ NULL });
}
END_TEST

START_TEST(history_skips_what_is_no_identity)
{
	char big[STIR_URI_MAX + 64], value[STIR_URI_MAX + 128];

	history_ok("<garbage>, <mailto:bob@example.org>, <http://x.example/>, <tel:+12125551213>",
	    STIR_HISTORY_MAX, (const char *const[]){ "12125551213", NULL });
	history_ok("<>, <tel:+12125551213>, <>", 1, (const char *const[]){ "12125551213", NULL });
	history_ok("<<tel:+12125551213>", 4, (const char *const[]){ NULL });
	/* longer than STIR_URI_MAX: skipped, and not counted against max */
	memset(big, 'a', sizeof(big));
	memcpy(big, "sip:", 4);
	snprintf(big + STIR_URI_MAX + 1 - 12, 13, "@example.org");
	ck_assert_uint_eq(strlen(big), STIR_URI_MAX + 1);
	snprintf(value, sizeof(value), "<%s>;index=1, <tel:+12125551213>", big);
	history_ok(value, 1, (const char *const[]){ "12125551213", NULL });
	/* exactly STIR_URI_MAX is looked at */
	snprintf(big + STIR_URI_MAX - 12, 13, "@example.org");
	ck_assert_uint_eq(strlen(big), STIR_URI_MAX);
	snprintf(value, sizeof(value), "<%s>", big);
	{
		struct stir_ident got[2];
		size_t n = 999;

		ck_assert_int_eq(stir_div_history(value, got, 2, &n), STIR_OK);
		ck_assert_uint_le(n, 1);
		if (n == 1)
			ck_assert_int_eq(got[0].kind, STIR_IDENT_URI);
	}
}
END_TEST

START_TEST(history_unterminated_or_too_many_is_einval)
{
	char value[64 * (STIR_HISTORY_MAX + 1)];
	size_t len = 0;

	history_bad("<tel:+12125551213", 4);
	history_bad("<tel:+12125551213>;index=1, <sip:bob@example.org", 4);
	history_bad("<", 4);
	history_bad("<tel:+12125551213>, <tel:+12125551214>, <tel:+12125551215>", 2);
	history_ok("<tel:+12125551213>, <tel:+12125551214>", 2,
	    (const char *const[]){ "12125551213", "12125551214", NULL });
	history_bad("<tel:+12125551213>", 0);
	history_ok("", 0, (const char *const[]){ NULL });
	/* STIR_HISTORY_MAX, then one more */
	for (int i = 0; i < STIR_HISTORY_MAX; i++)
		len += (size_t)snprintf(value + len, sizeof(value) - len, "%s<tel:+1212555%04d>",
		    i ? ", " : "", i);
	{
		struct stir_ident got[STIR_HISTORY_MAX];
		size_t n = 0;

		ck_assert_int_eq(stir_div_history(value, got, STIR_HISTORY_MAX, &n), STIR_OK);
		ck_assert_uint_eq(n, STIR_HISTORY_MAX);
		ck_assert_str_eq(got[STIR_HISTORY_MAX - 1].value, "12125550031");
	}
	snprintf(value + len, sizeof(value) - len, ", <tel:+12125559999>");
	history_bad(value, STIR_HISTORY_MAX);
}
END_TEST

static Suite *
diversion_suite(void)
{
	Suite *s = suite_create("diversion");
	TCase *tl = tcase_create("link"), *th = tcase_create("history");

	tcase_add_checked_fixture(tl, NULL, teardown);
	tcase_add_test(tl, two_hop_chain_links);
	tcase_add_test(tl, chain_links_in_any_order);
	tcase_add_test(tl, uri_and_multi_valued_dest);
	tcase_add_test(tl, div_o_links_to_its_nested_original);
	tcase_add_test(tl, div_o_with_a_bad_nested_original_fails);
	tcase_add_test(tl, nothing_to_link_fails_438);
	tcase_add_test(tl, orig_changed_fails_438);
	tcase_add_test(tl, a_failing_hop_fails_the_hops_after_it);
	tcase_add_test(tl, loops_fail);
	tcase_add_test(tl, more_than_max_hops_fail);
	tcase_add_test(tl, root_links_a_hop_from_to);
	tcase_add_test(tl, unusable_items_are_skipped);
	tcase_add_test(tl, several_candidate_parents);
	tcase_add_test(tl, the_order_of_the_headers_does_not_matter);
	tcase_add_test(tl, linking_is_deterministic);
	suite_add_tcase(s, tl);
	tcase_add_test(th, history_info_and_diversion_values);
	tcase_add_test(th, history_skips_what_is_no_identity);
	tcase_add_test(th, history_unterminated_or_too_many_is_einval);
	suite_add_tcase(s, th);
	return s;
}

int
main(void)
{
	stir_log_init(STIR_LOG_ERR);
	return tu_run(diversion_suite());
}
