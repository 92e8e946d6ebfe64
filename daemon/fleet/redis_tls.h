/*
 * redis_tls.h: TLS to Redis (redis_tls = yes), for a hiredis that has
 * none (Debian 12 ships 0.14).  hiredis connects to a private Unix
 * socket of stird's (mode 0600, only this process may use it: its
 * peer's pid is checked); each connection accepted there is relayed to
 * the target Redis over TCP and TLS (GnuTLS): the server's certificate
 * is checked against redis_tls_ca_file (or the system's trust store) and
 * the name (redis_tls_name, else the host as configured or as a Sentinel
 * named it), and a client certificate is presented if configured (Redis
 * asks for one unless tls-auth-clients is no).  Loop thread only; both
 * sides are non-blocking and buffered, bounded by STIR_REDIS_TLS_BUF.
 */
#ifndef STIR_FLEET_REDIS_TLS_H
#define STIR_FLEET_REDIS_TLS_H

#include <stddef.h>
#include <uv.h>

#define STIR_REDIS_TLS_BUF	(256 * 1024)	/* either way, before reading pauses */

struct stir_config;
struct stir_redis_tls;

/*
 * Load the credentials and listen at path.  STIR_EINVAL with msg (a file
 * that cannot be read, a path that cannot be bound).
 */
int	stir_redis_tls_new(uv_loop_t *loop, const struct stir_config *cfg, const char *path,
	    struct stir_redis_tls **ret, char *msg, size_t msglen);
/* The connections accepted from now on go to host:port (numeric), checked as name. */
void	stir_redis_tls_target(struct stir_redis_tls *t, const char *host, int port,
	    const char *name);
const char *stir_redis_tls_path(const struct stir_redis_tls *t);
/* Close the listener and any relay; frees itself once its handles closed. */
void	stir_redis_tls_free(struct stir_redis_tls *t);

#endif
