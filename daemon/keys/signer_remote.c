/*
 * signer_remote.c: signer.h's calls answered by the signer process
 * (`stird --signer`, signer_main.c), which holds every key.
 *
 * One SOCK_SEQPACKET socketpair per channel; a caller takes an idle
 * channel, sends one request and waits for its reply (the socket has a
 * receive timeout).  A supervisor thread waits for the process: when it
 * dies it is logged, counted and started again, and callers whose
 * exchange failed send their request again on the new process (all but
 * key.generate/import/remove, which are not repeatable and fail with
 * STIR_EIO instead).  Nothing here keeps a private key or PIN: an import's
 * PEM and a registration's URL are wiped from the channel buffer once
 * sent.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "daemon/keys/signer_impl.h"
#include "daemon/keys/signer_proto.h"

#define REPLY_TIMEOUT_S	30	/* a signer this slow is restarted */
#define TAKE_TIMEOUT_S	10	/* no channel (no signer) for this long: fail */
#define TRIES		5	/* sends of one request across restarts */
#define ARGV_MAX	32

extern char **environ;

struct channel {
	int			 fd;
	unsigned		 gen;		/* the process it belongs to */
	struct stir_sp_msg	*req, *rep;	/* sodium_malloc()'d */
	struct channel		*next;		/* idle list */
};

struct signer_remote {
	struct stir_signer	 base;		/* first: the function table */
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;		/* a channel is idle, or stopping */
	char			*exe, *key_dir, *module;
	char			*write_dirs;	/* "a,b c" */
	int			 log_level;
	unsigned		 flags;
	unsigned		 nch;		/* channels per process */
	pid_t			 pid;		/* 0: none running */
	unsigned		 gen;		/* bumped at each start */
	struct channel		*idle;
	uint64_t		 restarts;
	uint64_t		 batches, batched_signs;	/* under mu */
	time_t			 started;
	bool			 network;	/* --network */
	bool			 stopping;
	bool			 supervised;	/* the supervisor thread runs */
	pthread_t		 supervisor;
};

static const struct stir_signer_ops remote_ops;

static void
channel_free(struct channel *ch)
{
	if (ch == NULL)
		return;
	if (ch->fd >= 0)
		close(ch->fd);
	sodium_free(ch->req);
	sodium_free(ch->rep);
	free(ch);
}

static void
idle_drop(struct signer_remote *s)
{
	while (s->idle != NULL) {
		struct channel *ch = s->idle;

		s->idle = ch->next;
		channel_free(ch);
	}
}

/*
 * Start the signer process with s->nch new channels, made idle.  Caller
 * holds s->mu.
 */
static int
spawn_locked(struct signer_remote *s)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct channel *chans = NULL, *ch;
	int *child = NULL;
	char flags[16], level[16], nch[16], *argv[ARGV_MAX];
	char o_name[] = "stird-signer", o_signer[] = "--signer", o_dir[] = "--key-dir",
	    o_flags[] = "--flags", o_level[] = "--log-level", o_nch[] = "--channels",
	    o_net[] = "--network", o_mod[] = "--pkcs11-module", o_wd[] = "--write-dir";
	char *dirs = NULL, *save = NULL;
	struct timeval tv = { REPLY_TIMEOUT_S, 0 };
	sigset_t none, dfl;
	size_t a = 0;
	pid_t pid;
	int r = STIR_EIO, e;

	if ((child = calloc(s->nch, sizeof(*child))) == NULL)
		return STIR_ENOMEM;
	for (unsigned i = 0; i < s->nch; i++)
		child[i] = -1;
	for (unsigned i = 0; i < s->nch; i++) {
		int sv[2];

		if ((ch = calloc(1, sizeof(*ch))) == NULL) {
			r = STIR_ENOMEM;
			goto out;
		}
		ch->fd = -1;
		ch->next = chans;
		chans = ch;
		if ((ch->req = sodium_malloc(sizeof(*ch->req))) == NULL ||
		    (ch->rep = sodium_malloc(sizeof(*ch->rep))) == NULL) {
			r = STIR_ENOMEM;
			goto out;
		}
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
			log_err("signer: socketpair: %s", strerror(errno));
			goto out;
		}
		ch->fd = sv[0];
		child[i] = sv[1];
		(void)setsockopt(ch->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	snprintf(flags, sizeof(flags), "%u", s->flags);
	snprintf(level, sizeof(level), "%d", s->log_level);
	snprintf(nch, sizeof(nch), "%u", s->nch);
	argv[a++] = o_name;
	argv[a++] = o_signer;
	argv[a++] = o_dir;
	argv[a++] = s->key_dir;
	argv[a++] = o_flags;
	argv[a++] = flags;
	argv[a++] = o_level;
	argv[a++] = level;
	argv[a++] = o_nch;
	argv[a++] = nch;
	if (s->network)
		argv[a++] = o_net;
	if (*s->module != '\0') {
		argv[a++] = o_mod;
		argv[a++] = s->module;
	}
	if ((dirs = strdup(s->write_dirs)) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	for (char *d = strtok_r(dirs, ", ", &save); d != NULL && a + 3 < ARGV_MAX;
	    d = strtok_r(NULL, ", ", &save)) {
		argv[a++] = o_wd;
		argv[a++] = d;
	}
	argv[a] = NULL;
	/* the channels become descriptors 3, 4, ...; nothing else is passed */
	(void)posix_spawn_file_actions_init(&fa);
	(void)posix_spawnattr_init(&attr);
	for (unsigned i = 0; i < s->nch; i++)
		(void)posix_spawn_file_actions_adddup2(&fa, child[i], 3 + (int)i);
	(void)sigemptyset(&none);
	(void)sigemptyset(&dfl);
	(void)sigaddset(&dfl, SIGTERM);
	(void)sigaddset(&dfl, SIGINT);
	(void)sigaddset(&dfl, SIGHUP);
	(void)sigaddset(&dfl, SIGCHLD);
	(void)posix_spawnattr_setsigmask(&attr, &none);
	(void)posix_spawnattr_setsigdefault(&attr, &dfl);
	(void)posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	e = posix_spawn(&pid, s->exe, &fa, &attr, argv, environ);
	(void)posix_spawn_file_actions_destroy(&fa);
	(void)posix_spawnattr_destroy(&attr);
	if (e != 0) {
		log_err("signer: cannot start %s --signer: %s", s->exe, strerror(e));
		goto out;
	}
	s->pid = pid;
	s->gen++;
	s->started = time(NULL);
	while (chans != NULL) {
		ch = chans;
		chans = ch->next;
		ch->gen = s->gen;
		ch->next = s->idle;
		s->idle = ch;
	}
	(void)pthread_cond_broadcast(&s->cv);
	log_info("signer process %ld started (%u channels)", (long)pid, s->nch);
	r = STIR_OK;
 out:
	for (unsigned i = 0; i < s->nch; i++)
		if (child[i] >= 0)
			close(child[i]);
	free(child);
	free(dirs);
	while (chans != NULL) {
		ch = chans;
		chans = ch->next;
		channel_free(ch);
	}
	return r;
}

/* An idle channel of the running process, or NULL (stopping, or none in time). */
static struct channel *
channel_take(struct signer_remote *s)
{
	struct channel *ch = NULL;
	struct timespec until;

	(void)clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += TAKE_TIMEOUT_S;
	(void)pthread_mutex_lock(&s->mu);
	while (s->idle == NULL && !s->stopping)
		if (pthread_cond_timedwait(&s->cv, &s->mu, &until) == ETIMEDOUT)
			break;
	if (s->idle != NULL && !s->stopping) {
		ch = s->idle;
		s->idle = ch->next;
		ch->next = NULL;
	}
	(void)pthread_mutex_unlock(&s->mu);
	return ch;
}

/* Give ch back; a channel of a process that has gone is closed. */
static void
channel_put(struct signer_remote *s, struct channel *ch)
{
	(void)pthread_mutex_lock(&s->mu);
	if (ch->gen == s->gen && !s->stopping) {
		ch->next = s->idle;
		s->idle = ch;
		(void)pthread_cond_signal(&s->cv);
		ch = NULL;
	}
	(void)pthread_mutex_unlock(&s->mu);
	channel_free(ch);
}

/* ch's exchange failed: its process is killed (the supervisor restarts it). */
static void
channel_broken(struct signer_remote *s, struct channel *ch)
{
	(void)pthread_mutex_lock(&s->mu);
	if (ch->gen == s->gen && s->pid > 0)
		(void)kill(s->pid, SIGKILL);
	(void)pthread_mutex_unlock(&s->mu);
	channel_free(ch);
}

/* Wipe what a request or reply of op may hold that is secret. */
static void
wipe(struct stir_sp_msg *m, uint32_t op)
{
	if (op == STIR_SP_IMPORT || op == STIR_SP_REGISTER)
		sodium_memzero(m->payload, sizeof(m->payload));
}

/*
 * One request of op (name, narg and len payload bytes); done(rep, arg)
 * takes the reply (only if its r is STIR_OK).  Returns the reply's r, or
 * STIR_EIO when no signer process answered it in TRIES sends (or in one,
 * for ops that are not repeatable).
 */
static int
call(struct signer_remote *s, uint32_t op, const char *name, uint32_t narg,
    const void *payload, size_t len,
    int (*done)(const struct stir_sp_msg *rep, void *arg), void *arg)
{
	bool repeatable = op != STIR_SP_GENERATE && op != STIR_SP_IMPORT &&
	    op != STIR_SP_REMOVE;
	struct channel *ch;
	int r = STIR_EIO;

	if (len > STIR_SP_PAYLOAD_MAX)
		return STIR_ETOOBIG;
	for (int t = 0; t < TRIES; t++) {
		if ((ch = channel_take(s)) == NULL) {
			log_err("signer: no signer process to answer");
			return STIR_EIO;
		}
		stir_sp_request(ch->req, op, name, narg, (uint32_t)len);
		if (len > 0)
			memcpy(ch->req->payload, payload, len);
		r = stir_sp_send(ch->fd, ch->req);
		wipe(ch->req, op);
		if (r == STIR_OK)
			r = stir_sp_recv(ch->fd, ch->rep, false, op);
		if (r == STIR_OK) {
			r = ch->rep->h.r;
			if (r == STIR_OK && done != NULL)
				r = done(ch->rep, arg);
			wipe(ch->rep, op);
			channel_put(s, ch);
			return r;
		}
		if (r == STIR_EPROTO)
			log_err("signer: a malformed reply; restarting the signer process");
		else
			log_err("signer: the signer process did not answer (%s)%s",
			    errno == 0 ? "it closed the channel" : strerror(errno),
			    repeatable ? "; sending the request again" : "");
		channel_broken(s, ch);
		if (!repeatable)
			return STIR_EIO;
	}
	return STIR_EIO;
}

/* The supervisor: restarts the process whenever it exits. */
static void *
supervise(void *arg)
{
	struct signer_remote *s = arg;
	unsigned quick = 0;

	(void)pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		pid_t pid = s->pid, w;
		int st = 0;

		(void)pthread_mutex_unlock(&s->mu);
		do
			w = waitpid(pid, &st, 0);
		while (w < 0 && errno == EINTR);
		(void)pthread_mutex_lock(&s->mu);
		if (s->stopping)
			break;
		s->pid = 0;
		idle_drop(s);		/* its channels are dead */
		if (WIFSIGNALED(st))
			log_err("signer process %ld was killed by signal %d; restarting it",
			    (long)pid, WTERMSIG(st));
		else
			log_err("signer process %ld exited with status %d; restarting it",
			    (long)pid, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		s->restarts++;
		quick = time(NULL) - s->started < 2 ? quick + 1 : 0;
		for (;;) {
			if (quick > 1) {	/* crashing at start: do not spin */
				unsigned ms = quick > 10 ? 5000 : 500 * quick;

				(void)pthread_mutex_unlock(&s->mu);
				(void)usleep(ms * 1000);
				(void)pthread_mutex_lock(&s->mu);
				if (s->stopping)
					break;
			}
			if (spawn_locked(s) == STIR_OK)
				break;
			quick++;
		}
	}
	(void)pthread_mutex_unlock(&s->mu);
	return NULL;
}

static void
remote_free(struct stir_signer *base)
{
	struct signer_remote *s = (struct signer_remote *)base;
	pid_t pid;

	(void)pthread_mutex_lock(&s->mu);
	s->stopping = true;
	idle_drop(s);			/* EOF on every channel: it exits */
	pid = s->pid;
	(void)pthread_cond_broadcast(&s->cv);
	(void)pthread_mutex_unlock(&s->mu);
	if (pid > 0)
		(void)kill(pid, SIGTERM);
	if (s->supervised)
		(void)pthread_join(s->supervisor, NULL);
	else if (pid > 0)
		(void)waitpid(pid, NULL, 0);
	(void)pthread_cond_destroy(&s->cv);
	(void)pthread_mutex_destroy(&s->mu);
	free(s->exe);
	free(s->key_dir);
	free(s->module);
	free(s->write_dirs);
	free(s);
}

int
stir_signer_process_new(const char *exe, const char *key_dir, unsigned flags,
    const char *pkcs11_module, int log_level, unsigned channels, bool network,
    const char *write_dirs, struct stir_signer **ret)
{
	struct signer_remote *s;
	int r;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return STIR_ENOMEM;
	s->base.ops = &remote_ops;
	(void)pthread_mutex_init(&s->mu, NULL);
	(void)pthread_cond_init(&s->cv, NULL);
	s->flags = flags;
	s->log_level = log_level;
	s->nch = channels < 1 ? 1 : channels;
	s->network = network;
	if ((s->exe = strdup(exe)) == NULL || (s->key_dir = strdup(key_dir)) == NULL ||
	    (s->write_dirs = strdup(write_dirs != NULL ? write_dirs : "")) == NULL ||
	    (s->module = strdup(pkcs11_module != NULL ? pkcs11_module : "")) == NULL) {
		remote_free(&s->base);
		return STIR_ENOMEM;
	}
	(void)pthread_mutex_lock(&s->mu);
	r = spawn_locked(s);
	(void)pthread_mutex_unlock(&s->mu);
	/* did the key store open?  (key_dir refused, module not loaded) */
	if (r == STIR_OK &&
	    (r = call(s, STIR_SP_HELLO, "", 0, NULL, 0, NULL, NULL)) == STIR_OK) {
		if (pthread_create(&s->supervisor, NULL, supervise, s) != 0)
			r = STIR_ENOMEM;
		else
			s->supervised = true;
	}
	if (r != STIR_OK) {
		remote_free(&s->base);
		return r;
	}
	*ret = &s->base;
	return STIR_OK;
}

/* ---- the ops ---- */

static int
remote_reload(struct stir_signer *base)
{
	return call((struct signer_remote *)base, STIR_SP_RELOAD, "", 0, NULL, 0, NULL, NULL);
}

static void
remote_set_flags(struct stir_signer *base, unsigned flags)
{
	struct signer_remote *s = (struct signer_remote *)base;

	(void)pthread_mutex_lock(&s->mu);
	s->flags = flags;		/* for the next start */
	(void)pthread_mutex_unlock(&s->mu);
	if (call(s, STIR_SP_FLAGS, "", flags, NULL, 0, NULL, NULL) != STIR_OK)
		log_err("signer: the signature flags could not be changed");
}

static void
remote_status(struct stir_signer *base, struct stir_signer_status *st)
{
	struct signer_remote *s = (struct signer_remote *)base;

	(void)pthread_mutex_lock(&s->mu);
	st->mode = "process";
	st->pid = (long)s->pid;
	st->restarts = s->restarts;
	st->batches = s->batches;
	st->batched_signs = s->batched_signs;
	(void)pthread_mutex_unlock(&s->mu);
}

struct sig_out {
	uint8_t	*sig;
	size_t	*len;
};

static int
sign_done(const struct stir_sp_msg *rep, void *arg)
{
	struct sig_out *o = arg;

	if (rep->h.len == 0)
		return STIR_ECRYPTO;
	memcpy(o->sig, rep->payload, rep->h.len);
	*o->len = rep->h.len;
	return STIR_OK;
}

/* Key ids are names: a URL (0.3's credentials) is refused before it is sent. */
static int
key_id_ok(const char *key_id)
{
	return stir_signer_name_check(key_id) == STIR_OK ? STIR_OK :
	    strncmp(key_id, "pkcs11:", 7) == 0 ? STIR_EKEY : STIR_ENOENT;
}

static int
remote_sign(struct stir_signer *base, const char *key_id, const uint8_t *tbs,
    size_t tbs_len, uint8_t sig[static STIR_SIG_MAX], size_t *ret_sig_len)
{
	struct sig_out o = { sig, ret_sig_len };
	int r;

	if ((r = key_id_ok(key_id)) != STIR_OK)
		return r;
	if (tbs_len == 0)
		return STIR_EINVAL;
	return call((struct signer_remote *)base, STIR_SP_SIGN, key_id, 0, tbs,
	    tbs_len, sign_done, &o);
}

struct batch_out {
	struct stir_sign_item	**items;	/* the items sent, in order */
	size_t			  n;
};

static int
batch_done(const struct stir_sp_msg *rep, void *arg)
{
	const struct stir_sp_batch_result *in =
	    (const struct stir_sp_batch_result *)rep->payload;
	struct batch_out *o = arg;

	if (rep->h.arg != o->n || rep->h.len != o->n * sizeof(*in))
		return STIR_EPROTO;
	for (size_t i = 0; i < o->n; i++)
		if (in[i].r > 0 || (in[i].r == STIR_OK && (in[i].len == 0 ||
		    in[i].len > STIR_SIG_MAX)))
			return STIR_EPROTO;
	for (size_t i = 0; i < o->n; i++) {
		struct stir_sign_item *it = o->items[i];

		it->r = in[i].r;
		it->sig_len = it->r == STIR_OK ? in[i].len : 0;
		memcpy(it->sig, in[i].sig, it->sig_len);
	}
	return STIR_OK;
}

/*
 * Refuse here what the signer would refuse (the item's r), so that it is
 * not sent.
 */
static void
batch_check(struct stir_sign_item *items, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		items[k].sig_len = 0;
		items[k].r = key_id_ok(items[k].key_id);
		if (items[k].r == STIR_OK && (items[k].tbs_len == 0 ||
		    items[k].tbs_len > STIR_SP_PAYLOAD_MAX - sizeof(struct stir_sp_batch_item)))
			items[k].r = STIR_ETOOBIG;
	}
}

/*
 * As many of items[*i..n) (those not refused) as fit one message, into
 * buf (*len bytes) and o; *i moves past them.
 */
static void
batch_fill(struct stir_sign_item *items, size_t n, size_t *i, uint8_t *buf, size_t *len,
    struct batch_out *o)
{
	struct stir_sp_batch_item it;

	*len = 0;
	o->n = 0;
	for (; *i < n && o->n < STIR_SIGN_BATCH_MAX; (*i)++) {
		struct stir_sign_item *item = &items[*i];

		if (item->r != STIR_OK)
			continue;
		if (*len + sizeof(it) > STIR_SP_PAYLOAD_MAX ||
		    item->tbs_len > STIR_SP_PAYLOAD_MAX - *len - sizeof(it))
			break;
		memset(&it, 0, sizeof(it));
		snprintf(it.name, sizeof(it.name), "%s", item->key_id);
		it.len = (uint32_t)item->tbs_len;
		memcpy(buf + *len, &it, sizeof(it));
		memcpy(buf + *len + sizeof(it), item->tbs, item->tbs_len);
		*len += sizeof(it) + item->tbs_len;
		o->items[o->n++] = item;
	}
}

static void
count_batch(struct signer_remote *s, size_t n)
{
	(void)pthread_mutex_lock(&s->mu);
	s->batches++;
	s->batched_signs += n;
	(void)pthread_mutex_unlock(&s->mu);
}

static int
remote_sign_batch(struct stir_signer *base, struct stir_sign_item *items, size_t n)
{
	struct signer_remote *s = (struct signer_remote *)base;
	struct stir_sign_item *todo[STIR_SIGN_BATCH_MAX];
	uint8_t *buf;
	size_t i = 0;
	int r = STIR_OK;

	batch_check(items, n);
	if ((buf = malloc(STIR_SP_PAYLOAD_MAX)) == NULL)
		r = STIR_ENOMEM;
	while (r == STIR_OK && i < n) {
		struct batch_out o = { todo, 0 };
		size_t len;

		batch_fill(items, n, &i, buf, &len, &o);
		if (o.n == 0)
			break;
		r = call(s, STIR_SP_SIGN_BATCH, "", (uint32_t)o.n, buf, len, batch_done, &o);
		count_batch(s, o.n);
		for (size_t k = 0; r != STIR_OK && k < o.n; k++)
			todo[k]->r = r;
	}
	free(buf);
	for (; r != STIR_OK && i < n; i++)	/* not sent */
		if (items[i].r == STIR_OK)
			items[i].r = r;
	return r;
}

/*
 * A batch sent from the loop on an idle channel; the loop waits for the
 * channel's fd to be readable, then finishes it.  Never blocks: no idle
 * channel (all busy, or the process restarting) is STIR_EBUSY, and a
 * failed exchange leaves the items to the blocking calls, which send
 * again across restarts.
 */
struct stir_sign_call {
	struct signer_remote	*s;
	struct channel		*ch;
	struct stir_sign_item	*todo[STIR_SIGN_BATCH_MAX];
	struct batch_out	 o;
};

static int
remote_call_start(struct stir_signer *base, struct stir_sign_item *items, size_t n,
    struct stir_sign_call **ret, int *ret_fd)
{
	struct signer_remote *s = (struct signer_remote *)base;
	struct stir_sign_call *c;
	size_t i = 0, len;
	int r = STIR_EBUSY;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return STIR_ENOMEM;
	c->s = s;
	c->o.items = c->todo;
	(void)pthread_mutex_lock(&s->mu);
	if (s->idle != NULL && !s->stopping) {
		c->ch = s->idle;
		s->idle = c->ch->next;
		c->ch->next = NULL;
	}
	(void)pthread_mutex_unlock(&s->mu);
	if (c->ch == NULL)
		goto fail;
	batch_check(items, n);
	batch_fill(items, n, &i, c->ch->req->payload, &len, &c->o);
	if (i < n || c->o.n != n)	/* refused items or more than one message */
		goto fail;
	stir_sp_request(c->ch->req, STIR_SP_SIGN_BATCH, "", (uint32_t)n, (uint32_t)len);
	if (stir_sp_send(c->ch->fd, c->ch->req) != STIR_OK) {
		channel_broken(s, c->ch);
		c->ch = NULL;
		goto fail;
	}
	*ret_fd = c->ch->fd;
	*ret = c;
	return STIR_OK;
 fail:
	if (c->ch != NULL)
		channel_put(s, c->ch);
	free(c);
	return r;
}

static int
remote_call_finish(struct stir_sign_call *c)
{
	struct signer_remote *s = c->s;
	int r;

	r = stir_sp_recv(c->ch->fd, c->ch->rep, false, STIR_SP_SIGN_BATCH);
	if (r == STIR_OK && (r = c->ch->rep->h.r) == STIR_OK)
		r = batch_done(c->ch->rep, &c->o);
	if (r == STIR_OK) {
		channel_put(s, c->ch);
		count_batch(s, c->o.n);
	} else {
		log_err("signer: %s; the signatures go the blocking way",
		    r == STIR_EPROTO ? "a malformed reply, restarting the signer process" :
		    "the signer process did not answer");
		channel_broken(s, c->ch);
		r = STIR_EIO;
	}
	free(c);
	return r;
}

static void
remote_call_abort(struct stir_sign_call *c)
{
	log_err("signer: no answer in time; restarting the signer process");
	channel_broken(c->s, c->ch);
	free(c);
}

struct bytes_out {
	uint8_t	**der;
	size_t	 *len;
	char	**str;
};

static int
bytes_done(const struct stir_sp_msg *rep, void *arg)
{
	struct bytes_out *o = arg;

	if (o->str != NULL) {
		if ((*o->str = strndup((const char *)rep->payload, rep->h.len)) == NULL)
			return STIR_ENOMEM;
		return STIR_OK;
	}
	if (rep->h.len == 0)
		return STIR_ECRYPTO;
	if ((*o->der = malloc(rep->h.len)) == NULL)
		return STIR_ENOMEM;
	memcpy(*o->der, rep->payload, rep->h.len);
	*o->len = rep->h.len;
	return STIR_OK;
}

static int
remote_pubkey_der(struct stir_signer *base, const char *key_id, uint8_t **ret_der,
    size_t *ret_len)
{
	struct bytes_out o = { ret_der, ret_len, NULL };
	int r;

	if ((r = key_id_ok(key_id)) != STIR_OK)
		return r;
	return call((struct signer_remote *)base, STIR_SP_PUBKEY, key_id, 0, NULL, 0,
	    bytes_done, &o);
}

static int
remote_key_generate(struct stir_signer *base, const char *name, char **ret_pub_pem)
{
	struct bytes_out o = { NULL, NULL, ret_pub_pem };

	if (stir_signer_name_check(name) != STIR_OK)
		return STIR_EINVAL;
	return call((struct signer_remote *)base, STIR_SP_GENERATE, name, 0, NULL, 0,
	    bytes_done, &o);
}

static int
remote_key_import(struct stir_signer *base, const char *name, char *pem,
    size_t len, char **ret_pub_pem)
{
	struct bytes_out o = { NULL, NULL, ret_pub_pem };
	int r;

	if (stir_signer_name_check(name) != STIR_OK)
		r = STIR_EINVAL;
	else if (len == 0 || len > STIR_KEY_FILE_MAX)
		r = STIR_ETOOBIG;
	else
		r = call((struct signer_remote *)base, STIR_SP_IMPORT, name, 0, pem, len,
		    bytes_done, &o);
	sodium_memzero(pem, len);
	return r;
}

static int
remote_key_remove(struct stir_signer *base, const char *name)
{
	if (stir_signer_name_check(name) != STIR_OK)
		return STIR_EINVAL;
	return call((struct signer_remote *)base, STIR_SP_REMOVE, name, 0, NULL, 0,
	    NULL, NULL);
}

static int
register_done(const struct stir_sp_msg *rep, void *arg)
{
	*(int *)arg = rep->h.arg == 1;
	return STIR_OK;
}

static int
remote_pkcs11_register(struct stir_signer *base, const char *name, char *url,
    size_t len, int *ret_created)
{
	int r;

	*ret_created = 0;
	if (stir_signer_name_check(name) != STIR_OK)
		r = STIR_EINVAL;
	else if (len < 8 || len > STIR_PKCS11_URL_MAX)
		r = STIR_EINVAL;
	else
		r = call((struct signer_remote *)base, STIR_SP_REGISTER, name, 0, url, len,
		    register_done, ret_created);
	sodium_memzero(url, len);
	return r;
}

struct list_out {
	struct stir_key_info	*keys;
	size_t			 n, total;
};

static int
list_done(const struct stir_sp_msg *rep, void *arg)
{
	const struct stir_sp_keyinfo *in = (const struct stir_sp_keyinfo *)rep->payload;
	struct list_out *o = arg;
	size_t k = rep->h.len / sizeof(*in);

	if (rep->h.len % sizeof(*in) != 0 || rep->h.arg > STIR_MAX_KEYS ||
	    o->n + k > rep->h.arg)
		return STIR_EPROTO;
	if (o->keys == NULL && (o->keys = calloc(rep->h.arg + 1, sizeof(*o->keys))) == NULL)
		return STIR_ENOMEM;
	if (o->total != 0 && o->total != rep->h.arg)
		return STIR_EBUSY;	/* changed between batches */
	o->total = rep->h.arg;
	for (size_t i = 0; i < k; i++) {
		struct stir_key_info *d = &o->keys[o->n++];

		if (memchr(in[i].name, '\0', sizeof(in[i].name)) == NULL ||
		    memchr(in[i].type, '\0', sizeof(in[i].type)) == NULL ||
		    memchr(in[i].spki_sha256, '\0', sizeof(in[i].spki_sha256)) == NULL)
			return STIR_EPROTO;
		memcpy(d->name, in[i].name, sizeof(d->name));
		memcpy(d->type, in[i].type, sizeof(d->type));
		memcpy(d->spki_sha256, in[i].spki_sha256, sizeof(d->spki_sha256));
	}
	return k == 0 && o->n < o->total ? STIR_EPROTO : STIR_OK;
}

static int
remote_key_list(struct stir_signer *base, struct stir_key_info **ret, size_t *ret_n)
{
	struct list_out o = { NULL, 0, 0 };
	int r;

	do
		r = call((struct signer_remote *)base, STIR_SP_LIST, "", (uint32_t)o.n,
		    NULL, 0, list_done, &o);
	while (r == STIR_OK && o.n < o.total);
	if (r == STIR_OK && o.keys == NULL && (o.keys = calloc(1, sizeof(*o.keys))) == NULL)
		r = STIR_ENOMEM;
	if (r != STIR_OK) {
		free(o.keys);
		return r;
	}
	*ret = o.keys;
	*ret_n = o.n;
	return STIR_OK;
}

static const struct stir_signer_ops remote_ops = {
	.free = remote_free,
	.reload = remote_reload,
	.set_flags = remote_set_flags,
	.status = remote_status,
	.sign = remote_sign,
	.sign_batch = remote_sign_batch,
	.call_start = remote_call_start,
	.call_finish = remote_call_finish,
	.call_abort = remote_call_abort,
	.pubkey_der = remote_pubkey_der,
	.key_generate = remote_key_generate,
	.key_import = remote_key_import,
	.key_remove = remote_key_remove,
	.pkcs11_register = remote_pkcs11_register,
	.key_list = remote_key_list,
};
