/*
 * startup.h: what stird and its doors do alike before they read their
 * configuration: the command line and the hardening of the process.
 */
#ifndef STIR_STARTUP_H
#define STIR_STARTUP_H

#include <stdbool.h>

/*
 * The command line of stird and stird-http:
 *
 *	PROG [-c FILE] [--check-config] [--foreground]
 *	PROG --version
 *
 * *config_path holds the default on entry (shown by --help); check_help
 * tells what --check-config validates.  Returns -1 to go on, or the exit
 * status: 0 after --version or --help, 2 after a usage error.
 */
int	stir_cmdline(int argc, char **argv, const char *prog, const char *check_help,
	    const char **config_path, bool *check_only);
/*
 * No core dumps (memory holds keys, tokens), SIGPIPE ignored, and with
 * private_umask files created 0600 / directories 0700.
 */
void	stir_harden_process(bool private_umask);

#endif
