/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A pod's user namespace: which ids it maps, and writing the maps.
 *
 * A user's pod maps the user's /etc/subuid and /etc/subgid ranges (0 is
 * the user, 1.. the range), written by newuidmap and newgidmap; without
 * ranges, the user's own ids alone (0 is the user, setgroups denied).
 * Root's pod with --userns maps a range of host ids: given, or "auto",
 * the first free block of USERNS_BLOCK ids in the range /etc/subuid and
 * /etc/subgid reserve for the name "pod", no two pods sharing an id.
 */
#ifndef POD_USERNS_H
#define POD_USERNS_H

#include "pod.h"

#define USERNS_BLOCK 65536UL
#define USERNS_OWNER "pod"	/* /etc/subuid's entry for root's pods */

/* The maps of a user's pod (geteuid() != 0). An exit code. */
int userns_plan_rootless(struct pod *p);
/* Root's --userns SPEC: "auto" (*is_auto set: allocate under the lock)
 * or UID:HOSTUID:COUNT. An exit code after one line. */
int userns_parse(struct pod *p, const char *spec, bool *is_auto);
/* Under the root lock: "auto" takes a free block; a given range is
 * checked against every other pod's. An exit code after one line. */
int userns_allocate(struct pod *p, bool is_auto);
/* Writes the maps of the child @pid, whose user namespace is new and
 * empty. 0, or -1 with one line printed. */
int userns_map(const struct pod *p, pid_t pid);
/* In the child, once mapped: become the namespace's root. -1 on error. */
int userns_become_root(const struct pod *p);

#endif
