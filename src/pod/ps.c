/* SPDX-License-Identifier: Apache-2.0 */
/* pod ps: a pod's processes, found by namespace (procs.c). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output.h"
#include "procs.h"
#include "state.h"
#include "util.h"

static const struct opt ps_opts[] = {
	{ "quiet", 'q', NULL, "print the host pids only, one per line" },
	{ "format", LISTING_FORMAT, "FORMAT", "table (default) or json (an array of objects)" },
	OPT_END,
};

static int ps_main(int argc, char **argv);

const struct command cmd_ps = {
	.name = "ps",
	.operands = "[OPTIONS] NAME",
	.summary = "list a pod's processes",
	.about = "List the pod's processes: pid in the pod, pid on the host, command.",
	.opts = ps_opts,
	.usage_code = POD_EUSAGE,
	.main = ps_main,
};

static int ps_opt(void *ctx, int key, char *arg)
{
	return listing_opt(&cmd_ps, ctx, key, arg);
}

struct row {
	pid_t pid, inside;
	char cmd[512];
};

struct rows {
	struct row *v;
	size_t n;
};

/* The command line with spaces, or [comm] for a process without one (a
 * kernel thread or an exiting process); -1 if it is gone. */
static int command_text(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	len = read_file(path, buf, size);
	if (len > 0) {
		for (ssize_t i = 0; i < len - 1; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (read_file(path, buf + 1, size - 2) < 0)
		return -1;
	buf[0] = '[';
	buf[strcspn(buf, "\n")] = '\0';
	strcat(buf, "]");
	return 0;
}

static int add_row(pid_t pid, pid_t inside, void *arg)
{
	struct rows *rows = arg;
	struct row *grown = realloc(rows->v, (rows->n + 1) * sizeof(*grown)), *r;

	if (!grown)
		return -1;
	rows->v = grown;
	r = &rows->v[rows->n];
	r->pid = pid;
	r->inside = inside;
	if (command_text(pid, r->cmd, sizeof(r->cmd)) == 0)
		rows->n++;
	return 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	return (x->inside > y->inside) - (x->inside < y->inside);
}

static int ps_print(const struct rows *rows, const struct listing *a)
{
	json_t *all = json_array();

	if (!a->quiet && a->format == FORMAT_TABLE)
		printf("%-8s %-8s %s\n", "PID", "HOST-PID", "COMMAND");
	for (size_t i = 0; i < rows->n; i++) {
		const struct row *r = &rows->v[i];
		if (a->quiet)
			printf("%d\n", (int)r->pid);
		else if (a->format == FORMAT_JSON)
			json_array_append_new(all, json_pack("{s:i,s:i,s:s}", "pid", (int)r->inside,
							     "host_pid", (int)r->pid,
							     "command", r->cmd));
		else
			printf("%-8d %-8d %s\n", (int)r->inside, (int)r->pid, r->cmd);
	}
	if (!a->quiet && a->format == FORMAT_JSON)
		return print_json(all) ? POD_EFAIL : flush_stdout();
	json_decref(all);
	return flush_stdout();
}

static int ps_main(int argc, char **argv)
{
	static struct pod p;
	struct listing a = { FORMAT_TABLE, false };
	struct rows rows = { NULL, 0 };
	const char *name;
	int first, rc;

	if ((rc = cli_parse(&cmd_ps, argc, argv, ps_opt, &a, &first)) ||
	    (rc = cli_one_operand(&cmd_ps, argc, argv, first, &name)) ||
	    (rc = pod_find(&p, name)))
		return rc;
	if (pod_each_process(&p, add_row, &rows) != 0) {
		free(rows.v);
		return fail_errno(POD_EFAIL, "cannot list processes of pod %s", p.name);
	}
	qsort(rows.v, rows.n, sizeof(*rows.v), row_cmp);
	rc = ps_print(&rows, &a);
	free(rows.v);
	return rc;
}
