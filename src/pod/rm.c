/* SPDX-License-Identifier: Apache-2.0 */
/* pod rm: a pod's removal under the root lock (state.c does the work). */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "cli.h"
#include "state.h"
#include "util.h"

static const struct opt rm_opts[] = {
	{ "force", 'f', NULL, "kill the pod first if it runs (SIGKILL, no grace), and\n"
			      "succeed if there is no such pod" },
	CLI_CNI_TIMEOUT(OPT_LONG),
	OPT_END,
};

static int rm_main(int argc, char **argv);

const struct command cmd_rm = {
	.name = "rm",
	.operands = "[OPTIONS] NAME",
	.summary = "remove a stopped pod",
	.about = "Remove a stopped pod: unpin its namespaces, delete its state. Safe to\n"
		 "run again after a crash.",
	.opts = rm_opts,
	.usage_code = POD_EUSAGE,
	.main = rm_main,
};

struct removal {
	struct pod pod;
	bool force;
};

static int rm_opt(void *ctx, int key, char *arg)
{
	if (key == OPT_LONG)
		return cli_cni_timeout(&cmd_rm, arg);
	((struct removal *)ctx)->force = true;
	return POD_OK;
}

static int remove_held(void *arg)
{
	struct removal *r = arg;

	return pod_remove(&r->pod, r->force);
}

static int rm_main(int argc, char **argv)
{
	static struct removal r;
	const char *name;
	int first, rc, lock;

	if ((rc = cli_parse(&cmd_rm, argc, argv, rm_opt, &r, &first)) ||
	    (rc = cli_one_operand(&cmd_rm, argc, argv, first, &name)) ||
	    (rc = pod_open(&r.pod, name)))
		return rc;
	if ((lock = pod_root_lock()) < 0 && errno != ENOENT)
		return fail_errno(POD_EFAIL, "cannot lock state root %s", pod_root);
	if (lock < 0 || access(r.pod.dir, F_OK) < 0) {
		close_keep_errno(lock);
		if (r.force)
			return POD_OK;
		return fail(POD_ENOPOD, "cannot remove pod %s: no such pod", r.pod.name);
	}
	rc = with_interrupts_held(remove_held, &r);
	close(lock);
	return rc;
}
