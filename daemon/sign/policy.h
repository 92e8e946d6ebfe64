/*
 * policy.h: RCD policies, the signing side of Rich Call Data.  A policy is
 * a JSON document (doc/protocol.md "RCD policies", examples in policies/)
 * that binds calling numbers and/or a credential to vetted RCD: the name,
 * number, icon and jCard a call may carry, the call reasons allowed, how
 * the RCD is attached, and whether callers may choose among alternatives.
 *
 * Parsing and matching are pure; the content a policy references (icons,
 * jCards and the URLs inside them) is fetched by op_policy.c and kept in
 * the policy's content object, keyed by URL:
 *   { "<url>": { "kind": "icon"|"jcard"|"other", "type": "image/png",
 *                "size": N, "digest": "sha256-...", "fetched": T,
 *                "expires": T, "changed": T,
 *                "urls": [ { "ptr": "/1/3/3", "url": "<url>", "kind": "icon" } ] } }
 * where "urls" (jCards only) lists the URL values inside it.
 */
#ifndef STIR_POLICY_H
#define STIR_POLICY_H

#include "opschema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "daemon/stir/tnspec.h"
#include "daemon/stir/rcd.h"

#define STIR_POLICY_NAME_MAX	STIR_P_NAME_MAX	/* a credential's name, which a policy may name (creds.h takes it from here) */
#define STIR_CRED_NAME_MAX	STIR_P_NAME_MAX	/* opschema.h */
#define STIR_POLICY_DOC_MAX	(64 * 1024)	/* bytes of one document */
#define STIR_POLICY_TNS_MAX	256	/* TN specs in match.tns */
#define STIR_POLICY_ALTS_MAX	16	/* alternatives per member */
#define STIR_POLICY_REASONS_MAX	32
#define STIR_POLICY_CRN_MAX	STIR_P_CRN_MAX	/* bytes of one call reason */
#define STIR_POLICY_TEXT_MAX	512	/* bytes of description */
#define STIR_POLICY_URLS_MAX	16	/* URLs a policy references in all */
#define STIR_JCARD_URLS_MAX	STIR_RCD_NESTED_MAX	/* URL values in one jCard */

enum stir_rcd_attach {
	STIR_ATTACH_EMBEDDED,	/* rcd, crn, rcdi in the shaken PASSporT */
	STIR_ATTACH_SEPARATE,	/* a second PASSporT with ppt "rcd" */
	_STIR_ATTACH_MAX
};

struct stir_policy {
	char			*name;
	char			*text;		/* the document as stored, or NULL */
	json_t			*doc;		/* the validated document */
	struct stir_tnspec	*specs;		/* match.tns */
	size_t			 nspecs;
	const char		*cred;		/* match.cred, or NULL (in doc) */
	json_t			*rcd;		/* doc.rcd (borrowed from doc) */
	json_t			*alternatives;	/* doc.alternatives or NULL */
	json_t			*reasons;	/* doc.reasons or NULL */
	json_t			*rcdi_values;	/* doc.rcdi_values or NULL: "/nam"... */
	enum stir_rcd_attach	 attach;
	bool			 caller_values;
	json_t			*content;	/* see above; owned */
	int64_t			 created, updated;
};

struct stir_policies {
	struct stir_policy	*v;
	size_t			 n;
};

/*
 * Parse and strictly validate a policy document (len bytes of JSON).
 * STIR_EINVAL (or STIR_ETOOBIG) with the reason, naming the member, in
 * msg.  *ret has an empty content object; free with stir_policy_free().
 */
int	stir_policy_parse(const char *text, size_t len, struct stir_policy **ret,
	    char *msg, size_t msglen);
void	stir_policy_free(struct stir_policy *p);

/*
 * The URLs the document itself references (rcd and alternatives: icn,
 * jcl, and URL values inside an inline jcd), each with its kind ("icon",
 * "jcard" or "other"): an object url -> kind.  New reference.
 */
json_t	*stir_policy_urls(const struct stir_policy *p);

/*
 * The URL values of a jCard (RFC 7095) that RCD integrity covers, as the
 * verifier finds them: a thin wrapper over the one rule for a usable jCard
 * (stir_rcd_jcard_check(), listing by stir_rcd_jcard_refs()), for an
 * inline jcd and a judged jCard's entry: an array of {"ptr":
 * "/1/<i>/<k>", "url", "kind": "icon" for photo and logo, else "other"}.
 * STIR_ETOOBIG beyond STIR_JCARD_URLS_MAX; STIR_EINVAL if jcard is not a
 * jCard or a URL value is not a usable https URL.  allow_http is unused.
 */
int	stir_jcard_urls(const json_t *jcard, bool allow_http, json_t **ret);

/*
 * Judge fetched content for a policy: kind "icon" must be PNG, JPEG or
 * SVG of at most icon_max bytes, "jcard" a jCard of at most jcard_max
 * bytes, "other" at most jcard_max bytes.  On success *ret is the content
 * entry (see above) with its sha256 rcdi digest.  STIR_EPOLICY with the
 * reason in msg otherwise.  Size, an icon's type and a jCard (the one
 * rule, stir_rcd_jcard_check()) are judged by stir_rcd_judge()
 * (pki/rcd_fetch.h), the verifier's rule too; the words are the signer's.
 */
int	stir_policy_content_entry(const char *kind, const uint8_t *body, size_t len,
	    unsigned icon_max, unsigned jcard_max, bool allow_http, int64_t now,
	    int64_t expires, json_t **ret, char *msg, size_t msglen);
/* The byte limit of content of kind, as stir_policy_content_entry() judges it. */
size_t	stir_policy_content_max(const char *kind, unsigned icon_max, unsigned jcard_max);


/*
 * The claims a call carries under policy p: an object with "rcd" (when
 * want_rcd), "crn" (when crn is not NULL) and "rcdi" (when rcd references
 * URLs).  req_rcd is NULL or an object of values the caller asks for
 * (nam, apn, icn, jcl): each must be the policy's own value or, when the
 * policy lets callers choose, one of its alternatives.  STIR_EPOLICY with
 * the reason in msg when the policy does not permit a value;
 * STIR_EINVAL when a value is malformed; STIR_ENOENT when content the
 * RCD references has not been fetched.
 */
int	stir_policy_claims(const struct stir_policy *p, bool want_rcd,
	    const json_t *req_rcd, const char *crn, json_t **ret, char *msg,
	    size_t msglen);

/* Load every stored policy; rows that no longer parse are skipped, loudly. */
struct stir_store;
int	stir_policies_load(struct stir_store *st, struct stir_policies **ret);
void	stir_policies_free(struct stir_policies *ps);
const struct stir_policy *stir_policies_find(const struct stir_policies *ps,
	    const char *name);

/*
 * The policy for a call from tn (digits, or NULL when orig is not a
 * number) signed with credential cred (or NULL: not chosen yet): among
 * those whose match.tns cover tn (or that have none) and whose match.cred
 * is cred (or that have none; a policy bound to a credential and numbers
 * also matches cred NULL, one bound to a credential alone does not), the
 * most specific: an exact number beats a range, a range a
 * prefix, a longer prefix a shorter one, numbers beat a credential alone,
 * and a credential binding breaks ties.  NULL if none.
 */
const struct stir_policy *stir_policies_match(const struct stir_policies *ps,
	    const char *tn, const char *cred);

#endif
