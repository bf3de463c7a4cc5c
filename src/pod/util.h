/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Errors, small file helpers and the test builds' fault hook.
 *
 * Error contract: a function that fails prints one line
 * ("pod: cannot <verb> <object>: <reason>") and returns an exit code
 * (POD_E*); callers pass it up unchanged. Functions that print nothing
 * return -1 with errno set.
 */
#ifndef POD_UTIL_H
#define POD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../lib/array.h"
#include "../lib/parse.h"

/* Exit codes, documented in docs/pod.1. */
enum {
	POD_OK = 0,
	POD_EFAIL = 1,		/* a system call or a step failed */
	POD_EUSAGE = 2,		/* bad option, name, value */
	POD_ENOPOD = 3,		/* no such pod */
	POD_ECONFLICT = 4,	/* pod exists / is running / is not running */
	POD_RUN_EFAIL = 125,	/* pod run: pod itself failed */
	POD_RUN_ENOEXEC = 126,	/* pod run: CMD found but not executable */
	POD_RUN_ENOENT = 127,	/* pod run: CMD not found */
};

/* One line on stderr, "pod: " and the message; returns @code. */
int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with ": strerror(errno)" appended. */
int fail_errno(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs fn(arg) with SIGINT, SIGTERM, SIGHUP and SIGQUIT held, so that
 * they cannot leave a pod half-made or half-removed. */
int with_interrupts_held(int (*fn)(void *), void *arg);

/* What a forked child that fails before its exec tells the parent, in one
 * pipe write: "cannot <verb> <object>: <strerror(errno)>" and the exit
 * code; then it exits with that code. */
struct report {
	int code;
	char msg[500];
};
__attribute__((format(printf, 3, 4), noreturn))
void report_fail(int fd, int code, const char *fmt, ...);
/* The parent's side: reads the pipe until EOF or a report. 0 at EOF (the
 * child exec'd or died silently), 1 with @r filled, -1 if cut short. */
int report_read(int fd, struct report *r);

int path_join(char *buf, size_t size, const char *a, const char *b);
/* mkdir -p: @path and any missing parent, each made with @mode; 0 if
 * @path is (now) a directory. */
int mkdir_all(const char *path, mode_t mode);
/* qsort's comparison for an array of strings */
int str_ptr_cmp(const void *a, const void *b);
/* Reads a small file whole; NUL-terminated, returns length or -1. */
ssize_t read_file(const char *path, char *buf, size_t size);
/* CLOCK_MONOTONIC in milliseconds, for deadlines */
long long monotonic_ms(void);
int write_all(int fd, const void *buf, size_t len);
/* Closes @fd (if >= 0) keeping errno; for error paths. */
void close_keep_errno(int fd);

/* Test builds (-DPOD_FAULTS): fails the step named in $POD_FAULT with
 * ECANCELED. Release builds compile it away. */
#ifdef POD_FAULTS
int fault(const char *step);
void fault_init(void);
#else
static inline int fault(const char *step) { (void)step; return 0; }
static inline void fault_init(void) {}
#endif

#endif
