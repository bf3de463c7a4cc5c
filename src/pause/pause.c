/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pause mode: PID 1 of the pod's PID namespace. It reaps every child that
 * exits (orphans of the whole pod are re-parented to it) and stops
 * cleanly on SIGINT or SIGTERM. Also the signal setup init mode shares.
 */
#include "pause.h"

#include "../lib/array.h"
#include "../lib/msg.h"

/* Upstream's exit codes when a signal's handling cannot be installed. */
enum {
	EXIT_SIGINT_SETUP = 1,
	EXIT_SIGTERM_SETUP = 2,
	EXIT_SIGCHLD_SETUP = 3,
};

/* The signals pause resets, each with its psignal(3) text and the exit
 * code upstream uses when its handling cannot be installed. */
static const struct {
	int sig;
	int setup_exit;
	const char *setup_error;
	const char *text;
} handled[] = {
	{ SYS_SIGINT, EXIT_SIGINT_SETUP, "cannot install handling for SIGINT", "Interrupt" },
	{ SYS_SIGTERM, EXIT_SIGTERM_SETUP, "cannot install handling for SIGTERM", "Terminated" },
	{ SYS_SIGCHLD, EXIT_SIGCHLD_SETUP, "cannot install handling for SIGCHLD", "Child exited" },
};

/* Every inherited SIG_IGN, not only those we reset: a child re-applies
 * them all, since qemu-user loses them across exec. */
static void note_ignored(sys_sigset *ignored)
{
	*ignored = (sys_sigset){ { 0 } };
	for (int sig = 1; sig <= SYS_NSIG; sig++) {
		struct sys_sigaction old = { 0 };

		if (sig != SYS_SIGKILL && sig != SYS_SIGSTOP &&
		    sys_sigaction(sig, NULL, &old) == 0 && old.handler == SYS_SIG_IGN)
			sys_sigset_add(ignored, sig);
	}
}

/*
 * An inherited SIG_IGN on SIGCHLD would make the kernel reap behind our
 * back, so the handled signals go back to SIG_DFL; SA_NOCLDSTOP keeps
 * stopped children from waking us unless @stops. Then every signal is
 * blocked, so that each queues until sigwait takes it. A fault pause
 * itself causes still kills it: the kernel forces synchronous faults
 * through a blocked mask.
 */
int signals_take(sys_sigset *wait_set, struct inherited *inh, int stops)
{
	note_ignored(&inh->ignored);
	for (size_t i = 0; i < ARRAY_LEN(handled); i++) {
		struct sys_sigaction act = { 0 };
		long r;

		act.handler = SYS_SIG_DFL;
		if (handled[i].sig == SYS_SIGCHLD && !stops)
			act.flags = SYS_SA_NOCLDSTOP;
		r = sys_sigaction(handled[i].sig, &act, NULL);
		if (r < 0) {
			warn(handled[i].setup_error, r);
			return handled[i].setup_exit;
		}
	}

	sys_sigset_fill(wait_set);
	long r = sys_sigprocmask(SYS_SIG_BLOCK, wait_set, &inh->mask);
	if (r < 0) {
		warn("cannot block signals", r);
		return EXIT_SIGINT_SETUP;
	}
	return 0;
}

/* Reaps every child that has exited. One SIGCHLD may stand for thousands
 * of exits (standard signals coalesce), so drain until none is left. */
static void reap_all(void)
{
	while (sys_wait4(-1, NULL, SYS_WNOHANG) > 0)
		;
}

static const char *shutdown_text(int sig)
{
	for (size_t i = 0; i < ARRAY_LEN(handled); i++)
		if (handled[i].sig == sig && sig != SYS_SIGCHLD)
			return handled[i].text;
	return NULL;
}

int pause_loop(const sys_sigset *wait_set)
{
	/*
	 * Past this point nothing may end pause but SIGINT or SIGTERM: as PID 1
	 * its death kills every process in the pod.
	 */
	for (;;) {
		sys_siginfo info;
		const char *text;

		/* also reaps children inherited across exec, whose SIGCHLD
		 * arrived before we blocked it and was discarded */
		reap_all();
		if (sys_sigwait(wait_set, &info) < 0)
			continue;	/* EINTR after a stop/continue */
		text = shutdown_text(info.signo);
		if (text) {
			struct msg m = { 0 };

			msg_str(&m, "Shutting down, got signal: ");
			msg_str(&m, text);
			msg_flush(&m, 2);
			return 0;
		}
	}
}
