/* startup.c: command line and process hardening stird and its doors share. */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "stirclient.h"
#include "daemon/base/startup.h"

static void
usage(FILE *f, const char *prog, const char *check_help, const char *config_path)
{
	fprintf(f,
	    "usage: %s [-c FILE] [--check-config] [--foreground]\n"
	    "       %s --version\n"
	    "\n"
	    "  -c, --config FILE   configuration file (default %s)\n"
	    "  -t, --check-config  %s\n"
	    "  -f, --foreground    run in the foreground (always; for unit files)\n"
	    "  -V, --version       print the version and exit\n"
	    "  -h, --help          this text\n", prog, prog, config_path, check_help);
}

int
stir_cmdline(int argc, char **argv, const char *prog, const char *check_help,
    const char **config_path, bool *check_only)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dflt = *config_path;
	int ch;

	*check_only = false;
	while ((ch = getopt_long(argc, argv, "c:tfVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			*config_path = optarg;
			break;
		case 't':
			*check_only = true;
			break;
		case 'f':
			break;
		case 'V':
			printf("%s %s (protocol %d)\n", prog, PACKAGE_VERSION, STIR_PROTO_VERSION);
			return 0;
		case 'h':
			usage(stdout, prog, check_help, dflt);
			return 0;
		default:
			usage(stderr, prog, check_help, dflt);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr, prog, check_help, dflt);
		return 2;
	}
	return -1;
}

void
stir_harden_process(bool private_umask)
{
	struct rlimit rl = { 0, 0 };

	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)setrlimit(RLIMIT_CORE, &rl);
	if (private_umask)
		(void)umask(077);
	(void)signal(SIGPIPE, SIG_IGN);
}
