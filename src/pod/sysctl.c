/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sysctls a pod may set: only those the kernel keeps per namespace, each
 * from its own flag, never split further (CVE-2022-0811 came from a list
 * joined with a delimiter and split later).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ns.h"
#include "sysctl.h"
#include "util.h"

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

bool sysctl_key_valid(const char *key, size_t len)
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
int sysctl_add(struct pod *p, size_t *used, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : strlen(arg), i;
	const char *value = eq ? eq + 1 : NULL;

	if (!eq || !sysctl_key_valid(arg, klen))
		return fail(POD_EUSAGE, "cannot set sysctl %.80s: not KEY=VALUE with a "
			    "dotted key", arg);
	for (i = 0; i < ARRAY_LEN(namespaced); i++) {
		size_t n = strlen(namespaced[i].key);
		if (namespaced[i].prefix ? klen > n && strncmp(arg, namespaced[i].key, n) == 0
					 : klen == n && strncmp(arg, namespaced[i].key, n) == 0)
			break;
	}
	if (i == ARRAY_LEN(namespaced))
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

/* /proc/sys resolves net, ipc and uts entries in the writer's namespaces,
 * and this child is already in the pod's. */
int sysctl_write(const struct sysctl *s)
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
	if (rc < 0)
		close_keep_errno(fd);
	else if (close(fd) < 0)
		rc = -1;
	return rc;
}

