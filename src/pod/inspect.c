/* SPDX-License-Identifier: Apache-2.0 */
/* pod inspect: pods as JSON, with their namespace paths in the forms
 * other tools take. */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdio.h>

#include "cgroup.h"
#include "cli.h"
#include "cni.h"
#include "ns.h"
#include "output.h"
#include "state.h"
#include "util.h"

static const struct opt inspect_opts[] = { OPT_END };

static int inspect_main(int argc, char **argv);

const struct command cmd_inspect = {
	.name = "inspect",
	.operands = "[OPTIONS] NAME...",
	.summary = "show pods as JSON",
	.about = "The pod's state as JSON, with its namespace paths in the forms other\n"
		 "tools take: OCI runtime spec, ctr run --with-ns, podman run, nsenter.\n"
		 "With more than one NAME, an array of them; a missing pod is reported\n"
		 "and the others are still shown.",
	.opts = inspect_opts,
	.usage_code = POD_EUSAGE,
	.main = inspect_main,
};

/* {"mode", "parent", "paths": [...], "limits": {"memory", "cpus", "pids"}};
 * a limit is null when there is none */
static json_t *cgroup_json(const struct pod *p)
{
	struct cg_dirs cg;
	json_t *paths = json_array();

	if (cg_load(p, &cg) < 0)
		cg.n = 0;
	for (size_t i = 0; i < cg.n; i++)
		json_array_append_new(paths, json_string(cg.d[i].path));
	return json_pack("{s:s,s:s,s:o,s:{s:o,s:o,s:o}}", "mode", cg_mode_names[cg.mode],
			 "parent", p->cgroup_parent[0] ? p->cgroup_parent : CG_DEFAULT_PARENT,
			 "paths", paths, "limits",
			 "memory", p->memory ? json_integer((json_int_t)p->memory) : json_null(),
			 "cpus", p->millicpus ? json_real((double)p->millicpus / 1000) : json_null(),
			 "pids", p->pids_limit ? json_integer((json_int_t)p->pids_limit) : json_null());
}

static json_t *inspect_json(const struct pod *p)
{
	json_t *root = state_json(p), *ns = json_array(), *oci_ns = json_array();
	json_t *ctr = json_array(), *podman = json_array(), *nsenter = json_array();
	char pin[POD_PATH_MAX], created[32], arg[POD_PATH_MAX + 100];

	if (!root || !ns || !oci_ns || !ctr || !podman || !nsenter)
		return NULL;
	json_array_append_new(nsenter, json_string("nsenter"));
	for (size_t i = 0; i <= ns_kinds_len; i++) {
		/* the user namespace first, joined before the others */
		const struct ns_kind *k = i ? &ns_kinds[i - 1] : &ns_user;
		if (i == 0 ? p->userns == USERNS_NONE || !pod_running(p) ||
			     snprintf(pin, sizeof(pin), "/proc/%d/ns/user", (int)p->pid) < 0
			   : !(p->share & k->flag) || ns_path(p, k, pin, sizeof(pin)) < 0)
			continue;
		json_array_append_new(ns, json_pack("{s:s,s:s}", "type", k->name, "path", pin));
		json_array_append_new(oci_ns, json_pack("{s:s,s:s}", "type", k->oci, "path", pin));
		snprintf(arg, sizeof(arg), "%s:%s", k->oci, pin);
		json_array_append_new(ctr, json_string("--with-ns"));
		json_array_append_new(ctr, json_string(arg));
		snprintf(arg, sizeof(arg), "ns:%s", pin);
		json_array_append_new(podman, json_string(k->podman));
		json_array_append_new(podman, json_string(arg));
		snprintf(arg, sizeof(arg), "%s=%s", k->nsenter, pin);
		json_array_append_new(nsenter, json_string(arg));
	}
	time_text(p->created, created, sizeof(created));
	json_object_set_new(root, "created", json_string(created));
	json_object_set_new(root, "status", json_string(pod_status(p)));
	json_object_set_new(root, "dir", json_string(p->dir));
	json_object_set_new(root, "namespaces", ns);
	json_object_set_new(root, "oci", json_pack("{s:{s:o}}", "linux", "namespaces", oci_ns));
	json_object_set_new(root, "ctr", ctr);
	json_object_set_new(root, "podman", podman);
	json_object_set_new(root, "nsenter", nsenter);
	json_object_set_new(root, "cgroup", cgroup_json(p));
	if (p->network == NET_CNI) {
		/* the network's IPs and the CNI result as the plugins gave it */
		json_t *net = json_object_get(root, "network"), *result = cni_result(p);
		json_t *ips = json_array(), *ip;
		size_t i;
		json_array_foreach(json_object_get(result, "ips"), i, ip)
			if (json_is_string(json_object_get(ip, "address")))
				json_array_append(ips, json_object_get(ip, "address"));
		json_object_set_new(net, "ips", ips);
		json_object_set_new(net, "result", result ? result : json_null());
	}
	return root;
}

/* One pod's JSON into @all; an exit code if it cannot be had. */
static int inspect_one(const char *name, json_t *all)
{
	static struct pod p;
	json_t *j;
	int rc = pod_open(&p, name);

	if (rc)
		return rc;
	if (pod_state_load(&p) < 0)
		return fail(errno == ENOENT ? POD_ENOPOD : POD_EFAIL, "cannot inspect pod %s: %s",
			    p.name, errno == ENOENT ? "no such pod"
				    : "its state is missing or invalid (pod gc removes it)");
	if (!(j = inspect_json(&p)))
		return fail(POD_EFAIL, "cannot write pod %s as JSON", p.name);
	json_array_append_new(all, j);
	return POD_OK;
}

static int inspect_main(int argc, char **argv)
{
	json_t *all;
	int first, rc, worst = POD_OK;
	size_t shown;

	if ((rc = cli_parse(&cmd_inspect, argc, argv, NULL, NULL, &first)))
		return rc;
	if (first == argc)
		return cli_usage(&cmd_inspect, "NAME is missing");
	all = json_array();
	for (int i = first; i < argc; i++)
		if ((rc = inspect_one(argv[i], all)) && (!worst || rc == POD_EFAIL))
			worst = rc;
	shown = json_array_size(all);
	rc = POD_OK;
	/* one NAME: the object itself, as before; several: an array */
	if (argc - first == 1 && shown == 1)
		rc = print_json(json_incref(json_array_get(all, 0)));
	else if (argc - first > 1)
		rc = print_json(json_incref(all));
	json_decref(all);
	if (rc || flush_stdout())
		return fail(POD_EFAIL, "cannot write pods as JSON");
	return worst;
}
