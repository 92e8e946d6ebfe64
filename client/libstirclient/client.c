/* client.c: the blocking client of libstirclient. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "opschema.h"
#include "proto.h"
#include "stirclient.h"

/* Replies can be large (lists); the daemon's request limit does not apply. */
#define CLIENT_REPLY_MAX	(16 * 1024 * 1024)

struct stir_client {
	int			 fd;
	int			 timeout_ms;
	long long		 next_id;
	struct stir_linebuf	*in;
	char			 errmsg[512];
};

static void set_err(struct stir_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_err(struct stir_client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
	va_end(ap);
}

int
stir_client_connect(const char *path, int timeout_ms, struct stir_client **ret)
{
	struct stir_client *c;
	struct sockaddr_un sun;

	if (path == NULL || strlen(path) >= sizeof(sun.sun_path))
		return STIR_EINVAL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return STIR_ENOMEM;
	c->timeout_ms = timeout_ms;
	c->next_id = 1;
	if ((c->in = stir_linebuf_new(CLIENT_REPLY_MAX)) == NULL) {
		free(c);
		return STIR_ENOMEM;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int e = errno;

		stir_client_free(c);
		if (e == ENOENT || e == ECONNREFUSED)
			return STIR_ECONNREFUSED;
		if (e == EACCES || e == EPERM)
			return STIR_EPERM;
		return STIR_EIO;
	}
	*ret = c;
	return STIR_OK;
}

void
stir_client_free(struct stir_client *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	stir_linebuf_free(c->in);
	free(c);
}

const char *
stir_client_errmsg(const struct stir_client *c)
{
	return c->errmsg;
}

static long long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
wait_fd(struct stir_client *c, short events, long long deadline)
{
	struct pollfd pfd = { c->fd, events, 0 };
	int ms = -1, n;

	if (deadline > 0) {
		long long left = deadline - now_ms();

		ms = left > 0 ? (int)left : 0;
	}
	do
		n = poll(&pfd, 1, ms);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return STIR_ETIMEDOUT;
	if (n < 0)
		return STIR_EIO;
	return STIR_OK;
}

static int
send_all(struct stir_client *c, const char *buf, size_t len, long long deadline)
{
	size_t off = 0;
	int r;

	while (off < len) {
		ssize_t n = send(c->fd, buf + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if ((r = wait_fd(c, POLLOUT, deadline)) != STIR_OK)
				return r;
			continue;
		}
		return STIR_EIO;
	}
	return STIR_OK;
}

static int
read_line(struct stir_client *c, const char **ret_line, size_t *ret_len,
    long long deadline)
{
	int r;

	for (;;) {
		char *p;
		size_t room;
		ssize_t n;

		if ((r = stir_linebuf_next(c->in, ret_line, ret_len)) != 0)
			return r > 0 ? STIR_OK : r;
		if ((r = wait_fd(c, POLLIN, deadline)) != STIR_OK)
			return r;
		stir_linebuf_space(c->in, &p, &room);
		n = recv(c->fd, p, room, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return STIR_EIO;
		stir_linebuf_commit(c->in, (size_t)n);
	}
}

static int
call_json(struct stir_client *c, const char *op, json_t *params, json_t **ret_root,
    json_t **ret_result)
{
	json_t *id = json_integer(c->next_id++), *root = NULL, *rid, *res = NULL;
	long long deadline = c->timeout_ms > 0 ? now_ms() + c->timeout_ms : 0;
	const char *line, *msg = NULL;
	char *req = NULL, why[STIR_OP_CHECK_MSG_MAX];
	size_t len;
	int r;

	c->errmsg[0] = '\0';
	/* what stird would refuse is refused here, in its words (opschema.c) */
	if ((r = stir_op_request_check(op, params, why, sizeof(why))) != STIR_OK) {
		set_err(c, "%s", why);
		goto out;
	}
	if (id == NULL || (req = stir_request_encode(id, op, params, &len)) == NULL) {
		r = STIR_ENOMEM;
		goto out;
	}
	if ((r = send_all(c, req, len, deadline)) != STIR_OK) {
		set_err(c, "cannot send to stird: %s", stir_strerror(r));
		goto out;
	}
	/* replies to other ids (none in this blocking API) are skipped */
	for (;;) {
		if ((r = read_line(c, &line, &len, deadline)) != STIR_OK) {
			set_err(c, "no reply from stird: %s", r == STIR_EIO ?
			    "connection closed" : stir_strerror(r));
			goto out;
		}
		r = stir_reply_decode(line, len, &root, &rid, &res, &msg);
		if (r == STIR_EPROTO) {
			set_err(c, "%s", "malformed reply from stird");
			goto out;
		}
		if (rid == NULL || json_is_null(rid) || json_equal(rid, id))
			break;
		json_decref(root);
		root = NULL;
	}
	if (r != STIR_OK) {
		set_err(c, "%s", msg);
		goto out;
	}
	*ret_root = root;
	*ret_result = res;
	root = NULL;
 out:
	json_decref(root);
	json_decref(id);
	if (req != NULL) {
		explicit_bzero(req, strlen(req));	/* may carry a key (key.import) */
		free(req);
	}
	return r;
}

int
stir_client_call(struct stir_client *c, const char *op, const char *params_json,
    char **ret_result_json)
{
	json_t *params = NULL, *root = NULL, *res = NULL;
	int r;

	if (params_json != NULL) {
		json_error_t e;

		params = json_loads(params_json, JSON_REJECT_DUPLICATES, &e);
		if (params == NULL || !json_is_object(params)) {
			json_decref(params);
			snprintf(c->errmsg, sizeof(c->errmsg), "params are not a JSON object: %s",
			    e.text);
			return STIR_EINVAL;
		}
	}
	r = call_json(c, op, params, &root, &res);
	if (r == STIR_OK && ret_result_json != NULL &&
	    (*ret_result_json = json_dumps(res, JSON_COMPACT)) == NULL)
		r = STIR_ENOMEM;
	json_decref(root);
	json_decref(params);
	return r;
}

int
stir_client_hello(struct stir_client *c, char **ret_result_json)
{
	return stir_client_call(c, "hello", NULL, ret_result_json);
}

int
stir_client_ping(struct stir_client *c)
{
	return stir_client_call(c, "ping", NULL, NULL);
}

int
stir_client_sign(struct stir_client *c, const struct stir_sign_req *req,
    char **ret_identity, char **ret_result_json)
{
	json_t *p, *dest, *root = NULL, *res = NULL;
	const char *ident;
	int r = STIR_ENOMEM;

	if (req == NULL || req->orig == NULL || req->attest == NULL ||
	    req->dest == NULL || req->ndest == 0)
		return STIR_EINVAL;
	if ((p = json_pack("{s:s, s:s}", "orig", req->orig, "attest", req->attest)) == NULL)
		return STIR_ENOMEM;
	if ((dest = json_array()) == NULL)
		goto out;
	for (size_t i = 0; i < req->ndest; i++)
		(void)json_array_append_new(dest, json_string(req->dest[i]));
	(void)json_object_set_new(p, "dest", dest);
	if (req->origid != NULL)
		(void)json_object_set_new(p, "origid", json_string(req->origid));
	if (req->iat != 0)
		(void)json_object_set_new(p, "iat", json_integer(req->iat));
	if (req->cred != NULL)
		(void)json_object_set_new(p, "cred", json_string(req->cred));
	if ((r = call_json(c, "sign", p, &root, &res)) != STIR_OK)
		goto out;
	if ((ident = json_string_value(json_object_get(res, "identity"))) == NULL) {
		r = STIR_EPROTO;
		goto out;
	}
	r = STIR_ENOMEM;
	if (ret_identity != NULL && (*ret_identity = strdup(ident)) == NULL)
		goto out;
	if (ret_result_json != NULL &&
	    (*ret_result_json = json_dumps(res, JSON_COMPACT)) == NULL) {
		if (ret_identity != NULL) {
			free(*ret_identity);
			*ret_identity = NULL;
		}
		goto out;
	}
	r = STIR_OK;
 out:
	json_decref(root);
	json_decref(p);
	return r;
}

int
stir_client_verify(struct stir_client *c, const struct stir_verify_req *req,
    char **ret_result_json)
{
	json_t *p, *ids, *root = NULL, *res = NULL;
	int r = STIR_ENOMEM;

	if (req == NULL || req->from == NULL || req->to == NULL ||
	    (req->nidentity > 0 && req->identity == NULL))
		return STIR_EINVAL;
	if ((p = json_pack("{s:s, s:s}", "from", req->from, "to", req->to)) == NULL)
		return STIR_ENOMEM;
	if ((ids = json_array()) == NULL)
		goto out;
	for (size_t i = 0; i < req->nidentity; i++)
		(void)json_array_append_new(ids, json_string(req->identity[i]));
	(void)json_object_set_new(p, "identity", ids);
	if (req->pai != NULL)
		(void)json_object_set_new(p, "pai", json_string(req->pai));
	if (req->date != NULL)
		(void)json_object_set_new(p, "date", json_string(req->date));
	if (req->at != 0)
		(void)json_object_set_new(p, "at", json_integer(req->at));
	if ((r = call_json(c, "verify", p, &root, &res)) != STIR_OK)
		goto out;
	if (ret_result_json != NULL &&
	    (*ret_result_json = json_dumps(res, JSON_COMPACT)) == NULL)
		r = STIR_ENOMEM;
 out:
	json_decref(root);
	json_decref(p);
	return r;
}
