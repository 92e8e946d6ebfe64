/* notify.c: the only file that includes sd-daemon.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "daemon/base/log.h"
#include "daemon/core/notify.h"

void
stir_notify(const char *state)
{
#ifdef HAVE_SYSTEMD
	(void)sd_notify(0, state);
#else
	(void)state;
#endif
}

int
stir_listen_fds(int *ret_client, int *ret_admin)
{
	*ret_client = *ret_admin = -1;
#ifdef HAVE_SYSTEMD
	char **names = NULL;
	int n = sd_listen_fds_with_names(1, &names);

	if (n <= 0)
		return n < 0 ? 0 : n;
	for (int i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + i;
		const char *name = names != NULL ? names[i] : "";

		if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0) {
			log_warn("passed fd %d ('%s') is not a listening Unix stream socket; ignored",
			    fd, name);
			continue;
		}
		if (strcmp(name, "admin") == 0 || strcmp(name, "stird-admin.socket") == 0)
			*ret_admin = fd;
		else if (strcmp(name, "client") == 0 || strcmp(name, "stird.socket") == 0)
			*ret_client = fd;
		else
			log_warn("passed socket '%s' has an unknown FileDescriptorName; ignored",
			    name);
	}
	if (names != NULL) {
		for (int i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	return n;
#else
	return 0;
#endif
}
