/*
 * prefork.c: --workers N, FastCGI served by N processes under one
 * supervisor that replaces a worker that dies.
 *
 * Why not spawn-fcgi -F N: it forks N independent children and exits, so
 * a child that dies (a bug, the OOM killer, kill -9 by a person) is gone
 * for good, and SIGHUP must reach every child by hand.  Here the
 * supervisor holds the config it loaded: SIGHUP reloads it there first
 * (a broken file keeps the old one, SPEC §1) and then in each worker, so
 * a worker started later inherits the newest config that loaded; SIGTERM
 * goes to every worker, each finishes its request, and the supervisor
 * leaves when they have.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "mailautoconf.h"

static volatile sig_atomic_t	pf_hup, pf_term, pf_chld;

struct worker {
	pid_t		pid;		/* 0: to be started */
	time_t		started;
};

static struct worker	workers[PF_WORKERS_MAX];

static void
pf_signal(int sig)
{
	if (sig == SIGHUP)
		pf_hup = 1;
	else if (sig == SIGCHLD)
		pf_chld = 1;
	else
		pf_term = 1;
}

static void
pf_handlers(void (*fn)(int))
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = fn;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
}

static void
pf_kill_all(int sig, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		if (workers[i].pid > 0)
			kill(workers[i].pid, sig);
}

/* Reap what died; each slot is then started again. */
static int
pf_reap(int n)
{
	pid_t	pid;
	int	st, i, alive = 0;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (i = 0; i < n; i++) {
			if (workers[i].pid != pid)
				continue;
			workers[i].pid = 0;
			if (pf_term)
				break;
			if (WIFSIGNALED(st))
				log_msg(LOG_ERR, "worker %ld killed by signal "
				    "%d; starting another", (long)pid,
				    WTERMSIG(st));
			else
				log_msg(LOG_ERR, "worker %ld exited with %d; "
				    "starting another", (long)pid,
				    WEXITSTATUS(st));
		}
	for (i = 0; i < n; i++)
		alive += workers[i].pid > 0;
	return alive;
}

/*
 * Start the missing workers.  Returns 0 in a new worker, 1 in the
 * supervisor.  A worker that died within a second of its start is started
 * again a second later, not in a tight loop.
 */
static int
pf_spawn(int n, const sigset_t *old)
{
	struct timespec	 one = { 1, 0 };
	time_t		 now;
	pid_t		 pid;
	int		 i;

	for (i = 0; i < n && !pf_term; i++) {
		if (workers[i].pid != 0)
			continue;
		now = time(NULL);
		if (workers[i].started != 0 && now - workers[i].started < 1)
			nanosleep(&one, NULL);
		workers[i].started = time(NULL);
		if ((pid = fork()) == -1) {
			log_msg(LOG_ERR, "fork: %s", strerror(errno));
			continue;
		}
		if (pid == 0) {
			pf_handlers(SIG_DFL);
			sigprocmask(SIG_SETMASK, old, NULL);
			return 0;
		}
		workers[i].pid = pid;
	}
	return 1;
}

int
pf_supervise(int n, struct config **cfp, const char *file, pf_reload reload)
{
	sigset_t	block, old;

	if (n < 1 || n > PF_WORKERS_MAX) {
		fprintf(stderr, "mailautoconf: --workers takes 1 to %d\n",
		    PF_WORKERS_MAX);
		return -1;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	pf_handlers(pf_signal);
	if (sb_enter(SB_SUPERVISOR, file) != 0)
		return -1;
	for (;;) {
		if (pf_spawn(n, &old) == 0)
			return 0;
		/* signals are taken here only, never inside a step */
		sigsuspend(&old);
		if (pf_term) {
			pf_kill_all(SIGTERM, n);
			while (pf_reap(n) > 0)
				sigsuspend(&old);
			return 1;
		}
		if (pf_hup) {
			pf_hup = 0;
			*cfp = reload(*cfp, file);
			pf_kill_all(SIGHUP, n);
		}
		if (pf_chld) {
			pf_chld = 0;
			pf_reap(n);
		}
	}
}
