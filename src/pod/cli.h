/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command line: each command is a table row with its own option
 * table, and its help is generated from that table, so an option cannot
 * exist without a help line. --root and --help are added to every
 * command here, once.
 */
#ifndef POD_CLI_H
#define POD_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "pod.h"

/* One option: its long name; its short letter, or a code from OPT_LONG
 * up for a long-only option; its argument's name (NULL: a flag); its
 * help text ('\n' starts another line). */
struct opt {
	const char *name;
	int key;
	const char *arg;
	const char *text;
};
#define OPT_LONG 256
#define OPT_END { NULL, 0, NULL, NULL }

struct command {
	const char *name;
	const char *operands;	/* the usage line's tail: "[OPTIONS] NAME" */
	const char *summary;	/* one line, for pod --help */
	const char *about;	/* the help's paragraph */
	const char *footer;	/* after the options, or NULL */
	const struct opt *opts;	/* ends with OPT_END */
	bool in_order;		/* options only before the first operand */
	int usage_code;		/* exit code of a usage error */
	int (*main)(int argc, char **argv);
};

/* Every command, in the order pod --help lists them; NULL-terminated. */
extern const struct command *const commands[];
extern const struct command cmd_create, cmd_run, cmd_ps, cmd_ls, cmd_inspect,
	cmd_stats, cmd_stop, cmd_rm, cmd_gc;

/* Takes one of a command's own options; 0 or an exit code. */
typedef int (*opt_fn)(void *ctx, int key, char *arg);

/* Parses @argv's options by @c's table, plus --root and --help, calling
 * @set for each of @c's own. Options may come before or after operands
 * unless c->in_order. @set may be NULL if @c has no options. Returns 0 with *first at the first operand, or an
 * exit code after one line. --help prints the help and exits 0. */
int cli_parse(const struct command *c, int argc, char **argv, opt_fn set, void *ctx,
	      int *first);
/* "pod: cannot parse arguments: <reason> (see 'pod CMD --help')";
 * returns c->usage_code. */
int cli_usage(const struct command *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Exactly one operand, which it returns in *name; else a usage error. */
int cli_one_operand(const struct command *c, int argc, char **argv, int first,
		    const char **name);
/* No operands at all; else a usage error naming the first. */
int cli_no_operands(const struct command *c, int argc, char **argv, int first);
/* --cni-timeout SECS, a row of create's, rm's and gc's tables */
#define CLI_CNI_TIMEOUT(key) \
	{ "cni-timeout", (key), "SECS", "kill a CNI plugin that runs longer (default 60)" }
int cli_cni_timeout(const struct command *c, const char *arg);
/* The generated help. */
void cli_help(const struct command *c, FILE *out);
/* create's and run's command lines alone (the fuzzer runs them) */
struct create_args {
	const char *pause, *conf_dir, *cni_name, *share, *hostname, *network;
	const char *memory, *cpus, *pids_limit, *cgroup_parent, *userns;
	bool userns_auto;
	const char *sysctls[SYSCTL_MAX + 1];
	size_t nsysctls, nports;
	struct port ports[PORTS_MAX];
};
int create_parse(int argc, char **argv, struct pod *p, struct create_args *a);
struct run;
int run_parse(int argc, char **argv, struct run *r);
size_t run_size(void);

/* How --help ends the program: exit(3); the fuzzer replaces it. */
extern void (*cli_exit)(int code);
/* Called once a command's options are parsed, if set: main's boot sweep,
 * which must see --data-dir wherever it was given. */
extern void (*cli_parsed)(void);

#endif
