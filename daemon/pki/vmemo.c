/* vmemo.c: validated-certificate memo and replay table (see vmemo.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "stirclient.h"
#include "daemon/pki/vmemo.h"

struct replay_slot {
	uint64_t	hash;
	int64_t		seen;
};

struct stir_vmemo {
	struct stir_vcert	*certs[STIR_VMEMO_MAX];	/* small: linear scan */
	size_t			 ncerts;
	size_t			 next_evict;
	struct replay_slot	*replay;		/* open addressing */
};

struct stir_vcert *
stir_vcert_new(const char *url, uint64_t serial, int64_t expires)
{
	struct stir_vcert *vc = calloc(1, sizeof(*vc));

	if (vc == NULL)
		return NULL;
	if ((vc->url = strdup(url)) == NULL) {
		free(vc);
		return NULL;
	}
	vc->refs = 1;
	vc->serial = serial;
	vc->expires = expires;
	return vc;
}

struct stir_vcert *
stir_vcert_ref(struct stir_vcert *vc)
{
	__atomic_add_fetch(&vc->refs, 1, __ATOMIC_RELAXED);
	return vc;
}

void
stir_vcert_unref(struct stir_vcert *vc)
{
	if (vc == NULL || __atomic_sub_fetch(&vc->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	gnutls_pubkey_deinit(vc->pub);
	stir_tnauth_free(vc->tnauth);
	stir_tnauth_free(vc->tnref);
	free(vc->tnref_url);
	for (size_t i = 0; i < vc->ncons; i++)
		stir_constraints_free(vc->cons[i]);
	free(vc->url);
	free(vc);
}

int
stir_vmemo_new(struct stir_vmemo **ret)
{
	struct stir_vmemo *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return STIR_ENOMEM;
	*ret = m;
	return STIR_OK;
}

void
stir_vmemo_clear(struct stir_vmemo *m)
{
	for (size_t i = 0; i < m->ncerts; i++)
		stir_vcert_unref(m->certs[i]);
	m->ncerts = 0;
}

void
stir_vmemo_free(struct stir_vmemo *m)
{
	if (m == NULL)
		return;
	stir_vmemo_clear(m);
	free(m->replay);
	free(m);
}

struct stir_vcert *
stir_vmemo_get(struct stir_vmemo *m, const char *url, uint64_t serial, int64_t now,
    uint64_t trust_gen, int crl_mode)
{
	for (size_t i = 0; i < m->ncerts; i++) {
		struct stir_vcert *vc = m->certs[i];

		if (strcmp(vc->url, url) != 0)
			continue;
		if (vc->serial != serial || vc->expires <= now || now < vc->not_before ||
		    vc->trust_gen != trust_gen || vc->crl_mode != crl_mode) {
			stir_vcert_unref(vc);		/* stale: drop it */
			m->certs[i] = m->certs[--m->ncerts];
			return NULL;
		}
		return stir_vcert_ref(vc);
	}
	return NULL;
}

void
stir_vmemo_put(struct stir_vmemo *m, struct stir_vcert *vc)
{
	for (size_t i = 0; i < m->ncerts; i++)
		if (strcmp(m->certs[i]->url, vc->url) == 0) {
			stir_vcert_unref(m->certs[i]);
			m->certs[i] = stir_vcert_ref(vc);
			return;
		}
	if (m->ncerts == STIR_VMEMO_MAX) {
		size_t i = m->next_evict++ % STIR_VMEMO_MAX;

		stir_vcert_unref(m->certs[i]);
		m->certs[i] = stir_vcert_ref(vc);
		return;
	}
	m->certs[m->ncerts++] = stir_vcert_ref(vc);
}

bool
stir_replay_seen(struct stir_vmemo *m, const char *sig, int64_t now, unsigned window)
{
	uint8_t digest[32];
	uint64_t h;
	size_t i, oldest = 0;
	int64_t oldest_t = INT64_MAX;

	if (m->replay == NULL &&
	    (m->replay = calloc(STIR_REPLAY_MAX, sizeof(*m->replay))) == NULL)
		return false;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, sig, strlen(sig), digest) < 0)
		return false;
	memcpy(&h, digest, sizeof(h));
	h |= 1;				/* 0 marks an empty slot */
	/* the signature may sit anywhere in its neighbourhood: look first */
	for (size_t probe = 0; probe < 16; probe++) {
		i = (size_t)(h + probe) & (STIR_REPLAY_MAX - 1);
		if (m->replay[i].hash == h) {
			int64_t age = now - m->replay[i].seen;
			bool seen = age >= 0 && age <= (int64_t)window;

			if (now > m->replay[i].seen)
				m->replay[i].seen = now;
			return seen;
		}
	}
	/* then take an empty or stale slot, or the oldest */
	for (size_t probe = 0; probe < 16; probe++) {
		i = (size_t)(h + probe) & (STIR_REPLAY_MAX - 1);
		if (m->replay[i].hash == 0 || now - m->replay[i].seen > (int64_t)window) {
			m->replay[i].hash = h;
			m->replay[i].seen = now;
			return false;
		}
		if (m->replay[i].seen < oldest_t) {
			oldest_t = m->replay[i].seen;
			oldest = i;
		}
	}
	m->replay[oldest].hash = h;	/* full neighbourhood: forget the oldest */
	m->replay[oldest].seen = now;
	return false;
}
