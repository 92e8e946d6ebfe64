/*
 * signer_main.c: `stird --signer`, the key-holding process.
 *
 * stird starts it (signer_remote.c) with the channels' socket ends as
 * descriptors 3, 4, ...; it confines itself (sandbox.h), opens the key
 * store (signer_local.c) and serves each channel from a thread of its
 * own: one request, one reply (signer_proto.h).  It exits when stird
 * closes the channels.  Nothing in it parses JSON, PASSporTs,
 * certificates or anything else that comes from the network.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <sodium.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "daemon/keys/sandbox.h"
#include "daemon/keys/signer.h"
#include "daemon/keys/signer_main.h"
#include "daemon/keys/signer_proto.h"
#include "daemon/base/startup.h"

#define CHANNELS_MAX	256
#define WRITE_DIRS_MAX	8

struct signer_opts {
	const char	*key_dir;
	const char	*pkcs11_module;
	const char	*write_dirs[WRITE_DIRS_MAX + 1];
	unsigned	 flags;
	unsigned	 channels;
	int		 log_level;
	bool		 network;
};

static struct stir_signer	*store;
static int			 store_r;	/* why store is NULL */

/* ---- the ops: req in, rep out (rep's header is zeroed, op set) ---- */

static int
do_hello(struct stir_sp_msg *req, struct stir_sp_msg *rep)
{
	(void)req;
	(void)rep;
	return STIR_OK;
}

static int
do_sign(struct stir_sp_msg *req, struct stir_sp_msg *rep)
{
	size_t n = 0;
	int r;

	r = stir_signer_sign(store, req->h.name, req->payload, req->h.len,
	    rep->payload, &n);
	if (r == STIR_OK)
		rep->h.len = (uint32_t)n;
	return r;
}

static int
do_sign_batch(struct stir_sp_msg *req, struct stir_sp_msg *rep)
{
	struct stir_sp_batch_result *out = (struct stir_sp_batch_result *)rep->payload;
	const uint8_t *tbs;
	const char *name;
	uint32_t count = 0, len;
	size_t off = 0;
	int r;

	/* the whole batch is checked before anything is signed */
	while ((r = stir_sp_batch_next(req, &off, &count, &name, &tbs, &len)) == 1)
		;
	if (r != 0)
		return STIR_EPROTO;
	off = 0;
	count = 0;
	while (stir_sp_batch_next(req, &off, &count, &name, &tbs, &len) == 1) {
		struct stir_sp_batch_result *o = &out[count - 1];
		size_t n = 0;

		memset(o, 0, sizeof(*o));
		o->r = stir_signer_sign(store, name, tbs, len, o->sig, &n);
		o->len = o->r == STIR_OK ? (uint32_t)n : 0;
	}
	rep->h.arg = count;
	rep->h.len = (uint32_t)(count * sizeof(*out));
	return STIR_OK;
}

static int
do_pubkey(struct stir_sp_msg *req, struct stir_sp_msg *rep)
{
	uint8_t *der = NULL;
	size_t n = 0;
	int r;

	if ((r = stir_signer_pubkey_der(store, req->h.name, &der, &n)) != STIR_OK)
		return r;
	if (n > 4096)
		r = STIR_ETOOBIG;
	else {
		memcpy(rep->payload, der, n);
		rep->h.len = (uint32_t)n;
	}
	free(der);
	return r;
}

static int
pub_pem_reply(int r, char *pem, struct stir_sp_msg *rep)
{
	size_t n;

	if (r != STIR_OK)
		return r;
	if ((n = strlen(pem)) > 4096)
		r = STIR_ETOOBIG;
	else {
		memcpy(rep->payload, pem, n);
		rep->h.len = (uint32_t)n;
	}
	free(pem);
	return r;
}

static int
do_generate(struct stir_sp_msg *req, struct stir_sp_msg *rep)
{
	char *pem = NULL;
	int r = stir_signer_key_generate(store, req->h.name, &pem);

	return pub_pem_reply(r, pem, rep);
}

static int
do_import(struct stir_sp_msg *req, struct stir_sp_msg *rep)
{
	char *pem = NULL;
	/* the store wipes the payload */
	int r = stir_signer_key_import(store, req->h.name, (char *)req->payload,
	    req->h.len, &pem);

	return pub_pem_reply(r, pem, rep);
}

static int
do_remove(struct stir_sp_msg *req, struct stir_sp_msg *rep)
{
	(void)rep;
	return stir_signer_key_remove(store, req->h.name);
}

static int
do_register(struct stir_sp_msg *req, struct stir_sp_msg *rep)
{
	int created = 0, r;

	r = stir_signer_pkcs11_register(store, req->h.name, (char *)req->payload,
	    req->h.len, &created);	/* wipes the URL */
	rep->h.arg = created ? 1 : 0;
	return r;
}

static int
do_list(struct stir_sp_msg *req, struct stir_sp_msg *rep)
{
	struct stir_key_info *keys = NULL;
	struct stir_sp_keyinfo *out = (struct stir_sp_keyinfo *)rep->payload;
	size_t n = 0, k = 0;
	int r;

	if ((r = stir_signer_key_list(store, &keys, &n)) != STIR_OK)
		return r;
	for (size_t i = req->h.arg; i < n && k < STIR_SP_LIST_BATCH; i++, k++) {
		memset(&out[k], 0, sizeof(out[k]));
		snprintf(out[k].name, sizeof(out[k].name), "%s", keys[i].name);
		snprintf(out[k].type, sizeof(out[k].type), "%s", keys[i].type);
		snprintf(out[k].spki_sha256, sizeof(out[k].spki_sha256), "%s",
		    keys[i].spki_sha256);
	}
	free(keys);
	rep->h.arg = (uint32_t)n;
	rep->h.len = (uint32_t)(k * sizeof(*out));
	return STIR_OK;
}

static int
do_reload(struct stir_sp_msg *req, struct stir_sp_msg *rep)
{
	(void)req;
	(void)rep;
	return stir_signer_reload(store);
}

static int
do_flags(struct stir_sp_msg *req, struct stir_sp_msg *rep)
{
	(void)rep;
	stir_signer_set_flags(store, req->h.arg);
	return STIR_OK;
}

static int (*const handlers[STIR_SP_OP_END])(struct stir_sp_msg *, struct stir_sp_msg *) = {
	[STIR_SP_HELLO] = do_hello,
	[STIR_SP_SIGN] = do_sign,
	[STIR_SP_PUBKEY] = do_pubkey,
	[STIR_SP_GENERATE] = do_generate,
	[STIR_SP_IMPORT] = do_import,
	[STIR_SP_REMOVE] = do_remove,
	[STIR_SP_REGISTER] = do_register,
	[STIR_SP_LIST] = do_list,
	[STIR_SP_RELOAD] = do_reload,
	[STIR_SP_FLAGS] = do_flags,
	[STIR_SP_SIGN_BATCH] = do_sign_batch,
};

/* One channel: requests until stird closes it. */
static void *
channel_serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct stir_sp_msg *req, *rep;
	int r;

	/* locked and wiped: requests carry private keys and PINs */
	if ((req = sodium_malloc(sizeof(*req))) == NULL ||
	    (rep = sodium_malloc(sizeof(*rep))) == NULL) {
		log_err("signer: out of memory");
		exit(1);
	}
	for (;;) {
		if ((r = stir_sp_recv(fd, req, true, 0)) != STIR_OK) {
			if (r == STIR_EPROTO)	/* stird sent nonsense: it is not ours */
				log_err("signer: a malformed request; closing the channel");
			else if (errno != 0)
				log_err("signer: channel: %s", strerror(errno));
			break;
		}
		memset(&rep->h, 0, sizeof(rep->h));
		rep->h.op = req->h.op;
		if (store == NULL)	/* the key store did not open: say why */
			rep->h.r = store_r;
		else
			rep->h.r = handlers[req->h.op](req, rep);
		if (rep->h.r != STIR_OK)
			rep->h.len = 0;
		sodium_memzero(req->payload, req->h.len);
		if (stir_sp_send(fd, rep) != STIR_OK) {
			log_err("signer: channel: %s", strerror(errno));
			break;
		}
		if (req->h.op == STIR_SP_GENERATE || req->h.op == STIR_SP_IMPORT)
			sodium_memzero(rep->payload, rep->h.len);
	}
	close(fd);
	sodium_free(req);
	sodium_free(rep);
	return NULL;
}

static int
opts_parse(int argc, char **argv, struct signer_opts *o)
{
	size_t nw = 0;

	memset(o, 0, sizeof(*o));
	o->log_level = STIR_LOG_INFO;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--network") == 0) {
			o->network = true;
			continue;
		}
		if (v == NULL)
			return -1;
		i++;
		if (strcmp(a, "--key-dir") == 0)
			o->key_dir = v;
		else if (strcmp(a, "--pkcs11-module") == 0)
			o->pkcs11_module = v;
		else if (strcmp(a, "--flags") == 0)
			o->flags = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(a, "--channels") == 0)
			o->channels = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(a, "--log-level") == 0)
			o->log_level = atoi(v);
		else if (strcmp(a, "--write-dir") == 0 && nw < WRITE_DIRS_MAX)
			o->write_dirs[nw++] = v;
		else
			return -1;
	}
	if (o->key_dir == NULL || o->channels == 0 || o->channels > CHANNELS_MAX)
		return -1;
	return 0;
}

int
stir_signer_main(int argc, char **argv)
{
	struct signer_opts o;
	pthread_t tid[CHANNELS_MAX];
	unsigned started = 0;

	stir_harden_process(true);
	stir_log_init(STIR_LOG_INFO);
	stir_log_set_ident("stird-signer");
	(void)prctl(PR_SET_NAME, "stird-signer", 0, 0, 0);
	if (opts_parse(argc, argv, &o) != 0) {
		log_err("stird --signer is started by stird, not by hand");
		return 2;
	}
	stir_log_set_level(o.log_level);
	/* nothing of stird's but the channels: not its sockets, not its database */
	if (close_range(3 + o.channels, ~0U, 0) != 0) {
		log_err("signer: close_range: %s", strerror(errno));
		return 1;
	}
	if (sodium_init() < 0) {
		log_err("library initialisation failed");
		return 1;
	}
	if (stir_sandbox_signer(o.network, o.key_dir, o.write_dirs) != STIR_OK)
		return 1;
	store_r = stir_signer_local_new(o.key_dir, o.flags, o.pkcs11_module, &store);
	if (store_r != STIR_OK)
		store = NULL;	/* HELLO tells stird why */
	for (unsigned i = 0; i < o.channels; i++) {
		if (pthread_create(&tid[i], NULL, channel_serve,
		    (void *)(intptr_t)(3 + (int)i)) != 0) {
			log_err("signer: cannot start a thread: %s", strerror(errno));
			return 1;
		}
		started++;
	}
	for (unsigned i = 0; i < started; i++)
		(void)pthread_join(tid[i], NULL);
	stir_signer_free(store);
	gnutls_global_deinit();
	return store_r == STIR_OK ? 0 : 1;
}
