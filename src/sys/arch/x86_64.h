/* SPDX-License-Identifier: Apache-2.0 */
/* x86_64: `syscall`, number and result in rax; it clobbers rcx, r11. */
#define SYS_REG_NR "rax"
#define SYS_REG_A "rdi"
#define SYS_REG_B "rsi"
#define SYS_REG_C "rdx"
#define SYS_REG_D "r10"
#define SYS_REG_E "r8"
#define SYS_INSN "syscall"
#define SYS_CLOBBERS "rcx", "r11", "memory"
#define SYS_RESULT(nr_reg, a_reg) (nr_reg)

/* argc is at (%rsp); calls want %rsp 16-byte aligned; a zero %rbp marks
 * the outermost frame. */
#define SYS_START_ASM			\
	"_start:\n"			\
	"	xor %ebp, %ebp\n"	\
	"	mov %rsp, %rdi\n"	\
	"	and $-16, %rsp\n"	\
	"	call sys_start_c\n"	\
	"	hlt\n"
