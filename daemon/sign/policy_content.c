/*
 * policy_content.c: an RCD policy's fetched content over time: which
 * policy already claims the same numbers, when content is due again,
 * and how a refresh merges into what the policy had.
 */
#include "config.h"

#include <string.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "daemon/sign/policy_content.h"

/* Another policy matching exactly the same numbers for the same credential? */
const char *
stir_policy_duplicate(const struct stir_policies *ps, const struct stir_policy *p,
    size_t *ret_i)
{
	for (size_t k = 0; ps != NULL && k < ps->n; k++) {
		const struct stir_policy *o = &ps->v[k];

		if (strcmp(o->name, p->name) == 0 || (o->cred == NULL) != (p->cred == NULL) ||
		    (o->cred != NULL && strcmp(o->cred, p->cred) != 0))
			continue;
		for (size_t i = 0; i < p->nspecs; i++)
			for (size_t m = 0; m < o->nspecs; m++)
				if (p->specs[i].type == o->specs[m].type &&
				    strcmp(p->specs[i].a, o->specs[m].a) == 0 &&
				    strcmp(p->specs[i].b, o->specs[m].b) == 0) {
					*ret_i = i;
					return o->name;
				}
		if (p->nspecs == 0 && o->nspecs == 0) {
			*ret_i = 0;
			return o->name;
		}
	}
	return NULL;
}

/*
 * Does every URL a jCard entry points to have content, now or before?
 * A changed jCard whose new URLs could not be fetched is not taken: the
 * calls would carry digests for content nobody judged.
 */
static bool
jcard_complete(const json_t *entry, const json_t *have, const json_t *fetched)
{
	json_t *u;
	size_t i;

	json_array_foreach(json_object_get(entry, "urls"), i, u) {
		const char *url = json_string_value(json_object_get(u, "url"));

		if (url == NULL || (json_object_get(have, url) == NULL &&
		    json_object_get(fetched, url) == NULL))
			return false;
	}
	return true;
}

/* Content the policy now needs (a new jCard URL, a document URL) that it lacked. */
static void
add_missing(json_t *content, const json_t *doc_urls, const json_t *fetched)
{
	json_t *want = json_object(), *e, *u;
	const char *url;
	size_t i;

	if (want == NULL)
		return;
	json_object_foreach((json_t *)doc_urls, url, e)
		(void)json_object_set_new(want, url, json_true());
	json_object_foreach(content, url, e)
		json_array_foreach(json_object_get(e, "urls"), i, u)
			if (json_is_string(json_object_get(u, "url")))
				(void)json_object_set_new(want, json_string_value(json_object_get(u,
				    "url")), json_true());
	json_object_foreach(want, url, e)	/* content is not walked while it grows */
		if (json_object_get(content, url) == NULL && json_object_get(fetched, url) != NULL)
			(void)json_object_set_new(content, url,
			    json_deep_copy(json_object_get(fetched, url)));
	json_decref(want);
}

json_t *
stir_policy_content_merge(const char *name, const json_t *old, const json_t *doc_urls,
    const json_t *fetched, int64_t now, unsigned negative_ttl, json_t *changes)
{
	json_t *nc = json_deep_copy(old), *e;
	const char *url;

	if (nc == NULL)
		return NULL;
	json_object_foreach((json_t *)old, url, e) {
		json_t *fresh = json_object_get(fetched, url), *cur = json_object_get(nc, url);

		if (fresh == NULL || (json_object_get(fresh, "urls") != NULL &&
		    !jcard_complete(fresh, old, fetched))) {
			/* not fetched: try again after the negative TTL */
			(void)json_object_set_new(cur, "expires", json_integer(now +
			    (int64_t)negative_ttl + 1));
			continue;
		}
		if ((fresh = json_deep_copy(fresh)) == NULL)
			continue;
		if (!json_equal(json_object_get(fresh, "digest"), json_object_get(e, "digest"))) {
			log_warn("RCD policy '%s': the content of %s changed (%s -> %s); calls now carry the new digest",
			    name, url, json_string_value(json_object_get(e, "digest")),
			    json_string_value(json_object_get(fresh, "digest")));
			(void)json_array_append_new(changes, json_sprintf(
			    "policy %s: content of %.150s changed", name, url));
		} else
			(void)json_object_set(fresh, "changed", json_object_get(e, "changed"));
		(void)json_object_set_new(nc, url, fresh);
	}
	add_missing(nc, doc_urls, fetched);
	return nc;
}

bool
stir_policy_content_due(const struct stir_policy *p, const json_t *doc_urls, int64_t now)
{
	const char *url;
	json_t *e;

	json_object_foreach(p->content, url, e)
		if (json_integer_value(json_object_get(e, "expires")) <= now)
			return true;
	json_object_foreach((json_t *)doc_urls, url, e)
		if (json_object_get(p->content, url) == NULL)
			return true;
	return false;
}
