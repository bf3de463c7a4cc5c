/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes pause's command line and PAUSE_* environment (src/pause/args.c).
 * Words of the form PAUSE_X=... go to the environment, the rest to argv. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../src/pause/pause.h"
#include "argv.h"

const char msg_prog[] = "pause";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct init_opts opts;
	struct fuzz_argv a = { 0 };
	char *argv[ARGV_MAX + 2], *envp[ARGV_MAX + 1];
	int argc = 0, envc = 0;
	enum request req;

	if (fuzz_argv(&a, "pause", data, size) < 0)
		return 0;
	for (int i = 0; i < a.argc; i++) {
		if (i > 0 && strncmp(a.argv[i], "PAUSE_", 6) == 0 && strchr(a.argv[i], '='))
			envp[envc++] = a.argv[i];
		else
			argv[argc++] = a.argv[i];
	}
	argv[argc] = NULL;
	envp[envc] = NULL;
	memset(&opts, 0, sizeof(opts));
	if (pause_args(argc, argv, envp, &opts, &req) == 0 && req == REQ_INIT) {
		/* init mode's contract: CMD is a non-empty tail of argv */
		if (!opts.argv || opts.argv < argv + 1 || opts.argv >= argv + argc ||
		    opts.rewrite[0] != 0)
			__builtin_trap();
	}
	free(a.text);
	return 0;
}
