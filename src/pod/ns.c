/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Namespaces as a table, and their pins: a bind mount of /proc/PID/ns/<type>
 * onto ROOT/NAME/ns/<type>. A pin keeps a namespace alive without any
 * process in it, except the PID namespace, which dies with its PID 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ns.h"
#include "state.h"
#include "util.h"

const struct ns_kind ns_kinds[] = {
	{ "net", CLONE_NEWNET, "network", "--net", "--network" },
	{ "ipc", CLONE_NEWIPC, "ipc", "--ipc", "--ipc" },
	{ "uts", CLONE_NEWUTS, "uts", "--uts", "--uts" },
	{ "pid", CLONE_NEWPID, "pid", "--pid", "--pid" },
	{ "cgroup", CLONE_NEWCGROUP, "cgroup", "--cgroup", "--cgroupns" },
};
const size_t ns_kinds_len = ARRAY_LEN(ns_kinds);
/* never shared by --share, never pinned: a pod's own, if it has one */
const struct ns_kind ns_user = { "user", CLONE_NEWUSER, "user", "--user", "--userns" };

const struct ns_kind *ns_by_flag(int flag)
{
	for (size_t i = 0; i < ns_kinds_len; i++)
		if (ns_kinds[i].flag == flag)
			return &ns_kinds[i];
	return NULL;
}

int ns_parse_share(const char *list, int *flags)
{
	const char *p = list;

	*flags = 0;
	while (*p) {
		size_t len = strcspn(p, ","), i;
		for (i = 0; i < ns_kinds_len; i++)
			if (strlen(ns_kinds[i].name) == len &&
			    strncmp(ns_kinds[i].name, p, len) == 0)
				break;
		if (i == ns_kinds_len)
			return -1;
		*flags |= ns_kinds[i].flag;
		p += len;
		if (*p == ',' && *++p == '\0')
			return -1;
	}
	return *flags ? 0 : -1;
}

void ns_share_text(int share, char *buf, size_t size)
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

int ns_pin_path(const struct pod *p, const struct ns_kind *k, char *buf, size_t size)
{
	int n = k ? snprintf(buf, size, "%s/ns/%s", p->dir, k->name) : -1;

	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* A rootless pod has no pins: pause holds its namespaces, and its
 * /proc/PID/ns files stand for them while it is the recorded process. */
int ns_path(const struct pod *p, const struct ns_kind *k, char *buf, size_t size)
{
	if (!p->rootless)
		return ns_pin_path(p, k, buf, size);
	if (!k || !pod_running(p)) {
		errno = ESRCH;
		return -1;
	}
	snprintf(buf, size, "/proc/%d/ns/%s", (int)p->pid, k->name);
	return 0;
}

/* The type of the namespace file at @path (CLONE_NEW*), or -1: ENOTTY
 * for anything that is not an nsfs file, such as an unmounted pin. */
int ns_file_type(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), type;

	if (fd < 0)
		return -1;
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type >= 0 && st && fstat(fd, st) < 0)
		type = -1;
	close_keep_errno(fd);
	return type;
}

int ns_pin(const struct pod *p, const struct ns_kind *k, pid_t pid)
{
	char src[64], pin[POD_PATH_MAX], step[32];
	struct stat want, got = { 0 };
	int type;

	snprintf(src, sizeof(src), "/proc/%d/ns/%s", (int)pid, k->name);
	snprintf(step, sizeof(step), "pin-%s", k->name);
	if (ns_pin_path(p, k, pin, sizeof(pin)) < 0 || fault(step) < 0 ||
	    stat(src, &want) < 0 || mount(src, pin, NULL, MS_BIND, NULL) < 0)
		return -1;
	type = ns_file_type(pin, &got);
	if (type != k->flag || got.st_ino != want.st_ino || got.st_dev != want.st_dev) {
		umount2(pin, MNT_DETACH);
		errno = type < 0 ? errno : EXDEV;
		return -1;
	}
	return 0;
}

/* Never unmounts what is not ours: only an nsfs file of the expected type.
 * Loops in case an older bug stacked two mounts on one pin. A missing pin
 * is not an error, so this can be rerun after a crash. */
int ns_unpin(const struct pod *p, const struct ns_kind *k)
{
	char pin[POD_PATH_MAX];
	int type;

	if (ns_pin_path(p, k, pin, sizeof(pin)) < 0)
		return -1;
	while ((type = ns_file_type(pin, NULL)) >= 0) {
		if (type != k->flag) {
			errno = EXDEV;
			return -1;
		}
		if (umount2(pin, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
			return -1;
	}
	if (errno != ENOTTY && errno != ENOENT)
		return -1;
	if (unlink(pin) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

const struct ns_kind *ns_key(const struct pod *p, dev_t *dev, ino_t *ino)
{
	const struct ns_kind *k = ns_by_flag(CLONE_NEWPID);
	char pin[POD_PATH_MAX];
	struct stat st = { 0 };

	if (!(p->share & CLONE_NEWPID))
		for (size_t i = 0; i < ns_kinds_len; i++)
			if (p->share & ns_kinds[i].flag) {
				k = &ns_kinds[i];
				break;
			}
	if (ns_path(p, k, pin, sizeof(pin)) < 0)
		return NULL;
	/* /proc/PID/ns/<k> is a link, which ns_file_type does not follow */
	if (p->rootless ? stat(pin, &st) < 0 : ns_file_type(pin, &st) != k->flag) {
		errno = ESRCH;
		return NULL;
	}
	*dev = st.st_dev;
	*ino = st.st_ino;
	return k;
}
