/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/lib/msg.c, the stdio-free message builder. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "../../src/lib/msg.h"
#include "tap.h"

const char msg_prog[] = "unit";

static int msg_is(const struct msg *m, const char *want)
{
	return m->len == strlen(want) && memcmp(m->buf, want, m->len) == 0;
}

static void test_numbers(void)
{
	static const struct { long n; const char *text; } cases[] = {
		{ 0, "0" }, { 7, "7" }, { -7, "-7" }, { 1000, "1000" },
		{ LONG_MAX, "9223372036854775807" },
		{ LONG_MIN, "-9223372036854775808" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct msg m = { 0 };

		msg_num(&m, cases[i].n);
		ok(msg_is(&m, cases[i].text), "msg_num(%ld) is \"%s\"",
		   cases[i].n, cases[i].text);
	}
}

static void test_truncation(void)
{
	struct msg m = { 0 };
	char long_line[MSG_MAX * 2];
	int fds[2];
	char back[MSG_MAX * 2];
	ssize_t n;

	memset(long_line, 'x', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	msg_str(&m, long_line);
	ok(m.len == MSG_MAX - 1, "an over-long line is cut at %d bytes (got %zu)",
	   MSG_MAX - 1, m.len);
	msg_num(&m, 12345);
	ok(m.len == MSG_MAX - 1, "nothing is appended past the cut");

	ok(pipe(fds) == 0, "pipe for msg_flush");
	ok(msg_flush(&m, fds[1]) == MSG_MAX, "msg_flush writes the line and its newline in one write");
	n = read(fds[0], back, sizeof(back));
	ok(n == MSG_MAX && back[n - 1] == '\n', "the flushed line ends in a newline");
	close(fds[0]);
	close(fds[1]);
}

/* Our table must say exactly what libc's strerror says. */
static void test_errno_texts(void)
{
	static const int errs[] = {
		EPERM, ENOENT, ESRCH, EINTR, ECHILD, EAGAIN, ENOMEM, EACCES,
		EFAULT, EINVAL, ENOSYS, E2BIG, ENOEXEC, ENOTDIR, EISDIR,
		ETXTBSY, ENAMETOOLONG, ELOOP,
	};

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		const char *ours = errno_text(errs[i]);

		ok(ours && strcmp(ours, strerror(errs[i])) == 0,
		   "errno %d reads \"%s\" as strerror does", errs[i],
		   strerror(errs[i]));
		ok(errno_text(-errs[i]) == ours, "-%d reads the same", errs[i]);
	}

	struct msg m = { 0 };
	msg_errno(&m, -4000);
	ok(msg_is(&m, "error 4000"), "an unknown error is printed by number");
}

static void test_str_eq(void)
{
	ok(str_eq("--help", "--help"), "str_eq: equal strings");
	ok(!str_eq("--help", "--hel"), "str_eq: a prefix is not equal");
	ok(!str_eq("--hel", "--help"), "str_eq: a longer string is not equal");
	ok(str_eq("", ""), "str_eq: empty strings");
}

static void test_put_str(void)
{
	int fds[2];
	char back[32] = { 0 };

	ok(pipe(fds) == 0, "pipe for put_str");
	ok(put_str(fds[1], "pause.c v1\n") == 0, "put_str returns 0");
	ok(read(fds[0], back, sizeof(back)) == 11 && strcmp(back, "pause.c v1\n") == 0,
	   "put_str writes the whole string");
	close(fds[1]);
	ok(put_str(fds[1], "x") == -EBADF, "put_str returns -errno on failure");
	close(fds[0]);
}

int main(void)
{
	test_numbers();
	test_truncation();
	test_errno_texts();
	test_str_eq();
	test_put_str();
	return tap_done();
}
