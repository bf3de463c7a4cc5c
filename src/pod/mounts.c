/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mounts.h"
#include "util.h"

FILE *mountinfo_open(char buf[MOUNTINFO_BUF])
{
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (f && setvbuf(f, buf, _IOFBF, MOUNTINFO_BUF) != 0) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	return f;
}

void mountinfo_unescape(char *s)
{
	char *out = s;

	for (; *s; s++, out++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out = *s;
		}
	}
	*out = '\0';
}

/* A member must not hold copies of any pod's pins: they would keep that
 * pod's namespaces alive after `pod rm` unmounts the originals. */
int drop_pins(const char *root)
{
	size_t rlen = strlen(root), cap = 0;
	static char buf[MOUNTINFO_BUF];
	FILE *f = mountinfo_open(buf);
	char *line = NULL;
	int rc = 0;

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		char *mp = line;
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ...: the fifth field */
		for (int i = 0; i < 4 && mp; i++)
			if ((mp = strchr(mp, ' ')))
				mp++;
		if (!mp)
			continue;
		mp[strcspn(mp, " ")] = '\0';
		mountinfo_unescape(mp);
		if (strncmp(mp, root, rlen) == 0 && mp[rlen] == '/' &&
		    umount2(mp, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
			rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

#define FS_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

void member_fresh_view(const char *root, int share, const char *pod, bool userns, int err_fd)
{
	/* In a user namespace, the mounts we inherit are locked together: a
	 * pin cannot be unmounted alone, so the root is hidden whole. */
	if (userns ? mount("tmpfs", root, "tmpfs", FS_FLAGS | MS_RDONLY, "size=4k,mode=0755") < 0
		   : drop_pins(root) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot drop pins from the mounts of a "
			    "member of pod %s", pod);
	if (share & CLONE_NEWPID) {
		umount2("/proc", MNT_DETACH);
		if (mount("proc", "/proc", "proc", FS_FLAGS, NULL) < 0)
			report_fail(err_fd, POD_RUN_EFAIL, "cannot mount /proc for pod %s", pod);
	}
	if (share & CLONE_NEWNET) {
		umount2("/sys", MNT_DETACH);
		if (mount("sysfs", "/sys", "sysfs", FS_FLAGS | MS_RDONLY, NULL) < 0)
			report_fail(err_fd, POD_RUN_EFAIL, "cannot mount /sys for pod %s", pod);
	}
}

/* DIR/NAME as a directory, made if missing (we are in DIR). A symbolic
 * link is refused: a mount must not follow it out of the tree. */
static void mount_point(const char *rootfs, const char *name, int err_fd)
{
	struct stat st;

	if (mkdir(name, 0755) < 0 && errno != EEXIST)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot create mount point %s/%s", rootfs, name);
	if (lstat(name, &st) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot use mount point %s/%s", rootfs, name);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		report_fail(err_fd, POD_RUN_EFAIL, "cannot use mount point %s/%s", rootfs, name);
	}
}

void member_enter_rootfs(const char *rootfs, int err_fd)
{
	static const char *const points[] = { "proc", "sys", "dev" };

	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0 || chdir(rootfs) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot use rootfs %s", rootfs);
	for (size_t i = 0; i < ARRAY_LEN(points); i++)
		mount_point(rootfs, points[i], err_fd);
	if (mount("proc", "proc", "proc", FS_FLAGS, NULL) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot mount proc in rootfs %s", rootfs);
	if (mount("sysfs", "sys", "sysfs", FS_FLAGS | MS_RDONLY, NULL) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot mount sys in rootfs %s", rootfs);
	if (mount("/dev", "dev", NULL, MS_BIND | MS_REC, NULL) < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot bind /dev into rootfs %s", rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
	    chdir("/") < 0)
		report_fail(err_fd, POD_RUN_EFAIL, "cannot pivot into rootfs %s", rootfs);
}
