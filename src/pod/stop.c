/* SPDX-License-Identifier: Apache-2.0 */
/* pod stop: the pod's processes, then pause (procs.c does the work). */
#include "cli.h"
#include "procs.h"
#include "state.h"
#include "util.h"

static const struct opt stop_opts[] = {
	{ "timeout", 't', "SECONDS", "time to wait after SIGTERM (default 10)" },
	OPT_END,
};

static int stop_main(int argc, char **argv);

const struct command cmd_stop = {
	.name = "stop",
	.operands = "[OPTIONS] NAME",
	.summary = "stop a pod's processes and its pause",
	.about = "SIGTERM to every process of the pod, SIGKILL to those left after the\n"
		 "timeout, then stop pause. The pins and state stay until pod rm.",
	.opts = stop_opts,
	.usage_code = POD_EUSAGE,
	.main = stop_main,
};

static int stop_opt(void *ctx, int key, char *arg)
{
	(void)key;
	if (parse_uint(arg, 86400, ctx) < 0)
		return cli_usage(&cmd_stop, "-t %.80s: not a number of seconds up to 86400", arg);
	return POD_OK;
}

static int stop_main(int argc, char **argv)
{
	static struct pod p;
	unsigned long timeout = 10;
	const char *name;
	int first, rc;

	if ((rc = cli_parse(&cmd_stop, argc, argv, stop_opt, &timeout, &first)) ||
	    (rc = cli_one_operand(&cmd_stop, argc, argv, first, &name)) ||
	    (rc = pod_find(&p, name)))
		return rc;
	if (pod_stop(&p, (unsigned)timeout) < 0)
		return fail_errno(POD_EFAIL, "cannot stop pod %s", p.name);
	return POD_OK;
}
