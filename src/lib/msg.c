/* SPDX-License-Identifier: Apache-2.0 */
#include "msg.h"

#include "../sys/sys.h"

size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

void warn(const char *what, long err)
{
	struct msg m = { 0 };

	msg_str(&m, msg_prog);
	msg_str(&m, ": ");
	msg_str(&m, what);
	msg_str(&m, ": ");
	msg_errno(&m, err);
	msg_flush(&m, 2);
}

void msg_str(struct msg *m, const char *s)
{
	/* keep one byte for the newline msg_flush adds */
	while (*s && m->len < MSG_MAX - 1)
		m->buf[m->len++] = *s++;
}

void msg_num(struct msg *m, long n)
{
	char digits[24];
	size_t i = sizeof(digits);
	/* negate as unsigned so LONG_MIN does not overflow */
	unsigned long u = n < 0 ? 0UL - (unsigned long)n : (unsigned long)n;

	digits[--i] = '\0';
	do {
		digits[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (n < 0)
		digits[--i] = '-';
	msg_str(m, digits + i);
}

/*
 * strerror(3)'s text for what our system calls can return, packed as
 * "<errno byte><text>\0" records (a table of fixed-size rows would be
 * mostly padding). Anything else is printed as "error N", still exact.
 */
static const char errno_texts[] =
	"\x01" "Operation not permitted\0"		/* EPERM */
	"\x02" "No such file or directory\0"		/* ENOENT */
	"\x03" "No such process\0"			/* ESRCH */
	"\x04" "Interrupted system call\0"		/* EINTR */
	"\x07" "Argument list too long\0"		/* E2BIG */
	"\x08" "Exec format error\0"			/* ENOEXEC */
	"\x0a" "No child processes\0"			/* ECHILD */
	"\x0b" "Resource temporarily unavailable\0"	/* EAGAIN */
	"\x0c" "Cannot allocate memory\0"		/* ENOMEM */
	"\x0d" "Permission denied\0"			/* EACCES */
	"\x0e" "Bad address\0"				/* EFAULT */
	"\x14" "Not a directory\0"			/* ENOTDIR */
	"\x15" "Is a directory\0"			/* EISDIR */
	"\x16" "Invalid argument\0"			/* EINVAL */
	"\x1a" "Text file busy\0"			/* ETXTBSY */
	"\x24" "File name too long\0"			/* ENAMETOOLONG */
	"\x26" "Function not implemented\0"		/* ENOSYS */
	"\x28" "Too many levels of symbolic links\0";	/* ELOOP */

const char *errno_text(long err)
{
	if (err < 0)
		err = -err;
	for (const char *p = errno_texts; *p; ) {
		const char *text = p + 1;

		if ((unsigned char)*p == err)
			return text;
		while (*p)
			p++;
		p++;	/* past the NUL */
	}
	return NULL;
}

void msg_errno(struct msg *m, long err)
{
	const char *text = errno_text(err);

	if (text) {
		msg_str(m, text);
	} else {
		msg_str(m, "error ");
		msg_num(m, err < 0 ? -err : err);
	}
}

long msg_flush(struct msg *m, int fd)
{
	m->buf[m->len++] = '\n';
	return sys_write(fd, m->buf, m->len);
}

long put_str(int fd, const char *s)
{
	size_t len = str_len(s);

	while (len) {
		long r = sys_write(fd, s, len);

		if (r == -EINTR)
			continue;
		if (r < 0)
			return r;
		s += r;
		len -= (size_t)r;
	}
	return 0;
}
