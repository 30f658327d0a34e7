/*
 * prefork.c: --workers N, FastCGI served by N processes under one
 * supervisor that replaces a worker that dies.
 *
 * Why not spawn-fcgi -F N: it forks N independent children and exits, so
 * a child that dies (a bug, the OOM killer, kill -9 by a person) is gone
 * for good, and SIGHUP must reach every child by hand, each reading the
 * file at its own moment.  Here the supervisor loads the config once and
 * the workers inherit it.  SIGHUP loads the new file in the supervisor
 * alone: if it fails, nothing changes anywhere (DESIGN.md §1: the old config
 * serves on); if it loads, a new set of workers starts with it and the
 * old set is told to stop, each old worker finishing the requests it
 * holds (fcgi.c's drain), so that every worker taking requests serves the
 * same config.  Workers ignore SIGHUP: a signal sent to every process
 * (pkill -HUP) reloads once, in the supervisor.  SIGTERM goes to every
 * worker, old ones too, and the supervisor leaves when all of them have.
 *
 * An old worker is told to retire with SIGUSR1, not to stop: it accepts
 * nothing more but keeps every connection it holds until the web server
 * closes it or has sent it one last request (fcgi.c's drain), so that a
 * reload never closes a connection a request is on.  The listening socket
 * stays open in the supervisor throughout: a connect made while the new
 * set starts waits in its queue and is never refused.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
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
/*
 * The sets reloads replaced: told to retire once the new set runs, and
 * kept here until they have left, so that a stop reaches them too.  A
 * full table stops its oldest at once (PF_RETIRED_MAX).
 */
static struct {
	pid_t		pid;
	bool		told;
} retired[PF_RETIRED_MAX];
static int		nretired;

static void
pf_signal(int sig)
{
	if (sig == SIGHUP)
		pf_hup = 1;
	else if (sig == SIGCHLD)
		pf_chld = 1;
	else if (sig != SIGUSR1)	/* a worker's signal: not ours */
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
	sigaction(SIGUSR1, &sa, NULL);
}

static void
pf_kill_all(int sig, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		if (workers[i].pid > 0)
			kill(workers[i].pid, sig);
}

/* An old worker is gone from the table. */
static void
pf_old_drop(int i)
{
	memmove(&retired[i], &retired[i + 1],
	    (size_t)(nretired - i - 1) * sizeof(retired[0]));
	nretired--;
}

/* Reap what died; each slot is then started again (not an old worker's). */
static void
pf_reap(int n)
{
	pid_t	pid;
	int	st, i;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < nretired; i++)
			if (retired[i].pid == pid)
				pf_old_drop(i--);
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
	}
}

/*
 * Start the missing workers.  Returns 0 in a new worker, 1 in the
 * supervisor.  A worker that died within a second of its start is started
 * again a second later, not in a tight loop.
 */
static int
pf_spawn(int n, const sigset_t *old, void (*worker_signals)(void))
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
			/* the worker's own handlers, then signals may come */
			pf_handlers(SIG_DFL);
			worker_signals();
			sigprocmask(SIG_SETMASK, old, NULL);
			return 0;
		}
		workers[i].pid = pid;
	}
	return 1;
}

/*
 * SIGHUP: load the new file; only if it loads, the workers are replaced
 * (the slots emptied for pf_spawn, the old set stopped by pf_retire once
 * the new one runs).
 */
static void
pf_reload_all(int n, struct config **cfp, const char *file, pf_reload reload)
{
	struct config	*was = *cfp;
	int		 i;

	if ((*cfp = reload(was, file)) == was)
		return;
	for (i = 0; i < n; i++) {
		if (workers[i].pid > 0) {
			if (nretired == PF_RETIRED_MAX) {
				kill(retired[0].pid, SIGTERM);
				pf_old_drop(0);
			}
			retired[nretired].pid = workers[i].pid;
			retired[nretired++].told = false;
		}
		workers[i].pid = 0;
		workers[i].started = 0;
	}
}

/* The old set, once the new one runs: retire. */
static void
pf_retire(void)
{
	int	i;

	for (i = 0; i < nretired; i++)
		if (!retired[i].told) {
			kill(retired[i].pid, SIGUSR1);
			retired[i].told = true;
		}
}

/* Every worker, old or new, stopped; wait for all children. */
static void
pf_stop(int n)
{
	int	i;

	pf_kill_all(SIGTERM, n);
	for (i = 0; i < nretired; i++)
		kill(retired[i].pid, SIGTERM);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

/*
 * Run n workers; returns 0 in a worker (its signal handlers set by
 * worker_signals before signals are unblocked), 1 in the supervisor when
 * it is told to stop, -1 when it cannot start.
 */
int
pf_supervise(int n, struct config **cfp, const char *file, pf_reload reload,
    void (*worker_signals)(void))
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
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	pf_handlers(pf_signal);
	if (sb_enter(SB_SUPERVISOR, file) != 0)
		return -1;
	for (;;) {
		if (pf_spawn(n, &old, worker_signals) == 0)
			return 0;
		pf_retire();
		/* signals are taken here only, never inside a step */
		sigsuspend(&old);
		if (pf_term) {
			pf_stop(n);
			return 1;
		}
		if (pf_hup) {
			pf_hup = 0;
			pf_reload_all(n, cfp, file, reload);
		}
		if (pf_chld) {
			pf_chld = 0;
			pf_reap(n);
		}
	}
}
