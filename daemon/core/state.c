/* state.c: the immutable state requests read (state.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "stirclient.h"
#include "daemon/base/conf.h"
#include "daemon/base/log.h"
#include "daemon/core/state.h"
#include "daemon/pki/cert.h"
#include "daemon/pki/rcd_anchor.h"
#include "daemon/sign/creds.h"
#include "daemon/store/store.h"

struct stir_state *
stir_state_ref(struct stir_state *st)
{
	if (st != NULL)
		(void)__atomic_add_fetch(&st->refs, 1, __ATOMIC_RELAXED);
	return st;
}

void
stir_state_unref(struct stir_state *st)
{
	if (st == NULL || __atomic_sub_fetch(&st->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	stir_config_free((struct stir_config *)st->cfg);
	stir_creds_unref(st->creds);
	stir_trust_unref(st->trust);
	stir_rcd_anchors_unref(st->rcd_anchors);
	free(st);
}

void
stir_state_parts_clear(struct stir_state_parts *p)
{
	if (p == NULL)
		return;
	stir_config_free(p->cfg);
	stir_creds_unref(p->creds);
	stir_trust_unref(p->trust);
	stir_rcd_anchors_unref(p->rcd_anchors);
	p->cfg = NULL;
	p->creds = NULL;
	p->trust = NULL;
	p->rcd_anchors = NULL;
}

/* The anchors added --rcd among rows, as a list of their own. */
static int
rcd_anchors_of(const struct stir_trust_row *rows, size_t n, struct stir_rcd_anchors **ret)
{
	const char **pems;
	size_t k = 0;
	int r;

	if ((pems = calloc(n + 1, sizeof(*pems))) == NULL)
		return STIR_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (rows[i].rcd)
			pems[k++] = rows[i].pem;
	r = stir_rcd_anchors_new(pems, k, ret);
	free(pems);
	return r;
}

/* The trust list and its RCD anchors, read together from the store. */
static int
load_trust(struct stir_store *store, const char *crl_file, struct stir_state_parts *p,
    char *msg, size_t msglen)
{
	struct stir_trust_row *rows = NULL;
	const char **pems = NULL;
	size_t n = 0;
	int r;

	if ((r = stir_store_trust_list(store, &rows, &n)) != STIR_OK) {
		snprintf(msg, msglen, "cannot read the trust anchors");
		goto out;
	}
	if ((pems = calloc(n + 1, sizeof(*pems))) == NULL) {
		snprintf(msg, msglen, "out of memory");
		r = STIR_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		pems[i] = rows[i].pem;
	if ((r = stir_trust_new(pems, n, crl_file, &p->trust, msg, msglen)) != STIR_OK)
		goto out;
	if ((r = rcd_anchors_of(rows, n, &p->rcd_anchors)) != STIR_OK)
		snprintf(msg, msglen, "cannot load the RCD trust anchors");
 out:
	free(pems);
	stir_store_trust_rows_free(rows, n);
	return r;
}

int
stir_state_load(struct stir_store *store, uint64_t seq, unsigned what, const char *crl_file,
    struct stir_state_parts *p, char *msg, size_t msglen)
{
	int r = STIR_OK;

	p->seq = seq;
	if ((what & STIR_LOAD_CREDS) && (r = stir_creds_load(store, &p->creds)) != STIR_OK)
		snprintf(msg, msglen, "credentials: %s", stir_strerror(r));
	else if (what & STIR_LOAD_TRUST)
		r = load_trust(store, crl_file, p, msg, msglen);
	if (r != STIR_OK)
		stir_state_parts_clear(p);
	return r;
}

int
stir_state_next(const struct stir_state *o, struct stir_state_parts *p,
    struct stir_state **ret)
{
	struct stir_state *n;

	if ((n = calloc(1, sizeof(*n))) == NULL) {
		stir_state_parts_clear(p);
		return STIR_ENOMEM;
	}
	n->refs = 1;
	n->gen = o != NULL ? o->gen + 1 : 1;
	n->cfg = p->cfg != NULL ? p->cfg : stir_config_ref((struct stir_config *)o->cfg);
	p->cfg = NULL;
	if (p->creds != NULL && (o == NULL || p->seq > o->creds_seq)) {
		n->creds = p->creds;
		n->creds_seq = p->seq;
		p->creds = NULL;
	} else {
		n->creds = stir_creds_ref(o->creds);
		n->creds_seq = o->creds_seq;
	}
	if (p->trust != NULL && (o == NULL || p->seq > o->trust_seq)) {
		n->trust = p->trust;
		n->rcd_anchors = p->rcd_anchors;
		n->trust_seq = p->seq;
		p->trust = NULL;
		p->rcd_anchors = NULL;
	} else {
		n->trust = stir_trust_ref(o->trust);
		n->rcd_anchors = stir_rcd_anchors_ref(o->rcd_anchors);
		n->trust_seq = o->trust_seq;
	}
	stir_state_parts_clear(p);	/* parts older than the installed ones */
	*ret = n;
	return STIR_OK;
}
