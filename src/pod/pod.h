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
/* a user's: $XDG_RUNTIME_DIR/pod */
#define POD_USER_ROOT "pod"

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

/* pasta and slirp4netns: user-mode networking, for rootless pods too */
enum network { NET_NONE, NET_HOST, NET_CNI, NET_PASTA, NET_SLIRP };

/* The pod's user namespace. A rootless pod always has one: SUBIDS maps
 * the user's /etc/subuid and /etc/subgid ranges through newuidmap and
 * newgidmap, SINGLE the user's own ids alone. Root's pods have one only
 * with --userns (MAP). */
enum userns { USERNS_NONE, USERNS_SINGLE, USERNS_SUBIDS, USERNS_MAP };

/* A range of ids: inside..inside+count-1 is outside..outside+count-1. */
struct idrange {
	unsigned long inside, outside, count;
};
#define IDMAP_MAX 2

/* A process pod started beside pause (the user-mode network's helper),
 * recorded as pause is. */
struct helper {
	pid_t pid;		/* 0: none */
	unsigned long long starttime;
};

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
	/* rootless: made by a user, its namespaces held by pause alone (a
	 * user's bind mounts would be useless outside its mount namespace) */
	bool rootless;
	enum userns userns;
	size_t nuid, ngid;
	struct idrange uid[IDMAP_MAX], gid[IDMAP_MAX];
	struct helper helper;
};

/* A path under a pod's directory: ROOT/NAME plus a file name. */
#define POD_PATH_MAX (sizeof(((struct pod *)0)->dir) + 104)

/* Where pods live: --root, else $POD_ROOT, else /run/pod. Absolute. */
extern const char *pod_root;

#endif
