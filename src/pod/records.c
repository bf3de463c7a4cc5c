/* SPDX-License-Identifier: Apache-2.0 */
/* Records under the data directory: see records.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pod.h"
#include "records.h"
#include "state.h"
#include "util.h"

const char *pod_data_dir = POD_DEFAULT_DATA_DIR;

#define RECORDS "cni"
#define BOOT_MARK "boot_id"

static int record_path(char *buf, size_t size, const char *data_dir, const char *id,
		       const char *prefix)
{
	int n = snprintf(buf, size, "%s/" RECORDS "/%s%s.json", data_dir, prefix, id);

	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* DATA and DATA/cni, 0700: records name networks and addresses. A user's
 * DATA is ~/.local/share/pod, whose parents a new account may not have
 * (0700 too, as the XDG spec asks). */
static int make_dirs(const char *data_dir)
{
	char path[POD_PATH_MAX];

	if (path_join(path, sizeof(path), data_dir, RECORDS) < 0)
		return -1;
	return mkdir_all(path, 0700);
}

/* A directory's entries made durable: a record must survive a power cut
 * as it survives a reboot. */
static int sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close_keep_errno(fd);
	return rc;
}

/* @text to @path through a temporary file in the same directory. */
static int write_synced(const char *path, const char *tmp, const char *text)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	if (write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0) {
		close_keep_errno(fd);
		goto fail;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0)
		goto fail;
	return 0;
fail:;
	int saved = errno;
	unlink(tmp);
	errno = saved;
	return -1;
}

int record_save(const char *data_dir, const char *id, json_t *rec)
{
	char path[POD_PATH_MAX], tmp[POD_PATH_MAX], dir[POD_PATH_MAX];
	char *text = json_dumps(rec, JSON_INDENT(2) | JSON_SORT_KEYS);
	int rc = -1;

	if (!text) {
		errno = ENOMEM;
		return -1;
	}
	if (make_dirs(data_dir) == 0 && record_path(path, sizeof(path), data_dir, id, "") == 0 &&
	    record_path(tmp, sizeof(tmp), data_dir, id, ".") == 0 &&
	    path_join(dir, sizeof(dir), data_dir, RECORDS) == 0 &&
	    write_synced(path, tmp, text) == 0)
		rc = sync_dir(dir);
	free(text);
	return rc;
}

json_t *record_load(const char *data_dir, const char *id)
{
	char path[POD_PATH_MAX];
	json_error_t jerr;
	json_t *rec;

	if (record_path(path, sizeof(path), data_dir, id, "") < 0)
		return NULL;
	if (access(path, F_OK) < 0)
		return NULL;
	rec = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!rec)
		errno = EINVAL;
	return rec;
}

int record_remove(const char *data_dir, const char *id)
{
	char path[POD_PATH_MAX];

	if (record_path(path, sizeof(path), data_dir, id, "") < 0)
		return -1;
	if (unlink(path) < 0)
		return errno == ENOENT ? 0 : -1;
	return 0;
}

/* A record's file name: a container id as cni.c makes them, hex. */
static bool record_name(const char *name, char *id, size_t size)
{
	size_t len = strlen(name);

	if (len < 6 || len - 5 >= size || strcmp(name + len - 5, ".json") != 0)
		return false;
	if (strspn(name, "0123456789abcdef") != len - 5)
		return false;
	snprintf(id, size, "%.*s", (int)(len - 5), name);
	return true;
}

struct sweep {
	const char *data_dir, *root;
	bool (*live)(const char *pod, const char *id);
	record_fn fn;
	void *ctx;
	char boot[40];
	int failed;
};

static bool stale(const struct sweep *s, json_t *rec, const char *id)
{
	const char *boot = json_string_value(json_object_get(rec, "bootID"));
	const char *root = json_string_value(json_object_get(rec, "root"));
	const char *pod = json_string_value(json_object_get(rec, "pod"));

	if (!boot || strcmp(boot, s->boot) != 0)
		return true;
	return s->root && root && pod && strcmp(root, s->root) == 0 && !s->live(pod, id);
}

static void sweep_one(struct sweep *s, const char *id)
{
	json_t *rec = record_load(s->data_dir, id);

	if (!rec) {
		fail_errno(POD_EFAIL, "cannot read record %s/" RECORDS "/%s.json", s->data_dir, id);
		s->failed++;
		return;
	}
	if (stale(s, rec, id)) {
		if (s->fn(rec, s->ctx) == 0)
			record_remove(s->data_dir, id);
		else
			s->failed++;
	}
	json_decref(rec);
}

int records_sweep(const char *data_dir, const char *root,
		  bool (*live)(const char *pod, const char *id), record_fn fn, void *ctx)
{
	struct sweep s = { data_dir, root, live, fn, ctx, "", 0 };
	char path[POD_PATH_MAX], id[64];
	struct dirent *e;
	DIR *d;

	if (boot_id(s.boot, sizeof(s.boot)) < 0 || path_join(path, sizeof(path), data_dir,
							       RECORDS) < 0)
		return -1;
	if (!(d = opendir(path)))
		return errno == ENOENT ? 0 : -1;
	while (flock(dirfd(d), LOCK_EX) < 0)
		if (errno != EINTR) {
			closedir(d);
			return -1;
		}
	while ((e = readdir(d)))
		if (record_name(e->d_name, id, sizeof(id)))
			sweep_one(&s, id);
	closedir(d);
	return s.failed;
}

bool records_new_boot(const char *data_dir)
{
	char path[POD_PATH_MAX], mark[64], boot[40];

	if (path_join(path, sizeof(path), data_dir, RECORDS) < 0 || access(path, F_OK) < 0)
		return false;
	if (path_join(path, sizeof(path), data_dir, BOOT_MARK) < 0 ||
	    boot_id(boot, sizeof(boot)) < 0)
		return false;
	if (read_file(path, mark, sizeof(mark)) < 0)
		return true;
	mark[strcspn(mark, "\n")] = '\0';
	return strcmp(mark, boot) != 0;
}

int records_mark_boot(const char *data_dir)
{
	char path[POD_PATH_MAX], tmp[POD_PATH_MAX], boot[48];

	if (boot_id(boot, sizeof(boot) - 1) < 0 ||
	    path_join(path, sizeof(path), data_dir, BOOT_MARK) < 0 ||
	    path_join(tmp, sizeof(tmp), data_dir, "." BOOT_MARK) < 0)
		return -1;
	strcat(boot, "\n");
	return write_synced(path, tmp, boot);
}
