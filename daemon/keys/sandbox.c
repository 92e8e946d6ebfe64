/* sandbox.c: seccomp and Landlock for the signer process (sandbox.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <seccomp.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "daemon/keys/sandbox.h"

/* Refused with EPERM: nothing in the signer needs them. */
static const char *const denied[] = {
	"execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev",
	"mount", "umount2", "pivot_root", "chroot", "move_mount", "fsopen",
	"fsmount", "fspick", "open_tree", "setns", "unshare",
	"kexec_load", "kexec_file_load", "init_module", "finit_module",
	"delete_module", "bpf", "perf_event_open", "userfaultfd",
	"keyctl", "add_key", "request_key", "swapon", "swapoff", "reboot",
	"acct", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
	"open_by_handle_at", "name_to_handle_at", "iopl", "ioperm",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	"process_madvise", "pidfd_getfd", "quotactl", "syslog", "vhangup",
	"lookup_dcookie", "nfsservctl", "uselib", "personality",
};

static int
seccomp_install(bool network)
{
	/* socket(2) and socketpair(2) with a first argument other than AF_UNIX */
	const struct scmp_arg_cmp not_unix = {
		.arg = 0, .op = SCMP_CMP_NE, .datum_a = AF_UNIX, .datum_b = 0
	};
	scmp_filter_ctx ctx;
	int r = STIR_EINTERNAL, e;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return STIR_ENOMEM;
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		int nr = seccomp_syscall_resolve_name(denied[i]);

		if (nr == __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		if ((e = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0)) != 0) {
			log_err("seccomp: cannot refuse %s: %s", denied[i], strerror(-e));
			goto out;
		}
	}
	if (!network &&
	    ((e = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
	    &not_unix)) != 0 ||
	    (e = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socketpair), 1,
	    &not_unix)) != 0)) {
		log_err("seccomp: cannot limit sockets: %s", strerror(-e));
		goto out;
	}
	if ((e = seccomp_load(ctx)) != 0) {
		log_err("seccomp: cannot load the filter: %s", strerror(-e));
		goto out;
	}
	r = STIR_OK;
 out:
	seccomp_release(ctx);
	return r;
}

#define LL_WRITES (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | \
	LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR | \
	LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | \
	LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | \
	LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM)

static int
landlock_allow(int ruleset, const char *dir)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = LL_WRITES };
	int r;

	if ((pb.parent_fd = open(dir, O_PATH | O_CLOEXEC)) < 0) {
		log_warn("landlock: cannot open '%s': %s; it stays read-only", dir,
		    strerror(errno));
		return 0;
	}
	r = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	close(pb.parent_fd);
	return r;
}

/* Writes only under write_dir and extra_dirs; a kernel without it is fine. */
static void
landlock_install(const char *write_dir, const char *const *extra_dirs)
{
	struct landlock_ruleset_attr attr = { .handled_access_fs = LL_WRITES };
	int ruleset;

	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset < 0) {
		log_debug("landlock: not available (%s); file writes are not confined",
		    strerror(errno));
		return;
	}
	if (landlock_allow(ruleset, write_dir) != 0)
		goto fail;
	for (size_t i = 0; extra_dirs != NULL && extra_dirs[i] != NULL; i++)
		if (landlock_allow(ruleset, extra_dirs[i]) != 0)
			goto fail;
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0)
		goto fail;
	close(ruleset);
	log_debug("landlock: file writes confined to key_dir");
	return;
 fail:
	log_warn("landlock: %s; file writes are not confined", strerror(errno));
	close(ruleset);
}

int
stir_sandbox_signer(bool network, const char *write_dir,
    const char *const *extra_dirs)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		log_err("no_new_privs: %s", strerror(errno));
		return STIR_EINTERNAL;
	}
	landlock_install(write_dir, extra_dirs);
	return seccomp_install(network);
}
