/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "util.h"

int listing_opt(const struct command *c, struct listing *l, int key, const char *arg)
{
	if (key == 'q')
		l->quiet = true;
	else if (strcmp(arg, "table") == 0)
		l->format = FORMAT_TABLE;
	else if (strcmp(arg, "json") == 0)
		l->format = FORMAT_JSON;
	else
		return cli_usage(c, "--format %.80s: not table or json", arg);
	return POD_OK;
}

int print_json(json_t *j)
{
	int rc = j && json_dumpf(j, stdout, JSON_INDENT(2)) == 0 && putchar('\n') != EOF;

	json_decref(j);
	return rc ? POD_OK : POD_EFAIL;
}

void time_text(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int flush_stdout(void)
{
	return fflush(stdout) == 0 && !ferror(stdout) ? POD_OK : POD_EFAIL;
}
