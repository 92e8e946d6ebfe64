/* routes.c: the route table (doc/http.md "Routes"). */
#include "config.h"

#include "client/stird-http/door.h"

const struct route door_routes[] = {
	/* path                  method  permission   JSON body  error style   handler            metrics label */
	{ "/stir/v1/signing",      "POST", PERM_SIGN,   true,  STYLE_SHAKEN, route_shaken_sign,   "signing" },
	{ "/stir/v1/verification", "POST", PERM_VERIFY, true,  STYLE_SHAKEN, route_shaken_verify, "verification" },
	{ "/v1/sign",              "POST", PERM_SIGN,   true,  STYLE_NATIVE, route_native_sign,   "sign" },
	{ "/v1/verify",            "POST", PERM_VERIFY, true,  STYLE_NATIVE, route_native_verify, "verify" },
	{ "/metrics",              "GET",  PERM_STATS,  false, STYLE_NATIVE, route_metrics,       "metrics" },
	{ "/healthz",              "GET",  0,           false, STYLE_NATIVE, route_healthz,       "healthz" },
};
const size_t door_nroutes = sizeof(door_routes) / sizeof(door_routes[0]);
