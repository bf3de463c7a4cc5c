/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Init mode: pause [OPTIONS] -- CMD [ARG...]
 *
 * Runs CMD as its child and is the init of its container: every signal
 * it receives goes to CMD (or its process group), every zombie is reaped,
 * and its exit status is CMD's. The peers' known bugs, and what is done
 * here instead:
 *
 *  - a user-sent SIGSEGV/SIGABRT is forwarded, not dropped: all signals
 *    are blocked and waited for; a fault in pause itself still kills it
 *    (the kernel forces synchronous faults through the mask);
 *  - CMD's exit is seen inside the reap loop, so coalesced SIGCHLDs
 *    cannot hide it, and CMD is never signalled after it was reaped;
 *  - exec failure is reported by the child through a close-on-exec pipe,
 *    never guessed from the status;
 *  - CMD starts with exactly the signal mask and ignored signals pause
 *    inherited;
 *  - other descendants can be given a grace period (--grace) instead of
 *    being SIGKILLed by the kernel, and outside PID 1 only our own
 *    descendants are ever signalled (never kill(-1)).
 */
#include "pause.h"

#include "../lib/msg.h"
#include "../lib/parse.h"

/* The longest PATH entry + "/" + command we try; longer ones are skipped. */
#define PATH_BUF 4096
/* How many descendants --grace tracks when pause is not PID 1. */
#define MAX_DESCENDANTS 4096

static int exit_status(int wstatus)
{
	/* WIFEXITED / WTERMSIG without libc's macros */
	if ((wstatus & 0x7f) == 0)
		return (wstatus >> 8) & 0xff;
	return 128 + (wstatus & 0x7f);
}

/* The exit code for an exec that failed with errno @e. */
static int exec_failure_code(int e)
{
	return e == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
}

static int has_slash(const char *s)
{
	for (; *s; s++)
		if (*s == '/')
			return 1;
	return 0;
}

/*
 * execvp(3) without libc: CMD as given when it has a slash, else each
 * PATH directory in turn. Returns only on failure, with the error that
 * decides the exit code: EACCES if some candidate existed but could not
 * be run, else the last error.
 */
static long exec_cmd(char **argv, char **envp)
{
	static const char default_path[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	char buf[PATH_BUF];
	const char *path, *p;
	size_t cmd_len = str_len(argv[0]);
	long err = -ENOENT, r;
	int saw_eacces = 0;

	if (has_slash(argv[0]) || argv[0][0] == '\0')
		return argv[0][0] ? sys_execve(argv[0], argv, envp) : -ENOENT;

	path = env_get(envp, "PATH");
	if (!path)
		path = default_path;
	for (p = path;; p++) {
		const char *start = p;
		size_t len;

		while (*p && *p != ':')
			p++;
		len = (size_t)(p - start);
		if (len + 1 + cmd_len + 1 <= sizeof(buf)) {
			size_t n = 0;

			/* an empty entry is the current directory */
			for (size_t k = 0; k < len; k++)
				buf[n++] = start[k];
			if (len)
				buf[n++] = '/';
			for (size_t k = 0; k <= cmd_len; k++)
				buf[n++] = argv[0][k];
			r = sys_execve(buf, argv, envp);
			if (r == -EACCES)
				saw_eacces = 1;
			else if (r != -ENOENT && r != -ENOTDIR)
				return r;	/* found, but broken: stop here */
			err = r;
		}
		if (*p == '\0')
			break;
	}
	return saw_eacces ? -EACCES : err;
}

/* The inherited mask back, then CMD; returns only on failure (-errno). */
static long exec_cmd_with_mask(const struct init_opts *o, const struct inherited *inh)
{
	sys_sigprocmask(SYS_SIG_SETMASK, &inh->mask, NULL);
	return exec_cmd(o->argv, o->envp);
}

/* How the child starts: in the terminal's foreground or not, and in the
 * directory pause was started in (held open while pause is in "/"). */
struct start {
	int foreground;
	int dir;		/* O_PATH handle, or -1: stay where we are */
};

/* What a child that failed before its exec reports through the pipe. */
struct failure {
	int chdir;		/* 1: entering the start directory failed */
	int err;		/* errno */
};

/*
 * pause itself moves to "/" before CMD exists, so it never keeps the
 * caller's directory busy (a mount there can be unmounted while pause
 * runs); CMD gets the directory back from an O_PATH handle. Returns the
 * handle, or -1 if pause stays where it is.
 */
static int leave_start_dir(void)
{
	long fd = sys_open_path(".");

	if (fd < 0)
		return -1;
	if (sys_chdir("/") < 0) {
		sys_close((int)fd);
		return -1;
	}
	return (int)fd;
}

/*
 * The child, between fork and exec: give it a process group of its own
 * (so -g reaches a whole pipeline), the terminal's foreground if pause
 * had it (so Ctrl-C reaches CMD), the start directory and the signal
 * state pause inherited. On failure, what failed goes back through the
 * close-on-exec pipe.
 */
__attribute__((noreturn))
static void child(const struct init_opts *o, const struct inherited *inh,
		  const struct start *st, int report_fd)
{
	struct failure f = { 0, 0 };
	int self = (int)sys_getpid();
	long err;

	sys_setpgid(0, 0);
	/* signals are still blocked here, so SIGTTOU cannot stop us */
	if (st->foreground)
		sys_tcsetpgrp(0, &self);
	for (int sig = 1; sig <= SYS_NSIG; sig++) {
		if (sys_sigset_has(&inh->ignored, sig)) {
			struct sys_sigaction ign = { 0 };

			ign.handler = SYS_SIG_IGN;
			sys_sigaction(sig, &ign, NULL);
		}
	}
	if (st->dir >= 0 && (err = sys_fchdir(st->dir)) < 0)
		f.chdir = 1;
	else
		err = exec_cmd_with_mask(o, inh);
	f.err = (int)-err;

	/* not killed by a forwarded signal before the parent hears why */
	sys_sigset all;
	sys_sigset_fill(&all);
	sys_sigprocmask(SYS_SIG_BLOCK, &all, NULL);
	sys_write(report_fd, &f, sizeof(f));
	sys_exit(f.chdir ? EXIT_INIT_FAILURE : exec_failure_code(f.err));
}

/* True when pause's own process group holds the terminal on stdin. */
static int in_foreground(void)
{
	int pgrp;

	return sys_tcgetpgrp(0, &pgrp) == 0 && pgrp == sys_getpgid(0);
}

/* The parent's half of a failed start: one line, and the exit code. */
static long start_failed(const struct init_opts *o, long pid, const struct failure *f)
{
	struct msg m = { 0 };

	sys_wait4((int)pid, NULL, 0);
	msg_str(&m, f->chdir ? "pause: cannot enter the start directory of "
			     : "pause: cannot execute ");
	msg_str(&m, o->argv[0]);
	msg_str(&m, ": ");
	msg_errno(&m, f->err);
	msg_flush(&m, 2);
	return f->chdir ? -EXIT_INIT_FAILURE : -exec_failure_code(f->err);
}

/* Starts CMD. Returns its pid, or -(exit code) after printing why not. */
static long spawn(const struct init_opts *o, const struct inherited *inh)
{
	struct start st = { in_foreground(), -1 };
	struct failure f;
	int fds[2];
	long pid, n;

	if ((n = sys_pipe_cloexec(fds)) < 0) {
		warn("cannot create exec status pipe", n);
		return -EXIT_INIT_FAILURE;
	}
	st.dir = leave_start_dir();
	pid = sys_fork();
	if (pid == 0)
		child(o, inh, &st, fds[1]);
	sys_close(fds[1]);
	if (st.dir >= 0)
		sys_close(st.dir);
	if (pid < 0) {
		sys_close(fds[0]);
		warn("cannot fork", pid);
		return -EXIT_INIT_FAILURE;
	}
	/* also here, so -g works even before the child ran */
	sys_setpgid((int)pid, (int)pid);

	/* EOF: the exec succeeded. A whole report: what failed. */
	do
		n = sys_read(fds[0], &f, sizeof(f));
	while (n == -EINTR);
	sys_close(fds[0]);
	if (n == (long)sizeof(f))
		return start_failed(o, pid, &f);
	return pid;
}

enum cmd_state { CMD_RUNNING, CMD_EXITED, CMD_STOPPED };

/* Reaps every exited child. Tells whether @cmd_pid exited or (asked for
 * with @stops) stopped, with its wait status in *status. */
static enum cmd_state reap(long cmd_pid, int *status, int stops)
{
	enum cmd_state found = CMD_RUNNING;
	int ws, options = SYS_WNOHANG | (stops ? SYS_WUNTRACED : 0);
	long pid;

	while ((pid = sys_wait4(-1, &ws, options)) > 0) {
		if (pid != cmd_pid || found == CMD_EXITED)
			continue;
		*status = ws;
		found = (ws & 0xff) == 0x7f ? CMD_STOPPED : CMD_EXITED;
	}
	return found;
}

static int has_children(void)
{
	return sys_wait4(-1, NULL, SYS_WNOHANG) != -ECHILD;
}

/* Appends the children of @pid, read from /proc, to list[*n]. */
static void add_children(long pid, long *list, size_t *n)
{
	char buf[4096];
	struct msg m = { 0 };
	long fd, len, v = -1;

	/* the path is far shorter than a message line: it ends in a NUL */
	msg_str(&m, "/proc/");
	msg_num(&m, pid);
	msg_str(&m, "/task/");
	msg_num(&m, pid);
	msg_str(&m, "/children");
	m.buf[m.len] = '\0';
	if ((fd = sys_open_read(m.buf)) < 0)
		return;
	while ((len = sys_read((int)fd, buf, sizeof(buf))) > 0) {
		for (long i = 0; i < len; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				v = (v < 0 ? 0 : v * 10) + (buf[i] - '0');
			} else if (v >= 0) {
				if (*n < MAX_DESCENDANTS)
					list[(*n)++] = v;
				v = -1;
			}
		}
	}
	sys_close((int)fd);
}

/*
 * Signals every descendant. As PID 1 that is everyone else in the PID
 * namespace: kill(-1). Elsewhere, kill(-1) would reach the whole system,
 * so walk our own tree in /proc instead (children of children...).
 */
static void signal_descendants(int sig)
{
	static long list[MAX_DESCENDANTS];
	size_t n = 0;

	if (sys_getpid() == 1) {
		sys_kill(-1, sig);
		return;
	}
	add_children(sys_getpid(), list, &n);
	for (size_t i = 0; i < n; i++)
		add_children(list[i], list, &n);
	for (size_t i = 0; i < n; i++)
		sys_kill((int)list[i], sig);
}

/* Milliseconds of CLOCK_MONOTONIC, in 64 bits: a 32-bit long would wrap
 * after 24 days of uptime on arm. */
static long long now_ms(void)
{
	struct sys_timespec ts = { 0, 0 };

	sys_clock_monotonic(&ts);
	return (long long)ts.sec * 1000 + ts.nsec / 1000000;
}

/*
 * After CMD exited: SIGTERM the other descendants, reap them for up to
 * @grace seconds, SIGKILL whoever is left. Signals that arrive meanwhile
 * are taken and dropped: there is no CMD left to forward them to.
 */
static void shut_down_descendants(unsigned long grace, const sys_sigset *wait_set)
{
	long long deadline = now_ms() + (long long)grace * 1000;
	int ws;

	reap(0, &ws, 0);
	if (!has_children())
		return;
	signal_descendants(SYS_SIGTERM);
	while (reap(0, &ws, 0), has_children()) {
		struct sys_timespec ts;
		sys_siginfo info;
		long long left = deadline - now_ms();

		if (left <= 0) {
			signal_descendants(SYS_SIGKILL);
			/* the kernel delivers SIGKILL for sure: wait for it */
			while (sys_wait4(-1, NULL, 0) > 0)
				;
			return;
		}
		ts.sec = (long)(left / 1000);
		ts.nsec = (long)(left % 1000) * 1000000;
		sys_sigtimedwait(wait_set, &info, &ts);
	}
}

static void forward(const struct init_opts *o, long cmd_pid, int sig)
{
	int to = sig <= SYS_NSIG ? o->rewrite[sig] : sig;

	if (to == 0)
		return;
	sys_kill(o->group ? -(int)cmd_pid : (int)cmd_pid, to);
}

/*
 * Outside PID 1, pause is what the shell sees of the job. When CMD stops
 * on a terminal's stop signal (Ctrl-Z, a background read or write), pause
 * stops with the same signal, so the shell gets the terminal back and
 * reports the job stopped. The shell's fg or bg continues pause, which
 * then hands CMD the terminal if the job is in the foreground and
 * continues CMD's group. A SIGCONT pending on pause says it really was
 * stopped (the kernel does not stop an orphaned process group).
 */
static void follow_stop(long cmd_pid, int sig)
{
	static const struct sys_timespec now = { 0, 0 };
	sys_sigset one = { { 0 } }, cont = { { 0 } };
	sys_siginfo info;
	int pgrp = (int)cmd_pid;

	if (sig != SYS_SIGTSTP && sig != SYS_SIGTTIN && sig != SYS_SIGTTOU)
		return;
	sys_sigset_add(&one, sig);
	sys_kill((int)sys_getpid(), sig);
	sys_sigprocmask(SYS_SIG_UNBLOCK, &one, NULL);	/* stops here */
	sys_sigprocmask(SYS_SIG_BLOCK, &one, NULL);
	sys_sigset_add(&cont, SYS_SIGCONT);
	if (sys_sigtimedwait(&cont, &info, &now) != SYS_SIGCONT)
		return;
	if (in_foreground())
		sys_tcsetpgrp(0, &pgrp);
	sys_kill(-pgrp, SYS_SIGCONT);
}

int init_main(const struct init_opts *o, const sys_sigset *wait_set,
	      const struct inherited *inh)
{
	long cmd_pid = spawn(o, inh);
	int status = 0, code, jobs = sys_getpid() != 1;
	enum cmd_state state;

	if (cmd_pid < 0)
		return (int)-cmd_pid;

	/*
	 * Until CMD has been reaped, it may be signalled: its pid cannot be
	 * reused while it is our child, alive or zombie.
	 */
	while ((state = reap(cmd_pid, &status, jobs)) != CMD_EXITED) {
		sys_siginfo info;

		if (state == CMD_STOPPED) {
			follow_stop(cmd_pid, (status >> 8) & 0xff);
			continue;
		}
		if (sys_sigwait(wait_set, &info) < 0)
			continue;
		if (info.signo != SYS_SIGCHLD)
			forward(o, cmd_pid, info.signo);
	}

	code = exit_status(status);
	if (o->exit_zero[code / 8] & (1U << (code % 8)))
		code = 0;
	if (o->grace)
		shut_down_descendants(o->grace, wait_set);
	return code;
}
