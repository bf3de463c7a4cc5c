/* SPDX-License-Identifier: Apache-2.0 */
#include "msg.h"

#include "../sys/sys.h"

static size_t str_len(const char *s)
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

/* Only what our system calls can return; anything else is printed as
 * "error N", which is still exact. */
static const struct {
	unsigned char err;
	char text[33];
} errno_texts[] = {
	{ EPERM, "Operation not permitted" },
	{ ENOENT, "No such file or directory" },
	{ ESRCH, "No such process" },
	{ EINTR, "Interrupted system call" },
	{ ECHILD, "No child processes" },
	{ EAGAIN, "Resource temporarily unavailable" },
	{ ENOMEM, "Cannot allocate memory" },
	{ EACCES, "Permission denied" },
	{ EFAULT, "Bad address" },
	{ EINVAL, "Invalid argument" },
	{ ENOSYS, "Function not implemented" },
};

const char *errno_text(long err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(errno_texts) / sizeof(errno_texts[0]); i++)
		if (errno_texts[i].err == err)
			return errno_texts[i].text;
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
