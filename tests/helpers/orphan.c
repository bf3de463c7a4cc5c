/* SPDX-License-Identifier: Apache-2.0 */
/*
 * orphan: make orphans that some reaper must adopt and reap.
 *
 * For each of COUNT orphans, orphan forks a short-lived parent that forks
 * the orphan and exits at once. The kernel re-parents the orphan to the
 * nearest child subreaper, or to PID 1 of its PID namespace. Each orphan
 * waits, without spinning, until it has been adopted (its parent pid is no
 * longer the one it was born with: the adopter need not be PID 1), then
 * until every orphan exists, and then they all exit together, so their
 * SIGCHLDs reach the adopter in one storm and coalesce.
 *
 * Exits 0 once every orphan has been made and released; the orphans'
 * exits are the adopter's business.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
	"Usage: orphan [-n COUNT] [-d MS] [-w] [-S]\n"
	"\n"
	"Make COUNT orphans (default 1) that exit together once all exist;\n"
	"whoever adopts them must reap them.\n"
	"\n"
	"Options:\n"
	"  -n COUNT  number of orphans\n"
	"  -d MS     each orphan waits MS milliseconds after release, then exits\n"
	"  -w        print \"ready N\" when all are adopted, then release them\n"
	"            only when standard input reaches end of file\n"
	"  -S        stop (SIGSTOP) before making any, until sent SIGCONT\n"
	"  -h, --help\n"
	"\n"
	"Exit status: 0 all made and released, 1 a fork failed, 2 bad usage.\n";

static void die(const char *what)
{
	fprintf(stderr, "orphan: cannot %s: %s\n", what, strerror(errno));
	exit(1);
}

static long parse_count(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < 0 || v > INT_MAX) {
		fprintf(stderr, "orphan: cannot parse %s: '%s' is not a count\n",
			what, s);
		exit(2);
	}
	return v;
}

/* The orphan itself: never returns. */
static void be_orphan(pid_t born_to, int release_fd, long delay_ms)
{
	sigset_t usr1;
	char byte;

	/* Sleep until the parent dies rather than poll getppid(). */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGUSR1) < 0)
		_exit(3);
	/* The parent may have died before the prctl: check after it. */
	while (getppid() == born_to)
		sigwaitinfo(&usr1, NULL);

	while (read(release_fd, &byte, 1) < 0 && errno == EINTR)
		;
	if (delay_ms) {
		struct timespec ts = {
			.tv_sec = delay_ms / 1000,
			.tv_nsec = (delay_ms % 1000) * 1000000L,
		};
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	_exit(0);
}

/* Makes one orphan through a parent that exits at once. */
static int make_orphan(int release_fd, long delay_ms)
{
	pid_t parent = fork();
	int status;

	if (parent < 0)
		return -1;
	if (parent == 0) {
		pid_t self = getpid();
		pid_t child = fork();

		if (child == 0) {
			/* Hold nothing but the release pipe's read end: not its
			 * write end (or release never comes), nor the caller's
			 * stdin/stdout (or a reader of ours waits for us). */
			if (release_fd > 0)
				close_range(0, (unsigned)release_fd - 1, 0);
			close_range((unsigned)release_fd + 1, ~0U, 0);
			be_orphan(self, release_fd, delay_ms);
		}
		_exit(child < 0 ? 1 : 0);
	}
	if (waitpid(parent, &status, 0) < 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errno = EAGAIN;
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long count = 1, delay_ms = 0;
	int wait_stdin = 0, stop_first = 0, opt;
	int release[2];

	while ((opt = getopt_long(argc, argv, "+n:d:wSh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n': count = parse_count(optarg, "count"); break;
		case 'd': delay_ms = parse_count(optarg, "delay"); break;
		case 'w': wait_stdin = 1; break;
		case 'S': stop_first = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "orphan: cannot parse arguments: unexpected '%s'\n",
			argv[optind]);
		return 2;
	}

	if (stop_first)
		raise(SIGSTOP);
	if (pipe(release) < 0)
		die("create release pipe");
	for (long i = 0; i < count; i++)
		if (make_orphan(release[0], delay_ms) < 0)
			die("fork orphan");

	if (wait_stdin) {
		char buf[64];

		/* every parent has exited, so every orphan has been adopted */
		printf("ready %ld\n", count);
		fflush(stdout);
		for (;;) {
			ssize_t r = read(0, buf, sizeof(buf));

			if (r == 0 || (r < 0 && errno != EINTR))
				break;
		}
	}
	/* Closing the last write end releases every orphan at once. */
	close(release[1]);
	return 0;
}
