/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause: the process that holds a pod together, and an init for any
 * container.
 *
 * Pause mode (no command): PID 1 of the pod's PID namespace and holder of
 * the namespaces the pod's containers join (pause.c). It keeps the
 * Kubernetes pause contract (messages, -v, exit codes, other arguments
 * ignored) so it can replace that binary anywhere.
 *
 * Init mode (pause [OPTIONS] -- CMD): runs CMD as its child, forwards
 * signals to it, reaps every zombie, and exits with CMD's status (init.c).
 *
 * No work happens in signal handlers: there are none. All signals are
 * blocked and taken one at a time by a synchronous wait with no timeout,
 * so an idle pause is never woken. Every system call goes through
 * src/sys/sys.h, so pause builds with or without a C library.
 */
#include "pause.h"

#include "../lib/msg.h"

#ifndef PAUSE_VERSION
# define PAUSE_VERSION "HEAD"
#endif
#ifndef PAUSE_COMMIT
# define PAUSE_COMMIT "unknown"
#endif

const char msg_prog[] = "pause";

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

int main(int argc, char **argv, char **envp)
{
	static struct init_opts opts;
	struct inherited inh;
	sys_sigset wait_set;
	enum request req;
	int code, pid1 = sys_getpid() == 1;

	if ((code = pause_args(argc, argv, envp, &opts, &req)))
		return code;
	switch (req) {
	case REQ_VERSION:
		put_str(1, "pause.c " PAUSE_VERSION "\n");
		return 0;
	case REQ_HELP:
		put_str(1, usage);
		return 0;
	case REQ_TINI_VERSION:
		put_str(1, "tini version " PAUSE_VERSION " - git." PAUSE_COMMIT "\n");
		return 0;
	case REQ_PAUSE:
		if (!pid1) {
			put_str(2, "Warning: pause should be the first process\n");
			become_subreaper();
		}
		if ((code = signals_take(&wait_set, &inh, 0)))
			return code;
		return pause_loop(&wait_set);
	case REQ_INIT:
		if (!pid1 && opts.subreaper)
			become_subreaper();
		/* outside PID 1, a stopped CMD is a stopped job (init.c) */
		if ((code = signals_take(&wait_set, &inh, !pid1)))
			return code;
		return init_main(&opts, &wait_set, &inh);
	}
	return EXIT_INIT_FAILURE;	/* not reached: every request is handled */
}
