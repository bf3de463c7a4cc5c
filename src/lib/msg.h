/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One-line messages without stdio: build a line in a fixed buffer, then
 * write it with a single write(2) so concurrent writers never interleave
 * inside a line. Freestanding: no C library calls, usable in the no-libc
 * build. A line longer than the buffer is cut, never overflowed.
 */
#ifndef LIB_MSG_H
#define LIB_MSG_H

#include <stddef.h>

#define MSG_MAX 256

struct msg {
	size_t len;
	char buf[MSG_MAX];
};

void msg_str(struct msg *m, const char *s);
void msg_num(struct msg *m, long n);
/* Appends the reason for a kernel error, given as -errno or errno. */
void msg_errno(struct msg *m, long err);
/* Ends the line with '\n' and writes it to @fd; returns the write result. */
long msg_flush(struct msg *m, int fd);

/* "<msg_prog>: <what>: <reason>" on stderr, in one write; @err is -errno
 * or errno. Each program defines msg_prog, its name. */
extern const char msg_prog[];
void warn(const char *what, long err);

/* The strerror(3) text for the errors our programs can meet, or NULL. */
const char *errno_text(long err);

/* Writes a whole string to @fd (no newline added); returns 0 or -errno. */
long put_str(int fd, const char *s);

int str_eq(const char *a, const char *b);
size_t str_len(const char *s);

#endif
