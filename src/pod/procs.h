/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's processes, found by namespace; stopping them. */
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
/* Calls fn for every process in the pod (pause included); stops at a
 * nonzero return and returns it. */
int pod_each_process(const struct pod *p, member_fn fn, void *arg);
/* SIGTERM to every member, SIGKILL after @timeout seconds, then pause. */
int pod_stop(const struct pod *p, unsigned timeout);

#endif
