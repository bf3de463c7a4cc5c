/* SPDX-License-Identifier: Apache-2.0 */
/* s390x: `svc 0`, number in r1, result in r2. */
#define SYS_REG_NR "r1"
#define SYS_REG_A "r2"
#define SYS_REG_B "r3"
#define SYS_REG_C "r4"
#define SYS_REG_D "r5"
#define SYS_REG_E "r6"
#define SYS_INSN "svc 0"
#define SYS_CLOBBERS "memory", "cc"
#define SYS_RESULT(nr_reg, a_reg) (a_reg)

/* The caller must provide a 160-byte register save area with a null
 * back chain at 0(%r15). */
#define SYS_START_ASM				\
	"_start:\n"				\
	"	lgr %r2, %r15\n"		\
	"	aghi %r15, -160\n"		\
	"	xc 0(8,%r15), 0(%r15)\n"	\
	"	brasl %r14, sys_start_c\n"	\
	"	.word 0\n"
