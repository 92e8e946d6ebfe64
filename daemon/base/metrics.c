/* metrics.c: stird's counters and histograms, and their JSON families. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/base/metrics.h"

/* bucket bounds in ns: 0.1 ms .. 10 s in 1-2.5-5 steps */
static const uint64_t bounds_ns[STIR_HIST_BUCKETS] = {
	100000, 250000, 500000,
	1000000, 2500000, 5000000,
	10000000, 25000000, 50000000,
	100000000, 250000000, 500000000,
	1000000000, 2500000000u, 5000000000u,
	10000000000u,
};

/* errno-valued codes, in the order of their outcome slots */
static const int errno_codes[9] = {
	STIR_ENOMEM, STIR_EINVAL, STIR_EPERM, STIR_ENOENT, STIR_EEXIST, STIR_EIO,
	STIR_ETIMEDOUT, STIR_EBUSY, STIR_ECONNREFUSED,
};

static const char *const verstats[_STIR_M_VERSTAT_MAX] = {
	"TN-Validation-Passed", "TN-Validation-Failed", "No-TN-Validation",
};

static const char *const codes[_STIR_M_CODE_MAX] = {
	"none", "403", "428", "436", "437", "438", "other",
};

static const char *const ppts[_STIR_M_PPT_MAX] = {
	"shaken", "rcd", "div", "div-o", "msg", "rsp", "other",
};

static const char *const sockets[_STIR_M_SOCK_MAX] = { "service", "admin" };

static const char *const fetch_outcomes[_STIR_M_FETCH_MAX] = {
	"ok", "timeout", "refused", "too_big", "busy", "error",
};

double
stir_histogram_bound(size_t i)
{
	return i < STIR_HIST_BUCKETS ? (double)bounds_ns[i] / 1e9 : 0.0;
}

void
stir_histogram_observe(struct stir_histogram *h, uint64_t ns)
{
	size_t i = 0;

	while (i < STIR_HIST_BUCKETS && ns > bounds_ns[i])
		i++;
	h->counts[i]++;
	h->count++;
	h->sum_ns += ns;
}

void
stir_metrics_init(struct stir_metrics *m)
{
	memset(m, 0, sizeof(*m));
}

size_t
stir_metrics_outcome_index(int err)
{
	if (err == STIR_OK)
		return STIR_M_OUTCOME_OK;
	for (size_t i = 0; i < sizeof(errno_codes) / sizeof(errno_codes[0]); i++)
		if (err == errno_codes[i])
			return STIR_M_OUTCOME_ERRNO + i;
	if (err <= STIR_EPROTO && err > STIR_EPROTO - STIR_METRICS_DOMAIN_ERRS)
		return STIR_M_OUTCOME_DOMAIN + (size_t)(STIR_EPROTO - err);
	return STIR_M_OUTCOME_OTHER;
}

const char *
stir_metrics_outcome_name(size_t idx)
{
	if (idx == STIR_M_OUTCOME_OK)
		return "ok";
	if (idx >= STIR_M_OUTCOME_ERRNO && idx < STIR_M_OUTCOME_DOMAIN)
		return stir_errname(errno_codes[idx - STIR_M_OUTCOME_ERRNO]);
	if (idx >= STIR_M_OUTCOME_DOMAIN && idx < STIR_M_OUTCOME_OTHER)
		return stir_errname(STIR_EPROTO - (int)(idx - STIR_M_OUTCOME_DOMAIN));
	return "EUNKNOWN";
}

void
stir_metrics_request(struct stir_metrics *m, int op, int err)
{
	size_t o = op >= 0 && op < STIR_METRICS_OPS ? (size_t)op : STIR_METRICS_OPS;

	m->requests[o][stir_metrics_outcome_index(err)]++;
}

/* The slot of a credential name: its own while there is room, else "other". */
static size_t
cred_slot(struct stir_metrics *m, const char *cred)
{
	for (size_t i = 0; i < m->ncreds; i++)
		if (strncmp(m->cred_names[i], cred, STIR_METRICS_NAME_MAX) == 0)
			return i;
	if (m->ncreds >= STIR_METRICS_CREDS)
		return STIR_METRICS_CREDS;
	snprintf(m->cred_names[m->ncreds], sizeof(m->cred_names[0]), "%s", cred);
	return m->ncreds++;
}

static size_t
index_of(const char *const *names, size_t n, const char *s, size_t dflt)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return dflt;
}

void
stir_metrics_sign(struct stir_metrics *m, uint64_t ns, int err, const char *cred,
    const char *ppt)
{
	stir_histogram_observe(&m->sign_latency, ns);
	if (err != STIR_OK || cred == NULL)
		return;
	m->signs[cred_slot(m, cred)][index_of(ppts, _STIR_M_PPT_MAX, ppt != NULL ? ppt :
	    "shaken", STIR_M_PPT_OTHER)]++;
}

static size_t
code_slot(json_int_t code)
{
	switch (code) {
	case 403:	return STIR_M_CODE_403;
	case 428:	return STIR_M_CODE_428;
	case 436:	return STIR_M_CODE_436;
	case 437:	return STIR_M_CODE_437;
	case 438:	return STIR_M_CODE_438;
	default:	return STIR_M_CODE_OTHER;
	}
}

/* The cause of an RFC 9410 Reason value ("STIR;cause=438;text=..."), or -1. */
static json_int_t
reason_cause(const char *r)
{
	const char *p;
	json_int_t v = 0;
	int n = 0;

	if (r == NULL || (p = strstr(r, ";cause=")) == NULL)
		return -1;
	for (p += 7; *p >= '0' && *p <= '9' && n < 4; p++, n++)
		v = v * 10 + (*p - '0');
	return n == 3 ? v : -1;
}

void
stir_metrics_verify(struct stir_metrics *m, uint64_t ns, int err, const json_t *result)
{
	const json_t *e, *r;
	size_t vs, i;

	stir_histogram_observe(&m->verify_latency, ns);
	if (err != STIR_OK || !json_is_object(result))
		return;
	vs = index_of(verstats, _STIR_M_VERSTAT_MAX,
	    json_string_value(json_object_get(result, "verstat")), _STIR_M_VERSTAT_MAX);
	if (vs == _STIR_M_VERSTAT_MAX)
		return;		/* not a verdict */
	e = json_object_get(result, "error");
	m->verdicts[vs][json_is_object(e) ? code_slot(json_integer_value(json_object_get(e,
	    "code"))) : STIR_M_CODE_NONE]++;
	json_array_foreach(json_object_get(result, "reason"), i, r)
		m->reasons[code_slot(reason_cause(json_string_value(r)))]++;
}

void
stir_metrics_conn(struct stir_metrics *m, enum stir_m_socket s, bool accepted)
{
	if (s >= _STIR_M_SOCK_MAX)
		return;
	if (accepted)
		m->accepted[s]++;
	else
		m->refused[s]++;
}

void
stir_metrics_policy_refresh(struct stir_metrics *m, size_t ok, size_t failed)
{
	m->policy_refresh_ok += ok;
	m->policy_refresh_error += failed;
}

/* ---- rendering ---- */

/* A family with no samples yet; appended to fams. */
static json_t *
family(json_t *fams, const char *name, const char *type, const char *help)
{
	json_t *f = json_pack("{s:s, s:s, s:s, s:[]}", "name", name, "type", type,
	    "help", help, "samples");

	if (f == NULL || json_array_append_new(fams, f) != 0)
		return NULL;
	return json_object_get(f, "samples");
}

/*
 * Append {"labels":labels,"value":value} (both stolen).  A NULL (no
 * memory) drops the sample rather than mislabel it.
 */
static void
add(json_t *samples, json_t *labels, json_t *value)
{
	json_t *s = NULL;

	if (samples != NULL && labels != NULL && value != NULL &&
	    (s = json_pack("{s:O, s:O}", "labels", labels, "value", value)) != NULL)
		(void)json_array_append_new(samples, s);
	json_decref(labels);
	json_decref(value);
}

/* Counts are exact as integers up to 2^63: render them as integers. */
static void
sample_u(json_t *samples, json_t *labels, uint64_t v)
{
	add(samples, labels, json_integer((json_int_t)(v > INT64_MAX ? INT64_MAX : v)));
}

static void
sample_i(json_t *samples, json_t *labels, int64_t v)
{
	add(samples, labels, json_integer((json_int_t)v));
}

static void
sample_f(json_t *samples, json_t *labels, double v)
{
	add(samples, labels, json_real(v));
}

static void
hist_sample(json_t *samples, json_t *labels, const struct stir_histogram *h)
{
	json_t *b = json_array(), *s;
	uint64_t cum = 0;

	if (samples == NULL || labels == NULL || b == NULL) {
		json_decref(labels);
		json_decref(b);
		return;
	}
	for (size_t i = 0; i < STIR_HIST_BUCKETS; i++) {
		cum += h->counts[i];
		(void)json_array_append_new(b, json_pack("{s:f, s:I}", "le",
		    stir_histogram_bound(i), "count", (json_int_t)cum));
	}
	s = json_pack("{s:o, s:o, s:I, s:f}", "labels", labels, "buckets", b,
	    "count", (json_int_t)h->count, "sum", (double)h->sum_ns / 1e9);
	if (s != NULL)
		(void)json_array_append_new(samples, s);
}

static void
render_requests(json_t *fams, const struct stir_metrics *m, const struct stir_metrics_view *v)
{
	json_t *s = family(fams, "stird_requests_total", "counter",
	    "Requests answered, by op and outcome (ok or the error's name)");

	for (size_t o = 0; o <= STIR_METRICS_OPS; o++)
		for (size_t k = 0; k < _STIR_M_OUTCOME_MAX; k++) {
			const char *op = o < v->nops && o < STIR_METRICS_OPS ? v->op_names[o] :
			    "unknown";

			if (m->requests[o][k] != 0)
				sample_u(s, json_pack("{s:s, s:s}", "op", op, "outcome",
				    stir_metrics_outcome_name(k)), m->requests[o][k]);
		}
}

static void
render_verify(json_t *fams, const struct stir_metrics *m)
{
	json_t *s = family(fams, "stird_verify_verdicts_total", "counter",
	    "Verify verdicts, by verstat and SIP code (none: no error)");

	for (size_t i = 0; i < _STIR_M_VERSTAT_MAX; i++)
		for (size_t c = 0; c < _STIR_M_CODE_MAX; c++)
			if (m->verdicts[i][c] != 0)
				sample_u(s, json_pack("{s:s, s:s}", "verstat", verstats[i],
				    "code", codes[c]), m->verdicts[i][c]);
	s = family(fams, "stird_verify_reasons_total", "counter",
	    "RFC 9410 Reason values given by verify, by cause");
	for (size_t c = STIR_M_CODE_NONE + 1; c < _STIR_M_CODE_MAX; c++)
		if (m->reasons[c] != 0)
			sample_u(s, json_pack("{s:s}", "cause", codes[c]), m->reasons[c]);
	hist_sample(family(fams, "stird_verify_duration_seconds", "histogram",
	    "Time from a verify request's arrival to its reply"), json_object(), &m->verify_latency);
}

static void
render_sign(json_t *fams, const struct stir_metrics *m)
{
	json_t *s = family(fams, "stird_signs_total", "counter",
	    "Successful sign requests, by credential and ppt");

	for (size_t c = 0; c <= STIR_METRICS_CREDS; c++)
		for (size_t p = 0; p < _STIR_M_PPT_MAX; p++)
			if (m->signs[c][p] != 0)
				sample_u(s, json_pack("{s:s, s:s}", "cred", c < m->ncreds ?
				    m->cred_names[c] : "other", "ppt", ppts[p]), m->signs[c][p]);
	hist_sample(family(fams, "stird_sign_duration_seconds", "histogram",
	    "Time from a sign request's arrival to its reply"), json_object(), &m->sign_latency);
}

static void
render_fetch(json_t *fams, const struct stir_metrics_view *v)
{
	json_t *s;

	if (!v->has_fetcher && !v->has_cache)
		return;
	s = family(fams, "stird_fetches_total", "counter",
	    "x5u, CRL and RCD content fetches, by outcome (negative_cache_hit: a cached failure answered)");
	for (size_t i = 0; v->has_fetcher && i < _STIR_M_FETCH_MAX; i++)
		sample_u(s, json_pack("{s:s}", "outcome", fetch_outcomes[i]),
		    v->fetch_outcomes[i] + (i == STIR_M_FETCH_BUSY ? v->fetch_refused_at_once : 0));
	if (v->has_cache)
		sample_u(s, json_pack("{s:s}", "outcome", "negative_cache_hit"),
		    v->cache_negative_hits);
	if (!v->has_fetcher)
		return;
	if (v->fetch_latency != NULL)
		hist_sample(family(fams, "stird_fetch_duration_seconds", "histogram",
		    "Time a fetch took, from its start (queueing included) to its end"),
		    json_object(), v->fetch_latency);
	sample_u(family(fams, "stird_fetch_active", "gauge", "Fetches running now"), json_object(),
	    v->fetch_active);
	sample_u(family(fams, "stird_fetch_queued", "gauge", "Fetches waiting for a slot now"),
	    json_object(), v->fetch_queued);
}

static void
render_cache(json_t *fams, const struct stir_metrics_view *v)
{
	uint64_t looks = v->cache_hits + v->cache_misses;

	if (!v->has_cache)
		return;
	sample_u(family(fams, "stird_cache_entries", "gauge",
	    "Fetched entries in the memory cache"), json_object(), v->cache_entries);
	sample_u(family(fams, "stird_cache_bytes", "gauge",
	    "What the cached entries cost in memory, bytes"), json_object(), v->cache_bytes);
	sample_u(family(fams, "stird_cache_hits_total", "counter",
	    "Cache lookups answered by a fresh entry (failures included)"), json_object(), v->cache_hits);
	sample_u(family(fams, "stird_cache_misses_total", "counter",
	    "Cache lookups that needed a fetch"), json_object(), v->cache_misses);
	sample_f(family(fams, "stird_cache_hit_ratio", "gauge",
	    "hits / (hits + misses) since the start; 0 before any lookup"), json_object(),
	    looks != 0 ? (double)v->cache_hits / (double)looks : 0.0);
}

static void
render_fleet(json_t *fams, const struct stir_metrics_view *v)
{
	static const char *const states[] = { "up", "connecting", "stalled", "down" };
	json_t *f;

	if (!v->has_redis)
		return;
	f = family(fams, "stird_redis_state", "gauge",
	    "The fleet's Redis link: 1 for the state it is in");
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		sample_u(f, json_pack("{s:s}", "state", states[i]),
		    strcmp(v->redis_state, states[i]) == 0);
	sample_u(family(fams, "stird_redis_connects_total", "counter",
	    "Connections to Redis that became usable"), json_object(), v->redis_connects);
	sample_u(family(fams, "stird_redis_disconnects_total", "counter",
	    "Usable connections to Redis that were lost"), json_object(), v->redis_disconnects);
	f = family(fams, "stird_redis_commands_total", "counter",
	    "Redis commands, by outcome (refused: not sent, the link was not up)");
	sample_u(f, json_pack("{s:s}", "outcome", "answered"), v->redis_replies);
	sample_u(f, json_pack("{s:s}", "outcome", "error"), v->redis_errors);
	sample_u(f, json_pack("{s:s}", "outcome", "timeout"), v->redis_timeouts);
	sample_u(f, json_pack("{s:s}", "outcome", "refused"), v->redis_refused);
	sample_f(family(fams, "stird_redis_round_trip_seconds_total", "counter",
	    "Round trips of the commands answered in time, summed (divide by the answered count)"),
	    json_object(), (double)v->redis_rtt_us_sum / 1e6);
	sample_f(family(fams, "stird_redis_round_trip_max_seconds", "gauge",
	    "The longest round trip of a command answered in time"), json_object(),
	    (double)v->redis_rtt_us_max / 1e6);
	f = family(fams, "stird_replay_shared_total", "counter",
	    "Replay checks across the fleet: asked, found (a replay), unanswered (the local window "
	    "judged), and failed by replay_shared_failure = closed");
	sample_u(f, json_pack("{s:s}", "outcome", "asked"), v->replay_shared_checks);
	sample_u(f, json_pack("{s:s}", "outcome", "replay"), v->replay_shared_replays);
	sample_u(f, json_pack("{s:s}", "outcome", "unanswered"), v->replay_shared_failures);
	sample_u(f, json_pack("{s:s}", "outcome", "closed"), v->replay_shared_closed);
	if (!v->has_shared_cache)
		return;
	f = family(fams, "stird_cache_shared_total", "counter",
	    "The certificate cache's fleet level: hit, miss, wait (another host was fetching), "
	    "waited_hit, published, bypassed (Redis not up or failing: fetched here)");
	sample_u(f, json_pack("{s:s}", "outcome", "hit"), v->shared_hits);
	sample_u(f, json_pack("{s:s}", "outcome", "miss"), v->shared_misses);
	sample_u(f, json_pack("{s:s}", "outcome", "wait"), v->shared_waits);
	sample_u(f, json_pack("{s:s}", "outcome", "waited_hit"), v->shared_waited_hits);
	sample_u(f, json_pack("{s:s}", "outcome", "published"), v->shared_published);
	sample_u(f, json_pack("{s:s}", "outcome", "bypassed"), v->shared_bypassed);
}

static void
render_conns(json_t *fams, const struct stir_metrics *m, const struct stir_metrics_view *v)
{
	json_t *g = family(fams, "stird_connections", "gauge", "Open connections, by socket");
	json_t *a = family(fams, "stird_connections_accepted_total", "counter",
	    "Connections accepted, by socket");
	json_t *r = family(fams, "stird_connections_refused_total", "counter",
	    "Connections refused (permission, limits, shutdown), by socket");

	for (size_t i = 0; i < _STIR_M_SOCK_MAX; i++) {
		sample_u(g, json_pack("{s:s}", "socket", sockets[i]), v->conns[i]);
		sample_u(a, json_pack("{s:s}", "socket", sockets[i]), m->accepted[i]);
		sample_u(r, json_pack("{s:s}", "socket", sockets[i]), m->refused[i]);
	}
	sample_u(family(fams, "stird_inflight_requests", "gauge",
	    "Requests being processed now"), json_object(), v->inflight);
}

json_t *
stir_metrics_json(const struct stir_metrics *m, const struct stir_metrics_view *v)
{
	json_t *fams = json_array(), *s;

	if (fams == NULL)
		return NULL;
	render_requests(fams, m, v);
	render_sign(fams, m);
	render_verify(fams, m);
	render_fetch(fams, v);
	render_cache(fams, v);
	render_fleet(fams, v);
	s = family(fams, "stird_credential_expiry_seconds", "gauge",
	    "Seconds until each credential's certificate expires (negative: expired)");
	for (size_t i = 0; i < v->ncreds && i < STIR_METRICS_CREDS; i++)
		sample_i(s, json_pack("{s:s}", "cred", v->creds[i].name),
		    v->creds[i].not_after - v->now);
	s = family(fams, "stird_rcd_policy_refresh_total", "counter",
	    "RCD policy content URLs fetched again, by outcome");
	sample_u(s, json_pack("{s:s}", "outcome", "ok"), m->policy_refresh_ok);
	sample_u(s, json_pack("{s:s}", "outcome", "error"), m->policy_refresh_error);
	render_conns(fams, m, v);
	return fams;
}
