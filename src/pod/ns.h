/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Namespaces as a table, and their pins: a bind mount of /proc/PID/ns/<type>
 * onto ROOT/NAME/ns/<type>.
 */
#ifndef POD_NS_H
#define POD_NS_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "pod.h"

/* The namespaces a pod can share. */
struct ns_kind {
	const char *name;	/* /proc/PID/ns/<name>, ROOT/NAME/ns/<name> */
	int flag;		/* CLONE_NEW* */
	const char *oci;	/* the OCI runtime spec's type */
	const char *nsenter;	/* nsenter(1)'s option */
	const char *podman;	/* podman run's option, given "ns:PATH" */
};
extern const struct ns_kind ns_kinds[];
extern const size_t ns_kinds_len;
extern const struct ns_kind ns_user;
#define NS_DEFAULT_SHARE "net,ipc,uts,pid"
const struct ns_kind *ns_by_flag(int flag);
/* Parses "net,ipc,..." into CLONE_NEW* flags; -1 on a bad list. */
int ns_parse_share(const char *list, int *flags);
/* "net,ipc,..." of @share, or "-" if empty. */
void ns_share_text(int share, char *buf, size_t size);

/* CLONE_NEW* of the namespace file at @path, or -1 (ENOTTY: not nsfs) */
int ns_file_type(const char *path, struct stat *st);
int ns_pin_path(const struct pod *p, const struct ns_kind *k, char *buf, size_t size);
/* The file that stands for the pod's namespace: its pin, or for a
 * rootless pod (no pins) /proc/PID/ns/<k> of its running pause. */
int ns_path(const struct pod *p, const struct ns_kind *k, char *buf, size_t size);
/* Binds /proc/PID/ns/<k> onto the pin; checks type and inode. */
int ns_pin(const struct pod *p, const struct ns_kind *k, pid_t pid);
/* Unmounts (only if it is an nsfs of the right type) and unlinks. */
int ns_unpin(const struct pod *p, const struct ns_kind *k);
/* The pod's key namespace (pid if shared, else the first shared), with
 * its pin's device and inode; NULL if that pin holds no namespace. */
const struct ns_kind *ns_key(const struct pod *p, dev_t *dev, ino_t *ino);

#endif
