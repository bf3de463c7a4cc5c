/* SPDX-License-Identifier: Apache-2.0 */
/* riscv64: `ecall`, number in a7, result in a0. */
#define SYS_REG_NR "a7"
#define SYS_REG_A "a0"
#define SYS_REG_B "a1"
#define SYS_REG_C "a2"
#define SYS_REG_D "a3"
#define SYS_REG_E "a4"
#define SYS_INSN "ecall"
#define SYS_CLOBBERS "memory"
#define SYS_RESULT(nr_reg, a_reg) (a_reg)

/* gp must hold __global_pointer$ before any relaxed access (set it with
 * relaxation off, or the assembler would relax this very load). */
#define SYS_START_ASM				\
	"_start:\n"				\
	"	.option push\n"			\
	"	.option norelax\n"		\
	"	lla gp, __global_pointer$\n"	\
	"	.option pop\n"			\
	"	mv a0, sp\n"			\
	"	andi sp, sp, -16\n"		\
	"	call sys_start_c\n"		\
	"	unimp\n"
