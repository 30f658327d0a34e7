/*
 * sandbox.c: what the process may do once its config is loaded and its
 * socket bound (SPEC §8: "after the config is loaded the process needs no
 * file system").
 *
 *  1. sb_privileges(): a FastCGI daemon refuses to serve as root unless
 *     --user names the account to become; that account's groups, group
 *     and user are set (setgroups, setgid, setuid) and checked.  A CGI is
 *     started by the web server as its own user (www-data), and a person
 *     testing in a shell as root needs no daemon rules, so CGI runs as it
 *     was started, dropping to --user only when it is given.
 *  2. sb_enter(): no_new_privs, then Landlock where the kernel has it
 *     (best effort: the file system is read-only, and only the config's
 *     directory is readable, for SIGHUP; a CGI may read nothing), then a
 *     seccomp allow-list (required: a kernel without seccomp refuses to
 *     serve).  A call outside the list kills the process (SIGSYS), which
 *     shows in the web server's log instead of failing quietly.
 *
 * Reload and open(2): the filter lets openat() through only with
 * read-only flags (no O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_PATH ...).
 * Pinning it to a directory fd kept open would not confine it: seccomp
 * cannot read the path, and "../" walks out of any directory fd; the
 * confinement to the config's directory is Landlock's, which sees paths.
 * A directory and not the file itself, because editors replace a file by
 * renaming a new one over it, and a rule holds the old inode.
 *
 * Built with -DMAC_NO_SANDBOX (make SANDBOX=0), or with a sanitizer, the
 * filter and Landlock are left out: ASan's leak check stops the world with
 * ptrace and clone, valgrind runs its own code under the client's filter.
 * It is a build switch on purpose: nothing at run time turns it off.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mailautoconf.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MAC_NO_SANDBOX 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
    __has_feature(thread_sanitizer)
#undef MAC_NO_SANDBOX
#define MAC_NO_SANDBOX 1
#endif
#endif

#ifndef MAC_NO_SANDBOX
#include <linux/landlock.h>
#include <seccomp.h>
#endif

/* ---- privileges ------------------------------------------------------- */

int
sb_privileges(const char *user, bool daemon)
{
	struct passwd	*pw;
	uid_t		 uid;
	gid_t		 gid;

	if (user == NULL) {
		if (daemon && geteuid() == 0) {
			fprintf(stderr, "mailautoconf: refusing to serve "
			    "FastCGI as root: give --user NAME (or start it "
			    "as that user, spawn-fcgi -u NAME)\n");
			return -1;
		}
		return 0;
	}
	if ((pw = getpwnam(user)) == NULL) {
		fprintf(stderr, "mailautoconf: --user %s: no such user\n",
		    user);
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0) {
		fprintf(stderr, "mailautoconf: --user %s: not as root\n", user);
		return -1;
	}
	if (geteuid() != 0) {
		if (geteuid() == uid)
			return 0;
		fprintf(stderr, "mailautoconf: --user %s: only root can "
		    "change user\n", user);
		return -1;
	}
	if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0) {
		fprintf(stderr, "mailautoconf: --user %s: %s\n", user,
		    strerror(errno));
		return -1;
	}
	/* no way back: a setuid(0) that works means the drop did not */
	if (setuid(0) == 0 || geteuid() != uid || getegid() != gid) {
		fprintf(stderr, "mailautoconf: --user %s: could not drop "
		    "privileges\n", user);
		return -1;
	}
	return 0;
}

#ifdef MAC_NO_SANDBOX

int
sb_enter(enum sb_mode mode, const char *config)
{
	(void)mode;
	(void)config;
	return 0;
}

#else

/* ---- Landlock --------------------------------------------------------- */

/* Debian 12's headers stop at ABI 2; the kernel may know more. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)
#endif

/* Every file system right the running kernel can take away. */
static uint64_t
ll_handled(int abi)
{
	uint64_t	all = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;

	if (abi >= 2)
		all |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		all |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		all |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return all;
}

/* The directory a path is in ("." for a bare name). */
static int
open_dir_of(const char *path)
{
	char		 dir[4096];
	const char	*slash = strrchr(path, '/');
	size_t		 n;

	if (slash == NULL)
		return open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(dir))
		return -1;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/*
 * Best effort: a kernel without Landlock (or with it disabled) leaves the
 * seccomp filter as the only fence, and says nothing.
 */
static void
ll_enter(enum sb_mode mode, const char *config)
{
	struct landlock_ruleset_attr		ra;
	struct landlock_path_beneath_attr	pb;
	int					abi, rfd, dfd;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return;
	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = ll_handled(abi);
	rfd = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (rfd < 0)
		return;
	if (mode != SB_CGI && config != NULL &&
	    (dfd = open_dir_of(config)) >= 0) {
		memset(&pb, 0, sizeof(pb));
		pb.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE;
		pb.parent_fd = dfd;
		if (syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH,
		    &pb, 0) != 0)
			fprintf(stderr, "mailautoconf: landlock: %s: %s\n",
			    config, strerror(errno));
		close(dfd);
	}
	if (syscall(SYS_landlock_restrict_self, rfd, 0) != 0)
		fprintf(stderr, "mailautoconf: landlock: %s\n", strerror(errno));
	close(rfd);
}

/* ---- seccomp ---------------------------------------------------------- */

/* Serving one request, whatever the transport. */
static const int sys_common[] = {
	SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(write), SCMP_SYS(writev),
	SCMP_SYS(close), SCMP_SYS(lseek), SCMP_SYS(fstat),
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigaction), SCMP_SYS(restart_syscall),
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getrandom),
	SCMP_SYS(futex), SCMP_SYS(exit), SCMP_SYS(exit_group),
};

/* libfcgi's accept loop, and re-reading the config on SIGHUP. */
static const int sys_fastcgi[] = {
	SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(select), SCMP_SYS(pselect6), SCMP_SYS(shutdown),
	SCMP_SYS(setsockopt), SCMP_SYS(getsockopt), SCMP_SYS(getsockname),
	SCMP_SYS(getpeername), SCMP_SYS(fcntl), SCMP_SYS(recvfrom),
	SCMP_SYS(sendto),
};

/* --workers: forking and watching the workers. */
static const int sys_supervisor[] = {
	SCMP_SYS(wait4), SCMP_SYS(waitid), SCMP_SYS(kill),
	SCMP_SYS(rt_sigsuspend), SCMP_SYS(pause), SCMP_SYS(nanosleep),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(set_robust_list),
	SCMP_SYS(rseq),
};

static int
allow_list(scmp_filter_ctx c, const int *sys, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (seccomp_rule_add(c, SCMP_ACT_ALLOW, sys[i], 0) != 0)
			return -1;
	return 0;
}

/* Calls whose arguments decide: no executable memory, no writing open. */
static int
allow_args(scmp_filter_ctx c, enum sb_mode mode)
{
	const uint64_t	wx = PROT_EXEC;
	const uint64_t	ro = ~(uint64_t)(O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
			    O_LARGEFILE | O_NOFOLLOW) & 0xffffffffu;
	int		r = 0;

	r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, wx, 0));
	r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, wx, 0));
	/* glibc's fstat() is newfstatat(fd, "", buf, AT_EMPTY_PATH) */
	r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(newfstatat), 1,
	    SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH));
	r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	    SCMP_A0(SCMP_CMP_EQ, (uint64_t)getpid()));
	if (mode != SB_CGI) {
		r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
		    SCMP_A2(SCMP_CMP_MASKED_EQ, ro, 0));
		r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
		    SCMP_A1(SCMP_CMP_MASKED_EQ, ro, 0));
		/* libc would try openat2 first one day: let it fall back */
		r |= seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS),
		    SCMP_SYS(openat2), 0);
	}
	if (mode == SB_SUPERVISOR) {
		/* fork() is clone(SIGCHLD | CLONE_CHILD_*): no namespaces */
		r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
		    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWNS | CLONE_NEWUSER |
		    CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
		    CLONE_NEWCGROUP | CLONE_THREAD | CLONE_VM, 0));
		r |= seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS),
		    SCMP_SYS(clone3), 0);
	}
	return r != 0 ? -1 : 0;
}

static int
sc_enter(enum sb_mode mode)
{
	scmp_filter_ctx	c;
	int		r;

	if ((c = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		return -1;
	r = allow_list(c, sys_common, sizeof(sys_common) / sizeof(int));
	if (r == 0 && mode != SB_CGI)
		r = allow_list(c, sys_fastcgi, sizeof(sys_fastcgi) /
		    sizeof(int));
	if (r == 0 && mode == SB_SUPERVISOR)
		r = allow_list(c, sys_supervisor, sizeof(sys_supervisor) /
		    sizeof(int));
	if (r == 0)
		r = allow_args(c, mode);
	if (r == 0)
		r = seccomp_load(c);
	seccomp_release(c);
	return r == 0 ? 0 : -1;
}

int
sb_enter(enum sb_mode mode, const char *config)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		fprintf(stderr, "mailautoconf: no_new_privs: %s\n",
		    strerror(errno));
		return -1;
	}
	ll_enter(mode, config);
	if (sc_enter(mode) != 0) {
		fprintf(stderr, "mailautoconf: cannot install the seccomp "
		    "filter\n");
		return -1;
	}
	return 0;
}

#endif
