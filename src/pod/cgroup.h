/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A cgroup for every pod: PARENT/pod-NAME in each hierarchy pod uses,
 * with pause in its leaf pause/ and each member in a leaf run-<hex>/.
 * Limits are set on pod-NAME; stop kills the whole subtree.
 *
 * The hierarchy is detected from mountinfo: unified (cgroup v2 only),
 * hybrid (v1 controllers, plus a v2 mount without them) or legacy (v1
 * only). On v2 pod uses the one hierarchy; on v1 (hybrid or legacy) one
 * directory in each of the memory, cpu, cpuacct, pids and freezer
 * hierarchies that is mounted. Every directory made is listed, before it
 * is made, in ROOT/NAME/cgroups (one absolute path per line), so rm and gc
 * find them whatever else is lost.
 */
#ifndef POD_CGROUP_H
#define POD_CGROUP_H

#include <stdbool.h>

#include "pod.h"

#define CG_DEFAULT_PARENT "/pod"
#define CG_FILE "cgroups"

enum cg_mode { CG_NONE, CG_UNIFIED, CG_HYBRID, CG_LEGACY };
extern const char *const cg_mode_names[];

/* The pod's cgroup directories (pod-NAME), one per hierarchy. */
#define CG_DIRS 6
struct cg_dirs {
	enum cg_mode mode;
	size_t n;
	struct {
		char ctrl[16];	/* "unified", or the v1 controller */
		char path[512];	/* absolute: /sys/fs/cgroup/.../pod-NAME */
	} d[CG_DIRS];
};

/* Parses --memory SIZE: bytes, K/M/G or Ki/Mi/Gi (powers of 1024). */
int cg_parse_size(const char *s, unsigned long long *bytes);
/* Parses --cpus N (up to 3 decimals) into millicpus, at least 1. */
int cg_parse_cpus(const char *s, unsigned long *millicpus);

/* Where pod-NAME goes in each hierarchy for @p's parent and limits;
 * checks the parent and the controllers. An exit code after one line. */
int cg_plan(const struct pod *p, struct cg_dirs *cg);
/* Lists, makes and limits them, and the pause/ leaf. An exit code after
 * one line; what was made stays listed for cg_remove. */
int cg_make(const struct pod *p, const struct cg_dirs *cg);
/* Reads ROOT/NAME/cgroups; -1 if there is none (n is then 0). */
int cg_load(const struct pod *p, struct cg_dirs *cg);
/* Kills what is left in the cgroup, then removes every listed directory
 * (their leaves first) and the list. */
int cg_remove(const struct pod *p);

/* Makes a member's leaf run-<hex> in every hierarchy; its name in @leaf. */
int cg_leaf_new(const struct cg_dirs *cg, char *leaf, size_t size);
/* Removes @leaf where it is empty. */
void cg_leaf_remove(const struct cg_dirs *cg, const char *leaf);
/* A directory fd of @leaf in the unified hierarchy (for clone3's
 * CLONE_INTO_CGROUP), or -1 on v1. */
int cg_leaf_fd(const struct cg_dirs *cg, const char *leaf);
/* Moves the caller into @leaf ("" for pod-NAME itself) in every
 * hierarchy; in a child, before it execs. */
int cg_enter(const struct cg_dirs *cg, const char *leaf);

typedef int (*cg_pid_fn)(pid_t pid, void *arg);
/* Calls fn for every process in the pod's cgroup (all its leaves). */
int cg_each_pid(const struct cg_dirs *cg, cg_pid_fn fn, void *arg);
/* Kills every process in the pod's cgroup and waits until none is left:
 * cgroup.kill on v2, freeze-kill-thaw on v1. */
int cg_kill(const struct cg_dirs *cg);

struct cg_stats {
	long long mem_current, mem_max, oom_kills;	/* max -1: unlimited */
	unsigned long long cpu_usec;
	long long pids_current, pids_max;
};
int cg_stats(const struct cg_dirs *cg, struct cg_stats *s);

#endif
