/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod's cgroup: detection, layout, limits, placement, kill, stats.
 * Limits follow the kubelet: memory in bytes; CPU as a CFS quota of
 * millicpus * 100 us per 100 ms period (at least 1 ms); pids as a count.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "mounts.h"
#include "util.h"

const char *const cg_mode_names[] = { "none", "unified", "hybrid", "legacy" };

/* The v1 controllers pod uses, in the order it tracks processes by:
 * freezer first (stop freezes through it). */
static const char *const v1_ctrls[] = { "freezer", "pids", "memory", "cpu", "cpuacct" };

#define CPU_PERIOD 100000	/* us: the kubelet's, and the kernel's default */
#define CPU_MIN_QUOTA 1000	/* us: the kernel refuses less */
#define PIDS_MAX 4194304	/* the kernel's PID_MAX_LIMIT */

/* ---- parsing ---- */

int cg_parse_size(const char *s, unsigned long long *bytes)
{
	static const struct { const char *suffix; unsigned shift; } units[] = {
		{ "", 0 }, { "K", 10 }, { "M", 20 }, { "G", 30 },
		{ "Ki", 10 }, { "Mi", 20 }, { "Gi", 30 },
	};
	unsigned long long v = 0;
	size_t digits = strspn(s, "0123456789");

	if (digits == 0 || digits > 19)
		return -1;
	for (size_t i = 0; i < digits; i++)
		v = v * 10 + (unsigned long long)(s[i] - '0');
	for (size_t i = 0; i < ARRAY_LEN(units); i++) {
		if (strcmp(s + digits, units[i].suffix) != 0)
			continue;
		/* zero, or more than the kernel's page counters can hold */
		if (v == 0 || v > (1ULL << (62 - units[i].shift)))
			return -1;
		*bytes = v << units[i].shift;
		return 0;
	}
	return -1;
}

int cg_parse_cpus(const char *s, unsigned long *millicpus)
{
	size_t whole = strspn(s, "0123456789"), frac = 0;
	unsigned long v = 0;

	if (whole > 6 || (whole == 0 && s[0] != '.'))
		return -1;
	for (size_t i = 0; i < whole; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	if (s[whole] == '.') {
		frac = strspn(s + whole + 1, "0123456789");
		if (frac == 0 || frac > 3)
			return -1;
	} else if (s[whole]) {
		return -1;
	}
	for (size_t i = 0; i < 3; i++)
		v = v * 10 + (i < frac ? (unsigned long)(s[whole + 1 + i] - '0') : 0);
	if (s[whole] == '.' && s[whole + 1 + frac])
		return -1;
	if (v == 0)
		return -1;
	*millicpus = v;
	return 0;
}

/* ---- detection ---- */

/* One line of mountinfo: fields 3 (major:minor), 4 (root), 5 (mount
 * point), unescaped, the fstype and the super options. */
static int mountinfo_fields(char *line, char **dev, char **root, char **mnt, char **type,
			    char **opts)
{
	char *f[6], *save = NULL, *sep = strstr(line, " - ");
	int i = 0;

	if (!sep)
		return -1;
	*sep = '\0';
	for (char *t = strtok_r(line, " ", &save); t && i < 6; t = strtok_r(NULL, " ", &save))
		f[i++] = t;
	if (i < 5)
		return -1;
	*dev = f[2];
	*root = f[3];
	*mnt = f[4];
	mountinfo_unescape(*root);
	mountinfo_unescape(*mnt);
	save = NULL;
	*type = strtok_r(sep + 3, " ", &save);
	strtok_r(NULL, " ", &save);	/* the source */
	*opts = strtok_r(NULL, " \n", &save);
	return *type && *opts ? 0 : -1;
}

static bool opt_has(const char *opts, const char *name)
{
	size_t len = strlen(name);

	for (const char *o = opts; o; o = strchr(o, ',') ? strchr(o, ',') + 1 : NULL)
		if (strncmp(o, name, len) == 0 && (o[len] == ',' || o[len] == '\0'))
			return true;
	return false;
}

struct mounts {
	char unified[512];
	char v1[ARRAY_LEN(v1_ctrls)][512];
	char v1_root[ARRAY_LEN(v1_ctrls)][256];
	char unified_root[256];
};

/* Is the mount at @mnt the one we see there, not one mounted over? */
static bool visible(const char *mnt, const char *dev)
{
	struct stat st;
	char here[32];

	if (stat(mnt, &st) < 0)
		return false;
	snprintf(here, sizeof(here), "%u:%u", major(st.st_dev), minor(st.st_dev));
	return strcmp(here, dev) == 0;
}

static void mounts_read(struct mounts *m)
{
	static char buf[MOUNTINFO_BUF];
	FILE *f = mountinfo_open(buf);
	char line[4096], *dev, *root, *mnt, *type, *opts;

	memset(m, 0, sizeof(*m));
	while (f && fgets(line, sizeof(line), f)) {
		if (mountinfo_fields(line, &dev, &root, &mnt, &type, &opts) < 0 ||
		    strlen(mnt) >= sizeof(m->unified) || strlen(root) >= sizeof(m->unified_root) ||
		    (strncmp(type, "cgroup", 6) == 0 && !visible(mnt, dev)))
			continue;
		if (strcmp(type, "cgroup2") == 0 && !m->unified[0]) {
			strcpy(m->unified, mnt);
			strcpy(m->unified_root, root);
		}
		for (size_t i = 0; strcmp(type, "cgroup") == 0 && i < ARRAY_LEN(v1_ctrls); i++)
			if (!m->v1[i][0] && opt_has(opts, v1_ctrls[i])) {
				strcpy(m->v1[i], mnt);
				strcpy(m->v1_root[i], root);
			}
	}
	if (f)
		fclose(f);
}

static enum cg_mode mode_of(const struct mounts *m)
{
	bool v1 = false;

	for (size_t i = 0; i < ARRAY_LEN(v1_ctrls); i++)
		v1 |= m->v1[i][0] != '\0';
	if (v1)
		return m->unified[0] ? CG_HYBRID : CG_LEGACY;
	return m->unified[0] ? CG_UNIFIED : CG_NONE;
}

/* Our own cgroup in the hierarchy of @ctrl ("" for v2), from
 * /proc/self/cgroup, less the mount's root. */
static int own_cgroup(const char *ctrl, const char *mount_root, char *buf, size_t size)
{
	char text[4096], *save = NULL;
	size_t rlen = strcmp(mount_root, "/") == 0 ? 0 : strlen(mount_root);

	if (read_file("/proc/self/cgroup", text, sizeof(text)) < 0)
		return -1;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctrls = strchr(line, ':'), *path = ctrls ? strchr(ctrls + 1, ':') : NULL;
		if (!path)
			continue;
		*path++ = '\0';
		if (ctrl[0] ? !opt_has(ctrls + 1, ctrl) : ctrls[1] != '\0')
			continue;
		if (rlen && strncmp(path, mount_root, rlen) == 0)
			path += rlen;
		if ((size_t)snprintf(buf, size, "%s", path) >= size)
			break;
		return 0;
	}
	errno = ENOENT;
	return -1;
}

/* ---- small file helpers ---- */

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ ms / 1000, (ms % 1000) * 1000000L }, NULL);
}

static int cg_write(const char *dir, const char *file, const char *value)
{
	char path[640];
	int fd, rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	rc = write(fd, value, strlen(value)) == (ssize_t)strlen(value) ? 0 : -1;
	close_keep_errno(fd);
	return rc;
}

static ssize_t cg_read(const char *dir, const char *file, char *buf, size_t size)
{
	char path[640];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return read_file(path, buf, size);
}

/* "key value" lines: the value of @key, or -1 */
static long long cg_key(const char *dir, const char *file, const char *key)
{
	char buf[4096];
	size_t len = strlen(key);

	if (cg_read(dir, file, buf, sizeof(buf)) < 0)
		return -1;
	for (char *l = buf; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, key, len) == 0 && l[len] == ' ')
			return strtoll(l + len + 1, NULL, 10);
	return -1;
}

static long long cg_number(const char *dir, const char *file)
{
	char buf[64];

	if (cg_read(dir, file, buf, sizeof(buf)) < 0)
		return -1;
	if (strncmp(buf, "max", 3) == 0)
		return -2;
	return strtoll(buf, NULL, 10);
}

/* The directory of hierarchy @ctrl (any on v2), or NULL. */
static const char *cg_dir(const struct cg_dirs *cg, const char *ctrl)
{
	for (size_t i = 0; i < cg->n; i++)
		if (cg->mode == CG_UNIFIED || strcmp(cg->d[i].ctrl, ctrl) == 0)
			return cg->d[i].path;
	return NULL;
}

/* ---- the plan ---- */

static int add_dir(struct cg_dirs *cg, const struct pod *p, const char *ctrl,
		   const char *mnt, const char *mount_root, const char *parent)
{
	char own[512] = "", rel[256];
	size_t len = strlen(parent);

	/* "/pod/" is "/pod", and "/" the hierarchy's root */
	while (len > 1 && parent[len - 1] == '/')
		len--;
	snprintf(rel, sizeof(rel), "%.*s", (int)len, strcmp(parent, "/") == 0 ? "" : parent);
	parent = rel;
	if (parent[0] != '/' && parent[0] && own_cgroup(cg->mode == CG_UNIFIED ? "" : ctrl, mount_root,
					    own, sizeof(own)) < 0)
		return fail_errno(POD_EFAIL, "cannot find our own %s cgroup", ctrl);
	if (strcmp(own, "/") == 0)
		own[0] = '\0';
	if ((size_t)snprintf(cg->d[cg->n].path, sizeof(cg->d[0].path), "%s%s%s%s/pod-%s", mnt,
			     own, parent[0] == '/' || !parent[0] ? "" : "/", parent, p->name) >=
	    sizeof(cg->d[0].path))
		return fail(POD_EUSAGE, "cannot use cgroup parent %s: the path is too long", parent);
	strcpy(cg->d[cg->n++].ctrl, ctrl);
	return POD_OK;
}

/* The directory the pod's cgroup goes in (the parent), in @buf. */
static void parent_of(const char *path, char *buf, size_t size)
{
	snprintf(buf, size, "%s", path);
	*strrchr(buf, '/') = '\0';
}

/* Can the pod have the controller a limit needs? On v2, if the
 * hierarchy's root (@v2root, the mount) has it: cg_make enables it from
 * there down. */
static bool has_ctrl(const struct cg_dirs *cg, const char *v2root, const char *ctrl)
{
	char buf[512];

	if (cg->mode != CG_UNIFIED)
		return cg_dir(cg, ctrl) != NULL;
	if (cg_read(v2root, "cgroup.controllers", buf, sizeof(buf)) < 0)
		return false;
	for (char *w = strtok(buf, " \n"); w; w = strtok(NULL, " \n"))
		if (strcmp(w, ctrl) == 0)
			return true;
	return false;
}

static int check_limits(const struct pod *p, const struct cg_dirs *cg, const char *v2root)
{
	static const char *const why = "cannot set %s of pod %s: this machine has no %s "
				       "controller (%s)";
	const char *mode = cg_mode_names[cg->mode];

	if (p->memory && !has_ctrl(cg, v2root, "memory"))
		return fail(POD_EUSAGE, why, "--memory", p->name, "memory", mode);
	if (p->millicpus && !has_ctrl(cg, v2root, "cpu"))
		return fail(POD_EUSAGE, why, "--cpus", p->name, "cpu", mode);
	if (p->pids_limit && !has_ctrl(cg, v2root, "pids"))
		return fail(POD_EUSAGE, why, "--pids-limit", p->name, "pids", mode);
	return POD_OK;
}

/* The parent must exist and be ours to write, but for the default,
 * which cg_make creates. */
static int check_parent(const struct pod *p, const struct cg_dirs *cg, const char *parent)
{
	char dir[512];

	struct stat st;

	for (size_t i = 0; i < cg->n; i++) {
		parent_of(cg->d[i].path, dir, sizeof(dir));
		if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
			errno = ENOTDIR;
		else if (access(dir, W_OK) == 0)
			continue;
		if (errno == ENOENT && !p->cgroup_parent[0])
			continue;
		return fail(POD_EFAIL, "cannot use cgroup parent %s of pod %s: %s %s", parent,
			    p->name, dir, errno == ENOENT ? "does not exist"
				: errno == EACCES || errno == EROFS ? "is not writable (not delegated to us)"
				: errno == ENOTDIR ? "is not a cgroup directory" : strerror(errno));
	}
	return POD_OK;
}

/* A user can have a cgroup only in a subtree delegated to them, on v2:
 * --cgroup-parent, else the cgroup around our own, if it is ours to
 * write (systemd delegates user@UID.service). Without one, a user's pod
 * has no cgroup (cg->mode CG_NONE), and limits are refused before
 * anything is made. An exit code. */
static int plan_rootless(const struct pod *p, const struct mounts *m, struct cg_dirs *cg,
			 char *parent, size_t size)
{
	bool limits = p->memory || p->millicpus || p->pids_limit || p->cgroup_parent[0];

	if (cg->mode == CG_UNIFIED && p->cgroup_parent[0])
		return POD_OK;	/* check_parent says if it is ours */
	if (cg->mode == CG_UNIFIED && own_cgroup("", m->unified_root, parent, size) == 0 &&
	    strrchr(parent, '/')) {
		char dir[1024];
		*strrchr(parent, '/') = '\0';
		snprintf(dir, sizeof(dir), "%s%s", m->unified, parent);
		if (!parent[0])
			strcpy(parent, "/");
		if (access(dir, W_OK) == 0)
			return POD_OK;
	}
	if (limits && cg->mode == CG_UNIFIED)
		return fail(POD_EUSAGE, "cannot give pod %s a cgroup for its limits: a user's pod "
			    "needs a delegated cgroup v2 subtree (%s%s is not writable; see "
			    "--cgroup-parent)", p->name, m->unified, parent);
	if (limits)
		return fail(POD_EUSAGE, "cannot give pod %s a cgroup for its limits: a user's pod "
			    "needs a delegated cgroup v2 subtree (this machine has cgroup v1, %s)", p->name,
			    cg_mode_names[cg->mode]);
	cg->mode = CG_NONE;
	return POD_OK;
}

int cg_plan(const struct pod *p, struct cg_dirs *cg)
{
	const char *parent = p->cgroup_parent[0] ? p->cgroup_parent : CG_DEFAULT_PARENT;
	static char user_parent[512];
	struct mounts m;
	int rc = POD_OK;

	mounts_read(&m);
	memset(cg, 0, sizeof(*cg));
	cg->mode = mode_of(&m);
	if (geteuid() != 0 && cg->mode != CG_NONE) {
		user_parent[0] = '\0';
		if ((rc = plan_rootless(p, &m, cg, user_parent, sizeof(user_parent))) ||
		    cg->mode == CG_NONE)
			return rc;
		if (user_parent[0])
			parent = user_parent;
	}
	if (cg->mode == CG_NONE)
		return fail(POD_EFAIL, "cannot create cgroup of pod %s: no cgroup filesystem "
			    "is mounted", p->name);
	if (cg->mode == CG_UNIFIED)
		rc = add_dir(cg, p, "unified", m.unified, m.unified_root, parent);
	for (size_t i = 0; !rc && cg->mode != CG_UNIFIED && i < ARRAY_LEN(v1_ctrls); i++) {
		bool dup = !m.v1[i][0];
		/* co-mounted controllers (cpu,cpuacct) share one directory */
		for (size_t j = 0; j < i && !dup; j++)
			dup = strcmp(m.v1[i], m.v1[j]) == 0;
		if (!dup)
			rc = add_dir(cg, p, v1_ctrls[i], m.v1[i], m.v1_root[i], parent);
	}
	if (!rc)
		rc = check_limits(p, cg, m.unified);
	return rc ? rc : check_parent(p, cg, parent);
}

/* ---- making ---- */

/* Is @word one of the space-separated words of @text? */
static bool word_in(const char *text, const char *word)
{
	size_t len = strlen(word);

	for (const char *t = text; (t = strstr(t, word)); t += len)
		if ((t == text || t[-1] == ' ') && (t[len] == ' ' || t[len] == '\n' || !t[len]))
			return true;
	return false;
}

/* v2: +memory +cpu +pids in the subtree_control of every directory from
 * the hierarchy's root down to the parent, where not enabled yet. Only a
 * controller a limit needs must succeed. */
static int enable_ctrls(const struct pod *p, const char *pod_dir)
{
	static const char *const ctrls[] = { "memory", "cpu", "pids" };
	const bool need[] = { p->memory != 0, p->millicpus != 0, p->pids_limit != 0 };
	char dir[512], *slash = NULL, buf[512], value[16];

	parent_of(pod_dir, dir, sizeof(dir));
	/* from the top: each '/' after the mount is one level further down */
	for (char *s = dir + 1;; s = slash + 1) {
		slash = strchr(s, '/');
		if (slash)
			*slash = '\0';
		if (cg_read(dir, "cgroup.subtree_control", buf, sizeof(buf)) >= 0) {
			for (size_t i = 0; i < ARRAY_LEN(ctrls); i++) {
				if (word_in(buf, ctrls[i]))	/* enabled: "cpuset" is not "cpu" */
					continue;
				snprintf(value, sizeof(value), "+%s", ctrls[i]);
				if (cg_write(dir, "cgroup.subtree_control", value) < 0 && need[i])
					return fail_errno(POD_EFAIL, "cannot enable the %s controller "
							  "in %s", ctrls[i], dir);
			}
		}
		if (!slash)
			return POD_OK;
		*slash = '/';
	}
}

static int set_limit(const struct pod *p, const char *dir, const char *step,
		     const char *file, const char *value)
{
	if (fault(step) < 0 || cg_write(dir, file, value) < 0)
		return fail_errno(POD_EFAIL, "cannot set %s of pod %s to %s", file, p->name, value);
	return POD_OK;
}

static int set_limits(const struct pod *p, const struct cg_dirs *cg)
{
	char v[64];
	const char *d;
	int rc = POD_OK;
	bool v2 = cg->mode == CG_UNIFIED;
	unsigned long quota = p->millicpus * (CPU_PERIOD / 1000);

	if (quota < CPU_MIN_QUOTA)
		quota = CPU_MIN_QUOTA;
	if (p->memory && (d = cg_dir(cg, "memory"))) {
		char scratch[64];
		snprintf(v, sizeof(v), "%llu", p->memory);
		rc = set_limit(p, d, "memory", v2 ? "memory.max" : "memory.limit_in_bytes", v);
		/* no swap beyond the limit, where swap is accounted */
		if (!rc && v2 && cg_read(d, "memory.swap.max", scratch, sizeof(scratch)) >= 0)
			rc = set_limit(p, d, "memory", "memory.swap.max", "0");
		else if (!rc && !v2 &&
			 cg_read(d, "memory.memsw.limit_in_bytes", scratch, sizeof(scratch)) >= 0)
			rc = set_limit(p, d, "memory", "memory.memsw.limit_in_bytes", v);
	}
	if (!rc && p->millicpus && (d = cg_dir(cg, "cpu"))) {
		if (v2) {
			snprintf(v, sizeof(v), "%lu %d", quota, CPU_PERIOD);
			rc = set_limit(p, d, "cpu", "cpu.max", v);
		} else {
			snprintf(v, sizeof(v), "%d", CPU_PERIOD);
			rc = set_limit(p, d, "cpu", "cpu.cfs_period_us", v);
			snprintf(v, sizeof(v), "%lu", quota);
			rc = rc ? rc : set_limit(p, d, "cpu", "cpu.cfs_quota_us", v);
		}
	}
	if (!rc && p->pids_limit && (d = cg_dir(cg, "pids"))) {
		snprintf(v, sizeof(v), "%llu", p->pids_limit);
		rc = set_limit(p, d, "pids", "pids.max", v);
	}
	return rc;
}

/* ROOT/NAME/cgroups: every directory cg_make may make, before it does */
static int write_list(const struct pod *p, const struct cg_dirs *cg)
{
	char path[POD_PATH_MAX], text[CG_DIRS * 530];
	size_t len = 0;
	int fd, rc;

	len += (size_t)snprintf(text, sizeof(text), "%s\n", cg_mode_names[cg->mode]);
	for (size_t i = 0; i < cg->n; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s %s\n", cg->d[i].ctrl,
					cg->d[i].path);
	if (path_join(path, sizeof(path), p->dir, CG_FILE) < 0 || fault("cgroup-list") < 0 ||
	    (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return -1;
	rc = write_all(fd, text, len);
	close_keep_errno(fd);
	return rc;
}

int cg_make(const struct pod *p, const struct cg_dirs *cg)
{
	char dir[512];

	if (write_list(p, cg) < 0)
		return fail_errno(POD_EFAIL, "cannot record cgroups of pod %s", p->name);
	for (size_t i = 0; i < cg->n; i++) {
		parent_of(cg->d[i].path, dir, sizeof(dir));
		/* only the default parent is made, and then kept for every pod */
		if (!p->cgroup_parent[0] && mkdir(dir, 0755) < 0 && errno != EEXIST)
			return fail_errno(POD_EFAIL, "cannot create cgroup %s", dir);
		int rc = cg->mode == CG_UNIFIED ? enable_ctrls(p, cg->d[i].path) : POD_OK;
		if (rc)
			return rc;
		if (fault("cgroup") < 0 || mkdir(cg->d[i].path, 0755) < 0)
			return fail_errno(POD_EFAIL, "cannot create cgroup %s", cg->d[i].path);
		if (path_join(dir, sizeof(dir), cg->d[i].path, "pause") < 0 || mkdir(dir, 0755) < 0)
			return fail_errno(POD_EFAIL, "cannot create cgroup %s/pause", cg->d[i].path);
	}
	return set_limits(p, cg);
}

int cg_load(const struct pod *p, struct cg_dirs *cg)
{
	char path[POD_PATH_MAX], text[CG_DIRS * 530 + 64], *save = NULL, *line;

	memset(cg, 0, sizeof(*cg));
	if (path_join(path, sizeof(path), p->dir, CG_FILE) < 0 ||
	    read_file(path, text, sizeof(text)) < 0)
		return -1;
	line = strtok_r(text, "\n", &save);
	for (size_t i = 0; line && i < ARRAY_LEN(cg_mode_names); i++)
		if (strcmp(line, cg_mode_names[i]) == 0)
			cg->mode = (enum cg_mode)i;
	while ((line = strtok_r(NULL, "\n", &save)) && cg->n < CG_DIRS) {
		char *sp = strchr(line, ' ');
		if (!sp || sp - line >= (long)sizeof(cg->d[0].ctrl) || sp[1] != '/' ||
		    strlen(sp + 1) >= sizeof(cg->d[0].path))
			continue;
		*sp = '\0';
		strcpy(cg->d[cg->n].ctrl, line);
		strcpy(cg->d[cg->n++].path, sp + 1);
	}
	return cg->mode == CG_NONE ? (errno = EINVAL, -1) : 0;
}

/* ---- removing ---- */

/* rmdir, waiting a little for tasks that are still exiting (EBUSY) */
static int rmdir_settled(const char *dir)
{
	for (int tries = 0; rmdir(dir) < 0; tries++) {
		if (errno == ENOENT)
			return 0;
		if (errno != EBUSY || tries == 200)
			return -1;
		sleep_ms(5);
	}
	return 0;
}

/* @dir and the cgroups below it, parents before children (a walk by
 * levels, no recursion), at most TREE_MAX of them; their count. */
#define TREE_MAX 512
static char tree[TREE_MAX][640];

static size_t cg_tree(const char *dir)
{
	size_t n = 0;

	if ((size_t)snprintf(tree[n++], sizeof(tree[0]), "%s", dir) >= sizeof(tree[0]))
		return 0;
	for (size_t i = 0; i < n; i++) {
		DIR *d = opendir(tree[i]);
		struct dirent *e;
		while (d && (e = readdir(d)) && n < TREE_MAX)
			if (e->d_type == DT_DIR && e->d_name[0] != '.' &&
			    (size_t)snprintf(tree[n], sizeof(tree[0]), "%s/%s", tree[i], e->d_name) <
			    sizeof(tree[0]))
				n++;
		if (d)
			closedir(d);
	}
	return n;
}

/* @dir's child cgroups, deepest first, then @dir itself */
static int rmdir_tree(const char *dir)
{
	size_t n = cg_tree(dir);

	while (n-- > 0)
		if (rmdir_settled(tree[n]) < 0)
			return -1;
	return 0;
}

int cg_remove(const struct pod *p)
{
	struct cg_dirs cg;
	char path[POD_PATH_MAX];

	if (cg_load(p, &cg) < 0)
		return errno == ENOENT ? 0 : -1;
	/* a pod whose pause is gone may still hold members outside its PID
	 * namespace: they go with it */
	cg_kill(&cg);
	for (size_t i = 0; i < cg.n; i++)
		if (rmdir_tree(cg.d[i].path) < 0)
			return -1;
	if (path_join(path, sizeof(path), p->dir, CG_FILE) < 0 ||
	    (unlink(path) < 0 && errno != ENOENT))
		return -1;
	return 0;
}

/* ---- placement ---- */

int cg_leaf_new(const struct cg_dirs *cg, char *leaf, size_t size)
{
	char dir[640];
	unsigned r;

	for (int tries = 0; tries < 16; tries++) {
		size_t made = 0;
		if (getentropy(&r, sizeof(r)) < 0)
			return -1;
		snprintf(leaf, size, "run-%08x", r);
		for (; made < cg->n; made++)
			if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", cg->d[made].path, leaf) >=
			    sizeof(dir) || mkdir(dir, 0755) < 0)
				break;
		if (made == cg->n)
			return 0;
		int err = errno;
		while (made-- > 0) {
			snprintf(dir, sizeof(dir), "%s/%s", cg->d[made].path, leaf);
			rmdir(dir);
		}
		if ((errno = err) != EEXIST)
			return -1;
	}
	return -1;
}

void cg_leaf_remove(const struct cg_dirs *cg, const char *leaf)
{
	const char *mem = cg_dir(cg, "memory");
	char dir[640];

	/* v1 counts an OOM kill in the victim's own cgroup only: a leaf that
	 * holds one stays, for pod stats to count */
	if (mem && cg->mode != CG_UNIFIED &&
	    (size_t)snprintf(dir, sizeof(dir), "%s/%s", mem, leaf) < sizeof(dir) &&
	    cg_key(dir, "memory.oom_control", "oom_kill") > 0)
		return;
	for (size_t i = 0; leaf[0] && i < cg->n; i++)
		if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", cg->d[i].path, leaf) < sizeof(dir))
			rmdir(dir);
}

int cg_leaf_fd(const struct cg_dirs *cg, const char *leaf)
{
	char dir[640];

	if (cg->mode != CG_UNIFIED || cg->n == 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/%s", cg->d[0].path, leaf);
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int cg_enter(const struct cg_dirs *cg, const char *leaf)
{
	char dir[640];

	for (size_t i = 0; i < cg->n; i++) {
		snprintf(dir, sizeof(dir), "%s%s%s", cg->d[i].path, leaf[0] ? "/" : "", leaf);
		if (cg_write(dir, "cgroup.procs", "0") < 0)
			return -1;
	}
	return 0;
}

/* ---- processes ---- */

/* fn for every pid in @dir's cgroup.procs */
static int each_pid_in(const char *dir, cg_pid_fn fn, void *arg)
{
	char path[700], *buf = NULL;
	size_t cap = 0;
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (!(f = fopen(path, "re")))
		return errno == ENOENT ? 0 : -1;
	while (rc == 0 && getline(&buf, &cap, f) > 0) {
		long pid = strtol(buf, NULL, 10);
		if (pid > 0)
			rc = fn((pid_t)pid, arg);
	}
	free(buf);
	fclose(f);
	return rc;
}

int cg_each_pid(const struct cg_dirs *cg, cg_pid_fn fn, void *arg)
{
	size_t n = cg->n ? cg_tree(cg->d[0].path) : 0;
	int rc = 0;

	/* the first directory tracks them all: freezer on v1, if mounted.
	 * fn must not walk the tree itself: the list is shared. */
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = each_pid_in(tree[i], fn, arg);
	return rc;
}

static int kill_one(pid_t pid, void *arg)
{
	(*(size_t *)arg)++;
	kill(pid, SIGKILL);
	return 0;
}

static int count_one(pid_t pid, void *arg)
{
	(void)pid;
	(*(size_t *)arg)++;
	return 0;
}

/* Until nothing is left in the cgroup (about 10 s at most): SIGKILL to
 * what is there, if @again, else only a look. */
static int wait_empty(const struct cg_dirs *cg, bool again)
{
	for (int tries = 0; tries < 2000; tries++) {
		size_t n = 0;
		if (cg->mode == CG_UNIFIED && cg_key(cg->d[0].path, "cgroup.events", "populated") == 0)
			return 0;
		if (cg_each_pid(cg, again ? kill_one : count_one, &n) < 0)
			return -1;
		if (n == 0 && cg->mode != CG_UNIFIED)
			return 0;
		sleep_ms(5);
	}
	errno = EBUSY;
	return -1;
}

/* v1: frozen, nothing can fork or run away while every task is sent
 * SIGKILL; the kills land when the cgroup thaws. */
static int freeze_kill(const struct cg_dirs *cg, const char *freezer)
{
	char state[32] = "";
	size_t n = 0;

	if (cg_write(freezer, "freezer.state", "FROZEN") < 0)
		return -1;
	for (int tries = 0; tries < 1000; tries++) {
		if (cg_read(freezer, "freezer.state", state, sizeof(state)) < 0)
			return -1;
		if (strncmp(state, "FROZEN", 6) == 0)
			break;
		sleep_ms(1);
	}
	cg_each_pid(cg, kill_one, &n);
	if (cg_write(freezer, "freezer.state", "THAWED") < 0)
		return -1;
	return wait_empty(cg, true);
}

int cg_kill(const struct cg_dirs *cg)
{
	const char *freezer;

	if (cg->n == 0)
		return 0;
	if (cg->mode == CG_UNIFIED) {
		if (access(cg->d[0].path, F_OK) < 0)
			return errno == ENOENT ? 0 : -1;
		/* before 5.14 there is no cgroup.kill: SIGKILL until empty */
		bool killed = cg_write(cg->d[0].path, "cgroup.kill", "1") == 0;
		if (!killed && errno != ENOENT)
			return -1;
		return wait_empty(cg, !killed);
	}
	freezer = cg_dir(cg, "freezer");
	if (freezer && access(freezer, F_OK) == 0)
		return freeze_kill(cg, freezer);
	return wait_empty(cg, true);
}

/* ---- stats ---- */

/* v1 counts an OOM kill only in the victim's own cgroup: the sum over
 * @dir and its descendants */
static long long oom_kills_v1(const char *dir)
{
	size_t n = cg_tree(dir);
	long long sum = -1;

	for (size_t i = 0; i < n; i++) {
		long long v = cg_key(tree[i], "memory.oom_control", "oom_kill");
		if (v >= 0)
			sum = (sum < 0 ? 0 : sum) + v;
	}
	return sum;
}

int cg_stats(const struct cg_dirs *cg, struct cg_stats *s)
{
	bool v2 = cg->mode == CG_UNIFIED;
	const char *mem = cg_dir(cg, "memory"), *cpu = cg_dir(cg, v2 ? "cpu" : "cpuacct");
	const char *pids = cg_dir(cg, "pids");
	long long v;

	memset(s, 0, sizeof(*s));
	s->mem_current = s->mem_max = s->oom_kills = s->pids_current = s->pids_max = -1;
	if (mem) {
		s->mem_current = cg_number(mem, v2 ? "memory.current" : "memory.usage_in_bytes");
		v = cg_number(mem, v2 ? "memory.max" : "memory.limit_in_bytes");
		/* v1 says "unlimited" with a page-rounded LLONG_MAX */
		s->mem_max = v < 0 || v >= (1LL << 62) ? -1 : v;
		s->oom_kills = v2 ? cg_key(mem, "memory.events", "oom_kill") : oom_kills_v1(mem);
	}
	if (cpu && v2)
		s->cpu_usec = (unsigned long long)cg_key(cpu, "cpu.stat", "usage_usec");
	else if (cpu && (v = cg_number(cpu, "cpuacct.usage")) >= 0)
		s->cpu_usec = (unsigned long long)v / 1000;
	if (pids) {
		s->pids_current = cg_number(pids, "pids.current");
		v = cg_number(pids, "pids.max");
		s->pids_max = v < 0 ? -1 : v;
	}
	return 0;
}
