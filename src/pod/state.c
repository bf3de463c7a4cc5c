/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The state root and each pod's state.json. pause is recorded as pid, start
 * time and boot id: a pid alone is reused after a crash or a reboot.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "cni.h"
#include "ns.h"
#include "procs.h"
#include "state.h"
#include "usernet.h"
#include "util.h"

const char *pod_root = POD_DEFAULT_ROOT;

/* [A-Za-z0-9][A-Za-z0-9_.-]{0,62}: never empty, "..", a path or an option */
bool pod_name_valid(const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++) {
		char c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');
		if (i == POD_NAME_MAX || !(alnum || (i > 0 && strchr("_.-", c))))
			return false;
	}
	return i > 0;
}

int pod_open(struct pod *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	if (!pod_name_valid(name))
		return fail(POD_EUSAGE, "cannot use pod name '%.80s': it must match "
			    "[A-Za-z0-9][A-Za-z0-9_.-]{0,62}", name);
	strcpy(p->name, name);
	if (path_join(p->dir, sizeof(p->dir), pod_root, name) < 0)
		return fail_errno(POD_EUSAGE, "cannot use root %s", pod_root);
	return POD_OK;
}

int pod_find(struct pod *p, const char *name)
{
	int rc = pod_open(p, name);

	if (rc)
		return rc;
	if (pod_state_load(p) < 0 && errno == ENOENT)
		return fail(POD_ENOPOD, "cannot find pod %s: no such pod", p->name);
	return POD_OK;
}

/* One lock for the whole root, held while pods are made or removed. The
 * directory itself is locked, so no lock file is ever left behind. */
int pod_root_lock(void)
{
	int fd = open(pod_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close_keep_errno(fd);
			return -1;
		}
	}
	return fd;
}

/* Read once: it cannot change while we run, and pod ls asks for it
 * once per pod. */
int boot_id(char *buf, size_t size)
{
	static char id[64];

	if (!id[0]) {
		if (read_file("/proc/sys/kernel/random/boot_id", id, sizeof(id)) <= 0) {
			id[0] = '\0';
			return -1;
		}
		id[strcspn(id, "\n")] = '\0';
	}
	if (strlen(id) >= size) {
		errno = ERANGE;
		return -1;
	}
	strcpy(buf, id);
	return 0;
}

bool pod_running(const struct pod *p)
{
	unsigned long long start;
	char state, boot[sizeof(p->boot_id)];

	if (!p->has_state || p->pid <= 0)
		return false;
	if (boot_id(boot, sizeof(boot)) < 0 || strcmp(boot, p->boot_id) != 0)
		return false;
	if (proc_stat(p->pid, &start, &state) < 0)
		return false;
	return start == p->starttime && state != 'Z' && state != 'X';
}

const char *pod_status(const struct pod *p)
{
	if (!pod_running(p))
		return "exited";
	return p->ready ? "running" : "creating";
}

/* The pidfd is taken first and the process checked after: if the check
 * passes, the pidfd is that process, whatever happens to the pid later. */
int pod_pidfd(const struct pod *p)
{
	int fd;

	if (!pod_running(p)) {
		errno = ESRCH;
		return -1;
	}
	fd = pidfd_open(p->pid, 0);
	if (fd < 0)
		return -1;
	if (!pod_running(p)) {
		close(fd);
		errno = ESRCH;
		return -1;
	}
	return fd;
}

static int get_int(json_t *obj, const char *key, long long min, long long *out)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < min)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

static int get_str(json_t *obj, const char *key, char *buf, size_t size)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v) || json_string_length(v) >= size ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return -1;
	strcpy(buf, json_string_value(v));
	return 0;
}

static const char *const network_modes[] = { "none", "host", "cni", "pasta", "slirp4netns" };

/* {"mode": "cni", "name": "pod", "ports": [{"host": 8080, "pod": 80,
 * "protocol": "tcp"}]}; absent means none. */
static int network_parse(struct pod *p, json_t *net)
{
	const char *mode;
	json_t *ports, *v;
	size_t i;

	p->network = NET_NONE;
	p->nports = 0;
	if (!net)
		return 0;
	mode = json_string_value(json_object_get(net, "mode"));
	for (i = 0; i < ARRAY_LEN(network_modes); i++)
		if (mode && strcmp(mode, network_modes[i]) == 0)
			break;
	if (i == ARRAY_LEN(network_modes))
		return -1;
	p->network = (enum network)i;
	if (p->network == NET_NONE || p->network == NET_HOST)
		return 0;
	if (p->network == NET_CNI && get_str(net, "name", p->cni_name, sizeof(p->cni_name)) < 0)
		return -1;
	ports = json_object_get(net, "ports");
	if (!json_is_array(ports) || json_array_size(ports) > PORTS_MAX)
		return -1;
	json_array_foreach(ports, i, v) {
		long long host, pod;
		if (get_int(v, "host", 1, &host) < 0 || host > 65535 ||
		    get_int(v, "pod", 1, &pod) < 0 || pod > 65535 ||
		    get_str(v, "protocol", p->ports[i].proto, sizeof(p->ports[i].proto)) < 0 ||
		    (strcmp(p->ports[i].proto, "tcp") != 0 && strcmp(p->ports[i].proto, "udp") != 0))
			return -1;
		p->ports[i].host = (unsigned)host;
		p->ports[i].pod = (unsigned)pod;
		p->nports++;
	}
	return 0;
}

static json_t *network_json(const struct pod *p)
{
	json_t *net = json_pack("{s:s}", "mode", network_modes[p->network]), *ports;

	if (!net || p->network == NET_NONE || p->network == NET_HOST)
		return net;
	ports = json_array();
	for (size_t i = 0; i < p->nports; i++)
		json_array_append_new(ports, json_pack("{s:I,s:I,s:s}",
			"host", (json_int_t)p->ports[i].host, "pod", (json_int_t)p->ports[i].pod,
			"protocol", p->ports[i].proto));
	if (p->network == NET_CNI)
		json_object_set_new(net, "name", json_string(p->cni_name));
	json_object_set_new(net, "ports", ports);
	return net;
}

static const char *const userns_modes[] = { "none", "single", "subids", "map" };

static int ranges_parse(json_t *arr, struct idrange *r, size_t *n)
{
	json_t *v;
	size_t i;

	if (!json_is_array(arr) || json_array_size(arr) > IDMAP_MAX)
		return -1;
	*n = 0;
	json_array_foreach(arr, i, v) {
		long long in, out, count;
		if (get_int(v, "inside", 0, &in) < 0 || get_int(v, "outside", 0, &out) < 0 ||
		    get_int(v, "count", 1, &count) < 0 || in > 0xffffffffLL ||
		    out > 0xffffffffLL || count > 0xffffffffLL)
			return -1;
		r[i] = (struct idrange){ (unsigned long)in, (unsigned long)out,
					 (unsigned long)count };
		(*n)++;
	}
	return 0;
}

/* {"mode": "subids", "uid": [{"inside": 0, "outside": 1000, "count": 1},
 * ...], "gid": [...]}; absent means none. "rootless" is beside it. */
static int userns_parse_json(struct pod *p, json_t *root)
{
	json_t *u = json_object_get(root, "userns"), *rl = json_object_get(root, "rootless");
	const char *mode;
	size_t i;

	p->userns = USERNS_NONE;
	p->nuid = p->ngid = 0;
	if (rl && !json_is_boolean(rl))
		return -1;
	p->rootless = json_is_true(rl);
	if (!u)
		return p->rootless ? -1 : 0;
	mode = json_string_value(json_object_get(u, "mode"));
	for (i = 0; i < ARRAY_LEN(userns_modes); i++)
		if (mode && strcmp(mode, userns_modes[i]) == 0)
			break;
	if (i == ARRAY_LEN(userns_modes) || i == USERNS_NONE)
		return -1;
	p->userns = (enum userns)i;
	return ranges_parse(json_object_get(u, "uid"), p->uid, &p->nuid) < 0 ||
	       ranges_parse(json_object_get(u, "gid"), p->gid, &p->ngid) < 0 ? -1 : 0;
}

static json_t *ranges_json(const struct idrange *r, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I,s:I,s:I}",
			"inside", (json_int_t)r[i].inside, "outside", (json_int_t)r[i].outside,
			"count", (json_int_t)r[i].count));
	return arr;
}

static json_t *userns_json(const struct pod *p)
{
	return json_pack("{s:s,s:o,s:o}", "mode", userns_modes[p->userns],
			 "uid", ranges_json(p->uid, p->nuid), "gid", ranges_json(p->gid, p->ngid));
}

/* {"pid": 123, "starttime": 456}; absent means none. */
static int helper_parse(struct pod *p, json_t *h)
{
	long long pid, start;

	memset(&p->helper, 0, sizeof(p->helper));
	if (!h)
		return 0;
	if (get_int(h, "pid", 1, &pid) < 0 || pid > 0x7fffffff ||
	    get_int(h, "starttime", 0, &start) < 0)
		return -1;
	p->helper.pid = (pid_t)pid;
	p->helper.starttime = (unsigned long long)start;
	return 0;
}

/* {"cgroup_parent": "/pod", "memory": 268435456, "millicpus": 500,
 * "pids_limit": null}: null for no limit, "" for the default parent;
 * absent means neither. */
static int resources_parse(struct pod *p, json_t *res)
{
	static const char *const keys[] = { "memory", "millicpus", "pids_limit" };
	unsigned long long *vals[] = { &p->memory, NULL, &p->pids_limit };
	long long v;

	p->memory = p->pids_limit = 0;
	p->millicpus = 0;
	p->cgroup_parent[0] = '\0';
	if (!res)
		return 0;
	if (get_str(res, "cgroup_parent", p->cgroup_parent, sizeof(p->cgroup_parent)) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		if (json_is_null(json_object_get(res, keys[i])))
			continue;
		if (get_int(res, keys[i], 1, &v) < 0)
			return -1;
		if (vals[i])
			*vals[i] = (unsigned long long)v;
		else
			p->millicpus = (unsigned long)v;
	}
	return 0;
}

static json_t *limit_json(unsigned long long v)
{
	return v ? json_integer((json_int_t)v) : json_null();
}

static json_t *resources_json(const struct pod *p)
{
	return json_pack("{s:s,s:o,s:o,s:o}", "cgroup_parent", p->cgroup_parent,
			 "memory", limit_json(p->memory), "millicpus", limit_json(p->millicpus),
			 "pids_limit", limit_json(p->pids_limit));
}

/* Reads and checks state.json; anything unexpected makes it invalid, and
 * an invalid state is treated as a pod whose pause is gone. */
static int state_parse(struct pod *p, json_t *root)
{
	long long pid, start;
	char name[POD_NAME_MAX + 2];
	json_t *share, *sysctls, *v;
	const char *key;
	size_t i, used = 0;

	if (!json_is_object(root) || get_str(root, "name", name, sizeof(name)) < 0 ||
	    strcmp(name, p->name) != 0 || get_int(root, "pid", 1, &pid) < 0 ||
	    pid > 0x7fffffff || get_int(root, "starttime", 0, &start) < 0 ||
	    get_int(root, "created", 0, &p->created) < 0 ||
	    get_str(root, "boot_id", p->boot_id, sizeof(p->boot_id)) < 0 ||
	    get_str(root, "hostname", p->hostname, sizeof(p->hostname)) < 0 ||
	    get_str(root, "pause", p->pause, sizeof(p->pause)) < 0)
		return -1;
	p->pid = (pid_t)pid;
	p->starttime = (unsigned long long)start;
	/* absent in pods made before readiness was recorded: those are ready */
	v = json_object_get(root, "ready");
	if (v && !json_is_boolean(v))
		return -1;
	p->ready = !v || json_is_true(v);

	share = json_object_get(root, "share");
	if (!json_is_array(share))
		return -1;
	p->share = 0;
	json_array_foreach(share, i, v) {
		int flag;
		if (!json_is_string(v) || ns_parse_share(json_string_value(v), &flag) < 0)
			return -1;
		p->share |= flag;
	}

	if (network_parse(p, json_object_get(root, "network")) < 0 ||
	    resources_parse(p, json_object_get(root, "resources")) < 0 ||
	    userns_parse_json(p, root) < 0 || helper_parse(p, json_object_get(root, "helper")) < 0)
		return -1;

	sysctls = json_object_get(root, "sysctls");
	if (!json_is_object(sysctls) || json_object_size(sysctls) > SYSCTL_MAX)
		return -1;
	p->nsysctls = 0;
	json_object_foreach(sysctls, key, v) {
		size_t klen = strlen(key) + 1, vlen;
		if (!json_is_string(v))
			return -1;
		vlen = json_string_length(v) + 1;
		if (used + klen + vlen > sizeof(p->sysctl_text))
			return -1;
		memcpy(p->sysctl_text + used, key, klen);
		p->sysctls[p->nsysctls].key = p->sysctl_text + used;
		used += klen;
		memcpy(p->sysctl_text + used, json_string_value(v), vlen);
		p->sysctls[p->nsysctls].value = p->sysctl_text + used;
		used += vlen;
		p->nsysctls++;
	}
	return 0;
}

/* Takes @root (NULL: unreadable JSON), reads it into @p and drops it. */
static int state_take(struct pod *p, json_t *root)
{
	int rc = root ? state_parse(p, root) : -1;

	json_decref(root);
	p->has_state = rc == 0;
	return rc;
}

int pod_state_parse(struct pod *p, const char *text, size_t len)
{
	json_error_t err;

	return state_take(p, json_loadb(text, len, JSON_REJECT_DUPLICATES, &err));
}

int pod_state_load(struct pod *p)
{
	char path[POD_PATH_MAX];
	json_error_t err;

	p->has_state = false;
	if (path_join(path, sizeof(path), p->dir, "state.json") < 0)
		return -1;
	if (state_take(p, json_load_file(path, JSON_REJECT_DUPLICATES, &err)) < 0) {
		errno = access(p->dir, F_OK) == 0 ? EINVAL : ENOENT;
		return -1;
	}
	return 0;
}

json_t *state_json(const struct pod *p)
{
	json_t *root = json_object(), *share = json_array(), *sysctls = json_object();
	size_t i;

	for (i = 0; i < ns_kinds_len; i++)
		if (p->share & ns_kinds[i].flag)
			json_array_append_new(share, json_string(ns_kinds[i].name));
	for (i = 0; i < p->nsysctls; i++)
		json_object_set_new(sysctls, p->sysctls[i].key,
				    json_string(p->sysctls[i].value));
	json_object_set_new(root, "name", json_string(p->name));
	json_object_set_new(root, "pid", json_integer(p->pid));
	json_object_set_new(root, "starttime", json_integer((json_int_t)p->starttime));
	json_object_set_new(root, "boot_id", json_string(p->boot_id));
	json_object_set_new(root, "created", json_integer(p->created));
	json_object_set_new(root, "ready", json_boolean(p->ready));
	json_object_set_new(root, "hostname", json_string(p->hostname));
	json_object_set_new(root, "pause", json_string(p->pause));
	json_object_set_new(root, "share", share);
	json_object_set_new(root, "sysctls", sysctls);
	json_object_set_new(root, "network", network_json(p));
	json_object_set_new(root, "resources", resources_json(p));
	if (p->rootless)
		json_object_set_new(root, "rootless", json_true());
	if (p->userns != USERNS_NONE)
		json_object_set_new(root, "userns", userns_json(p));
	if (p->helper.pid > 0)
		json_object_set_new(root, "helper", json_pack("{s:i,s:I}", "pid", (int)p->helper.pid,
			"starttime", (json_int_t)p->helper.starttime));
	return root;
}

/* Written to a temporary name and renamed: a reader sees all or nothing. */
int pod_state_save(const struct pod *p)
{
	char path[POD_PATH_MAX], tmp[POD_PATH_MAX];
	json_t *root = state_json(p);
	int rc;

	if (!root || path_join(path, sizeof(path), p->dir, "state.json") < 0 ||
	    path_join(tmp, sizeof(tmp), p->dir, ".state.json.tmp") < 0) {
		json_decref(root);
		errno = root ? ENAMETOOLONG : ENOMEM;
		return -1;
	}
	rc = json_dump_file(root, tmp, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(root);
	if (rc < 0 || rename(tmp, path) < 0) {
		int saved = rc < 0 ? EIO : errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

int pod_list(char ***names, size_t *count)
{
	DIR *d = opendir(pod_root);
	struct dirent *e;
	char **list = NULL;
	size_t n = 0;

	*names = NULL;
	*count = 0;
	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d))) {
		char **grown;
		if (e->d_type != DT_DIR || !pod_name_valid(e->d_name))
			continue;
		grown = realloc(list, (n + 1) * sizeof(*list));
		if (!grown || !(grown[n] = strdup(e->d_name))) {
			list = grown ? grown : list;
			pod_list_free(list, n);
			closedir(d);
			errno = ENOMEM;
			return -1;
		}
		list = grown;
		n++;
	}
	closedir(d);
	if (n)
		qsort(list, n, sizeof(*list), str_ptr_cmp);
	*names = list;
	*count = n;
	return 0;
}

void pod_list_free(char **names, size_t count)
{
	while (count)
		free(names[--count]);
	free(names);
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
		return fail_errno(POD_EFAIL, "cannot stop pod %s", p->name);
	/* The network goes while the net pin still holds the namespace. A
	 * plugin that fails stops rm (run it again once fixed); -f and gc go
	 * on, having said what the plugin left. */
	if ((rc = cni_del(p)) != POD_OK && !force)
		return rc;
	usernet_stop(p);
	if (cg_remove(p) < 0)
		return fail_errno(POD_EFAIL, "cannot remove the cgroup of pod %s", p->name);
	return pod_clear(p);
}

/* Pins, then the files pod writes, then the directories; a missing one is
 * fine. Stops at the first failure, which it reports. */
int pod_clear(struct pod *p)
{
	static const char *const files[] = { "state.json", ".state.json.tmp", "log",
					     CG_FILE, CNI_FILES, USERNET_SOCKET };
	char path[POD_PATH_MAX];

	for (size_t i = 0; i < ns_kinds_len && !p->rootless; i++)
		if (ns_unpin(p, &ns_kinds[i]) < 0)
			return fail(POD_EFAIL, "cannot unpin %s namespace of pod %s: %s",
				    ns_kinds[i].name, p->name,
				    errno == EXDEV ? "not a namespace of that type"
						   : strerror(errno));
	if (path_join(path, sizeof(path), p->dir, "ns") < 0 ||
	    (rmdir(path) < 0 && errno != ENOENT))
		return fail_errno(POD_EFAIL, "cannot remove %s", path);
	for (size_t i = 0; i < ARRAY_LEN(files); i++)
		if (path_join(path, sizeof(path), p->dir, files[i]) < 0 ||
		    (unlink(path) < 0 && errno != ENOENT))
			return fail_errno(POD_EFAIL, "cannot remove %s", path);
	if (rmdir(p->dir) < 0 && errno != ENOENT)
		return fail_errno(POD_EFAIL, "cannot remove %s", p->dir);
	return POD_OK;
}
