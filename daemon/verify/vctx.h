/*
 * vctx.h: the state of one verify request, shared by the files of the
 * verify engine: vreq.c (certificates, signatures, verdict), verify_rcd.c
 * (Rich Call Data content) and verify_div.c (diversion chains and
 * connected identity); ops/op_verify.c decodes a request into it.  Loop
 * thread, except where the pool reads it between stir_req_queue_hot()
 * and the done callback.
 */
#ifndef STIR_VCTX_H
#define STIR_VCTX_H

#include "opschema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <jansson.h>

#include "daemon/stir/callinfo.h"
#include "daemon/pki/cert.h"
#include "daemon/pki/certcache.h"
#include "daemon/verify/diversion.h"
#include "daemon/stir/identity.h"
#include "daemon/stir/rcd.h"
#include "daemon/base/conf.h"
#include "daemon/core/server.h"
#include "daemon/verify/verify.h"
#include "daemon/pki/vmemo.h"

#define STIR_MAX_IDENTITY	STIR_P_IDENTITIES_MAX	/* Identity values in one request */
#define STIR_DATE_MAX	STIR_P_DATE_MAX	/* opschema.h */
#define STIR_AT_MAX		((int64_t)1 << 40)	/* keeps time arithmetic exact */
#define STIR_MAX_NESTED		64		/* originals nested in div-o, in all */
#define STIR_HEADER_MAX	STIR_P_HEADER_MAX	/* a History-Info or Diversion value */

struct vctx;

/* A CRL a chain names, fetched through the cache like the chain. */
struct vcrl {
	struct vctx		*x;
	size_t			 item;
	char			*url;
	uint8_t			*body;
	size_t			 len;
	int			 err;
	int64_t			 expires;
};

struct vitem;

/*
 * A TNAuthList a chain's certificate carries by reference (RFC 8226
 * 10.1), fetched through the cache like the chain before its path is
 * checked; the path check takes it as if it were in the certificate.
 */
struct vtnl {
	struct vctx		*x;
	struct vitem		*it;
	unsigned		 cert;		/* index in the chain, 0 the end entity */
	char			*url;
	struct stir_tnauth	*ta;		/* decoded, once fetched */
	int64_t			 expires;	/* of the cache entry */
};

/* A fetched chain's path check on the pool, before its CRLs are fetched. */
struct vpath {
	uv_work_t		 work;
	struct vctx		*x;
	struct vitem		*it;
	struct stir_vcert	*cert;		/* the pool's result, taken on the loop */
};

/* What URL content of RCD is, which decides its checks and size limit. */
enum vref_kind {
	VREF_ICON,		/* icn: rcd_icon_max_bytes, PNG/JPEG/SVG */
	VREF_JCARD,		/* jcl: rcd_jcard_max_bytes, a jCard */
	VREF_IMAGE,		/* a jCard's photo or logo: as an icon */
	VREF_OTHER,		/* any other jCard URL: never fetched (RFC 9795 8.2) */
	_VREF_KIND_MAX
};

/* How it was judged (formatted by ref_why()). */
enum vref_state {
	VREF_FETCHING,		/* no answer (the request could not start) */
	VREF_OK,
	VREF_NO_DIGEST,		/* not fetched: rcd_require_rcdi and no digest */
	VREF_NOT_FETCHED,	/* not presented, so not fetched (VREF_OTHER) */
	VREF_FETCH_FAILED,
	VREF_TOO_BIG,
	VREF_BAD_TYPE,
	VREF_MISMATCH,
	VREF_BAD_DIGEST,
	_VREF_STATE_MAX
};

/* URL content an rcd claim references, fetched like x5u. */
struct vref {
	struct vctx		*x;
	struct vitem		*it;
	const char		*ptr, *url, *digest;	/* borrowed */
	enum vref_kind		 kind;
	enum vref_state		 state;
	int			 err;		/* the fetch's */
	const char		*type;		/* sniffed media type, or NULL */
};

struct vitem {
	struct stir_identity	*id;
	struct stir_vresult	 res;
	bool			 checking;	/* passed the claim checks: needs a cert */
	struct stir_vcert	*cert;		/* validated (memo or pool) */
	char			*pem;		/* fetched chain, when not memoized */
	size_t			 pemlen;
	uint64_t		 serial;
	int64_t			 expires;
	bool			 replay;
	struct stir_chain	*chain;		/* parsed it->pem, from the path check on */
	struct vtnl		 tnls[STIR_CHAIN_MAX];	/* TN lists by reference */
	size_t			 ntnls;
	unsigned		 tnl_pending;	/* of them, not answered yet */
	struct vpath		 path;
	bool			 crl_pending;	/* path valid: check the fetched CRLs */
	struct vcrl		 crls[STIR_CRL_URLS_MAX];
	size_t			 ncrls;
	bool			 has_rcd;
	int			 rcd_err;	/* STIR_OK, or the claim is malformed */
	char			 rcd_msg[160];
	struct stir_rcd		 rcd;		/* borrowed from res.payload */
	struct vref		 refs[STIR_RCD_REFS_MAX];
	json_t			*jcard;		/* fetched from jcl, once judged */
	char			 jcl_why[160];	/* why the jcl jCard was refused, or "" */
	struct stir_rcd_nref	 nrefs[STIR_RCD_NESTED_MAX];	/* URLs in the jCard */
	struct vref		 nested[STIR_RCD_NESTED_MAX];
	size_t			 nnested;
	/* diversion (RFC 8946) */
	int			 nested_in;	/* the div-o whose opt this came from, or -1 */
	int			 opt_item;	/* div-o: the item of its opt, or -1 */
	struct stir_div_out	 hop;		/* how it links (verify_div.c) */
};

struct vctx {
	struct stir_req		*req;
	struct stir_vctx	 v;
	/* the request's state (borrowed): trust, RCD anchors, settings */
	const struct stir_state	*st;
	bool			 use_memo;	/* at is now: validations are shared */
	/* the display-names nam is compared with (RFC 9795 12.2) */
	bool			 has_from_name, has_pai_name;
	char			 from_name[STIR_IDENT_MAX + 1], pai_name[STIR_IDENT_MAX + 1];
	char			 call_reason[STIR_CI_REASON_MAX + 1];	/* x->v.call_reason */
	/* diversion, messages, responses: the request's fields and settings */
	bool			 has_ruri;
	struct stir_ident	 ruri;		/* Request-URI */
	struct stir_ident	 history[STIR_HISTORY_MAX];	/* History-Info, Diversion */
	size_t			 nhistory;
	bool			 has_history;
	uint8_t			*body;		/* a MESSAGE's body (x->v.body) */
	char			 expect_cert[65];	/* pinned end entity (RFC 9970), or "" */
	size_t			 n, cap;	/* items used, allocated */
	unsigned		 pending;	/* cache lookups outstanding */
	/* called when pending reaches 0: verify on the pool, then reply */
	void			(*lookups_done)(struct vctx *x);
	bool			 hot;		/* signatures being checked on the pool */
	bool			 deadline;	/* the verdict went out at deadline_ms */
	unsigned		 replay_pending;	/* questions to the fleet's Redis */
	struct vitem		 items[];
};

/* The fetch share a request's fetches count against (fetch.h). */
static inline uint64_t
stir_vreq_owner(const struct vctx *x)
{
	return (uint64_t)(uintptr_t)x->req;
}

/* Fail an item with a SIP code and detail; it is not checked further. */
static inline void
stir_vreq_fail(struct vitem *it, int code, const char *detail)
{
	size_t n = strnlen(detail, sizeof(it->res.detail) - 1);

	it->res.code = code;
	memcpy(it->res.detail, detail, n);
	it->res.detail[n] = '\0';
	it->checking = false;
}

#endif
