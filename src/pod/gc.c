/* SPDX-License-Identifier: Apache-2.0 */
/* pod gc: remove every pod whose pause is gone. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cni.h"
#include "output.h"
#include "records.h"
#include "state.h"
#include "util.h"

static const struct opt gc_opts[] = { CLI_CNI_TIMEOUT(OPT_LONG), OPT_END };

static int gc_main(int argc, char **argv);

const struct command cmd_gc = {
	.name = "gc",
	.operands = "[OPTIONS]",
	.summary = "remove every pod whose pause is gone",
	.about = "Remove every pod whose pause is gone (killed, crashed, or state from\n"
		 "before a reboot), and any half-made pod; then release the networks\n"
		 "recorded in the data directory for pods that are gone (from an\n"
		 "earlier boot, or whose state was lost). Print each pod's name.",
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
		/* not ready while we hold the lock that its create holds to
		 * the end: that create died, and its pod is half made */
		if (pod_state_load(&p) == 0 && pod_running(&p) && p.ready)
			continue;
		rc = with_interrupts_held(remove_forced, &p);
		if (rc == POD_OK)
			printf("%s\n", p.name);
		else
			worst = rc;
	}
	return worst;
}

static int gc_opt(void *ctx, int key, char *arg)
{
	(void)ctx, (void)key;
	return cli_cni_timeout(&cmd_gc, arg);
}

/* Does pod @name of this root still point at record @id? */
static bool record_live(const char *name, const char *id)
{
	char path[POD_PATH_MAX];
	json_error_t jerr;
	json_t *ptr;
	bool live;

	if (!pod_name_valid(name) || snprintf(path, sizeof(path), "%s/%s/" CNI_POINTER,
					      pod_root, name) >= (int)sizeof(path))
		return false;
	ptr = json_load_file(path, 0, &jerr);
	live = ptr && strcmp(json_string_value(json_object_get(ptr, "containerID")) ?: "",
			     id) == 0;
	json_decref(ptr);
	return live;
}

static int release(json_t *rec, void *ctx)
{
	const char *pod = json_string_value(json_object_get(rec, "pod"));

	if (cni_del_record(rec, ctx) < 0)
		return -1;
	printf("%s\n", pod ? pod : "?");
	return 0;
}

/* The root as records name it (realpath), also when a reboot took it:
 * then its parent resolved, and its own name. */
static void root_real(char *buf, size_t size)
{
	char parent[PATH_MAX], *slash;

	if (realpath(pod_root, buf))
		return;
	snprintf(parent, sizeof(parent), "%s", pod_root);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		char resolved[PATH_MAX];
		if (realpath(parent, resolved) &&
		    snprintf(buf, size, "%s/%s", resolved, slash + 1) < (int)size)
			return;
	}
	snprintf(buf, size, "%s", pod_root);
}

/* The records of pods that are gone: of an earlier boot, or of this root
 * with no pod pointing at them. */
static int release_records(void)
{
	char root[PATH_MAX];
	int failed;

	root_real(root, sizeof(root));
	failed = records_sweep(pod_data_dir, root, record_live, release, NULL);
	if (failed < 0)
		return fail_errno(POD_EFAIL, "cannot read records in %s", pod_data_dir);
	if (records_new_boot(pod_data_dir))
		records_mark_boot(pod_data_dir);
	return failed ? POD_EFAIL : POD_OK;
}

static int gc_main(int argc, char **argv)
{
	char **names;
	size_t count;
	int first, rc, lock;

	if ((rc = cli_parse(&cmd_gc, argc, argv, gc_opt, NULL, &first)) ||
	    (rc = cli_no_operands(&cmd_gc, argc, argv, first)))
		return rc;
	if ((lock = pod_root_lock()) < 0 && errno != ENOENT)
		return fail_errno(POD_EFAIL, "cannot lock state root %s", pod_root);
	if (lock >= 0 && pod_list(&names, &count) < 0) {
		close(lock);
		return fail_errno(POD_EFAIL, "cannot list pods in %s", pod_root);
	}
	/* no root (a reboot wiped it): no pods, but maybe records */
	rc = lock >= 0 ? collect(names, count) : POD_OK;
	if (lock >= 0)
		pod_list_free(names, count);
	int released = release_records();
	if (rc == POD_OK)
		rc = released;
	close_keep_errno(lock);
	return flush_stdout() ? POD_EFAIL : rc;
}
