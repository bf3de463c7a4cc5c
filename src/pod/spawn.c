/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Order matters. The child waits for a byte from us before it does
 * anything: state.json (with its pid) and the pins exist before it can
 * turn into a long-lived pause, and if we die first it reads EOF and
 * exits, so no pause is ever left without a record.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "spawn.h"
#include "sysctl.h"
#include "userns.h"
#include "util.h"

static int lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	rc = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close_keep_errno(s);
	return rc;
}

/* The pod's own settings, made from inside its namespaces. */
static void configure(const struct pod *p, int err_fd)
{
	if ((p->share & CLONE_NEWNET) && (fault("lo") < 0 || lo_up() < 0))
		report_fail(err_fd, POD_EFAIL, "cannot bring up lo in pod %s", p->name);
	if ((p->share & CLONE_NEWUTS) &&
	    (fault("hostname") < 0 || sethostname(p->hostname, strlen(p->hostname)) < 0))
		report_fail(err_fd, POD_EFAIL, "cannot set hostname %s of pod %s", p->hostname,
			    p->name);
	for (size_t i = 0; i < p->nsysctls; i++)
		if (fault("sysctl") < 0 || sysctl_write(&p->sysctls[i]) < 0)
			report_fail(err_fd, POD_EFAIL, "cannot set sysctl %s of pod %s",
				    p->sysctls[i].key, p->name);
}

/* Into the pod's cgroup, leaf pause/, unless clone3 put us there. A
 * shared cgroup namespace is made here, once we are in pod-NAME, so that
 * pod-NAME is its root: clone3 would root it where we were born. */
static void child_cgroup(const struct pod *p, const struct cg_dirs *cg, bool placed, int err_fd)
{
	bool cgns = p->share & CLONE_NEWCGROUP;

	if (!placed && cg_enter(cg, cgns ? "" : "pause") < 0)
		report_fail(err_fd, POD_EFAIL, "cannot enter the cgroup of pod %s", p->name);
	if (cgns && (unshare(CLONE_NEWCGROUP) < 0 || cg_enter(cg, "pause") < 0))
		report_fail(err_fd, POD_EFAIL, "cannot make the cgroup namespace of pod %s",
			    p->name);
}

/* pause lives as long as the pod: it must not hold whatever its caller
 * left open (a pipe held open would keep a reader of it waiting for
 * ever). Every descriptor above stderr closes at the exec; the error
 * pipe already does. Before 5.11 close_range has no CLOEXEC flag. */
static void cloexec_from(int first)
{
	if (close_range((unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	for (int fd = first; fd < 4096; fd++)
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);	/* EBADF: not open */
}

__attribute__((noreturn))
static void child_main(const struct pod *p, int go_fd, int err_fd, int log_fd)
{
	static char name[] = "pause";
	char *const argv[] = { name, NULL }, *const envp[] = { NULL };
	sigset_t none;
	char go;
	int null;

	if (read(go_fd, &go, 1) != 1)
		_exit(1);	/* the parent failed or died: no pause */
	close(go_fd);
	/* mapped now: root of the pod's user namespace, and so its owner's
	 * capabilities for what follows */
	if (p->userns != USERNS_NONE && (fault("become-root") < 0 || userns_become_root(p) < 0))
		report_fail(err_fd, POD_EFAIL, "cannot become root of pod %s's user namespace",
			    p->name);
	setsid();
	if (chdir("/") < 0)
		report_fail(err_fd, POD_EFAIL, "cannot enter / in pod %s", p->name);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0)
		report_fail(err_fd, POD_EFAIL, "cannot set up pause's stdio in pod %s", p->name);
	cloexec_from(3);
	configure(p, err_fd);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (fault("exec") == 0)
		execve(p->pause, argv, envp);
	report_fail(err_fd, POD_EFAIL, "cannot start pause %s in pod %s", p->pause, p->name);
}

static pid_t clone_child(const struct pod *p, const struct cg_dirs *cg, int *pidfd, int go[2],
			 int err[2], int log_fd)
{
	struct clone_args ca;
	int cgfd = cg_leaf_fd(cg, (p->share & CLONE_NEWCGROUP) ? "" : "pause");
	long pid;

	memset(&ca, 0, sizeof(ca));
	/* with CLONE_NEWUSER the kernel makes the user namespace first, and
	 * it owns the others */
	ca.flags = (uint64_t)(unsigned)((p->share & ~CLONE_NEWCGROUP) | CLONE_NEWPID) |
		   (uint64_t)CLONE_PIDFD;
	if (p->userns != USERNS_NONE)
		ca.flags |= CLONE_NEWUSER;
	ca.pidfd = (uint64_t)(uintptr_t)pidfd;
	ca.exit_signal = SIGCHLD;
	if (cgfd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)(unsigned)cgfd;
	}
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	/* before 5.7 (E2BIG) the child places itself */
	if (pid < 0 && cgfd >= 0 && errno == E2BIG) {
		ca.flags &= ~(uint64_t)CLONE_INTO_CGROUP;
		close(cgfd);
		cgfd = -1;
		pid = syscall(SYS_clone3, &ca, sizeof(ca));
	}
	if (pid == 0) {
		close(go[1]);
		close(err[0]);
		child_cgroup(p, cg, cgfd >= 0, err[1]);
		child_main(p, go[0], err[1], log_fd);
	}
	close_keep_errno(cgfd);
	return (pid_t)pid;
}

int spawn_pause(const struct pod *p, const struct cg_dirs *cg, int log_fd, struct spawned *s)
{
	int go[2] = { -1, -1 }, err[2] = { -1, -1 };

	/* go is a socket pair: send() with MSG_NOSIGNAL gets EPIPE, not a
	 * SIGPIPE, if the child has died. */
	s->pid = -1;
	s->pidfd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, go) == 0 &&
	    pipe2(err, O_CLOEXEC) == 0 && fault("spawn") == 0)
		s->pid = clone_child(p, cg, &s->pidfd, go, err, log_fd);
	/* the child's ends are its own; ours stay only if there is a child */
	close_keep_errno(go[0]);
	close_keep_errno(err[1]);
	if (s->pid < 0) {
		close_keep_errno(go[1]);
		close_keep_errno(err[0]);
		return -1;
	}
	s->go = go[1];
	s->err = err[0];
	return 0;
}

/* EOF on the error pipe comes from the exec, or from a child that died
 * before it: tells which. */
static int exec_seen(const struct pod *p, struct spawned *s)
{
	int status;

	if (waitpid(s->pid, &status, WNOHANG) != s->pid)
		return POD_OK;
	s->pid = -1;	/* reaped: nothing left to kill */
	if (WIFSIGNALED(status))
		return fail(POD_EFAIL, "cannot start pause for pod %s: killed by signal %d",
			    p->name, WTERMSIG(status));
	return fail(POD_EFAIL, "cannot start pause for pod %s: it exited with status %d",
		    p->name, WEXITSTATUS(status));
}

int spawn_go(const struct pod *p, struct spawned *s)
{
	struct report rep;
	int got;

	if (send(s->go, "g", 1, MSG_NOSIGNAL) != 1)
		return fail_errno(POD_EFAIL, "cannot start pause for pod %s", p->name);
	got = report_read(s->err, &rep);
	if (got > 0)
		return fail(POD_EFAIL, "%s", rep.msg);
	if (got < 0)
		return fail(POD_EFAIL, "cannot start pause for pod %s: lost its report", p->name);
	return exec_seen(p, s);
}
