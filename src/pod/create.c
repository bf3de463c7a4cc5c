/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pod create: the namespaces, pause as PID 1 of the pod's PID namespace,
 * the pins and the state. Every step is undone if a later one fails: one
 * struct made records what exists, and one undo() takes it down.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cli.h"
#include "cni.h"
#include "ns.h"
#include "procs.h"
#include "spawn.h"
#include "state.h"
#include "sysctl.h"
#include "usernet.h"
#include "userns.h"
#include "util.h"

enum {
	OPT_SHARE = OPT_LONG, OPT_HOSTNAME, OPT_SYSCTL, OPT_NETWORK, OPT_CNI_CONF_DIR,
	OPT_PAUSE, OPT_MEMORY, OPT_CPUS, OPT_PIDS_LIMIT, OPT_CGROUP_PARENT, OPT_CNI_TIMEOUT,
	OPT_USERNS,
};

static const struct opt create_opts[] = {
	{ "share", OPT_SHARE, "LIST", "namespaces to share: net,ipc,uts,pid,cgroup\n"
				      "(default " NS_DEFAULT_SHARE ")" },
	{ "hostname", OPT_HOSTNAME, "NAME", "the pod's hostname (default: the pod's name)" },
	{ "sysctl", OPT_SYSCTL, "KEY=VALUE", "set a namespaced sysctl; repeat for more" },
	{ "network", OPT_NETWORK, "MODE", "none (default: only lo), host (the host's network),\n"
					  "cni or cni:NAME (a CNI conflist; root only),\n"
					  "pasta or slirp4netns (user-mode; see pod(1))" },
	{ "publish", 'p', "HOSTPORT:PODPORT[/tcp|/udp]",
	  "publish a port (CNI portMappings, or the user-mode\n"
	  "helper's); repeat for more" },
	{ "userns", OPT_USERNS, "auto|UID:HOSTUID:COUNT",
	  "root: a user namespace mapping UID.. to HOSTUID..\n"
	  "(auto: a free block of 65536 of /etc/subuid's \"pod\");\n"
	  "a user's pod always has one" },
	{ "cni-conf-dir", OPT_CNI_CONF_DIR, "DIR", "CNI conflists (default " CNI_DEFAULT_CONF_DIR ")" },
	CLI_CNI_TIMEOUT(OPT_CNI_TIMEOUT),
	{ "pause", OPT_PAUSE, "PATH", "the pause binary (default: pause next to pod)" },
	{ "memory", OPT_MEMORY, "SIZE", "memory limit: bytes, or K, M, G, Ki, Mi, Gi\n"
					"(powers of 1024)" },
	{ "cpus", OPT_CPUS, "N", "CPU limit, in CPUs (0.5: half of one; 3 decimals)" },
	{ "pids-limit", OPT_PIDS_LIMIT, "N", "at most N processes and threads" },
	{ "cgroup-parent", OPT_CGROUP_PARENT, "PATH",
	  "the cgroup pod-NAME goes in: absolute from the\n"
	  "hierarchy's root, or relative to pod's own cgroup\n"
	  "(default $POD_CGROUP_PARENT, else " CG_DEFAULT_PARENT ")" },
	OPT_END,
};

static int create_main(int argc, char **argv);

const struct command cmd_create = {
	.name = "create",
	.operands = "[OPTIONS] NAME",
	.summary = "create a pod held by pause",
	.about = "Create a pod: new namespaces held by pause as PID 1, each shared one\n"
		 "pinned at ROOT/NAME/ns/<type>.",
	.opts = create_opts,
	.usage_code = POD_EUSAGE,
	.main = create_main,
};

/* ---- the command line ---- */

static int create_opt(void *ctx, int key, char *arg)
{
	struct create_args *a = ctx;

	switch (key) {
	case OPT_SHARE: a->share = arg; break;
	case OPT_HOSTNAME: a->hostname = arg; break;
	case OPT_NETWORK: a->network = arg; break;
	case OPT_CNI_CONF_DIR: a->conf_dir = arg; break;
	case OPT_PAUSE: a->pause = arg; break;
	case OPT_MEMORY: a->memory = arg; break;
	case OPT_CPUS: a->cpus = arg; break;
	case OPT_PIDS_LIMIT: a->pids_limit = arg; break;
	case OPT_CGROUP_PARENT: a->cgroup_parent = arg; break;
	case OPT_USERNS: a->userns = arg; break;
	case OPT_CNI_TIMEOUT: return cli_cni_timeout(&cmd_create, arg);
	case OPT_SYSCTL:
		/* one more than fits, for sysctl_add to refuse with its reason */
		if (a->nsysctls == ARRAY_LEN(a->sysctls))
			return cli_usage(&cmd_create, "more than %d --sysctl", SYSCTL_MAX);
		a->sysctls[a->nsysctls++] = arg;
		break;
	case 'p':
		if (a->nports == PORTS_MAX)
			return cli_usage(&cmd_create, "more than %d ports", PORTS_MAX);
		if (port_parse(arg, &a->ports[a->nports]) < 0)
			return cli_usage(&cmd_create, "-p %.80s: not HOSTPORT:PODPORT"
					 "[/tcp|/udp] with ports 1-65535", arg);
		a->nports++;
		break;
	}
	return POD_OK;
}

/* --network against --share: sets p->network and a->cni_name. */
static int create_network(struct pod *p, struct create_args *a)
{
	const char *net = a->network;

	if (strcmp(net, "none") == 0) {
		p->network = NET_NONE;
	} else if (strcmp(net, "host") == 0) {
		if (a->share && (p->share & CLONE_NEWNET))
			return cli_usage(&cmd_create, "--network host and net in --share");
		p->network = NET_HOST;
		p->share &= ~CLONE_NEWNET;
	} else if (strcmp(net, "cni") == 0 || strncmp(net, "cni:", 4) == 0) {
		p->network = NET_CNI;
		a->cni_name = net[3] ? net + 4 : NULL;
		if (a->cni_name && !pod_name_valid(a->cni_name))
			return cli_usage(&cmd_create, "--network %.80s: not cni:NAME", net);
		if (!(p->share & CLONE_NEWNET))
			return cli_usage(&cmd_create, "--network cni needs net in --share");
	} else if (strcmp(net, "pasta") == 0 || strcmp(net, "slirp4netns") == 0) {
		p->network = net[0] == 'p' ? NET_PASTA : NET_SLIRP;
		if (!(p->share & CLONE_NEWNET))
			return cli_usage(&cmd_create, "--network %s needs net in --share", net);
	} else {
		return cli_usage(&cmd_create, "--network %.80s: not none, host, cni, cni:NAME, "
				 "pasta or slirp4netns", net);
	}
	if (p->nports && (p->network == NET_NONE || p->network == NET_HOST))
		return cli_usage(&cmd_create, "-p needs --network cni, pasta or slirp4netns");
	if (!p->share)
		return cli_usage(&cmd_create, "--network host leaves nothing to share");
	return POD_OK;
}

static bool hostname_valid(const char *h)
{
	size_t len = strlen(h);

	if (len == 0 || len > 64 || h[0] == '-' || h[0] == '.')
		return false;
	return strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_.-") == len;
}

/* The hostname and the sysctls, once the shared namespaces are known. */
static int create_settings(struct pod *p, struct create_args *a)
{
	const char *hostname = a->hostname ? a->hostname : p->name;
	size_t used = 0;

	if (a->hostname && !(p->share & CLONE_NEWUTS))
		return cli_usage(&cmd_create, "--hostname needs uts in --share");
	if (!hostname_valid(hostname))
		return cli_usage(&cmd_create, "--hostname %.80s: not a host name", hostname);
	strcpy(p->hostname, hostname);
	for (size_t i = 0; i < a->nsysctls; i++) {
		int rc = sysctl_add(p, &used, a->sysctls[i]);
		if (rc)
			return rc;
	}
	return POD_OK;
}

/* --memory, --cpus, --pids-limit and --cgroup-parent */
static int create_resources(struct pod *p, struct create_args *a)
{
	unsigned long pids = 0;
	const char *parent = a->cgroup_parent ? a->cgroup_parent : getenv("POD_CGROUP_PARENT");

	if (!a->cgroup_parent && parent && !parent[0])
		parent = NULL;	/* an empty variable is an unset one */

	if (a->memory && cg_parse_size(a->memory, &p->memory) < 0)
		return cli_usage(&cmd_create, "--memory %.80s: not a size from 1 byte to 4 EiB "
				 "(bytes, or K, M, G, Ki, Mi, Gi)", a->memory);
	if (a->cpus && cg_parse_cpus(a->cpus, &p->millicpus) < 0)
		return cli_usage(&cmd_create, "--cpus %.80s: not a number of CPUs above 0 "
				 "with at most 3 decimals", a->cpus);
	if (a->pids_limit && parse_uint(a->pids_limit, 4194304, &pids) < 0)
		return cli_usage(&cmd_create, "--pids-limit %.80s: not a number from 1 to 4194304",
				 a->pids_limit);
	if (a->pids_limit && pids == 0)
		return cli_usage(&cmd_create, "--pids-limit 0: not a number from 1 to 4194304");
	p->pids_limit = a->pids_limit ? pids : 0;
	if (parent && (!parent[0] || strlen(parent) >= sizeof(p->cgroup_parent) ||
		       strstr(parent, "..") || strchr(parent, '\n')))
		return cli_usage(&cmd_create, "--cgroup-parent %.80s: not a cgroup path", parent);
	if (parent)
		strcpy(p->cgroup_parent, parent);
	return POD_OK;
}

/* The lowest port a user may bind: net.ipv4.ip_unprivileged_port_start. */
static unsigned long unprivileged_port_start(void)
{
	char buf[32];
	unsigned long v;

	if (read_file("/proc/sys/net/ipv4/ip_unprivileged_port_start", buf, sizeof(buf)) < 0)
		return 1024;
	buf[strcspn(buf, "\n")] = '\0';
	return parse_uint(buf, 65536, &v) < 0 ? 1024 : v;
}

/* A user's pod: a user namespace of its own, user-mode networking only,
 * ports the user may bind. Root's: --userns if asked. */
static int create_userns(struct pod *p, struct create_args *a)
{
	unsigned long low = unprivileged_port_start();

	if (geteuid() == 0)
		return a->userns ? userns_parse(p, a->userns, &a->userns_auto) : POD_OK;
	if (a->userns)
		return cli_usage(&cmd_create, "--userns is root's: a user's pod always has a "
				 "user namespace of its own");
	if (p->network == NET_CNI)
		return fail(POD_EUSAGE, "cannot create pod %s: CNI networking needs root (a "
			    "user's pod can use --network pasta or slirp4netns)", p->name);
	for (size_t i = 0; i < p->nports; i++)
		if (p->ports[i].host < low)
			return fail(POD_EUSAGE, "cannot publish port %u of pod %s: a user may "
				    "bind ports from %lu up (net.ipv4.ip_unprivileged_port_start)",
				    p->ports[i].host, p->name, low);
	return userns_plan_rootless(p);
}

int create_parse(int argc, char **argv, struct pod *p, struct create_args *a)
{
	const char *name;
	int first, rc;

	memset(a, 0, sizeof(*a));
	a->conf_dir = CNI_DEFAULT_CONF_DIR;
	a->network = "none";
	if ((rc = cli_parse(&cmd_create, argc, argv, create_opt, a, &first)) ||
	    (rc = cli_one_operand(&cmd_create, argc, argv, first, &name)))
		return rc;
	if ((rc = pod_open(p, name)))
		return rc;
	memcpy(p->ports, a->ports, a->nports * sizeof(a->ports[0]));
	p->nports = a->nports;
	if (ns_parse_share(a->share ? a->share : NS_DEFAULT_SHARE, &p->share) < 0)
		return cli_usage(&cmd_create, "--share %.80s: not a list of net, ipc, "
				 "uts, pid, cgroup", a->share);
	if ((rc = create_network(p, a)) || (rc = create_resources(p, a)) ||
	    (rc = create_settings(p, a)))
		return rc;
	return create_userns(p, a);
}

/* ---- making the pod ---- */

struct made {
	bool root, dir, cni, cgroup, helper;
	int lock, log;
	struct spawned child;
};

static void undo(struct pod *p, struct made *m)
{
	/* the network goes while its pin still holds the namespace */
	if (m->cni)
		cni_del(p);
	if (m->helper)
		usernet_stop(p);
	if (m->child.pid > 0) {
		if (pidfd_send_signal(m->child.pidfd, SIGKILL, NULL, 0) < 0)
			kill(m->child.pid, SIGKILL);
		while (waitpid(m->child.pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (m->cgroup)
		cg_remove(p);
	if (m->dir)
		pod_clear(p);
	if (m->root)
		rmdir(pod_root);	/* only if still empty */
}

/* The state root, and its lock. */
static int make_root(struct made *m)
{
	if (fault("root") < 0)
		return fail_errno(POD_EFAIL, "cannot create state root %s", pod_root);
	/* root's lets a user reach a pod they are given; a user's is theirs */
	if (mkdir(pod_root, geteuid() == 0 ? 0711 : 0700) == 0)
		m->root = true;
	else if (errno != EEXIST)
		return fail_errno(POD_EFAIL, "cannot create state root %s", pod_root);
	if (fault("lock") < 0 || (m->lock = pod_root_lock()) < 0)
		return fail_errno(POD_EFAIL, "cannot lock state root %s", pod_root);
	return POD_OK;
}

/* ROOT/NAME, reserved by mkdir: then ns/, an empty file per pin, the log. */
static int make_dir(struct pod *p, struct made *m)
{
	char path[POD_PATH_MAX];
	int fd;

	if (fault("reserve") < 0 || mkdir(p->dir, 0700) < 0) {
		if (errno == EEXIST)
			return fail(POD_ECONFLICT, "cannot create pod %s: it exists", p->name);
		return fail_errno(POD_EFAIL, "cannot create %s", p->dir);
	}
	m->dir = true;
	if (fault("ns-dir") < 0 || path_join(path, sizeof(path), p->dir, "ns") < 0 ||
	    mkdir(path, 0700) < 0)
		return fail_errno(POD_EFAIL, "cannot create %s/ns", p->dir);
	for (size_t i = 0; i < ns_kinds_len && !p->rootless; i++) {
		if (!(p->share & ns_kinds[i].flag))
			continue;
		if (ns_pin_path(p, &ns_kinds[i], path, sizeof(path)) < 0 ||
		    (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400)) < 0)
			return fail_errno(POD_EFAIL, "cannot create pin %s", path);
		close(fd);
	}
	if (fault("log") < 0 || path_join(path, sizeof(path), p->dir, "log") < 0 ||
	    (m->log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0)
		return fail_errno(POD_EFAIL, "cannot create %s/log", p->dir);
	return POD_OK;
}

/* state.json with the child's pid, start time and boot id; then the pins
 * of its namespaces. */
static int record(struct pod *p)
{
	p->created = (long long)time(NULL);
	p->ready = false;
	if (proc_stat(p->pid, &p->starttime, NULL) < 0 ||
	    boot_id(p->boot_id, sizeof(p->boot_id)) < 0 || fault("state") < 0 ||
	    pod_state_save(p) < 0)
		return fail_errno(POD_EFAIL, "cannot record state of pod %s", p->name);
	p->has_state = true;
	for (size_t i = 0; i < ns_kinds_len && !p->rootless; i++)
		if ((p->share & ns_kinds[i].flag) && ns_pin(p, &ns_kinds[i], p->pid) < 0)
			return fail_errno(POD_EFAIL, "cannot pin %s namespace of pod %s",
					  ns_kinds[i].name, p->name);
	return POD_OK;
}

/* pause runs with lo up, its hostname and its network: pod run may join. */
static int mark_ready(struct pod *p)
{
	p->ready = true;
	if (fault("ready") < 0 || pod_state_save(p) < 0)
		return fail_errno(POD_EFAIL, "cannot record state of pod %s", p->name);
	return POD_OK;
}

struct create_job {
	struct pod *pod;
	json_t *conflist;
	struct cg_dirs cg;
	bool userns_auto;
};

static int make_pod(void *arg)
{
	struct create_job *job = arg;
	struct pod *p = job->pod;
	struct made m = { .lock = -1, .log = -1, .child = { .pid = -1, .pidfd = -1,
							     .go = -1, .err = -1 } };
	int rc;

	if (!(rc = make_root(&m)) && !(rc = userns_allocate(p, job->userns_auto)) &&
	    !(rc = make_dir(p, &m)) && job->cg.mode != CG_NONE) {
		/* listed before it is made: undo and rm find what there is */
		m.cgroup = true;
		rc = cg_make(p, &job->cg);
	}
	if (!rc) {
		if (spawn_pause(p, &job->cg, m.log, &m.child) < 0)
			rc = fail_errno(POD_EFAIL, "cannot start pause for pod %s", p->name);
		else
			p->pid = m.child.pid;
	}
	/* the child waits, unmapped, for its maps */
	if (!rc && p->userns != USERNS_NONE && fault("userns") < 0)
		rc = fail_errno(POD_EFAIL, "cannot map ids of pod %s", p->name);
	if (!rc && p->userns != USERNS_NONE && userns_map(p, p->pid) < 0)
		rc = POD_EFAIL;
	if (!rc)
		rc = record(p);
	if (!rc && usernet_prog(p->network)) {
		/* listed in state.json once it runs, before pause goes on */
		m.helper = true;
		if (!(rc = usernet_start(p, m.log)) && (fault("helper-state") < 0 ||
							pod_state_save(p) < 0))
			rc = fail_errno(POD_EFAIL, "cannot record state of pod %s", p->name);
	}
	if (!rc && p->network == NET_CNI) {
		/* on failure cni_add has run DEL itself */
		rc = cni_add(p, job->conflist);
		m.cni = rc == POD_OK;
	}
	if (!rc)
		rc = spawn_go(p, &m.child);
	if (!rc)
		rc = mark_ready(p);
	if (rc)
		undo(p, &m);
	/* past mark_ready the pod is made: nothing more to undo */
	close_keep_errno(m.child.pidfd);
	close_keep_errno(m.child.go);
	close_keep_errno(m.child.err);
	close_keep_errno(m.log);
	close_keep_errno(m.lock);
	return rc;
}

/* pause next to this program: bin/pod and bin/pause, or both installed */
static int default_pause(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n < 0)
		return -1;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash || (size_t)(slash - buf) + sizeof("/pause") > size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(slash, "/pause");
	return 0;
}

static int create_main(int argc, char **argv)
{
	static struct pod p;	/* large: keep it off the stack */
	static struct create_job job = { &p, NULL, { 0 }, false };
	struct create_args a;
	int rc = create_parse(argc, argv, &p, &a);

	if (rc)
		return rc;
	if (a.pause ? !realpath(a.pause, p.pause) : default_pause(p.pause, sizeof(p.pause)) < 0)
		return fail_errno(POD_EFAIL, "cannot find pause %s", a.pause ? a.pause : "next to pod");
	if (access(p.pause, X_OK) < 0)
		return fail_errno(POD_EFAIL, "cannot use pause %s", p.pause);
	if ((rc = cg_plan(&p, &job.cg)))
		return rc;
	if (p.network == NET_CNI && (rc = cni_choose(&p, a.conf_dir, a.cni_name, &job.conflist)))
		return rc;
	job.userns_auto = a.userns_auto;
	rc = with_interrupts_held(make_pod, &job);
	json_decref(job.conflist);
	return rc;
}
