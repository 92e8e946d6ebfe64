/* server.c: struct stir_server: loop, listeners, signals, reload, stop. */
#include "config.h"

#include <limits.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <sodium.h>

#include "stirclient.h"
#include "daemon/pki/cert.h"
#include "daemon/pki/certcache.h"
#include "daemon/sign/creds.h"
#include "daemon/pki/fetch.h"
#include "daemon/pki/vmemo.h"
#include "daemon/fleet/redis.h"
#include "daemon/fleet/shared_cache.h"
#include "daemon/base/log.h"
#include "daemon/core/notify.h"
#include "daemon/pki/rcd_anchor.h"
#include "daemon/core/server.h"
#include "daemon/keys/signer.h"
#include "daemon/store/store.h"
#include "daemon/store/storeq.h"

static unsigned
signer_flags(const struct stir_config *cfg)
{
	return cfg->deterministic_signatures ? STIR_SIGNER_FLAG_DETERMINISTIC : 0;
}

/*
 * The key store: by default in the signer process (this program run as
 * `stird --signer`), one channel per pool thread and two for the store
 * thread and reloads.
 */
static int
signer_start(const struct stir_config *cfg, struct stir_signer **ret)
{
	char exe[PATH_MAX];
	ssize_t n;
	unsigned threads = cfg->threads ? cfg->threads : (unsigned)uv_available_parallelism();

	if (cfg->signer_mode == STIR_SIGNER_IN_PROCESS) {
		log_warn("signer = in-process: private keys and PINs are in stird's own memory");
		return stir_signer_local_new(cfg->key_dir, signer_flags(cfg),
		    cfg->pkcs11_module, ret);
	}
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0) {
		log_err("signer: cannot find this program (/proc/self/exe): %s", strerror(errno));
		return STIR_EIO;
	}
	exe[n] = '\0';
	return stir_signer_process_new(exe, cfg->key_dir, signer_flags(cfg),
	    cfg->pkcs11_module, cfg->log_level, threads + 2, cfg->signer_network, cfg->signer_write_dirs, ret);
}

/*
 * 0.3 stored a PKCS#11 credential's URL, PIN included, as its key.  Each
 * such URL goes to the signer, registered as a key named like the
 * credential, and the credential then names that key: the database keeps
 * no URL and no PIN.  A key that cannot be opened now is tried again at
 * the next start.
 */
static void
creds_migrate_pkcs11(struct stir_server *srv)
{
	struct stir_cred_row *rows = NULL;
	size_t n = 0;
	int created, r;

	if (stir_store_cred_list(srv->store, &rows, &n) != STIR_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(rows[i].key_ref, "pkcs11:", 7) != 0)
			continue;
		r = stir_signer_pkcs11_register(srv->signer, rows[i].name, rows[i].key_ref,
		    strlen(rows[i].key_ref), &created);	/* wipes the URL */
		if (r == STIR_OK)
			r = stir_store_cred_set_key(srv->store, rows[i].name, rows[i].name);
		if (r == STIR_OK)
			log_notice("credential '%s': its PKCS#11 URL is now the signer's key '%s'",
			    rows[i].name, rows[i].name);
		else
			log_err("credential '%s': its PKCS#11 URL could not be moved to the signer (%s); it signs only once it is (at the next start)",
			    rows[i].name, stir_strerror(r));
	}
	for (size_t i = 0; i < n; i++)	/* URLs not moved hold PINs too */
		sodium_memzero(rows[i].key_ref, strlen(rows[i].key_ref));
	stir_store_cred_rows_free(rows, n);
}

static void fetch_opts(const struct stir_config *cfg, struct stir_fetch_opts *fo,
    struct stir_certcache_opts *co);

/*
 * The fleet's Redis link and the certificate cache's shared level, as
 * cfg says (at start and reload; NULL at the end).  Without Redis, or
 * if it cannot be set up, stird works as a single host.
 */
static void
fleet_apply(struct stir_server *srv, const struct stir_config *cfg)
{
	bool want = cfg != NULL && (cfg->redis[0] != '\0' || cfg->redis_sentinels[0] != '\0');
	struct stir_shared_cache_opts so;
	char msg[300];
	int r;

	if (srv->redis != NULL && (!want || !stir_redis_same(srv->redis, cfg))) {
		if (srv->certcache != NULL)
			stir_certcache_set_fetch(srv->certcache, NULL, NULL);
		stir_shared_cache_free(srv->shared_cache);
		srv->shared_cache = NULL;
		stir_redis_free(srv->redis);
		srv->redis = NULL;
	}
	if (!want)
		return;
	if (srv->redis == NULL) {
		if ((r = stir_redis_new(srv->loop, cfg, &srv->redis, msg, sizeof(msg))) != STIR_OK) {
			log_err("redis: %s; working as a single host",
			    r == STIR_EINVAL ? msg : stir_strerror(r));
			return;
		}
	}
	stir_redis_set_timeout(srv->redis, cfg->redis_timeout_ms);
	if (!cfg->cache_shared || srv->certcache == NULL || srv->fetcher == NULL) {
		if (srv->certcache != NULL)
			stir_certcache_set_fetch(srv->certcache, NULL, NULL);
		stir_shared_cache_free(srv->shared_cache);
		srv->shared_cache = NULL;
		return;
	}
	memset(&so, 0, sizeof(so));
	so.prefix = cfg->redis_prefix;
	so.min_ttl = cfg->cache_min_ttl;
	so.max_ttl = cfg->cache_max_ttl;
	so.negative_ttl = cfg->cache_negative_ttl;
	so.max_bytes = cfg->cache_shared_max_bytes;
	so.lock_ms = cfg->fetch_timeout_ms + 1000;
	if (srv->shared_cache != NULL)
		stir_shared_cache_set_opts(srv->shared_cache, &so);
	else if ((r = stir_shared_cache_new(srv->loop, srv->redis, srv->fetcher, &so,
	    &srv->shared_cache)) != STIR_OK) {
		log_err("redis: the shared certificate cache: %s", stir_strerror(r));
		return;
	}
	stir_certcache_set_fetch(srv->certcache, stir_shared_fetch, srv->shared_cache);
}

int
stir_server_init(struct stir_server *srv, uv_loop_t *loop,
    struct stir_config *cfg, const char *config_path,
    const struct stir_op_desc *ops, size_t nops)
{
	char msg[512];
	int r;

	memset(srv, 0, sizeof(*srv));
	srv->loop = loop;
	srv->ops = ops;
	srv->nops = nops;
	srv->boot = cfg;
	srv->self_uid = geteuid();
	srv->started = time(NULL);
	srv->refusal_log.burst = STIR_REFUSAL_LOG_BURST;
	srv->refusal_log.interval_ms = STIR_REFUSAL_LOG_MS;
	if ((srv->config_path = strdup(config_path)) == NULL)
		return STIR_ENOMEM;
	if ((r = stir_workq_init(&srv->workq, loop, cfg->threads ? cfg->threads :
	    (unsigned)uv_available_parallelism())) != STIR_OK)
		return r;
	if ((r = stir_conn_coalesce_start(srv)) != STIR_OK)
		return r;
	if ((r = stir_store_open(cfg->database, &srv->store, msg, sizeof(msg))) != STIR_OK) {
		log_err("database: %s", msg);
		return r;
	}
	if ((r = stir_storeq_start(loop, &srv->storeq)) != STIR_OK)
		return r;
	if ((r = signer_start(cfg, &srv->signer)) != STIR_OK) {
		log_err("key store '%s': %s", cfg->key_dir, stir_strerror(r));
		return r;
	}
	creds_migrate_pkcs11(srv);
	if ((r = stir_vmemo_new(&srv->vmemo)) != STIR_OK)
		return r;
	{
		struct stir_state_parts p = { .cfg = stir_config_ref(cfg) };

		if ((r = stir_server_load(srv, STIR_LOAD_CREDS | STIR_LOAD_TRUST, cfg->crl_file,
		    &p, msg, sizeof(msg))) != STIR_OK) {
			log_err("%s", msg);
			stir_state_parts_clear(&p);
			return r;
		}
		if ((r = stir_server_install(srv, &p)) != STIR_OK)
			return r;
	}
	log_info("loaded %zu credential(s) from %s", srv->state->creds->n, cfg->database);
	log_info("loaded %u trust anchor(s), %u for RCD", stir_trust_count(srv->state->trust),
	    stir_rcd_anchors_count(srv->state->rcd_anchors));
	{
		struct stir_fetch_opts fo;
		struct stir_certcache_opts co;

		fetch_opts(cfg, &fo, &co);
		if ((r = stir_fetcher_new(loop, &fo, &srv->fetcher)) != STIR_OK) {
			log_err("x5u fetcher: %s", stir_strerror(r));
			return r;
		}
		if ((r = stir_certcache_new(loop, srv->store, srv->fetcher, &co,
		    &srv->certcache)) != STIR_OK) {
			log_err("certificate cache: %s", stir_strerror(r));
			return r;
		}
		stir_certcache_set_storeq(srv->certcache, srv->storeq);
	}
	fleet_apply(srv, cfg);
	return STIR_OK;
}

/* ---- listeners ---- */

static void
listener_on_connection(uv_stream_t *s, int status)
{
	struct stir_listener *l = s->data;

	if (status < 0) {
		log_warn("listener %s: %s", l->path ? l->path : "(passed)", uv_strerror(status));
		return;
	}
	(void)stir_conn_accept(l->srv, l);
}

/*
 * The socket's directory: created (mode 0755) if missing, then refused
 * unless it is a real directory of root's or ours that nobody else may
 * write to: whoever can write there can put a link where the socket goes.
 */
static int
socket_dir_check(const struct stir_server *srv, const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;
	char *slash;
	mode_t old;
	int r;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		return STIR_EINVAL;		/* conf.c takes absolute paths only */
	slash[slash == dir ? 1 : 0] = '\0';
	old = umask(022);			/* clients must be able to enter it */
	r = mkdir(dir, 0755);
	(void)umask(old);
	if (r != 0 && errno != EEXIST) {
		log_err("cannot create %s: %s", dir, strerror(errno));
		return STIR_EIO;
	}
	if (lstat(dir, &st) != 0) {
		log_err("%s: %s", dir, strerror(errno));
		return STIR_EIO;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_err("%s, the directory of socket %s, is not a directory (a symbolic link?); "
		    "not using it", dir, path);
		return STIR_EIO;
	}
	if (st.st_uid != 0 && st.st_uid != srv->self_uid) {
		log_err("%s, the directory of socket %s, belongs to uid %u, neither root nor "
		    "stird's user; not using it", dir, path, (unsigned)st.st_uid);
		return STIR_EIO;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		log_err("%s, the directory of socket %s, is writable by others (mode %04o); "
		    "not using it", dir, path, (unsigned)(st.st_mode & 07777));
		return STIR_EIO;
	}
	return STIR_OK;
}

/* Refuse to steal a socket another stird still answers on. */
static int
socket_in_use(const char *path)
{
	struct sockaddr_un sun;
	int fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	return rc == 0;
}

/*
 * Give the socket just bound at path to gid through a descriptor of the
 * file the name leads to now, after checking that it is a socket of ours:
 * never chown() by name, which follows a link someone put there.
 */
static void
socket_set_group(const struct stir_server *srv, const char *path, gid_t gid)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		log_warn("cannot give %s to group %u: %s", path, (unsigned)gid, strerror(errno));
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_uid != srv->self_uid)
		log_warn("%s is no longer the socket stird bound; its group is left alone", path);
	else if (fchownat(fd, "", (uid_t)-1, gid, AT_EMPTY_PATH) != 0)
		log_warn("cannot give %s to group %u: %s", path, (unsigned)gid, strerror(errno));
	close(fd);
}

/*
 * Bind path, born with mode (a umask around bind(), no chmod() by name
 * afterwards), in a directory only root or we can write to; a stale
 * socket there is replaced, anything else is refused.
 */
static int
listener_bind(struct stir_server *srv, struct stir_listener *l, const char *path,
    unsigned mode, gid_t gid)
{
	struct stat st;
	mode_t old;
	int rc, r;

	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		log_err("socket path '%s' is too long", path);
		return STIR_EINVAL;
	}
	if ((r = socket_dir_check(srv, path)) != STIR_OK)
		return r;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_err("%s exists and is not a socket; not touching it", path);
			return STIR_EIO;
		}
		switch (socket_in_use(path)) {
		case 1:
			log_err("%s: another daemon is answering on this socket", path);
			return STIR_EBUSY;
		case -1:
			return STIR_EINVAL;
		default:
			break;
		}
		if (unlink(path) != 0 && errno != ENOENT) {
			log_err("cannot remove the stale socket %s: %s", path, strerror(errno));
			return STIR_EIO;
		}
	}
	old = umask(~(mode_t)mode & 0777);
	rc = uv_pipe_bind(&l->pipe, path);
	(void)umask(old);
	if (rc != 0) {
		log_err("bind %s: %s", path, uv_strerror(rc));
		return STIR_EIO;
	}
	l->bound_here = true;
	if ((l->path = strdup(path)) == NULL)
		return STIR_ENOMEM;
	if (gid != (gid_t)-1)
		socket_set_group(srv, path, gid);
	return STIR_OK;
}

static int
listener_open(struct stir_server *srv, enum stir_role role, int fd)
{
	struct stir_listener *l = &srv->listeners[role];
	const struct stir_config *cfg = srv->boot;
	int rc, r;

	l->srv = srv;
	l->role = role;
	if ((rc = uv_pipe_init(srv->loop, &l->pipe, 0)) != 0)
		return STIR_EIO;
	l->pipe.data = l;
	l->open = true;
	if (fd >= 0) {
		if ((rc = uv_pipe_open(&l->pipe, fd)) != 0) {
			log_err("passed socket: %s", uv_strerror(rc));
			return STIR_EIO;
		}
		log_info("%s socket passed by systemd", role == STIR_ROLE_ADMIN ? "admin" : "service");
	} else if (role == STIR_ROLE_ADMIN)
		r = listener_bind(srv, l, cfg->admin_socket, cfg->admin_socket_mode,
		    cfg->admin_gid);
	else
		r = listener_bind(srv, l, cfg->socket, cfg->socket_mode,
		    cfg->sign_gid != (gid_t)-1 ? cfg->sign_gid : cfg->verify_gid);
	if (fd < 0 && r != STIR_OK)
		return r;
	if ((rc = uv_listen((uv_stream_t *)&l->pipe, SOMAXCONN, listener_on_connection)) != 0) {
		log_err("listen on %s socket: %s", role == STIR_ROLE_ADMIN ? "admin" : "service",
		    uv_strerror(rc));
		return STIR_EIO;
	}
	if (l->path != NULL)
		log_info("listening on %s (%s)", l->path, role == STIR_ROLE_ADMIN ? "admin" : "service");
	return STIR_OK;
}

static void on_signal(uv_signal_t *h, int signum);

static void
on_sweep(uv_timer_t *t)
{
	struct stir_server *srv = t->data;

	stir_conn_sweep(srv);
	if (srv->on_sweep != NULL)
		srv->on_sweep(srv);
}

int
stir_server_listen(struct stir_server *srv)
{
	int fd_client, fd_admin, r;

	/*
	 * Signals first: a client can connect as soon as a socket listens,
	 * and one that then sends SIGTERM must find it caught (a clean stop),
	 * not the default action.
	 */
	(void)uv_signal_init(srv->loop, &srv->sig_hup);
	(void)uv_signal_init(srv->loop, &srv->sig_term);
	(void)uv_signal_init(srv->loop, &srv->sig_int);
	srv->sig_hup.data = srv->sig_term.data = srv->sig_int.data = srv;
	(void)uv_signal_start(&srv->sig_hup, on_signal, SIGHUP);
	(void)uv_signal_start(&srv->sig_term, on_signal, SIGTERM);
	(void)uv_signal_start(&srv->sig_int, on_signal, SIGINT);
	/* signals alone do not keep the loop running: a second SIGTERM
	 * while stopping is still caught, and the loop ends by itself */
	uv_unref((uv_handle_t *)&srv->sig_hup);
	uv_unref((uv_handle_t *)&srv->sig_term);
	uv_unref((uv_handle_t *)&srv->sig_int);
	(void)stir_listen_fds(&fd_client, &fd_admin);
	if ((r = listener_open(srv, STIR_ROLE_CLIENT, fd_client)) != STIR_OK ||
	    (r = listener_open(srv, STIR_ROLE_ADMIN, fd_admin)) != STIR_OK)
		return r;
	(void)uv_timer_init(srv->loop, &srv->sweep);
	srv->sweep.data = srv;
	(void)uv_timer_start(&srv->sweep, on_sweep, STIR_SWEEP_MS, STIR_SWEEP_MS);
	uv_unref((uv_handle_t *)&srv->sweep);
	return STIR_OK;
}

/* ---- peers ---- */

bool
stir_server_peer_has(struct stir_server *srv, const struct stir_conn *c,
    enum stir_perm perm)
{
	gid_t gid;

	if (perm == STIR_PERM_NONE)
		return true;
	if (c->uid == 0 || c->uid == srv->self_uid)
		return true;
	switch (perm) {
	case STIR_PERM_SIGN:
		gid = srv->state->cfg->sign_gid;
		break;
	case STIR_PERM_VERIFY:
		gid = srv->state->cfg->verify_gid;
		break;
	case STIR_PERM_STATS:
		/* reading the metrics is part of administering */
		if (stir_server_peer_has(srv, c, STIR_PERM_ADMIN))
			return true;
		gid = srv->state->cfg->stats_gid;
		break;
	default:
		gid = srv->state->cfg->admin_gid;
		break;
	}
	if (gid == (gid_t)-1)
		return false;	/* no group configured: root and ourselves only */
	if (c->gid == gid)
		return true;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

void
stir__server_forget(struct stir_server *srv, struct stir_conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else if (srv->conns == c)
		srv->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	if (!c->counted)
		srv->nrefusing--;
	else if (c->role == STIR_ROLE_ADMIN)
		srv->nadmin--;
	else
		srv->nconns--;
}

/* ---- reload ---- */

struct reload_job {
	uv_work_t		 work;
	struct stir_server	*srv;
	struct stir_state_parts	 parts;		/* new config, credentials, trust */
	char			 msg[512];
	int			 r;
};

/* Store thread: read the config file, the key store, credentials and trust. */
static void
reload_work(uv_work_t *w)
{
	struct reload_job *job = w->data;
	struct stir_server *srv = job->srv;
	struct stir_config *cfg = NULL;

	job->r = stir_config_load(srv->config_path, &cfg, job->msg, sizeof(job->msg));
	if (job->r != STIR_OK)
		return;
	if ((job->r = stir_signer_reload(srv->signer)) != STIR_OK) {
		snprintf(job->msg, sizeof(job->msg), "key store: %s", stir_strerror(job->r));
		stir_config_free(cfg);
		return;
	}
	stir_signer_set_flags(srv->signer, signer_flags(cfg));
	job->r = stir_server_load(srv, STIR_LOAD_CREDS | STIR_LOAD_TRUST, cfg->crl_file,
	    &job->parts, job->msg, sizeof(job->msg));
	if (job->r == STIR_OK)
		job->parts.cfg = cfg;
	else
		stir_config_free(cfg);
}

/* The settings a reload cannot change: say so if the file changed them. */
static void
warn_restart_needed(const struct stir_config *o, const struct stir_config *n)
{
	static const struct { const char *name; size_t off; } keys[] = {
		{ "socket", offsetof(struct stir_config, socket) },
		{ "admin_socket", offsetof(struct stir_config, admin_socket) },
		{ "database", offsetof(struct stir_config, database) },
		{ "key_dir", offsetof(struct stir_config, key_dir) },
		{ "pkcs11_module", offsetof(struct stir_config, pkcs11_module) },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(*(char *const *)((const char *)o + keys[i].off),
		    *(char *const *)((const char *)n + keys[i].off)) != 0)
			log_warn("reload: '%s' changed; it takes effect at the next restart",
			    keys[i].name);
	if (o->threads != n->threads)
		log_warn("reload: 'threads' changed; it takes effect at the next restart");
	if (o->lock_memory != n->lock_memory)
		log_warn("reload: 'lock_memory' changed; it takes effect at the next restart");
}

static void
reload_done(uv_work_t *w, int status)
{
	struct reload_job *job = w->data;
	struct stir_server *srv = job->srv;

	srv->reload_pending = false;
	if (status == 0 && job->r == STIR_OK) {
		const struct stir_config *cfg = job->parts.cfg;
		struct stir_fetch_opts fo;
		struct stir_certcache_opts co;

		warn_restart_needed(srv->boot, cfg);
		stir_log_set_level(cfg->log_level);
		fetch_opts(cfg, &fo, &co);
		if ((job->r = stir_server_install(srv, &job->parts)) != STIR_OK)
			snprintf(job->msg, sizeof(job->msg), "out of memory");
		else {
			(void)stir_fetcher_set_opts(srv->fetcher, &fo);
			stir_certcache_set_opts(srv->certcache, &co);
			fleet_apply(srv, cfg);
			log_notice("reloaded %s: %zu credential(s)", srv->config_path,
			    srv->state->creds->n);
		}
	}
	if (status != 0 || job->r != STIR_OK)
		log_err("reload failed, keeping the running configuration: %s", job->msg);
	stir_state_parts_clear(&job->parts);
	free(job);
	if (srv->stopping)
		return;
	stir_notify("READY=1\nSTATUS=running");
	if (srv->reload_again) {		/* a SIGHUP came while we worked */
		srv->reload_again = false;
		(void)stir_server_reload(srv);
	}
}

int
stir_server_reload(struct stir_server *srv)
{
	struct reload_job *job;

	if (srv->stopping)
		return STIR_ESHUTDOWN;
	if (srv->reload_pending) {
		srv->reload_again = true;	/* picked up when this one ends */
		return STIR_OK;
	}
	if ((job = calloc(1, sizeof(*job))) == NULL) {
		log_err("reload: out of memory");
		return STIR_ENOMEM;
	}
	job->srv = srv;
	job->work.data = job;
	srv->reload_pending = true;
	stir_notify("RELOADING=1\nSTATUS=reloading");
	log_notice("reloading %s", srv->config_path);
	if (stir_storeq_queue(srv->storeq, &job->work, reload_work, reload_done) != 0) {
		srv->reload_pending = false;
		free(job);
		return STIR_EINTERNAL;
	}
	return STIR_OK;
}

static void
fetch_opts(const struct stir_config *cfg, struct stir_fetch_opts *fo,
    struct stir_certcache_opts *co)
{
	memset(fo, 0, sizeof(*fo));
	fo->ca_file = cfg->x5u_ca_file;
	fo->allow_http = cfg->x5u_allow_http;
	fo->allow_private = cfg->x5u_allow_private;
	fo->timeout_ms = cfg->fetch_timeout_ms;
	fo->max_bytes = cfg->fetch_max_bytes;
	fo->per_host = cfg->fetch_per_host;
	fo->per_owner = cfg->fetch_per_request;
	fo->queue_ms = cfg->fetch_queue_ms;
	memset(co, 0, sizeof(*co));
	co->min_ttl = cfg->cache_min_ttl;
	co->max_ttl = cfg->cache_max_ttl;
	co->negative_ttl = cfg->cache_negative_ttl;
	co->max_entries = cfg->cache_max_entries;
	co->max_bytes = cfg->cache_max_bytes;
	co->store_max_bytes = cfg->cache_store_max_bytes;
}

/* ---- the state ---- */

int
stir_server_load(struct stir_server *srv, unsigned what, const char *crl_file,
    struct stir_state_parts *p, char *msg, size_t msglen)
{
	/* the store thread runs one load at a time: seq is the order they read */
	return stir_state_load(srv->store, ++srv->load_seq, what, crl_file, p, msg, msglen);
}

int
stir_server_install(struct stir_server *srv, struct stir_state_parts *p)
{
	struct stir_state *o = srv->state, *n;
	int r;

	/* a load that failed, or an op that loaded nothing: no new state */
	if (p->cfg == NULL && p->creds == NULL && p->trust == NULL) {
		stir_state_parts_clear(p);
		return STIR_OK;
	}
	if ((r = stir_state_next(o, p, &n)) != STIR_OK)
		return r;
	if (o != NULL && n->trust_seq != o->trust_seq)
		stir_vmemo_clear(srv->vmemo);	/* validations against the old list */
	srv->state = n;
	stir_state_unref(o);
	return STIR_OK;
}

/* ---- stop ---- */

static void
on_signal(uv_signal_t *h, int signum)
{
	struct stir_server *srv = h->data;

	if (signum == SIGHUP)
		(void)stir_server_reload(srv);
	else
		stir_server_stop(srv);
}

static void
noop_close(uv_handle_t *h)
{
	(void)h;
}

void
stir_server_close_io(struct stir_server *srv)
{
	if (srv->certcache != NULL) {
		stir_certcache_free(srv->certcache);
		srv->certcache = NULL;
	}
	fleet_apply(srv, NULL);		/* before the fetcher its cache uses */
	if (srv->fetcher != NULL) {
		stir_fetcher_close(srv->fetcher);	/* frees itself once closed */
		srv->fetcher = NULL;
	}
	/* last: it finishes the admin changes and cache writes queued */
	stir_storeq_stop(srv->storeq);		/* frees itself once closed */
	srv->storeq = NULL;
}

void
stir__server_maybe_finish(struct stir_server *srv)
{
	if (!srv->stopping || srv->nconns > 0 || srv->nadmin > 0 || srv->nrefusing > 0 ||
	    srv->inflight_total > 0)
		return;
	stir_workq_close(&srv->workq);
	stir_conn_coalesce_stop(srv);
	stir_server_close_io(srv);
}

void
stir_server_stop(struct stir_server *srv)
{
	struct stir_conn *c, *next;

	if (srv->stopping)
		return;
	srv->stopping = true;
	srv->stop_ms = uv_now(srv->loop);
	stir_notify("STOPPING=1\nSTATUS=stopping");
	log_notice("stopping: finishing %u request(s) in flight", srv->inflight_total);
	stir_conn_refusals_flush(srv, UINT64_MAX);
	for (int i = 0; i < _STIR_ROLE_MAX; i++) {
		struct stir_listener *l = &srv->listeners[i];

		if (!l->open)
			continue;
		l->open = false;
		uv_close((uv_handle_t *)&l->pipe, noop_close);
		if (l->bound_here && l->path != NULL)
			(void)unlink(l->path);
	}
	/* lines already read get ESHUTDOWN; nothing more is read */
	for (c = srv->conns; c != NULL; c = next) {
		next = c->next;
		stir_conn_pump(c);
	}
	stir__server_maybe_finish(srv);
}

void
stir_server_done(struct stir_server *srv)
{
	for (int i = 0; i < _STIR_ROLE_MAX; i++)
		free(srv->listeners[i].path);
	stir_state_unref(srv->state);
	srv->state = NULL;
	stir_certcache_free(srv->certcache);
	srv->certcache = NULL;
	fleet_apply(srv, NULL);
	if (srv->fetcher != NULL)
		stir_fetcher_close(srv->fetcher);
	stir_vmemo_free(srv->vmemo);
	stir_signer_free(srv->signer);
	stir_store_close(srv->store);
	stir_workq_done(&srv->workq);
	stir_req_deadlines_free(srv);
	stir_config_free(srv->boot);
	free(srv->config_path);
}
