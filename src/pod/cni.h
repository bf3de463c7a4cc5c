/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cni.c: CNI 1.0.0, run as the spec's runtime. The conflist used for ADD
 * and its result are kept in the pod's directory, so DEL gets exactly
 * what ADD got, whatever happens to the files in the conf dir.
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
/* the files cni.c keeps in the pod's directory */
#define CNI_FILES "cni.json", "cni-result.json"

/* HOSTPORT:PODPORT[/tcp|/udp]; 0, or -1 if it is not one. */
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

#endif
