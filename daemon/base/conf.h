/* conf.h: stird.conf, a strict "key = value" file (stird.conf(5)). */
#ifndef STIR_CONFIG_H
#define STIR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "daemon/base/conffile.h"

#define STIR_CONFIG_LINE_MAX	CONFFILE_LINE_MAX	/* longest config line */
#define STIR_CONFIG_MAX_BYTES	(1024 * 1024)

struct stir_config {
	unsigned refs;			/* atomic: states share a config */
	char	*path;			/* file it was read from */
	char	*socket;		/* service socket */
	char	*admin_socket;
	unsigned socket_mode;
	unsigned admin_socket_mode;
	char	*database;
	char	*key_dir;
	char	*x5u_ca_file;		/* "" = system bundle */
	bool	 x5u_allow_http;
	bool	 x5u_allow_private;
	unsigned fetch_timeout_ms;
	unsigned fetch_max_bytes;
	unsigned fetch_per_host;	/* transfers at once to one host:port */
	unsigned fetch_per_request;	/* transfers one request holds */
	unsigned fetch_queue_ms;	/* longest wait for a slot; 0 = fetch_timeout_ms */
	unsigned max_x5u_per_verify;	/* distinct x5u URLs one verify fetches */
	unsigned iat_window;		/* seconds */
	char	*sign_group;		/* "" = none */
	char	*verify_group;
	char	*admin_group;
	char	*stats_group;		/* op stats (metrics) */
	gid_t	 sign_gid, verify_gid, admin_gid, stats_gid;	/* (gid_t)-1 = none */
	unsigned max_request_bytes;
	unsigned threads;		/* 0 = one per CPU */
	unsigned max_connections;
	unsigned max_conn_per_uid;
	unsigned max_inflight;		/* per connection */
	unsigned idle_timeout_ms;	/* 0 = never */
	unsigned request_timeout_ms;	/* a started line must end within this */
	int	 log_level;
	bool	 deterministic_signatures;
	bool	 lock_memory;		/* mlockall() at start */
	char	*pkcs11_module;		/* "" = p11-kit's configured modules */
	int	 signer_mode;		/* STIR_SIGNER_PROCESS, _IN_PROCESS */
	bool	 signer_network;	/* the signer process may open inet sockets */
	char	*signer_write_dirs;	/* where else it may write (Landlock), a list */
	unsigned cred_expiry_warn_days;
	/* verification */
	unsigned cache_min_ttl;		/* seconds an x5u/CRL is kept at least */
	unsigned cache_max_ttl;		/* ... and at most */
	unsigned cache_negative_ttl;	/* seconds a failed fetch is remembered */
	unsigned cache_max_entries;
	unsigned cache_max_bytes;	/* memory the cached entries may cost */
	unsigned cache_store_max_bytes;	/* ... and their rows in the store */
	int	 crl_mode;		/* STIR_CRL_OFF, _SOFT, _HARD */
	char	*crl_file;		/* "" = none: PEM CRLs checked besides CRLDPs */
	unsigned date_iat_skew;		/* |Date - iat| allowed; 0 = not checked */
	unsigned replay_window;		/* seconds; 0 = no replay detection */
	bool	 replay_reject;		/* a replay fails the identity */
	/* Rich Call Data */
	unsigned rcd_icon_max_bytes;	/* largest icon accepted */
	unsigned rcd_jcard_max_bytes;	/* largest jCard accepted */
	bool	 rcd_require_rcdi;	/* URL content needs an rcdi digest */
	char	*rcd_call_info;		/* RFC 9796 Call-Info parts passed on */
	unsigned rcd_call_info_mask;	/* the same, as STIR_CI_* bits */
	bool	 rcd_require_constraints; /* RCD needs claim constraints in the path */
	bool	 rcd_anchors_only;	/* RCD needs an anchor added with --rcd */
	/* extensions */
	unsigned div_max_hops;		/* diversion hops followed */
	unsigned msg_max_body_bytes;	/* largest message body signed/verified */
	int	 failure_action;	/* STIR_ACTION_*: what a failed verification recommends */
	char	*connected_identity;	/* TN specs that sign rsp; "" = none */
	/* fleet mode (doc/fleet.md) */
	char	*redis;			/* host:port or unix:/path; "" = no Redis */
	char	*redis_sentinels;	/* or host:port list of Sentinels ... */
	char	*redis_master;		/* ... and the master's name there */
	char	*redis_user;		/* ACL user; "" = none (AUTH password alone) */
	char	*redis_password_file;	/* "" = no AUTH */
	char	*redis_sentinel_user;	/* the Sentinels' ACL user; "" = none */
	char	*redis_sentinel_password_file; /* "" = no AUTH to the Sentinels */
	bool	 redis_tls;		/* TLS to Redis (and the Sentinels) */
	char	*redis_tls_ca_file;	/* "" = the system's trust store */
	char	*redis_tls_cert_file;	/* a client certificate, or "" */
	char	*redis_tls_key_file;
	char	*redis_tls_name;	/* checked in the certificate; "" = the host */
	unsigned redis_db;		/* SELECT */
	unsigned redis_timeout_ms;	/* a command's answer; later = unreachable */
	char	*redis_prefix;		/* of every key stird writes */
	bool	 replay_shared;		/* replay_window across the fleet */
	int	 replay_shared_failure;	/* STIR_SHARED_OPEN, _CLOSED */
	bool	 cache_shared;		/* fetched x5u, CRLs, RCD content */
	unsigned cache_shared_max_bytes; /* largest entry shared */
};

#define STIR_REDIS_SENTINELS_MAX	8

enum stir_shared_failure {
	STIR_SHARED_OPEN,	/* Redis unreachable: the local window, and a metric */
	STIR_SHARED_CLOSED,	/* ... the identity fails (438, doc/fleet.md) */
};

enum stir_failure_action {
	STIR_ACTION_REJECT,		/* answer with the SIP error */
	STIR_ACTION_CONTINUE,		/* let the call through */
	STIR_ACTION_CONTINUE_REASON,	/* ... with RFC 9410 Reason values */
	_STIR_ACTION_MAX
};

enum stir_signer_mode {
	STIR_SIGNER_PROCESS,	/* keys in a sandboxed child (stird --signer) */
	STIR_SIGNER_IN_PROCESS,	/* keys in stird itself (benchmarks, debugging) */
};

enum stir_crl_mode {
	STIR_CRL_OFF,		/* no revocation checks */
	STIR_CRL_SOFT,		/* revoked fails; an unavailable CRL does not */
	STIR_CRL_HARD,		/* an unavailable CRL fails too */
	_STIR_CRL_MAX
};

/*
 * Read and validate path.  On error returns STIR_EINVAL (or STIR_EIO /
 * STIR_ENOMEM) and writes "file:line: message" into errbuf.  On success
 * *ret_cfg is owned by the caller: stir_config_free().
 */
int	stir_config_load(const char *path, struct stir_config **ret_cfg,
	    char *errbuf, size_t errlen);
/* Parse from memory (path is only used in messages). */
int	stir_config_parse(const char *path, const char *text, size_t len,
	    struct stir_config **ret_cfg, char *errbuf, size_t errlen);
/* The fleet settings (redis*, stir_config_parse() checks them). */
int	stir_config_redis_check(const struct stir_config *cfg, char *msg, size_t msglen);
/* Defaults only. */
int	stir_config_defaults(struct stir_config **ret_cfg);
/* Another reference to cfg (the running state and the boot settings share one). */
struct stir_config *stir_config_ref(struct stir_config *cfg);
/* Drop a reference; the last frees cfg.  NULL-safe. */
void	stir_config_free(struct stir_config *cfg);

#endif
