/* SPDX-License-Identifier: Apache-2.0 */
#include "parse.h"

#include <stddef.h>

static char upper(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - ('a' - 'A'));
	return c;
}

/* Equal, ignoring ASCII case. */
static int same_word(const char *a, const char *b)
{
	while (*a && upper(*a) == upper(*b))
		a++, b++;
	return *a == '\0' && *b == '\0';
}

int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return 0;
}

/* The standard signals' names, by number; the same on all our targets. */
static const char signal_names[32][7] = {
	"", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS",
	"FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM",
	"STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
	"XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
};

int parse_signal(const char *s)
{
	unsigned long n;

	if (parse_uint(s, 64, &n) == 0)
		return n >= 1 ? (int)n : -1;
	if (upper(s[0]) == 'S' && upper(s[1]) == 'I' && upper(s[2]) == 'G')
		s += 3;
	for (int i = 1; i < 32; i++)
		if (same_word(s, signal_names[i]))
			return i;
	return -1;
}

int parse_switch(const char *s)
{
	static const char *const on[] = { "1", "true", "yes", "on" };
	static const char *const off[] = { "0", "false", "no", "off" };

	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		if (same_word(s, on[i]))
			return 1;
		if (same_word(s, off[i]))
			return 0;
	}
	return -1;
}

const char *env_get(char **envp, const char *name)
{
	for (; envp && *envp; envp++) {
		const char *e = *envp, *n = name;

		while (*n && *e == *n)
			e++, n++;
		if (*n == '\0' && *e == '=')
			return e + 1;
	}
	return NULL;
}
