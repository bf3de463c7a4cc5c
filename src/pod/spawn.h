/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The child that becomes pause: cloned into the pod's new namespaces,
 * it waits for a byte from its parent before doing anything, then brings
 * up lo, sets the hostname and sysctls, and execs pause.
 */
#ifndef POD_SPAWN_H
#define POD_SPAWN_H

#include <sys/types.h>

#include "cgroup.h"
#include "pod.h"

/* The parent's ends: the child's pid and pidfd, the socket that lets it
 * go, and the close-on-exec pipe that reports its failure. */
struct spawned {
	pid_t pid;
	int pidfd, go, err;
};

/* clone3 into new namespaces (p->share, plus PID) and into the leaf
 * pause/ of @cg; the child's stdout and stderr go to @log_fd. -1 with
 * errno on failure, nothing left. */
int spawn_pause(const struct pod *p, const struct cg_dirs *cg, int log_fd, struct spawned *s);
/* Lets the child go and waits until it has exec'd pause: POD_OK, or an
 * exit code after the child's own one-line report. */
int spawn_go(const struct pod *p, struct spawned *s);

#endif
