/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's processes, found by cgroup (or namespace); stopping them. */
#ifndef POD_PROCS_H
#define POD_PROCS_H

#include <sys/types.h>

#include "pod.h"

/* Start time (field 22) and state (field 3) of a process; -1 if gone. */
int proc_stat(pid_t pid, unsigned long long *starttime, char *state);
/* The same from /proc/PID/stat's text; -1 if it is not that format. */
int proc_stat_parse(const char *text, unsigned long long *starttime, char *state);
/* The pid a process has in its innermost PID namespace (NSpid's last). */
pid_t proc_inside_pid(pid_t pid);

typedef int (*member_fn)(pid_t pid, pid_t inside, void *arg);
/* Calls fn for every process in the pod (pause included): those in its
 * cgroup, or, for a pod without one, those in its namespaces. Stops at a
 * nonzero return and returns it. */
int pod_each_process(const struct pod *p, member_fn fn, void *arg);
/* The same by namespace alone. */
int pod_each_process_by_ns(const struct pod *p, member_fn fn, void *arg);
/* SIGTERM to every member, then pause; after @timeout seconds, or once
 * pause is gone, the pod's cgroup is killed whole. */
int pod_stop(const struct pod *p, unsigned timeout);

#endif
