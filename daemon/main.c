/* main.c: stird: argv, config, startup checks, the loop. */
#include "config.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <sodium.h>
#include <uv.h>

#include "stirclient.h"
#include "daemon/base/conf.h"
#include "daemon/base/log.h"
#include "daemon/core/notify.h"
#include "daemon/core/server.h"
#include "daemon/keys/signer_main.h"
#include "daemon/ops/ops.h"
#include "daemon/base/startup.h"

#define DEFAULT_CONFIG	STIR_SYSCONFDIR "/stird/stird.conf"

/*
 * Jansson's memory is wiped when freed: request lines carry secrets
 * (key.import PEM, PKCS#11 PINs) and the lexer copies them into buffers of
 * its own.  Each block carries its size in a 16-byte prefix, which keeps
 * malloc's alignment.  Wiping everything rather than sensitive requests
 * only costs nothing measurable: parsing and dumping a sign request runs
 * at about 150,000/s either way (2 vCPUs, within run-to-run noise), some
 * seven times what signing a whole PASSporT allows.
 */
#define JSON_PREFIX	16

static void *
json_wiping_malloc(size_t n)
{
	unsigned char *p;

	if (n > SIZE_MAX - JSON_PREFIX || (p = malloc(n + JSON_PREFIX)) == NULL)
		return NULL;
	memcpy(p, &n, sizeof(n));
	return p + JSON_PREFIX;
}

static void
json_wiping_free(void *ptr)
{
	unsigned char *p;
	size_t n;

	if (ptr == NULL)
		return;
	p = (unsigned char *)ptr - JSON_PREFIX;
	memcpy(&n, p, sizeof(n));
	sodium_memzero(ptr, n);
	free(p);
}

static bool
has_cap_ipc_lock(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d) != 0)
		return false;
	return (d[CAP_IPC_LOCK / 32].effective & (1u << (CAP_IPC_LOCK % 32))) != 0;
}

/*
 * lock_memory: keep every page of the process out of swap, those GnuTLS
 * holds the loaded private keys in (ordinary heap) included.  Called
 * before the keys are loaded.  MCL_ONFAULT locks pages only as they are
 * touched, not in advance (thread stacks, arenas); freed heap pages stay
 * resident, as the kernel refuses MADV_DONTNEED on them.  MCL_FUTURE
 * makes every later mapping count against RLIMIT_MEMLOCK: with a finite
 * limit and no CAP_IPC_LOCK the daemon's allocations would start to fail
 * once it grew past it, so then nothing is locked and we say why.
 */
static void
lock_memory(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) != 0)
		rl.rlim_cur = rl.rlim_max = 0;
	if (rl.rlim_cur != rl.rlim_max) {	/* the hard limit is ours to take */
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_MEMLOCK, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && !has_cap_ipc_lock()) {
		log_warn("lock_memory: RLIMIT_MEMLOCK is %llu bytes, not unlimited; memory is not locked and private keys may be swapped out (LimitMEMLOCK=infinity, or lock_memory = no)",
		    (unsigned long long)rl.rlim_cur);
		return;
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) != 0) {
		log_warn("lock_memory: mlockall: %s; memory is not locked and private keys may be swapped out",
		    strerror(errno));
		return;
	}
	log_debug("memory locked (mlockall, on fault)");
}

static int
check_libraries(void)
{
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);

	if (cv->ssl_version == NULL || strstr(cv->ssl_version, "GnuTLS") == NULL) {
		log_err("libcurl uses '%s', not GnuTLS; install the GnuTLS flavour (libcurl3-gnutls)",
		    cv->ssl_version ? cv->ssl_version : "no TLS");
		return -1;
	}
	if (!(cv->features & CURL_VERSION_ASYNCHDNS))
		log_warn("libcurl lacks asynchronous DNS; x5u lookups could stall");
	return 0;
}

/*
 * Close what is left; the signal watchers last (arg != NULL), since
 * closing them gives SIGTERM its default action back, and a second
 * SIGTERM while we finish must not turn a clean exit into "killed".
 */
static void
close_walk_cb(uv_handle_t *h, void *arg)
{
	bool signals = arg != NULL;

	if ((h->type == UV_SIGNAL) == signals && !uv_is_closing(h))
		uv_close(h, NULL);
}

int
main(int argc, char **argv)
{
	struct stir_server srv;
	struct stir_config *cfg = NULL;
	const char *config_path = DEFAULT_CONFIG;
	char err[1024], threads[16];
	bool check_only;
	uv_loop_t loop;
	int r, status = 1;

	if (argc > 1 && strcmp(argv[1], "--signer") == 0)
		return stir_signer_main(argc, argv);
	if ((r = stir_cmdline(argc, argv, "stird", "validate the configuration and exit",
	    &config_path, &check_only)) >= 0)
		return r;
	/* no core dumps: memory holds private keys */
	stir_harden_process(true);
	json_set_alloc_funcs(json_wiping_malloc, json_wiping_free);
	stir_log_init(STIR_LOG_INFO);
	if (stir_config_load(config_path, &cfg, err, sizeof(err)) != STIR_OK) {
		log_err("%s", err);
		return 1;
	}
	if (check_only) {
		printf("%s: OK\n", config_path);
		stir_config_free(cfg);
		return 0;
	}
	stir_log_set_level(cfg->log_level);
	if (sodium_init() < 0 || check_libraries() != 0 ||
	    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("library initialisation failed");
		stir_config_free(cfg);
		return 1;
	}
	if (cfg->lock_memory)
		lock_memory();
	/* the pool is sized before its first use */
	snprintf(threads, sizeof(threads), "%u", cfg->threads ? cfg->threads :
	    (unsigned)uv_available_parallelism());
	(void)setenv("UV_THREADPOOL_SIZE", threads, 1);
	if (uv_loop_init(&loop) != 0) {
		log_err("cannot create the event loop");
		stir_config_free(cfg);
		return 1;
	}
	r = stir_server_init(&srv, &loop, cfg, config_path, stir_op_table, stir_op_count);
	srv.on_sweep = stir_policy_refresh;	/* RCD content past its lifetime */
	if (r != STIR_OK || (r = stir_server_listen(&srv)) != STIR_OK) {
		log_err("startup failed: %s", stir_strerror(r));
		goto out;
	}
	log_notice("stird %s ready (pid %d, %s threads)", PACKAGE_VERSION, (int)getpid(), threads);
	stir_notify("READY=1\nSTATUS=running");
	(void)uv_run(&loop, UV_RUN_DEFAULT);
	log_notice("stopped");
	status = 0;
 out:
	stir_server_close_io(&srv);	/* before the walk: they close their own */
	uv_walk(&loop, close_walk_cb, NULL);
	(void)uv_run(&loop, UV_RUN_DEFAULT);
	uv_walk(&loop, close_walk_cb, &loop);
	(void)signal(SIGTERM, SIG_IGN);		/* right after libuv's SIG_DFL */
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGHUP, SIG_IGN);
	(void)uv_run(&loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&loop) != 0)
		log_debug("event loop closed with handles open");
	stir_server_done(&srv);
	curl_global_cleanup();
	return status;
}
