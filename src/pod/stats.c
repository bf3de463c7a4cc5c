/* SPDX-License-Identifier: Apache-2.0 */
/* pod stats: each pod's memory, CPU and process count, from its cgroup. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgroup.h"
#include "cli.h"
#include "output.h"
#include "state.h"
#include "util.h"

static const struct opt stats_opts[] = {
	{ "format", LISTING_FORMAT, "FORMAT", "table (default) or json (an array of objects)" },
	OPT_END,
};

static int stats_main(int argc, char **argv);

const struct command cmd_stats = {
	.name = "stats",
	.operands = "[OPTIONS] [NAME...]",
	.summary = "show pods' memory, CPU and processes",
	.about = "Memory (current, limit, OOM kills), CPU (seconds used, and percent of\n"
		 "one CPU over a 200 ms sample) and processes (current, limit) of each\n"
		 "NAME, or of every pod, read from the pod's cgroup. A missing pod is\n"
		 "reported and the others are still shown.",
	.opts = stats_opts,
	.usage_code = POD_EUSAGE,
	.main = stats_main,
};

#define SAMPLE_MS 200

struct sample {
	const char *name;
	struct cg_dirs cg;
	struct cg_stats s;
	unsigned long long cpu_before;
	bool ok;
};

static int stats_opt(void *ctx, int key, char *arg)
{
	return listing_opt(&cmd_stats, ctx, key, arg);
}

/* Loads each pod's cgroup and a first reading; the exit code of the last
 * pod that could not be read, or POD_OK. */
static int first_reading(struct sample *sm, size_t n)
{
	static struct pod p;
	int rc = POD_OK;

	for (size_t i = 0; i < n; i++) {
		int one = pod_find(&p, sm[i].name);
		if (one) {
			rc = one;
			continue;
		}
		if (cg_load(&p, &sm[i].cg) < 0) {
			rc = fail(POD_EFAIL, "cannot read stats of pod %s: it has no cgroup", p.name);
			continue;
		}
		cg_stats(&sm[i].cg, &sm[i].s);
		sm[i].cpu_before = sm[i].s.cpu_usec;
		sm[i].ok = true;
	}
	return rc;
}

static double percent(const struct sample *sm, long long elapsed_us)
{
	unsigned long long used = sm->s.cpu_usec - sm->cpu_before;

	if (elapsed_us <= 0 || sm->s.cpu_usec < sm->cpu_before)
		return 0.0;
	return 100.0 * (double)used / (double)elapsed_us;
}

static json_t *maybe(long long v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static json_t *sample_json(const struct sample *sm, long long elapsed_us)
{
	const struct cg_stats *s = &sm->s;

	return json_pack("{s:s,s:{s:o,s:o,s:o},s:{s:I,s:f},s:{s:o,s:o}}", "name", sm->name,
			 "memory", "current", maybe(s->mem_current), "max", maybe(s->mem_max),
			 "oom_kills", maybe(s->oom_kills),
			 "cpu", "usage_usec", (json_int_t)s->cpu_usec,
			 "percent", percent(sm, elapsed_us),
			 "pids", "current", maybe(s->pids_current), "max", maybe(s->pids_max));
}

/* 12.3MiB; "-" for none or unknown */
static void size_text(long long v, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double d = (double)v;
	size_t u = 0;

	if (v < 0) {
		snprintf(buf, size, "-");
		return;
	}
	while (d >= 1024 && u + 1 < ARRAY_LEN(units)) {
		d /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f%s" : "%.0f%s", d, units[u]);
}

static void sample_row(const struct sample *sm, long long elapsed_us)
{
	const struct cg_stats *s = &sm->s;
	char cur[32], max[32], pmax[32] = "-";

	size_text(s->mem_current, cur, sizeof(cur));
	size_text(s->mem_max, max, sizeof(max));
	if (s->pids_max >= 0)
		snprintf(pmax, sizeof(pmax), "%lld", s->pids_max);
	printf("%-20s %10s %10s %9lld %10.2f %7.1f %6lld %10s\n", sm->name, cur, max,
	       s->oom_kills < 0 ? 0 : s->oom_kills, (double)s->cpu_usec / 1e6,
	       percent(sm, elapsed_us), s->pids_current < 0 ? 0 : s->pids_current, pmax);
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int stats_print(struct sample *sm, size_t n, const struct listing *a)
{
	long long start = now_us(), elapsed;
	json_t *all = json_array();
	int rc = POD_OK;

	nanosleep(&(struct timespec){ 0, SAMPLE_MS * 1000000L }, NULL);
	elapsed = now_us() - start;
	if (a->format == FORMAT_TABLE)
		printf("%-20s %10s %10s %9s %10s %7s %6s %10s\n", "NAME", "MEM", "MEM-MAX",
		       "OOM-KILLS", "CPU-SEC", "CPU%", "PIDS", "PIDS-MAX");
	for (size_t i = 0; i < n; i++) {
		if (!sm[i].ok)
			continue;
		cg_stats(&sm[i].cg, &sm[i].s);
		if (a->format == FORMAT_JSON)
			json_array_append_new(all, sample_json(&sm[i], elapsed));
		else
			sample_row(&sm[i], elapsed);
	}
	if (a->format == FORMAT_JSON)
		rc = print_json(json_incref(all));
	json_decref(all);
	return rc;
}

static int stats_main(int argc, char **argv)
{
	struct listing a = { FORMAT_TABLE, false };
	struct sample *sm;
	char **names = NULL;
	size_t n = 0;
	int first, rc, out;

	if ((rc = cli_parse(&cmd_stats, argc, argv, stats_opt, &a, &first)))
		return rc;
	if (first == argc && pod_list(&names, &n) < 0)
		return fail_errno(POD_EFAIL, "cannot list pods in %s", pod_root);
	if (first < argc)
		n = (size_t)(argc - first);
	if (!(sm = calloc(n ? n : 1, sizeof(*sm)))) {
		pod_list_free(names, names ? n : 0);
		return fail_errno(POD_EFAIL, "cannot read stats");
	}
	for (size_t i = 0; i < n; i++)
		sm[i].name = names ? names[i] : argv[first + (int)i];
	rc = first_reading(sm, n);
	out = stats_print(sm, n, &a);
	free(sm);
	if (names)
		pod_list_free(names, n);
	if (!rc)
		rc = out;
	return rc ? rc : flush_stdout();
}
