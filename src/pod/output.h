/* SPDX-License-Identifier: Apache-2.0 */
/* What the listing commands print: a table for people, JSON or bare
 * names and pids for scripts. */
#ifndef POD_OUTPUT_H
#define POD_OUTPUT_H

#include <jansson.h>
#include <stddef.h>

enum format { FORMAT_TABLE, FORMAT_JSON, FORMAT_QUIET };

/* --format's value: "table" or "json"; -1 if neither. */
int format_parse(const char *arg, enum format *out);
/* @j (taken) on stdout, indented, with a newline: POD_OK or POD_EFAIL. */
int print_json(json_t *j);
/* ISO 8601 in UTC: 2026-12-04T15:20:00Z */
void time_text(long long t, char *buf, size_t size);
/* Ends stdout: POD_OK, or POD_EFAIL if it could not be written. */
int flush_stdout(void);

#endif
