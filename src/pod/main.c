/* SPDX-License-Identifier: Apache-2.0 */
/* pod: make a pod from scratch on one machine. See docs/pod.1. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cni.h"
#include "records.h"
#include "util.h"

#ifndef PAUSE_VERSION
#define PAUSE_VERSION "unknown"
#endif

const struct command *const commands[] = {
	&cmd_create, &cmd_run, &cmd_ps, &cmd_ls, &cmd_inspect, &cmd_stats, &cmd_stop, &cmd_rm,
	&cmd_gc,
	NULL,
};

/* --root, --data-dir, POD_ROOT or POD_DATA_DIR given */
static bool root_set, data_set;

static int help(FILE *out)
{
	fputs("Usage: pod [--root DIR] [--data-dir DIR] COMMAND [OPTIONS] [ARGS]\n"
	      "\n"
	      "Make a pod from scratch: pause as PID 1, namespaces pinned,\n"
	      "processes joined with setns. No daemon. As a user, pods live in\n"
	      "$XDG_RUNTIME_DIR/pod, in a user namespace (see ROOTLESS in pod(1)).\n"
	      "\n"
	      "Commands:\n", out);
	for (const struct command *const *c = commands; *c; c++)
		fprintf(out, "  %-9s %s\n", (*c)->name, (*c)->summary);
	fputs("\n"
	      "Options:\n"
	      "  --root DIR     state root (default $POD_ROOT or " POD_DEFAULT_ROOT ")\n"
	      "  --data-dir DIR records that outlive a reboot (default $POD_DATA_DIR\n"
	      "                 or " POD_DEFAULT_DATA_DIR ")\n"
	      "  -h, --help     show this help; 'pod COMMAND --help' for a command\n"
	      "  -V, --version  show the version\n"
	      "\n"
	      "Exit status: 0 done, 1 failed, 2 bad usage, 3 no such pod, 4 the pod's\n"
	      "state forbids it (exists, running). pod run: CMD's status, or 125,\n"
	      "126, 127.\n", out);
	return fflush(out) == 0 ? POD_OK : POD_EFAIL;
}

/* pod's own options, before COMMAND: 0 with optind at COMMAND, or -1
 * with the exit code in *rc. */
static int global_opts(int argc, char **argv, int *rc)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'R' },
		{ "data-dir", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:hV", opts, NULL)) != -1) {
		if (opt == 'h') {
			*rc = help(stdout);
		} else if (opt == 'V') {
			printf("pod %s\n", PAUSE_VERSION);
			*rc = fflush(stdout) == 0 ? POD_OK : POD_EFAIL;
		} else if (opt == 'R' && optarg[0] == '/') {
			pod_root = optarg;
			root_set = true;
			continue;
		} else if (opt == 'R') {
			*rc = fail(POD_EUSAGE, "cannot use root %s: not an absolute path", optarg);
		} else if (opt == 'D' && optarg[0] == '/') {
			pod_data_dir = optarg;
			data_set = true;
			continue;
		} else if (opt == 'D') {
			*rc = fail(POD_EUSAGE, "cannot use data dir %s: not an absolute path", optarg);
		} else {
			*rc = fail(POD_EUSAGE, opt == ':' ? "cannot parse arguments: %s needs a value "
				   "(see 'pod --help')" : "cannot parse arguments: unknown option %s "
				   "(see 'pod --help')", argv[optind - 1]);
		}
		return -1;
	}
	return 0;
}

/* The first command of a new boot releases the networks of the pods the
 * reboot took (pod gc does it itself, with its own --cni-timeout). */
static void boot_sweep(void)
{
	if (!records_new_boot(pod_data_dir))
		return;
	records_sweep(pod_data_dir, NULL, NULL, cni_del_record, NULL);
	records_mark_boot(pod_data_dir);
}

/* Does the command line give --root after the command? */
static bool root_given(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--root") == 0 || strncmp(argv[i], "--root=", 7) == 0)
			return true;
	return false;
}

/* A user's pods: state in $XDG_RUNTIME_DIR/pod, which must be the user's
 * own directory (pod never writes /run/pod as a user), records in
 * $XDG_DATA_HOME/pod or ~/.local/share/pod. Only the defaults change:
 * --root, --data-dir and POD_ROOT, POD_DATA_DIR still win. */
static int user_paths(const struct command *c, int argc, char **argv)
{
	static char root[4096], data[4096];
	const char *run = getenv("XDG_RUNTIME_DIR"), *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int code = c == &cmd_run ? POD_RUN_EFAIL : POD_EFAIL;
	struct stat st;

	if (geteuid() == 0)
		return POD_OK;
	if (!data_set && xdg && xdg[0] == '/')
		snprintf(data, sizeof(data), "%s/pod", xdg);
	else if (!data_set && home && home[0] == '/')
		snprintf(data, sizeof(data), "%s/.local/share/pod", home);
	if (data[0])
		pod_data_dir = data;
	if (root_set || root_given(argc, argv))
		return POD_OK;
	if (!run || run[0] != '/')
		return fail(code, "cannot find a state root: XDG_RUNTIME_DIR is %s (a user's "
			    "pods live in $XDG_RUNTIME_DIR/pod; or give --root)",
			    run ? "not an absolute path" : "unset");
	if (stat(run, &st) < 0)
		return fail_errno(code, "cannot use XDG_RUNTIME_DIR %s", run);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return fail(code, "cannot use XDG_RUNTIME_DIR %s: it is not your own directory "
			    "(owned by uid %u, mode %04o)", run, (unsigned)st.st_uid,
			    (unsigned)(st.st_mode & 07777));
	if ((size_t)snprintf(root, sizeof(root), "%s/" POD_USER_ROOT, run) >= sizeof(root))
		return fail(code, "cannot use XDG_RUNTIME_DIR %s: too long", run);
	pod_root = root;
	return POD_OK;
}

int main(int argc, char **argv)
{
	const char *env = getenv("POD_ROOT"), *data = getenv("POD_DATA_DIR");
	int rc;

	fault_init();
	if (env && *env) {
		if (env[0] != '/')
			return fail(POD_EUSAGE, "cannot use POD_ROOT %s: not an absolute path", env);
		pod_root = env;
		root_set = true;
	}
	if (data && *data) {
		if (data[0] != '/')
			return fail(POD_EUSAGE, "cannot use POD_DATA_DIR %s: not an absolute path",
				    data);
		pod_data_dir = data;
		data_set = true;
	}
	if (global_opts(argc, argv, &rc) < 0)
		return rc;
	if (optind == argc) {
		help(stderr);
		return POD_EUSAGE;
	}
	for (const struct command *const *c = commands; *c; c++)
		if (strcmp(argv[optind], (*c)->name) == 0) {
			if ((rc = user_paths(*c, argc, argv)))
				return rc;
			if (*c != &cmd_gc)
				cli_parsed = boot_sweep;
			return (*c)->main(argc - optind, argv + optind);
		}
	return fail(POD_EUSAGE, "cannot run command %s: no such command (see 'pod --help')",
		    argv[optind]);
}
