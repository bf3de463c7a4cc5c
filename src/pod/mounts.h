/* SPDX-License-Identifier: Apache-2.0 */
/* A member's mount namespace: the pod's view of /proc and /sys, no pins. */
#ifndef POD_MOUNTS_H
#define POD_MOUNTS_H

/* Mountinfo's \ooo escapes (space, tab, newline, backslash), in place. */
void mountinfo_unescape(char *s);
/* Detaches every mount under @root (a pod root, symlinks resolved) from
 * this mount namespace: 0, or -1 with errno. */
int drop_pins(const char *root);

/* In a member's own mount namespace, before its exec; each reports its
 * failure on @err_fd and exits (report_fail). */
/* No pins, a fresh /proc (pid shared) and /sys (net shared). */
void member_fresh_view(const char *root, int share, const char *pod, int err_fd);
/* pivot_root into @rootfs with proc, sys and dev inside; the three mount
 * points are made if the tree lacks them, as runc does. */
void member_enter_rootfs(const char *rootfs, int err_fd);

#endif
