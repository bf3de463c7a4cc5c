/* SPDX-License-Identifier: Apache-2.0 */
/* Messages, small file helpers and the test builds' fault hook. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "util.h"

/* One line on stderr, with a single write so lines never interleave. */
__attribute__((format(printf, 1, 0)))
static void vline(const char *fmt, va_list ap)
{
	static const char prefix[] = "pod: ";
	char line[1024];
	size_t len = sizeof(prefix) - 1;
	int m;

	memcpy(line, prefix, len);
	m = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	if (m > 0)	/* a longer message was cut at the buffer's end */
		len += (size_t)m < sizeof(line) - len - 1 ? (size_t)m : sizeof(line) - len - 2;
	line[len++] = '\n';
	(void)write_all(STDERR_FILENO, line, len);
}

int fail(int code, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vline(fmt, ap);
	va_end(ap);
	errno = saved;
	return code;
}

int fail_errno(int code, const char *fmt, ...)
{
	char what[768];
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fail(code, "%s: %s", what, strerror(saved));
	errno = saved;
	return code;
}

/* Ctrl-C, a hang-up or a plain kill waits until fn has made or undone all
 * it does: a pod is never left half-made by them (SIGKILL is pod gc's). */
int with_interrupts_held(int (*fn)(void *), void *arg)
{
	sigset_t held, old;
	int rc;

	sigemptyset(&held);
	sigaddset(&held, SIGINT);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGHUP);
	sigaddset(&held, SIGQUIT);
	sigprocmask(SIG_BLOCK, &held, &old);
	rc = fn(arg);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

__attribute__((noreturn))
void report_fail(int fd, int code, const char *fmt, ...)
{
	struct report r = { .code = code };
	va_list ap;
	int saved = errno;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(r.msg, sizeof(r.msg) - 64, fmt, ap);
	va_end(ap);
	n = strlen(r.msg);
	snprintf(r.msg + n, sizeof(r.msg) - n, ": %s", strerror(saved));
	(void)write_all(fd, &r, sizeof(r));
	_exit(code);
}

int report_read(int fd, struct report *r)
{
	ssize_t n;

	while ((n = read(fd, r, sizeof(*r))) < 0 && errno == EINTR)
		;
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof(*r))
		return -1;
	r->msg[sizeof(r->msg) - 1] = '\0';
	return 1;
}

void close_keep_errno(int fd)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	errno = saved;
}

int str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int path_join(char *buf, size_t size, const char *a, const char *b)
{
	int n = snprintf(buf, size, "%s/%s", a, b);

	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int mkdir_all(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf)) {
		errno = len ? ENAMETOOLONG : ENOENT;
		return -1;
	}
	memcpy(buf, path, len + 1);
	/* each parent in turn, then the whole: "/a/b/c" makes /a, /a/b, /a/b/c */
	for (char *slash = strchr(buf + 1, '/');; slash = strchr(slash + 1, '/')) {
		if (slash)
			*slash = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		if (!slash)
			break;
		*slash = '/';
	}
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		return -1;
	while (len < size - 1) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close_keep_errno(fd);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

#ifdef POD_FAULTS
static const char *fault_step;
static int fault_fd = -1;

/* The list goes to a copy of stderr: pause's child has its stderr on the
 * pod's log by the time it reaches its steps. */
void fault_init(void)
{
	fault_step = getenv("POD_FAULT");
	if (fault_step && strcmp(fault_step, "list") == 0)
		fault_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 10);
}

static void on_cont(int sig)
{
	(void)sig;
}

/* Stop here until SIGCONT. The init of a PID namespace cannot stop
 * itself (the kernel drops its own SIGSTOP), so it waits for SIGCONT
 * with a handler instead, which a test sees as SigCgt in /proc. */
static int fault_stop(void)
{
	struct sigaction sa = { .sa_handler = on_cont }, old;
	sigset_t block, wait, mask;

	if (getpid() != 1)
		return raise(SIGSTOP);
	sigemptyset(&block);
	sigaddset(&block, SIGCONT);
	sigfillset(&wait);
	sigdelset(&wait, SIGCONT);
	sigprocmask(SIG_BLOCK, &block, &mask);
	sigaction(SIGCONT, &sa, &old);
	sigsuspend(&wait);
	sigaction(SIGCONT, &old, NULL);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	return 0;
}

/* Every step that can fail calls fault() with its name first.
 *   POD_FAULT=STEP       that step fails with ECANCELED
 *   POD_FAULT=kill:STEP  the process at that step dies of SIGKILL
 *   POD_FAULT=stop:STEP  the first time a process reaches that step it stops
 *                        (see fault_stop), and goes on once continued: a
 *                        test holds it there
 *   POD_FAULT=list       each step prints its name, so a test can try all */
int fault(const char *step)
{
	const char *colon;
	size_t kind;

	if (!fault_step)
		return 0;
	if (strcmp(fault_step, "list") == 0) {
		dprintf(fault_fd, "fault: %s\n", step);
		return 0;
	}
	colon = strchr(fault_step, ':');
	kind = colon ? (size_t)(colon - fault_step) : 0;
	if (strcmp(colon ? colon + 1 : fault_step, step) != 0)
		return 0;
	if (kind == 4 && strncmp(fault_step, "kill", 4) == 0)
		raise(SIGKILL);
	if (kind == 4 && strncmp(fault_step, "stop", 4) == 0) {
		fault_step = NULL;	/* once: a step may be reached again */
		return fault_stop();
	}
	errno = ECANCELED;
	return -1;
}
#endif
