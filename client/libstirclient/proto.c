/* proto.c: line framing and JSON envelopes, shared by stird and clients. */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"

/* A line buffer starts small and grows (doubling) up to the limit, so an
 * idle connection costs little whatever max_request_bytes says. */
#define LINEBUF_INITIAL	4096

struct stir_linebuf {
	char	*buf;
	size_t	 alloc;		/* bytes allocated */
	size_t	 cap;		/* max_line + 1: alloc never exceeds it */
	size_t	 start;		/* first unconsumed byte */
	size_t	 end;		/* one past the last buffered byte */
	size_t	 scanned;	/* bytes from start known to hold no '\n' */
	size_t	 hwm;		/* bytes ever written since the last wipe */
	size_t	 wiped;		/* [0, wiped) holds only zeros or live bytes moved down */
};

struct stir_linebuf *
stir_linebuf_new(size_t max_line)
{
	struct stir_linebuf *lb;

	if (max_line == 0 || max_line > STIR_LINE_MAX_CEILING)
		return NULL;
	if ((lb = calloc(1, sizeof(*lb))) == NULL)
		return NULL;
	lb->cap = max_line + 1;
	lb->alloc = lb->cap < LINEBUF_INITIAL ? lb->cap : LINEBUF_INITIAL;
	if ((lb->buf = malloc(lb->alloc)) == NULL) {
		free(lb);
		return NULL;
	}
	return lb;
}

void
stir_linebuf_free(struct stir_linebuf *lb)
{
	if (lb == NULL)
		return;
	sodium_memzero(lb->buf, lb->hwm);
	free(lb->buf);
	free(lb);
}

static void
linebuf_compact(struct stir_linebuf *lb)
{
	if (lb->start == 0)
		return;
	memmove(lb->buf, lb->buf + lb->start, lb->end - lb->start);
	lb->end -= lb->start;
	lb->start = 0;
	lb->wiped = 0;
}

void
stir_linebuf_space(struct stir_linebuf *lb, char **ret_p, size_t *ret_room)
{
	if (lb->end == lb->alloc && lb->start > 0)
		linebuf_compact(lb);
	if (lb->end == lb->alloc && lb->alloc < lb->cap) {
		size_t n = lb->alloc * 2 < lb->cap ? lb->alloc * 2 : lb->cap;
		char *t = malloc(n);

		/* not realloc: the old copy is wiped before it is freed */
		if (t != NULL) {
			memcpy(t, lb->buf, lb->end);
			sodium_memzero(lb->buf, lb->hwm);
			free(lb->buf);
			lb->buf = t;
			lb->alloc = n;
			lb->hwm = lb->end;
		}
	}
	*ret_p = lb->buf + lb->end;
	*ret_room = lb->alloc - lb->end;
}

void
stir_linebuf_commit(struct stir_linebuf *lb, size_t n)
{
	if (n > lb->alloc - lb->end)
		n = lb->alloc - lb->end;
	lb->end += n;
	if (lb->end > lb->hwm)
		lb->hwm = lb->end;
}

int
stir_linebuf_next(struct stir_linebuf *lb, const char **ret_line,
    size_t *ret_len)
{
	char *nl;
	size_t len;

	nl = memchr(lb->buf + lb->start + lb->scanned, '\n',
	    lb->end - lb->start - lb->scanned);
	if (nl == NULL) {
		lb->scanned = lb->end - lb->start;
		/* the limit applies to the line without its newline */
		if (lb->scanned > lb->cap - 1)
			return STIR_ETOOBIG;
		return 0;
	}
	len = (size_t)(nl - (lb->buf + lb->start));
	*ret_line = lb->buf + lb->start;
	*ret_len = len;
	lb->start += len + 1;
	lb->scanned = 0;
	if (lb->start == lb->end)
		lb->start = lb->end = 0;	/* cheap reset; line stays valid */
	return 1;
}

size_t
stir_linebuf_pending(const struct stir_linebuf *lb)
{
	return lb->end - lb->start;
}

void
stir_linebuf_wipe_consumed(struct stir_linebuf *lb)
{
	if (lb->start == 0 && lb->end == 0) {
		sodium_memzero(lb->buf, lb->hwm);	/* only what was used */
		lb->hwm = 0;
		lb->wiped = 0;
	} else if (lb->start > lb->wiped) {
		/* each consumed byte is wiped once */
		sodium_memzero(lb->buf + lb->wiped, lb->start - lb->wiped);
		lb->wiped = lb->start;
	}
}

void
stir_request_free(struct stir_request *req)
{
	if (req == NULL)
		return;
	json_decref(req->id);
	json_decref(req->root);
	free(req);
}

static bool
id_is_valid(const json_t *id)
{
	if (json_is_integer(id))
		return true;
	if (json_is_string(id))
		return json_string_length(id) <= STIR_ID_MAX;
	return false;
}

int
stir_request_decode(const char *line, size_t len,
    struct stir_request **ret_req, char *msg, size_t msglen)
{
	struct stir_request *req = NULL;
	json_error_t jerr;
	json_t *root, *v, *id, *op;
	int r = STIR_EBADREQ;

	if (len > 0 && line[len - 1] == '\r') {
		/* Jansson would take it as blank space; the framing is '\n' */
		snprintf(msg, msglen, "line ends in a carriage return; end lines with a newline only");
		return STIR_EPROTO;
	}
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		/* Jansson's text may quote the input ("near '...'"), which can
		 * be a secret (key.import): keep only what went wrong */
		char *near = strstr(jerr.text, " near '");

		if (near != NULL)
			*near = '\0';
		snprintf(msg, msglen, "invalid JSON at column %d: %s",
		    jerr.column, jerr.text);
		sodium_memzero(&jerr, sizeof(jerr));	/* and the quote with it */
		return STIR_EPROTO;
	}
	if (!json_is_object(root)) {
		snprintf(msg, msglen, "request is not a JSON object");
		json_decref(root);
		return STIR_EPROTO;
	}
	if ((req = calloc(1, sizeof(*req))) == NULL) {
		json_decref(root);
		return STIR_ENOMEM;
	}
	req->root = root;
	req->params = root;
	id = json_object_get(root, "id");
	if (id == NULL) {
		snprintf(msg, msglen, "field 'id' is missing");
		goto out;
	}
	if (!id_is_valid(id)) {
		snprintf(msg, msglen, "field 'id' must be an integer or a string of at most %d bytes",
		    STIR_ID_MAX);
		goto out;
	}
	req->id = json_incref(id);
	op = json_object_get(root, "op");
	if (op == NULL) {
		snprintf(msg, msglen, "field 'op' is missing");
		goto out;
	}
	if (!json_is_string(op) || json_string_length(op) == 0 ||
	    json_string_length(op) > STIR_OP_MAX) {
		snprintf(msg, msglen, "field 'op' must be a non-empty string of at most %d bytes",
		    STIR_OP_MAX);
		goto out;
	}
	req->op = json_string_value(op);
	/* "v" is judged by the dispatcher: hello takes any, others need 1 */
	v = json_object_get(root, "v");
	req->v = -1;
	if (json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= INT_MAX)
		req->v = (int)json_integer_value(v);
	r = STIR_OK;
	goto out;
 out:
	if (r != STIR_OK && req->id == NULL) {
		stir_request_free(req);
		return r;
	}
	*ret_req = req;
	return r;
}

void
stir_request_strip(struct stir_request *req)
{
	req->op = NULL;		/* it lived in root */
	(void)json_object_del(req->root, "v");
	(void)json_object_del(req->root, "op");
	(void)json_object_del(req->root, "id");
}

static const char *
jtype_names(unsigned types, char *buf, size_t len)
{
	static const char *names[] = { "a string", "an integer", "a boolean",
	    "an array", "an object" };
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < 5; i++) {
		if (!(types & (1u << i)))
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? " or " : "", names[i]);
		if (o >= len)
			break;
	}
	return buf;
}

static unsigned
jtype_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:	return STIR_JT_STRING;
	case JSON_INTEGER:	return STIR_JT_INT;
	case JSON_TRUE:
	case JSON_FALSE:	return STIR_JT_BOOL;
	case JSON_ARRAY:	return STIR_JT_ARRAY;
	case JSON_OBJECT:	return STIR_JT_OBJECT;
	default:		return 0;
	}
}

int
stir_proto_check(json_t *params, const struct stir_field *fields, char *msg,
    size_t msglen)
{
	const char *key;
	json_t *v;
	char tn[96];

	json_object_foreach(params, key, v) {
		const struct stir_field *f;

		for (f = fields; f->name != NULL; f++)
			if (strcmp(f->name, key) == 0)
				break;
		if (f->name == NULL) {
			char q[48];
			size_t i, n = strlen(key);

			for (i = 0; i < n && i < sizeof(q) - 4; i++)
				q[i] = (key[i] >= 0x20 && key[i] < 0x7f) ? key[i] : '?';
			if (i < n)
				memcpy(q + i, "...", 3), i += 3;
			q[i] = '\0';
			snprintf(msg, msglen, "unknown field '%s'", q);
			return STIR_EBADREQ;
		}
		if (!(jtype_of(v) & f->types)) {
			snprintf(msg, msglen, "field '%s' must be %s", f->name,
			    jtype_names(f->types, tn, sizeof(tn)));
			return STIR_EBADREQ;
		}
		if (f->max_len != 0 &&
		    ((json_is_string(v) && json_string_length(v) > f->max_len) ||
		    (json_is_array(v) && json_array_size(v) > f->max_len))) {
			snprintf(msg, msglen, "field '%s' is longer than %zu %s", f->name,
			    f->max_len, json_is_string(v) ? "bytes" : "entries");
			return STIR_ETOOBIG;
		}
		if (json_is_string(v) && memchr(json_string_value(v), '\0',
		    json_string_length(v)) != NULL) {
			snprintf(msg, msglen, "field '%s' contains a NUL character", f->name);
			return STIR_EBADREQ;
		}
	}
	for (const struct stir_field *f = fields; f->name != NULL; f++)
		if (f->required && json_object_get(params, f->name) == NULL) {
			snprintf(msg, msglen, "field '%s' is missing", f->name);
			return STIR_EBADREQ;
		}
	return STIR_OK;
}

const char *
stir_param_str(json_t *params, const char *name)
{
	return json_string_value(json_object_get(params, name));
}

int
stir_proto_unpack(json_t *params, char *msg, size_t msglen, const char *fmt,
    ...)
{
	json_error_t jerr;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = json_vunpack_ex(params, &jerr, JSON_STRICT, fmt, ap);
	va_end(ap);
	if (rc == 0)
		return STIR_OK;
	/*
	 * Jansson's messages name the key ("Object item not found: orig",
	 * "Expected string, got integer", "1 object item(s) left unpacked:
	 * foo"); jerr.source is "<validation>"/"<args>" and jerr.position
	 * is not a field name, so the text is passed on as it is.
	 */
	snprintf(msg, msglen, "%s", jerr.text);
	return STIR_EBADREQ;
}

char *
stir_json_dump(const json_t *v, size_t flags, size_t extra, size_t *ret_len)
{
	char small[2048], *s;
	size_t n;

	/* json_dumpb into memory of our own: what json_dumps returns belongs
	 * to Jansson's allocator (which stird replaces with a wiping one) */
	n = json_dumpb(v, small, sizeof(small), flags);
	if (n == 0)
		return NULL;
	if ((s = malloc(n + extra + 1)) == NULL)
		return NULL;
	if (n <= sizeof(small))
		memcpy(s, small, n);
	else if (json_dumpb(v, s, n, flags) != n) {
		free(s);
		return NULL;
	}
	s[n] = '\0';
	if (ret_len != NULL)
		*ret_len = n;
	return s;
}

static char *
dump_line(json_t *root, size_t *ret_len)
{
	size_t n;
	char *s;

	if ((s = stir_json_dump(root, JSON_COMPACT, 1, &n)) == NULL)
		return NULL;
	s[n] = '\n';
	s[n + 1] = '\0';
	if (ret_len != NULL)
		*ret_len = n + 1;
	return s;
}

char *
stir_reply_result(const json_t *id, json_t *result, size_t *ret_len)
{
	json_t *root;
	char *s;

	root = json_pack("{s:i, s:O?, s:O}", "v", STIR_PROTO_VERSION,
	    "id", (json_t *)id, "result", result);
	if (root == NULL)
		return NULL;
	s = dump_line(root, ret_len);
	json_decref(root);
	return s;
}

char *
stir_reply_error(const json_t *id, int code, const char *message,
    size_t *ret_len)
{
	char clean[512];
	json_t *root, *msg = NULL;
	char *s;

	/* messages may quote outside bytes (a JSON parser's "near '...'"):
	 * invalid UTF-8 becomes printable ASCII, so a reply always goes out */
	if (message != NULL && (msg = json_string(message)) == NULL) {
		size_t i;

		for (i = 0; message[i] != '\0' && i < sizeof(clean) - 1; i++)
			clean[i] = (message[i] >= 0x20 && message[i] < 0x7f) ? message[i] : '?';
		clean[i] = '\0';
		message = clean;
	}
	json_decref(msg);
	root = json_pack("{s:i, s:O?, s:{s:i, s:s, s:s}}", "v",
	    STIR_PROTO_VERSION, "id", (json_t *)id, "error", "code", code,
	    "name", stir_errname(code), "message",
	    message != NULL ? message : stir_strerror(code));
	if (root == NULL)
		return NULL;
	s = dump_line(root, ret_len);
	json_decref(root);
	return s;
}

char *
stir_request_encode(const json_t *id, const char *op, json_t *params,
    size_t *ret_len)
{
	json_t *root;
	char *s;

	/* a shallow copy: the envelope members are added to it, params'
	 * values are only read (dumped) */
	if (params != NULL)
		root = json_copy(params);
	else
		root = json_object();
	if (root == NULL || !json_is_object(root)) {
		json_decref(root);
		return NULL;
	}
	if (json_object_set_new(root, "v", json_integer(STIR_PROTO_VERSION)) ||
	    json_object_set(root, "id", (json_t *)id) ||
	    json_object_set_new(root, "op", json_string(op))) {
		json_decref(root);
		return NULL;
	}
	s = dump_line(root, ret_len);
	json_decref(root);
	return s;
}

int
stir_reply_decode(const char *line, size_t len, json_t **ret_root,
    json_t **ret_id, json_t **ret_result, const char **ret_errmsg)
{
	json_t *root, *err, *code, *res, *msg, *name;
	int c;

	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	if (root == NULL || !json_is_object(root)) {
		json_decref(root);
		return STIR_EPROTO;
	}
	res = json_object_get(root, "result");
	err = json_object_get(root, "error");
	if ((res == NULL) == (err == NULL)) {
		json_decref(root);
		return STIR_EPROTO;
	}
	*ret_root = root;
	*ret_id = json_object_get(root, "id");
	if (res != NULL) {
		*ret_result = res;
		return STIR_OK;
	}
	code = json_object_get(err, "code");
	msg = json_object_get(err, "message");
	name = json_object_get(err, "name");
	c = json_is_integer(code) ? (int)json_integer_value(code) : 0;
	if (c >= 0)
		c = stir_errcode_from_name(json_string_value(name));
	if (c >= 0)
		c = STIR_EPROTO;
	*ret_errmsg = json_is_string(msg) ? json_string_value(msg) : stir_strerror(c);
	return c;
}
