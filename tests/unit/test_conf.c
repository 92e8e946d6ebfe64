/* test_conf.c: stird.conf parsing (daemon/base/conf.c). */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "stirclient.h"
#include "daemon/base/conf.h"
#include "daemon/base/conffile.h"
#include "daemon/base/log.h"
#include "tests/unit/test_util.h"

#define CONF	"/etc/stird/t.conf"

/* Parse text; on success *ret_cfg is set, else errbuf holds the message. */
static int
parse(const char *text, struct stir_config **ret_cfg, char *errbuf, size_t errlen)
{
	errbuf[0] = '\0';
	return stir_config_parse(CONF, text, strlen(text), ret_cfg, errbuf, errlen);
}

/* Parse text that must be refused with STIR_EINVAL and exactly message. */
static void
assert_refused(const char *text, const char *message)
{
	struct stir_config *cfg = NULL;
	char err[512];

	ck_assert_int_eq(parse(text, &cfg, err, sizeof(err)), STIR_EINVAL);
	ck_assert_ptr_null(cfg);		/* ret_* untouched on failure */
	ck_assert_str_eq(err, message);
}

/* Parse text that must be accepted. */
static struct stir_config *
accept_text(const char *text)
{
	struct stir_config *cfg = NULL;
	char err[512];
	int r = parse(text, &cfg, err, sizeof(err));

	ck_assert_msg(r == STIR_OK, "refused (%d): %s", r, err);
	ck_assert_ptr_nonnull(cfg);
	return cfg;
}

START_TEST(defaults_are_the_documented_values)
{
	struct stir_config *cfg = NULL;

	ck_assert_int_eq(stir_config_defaults(&cfg), STIR_OK);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_str_eq(cfg->socket, STIR_RUNSTATEDIR "/stird/stird.sock");
	ck_assert_str_eq(cfg->admin_socket, STIR_RUNSTATEDIR "/stird/admin.sock");
	ck_assert_str_eq(cfg->database, STIR_LOCALSTATEDIR "/lib/stird/stird.db");
	ck_assert_str_eq(cfg->key_dir, STIR_LOCALSTATEDIR "/lib/stird/keys");
	ck_assert_uint_eq(cfg->socket_mode, 0660);
	ck_assert_uint_eq(cfg->admin_socket_mode, 0660);
	ck_assert_str_eq(cfg->x5u_ca_file, "");
	ck_assert(!cfg->x5u_allow_http);
	ck_assert(!cfg->x5u_allow_private);
	ck_assert_uint_eq(cfg->fetch_timeout_ms, 2000);
	ck_assert_uint_eq(cfg->fetch_max_bytes, 65536);
	ck_assert_uint_eq(cfg->iat_window, 60);
	ck_assert_str_eq(cfg->sign_group, "");
	ck_assert_str_eq(cfg->verify_group, "");
	ck_assert_str_eq(cfg->admin_group, "");
	ck_assert(cfg->sign_gid == (gid_t)-1);
	ck_assert(cfg->verify_gid == (gid_t)-1);
	ck_assert(cfg->admin_gid == (gid_t)-1);
	ck_assert_uint_eq(cfg->max_request_bytes, 65536);
	ck_assert_uint_eq(cfg->threads, 0);
	ck_assert_uint_eq(cfg->max_connections, 1024);
	ck_assert_uint_eq(cfg->max_conn_per_uid, 256);
	ck_assert_uint_eq(cfg->max_inflight, 64);
	ck_assert_uint_eq(cfg->idle_timeout_ms, 300000);
	ck_assert_uint_eq(cfg->request_timeout_ms, 10000);
	ck_assert_int_eq(cfg->log_level, STIR_LOG_INFO);
	ck_assert(cfg->deterministic_signatures);
	ck_assert(cfg->lock_memory);
	ck_assert_str_eq(cfg->pkcs11_module, "");
	ck_assert_uint_eq(cfg->cred_expiry_warn_days, 30);
	stir_config_free(cfg);
}
END_TEST

START_TEST(empty_file_gives_defaults_and_records_path)
{
	struct stir_config *cfg = accept_text("");

	ck_assert_str_eq(cfg->path, CONF);
	ck_assert_uint_eq(cfg->iat_window, 60);
	stir_config_free(cfg);
}
END_TEST

START_TEST(comments_on_their_own_line_and_after_blanks_are_ignored)
{
	struct stir_config *cfg = accept_text(
	    "# a comment\n"
	    "   \t# an indented comment\n"
	    "\n"
	    "iat_window = 30 # after a blank\n"
	    "fetch_timeout_ms=500\t# after a tab\n"
	    "x5u_allow_http = yes\r\n");

	ck_assert_uint_eq(cfg->iat_window, 30);
	ck_assert_uint_eq(cfg->fetch_timeout_ms, 500);
	ck_assert(cfg->x5u_allow_http);
	stir_config_free(cfg);
}
END_TEST

START_TEST(hash_inside_a_word_is_part_of_the_value)
{
	struct stir_config *cfg = accept_text("x5u_ca_file = /etc/ca#1.pem\n");

	ck_assert_str_eq(cfg->x5u_ca_file, "/etc/ca#1.pem");
	stir_config_free(cfg);
}
END_TEST

START_TEST(quoted_values_keep_blanks_and_may_be_empty)
{
	struct stir_config *cfg = accept_text(
	    "socket = \"/run/my socket\"\n"
	    "x5u_ca_file = \"\"\n"
	    "pkcs11_module = \"/usr/lib/p11.so\"  # comment\n");

	ck_assert_str_eq(cfg->socket, "/run/my socket");
	ck_assert_str_eq(cfg->x5u_ca_file, "");
	ck_assert_str_eq(cfg->pkcs11_module, "/usr/lib/p11.so");
	stir_config_free(cfg);
}
END_TEST

/* conf.c says values "may be quoted to keep leading blanks or a '#'". */
START_TEST(quoted_value_keeps_a_hash_after_a_blank)
{
	struct stir_config *cfg = accept_text("socket = \"/run/a #1.sock\"\n");

	ck_assert_str_eq(cfg->socket, "/run/a #1.sock");
	stir_config_free(cfg);
}
END_TEST

START_TEST(quoted_value_may_be_followed_only_by_a_comment)
{
	struct stir_config *cfg = accept_text("socket = \"/run/a.sock\"#c\n"
	    "admin_socket = \"/run/b #2.sock\" \t# c\n");

	ck_assert_str_eq(cfg->socket, "/run/a.sock");
	ck_assert_str_eq(cfg->admin_socket, "/run/b #2.sock");
	stir_config_free(cfg);
	assert_refused("iat_window = 5\nsocket = \"/run/a.sock\" x\n",
	    CONF ":2: text after the quoted value");
}
END_TEST

START_TEST(unterminated_quote_is_refused)
{
	assert_refused("socket = \"/run/x.sock\n",
	    CONF ":1: unterminated quoted value");
	assert_refused("\nsocket = \"\n", CONF ":2: unterminated quoted value");
}
END_TEST

START_TEST(unknown_key_names_file_line_and_key)
{
	assert_refused("iat_window = 5\n\n# c\nbogus = 1\n",
	    CONF ":4: unknown key 'bogus'");
}
END_TEST

START_TEST(unknown_key_with_control_bytes_is_quoted)
{
	assert_refused("bo\x01gus = 1\n", CONF ":1: unknown key 'bo\\x01gus'");
}
END_TEST

START_TEST(line_without_equals_is_refused)
{
	assert_refused("iat_window 5\n", CONF ":1: expected 'key = value'");
}
END_TEST

START_TEST(nul_byte_in_a_line_is_refused)
{
	static const char text[] = "iat_window = 5\nfoo\0bar = 1\n";
	struct stir_config *cfg = NULL;
	char err[256];

	ck_assert_int_eq(stir_config_parse(CONF, text, sizeof(text) - 1, &cfg,
	    err, sizeof(err)), STIR_EINVAL);
	ck_assert_ptr_null(cfg);
	ck_assert_str_eq(err, CONF ":2: NUL byte in line");
}
END_TEST

START_TEST(booleans_accept_yes_no_spellings)
{
	static const char *const yes[] = { "yes", "YES", "true", "1", "on" };
	static const char *const no[] = { "no", "False", "0", "off" };
	char text[128];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		struct stir_config *cfg;

		snprintf(text, sizeof(text), "x5u_allow_private = %s\n", yes[i]);
		cfg = accept_text(text);
		ck_assert_msg(cfg->x5u_allow_private, "'%s' is not true", yes[i]);
		stir_config_free(cfg);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		struct stir_config *cfg;

		snprintf(text, sizeof(text), "deterministic_signatures = %s\n", no[i]);
		cfg = accept_text(text);
		ck_assert_msg(!cfg->deterministic_signatures, "'%s' is not false", no[i]);
		stir_config_free(cfg);
		snprintf(text, sizeof(text), "lock_memory = %s\n", no[i]);
		cfg = accept_text(text);
		ck_assert_msg(!cfg->lock_memory, "'%s' is not false", no[i]);
		stir_config_free(cfg);
	}
}
END_TEST

START_TEST(bad_boolean_names_key_and_value)
{
	assert_refused("\nx5u_allow_http = maybe\n",
	    CONF ":2: 'x5u_allow_http' must be yes or no, not 'maybe'");
}
END_TEST

START_TEST(bad_integer_names_key_range_and_value)
{
	assert_refused("iat_window = abc\n",
	    CONF ":1: 'iat_window' must be an integer from 1 to 86400, not 'abc'");
	assert_refused("iat_window = -5\n",
	    CONF ":1: 'iat_window' must be an integer from 1 to 86400, not '-5'");
	assert_refused("iat_window = +5\n",
	    CONF ":1: 'iat_window' must be an integer from 1 to 86400, not '+5'");
	assert_refused("iat_window = 5s\n",
	    CONF ":1: 'iat_window' must be an integer from 1 to 86400, not '5s'");
	assert_refused("iat_window =\n",
	    CONF ":1: 'iat_window' must be an integer from 1 to 86400, not ''");
}
END_TEST

START_TEST(integers_outside_their_range_are_refused_at_both_ends)
{
	struct stir_config *cfg;

	assert_refused("iat_window = 0\n",
	    CONF ":1: 'iat_window' must be an integer from 1 to 86400, not '0'");
	assert_refused("iat_window = 86401\n",
	    CONF ":1: 'iat_window' must be an integer from 1 to 86400, not '86401'");
	assert_refused("fetch_timeout_ms = 99\n",
	    CONF ":1: 'fetch_timeout_ms' must be an integer from 100 to 60000, not '99'");
	assert_refused("fetch_timeout_ms = 60001\n",
	    CONF ":1: 'fetch_timeout_ms' must be an integer from 100 to 60000, not '60001'");
	assert_refused("fetch_max_bytes = 99999999999999999999999\n",
	    CONF ":1: 'fetch_max_bytes' must be an integer from 1024 to 16777216, not '99999999999999999999999'");
	cfg = accept_text("iat_window = 1\nfetch_timeout_ms = 60000\n");
	ck_assert_uint_eq(cfg->iat_window, 1);
	ck_assert_uint_eq(cfg->fetch_timeout_ms, 60000);
	stir_config_free(cfg);
	cfg = accept_text("iat_window = 86400\nfetch_timeout_ms = 100\n");
	ck_assert_uint_eq(cfg->iat_window, 86400);
	ck_assert_uint_eq(cfg->fetch_timeout_ms, 100);
	stir_config_free(cfg);
}
END_TEST

START_TEST(modes_are_octal_and_at_most_0777)
{
	struct stir_config *cfg = accept_text("socket_mode = 0600\nadmin_socket_mode = 640\n");

	ck_assert_uint_eq(cfg->socket_mode, 0600);
	ck_assert_uint_eq(cfg->admin_socket_mode, 0640);
	stir_config_free(cfg);
	assert_refused("socket_mode = 0999\n",
	    CONF ":1: 'socket_mode' must be an octal mode such as 0660, not '0999'");
	assert_refused("socket_mode = 01777\n",
	    CONF ":1: 'socket_mode' must be an octal mode such as 0660, not '01777'");
}
END_TEST

START_TEST(request_timeout_has_a_floor)
{
	struct stir_config *cfg = accept_text("request_timeout_ms = 100\n");

	ck_assert_uint_eq(cfg->request_timeout_ms, 100);
	stir_config_free(cfg);
	assert_refused("request_timeout_ms = 0\n",
	    CONF ":1: 'request_timeout_ms' must be an integer from 100 to 3600000, not '0'");
}
END_TEST

START_TEST(log_level_names_are_checked)
{
	struct stir_config *cfg = accept_text("log_level = debug\n");

	ck_assert_int_eq(cfg->log_level, STIR_LOG_DEBUG);
	stir_config_free(cfg);
	assert_refused("log_level = loud\n",
	    CONF ":1: 'log_level' must be error, warning, notice, info or debug");
}
END_TEST

START_TEST(relative_or_empty_path_is_refused)
{
	assert_refused("iat_window = 5\ndatabase = var/stird.db\n",
	    CONF ":2: 'database' must be an absolute path");
	assert_refused("key_dir =\n", CONF ":1: 'key_dir' must be an absolute path");
}
END_TEST

START_TEST(optional_path_may_be_empty_but_not_relative)
{
	struct stir_config *cfg = accept_text("x5u_ca_file =\n");

	ck_assert_str_eq(cfg->x5u_ca_file, "");
	stir_config_free(cfg);
	assert_refused("x5u_ca_file = ca.pem\n",
	    CONF ":1: 'x5u_ca_file' must be an absolute path");
}
END_TEST

START_TEST(duplicate_key_names_the_second_line)
{
	assert_refused("iat_window = 5\n# again\niat_window = 6\n",
	    CONF ":3: 'iat_window' is set twice");
}
END_TEST

START_TEST(group_by_number_or_name_and_unknown_group_refused)
{
	struct stir_config *cfg = accept_text("sign_group = 4242\nadmin_group = root\n");

	ck_assert_str_eq(cfg->sign_group, "4242");
	ck_assert(cfg->sign_gid == (gid_t)4242);
	ck_assert_str_eq(cfg->admin_group, "root");
	ck_assert(cfg->admin_gid == (gid_t)0);
	ck_assert(cfg->verify_gid == (gid_t)-1);
	stir_config_free(cfg);
	assert_refused("verify_group = stird-no-such-group\n",
	    CONF ":1: 'verify_group': no such group 'stird-no-such-group'");
}
END_TEST

START_TEST(socket_equal_to_admin_socket_is_refused)
{
	assert_refused("socket = /run/s.sock\nadmin_socket = /run/s.sock\n",
	    CONF ": 'socket' and 'admin_socket' must differ");
}
END_TEST

/* RCD, diversion, messaging and connected-identity settings. */
START_TEST(extension_settings_are_checked)
{
	static const char ci[] = CONF ": 'connected_identity' is a list of numbers, prefixes (1215555*) and ranges (a-b), separated by commas";
	struct stir_config *cfg;

	cfg = accept_text("connected_identity = 12125551213, 1202555*, 12155550100-12155550199\n"
	    "failure_action = continue-with-reason\ndiv_max_hops = 16\n");
	ck_assert_int_eq(cfg->failure_action, STIR_ACTION_CONTINUE_REASON);
	ck_assert_uint_eq(cfg->div_max_hops, 16);
	stir_config_free(cfg);
	assert_refused("connected_identity = 121-12\n", ci);
	assert_refused("connected_identity = 129-121\n", ci);
	assert_refused("connected_identity = 12*3\n", ci);
	assert_refused("connected_identity = *\n", ci);
	assert_refused("connected_identity = 1234567890123456\n", ci);
	assert_refused("failure_action = maybe\n",
	    CONF ":1: 'failure_action' must be reject, continue or continue-with-reason");
	assert_refused("rcd_icon_max_bytes = 100000\n", CONF ": 'rcd_icon_max_bytes' and "
	    "'rcd_jcard_max_bytes' must not be larger than 'fetch_max_bytes'");
	assert_refused("crl_mode = medium\n", CONF ":1: 'crl_mode' must be off, soft or hard");
}
END_TEST

/* Fetch scheduling (issue 9): defaults, ranges, the queue wait within the fetch time. */
START_TEST(fetch_scheduling_settings_are_checked)
{
	struct stir_config *cfg = accept_text("");

	ck_assert_uint_eq(cfg->fetch_per_host, 8);
	ck_assert_uint_eq(cfg->fetch_per_request, 16);
	ck_assert_uint_eq(cfg->fetch_queue_ms, 0);
	ck_assert_uint_eq(cfg->max_x5u_per_verify, 4);
	stir_config_free(cfg);
	cfg = accept_text("fetch_per_host = 256\nfetch_per_request = 1\nfetch_timeout_ms = 3000\n"
	    "fetch_queue_ms = 3000\nmax_x5u_per_verify = 32\n");
	ck_assert_uint_eq(cfg->fetch_per_host, 256);
	ck_assert_uint_eq(cfg->fetch_per_request, 1);
	ck_assert_uint_eq(cfg->fetch_queue_ms, 3000);
	ck_assert_uint_eq(cfg->max_x5u_per_verify, 32);
	stir_config_free(cfg);
	assert_refused("fetch_per_host = 0\n",
	    CONF ":1: 'fetch_per_host' must be an integer from 1 to 256, not '0'");
	assert_refused("fetch_per_request = 257\n",
	    CONF ":1: 'fetch_per_request' must be an integer from 1 to 256, not '257'");
	assert_refused("max_x5u_per_verify = 33\n",
	    CONF ":1: 'max_x5u_per_verify' must be an integer from 1 to 32, not '33'");
	assert_refused("fetch_queue_ms = 2001\n",
	    CONF ": 'fetch_queue_ms' is larger than 'fetch_timeout_ms'");
}
END_TEST

START_TEST(redis_settings_are_checked)
{
	struct stir_config *cfg = accept_text("redis_sentinels = 127.0.0.1:26379, [::1]:26380\n"
	    "redis_master = fleet\nredis_sentinel_user = watcher\n"
	    "redis_sentinel_password_file = /etc/stird/sentinel.pw\n");

	ck_assert_str_eq(cfg->redis_sentinel_user, "watcher");
	ck_assert_str_eq(cfg->redis_sentinel_password_file, "/etc/stird/sentinel.pw");
	stir_config_free(cfg);
	assert_refused("redis_sentinels = 127.0.0.1:26379\n",
	    CONF ": 'redis_sentinels' and 'redis_master' go together");
	assert_refused("redis = 127.0.0.1:6379\nredis_sentinel_password_file = /etc/s.pw\n",
	    CONF ": 'redis_sentinel_user' and 'redis_sentinel_password_file' are for"
	    " 'redis_sentinels'");
	assert_refused("redis_sentinels = 127.0.0.1:26379\nredis_master = m\n"
	    "redis_sentinel_user = watcher\n",
	    CONF ": 'redis_sentinel_user' needs 'redis_sentinel_password_file'");
	assert_refused("redis_sentinels = 127.0.0.1:26379\nredis_master = m\n"
	    "redis_sentinel_user = \"a b\"\nredis_sentinel_password_file = /etc/s.pw\n",
	    CONF ": 'redis_sentinel_user' has a space or a control character");
}
END_TEST

START_TEST(line_over_the_limit_is_refused_and_at_the_limit_accepted)
{
	char *text = malloc(STIR_CONFIG_LINE_MAX + 64);
	struct stir_config *cfg;
	size_t n;

	ck_assert_ptr_nonnull(text);
	/* a comment line of exactly STIR_CONFIG_LINE_MAX bytes */
	n = (size_t)snprintf(text, 64, "iat_window = 9\n#");
	memset(text + n, 'x', STIR_CONFIG_LINE_MAX - 1);
	n += STIR_CONFIG_LINE_MAX - 1;
	text[n++] = '\n';
	text[n] = '\0';
	cfg = accept_text(text);
	ck_assert_uint_eq(cfg->iat_window, 9);
	stir_config_free(cfg);
	/* one byte more */
	text[n - 1] = 'x';
	text[n++] = '\n';
	text[n] = '\0';
	assert_refused(text, CONF ":2: line longer than 4096 bytes");
	free(text);
}
END_TEST

START_TEST(load_reads_a_file_and_reports_a_missing_one)
{
	char *dir = tu_mkdtemp(), path[512], err[512];
	static const char text[] = "iat_window = 42\n";
	struct stir_config *cfg = NULL;

	snprintf(path, sizeof(path), "%s/stird.conf", dir);
	ck_assert_int_eq(tu_write_file(path, text, sizeof(text) - 1, 0644), 0);
	ck_assert_int_eq(stir_config_load(path, &cfg, err, sizeof(err)), STIR_OK);
	ck_assert_uint_eq(cfg->iat_window, 42);
	ck_assert_str_eq(cfg->path, path);
	stir_config_free(cfg);
	cfg = NULL;
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	ck_assert_int_eq(stir_config_load(path, &cfg, err, sizeof(err)), STIR_EIO);
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strncmp(err, path, strlen(path)) == 0 &&
	    strstr(err, ": cannot open: ") != NULL, "message: %s", err);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* conffile.h with a table of its own: what the doors' tables rely on. */
struct tconf {
	char		*name;
	char		*dir;
	unsigned	 n;
	unsigned	 mode;
	int		 colour;
	size_t		 nitems;
	char		 items[4][16];
};

static int
set_item(void *obj, const struct conffile_key *k, char *v, char *msg, size_t msglen)
{
	struct tconf *t = obj;

	if (strcmp(v, "bad") == 0 || t->nitems == 4) {
		snprintf(msg, msglen, "'%s' refuses '%s' (aux %zu)", k->name, v, k->aux);
		return STIR_EINVAL;
	}
	snprintf(t->items[t->nitems++], sizeof(t->items[0]), "%s", v);
	return STIR_OK;
}

static const char *const colours[] = { "red", "green", "blue", NULL };

#define TOFF(f)	offsetof(struct tconf, f)

static const struct conffile_key tkeys[] = {
	{ .name = "item", .type = CONFFILE_CUSTOM, .flags = CONFFILE_REPEAT, .set = set_item,
	  .aux = 7 },
	{ .name = "name", .type = CONFFILE_STRING, .off = TOFF(name), .dflt = "anon" },
	{ .name = "dir", .type = CONFFILE_PATH, .off = TOFF(dir), .max = 8, .dflt = "/d" },
	{ .name = "n", .type = CONFFILE_UINT, .off = TOFF(n), .min = 2, .max = 9 },
	{ .name = "mode", .type = CONFFILE_MODE, .off = TOFF(mode), .max = 0777,
	  .help = "an octal mode" },
	{ .name = "colour", .type = CONFFILE_ENUM, .off = TOFF(colour), .dflt = "green",
	  .names = colours },
	{ .name = "hue", .type = CONFFILE_ENUM, .off = TOFF(colour), .names = colours,
	  .help = "one of red, green, blue" },
};
#define NTKEYS	(sizeof(tkeys) / sizeof(tkeys[0]))

/* Parse text with tkeys over the defaults; err is "" on success. */
static int
tparse(struct tconf *t, const char *text, char *err, size_t errlen)
{
	char msg[256];
	int r;

	memset(t, 0, sizeof(*t));
	err[0] = '\0';
	ck_assert_int_eq(conffile_defaults(tkeys, NTKEYS, t, msg, sizeof(msg)), STIR_OK);
	r = conffile_parse(tkeys, NTKEYS, t, "t.conf", text, strlen(text), err, errlen);
	conffile_free(tkeys, NTKEYS, t);
	ck_assert_ptr_null(t->name);
	return r;
}

START_TEST(conffile_defaults_and_repeatable_custom_key)
{
	struct tconf t;
	char err[256];

	ck_assert_int_eq(tparse(&t, "", err, sizeof(err)), STIR_OK);
	ck_assert_uint_eq(t.n, 0);		/* no default: untouched */
	ck_assert_int_eq(t.colour, 1);
	ck_assert_int_eq(tparse(&t, "item = a\n# c\nitem = \"b c\"\nn = 9\nitem=d", err,
	    sizeof(err)), STIR_OK);
	ck_assert_uint_eq(t.nitems, 3);
	ck_assert_str_eq(t.items[0], "a");
	ck_assert_str_eq(t.items[1], "b c");
	ck_assert_str_eq(t.items[2], "d");
	ck_assert_uint_eq(t.n, 9);
	ck_assert_int_eq(tparse(&t, "n = 3\nitem = a\nn = 4\n", err, sizeof(err)), STIR_EINVAL);
	ck_assert_str_eq(err, "t.conf:3: 'n' is set twice");
}
END_TEST

START_TEST(conffile_setter_and_type_errors_name_file_and_line)
{
	struct tconf t;
	char err[256];

	ck_assert_int_eq(tparse(&t, "item = a\n\nitem = bad\n", err, sizeof(err)), STIR_EINVAL);
	ck_assert_str_eq(err, "t.conf:3: 'item' refuses 'bad' (aux 7)");
	ck_assert_int_eq(tparse(&t, "item=1\nitem=2\nitem=3\nitem=4\nitem=5\n", err,
	    sizeof(err)), STIR_EINVAL);
	ck_assert_str_eq(err, "t.conf:5: 'item' refuses '5' (aux 7)");
	ck_assert_int_eq(tparse(&t, "name = \"\"\n", err, sizeof(err)), STIR_EINVAL);
	ck_assert_str_eq(err, "t.conf:1: 'name' must not be empty");
	ck_assert_int_eq(tparse(&t, "dir = /1234567\n", err, sizeof(err)), STIR_EINVAL);
	ck_assert_str_eq(err, "t.conf:1: 'dir' is too long");
	ck_assert_int_eq(tparse(&t, "dir = /123456\n", err, sizeof(err)), STIR_OK);
	ck_assert_int_eq(tparse(&t, "dir = d\n", err, sizeof(err)), STIR_EINVAL);
	ck_assert_str_eq(err, "t.conf:1: 'dir' must be an absolute path");
	ck_assert_int_eq(tparse(&t, "n = 1\n", err, sizeof(err)), STIR_EINVAL);
	ck_assert_str_eq(err, "t.conf:1: 'n' must be an integer from 2 to 9, not '1'");
	/* help replaces the default message */
	ck_assert_int_eq(tparse(&t, "mode = 0800\n", err, sizeof(err)), STIR_EINVAL);
	ck_assert_str_eq(err, "t.conf:1: 'mode' must be an octal mode");
	ck_assert_int_eq(tparse(&t, "colour = pink\n", err, sizeof(err)), STIR_EINVAL);
	ck_assert_str_eq(err, "t.conf:1: 'colour' must be red, green or blue");
	ck_assert_int_eq(tparse(&t, "hue = pink\n", err, sizeof(err)), STIR_EINVAL);
	ck_assert_str_eq(err, "t.conf:1: 'hue' must be one of red, green, blue");
	ck_assert_int_eq(tparse(&t, "hue = blue\n", err, sizeof(err)), STIR_OK);
	ck_assert_int_eq(t.colour, 2);
}
END_TEST

START_TEST(conffile_read_limits_size_and_refuses_non_files)
{
	char *dir = tu_mkdtemp(), path[512], err[512], *text = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/c.conf", dir);
	ck_assert_int_eq(tu_write_file(path, "n = 5\n", 6, 0644), 0);
	ck_assert_int_eq(conffile_read(path, 6, &text, &len, err, sizeof(err)), STIR_OK);
	ck_assert_uint_eq(len, 6);
	ck_assert_str_eq(text, "n = 5\n");	/* NUL-terminated */
	free(text);
	text = NULL;
	ck_assert_int_eq(conffile_read(path, 5, &text, &len, err, sizeof(err)), STIR_EINVAL);
	ck_assert_ptr_null(text);
	ck_assert_msg(strstr(err, "/c.conf: larger than 5 bytes") != NULL, "message: %s", err);
	ck_assert_int_eq(conffile_read(dir, 1024, &text, &len, err, sizeof(err)), STIR_EIO);
	ck_assert_ptr_null(text);
	ck_assert_msg(strstr(err, ": not a regular file") != NULL, "message: %s", err);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("parse");

	tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);

	tcase_add_test(tc, defaults_are_the_documented_values);
	tcase_add_test(tc, empty_file_gives_defaults_and_records_path);
	tcase_add_test(tc, comments_on_their_own_line_and_after_blanks_are_ignored);
	tcase_add_test(tc, hash_inside_a_word_is_part_of_the_value);
	tcase_add_test(tc, quoted_values_keep_blanks_and_may_be_empty);
	tcase_add_test(tc, quoted_value_keeps_a_hash_after_a_blank);
	tcase_add_test(tc, quoted_value_may_be_followed_only_by_a_comment);
	tcase_add_test(tc, unterminated_quote_is_refused);
	tcase_add_test(tc, unknown_key_names_file_line_and_key);
	tcase_add_test(tc, unknown_key_with_control_bytes_is_quoted);
	tcase_add_test(tc, line_without_equals_is_refused);
	tcase_add_test(tc, nul_byte_in_a_line_is_refused);
	tcase_add_test(tc, booleans_accept_yes_no_spellings);
	tcase_add_test(tc, bad_boolean_names_key_and_value);
	tcase_add_test(tc, bad_integer_names_key_range_and_value);
	tcase_add_test(tc, integers_outside_their_range_are_refused_at_both_ends);
	tcase_add_test(tc, modes_are_octal_and_at_most_0777);
	tcase_add_test(tc, request_timeout_has_a_floor);
	tcase_add_test(tc, log_level_names_are_checked);
	tcase_add_test(tc, relative_or_empty_path_is_refused);
	tcase_add_test(tc, optional_path_may_be_empty_but_not_relative);
	tcase_add_test(tc, duplicate_key_names_the_second_line);
	tcase_add_test(tc, group_by_number_or_name_and_unknown_group_refused);
	tcase_add_test(tc, socket_equal_to_admin_socket_is_refused);
	tcase_add_test(tc, extension_settings_are_checked);
	tcase_add_test(tc, fetch_scheduling_settings_are_checked);
	tcase_add_test(tc, redis_settings_are_checked);
	tcase_add_test(tc, line_over_the_limit_is_refused_and_at_the_limit_accepted);
	tcase_add_test(tc, load_reads_a_file_and_reports_a_missing_one);
	/* conffile.h with a table of its own */
	tcase_add_test(tc, conffile_defaults_and_repeatable_custom_key);
	tcase_add_test(tc, conffile_setter_and_type_errors_name_file_and_line);
	tcase_add_test(tc, conffile_read_limits_size_and_refuses_non_files);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(conf_suite());
}
