/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz input as a command line: NUL-separated words, at most ARGV_MAX. */
#ifndef FUZZ_ARGV_H
#define FUZZ_ARGV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARGV_MAX 48

struct fuzz_argv {
	char name[16];		/* argv[0] */
	char *text;		/* the input, NUL-terminated */
	int argc;
	char *argv[ARGV_MAX + 2];
};

/* argv[0] is @name; the rest are the input's words. 0, or -1 (no memory). */
static inline int fuzz_argv(struct fuzz_argv *a, const char *name, const unsigned char *data,
			    size_t size)
{
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->argc = 0;
	a->argv[a->argc++] = a->name;
	a->text = malloc(size + 1);
	if (!a->text)
		return -1;
	memcpy(a->text, data, size);
	a->text[size] = '\0';
	for (size_t i = 0; i < size && a->argc <= ARGV_MAX; i += strlen(a->text + i) + 1)
		a->argv[a->argc++] = a->text + i;
	a->argv[a->argc] = NULL;
	return 0;
}

#endif
