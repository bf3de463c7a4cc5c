/* SPDX-License-Identifier: Apache-2.0 */
/* pod ls: every pod under the root, as a table, JSON, or names only. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cni.h"
#include "ns.h"
#include "output.h"
#include "state.h"
#include "util.h"

static const struct opt ls_opts[] = {
	{ "quiet", 'q', NULL, "print the names only, one per line" },
	{ "format", LISTING_FORMAT, "FORMAT", "table (default) or json (an array of objects)" },
	OPT_END,
};

static int ls_main(int argc, char **argv);

const struct command cmd_ls = {
	.name = "ls",
	.operands = "[OPTIONS]",
	.summary = "list pods",
	.about = "One line per pod: name, status (running or exited), pause's pid,\n"
		 "IP, shared namespaces, age.",
	.opts = ls_opts,
	.usage_code = POD_EUSAGE,
	.main = ls_main,
};

static int ls_opt(void *ctx, int key, char *arg)
{
	return listing_opt(&cmd_ls, ctx, key, arg);
}

static void age_text(long long created, char *buf, size_t size)
{
	long long s = (long long)time(NULL) - created;

	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, size, "%llds", s);
	else if (s < 2LL * 3600)
		snprintf(buf, size, "%lldm", s / 60);
	else if (s < 2LL * 86400)
		snprintf(buf, size, "%lldh", s / 3600);
	else
		snprintf(buf, size, "%lldd", s / 86400);
}

static void ls_row(const struct pod *p)
{
	char share[64], age[32] = "-", pid[16] = "-", ip[64];

	ns_share_text(p->share, share, sizeof(share));
	if (p->has_state) {
		age_text(p->created, age, sizeof(age));
		snprintf(pid, sizeof(pid), "%d", (int)p->pid);
	}
	cni_first_ip(p, ip, sizeof(ip));
	printf("%-20s %-8s %-8s %-15s %-20s %s\n", p->name,
	       pod_status(p), pid, ip, share, age);
}

/* {"name", "status", "pid", "ip", "shared", "created"}; null where a pod
 * has no state (half made or half removed) or no IP. */
static json_t *ls_json(const struct pod *p)
{
	json_t *shared = json_array();
	char ip[64], created[32];

	for (size_t i = 0; i < ns_kinds_len; i++)
		if (p->share & ns_kinds[i].flag)
			json_array_append_new(shared, json_string(ns_kinds[i].name));
	cni_first_ip(p, ip, sizeof(ip));
	time_text(p->created, created, sizeof(created));
	return json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "name", p->name,
			 "status", pod_status(p),
			 "pid", p->has_state ? json_integer(p->pid) : json_null(),
			 "ip", strcmp(ip, "-") ? json_string(ip) : json_null(),
			 "shared", shared,
			 "created", p->has_state ? json_string(created) : json_null());
}

static int ls_main(int argc, char **argv)
{
	static struct pod p;
	struct listing a = { FORMAT_TABLE, false };
	json_t *all;
	char **names;
	size_t count;
	int first, rc;

	if ((rc = cli_parse(&cmd_ls, argc, argv, ls_opt, &a, &first)) ||
	    (rc = cli_no_operands(&cmd_ls, argc, argv, first)))
		return rc;
	if (pod_list(&names, &count) < 0)
		return fail_errno(POD_EFAIL, "cannot list pods in %s", pod_root);
	all = json_array();
	if (!a.quiet && a.format == FORMAT_TABLE)
		printf("%-20s %-8s %-8s %-15s %-20s %s\n", "NAME", "STATUS", "PID", "IP",
		       "SHARED", "AGE");
	for (size_t i = 0; i < count; i++) {
		if (pod_open(&p, names[i]) != POD_OK)
			continue;
		pod_state_load(&p);
		if (a.quiet)
			printf("%s\n", p.name);
		else if (a.format == FORMAT_JSON)
			json_array_append_new(all, ls_json(&p));
		else
			ls_row(&p);
	}
	pod_list_free(names, count);
	if (!a.quiet && a.format == FORMAT_JSON && print_json(json_incref(all)) != POD_OK)
		rc = POD_EFAIL;
	json_decref(all);
	return rc ? rc : flush_stdout();
}
