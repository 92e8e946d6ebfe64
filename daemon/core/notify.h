/* notify.h: systemd readiness and socket activation (libsystemd optional). */
#ifndef STIR_NOTIFY_H
#define STIR_NOTIFY_H

#include <stddef.h>

/* sd_notify() when built with libsystemd and NOTIFY_SOCKET is set. */
void	stir_notify(const char *state);
/*
 * Sockets passed by systemd: *ret_client / *ret_admin are the fds named
 * "client" and "admin" (FileDescriptorName=), or -1.  Returns the number
 * of fds passed (0 without socket activation).
 */
int	stir_listen_fds(int *ret_client, int *ret_admin);

#endif
