/*
 * tx.c: what stird-sipd does with each SIP message, and the INVITE
 * server transactions (RFC 3261 section 17.2.1) it keeps:
 *
 *  - An INVITE starts a transaction, keyed by its top Via branch, Call-ID
 *    and CSeq number.  Over UDP it gets 100 Trying at once; stird is
 *    asked to sign or verify, and its answer becomes the final response
 *    (302, or the error).  A retransmitted INVITE gets the last response
 *    sent again (100 Trying, or the final one); stird sees it once.
 *  - Over UDP a final response is retransmitted (T1 doubling to T2) until
 *    the ACK arrives; the ACK is absorbed.  A completed transaction is
 *    forgotten SIPD_TX_LINGER_MS after its final response.
 *  - CANCEL of a pending INVITE: 200 to the CANCEL, 487 to the INVITE,
 *    and stird's request is cancelled.
 *  - OPTIONS: 200.  Other methods: 405 (or 501 for unknown ones).
 *  - A request lacking the headers a response needs: 400.
 *
 * Transactions are bounded by max_transactions: the oldest completed one
 * makes room, and with none completed a new INVITE gets 503.  A request
 * stird has not answered deadline_ms + SIPD_DEADLINE_SLACK_MS after it
 * was sent gets 504.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "client/stird-sipd/sipd.h"

#define TX_TAG_BYTES	8	/* To tags: 16 hex digits */
#define TX_KEY_MAX	1024

struct sipd_tx {
	struct sipd	*s;
	struct sipd_tx	*hnext;		/* bucket chain */
	struct sipd_tx	*prev, *next;	/* s->tx_all, oldest first */
	char		*key;
	unsigned	 bucket;
	struct sipd_peer peer;		/* where the final response goes */
	struct sipmsg	*req;		/* the INVITE, until answered */
	enum sipd_op	 op;
	int		 slot;		/* stird request: slot and id, id 0 = none */
	long long	 id;
	char		 tag[2 * TX_TAG_BYTES + 1];
	char		*last;		/* the last response sent */
	size_t		 last_len;
	bool		 final;
	bool		 acked;
	uint64_t	 started, done_at, next_rexmit;
	unsigned	 interval;
};

static const char *const op_names[] = { "sign", "verify" };

/* Methods RFC 3261 and its extensions define: 405, not 501. */
static const char *const known_methods[] = {
	"BYE", "REGISTER", "INFO", "PRACK", "UPDATE", "SUBSCRIBE", "NOTIFY",
	"REFER", "MESSAGE", "PUBLISH", NULL
};

#define ALLOW	"INVITE, ACK, CANCEL, OPTIONS"

static unsigned
hash(const char *k)
{
	uint32_t h = 2166136261u;

	for (; *k != '\0'; k++)
		h = (h ^ (unsigned char)*k) * 16777619u;
	return h % SIPD_TX_BUCKETS;
}

/*
 * Branch, Call-ID and CSeq number (RFC 3261 section 17.2.3 matches on the
 * branch), and the peer's IP address: a request from elsewhere never gets
 * another caller's answer, however it guessed the rest.
 */
static char *
tx_key(const struct sip_fields *f, const struct sipd_peer *p)
{
	char ip[64] = "";
	char *k;

	if (p->addr.ss_family == AF_INET)
		(void)uv_ip4_name((const struct sockaddr_in *)&p->addr, ip, sizeof(ip));
	else if (p->addr.ss_family == AF_INET6)
		(void)uv_ip6_name((const struct sockaddr_in6 *)&p->addr, ip, sizeof(ip));
	if (asprintf(&k, "%s\n%s\n%s\n%s", ip, f->branch ? f->branch : "", f->call_id,
	    f->cseq_num) < 0)
		return NULL;
	if (strlen(k) > TX_KEY_MAX) {
		free(k);
		return NULL;
	}
	return k;
}

static struct sipd_tx *
tx_find(struct sipd *s, const char *key)
{
	for (struct sipd_tx *t = s->tx_bucket[hash(key)]; t != NULL; t = t->hnext)
		if (strcmp(t->key, key) == 0)
			return t;
	return NULL;
}

static void
tx_free(struct sipd_tx *t)
{
	struct sipd *s = t->s;
	struct sipd_tx **pp;

	for (pp = &s->tx_bucket[t->bucket]; *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == t) {
			*pp = t->hnext;
			break;
		}
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		s->tx_all = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	else
		s->tx_last = t->prev;
	s->ntx--;
	if (t->id > 0)
		upstream_cancel(s, t->slot, t->id);
	sipd_tcp_unref(t->peer.tcp);
	sipmsg_free(t->req);
	free(t->last);
	free(t->key);
	free(t);
}

static struct sipd_tx *
tx_new(struct sipd *s, const struct sipd_peer *p, char *key)
{
	struct sipd_tx *t;
	uint8_t rnd[TX_TAG_BYTES];

	if (s->ntx >= s->conf->max_transactions) {
		struct sipd_tx *old = s->tx_all;

		while (old != NULL && !old->final)
			old = old->next;
		if (old == NULL)
			return NULL;
		tx_free(old);
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->s = s;
	t->key = key;
	t->bucket = hash(key);
	t->peer = *p;
	if (p->tcp != NULL)
		sipd_tcp_ref(p->tcp);
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(t->tag, sizeof(t->tag), rnd, sizeof(rnd));
	t->started = sipd_now(s);
	t->hnext = s->tx_bucket[t->bucket];
	s->tx_bucket[t->bucket] = t;
	t->prev = s->tx_last;
	if (s->tx_last != NULL)
		s->tx_last->next = t;
	else
		s->tx_all = t;
	s->tx_last = t;
	s->ntx++;
	return t;
}

/* ---- responses ---- */

/* Send a response to m built from answer a; returns it (free()) or NULL. */
static char *
respond(struct sipd *s, const struct sipd_peer *p, const struct sipmsg *m,
    const struct sip_answer *a, const char *tag, size_t *ret_len)
{
	char *text = NULL;
	size_t len;

	if (sipmsg_respond(m, a->code, a->phrase, tag, a->hdrs, a->nhdrs, &text, &len) !=
	    STIR_OK) {
		/* a header osip would not take: the bare response still goes */
		log_warn("could not write a %d response with its header fields", a->code);
		if (sipmsg_respond(m, a->code, a->phrase, tag, NULL, 0, &text, &len) != STIR_OK)
			return NULL;
	}
	sipd_send(s, p, text, len);
	*ret_len = len;
	return text;
}

/* A response that no transaction remembers. */
static void
reply(struct sipd *s, const struct sipd_peer *p, const struct sipmsg *m, int code,
    const char *phrase, const char *name, const char *value)
{
	struct sip_answer a;
	uint8_t rnd[TX_TAG_BYTES];
	char tag[2 * TX_TAG_BYTES + 1], *text;
	size_t len;

	sip_answer_init(&a, code, phrase);
	if (name != NULL)
		(void)sip_answer_add(&a, name, value);
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(tag, sizeof(tag), rnd, sizeof(rnd));
	text = respond(s, p, m, &a, code == 100 ? NULL : tag, &len);
	free(text);
	sip_answer_clear(&a);
}

static void
reply_warning(struct sipd *s, const struct sipd_peer *p, const struct sipmsg *m, int code,
    const char *phrase, const char *why)
{
	char w[256];

	snprintf(w, sizeof(w), "399 stird-sipd \"%s\"", why);
	reply(s, p, m, code, phrase, "Warning", w);
}

/* The final response of t: sent, remembered, retransmitted over UDP. */
static void
tx_finish(struct sipd_tx *t, const struct sip_answer *a)
{
	struct sipd *s = t->s;
	const struct sip_fields *f = sipmsg_fields(t->req);
	char cid[96];
	size_t len = 0;
	char *text = respond(s, &t->peer, t->req, a, t->tag, &len);

	log_info("INVITE call-id '%s': %s -> %d %s",
	    stir_log_quote(f->call_id, strlen(f->call_id), cid, sizeof(cid)),
	    op_names[t->op], a->code, a->phrase);
	free(t->last);
	t->last = text;
	t->last_len = text != NULL ? len : 0;
	t->final = true;
	t->done_at = sipd_now(s);
	t->interval = SIPD_T1_MS;
	t->next_rexmit = t->done_at + t->interval;
	sipmsg_free(t->req);
	t->req = NULL;
	if (t->peer.tcp != NULL) {
		/* reliable: nothing to retransmit; a retransmitted INVITE is
		 * answered on the connection it came on */
		sipd_tcp_unref(t->peer.tcp);
		t->peer.tcp = NULL;
		t->acked = true;
	}
}

static void
tx_finish_code(struct sipd_tx *t, int code, const char *phrase, const char *why)
{
	struct sip_answer a;
	char w[256];

	sip_answer_init(&a, code, phrase);
	if (why != NULL) {
		snprintf(w, sizeof(w), "399 stird-sipd \"%s\"", why);
		(void)sip_answer_add(&a, "Warning", w);
	}
	tx_finish(t, &a);
	sip_answer_clear(&a);
}

/* stird answered (or the connection to it failed). */
static void
on_reply(void *arg, int err, const char *errmsg, const char *result)
{
	struct sipd_tx *t = arg;
	struct sipd *s = t->s;
	struct sip_answer a;
	int r;

	t->id = 0;
	if (s->stopping)
		return;
	if (err != STIR_OK) {
		char q[256];

		log_notice("stird: %s failed: %s: %s", op_names[t->op], stir_errname(err),
		    errmsg ? stir_log_quote(errmsg, strlen(errmsg), q, sizeof(q)) : "");
		sipmap_error_answer(t->op, err, errmsg, s->conf->retry_after, &a);
		if (a.code == 503)
			s->st.answered_503++;
	} else {
		if (t->op == SIPD_OP_SIGN)
			r = sipmap_sign_answer(sipmsg_fields(t->req), result, &a);
		else
			r = sipmap_verify_answer(sipmsg_fields(t->req), result,
			    (enum sipd_on_failure)s->conf->on_verify_failure, &a);
		if (r != STIR_OK) {
			char q[160];

			log_err("stird's %s result could not be used (%s): %s", op_names[t->op],
			    stir_errname(r), result != NULL ?
			    stir_log_quote(result, strlen(result), q, sizeof(q)) : "null");
			sip_answer_init(&a, 500, "Server Internal Error");
		}
	}
	tx_finish(t, &a);
	sip_answer_clear(&a);
}

/* ---- requests ---- */

static void
invite(struct sipd *s, const struct sipd_peer *p, struct sipmsg *m)
{
	const struct sip_fields *f = sipmsg_fields(m);
	struct sipd_tx *t;
	enum sipd_op op;
	const char *attest = p->l->attest, *why = NULL;
	char *key, *params = NULL;
	int r;

	if ((key = tx_key(f, p)) == NULL) {
		reply_warning(s, p, m, 400, "Bad Request", "transaction key too long");
		sipmsg_free(m);
		return;
	}
	if ((t = tx_find(s, key)) != NULL) {
		/* a retransmission: the same answer again, stird not asked */
		free(key);
		s->st.retransmissions++;
		if (t->last != NULL)
			sipd_send(s, p, t->last, t->last_len);
		sipmsg_free(m);
		return;
	}
	if ((t = tx_new(s, p, key)) == NULL) {
		free(key);
		s->st.answered_503++;
		reply(s, p, m, 503, "Service Unavailable", "Retry-After", "1");
		sipmsg_free(m);
		return;
	}
	t->req = m;
	if (p->tcp == NULL) {
		struct sip_answer a;

		sip_answer_init(&a, 100, "Trying");
		t->last = respond(s, p, m, &a, NULL, &t->last_len);
	}
	if (s->conf->attest_header[0] != '\0') {
		const char *h = sipmsg_header(m, s->conf->attest_header);

		if (h != NULL)
			attest = h;
	}
	if (sipmap_request(f, p->l->mode, attest, &op, &params, &why) != STIR_OK) {
		t->op = f->nidentity > 0 ? SIPD_OP_VERIFY : SIPD_OP_SIGN;
		tx_finish_code(t, 400, "Bad Request", why ? why : "cannot map the request");
		return;
	}
	t->op = op;
	if (op == SIPD_OP_SIGN)
		s->st.signs++;
	else
		s->st.verifies++;
	r = upstream_call(s, op_names[op], params, on_reply, t, &t->slot, &t->id);
	free(params);
	if (r != STIR_OK) {
		struct sip_answer a;

		sipmap_error_answer(op, r, "stird is not reachable", s->conf->retry_after, &a);
		s->st.answered_503 += a.code == 503;
		tx_finish(t, &a);
		sip_answer_clear(&a);
	}
}

static void
ack(struct sipd *s, const struct sipd_peer *p, struct sipmsg *m)
{
	const struct sip_fields *f = sipmsg_fields(m);
	char *key = tx_key(f, p);
	struct sipd_tx *t = key != NULL ? tx_find(s, key) : NULL;

	s->st.acks++;
	if (t != NULL && t->final)
		t->acked = true;
	free(key);
	sipmsg_free(m);
}

static void
cancel(struct sipd *s, const struct sipd_peer *p, struct sipmsg *m)
{
	const struct sip_fields *f = sipmsg_fields(m);
	char *key = tx_key(f, p);
	struct sipd_tx *t = key != NULL ? tx_find(s, key) : NULL;

	free(key);
	if (t == NULL) {
		reply(s, p, m, 481, "Call/Transaction Does Not Exist", NULL, NULL);
		sipmsg_free(m);
		return;
	}
	reply(s, p, m, 200, "OK", NULL, NULL);
	if (!t->final) {
		if (t->id > 0) {
			upstream_cancel(s, t->slot, t->id);
			t->id = 0;
		}
		tx_finish_code(t, 487, "Request Terminated", NULL);
	}
	sipmsg_free(m);
}

void
sipd_message(struct sipd *s, const struct sipd_peer *p, const char *buf, size_t len)
{
	struct sipmsg *m = NULL;
	const struct sip_fields *f;
	const char *why = NULL;
	char q[128];
	int r;

	s->st.received++;
	if ((r = sipmsg_parse(buf, len, s->conf->max_headers, false, &m, &why)) != STIR_OK) {
		s->st.malformed++;
		if (p->tcp == NULL) {
			stir_log(STIR_LOG_DEBUG, "UDP datagram dropped: %s", why ? why : stir_strerror(r));
			s->st.dropped++;
		} else
			sipd_tcp_refuse(p->tcp, r);	/* 400, then closed */
		return;
	}
	f = sipmsg_fields(m);
	if (!f->is_request) {
		sipmsg_free(m);		/* a stray response */
		return;
	}
	if (!sipmsg_check(m, &why)) {
		s->st.malformed++;
		log_info("bad %s request: %s", stir_log_quote(f->method, strlen(f->method), q,
		    sizeof(q)), why);
		if (strcmp(f->method, "ACK") != 0)
			reply_warning(s, p, m, 400, "Bad Request", why);
		sipmsg_free(m);
		return;
	}
	if (strcmp(f->method, "INVITE") == 0) {
		invite(s, p, m);	/* takes m */
		return;
	}
	if (strcmp(f->method, "ACK") == 0) {
		ack(s, p, m);
		return;
	}
	if (strcmp(f->method, "CANCEL") == 0) {
		cancel(s, p, m);
		return;
	}
	if (strcmp(f->method, "OPTIONS") == 0)
		reply(s, p, m, 200, "OK", "Allow", ALLOW);
	else {
		bool known = false;

		for (size_t i = 0; known_methods[i] != NULL; i++)
			known = known || strcmp(f->method, known_methods[i]) == 0;
		if (known)
			reply(s, p, m, 405, "Method Not Allowed", "Allow", ALLOW);
		else
			reply(s, p, m, 501, "Not Implemented", "Allow", ALLOW);
	}
	sipmsg_free(m);
}

/* ---- time ---- */

void
sipd_tx_tick(struct sipd *s, uint64_t now)
{
	uint64_t giveup = (uint64_t)s->conf->deadline_ms + SIPD_DEADLINE_SLACK_MS;
	struct sipd_tx *t, *next;

	for (t = s->tx_all; t != NULL; t = next) {
		next = t->next;
		if (!t->final) {
			if (now - t->started >= giveup) {
				if (t->id > 0) {
					upstream_cancel(s, t->slot, t->id);
					t->id = 0;
				}
				tx_finish_code(t, 504, "Server Time-out", "stird did not answer in time");
			}
			continue;
		}
		if (now - t->done_at >= SIPD_TX_LINGER_MS) {
			tx_free(t);
			continue;
		}
		if (!t->acked && t->last != NULL && now >= t->next_rexmit) {
			sipd_send(s, &t->peer, t->last, t->last_len);
			t->interval = t->interval * 2 > SIPD_T2_MS ? SIPD_T2_MS : t->interval * 2;
			t->next_rexmit = now + t->interval;
		}
	}
}

void
sipd_tx_free_all(struct sipd *s)
{
	while (s->tx_all != NULL)
		tx_free(s->tx_all);
}
