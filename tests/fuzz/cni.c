/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes what pod reads from CNI: conflists, plugin results and plugin
 * error output. The error text must come out as one line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/pod/cni.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *j = json_loadb((const char *)data, size, 0, &jerr);
	char err[600], *text;

	if (j) {
		char ip[64];
		(void)cni_conflist_valid(j);
		cni_result_ip(j, ip, sizeof(ip));
		if (strchr(ip, '/'))
			__builtin_trap();
		json_decref(j);
	}
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cni_error_text("fuzz", text, size ? data[0] << 8 : 0, err, sizeof(err));
	for (const char *c = err; *c; c++)
		if ((unsigned char)*c < 0x20)
			__builtin_trap();
	free(text);
	return 0;
}
