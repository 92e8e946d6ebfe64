/*
 * sipmsg.h: SIP messages for stird-sipd.  sipmsg.c is the only file that
 * calls libosip2 (its parser library, osipparser2): framing on stream
 * transports, parsing a request into plain strings (struct sip_fields),
 * and writing responses.  The transport, transactions and the loop are
 * ours (doc/sip-redirect.md).
 */
#ifndef STIRD_SIPMSG_H
#define STIRD_SIPMSG_H

#include <stdbool.h>
#include <stddef.h>

#define SIPMSG_MAX_IDENTITY	32	/* Identity values passed on (stird's limit) */
#define SIPMSG_MAX_LIST_BYTES	8192	/* History-Info or Diversion, joined */

/*
 * What stird-sipd needs of a request, as strings owned by the message
 * (NULL when absent).  from/to/pai are whole header field values
 * (name-addr with parameters); caller_* describe the URI of the calling
 * party (P-Asserted-Identity, else From).
 */
struct sip_fields {
	bool		 is_request;
	const char	*method;	/* request method, "INVITE" */
	const char	*request_uri;
	const char	*from;
	const char	*to;
	const char	*to_tag;
	const char	*call_id;
	const char	*cseq_num;
	const char	*cseq_method;
	const char	*branch;	/* top Via's branch parameter */
	const char	*pai;		/* first P-Asserted-Identity value */
	const char	*date;
	const char	*history_info;	/* all values, joined with ", " */
	const char	*diversion;	/* all values, joined with ", " */
	const char	*identity[SIPMSG_MAX_IDENTITY];
	size_t		 nidentity;
	size_t		 identity_dropped; /* values past SIPMSG_MAX_IDENTITY */
	const char	*caller_scheme;	/* "tel", "sip", "sips", ... */
	const char	*caller_user;	/* tel: number (with its parameters) or SIP user part */
	const char	*caller_uri;	/* the URI alone, as text */
	const char	*caller_display;	/* display name as written, or NULL */
};

struct sipmsg;

/* One header field to add to a response; both strings borrowed. */
struct sip_hdr {
	const char	*name;
	const char	*value;
};

/* Once, before any other call: the parser's tables, its trace off. */
void	sipmsg_global_init(void);

/*
 * Stream framing (RFC 3261 section 18.3): is there a whole message at the
 * start of buf?  Returns 1 and *ret_len (headers, blank line, and
 * Content-Length bytes of body), 0 when more bytes are needed, STIR_ETOOBIG
 * when the message would be longer than max bytes or has more than
 * max_headers header lines, STIR_EPROTO when its Content-Length is
 * malformed or given twice.  A missing Content-Length counts as 0.
 */
int	sipmsg_frame(const char *buf, size_t len, size_t max, unsigned max_headers,
	    size_t *ret_len);

/*
 * Parse one message, body included: a body that does not fit its
 * Content-Length or its multipart type makes the message malformed.
 * truncated: buf may end before the body does (a message refused for its
 * size); only the header block is parsed, which fails when a body was
 * announced with a Content-Type.  STIR_EPROTO if it is not SIP (*ret_why
 * says why, static text), STIR_ETOOBIG over max_headers header lines,
 * STIR_ENOMEM.  Free with sipmsg_free().
 */
int	sipmsg_parse(const char *buf, size_t len, unsigned max_headers, bool truncated,
	    struct sipmsg **ret_msg, const char **ret_why);
void	sipmsg_free(struct sipmsg *m);
/* The fields; borrowed, valid while m lives. */
const struct sip_fields *sipmsg_fields(const struct sipmsg *m);
/* The first value of header field name (any case), or NULL; borrowed. */
const char *sipmsg_header(const struct sipmsg *m, const char *name);

/*
 * Are the headers a response needs there (RFC 3261 section 8.1.1: Via,
 * From, To, Call-ID, CSeq, with the CSeq method equal to the request's)?
 * Returns true, or false with *ret_why naming what is wrong (static).
 */
bool	sipmsg_check(const struct sipmsg *m, const char **ret_why);

/*
 * A response to request m (RFC 3261 section 8.2.6): every Via in order,
 * From, To (with to_tag added when it has none and to_tag is not NULL),
 * Call-ID and CSeq copied; then the extra header fields in order, and
 * Content-Length: 0.  Headers m lacks are left out.  *ret_text (free())
 * holds *ret_len bytes.
 */
int	sipmsg_respond(const struct sipmsg *m, int code, const char *phrase,
	    const char *to_tag, const struct sip_hdr *hdrs, size_t nhdrs,
	    char **ret_text, size_t *ret_len);

/*
 * Parse a name-addr or addr-spec (say "<tel:+12155551212>") and add the
 * URI parameter name=value (the verstat of a caller that is no telephone
 * number); header parameters (a From tag) are dropped.  *ret_value: the
 * header field value (free()).
 */
int	sipmsg_uri_add_param(const char *nameaddr, const char *name, const char *value,
	    char **ret_value);

#endif
