/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes single values from the command line: --sysctl KEY=VALUE, -p,
 * --share and pod names. An accepted sysctl must be one key without path
 * tricks and a value without a newline (CVE-2022-0811's smuggling). */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/pod/cni.h"
#include "../../src/pod/ns.h"
#include "../../src/pod/state.h"
#include "../../src/pod/sysctl.h"
#include "../../src/pod/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pod p;
	struct port port;
	size_t used = 0;
	char *text = malloc(size + 1);
	int flags;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&p, 0, sizeof(p));
	p.share = CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID;
	if (sysctl_add(&p, &used, text) == POD_OK) {
		const char *k = p.sysctls[0].key, *v = p.sysctls[0].value;
		if (p.nsysctls != 1 || strstr(k, "..") || strchr(k, '/') || strchr(v, '\n') ||
		    k[0] == '.' || strlen(k) + strlen(v) + 1 != strlen(text))
			__builtin_trap();
	}
	if (port_parse(text, &port) == 0 &&
	    (port.host == 0 || port.host > 65535 || port.pod == 0 || port.pod > 65535 ||
	     (strcmp(port.proto, "tcp") != 0 && strcmp(port.proto, "udp") != 0)))
		__builtin_trap();
	if (ns_parse_share(text, &flags) == 0 && flags == 0)
		__builtin_trap();
	if (pod_name_valid(text) && (strlen(text) > POD_NAME_MAX || strchr(text, '/') ||
				     text[0] == '.' || text[0] == '-'))
		__builtin_trap();
	free(text);
	return 0;
}
