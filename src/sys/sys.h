/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel boundary. Every system call the programs under src/pause make
 * goes through the sys_*() functions below, and nothing else of the C
 * library is used there, so the same source links two ways:
 *
 *   - against the C library (sanitizer and valgrind builds): sys_callN()
 *     is libc's syscall(2), which sets errno; we turn that back into the
 *     kernel's -errno convention;
 *   - with no C library at all (-DSYS_NOLIBC): sys_callN() is the raw
 *     per-architecture entry from sys-nolibc.h.
 *
 * Convention, as in the kernel: a result >= 0 is success, -errno failure.
 * Types here are the kernel's, not libc's (libc's sigset_t is 1024 bits,
 * the kernel's is 64), so the layout is the same under both links.
 */
#ifndef SYS_SYS_H
#define SYS_SYS_H

#include <asm/unistd.h>		/* __NR_*: kernel headers, no libc needed */
#include <linux/errno.h>	/* E*: the same values libc uses */
#include <asm/ioctls.h>		/* TIOC*: they differ on ppc */
#include <stddef.h>
#include <stdint.h>

#ifdef SYS_NOLIBC
# include "sys-nolibc.h"
#else
# include <errno.h>
# include <unistd.h>
static inline long sys_call(long nr, long a, long b, long c, long d, long e)
{
	long r = syscall(nr, a, b, c, d, e);

	return r == -1 ? -(long)errno : r;
}
# define sys_call0(n)			sys_call((n), 0, 0, 0, 0, 0)
# define sys_call1(n, a)		sys_call((n), (long)(a), 0, 0, 0, 0)
# define sys_call2(n, a, b)		sys_call((n), (long)(a), (long)(b), 0, 0, 0)
# define sys_call3(n, a, b, c)		sys_call((n), (long)(a), (long)(b), (long)(c), 0, 0)
# define sys_call4(n, a, b, c, d)	sys_call((n), (long)(a), (long)(b), (long)(c), (long)(d), 0)
# define sys_call5(n, a, b, c, d, e)	sys_call((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e))
#endif

/*
 * The signal numbers and flags we use. These values are the same on every
 * architecture we build for (x86_64, arm, arm64, ppc64le, s390x, riscv64);
 * alpha, mips, parisc and sparc differ and are not targets.
 */
enum {
	SYS_SIGINT = 2, SYS_SIGKILL = 9, SYS_SIGTERM = 15, SYS_SIGCHLD = 17,
	SYS_SIGCONT = 18, SYS_SIGSTOP = 19, SYS_SIGTSTP = 20, SYS_SIGTTIN = 21,
	SYS_SIGTTOU = 22,
	SYS_NSIG = 64,
};

#define SYS_SIG_DFL		((void (*)(int))0)
#define SYS_SIG_IGN		((void (*)(int))1)
#define SYS_SA_NOCLDSTOP	1UL
#define SYS_SIG_BLOCK		0
#define SYS_SIG_UNBLOCK		1
#define SYS_SIG_SETMASK		2
#define SYS_WNOHANG		1
#define SYS_WUNTRACED		2
#define SYS_PR_SET_CHILD_SUBREAPER 36
#define SYS_O_CLOEXEC		02000000	/* all our targets */
#define SYS_O_PATH		010000000	/* all our targets */
#define SYS_AT_FDCWD		(-100)
#define SYS_CLOCK_MONOTONIC	1

/* The kernel's timespec for the syscalls we use (the 32-bit arm ones
 * take the old 32-bit layout, which is two longs there too). */
struct sys_timespec {
	long sec;
	long nsec;
};

/* The kernel's sigset: 64 bits, stored as longs (4-byte aligned on arm). */
#define SYS_SIGSET_WORDS (SYS_NSIG / (8 * sizeof(unsigned long)))
typedef struct {
	unsigned long w[SYS_SIGSET_WORDS];
} sys_sigset;

static inline void sys_sigset_fill(sys_sigset *s)
{
	for (size_t i = 0; i < SYS_SIGSET_WORDS; i++)
		s->w[i] = ~0UL;
}

static inline void sys_sigset_add(sys_sigset *s, int sig)
{
	unsigned bit = (unsigned)sig - 1;

	s->w[bit / (8 * sizeof(unsigned long))] |=
		1UL << (bit % (8 * sizeof(unsigned long)));
}

static inline int sys_sigset_has(const sys_sigset *s, int sig)
{
	unsigned bit = (unsigned)sig - 1;

	return (int)((s->w[bit / (8 * sizeof(unsigned long))] >>
		      (bit % (8 * sizeof(unsigned long)))) & 1UL);
}

/* The kernel's struct sigaction; riscv's has no restorer field. We only
 * ever install SIG_DFL, so no restorer trampoline is needed anywhere. */
struct sys_sigaction {
	void (*handler)(int);
	unsigned long flags;
#ifndef __riscv
	void (*restorer)(void);
#endif
	sys_sigset mask;
};

/* The kernel's siginfo is 128 bytes on every target; we read the head. */
typedef struct {
	int signo;
	int errno_;
	int code;
	int rest[29];
} sys_siginfo;

static inline long sys_write(int fd, const void *buf, size_t len)
{
	return sys_call3(__NR_write, fd, buf, len);
}

static inline long sys_getpid(void)
{
	return sys_call0(__NR_getpid);
}

static inline long sys_prctl(int option, unsigned long arg)
{
	return sys_call5(__NR_prctl, option, arg, 0, 0, 0);
}

static inline long sys_sigaction(int sig, const struct sys_sigaction *act,
				 struct sys_sigaction *old)
{
	return sys_call4(__NR_rt_sigaction, sig, act, old, sizeof(sys_sigset));
}

static inline long sys_sigprocmask(int how, const sys_sigset *set,
				   sys_sigset *old)
{
	return sys_call4(__NR_rt_sigprocmask, how, set, old, sizeof(sys_sigset));
}

/* Sleep until a signal in @set is pending, then take it; give up after
 * @timeout unless it is NULL. */
static inline long sys_sigtimedwait(const sys_sigset *set, sys_siginfo *info,
				    const struct sys_timespec *timeout)
{
	return sys_call4(__NR_rt_sigtimedwait, set, info, timeout,
			 sizeof(sys_sigset));
}

/* No timeout: an idle caller is never woken by a timer. */
static inline long sys_sigwait(const sys_sigset *set, sys_siginfo *info)
{
	return sys_sigtimedwait(set, info, NULL);
}

static inline long sys_wait4(int pid, int *status, int options)
{
	return sys_call4(__NR_wait4, pid, status, options, 0);
}

static inline long sys_kill(int pid, int sig)
{
	return sys_call2(__NR_kill, pid, sig);
}

/* fork(2) as clone(SIGCHLD): arm64 and riscv64 have no fork syscall,
 * and s390 takes clone's first two arguments the other way round. */
static inline long sys_fork(void)
{
#ifdef __s390x__
	return sys_call2(__NR_clone, 0, SYS_SIGCHLD);
#else
	return sys_call2(__NR_clone, SYS_SIGCHLD, 0);
#endif
}

static inline long sys_execve(const char *path, char *const argv[],
			      char *const envp[])
{
	return sys_call3(__NR_execve, path, argv, envp);
}

static inline long sys_pipe_cloexec(int fds[2])
{
	return sys_call2(__NR_pipe2, fds, SYS_O_CLOEXEC);
}

static inline long sys_open_read(const char *path)
{
	return sys_call4(__NR_openat, SYS_AT_FDCWD, path, SYS_O_CLOEXEC, 0);
}

/* A handle on a directory to return to, without the right to read it. */
static inline long sys_open_path(const char *path)
{
	return sys_call4(__NR_openat, SYS_AT_FDCWD, path, SYS_O_PATH | SYS_O_CLOEXEC, 0);
}

static inline long sys_chdir(const char *path)
{
	return sys_call1(__NR_chdir, path);
}

static inline long sys_fchdir(int fd)
{
	return sys_call1(__NR_fchdir, fd);
}

static inline long sys_read(int fd, void *buf, size_t len)
{
	return sys_call3(__NR_read, fd, buf, len);
}

static inline long sys_close(int fd)
{
	return sys_call1(__NR_close, fd);
}

static inline long sys_setpgid(int pid, int pgid)
{
	return sys_call2(__NR_setpgid, pid, pgid);
}

static inline long sys_getpgid(int pid)
{
	return sys_call1(__NR_getpgid, pid);
}

static inline long sys_tcgetpgrp(int fd, int *pgrp)
{
	return sys_call3(__NR_ioctl, fd, TIOCGPGRP, pgrp);
}

static inline long sys_tcsetpgrp(int fd, const int *pgrp)
{
	return sys_call3(__NR_ioctl, fd, TIOCSPGRP, pgrp);
}

static inline long sys_clock_monotonic(struct sys_timespec *ts)
{
	return sys_call2(__NR_clock_gettime, SYS_CLOCK_MONOTONIC, ts);
}

__attribute__((noreturn)) static inline void sys_exit(int code)
{
	for (;;)
		sys_call1(__NR_exit_group, code);
}

#endif
