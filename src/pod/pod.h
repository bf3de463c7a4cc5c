/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pod: a pod made from scratch on one machine. pause is PID 1 of the
 * pod's PID namespace and holds the others; every shared namespace is
 * pinned by a bind mount under ROOT/NAME/ns/; ROOT/NAME/state.json records
 * pause by pid plus start time plus boot id, never by a bare pid.
 *
 * This header is the model: a pod as recorded, and the limits on it.
 * Each concern has its own header: util.h (errors, files), cli.h (option
 * tables, help, the commands), state.h, ns.h, sysctl.h, cni.h, procs.h,
 * spawn.h, mounts.h.
 */
#ifndef POD_POD_H
#define POD_POD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define POD_NAME_MAX 63
#define POD_DEFAULT_ROOT "/run/pod"

#define SYSCTL_MAX 64
struct sysctl {
	const char *key;	/* dotted, checked */
	const char *value;
};

/* A port published through CNI's portMappings capability. */
#define PORTS_MAX 64
struct port {
	unsigned host, pod;
	char proto[4];		/* "tcp" or "udp" */
};

enum network { NET_NONE, NET_HOST, NET_CNI };

/* A pod as recorded in state.json. */
struct pod {
	char name[POD_NAME_MAX + 1];
	char dir[4096];		/* ROOT/NAME */
	bool has_state;		/* state.json read and valid */
	pid_t pid;		/* pause, in the caller's PID namespace */
	unsigned long long starttime;	/* /proc/PID/stat field 22 */
	char boot_id[40];
	bool ready;		/* create is done: pause exec'd, lo, hostname, network */
	long long created;	/* seconds since the epoch */
	char hostname[65];
	int share;		/* CLONE_NEW* of every pinned namespace */
	char pause[4096];
	size_t nsysctls;
	struct sysctl sysctls[SYSCTL_MAX];
	char sysctl_text[8192];	/* storage for sysctls[] */
	enum network network;
	char cni_name[128];	/* the conflist's name */
	char cni_id[40];	/* CNI_CONTAINERID: random, hex */
	size_t nports;
	struct port ports[PORTS_MAX];
	/* resources (cgroup.h): the parent as given ("" for the default);
	 * limits, 0 for none */
	char cgroup_parent[256];
	unsigned long long memory;	/* bytes */
	unsigned long millicpus;
	unsigned long long pids_limit;
};

/* A path under a pod's directory: ROOT/NAME plus a file name. */
#define POD_PATH_MAX (sizeof(((struct pod *)0)->dir) + 104)

/* Where pods live: --root, else $POD_ROOT, else /run/pod. Absolute. */
extern const char *pod_root;

#endif
