/* SPDX-License-Identifier: Apache-2.0 */
/* What pause mode (pause.c) and init mode (init.c) share. */
#ifndef PAUSE_PAUSE_H
#define PAUSE_PAUSE_H

#include "../sys/sys.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes of init mode's own failures (bad usage, cannot spawn), out
 * of the way of the child's codes and the shell's 126/127. */
#define EXIT_INIT_FAILURE 125
#define EXIT_NOT_EXECUTABLE 126
#define EXIT_NOT_FOUND 127

/* The signal state pause found at start, which the child gets back. */
struct inherited {
	sys_sigset mask;		/* blocked signals */
	sys_sigset ignored;		/* SIG_IGN among those pause resets */
};

struct init_opts {
	char **argv;			/* CMD [ARG...] */
	char **envp;
	int group;			/* -g: signal the child's process group */
	int subreaper;			/* become a subreaper when not PID 1 */
	unsigned long grace;		/* --grace SECONDS */
	unsigned char rewrite[SYS_NSIG + 1];	/* -r FROM:TO; 0 drops */
	unsigned char exit_zero[256 / 8];	/* -e CODE */
};

/* What the command line asks for, when it is not simply "run". */
enum request { RUN, SHOW_VERSION, SHOW_HELP, SHOW_TINI_VERSION };

/* Parses the command line (args.c): 0 with *req, *init (init mode?) and,
 * in init mode, *o set; or an exit code after a one-line message. */
int pause_args(int argc, char **argv, char **envp, struct init_opts *o,
	       enum request *req, int *init);

void warn(const char *what, long err);
void become_subreaper(void);
int init_main(const struct init_opts *o, const sys_sigset *wait_set,
	      const struct inherited *inh);

#endif
