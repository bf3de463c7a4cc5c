/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pod run: a process joins the pod. setns moves this process into the
 * pod's namespaces, but for the PID namespace only its children: so we
 * fork, and the child makes a private mount namespace with a fresh /proc
 * (and /sys) that show the pod's view, then execs CMD.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sched.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "cli.h"
#include "mounts.h"
#include "ns.h"
#include "state.h"
#include "userns.h"
#include "util.h"

/* How long pod run waits for a pod being created. */
#define READY_WAIT_MS 5000

enum { OPT_ROOTFS = OPT_LONG, OPT_WORKDIR, OPT_ENV, OPT_USER };

static const struct opt run_opts[] = {
	{ "detach", 'd', NULL, "do not wait: pause becomes CMD's parent, output\n"
			       "goes to ROOT/NAME/log" },
	{ "rootfs", OPT_ROOTFS, "DIR", "CMD's root directory (pivot_root; proc, sys and\n"
				       "dev are mounted there, made if missing)" },
	{ "workdir", OPT_WORKDIR, "DIR", "CMD's working directory" },
	{ "env", OPT_ENV, "KEY=VALUE", "set an environment variable; repeat for more" },
	{ "user", OPT_USER, "UID[:GID]", "run as UID (and GID, default UID); no\n"
					 "supplementary groups" },
	OPT_END,
};

static int run_main(int argc, char **argv);

const struct command cmd_run = {
	.name = "run",
	.operands = "[OPTIONS] NAME [--] CMD [ARG...]",
	.summary = "run a command in a pod",
	.about = "Run CMD in the pod's namespaces, with its own mount namespace and a\n"
		 "/proc of the pod's PID namespace. Exits with CMD's status. Options\n"
		 "come before NAME: everything after NAME is CMD.",
	.footer = "Exit status: CMD's, 128+N if killed by signal N, 125 if pod itself\n"
		  "failed, 126 if CMD cannot be run, 127 if CMD is not found.",
	.opts = run_opts,
	.in_order = true,
	.usage_code = POD_RUN_EFAIL,
	.main = run_main,
};

#define ENV_MAX 256

struct run {
	struct pod pod;
	char root_real[4096];	/* pod_root with symlinks resolved */
	bool detach;
	const char *rootfs, *workdir;
	char *envs[ENV_MAX];
	size_t nenvs;
	bool user;
	uid_t uid;
	gid_t gid;
	char **cmd;
	struct cg_dirs cg;	/* the pod's cgroup; n is 0 if it has none */
	char leaf[32];		/* the member's leaf in it */
	int pidfd;		/* pause */
};

/* ---- the command line ---- */

static int parse_user(struct run *r, const char *arg)
{
	char buf[64];
	char *colon;
	unsigned long uid, gid;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	if (parse_uint(buf, 0xfffffffeUL, &uid) < 0 ||
	    (colon && parse_uint(colon + 1, 0xfffffffeUL, &gid) < 0))
		return -1;
	r->user = true;
	r->uid = (uid_t)uid;
	r->gid = colon ? (gid_t)gid : (gid_t)uid;
	return 0;
}

static int run_opt(void *ctx, int key, char *arg)
{
	struct run *r = ctx;

	switch (key) {
	case 'd': r->detach = true; break;
	case OPT_ROOTFS: r->rootfs = arg; break;
	case OPT_WORKDIR: r->workdir = arg; break;
	case OPT_ENV:
		if (!strchr(arg, '=') || arg[0] == '=')
			return cli_usage(&cmd_run, "--env %.80s: not KEY=VALUE", arg);
		if (r->nenvs == ENV_MAX)
			return cli_usage(&cmd_run, "more than %d --env", ENV_MAX);
		r->envs[r->nenvs++] = arg;
		break;
	case OPT_USER:
		if (parse_user(r, arg) < 0)
			return cli_usage(&cmd_run, "--user %.80s: not UID[:GID]", arg);
		break;
	}
	return POD_OK;
}

size_t run_size(void)
{
	return sizeof(struct run);
}

/* Options, NAME, CMD: 0, or an exit code (125 for every usage error). */
int run_parse(int argc, char **argv, struct run *r)
{
	int first, rc;

	if ((rc = cli_parse(&cmd_run, argc, argv, run_opt, r, &first)))
		return rc;
	if (first == argc)
		return cli_usage(&cmd_run, "NAME is missing");
	if (pod_open(&r->pod, argv[first++]))
		return POD_RUN_EFAIL;
	if (first < argc && strcmp(argv[first], "--") == 0)
		first++;
	if (first == argc)
		return cli_usage(&cmd_run, "CMD is missing");
	r->cmd = argv + first;
	if (r->rootfs && r->rootfs[0] != '/')
		return fail(POD_RUN_EFAIL, "cannot use rootfs %s: not an absolute path", r->rootfs);
	return POD_OK;
}

/* ---- the member, between fork and exec ---- */

/* Detached: output to the pod's log. In the foreground: its own process
 * group, in the terminal's foreground if we were, so Ctrl-C reaches CMD
 * once, from the terminal, and not a second time through us. SIGTTOU is
 * blocked here. */
static void member_stdio(const struct run *r, int err_fd, int log_fd)
{
	if (r->detach) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0)
			report_fail(err_fd, POD_RUN_EFAIL, "cannot redirect output to %s/log",
				    r->pod.dir);
		return;
	}
	pid_t pg = getpgrp();
	setpgid(0, 0);
	if (tcgetpgrp(STDIN_FILENO) == pg)
		tcsetpgrp(STDIN_FILENO, getpid());
}

__attribute__((noreturn))
static void member_main(const struct run *r, int err_fd, int log_fd, const sigset_t *mask)
{
	member_stdio(r, err_fd, log_fd);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot make a mount namespace for pod %s",
			    r->pod.name);
	if (r->rootfs)
		member_enter_rootfs(r->rootfs, err_fd);
	else
		member_fresh_view(r->root_real, r->pod.share, r->pod.name,
				  r->pod.userns != USERNS_NONE, err_fd);
	if (r->workdir && chdir(r->workdir) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot enter workdir %s", r->workdir);
	for (size_t i = 0; i < r->nenvs; i++)
		if (putenv(r->envs[i]) < 0)
			report_fail(err_fd, POD_RUN_EFAIL, "cannot set %s", r->envs[i]);
	/* a single-id map denies setgroups: the member keeps none it could drop */
	if (!r->user && r->pod.userns != USERNS_NONE && userns_become_root(&r->pod) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot become root of pod %s's user namespace",
			    r->pod.name);
	if (r->user && ((r->pod.userns != USERNS_SINGLE && setgroups(0, NULL) < 0) ||
			setgid(r->gid) < 0 || setuid(r->uid) < 0))
		report_fail(err_fd, POD_RUN_EFAIL, "cannot become user %u:%u",
			    (unsigned)r->uid, (unsigned)r->gid);
	sigprocmask(SIG_SETMASK, mask, NULL);
	execvp(r->cmd[0], r->cmd);
	report_fail(err_fd, errno == ENOENT ? POD_RUN_ENOENT : POD_RUN_ENOEXEC,
		    "cannot run %s in pod %s", r->cmd[0], r->pod.name);
}

/* ---- joining and waiting ---- */

/* setns with a pidfd enters all namespaces at once, atomically, and only if
 * pause is still the process we recorded. Older kernels take the pins.
 * The cgroup namespace is the member's to enter, once in the pod's cgroup:
 * a process outside a cgroup namespace's root cannot move into it. */
static int join(const struct pod *p, int pidfd)
{
	int user = p->userns != USERNS_NONE ? CLONE_NEWUSER : 0;

	if (setns(pidfd, (p->share & ~CLONE_NEWCGROUP) | user) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	for (size_t i = 0; i <= ns_kinds_len; i++) {
		/* the user namespace first: it owns the others */
		const struct ns_kind *k = i ? &ns_kinds[i - 1] : &ns_user;
		char pin[POD_PATH_MAX];
		int fd, rc;
		if (i == 0 ? !user : !(p->share & k->flag) || k->flag == CLONE_NEWCGROUP)
			continue;
		if ((i == 0 ? snprintf(pin, sizeof(pin), "/proc/%d/ns/user", (int)p->pid) < 0
			    : ns_path(p, k, pin, sizeof(pin)) < 0) ||
		    (fd = open(pin, O_RDONLY | O_CLOEXEC)) < 0)
			return -1;
		rc = setns(fd, k->flag);
		close(fd);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Foreground: every signal but SIGCHLD goes to CMD; returns its status. */
static int forward(pid_t child)
{
	sigset_t all;
	int status;

	sigfillset(&all);
	for (;;) {
		int sig = sigwaitinfo(&all, NULL);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		if (waitpid(child, &status, WNOHANG) == child)
			break;
	}
	if (tcgetpgrp(STDIN_FILENO) == child)
		tcsetpgrp(STDIN_FILENO, getpgrp());
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* fork, born in the member's leaf where clone3 can (CLONE_INTO_CGROUP,
 * cgroup v2, Linux 5.7); *placed says if it did. The raw clone3 is safe
 * here: we are single-threaded, and the child only calls async-signal-
 * safe functions until it execs. */
static pid_t fork_into_leaf(const struct run *r, bool *placed)
{
	int fd = cg_leaf_fd(&r->cg, r->leaf);
	struct clone_args ca;

	*placed = false;
	if (fd >= 0) {
		long pid;
		memset(&ca, 0, sizeof(ca));
		ca.flags = CLONE_INTO_CGROUP;
		ca.exit_signal = SIGCHLD;
		ca.cgroup = (uint64_t)(unsigned)fd;
		pid = syscall(SYS_clone3, &ca, sizeof(ca));
		close_keep_errno(fd);
		if (pid >= 0 || errno != E2BIG) {
			*placed = pid >= 0;
			return (pid_t)pid;
		}
	}
	return fork();
}

/* In the child: into the leaf, if not born there, then into the pod's
 * cgroup namespace if it has one. */
static void member_cgroup(const struct run *r, bool placed, int err_fd)
{
	if (r->cg.n && !placed && cg_enter(&r->cg, r->leaf) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot enter the cgroup of pod %s",
			    r->pod.name);
	if ((r->pod.share & CLONE_NEWCGROUP) && setns(r->pidfd, CLONE_NEWCGROUP) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot join the cgroup namespace of pod %s",
			    r->pod.name);
}

/* The member's process, forked inside the pod's PID namespace and its
 * cgroup; detached, it forks once more so that pause, not we, adopts and
 * reaps it. */
static pid_t fork_member(const struct run *r, int err[2], int log_fd, const sigset_t *old)
{
	bool placed;
	pid_t child = fork_into_leaf(r, &placed);

	if (child != 0)
		return child;
	close(err[0]);
	member_cgroup(r, placed, err[1]);
	if (r->detach) {
		setsid();
		pid_t member = fork();
		if (member < 0)
			report_fail(err[1], POD_RUN_EFAIL, "cannot fork");
		if (member > 0)
			_exit(0);
	}
	member_main(r, err[1], log_fd, old);
}

/* After the fork: the member's report, then its status (foreground) or
 * the middle process's exit (detached). */
static int wait_member(const struct run *r, pid_t child, int err_fd)
{
	struct report rep;
	int got = report_read(err_fd, &rep), status;

	close(err_fd);
	if (got == 0 && !r->detach)
		return forward(child);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (got > 0)
		return fail(rep.code, "%s", rep.msg);
	if (got < 0)
		return fail(POD_RUN_EFAIL, "cannot start %s in pod %s: it died", r->cmd[0],
			    r->pod.name);
	return POD_OK;
}

static int launch(struct run *r, int pidfd)
{
	const struct pod *p = &r->pod;
	int err[2], log_fd = -1;
	char path[POD_PATH_MAX];
	sigset_t all, old;
	pid_t child;

	/* Our own PID namespace, to go back to once the member is forked:
	 * nothing else we start (a sanitizer's helper, say) belongs in the pod. */
	int own_pid_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);

	if (own_pid_ns < 0 || join(p, pidfd) < 0)
		return fail_errno(POD_RUN_EFAIL, "cannot join pod %s", p->name);
	if (r->detach && (path_join(path, sizeof(path), p->dir, "log") < 0 ||
			  (log_fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0))
		return fail_errno(POD_RUN_EFAIL, "cannot open %s/log", p->dir);
	if (pipe2(err, O_CLOEXEC) < 0)
		return fail_errno(POD_RUN_EFAIL, "cannot make a pipe");
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	if ((child = fork_member(r, err, log_fd, &old)) < 0)
		return fail_errno(POD_RUN_EFAIL, "cannot fork");
	close(err[1]);
	close_keep_errno(log_fd);
	/* from inside the pod's user namespace there is no way back: we hold
	 * no capability over our own */
	if (p->userns == USERNS_NONE && setns(own_pid_ns, CLONE_NEWPID) < 0)
		fail_errno(POD_RUN_EFAIL, "cannot return to our PID namespace");
	close(own_pid_ns);
	int rc = wait_member(r, child, err[0]);
	/* a foreground member's leaf goes with it, unless it left processes */
	if (!r->detach)
		cg_leaf_remove(&r->cg, r->leaf);
	return rc;
}

/* A pod being created: its directory is there, and its state is not yet
 * written or not yet ready. */
static bool being_created(const struct pod *p)
{
	char path[POD_PATH_MAX];

	if (p->has_state)
		return !p->ready;
	return path_join(path, sizeof(path), p->dir, "state.json") == 0 &&
	       access(path, F_OK) < 0 && errno == ENOENT && access(p->dir, F_OK) == 0;
}

/* The pod's state, once ready: a member joins only a pod whose pause has
 * exec'd with lo up, its hostname and its network. One being created is
 * waited for, READY_WAIT_MS at most, woken by inotify on its directory
 * (state.json is renamed into place). */
static int load_ready(struct pod *p)
{
	long long deadline = monotonic_ms() + READY_WAIT_MS, left;
	struct pollfd pfd = { .fd = -1, .events = POLLIN };
	char buf[4096] __attribute__((aligned(8)));
	int rc = POD_OK;

	while (pod_state_load(p) < 0 || !p->ready) {
		if (!being_created(p)) {
			rc = fail(POD_RUN_EFAIL, "cannot find pod %s: %s", p->name,
				  access(p->dir, F_OK) < 0 ? "no such pod" : "its state is invalid");
			break;
		}
		if (pfd.fd < 0) {
			/* watched first, then looked at again: no change is missed */
			pfd.fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
			if (pfd.fd < 0 || inotify_add_watch(pfd.fd, p->dir, IN_MOVED_TO | IN_CREATE |
							    IN_DELETE_SELF) < 0) {
				rc = fail_errno(POD_RUN_EFAIL, "cannot watch pod %s", p->name);
				break;
			}
			continue;
		}
		if ((left = deadline - monotonic_ms()) <= 0) {
			rc = fail(POD_ECONFLICT, "cannot run in pod %s: it is not ready (its "
				  "create has not finished)", p->name);
			break;
		}
		if (poll(&pfd, 1, (int)left) > 0)
			while (read(pfd.fd, buf, sizeof(buf)) > 0)
				;
	}
	close_keep_errno(pfd.fd);
	return rc;
}

static int run_main(int argc, char **argv)
{
	static struct run r;
	int rc = run_parse(argc, argv, &r), pidfd;

	if (rc)
		return rc;
	if (!realpath(pod_root, r.root_real))
		return fail(POD_RUN_EFAIL, "cannot find pod %s: %s", r.pod.name,
			    errno == ENOENT ? "no such pod" : strerror(errno));
	if ((rc = load_ready(&r.pod)))
		return rc;
	pidfd = pod_pidfd(&r.pod);
	if (pidfd < 0)
		return fail(POD_RUN_EFAIL, "cannot run in pod %s: %s", r.pod.name,
			    errno == ESRCH ? "it is not running" : strerror(errno));
	r.pidfd = pidfd;
	/* a pod made before pods had cgroups has none: the member joins the
	 * namespaces only */
	if (cg_load(&r.pod, &r.cg) == 0 && cg_leaf_new(&r.cg, r.leaf, sizeof(r.leaf)) < 0)
		return fail_errno(POD_RUN_EFAIL, "cannot create a cgroup in pod %s", r.pod.name);
	return launch(&r, pidfd);
}
