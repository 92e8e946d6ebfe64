/*
 * main.c: stird-sipd, the SIP redirect front door of stird
 * (stird-sipd(8), doc/sip-redirect.md).
 *
 *	stird-sipd [-f] [-n] [-c FILE]
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <uv.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "stirclient.h"
#include "daemon/base/log.h"
#include "daemon/base/startup.h"
#include "client/stird-sipd/sipd.h"
#include "client/stird-sipd/tls.h"

#define DEFAULT_CONF	STIR_SYSCONFDIR "/stird/stird-sipd.conf"

uint64_t
sipd_now(const struct sipd *s)
{
	return uv_now(s->loop);
}

static void
usage(void)
{
	fprintf(stderr, "usage: stird-sipd [-f] [-n] [-c FILE]\n"
	    "  -c FILE  configuration (default " DEFAULT_CONF ")\n"
	    "  -f       stay in the foreground (always: for systemd and scripts)\n"
	    "  -n       check the configuration and exit\n");
}

static void
on_tick(uv_timer_t *t)
{
	struct sipd *s = t->data;
	uint64_t now = sipd_now(s);

	sipd_tx_tick(s, now);
	sipd_tcp_sweep(s, now);
	upstream_tick(s, now);
}

static void
on_signal(uv_signal_t *h, int signum)
{
	struct sipd *s = h->data;

	if (s->stopping)
		return;
	log_notice("signal %d: stopping (%llu messages, %llu signs, %llu verifies, "
	    "%llu retransmissions absorbed, %llu malformed)", signum,
	    (unsigned long long)s->st.received, (unsigned long long)s->st.signs,
	    (unsigned long long)s->st.verifies, (unsigned long long)s->st.retransmissions,
	    (unsigned long long)s->st.malformed);
	s->stopping = true;
	/* pending requests are cancelled before their handles go */
	sipd_tx_free_all(s);
	sipd_close_all(s);
	upstream_close_all(s);
	uv_close((uv_handle_t *)&s->tick, NULL);
	uv_close((uv_handle_t *)&s->sigterm, NULL);
	uv_close((uv_handle_t *)&s->sigint, NULL);
}

int
main(int argc, char **argv)
{
	struct sipd s;
	const char *path = DEFAULT_CONF;
	char err[512];
	bool check = false;
	int ch, rc = 1;

	while ((ch = getopt(argc, argv, "c:fnh")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			break;
		case 'n':
			check = true;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (optind != argc) {
		usage();
		return 2;
	}
	memset(&s, 0, sizeof(s));
	if (sipd_conf_load(path, &s.conf, err, sizeof(err)) != STIR_OK) {
		fprintf(stderr, "stird-sipd: %s\n", err);
		return 1;
	}
	if (check) {
		printf("%s: OK\n", path);
		sipd_conf_free(s.conf);
		return 0;
	}
	stir_log_init(s.conf->log_level);
	stir_log_set_ident("stird-sipd");
	stir_harden_process(false);
	if (sodium_init() < 0) {
		log_err("libsodium did not initialise");
		goto out;
	}
	sipmsg_global_init();
	s.log_rl.burst = 10;
	s.log_rl.interval_ms = 10000;
	for (size_t i = 0; i < s.conf->nlisten; i++)
		if (s.conf->listen[i].proto == SIPD_TLS && s.tls == NULL &&
		    sipd_tls_new(s.conf->tls_cert, s.conf->tls_key,
		    s.conf->tls_client_ca[0] != '\0' ? s.conf->tls_client_ca : NULL, &s.tls, err,
		    sizeof(err)) != STIR_OK) {
			log_err("%s", err);
			goto out;
		}
	s.loop = uv_default_loop();
	/* caught before anyone can connect: a SIGTERM then is a clean stop */
	(void)uv_signal_init(s.loop, &s.sigterm);
	(void)uv_signal_init(s.loop, &s.sigint);
	s.sigterm.data = s.sigint.data = &s;
	(void)uv_signal_start(&s.sigterm, on_signal, SIGTERM);
	(void)uv_signal_start(&s.sigint, on_signal, SIGINT);
	if (sipd_listen_all(&s) != STIR_OK || upstream_init(&s) != STIR_OK)
		goto out;
	(void)uv_timer_init(s.loop, &s.tick);
	s.tick.data = &s;
	(void)uv_timer_start(&s.tick, on_tick, SIPD_TICK_MS, SIPD_TICK_MS);
	log_notice("stird-sipd %s ready", PACKAGE_VERSION);
#ifdef HAVE_SYSTEMD
	(void)sd_notify(0, "READY=1");
#endif
	(void)uv_run(s.loop, UV_RUN_DEFAULT);
	rc = 0;
 out:
	if (rc != 0 && s.loop != NULL) {
		/* startup failed: close what was opened, then let libuv finish */
		s.stopping = true;
		sipd_close_all(&s);
		upstream_close_all(&s);
		uv_close((uv_handle_t *)&s.sigterm, NULL);
		uv_close((uv_handle_t *)&s.sigint, NULL);
		(void)uv_run(s.loop, UV_RUN_DEFAULT);
	}
	if (s.loop != NULL)
		(void)uv_loop_close(s.loop);
	free(s.up);
	sipd_tls_free(s.tls);
	sipd_conf_free(s.conf);
	return rc;
}
