/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigcatch: print every signal it receives, one number per line.
 *
 *   sigcatch [-x SIG]
 *
 * Blocks every signal, prints "ready" once it can take them, then prints
 * each signal's number as it arrives (flushing every line). Exits 0 after
 * printing SIG (default 15, SIGTERM). Tests use it as the child of an init
 * to see exactly what was forwarded.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int exit_sig = SIGTERM;
	sigset_t all;
	char *end = NULL;

	if (argc == 3 && argv[1][0] == '-' && argv[1][1] == 'x')
		exit_sig = (int)strtol(argv[2], &end, 10);
	if ((argc == 3 && (!end || *end || exit_sig < 1 || exit_sig > 64)) ||
	    (argc != 1 && argc != 3)) {
		fprintf(stderr, "Usage: sigcatch [-x SIG]\n");
		return 2;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");
	for (;;) {
		int sig = sigwaitinfo(&all, NULL);

		if (sig < 0)
			continue;
		printf("%d\n", sig);
		if (sig == exit_sig)
			return 0;
	}
}
