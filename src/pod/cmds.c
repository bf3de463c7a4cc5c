/* SPDX-License-Identifier: Apache-2.0 */
/* pod ls, inspect, rm and gc: reading and removing recorded pods. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pod.h"

static const char ls_help[] =
	"Usage: pod ls\n"
	"\n"
	"One line per pod: name, status (running or exited), pause's pid,\n"
	"shared namespaces, age.\n"
	"\n"
	"Options:\n"
	"  --root DIR   state root (default $POD_ROOT or " POD_DEFAULT_ROOT ")\n"
	"  -h, --help   show this help\n";

static void share_text(int share, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ns_kinds_len; i++)
		if (share & ns_kinds[i].flag) {
			int n = snprintf(buf + len, size - len, "%s%s", len ? "," : "",
					 ns_kinds[i].name);
			if (n < 0 || (size_t)n >= size - len)
				break;
			len += (size_t)n;
		}
	if (!len)
		snprintf(buf, size, "-");
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

int cmd_ls(int argc, char **argv)
{
	static const struct option opts[] = { POD_COMMON_OPTS, { NULL, 0, NULL, 0 } };
	static struct pod p;
	char **names, share[64], age[32], pid[16], ip[64];
	size_t count;
	int opt;

	while ((opt = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		int rc = common_opt(opt, argv, "ls", ls_help);
		if (rc)
			return rc;
	}
	if (optind != argc)
		return usage_error("ls", "no arguments expected");
	if (pod_list(&names, &count) < 0)
		return fail(POD_EFAIL, "cannot list pods in %s: %s", pod_root, strerror(errno));
	printf("%-20s %-8s %-8s %-15s %-20s %s\n", "NAME", "STATUS", "PID", "IP", "SHARED", "AGE");
	for (size_t i = 0; i < count; i++) {
		if (pod_open(&p, names[i]) != POD_OK)
			continue;
		pod_state_load(&p);
		share_text(p.share, share, sizeof(share));
		if (p.has_state) {
			age_text(p.created, age, sizeof(age));
			snprintf(pid, sizeof(pid), "%d", (int)p.pid);
		} else {
			strcpy(age, "-");
			strcpy(pid, "-");
		}
		cni_first_ip(&p, ip, sizeof(ip));
		printf("%-20s %-8s %-8s %-15s %-20s %s\n", p.name,
		       pod_running(&p) ? "running" : "exited", pid, ip, share, age);
	}
	pod_list_free(names, count);
	return fflush(stdout) == 0 ? POD_OK : POD_EFAIL;
}

static const char inspect_help[] =
	"Usage: pod inspect NAME\n"
	"\n"
	"The pod's state as JSON, with its namespace paths in the forms other\n"
	"tools take: OCI runtime spec, ctr run --with-ns, nsenter.\n"
	"\n"
	"Options:\n"
	"  --root DIR   state root (default $POD_ROOT or " POD_DEFAULT_ROOT ")\n"
	"  -h, --help   show this help\n";

static json_t *inspect_json(const struct pod *p)
{
	json_t *root = state_json(p), *ns = json_array(), *oci_ns = json_array();
	json_t *ctr = json_array(), *nsenter = json_array();
	char pin[4200], created[32], arg[4300];
	time_t t = (time_t)p->created;
	struct tm tm;

	if (!root || !ns || !oci_ns || !ctr || !nsenter)
		return NULL;
	json_array_append_new(nsenter, json_string("nsenter"));
	for (size_t i = 0; i < ns_kinds_len; i++) {
		const struct ns_kind *k = &ns_kinds[i];
		if (!(p->share & k->flag) || ns_pin_path(p, k, pin, sizeof(pin)) < 0)
			continue;
		json_array_append_new(ns, json_pack("{s:s,s:s}", "type", k->name, "path", pin));
		json_array_append_new(oci_ns, json_pack("{s:s,s:s}", "type", k->oci, "path", pin));
		snprintf(arg, sizeof(arg), "%s:%s", k->oci, pin);
		json_array_append_new(ctr, json_string("--with-ns"));
		json_array_append_new(ctr, json_string(arg));
		snprintf(arg, sizeof(arg), "%s=%s", k->nsenter, pin);
		json_array_append_new(nsenter, json_string(arg));
	}
	gmtime_r(&t, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(root, "created", json_string(created));
	json_object_set_new(root, "status", json_string(pod_running(p) ? "running" : "exited"));
	json_object_set_new(root, "dir", json_string(p->dir));
	json_object_set_new(root, "namespaces", ns);
	json_object_set_new(root, "oci", json_pack("{s:{s:o}}", "linux", "namespaces", oci_ns));
	json_object_set_new(root, "ctr", ctr);
	json_object_set_new(root, "nsenter", nsenter);
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

int cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = { POD_COMMON_OPTS, { NULL, 0, NULL, 0 } };
	static struct pod p;
	json_t *out;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+:h", opts, NULL)) != -1)
		if ((rc = common_opt(opt, argv, "inspect", inspect_help)))
			return rc;
	if (optind != argc - 1)
		return usage_error("inspect", optind == argc ? "NAME is missing" : "one NAME only");
	if ((rc = pod_open(&p, argv[optind])))
		return rc;
	if (pod_state_load(&p) < 0)
		return fail(errno == ENOENT ? POD_ENOPOD : POD_EFAIL, "cannot inspect pod %s: %s",
			    p.name, errno == ENOENT ? "no such pod"
				    : "its state is missing or invalid (pod gc removes it)");
	out = inspect_json(&p);
	if (!out || json_dumpf(out, stdout, JSON_INDENT(2)) < 0 || putchar('\n') == EOF ||
	    fflush(stdout) != 0) {
		json_decref(out);
		return fail(POD_EFAIL, "cannot write pod %s as JSON", p.name);
	}
	json_decref(out);
	return POD_OK;
}

/* Members, pause, pins, state: in that order, each step idempotent, so a
 * crash at any point leaves something this can finish. */
int pod_remove(struct pod *p, bool force)
{
	int rc;

	pod_state_load(p);
	if (pod_running(p) && !force)
		return fail(POD_ECONFLICT, "cannot remove pod %s: it is running (stop it "
			    "first, or use rm -f)", p->name);
	if (force && pod_stop(p, 0) < 0)
		return fail(POD_EFAIL, "cannot stop pod %s: %s", p->name, strerror(errno));
	/* The network goes while the net pin still holds the namespace. A
	 * plugin that fails stops rm (run it again once fixed); -f and gc go
	 * on, having said what the plugin left. */
	if ((rc = cni_del(p)) != POD_OK && !force)
		return rc;
	return pod_clear(p);
}

/* Pins, then the files pod writes, then the directories; a missing one is
 * fine. Stops at the first failure, which it reports. */
int pod_clear(struct pod *p)
{
	static const char *const files[] = { "state.json", ".state.json.tmp", "log",
					     CNI_FILES };
	char path[4200];

	for (size_t i = 0; i < ns_kinds_len; i++)
		if (ns_unpin(p, &ns_kinds[i]) < 0)
			return fail(POD_EFAIL, "cannot unpin %s namespace of pod %s: %s",
				    ns_kinds[i].name, p->name,
				    errno == EXDEV ? "not a namespace of that type"
						   : strerror(errno));
	if (path_join(path, sizeof(path), p->dir, "ns") < 0 ||
	    (rmdir(path) < 0 && errno != ENOENT))
		return fail(POD_EFAIL, "cannot remove %s: %s", path, strerror(errno));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (path_join(path, sizeof(path), p->dir, files[i]) < 0 ||
		    (unlink(path) < 0 && errno != ENOENT))
			return fail(POD_EFAIL, "cannot remove %s: %s", path, strerror(errno));
	if (rmdir(p->dir) < 0 && errno != ENOENT)
		return fail(POD_EFAIL, "cannot remove %s: %s", p->dir, strerror(errno));
	return POD_OK;
}

int pod_remove_forced(struct pod *p) { return pod_remove(p, true); }
int pod_remove_stopped(struct pod *p) { return pod_remove(p, false); }

static const char rm_help[] =
	"Usage: pod rm [-f] NAME\n"
	"\n"
	"Remove a stopped pod: unpin its namespaces, delete its state. Safe to\n"
	"run again after a crash.\n"
	"\n"
	"Options:\n"
	"  -f, --force  kill the pod first if it runs (SIGKILL, no grace), and\n"
	"               succeed if there is no such pod\n"
	"  --root DIR   state root (default $POD_ROOT or " POD_DEFAULT_ROOT ")\n"
	"  -h, --help   show this help\n";

int cmd_rm(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		POD_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	static struct pod p;
	bool force = false;
	int opt, rc, lock;

	while ((opt = getopt_long(argc, argv, "+:fh", opts, NULL)) != -1) {
		if (opt == 'f')
			force = true;
		else if ((rc = common_opt(opt, argv, "rm", rm_help)))
			return rc;
	}
	if (optind != argc - 1)
		return usage_error("rm", optind == argc ? "NAME is missing" : "one NAME only");
	if ((rc = pod_open(&p, argv[optind])))
		return rc;
	if ((lock = pod_root_lock()) < 0 && errno != ENOENT)
		return fail(POD_EFAIL, "cannot lock state root %s: %s", pod_root, strerror(errno));
	if (lock < 0 || access(p.dir, F_OK) < 0) {
		if (lock >= 0)
			close(lock);
		if (force)
			return POD_OK;
		return fail(POD_ENOPOD, "cannot remove pod %s: no such pod", p.name);
	}
	rc = with_interrupts_held(force ? pod_remove_forced : pod_remove_stopped, &p);
	close(lock);
	return rc;
}

static const char gc_help[] =
	"Usage: pod gc\n"
	"\n"
	"Remove every pod whose pause is gone (killed, crashed, or state from\n"
	"before a reboot), and any half-made pod; print each name.\n"
	"\n"
	"Options:\n"
	"  --root DIR   state root (default $POD_ROOT or " POD_DEFAULT_ROOT ")\n"
	"  -h, --help   show this help\n";

int cmd_gc(int argc, char **argv)
{
	static const struct option opts[] = { POD_COMMON_OPTS, { NULL, 0, NULL, 0 } };
	static struct pod p;
	char **names;
	size_t count;
	int opt, rc, lock, worst = POD_OK;

	while ((opt = getopt_long(argc, argv, "+:h", opts, NULL)) != -1)
		if ((rc = common_opt(opt, argv, "gc", gc_help)))
			return rc;
	if (optind != argc)
		return usage_error("gc", "no arguments expected");
	if ((lock = pod_root_lock()) < 0)
		return errno == ENOENT ? POD_OK
				       : fail(POD_EFAIL, "cannot lock state root %s: %s",
					      pod_root, strerror(errno));
	if (pod_list(&names, &count) < 0) {
		close(lock);
		return fail(POD_EFAIL, "cannot list pods in %s: %s", pod_root, strerror(errno));
	}
	for (size_t i = 0; i < count; i++) {
		if (pod_open(&p, names[i]) != POD_OK)
			continue;
		pod_state_load(&p);
		if (pod_running(&p))
			continue;
		rc = with_interrupts_held(pod_remove_forced, &p);
		if (rc == POD_OK)
			printf("%s\n", p.name);
		else
			worst = rc;
	}
	pod_list_free(names, count);
	close(lock);
	return fflush(stdout) == 0 ? worst : POD_EFAIL;
}
