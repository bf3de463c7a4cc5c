/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What pause's parts share. main.c reads the request (args.c) and hands
 * over to pause mode (pause.c) or init mode (init.c); the two modes never
 * call each other.
 */
#ifndef PAUSE_PAUSE_H
#define PAUSE_PAUSE_H

#include "../sys/sys.h"

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

/* What the command line asks for. */
enum request {
	REQ_PAUSE,		/* hold the pod: pause mode */
	REQ_INIT,		/* -- CMD: init mode */
	REQ_VERSION,		/* -v: "pause.c <version>" */
	REQ_HELP,		/* --help */
	REQ_TINI_VERSION,	/* --version: the line dockerd reads */
};

/* Parses the command line (args.c): 0 with *req set, and @o filled for
 * REQ_INIT; or an exit code after a one-line message. */
int pause_args(int argc, char **argv, char **envp, struct init_opts *o,
	       enum request *req);

/* pause.c: the signal setup both modes start with, and pause mode. */
/* Resets SIGINT, SIGTERM and SIGCHLD to their defaults (SIGCHLD reports
 * stopped children only if @stops) and blocks every signal, recording
 * what was inherited in @inh. Returns 0, or upstream's exit code. */
int signals_take(sys_sigset *wait_set, struct inherited *inh, int stops);
/* Reaps until SIGINT or SIGTERM; returns the exit code. */
int pause_loop(const sys_sigset *wait_set);

/* init.c */
int init_main(const struct init_opts *o, const sys_sigset *wait_set,
	      const struct inherited *inh);

#endif
