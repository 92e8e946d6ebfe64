/*
 * route_metrics.c: GET /metrics (Prometheus text: stird's stats families,
 * rendered by prom.c, then the door's own stird_http_* families) and
 * GET /healthz (200 when stird answers ping, else 503).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "client/stird-http/door.h"
#include "client/stird-http/prom.h"

#define PROM_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* HTTP statuses counted apart; index 0 is "other". */
static const int counted_codes[DOOR_CODES_MAX] = {
	0, 200, 400, 401, 403, 404, 405, 413, 415, 422, 500, 503, 504,
};

static size_t
code_index(int status)
{
	for (size_t i = 1; i < DOOR_CODES_MAX && counted_codes[i] != 0; i++)
		if (counted_codes[i] == status)
			return i;
	return 0;
}

void
door_count(struct door *d, const struct route *rt, int status)
{
	size_t ri = rt != NULL ? (size_t)(rt - door_routes) : door_nroutes;

	if (ri < 16)
		d->stats.requests[ri][code_index(status)]++;
}

static void
door_families(struct door *d, struct prom_buf *b, bool stird_up)
{
	prom_family(b, "stird_http_requests_total", "counter",
	    "HTTP requests answered by stird-http, by route and status code.");
	for (size_t ri = 0; ri <= door_nroutes && ri < 16; ri++)
		for (size_t ci = 0; ci < DOOR_CODES_MAX; ci++) {
			uint64_t n = d->stats.requests[ri][ci];

			if (n == 0)
				continue;
			prom_printf(b, "stird_http_requests_total{route=\"%s\",code=\"",
			    ri < door_nroutes ? door_routes[ri].name : "none");
			if (ci == 0)
				prom_printf(b, "other");
			else
				prom_printf(b, "%d", counted_codes[ci]);
			prom_printf(b, "\"} %llu\n", (unsigned long long)n);
		}
	prom_family(b, "stird_http_connections", "gauge",
	    "HTTP connections open now.");
	prom_printf(b, "stird_http_connections %u\n", d->stats.connections);
	prom_family(b, "stird_http_refused_connections_total", "counter",
	    "HTTP connections answered 503 for max_connections.");
	prom_printf(b, "stird_http_refused_connections_total %llu\n",
	    (unsigned long long)d->stats.refused_connections);
	prom_family(b, "stird_http_upstream_connections", "gauge",
	    "Connections to stird that are up now.");
	prom_printf(b, "stird_http_upstream_connections %u\n", up_connected(d->up));
	prom_family(b, "stird_http_stats_up", "gauge",
	    "1 if stird answered the stats op for this scrape, else 0.");
	prom_printf(b, "stird_http_stats_up %d\n", stird_up ? 1 : 0);
}

static void
on_stats(struct hreq *r, int err, const char *errmsg, json_t *result)
{
	struct prom_buf b = { NULL, 0, 0, 0 };
	bool up = false;

	if (err == STIR_OK)
		up = prom_render_stats_json(&b, result) >= 0;
	else
		log_debug("stats: %s", errmsg ? errmsg : stir_strerror(err));
	if (b.err != 0) {		/* start over with the door's own only */
		free(b.s);
		b = (struct prom_buf){ NULL, 0, 0, 0 };
		up = false;
	}
	/* count this scrape before rendering the door's counters */
	door_families(r->door, &b, up);
	if (b.err != 0) {
		free(b.s);
		hreq_fail_stir(r, b.err, NULL);
		return;
	}
	hreq_reply(r, 200, PROM_TYPE, b.s, b.len);
}

void
route_metrics(struct hreq *r)
{
	if (up_call(r->door->up, r, "stats", NULL, on_stats) != STIR_OK)
		on_stats(r, STIR_ECONNREFUSED, "stird is not reachable", NULL);
}

static void
on_ping(struct hreq *r, int err, const char *errmsg, json_t *result)
{
	char *body;

	(void)result;
	if (err != STIR_OK) {
		body = strdup("{\"status\":\"unavailable\"}");
		log_debug("healthz: %s", errmsg ? errmsg : stir_strerror(err));
		hreq_reply(r, 503, "application/json", body, body ? strlen(body) : 0);
		return;
	}
	body = strdup("{\"status\":\"ok\"}");
	hreq_reply(r, 200, "application/json", body, body ? strlen(body) : 0);
}

void
route_healthz(struct hreq *r)
{
	if (up_call(r->door->up, r, "ping", NULL, on_ping) != STIR_OK)
		on_ping(r, STIR_ECONNREFUSED, NULL, NULL);
}
