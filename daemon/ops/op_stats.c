/*
 * op_stats.c: op "stats" (the metrics, doc/protocol.md 4.13), and the
 * hook that counts every request as its reply goes out.  The counters
 * themselves are metrics.c's; this file knows the server around them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stirclient.h"
#include "daemon/pki/certcache.h"
#include "daemon/sign/creds.h"
#include "daemon/ops/ops.h"
#include "daemon/pki/fetch.h"
#include "daemon/base/metrics.h"
#include "daemon/core/server.h"
#include "daemon/fleet/redis.h"
#include "daemon/fleet/shared_cache.h"

void
op_stats(struct stir_req *req)
{
	struct stir_server *srv = req->conn->srv;
	struct stir_metrics_view v;
	struct stir_metrics_cred *creds = NULL;
	struct stir_fetch_stats fs;
	struct stir_certcache_stats cs;
	const char *names[STIR_METRICS_OPS];
	json_t *fams = NULL;

	memset(&v, 0, sizeof(v));
	v.now = (int64_t)time(NULL);
	v.nops = srv->nops < STIR_METRICS_OPS ? srv->nops : STIR_METRICS_OPS;
	for (size_t i = 0; i < v.nops; i++)
		names[i] = srv->ops[i].schema->name;
	v.op_names = names;
	v.conns[STIR_M_SOCK_SERVICE] = srv->nconns;
	v.conns[STIR_M_SOCK_ADMIN] = srv->nadmin;
	/* this request is being answered: it is not in flight any more */
	v.inflight = srv->inflight_total > 0 ? srv->inflight_total - 1 : 0;
	if (srv->fetcher != NULL) {
		stir_fetcher_stats(srv->fetcher, &fs);
		v.has_fetcher = true;
		v.fetch_active = fs.active;
		v.fetch_queued = fs.queued;
		memcpy(v.fetch_outcomes, fs.outcomes, sizeof(v.fetch_outcomes));
		v.fetch_refused_at_once = fs.refused;
		v.fetch_latency = &fs.latency;
	}
	if (srv->certcache != NULL) {
		stir_certcache_stats(srv->certcache, &cs);
		v.has_cache = true;
		v.cache_entries = cs.entries;
		v.cache_bytes = cs.bytes;
		v.cache_hits = cs.hits;
		v.cache_misses = cs.misses;
		v.cache_negative_hits = cs.negative_hits;
	}
	if (srv->redis != NULL) {
		struct stir_redis_stats rs;

		stir_redis_stats(srv->redis, &rs);
		v.has_redis = true;
		v.redis_state = rs.state;
		v.redis_connects = rs.connects;
		v.redis_disconnects = rs.disconnects;
		v.redis_commands = rs.commands;
		v.redis_replies = rs.replies;
		v.redis_errors = rs.errors;
		v.redis_timeouts = rs.timeouts;
		v.redis_refused = rs.refused;
		v.redis_rtt_us_sum = rs.rtt_us_sum;
		v.redis_rtt_us_max = rs.rtt_us_max;
		v.replay_shared_checks = srv->replay_shared.checks;
		v.replay_shared_replays = srv->replay_shared.replays;
		v.replay_shared_failures = srv->replay_shared.failures;
		v.replay_shared_closed = srv->replay_shared.closed;
	}
	if (srv->shared_cache != NULL) {
		struct stir_shared_cache_stats ss;

		stir_shared_cache_stats(srv->shared_cache, &ss);
		v.has_shared_cache = true;
		v.shared_hits = ss.hits;
		v.shared_misses = ss.misses;
		v.shared_waits = ss.waits;
		v.shared_waited_hits = ss.waited_hits;
		v.shared_published = ss.published;
		v.shared_bypassed = ss.bypassed;
	}
	if (req->state->creds != NULL && req->state->creds->n > 0) {
		v.ncreds = req->state->creds->n < STIR_METRICS_CREDS ? req->state->creds->n : STIR_METRICS_CREDS;
		if ((creds = calloc(v.ncreds, sizeof(*creds))) == NULL) {
			stir_req_fail(req, STIR_ENOMEM, NULL);
			return;
		}
		for (size_t i = 0; i < v.ncreds; i++) {
			creds[i].name = req->state->creds->v[i].name;
			creds[i].not_after = req->state->creds->v[i].not_after;
		}
		v.creds = creds;
	}
	if ((fams = stir_metrics_json(&srv->metrics, &v)) == NULL ||
	    (req->result = json_pack("{s:I, s:o}", "uptime",
	    (json_int_t)(v.now - (int64_t)srv->started), "metrics", fams)) == NULL)
		stir_req_set_error(req, STIR_ENOMEM, NULL);
	free(creds);
	stir_req_reply(req);
}
