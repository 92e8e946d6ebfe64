/*
 * test_sipd.c: stird-sipd, the SIP redirect front door, end to end: the
 * real stird (its SQLite file, a test PKI, x5u from tests/https-server.py)
 * and the real stird-sipd, driven with raw SIP over UDP and TCP and with
 * sipp: signing, verification, transactions, stird going away.
 * Hostile input, allow_from, TLS and the config: test_sipd_hostile.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "harness.h"
#include "sipd_harness.h"

START_TEST(udp_invite_is_signed_and_the_identity_verifies_as_passed)
{
	char resp[RESP_MAX], identity[16384];

	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 302);
	check_302_sign(resp);
	snprintf(identity, sizeof(identity), "%s", hdr(resp, "Identity", 0));
	/* stird itself says the value is good */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "verify --identity '%s' --from '%s' "
	    "--to '%s'", identity, "sip:+12155551212@example.com;user=phone", "tel:+12125551213"), 0);
	ck_assert_ptr_nonnull(strstr(out, "TN-Validation-Passed"));
	/* and through the door */
	ck_assert_int_eq(udp_invite(FROM, identity, resp, sizeof(resp)), 302);
	ck_assert_str_eq(hdr(resp, "Contact", 0), "<" RURI ">");
	ck_assert_str_eq(hdr(resp, "P-Asserted-Identity", 0),
	    "<tel:+12155551212;verstat=TN-Validation-Passed>");
	ck_assert_ptr_null(hdr(resp, "Identity", 0));
	ck_assert_ptr_null(hdr(resp, "Reason", 0));
}
END_TEST

START_TEST(tcp_invite_is_signed_and_verified)
{
	char resp[RESP_MAX], identity[16384];

	ck_assert_int_eq(tcp_invite(FROM, NULL, resp, sizeof(resp)), 302);
	check_302_sign(resp);
	snprintf(identity, sizeof(identity), "%s", hdr(resp, "Identity", 0));
	ck_assert_int_eq(tcp_invite(FROM, identity, resp, sizeof(resp)), 302);
	ck_assert_str_eq(hdr(resp, "P-Asserted-Identity", 0),
	    "<tel:+12155551212;verstat=TN-Validation-Passed>");
}
END_TEST

START_TEST(spoofed_from_is_rejected_with_438_and_a_stir_reason)
{
	char resp[RESP_MAX], identity[16384];

	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 302);
	snprintf(identity, sizeof(identity), "%s", hdr(resp, "Identity", 0));
	ck_assert_int_eq(udp_invite(SPOOF, identity, resp, sizeof(resp)), 438);
	ck_assert_ptr_nonnull(strstr(resp, "SIP/2.0 438 Invalid Identity Header\r\n"));
	ck_assert_ptr_nonnull(hdr(resp, "Reason", 0));
	ck_assert_ptr_nonnull(strstr(hdr(resp, "Reason", 0), "STIR;cause=438"));
	ck_assert_ptr_null(hdr(resp, "Contact", 0));
	/* over TCP too */
	ck_assert_int_eq(tcp_invite(SPOOF, identity, resp, sizeof(resp)), 438);
}
END_TEST

/* The Date header is passed on: an hour away from iat is stale (403). */
START_TEST(a_stale_date_is_rejected_with_403)
{
	char resp[RESP_MAX], identity[16384], m[32768], date[64], cid[64], *p;
	time_t old = time(NULL) - 3600;
	struct tm tm;
	int fd;

	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 302);
	snprintf(identity, sizeof(identity), "%s", hdr(resp, "Identity", 0));
	ck_assert_ptr_nonnull(gmtime_r(&old, &tm));
	ck_assert_uint_gt(strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm), 0);
	snprintf(cid, sizeof(cid), "stale-%d@test", getpid());
	snprintf(m, sizeof(m), "%s", invite(cid, "bstale", FROM, identity, false));
	p = strstr(m, "Content-Length: 0");
	snprintf(p, sizeof(m) - (size_t)(p - m), "Date: %s\r\nContent-Length: 0\r\n\r\n", date);
	fd = sock_to(SOCK_DGRAM, udp_port);
	send_all(fd, m, strlen(m));
	ck_assert_int_eq(final(fd, false, resp, sizeof(resp), NULL), 403);
	ck_assert_ptr_nonnull(strstr(resp, "SIP/2.0 403 Stale Date\r\n"));
	ck_assert_ptr_nonnull(strstr(hdr(resp, "Reason", 0), "STIR;cause=403"));
	send_ack(fd, cid, "bstale", resp);
	close(fd);
}
END_TEST

START_TEST(mark_mode_redirects_a_failed_call_with_its_verstat)
{
	char resp[RESP_MAX], identity[16384];

	ck_assert_int_eq(sipd_stop(), 0);
	sipd_start("on_verify_failure = mark");
	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 302);
	snprintf(identity, sizeof(identity), "%s", hdr(resp, "Identity", 0));
	ck_assert_int_eq(udp_invite(SPOOF, identity, resp, sizeof(resp)), 302);
	ck_assert_str_eq(hdr(resp, "P-Asserted-Identity", 0),
	    "<tel:+12155559999;verstat=TN-Validation-Failed>");
	ck_assert_ptr_nonnull(strstr(hdr(resp, "Reason", 0), "STIR;cause=438"));
}
END_TEST

START_TEST(retransmitted_invite_gets_the_same_response_and_stird_signs_once)
{
	char resp[RESP_MAX], again[RESP_MAX], cid[64];
	int fd = sock_to(SOCK_DGRAM, udp_port), prov;
	long long before = stird_signs();
	const char *m;

	snprintf(cid, sizeof(cid), "rexmit-%d@test", getpid());
	m = invite(cid, "rexmit1", FROM, NULL, false);
	send_all(fd, m, strlen(m));
	ck_assert_int_eq(final(fd, false, resp, sizeof(resp), &prov), 302);
	/* not ACKed yet: the door retransmits the 302 (RFC 3261 timer G) */
	ck_assert_int_gt(recv_msg(fd, false, again, sizeof(again), WAIT_MS), 0);
	ck_assert_str_eq(again, resp);
	send_ack(fd, cid, "rexmit1", resp);
	/* the INVITE again, as a caller that lost the 302 sends it */
	send_all(fd, m, strlen(m));
	ck_assert_int_gt(recv_msg(fd, false, again, sizeof(again), WAIT_MS), 0);
	ck_assert_str_eq(again, resp);
	/* ACKed: nothing more comes */
	ck_assert(quiet(fd));
	close(fd);
	ck_assert_int_eq(stird_signs(), before + 1);
	/* the same INVITE from another address is another transaction */
	{
		struct sockaddr_in other = { .sin_family = AF_INET };
		char to_tag[256];

		snprintf(to_tag, sizeof(to_tag), "%s", hdr(resp, "To", 0));
		other.sin_addr.s_addr = htonl(0x7f000002);	/* 127.0.0.2 */
		ck_assert_int_ge(fd = socket(AF_INET, SOCK_DGRAM, 0), 0);
		ck_assert_int_eq(bind(fd, (struct sockaddr *)&other, sizeof(other)), 0);
		other.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		other.sin_port = htons((uint16_t)udp_port);
		ck_assert_int_eq(connect(fd, (struct sockaddr *)&other, sizeof(other)), 0);
		send_all(fd, m, strlen(m));
		ck_assert_int_eq(final(fd, false, again, sizeof(again), NULL), 302);
		ck_assert_str_ne(hdr(again, "To", 0), to_tag);	/* its own To tag */
		send_ack(fd, cid, "rexmit1", again);
		close(fd);
		ck_assert_int_eq(stird_signs(), before + 2);
	}
}
END_TEST

START_TEST(options_is_answered_and_other_methods_are_refused)
{
	static const char opt[] = "OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKopt\r\nMax-Forwards: 70\r\n"
	    "From: <sip:mon@127.0.0.1>;tag=m\r\nTo: <sip:ping@127.0.0.1>\r\nCall-ID: opt@test\r\n"
	    "CSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n";
	static const char bye[] = "BYE sip:x@127.0.0.1 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKbye\r\nMax-Forwards: 70\r\n"
	    "From: <sip:a@127.0.0.1>;tag=a\r\nTo: <sip:x@127.0.0.1>;tag=b\r\nCall-ID: bye@test\r\n"
	    "CSeq: 8 BYE\r\nContent-Length: 0\r\n\r\n";
	static const char foo[] = "FROB sip:x@127.0.0.1 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKfoo\r\nMax-Forwards: 70\r\n"
	    "From: <sip:a@127.0.0.1>;tag=a\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: foo@test\r\n"
	    "CSeq: 9 FROB\r\nContent-Length: 0\r\n\r\n";
	char resp[RESP_MAX];
	int fd = sock_to(SOCK_DGRAM, udp_port);

	send_all(fd, opt, sizeof(opt) - 1);
	ck_assert_int_gt(recv_msg(fd, false, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 200);
	ck_assert_str_eq(hdr(resp, "CSeq", 0), "7 OPTIONS");
	ck_assert_ptr_nonnull(strstr(hdr(resp, "Allow", 0), "INVITE"));
	send_all(fd, bye, sizeof(bye) - 1);
	ck_assert_int_gt(recv_msg(fd, false, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 405);
	ck_assert_ptr_nonnull(strstr(hdr(resp, "To", 0), ";tag=b"));	/* its own tag kept */
	send_all(fd, foo, sizeof(foo) - 1);
	ck_assert_int_gt(recv_msg(fd, false, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 501);
	close(fd);
	/* OPTIONS over TCP */
	fd = sock_to(SOCK_STREAM, tcp_port);
	send_all(fd, opt, sizeof(opt) - 1);
	ck_assert_int_gt(recv_msg(fd, true, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 200);
	close(fd);
}
END_TEST

START_TEST(two_invites_pipelined_on_one_tcp_connection_both_answered)
{
	char resp[RESP_MAX], both[65536];
	int fd = sock_to(SOCK_STREAM, tcp_port);

	snprintf(both, sizeof(both), "%s", invite("p1@test", "p1", FROM, NULL, true));
	snprintf(both + strlen(both), sizeof(both) - strlen(both), "\r\n\r\n%s",
	    invite("p2@test", "p2", FROM, NULL, true));		/* with a keep-alive between */
	crlf_seen = 0;
	send_all(fd, both, strlen(both));
	ck_assert_int_gt(recv_msg(fd, true, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 302);
	ck_assert_ptr_nonnull(strstr(hdr(resp, "Call-ID", 0), "@test"));
	ck_assert_int_gt(recv_msg(fd, true, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 302);
	ck_assert_int_eq(crlf_seen, 2);		/* RFC 5626: \r\n\r\n gets \r\n */
	close(fd);
}
END_TEST

START_TEST(stird_down_gives_503_and_the_door_reconnects)
{
	char resp[RESP_MAX];

	ck_assert_int_eq(h_stop(&H), 0);
	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 503);
	ck_assert_str_eq(hdr(resp, "Retry-After", 0), "5");
	ck_assert_int_eq(tcp_invite(FROM, NULL, resp, sizeof(resp)), 503);
	ck_assert_msg(h_start(&H), "stird did not start again");
	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 302);
}
END_TEST

static void
send_cancel(int fd, const char *cid, const char *br)
{
	char m[4096];

	snprintf(m, sizeof(m), "CANCEL " RURI " SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK%s;rport\r\n"
	    "Max-Forwards: 70\r\nFrom: " FROM "\r\nTo: " TO "\r\nCall-ID: %s\r\nCSeq: 1 CANCEL\r\n"
	    "Content-Length: 0\r\n\r\n", br, cid);
	send_all(fd, m, strlen(m));
}

START_TEST(pending_invites_are_retransmitted_cancelled_and_timed_out)
{
	char resp[RESP_MAX], cid[64];
	int fd, got200 = 0, got487 = 0;
	const char *m;

	ck_assert_int_eq(sipd_stop(), 0);
	sipd_start("deadline_ms = 300");
	ck_assert_int_eq(kill(H.pid, SIGSTOP), 0);	/* stird takes no calls now */
	fd = sock_to(SOCK_DGRAM, udp_port);
	snprintf(cid, sizeof(cid), "pending-%d@test", getpid());
	m = invite(cid, "pend1", FROM, NULL, false);
	send_all(fd, m, strlen(m));
	ck_assert_int_gt(recv_msg(fd, false, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 100);
	/* retransmitted while stird works: 100 again, nothing else */
	send_all(fd, m, strlen(m));
	ck_assert_int_gt(recv_msg(fd, false, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 100);
	/* CANCEL: 200 for it, 487 for the INVITE */
	send_cancel(fd, cid, "pend1");
	for (int i = 0; i < 2; i++) {
		ck_assert_int_gt(recv_msg(fd, false, resp, sizeof(resp), WAIT_MS), 0);
		if (code_of(resp) == 200 && strcmp(hdr(resp, "CSeq", 0), "1 CANCEL") == 0)
			got200++;
		else if (code_of(resp) == 487 && strcmp(hdr(resp, "CSeq", 0), "1 INVITE") == 0)
			got487++;
	}
	ck_assert_int_eq(got200, 1);
	ck_assert_int_eq(got487, 1);
	send_ack(fd, cid, "pend1", resp);
	/* a CANCEL of nothing */
	send_cancel(fd, "nothing@test", "none");
	ck_assert_int_gt(recv_msg(fd, false, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 481);
	close(fd);
	/* stird never answers: 504 once deadline_ms and a second passed */
	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 504);
	ck_assert_int_eq(kill(H.pid, SIGCONT), 0);
	/* stird answers what was cancelled, which is ignored, and the next call */
	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 302);
}
END_TEST

START_TEST(attestation_comes_from_the_config_or_the_allowed_header)
{
	char resp[RESP_MAX], identity[16384], cid[64];
	int fd = -1;
	const char *m;

	ck_assert_int_eq(sipd_stop(), 0);
	sipd_start("attest = B\nattest_header = X-Attest");
	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 302);
	snprintf(identity, sizeof(identity), "%s", hdr(resp, "Identity", 0));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "verify --identity '%s' --from '%s' "
	    "--to '%s'", identity, "sip:+12155551212@example.com;user=phone", "tel:+12125551213"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"attest\": \"B\""));
	for (int i = 0; i < 2; i++) {
		char with[24576], *p;

		fd = sock_to(SOCK_DGRAM, udp_port);
		snprintf(cid, sizeof(cid), "attest-%d-%d@test", getpid(), i);
		m = invite(cid, i == 0 ? "att0" : "att1", FROM, NULL, false);
		snprintf(with, sizeof(with), "%s", m);
		p = strstr(with, "Content-Length");
		snprintf(p, sizeof(with) - (size_t)(p - with), "X-Attest: %s\r\nContent-Length: 0\r\n\r\n",
		    i == 0 ? "C" : "Z");
		send_all(fd, with, strlen(with));
		if (i == 0) {
			ck_assert_int_eq(final(fd, false, resp, sizeof(resp), NULL), 302);
			snprintf(identity, sizeof(identity), "%s", hdr(resp, "Identity", 0));
		} else {
			ck_assert_int_eq(final(fd, false, resp, sizeof(resp), NULL), 400);
			ck_assert_ptr_nonnull(strstr(hdr(resp, "Warning", 0), "A, B or C"));
		}
		send_ack(fd, cid, i == 0 ? "att0" : "att1", resp);
		close(fd);
	}
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "verify --identity '%s' --from '%s' "
	    "--to '%s'", identity, "sip:+12155551212@example.com;user=phone", "tel:+12125551213"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"attest\": \"C\""));
}
END_TEST

/* sipp (Debian sip-tester) as the proxy would be: sign, then verify. */
static void
run_sipp(const char *transport, int port)
{
	char cmd[4 * H_PATH_MAX];
	int rc;

	snprintf(cmd, sizeof(cmd), "cd '%s' && sipp -sf '%s/tests/integration/sipd-sign-verify.xml' "
	    "-t %s -i 127.0.0.1 -m 40 -r 400 -l 40 -timeout 30s -timeout_error -nostdin "
	    "-trace_err -error_file sipp-%s.err -trace_stat -stf sipp-%s.csv 127.0.0.1:%d "
	    ">sipp-%s.out 2>&1", H.dir, sipd_env("top_srcdir", "."), transport, transport,
	    transport, port, transport);
	rc = h_sh(out, sizeof(out), "%s", cmd);
	if (rc != 0) {
		(void)h_sh(out, sizeof(out), "cat '%s/sipp-%s.out' '%s/sipp-%s.err' 2>&1 | tail -40",
		    H.dir, transport, H.dir, transport);
		ck_abort_msg("sipp over %s failed (%d): %s", transport, rc, out);
	}
}

START_TEST(sipp_signs_then_verifies_over_udp_and_tcp)
{
	long long before = stird_signs();

	run_sipp("u1", udp_port);
	run_sipp("t1", tcp_port);
	ck_assert_int_eq(stird_signs(), before + 80);	/* 40 calls each, signed once */
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("stird-sipd");
	TCase *tc = tcase_create("door");

	tcase_add_checked_fixture(tc, sipd_setup, sipd_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, udp_invite_is_signed_and_the_identity_verifies_as_passed);
	tcase_add_test(tc, tcp_invite_is_signed_and_verified);
	tcase_add_test(tc, spoofed_from_is_rejected_with_438_and_a_stir_reason);
	tcase_add_test(tc, mark_mode_redirects_a_failed_call_with_its_verstat);
	tcase_add_test(tc, a_stale_date_is_rejected_with_403);
	tcase_add_test(tc, retransmitted_invite_gets_the_same_response_and_stird_signs_once);
	tcase_add_test(tc, options_is_answered_and_other_methods_are_refused);
	tcase_add_test(tc, two_invites_pipelined_on_one_tcp_connection_both_answered);
	tcase_add_test(tc, stird_down_gives_503_and_the_door_reconnects);
	tcase_add_test(tc, pending_invites_are_retransmitted_cancelled_and_timed_out);
	tcase_add_test(tc, attestation_comes_from_the_config_or_the_allowed_header);
	tcase_add_test(tc, sipp_signs_then_verifies_over_udp_and_tcp);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return h_run(suite());
}
