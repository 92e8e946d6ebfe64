/*
 * test_state.c: the immutable state requests read (daemon/core/state.c):
 * a new state takes the parts newer than the running one's, shares the
 * rest, and a reader's old state stays whole until it lets go.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>

#include <check.h>

#include "stirclient.h"
#include "daemon/base/conf.h"
#include "daemon/core/state.h"
#include "daemon/pki/cert.h"
#include "daemon/pki/rcd_anchor.h"
#include "daemon/sign/creds.h"
#include "tests/unit/test_util.h"

/* An empty credential table, as stir_creds_load() makes one. */
static struct stir_creds *
creds_new(void)
{
	struct stir_creds *cs = calloc(1, sizeof(*cs));

	ck_assert_ptr_nonnull(cs);
	cs->refs = 1;
	ck_assert_ptr_nonnull(cs->v = calloc(1, sizeof(*cs->v)));
	return cs;
}

/* parts with what names, numbered seq */
static struct stir_state_parts
parts(uint64_t seq, bool cfg, bool creds, bool trust)
{
	struct stir_state_parts p = { .seq = seq };
	char msg[256];

	if (cfg)
		ck_assert_int_eq(stir_config_defaults(&p.cfg), STIR_OK);
	if (creds)
		p.creds = creds_new();
	if (trust) {
		ck_assert_int_eq(stir_trust_new(NULL, 0, "", &p.trust, msg, sizeof(msg)), STIR_OK);
		ck_assert_int_eq(stir_rcd_anchors_new(NULL, 0, &p.rcd_anchors), STIR_OK);
	}
	return p;
}

static struct stir_state *
first_state(void)
{
	struct stir_state_parts p = parts(1, true, true, true);
	struct stir_state *st = NULL;

	ck_assert_int_eq(stir_state_next(NULL, &p, &st), STIR_OK);
	ck_assert_ptr_null(p.cfg);
	ck_assert_ptr_null(p.creds);
	ck_assert_ptr_null(p.trust);
	ck_assert_uint_eq(st->gen, 1);
	ck_assert_uint_eq(st->creds_seq, 1);
	ck_assert_uint_eq(st->trust_seq, 1);
	return st;
}

START_TEST(a_newer_part_replaces_and_the_rest_is_shared)
{
	struct stir_state *a = first_state(), *b = NULL;
	struct stir_state_parts p = parts(2, false, true, false);
	struct stir_creds *fresh = p.creds;

	ck_assert_int_eq(stir_state_next(a, &p, &b), STIR_OK);
	ck_assert_uint_eq(b->gen, 2);
	ck_assert_ptr_eq(b->creds, fresh);
	ck_assert_uint_eq(b->creds_seq, 2);
	/* what the load did not read is the running state's */
	ck_assert_ptr_eq(b->cfg, a->cfg);
	ck_assert_ptr_eq(b->trust, a->trust);
	ck_assert_ptr_eq(b->rcd_anchors, a->rcd_anchors);
	ck_assert_uint_eq(b->trust_seq, 1);
	/* a reader of a still has a's credentials */
	ck_assert_ptr_ne(a->creds, b->creds);
	ck_assert_uint_eq(a->creds->refs, 1);
	ck_assert_uint_eq(a->trust == b->trust, 1);
	stir_state_unref(a);
	ck_assert_uint_eq(b->creds->refs, 1);
	stir_state_unref(b);
}
END_TEST

START_TEST(an_older_part_never_undoes_a_newer_one)
{
	struct stir_state *a = first_state(), *b = NULL, *c = NULL;
	struct stir_state_parts newer = parts(5, false, true, true);
	struct stir_state_parts older = parts(4, false, true, true);

	ck_assert_int_eq(stir_state_next(a, &newer, &b), STIR_OK);
	ck_assert_uint_eq(b->creds_seq, 5);
	ck_assert_uint_eq(b->trust_seq, 5);
	/* a slow load that read before the newer one finishes last: dropped */
	ck_assert_int_eq(stir_state_next(b, &older, &c), STIR_OK);
	ck_assert_ptr_null(older.creds);
	ck_assert_ptr_null(older.trust);
	ck_assert_ptr_eq(c->creds, b->creds);
	ck_assert_ptr_eq(c->trust, b->trust);
	ck_assert_uint_eq(c->creds_seq, 5);
	ck_assert_uint_eq(c->trust_seq, 5);
	ck_assert_uint_eq(c->gen, 3);
	stir_state_unref(a);
	stir_state_unref(b);
	stir_state_unref(c);
}
END_TEST

START_TEST(a_new_config_comes_whole)
{
	struct stir_state *a = first_state(), *b = NULL;
	struct stir_state_parts p = parts(2, true, false, false);
	const struct stir_config *fresh = p.cfg;

	ck_assert_int_eq(stir_state_next(a, &p, &b), STIR_OK);
	ck_assert_ptr_eq(b->cfg, fresh);
	ck_assert_ptr_ne(a->cfg, b->cfg);
	ck_assert_ptr_eq(b->creds, a->creds);
	ck_assert_uint_eq(a->creds->refs, 2);
	stir_state_unref(b);
	ck_assert_uint_eq(a->creds->refs, 1);
	stir_state_unref(a);
}
END_TEST

START_TEST(references_keep_a_state_alive)
{
	struct stir_state *a = first_state();

	ck_assert_ptr_eq(stir_state_ref(a), a);
	ck_assert_uint_eq(a->refs, 2);
	stir_state_unref(a);
	ck_assert_uint_eq(a->refs, 1);
	ck_assert_uint_eq(a->creds->refs, 1);
	stir_state_unref(a);
	stir_state_unref(NULL);
	stir_state_parts_clear(NULL);
}
END_TEST

static Suite *
state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("snapshot");

	tcase_add_test(tc, a_newer_part_replaces_and_the_rest_is_shared);
	tcase_add_test(tc, an_older_part_never_undoes_a_newer_one);
	tcase_add_test(tc, a_new_config_comes_whole);
	tcase_add_test(tc, references_keep_a_state_alive);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(state_suite());
}
