/*
 * proto.h: the stird wire codec, built into both stird and libstirclient.
 * Newline-delimited JSON; see doc/protocol.md.  Owns Jansson decoding of
 * envelopes; handlers unpack their own fields with stir_proto_unpack().
 */
#ifndef STIR_PROTO_H
#define STIR_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "stirclient.h"

/* Hard ceiling on any line, whatever the configuration says. */
#define STIR_LINE_MAX_CEILING	(16 * 1024 * 1024)
/* An "id" string may be at most this long. */
#define STIR_ID_MAX		64
/* An "op" name may be at most this long. */
#define STIR_OP_MAX		32

/*
 * Line buffer: a fixed-capacity buffer that yields complete lines.
 * The capacity is the line limit plus one for the newline, so a line is
 * refused while reading, before more than the limit is buffered.
 */
struct stir_linebuf;

/* New buffer for lines of at most max_line bytes (excluding '\n'). */
struct stir_linebuf *stir_linebuf_new(size_t max_line);
void	stir_linebuf_free(struct stir_linebuf *lb);
/* Where to read into, and how much room there is (never 0 unless full). */
void	stir_linebuf_space(struct stir_linebuf *lb, char **ret_p, size_t *ret_room);
/* n bytes were written at the place stir_linebuf_space() gave. */
void	stir_linebuf_commit(struct stir_linebuf *lb, size_t n);
/*
 * Next complete line (without its newline; a trailing CR is kept, and
 * stir_request_decode() refuses it).  Returns 1 and sets ret_line and ret_len
 * (borrowed until the next call), 0 if more bytes are needed, or
 * STIR_ETOOBIG if the buffered partial line exceeds the limit.
 */
int	stir_linebuf_next(struct stir_linebuf *lb, const char **ret_line,
	    size_t *ret_len);
/* Bytes buffered but not yet returned as lines. */
size_t	stir_linebuf_pending(const struct stir_linebuf *lb);
/* Wipe the consumed part of the buffer (after a line carried secrets). */
void	stir_linebuf_wipe_consumed(struct stir_linebuf *lb);

/* A decoded request envelope. */
struct stir_request {
	json_t	*root;		/* whole object; owns everything below */
	json_t	*id;		/* own reference: integer or string */
	int	 v;		/* protocol version; -1 if missing or not an integer */
	const char *op;		/* borrowed from root; NULL once stripped */
	json_t	*params;	/* root without v/id/op; borrowed from root */
};

/*
 * Decode one line into *ret_req (free with stir_request_free()).
 * Errors: STIR_EPROTO (not a JSON object: *ret_req untouched),
 * STIR_EBADREQ (envelope fields missing or mistyped: *ret_req is set if
 * the id could be recovered, so the reply can echo it; msg says which).
 */
int	stir_request_decode(const char *line, size_t len,
	    struct stir_request **ret_req, char *msg, size_t msglen);
void	stir_request_free(struct stir_request *req);
/* Remove v, id and op from params so handlers see only their fields. */
void	stir_request_strip(struct stir_request *req);

/* JSON types a field may take (bit mask). */
enum stir_jtype {
	STIR_JT_STRING	= 1 << 0,
	STIR_JT_INT	= 1 << 1,
	STIR_JT_BOOL	= 1 << 2,
	STIR_JT_ARRAY	= 1 << 3,
	STIR_JT_OBJECT	= 1 << 4,
};

/* One field an op accepts. */
struct stir_field {
	const char	*name;
	unsigned	 types;		/* enum stir_jtype bits */
	bool		 required;
	size_t		 max_len;	/* strings: bytes; arrays: entries; 0: any */
};

/*
 * Validate params against a NULL-terminated field table: every member
 * known, of an allowed type and within max_len; every required field
 * present.  STIR_EBADREQ (or STIR_ETOOBIG) naming the field in msg.
 */
int	stir_proto_check(json_t *params, const struct stir_field *fields,
	    char *msg, size_t msglen);
/* Borrowed string value of params[name], or NULL if absent. */
const char *stir_param_str(json_t *params, const char *name);

/*
 * Strict unpack of a request's params with a Jansson format (JSON_STRICT:
 * every member must be consumed, so unknown fields are refused).  On
 * failure writes "field 'x': ..." into msg and returns STIR_EBADREQ.
 */
int	stir_proto_unpack(json_t *params, char *msg, size_t msglen,
	    const char *fmt, ...);

/*
 * Encode a reply line (with trailing '\n').  id may be NULL (sent as
 * null).  Exactly one of result/error is used.  The returned string is
 * freed with free().  result is borrowed.
 */
char	*stir_reply_result(const json_t *id, json_t *result, size_t *ret_len);
char	*stir_reply_error(const json_t *id, int code, const char *message,
	    size_t *ret_len);

/* Encode a request line for the client side (borrowed params). */
char	*stir_request_encode(const json_t *id, const char *op, json_t *params,
	    size_t *ret_len);

/*
 * Decode a reply line.  On success, *ret_root owns the object, and
 * either *ret_result (borrowed) is set and 0 returned, or the error code
 * from the reply is returned with *ret_errmsg (borrowed) set.
 * STIR_EPROTO for a malformed reply.
 */
int	stir_reply_decode(const char *line, size_t len, json_t **ret_root,
	    json_t **ret_id, json_t **ret_result, const char **ret_errmsg);

/*
 * Serialize v (Jansson flags) into malloc'd memory with room for extra
 * more bytes after the text and its NUL; free with free().  *ret_len is
 * the text's length.  NULL on failure.
 */
char	*stir_json_dump(const json_t *v, size_t flags, size_t extra, size_t *ret_len);

/* Map a wire error name back to its code (0 if unknown). */
int	stir_errcode_from_name(const char *name);

#endif /* STIR_PROTO_H */
