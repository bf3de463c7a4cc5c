/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes pod create's and pod run's command lines, parse and checks only:
 * nothing is created. The first word picks the command. --help would end
 * the process: cli_exit is replaced to jump back here instead. */
#include <getopt.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/pod/cli.h"
#include "../../src/pod/state.h"
#include "../../src/pod/util.h"
#include "argv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static jmp_buf helped;

static void help_shown(int code)
{
	longjmp(helped, code == 0 ? 1 : 2);
}

static void check_create(struct fuzz_argv *a)
{
	static struct pod p;
	static struct create_args ca;
	int rc = create_parse(a->argc, a->argv, &p, &ca);

	if (rc == POD_OK) {
		/* what create accepts is what the rest of pod relies on */
		if (!pod_name_valid(p.name) || !p.share || p.nsysctls > SYSCTL_MAX ||
		    p.nports > PORTS_MAX || (p.nports && p.network != NET_CNI) ||
		    strlen(p.hostname) == 0 || strlen(p.hostname) > 64)
			__builtin_trap();
	} else if (rc != POD_EUSAGE) {
		__builtin_trap();
	}
}

static void check_run(struct fuzz_argv *a)
{
	/* allocated once: a --help jumps out of run_parse */
	static struct run *r;
	int rc;

	if (!r && !(r = malloc(run_size())))
		return;
	memset(r, 0, run_size());
	rc = run_parse(a->argc, a->argv, r);
	if (rc != POD_OK && rc != POD_RUN_EFAIL)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_argv a;
	int helped_rc;

	memset(&a, 0, sizeof(a));
	if (size == 0 || fuzz_argv(&a, (data[0] & 1) ? "run" : "create", data + 1, size - 1) < 0)
		return 0;
	pod_root = POD_DEFAULT_ROOT;
	cli_exit = help_shown;
	if ((helped_rc = setjmp(helped)) != 0) {
		if (helped_rc != 1)	/* help must print */
			__builtin_trap();
	} else if (data[0] & 1) {
		check_run(&a);
	} else {
		check_create(&a);
	}
	free(a.text);
	return 0;
}
