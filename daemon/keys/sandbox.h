/*
 * sandbox.h: the signer process's confinement (signer_main.c).
 *
 * no_new_privs, then a seccomp filter (libseccomp) that refuses what a
 * process holding keys never needs: running programs, tracing or reading
 * other processes, mounting, namespaces, kernel modules, BPF, keyrings,
 * and, unless network is true, sockets other than AF_UNIX (a PKCS#11
 * module that talks to a network HSM needs signer_network = yes).  Then,
 * where the kernel has Landlock, file writes, removals and creations are
 * limited to write_dir (key_dir) and the paths in extra_dirs.
 */
#ifndef STIR_SANDBOX_H
#define STIR_SANDBOX_H

#include <stdbool.h>

/* STIR_OK, or an error (logged) if the filter could not be installed. */
int	stir_sandbox_signer(bool network, const char *write_dir,
	    const char *const *extra_dirs);

#endif
