/*
 * fetch.c: x5u and CRL fetches with libcurl's multi-socket interface on
 * the libuv loop.  The only file that includes <curl/curl.h>.
 *
 * libcurl tells us which sockets to watch (on_socket: one uv_poll_t per
 * socket, hung on the socket with curl_multi_assign()) and when to call
 * it back (on_timer: one uv_timer_t); both end in
 * curl_multi_socket_action(), after which finished transfers are
 * collected (check_done).  Handle memory is freed only in close
 * callbacks; the fetcher itself is freed when its last handle closed.
 * libcurl is never called from inside one of its own callbacks, and user
 * callbacks are never called from inside libcurl.
 *
 * One call is one transfer, for one caller: callers of one URL share a
 * transfer in the certificate cache (certcache.c), which knows the entry
 * and its kind; here nothing is joined.
 *
 * Scheduling: a transfer runs at once if its host has nothing waiting,
 * fewer than per_host running and the fetcher a free slot; otherwise it
 * waits in its host's queue (struct fetch_host, FIFO).  When a slot
 * frees, start_queued() serves the hosts in turn from f->rr.  A second
 * timer (qtimer) fails waiting transfers whose deadline passed.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "stirclient.h"
#include "daemon/pki/fetch.h"
#include "daemon/base/log.h"

#define FETCH_MAX_QUEUED	4096	/* transfers waiting for a slot, in all */
#define FETCH_HOST_MAX_QUEUED	256	/* waiting for one host:port */
#define FETCH_HOST_KEY_MAX	300	/* "host:port" bytes kept */
#define FETCH_HEADERS_MAX	16384	/* response header bytes, 1xx included */
#define FETCH_HDR_MAX		512	/* Cache-Control kept, bytes */
#define FETCH_HDR_SHORT_MAX	128	/* Expires, Date, Content-Type */
#define FETCH_BUF_START		8192	/* first body allocation */
#define FETCH_CC_SCAN_MAX	4096	/* Cache-Control bytes parsed */
#define FETCH_DATE_MAX		128	/* HTTP-date bytes parsed */
#define FETCH_DELTA_MAX		2147483648LL	/* RFC 9111 1.2.2 */
#if LIBCURL_VERSION_NUM >= 0x080600
#define FETCH_CURLE_TOO_LARGE	CURLE_TOO_LARGE
#else
#define FETCH_CURLE_TOO_LARGE	CURLE_OUT_OF_MEMORY	/* what it was before 8.6 */
#endif

struct fetch_host;

struct xfer {
	struct stir_fetcher	*f;
	struct fetch_host	*host;
	CURL			*easy;
	char			*url;
	uint64_t		 owner;		/* 0: none */
	uint64_t		 deadline;	/* loop ms: waiting fails after it */
	uint64_t		 t0_ns;		/* uv_hrtime() when it was asked for */
	stir_fetch_cb		 cb;		/* called once, when it ends */
	void			*arg;
	uint8_t			*buf;
	size_t			 len, cap, max_bytes;
	long			 status;	/* of the final response */
	bool			 too_big;	/* body over max_bytes */
	bool			 bad_status;	/* not 200: body refused */
	bool			 refused_addr;	/* an address was not allowed */
	bool			 allow_private;
	bool			 active;	/* added to the multi handle */
	bool			 cc_overflow;
	bool			 scheme_ok;	/* https, or http with allow_http */
	bool			 got_status;	/* a status line came */
	bool			 hdr_end;	/* the final header block ended */
	bool			 hdr_too_big;	/* over FETCH_HEADERS_MAX */
	size_t			 hdr_bytes;
	char			 cache_control[FETCH_HDR_MAX];
	char			 expires[FETCH_HDR_SHORT_MAX];
	char			 date[FETCH_HDR_SHORT_MAX];
	char			 content_type[FETCH_HDR_SHORT_MAX];
	bool			 has_cc, has_expires, has_date, has_ctype;
	char			 errbuf[CURL_ERROR_SIZE];
	struct xfer		*prev, *next;	/* active list or host queue */
};

/* A host:port with transfers running or waiting; freed when it has none. */
struct fetch_host {
	char			 key[FETCH_HOST_KEY_MAX];
	struct xfer		*queued, *queued_tail;	/* oldest first */
	unsigned		 nactive, nqueued;
	struct fetch_host	*prev, *next;
};

struct fetch_sock {
	uv_poll_t		 poll;
	struct stir_fetcher	*f;
	curl_socket_t		 fd;
	struct fetch_sock	*prev, *next;
};

struct stir_fetcher {
	uv_loop_t		*loop;
	CURLM			*multi;
	uv_timer_t		 timer;
	struct stir_fetch_opts	 opts;		/* ca_file is ours */
	char			*ca_file;
	uv_timer_t		 qtimer;	/* queue deadlines */
	uint64_t		 qdue;		/* loop ms qtimer fires; 0: stopped */
	struct xfer		*active;	/* in the multi handle */
	struct fetch_host	*hosts;		/* with a transfer running or waiting */
	struct fetch_host	*rr;		/* the host served next, or NULL */
	unsigned		 nactive, nqueued, nhosts;
	uint64_t		 expired, refused;
	uint64_t		 outcomes[_STIR_M_FETCH_MAX];	/* transfers ended, by outcome */
	struct stir_histogram	 latency;	/* of the transfers ended */
	struct fetch_sock	*socks;		/* polls not yet closing */
	unsigned		 handles;	/* libuv handles not yet closed */
	bool			 closing;
	bool			 in_check;	/* inside check_done() */
};

static void check_done(struct stir_fetcher *f);
static void start_queued(struct stir_fetcher *f);
static void on_qtimer(uv_timer_t *t);

/* ---- addresses ---- */

static bool
v4_public(uint32_t a)
{
	return !((a >> 24) == 0 ||			/* 0.0.0.0/8 */
	    (a >> 24) == 10 ||				/* 10/8 */
	    (a >> 24) == 127 ||				/* loopback */
	    (a & 0xffc00000u) == 0x64400000u ||		/* 100.64/10 CGNAT */
	    (a & 0xffff0000u) == 0xa9fe0000u ||		/* 169.254/16 */
	    (a & 0xfff00000u) == 0xac100000u ||		/* 172.16/12 */
	    (a & 0xffffff00u) == 0xc0000000u ||		/* 192.0.0/24 */
	    (a & 0xffff0000u) == 0xc0a80000u ||		/* 192.168/16 */
	    (a & 0xfffe0000u) == 0xc6120000u ||		/* 198.18/15 */
	    (a >> 28) >= 0xe);				/* multicast, 240/4 */
}

/* Whether a peer address may be connected to without allow_private. */
static bool
addr_public(const struct sockaddr *sa, socklen_t len)
{
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		return v4_public(ntohl(s4->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const uint8_t *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		static const uint8_t mapped[12] = { 0,0,0,0, 0,0,0,0, 0,0,0xff,0xff };
		static const uint8_t zero12[12] = { 0 };
		static const uint8_t nat64[12] = { 0,0x64,0xff,0x9b, 0,0,0,0, 0,0,0,0 };
		uint32_t v4 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
		    (uint32_t)b[14] << 8 | b[15];

		/* ::ffff:a.b.c.d, ::a.b.c.d (also :: and ::1), 64:ff9b::a.b.c.d */
		if (memcmp(b, mapped, 12) == 0 || memcmp(b, zero12, 12) == 0 ||
		    memcmp(b, nat64, 12) == 0)
			return memcmp(b, zero12, 12) != 0 && v4_public(v4);
		if (b[0] == 0x20 && b[1] == 0x02)	/* 6to4 2002:a.b.c.d::/48 */
			return v4_public((uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 |
			    (uint32_t)b[4] << 8 | b[5]);
		return !((b[0] & 0xfe) == 0xfc ||		/* fc00::/7 ULA */
		    (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||	/* fe80::/10 */
		    (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) ||	/* fec0::/10 */
		    b[0] == 0xff);				/* multicast */
	}
	return false;
}

static curl_socket_t
on_opensocket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct xfer *x = clientp;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	if (!x->allow_private && !addr_public(&a->addr, a->addrlen)) {
		x->refused_addr = true;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/*
 * The address the transfer is actually talking to, checked again before
 * any body is taken: a connection libcurl reuses did not pass through
 * on_opensocket() under the options of this transfer.
 */
static bool
primary_ip_ok(struct xfer *x)
{
	struct sockaddr_storage ss;
	char *ip = NULL;

	if (x->allow_private)
		return true;
	if (curl_easy_getinfo(x->easy, CURLINFO_PRIMARY_IP, &ip) != CURLE_OK || ip == NULL)
		return false;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &((struct sockaddr_in *)&ss)->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	else
		return false;
	return addr_public((struct sockaddr *)&ss, sizeof(ss));
}

/* ---- body and headers ---- */

static size_t
on_write(char *data, size_t size, size_t nmemb, void *userp)
{
	struct xfer *x = userp;
	size_t n = size * nmemb;	/* size is always 1 */
	long code = 0;

	if (x->len == 0 && !primary_ip_ok(x)) {
		x->refused_addr = true;
		return 0;
	}
	(void)curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {		/* a redirect or error page: not wanted */
		x->bad_status = true;
		return 0;		/* CURLE_WRITE_ERROR */
	}
	if (n > x->max_bytes - x->len) {
		x->too_big = true;
		return 0;
	}
	if (x->len + n > x->cap) {
		size_t nc = x->cap ? x->cap : FETCH_BUF_START;
		uint8_t *t;

		while (nc < x->len + n)
			nc *= 2;
		if (nc > x->max_bytes)
			nc = x->max_bytes;
		if ((t = realloc(x->buf, nc)) == NULL)
			return 0;
		x->buf = t;
		x->cap = nc;
	}
	memcpy(x->buf + x->len, data, n);
	x->len += n;
	return n;
}

/* Copy a header value (trimmed) into dst; false if it did not fit. */
static bool
hdr_copy(char *dst, size_t dstlen, const char *v, size_t vlen)
{
	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
	    v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (vlen >= dstlen) {
		dst[0] = '\0';
		return false;
	}
	for (size_t i = 0; i < vlen; i++)	/* no control bytes kept */
		dst[i] = ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) ? ' ' : v[i];
	dst[vlen] = '\0';
	return true;
}

static bool
hdr_is(const char *line, size_t len, const char *name, size_t *ret_off)
{
	size_t n = strlen(name);

	if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0)
		return false;
	*ret_off = n + 1;
	return true;
}

static size_t
on_header(char *line, size_t size, size_t nmemb, void *userp)
{
	struct xfer *x = userp;
	size_t len = size * nmemb, off;

	if (len > FETCH_HEADERS_MAX - x->hdr_bytes) {
		x->hdr_too_big = true;
		return 0;		/* CURLE_WRITE_ERROR */
	}
	x->hdr_bytes += len;
	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* a new response (after 1xx): forget the last one's headers */
		x->has_cc = x->has_expires = x->has_date = x->has_ctype = false;
		x->cc_overflow = false;
		x->cache_control[0] = '\0';
		x->got_status = true;
		x->hdr_end = false;
		return len;
	}
	if ((len == 2 && line[0] == '\r' && line[1] == '\n') || (len == 1 && line[0] == '\n')) {
		x->hdr_end = true;
		return len;
	}
	if (hdr_is(line, len, "Cache-Control", &off)) {
		/* several lines are one list: join them with ", " */
		size_t have = strlen(x->cache_control);
		char part[FETCH_HDR_MAX];

		if (!hdr_copy(part, sizeof(part), line + off, len - off) ||
		    have + strlen(part) + 3 > sizeof(x->cache_control))
			x->cc_overflow = true;
		else if (part[0] != '\0') {
			/* fits: ", ", part and its NUL (checked above) */
			char *at = x->cache_control + have;

			if (have != 0) {
				memcpy(at, ", ", 2);
				at += 2;
			}
			memcpy(at, part, strlen(part) + 1);
		}
		x->has_cc = true;
	} else if (hdr_is(line, len, "Expires", &off)) {
		/* one too long is kept as "" and so taken as stale */
		(void)hdr_copy(x->expires, sizeof(x->expires), line + off, len - off);
		x->has_expires = true;
	} else if (hdr_is(line, len, "Date", &off))
		x->has_date = hdr_copy(x->date, sizeof(x->date), line + off, len - off);
	else if (hdr_is(line, len, "Content-Type", &off))
		x->has_ctype = hdr_copy(x->content_type, sizeof(x->content_type),
		    line + off, len - off);
	return len;
}

/* ---- transfers ---- */

static void
xfer_free(struct xfer *x)
{
	if (x == NULL)
		return;
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	free(x->buf);
	free(x->url);
	free(x);
}

static void
list_unlink(struct xfer **head, struct xfer *x)
{
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		*head = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	x->prev = x->next = NULL;
}

/* Transfers owner holds, running or waiting. */
static unsigned
owner_count(const struct stir_fetcher *f, uint64_t owner)
{
	unsigned n = 0;

	for (const struct xfer *x = f->active; x != NULL; x = x->next)
		n += x->owner == owner;
	for (const struct fetch_host *h = f->hosts; h != NULL; h = h->next)
		for (const struct xfer *x = h->queued; x != NULL; x = x->next)
			n += x->owner == owner;
	return n;
}

/* ---- hosts ---- */

/*
 * The scheduling key of url: its host, lowercased, and port (the
 * scheme's default if none); whether its scheme may be fetched.  A URL
 * libcurl cannot parse gets the key "" (it fails as soon as it runs).
 */
static void
url_key(const char *url, bool allow_http, char key[static FETCH_HOST_KEY_MAX],
    bool *ret_scheme_ok)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;

	key[0] = '\0';
	*ret_scheme_ok = false;
	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK)
		*ret_scheme_ok = strcasecmp(scheme, "https") == 0 ||
		    (allow_http && strcasecmp(scheme, "http") == 0);
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
		goto out;
	if ((size_t)snprintf(key, FETCH_HOST_KEY_MAX, "%s:%s", host, port) >= FETCH_HOST_KEY_MAX)
		key[FETCH_HOST_KEY_MAX - 1] = '\0';	/* hosts this long share a key */
	for (char *p = key; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
 out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
}

/* The host of key, made if new; NULL if out of memory. */
static struct fetch_host *
host_get(struct stir_fetcher *f, const char *key)
{
	struct fetch_host *h;

	for (h = f->hosts; h != NULL; h = h->next)
		if (strcmp(h->key, key) == 0)
			return h;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	snprintf(h->key, sizeof(h->key), "%s", key);
	h->next = f->hosts;
	if (f->hosts != NULL)
		f->hosts->prev = h;
	f->hosts = h;
	f->nhosts++;
	return h;
}

/* Forget h if nothing of it runs or waits. */
static void
host_release(struct stir_fetcher *f, struct fetch_host *h)
{
	if (h == NULL || h->nactive > 0 || h->nqueued > 0)
		return;
	if (f->rr == h)
		f->rr = h->next;
	if (h->prev != NULL)
		h->prev->next = h->next;
	else
		f->hosts = h->next;
	if (h->next != NULL)
		h->next->prev = h->prev;
	f->nhosts--;
	free(h);
}

static unsigned
max_active(const struct stir_fetcher *f)
{
	unsigned m = f->opts.max_active;

	return m == 0 || m > STIR_FETCH_MAX_INFLIGHT ? STIR_FETCH_MAX_INFLIGHT : m;
}

static unsigned
per_host(const struct stir_fetcher *f)
{
	return f->opts.per_host ? f->opts.per_host : STIR_FETCH_PER_HOST;
}

/* Append x to its host's queue, waiting until now + queue_ms at most. */
static void
host_enqueue(struct stir_fetcher *f, struct xfer *x)
{
	struct fetch_host *h = x->host;
	uint64_t now = uv_now(f->loop);

	x->deadline = now + (f->opts.queue_ms ? f->opts.queue_ms : f->opts.timeout_ms);
	x->next = NULL;
	x->prev = h->queued_tail;
	if (h->queued_tail != NULL)
		h->queued_tail->next = x;
	else
		h->queued = x;
	h->queued_tail = x;
	h->nqueued++;
	f->nqueued++;
	if (f->qdue == 0 || x->deadline < f->qdue) {
		f->qdue = x->deadline;
		(void)uv_timer_start(&f->qtimer, on_qtimer, x->deadline - now, 0);
	}
}

static void
host_dequeue(struct stir_fetcher *f, struct xfer *x)
{
	struct fetch_host *h = x->host;

	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		h->queued = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	else
		h->queued_tail = x->prev;
	x->prev = x->next = NULL;
	h->nqueued--;
	f->nqueued--;
}

#define SETOPT(e, o, v) do {					\
	if (curl_easy_setopt((e), (o), (v)) != CURLE_OK)	\
		goto fail;					\
} while (0)

static struct xfer *
xfer_new(struct stir_fetcher *f, const char *url)
{
	const struct stir_fetch_opts *o = &f->opts;
	struct xfer *x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->f = f;
	x->t0_ns = uv_hrtime();
	x->max_bytes = o->max_bytes;
	x->allow_private = o->allow_private;
	if ((x->url = strdup(url)) == NULL || (x->easy = curl_easy_init()) == NULL)
		goto fail;
	SETOPT(x->easy, CURLOPT_URL, x->url);
	SETOPT(x->easy, CURLOPT_PRIVATE, x);
	SETOPT(x->easy, CURLOPT_PROTOCOLS_STR, o->allow_http ? "http,https" : "https");
	SETOPT(x->easy, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SETOPT(x->easy, CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(x->easy, CURLOPT_NOSIGNAL, 1L);
	SETOPT(x->easy, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	SETOPT(x->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)o->timeout_ms);
	SETOPT(x->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
	SETOPT(x->easy, CURLOPT_USERAGENT, "stird/" PACKAGE_VERSION);
	SETOPT(x->easy, CURLOPT_PROXY, "");	/* no proxy from the environment */
	SETOPT(x->easy, CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(x->easy, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file != NULL && o->ca_file[0] != '\0')
		SETOPT(x->easy, CURLOPT_CAINFO, o->ca_file);
	/* libcurl-gnutls has no CA cache: every new TLS connection loads the
	 * CA file on the loop thread.  Never also scan a CA directory (about
	 * 300 files on Debian): the one bundle file is the trust store. */
	SETOPT(x->easy, CURLOPT_CAPATH, NULL);
	SETOPT(x->easy, CURLOPT_OPENSOCKETFUNCTION, on_opensocket);
	SETOPT(x->easy, CURLOPT_OPENSOCKETDATA, x);
	SETOPT(x->easy, CURLOPT_WRITEFUNCTION, on_write);
	SETOPT(x->easy, CURLOPT_WRITEDATA, x);
	SETOPT(x->easy, CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(x->easy, CURLOPT_HEADERDATA, x);
	SETOPT(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	SETOPT(x->easy, CURLOPT_ACCEPT_ENCODING, NULL);	/* bytes as sent */
	return x;
 fail:
	xfer_free(x);
	return NULL;
}

/* Hand x to libcurl; on failure it is finished with an error. */
static int
xfer_activate(struct stir_fetcher *f, struct xfer *x)
{
	CURLMcode mc;

	if ((mc = curl_multi_add_handle(f->multi, x->easy)) != CURLM_OK) {
		log_debug("curl_multi_add_handle: %s", curl_multi_strerror(mc));
		return STIR_EFETCH;
	}
	x->active = true;
	x->next = f->active;
	if (f->active != NULL)
		f->active->prev = x;
	f->active = x;
	f->nactive++;
	x->host->nactive++;
	return STIR_OK;
}

static void
result_fill(struct xfer *x, CURLcode cc, struct stir_fetch_result *res)
{
	memset(res, 0, sizeof(*res));
	(void)curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &res->http_status);
	if (cc != CURLE_OK)
		log_debug("fetch: curl error %d: %s (%s)", (int)cc,
		    curl_easy_strerror(cc), x->errbuf);
	if (x->refused_addr && (cc == CURLE_COULDNT_CONNECT || cc == CURLE_WRITE_ERROR)) {
		res->err = STIR_EPOLICY;
		snprintf(res->detail, sizeof(res->detail),
		    "the host resolves to a loopback, private, link-local or multicast address");
	} else if (cc == CURLE_OK && !primary_ip_ok(x)) {
		res->err = STIR_EPOLICY;
		snprintf(res->detail, sizeof(res->detail),
		    "the peer address is loopback, private, link-local or multicast");
	} else if (x->too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		res->err = STIR_ETOOBIG;
		snprintf(res->detail, sizeof(res->detail), "the body is over %zu bytes",
		    x->max_bytes);
	} else if (x->hdr_too_big || (x->got_status && !x->hdr_end &&
	    (cc == CURLE_OUT_OF_MEMORY || cc == FETCH_CURLE_TOO_LARGE))) {
		/* ours, or libcurl's limit on one header line (which it reports
		 * as out of memory before 8.6, CURLE_TOO_LARGE since) */
		res->err = STIR_ETOOBIG;
		snprintf(res->detail, sizeof(res->detail),
		    "the response headers are too large (over %d bytes, or one line over libcurl's limit)",
		    FETCH_HEADERS_MAX);
	} else if (x->bad_status || (cc == CURLE_OK && res->http_status != 200)) {
		res->err = STIR_EFETCH;
		if (res->http_status >= 300 && res->http_status < 400)
			snprintf(res->detail, sizeof(res->detail),
			    "HTTP status %ld: redirects are not followed", res->http_status);
		else
			snprintf(res->detail, sizeof(res->detail), "HTTP status %ld",
			    res->http_status);
	} else if (cc == CURLE_OK) {
		res->err = STIR_OK;
		res->body = x->buf != NULL ? x->buf : (const uint8_t *)"";
		res->len = x->len;
		snprintf(res->detail, sizeof(res->detail), "HTTP status 200");
	} else if (cc == CURLE_OPERATION_TIMEDOUT) {
		res->err = STIR_ETIMEDOUT;
		snprintf(res->detail, sizeof(res->detail), "no complete answer within %u ms",
		    x->f->opts.timeout_ms);
	} else if (cc == CURLE_UNSUPPORTED_PROTOCOL && x->scheme_ok) {
		/* an allowed scheme: the answer was not HTTP (no status line) */
		res->err = STIR_EFETCH;
		snprintf(res->detail, sizeof(res->detail),
		    "the response has no HTTP status line (HTTP/0.9 or not HTTP)");
	} else if (cc == CURLE_UNSUPPORTED_PROTOCOL) {
		res->err = STIR_EPOLICY;
		snprintf(res->detail, sizeof(res->detail), "the URL scheme is not allowed (https%s only)",
		    x->f->opts.allow_http ? " or http" : "");
	} else {
		const char *why;

		switch (cc) {
		case CURLE_URL_MALFORMAT:	why = "malformed URL"; break;
		case CURLE_COULDNT_RESOLVE_HOST: why = "the host name does not resolve"; break;
		case CURLE_COULDNT_CONNECT:	why = "cannot connect"; break;
		case CURLE_WEIRD_SERVER_REPLY:	why = "the response is not valid HTTP"; break;
		case CURLE_GOT_NOTHING:		why = "the server closed the connection without a response"; break;
		case CURLE_RECV_ERROR:		why = "the connection failed while receiving"; break;
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CACERT_BADFILE:
		case CURLE_SSL_CONNECT_ERROR:	why = "TLS handshake or server certificate check failed"; break;
		case CURLE_OUT_OF_MEMORY:	why = "out of memory"; break;
		case CURLE_WRITE_ERROR:		why = "out of memory for the body"; break;
		default:			why = "transfer failed"; break;
		}
		res->err = cc == CURLE_OUT_OF_MEMORY ? STIR_ENOMEM : STIR_EFETCH;
		snprintf(res->detail, sizeof(res->detail), "%s", why);
	}
	if (res->err != STIR_OK)
		res->len = 0;
	res->content_type = x->has_ctype ? x->content_type : NULL;
	res->cache_control = x->has_cc && !x->cc_overflow ? x->cache_control : NULL;
	res->expires = x->has_expires ? x->expires : NULL;
	res->date = x->has_date ? x->date : NULL;
}

/* Count how a transfer ended (metrics.h). */
static void
xfer_count(struct stir_fetcher *f, const struct xfer *x, int err)
{
	enum stir_m_fetch o;

	switch (err) {
	case STIR_OK:		o = STIR_M_FETCH_OK; break;
	case STIR_ETIMEDOUT:	o = STIR_M_FETCH_TIMEOUT; break;
	case STIR_EPOLICY:	o = STIR_M_FETCH_REFUSED; break;
	case STIR_ETOOBIG:	o = STIR_M_FETCH_TOO_BIG; break;
	case STIR_EBUSY:	o = STIR_M_FETCH_BUSY; break;
	default:		o = STIR_M_FETCH_ERROR; break;
	}
	f->outcomes[o]++;
	stir_histogram_observe(&f->latency, uv_hrtime() - x->t0_ns);
}

/* Call x's caller (x is detached from the fetcher), then free it. */
static void
xfer_finish(struct xfer *x, const struct stir_fetch_result *res)
{
	xfer_count(x->f, x, res->err);
	x->cb(x->arg, res);
	xfer_free(x);
}

static void
xfer_fail(struct xfer *x, int err, const char *detail)
{
	struct stir_fetch_result res;

	memset(&res, 0, sizeof(res));
	res.err = err;
	snprintf(res.detail, sizeof(res.detail), "%s", detail);
	xfer_finish(x, &res);
}

static void
check_done(struct stir_fetcher *f)
{
	CURLMsg *m;
	int left;

	if (f->in_check)
		return;
	f->in_check = true;
	while (!f->closing && (m = curl_multi_info_read(f->multi, &left)) != NULL) {
		struct stir_fetch_result res;
		struct xfer *x;
		char *priv = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		(void)curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		x = (struct xfer *)(void *)priv;
		result_fill(x, m->data.result, &res);
		(void)curl_multi_remove_handle(f->multi, x->easy);
		list_unlink(&f->active, x);
		f->nactive--;
		x->active = false;
		x->host->nactive--;
		host_release(f, x->host);
		x->host = NULL;
		xfer_finish(x, &res);	/* may call stir_fetch or even close */
	}
	f->in_check = false;
	if (!f->closing)
		start_queued(f);
}

/* The next host in turn with a transfer waiting and a slot of its own. */
static struct fetch_host *
next_host(struct stir_fetcher *f)
{
	struct fetch_host *start = f->rr != NULL ? f->rr : f->hosts, *h = start;

	if (start == NULL)
		return NULL;
	do {
		if (h->nqueued > 0 && h->nactive < per_host(f))
			return h;
		h = h->next != NULL ? h->next : f->hosts;
	} while (h != start);
	return NULL;
}

/* Fill free slots from the hosts' queues, one host after another. */
static void
start_queued(struct stir_fetcher *f)
{
	struct fetch_host *h;

	while (!f->closing && f->nqueued > 0 && f->nactive < max_active(f) &&
	    (h = next_host(f)) != NULL) {
		struct xfer *x = h->queued;

		host_dequeue(f, x);
		f->rr = h->next;	/* the next host goes first next time */
		if (xfer_activate(f, x) != STIR_OK) {
			x->host = NULL;
			host_release(f, h);
			xfer_fail(x, STIR_EFETCH, "cannot start the transfer");
		}
	}
}

/* Fail the transfers that waited past their deadline; re-arm qtimer. */
static void
on_qtimer(uv_timer_t *t)
{
	struct stir_fetcher *f = t->data;
	struct xfer *done = NULL, *x, *xn;
	struct fetch_host *h, *hn;
	uint64_t now = uv_now(f->loop), next = 0;
	char detail[128];

	f->qdue = 0;
	if (f->closing)
		return;
	for (h = f->hosts; h != NULL; h = hn) {
		hn = h->next;
		for (x = h->queued; x != NULL; x = xn) {
			xn = x->next;
			if (x->deadline > now) {
				if (next == 0 || x->deadline < next)
					next = x->deadline;
				continue;
			}
			host_dequeue(f, x);
			x->host = NULL;
			x->next = done;
			done = x;
			f->expired++;
		}
		host_release(f, h);
	}
	if (next != 0) {
		f->qdue = next;
		(void)uv_timer_start(&f->qtimer, on_qtimer, next - now, 0);
	}
	snprintf(detail, sizeof(detail),
	    "no fetch slot within %u ms: too many fetches of this host or in all",
	    f->opts.queue_ms ? f->opts.queue_ms : f->opts.timeout_ms);
	/* callbacks may fetch again or close the fetcher: x is detached */
	for (x = done; x != NULL; x = xn) {
		xn = x->next;
		x->next = NULL;
		xfer_fail(x, STIR_EBUSY, detail);
	}
}

/* ---- libuv glue ---- */

static void
maybe_free(struct stir_fetcher *f)
{
	if (!f->closing || f->handles > 0)
		return;
	free(f->ca_file);
	free(f);
	curl_global_cleanup();
}

static void
on_sock_closed(uv_handle_t *h)
{
	struct fetch_sock *s = h->data;
	struct stir_fetcher *f = s->f;

	free(s);
	f->handles--;
	maybe_free(f);
}

static void
sock_close(struct fetch_sock *s)
{
	struct stir_fetcher *f = s->f;

	if (uv_is_closing((uv_handle_t *)&s->poll))
		return;
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		f->socks = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	uv_close((uv_handle_t *)&s->poll, on_sock_closed);
}

static void
on_poll(uv_poll_t *h, int status, int events)
{
	struct fetch_sock *s = h->data;
	struct stir_fetcher *f = s->f;
	int flags = 0, running;

	if (f->closing)
		return;
	if (status < 0)
		flags = CURL_CSELECT_ERR;
	else {
		if (events & UV_READABLE)
			flags |= CURL_CSELECT_IN;
		if (events & UV_WRITABLE)
			flags |= CURL_CSELECT_OUT;
	}
	(void)curl_multi_socket_action(f->multi, s->fd, flags, &running);
	check_done(f);
}

static int
on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct stir_fetcher *f = userp;
	struct fetch_sock *s = socketp;
	int ev = 0;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			sock_close(s);
			if (f->multi != NULL)
				(void)curl_multi_assign(f->multi, fd, NULL);
		}
		return 0;
	}
	if (f->closing)
		return -1;
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return -1;
		if (uv_poll_init_socket(f->loop, &s->poll, fd) != 0) {
			free(s);
			return -1;
		}
		s->poll.data = s;
		s->f = f;
		s->fd = fd;
		s->next = f->socks;
		if (f->socks != NULL)
			f->socks->prev = s;
		f->socks = s;
		f->handles++;
		(void)curl_multi_assign(f->multi, fd, s);
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= UV_READABLE;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= UV_WRITABLE;
	if (uv_poll_start(&s->poll, ev, on_poll) != 0)
		return -1;
	return 0;
}

static void
on_timer(uv_timer_t *t)
{
	struct stir_fetcher *f = t->data;
	int running;

	if (f->closing)
		return;
	(void)curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(f);
}

static int
on_timeout_set(CURLM *m, long timeout_ms, void *userp)
{
	struct stir_fetcher *f = userp;

	(void)m;
	if (f->closing || uv_is_closing((uv_handle_t *)&f->timer))
		return 0;
	if (timeout_ms < 0)
		(void)uv_timer_stop(&f->timer);
	else	/* even 0: libcurl is called back from the loop, not from here */
		(void)uv_timer_start(&f->timer, on_timer, (uint64_t)timeout_ms, 0);
	return 0;
}

static void
on_handle_closed(uv_handle_t *h)
{
	struct stir_fetcher *f = h->data;

	f->handles--;
	maybe_free(f);
}

/* ---- public ---- */

static int
opts_copy(struct stir_fetcher *f, const struct stir_fetch_opts *o)
{
	char *ca = NULL;

	if (o->ca_file != NULL && (ca = strdup(o->ca_file)) == NULL)
		return STIR_ENOMEM;
	free(f->ca_file);
	f->ca_file = ca;
	f->opts = *o;
	f->opts.ca_file = ca;
	return STIR_OK;
}

int
stir_fetcher_new(uv_loop_t *loop, const struct stir_fetch_opts *opts,
    struct stir_fetcher **ret)
{
	const curl_version_info_data *vi;
	struct stir_fetcher *f = NULL;

	if (opts->max_bytes == 0 || opts->timeout_ms == 0)
		return STIR_EINVAL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return STIR_EFETCH;
	vi = curl_version_info(CURLVERSION_NOW);
	if (!(vi->features & CURL_VERSION_ASYNCHDNS) || vi->ssl_version == NULL ||
	    strncmp(vi->ssl_version, "GnuTLS", 6) != 0) {
		log_err("libcurl %s (%s) is not the GnuTLS build with asynchronous name lookups",
		    vi->version, vi->ssl_version ? vi->ssl_version : "no TLS");
		curl_global_cleanup();
		return STIR_EINVAL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL)
		goto nomem;
	f->loop = loop;
	if (opts_copy(f, opts) != STIR_OK || (f->multi = curl_multi_init()) == NULL)
		goto nomem;
	if (curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, on_socket) != CURLM_OK ||
	    curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f) != CURLM_OK ||
	    curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, on_timeout_set) != CURLM_OK ||
	    curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f) != CURLM_OK ||
	    curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)STIR_FETCH_MAX_INFLIGHT) != CURLM_OK)
		goto nomem;
	if (uv_timer_init(loop, &f->timer) != 0)
		goto nomem;
	f->timer.data = f;
	/* cannot fail once the first did (it only links the handle) */
	(void)uv_timer_init(loop, &f->qtimer);
	f->qtimer.data = f;
	f->handles = 2;
	*ret = f;
	return STIR_OK;
 nomem:
	if (f != NULL) {
		if (f->multi != NULL)
			(void)curl_multi_cleanup(f->multi);
		free(f->ca_file);
		free(f);
	}
	curl_global_cleanup();
	return STIR_ENOMEM;
}

int
stir_fetcher_set_opts(struct stir_fetcher *f, const struct stir_fetch_opts *opts)
{
	if (opts->max_bytes == 0 || opts->timeout_ms == 0)
		return STIR_EINVAL;
	return opts_copy(f, opts);
}

int
stir_fetch_for(struct stir_fetcher *f, const char *url, uint64_t owner,
    stir_fetch_cb cb, void *arg)
{
	char key[FETCH_HOST_KEY_MAX];
	struct fetch_host *h = NULL;
	struct xfer *x = NULL;
	bool scheme_ok;
	int r;

	if (f->closing)
		return STIR_ESHUTDOWN;
	if (!stir_url_key_ok(url))
		return STIR_EINVAL;
	if (owner != 0 && owner_count(f, owner) >=
	    (f->opts.per_owner ? f->opts.per_owner : STIR_FETCH_PER_OWNER)) {
		f->refused++;
		return STIR_EBUSY;
	}
	url_key(url, f->opts.allow_http, key, &scheme_ok);
	if ((h = host_get(f, key)) == NULL)
		return STIR_ENOMEM;
	/* at once only if no one of this host waits and there is room */
	if (h->nqueued == 0 && h->nactive < per_host(f) &&
	    f->nactive < max_active(f))
		;
	else if (h->nqueued >= FETCH_HOST_MAX_QUEUED || f->nqueued >= FETCH_MAX_QUEUED) {
		f->refused++;
		r = STIR_EBUSY;
		goto fail;
	}
	if ((x = xfer_new(f, url)) == NULL) {
		r = STIR_ENOMEM;
		goto fail;
	}
	x->host = h;
	x->owner = owner;
	x->scheme_ok = scheme_ok;
	x->cb = cb;
	x->arg = arg;
	if (h->nqueued == 0 && h->nactive < per_host(f) &&
	    f->nactive < max_active(f)) {
		/* libcurl starts it from the timer, never from inside this call */
		if ((r = xfer_activate(f, x)) != STIR_OK)
			goto fail;
		return STIR_OK;
	}
	host_enqueue(f, x);
	return STIR_OK;
 fail:
	xfer_free(x);
	host_release(f, h);
	return r;
}

int
stir_fetch(struct stir_fetcher *f, const char *url, stir_fetch_cb cb, void *arg)
{
	return stir_fetch_for(f, url, 0, cb, arg);
}

void
stir_fetcher_close(struct stir_fetcher *f)
{
	struct xfer *done = NULL, *x, *xn;

	if (f == NULL || f->closing)
		return;
	f->closing = true;
	/* take every transfer out of libcurl before it goes */
	for (x = f->active; x != NULL; x = xn) {
		xn = x->next;
		(void)curl_multi_remove_handle(f->multi, x->easy);
		x->next = done;
		done = x;
	}
	f->active = NULL;
	f->nactive = 0;
	while (f->hosts != NULL) {
		struct fetch_host *h = f->hosts;

		for (x = h->queued; x != NULL; x = xn) {
			xn = x->next;
			x->next = done;
			done = x;
		}
		f->hosts = h->next;
		free(h);
	}
	f->rr = NULL;
	f->nhosts = 0;
	f->nqueued = 0;
	/* may report CURL_POLL_REMOVE for cached connections: polls close */
	(void)curl_multi_cleanup(f->multi);
	f->multi = NULL;
	while (f->socks != NULL)
		sock_close(f->socks);
	if (!uv_is_closing((uv_handle_t *)&f->timer))
		uv_close((uv_handle_t *)&f->timer, on_handle_closed);
	if (!uv_is_closing((uv_handle_t *)&f->qtimer))
		uv_close((uv_handle_t *)&f->qtimer, on_handle_closed);
	/* callers may call stir_fetch() (STIR_ESHUTDOWN) but nothing else here */
	for (x = done; x != NULL; x = xn) {
		xn = x->next;
		x->prev = x->next = NULL;
		xfer_fail(x, STIR_ESHUTDOWN, "the fetcher is shutting down");
	}
}

unsigned
stir_fetcher_inflight(const struct stir_fetcher *f)
{
	return f->nactive;
}

void
stir_fetcher_stats(const struct stir_fetcher *f, struct stir_fetch_stats *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->active = f->nactive;
	ret->queued = f->nqueued;
	ret->hosts = f->nhosts;
	ret->expired = f->expired;
	ret->refused = f->refused;
	memcpy(ret->outcomes, f->outcomes, sizeof(ret->outcomes));
	ret->latency = f->latency;
}

/* ---- Cache-Control and Expires (RFC 9111) ---- */

/* delta-seconds: digits, saturating at 2^31; -1 if not a number. */
static int64_t
delta_seconds(const char *v, size_t n)
{
	int64_t d = 0;

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v++;
		n -= 2;
	}
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		if (d < FETCH_DELTA_MAX)
			d = d * 10 + (v[i] - '0');
	}
	return d > FETCH_DELTA_MAX ? FETCH_DELTA_MAX : d;
}

static int64_t
http_date(const char *s)
{
	time_t t;

	if (s == NULL || strnlen(s, FETCH_DATE_MAX) >= FETCH_DATE_MAX)
		return -1;
	t = curl_getdate(s, NULL);
	return t < 0 ? -1 : (int64_t)t;
}

int64_t
stir_http_cache_ttl(const char *cache_control, const char *expires,
    const char *date, int64_t now, unsigned min_ttl, unsigned max_ttl)
{
	int64_t max_age = -1, s_maxage = -1, ttl = 0;
	bool stale = false;

	if (cache_control != NULL) {
		const char *p = cache_control;
		size_t left = strnlen(cache_control, FETCH_CC_SCAN_MAX);

		while (left > 0) {
			/* one directive: name[=value], up to a comma outside quotes */
			size_t i = 0, nlen, vstart = 0, vlen = 0;
			bool quoted = false;
			const char *name;

			while (i < left && (p[i] == ' ' || p[i] == '\t' || p[i] == ','))
				i++;
			p += i;
			left -= i;
			if (left == 0)
				break;
			name = p;
			for (i = 0; i < left && p[i] != '=' && p[i] != ',' && p[i] != ' ' &&
			    p[i] != '\t'; i++)
				;
			nlen = i;
			while (i < left && (p[i] == ' ' || p[i] == '\t'))
				i++;
			if (i < left && p[i] == '=') {
				i++;
				while (i < left && (p[i] == ' ' || p[i] == '\t'))
					i++;
				vstart = i;
				for (; i < left && (quoted || p[i] != ','); i++)
					if (p[i] == '"')
						quoted = !quoted;
				vlen = i - vstart;
				while (vlen > 0 && (p[vstart + vlen - 1] == ' ' ||
				    p[vstart + vlen - 1] == '\t'))
					vlen--;
			}
			while (i < left && p[i] != ',')
				i++;
			if ((nlen == 8 && strncasecmp(name, "no-store", 8) == 0) ||
			    (nlen == 8 && strncasecmp(name, "no-cache", 8) == 0))
				return 0;
			if (nlen == 7 && strncasecmp(name, "max-age", 7) == 0 && max_age < 0 &&
			    !stale) {
				if ((max_age = delta_seconds(p + vstart, vlen)) < 0)
					stale = true;	/* invalid: RFC 9111 4.2.1 */
			} else if (nlen == 8 && strncasecmp(name, "s-maxage", 8) == 0 &&
			    s_maxage < 0) {
				s_maxage = delta_seconds(p + vstart, vlen);
			}
			p += i;
			left -= i;
		}
	}
	if (s_maxage >= 0)		/* a shared cache prefers s-maxage */
		ttl = s_maxage;
	else if (max_age >= 0)
		ttl = max_age;
	else if (stale)
		ttl = 0;
	else if (expires != NULL) {
		int64_t e = http_date(expires), d = http_date(date);

		if (d < 0)
			d = now;
		ttl = e < 0 || e <= d ? 0 : e - d;	/* invalid Expires: stale */
	}
	if (ttl < (int64_t)min_ttl)
		ttl = min_ttl;
	if (ttl > (int64_t)max_ttl)
		ttl = max_ttl;
	return ttl;
}
