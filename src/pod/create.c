/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pod create: the namespaces, pause as PID 1 of the pod's PID namespace,
 * the pins and the state. Every step is undone if a later one fails.
 *
 * Order matters. The child that becomes pause waits for a byte from us
 * before it does anything: state.json (with its pid) and the pins exist
 * before it can turn into a long-lived pause, and if we die first it reads
 * EOF and exits, so no pause is ever left without a record.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pod.h"

static const char create_help[] =
	"Usage: pod create [OPTIONS] NAME\n"
	"\n"
	"Create a pod: new namespaces held by pause as PID 1, each shared one\n"
	"pinned at ROOT/NAME/ns/<type>.\n"
	"\n"
	"Options:\n"
	"  --share LIST       namespaces to share: net,ipc,uts,pid,cgroup\n"
	"                     (default " NS_DEFAULT_SHARE ")\n"
	"  --hostname NAME    the pod's hostname (default: the pod's name)\n"
	"  --sysctl KEY=VALUE set a namespaced sysctl; repeat for more\n"
	"  --network MODE     none (default: only lo), host (the host's network),\n"
	"                     cni or cni:NAME (a CNI conflist; see pod(1))\n"
	"  -p, --publish HOSTPORT:PODPORT[/tcp|/udp]\n"
	"                     publish a port (CNI portMappings); repeat for more\n"
	"  --cni-conf-dir DIR CNI conflists (default " CNI_DEFAULT_CONF_DIR ")\n"
	"  --pause PATH       the pause binary (default: pause next to pod)\n"
	"  --root DIR         state root (default $POD_ROOT or " POD_DEFAULT_ROOT ")\n"
	"  -h, --help         show this help\n";

/* The sysctls a pod may set: those the kernel keeps per namespace. */
static const struct {
	const char *key;
	bool prefix;
	int ns;
} namespaced[] = {
	{ "net.", true, CLONE_NEWNET },
	{ "fs.mqueue.", true, CLONE_NEWIPC },
	{ "kernel.msgmax", false, CLONE_NEWIPC },
	{ "kernel.msgmnb", false, CLONE_NEWIPC },
	{ "kernel.msgmni", false, CLONE_NEWIPC },
	{ "kernel.sem", false, CLONE_NEWIPC },
	{ "kernel.shmall", false, CLONE_NEWIPC },
	{ "kernel.shmmax", false, CLONE_NEWIPC },
	{ "kernel.shmmni", false, CLONE_NEWIPC },
	{ "kernel.shm_rmid_forced", false, CLONE_NEWIPC },
	{ "kernel.domainname", false, CLONE_NEWUTS },
};

static bool key_valid(const char *key, size_t len)
{
	bool empty = true;

	if (len == 0 || len > 200)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = key[i];
		if (c == '.') {
			if (empty)
				return false;
			empty = true;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '_' || c == '-') {
			empty = false;
		} else {
			return false;
		}
	}
	return !empty;
}

/* One KEY=VALUE per flag, never split further (CVE-2022-0811): the key is
 * checked against the namespaced set and the value may hold no newline. */
int pod_add_sysctl(struct pod *p, size_t *used, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : strlen(arg), i;
	const char *value = eq ? eq + 1 : NULL;

	if (!eq || !key_valid(arg, klen))
		return usage_error("create", "--sysctl %.80s: not KEY=VALUE with a "
				   "dotted key", arg);
	for (i = 0; i < sizeof(namespaced) / sizeof(namespaced[0]); i++) {
		size_t n = strlen(namespaced[i].key);
		if (namespaced[i].prefix ? klen > n && strncmp(arg, namespaced[i].key, n) == 0
					 : klen == n && strncmp(arg, namespaced[i].key, n) == 0)
			break;
	}
	if (i == sizeof(namespaced) / sizeof(namespaced[0]))
		return fail(POD_EUSAGE, "cannot set sysctl %.*s: not a namespaced "
			    "sysctl (net.*, fs.mqueue.*, kernel.shm*, kernel.msg*, "
			    "kernel.sem, kernel.domainname)", (int)klen, arg);
	if (!(p->share & namespaced[i].ns))
		return fail(POD_EUSAGE, "cannot set sysctl %.*s: the pod does not "
			    "share %s", (int)klen, arg, ns_by_flag(namespaced[i].ns)->name);
	for (const char *c = value; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return fail(POD_EUSAGE, "cannot set sysctl %.*s: the value holds "
				    "a control character", (int)klen, arg);
	if (p->nsysctls == SYSCTL_MAX ||
	    *used + strlen(arg) + 1 > sizeof(p->sysctl_text))
		return fail(POD_EUSAGE, "cannot set sysctl %.*s: too many sysctls",
			    (int)klen, arg);
	char *copy = p->sysctl_text + *used;
	strcpy(copy, arg);
	copy[klen] = '\0';
	p->sysctls[p->nsysctls].key = copy;
	p->sysctls[p->nsysctls].value = copy + klen + 1;
	p->nsysctls++;
	*used += strlen(arg) + 1;
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

/* ---- the child, which becomes pause ---- */

static int lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	rc = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	int saved = errno;
	close(s);
	errno = saved;
	return rc;
}

/* /proc/sys resolves net, ipc and uts entries in the writer's namespaces,
 * and this child is already in the pod's. */
static int set_sysctl(const struct sysctl *s)
{
	char path[256];
	int fd, rc;

	snprintf(path, sizeof(path), "/proc/sys/%s", s->key);
	for (char *c = path + sizeof("/proc/sys/") - 1; *c; c++)
		if (*c == '.')
			*c = '/';
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	rc = write_all(fd, s->value, strlen(s->value));
	int saved = errno;
	if (close(fd) < 0 && rc == 0)
		rc = -1;
	else
		errno = saved;
	return rc;
}

static void child_main(const struct pod *p, int go_fd, int err_fd, int log_fd)
{
	static char name[] = "pause";
	char *const argv[] = { name, NULL }, *const envp[] = { NULL };
	sigset_t none;
	char go;
	int null;

	if (read(go_fd, &go, 1) != 1)
		_exit(1);	/* the parent failed or died: no pause */
	close(go_fd);
	setsid();
	if (chdir("/") < 0)
		report_fail(err_fd, POD_EFAIL, "cannot enter / in pod %s", p->name);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0)
		report_fail(err_fd, POD_EFAIL, "cannot set up pause's stdio in pod %s", p->name);
	if ((p->share & CLONE_NEWNET) && (fault("lo") < 0 || lo_up() < 0))
		report_fail(err_fd, POD_EFAIL, "cannot bring up lo in pod %s", p->name);
	if ((p->share & CLONE_NEWUTS) &&
	    (fault("hostname") < 0 || sethostname(p->hostname, strlen(p->hostname)) < 0))
		report_fail(err_fd, POD_EFAIL, "cannot set hostname %s of pod %s", p->hostname, p->name);
	for (size_t i = 0; i < p->nsysctls; i++)
		if (fault("sysctl") < 0 || set_sysctl(&p->sysctls[i]) < 0)
			report_fail(err_fd, POD_EFAIL, "cannot set sysctl %s of pod %s",
				   p->sysctls[i].key, p->name);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (fault("exec") == 0)
		execve(p->pause, argv, envp);
	report_fail(err_fd, POD_EFAIL, "cannot start pause %s in pod %s", p->pause, p->name);
}

/* ---- the parent ---- */

/* The conflist cmd_create chose, for make_pod. */
static json_t *conflist;

struct made {
	bool root, dir, cni;
	int lock, pidfd;
	pid_t child;
};

static void undo(struct pod *p, struct made *m)
{
	/* the network goes while its pin still holds the namespace */
	if (m->cni)
		cni_del(p);
	if (m->child > 0) {
		if (pidfd_send_signal(m->pidfd, SIGKILL, NULL, 0) < 0)
			kill(m->child, SIGKILL);
		while (waitpid(m->child, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (m->pidfd >= 0)
		close(m->pidfd);
	if (m->dir)
		pod_clear(p);
	if (m->lock >= 0)
		close(m->lock);
	if (m->root)
		rmdir(pod_root);	/* only if still empty */
}

static pid_t spawn(const struct pod *p, int *pidfd, int go[2], int err[2], int log_fd)
{
	struct clone_args ca;
	long pid;

	memset(&ca, 0, sizeof(ca));
	ca.flags = (uint64_t)(unsigned)(p->share | CLONE_NEWPID) | (uint64_t)CLONE_PIDFD;
	ca.pidfd = (uint64_t)(uintptr_t)pidfd;
	ca.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0) {
		close(go[1]);
		close(err[0]);
		child_main(p, go[0], err[1], log_fd);
	}
	return (pid_t)pid;
}

static int make_pod(struct pod *p)
{
	struct made m = { .lock = -1, .pidfd = -1 };
	int go[2] = { -1, -1 }, err[2] = { -1, -1 }, log_fd = -1, rc = POD_EFAIL, status;
	char path[4200];
	struct report rep;
	ssize_t n;

	if (fault("root") < 0) {
		fail(POD_EFAIL, "cannot create state root %s: %s", pod_root, strerror(errno));
		goto out;
	}
	if (mkdir(pod_root, 0711) == 0)
		m.root = true;
	else if (errno != EEXIST) {
		fail(POD_EFAIL, "cannot create state root %s: %s", pod_root, strerror(errno));
		goto out;
	}
	if (fault("lock") < 0 || (m.lock = pod_root_lock()) < 0) {
		fail(POD_EFAIL, "cannot lock state root %s: %s", pod_root, strerror(errno));
		goto out;
	}
	if (fault("reserve") < 0 || mkdir(p->dir, 0700) < 0) {
		if (errno == EEXIST)
			rc = fail(POD_ECONFLICT, "cannot create pod %s: it exists", p->name);
		else
			fail(POD_EFAIL, "cannot create %s: %s", p->dir, strerror(errno));
		goto out;
	}
	m.dir = true;
	if (fault("ns-dir") < 0 || path_join(path, sizeof(path), p->dir, "ns") < 0 ||
	    mkdir(path, 0700) < 0) {
		fail(POD_EFAIL, "cannot create %s/ns: %s", p->dir, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < ns_kinds_len; i++) {
		int fd;
		if (!(p->share & ns_kinds[i].flag))
			continue;
		if (ns_pin_path(p, &ns_kinds[i], path, sizeof(path)) < 0 ||
		    (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400)) < 0) {
			fail(POD_EFAIL, "cannot create pin %s: %s", path, strerror(errno));
			goto out;
		}
		close(fd);
	}
	if (fault("log") < 0 || path_join(path, sizeof(path), p->dir, "log") < 0 ||
	    (log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0) {
		fail(POD_EFAIL, "cannot create %s/log: %s", p->dir, strerror(errno));
		goto out;
	}
	/* go is a socket pair: send() with MSG_NOSIGNAL gets EPIPE, not a
	 * SIGPIPE, if the child has died. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, go) < 0 ||
	    pipe2(err, O_CLOEXEC) < 0 || fault("spawn") < 0 ||
	    (m.child = spawn(p, &m.pidfd, go, err, log_fd)) < 0) {
		m.child = 0;
		fail(POD_EFAIL, "cannot start pause for pod %s: %s", p->name, strerror(errno));
		goto out;
	}
	close(go[0]);
	close(err[1]);
	go[0] = err[1] = -1;

	p->pid = m.child;
	p->created = (long long)time(NULL);
	if (proc_stat(p->pid, &p->starttime, NULL) < 0 ||
	    boot_id(p->boot_id, sizeof(p->boot_id)) < 0 || fault("state") < 0 ||
	    pod_state_save(p) < 0) {
		fail(POD_EFAIL, "cannot record state of pod %s: %s", p->name, strerror(errno));
		goto out;
	}
	p->has_state = true;
	for (size_t i = 0; i < ns_kinds_len; i++) {
		if (!(p->share & ns_kinds[i].flag))
			continue;
		if (ns_pin(p, &ns_kinds[i], p->pid) < 0) {
			fail(POD_EFAIL, "cannot pin %s namespace of pod %s: %s",
			     ns_kinds[i].name, p->name, strerror(errno));
			goto out;
		}
	}

	if (p->network == NET_CNI) {
		m.cni = true;
		if (cni_add(p, conflist) != POD_OK) {
			m.cni = false;	/* cni_add has run DEL itself */
			goto out;
		}
	}

	/* Let the child go; EOF on the error pipe means pause is running. */
	if (send(go[1], "g", 1, MSG_NOSIGNAL) != 1) {
		fail(POD_EFAIL, "cannot start pause for pod %s: %s", p->name, strerror(errno));
		goto out;
	}
	while ((n = read(err[0], &rep, sizeof(rep))) < 0 && errno == EINTR)
		;
	if (n != 0) {
		rep.msg[sizeof(rep.msg) - 1] = '\0';
		fail(POD_EFAIL, "%s", n == (ssize_t)sizeof(rep) ? rep.msg
				      : "cannot start pause: lost its report");
		goto out;
	}
	/* EOF comes from the exec, or from a child that died before it */
	if (waitpid(m.child, &status, WNOHANG) == m.child) {
		m.child = 0;	/* reaped: nothing left to kill */
		if (WIFSIGNALED(status))
			fail(POD_EFAIL, "cannot start pause for pod %s: killed by signal %d",
			     p->name, WTERMSIG(status));
		else
			fail(POD_EFAIL, "cannot start pause for pod %s: it exited with "
			     "status %d", p->name, WEXITSTATUS(status));
		goto out;
	}
	m.child = 0;	/* pause runs: nothing to undo past here */
	rc = POD_OK;
out:
	if (rc != POD_OK)
		undo(p, &m);
	else {
		close(m.pidfd);
		close(m.lock);
	}
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	if (log_fd >= 0)
		close(log_fd);
	return rc;
}

int create_parse(int argc, char **argv, struct pod *p, struct create_args *a)
{
	static const struct option opts[] = {
		{ "share", required_argument, NULL, 's' },
		{ "hostname", required_argument, NULL, 'H' },
		{ "sysctl", required_argument, NULL, 'S' },
		{ "pause", required_argument, NULL, 'P' },
		{ "network", required_argument, NULL, 'N' },
		{ "publish", required_argument, NULL, 'p' },
		{ "cni-conf-dir", required_argument, NULL, 'C' },
		POD_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *share = NULL, *hostname = NULL, *network = "none";
	const char *sysctls[SYSCTL_MAX + 1];
	size_t nsysctls = 0, used = 0, nports = 0;
	struct port ports[PORTS_MAX];
	int opt, rc;

	a->pause = NULL;
	a->conf_dir = CNI_DEFAULT_CONF_DIR;
	a->cni_name = NULL;
	while ((opt = getopt_long(argc, argv, "+:p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's': share = optarg; break;
		case 'N': network = optarg ? optarg : network; break;
		case 'C': a->conf_dir = optarg; break;
		case 'p':
			if (nports == PORTS_MAX)
				return usage_error("create", "more than %d ports", PORTS_MAX);
			if (port_parse(optarg, &ports[nports]) < 0)
				return usage_error("create", "-p %.80s: not HOSTPORT:PODPORT"
						   "[/tcp|/udp] with ports 1-65535", optarg);
			nports++;
			break;
		case 'H': hostname = optarg; break;
		case 'P': a->pause = optarg; break;
		case 'S':
			if (nsysctls == SYSCTL_MAX + 1)
				return usage_error("create", "more than %d --sysctl", SYSCTL_MAX);
			sysctls[nsysctls++] = optarg;
			break;
		default:
			if ((rc = common_opt(opt, argv, "create", create_help)))
				return rc;
		}
	}
	if (optind != argc - 1)
		return usage_error("create", optind == argc ? "NAME is missing"
							    : "one NAME only");
	if ((rc = pod_open(p, argv[optind])))
		return rc;
	memcpy(p->ports, ports, nports * sizeof(ports[0]));
	p->nports = nports;
	if (ns_parse_share(share ? share : NS_DEFAULT_SHARE, &p->share) < 0)
		return usage_error("create", "--share %.80s: not a list of net, ipc, "
				   "uts, pid, cgroup", share);
	if (strcmp(network, "none") == 0) {
		p->network = NET_NONE;
	} else if (strcmp(network, "host") == 0) {
		if (share && (p->share & CLONE_NEWNET))
			return usage_error("create", "--network host and net in --share");
		p->network = NET_HOST;
		p->share &= ~CLONE_NEWNET;
	} else if (strcmp(network, "cni") == 0 || strncmp(network, "cni:", 4) == 0) {
		p->network = NET_CNI;
		a->cni_name = network[3] ? network + 4 : NULL;
		if (a->cni_name && !pod_name_valid(a->cni_name))
			return usage_error("create", "--network %.80s: not cni:NAME", network);
		if (!(p->share & CLONE_NEWNET))
			return usage_error("create", "--network cni needs net in --share");
	} else {
		return usage_error("create", "--network %.80s: not none, host, cni or "
				   "cni:NAME", network);
	}
	if (p->nports && p->network != NET_CNI)
		return usage_error("create", "-p needs --network cni");
	if (!p->share)
		return usage_error("create", "--network host leaves nothing to share");
	if (hostname && !(p->share & CLONE_NEWUTS))
		return usage_error("create", "--hostname needs uts in --share");
	if (!hostname)
		hostname = p->name;
	if (!hostname_valid(hostname))
		return usage_error("create", "--hostname %.80s: not a host name", hostname);
	strcpy(p->hostname, hostname);
	for (size_t i = 0; i < nsysctls; i++)
		if ((rc = pod_add_sysctl(p, &used, sysctls[i])))
			return rc;
	return POD_OK;
}

int cmd_create(int argc, char **argv)
{
	static struct pod p;	/* large: keep it off the stack */
	struct create_args a;
	int rc = create_parse(argc, argv, &p, &a);

	if (rc)
		return rc;
	if (a.pause ? !realpath(a.pause, p.pause) : default_pause(p.pause, sizeof(p.pause)) < 0)
		return fail(POD_EFAIL, "cannot find pause %s: %s", a.pause ? a.pause : "next to pod",
			    strerror(errno));
	if (access(p.pause, X_OK) < 0)
		return fail(POD_EFAIL, "cannot use pause %s: %s", p.pause, strerror(errno));
	if (p.network == NET_CNI && (rc = cni_choose(&p, a.conf_dir, a.cni_name, &conflist)))
		return rc;
	rc = with_interrupts_held(make_pod, &p);
	json_decref(conflist);
	return rc;
}
