/*
 * stird-http: the HTTP front door of stird (stird-http(8), doc/http.md).
 * main(): options, config, signals, the libuv loop.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <sodium.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "daemon/base/startup.h"
#include "client/stird-http/door.h"

#define DEFAULT_CONFIG	STIR_SYSCONFDIR "/stird/stird-http.conf"
#define DOOR_WARN_BURST		10	/* 5xx lines logged ... */
#define DOOR_WARN_INTERVAL_MS	10000	/* ... per this long */

static void
close_walk_cb(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/*
 * SIGHUP: read tokens_file and client_cert_grants again (tokens rotate);
 * on any error the old ones stay.  Listeners and limits need a restart.
 */
static void
on_hup(uv_signal_t *s, int signum)
{
	struct door *d = s->data;
	struct auth *na = NULL;
	char err[1024];

	(void)signum;
	if (d->stopping)
		return;
	if (auth_load(d->cf, &na, err, sizeof(err)) != STIR_OK) {
		log_err("reload: %s; the previous tokens and grants stay", err);
		return;
	}
	auth_free(d->auth);
	d->auth = na;
	hd_auth_changed(d);
	log_notice("reload: tokens and client certificate grants read again");
}

static void
on_signal(uv_signal_t *s, int signum)
{
	struct door *d = s->data;

	if (d->stopping)
		return;
	log_notice("signal %d: stopping", signum);
	d->stopping = true;
	/* waiting requests get 503, then the listeners and connections close */
	up_free(d->up);
	d->up = NULL;
	hd_stop(d);
	uv_close((uv_handle_t *)&d->sigterm, NULL);
	uv_close((uv_handle_t *)&d->sigint, NULL);
	uv_close((uv_handle_t *)&d->sighup, NULL);
}

int
main(int argc, char **argv)
{
	struct door d;
	uv_loop_t loop;
	const char *config_path = DEFAULT_CONFIG;
	char err[1024];
	bool check_only, loop_ok = false;
	int r, status = 1;

	if ((r = stir_cmdline(argc, argv, "stird-http",
	    "validate the configuration (and the files it names) and exit", &config_path,
	    &check_only)) >= 0)
		return r;
	/* bearer tokens are in memory: no core dumps */
	stir_harden_process(true);
	stir_log_init(STIR_LOG_INFO);
	stir_log_set_ident("stird-http");
	memset(&d, 0, sizeof(d));
	d.warn_rl.burst = DOOR_WARN_BURST;
	d.warn_rl.interval_ms = DOOR_WARN_INTERVAL_MS;
	if (sodium_init() < 0 || gnutls_global_init() < 0) {
		log_err("library initialisation failed");
		return 1;
	}
	if (http_conf_load(config_path, &d.cf, err, sizeof(err)) != STIR_OK) {
		log_err("%s", err);
		goto out;
	}
	if (auth_load(d.cf, &d.auth, err, sizeof(err)) != STIR_OK) {
		log_err("%s", err);
		goto out;
	}
	if (check_only) {
		printf("%s: OK\n", config_path);
		status = 0;
		goto out;
	}
	stir_log_set_level(d.cf->log_level);
	if (uv_loop_init(&loop) != 0) {
		log_err("cannot create the event loop");
		goto out;
	}
	loop_ok = true;
	d.loop = &loop;
	(void)uv_signal_init(&loop, &d.sigterm);
	(void)uv_signal_init(&loop, &d.sigint);
	d.sigterm.data = d.sigint.data = &d;
	(void)uv_signal_start(&d.sigterm, on_signal, SIGTERM);
	(void)uv_signal_start(&d.sigint, on_signal, SIGINT);
	(void)uv_signal_init(&loop, &d.sighup);
	d.sighup.data = &d;
	(void)uv_signal_start(&d.sighup, on_hup, SIGHUP);
	if (up_new(&d, &d.up) != STIR_OK) {
		log_err("out of memory");
		goto stop;
	}
	if (hd_start(&d) != STIR_OK)
		goto stop;
	log_notice("stird-http %s ready, stird at '%s'", PACKAGE_VERSION, d.cf->stird_socket);
	(void)uv_run(&loop, UV_RUN_DEFAULT);
	status = 0;
	goto done;
 stop:
	up_free(d.up);
	d.up = NULL;
	hd_stop(&d);
 done:
	uv_walk(&loop, close_walk_cb, NULL);
	(void)uv_run(&loop, UV_RUN_DEFAULT);
 out:
	if (loop_ok)
		(void)uv_loop_close(&loop);
	auth_free(d.auth);
	http_conf_free(d.cf);
	gnutls_global_deinit();
	return status;
}
