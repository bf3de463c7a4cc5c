/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A pod's user namespace. The maps of a process can be written once, by a
 * process outside it: a user may map only their own uid and gid (and must
 * deny setgroups first), so a wider map goes through the setuid helpers
 * newuidmap and newgidmap, which check /etc/subuid and /etc/subgid.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state.h"
#include "userns.h"
#include "util.h"

/* The first range of @owner (a name, or the uid as a number) in @file:
 * lines "owner:start:count". 0, or -1 if there is none. */
static int subid_range(const char *file, const char *owner, unsigned long id,
		       struct idrange *r)
{
	char line[512], num[24];
	FILE *f = fopen(file, "re");
	int rc = -1;

	if (!f)
		return -1;
	snprintf(num, sizeof(num), "%lu", id);
	while (rc < 0 && fgets(line, sizeof(line), f)) {
		char *start = strchr(line, ':'), *count = start ? strchr(start + 1, ':') : NULL;
		unsigned long s, c;
		if (!count)
			continue;
		*start++ = '\0';
		*count++ = '\0';
		count[strcspn(count, "\n")] = '\0';
		if ((strcmp(line, owner) != 0 && strcmp(line, num) != 0) ||
		    parse_uint(start, 0xfffffffeUL, &s) < 0 ||
		    parse_uint(count, 0xffffffffUL - s, &c) < 0 || c == 0)
			continue;
		r->outside = s;
		r->count = c;
		rc = 0;
	}
	fclose(f);
	return rc;
}

int userns_plan_rootless(struct pod *p)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *name = pw ? pw->pw_name : "";
	struct idrange su, sg;

	p->rootless = true;
	p->uid[0] = (struct idrange){ 0, geteuid(), 1 };
	p->gid[0] = (struct idrange){ 0, getegid(), 1 };
	p->nuid = p->ngid = 1;
	p->userns = USERNS_SINGLE;
	if (subid_range("/etc/subuid", name, geteuid(), &su) < 0 ||
	    subid_range("/etc/subgid", name, geteuid(), &sg) < 0)
		return POD_OK;
	p->userns = USERNS_SUBIDS;
	p->uid[1] = (struct idrange){ 1, su.outside, su.count };
	p->gid[1] = (struct idrange){ 1, sg.outside, sg.count };
	p->nuid = p->ngid = 2;
	return POD_OK;
}

int userns_parse(struct pod *p, const char *spec, bool *is_auto)
{
	unsigned long v[3];
	char buf[64], *save = NULL, *f = buf;

	*is_auto = strcmp(spec, "auto") == 0;
	p->userns = USERNS_MAP;
	p->nuid = p->ngid = 1;
	if (*is_auto)
		return POD_OK;
	if (strlen(spec) >= sizeof(buf))
		goto bad;
	strcpy(buf, spec);
	for (int i = 0; i < 3; i++, f = NULL) {
		char *tok = strtok_r(f, ":", &save);
		if (!tok || parse_uint(tok, 0xfffffffeUL, &v[i]) < 0)
			goto bad;
	}
	if (strtok_r(NULL, ":", &save) || v[2] == 0 || v[2] > 0xffffffffUL - v[0] ||
	    v[2] > 0xffffffffUL - v[1] || v[1] == 0)
		goto bad;
	p->uid[0] = p->gid[0] = (struct idrange){ v[0], v[1], v[2] };
	return POD_OK;
bad:
	return fail(POD_EUSAGE, "cannot use --userns %.80s: not auto or UID:HOSTUID:COUNT "
		    "(COUNT at least 1, HOSTUID not 0)", spec);
}

static bool overlaps(const struct idrange *a, const struct idrange *b)
{
	return a->outside < b->outside + b->count && b->outside < a->outside + a->count;
}

/* Does any other pod of the root map an id of @uid or @gid? */
static int taken(const struct pod *self, const struct idrange *uid, const struct idrange *gid,
		 bool *yes)
{
	static struct pod other;
	char **names;
	size_t n;

	*yes = false;
	if (pod_list(&names, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && !*yes; i++) {
		if (strcmp(names[i], self->name) == 0 || pod_open(&other, names[i]) ||
		    pod_state_load(&other) < 0 || other.userns != USERNS_MAP)
			continue;
		*yes = overlaps(uid, &other.uid[0]) || overlaps(gid, &other.gid[0]);
	}
	pod_list_free(names, n);
	return 0;
}

int userns_allocate(struct pod *p, bool is_auto)
{
	struct idrange su, sg;
	bool busy = true;

	if (p->userns != USERNS_MAP)
		return POD_OK;
	if (!is_auto) {
		if (taken(p, &p->uid[0], &p->gid[0], &busy) < 0)
			return fail_errno(POD_EFAIL, "cannot list pods in %s", pod_root);
		if (busy)
			return fail(POD_ECONFLICT, "cannot map ids of pod %s: another pod "
				    "maps some of them", p->name);
		return POD_OK;
	}
	if (subid_range("/etc/subuid", USERNS_OWNER, (unsigned long)-1, &su) < 0 ||
	    subid_range("/etc/subgid", USERNS_OWNER, (unsigned long)-1, &sg) < 0)
		return fail(POD_EFAIL, "cannot choose ids for pod %s: /etc/subuid and "
			    "/etc/subgid have no range for \"" USERNS_OWNER "\" (see pod(1), "
			    "ROOTLESS)", p->name);
	for (unsigned long off = 0; busy && off + USERNS_BLOCK <= su.count &&
	     off + USERNS_BLOCK <= sg.count; off += USERNS_BLOCK) {
		p->uid[0] = (struct idrange){ 0, su.outside + off, USERNS_BLOCK };
		p->gid[0] = (struct idrange){ 0, sg.outside + off, USERNS_BLOCK };
		if (taken(p, &p->uid[0], &p->gid[0], &busy) < 0)
			return fail_errno(POD_EFAIL, "cannot list pods in %s", pod_root);
	}
	if (busy)
		return fail(POD_EFAIL, "cannot choose ids for pod %s: every block of %lu in "
			    "the range of \"" USERNS_OWNER "\" is taken", p->name, USERNS_BLOCK);
	return POD_OK;
}

/* ---- writing the maps ---- */

static int write_proc(pid_t pid, const char *file, const char *text)
{
	char path[64];
	int fd, rc;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	rc = write_all(fd, text, strlen(text));
	close_keep_errno(fd);
	return rc;
}

static void map_text(const struct idrange *r, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, size - len, "%lu %lu %lu\n", r[i].inside,
					r[i].outside, r[i].count);
}

/* newuidmap PID 0 UID 1 1 START COUNT; its first line of stderr, if it
 * fails, in the error. */
static int helper_map(const char *prog, pid_t pid, const struct idrange *r, size_t n)
{
	char args[IDMAP_MAX * 3][24], pidbuf[24], msg[256] = "", name[16];
	char *argv[3 + IDMAP_MAX * 3] = { name, pidbuf };
	int err[2], status;
	ssize_t got;
	pid_t child;

	snprintf(name, sizeof(name), "%s", prog);
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		snprintf(args[i * 3], sizeof(args[0]), "%lu", r[i].inside);
		snprintf(args[i * 3 + 1], sizeof(args[0]), "%lu", r[i].outside);
		snprintf(args[i * 3 + 2], sizeof(args[0]), "%lu", r[i].count);
		for (size_t j = 0; j < 3; j++)
			argv[2 + i * 3 + j] = args[i * 3 + j];
	}
	if (pipe2(err, O_CLOEXEC) < 0 || (child = fork()) < 0)
		return fail_errno(-1, "cannot run %s", prog);
	if (child == 0) {
		dup2(err[1], 2);
		execvp(prog, argv);
		dprintf(2, "%s\n", errno == ENOENT ? "not installed (Debian: uidmap)"
						     : strerror(errno));
		_exit(127);
	}
	close(err[1]);
	got = read(err[0], msg, sizeof(msg) - 1);
	msg[got > 0 ? got : 0] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	close(err[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return fail(-1, "cannot map ids with %s: %s", prog, msg[0] ? msg : "it failed");
}

int userns_map(const struct pod *p, pid_t pid)
{
	char uid[128], gid[128];

	if (p->userns == USERNS_SUBIDS)
		return helper_map("newuidmap", pid, p->uid, p->nuid) < 0 ||
		       helper_map("newgidmap", pid, p->gid, p->ngid) < 0 ? -1 : 0;
	map_text(p->uid, p->nuid, uid, sizeof(uid));
	map_text(p->gid, p->ngid, gid, sizeof(gid));
	/* a user may map their own gid only once setgroups is denied */
	if ((p->userns == USERNS_SINGLE && write_proc(pid, "setgroups", "deny") < 0) ||
	    write_proc(pid, "uid_map", uid) < 0 || write_proc(pid, "gid_map", gid) < 0)
		return fail_errno(-1, "cannot map ids of pod %s", p->name);
	return 0;
}

int userns_become_root(const struct pod *p)
{
	if (p->userns != USERNS_SINGLE && setgroups(0, NULL) < 0)
		return -1;
	return setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 ? -1 : 0;
}
