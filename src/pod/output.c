/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "util.h"

int format_parse(const char *arg, enum format *out)
{
	if (strcmp(arg, "table") == 0)
		*out = FORMAT_TABLE;
	else if (strcmp(arg, "json") == 0)
		*out = FORMAT_JSON;
	else
		return -1;
	return 0;
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
