/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause: the process that holds a pod together.
 *
 * It is PID 1 of the pod's PID namespace and the holder of the namespaces
 * the pod's containers join. It does two things: it reaps every child that
 * exits (orphans of the whole pod are re-parented to it), and it stops
 * cleanly on SIGINT or SIGTERM. It keeps the Kubernetes pause contract
 * (messages, -v, exit codes) so it can replace that binary anywhere.
 *
 * Unlike upstream, no work happens in signal handlers: there are none. All
 * signals are blocked and taken one at a time by a synchronous wait with no
 * timeout, so an idle pause is never woken. Every system call goes through
 * src/sys/sys.h, so this file builds with or without a C library.
 */
#include "../lib/msg.h"
#include "../sys/sys.h"

#ifndef PAUSE_VERSION
# define PAUSE_VERSION "HEAD"
#endif

/* Upstream's exit codes when a signal's handling cannot be installed. */
enum {
	EXIT_SIGINT_SETUP = 1,
	EXIT_SIGTERM_SETUP = 2,
	EXIT_SIGCHLD_SETUP = 3,
};

static const char usage[] =
	"Usage: pause [-v] [--help]\n"
	"\n"
	"Hold a pod's namespaces and reap its orphaned processes until stopped.\n"
	"Run it as PID 1 of the pod's PID namespace; anywhere else it warns and\n"
	"becomes a child subreaper, so its descendants' orphans are still reaped.\n"
	"\n"
	"Options:\n"
	"  -v, -V     print \"pause.c <version>\" and exit\n"
	"      --help print this help and exit\n"
	"Other arguments are ignored.\n"
	"\n"
	"Signals: SIGINT and SIGTERM stop it with status 0; every other signal\n"
	"is taken and ignored.\n"
	"\n"
	"Exit status: 0 when stopped or after -v/--help; 1, 2 or 3 when the\n"
	"handling of SIGINT, SIGTERM or SIGCHLD cannot be installed.\n";

/*
 * Signals the kernel raises synchronously when pause itself faults. They
 * stay unblocked: blocking them only makes the kernel force them through
 * anyway, and waiting for one would hide a bug in pause behind a hang.
 */
static const int fault_signals[] = {
	SYS_SIGILL, SYS_SIGTRAP, SYS_SIGABRT, SYS_SIGBUS,
	SYS_SIGFPE, SYS_SIGSEGV, SYS_SIGSYS,
};

/* The signals pause acts on, each with its psignal(3) text and the exit
 * code upstream uses when its handling cannot be installed. */
static const struct {
	int sig;
	int setup_exit;
	const char *name;
	const char *text;
} handled[] = {
	{ SYS_SIGINT, EXIT_SIGINT_SETUP, "SIGINT", "Interrupt" },
	{ SYS_SIGTERM, EXIT_SIGTERM_SETUP, "SIGTERM", "Terminated" },
	{ SYS_SIGCHLD, EXIT_SIGCHLD_SETUP, "SIGCHLD", "Child exited" },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Upstream prints the version if any argument is -v, case-insensitively. */
static int wants_version(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && (argv[i][1] | 0x20) == 'v' &&
		    argv[i][2] == '\0')
			return 1;
	return 0;
}

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (str_eq(argv[i], "--help"))
			return 1;
	return 0;
}

static void warn(const char *what, long err)
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
static void become_subreaper(void)
{
	long r = sys_prctl(SYS_PR_SET_CHILD_SUBREAPER, 1);

	if (r < 0)
		warn("warning: cannot become a child subreaper", r);
}

/*
 * Resets the dispositions of the handled signals (an inherited SIG_IGN on
 * SIGCHLD would make the kernel reap behind our back; SA_NOCLDSTOP keeps
 * stopped children from waking us) and blocks every signal but the fault
 * signals, so they queue until sigwait takes them. Fills @wait_set with
 * the blocked set. Returns 0, or upstream's exit code on failure.
 */
static int take_signals(sys_sigset *wait_set)
{
	for (size_t i = 0; i < ARRAY_LEN(handled); i++) {
		struct sys_sigaction act = { 0 };
		long r;

		act.handler = SYS_SIG_DFL;
		act.flags = handled[i].sig == SYS_SIGCHLD ? SYS_SA_NOCLDSTOP : 0;
		r = sys_sigaction(handled[i].sig, &act);
		if (r < 0) {
			struct msg m = { 0 };

			msg_str(&m, "pause: cannot install handling for ");
			msg_str(&m, handled[i].name);
			msg_str(&m, ": ");
			msg_errno(&m, r);
			msg_flush(&m, 2);
			return handled[i].setup_exit;
		}
	}

	sys_sigset_fill(wait_set);
	for (size_t i = 0; i < ARRAY_LEN(fault_signals); i++)
		sys_sigset_del(wait_set, fault_signals[i]);
	long r = sys_sigprocmask(SYS_SIG_BLOCK, wait_set, NULL);
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

int main(int argc, char **argv)
{
	sys_sigset wait_set;
	int code;

	if (wants_version(argc, argv)) {
		put_str(1, "pause.c " PAUSE_VERSION "\n");
		return 0;
	}
	if (wants_help(argc, argv)) {
		put_str(1, usage);
		return 0;
	}

	if (sys_getpid() != 1) {
		put_str(2, "Warning: pause should be the first process\n");
		become_subreaper();
	}

	code = take_signals(&wait_set);
	if (code)
		return code;

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
		if (sys_sigwait(&wait_set, &info) < 0)
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
