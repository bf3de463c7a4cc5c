/* SPDX-License-Identifier: Apache-2.0 */
/*
 * failsys: run a command with chosen system calls failing.
 *
 *   failsys SYSCALL[:ARG0]=ERRNO... -- COMMAND [ARG...]
 *
 * Installs a seccomp filter that makes SYSCALL return -ERRNO (only when
 * its first argument equals ARG0, if given), then execs COMMAND. Tests use
 * it to reach error paths the kernel never takes on its own, such as a
 * refused rt_sigaction or a seccomp profile that forbids prctl.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
# define ARCH_NR AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
# define ARCH_NR AUDIT_ARCH_AARCH64
#else
# error "failsys: add this architecture's AUDIT_ARCH"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
# define ARG0_LO offsetof(struct seccomp_data, args[0])
#else
# define ARG0_LO (offsetof(struct seccomp_data, args[0]) + 4)
#endif

static const struct { const char *name; long nr; } syscalls[] = {
	{ "prctl", SYS_prctl },
	{ "rt_sigaction", SYS_rt_sigaction },
	{ "rt_sigprocmask", SYS_rt_sigprocmask },
	{ "rt_sigtimedwait", SYS_rt_sigtimedwait },
	{ "wait4", SYS_wait4 },
	{ "setns", SYS_setns },
	{ "unshare", SYS_unshare },
	{ "mount", SYS_mount },
};

static const struct { const char *name; int err; } errnos[] = {
	{ "EPERM", EPERM }, { "EINVAL", EINVAL }, { "ENOSYS", ENOSYS },
	{ "EFAULT", EFAULT }, { "EACCES", EACCES }, { "ENOMEM", ENOMEM },
};

#define MAX_RULES 16

static void usage_error(const char *why, const char *arg)
{
	fprintf(stderr, "failsys: cannot parse rule '%s': %s\n"
		"Usage: failsys SYSCALL[:ARG0]=ERRNO... -- COMMAND [ARG...]\n",
		arg, why);
	exit(2);
}

static long lookup_syscall(const char *name, const char *arg)
{
	for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (strcmp(syscalls[i].name, name) == 0)
			return syscalls[i].nr;
	usage_error("unknown system call", arg);
	return -1;
}

static int lookup_errno(const char *name, const char *arg)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (strcmp(errnos[i].name, name) == 0)
			return errnos[i].err;
	usage_error("unknown errno name", arg);
	return -1;
}

/* Appends the filter instructions for one rule: SYSCALL[:ARG0]=ERRNO. */
static size_t add_rule(struct sock_filter *f, size_t n, char *rule)
{
	char *copy = strdup(rule), *eq, *colon;
	int has_arg = 0;
	unsigned arg0 = 0;
	long nr;
	int err;

	if (!copy) {
		perror("failsys: cannot copy a rule");
		exit(1);
	}
	eq = strchr(copy, '=');
	if (!eq)
		usage_error("missing '='", rule);
	*eq = '\0';
	colon = strchr(copy, ':');
	if (colon) {
		*colon = '\0';
		has_arg = 1;
		arg0 = (unsigned)strtoul(colon + 1, NULL, 0);
	}
	nr = lookup_syscall(copy, rule);
	err = lookup_errno(eq + 1, rule);
	free(copy);

	/* ld nr; jeq nr ? next : skip the rest of this rule */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		offsetof(struct seccomp_data, nr));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		(unsigned)nr, 0, has_arg ? 3 : 1);
	if (has_arg) {
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			ARG0_LO);
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			arg0, 0, 1);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA));
	return n;
}

int main(int argc, char **argv)
{
	struct sock_filter f[3 + 5 * MAX_RULES + 1];
	size_t n = 0;
	int i;

	/* a foreign-arch system call would have other numbers: allow it */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		ARCH_NR, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		SECCOMP_RET_ALLOW);
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (i > MAX_RULES)
			usage_error("too many rules", argv[i]);
		n = add_rule(f, n, argv[i]);
	}
	if (i >= argc - 1)
		usage_error("no command after '--'", i < argc ? argv[i] : "");
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		SECCOMP_RET_ALLOW);

	struct sock_fprog prog = { .len = (unsigned short)n, .filter = f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		fprintf(stderr, "failsys: cannot install seccomp filter: %s\n",
			strerror(errno));
		return 1;
	}
	execvp(argv[i + 1], argv + i + 1);
	fprintf(stderr, "failsys: cannot execute %s: %s\n", argv[i + 1],
		strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
