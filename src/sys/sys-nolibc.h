/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The no-libc backend of sys.h: raw system call entry for the target
 * architecture, chosen from the compiler's own macros so a cross build
 * needs no configuration.
 *
 * Each arch/<arch>.h names the registers of the kernel's calling
 * convention (SYS_REG_NR, SYS_REG_A..E), the trap instruction
 * (SYS_INSN), what the trap clobbers (SYS_CLOBBERS), which register holds
 * the result (SYS_RESULT), and the _start entry point (SYS_START_ASM),
 * which hands the initial stack pointer to sys_start_c() in nolibc.c.
 */
#ifndef SYS_NOLIBC_H
#define SYS_NOLIBC_H

#if defined(__x86_64__)
# include "arch/x86_64.h"
#elif defined(__aarch64__)
# include "arch/aarch64.h"
#elif defined(__arm__) && defined(__ARM_EABI__)
# include "arch/arm.h"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
# include "arch/ppc64le.h"
#elif defined(__s390x__)
# include "arch/s390x.h"
#elif defined(__riscv) && __riscv_xlen == 64
# include "arch/riscv64.h"
#else
# error "no-libc build: unsupported architecture"
#endif

/* Returns the kernel's result: >= 0, or -errno. Every argument register
 * is an in-out operand because some kernels (ppc) do not preserve them. */
static inline long sys_raw(long n, long a, long b, long c, long d, long e)
{
	register long r_n __asm__(SYS_REG_NR) = n;
	register long r_a __asm__(SYS_REG_A) = a;
	register long r_b __asm__(SYS_REG_B) = b;
	register long r_c __asm__(SYS_REG_C) = c;
	register long r_d __asm__(SYS_REG_D) = d;
	register long r_e __asm__(SYS_REG_E) = e;

	__asm__ volatile(SYS_INSN
			 : "+r"(r_n), "+r"(r_a), "+r"(r_b), "+r"(r_c),
			   "+r"(r_d), "+r"(r_e)
			 :
			 : SYS_CLOBBERS);
	return SYS_RESULT(r_n, r_a);
}

#define sys_call0(n)			sys_raw((n), 0, 0, 0, 0, 0)
#define sys_call1(n, a)			sys_raw((n), (long)(a), 0, 0, 0, 0)
#define sys_call2(n, a, b)		sys_raw((n), (long)(a), (long)(b), 0, 0, 0)
#define sys_call3(n, a, b, c)		sys_raw((n), (long)(a), (long)(b), (long)(c), 0, 0)
#define sys_call4(n, a, b, c, d)	sys_raw((n), (long)(a), (long)(b), (long)(c), (long)(d), 0)
#define sys_call5(n, a, b, c, d, e)	sys_raw((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e))

#endif
