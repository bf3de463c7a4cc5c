/* SPDX-License-Identifier: Apache-2.0 */
/* Option tables to getopt_long, and to help text. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cni.h"
#include "pod.h"
#include "records.h"
#include "util.h"

void (*cli_exit)(int code) = exit;
void (*cli_parsed)(void);

/* above every command's own codes, which start at OPT_LONG */
enum { KEY_ROOT = 2 * OPT_LONG, KEY_DATA_DIR, KEY_HELP = 'h' };

/* What every command takes besides its own options. */
static const struct opt common_opts[] = {
	{ "root", KEY_ROOT, "DIR", "state root (default $POD_ROOT or " POD_DEFAULT_ROOT ")" },
	{ "data-dir", KEY_DATA_DIR, "DIR", "records that outlive a reboot (default\n"
					   "$POD_DATA_DIR or " POD_DEFAULT_DATA_DIR ")" },
	{ "help", KEY_HELP, NULL, "show this help" },
	OPT_END,
};

#define OPTS_MAX 32
#define HELP_COLUMN 24

/* One help line: "  -p, --publish ARG" then the text at HELP_COLUMN,
 * or on the next line when the option is too wide; each '\n' in the
 * text starts another line at that column. */
static void help_line(const struct opt *o, FILE *out)
{
	const char *text = o->text;
	char left[128];
	int n;

	if (o->key < OPT_LONG)
		n = snprintf(left, sizeof(left), "  -%c, --%s%s%s", o->key, o->name,
			     o->arg ? " " : "", o->arg ? o->arg : "");
	else
		n = snprintf(left, sizeof(left), "  --%s%s%s", o->name,
			     o->arg ? " " : "", o->arg ? o->arg : "");
	fputs(left, out);
	if (n >= HELP_COLUMN - 1) {
		fputc('\n', out);
		n = 0;
	}
	for (;;) {
		size_t len = strcspn(text, "\n");
		fprintf(out, "%*s%.*s\n", HELP_COLUMN - n, "", (int)len, text);
		if (!text[len])
			break;
		text += len + 1;
		n = 0;
	}
}

void cli_help(const struct command *c, FILE *out)
{
	fprintf(out, "Usage: pod %s %s\n\n%s\n\nOptions:\n", c->name, c->operands, c->about);
	for (const struct opt *o = c->opts; o->name; o++)
		help_line(o, out);
	for (const struct opt *o = common_opts; o->name; o++)
		help_line(o, out);
	if (c->footer)
		fprintf(out, "\n%s\n", c->footer);
}

int cli_usage(const struct command *c, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return fail(c->usage_code, "cannot parse arguments: %s (see 'pod %s --help')",
		    reason, c->name);
}

/* getopt_long's table and short-option string for @c's options plus the
 * common ones; a leading '+' stops at the first operand, ':' reports a
 * missing value apart. */
static void getopt_tables(const struct command *c, struct option *longs, char *shorts)
{
	const struct opt *tables[] = { c->opts, common_opts };
	size_t n = 0, s = 0;

	if (c->in_order)
		shorts[s++] = '+';
	shorts[s++] = ':';
	for (size_t t = 0; t < ARRAY_LEN(tables); t++)
		for (const struct opt *o = tables[t]; o->name && n < OPTS_MAX; o++) {
			longs[n++] = (struct option){ o->name, o->arg ? required_argument
								      : no_argument, NULL, o->key };
			if (o->key >= OPT_LONG)
				continue;
			shorts[s++] = (char)o->key;
			if (o->arg)
				shorts[s++] = ':';
		}
	longs[n] = (struct option){ NULL, 0, NULL, 0 };
	shorts[s] = '\0';
}

/* The common options and getopt's errors. */
static int common_opt(const struct command *c, int opt, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";

	switch (opt) {
	case KEY_ROOT:
		if (optarg[0] != '/')
			return cli_usage(c, "--root %s: not an absolute path", optarg);
		pod_root = optarg;
		return POD_OK;
	case KEY_DATA_DIR:
		if (optarg[0] != '/')
			return cli_usage(c, "--data-dir %s: not an absolute path", optarg);
		pod_data_dir = optarg;
		return POD_OK;
	case KEY_HELP:
		cli_help(c, stdout);
		cli_exit(fflush(stdout) == 0 ? POD_OK : POD_EFAIL);
		return POD_OK;	/* only where cli_exit returns (the fuzzer) */
	case ':':
		return cli_usage(c, "%s needs a value", arg);
	default:
		if (optopt)
			return cli_usage(c, "unknown option -%c", optopt);
		return cli_usage(c, "unknown option %s", arg);
	}
}

int cli_parse(const struct command *c, int argc, char **argv, opt_fn set, void *ctx,
	      int *first)
{
	struct option longs[OPTS_MAX + 1];
	char shorts[2 * OPTS_MAX + 3];
	int opt;

	getopt_tables(c, longs, shorts);
	optind = 0;	/* glibc: start over, with argv[0] the command */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		bool own = false;
		for (const struct opt *o = c->opts; o->name; o++)
			own |= o->key == opt;
		int rc = own ? set(ctx, opt, optarg) : common_opt(c, opt, argv);
		if (rc)
			return rc;
	}
	*first = optind;
	if (cli_parsed)
		cli_parsed();
	return POD_OK;
}

int cli_one_operand(const struct command *c, int argc, char **argv, int first,
		    const char **name)
{
	if (first >= argc)
		return cli_usage(c, "NAME is missing");
	if (first + 1 < argc)
		return cli_usage(c, "unexpected operand '%.80s': pod %s takes one NAME",
				 argv[first + 1], c->name);
	*name = argv[first];
	return POD_OK;
}

int cli_no_operands(const struct command *c, int argc, char **argv, int first)
{
	if (first < argc)
		return cli_usage(c, "unexpected operand '%.80s': pod %s takes none",
				 argv[first], c->name);
	return POD_OK;
}

int cli_cni_timeout(const struct command *c, const char *arg)
{
	unsigned long secs;

	if (parse_uint(arg, CNI_TIMEOUT_MAX, &secs) < 0 || secs == 0)
		return cli_usage(c, "--cni-timeout %.80s: not a number of seconds from 1 to %d",
				 arg, CNI_TIMEOUT_MAX);
	cni_timeout = (unsigned)secs;
	return POD_OK;
}
