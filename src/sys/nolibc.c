/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a program needs when there is no C library: the _start entry
 * point, the memset/memcpy the compiler may emit calls to for struct
 * copies and zeroing, and the raise() libgcc may call. Built only with
 * -DSYS_NOLIBC; --gc-sections drops what a target does not use.
 */
#include "sys.h"

int main(int argc, char **argv, char **envp);
__attribute__((noreturn, used)) void sys_start_c(long *sp);
/* used: calls to these appear only after link-time optimisation, which
 * would otherwise have dropped them as unreferenced */
__attribute__((used)) void *memset(void *dst, int c, size_t n);
__attribute__((used)) void *memcpy(void *dst, const void *src, size_t n);
__attribute__((used)) int raise(int sig);

__asm__(".text\n"
	".global _start\n"
	".type _start, %function\n"
	SYS_START_ASM
	".size _start, . - _start\n");

/* The initial stack: argc, then argv[0..argc-1], NULL, envp..., NULL. */
void sys_start_c(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);

	sys_exit(main(argc, argv, argv + argc + 1));
}

/* Built with -fno-tree-loop-distribute-patterns, so these loops are not
 * turned back into calls to themselves. */
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

/* libgcc's division helpers on arm report a division by zero with
 * raise(SIGFPE); honour it the way libc would. */
int raise(int sig)
{
	return (int)sys_call2(__NR_kill, sys_getpid(), sig);
}
