/*
 * sandbox.c: what the process may do once its config is loaded and its
 * socket bound (SPEC §8: "after the config is loaded the process needs no
 * file system").
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
 *     rules are compiled to BPF at build time (SB_GENERATE below) and
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

/* Room for the largest program (sb_filter.h has about 150 instructions) */
#define SB_PROG_MAX	1024
/* Stands for the pid in the generated program; beyond any pid_max */
#define SB_PID_MARK	0x7a5ec0deU

/* ---- seccomp: the rules, compiled at build time ------------------------ */

#ifdef SB_GENERATE

/*
 * make builds this part alone (cc -DSB_GENERATE sandbox.c -lseccomp) and
 * runs it: libseccomp turns the rules into BPF once, on the build host,
 * and the program is written out as sb_filter.h.  Compiling the filter
 * at every start cost a CGI more than a third of its time (libseccomp's
 * rule database, its API probes: ten seccomp(2) calls, and its pages);
 * the binary now installs the finished program with one seccomp(2) call
 * and does not link libseccomp at all.  A security update of libseccomp
 * therefore needs a rebuild of mailautoconf (README.md).
 */
#include <seccomp.h>

/*
 * Three answers.  What serving needs is allowed.  What an exploit wants
 * (a program, a socket, a debugger, other privileges, a file opened for
 * writing) kills the process.  Anything else fails with
 * EPERM: a library that takes a path nobody foresaw while re-reading the
 * config (OpenSSL loading a signing key) makes that reload fail, logged,
 * and the old config keeps serving (SPEC §1) instead of the server dying.
 */

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

/*
 * The FastCGI responder's loop (fcgi.c: accept4, epoll, fcntl on the
 * listening socket); the reload's opens are in add_args().
 */
static const int sys_fastcgi[] = {
	SCMP_SYS(accept4), SCMP_SYS(fcntl), SCMP_SYS(epoll_create1),
	SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait),
	/* the reload: an include pattern's directory, a file read again */
	SCMP_SYS(getdents64), SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
};

/*
 * --workers: forking and watching the workers, and letting a new worker
 * add its own, narrower filter (a filter can only take away).
 */
static const int sys_supervisor[] = {
	SCMP_SYS(wait4), SCMP_SYS(waitid), SCMP_SYS(kill),
	SCMP_SYS(rt_sigsuspend), SCMP_SYS(pause), SCMP_SYS(nanosleep),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(set_robust_list),
	SCMP_SYS(rseq), SCMP_SYS(seccomp),
};

/* Never: these end the process. */
static const int sys_kill[] = {
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(fork), SCMP_SYS(vfork),
	SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv),
	SCMP_SYS(process_vm_writev), SCMP_SYS(socket), SCMP_SYS(socketpair),
	SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(listen),
	SCMP_SYS(setuid), SCMP_SYS(setgid), SCMP_SYS(setreuid),
	SCMP_SYS(setregid), SCMP_SYS(setresuid), SCMP_SYS(setresgid),
	SCMP_SYS(setgroups), SCMP_SYS(setfsuid), SCMP_SYS(setfsgid),
	SCMP_SYS(capset), SCMP_SYS(mount), SCMP_SYS(umount2),
	SCMP_SYS(chroot), SCMP_SYS(pivot_root), SCMP_SYS(unshare),
	SCMP_SYS(setns), SCMP_SYS(bpf), SCMP_SYS(perf_event_open),
	SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load),
	SCMP_SYS(init_module), SCMP_SYS(finit_module),
	SCMP_SYS(delete_module), SCMP_SYS(keyctl), SCMP_SYS(add_key),
	SCMP_SYS(request_key), SCMP_SYS(userfaultfd),
	SCMP_SYS(io_uring_setup), SCMP_SYS(personality),
	SCMP_SYS(memfd_create),
};

static int
add_list(scmp_filter_ctx c, uint32_t act, const int *sys, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (seccomp_rule_add(c, act, sys[i], 0) != 0)
			return -1;
	return 0;
}

/* open(2) and openat(2) with any flag that writes or creates: death. */
static int
kill_writing_open(scmp_filter_ctx c)
{
	static const uint64_t	w[] = {
		O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND, __O_TMPFILE,
	};
	size_t			i;
	int			r = 0;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		r |= seccomp_rule_add(c, SCMP_ACT_KILL_PROCESS,
		    SCMP_SYS(openat), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, w[i], w[i]));
		r |= seccomp_rule_add(c, SCMP_ACT_KILL_PROCESS,
		    SCMP_SYS(open), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, w[i], w[i]));
	}
	return r;
}

/* Calls whose arguments decide. */
static int
add_args(scmp_filter_ctx c, enum sb_mode mode)
{
	const uint64_t	x = PROT_EXEC;
	/*
	 * glibc's __O_TMPFILE holds O_DIRECTORY: left in, it would refuse
	 * opening a directory (an include pattern's, on reload); O_TMPFILE
	 * itself kills (kill_writing_open).
	 */
	const uint64_t	ro = O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND |
			    (__O_TMPFILE & ~O_DIRECTORY) | O_PATH;
	const uint64_t	ns = CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID |
			    CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
			    CLONE_NEWCGROUP | CLONE_THREAD | CLONE_VM;
	int		r = kill_writing_open(c);

	/*
	 * Executable memory fails (EPERM, the default) rather than kills: a
	 * reload that adds profile signing dlopen()s libcrypto, and that
	 * reload should fail and be logged, not end the server.
	 */
	r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, x, 0));
	r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, x, 0));
	/* glibc's fstat() is newfstatat(fd, "", buf, AT_EMPTY_PATH) */
	r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(newfstatat), 1,
	    SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH, 0));
	/* raise(): to ourselves only; sc_enter() writes in the pid */
	r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	    SCMP_A0(SCMP_CMP_EQ, SB_PID_MARK, 0));
	/* turning the Speculative Store Bypass mitigation on (mcsign.c) */
	r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 3,
	    SCMP_A0(SCMP_CMP_EQ, PR_SET_SPECULATION_CTRL, 0),
	    SCMP_A1(SCMP_CMP_EQ, PR_SPEC_STORE_BYPASS, 0),
	    SCMP_A2(SCMP_CMP_EQ, PR_SPEC_DISABLE, 0));
	/* libc would try these first one day: let it fall back */
	r |= seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0);
	r |= seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (mode != SB_CGI) {
		/* the reload: read-only opens, stat() (OpenSSL's BIO_new_file) */
		r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
		    SCMP_A2(SCMP_CMP_MASKED_EQ, ro, O_RDONLY));
		r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
		    SCMP_A1(SCMP_CMP_MASKED_EQ, ro, O_RDONLY));
		r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(newfstatat), 1,
		    SCMP_A3(SCMP_CMP_EQ, 0, 0));
		/* lstat(): whose is a symbolic link to the image (image.c) */
		r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(newfstatat), 1,
		    SCMP_A3(SCMP_CMP_EQ, AT_SYMLINK_NOFOLLOW, 0));
	}
	if (mode == SB_SUPERVISOR)
		/* fork() is clone(SIGCHLD | CLONE_CHILD_*): no namespaces */
		r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
		    SCMP_A0(SCMP_CMP_MASKED_EQ, ns, 0));
	else
		r |= seccomp_rule_add(c, SCMP_ACT_KILL_PROCESS,
		    SCMP_SYS(clone), 0);
	return r != 0 ? -1 : 0;
}

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static scmp_filter_ctx
sc_build(enum sb_mode mode)
{
	scmp_filter_ctx	c;
	int		r;

	if ((c = seccomp_init(SCMP_ACT_ERRNO(EPERM))) == NULL)
		return NULL;
	/*
	 * A binary tree of syscall numbers, not a list: the kernel runs the
	 * whole program for every syscall number when it installs it (its
	 * action cache), so installing the 154-instruction list cost a CGI
	 * 0.13 ms, and every syscall walks it.
	 */
	r = seccomp_attr_set(c, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r == 0)
		r = add_list(c, SCMP_ACT_ALLOW, sys_common, NELEM(sys_common));
	if (r == 0 && mode != SB_CGI)
		r = add_list(c, SCMP_ACT_ALLOW, sys_fastcgi, NELEM(sys_fastcgi));
	if (r == 0 && mode == SB_SUPERVISOR)
		r = add_list(c, SCMP_ACT_ALLOW, sys_supervisor,
		    NELEM(sys_supervisor));
	if (r == 0)
		r = add_list(c, SCMP_ACT_KILL_PROCESS, sys_kill,
		    NELEM(sys_kill));
	if (r == 0)
		r = add_args(c, mode);
	if (r != 0) {
		seccomp_release(c);
		return NULL;
	}
	return c;
}

/* One mode's program as a C array; the pid mark must stand once. */
static int
emit(enum sb_mode mode, const char *name)
{
	scmp_filter_ctx		c;
	struct sock_filter	f[SB_PROG_MAX + 1];
	FILE			*tmp;
	ssize_t			 n;
	size_t			 i, len, marks = 0;

	if ((c = sc_build(mode)) == NULL || (tmp = tmpfile()) == NULL)
		return -1;
	if (seccomp_export_bpf(c, fileno(tmp)) != 0 ||
	    lseek(fileno(tmp), 0, SEEK_SET) != 0 ||
	    (n = read(fileno(tmp), f, sizeof(f))) <= 0 ||
	    n % (ssize_t)sizeof(f[0]) != 0 ||
	    (len = (size_t)n / sizeof(f[0])) > SB_PROG_MAX) {
		fprintf(stderr, "sbgen: %s: cannot export the filter\n", name);
		return -1;
	}
	fclose(tmp);
	seccomp_release(c);
	printf("static const struct sock_filter sb_prog_%s[%zu] = {\n", name,
	    len);
	for (i = 0; i < len; i++) {
		printf("\t{ 0x%04x, %u, %u, 0x%08x },\n", f[i].code, f[i].jt,
		    f[i].jf, f[i].k);
		if (f[i].code == (BPF_JMP | BPF_JEQ | BPF_K) &&
		    f[i].k == SB_PID_MARK)
			marks++;
	}
	printf("};\n\n");
	if (marks != 1) {
		fprintf(stderr, "sbgen: %s: the pid mark stands %zu times\n",
		    name, marks);
		return -1;
	}
	return 0;
}

int
main(void)
{
	/*
	 * The kernel interface the program is written for, whatever the
	 * build host runs: 3 has SECCOMP_RET_KILL_PROCESS (Linux 4.14).
	 */
	if (seccomp_api_set(3) != 0)
		return 1;
	printf("/* sb_filter.h: generated by sandbox.c -DSB_GENERATE; do not "
	    "edit */\n\n");
	if (emit(SB_CGI, "cgi") != 0 || emit(SB_FASTCGI, "fastcgi") != 0 ||
	    emit(SB_SUPERVISOR, "supervisor") != 0)
		return 1;
	printf("static const struct sock_filter *const sb_prog[] = {\n"
	    "\t[SB_CGI] = sb_prog_cgi,\n\t[SB_FASTCGI] = sb_prog_fastcgi,\n"
	    "\t[SB_SUPERVISOR] = sb_prog_supervisor,\n};\n"
	    "static const unsigned short sb_prog_len[] = {\n"
	    "\t[SB_CGI] = sizeof(sb_prog_cgi) / sizeof(sb_prog_cgi[0]),\n"
	    "\t[SB_FASTCGI] = sizeof(sb_prog_fastcgi) / "
	    "sizeof(sb_prog_fastcgi[0]),\n"
	    "\t[SB_SUPERVISOR] = sizeof(sb_prog_supervisor) / "
	    "sizeof(sb_prog_supervisor[0]),\n};\n");
	return fflush(stdout) == 0 ? 0 : 1;
}

#else /* !SB_GENERATE */

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

#endif /* SB_GENERATE */
