/* test_store.c: the SQLite store (daemon/store/store.c). */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "daemon/store/store.h"
#include "tests/unit/test_util.h"

static char *dir;
static char dbpath[512];

static void
setup(void)
{
	stir_log_init(STIR_LOG_ERR);
	(void)umask(077);			/* as stird's main() does */
	dir = tu_mkdtemp();
	snprintf(dbpath, sizeof(dbpath), "%s/stird.db", dir);
}

static void
teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	dir = NULL;
}

static struct stir_store *
open_ok(void)
{
	struct stir_store *st = NULL;
	char msg[512] = "";
	int r = stir_store_open(dbpath, &st, msg, sizeof(msg));

	ck_assert_msg(r == STIR_OK, "open: %d: %s", r, msg);
	ck_assert_ptr_nonnull(st);
	return st;
}

/* Run SQL on dbpath with a separate plain connection. */
static void
raw_sql(const char *sql)
{
	sqlite3 *db = NULL;
	char *err = NULL;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK, "%s: %s", sql,
	    err ? err : "?");
	sqlite3_close(db);
}

/* Files in dir, to check nothing was created beside a refused file. */
static int
count_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Row fields are char *; literals are const under -Wwrite-strings. */
#define S(lit)	((char *)(lit))

START_TEST(fresh_database_migrates_to_the_latest_version)
{
	struct stir_store *st = open_ok();
	int64_t c = -1, a = -1, k = -1, p = -1;
	int v = -1;

	ck_assert_int_ge(stir_store_latest_version(), 1);
	ck_assert_int_eq(stir_store_version(st, &v), STIR_OK);
	ck_assert_int_eq(v, stir_store_latest_version());
	ck_assert_int_eq(stir_store_counts(st, &c, &a, &k, &p), STIR_OK);
	ck_assert(c == 0 && a == 0 && k == 0 && p == 0);
	stir_store_close(st);
}
END_TEST

START_TEST(reopening_is_idempotent_and_keeps_rows)
{
	struct stir_store *st = open_ok();
	struct stir_cred_row row = { S("c1"), S("k1"), S("PEM"), S("https://x/c.pem"),
	    NULL, S("709J"),
	    S("CN=x"), 2000000000, 1700000000 }, *rows = NULL;
	size_t n = 0;
	int v = -1;

	ck_assert_int_eq(stir_store_cred_add(st, &row), STIR_OK);
	stir_store_close(st);
	for (int i = 0; i < 2; i++) {
		st = open_ok();
		ck_assert_int_eq(stir_store_version(st, &v), STIR_OK);
		ck_assert_int_eq(v, stir_store_latest_version());
		ck_assert_int_eq(stir_store_cred_list(st, &rows, &n), STIR_OK);
		ck_assert_uint_eq(n, 1);
		ck_assert_str_eq(rows[0].name, "c1");
		stir_store_cred_rows_free(rows, n);
		stir_store_close(st);
	}
}
END_TEST

START_TEST(database_from_a_newer_stird_is_refused)
{
	struct stir_store *st = NULL;
	char msg[512] = "", want[256];

	stir_store_close(open_ok());
	raw_sql("PRAGMA user_version = 99");
	ck_assert_int_eq(stir_store_open(dbpath, &st, msg, sizeof(msg)), STIR_EDB);
	ck_assert_ptr_null(st);
	snprintf(want, sizeof(want), "the database has schema version 99; this stird "
	    "knows up to %d (downgrade?)", stir_store_latest_version());
	ck_assert_str_eq(msg, want);
}
END_TEST

static void
assert_refused_unchanged(const char *content, size_t len)
{
	struct stir_store *st = NULL;
	char msg[512] = "", *after;
	size_t alen = 0;

	ck_assert_int_eq(tu_write_file(dbpath, content, len, 0600), 0);
	ck_assert_int_eq(stir_store_open(dbpath, &st, msg, sizeof(msg)), STIR_EDB);
	ck_assert_ptr_null(st);
	ck_assert_msg(strncmp(msg, dbpath, strlen(dbpath)) == 0 &&
	    strstr(msg, "not a stird database or corrupt") != NULL &&
	    strstr(msg, "it was left as it is") != NULL, "msg: %s", msg);
	after = tu_read_file(dbpath, &alen);
	ck_assert_ptr_nonnull(after);
	ck_assert_uint_eq(alen, len);
	ck_assert_mem_eq(after, content, len);
	ck_assert_int_eq(count_files(), 1);	/* no -wal, -shm or -journal */
	free(after);
}

START_TEST(garbage_file_is_refused_and_left_byte_for_byte)
{
	char buf[8192];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)("not a database\n"[i % 15]);
	assert_refused_unchanged(buf, sizeof(buf));
}
END_TEST

START_TEST(file_with_sqlite_magic_but_corrupt_pages_is_refused)
{
	char *db;
	size_t len = 0;

	stir_store_close(open_ok());
	raw_sql("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE");
	db = tu_read_file(dbpath, &len);
	ck_assert_ptr_nonnull(db);
	ck_assert_uint_gt(len, 4096);
	memset(db + 100, 0xee, len - 100);	/* keep the 100-byte header */
	ck_assert_int_eq(unlink(dbpath), 0);
	assert_refused_unchanged(db, len);
	free(db);
}
END_TEST

START_TEST(group_or_world_writable_database_is_eperm)
{
	struct stir_store *st = NULL;
	char msg[512] = "", want[640];

	stir_store_close(open_ok());
	snprintf(want, sizeof(want), "%s: group- or world-writable; refusing it (chmod 0600)",
	    dbpath);
	ck_assert_int_eq(chmod(dbpath, 0660), 0);
	ck_assert_int_eq(stir_store_open(dbpath, &st, msg, sizeof(msg)), STIR_EPERM);
	ck_assert_ptr_null(st);
	ck_assert_str_eq(msg, want);
	ck_assert_int_eq(chmod(dbpath, 0602), 0);
	ck_assert_int_eq(stir_store_open(dbpath, &st, msg, sizeof(msg)), STIR_EPERM);
	ck_assert_int_eq(chmod(dbpath, 0640), 0);	/* group-readable is fine */
	stir_store_close(open_ok());
}
END_TEST

START_TEST(directory_in_place_of_the_database_is_refused)
{
	struct stir_store *st = NULL;
	char msg[512] = "", want[640];

	ck_assert_int_eq(mkdir(dbpath, 0700), 0);
	snprintf(want, sizeof(want), "%s: not a regular file", dbpath);
	ck_assert_int_eq(stir_store_open(dbpath, &st, msg, sizeof(msg)), STIR_EDB);
	ck_assert_ptr_null(st);
	ck_assert_str_eq(msg, want);
}
END_TEST

START_TEST(credentials_add_list_remove)
{
	struct stir_store *st = open_ok();
	struct stir_cred_row b = { S("bravo"), S("kb"), S("PEM-B"), S("https://x/b.pem"),
	    S("[\"1215*\"]"), NULL, S("CN=b"), 2000000001, 1700000001 };
	struct stir_cred_row a = { S("alpha"), S("pkcs11:object=a"), S("PEM-A"),
	    S("https://x/a.pem"),
	    NULL, S("709J"), S("CN=a"), 2000000002, 1700000002 };
	struct stir_cred_row *rows = NULL;
	int64_t c = -1, t, k, p;
	size_t n = 0;

	ck_assert_int_eq(stir_store_cred_add(st, &b), STIR_OK);
	ck_assert_int_eq(stir_store_cred_add(st, &a), STIR_OK);
	ck_assert_int_eq(stir_store_cred_add(st, &b), STIR_EEXIST);
	ck_assert_int_eq(stir_store_cred_list(st, &rows, &n), STIR_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(rows[0].name, "alpha");	/* ordered by name */
	ck_assert_str_eq(rows[0].key_ref, "pkcs11:object=a");
	ck_assert_str_eq(rows[0].chain_pem, "PEM-A");
	ck_assert_str_eq(rows[0].x5u, "https://x/a.pem");
	ck_assert_ptr_null(rows[0].tns);
	ck_assert_str_eq(rows[0].spc, "709J");
	ck_assert_str_eq(rows[0].subject, "CN=a");
	ck_assert_int_eq(rows[0].not_after, 2000000002);
	ck_assert_int_eq(rows[0].created, 1700000002);
	ck_assert_str_eq(rows[1].name, "bravo");
	ck_assert_str_eq(rows[1].tns, "[\"1215*\"]");
	ck_assert_ptr_null(rows[1].spc);
	stir_store_cred_rows_free(rows, n);
	ck_assert_int_eq(stir_store_counts(st, &c, &t, &k, &p), STIR_OK);
	ck_assert_int_eq(c, 2);
	ck_assert_int_eq(stir_store_cred_remove(st, "alpha"), STIR_OK);
	ck_assert_int_eq(stir_store_cred_remove(st, "alpha"), STIR_ENOENT);
	ck_assert_int_eq(stir_store_cred_remove(st, "nosuch"), STIR_ENOENT);
	ck_assert_int_eq(stir_store_cred_list(st, &rows, &n), STIR_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(rows[0].name, "bravo");
	stir_store_cred_rows_free(rows, n);
	stir_store_close(st);
}
END_TEST

START_TEST(credential_used_by_a_policy_cannot_be_removed)
{
	struct stir_store *st = open_ok();
	struct stir_cred_row a = { S("alpha"), S("k"), S("PEM"), S("https://x/a.pem"),
	    NULL, NULL,
	    S("CN=a"), 2000000000, 1700000000 };

	ck_assert_int_eq(stir_store_cred_add(st, &a), STIR_OK);
	raw_sql("INSERT INTO rcd_policies (name, doc, cred, created, updated)"
	    " VALUES ('p', '{}', 'alpha', 1, 1)");
	ck_assert_int_eq(stir_store_cred_remove(st, "alpha"), STIR_EPOLICY);
	raw_sql("DELETE FROM rcd_policies");
	ck_assert_int_eq(stir_store_cred_remove(st, "alpha"), STIR_OK);
	stir_store_close(st);
}
END_TEST

/* Policies: put, replace, list; content only onto the document it was for. */
START_TEST(policies_put_list_and_content_follows_its_document)
{
	struct stir_store *st = open_ok();
	struct stir_policy_row a = { S("p"), S("{\"v\":1}"), NULL, S("{}"), 1, 1 };
	struct stir_policy_row b = { S("p"), S("{\"v\":2}"), NULL, S("{}"), 2, 2 };
	struct stir_policy_row *rows = NULL;
	size_t n = 0;

	ck_assert_int_eq(stir_store_policy_put(st, &a, false), STIR_OK);
	ck_assert_int_eq(stir_store_policy_put(st, &a, false), STIR_EEXIST);
	ck_assert_int_eq(stir_store_policy_set_content(st, "p", "{\"v\":1}", "{\"u\":1}"), STIR_OK);
	/* replaced while a refresh ran: the refresh's content does not land */
	ck_assert_int_eq(stir_store_policy_put(st, &b, true), STIR_OK);
	ck_assert_int_eq(stir_store_policy_set_content(st, "p", "{\"v\":1}", "{\"u\":9}"),
	    STIR_ENOENT);
	ck_assert_int_eq(stir_store_policy_list(st, &rows, &n), STIR_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(rows[0].doc, "{\"v\":2}");
	ck_assert_str_eq(rows[0].content, "{}");
	ck_assert_int_eq(rows[0].created, 1);	/* replacing keeps the creation time */
	stir_store_policy_rows_free(rows, n);
	ck_assert_int_eq(stir_store_policy_remove(st, "p"), STIR_OK);
	ck_assert_int_eq(stir_store_policy_remove(st, "p"), STIR_ENOENT);
	stir_store_close(st);
}
END_TEST

START_TEST(trust_anchors_add_list_remove_and_duplicate_fingerprint)
{
	struct stir_store *st = open_ok();
	struct stir_trust_row r1 = { 0, S("aa11"), S("CN=ca1"), S("PEM1"), 2000000000, 0,
	    1700000000 };
	struct stir_trust_row r2 = { 0, S("bb22"), S("CN=ca2"), S("PEM2"), 2000000001, 1,
	    1700000001 };
	struct stir_trust_row dup = { 0, S("aa11"), S("CN=other"), S("PEM3"), 1, 0, 1 };
	struct stir_trust_row *rows = NULL;
	int64_t id1 = -1, id2 = -1, id3 = -77;
	size_t n = 0;

	ck_assert_int_eq(stir_store_trust_add(st, &r1, &id1), STIR_OK);
	ck_assert_int_eq(stir_store_trust_add(st, &r2, &id2), STIR_OK);
	ck_assert_int_gt(id2, id1);
	ck_assert_int_eq(stir_store_trust_add(st, &dup, &id3), STIR_EEXIST);
	ck_assert_int_eq(id3, -77);
	ck_assert_int_eq(stir_store_trust_list(st, &rows, &n), STIR_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(rows[0].id, id1);
	ck_assert_str_eq(rows[0].sha256, "aa11");
	ck_assert_str_eq(rows[0].subject, "CN=ca1");
	ck_assert_str_eq(rows[0].pem, "PEM1");
	ck_assert_int_eq(rows[0].rcd, 0);
	ck_assert_int_eq(rows[1].id, id2);
	ck_assert_int_eq(rows[1].rcd, 1);
	ck_assert_int_eq(rows[1].not_after, 2000000001);
	ck_assert_int_eq(rows[1].added, 1700000001);
	stir_store_trust_rows_free(rows, n);
	ck_assert_int_eq(stir_store_trust_remove(st, id1), STIR_OK);
	ck_assert_int_eq(stir_store_trust_remove(st, id1), STIR_ENOENT);
	ck_assert_int_eq(stir_store_trust_add(st, &dup, &id3), STIR_OK);
	stir_store_close(st);
}
END_TEST

START_TEST(audit_entries_list_newest_first)
{
	struct stir_store *st = open_ok();
	struct stir_audit_row *rows = NULL;
	size_t n = 0;

	ck_assert_int_eq(stir_store_audit(st, 100, 1000, 11, "key.generate", "k1", 0), STIR_OK);
	ck_assert_int_eq(stir_store_audit(st, 100, 1001, 12, "cred.add", NULL, STIR_ECERT),
	    STIR_OK);
	ck_assert_int_eq(stir_store_audit(st, 99, 0, 13, "trust.remove", "7", STIR_ENOENT),
	    STIR_OK);
	ck_assert_int_eq(stir_store_audit_list(st, 0, &rows, &n), STIR_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(rows[0].op, "trust.remove");	/* by insertion, not ts */
	ck_assert_int_eq(rows[0].ts, 99);
	ck_assert_int_eq(rows[0].uid, 0);
	ck_assert_int_eq(rows[0].pid, 13);
	ck_assert_str_eq(rows[0].subject, "7");
	ck_assert_int_eq(rows[0].result, STIR_ENOENT);
	ck_assert_str_eq(rows[1].op, "cred.add");
	ck_assert_ptr_null(rows[1].subject);
	ck_assert_int_eq(rows[1].result, STIR_ECERT);
	ck_assert_str_eq(rows[2].op, "key.generate");
	ck_assert_int_eq(rows[2].uid, 1000);
	ck_assert_int_gt(rows[0].id, rows[1].id);
	ck_assert_int_gt(rows[1].id, rows[2].id);
	stir_store_audit_rows_free(rows, n);
	ck_assert_int_eq(stir_store_audit_list(st, 2, &rows, &n), STIR_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(rows[0].op, "trust.remove");
	ck_assert_str_eq(rows[1].op, "cred.add");
	stir_store_audit_rows_free(rows, n);
	stir_store_close(st);
}
END_TEST

START_TEST(empty_lists_are_ok_with_zero_rows)
{
	struct stir_store *st = open_ok();
	struct stir_cred_row *c = NULL;
	struct stir_trust_row *t = NULL;
	struct stir_audit_row *a = NULL;
	size_t n = 99;

	ck_assert_int_eq(stir_store_cred_list(st, &c, &n), STIR_OK);
	ck_assert_uint_eq(n, 0);
	stir_store_cred_rows_free(c, n);
	ck_assert_int_eq(stir_store_trust_list(st, &t, &n), STIR_OK);
	ck_assert_uint_eq(n, 0);
	stir_store_trust_rows_free(t, n);
	ck_assert_int_eq(stir_store_audit_list(st, 10, &a, &n), STIR_OK);
	ck_assert_uint_eq(n, 0);
	stir_store_audit_rows_free(a, n);
	stir_store_close(st);
}
END_TEST

/* cert_cache: the running total, LRU trimming and the bounded load. */
START_TEST(cache_rows_are_bounded_least_recently_used_first)
{
	struct stir_store *st = open_ok();
	struct stir_cache_row row, *rows = NULL;
	uint8_t body[1000];
	char url[64];
	size_t bytes = 0, n = 0, nrows = 0, deleted = 0, cost;

	memset(body, 'x', sizeof(body));
	snprintf(url, sizeof(url), "https://example.com/%03d.pem", 0);
	cost = stir_cache_cost(url, sizeof(body));
	/* 200 puts, each replacing row i % 100: 100 rows */
	for (int i = 0; i < 200; i++) {
		memset(&row, 0, sizeof(row));
		snprintf(url, sizeof(url), "https://example.com/%03d.pem", i % 100);
		row.url = url;
		row.body = body;
		row.len = sizeof(body);
		row.fetched_at = 1000 + i;
		row.expires_at = 100000;
		row.last_used = 1000 + i;
		ck_assert_int_eq(stir_store_cache_put(st, &row), STIR_OK);
	}
	/* a failure costs no body */
	memset(&row, 0, sizeof(row));
	row.url = S("https://example.com/junk.pem");
	row.status = STIR_ECERT;
	row.expires_at = 100000;
	row.last_used = 5000;
	ck_assert_int_eq(stir_store_cache_put(st, &row), STIR_OK);
	ck_assert_int_eq(stir_store_cache_total(st, &bytes, &n), STIR_OK);
	ck_assert_uint_eq(n, 101);
	ck_assert_uint_eq(bytes, 100 * cost + stir_cache_cost(row.url, 0));
	/* row 000 is used again: 001 to 011 are the oldest, and go */
	ck_assert_int_eq(stir_store_cache_touch(st, "https://example.com/000.pem", 6000), STIR_OK);
	ck_assert_int_eq(stir_store_cache_trim(st, 0, 90 * cost + 100, &deleted), STIR_OK);
	ck_assert_int_eq(stir_store_cache_total(st, &bytes, &n), STIR_OK);
	ck_assert_uint_le(bytes, 90 * cost + 100);
	ck_assert_uint_eq(n, 90);
	ck_assert_uint_eq(deleted, 11);
	/* most recently used first, stopping at the byte bound: 000, junk, 099, 098 */
	ck_assert_int_eq(stir_store_cache_load(st, 0, 100, 2 * cost + stir_cache_cost(row.url, 0),
	    &rows, &nrows), STIR_OK);
	ck_assert_uint_eq(nrows, 3);
	ck_assert_str_eq(rows[0].url, "https://example.com/000.pem");
	ck_assert_uint_eq(rows[0].len, sizeof(body));
	ck_assert_int_eq(rows[0].last_used, 6000);
	ck_assert_str_eq(rows[1].url, "https://example.com/junk.pem");
	ck_assert_ptr_null(rows[1].body);
	ck_assert_int_eq(rows[1].status, STIR_ECERT);
	ck_assert_str_eq(rows[2].url, "https://example.com/099.pem");
	stir_store_cache_rows_free(rows, nrows);
	/* and at most max rows; expired rows are not loaded, and trimmed */
	ck_assert_int_eq(stir_store_cache_load(st, 0, 5, SIZE_MAX, &rows, &nrows), STIR_OK);
	ck_assert_uint_eq(nrows, 5);
	stir_store_cache_rows_free(rows, nrows);
	ck_assert_int_eq(stir_store_cache_load(st, 100000, 100, SIZE_MAX, &rows, &nrows), STIR_OK);
	ck_assert_uint_eq(nrows, 0);
	stir_store_cache_rows_free(rows, nrows);
	ck_assert_int_eq(stir_store_cache_trim(st, 100000, SIZE_MAX, &deleted), STIR_OK);
	ck_assert_uint_eq(deleted, 90);
	ck_assert_int_eq(stir_store_cache_total(st, &bytes, &n), STIR_OK);
	ck_assert_uint_eq(bytes, 0);
	ck_assert_uint_eq(n, 0);
	stir_store_close(st);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *to = tcase_create("open");
	TCase *tr = tcase_create("rows");

	tcase_add_unchecked_fixture(to, tu_root_setup, tu_root_teardown);
	tcase_add_checked_fixture(to, setup, teardown);
	tcase_add_test(to, fresh_database_migrates_to_the_latest_version);
	tcase_add_test(to, reopening_is_idempotent_and_keeps_rows);
	tcase_add_test(to, database_from_a_newer_stird_is_refused);
	tcase_add_test(to, garbage_file_is_refused_and_left_byte_for_byte);
	tcase_add_test(to, file_with_sqlite_magic_but_corrupt_pages_is_refused);
	tcase_add_test(to, group_or_world_writable_database_is_eperm);
	tcase_add_test(to, directory_in_place_of_the_database_is_refused);
	suite_add_tcase(s, to);
	tcase_add_unchecked_fixture(tr, tu_root_setup, tu_root_teardown);
	tcase_add_checked_fixture(tr, setup, teardown);
	tcase_add_test(tr, credentials_add_list_remove);
	tcase_add_test(tr, credential_used_by_a_policy_cannot_be_removed);
	tcase_add_test(tr, policies_put_list_and_content_follows_its_document);
	tcase_add_test(tr, trust_anchors_add_list_remove_and_duplicate_fingerprint);
	tcase_add_test(tr, cache_rows_are_bounded_least_recently_used_first);
	tcase_add_test(tr, audit_entries_list_newest_first);
	tcase_add_test(tr, empty_lists_are_ok_with_zero_rows);
	suite_add_tcase(s, tr);
	return s;
}

int
main(void)
{
	return tu_run(store_suite());
}
