/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause: the process that holds a pod together, and an init for any
 * container.
 *
 * Pause mode (no command): PID 1 of the pod's PID namespace and holder of
 * the namespaces the pod's containers join. It reaps every child that
 * exits (orphans of the whole pod are re-parented to it), and stops
 * cleanly on SIGINT or SIGTERM. It keeps the Kubernetes pause contract
 * (messages, -v, exit codes, other arguments ignored) so it can replace
 * that binary anywhere.
 *
 * Init mode (pause [OPTIONS] -- CMD): runs CMD as its child, forwards
 * signals to it, reaps every zombie, and exits with CMD's status (init.c).
 *
 * No work happens in signal handlers: there are none. All signals are
 * blocked and taken one at a time by a synchronous wait with no timeout,
 * so an idle pause is never woken. Every system call goes through
 * src/sys/sys.h, so this file builds with or without a C library.
 */
#include "pause.h"

#include "../lib/msg.h"
#include "../lib/parse.h"

#ifndef PAUSE_VERSION
# define PAUSE_VERSION "HEAD"
#endif
#ifndef PAUSE_COMMIT
# define PAUSE_COMMIT "unknown"
#endif

/* Upstream's exit codes when a signal's handling cannot be installed. */
enum {
	EXIT_SIGINT_SETUP = 1,
	EXIT_SIGTERM_SETUP = 2,
	EXIT_SIGCHLD_SETUP = 3,
};

static const char usage[] =
	"Usage: pause [-v] [--help] [--version]   hold a pod's namespaces, reap orphans\n"
	"       pause [OPTIONS] -- CMD [ARG...]   run CMD as a container's init\n"
	"\n"
	"  -v, -V            print \"pause.c <version>\" and exit\n"
	"      --help        print this help and exit\n"
	"      --version     print \"tini version <version> - git.<commit>\" and exit\n"
	"  -g                forward signals to CMD's process group\n"
	"  -r FROM:TO        forward signal FROM as TO (TO 0 drops it); repeatable\n"
	"  -e CODE           exit 0 when CMD's status is CODE; repeatable\n"
	"      --grace SECS  when CMD exits, SIGTERM the other descendants, then\n"
	"                    SIGKILL them after SECS (default 0)\n"
	"\n"
	"Environment: PAUSE_GRACE, PAUSE_GROUP, PAUSE_SUBREAPER (0/false: off).\n"
	"Exit status: 0; 1, 2, 3 cannot set up SIGINT, SIGTERM, SIGCHLD. With CMD:\n"
	"its status, 128+N if signal N killed it, 125 bad usage, 126 cannot\n"
	"execute, 127 not found. Other arguments are ignored. See pause(1).\n";

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

void warn(const char *what, long err)
{
	struct msg m = { 0 };

	msg_str(&m, "pause: ");
	msg_str(&m, what);
	msg_str(&m, ": ");
	msg_errno(&m, err);
	msg_flush(&m, 2);
}

/*
 * Outside PID 1, orphans of our descendants would go to the real init and
 * never be reaped by us. A subreaper gets them instead. Refusal (seccomp,
 * qemu-user) is not fatal: pause still reaps its own children.
 */
void become_subreaper(void)
{
	long r = sys_prctl(SYS_PR_SET_CHILD_SUBREAPER, 1);

	if (r < 0)
		warn("warning: cannot become a child subreaper", r);
}

/*
 * Resets the dispositions of the handled signals (an inherited SIG_IGN on
 * SIGCHLD would make the kernel reap behind our back; SA_NOCLDSTOP keeps
 * stopped children from waking us) and blocks every signal, so that each
 * queues until sigwait takes it. A fault pause itself causes still kills
 * it: the kernel forces synchronous faults through a blocked mask.
 * Records what it changed in @inh, for a child to get back. Returns 0, or
 * upstream's exit code on failure.
 */
static int take_signals(sys_sigset *wait_set, struct inherited *inh)
{
	/* Note every inherited SIG_IGN, not only those we reset: a child
	 * re-applies them all, since qemu-user loses them across exec. */
	inh->ignored = (sys_sigset){ { 0 } };
	for (int sig = 1; sig <= SYS_NSIG; sig++) {
		struct sys_sigaction old = { 0 };

		if (sig != SYS_SIGKILL && sig != SYS_SIGSTOP &&
		    sys_sigaction(sig, NULL, &old) == 0 && old.handler == SYS_SIG_IGN)
			sys_sigset_add(&inh->ignored, sig);
	}

	for (size_t i = 0; i < ARRAY_LEN(handled); i++) {
		struct sys_sigaction act = { 0 };
		long r;

		act.handler = SYS_SIG_DFL;
		act.flags = handled[i].sig == SYS_SIGCHLD ? SYS_SA_NOCLDSTOP : 0;
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

/* Pause mode: reap until SIGINT or SIGTERM. */
static int pause_loop(const sys_sigset *wait_set)
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

int main(int argc, char **argv, char **envp)
{
	static struct init_opts opts;
	struct inherited inh;
	sys_sigset wait_set;
	enum request req;
	int init, code;

	if ((code = pause_args(argc, argv, envp, &opts, &req, &init)))
		return code;
	switch (req) {
	case SHOW_VERSION:
		put_str(1, "pause.c " PAUSE_VERSION "\n");
		return 0;
	case SHOW_HELP:
		put_str(1, usage);
		return 0;
	case SHOW_TINI_VERSION:
		put_str(1, "tini version " PAUSE_VERSION " - git." PAUSE_COMMIT "\n");
		return 0;
	case RUN:
		break;
	}

	if (sys_getpid() != 1) {
		if (!init)
			put_str(2, "Warning: pause should be the first process\n");
		if (!init || opts.subreaper)
			become_subreaper();
	}

	if ((code = take_signals(&wait_set, &inh)))
		return code;
	return init ? init_main(&opts, &wait_set, &inh) : pause_loop(&wait_set);
}
