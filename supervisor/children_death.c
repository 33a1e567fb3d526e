// SPDX-License-Identifier: GPL-2.0-only
/* A worker's death: restart with backoff, the give-up rule, the config-error
 * status that is never restarted. */
#include "children.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flightrec.h"
#include "config.h"
#include "log.h"
#include "sup.h"
#include "clock.h"

static void death_describe(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "was killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended (wait status 0x%x)", status);
}

static void death_schedule_restart(struct worker *w, const char *how)
{
	uint32_t delay;

	if (backoff_death(&w->backoff, w->ready_ns, clock_mono_ns(), &delay)) {
		log_error("%s %s: that is %d deaths within %llu minutes; giving up so the service "
			  "manager's start limit takes over (exit status %d)",
			  w->name, how, WORKER_GIVE_UP_DEATHS,
			  (unsigned long long)(WORKER_GIVE_UP_WINDOW_NS / 60000000000ull), SUP_EXIT_GAVE_UP);
		w->state = WS_FAILED;
		w->gave_up = true; /* the loop stops the supervisor (settle.h) */
		return;
	}
	w->state = WS_RESTARTING;
	timer_arm_ms(w->restart_tfd, delay);
	log_warn("%s %s; restarting it in %u.%03u s", w->name, how, delay / 1000, delay % 1000);
}

void children_died_without_pid(struct worker *w)
{
	death_schedule_restart(w, "could not be started");
}

static void worker_forget_process(struct worker *w)
{
	struct sup *s = w->sup;

	if (w->sock >= 0) {
		loop_del(s->loop, &w->sock_watch);
		close(w->sock);
		w->sock = -1;
	}
	w->pid = 0;
	w->lost = false;
	/* Its counts carry over to the next process (stats_carry.h). */
	if (w->stats_valid && w->kind->stats_fold) {
		w->kind->stats_fold(&w->carried, &w->stats, NULL);
		w->stats = w->carried;
	} else {
		w->stats_valid = false;
	}
	w->stats_asked = false;
	memset(&w->ping, 0, sizeof(w->ping));
	w->config_pending = 0;
	timer_arm_ms(w->restart_tfd, 0);
	if (w->kind->forget)
		w->kind->forget(w);
}

static void worker_died(struct worker *w, int status)
{
	struct sup *s = w->sup;
	char how[96];

	death_describe(status, how, sizeof(how));
	pid_t pid = w->pid;
	worker_forget_process(w);

	if (s->phase != PHASE_RUNNING || w->drained) {
		w->state = WS_STOPPED;
		log_info("%s (pid %d) %s", w->name, (int)pid, how);
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == AOD_EX_CONFIG) {
		w->state = WS_FAILED;
		log_error("%s (pid %d) refused the configuration (exit status %d); not restarting it "
			  "until a valid config is reloaded", w->name, (int)pid, AOD_EX_CONFIG);
		return;
	}
	/* Asked for by a reload, not a death: no backoff, not counted toward
	 * giving up. Only after a reload, so a worker cannot use it to dodge
	 * the give-up rule. */
	if (WIFEXITED(status) && WEXITSTATUS(status) == AOD_EX_NEW_RULES &&
	    w->started_reloads != s->reloads) {
		log_info("%s (pid %d) exited for file rules that fit the reloaded configuration; "
			 "restarting it now", w->name, (int)pid);
		w->state = WS_RESTARTING;
		timer_arm_ms(w->restart_tfd, 1);
		return;
	}
	char what[160];
	snprintf(what, sizeof(what), "(pid %d) %s", (int)pid, how);
	death_schedule_restart(w, what);
}

void children_reap(struct sup *s)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		if (pid <= 0) {
			if (pid < 0 && errno != ECHILD && errno != EINTR)
				log_error("waitpid: %s", strerror(errno));
			return;
		}
		if (flightrec_reaped(s->flightrec, pid, status))
			continue;
		for (int i = 0; i < W_NR; i++)
			if (s->workers[i].pid == pid)
				worker_died(&s->workers[i], status);
	}
}
