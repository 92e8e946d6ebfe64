/* conf.h: stird-http.conf, "key = value" as stird.conf (stird-http(8)). */
#ifndef STIR_HTTP_CONF_H
#define STIR_HTTP_CONF_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_CONF_MAX_LISTEN	16	/* listen lines */
#define HTTP_CONF_MAX_BYTES	(256 * 1024)

enum http_unauth {
	UNAUTH_AUTO,	/* yes on loopback/unix listeners without tokens and TLS */
	UNAUTH_YES,
	UNAUTH_NO,
	_UNAUTH_MAX
};

struct http_conf {
	char		*path;
	char		*listen[HTTP_CONF_MAX_LISTEN];
	size_t		 nlisten;
	char		*stird_socket;
	unsigned	 upstream_connections;
	unsigned	 deadline_ms;
	unsigned	 max_connections;
	unsigned	 max_body_bytes;
	unsigned	 idle_timeout_s;
	unsigned	 unix_socket_mode;
	char		*tls_cert;		/* "" = no TLS */
	char		*tls_key;
	char		*tls_client_ca;
	char		*client_cert_grants;
	char		*tokens_file;
	int		 allow_unauthenticated;	/* enum http_unauth */
	int		 log_level;
};

/*
 * Parse the text of a config file (path for messages).  On error returns
 * STIR_EINVAL (or STIR_ENOMEM) with "file:line: message" in err.
 */
int	http_conf_parse(const char *path, const char *text, size_t len,
	    struct http_conf **ret, char *err, size_t errlen);
/* Read and parse path. */
int	http_conf_load(const char *path, struct http_conf **ret, char *err,
	    size_t errlen);
void	http_conf_free(struct http_conf *cf);

#endif
