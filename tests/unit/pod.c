/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pod's pure parsers: -p, --share, pod names, sysctl keys,
 * /proc/PID/stat and mountinfo's escapes. Each is a table of inputs and
 * the answer it must get, some taken from the fuzz corpora; then every
 * input of the corpus directory named in argv[1] (tests/fuzz/corpus)
 * is replayed through the value parsers with the fuzzer's properties.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "../../src/pod/cni.h"
#include "../../src/pod/mounts.h"
#include "../../src/pod/ns.h"
#include "../../src/pod/procs.h"
#include "../../src/pod/state.h"
#include "../../src/pod/sysctl.h"
#include "../../src/pod/util.h"
#include "tap.h"

/* @s with control characters shown as \xHH, for a one-line test name */
static const char *shown(const char *s)
{
	static char buf[256];
	size_t n = 0;

	for (; *s && n < sizeof(buf) - 5; s++) {
		if ((unsigned char)*s < 0x20)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\x%02x", *s);
		else
			buf[n++] = *s;
	}
	buf[n] = '\0';
	return buf;
}

static void test_port_parse(void)
{
	static const struct {
		const char *in;
		int rc;
		unsigned host, pod;
		const char *proto;
	} cases[] = {
		{ "8080:80", 0, 8080, 80, "tcp" },
		{ "53:53/udp", 0, 53, 53, "udp" },
		{ "1:65535/tcp", 0, 1, 65535, "tcp" },
		{ "0:80", -1, 0, 0, NULL },
		{ "8080:0", -1, 0, 0, NULL },
		{ "65536:80", -1, 0, 0, NULL },
		{ "8080", -1, 0, 0, NULL },
		{ ":80", -1, 0, 0, NULL },
		{ "8080:", -1, 0, 0, NULL },
		{ "8080:80/sctp", -1, 0, 0, NULL },
		{ "8080:80/", -1, 0, 0, NULL },
		{ "-1:80", -1, 0, 0, NULL },
		{ "8080:80:90", -1, 0, 0, NULL },
		{ " 8080:80", -1, 0, 0, NULL },
		{ "99999999999999999999:80", -1, 0, 0, NULL },
		{ "828008086008080\xed", -1, 0, 0, NULL },	/* from the corpus */
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct port p = { 0, 0, "" };
		int rc = port_parse(cases[i].in, &p);
		ok(rc == cases[i].rc && (rc < 0 || (p.host == cases[i].host &&
						     p.pod == cases[i].pod &&
						     strcmp(p.proto, cases[i].proto) == 0)),
		   "port_parse(\"%s\") is %s", cases[i].in, cases[i].rc ? "refused" : "read");
	}
}

static void test_share(void)
{
	static const struct {
		const char *in;
		int rc, flags;
	} cases[] = {
		{ "net", 0, CLONE_NEWNET },
		{ "net,ipc,uts,pid", 0, CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID },
		{ "cgroup", 0, CLONE_NEWCGROUP },
		{ "pid,pid", 0, CLONE_NEWPID },
		{ "", -1, 0 },
		{ ",", -1, 0 },
		{ "net,", -1, 0 },
		{ ",net", -1, 0 },
		{ "net,,ipc", -1, 0 },
		{ "mnt", -1, 0 },
		{ "user", -1, 0 },
		{ "NET", -1, 0 },
		{ "ne", -1, 0 },
		{ "network", -1, 0 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		int flags = -1, rc = ns_parse_share(cases[i].in, &flags);
		ok(rc == cases[i].rc && (rc < 0 || flags == cases[i].flags),
		   "ns_parse_share(\"%s\") is %s", cases[i].in, cases[i].rc ? "refused" : "read");
	}
}

static void test_names(void)
{
	static const struct {
		const char *in;
		bool valid;
	} cases[] = {
		{ "web", true }, { "a", true }, { "A9_x.y-z", true }, { "0", true },
		{ "", false }, { ".", false }, { "..", false }, { ".hidden", false },
		{ "-rf", false }, { "_x", false }, { "a/b", false }, { "a b", false },
		{ "caf\xc3\xa9", false }, { "a\n", false },
		{ "123456789012345678901234567890123456789012345678901234567890123", true },
		{ "1234567890123456789012345678901234567890123456789012345678901234", false },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		ok(pod_name_valid(cases[i].in) == cases[i].valid, "pod name \"%s\" is %s",
		   shown(cases[i].in), cases[i].valid ? "valid" : "refused");
}

static void test_sysctl_keys(void)
{
	static const struct {
		const char *in;
		bool valid;
	} cases[] = {
		{ "net.core.somaxconn", true }, { "kernel.shm_rmid_forced", true },
		{ "net.ipv4.conf.eth-0.forwarding", true }, { "a", true },
		{ "", false }, { ".net", false }, { "net.", false }, { "net..core", false },
		{ "net/core", false }, { "net.core.somaxconn ", false }, { "net.*", false },
		{ "net.core\xd8", false },	/* from the corpus */
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		ok(sysctl_key_valid(cases[i].in, strlen(cases[i].in)) == cases[i].valid,
		   "sysctl key \"%s\" is %s", cases[i].in, cases[i].valid ? "valid" : "refused");
}

static void test_sysctl_add(void)
{
	static const struct {
		const char *in;
		int rc;
	} cases[] = {
		{ "net.core.somaxconn=1024", POD_OK }, { "kernel.sem=250 32000 32 128", POD_OK },
		{ "fs.mqueue.msg_max=20", POD_OK }, { "net.ipv4.ip_forward=", POD_OK },
		{ "kernel.hostname=x", POD_EUSAGE }, { "vm.swappiness=1", POD_EUSAGE },
		{ "net.core.somaxconn", POD_EUSAGE }, { "=1", POD_EUSAGE },
		{ "net.core.somaxconn=1\nkernel.x=1", POD_EUSAGE },
		{ "fs.mqueue.=1", POD_EUSAGE }, { "f.e.m.=", POD_EUSAGE },	/* corpus */
	};
	static struct pod p;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t used = 0;
		memset(&p, 0, sizeof(p));
		p.share = CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
		ok(sysctl_add(&p, &used, cases[i].in) == cases[i].rc, "--sysctl \"%s\" is %s",
		   shown(cases[i].in), cases[i].rc ? "refused" : "taken");
	}
	memset(&p, 0, sizeof(p));
	p.share = CLONE_NEWIPC;
	size_t used = 0;
	ok(sysctl_add(&p, &used, "net.core.somaxconn=1") == POD_EUSAGE,
	   "a net sysctl is refused when the pod does not share net");
}

static void test_proc_stat(void)
{
	static const struct {
		const char *in;
		int rc;
		char state;
		unsigned long long start;
	} cases[] = {
		{ "1 (pause) S 0 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 4242 4096 1",
		  0, 'S', 4242 },
		{ "7 (a (b) c) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0", 0, 'Z', 99 },
		{ "8 (x) y) R 1 8 8 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0", 0, 'R', 5 },
		{ "9 ( ) S 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7 0 0", 0, 'S', 7 },
		{ "1 (pause) S 0 1 1", -1, 0, 0 },
		{ "1 pause S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0", -1, 0, 0 },
		{ "1 (pause)", -1, 0, 0 },
		{ "1 (pause) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 x 0 0", -1, 0, 0 },
		{ "", -1, 0, 0 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		unsigned long long start = 0;
		char state = 0;
		int rc = proc_stat_parse(cases[i].in, &start, &state);
		ok(rc == cases[i].rc && (rc < 0 || (state == cases[i].state &&
						     start == cases[i].start)),
		   "/proc/PID/stat case %zu is %s", i, cases[i].rc ? "refused" : "read");
	}
}

static void test_unescape(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "/run/pod/web/ns/net", "/run/pod/web/ns/net" },
		{ "/a\\040b", "/a b" }, { "/tab\\011x", "/tab\tx" }, { "/nl\\012", "/nl\n" },
		{ "/back\\134slash", "/back\\slash" }, { "\\040\\040", "  " },
		{ "/not\\08", "/not\\08" }, { "/short\\04", "/short\\04" },
		{ "/big\\400", "/big\\400" }, { "/end\\", "/end\\" }, { "", "" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		mountinfo_unescape(buf);
		ok(strcmp(buf, cases[i].out) == 0, "mountinfo unescape case %zu", i);
	}
}

/* The fuzzer's properties (tests/fuzz/values.c) on one corpus input. */
static bool value_properties(const char *text)
{
	static struct pod p;
	struct port port;
	size_t used = 0;
	int flags;

	memset(&p, 0, sizeof(p));
	p.share = CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID;
	if (sysctl_add(&p, &used, text) == POD_OK &&
	    (p.nsysctls != 1 || strstr(p.sysctls[0].key, "..") || strchr(p.sysctls[0].key, '/') ||
	     strchr(p.sysctls[0].value, '\n')))
		return false;
	if (port_parse(text, &port) == 0 && (port.host == 0 || port.host > 65535 ||
					     port.pod == 0 || port.pod > 65535))
		return false;
	if (ns_parse_share(text, &flags) == 0 && flags == 0)
		return false;
	return !pod_name_valid(text) || (strlen(text) <= POD_NAME_MAX && !strchr(text, '/'));
}

static void test_corpus(const char *dir)
{
	char path[4096], text[4096];
	struct dirent *e;
	DIR *d = opendir(dir);
	size_t n = 0, bad = 0;

	ok(d != NULL, "the values corpus %s is there", dir);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (read_file(path, text, sizeof(text)) < 0)
			continue;
		n++;
		if (!value_properties(text)) {
			bad++;
			printf("# corpus input %s breaks a property\n", e->d_name);
		}
	}
	if (d)
		closedir(d);
	ok(n >= 50 && bad == 0, "%zu corpus inputs replayed, %zu break a property", n, bad);
}

/* mkdir -p: parents made, an existing tree accepted, a file refused */
static void test_mkdir_all(void)
{
	char base[] = "/tmp/unit-pod-XXXXXX", path[256], file[256];
	struct stat st = { 0 };

	if (!ok(mkdtemp(base) != NULL, "mkdir_all: a scratch directory"))
		return;
	snprintf(path, sizeof(path), "%s/a/b/c", base);
	ok(mkdir_all(path, 0750) == 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode),
	   "mkdir_all: three missing levels made");
	ok((st.st_mode & 07777) == 0750, "mkdir_all: with the mode asked (%o)",
	   (unsigned)(st.st_mode & 07777));
	ok(mkdir_all(path, 0750) == 0, "mkdir_all: an existing directory is fine");
	snprintf(path, sizeof(path), "%s/a/b/", base);
	ok(mkdir_all(path, 0750) == 0, "mkdir_all: a trailing slash");
	snprintf(file, sizeof(file), "%s/f", base);
	close(open(file, O_WRONLY | O_CREAT, 0600));
	ok(mkdir_all(file, 0750) < 0 && errno == ENOTDIR, "mkdir_all: a file is not a directory");
	snprintf(path, sizeof(path), "%s/f/x", base);
	ok(mkdir_all(path, 0750) < 0 && errno == ENOTDIR, "mkdir_all: nor a parent that is a file");
	ok(mkdir_all("", 0750) < 0 && errno == ENOENT, "mkdir_all: the empty path is refused");
	ok(mkdir_all("/", 0750) == 0, "mkdir_all: / is a directory");
	unlink(file);
	const char *dirs[] = { "a/b/c", "a/b", "a", "" };
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", base, dirs[i]);
		rmdir(path);
	}
}

int main(int argc, char **argv)
{
	test_port_parse();
	test_share();
	test_names();
	test_sysctl_keys();
	test_sysctl_add();
	test_proc_stat();
	test_unescape();
	test_mkdir_all();
	test_corpus(argc > 1 ? argv[1] : "tests/fuzz/corpus/values");
	return tap_done();
}
