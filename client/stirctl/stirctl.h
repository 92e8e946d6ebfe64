/* stirctl.h: shared state of the stirctl commands. */
#ifndef STIRCTL_H
#define STIRCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "stirclient.h"

/* Exit codes (stirctl(8), EXIT STATUS). */
#define EXIT_OK		0
#define EXIT_FAIL	1	/* the daemon refused, or a verdict other than passed */
#define EXIT_USAGE	2	/* usage, file or connection error */

#define STIRCTL_FILE_MAX	(1024 * 1024)

struct ctl {
	const char	*config;
	char		*socket;
	char		*admin_socket;
	bool		 json;
	int		 timeout_ms;
};

struct ctl_cmd {
	const char	*name;		/* "key generate" */
	int		(*fn)(struct ctl *ctl, int argc, char **argv);
	const char	*args;		/* usage after the name */
	const char	*help;
};

extern const struct ctl_cmd ctl_cmds[];

/* Connect to the service or admin socket; prints the error. */
int	ctl_connect(struct ctl *ctl, bool admin, struct stir_client **ret);
/*
 * Call op with params (stolen) on the admin or service socket.  On
 * success *ret_result (new reference) is the result; on failure the error
 * is printed and an exit code returned.
 */
int	ctl_call(struct ctl *ctl, bool admin, const char *op, json_t *params,
	    json_t **ret_result);
/* Read a whole file (at most STIRCTL_FILE_MAX); prints the error. */
char	*ctl_read_file(const char *path, size_t *ret_len);
void	ctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int	ctl_usage_of(const char *name);

/* output.c */
struct ctl_col {
	const char	*title;
	const char	*key;		/* member of each row */
	int		 kind;		/* CTL_COL_* */
};
#define CTL_COL_STR	0
#define CTL_COL_INT	1
#define CTL_COL_TIME	2	/* epoch seconds as UTC date */
#define CTL_COL_JSON	3	/* compact JSON of the member */
void	ctl_print_json(json_t *v);
void	ctl_print_table(json_t *rows, const struct ctl_col *cols);

/* the commands */
int	cmd_status(struct ctl *, int, char **);
int	cmd_ping(struct ctl *, int, char **);
int	cmd_hello(struct ctl *, int, char **);
int	cmd_reload(struct ctl *, int, char **);
int	cmd_audit(struct ctl *, int, char **);
int	cmd_key_generate(struct ctl *, int, char **);
int	cmd_key_import(struct ctl *, int, char **);
int	cmd_key_list(struct ctl *, int, char **);
int	cmd_key_remove(struct ctl *, int, char **);
int	cmd_cred_add(struct ctl *, int, char **);
int	cmd_cred_list(struct ctl *, int, char **);
int	cmd_cred_remove(struct ctl *, int, char **);
int	cmd_trust_add(struct ctl *, int, char **);
int	cmd_trust_list(struct ctl *, int, char **);
int	cmd_trust_remove(struct ctl *, int, char **);
int	cmd_sign(struct ctl *, int, char **);
int	cmd_verify(struct ctl *, int, char **);

#endif
