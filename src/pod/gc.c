/* SPDX-License-Identifier: Apache-2.0 */
/* pod gc: remove every pod whose pause is gone. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "state.h"
#include "util.h"

static const struct opt gc_opts[] = { OPT_END };

static int gc_main(int argc, char **argv);

const struct command cmd_gc = {
	.name = "gc",
	.operands = "[OPTIONS]",
	.summary = "remove every pod whose pause is gone",
	.about = "Remove every pod whose pause is gone (killed, crashed, or state from\n"
		 "before a reboot), and any half-made pod; print each name.",
	.opts = gc_opts,
	.usage_code = POD_EUSAGE,
	.main = gc_main,
};

static int remove_forced(void *arg)
{
	return pod_remove(arg, true);
}

/* Each dead pod's removal; the worst exit code. */
static int collect(char **names, size_t count)
{
	static struct pod p;
	int rc, worst = POD_OK;

	for (size_t i = 0; i < count; i++) {
		if (pod_open(&p, names[i]) != POD_OK)
			continue;
		pod_state_load(&p);
		if (pod_running(&p))
			continue;
		rc = with_interrupts_held(remove_forced, &p);
		if (rc == POD_OK)
			printf("%s\n", p.name);
		else
			worst = rc;
	}
	return worst;
}

static int gc_main(int argc, char **argv)
{
	char **names;
	size_t count;
	int first, rc, lock;

	if ((rc = cli_parse(&cmd_gc, argc, argv, NULL, NULL, &first)) ||
	    (rc = cli_no_operands(&cmd_gc, argc, argv, first)))
		return rc;
	if ((lock = pod_root_lock()) < 0)
		return errno == ENOENT ? POD_OK
				       : fail_errno(POD_EFAIL, "cannot lock state root %s", pod_root);
	if (pod_list(&names, &count) < 0) {
		close(lock);
		return fail_errno(POD_EFAIL, "cannot list pods in %s", pod_root);
	}
	rc = collect(names, count);
	pod_list_free(names, count);
	close(lock);
	return flush_stdout() ? POD_EFAIL : rc;
}
