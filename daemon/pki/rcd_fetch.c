/*
 * rcd_fetch.c: RCD content through the certificate cache, judged by its
 * bytes (rcd_fetch.h).  One owner for the rule both sides apply to a
 * fetched body; the policy on top (digests, messages) is each side's.
 */
#include "config.h"

#include <stdlib.h>

#include "stirclient.h"
#include "daemon/pki/rcd_fetch.h"
#include "daemon/stir/rcd.h"

enum stir_rcd_verdict
stir_rcd_judge(enum stir_cc_kind kind, const uint8_t *body, size_t len, size_t max_bytes,
    const char **ret_type, json_t **ret_jcard)
{
	const char *type = NULL;
	json_t *jcard = NULL;
	char msg[160];
	int r;

	if (body == NULL)
		body = (const uint8_t *)"";
	if (len > max_bytes)
		return STIR_RCD_TOO_BIG;
	switch (kind) {
	case STIR_CC_IMAGE:
		if ((type = stir_rcd_icon_type(body, len)) == NULL)
			return STIR_RCD_BAD_TYPE;
		break;
	case STIR_CC_JCARD:		/* the one rule (stir_rcd_jcard_check()) */
		if ((r = stir_rcd_jcard_parse(body, len, &jcard, msg, sizeof(msg))) != STIR_OK)
			return r == STIR_ETOOBIG ? STIR_RCD_TOO_MANY_URLS : STIR_RCD_BAD_TYPE;
		type = "application/vcard+json";
		break;
	case STIR_CC_OTHER:
		break;
	default:			/* not RCD content */
		return STIR_RCD_BAD_TYPE;
	}
	*ret_type = type;
	if (ret_jcard != NULL)
		*ret_jcard = jcard;
	else
		json_decref(jcard);
	return STIR_RCD_OK;
}

struct rcd_fetch {
	enum stir_cc_kind	 kind;
	size_t			 max_bytes;
	stir_rcd_fetch_cb	 cb;
	void			*arg;
};

static void
on_entry(void *arg, const struct stir_certcache_entry *e)
{
	struct rcd_fetch *rf = arg;
	struct stir_rcd_fetched f = {
		.url = e->url, .err = e->err, .detail = e->detail, .body = e->body,
		.len = e->len, .expires = e->expires,
	};

	if (e->err == STIR_EINVAL)	/* fetched, but not of its kind */
		f.verdict = STIR_RCD_NOT_KIND;
	else if (e->err != STIR_OK)
		f.verdict = STIR_RCD_FETCH_FAILED;
	else
		f.verdict = stir_rcd_judge(rf->kind, e->body, e->len, rf->max_bytes, &f.type,
		    &f.jcard);
	rf->cb(rf->arg, &f);
	json_decref(f.jcard);
	free(rf);
}

int
stir_rcd_fetch(struct stir_certcache *cc, const char *url, enum stir_cc_kind kind,
    size_t max_bytes, int64_t now, uint64_t owner, stir_rcd_fetch_cb cb, void *arg)
{
	struct rcd_fetch *rf;
	int r;

	if (cc == NULL)
		return STIR_EINVAL;
	if ((rf = calloc(1, sizeof(*rf))) == NULL)
		return STIR_ENOMEM;
	rf->kind = kind;
	rf->max_bytes = max_bytes;
	rf->cb = cb;
	rf->arg = arg;
	if ((r = stir_certcache_get_for(cc, url, kind, now, owner, on_entry, rf)) != STIR_OK)
		free(rf);
	return r;
}
