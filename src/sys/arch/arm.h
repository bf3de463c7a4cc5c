/* SPDX-License-Identifier: Apache-2.0 */
/* arm EABI (v7, hard-float; ARM or Thumb-2): `svc #0`, number in r7,
 * result in r0. r7 is Thumb's frame pointer: build with
 * -fomit-frame-pointer. */
#define SYS_REG_NR "r7"
#define SYS_REG_A "r0"
#define SYS_REG_B "r1"
#define SYS_REG_C "r2"
#define SYS_REG_D "r3"
#define SYS_REG_E "r4"
#define SYS_INSN "svc #0"
#define SYS_CLOBBERS "memory", "cc"
#define SYS_RESULT(nr_reg, a_reg) (a_reg)

/* The AAPCS wants sp 8-byte aligned at calls. Thumb cannot `bic` sp
 * directly, so go through r1. */
#define SYS_START_ASM			\
	"_start:\n"			\
	"	mov r0, sp\n"		\
	"	mov r1, sp\n"		\
	"	bic r1, r1, #7\n"	\
	"	mov sp, r1\n"		\
	"	bl sys_start_c\n"	\
	"	udf #0\n"
