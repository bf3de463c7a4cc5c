/* SPDX-License-Identifier: Apache-2.0 */
/* arm64: `svc #0`, number in x8, result in x0. */
#define SYS_REG_NR "x8"
#define SYS_REG_A "x0"
#define SYS_REG_B "x1"
#define SYS_REG_C "x2"
#define SYS_REG_D "x3"
#define SYS_REG_E "x4"
#define SYS_INSN "svc #0"
#define SYS_CLOBBERS "memory", "cc"
#define SYS_RESULT(nr_reg, a_reg) (a_reg)

/* sp is already 16-byte aligned at entry. */
#define SYS_START_ASM			\
	"_start:\n"			\
	"	mov x29, #0\n"		\
	"	mov x30, #0\n"		\
	"	mov x0, sp\n"		\
	"	bl sys_start_c\n"	\
	"	brk #0\n"
