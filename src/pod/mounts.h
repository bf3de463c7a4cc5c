/* SPDX-License-Identifier: Apache-2.0 */
/* A member's mount namespace: the pod's view of /proc and /sys, no pins. */
#ifndef POD_MOUNTS_H
#define POD_MOUNTS_H

#include <stdbool.h>
#include <stdio.h>

/* /proc/self/mountinfo, open for reading through @buf, which must outlive
 * the stream (NULL, errno set, if not). The kernel walks the mounts from
 * the start for every read(): with stdio's 1 KiB reads a host of 1,000
 * pods (4,000 pins) costs hundreds of walks, with MOUNTINFO_BUF a few. */
#define MOUNTINFO_BUF (1 << 16)
FILE *mountinfo_open(char buf[MOUNTINFO_BUF]);
/* Mountinfo's \ooo escapes (space, tab, newline, backslash), in place. */
void mountinfo_unescape(char *s);
/* Detaches every mount under @root (a pod root, symlinks resolved) from
 * this mount namespace: 0, or -1 with errno. */
int drop_pins(const char *root);

/* In a member's own mount namespace, before its exec; each reports its
 * failure on @err_fd and exits (report_fail). */
/* No pins, a fresh /proc (pid shared) and /sys (net shared). */
void member_fresh_view(const char *root, int share, const char *pod, bool userns, int err_fd);
/* pivot_root into @rootfs with proc, sys and dev inside; the three mount
 * points are made if the tree lacks them, as runc does. */
void member_enter_rootfs(const char *rootfs, int err_fd);

#endif
