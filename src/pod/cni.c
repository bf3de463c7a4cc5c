/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pod networking through CNI plugins (spec 1.0.0), the way a container
 * runtime calls them: each plugin of a conflist in turn, its config on
 * stdin (name, cniVersion, prevResult and runtimeConfig.portMappings
 * added), CNI_* in its environment, its result or error on stdout.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cni.h"
#include "ns.h"
#include "records.h"
#include "state.h"
#include "util.h"

#define DEFAULT_BRIDGE "pod0"
#define DEFAULT_SUBNET "10.87.0.0/16"
#define DEFAULT_NET 0x0a570000u		/* 10.87.0.0, host order */
#define DEFAULT_MASK 0xffff0000u

unsigned cni_timeout = CNI_DEFAULT_TIMEOUT;

/* Written to the conf dir when it has no conflist: bridge pod0 on a
 * private /16 (room for 65,000 pods; podman's default is 10.88.0.0/16),
 * host-local leases, portmap for published ports. */
static const char default_conflist[] =
	"{\n"
	"  \"cniVersion\": \"1.0.0\",\n"
	"  \"name\": \"pod\",\n"
	"  \"plugins\": [\n"
	"    {\n"
	"      \"type\": \"bridge\",\n"
	"      \"bridge\": \"" DEFAULT_BRIDGE "\",\n"
	"      \"isGateway\": true,\n"
	"      \"ipMasq\": true,\n"
	"      \"hairpinMode\": true,\n"
	"      \"ipam\": {\n"
	"        \"type\": \"host-local\",\n"
	"        \"ranges\": [[{ \"subnet\": \"" DEFAULT_SUBNET "\" }]],\n"
	"        \"routes\": [{ \"dst\": \"0.0.0.0/0\" }]\n"
	"      }\n"
	"    },\n"
	"    {\n"
	"      \"type\": \"portmap\",\n"
	"      \"capabilities\": { \"portMappings\": true }\n"
	"    }\n"
	"  ]\n"
	"}\n";
#define DEFAULT_CONFLIST_FILE "10-pod.conflist"
/* in the pod's directory */
#define CNI_RECORD CNI_POINTER
#define CNI_RESULT "cni-result.json"

/* HOSTPORT:PODPORT[/tcp|/udp] */
int port_parse(const char *arg, struct port *out)
{
	char buf[32], *colon, *slash;
	unsigned long host, pod;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (slash) {
		*slash++ = '\0';
		if (strcmp(slash, "tcp") != 0 && strcmp(slash, "udp") != 0)
			return -1;
	}
	colon = strchr(buf, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	if (parse_uint(buf, 65535, &host) < 0 || host == 0 ||
	    parse_uint(colon + 1, 65535, &pod) < 0 || pod == 0)
		return -1;
	out->host = (unsigned)host;
	out->pod = (unsigned)pod;
	strcpy(out->proto, slash ? slash : "tcp");
	return 0;
}

/* A conflist as the spec has it: a name (the spec's [a-zA-Z0-9][a-zA-Z0-9_.-]*,
 * here also at most 63 characters, as pod names), a version, and plugins
 * that each have a type naming a file (no path). */
bool cni_conflist_valid(json_t *c)
{
	json_t *plugins = json_object_get(c, "plugins"), *pl;
	const char *name = json_string_value(json_object_get(c, "name"));
	size_t i;

	if (!name || !pod_name_valid(name) ||
	    !json_is_string(json_object_get(c, "cniVersion")) ||
	    !json_is_array(plugins) || json_array_size(plugins) == 0)
		return false;
	json_array_foreach(plugins, i, pl) {
		const char *type = json_string_value(json_object_get(pl, "type"));
		if (!json_is_object(pl) || !type || !*type || strchr(type, '/') ||
		    type[0] == '.')
			return false;
	}
	return true;
}

static int make_id(struct pod *p)
{
	unsigned char id[16];

	if (getrandom(id, sizeof(id), 0) != (ssize_t)sizeof(id))
		return -1;
	for (size_t i = 0; i < sizeof(id); i++)
		snprintf(p->cni_id + 2 * i, 3, "%02x", id[i]);
	return 0;
}

#define CONFLISTS_MAX 256

/* The *.conflist names in @dir, sorted; the count, or -1 after a line. */
static int conflist_names(const char *dir, char **files)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d && errno != ENOENT)
		return -fail_errno(POD_EFAIL, "cannot read CNI conf dir %s", dir);
	while (d && (e = readdir(d)) && n < CONFLISTS_MAX) {
		size_t len = strlen(e->d_name);
		if (len > 9 && strcmp(e->d_name + len - 9, ".conflist") == 0 &&
		    e->d_name[0] != '.' && (files[n] = strdup(e->d_name)))
			n++;
	}
	if (d)
		closedir(d);
	qsort(files, n, sizeof(files[0]), str_ptr_cmp);
	return (int)n;
}

/* The first valid conflist named @name (any, if NULL) among @files; the
 * first broken file's error goes to @broken, for when none is found. */
static json_t *conflist_find(const char *dir, char **files, size_t n, const char *name,
			     char *broken, size_t size)
{
	char path[POD_PATH_MAX];

	for (size_t i = 0; i < n; i++) {
		json_error_t jerr;
		json_t *c;
		if (path_join(path, sizeof(path), dir, files[i]) < 0)
			continue;
		c = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
		if (!c || !cni_conflist_valid(c)) {
			if (!broken[0])
				snprintf(broken, size, "cannot use CNI conflist %s: %s", path,
					 c ? "not a conflist (name, cniVersion, plugins "
					     "with a type)" : jerr.text);
			json_decref(c);
			continue;
		}
		if (!name || strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
			return c;
		json_decref(c);
	}
	return NULL;
}

/* The first route of the host's (IPv4, /proc/net/route) that overlaps the
 * default subnet, other than a default route and the default bridge's
 * own: its device and destination in @why; false if there is none. */
static bool default_subnet_used(char *why, size_t size)
{
	FILE *f = fopen("/proc/net/route", "re");
	char line[256], *field[8], *save = NULL;
	bool used = false;

	if (!f)
		return false;	/* no IPv4 here: nothing to collide with */
	while (!used && fgets(line, sizeof(line), f)) {
		/* Iface Destination Gateway Flags RefCnt Use Metric Mask ... */
		int n = 0;
		for (char *t = strtok_r(line, " \t\n", &save); t && n < 8;
		     t = strtok_r(NULL, " \t\n", &save))
			field[n++] = t;
		if (n < 8)
			continue;
		char *end1, *end2;
		unsigned dst = (unsigned)strtoul(field[1], &end1, 16);
		unsigned mask = (unsigned)strtoul(field[7], &end2, 16);
		const char *dev = field[0];
		if (*end1 || *end2 || mask == 0 || strcmp(dev, DEFAULT_BRIDGE) == 0)
			continue;	/* the header, a default route, or ours */
		/* the kernel prints the addresses as they are in memory */
		uint32_t d = ntohl(dst), m = ntohl(mask) & DEFAULT_MASK;
		if ((d & m) != (DEFAULT_NET & m))
			continue;
		struct in_addr a = { dst };
		snprintf(why, size, "%s/%d on %s", inet_ntoa(a), __builtin_popcount(mask), dev);
		used = true;
	}
	fclose(f);
	return used;
}

/* No network configured: the default, written out for the user to see,
 * unless its subnet is one the host already routes. */
static int write_default(const char *dir, json_t **found)
{
	char path[POD_PATH_MAX], route[64];
	json_error_t jerr;
	int fd;

	if (default_subnet_used(route, sizeof(route)))
		return fail(POD_EFAIL, "cannot write the default CNI network to %s: its subnet "
			    DEFAULT_SUBNET " overlaps the host's route to %s; write a conflist "
			    "with another subnet there (see pod(1), CNI NETWORKING)", dir, route);
	if (mkdir_all(dir, 0755) < 0 ||
	    path_join(path, sizeof(path), dir, DEFAULT_CONFLIST_FILE) < 0 ||
	    (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		return fail_errno(POD_EFAIL, "cannot write the default CNI conflist to %s", dir);
	if (write_all(fd, default_conflist, sizeof(default_conflist) - 1) < 0) {
		close_keep_errno(fd);
		return fail_errno(POD_EFAIL, "cannot write %s", path);
	}
	if (close(fd) < 0)
		return fail_errno(POD_EFAIL, "cannot write %s", path);
	*found = json_loads(default_conflist, 0, &jerr);
	return POD_OK;
}

int cni_choose(struct pod *p, const char *dir, const char *name, json_t **conflist)
{
	char *files[CONFLISTS_MAX] = { NULL }, broken[POD_PATH_MAX + 600] = "";
	int n = conflist_names(dir, files), rc;
	json_t *found;

	*conflist = NULL;
	if (n < 0)
		return -n;
	found = conflist_find(dir, files, (size_t)n, name, broken, sizeof(broken));
	while (n)
		free(files[--n]);
	if (!found && broken[0])
		return fail(POD_EFAIL, "%s", broken);
	if (!found && !name && (rc = write_default(dir, &found)))
		return rc;
	if (!found)
		return fail(POD_EFAIL, "cannot find CNI network %s: no conflist in %s has "
			    "that name", name, dir);
	snprintf(p->cni_name, sizeof(p->cni_name), "%s",
		 json_string_value(json_object_get(found, "name")));
	if (make_id(p) < 0) {
		json_decref(found);
		return fail_errno(POD_EFAIL, "cannot make a CNI container id");
	}
	*conflist = found;
	return POD_OK;
}

/* ---- running one plugin ---- */

/* One attachment of a pod to a network: what every plugin call needs. */
struct att {
	const char *id;		/* CNI_CONTAINERID */
	char netns[POD_PATH_MAX];	/* CNI_NETNS; empty once it is gone */
	json_t *list;		/* the conflist */
	json_t *maps;		/* runtimeConfig.portMappings, or NULL */
};

static const char *cni_path(void)
{
	const char *path = getenv("CNI_PATH");

	return path && *path ? path : CNI_DEFAULT_PATH;
}

/* A plugin binary named @type in CNI_PATH. */
static int find_plugin(const char *type, char *buf, size_t size)
{
	const char *path = cni_path();

	while (*path) {
		size_t len = strcspn(path, ":");
		int n = snprintf(buf, size, "%.*s/%s", (int)len, path, type);
		if (len && n > 0 && (size_t)n < size && access(buf, X_OK) == 0)
			return 0;
		path += len;
		if (*path == ':')
			path++;
	}
	errno = ENOENT;
	return -1;
}

/* The netns path to give a plugin: the pin if it still holds the pod's
 * network namespace, else empty (state from before a reboot), which the
 * spec lets DEL clean up without. */
static void netns_path(const struct pod *p, char *buf, size_t size)
{
	if (ns_path(p, ns_by_flag(CLONE_NEWNET), buf, size) < 0 ||
	    ns_file_type(buf, NULL) != CLONE_NEWNET)
		buf[0] = '\0';
}

void cni_error_text(const char *type, const char *out, int status, char *err, size_t errsz)
{
	/* the spec's error: {"code": N, "msg": "...", "details": "..."} */
	json_error_t jerr;
	json_t *e = out ? json_loads(out, 0, &jerr) : NULL;
	const char *msg = json_string_value(json_object_get(e, "msg"));
	const char *details = json_string_value(json_object_get(e, "details"));

	if (msg)
		snprintf(err, errsz, "plugin %s: %s%s%s", type, msg,
			 details && *details ? ": " : "", details && *details ? details : "");
	else if (WIFEXITED(status))
		snprintf(err, errsz, "plugin %s: exited with status %d", type,
			 WEXITSTATUS(status));
	else
		snprintf(err, errsz, "plugin %s: killed by signal %d", type, WTERMSIG(status));
	/* one line: a plugin's message may hold newlines or other controls */
	for (char *c = err; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	json_decref(e);
}

/* A plugin's environment: CNI_* and a PATH (plugins run iptables and ip). */
struct plugin_env {
	char text[6][POD_PATH_MAX + 200];
	char *envp[7];
};

static void plugin_env(const struct att *a, const char *cmd, struct plugin_env *e)
{
	const char *path_env = getenv("PATH");

	snprintf(e->text[0], sizeof(e->text[0]), "CNI_COMMAND=%s", cmd);
	snprintf(e->text[1], sizeof(e->text[1]), "CNI_CONTAINERID=%s", a->id);
	snprintf(e->text[2], sizeof(e->text[2]), "CNI_NETNS=%s", a->netns);
	snprintf(e->text[3], sizeof(e->text[3]), "CNI_IFNAME=%s", CNI_IFNAME);
	snprintf(e->text[4], sizeof(e->text[4]), "CNI_PATH=%s", cni_path());
	snprintf(e->text[5], sizeof(e->text[5]), "PATH=%s",
		 path_env && *path_env ? path_env : "/usr/sbin:/usr/bin:/sbin:/bin");
	for (size_t i = 0; i < ARRAY_LEN(e->text); i++)
		e->envp[i] = e->text[i];
	e->envp[ARRAY_LEN(e->text)] = NULL;
}

/* Everything a plugin writes to stdout until EOF, NUL-terminated (NULL if
 * nothing); *late is set if @deadline (monotonic_ms) comes first. */
static char *read_all(int fd, long long deadline, bool *late)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t len = 0, cap = 0;
	char *res = NULL;

	*late = false;
	for (;;) {
		long long left = deadline - monotonic_ms();
		ssize_t n;
		if (left <= 0) {
			*late = true;
			break;
		}
		n = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (n <= 0)
			continue;	/* EINTR, or the deadline: checked above */
		if (cap - len < 4096) {
			char *grown = realloc(res, cap + 65536);
			if (!grown)
				break;
			res = grown;
			cap += 65536;
		}
		n = read(fd, res + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (res)
		res[len] = '\0';
	return res;
}

/* Starts @bin with @in as stdin (a memfd holding the config: no pipe to
 * fill, no SIGPIPE) and @out as stdout, in a process group of its own so
 * that a timeout kills whatever it started too; its pid, or -1. */
static pid_t plugin_start(const char *bin, const char *type, char **envp, int in, int out)
{
	pid_t pid = fork();

	if (pid == 0) {
		char argv0[256], *argv[] = { argv0, NULL };
		snprintf(argv0, sizeof(argv0), "%s", type);
		setpgid(0, 0);
		if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
			_exit(127);
		execve(bin, argv, envp);
		_exit(127);
	}
	if (pid > 0)
		setpgid(pid, pid);	/* either of us may get there first */
	return pid;
}

/* A finished plugin's outcome: 0 (with *out its result for ADD), or -1
 * with @err holding "plugin TYPE: msg". */
static int plugin_outcome(const char *cmd, const char *type, int status, const char *res,
			  json_t **out, char *err, size_t errsz)
{
	json_error_t jerr;

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		cni_error_text(type, res, status, err, errsz);
		return -1;
	}
	if (strcmp(cmd, "ADD") != 0)
		return 0;
	*out = res ? json_loads(res, 0, &jerr) : NULL;
	if (json_is_object(*out))
		return 0;
	json_decref(*out);
	*out = NULL;
	snprintf(err, errsz, "plugin %s: its result is not JSON", type);
	return -1;
}

/* Reads a started plugin's stdout and reaps it; past cni_timeout seconds
 * it is killed, with its process group. */
static int plugin_finish(pid_t pid, int fd, const char *cmd, const char *type, json_t **out,
			 char *err, size_t errsz)
{
	bool late;
	char *res = read_all(fd, monotonic_ms() + 1000LL * cni_timeout, &late);
	int status, rc;

	if (late) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (late) {
		snprintf(err, errsz, "plugin %s timed out after %u s", type, cni_timeout);
		rc = -1;
	} else {
		rc = plugin_outcome(cmd, type, status, res, out, err, errsz);
	}
	free(res);
	return rc;
}

/* Runs plugin @type for @cmd with @conf on stdin. On success *out is its
 * result (ADD) or NULL; on failure @err holds "plugin TYPE: msg". */
static int run_plugin(const struct att *a, const char *cmd, const char *type, json_t *conf,
		      json_t **out, char *err, size_t errsz)
{
	static struct plugin_env env;
	char bin[POD_PATH_MAX], *text = NULL;
	int in = -1, pipefd[2] = { -1, -1 }, rc = -1;
	pid_t pid = -1;

	*out = NULL;
	if (find_plugin(type, bin, sizeof(bin)) < 0) {
		snprintf(err, errsz, "plugin %s: not found in CNI_PATH (%s)", type, cni_path());
		return -1;
	}
	plugin_env(a, cmd, &env);
	text = json_dumps(conf, JSON_COMPACT);
	in = memfd_create("cni-config", MFD_CLOEXEC);
	if (!text || in < 0 || write_all(in, text, strlen(text)) < 0 ||
	    lseek(in, 0, SEEK_SET) < 0 || pipe2(pipefd, O_CLOEXEC) < 0 ||
	    (pid = plugin_start(bin, type, env.envp, in, pipefd[1])) < 0) {
		snprintf(err, errsz, "plugin %s: cannot start it: %s", type, strerror(errno));
	} else {
		close(pipefd[1]);
		pipefd[1] = -1;
		rc = plugin_finish(pid, pipefd[0], cmd, type, out, err, errsz);
	}
	free(text);
	if (in >= 0)
		close(in);
	for (int i = 0; i < 2; i++)
		if (pipefd[i] >= 0)
			close(pipefd[i]);
	return rc;
}

/* The config one plugin gets: its own object plus the list's name and
 * version, the previous result, and the port mappings it asked for. */
static json_t *plugin_conf(const struct att *a, json_t *plugin, json_t *prev)
{
	json_t *conf = json_deep_copy(plugin), *caps;

	if (!conf)
		return NULL;
	json_object_set(conf, "name", json_object_get(a->list, "name"));
	json_object_set(conf, "cniVersion", json_object_get(a->list, "cniVersion"));
	if (prev)
		json_object_set(conf, "prevResult", prev);
	caps = json_object_get(plugin, "capabilities");
	if (json_is_true(json_object_get(caps, "portMappings")) && json_array_size(a->maps))
		json_object_set_new(conf, "runtimeConfig",
				    json_pack("{s:O}", "portMappings", a->maps));
	return conf;
}

/* The pod's ports as CNI's portMappings: an array, empty if none. */
static json_t *port_maps(const struct pod *p)
{
	json_t *maps = json_array();

	for (size_t i = 0; maps && i < p->nports; i++)
		json_array_append_new(maps, json_pack("{s:I,s:I,s:s}",
			"hostPort", (json_int_t)p->ports[i].host,
			"containerPort", (json_int_t)p->ports[i].pod,
			"protocol", p->ports[i].proto));
	return maps;
}

static int save_json(const struct pod *p, const char *file, json_t *j)
{
	char path[POD_PATH_MAX];

	if (path_join(path, sizeof(path), p->dir, file) < 0)
		return -1;
	return json_dump_file(j, path, JSON_INDENT(2)) == 0 ? 0 : -1;
}

static json_t *load_json(const struct pod *p, const char *file)
{
	char path[POD_PATH_MAX];
	json_error_t jerr;

	if (path_join(path, sizeof(path), p->dir, file) < 0)
		return NULL;
	return json_load_file(path, 0, &jerr);
}

/* DEL for every plugin, last first; every plugin is asked even when one
 * fails, and the first failure is reported. */
static int del_list(const struct att *a, json_t *result, char *err, size_t errsz)
{
	json_t *plugins = json_object_get(a->list, "plugins");
	int rc = 0;

	for (size_t i = json_array_size(plugins); i-- > 0;) {
		json_t *plugin = json_array_get(plugins, i), *conf = plugin_conf(a, plugin, result);
		json_t *out;
		char one[600];
		if (!conf)
			continue;
		if (run_plugin(a, "DEL", json_string_value(json_object_get(plugin, "type")),
			       conf, &out, one, sizeof(one)) < 0 && rc == 0) {
			snprintf(err, errsz, "%s", one);
			rc = -1;
		}
		json_decref(conf);
	}
	return rc;
}

/* ---- ADD and DEL ---- */

/* The record in the data directory (records.h), and the pod's pointer to
 * it, both before the first ADD. */
static json_t *record_begin(const struct pod *p, const struct att *a)
{
	char root[PATH_MAX];
	json_t *rec, *ptr;
	int rc;

	if (!realpath(pod_root, root))
		return NULL;
	rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:O,s:O}", "bootID", p->boot_id, "root", root,
			"pod", p->name, "containerID", a->id, "ifname", CNI_IFNAME,
			"network", p->cni_name, "portMappings", a->maps, "config", a->list);
	ptr = json_pack("{s:s,s:s}", "containerID", a->id, "dataDir", pod_data_dir);
	rc = rec && ptr && fault("cni") == 0 && save_json(p, CNI_RECORD, ptr) == 0 &&
	     record_save(pod_data_dir, a->id, rec) == 0 ? 0 : -1;
	json_decref(ptr);
	if (rc == 0)
		return rec;
	json_decref(rec);
	return NULL;
}

/* ADD for every plugin in turn, each given the previous result: 0 with
 * *result the last one, or -1 after one line, *result the last good one. */
static int add_list(const struct pod *p, const struct att *a, json_t **result)
{
	json_t *plugins = json_object_get(a->list, "plugins"), *plugin;
	char err[600];
	size_t i;

	*result = NULL;
	json_array_foreach(plugins, i, plugin) {
		json_t *conf = plugin_conf(a, plugin, *result), *out = NULL;
		int rc = conf ? run_plugin(a, "ADD", json_string_value(json_object_get(plugin, "type")),
					   conf, &out, err, sizeof(err))
			      : (snprintf(err, sizeof(err), "out of memory"), -1);
		json_decref(conf);
		if (rc < 0) {
			fail(POD_EFAIL, "cannot add network %s to pod %s: %s", p->cni_name,
			     p->name, err);
			return -1;
		}
		json_decref(*result);
		*result = out;
	}
	return 0;
}

int cni_add(struct pod *p, json_t *list)
{
	struct att a = { .id = p->cni_id, .list = list, .maps = port_maps(p) };
	json_t *rec, *result = NULL;
	char err[600];
	int rc = POD_EFAIL;

	netns_path(p, a.netns, sizeof(a.netns));
	if (!(rec = record_begin(p, &a))) {
		fail_errno(POD_EFAIL, "cannot record the CNI config of pod %s", p->name);
		record_remove(pod_data_dir, a.id);	/* nothing was added */
	} else if (add_list(p, &a, &result) == 0) {
		json_object_set(rec, "result", result);
		if (record_save(pod_data_dir, a.id, rec) == 0 && save_json(p, CNI_RESULT, result) == 0)
			rc = POD_OK;
		else
			fail_errno(POD_EFAIL, "cannot record the CNI result of pod %s", p->name);
	}
	/* Undone as far as the plugins let us: the record stays while DEL
	 * fails, for pod gc to try again. */
	if (rc != POD_OK && rec && del_list(&a, result, err, sizeof(err)) == 0)
		record_remove(pod_data_dir, a.id);
	json_decref(result);
	json_decref(rec);
	json_decref(a.maps);
	return rc;
}

/* DEL with what @rec holds; 0, or -1 with @err set. */
static int del_record(json_t *rec, const char *netns, char *err, size_t errsz)
{
	struct att a = { .id = json_string_value(json_object_get(rec, "containerID")),
			 .list = json_object_get(rec, "config"),
			 .maps = json_object_get(rec, "portMappings") };

	if (!a.id || strspn(a.id, "0123456789abcdef") != strlen(a.id) || !a.id[0] ||
	    !cni_conflist_valid(a.list)) {
		snprintf(err, errsz, "the record is invalid");
		return -1;
	}
	snprintf(a.netns, sizeof(a.netns), "%s", netns);
	return del_list(&a, json_object_get(rec, "result"), err, errsz);
}

int cni_del(const struct pod *p)
{
	json_t *ptr = load_json(p, CNI_RECORD), *rec;
	const char *data = json_string_value(json_object_get(ptr, "dataDir"));
	const char *id = json_string_value(json_object_get(ptr, "containerID"));
	char netns[POD_PATH_MAX], err[600];
	bool legacy;
	int rc = POD_OK;

	if (!ptr)
		return POD_OK;	/* no ADD was ever started */
	/* pods made before the data directory kept the whole record here */
	legacy = json_object_get(ptr, "config") != NULL;
	if (legacy) {
		rec = json_incref(ptr);
		if (!json_object_get(rec, "result"))
			json_object_set_new(rec, "result", load_json(p, CNI_RESULT));
	} else {
		rec = data && id && data[0] == '/' ? record_load(data, id) : NULL;
	}
	if (!rec && !legacy && data && id && data[0] == '/' && errno == ENOENT) {
		json_decref(ptr);
		return POD_OK;	/* ADD never started, or DEL is done */
	}
	netns_path(p, netns, sizeof(netns));
	if (!rec || del_record(rec, netns, err, sizeof(err)) < 0)
		rc = fail(POD_EFAIL, "cannot remove network %s of pod %s: %s",
			  json_string_value(json_object_get(json_object_get(rec, "config"), "name"))
				  ?: p->cni_name,
			  p->name, rec ? err : "its record is missing or invalid");
	else if (!legacy && record_remove(data, id) < 0)
		rc = fail_errno(POD_EFAIL, "cannot remove record of pod %s", p->name);
	json_decref(rec);
	json_decref(ptr);
	return rc;
}

int cni_del_record(json_t *rec, void *ctx)
{
	const char *pod = json_string_value(json_object_get(rec, "pod"));
	const char *net = json_string_value(json_object_get(rec, "network"));
	char err[600];

	(void)ctx;
	if (del_record(rec, "", err, sizeof(err)) == 0)
		return 0;
	fail(POD_EFAIL, "cannot remove network %s of pod %s: %s", net ? net : "?",
	     pod ? pod : "?", err);
	return -1;
}

json_t *cni_result(const struct pod *p)
{
	return load_json(p, CNI_RESULT);
}

void cni_result_ip(json_t *result, char *buf, size_t size)
{
	const char *addr = json_string_value(json_object_get(
		json_array_get(json_object_get(result, "ips"), 0), "address"));

	snprintf(buf, size, "%.*s", addr ? (int)strcspn(addr, "/") : 1, addr ? addr : "-");
}

void cni_first_ip(const struct pod *p, char *buf, size_t size)
{
	json_t *r = p->network == NET_CNI ? cni_result(p) : NULL;

	cni_result_ip(r, buf, size);
	json_decref(r);
}
