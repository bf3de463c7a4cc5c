/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cni.c: CNI 1.0.0, run as the spec's runtime. The conflist used for ADD,
 * the port mappings and the result are recorded in the data directory
 * (records.h) before ADD starts, so DEL gets exactly what ADD got,
 * whatever happens to the conf dir, and even after a reboot has wiped the
 * runtime root. The pod's directory keeps a pointer to that record
 * (cni.json) and a copy of the result (cni-result.json) for ls and
 * inspect.
 */
#ifndef POD_CNI_H
#define POD_CNI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "pod.h"

#define CNI_DEFAULT_CONF_DIR "/etc/cni/net.d"
#define CNI_DEFAULT_PATH "/opt/cni/bin:/usr/lib/cni"
#define CNI_IFNAME "eth0"
#define CNI_DEFAULT_TIMEOUT 60
#define CNI_TIMEOUT_MAX 86400

/* Seconds a plugin may take before it is killed (--cni-timeout). */
extern unsigned cni_timeout;
/* the files cni.c keeps in the pod's directory: the pointer to its
 * record, and the result */
#define CNI_POINTER "cni.json"
#define CNI_FILES CNI_POINTER, "cni-result.json"

/* HOSTPORT:PODPORT[/tcp|/udp]; 0, or -1 if it is not one. */
int port_parse(const char *arg, struct port *out);
/* Finds the conflist named @name (or, if NULL, the first in @dir, writing
 * the built-in default if @dir has none); fills p->cni_name and a fresh
 * p->cni_id. */
int cni_choose(struct pod *p, const char *dir, const char *name, json_t **conflist);
int cni_add(struct pod *p, json_t *conflist);
/* DEL in reverse order, with what ADD recorded, then the record goes;
 * POD_OK if ADD never started. */
int cni_del(const struct pod *p);
/* DEL of a record from the data directory, its network namespace gone
 * (CNI_NETNS empty); 0, or -1 after one line. A records_sweep callback. */
int cni_del_record(json_t *rec, void *ctx);
json_t *cni_result(const struct pod *p);	/* the stored result, or NULL */
/* What pod takes from plugins and conf files, checked (the fuzzer's too) */
bool cni_conflist_valid(json_t *conflist);
void cni_result_ip(json_t *result, char *buf, size_t size);
void cni_error_text(const char *type, const char *out, int status, char *err, size_t errsz);
/* The first IP of the stored result, without prefix, or "-". */
void cni_first_ip(const struct pod *p, char *buf, size_t size);

#endif
