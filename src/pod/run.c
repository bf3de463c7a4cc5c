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
#include <getopt.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pod.h"

static const char run_help[] =
	"Usage: pod run [OPTIONS] NAME -- CMD [ARG...]\n"
	"\n"
	"Run CMD in the pod's namespaces, with its own mount namespace and a\n"
	"/proc of the pod's PID namespace. Exits with CMD's status.\n"
	"\n"
	"Options:\n"
	"  -d, --detach        do not wait: pause becomes CMD's parent, output\n"
	"                      goes to ROOT/NAME/log\n"
	"  --rootfs DIR        CMD's root directory (pivot_root; DIR/proc must exist)\n"
	"  --workdir DIR       CMD's working directory\n"
	"  --env KEY=VALUE     set an environment variable; repeat for more\n"
	"  --user UID[:GID]    run as UID (and GID, default UID); no supplementary groups\n"
	"  --root DIR          state root (default $POD_ROOT or " POD_DEFAULT_ROOT ")\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: CMD's, 128+N if killed by signal N, 125 if pod itself\n"
	"failed, 126 if CMD cannot be run, 127 if CMD is not found.\n";

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
};

/* Mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++, out++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out = *s;
		}
	}
	*out = '\0';
}

/* A member must not hold copies of any pod's pins: they would keep that
 * pod's namespaces alive after `pod rm` unmounts the originals. */
static int drop_pins(const char *root)
{
	size_t rlen = strlen(root);
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int rc = 0;

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		char *mp = line;
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ...: the fifth field */
		for (int i = 0; i < 4 && mp; i++)
			if ((mp = strchr(mp, ' ')))
				mp++;
		if (!mp)
			continue;
		mp[strcspn(mp, " ")] = '\0';
		unescape(mp);
		if (strncmp(mp, root, rlen) == 0 && mp[rlen] == '/' &&
		    umount2(mp, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
			rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

static void fresh_view(const struct run *r, int err_fd)
{
	const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (drop_pins(r->root_real) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot drop pins from the mounts of a member of pod %s",
			    r->pod.name);
	if (r->pod.share & CLONE_NEWPID) {
		umount2("/proc", MNT_DETACH);
		if (mount("proc", "/proc", "proc", flags, NULL) < 0)
			report_fail(err_fd, POD_RUN_EFAIL, "cannot mount /proc for pod %s",
				    r->pod.name);
	}
	if (r->pod.share & CLONE_NEWNET) {
		umount2("/sys", MNT_DETACH);
		if (mount("sysfs", "/sys", "sysfs", flags | MS_RDONLY, NULL) < 0)
			report_fail(err_fd, POD_RUN_EFAIL, "cannot mount /sys for pod %s",
				    r->pod.name);
	}
}

/* The member's root becomes DIR: proc, sys and dev inside it if it has
 * those directories, then pivot_root and the old root detached. */
static void enter_rootfs(const struct run *r, int err_fd)
{
	const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	struct stat st;

	if (mount(r->rootfs, r->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    chdir(r->rootfs) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot use rootfs %s", r->rootfs);
	if (mount("proc", "proc", "proc", flags, NULL) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot mount proc in rootfs %s", r->rootfs);
	if (stat("sys", &st) == 0 && S_ISDIR(st.st_mode) &&
	    mount("sysfs", "sys", "sysfs", flags | MS_RDONLY, NULL) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot mount sys in rootfs %s", r->rootfs);
	if (stat("dev", &st) == 0 && S_ISDIR(st.st_mode) &&
	    mount("/dev", "dev", NULL, MS_BIND | MS_REC, NULL) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot bind /dev into rootfs %s", r->rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
	    chdir("/") < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot pivot into rootfs %s", r->rootfs);
}

static void member_main(const struct run *r, int err_fd, int log_fd, const sigset_t *mask)
{
	if (r->detach) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0)
			report_fail(err_fd, POD_RUN_EFAIL, "cannot redirect output to %s/log",
				    r->pod.dir);
	} else {
		/* Its own process group, in the terminal's foreground if we
		 * were: Ctrl-C then reaches CMD once, from the terminal, and
		 * not a second time through us. SIGTTOU is blocked here. */
		pid_t pg = getpgrp();
		setpgid(0, 0);
		if (tcgetpgrp(STDIN_FILENO) == pg)
			tcsetpgrp(STDIN_FILENO, getpid());
	}
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot make a mount namespace for pod %s",
			    r->pod.name);
	if (r->rootfs)
		enter_rootfs(r, err_fd);
	else
		fresh_view(r, err_fd);
	if (r->workdir && chdir(r->workdir) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot enter workdir %s", r->workdir);
	for (size_t i = 0; i < r->nenvs; i++)
		if (putenv(r->envs[i]) < 0)
			report_fail(err_fd, POD_RUN_EFAIL, "cannot set %s", r->envs[i]);
	if (r->user && (setgroups(0, NULL) < 0 || setgid(r->gid) < 0 || setuid(r->uid) < 0))
		report_fail(err_fd, POD_RUN_EFAIL, "cannot become user %u:%u",
			    (unsigned)r->uid, (unsigned)r->gid);
	sigprocmask(SIG_SETMASK, mask, NULL);
	execvp(r->cmd[0], r->cmd);
	report_fail(err_fd, errno == ENOENT ? POD_RUN_ENOENT : POD_RUN_ENOEXEC,
		    "cannot run %s in pod %s", r->cmd[0], r->pod.name);
}

/* setns with a pidfd enters all namespaces at once, atomically, and only if
 * pause is still the process we recorded. Older kernels take the pins. */
static int join(const struct pod *p, int pidfd)
{
	if (setns(pidfd, p->share) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	for (size_t i = 0; i < ns_kinds_len; i++) {
		char pin[4200];
		int fd, rc;
		if (!(p->share & ns_kinds[i].flag))
			continue;
		if (ns_pin_path(p, &ns_kinds[i], pin, sizeof(pin)) < 0 ||
		    (fd = open(pin, O_RDONLY | O_CLOEXEC)) < 0)
			return -1;
		rc = setns(fd, ns_kinds[i].flag);
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
		pid_t w = waitpid(child, &status, WNOHANG);
		if (w == child)
			break;
	}
	if (tcgetpgrp(STDIN_FILENO) == child)
		tcsetpgrp(STDIN_FILENO, getpgrp());
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int launch(struct run *r, int pidfd)
{
	struct pod *p = &r->pod;
	int err[2], log_fd = -1, status;
	struct report rep;
	sigset_t all, old;
	char path[4200];
	ssize_t n;
	pid_t child;

	/* Our own PID namespace, to go back to once the member is forked:
	 * nothing else we start (a sanitizer's helper, say) belongs in the pod. */
	int own_pid_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);

	if (own_pid_ns < 0 || join(p, pidfd) < 0)
		return fail(POD_RUN_EFAIL, "cannot join pod %s: %s", p->name, strerror(errno));
	if (r->detach && (path_join(path, sizeof(path), p->dir, "log") < 0 ||
			  (log_fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0))
		return fail(POD_RUN_EFAIL, "cannot open %s/log: %s", p->dir, strerror(errno));
	if (pipe2(err, O_CLOEXEC) < 0)
		return fail(POD_RUN_EFAIL, "cannot make a pipe: %s", strerror(errno));
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	child = fork();
	if (child < 0)
		return fail(POD_RUN_EFAIL, "cannot fork: %s", strerror(errno));
	if (child == 0) {
		close(err[0]);
		if (r->detach) {
			/* The middle process is in the pod's PID namespace, so
			 * its orphan is adopted by pause, not by our reaper. */
			setsid();
			pid_t member = fork();
			if (member < 0)
				report_fail(err[1], POD_RUN_EFAIL, "cannot fork");
			if (member > 0)
				_exit(0);
		}
		member_main(r, err[1], log_fd, &old);
	}
	close(err[1]);
	if (log_fd >= 0)
		close(log_fd);
	if (setns(own_pid_ns, CLONE_NEWPID) < 0)
		fail(POD_RUN_EFAIL, "cannot return to our PID namespace: %s", strerror(errno));
	close(own_pid_ns);
	while ((n = read(err[0], &rep, sizeof(rep))) < 0 && errno == EINTR)
		;
	close(err[0]);
	if (n == (ssize_t)sizeof(rep) || r->detach) {
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		if (n != 0) {
			rep.msg[sizeof(rep.msg) - 1] = '\0';
			if (n == (ssize_t)sizeof(rep))
				return fail(rep.code, "%s", rep.msg);
			return fail(POD_RUN_EFAIL, "cannot start %s in pod %s: it died",
				    r->cmd[0], p->name);
		}
		return POD_OK;
	}
	return forward(child);
}

static int parse_user(struct run *r, const char *arg)
{
	char buf[64];
	char *colon;
	unsigned long long uid, gid;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	if (parse_ull(buf, 0xfffffffeULL, &uid) < 0 ||
	    (colon && parse_ull(colon + 1, 0xfffffffeULL, &gid) < 0))
		return -1;
	r->user = true;
	r->uid = (uid_t)uid;
	r->gid = colon ? (gid_t)gid : (gid_t)uid;
	return 0;
}

size_t run_size(void)
{
	return sizeof(struct run);
}

/* Options, NAME, CMD: 0, or an exit code (125 for every usage error). */
int run_parse(int argc, char **argv, struct run *r)
{
	static const struct option opts[] = {
		{ "detach", no_argument, NULL, 'd' },
		{ "rootfs", required_argument, NULL, 'F' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		POD_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+:dh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': r->detach = true; break;
		case 'F': r->rootfs = optarg; break;
		case 'w': r->workdir = optarg; break;
		case 'e':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return usage_error("run", "--env %.80s: not KEY=VALUE",
						   optarg), POD_RUN_EFAIL;
			if (r->nenvs == ENV_MAX)
				return usage_error("run", "more than %d --env", ENV_MAX),
				       POD_RUN_EFAIL;
			r->envs[r->nenvs++] = optarg;
			break;
		case 'u':
			if (parse_user(r, optarg) < 0)
				return usage_error("run", "--user %.80s: not UID[:GID]",
						   optarg), POD_RUN_EFAIL;
			break;
		default:
			if ((rc = common_opt(opt, argv, "run", run_help)))
				return rc == POD_EUSAGE ? POD_RUN_EFAIL : rc;
		}
	}
	if (optind == argc)
		return fail(POD_RUN_EFAIL, "cannot parse arguments: NAME is missing "
			    "(see 'pod run --help')");
	if (pod_open(&r->pod, argv[optind]))
		return POD_RUN_EFAIL;
	optind++;
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	if (optind == argc)
		return fail(POD_RUN_EFAIL, "cannot parse arguments: CMD is missing "
			    "(see 'pod run --help')");
	r->cmd = argv + optind;
	if (r->rootfs && r->rootfs[0] != '/')
		return fail(POD_RUN_EFAIL, "cannot use rootfs %s: not an absolute path", r->rootfs);
	return POD_OK;
}

int cmd_run(int argc, char **argv)
{
	static struct run r;
	int rc = run_parse(argc, argv, &r), pidfd;

	if (rc)
		return rc;
	if (!realpath(pod_root, r.root_real))
		return fail(POD_RUN_EFAIL, "cannot find pod %s: %s", r.pod.name,
			    errno == ENOENT ? "no such pod" : strerror(errno));
	if (pod_state_load(&r.pod) < 0)
		return fail(POD_RUN_EFAIL, "cannot find pod %s: %s", r.pod.name,
			    errno == ENOENT ? "no such pod" : "its state is invalid");
	pidfd = pod_pidfd(&r.pod);
	if (pidfd < 0)
		return fail(POD_RUN_EFAIL, "cannot run in pod %s: %s", r.pod.name,
			    errno == ESRCH ? "it is not running" : strerror(errno));
	return launch(&r, pidfd);
}
