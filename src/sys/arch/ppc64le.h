/* SPDX-License-Identifier: Apache-2.0 */
/* ppc64le (ELFv2): `sc`, number in r0, result in r3; on failure the
 * kernel sets cr0.SO and returns a positive errno, which we negate. It
 * may clobber the other volatile registers. */
#define SYS_REG_NR "r0"
#define SYS_REG_A "r3"
#define SYS_REG_B "r4"
#define SYS_REG_C "r5"
#define SYS_REG_D "r6"
#define SYS_REG_E "r7"
#define SYS_INSN "sc\n\tbns+ 1f\n\tneg 3, 3\n1:"
#define SYS_CLOBBERS "r8", "r9", "r10", "r11", "r12", "cr0", "ctr", "xer", "memory"
#define SYS_RESULT(nr_reg, a_reg) (a_reg)

/* Static code still reaches globals through the TOC pointer r2: derive it
 * from our own address (the kernel does not promise r12 = entry). Then a
 * 16-byte aligned stack with a null back chain and a minimal frame. */
#define SYS_START_ASM					\
	"_start:\n"					\
	"	bl 1f\n"				\
	"1:	mflr 12\n"				\
	"	addis 2, 12, .TOC.-1b@ha\n"		\
	"	addi 2, 2, .TOC.-1b@l\n"		\
	"	mr 3, 1\n"				\
	"	clrrdi 1, 1, 4\n"			\
	"	li 0, 0\n"				\
	"	stdu 0, -32(1)\n"			\
	"	bl sys_start_c\n"			\
	"	nop\n"					\
	"	trap\n"
