/* SPDX-License-Identifier: Apache-2.0 */
/* The state root, each pod's state.json, and removing a pod's files. */
#ifndef POD_STATE_H
#define POD_STATE_H

#include <jansson.h>
#include <stdbool.h>

#include "pod.h"

/* [A-Za-z0-9][A-Za-z0-9_.-]{0,62}: never empty, "..", a path or an option */
bool pod_name_valid(const char *name);
int pod_open(struct pod *p, const char *name);	/* name + dir, no I/O */
/* pod_open, then its state: POD_ENOPOD (after one line) if there is no
 * such pod; a pod with missing or broken state is found, !has_state. */
int pod_find(struct pod *p, const char *name);
int pod_root_lock(void);			/* fd, or -1 */
/* 0, or -1: errno ENOENT if there is no such pod, EINVAL if its state is
 * missing or invalid (a half-made or half-removed pod) */
int pod_state_load(struct pod *p);
int pod_state_save(const struct pod *p);	/* 0, or -1 */
json_t *state_json(const struct pod *p);
/* state.json's text checked and read into @p (p->name must be set). */
int pod_state_parse(struct pod *p, const char *text, size_t len);
int boot_id(char *buf, size_t size);
/* Is the recorded pause still that very process, and alive? */
bool pod_running(const struct pod *p);
/* "running", "creating" (pause runs, create is not done), or "exited" */
const char *pod_status(const struct pod *p);
/* A pidfd for pause, checked to be the recorded process; -1 if not. */
int pod_pidfd(const struct pod *p);
/* Every valid pod name under the root, sorted; caller frees. */
int pod_list(char ***names, size_t *count);
void pod_list_free(char **names, size_t count);

/* Removal, for rm, gc and a failed create; the caller holds the root lock.
 * pod_remove: members, network, pause, then pod_clear. */
int pod_remove(struct pod *p, bool force);
/* The pins, files and directories of a pod whose processes are gone;
 * a missing one is fine, so a crashed removal can be finished. */
int pod_clear(struct pod *p);

#endif
