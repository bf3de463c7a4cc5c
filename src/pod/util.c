/* SPDX-License-Identifier: Apache-2.0 */
/* Messages, small file helpers and the test builds' fault hook. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pod.h"

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

int usage_error(const char *cmd, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return fail(POD_EUSAGE, "cannot parse arguments: %s (see 'pod %s --help')",
		    reason, cmd);
}

/* getopt_long's shared cases: --root, --help and the errors. */
int common_opt(int opt, char **argv, const char *cmd, const char *help)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";

	switch (opt) {
	case 'R':
		if (optarg[0] != '/')
			return usage_error(cmd, "--root %s: not an absolute path", optarg);
		pod_root = optarg;
		return 0;
	case 'h':
		fputs(help, stdout);
		return fflush(stdout) == 0 ? POD_HELP_SHOWN : POD_EFAIL;
	case ':':
		return usage_error(cmd, "%s needs a value", arg);
	default:
		if (optopt)
			return usage_error(cmd, "unknown option -%c", optopt);
		return usage_error(cmd, "unknown option %s", arg);
	}
}

/* Ctrl-C, a hang-up or a plain kill waits until fn has made or undone all
 * it does: a pod is never left half-made by them (SIGKILL is pod gc's). */
int with_interrupts_held(int (*fn)(struct pod *), struct pod *p)
{
	sigset_t held, old;
	int rc;

	sigemptyset(&held);
	sigaddset(&held, SIGINT);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGHUP);
	sigaddset(&held, SIGQUIT);
	sigprocmask(SIG_BLOCK, &held, &old);
	rc = fn(p);
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
			int saved = errno;
			close(fd);
			errno = saved;
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

int parse_ull(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned digit = (unsigned)(*s - '0');
		if (v > (max - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	*out = v;
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

/* Every step that can fail calls fault() with its name first.
 *   POD_FAULT=STEP       that step fails with ECANCELED
 *   POD_FAULT=kill:STEP  the process at that step dies of SIGKILL
 *   POD_FAULT=list       each step prints its name, so a test can try all */
int fault(const char *step)
{
	bool kill_it;

	if (!fault_step)
		return 0;
	if (strcmp(fault_step, "list") == 0) {
		dprintf(fault_fd, "fault: %s\n", step);
		return 0;
	}
	kill_it = strncmp(fault_step, "kill:", 5) == 0;
	if (strcmp(fault_step + (kill_it ? 5 : 0), step) != 0)
		return 0;
	if (kill_it)
		raise(SIGKILL);
	errno = ECANCELED;
	return -1;
}
#endif
