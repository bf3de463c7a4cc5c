/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes state.json's reader. What it accepts must survive a round trip:
 * written back (state_json) and read again, it must give the same pod. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/pod/state.h"
#include "../../src/pod/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pod p, q;
	json_t *back;
	char *text;

	json_error_t jerr;
	json_t *j = json_loadb((const char *)data, size, 0, &jerr);
	const char *name = json_string_value(json_object_get(j, "name"));

	/* the state must name its own pod: take the name it gives, if valid */
	memset(&p, 0, sizeof(p));
	strcpy(p.name, name && pod_name_valid(name) ? name : "fuzz");
	json_decref(j);
	if (pod_state_parse(&p, (const char *)data, size) < 0)
		return 0;
	back = state_json(&p);
	text = back ? json_dumps(back, JSON_COMPACT) : NULL;
	json_decref(back);
	if (!text)
		return 0;
	memset(&q, 0, sizeof(q));
	strcpy(q.name, p.name);
	if (pod_state_parse(&q, text, strlen(text)) < 0 || q.pid != p.pid ||
	    q.starttime != p.starttime || q.share != p.share || q.network != p.network ||
	    q.nports != p.nports || q.nsysctls != p.nsysctls || strcmp(q.hostname, p.hostname) != 0)
		__builtin_trap();
	free(text);
	return 0;
}
