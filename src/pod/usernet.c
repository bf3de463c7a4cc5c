/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The helper is our child until pod create exits, and then init's (or a
 * subreaper's): it is recorded as pause is, by pid and start time, and
 * signalled through a pidfd taken before that check.
 *
 * Readiness comes over a pipe on the helper's fd 3: slirp4netns writes
 * "1" to its --ready-fd once the tap device is up, pasta its pid to its
 * --pid file (/proc/self/fd/3) once it is set up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procs.h"
#include "usernet.h"
#include "util.h"

#define READY_FD 3

const char *usernet_prog(enum network mode)
{
	return mode == NET_PASTA ? "pasta" : mode == NET_SLIRP ? "slirp4netns" : NULL;
}

/* pasta's -t and -u lists: "none", or HOST:POD,HOST:POD... */
static void pasta_ports(const struct pod *p, const char *proto, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->nports; i++)
		if (strcmp(p->ports[i].proto, proto) == 0)
			len += (size_t)snprintf(buf + len, size - len, "%s%u:%u", len ? "," : "",
						p->ports[i].host, p->ports[i].pod);
	if (!len)
		snprintf(buf, size, "none");
}

/* In the child: the helper's command line, then exec. */
__attribute__((noreturn))
static void helper_exec(const struct pod *p, const char *sock)
{
	char pid[24], ready[32];

	snprintf(pid, sizeof(pid), "%d", (int)p->pid);
	if (p->network == NET_PASTA) {
		static char tcp[PORTS_MAX * 12 + 8], udp[PORTS_MAX * 12 + 8];
		pasta_ports(p, "tcp", tcp, sizeof(tcp));
		pasta_ports(p, "udp", udp, sizeof(udp));
		snprintf(ready, sizeof(ready), "/proc/self/fd/%d", READY_FD);
		execlp("pasta", "pasta", "--config-net", "--quiet", "--foreground",
		       "--pid", ready, "-t", tcp, "-u", udp, "-T", "none", "-U", "none",
		       pid, (char *)NULL);
	} else {
		snprintf(ready, sizeof(ready), "--ready-fd=%d", READY_FD);
		execlp("slirp4netns", "slirp4netns", "--configure", "--mtu=65520",
		       "--disable-host-loopback", ready, "--api-socket", sock, pid, "tap0",
		       (char *)NULL);
	}
	dprintf(2, "pod: cannot run %s: %s\n", usernet_prog(p->network), strerror(errno));
	_exit(127);
}

static pid_t helper_fork(const struct pod *p, const char *sock, int log_fd, int ready[2])
{
	pid_t pid = fork();
	int null;

	if (pid != 0)
		return pid;
	setsid();
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0 ||
	    dup2(ready[1], READY_FD) < 0)
		_exit(126);
	helper_exec(p, sock);
}

/* A byte on the pipe, or its end: the helper died before it was ready. */
static int wait_ready(const struct pod *p, pid_t pid, int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	const char *prog = usernet_prog(p->network);
	int n = poll(&pfd, 1, USERNET_READY_MS), status;
	char c;

	if (n > 0 && read(fd, &c, 1) == 1)
		return POD_OK;
	if (n == 0)
		return fail(POD_EFAIL, "cannot start %s for pod %s: not ready after %d ms",
			    prog, p->name, USERNET_READY_MS);
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		return fail(POD_EFAIL, "cannot start %s for pod %s: it exited with status %d "
			    "(see %s/log)", prog, p->name, WEXITSTATUS(status), p->dir);
	return fail(POD_EFAIL, "cannot start %s for pod %s: it died (see %s/log)", prog,
		    p->name, p->dir);
}

/* One request to slirp4netns' API socket; 0 if it answered "return". */
static int slirp_request(const char *sock, const char *req, char *reply, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	size_t len = 0;
	ssize_t n;

	reply[0] = '\0';
	strcpy(sa.sun_path, sock);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write_all(s, req, strlen(req)) < 0 || shutdown(s, SHUT_WR) < 0) {
		close_keep_errno(s);
		return -1;
	}
	while (len < size - 1 && (n = read(s, reply + len, size - 1 - len)) > 0)
		len += (size_t)n;
	reply[len] = '\0';
	close(s);
	reply[strcspn(reply, "\n")] = '\0';
	errno = EPROTO;
	return strstr(reply, "\"return\"") ? 0 : -1;
}

static int slirp_publish(const struct pod *p, const char *sock)
{
	char req[256], reply[512];

	for (size_t i = 0; i < p->nports; i++) {
		snprintf(req, sizeof(req), "{\"execute\": \"add_hostfwd\", \"arguments\": "
			 "{\"proto\": \"%s\", \"host_addr\": \"0.0.0.0\", \"host_port\": %u, "
			 "\"guest_port\": %u}}", p->ports[i].proto, p->ports[i].host,
			 p->ports[i].pod);
		if (fault("publish") < 0 || slirp_request(sock, req, reply, sizeof(reply)) < 0)
			return fail(POD_EFAIL, "cannot publish port %u/%s of pod %s: %s",
				    p->ports[i].host, p->ports[i].proto, p->name,
				    reply[0] ? reply : strerror(errno));
	}
	return POD_OK;
}

static void helper_kill(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int usernet_start(struct pod *p, int log_fd)
{
	const char *prog = usernet_prog(p->network);
	char sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int ready[2], rc;
	pid_t pid;

	if ((size_t)snprintf(sock, sizeof(sock), "%s/%s", p->dir, USERNET_SOCKET) >= sizeof(sock))
		return fail(POD_EFAIL, "cannot start %s for pod %s: %s/%s is too long for a "
			    "socket", prog, p->name, p->dir, USERNET_SOCKET);
	if (fault("usernet") < 0 || pipe2(ready, O_CLOEXEC) < 0)
		return fail_errno(POD_EFAIL, "cannot start %s for pod %s", prog, p->name);
	pid = helper_fork(p, sock, log_fd, ready);
	close(ready[1]);
	if (pid < 0) {
		close(ready[0]);
		return fail_errno(POD_EFAIL, "cannot start %s for pod %s", prog, p->name);
	}
	rc = wait_ready(p, pid, ready[0]);
	close(ready[0]);
	if (!rc && p->network == NET_SLIRP)
		rc = slirp_publish(p, sock);
	if (!rc && proc_stat(pid, &p->helper.starttime, NULL) < 0)
		rc = fail_errno(POD_EFAIL, "cannot record %s of pod %s", prog, p->name);
	if (rc) {
		helper_kill(pid);
		unlink(sock);
		return rc;
	}
	p->helper.pid = pid;
	return POD_OK;
}

/* A pidfd of the recorded helper, checked after it is taken; -1 if gone. */
static int helper_pidfd(const struct pod *p)
{
	unsigned long long start;
	char state;
	int fd;

	if (p->helper.pid <= 0 || (fd = pidfd_open(p->helper.pid, 0)) < 0)
		return -1;
	if (proc_stat(p->helper.pid, &start, &state) < 0 || start != p->helper.starttime ||
	    state == 'Z' || state == 'X') {
		close(fd);
		return -1;
	}
	return fd;
}

bool usernet_running(const struct pod *p)
{
	int fd = helper_pidfd(p);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

void usernet_stop(const struct pod *p)
{
	struct pollfd pfd = { .events = POLLIN };
	char sock[POD_PATH_MAX];

	if ((pfd.fd = helper_pidfd(p)) >= 0) {
		pidfd_send_signal(pfd.fd, SIGTERM, NULL, 0);
		if (poll(&pfd, 1, 2000) <= 0) {
			pidfd_send_signal(pfd.fd, SIGKILL, NULL, 0);
			poll(&pfd, 1, 2000);
		}
		close(pfd.fd);
	}
	if (path_join(sock, sizeof(sock), p->dir, USERNET_SOCKET) == 0)
		unlink(sock);
}
