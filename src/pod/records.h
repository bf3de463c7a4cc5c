/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Records that outlive the runtime root. The root (/run/pod) is a tmpfs
 * on most hosts and goes with a reboot; what a CNI DEL needs must not,
 * because host-local's leases (/var/lib/cni) stay. So, before the first
 * ADD, everything DEL needs is written to the data directory:
 *
 *   DATA/cni/<containerID>.json   {"bootID", "root", "pod", "containerID",
 *                                  "ifname", "portMappings", "config",
 *                                  "result" (once ADD is done)}
 *   DATA/boot_id                  the boot that last swept the records
 *
 * A record is stale when its boot is not this one (nothing of an earlier
 * boot runs), or when it is of this root and its pod no longer names it.
 * Stale records get DEL (CNI_NETNS empty, as the spec allows) and go.
 */
#ifndef POD_RECORDS_H
#define POD_RECORDS_H

#include <jansson.h>
#include <stdbool.h>

#define POD_DEFAULT_DATA_DIR "/var/lib/pod"

/* --data-dir, else $POD_DATA_DIR, else /var/lib/pod. Absolute. */
extern const char *pod_data_dir;

/* DATA/cni/<id>.json, written whole (a temporary file renamed) and synced,
 * DATA and DATA/cni made (0700) if missing. 0, or -1 with errno. */
int record_save(const char *data_dir, const char *id, json_t *rec);
/* The record, or NULL (errno ENOENT if there is none). */
json_t *record_load(const char *data_dir, const char *id);
int record_remove(const char *data_dir, const char *id);

/* What a sweep does with each stale record: DEL it; 0 if done. */
typedef int (*record_fn)(json_t *rec, void *ctx);

/* Every stale record of @data_dir, under its lock: @fn, then removal if
 * @fn returned 0. Records of this boot count only if they belong to
 * @root (realpath; NULL: none do) and @live(root, pod, id) says no.
 * The number of records @fn failed on, or -1 with errno. */
int records_sweep(const char *data_dir, const char *root,
		  bool (*live)(const char *pod, const char *id), record_fn fn, void *ctx);

/* True if DATA/boot_id is missing or names another boot while records
 * exist: the first command of a new boot, which sweeps. */
bool records_new_boot(const char *data_dir);
/* Writes this boot's id to DATA/boot_id (DATA must exist). */
int records_mark_boot(const char *data_dir);

#endif
