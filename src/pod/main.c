/* SPDX-License-Identifier: Apache-2.0 */
/* pod: make a pod from scratch on one machine. See docs/pod.1. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pod.h"

#ifndef PAUSE_VERSION
#define PAUSE_VERSION "unknown"
#endif

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "create", cmd_create, "create a pod held by pause" },
	{ "run", cmd_run, "run a command in a pod" },
	{ "ps", cmd_ps, "list a pod's processes" },
	{ "ls", cmd_ls, "list pods" },
	{ "inspect", cmd_inspect, "show a pod as JSON" },
	{ "stop", cmd_stop, "stop a pod's processes and its pause" },
	{ "rm", cmd_rm, "remove a stopped pod" },
	{ "gc", cmd_gc, "remove every pod whose pause is gone" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int help(FILE *out)
{
	fputs("Usage: pod [--root DIR] COMMAND [OPTIONS] [ARGS]\n"
	      "\n"
	      "Make a pod from scratch: pause as PID 1, namespaces pinned,\n"
	      "processes joined with setns. Root only; no daemon.\n"
	      "\n"
	      "Commands:\n", out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fputs("\n"
	      "Options:\n"
	      "  --root DIR     state root (default $POD_ROOT or " POD_DEFAULT_ROOT ")\n"
	      "  -h, --help     show this help; 'pod COMMAND --help' for a command\n"
	      "  -V, --version  show the version\n"
	      "\n"
	      "Exit status: 0 done, 1 failed, 2 bad usage, 3 no such pod, 4 the pod's\n"
	      "state forbids it (exists, running). pod run: CMD's status, or 125,\n"
	      "126, 127.\n", out);
	return fflush(out) == 0 ? POD_OK : POD_EFAIL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("POD_ROOT");
	int opt;

	fault_init();
	if (env && *env) {
		if (env[0] != '/')
			return fail(POD_EUSAGE, "cannot use POD_ROOT %s: not an absolute path", env);
		pod_root = env;
	}
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			return help(stdout);
		case 'V':
			printf("pod %s\n", PAUSE_VERSION);
			return fflush(stdout) == 0 ? POD_OK : POD_EFAIL;
		case 'R':
			if (optarg[0] != '/')
				return fail(POD_EUSAGE, "cannot use root %s: not an absolute path",
					    optarg);
			pod_root = optarg;
			break;
		case ':':
			return fail(POD_EUSAGE, "cannot parse arguments: %s needs a value "
				    "(see 'pod --help')", argv[optind - 1]);
		default:
			return fail(POD_EUSAGE, "cannot parse arguments: unknown option %s "
				    "(see 'pod --help')", argv[optind - 1]);
		}
	}
	if (optind == argc) {
		help(stderr);
		return POD_EUSAGE;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[optind], commands[i].name) == 0) {
			argv += optind;
			argc -= optind;
			optind = 0;	/* glibc: start over with argv[0] = COMMAND */
			int rc = commands[i].fn(argc, argv);
			return rc == POD_HELP_SHOWN ? POD_OK : rc;
		}
	return fail(POD_EUSAGE, "cannot run command %s: no such command (see 'pod --help')",
		    argv[optind]);
}
