/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A pod's processes are those in its cgroup (cgroup.h), not found by
 * ancestry: a member that double forks, calls setsid or unshares its own
 * namespaces is still found, listed and stopped, and the stop ends with
 * the cgroup killed whole. A pod without a cgroup (made before pods had
 * them) is scanned by namespace instead: every process whose PID
 * namespace (or, without a shared one, first shared namespace) is the
 * pod's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "ns.h"
#include "procs.h"
#include "state.h"
#include "usernet.h"
#include "util.h"

/* A pid in decimal, or -1. */
static pid_t pid_of(const char *s)
{
	unsigned long v;
	size_t len = strspn(s, "0123456789");
	char buf[16];

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return parse_uint(buf, 0x7fffffff, &v) == 0 ? (pid_t)v : -1;
}

int proc_stat_parse(const char *text, unsigned long long *starttime, char *state)
{
	const char *p = strrchr(text, ')');
	unsigned long field;

	/* comm (field 2) may hold spaces and parentheses: skip to the last ')' */
	if (!p || p[1] != ' ' || !p[2])
		return -1;
	p += 2;
	if (state)
		*state = *p;
	for (field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	if (*p < '0' || *p > '9')
		return -1;
	*starttime = strtoull(p, NULL, 10);
	return 0;
}

int proc_stat(pid_t pid, unsigned long long *starttime, char *state)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return proc_stat_parse(buf, starttime, state);
}

pid_t proc_inside_pid(pid_t pid)
{
	char path[64], buf[2048], *line, *last;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0 || !(line = strstr(buf, "\nNSpid:")))
		return -1;
	line[strcspn(line + 1, "\n") + 1] = '\0';
	last = strrchr(line, '\t');
	return last ? pid_of(last + 1) : -1;
}

struct by_cgroup {
	member_fn fn;
	void *arg;
};

static int cgroup_member(pid_t pid, void *arg)
{
	struct by_cgroup *c = arg;
	unsigned long long start;
	char state;
	pid_t inside;

	/* zombies are gone already; their parent will reap them */
	if (proc_stat(pid, &start, &state) < 0 || state == 'Z' || state == 'X' ||
	    (inside = proc_inside_pid(pid)) < 0)
		return 0;
	return c->fn(pid, inside, c->arg);
}

int pod_each_process(const struct pod *p, member_fn fn, void *arg)
{
	struct cg_dirs cg;
	struct by_cgroup c = { fn, arg };

	if (cg_load(p, &cg) == 0)
		return cg_each_pid(&cg, cgroup_member, &c);
	return pod_each_process_by_ns(p, fn, arg);
}

int pod_each_process_by_ns(const struct pod *p, member_fn fn, void *arg)
{
	const struct ns_kind *k;
	dev_t dev;
	ino_t ino;
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (!(k = ns_key(p, &dev, &ino)))
		return 0;	/* no pins: nothing can be in the pod */
	if (!(d = opendir("/proc")))
		return -1;
	while (rc == 0 && (e = readdir(d))) {
		char path[300];
		struct stat st;
		pid_t pid = pid_of(e->d_name), inside;
		char state;
		unsigned long long start;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, k->name);
		if (stat(path, &st) < 0 || st.st_dev != dev || st.st_ino != ino)
			continue;
		/* zombies are gone already; their parent will reap them */
		if (proc_stat(pid, &start, &state) < 0 || state == 'Z' || state == 'X')
			continue;
		if ((inside = proc_inside_pid(pid)) < 0)
			continue;
		rc = fn(pid, inside, arg);
	}
	closedir(d);
	return rc;
}

#define STOP_MAX 4096

struct targets {
	pid_t pause;
	int sig;
	int fds[STOP_MAX];
	pid_t pids[STOP_MAX];
	size_t n, fresh;
};

/* Signals every member not signalled yet, through a pidfd taken before the
 * check that the pid is still in the pod: no reused pid is ever hit. */
static int signal_member(pid_t pid, pid_t inside, void *arg)
{
	struct targets *t = arg;
	int fd;

	if (pid == t->pause || t->n == STOP_MAX)
		return 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->pids[i] == pid)
			return 0;	/* signalled already */
	fd = pidfd_open(pid, 0);
	if (fd < 0)
		return 0;
	/* still that process? (the scan saw the pid before the pidfd existed) */
	if (proc_inside_pid(pid) != inside) {
		close(fd);
		return 0;
	}
	pidfd_send_signal(fd, t->sig, NULL, 0);
	t->pids[t->n] = pid;
	t->fds[t->n++] = fd;
	t->fresh++;
	return 0;
}

/* Waits until every signalled member has exited or the deadline passes;
 * returns 1 if all are gone. */
static int wait_members(struct targets *t, const struct timespec *deadline)
{
	struct pollfd pfd[STOP_MAX];

	for (;;) {
		struct timespec now;
		size_t live = 0;
		long ms;

		for (size_t i = 0; i < t->n; i++) {
			pfd[i].fd = t->fds[i];
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, t->n, 0) < 0 && errno != EINTR)
			return -1;
		for (size_t i = 0; i < t->n; i++)
			live += !(pfd[i].revents & (POLLIN | POLLHUP));
		if (live == 0)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (deadline->tv_sec - now.tv_sec) * 1000 +
		     (deadline->tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0)
			return 0;
		/* wakes as soon as any one exits, then counts again */
		for (size_t i = 0; i < t->n; i++)
			pfd[i].fd = (pfd[i].revents & (POLLIN | POLLHUP)) ? -1 : t->fds[i];
		poll(pfd, t->n, (int)(ms > 1000 ? 1000 : ms));
	}
}

static void close_targets(struct targets *t)
{
	while (t->n)
		close(t->fds[--t->n]);
}

/* Without a cgroup: SIGKILL to every member signalled, and to any found
 * since, until a scan finds no one new. */
static void kill_by_scan(const struct pod *p, struct targets *t)
{
	t->sig = SIGKILL;
	for (size_t i = 0; i < t->n; i++)
		pidfd_send_signal(t->fds[i], SIGKILL, NULL, 0);
	do {
		t->fresh = 0;
		pod_each_process(p, signal_member, t);
	} while (t->fresh > 0);
}

/* SIGTERM to pause, which exits at once; SIGKILL if it has not in 5 s. */
static void stop_pause(int pidfd)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	pidfd_send_signal(pidfd, SIGTERM, NULL, 0);
	if (poll(&pfd, 1, 5000) <= 0) {
		pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
		poll(&pfd, 1, 5000);
	}
	close(pidfd);
}

/* SIGTERM to every member, until the deadline; members forked meanwhile
 * are found by scanning again until a scan finds no one new. Then pause
 * (SIGTERM), and the cgroup killed whole: whatever is left, escaped from
 * the PID namespace or forking still, is gone. At the deadline with
 * members left, the cgroup is killed at once, pause with it. */
int pod_stop(const struct pod *p, unsigned timeout)
{
	static struct targets t;
	struct timespec deadline;
	struct cg_dirs cg;
	bool has_cg = cg_load(p, &cg) == 0;
	int pidfd = pod_pidfd(p), done = 0, rc;

	/* without pidfds (kernels before 5.3) nothing here could be signalled
	 * safely: say so rather than stop nothing */
	if (pidfd < 0 && errno != ESRCH)
		return -1;
	memset(&t, 0, sizeof(t));
	t.pause = p->pid;
	t.sig = SIGTERM;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout;
	do {
		t.fresh = 0;
		if (pod_each_process(p, signal_member, &t) < 0)
			break;
		done = wait_members(&t, &deadline);
	} while (done == 1 && t.fresh > 0);
	if (done != 1 && !has_cg)
		kill_by_scan(p, &t);
	close_targets(&t);
	if (pidfd >= 0 && (done == 1 || !has_cg))
		stop_pause(pidfd);
	else if (pidfd >= 0)
		close(pidfd);
	rc = has_cg ? cg_kill(&cg) : 0;
	/* the network's helper goes with the pod, whatever became of pause */
	usernet_stop(p);
	return rc;
}
