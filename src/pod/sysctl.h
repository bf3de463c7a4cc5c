/* SPDX-License-Identifier: Apache-2.0 */
/* --sysctl KEY=VALUE: checked against the namespaced set, one per flag. */
#ifndef POD_SYSCTL_H
#define POD_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "pod.h"

/* A dotted key of [A-Za-z0-9_-] words: "net.core.somaxconn". */
bool sysctl_key_valid(const char *key, size_t len);
/* One KEY=VALUE, appended to p->sysctls (strings in p->sysctl_text from
 * *used on); POD_OK or POD_EUSAGE after one line. */
int sysctl_add(struct pod *p, size_t *used, const char *arg);
/* Writes one through /proc/sys, in the writer's namespaces; 0 or -1. */
int sysctl_write(const struct sysctl *s);

#endif
