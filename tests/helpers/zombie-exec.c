/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zombie-exec: leave zombie children behind, then become another program.
 *
 *   zombie-exec COUNT COMMAND [ARG...]
 *
 * Forks COUNT children that exit at once, waits until each is a zombie
 * (without reaping it: WNOWAIT), then execs COMMAND, which inherits them.
 * Tests use it to check that a new init reaps what it inherited, whose
 * SIGCHLD was sent before it could take it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long count;
	char *end;

	if (argc < 3 || (count = strtol(argv[1], &end, 10)) < 0 || *end) {
		fprintf(stderr, "Usage: zombie-exec COUNT COMMAND [ARG...]\n");
		return 2;
	}
	for (long i = 0; i < count; i++) {
		pid_t pid = fork();
		siginfo_t info;

		if (pid < 0) {
			fprintf(stderr, "zombie-exec: cannot fork: %s\n", strerror(errno));
			return 1;
		}
		if (pid == 0)
			_exit(7);
		if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0) {
			fprintf(stderr, "zombie-exec: cannot wait: %s\n", strerror(errno));
			return 1;
		}
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "zombie-exec: cannot execute %s: %s\n", argv[2], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
