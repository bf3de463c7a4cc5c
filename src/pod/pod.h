/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pod: a pod made from scratch on one machine. pause is PID 1 of the
 * pod's PID namespace and holds the others; every shared namespace is
 * pinned by a bind mount under ROOT/NAME/ns/; ROOT/NAME/state.json records
 * pause by pid plus start time plus boot id, never by a bare pid.
 *
 * Error contract: a function that fails prints one line
 * ("pod: cannot <verb> <object>: <reason>") and returns an exit code
 * (POD_E*); callers pass it up unchanged. Functions that print nothing
 * return -1 with errno set.
 */
#ifndef POD_POD_H
#define POD_POD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Exit codes, documented in docs/pod.1. */
enum {
	POD_OK = 0,
	POD_EFAIL = 1,		/* a system call or a step failed */
	POD_EUSAGE = 2,		/* bad option, name, value */
	POD_ENOPOD = 3,		/* no such pod */
	POD_ECONFLICT = 4,	/* pod exists / is running / is not running */
	POD_RUN_EFAIL = 125,	/* pod run: pod itself failed */
	POD_RUN_ENOEXEC = 126,	/* pod run: CMD found but not executable */
	POD_RUN_ENOENT = 127,	/* pod run: CMD not found */
	POD_HELP_SHOWN = -1,	/* --help printed: main exits 0 */
};

#define POD_NAME_MAX 63
#define POD_DEFAULT_ROOT "/run/pod"

/* The namespaces a pod can share; the table is in ns.c. */
struct ns_kind {
	const char *name;	/* /proc/PID/ns/<name>, ROOT/NAME/ns/<name> */
	int flag;		/* CLONE_NEW* */
	const char *oci;	/* the OCI runtime spec's type */
	const char *nsenter;	/* nsenter(1)'s option */
};
extern const struct ns_kind ns_kinds[];
extern const size_t ns_kinds_len;
#define NS_DEFAULT_SHARE "net,ipc,uts,pid"
const struct ns_kind *ns_by_flag(int flag);
/* Parses "net,ipc,..." into CLONE_NEW* flags; -1 on a bad list. */
int ns_parse_share(const char *list, int *flags);

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
#define CNI_DEFAULT_CONF_DIR "/etc/cni/net.d"
#define CNI_DEFAULT_PATH "/opt/cni/bin:/usr/lib/cni"
#define CNI_IFNAME "eth0"
/* the files cni.c keeps in the pod's directory */
#define CNI_FILES "cni.json", "cni-result.json"

/* A pod as recorded in state.json. */
struct pod {
	char name[POD_NAME_MAX + 1];
	char dir[4096];		/* ROOT/NAME */
	bool has_state;		/* state.json read and valid */
	pid_t pid;		/* pause, in the caller's PID namespace */
	unsigned long long starttime;	/* /proc/PID/stat field 22 */
	char boot_id[40];
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
};

/* Where pods live: --root, else $POD_ROOT, else /run/pod. Absolute. */
extern const char *pod_root;

/* util.c */
int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct pod;
int with_interrupts_held(int (*fn)(struct pod *), struct pod *p);
/* What a forked child that fails before its exec tells the parent, in one
 * pipe write: "cannot <verb> <object>: <strerror(errno)>" and the exit
 * code; then it exits with that code. */
struct report {
	int code;
	char msg[500];
};
__attribute__((format(printf, 3, 4), noreturn))
void report_fail(int fd, int code, const char *fmt, ...);
int path_join(char *buf, size_t size, const char *a, const char *b);
/* qsort's comparison for an array of strings */
int str_ptr_cmp(const void *a, const void *b);
/* Reads a small file whole; NUL-terminated, returns length or -1. */
ssize_t read_file(const char *path, char *buf, size_t size);
int write_all(int fd, const void *buf, size_t len);
/* parses a decimal in [0, max]; -1 if it is not one */
int parse_ull(const char *s, unsigned long long max, unsigned long long *out);
/* Test builds (-DPOD_FAULTS): fails the step named in $POD_FAULT with
 * ECANCELED. Release builds compile it away. */
#ifdef POD_FAULTS
int fault(const char *step);
void fault_init(void);
#else
static inline int fault(const char *step) { (void)step; return 0; }
static inline void fault_init(void) {}
#endif

/* state.c */
bool pod_name_valid(const char *name);
int pod_open(struct pod *p, const char *name);	/* name + dir, no I/O */
int pod_root_lock(void);			/* fd, or -1 */
/* 0, or -1: errno ENOENT if there is no such pod, EINVAL if its state is
 * missing or invalid (a half-made or half-removed pod) */
int pod_state_load(struct pod *p);
int pod_state_save(const struct pod *p);	/* 0, or -1 */
json_t *state_json(const struct pod *p);
/* state.json's text checked and read into @p (p->name must be set). */
int pod_state_parse(struct pod *p, const char *text, size_t len);
/* Start time (field 22) and state (field 3) of a process; -1 if gone. */
int proc_stat(pid_t pid, unsigned long long *starttime, char *state);
int boot_id(char *buf, size_t size);
/* Is the recorded pause still that very process, and alive? */
bool pod_running(const struct pod *p);
/* A pidfd for pause, checked to be the recorded process; -1 if not. */
int pod_pidfd(const struct pod *p);
/* Every valid pod name under the root, sorted; caller frees. */
int pod_list(char ***names, size_t *count);
void pod_list_free(char **names, size_t count);

/* ns.c */
/* CLONE_NEW* of the namespace file at @path, or -1 (ENOTTY: not nsfs) */
int ns_file_type(const char *path, struct stat *st);
int ns_pin_path(const struct pod *p, const struct ns_kind *k, char *buf, size_t size);
/* Binds /proc/PID/ns/<k> onto the pin; checks type and inode. */
int ns_pin(const struct pod *p, const struct ns_kind *k, pid_t pid);
/* Unmounts (only if it is an nsfs of the right type) and unlinks. */
int ns_unpin(const struct pod *p, const struct ns_kind *k);
/* The pod's key namespace (pid if shared, else the first shared), with
 * its pin's device and inode; NULL if that pin holds no namespace. */
const struct ns_kind *ns_key(const struct pod *p, dev_t *dev, ino_t *ino);

/* cni.c: CNI 1.0.0, run as the spec's runtime. The conflist used for ADD
 * and its result are kept in the pod's directory, so DEL gets exactly
 * what ADD got, whatever happens to the files in the conf dir. */
int port_parse(const char *arg, struct port *out);
/* Finds the conflist named @name (or, if NULL, the first in @dir, writing
 * the built-in default if @dir has none); fills p->cni_name and a fresh
 * p->cni_id. */
int cni_choose(struct pod *p, const char *dir, const char *name, json_t **conflist);
int cni_add(struct pod *p, json_t *conflist);
/* DEL in reverse order, with the container id and config ADD recorded in
 * the pod's directory; POD_OK if ADD never started. */
int cni_del(const struct pod *p);
json_t *cni_result(const struct pod *p);	/* the stored result, or NULL */
/* What pod takes from plugins and conf files, checked (the fuzzer's too) */
bool cni_conflist_valid(json_t *conflist);
void cni_result_ip(json_t *result, char *buf, size_t size);
void cni_error_text(const char *type, const char *out, int status, char *err, size_t errsz);
/* The first IP of the stored result, without prefix, or "-". */
void cni_first_ip(const struct pod *p, char *buf, size_t size);

/* procs.c */
typedef int (*member_fn)(pid_t pid, pid_t inside, void *arg);
/* Calls fn for every process in the pod (pause included); stops at a
 * nonzero return and returns it. */
int pod_each_process(const struct pod *p, member_fn fn, void *arg);
int pod_stop(const struct pod *p, unsigned timeout);

/* create.c and run.c: the command lines alone (the fuzzer runs them) */
struct create_args {
	const char *pause, *conf_dir, *cni_name;
};
int create_parse(int argc, char **argv, struct pod *p, struct create_args *a);
/* One --sysctl KEY=VALUE, checked against the namespaced set; appended. */
int pod_add_sysctl(struct pod *p, size_t *used, const char *arg);
struct run;
int run_parse(int argc, char **argv, struct run *r);
size_t run_size(void);

/* commands */
int cmd_create(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_gc(int argc, char **argv);
/* rm's work, shared with gc; the caller holds the root lock */
int pod_remove(struct pod *p, bool force);
/* The pins, files and directories of a pod whose processes are gone */
int pod_clear(struct pod *p);
int pod_remove_forced(struct pod *p);	/* pod_remove(p, true) */
int pod_remove_stopped(struct pod *p);	/* pod_remove(p, false) */

/* getopt_long tables: every subcommand takes --root and --help */
#define POD_COMMON_OPTS \
	{ "root", required_argument, NULL, 'R' }, \
	{ "help", no_argument, NULL, 'h' }
int common_opt(int opt, char **argv, const char *cmd, const char *help);

#endif
