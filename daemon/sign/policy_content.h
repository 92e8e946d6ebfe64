/*
 * policy_content.h: an RCD policy's fetched content over time (the refresh
 * the sweep runs, and the checks policy.add makes).  Pure functions of
 * the policies and JSON they are given; loop thread.
 */
#ifndef STIR_POLICY_CONTENT_H
#define STIR_POLICY_CONTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "daemon/sign/policy.h"

/*
 * Another policy of ps (not p itself, by name) matching exactly the same
 * numbers for the same credential: its name, with the index of p's spec
 * in *ret_i (0 for two policies bound to a credential alone); or NULL.
 */
const char *stir_policy_duplicate(const struct stir_policies *ps,
	    const struct stir_policy *p, size_t *ret_i);

/*
 * A policy's content (old: URL -> entry) after a refresh that fetched
 * fetched (URL -> entry): what was fetched replaces its entry, unless a
 * jCard's own URLs were not all fetched; what was not fetched is tried
 * again after negative_ttl; content its document (doc_urls) or a jCard
 * now names is added.  A changed digest is logged and noted in changes
 * (an array of strings).  A new object, or NULL if out of memory.
 */
json_t	*stir_policy_content_merge(const char *name, const json_t *old,
	    const json_t *doc_urls, const json_t *fetched, int64_t now,
	    unsigned negative_ttl, json_t *changes);

/* Is anything of p's content due: expired, or named by its document but missing? */
bool	stir_policy_content_due(const struct stir_policy *p, const json_t *doc_urls,
	    int64_t now);

#endif
