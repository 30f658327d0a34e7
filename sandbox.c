/*
 * sandbox.c: what the process may do once its config is loaded and its
 * socket bound (DESIGN.md §8: once the config is loaded, the process needs no
 * file system).
 *
 *  1. sb_privileges(): a FastCGI daemon refuses to serve as root unless
 *     --user names the account to become; that account's groups, group
 *     and user are set (initgroups, setresgid, setresuid) and checked,
 *     after the socket is bound and the config loaded.  A CGI is
 *     started by the web server as its own user (www-data), and a person
 *     testing in a shell as root needs no daemon rules, so CGI runs as it
 *     was started, dropping to --user only when it is given.
 *  2. sb_enter(): no_new_privs, then Landlock where the kernel has it
 *     (best effort: the file system is read-only, and only the config's
 *     directory is readable, for SIGHUP; a CGI may read nothing), then a
 *     seccomp allow-list (required: a kernel without seccomp refuses to
 *     serve): the calls an exploit wants kill the process (SIGSYS), the
 *     rest that serving does not need fail with EPERM (see below).  The
 *     rules are compiled to BPF at build time (sbgen.c) and
 *     installed with one seccomp(2) call.
 *
 * Reload and open(2): the filter lets openat() through only with
 * read-only flags (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND and
 * O_TMPFILE kill), and only in FastCGI mode: a CGI opens nothing.
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
#include <stdlib.h>
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

#include <linux/filter.h>
#include <linux/seccomp.h>
#ifndef MAC_NO_SANDBOX
#include <linux/landlock.h>
#endif

#if !defined(MAC_NO_SANDBOX)
#include "sb_filter.h"
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
	if (initgroups(pw->pw_name, gid) != 0 || setresgid(gid, gid, gid) != 0 ||
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

const bool sb_built = false;

int
sb_enter(enum sb_mode mode, const char *config)
{
	(void)mode;
	(void)config;
	return 0;
}

#else

const bool sb_built = true;

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

/* Files beneath the directory of path may be read. */
static void
ll_read_dir(int rfd, const char *path)
{
	struct landlock_path_beneath_attr	pb;
	int					dfd;

	if ((dfd = open_dir_of(path)) < 0)
		return;
	memset(&pb, 0, sizeof(pb));
	/* READ_DIR: an include pattern is matched again on reload */
	pb.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE |
	    LANDLOCK_ACCESS_FS_READ_DIR;
	pb.parent_fd = dfd;
	if (syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH,
	    &pb, 0) != 0)
		fprintf(stderr, "mailautoconf: landlock: %s: %s\n", path,
		    strerror(errno));
	close(dfd);
}

/*
 * Best effort: a kernel without Landlock (or with it disabled) leaves the
 * seccomp filter as the only fence, and says nothing.
 */
static void
ll_enter(enum sb_mode mode, const char *config)
{
	struct landlock_ruleset_attr	 ra;
	char				*real;
	int				 abi, rfd;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return;
	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = ll_handled(abi);
	rfd = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (rfd < 0)
		return;
	if (mode != SB_CGI && config != NULL) {
		ll_read_dir(rfd, config);
		/* a symlinked config: its target's directory too */
		if ((real = realpath(config, NULL)) != NULL) {
			ll_read_dir(rfd, real);
			free(real);
		}
	}
	if (syscall(SYS_landlock_restrict_self, rfd, 0) != 0)
		fprintf(stderr, "mailautoconf: landlock: %s\n", strerror(errno));
	close(rfd);
}

/* ---- seccomp: installing the program sb_filter.h holds ----------------- */

/*
 * The program is copied, the pid written into its tgkill rule, and
 * installed with one call.  SECCOMP_FILTER_FLAG_SPEC_ALLOW: a kernel
 * booted with spec_store_bypass_disable=seccomp (the default on affected
 * CPUs) would otherwise turn the Speculative Store Bypass mitigation on
 * for any process with a filter, slowing every memory access of a CGI
 * that lives a millisecond.  Without a signing key the process holds no
 * secret for Spectre v4 to leak (the config is what it publishes);
 * systemd's filters make the same choice.  A process that holds a signing
 * key has turned the mitigation on itself (mcsign.c), for good: the flag
 * is then left out, and the filter lets that prctl through at any time
 * (a reload may be the first to load a key), never its reverse.
 */

static int
sc_enter(enum sb_mode mode)
{
	static struct sock_filter	f[SB_PROG_MAX];
	struct sock_fprog		prog;
	unsigned long			flags;
	size_t				i, n = sb_prog_len[mode];
	int				ssb;

	memcpy(f, sb_prog[mode], n * sizeof(f[0]));
	for (i = 0; i < n; i++)
		if (f[i].code == (BPF_JMP | BPF_JEQ | BPF_K) &&
		    f[i].k == SB_PID_MARK)
			f[i].k = (uint32_t)getpid();
	prog.len = (unsigned short)n;
	prog.filter = f;
	flags = SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	ssb = prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_STORE_BYPASS, 0, 0, 0);
	if (ssb > 0 && (ssb & (PR_SPEC_DISABLE | PR_SPEC_FORCE_DISABLE)) != 0)
		flags = 0;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) == 0)
		return 0;
	/* Linux before 4.17 knows no SPEC_ALLOW: the mitigation stays on */
	if (errno == EINVAL && flags != 0 &&
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
		return 0;
	return -1;
}

/*
 * A worker forked by the supervisor has its no_new_privs and Landlock
 * domain already, and a filter that lets it add only a seccomp layer.
 */
static bool	entered;

int
sb_enter(enum sb_mode mode, const char *config)
{
	if (!entered && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		fprintf(stderr, "mailautoconf: no_new_privs: %s\n",
		    strerror(errno));
		return -1;
	}
	if (!entered)
		ll_enter(mode, config);
	entered = true;
	if (sc_enter(mode) != 0) {
		fprintf(stderr, "mailautoconf: cannot install the seccomp "
		    "filter\n");
		return -1;
	}
	return 0;
}

#endif

