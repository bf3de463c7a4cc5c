/* SPDX-License-Identifier: Apache-2.0 */
/*
 * User-mode networking: pasta or slirp4netns, started beside pause with
 * the pod, attached to its user and network namespaces by pause's pid, and
 * stopped with it. Either one works without root. Published ports (-p) are
 * the helper's: pasta's -t/-u, slirp4netns' add_hostfwd on its API socket
 * (ROOT/NAME/slirp.sock).
 */
#ifndef POD_USERNET_H
#define POD_USERNET_H

#include "pod.h"

#define USERNET_SOCKET "slirp.sock"
/* How long the helper may take to be ready */
#define USERNET_READY_MS 10000

/* Starts the helper for the pod's pause (p->pid), waits until it is
 * ready and its ports are published, and records it in p->helper. An
 * exit code after one line; a helper that failed is killed. */
int usernet_start(struct pod *p, int log_fd);
/* Stops the recorded helper if it is still that process. */
void usernet_stop(const struct pod *p);
/* Is the recorded helper alive? */
bool usernet_running(const struct pod *p);
/* The helper's program name for a network mode; NULL if not user-mode. */
const char *usernet_prog(enum network mode);

#endif
