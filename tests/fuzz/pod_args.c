/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes pod create's and pod run's command lines, parse and checks only:
 * nothing is created. The first word picks the command. */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/pod/pod.h"
#include "argv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pod p;
	struct fuzz_argv a = { 0 };
	int rc;

	if (size == 0 || fuzz_argv(&a, (data[0] & 1) ? "run" : "create", data + 1, size - 1) < 0)
		return 0;
	optind = 0;
	opterr = 0;
	pod_root = POD_DEFAULT_ROOT;
	if (data[0] & 1) {
		struct run *r = calloc(1, run_size());
		if (r) {
			rc = run_parse(a.argc, a.argv, r);
			if (rc != POD_OK && rc != POD_RUN_EFAIL && rc != POD_HELP_SHOWN)
				__builtin_trap();
			free(r);
		}
	} else {
		struct create_args ca;
		memset(&p, 0, sizeof(p));
		rc = create_parse(a.argc, a.argv, &p, &ca);
		if (rc == POD_OK) {
			/* what create accepts is what the rest of pod relies on */
			if (!pod_name_valid(p.name) || !p.share || p.nsysctls > SYSCTL_MAX ||
			    p.nports > PORTS_MAX || (p.nports && p.network != NET_CNI) ||
			    strlen(p.hostname) == 0 || strlen(p.hostname) > 64)
				__builtin_trap();
		} else if (rc != POD_EUSAGE && rc != POD_HELP_SHOWN) {
			__builtin_trap();
		}
	}
	free(a.text);
	return 0;
}
