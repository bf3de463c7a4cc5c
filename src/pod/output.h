/* SPDX-License-Identifier: Apache-2.0 */
/* What the listing commands print: a table for people, JSON or bare
 * names and pids for scripts. */
#ifndef POD_OUTPUT_H
#define POD_OUTPUT_H

#include <jansson.h>
#include <stddef.h>

#include <stdbool.h>

#include "cli.h"

enum format { FORMAT_TABLE, FORMAT_JSON };

/* How a listing command (ls, ps) prints: -q, else --format. */
struct listing {
	enum format format;
	bool quiet;
};
#define LISTING_FORMAT OPT_LONG	/* --format's key in their tables */
/* Takes -q or --format for command @c; POD_OK or a usage error. */
int listing_opt(const struct command *c, struct listing *l, int key, const char *arg);
/* @j (taken) on stdout, indented, with a newline: POD_OK or POD_EFAIL. */
int print_json(json_t *j);
/* ISO 8601 in UTC: 2026-12-04T15:20:00Z */
void time_text(long long t, char *buf, size_t size);
/* Ends stdout: POD_OK, or POD_EFAIL if it could not be written. */
int flush_stdout(void);

#endif
