/* creds.c: signing credentials in memory, and which one signs a call. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "stirclient.h"
#include "daemon/pki/constraints.h"
#include "daemon/sign/creds.h"
#include "daemon/base/log.h"
#include "daemon/keys/signer.h"
#include "daemon/stir/passport.h"
#include "daemon/sign/policy.h"
#include "daemon/store/store.h"

static void
cred_clear(struct stir_cred *c)
{
	free(c->name);
	free(c->key_ref);
	free(c->x5u);
	free(c->spc);
	free(c->subject);
	free(c->specs);
	stir_tnauth_free(c->tnauth);
	stir_chain_free(c->chain);
	json_decref(c->header);
	free(c->header_b64);
}

struct stir_creds *
stir_creds_ref(struct stir_creds *cs)
{
	if (cs != NULL)
		(void)__atomic_add_fetch(&cs->refs, 1, __ATOMIC_RELAXED);
	return cs;
}

void
stir_creds_unref(struct stir_creds *cs)
{
	if (cs == NULL || __atomic_sub_fetch(&cs->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (size_t i = 0; i < cs->n; i++)
		cred_clear(&cs->v[i]);
	free(cs->v);
	stir_policies_free(cs->policies);
	free(cs->connected_identity);
	free(cs);
}

static int
cred_from_row(const struct stir_cred_row *row, struct stir_cred *c)
{
	struct stir_chain *chain = NULL;
	json_t *tns = NULL;
	int r = STIR_ENOMEM;

	memset(c, 0, sizeof(*c));
	if ((c->name = strdup(row->name)) == NULL ||
	    (c->key_ref = strdup(row->key_ref)) == NULL ||
	    (c->x5u = strdup(row->x5u)) == NULL ||
	    (c->subject = strdup(row->subject)) == NULL ||
	    (row->spc != NULL && (c->spc = strdup(row->spc)) == NULL))
		goto out;
	c->not_after = row->not_after;
	if ((r = stir_passport_header(c->x5u, "shaken", &c->header, &c->header_b64)) != STIR_OK)
		goto out;
	if ((r = stir_chain_parse(row->chain_pem, strlen(row->chain_pem),
	    STIR_CHAIN_MAX, true, &chain)) != STIR_OK)
		goto out;
	if ((r = stir_cert_tnauth(chain->crt[0], &c->tnauth)) != STIR_OK)
		goto out;
	if (row->tns != NULL) {
		size_t i;
		json_t *v;

		r = STIR_EINVAL;
		if ((tns = json_loads(row->tns, 0, NULL)) == NULL || !json_is_array(tns) ||
		    json_array_size(tns) > STIR_CRED_TNS_MAX)
			goto out;
		if ((c->specs = calloc(json_array_size(tns) + 1, sizeof(*c->specs))) == NULL) {
			r = STIR_ENOMEM;
			goto out;
		}
		json_array_foreach(tns, i, v) {
			if (!json_is_string(v) ||
			    stir_tnspec_parse(json_string_value(v), &c->specs[i]) != STIR_OK)
				goto out;
			c->nspecs++;
		}
	}
	/* claim constraints count in the end-entity certificate only
	 * (RFC 8226 section 8, RFC 9118 section 3); a CA's are ignored */
	{
		struct stir_constraints *k = NULL;

		if ((r = stir_constraints_from_cert(chain->crt[0], &k, NULL)) == STIR_OK)
			c->has_constraints = true;
		else if (r != STIR_ENOENT)
			goto out;	/* malformed: it could not be honoured */
		stir_constraints_free(k);
	}
	c->chain = chain;
	chain = NULL;
	r = STIR_OK;
 out:
	json_decref(tns);
	stir_chain_free(chain);
	return r;
}

int
stir_creds_load(struct stir_store *st, struct stir_creds **ret)
{
	struct stir_cred_row *rows = NULL;
	struct stir_creds *cs = NULL;
	size_t n = 0;
	int r;

	if ((r = stir_store_cred_list(st, &rows, &n)) != STIR_OK)
		return r;
	if ((cs = calloc(1, sizeof(*cs))) == NULL ||
	    (cs->v = calloc(n + 1, sizeof(*cs->v))) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	cs->refs = 1;
	for (size_t i = 0; i < n; i++) {
		if ((r = cred_from_row(&rows[i], &cs->v[cs->n])) != STIR_OK) {
			/* a stored row that no longer parses is skipped, loudly */
			log_err("credential '%s' cannot be loaded: %s", rows[i].name,
			    stir_strerror(r));
			cred_clear(&cs->v[cs->n]);
			if (r == STIR_ENOMEM)
				goto out;
			continue;
		}
		cs->n++;
	}
	if ((r = stir_policies_load(st, &cs->policies)) != STIR_OK)
		goto out;
	r = stir_store_setting_get(st, STIR_SETTING_CONNECTED_IDENTITY, &cs->connected_identity);
	if (r != STIR_OK && r != STIR_ENOENT)
		goto out;
	*ret = cs;
	cs = NULL;
	r = STIR_OK;
 out:
	stir_creds_unref(cs);
	stir_store_cred_rows_free(rows, n);
	return r;
}

const char *
stir_creds_connected_identity(const struct stir_creds *cs, const char *conf_value)
{
	return cs != NULL && cs->connected_identity != NULL ? cs->connected_identity :
	    conf_value;
}

const struct stir_cred *
stir_creds_find(const struct stir_creds *cs, const char *name)
{
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i].name, name) == 0)
			return &cs->v[i];
	return NULL;
}

/*
 * How well c covers orig: < 0 it must not sign for orig; 0 it may (it
 * lists no TNs at all); > 0 it covers orig, higher is more specific.
 */
static int
cred_rank(const struct stir_cred *c, const struct stir_ident *orig)
{
	int best = -1;

	if (c->nspecs == 0 && !stir_tnauth_has_tns(c->tnauth))
		return 0;
	if (orig->kind != STIR_IDENT_TN)
		return -1;
	/* both the operator's specs and the certificate must allow it */
	if (stir_tnauth_has_tns(c->tnauth) && !stir_tnauth_covers(c->tnauth, orig->value))
		return -1;
	if (c->nspecs == 0)
		return 400;
	for (size_t i = 0; i < c->nspecs; i++)
		if (stir_tnspec_covers(&c->specs[i], orig->value) &&
		    stir_tnspec_rank(&c->specs[i]) > best)
			best = stir_tnspec_rank(&c->specs[i]);
	return best < 0 ? -1 : best + 1;
}

int
stir_creds_select(const struct stir_creds *cs, const char *name,
    const struct stir_ident *orig, time_t now, const struct stir_cred **ret,
    char *msg, size_t msglen)
{
	const struct stir_cred *c = NULL;
	int best = -1, nbest = 0, nzero = 0;
	const struct stir_cred *zero = NULL;

	if (name != NULL) {
		if ((c = stir_creds_find(cs, name)) == NULL) {
			snprintf(msg, msglen, "no credential named '%.64s' (see 'stirctl cred list')",
			    name);
			return STIR_ENOENT;
		}
		if (cred_rank(c, orig) < 0) {
			snprintf(msg, msglen, "credential '%s' does not cover the calling number %s",
			    c->name, orig->value);
			return STIR_EPOLICY;
		}
	} else {
		int nexpired = 0;

		/* expired credentials are passed over, so that a renewed
		 * credential beside an old one signs during a rollover */
		for (size_t i = 0; i < cs->n; i++) {
			int rank = cred_rank(&cs->v[i], orig);

			if (rank >= 0 && cs->v[i].not_after <= (int64_t)now) {
				nexpired++;
				continue;
			}
			if (rank == 0) {
				nzero++;
				zero = &cs->v[i];
			} else if (rank > best) {
				best = rank;
				c = &cs->v[i];
				nbest = 1;
			} else if (rank == best && rank > 0)
				nbest++;
		}
		if (c == NULL || best <= 0) {
			if (nzero == 1)
				c = zero;
			else if (nzero > 1) {
				snprintf(msg, msglen, "%d credentials could sign for %s; name one with 'cred'",
				    nzero, orig->value);
				return STIR_EPOLICY;
			} else if (nexpired > 0) {
				snprintf(msg, msglen, "every credential covering %s has expired; replace its certificate",
				    orig->value);
				return STIR_ECERT;
			} else {
				snprintf(msg, msglen, "no credential covers the calling number %s",
				    orig->value);
				return STIR_ENOENT;
			}
		} else if (nbest > 1)
			log_warn("several credentials cover %s equally; using '%s'",
			    orig->value, c->name);
	}
	if (c->not_after <= (int64_t)now) {
		snprintf(msg, msglen, "credential '%s' has expired; replace its certificate",
		    c->name);
		return STIR_ECERT;
	}
	*ret = c;
	return STIR_OK;
}

int
stir_cred_add(struct stir_store *store, struct stir_signer *signer, struct stir_cred_add *in,
    int64_t now, json_t **ret, char *msg, size_t msglen)
{
	struct stir_chain *chain = NULL;
	struct stir_tnauth *ta = NULL;
	struct stir_cert_info info;
	struct stir_cred_row row;
	const char *key_ref = in->key;
	uint8_t *spki = NULL;
	size_t spki_len = 0;
	char why[384], *tns = NULL;
	int created = 0, r;

	if (in->pkcs11 != NULL) {
		/* the signer keeps the URL (and its PIN) as key in->name */
		r = stir_signer_pkcs11_register(signer, in->name, in->pkcs11, in->pkcs11_len,
		    &created);
		if (r == STIR_EEXIST) {
			snprintf(msg, msglen, "a key named '%s' exists already, and it is not this PKCS#11 key (see 'stirctl key list')",
			    in->name);
			goto out;
		}
		if (r != STIR_OK) {	/* never the URL: it may hold a PIN */
			snprintf(msg, msglen, "the PKCS#11 key cannot be used: %s (is the URL, PIN and pkcs11_module right?)",
			    stir_strerror(r));
			r = r == STIR_EINVAL ? r : STIR_EKEY;
			goto out;
		}
		key_ref = in->name;
	}
	if ((r = stir_signer_pubkey_der(signer, key_ref, &spki, &spki_len)) != STIR_OK) {
		if (r == STIR_ENOENT)
			snprintf(msg, msglen, "no key named '%s' (see 'stirctl key list')", key_ref);
		else
			snprintf(msg, msglen, "key '%s' cannot be used: %s", key_ref, stir_strerror(r));
		r = r == STIR_ENOENT ? STIR_EKEY : r;
		goto out;
	}
	if ((r = stir_chain_parse(in->chain_pem, strlen(in->chain_pem), STIR_CHAIN_MAX, true,
	    &chain)) != STIR_OK) {
		snprintf(msg, msglen, "field 'chain': not a PEM certificate chain of at most %d certificates, end entity first",
		    STIR_CHAIN_MAX);
		r = r == STIR_ETOOBIG ? r : STIR_ECERT;
		goto out;
	}
	if ((r = stir_cred_check(chain, spki, spki_len, now, &ta, why, sizeof(why))) != STIR_OK) {
		snprintf(msg, msglen, "%s", why);
		goto out;
	}
	if ((r = stir_cert_info(chain->crt[0], &info)) != STIR_OK) {
		snprintf(msg, msglen, "cannot read the certificate");
		goto out;
	}
	if (in->tns != NULL && (tns = stir_json_dump(in->tns, JSON_COMPACT, 0, NULL)) == NULL) {
		snprintf(msg, msglen, "%s", stir_strerror(r = STIR_ENOMEM));
		goto out;
	}
	memset(&row, 0, sizeof(row));
	row.name = (char *)in->name;
	row.key_ref = (char *)key_ref;
	row.chain_pem = (char *)in->chain_pem;
	row.x5u = (char *)in->x5u;
	row.tns = tns;
	row.spc = (char *)in->spc;
	row.subject = info.subject;
	row.not_after = info.not_after;
	row.created = now;
	r = in->replace ? stir_store_cred_replace(store, &row) : stir_store_cred_add(store, &row);
	if (r != STIR_OK) {
		snprintf(msg, msglen, r == STIR_EEXIST ? "a credential named '%s' exists already" :
		    "cannot store credential '%s'", in->name);
		goto out;
	}
	if ((*ret = json_pack("{s:s, s:s, s:s, s:I, s:o, s:i}", "name", in->name,
	    "subject", info.subject, "x5u", in->x5u, "not_after", (json_int_t)info.not_after,
	    "tnauth", stir_tnauth_json(ta), "chain_len", (int)chain->n)) == NULL) {
		/* stored: the transaction is rolled back with the error */
		snprintf(msg, msglen, "%s", stir_strerror(r = STIR_ENOMEM));
		goto out;
	}
	created = 0;			/* the credential keeps its key */
 out:
	if (created && stir_signer_key_remove(signer, in->name) != STIR_OK)
		log_err("credential '%s' was not added, and its PKCS#11 registration could not be removed",
		    in->name);
	free(tns);
	free(spki);
	stir_tnauth_free(ta);
	stir_chain_free(chain);
	return r;
}
