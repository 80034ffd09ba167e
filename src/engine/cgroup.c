/* SPDX-License-Identifier: GPL-2.0-only */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libcgroup.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "psi.h"
#include "util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static const char *const cgroup_file_table[_CGROUP_FILE_MAX] = {
	[CGROUP_FILE_RECLAIM] = "memory.reclaim",
	[CGROUP_FILE_NUMA_STAT] = "memory.numa_stat",
	[CGROUP_FILE_STAT] = "memory.stat",
	[CGROUP_FILE_PRESSURE] = "memory.pressure",
	[CGROUP_FILE_MIN] = "memory.min",
	[CGROUP_FILE_LOW] = "memory.low",
	[CGROUP_FILE_CURRENT] = "memory.current",
	[CGROUP_FILE_EVENTS] = "cgroup.events",
	[CGROUP_FILE_SWAP_CURRENT] = "memory.swap.current",
};

DEFINE_STRING_TABLE_TO_STRING(, cgroup_file, enum cgroup_file, _CGROUP_FILE_MAX)

/* ---- discovery ---- */

static bool controllers_have_memory(int dir_fd)
{
	char buf[512], *save = NULL;
	ssize_t n;

	n = read_file_at(dir_fd, "cgroup.controllers", buf, sizeof(buf));
	if (n < 0)
		return false;
	/* "cpuset cpu io memory hugetlb pids rdma misc\n": a word match. */
	for (char *w = strtok_r(buf, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
		if (streq(w, "memory"))
			return true;
	return false;
}

/* A candidate mount: cgroup2 (unless the fixture skips the check) with the
 * memory controller enabled at its root. */
static int mount_usable(const char *path, bool skip_fs_check)
{
	_cleanup_close_ int fd = -1;
	struct statfs sfs;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	if (!skip_fs_check) {
		if (fstatfs(fd, &sfs) < 0)
			return negative_errno();
		if ((unsigned long)sfs.f_type != (unsigned long)CGROUP2_SUPER_MAGIC)
			return -ENOMEDIUM;
	}
	if (!controllers_have_memory(fd))
		return -ENOMEDIUM;
	return 0;
}

/* Undo mountinfo's octal escapes ("\040" for a space) in place. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' &&
		    p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
			*w++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else
			*w++ = *p;
	}
	*w = '\0';
}

/*
 * /proc/self/mountinfo lines:
 *	36 25 0:31 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw
 * field 5 is the mount point; after the " - " separator comes the type.
 */
static int mountinfo_find_cgroup2(const char *root, bool skip_fs_check, char *ret,
				  size_t size)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[4096], line[4096];

	if (path_join(path, sizeof(path), root, "/proc/self/mountinfo") < 0)
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return negative_errno();
	while (fgets(line, sizeof(line), f)) {
		char mnt[4096], full[4096], *sep;

		sep = strstr(line, " - ");
		if (!sep || !startswith(sep + 3, "cgroup2 "))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		unescape_octal(mnt);
		if (path_join(full, sizeof(full), root, mnt) < 0)
			continue;
		if (mount_usable(full, skip_fs_check) < 0)
			continue;
		if (strlen(full) >= size)
			return -ENAMETOOLONG;
		strcpy(ret, full);
		return 0;
	}
	return -ENOMEDIUM;
}

/* libcgroup knows the memory controller's mount, v1 or v2. */
static int libcgroup_memory_mount(char *ret, size_t size)
{
	char *mnt = NULL;
	int r;

	r = cgroup_init();
	if (r != 0)
		return -ENOMEDIUM;
	r = cgroup_get_subsys_mount_point("memory", &mnt);
	if (r != 0 || !mnt) {
		free(mnt);
		return -ENOMEDIUM;
	}
	if (strlen(mnt) >= size) {
		free(mnt);
		return -ENAMETOOLONG;
	}
	strcpy(ret, mnt);
	free(mnt);
	return 0;
}

int cgroup_discover(const struct cgroup_config *cfg, char *ret_path, size_t size)
{
	bool host = !cfg->root || streq(cfg->root, "/");
	char path[4096];
	int r;

	if (cfg->mount) {
		r = path_join(path, sizeof(path), cfg->root, cfg->mount);
		if (r < 0)
			return r;
		r = mount_usable(path, cfg->skip_fs_check);
		if (r < 0)
			return r;
	} else if (host && libcgroup_memory_mount(path, sizeof(path)) >= 0 &&
		   mount_usable(path, cfg->skip_fs_check) >= 0) {
		/* v2 or unified host: libcgroup's answer is cgroup2. */
	} else {
		/* Hybrid host: libcgroup returned the v1 mount. Look for a
		 * cgroup2 mount that has the memory controller. */
		r = mountinfo_find_cgroup2(cfg->root, cfg->skip_fs_check, path,
					   sizeof(path));
		if (r < 0) {
			r = path_join(path, sizeof(path), cfg->root, "/sys/fs/cgroup");
			if (r < 0)
				return r;
			r = mount_usable(path, cfg->skip_fs_check);
			if (r < 0)
				return -ENOMEDIUM;
		}
	}
	if (strlen(path) >= size)
		return -ENAMETOOLONG;
	strcpy(ret_path, path);
	return 0;
}

/* ---- path validation ---- */

static bool path_has_dotdot(const char *path)
{
	const char *p = path;

	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p += n;
		while (*p == '/')
			p++;
	}
	return false;
}

/* O_DIRECTORY|O_NOFOLLOW on a symlink fails with ENOTDIR: say ELOOP, as
 * openat2's RESOLVE_NO_SYMLINKS does. */
static int component_error(int dir_fd, const char *comp)
{
	int r = negative_errno();
	struct stat st;

	if (r == -ENOTDIR && fstatat(dir_fd, comp, &st, AT_SYMLINK_NOFOLLOW) >= 0 &&
	    S_ISLNK(st.st_mode))
		return -ELOOP;
	return r;
}

/* Before openat2 (5.6): one component at a time, none a symlink. */
int cgroup_path_open_nofollow(int root_fd, const char *path, int *ret_fd)
{
	_cleanup_close_ int fd = -1;
	char comp[256];
	const char *p = path;

	if (path_has_dotdot(path))
		return -EPERM;
	fd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	while (*p) {
		size_t n = strcspn(p, "/");
		int nfd;

		if (n >= sizeof(comp))
			return -ENAMETOOLONG;
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			memcpy(comp, p, n);
			comp[n] = '\0';
			nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (nfd < 0)
				return component_error(fd, comp);
			safe_close(fd);
			fd = nfd;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int cgroup_path_open(int root_fd, const char *path, int *ret_fd)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	if (!path || strlen(path) >= CGROUP_PATH_MAX)
		return -EINVAL;
	if (path_has_dotdot(path))
		return -EPERM;
	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == E2BIG))
		return cgroup_path_open_nofollow(root_fd, path, ret_fd);
	if (fd < 0)
		return negative_errno();
	*ret_fd = (int)fd;
	return 0;
}

/* ---- one cgroup ---- */

struct cgroup_candidate *cgroup_candidate_free(struct cgroup_candidate *cg)
{
	if (!cg)
		return NULL;
	for (unsigned i = 0; i < _CGROUP_FILE_MAX; i++)
		safe_close(cg->fd[i]);
	safe_close(cg->dir_fd);
	free(cg);
	return NULL;
}

int cgroup_candidate_open(int dir_fd, const char *path, struct cgroup_candidate **ret)
{
	_cleanup_(cgroup_candidate_freep) struct cgroup_candidate *cg = NULL;

	cg = calloc(1, sizeof(*cg));
	if (!cg) {
		safe_close(dir_fd);
		return -ENOMEM;
	}
	cg->dir_fd = dir_fd;
	for (unsigned i = 0; i < _CGROUP_FILE_MAX; i++)
		cg->fd[i] = -1;
	while (*path == '/')
		path++;
	if (strlen(path) >= sizeof(cg->path))
		return -ENAMETOOLONG;
	strcpy(cg->path, path);
	for (unsigned i = 0; i < _CGROUP_FILE_MAX; i++) {
		int flags = i == CGROUP_FILE_RECLAIM ? O_WRONLY : O_RDONLY;

		/* Absent files (memory.current on the root cgroup) stay -1. */
		cg->fd[i] = openat(dir_fd, cgroup_file_table[i],
				   flags | O_CLOEXEC | O_NOFOLLOW);
		if (cg->fd[i] < 0 && errno != ENOENT)
			return negative_errno();
	}
	/* Without memory.reclaim (before 5.19, or no memory controller)
	 * there is nothing to drive. */
	if (cg->fd[CGROUP_FILE_RECLAIM] < 0)
		return -EOPNOTSUPP;
	/* The files are open: the directory fd is not needed, and with
	 * thousands of cgroups every fd counts against RLIMIT_NOFILE. */
	cg->dir_fd = safe_close(cg->dir_fd);
	*ret = TAKE_PTR(cg);
	return 0;
}

int cgroup_check_gone(struct cgroup_candidate *cg, int r)
{
	/* Told once: the thread that sets it. */
	if ((r == -ENOENT || r == -ENODEV) &&
	    !__atomic_exchange_n(&cg->gone, true, __ATOMIC_RELAXED))
		log_debug("cgroup %s is gone, dropping it.", cg->path);
	return r;
}

/* A missing file reads as value 0 (the root cgroup has no memory.min). */
static int read_value(struct cgroup_candidate *cg, enum cgroup_file f, char *buf, size_t size,
		      uint64_t *ret)
{
	ssize_t n;
	int r;

	if (cg->fd[f] < 0) {
		*ret = 0;
		return 0;
	}
	n = pread_file(cg->fd[f], buf, size);
	if (n < 0)
		return cgroup_check_gone(cg, (int)n);
	r = memstat_parse_value(buf, (size_t)n, ret);
	return r;
}

#define CGROUP_NUMA_LRU_KEYS                                                              \
	((UINT64_C(1) << MEMSTAT_INACTIVE_ANON) | (UINT64_C(1) << MEMSTAT_ACTIVE_ANON) |  \
	 (UINT64_C(1) << MEMSTAT_INACTIVE_FILE) | (UINT64_C(1) << MEMSTAT_ACTIVE_FILE))

static int read_numa(struct cgroup_candidate *cg, char *buf, size_t size, struct memstat_numa *numa,
		     struct cgroup_state *st)
{
	ssize_t n;
	int r;

	if (cg->fd[CGROUP_FILE_NUMA_STAT] < 0)
		return 0;
	n = pread_file(cg->fd[CGROUP_FILE_NUMA_STAT], buf, size);
	if (n < 0)
		return cgroup_check_gone(cg, (int)n);
	r = memstat_numa_parse(buf, (size_t)n, numa);
	if (r < 0)
		return r;
	if ((numa->present & CGROUP_NUMA_LRU_KEYS) == CGROUP_NUMA_LRU_KEYS) {
		/* What reclaim can take is on the four evictable LRUs. "anon"
		 * and "file" also count the unevictable list (mlock()ed pages,
		 * SHM_LOCK, ramfs), which memory.reclaim never frees: a cgroup
		 * holding only locked memory looked like a target, and every
		 * write to it came back -EAGAIN after the kernel's 16 retries
		 * (bench/run's mlocked ballast drew a third of the dry-run
		 * writes). */
		for (unsigned i = 0; i < MEMSTAT_MAX_NODES; i++) {
			st->node_file_bytes[i] = numa->v[MEMSTAT_INACTIVE_FILE][i] +
						 numa->v[MEMSTAT_ACTIVE_FILE][i];
			st->node_anon_bytes[i] = numa->v[MEMSTAT_INACTIVE_ANON][i] +
						 numa->v[MEMSTAT_ACTIVE_ANON][i];
		}
		return 0;
	}
	/* No LRU breakdown: the totals, unevictable pages included. */
	memcpy(st->node_file_bytes, numa->v[MEMSTAT_FILE], sizeof(st->node_file_bytes));
	memcpy(st->node_anon_bytes, numa->v[MEMSTAT_ANON], sizeof(st->node_anon_bytes));
	return 0;
}

int cgroup_read_pressure(struct cgroup_candidate *cg, char *buf, size_t size,
			 struct cgroup_state *ret)
{
	struct psi_stat psi = {};
	ssize_t n;
	int r;

	if (cg->fd[CGROUP_FILE_PRESSURE] >= 0) {
		n = pread_file(cg->fd[CGROUP_FILE_PRESSURE], buf, size);
		if (n < 0)
			return cgroup_check_gone(cg, (int)n);
		r = psi_parse(buf, (size_t)n, &psi);
		if (r < 0)
			return r;
	}
	ret->pressure_some_total_usec = psi.some.total_usec;
	ret->pressure_some_avg10 = psi.some.avg10;
	ret->pressure_full_avg10 = psi.has_full ? psi.full.avg10 : 0;
	ret->parts = CGROUP_STATE_PRESSURE;
	return 0;
}

int cgroup_read_guard(struct cgroup_candidate *cg, char *buf, size_t size,
		      struct cgroup_state *ret)
{
	uint64_t min, low;
	int r;

	if (cgroup_gone(cg))
		return -ENODEV;
	r = read_value(cg, CGROUP_FILE_MIN, buf, size, &min);
	if (r < 0)
		return r;
	r = read_value(cg, CGROUP_FILE_LOW, buf, size, &low);
	if (r < 0)
		return r;
	/* Last: *ret is left alone if it fails. */
	r = cgroup_read_pressure(cg, buf, size, ret);
	if (r < 0)
		return r;
	ret->min_bytes = min;
	ret->low_bytes = low;
	ret->parts = CGROUP_STATE_GUARD | CGROUP_STATE_PRESSURE;
	return 0;
}

int cgroup_read_state(struct cgroup_candidate *cg, char *buf, size_t size, struct memstat_numa *numa,
		      struct cgroup_state *ret)
{
	struct cgroup_state st = { .parts = 0 }, nodes;
	bool root = cg->fd[CGROUP_FILE_CURRENT] < 0;
	int r;

	/* The root cgroup has no memory.current: its LRU size stands in. */
	r = root ? cgroup_read_guard(cg, buf, size, &st)
		 : cgroup_read_state_no_nodes(cg, buf, size, &st);
	if (r < 0)
		return r;
	r = cgroup_read_nodes(cg, buf, size, numa, &nodes);
	if (r < 0)
		return r;
	memcpy(st.node_file_bytes, nodes.node_file_bytes, sizeof(st.node_file_bytes));
	memcpy(st.node_anon_bytes, nodes.node_anon_bytes, sizeof(st.node_anon_bytes));
	if (root) {
		st.current_bytes = 0;
		for (unsigned n = 0; n < MEMSTAT_MAX_NODES; n++)
			st.current_bytes += st.node_file_bytes[n] + st.node_anon_bytes[n];
	}
	st.parts = CGROUP_STATE_ALL;
	*ret = st;
	return 0;
}

int cgroup_read_state_no_nodes(struct cgroup_candidate *cg, char *buf, size_t size,
			       struct cgroup_state *ret)
{
	struct cgroup_state st = { .parts = 0 };
	int r;

	if (cgroup_gone(cg))
		return -ENODEV;
	if (cg->fd[CGROUP_FILE_CURRENT] < 0)
		return -EOPNOTSUPP;
	r = read_value(cg, CGROUP_FILE_CURRENT, buf, size, &st.current_bytes);
	if (r < 0)
		return r;
	r = cgroup_read_guard(cg, buf, size, &st);
	if (r < 0)
		return r;
	st.parts = CGROUP_STATE_USAGE | CGROUP_STATE_GUARD | CGROUP_STATE_PRESSURE;
	*ret = st;
	return 0;
}

int cgroup_read_nodes(struct cgroup_candidate *cg, char *buf, size_t size, struct memstat_numa *numa,
		      struct cgroup_state *ret)
{
	struct cgroup_state st = { .parts = 0 };
	int r;

	if (cgroup_gone(cg))
		return -ENODEV;
	r = read_numa(cg, buf, size, numa, &st);
	if (r < 0)
		return r;
	st.parts = CGROUP_STATE_NODES;
	*ret = st;
	return 0;
}

void cgroup_state_publish(struct cgroup_state *dst, const struct cgroup_state *src)
{
	if (src->parts & CGROUP_STATE_USAGE)
		dst->current_bytes = src->current_bytes;
	if (src->parts & CGROUP_STATE_NODES) {
		memcpy(dst->node_file_bytes, src->node_file_bytes, sizeof(dst->node_file_bytes));
		memcpy(dst->node_anon_bytes, src->node_anon_bytes, sizeof(dst->node_anon_bytes));
	}
	if (src->parts & CGROUP_STATE_GUARD) {
		dst->min_bytes = src->min_bytes;
		dst->low_bytes = src->low_bytes;
	}
	if (src->parts & CGROUP_STATE_PRESSURE) {
		dst->pressure_some_total_usec = src->pressure_some_total_usec;
		dst->pressure_some_avg10 = src->pressure_some_avg10;
		dst->pressure_full_avg10 = src->pressure_full_avg10;
		dst->nr_pressure_reads++;
		dst->pressure_read_usec = src->pressure_read_usec;
	}
	dst->parts |= src->parts;
}

/* The sum of memory.stat keys a and b (b may be a again); -EOPNOTSUPP
 * when a is absent. */
static int cgroup_read_stat_sum(struct cgroup_candidate *cg, char *buf, size_t size,
				enum memstat_key a, enum memstat_key b, uint64_t *ret)
{
	struct memstat st;
	ssize_t n;
	int r;

	if (cg->fd[CGROUP_FILE_STAT] < 0)
		return -EOPNOTSUPP;
	n = pread_file(cg->fd[CGROUP_FILE_STAT], buf, size);
	if (n < 0)
		return cgroup_check_gone(cg, (int)n);
	r = memstat_parse(buf, (size_t)n, &st);
	if (r < 0)
		return r;
	if (!memstat_has(&st, a))
		return -EOPNOTSUPP;
	*ret = st.v[a] + (b == a ? 0 : st.v[b]);
	return 0;
}

int cgroup_read_pgsteal(struct cgroup_candidate *cg, char *buf, size_t size, uint64_t *ret_pages)
{
	return cgroup_read_stat_sum(cg, buf, size, MEMSTAT_PGSTEAL, MEMSTAT_PGSTEAL, ret_pages);
}

/* The _anon/_file split is 5.9's; before it (or where the fake tree of a
 * test leaves the lines out) -EOPNOTSUPP, and offload goes by the stall
 * alone. */
int cgroup_read_refaults(struct cgroup_candidate *cg, char *buf, size_t size, uint64_t *ret_pages)
{
	return cgroup_read_stat_sum(cg, buf, size, MEMSTAT_WORKINGSET_REFAULT_ANON,
				    MEMSTAT_WORKINGSET_REFAULT_FILE, ret_pages);
}

int cgroup_read_current(struct cgroup_candidate *cg, char *buf, size_t size, uint64_t *ret_bytes)
{
	return read_value(cg, CGROUP_FILE_CURRENT, buf, size, ret_bytes);
}

int cgroup_read_swap(struct cgroup_candidate *cg, char *buf, size_t size, uint64_t *ret_bytes)
{
	if (cg->fd[CGROUP_FILE_SWAP_CURRENT] < 0)
		return -EOPNOTSUPP;
	return read_value(cg, CGROUP_FILE_SWAP_CURRENT, buf, size, ret_bytes);
}

uint64_t cgroup_floor(const struct cgroup_state *st, const struct cgroup_policy *policy)
{
	uint64_t mem = MAX(st->min_bytes, st->low_bytes);

	return MAX(mem, policy->floor_bytes);
}

/* ---- the walk ---- */

struct cgroup_table {
	struct cgroup_candidate **v;
	size_t n, alloc;
	size_t max;
	bool warned;
	/* cgroups left out because they could not be opened (a symlinked
	 * memory.reclaim: ELOOP; EACCES...); the first one, for the log. */
	size_t n_skipped;
	char first_skipped[CGROUP_PATH_MAX];
	int first_skipped_error;
	/* The daemon's own cgroup (below the mount, no leading '/'; "" for
	 * none or the root), and whether the walk met it. */
	char self[CGROUP_PATH_MAX];
	bool self_found;
};

/* One bad cgroup must not cost the others (issue 17 B9): it is left out
 * and counted, the walk goes on. Only running out of memory stops it. */
static int table_skip(struct cgroup_table *t, const char *path, int r)
{
	if (r == -ENOMEM)
		return r;
	log_debug_errno(r, "cgroup /%s: %m, skipping it.", path);
	if (t->n_skipped++ == 0) {
		snprintf(t->first_skipped, sizeof(t->first_skipped), "%s", path);
		t->first_skipped_error = r;
	}
	return 0;
}

static void table_clear(struct cgroup_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		cgroup_candidate_free(t->v[i]);
	free(t->v);
	*t = (struct cgroup_table){};
}

static int table_add(struct cgroup_table *t, struct cgroup_candidate *cg)
{
	if (t->n >= t->max || !cg) {
		if (!t->warned)
			log_warning("More than %zu cgroups, ignoring the rest.", t->max);
		t->warned = true;
		cgroup_candidate_free(cg);
		return 0;
	}
	if (t->n == t->alloc) {
		size_t na = t->alloc ? t->alloc * 2 : 64;
		struct cgroup_candidate **nv = reallocarray(t->v, na, sizeof(*nv));

		if (!nv) {
			cgroup_candidate_free(cg);
			return -ENOMEM;
		}
		t->v = nv;
		t->alloc = na;
	}
	t->v[t->n++] = cg;
	return 0;
}

/*
 * The daemon's own cgroup, from the "0::PATH" line of /proc/self/cgroup
 * (cgroup v2; relative to the cgroup namespace). "" when there is none, it
 * is the root, or the file cannot be read: then no cgroup is left out.
 * Read a line at a time: a hybrid host lists a dozen v1 hierarchies first.
 */
static void read_self(const struct cgroup_config *cfg, char *ret, size_t size)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[4096], line[CGROUP_PATH_MAX + 8];
	const char *file = cfg->self_file;

	*ret = '\0';
	if (file && !*file)
		return;
	if (!file) {
		if (path_join(path, sizeof(path), cfg->root, "/proc/self/cgroup") < 0)
			return;
		file = path;
	}
	f = fopen(file, "re");
	if (!f) {
		log_debug_errno(errno, "%s: %m; no cgroup is reclaimd's own.", file);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line + 3;

		if (!startswith(line, "0::"))
			continue;
		p[strcspn(p, "\n")] = '\0';
		p += strspn(p, "/");
		if (strlen(p) < size)
			strcpy(ret, p);
		return;
	}
}

/* Is this process in the cgroup (dir_fd)? Its cgroup.procs lists our pid,
 * as this pid namespace sees it: the path alone could name another cgroup
 * where the cgroup2 mount is not our cgroup namespace's root. */
static bool cgroup_has_us(int dir_fd)
{
	char buf[4096], pid[24];
	ssize_t n = read_file_at(dir_fd, "cgroup.procs", buf, sizeof(buf));

	if (n < 0)
		return false;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (streq(l, pid))
			return true;
	return false;
}

static int add_candidate(struct cgroup_table *t, int dir_fd, const char *path)
{
	struct cgroup_candidate *cg = NULL;
	int fd, r;

	if (t->n >= t->max)
		return table_add(t, NULL);
	fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = negative_errno();
		return r == -ENOENT ? 0 : table_skip(t, path, r);
	}
	r = cgroup_candidate_open(fd, path, &cg);
	if (r == -EOPNOTSUPP || r == -ENOENT || r == -ENODEV)
		return 0; /* no memory controller here, or removed meanwhile */
	if (r == -EMFILE || r == -ENFILE) {
		/* 9 fds per candidate: the table stops here rather than the
		 * whole scan failing. */
		log_warning_errno(r, "Out of file descriptors after %zu cgroups (%m), "
				  "ignoring the rest; raise LimitNOFILE=.", t->n);
		t->max = t->n;
		t->warned = true;
		return 0;
	}
	if (r < 0)
		return table_skip(t, path, r);
	/* reclaimd writes no memory.reclaim of its own cgroup by itself: its
	 * pages are mlockall()ed. It counts as found, so that its parent
	 * does not become a leaf for memory in its place. */
	if (*t->self && streq(path + strspn(path, "/"), t->self) && cgroup_has_us(dir_fd)) {
		t->self_found = true;
		cgroup_candidate_free(cg);
		return 0;
	}
	return table_add(t, cg);
}

static int walk(struct cgroup_table *t, int dir_fd, const char *path, unsigned depth)
{
	_cleanup_close_ int dfd = -1;
	size_t n_before = t->n;
	DIR *d;
	struct dirent *de;
	bool self_before = t->self_found;
	int r = 0;

	if (depth > CGROUP_WALK_DEPTH_MAX)
		return 0;
	dfd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return negative_errno();
	d = fdopendir(dfd);
	if (!d)
		return negative_errno();
	dfd = -1; /* owned by d now */
	while ((de = readdir(d))) {
		char sub[CGROUP_PATH_MAX];
		_cleanup_close_ int cfd = -1;

		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		/* O_NOFOLLOW: a symlink is never walked into. */
		cfd = openat(dirfd(d), de->d_name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0)
			continue; /* not a directory, or removed meanwhile */
		if (snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "/" : "",
			     de->d_name) >= (int)sizeof(sub))
			continue;
		r = walk(t, cfd, sub, depth + 1);
		if (r < 0)
			r = table_skip(t, sub, r);
		if (r < 0)
			break;
	}
	closedir(d);
	/* A leaf for memory: no descendant has the memory controller (its
	 * children's memory is charged here). */
	if (r >= 0 && t->n == n_before && t->self_found == self_before)
		r = add_candidate(t, dir_fd, path);
	return r;
}

static int scan_targets(struct cgroup_set *s, struct cgroup_table *t)
{
	for (size_t i = 0; i < s->cfg.n_targets; i++) {
		int fd, r;

		r = cgroup_path_open(s->root_fd, s->cfg.targets[i], &fd);
		if (r < 0) {
			log_warning_errno(r, "Target cgroup %s: %m, ignoring.",
					  s->cfg.targets[i]);
			continue;
		}
		r = add_candidate(t, fd, s->cfg.targets[i]);
		safe_close(fd);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool path_eq(const char *a, const char *b)
{
	while (*a == '/')
		a++;
	while (*b == '/')
		b++;
	return streq(a, b);
}

void cgroup_set_apply_policy(struct cgroup_set *s, struct cgroup_candidate *cg)
{
	if (s->cfg.policy)
		s->cfg.policy(s->cfg.policy_userdata, cg->path, &cg->policy);
	for (size_t i = 0; i < s->cfg.n_rules; i++)
		if (path_eq(s->cfg.rules[i].path, cg->path))
			cg->policy = s->cfg.rules[i].policy;
}

/* Is b (leading '/' optional) a or below it? "" is the root. */
static bool path_below(const char *a, const char *b)
{
	size_t n;

	while (*a == '/')
		a++;
	while (*b == '/')
		b++;
	n = strlen(a);
	return n == 0 || (strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/'));
}

bool cgroup_set_protected(struct cgroup_set *s, const char *path, char *ret_which, size_t size)
{
	struct cgroup_candidate probe = {};

	while (*path == '/')
		path++;
	snprintf(probe.path, sizeof(probe.path), "%s", path);
	cgroup_set_apply_policy(s, &probe);
	if (probe.policy.protect) {
		if (ret_which)
			snprintf(ret_which, size, "/%s", path);
		return true;
	}
	for (size_t i = 0; i < s->n_cgroups; i++)
		if (s->cgroups[i]->policy.protect && path_below(path, s->cgroups[i]->path)) {
			if (ret_which)
				snprintf(ret_which, size, "/%s", s->cgroups[i]->path);
			return true;
		}
	return false;
}

struct cgroup_candidate *cgroup_set_find(struct cgroup_set *s, const char *path)
{
	for (size_t i = 0; i < s->n_cgroups; i++)
		if (path_eq(s->cgroups[i]->path, path))
			return s->cgroups[i];
	return NULL;
}

/* The state of the cgroups the old table had; true if t has others. */
static bool carry_over(struct cgroup_set *s, struct cgroup_table *t)
{
	bool added = false;

	for (size_t i = 0; i < t->n; i++) {
		struct cgroup_candidate *old = cgroup_set_find(s, t->v[i]->path);

		cgroup_set_apply_policy(s, t->v[i]);
		if (!old || cgroup_gone(old)) {
			added = true;
			continue;
		}
		t->v[i]->acct = old->acct;
		t->v[i]->brake = old->brake;
		t->v[i]->brake_reported = old->brake_reported;
		t->v[i]->offload = old->offload;
		t->v[i]->offload_reported = old->offload_reported;
		t->v[i]->offload_requested_bytes = old->offload_requested_bytes;
		t->v[i]->offload_reclaimed_bytes = old->offload_reclaimed_bytes;
	}
	return added;
}

static int rescan(struct cgroup_set *s, bool wait)
{
	struct cgroup_table t = { .max = s->cfg.max_candidates };
	struct cgroup_candidate **old;
	char old_self[CGROUP_PATH_MAX];
	size_t n_old;
	int r;

	read_self(&s->cfg, t.self, sizeof(t.self));
	if (s->cfg.n_targets > 0)
		r = scan_targets(s, &t);
	else
		r = walk(&t, s->root_fd, "", 0);
	if (r < 0) {
		table_clear(&t);
		return r;
	}
	/* Said when the number changes (not on every rescan), and when it
	 * is back to none. */
	if (t.n_skipped != s->n_skipped) {
		if (t.n_skipped > 0)
			log_warning_errno(t.first_skipped_error,
					  "%zu cgroup(s) cannot be opened and are left out of "
					  "reclaim, the first /%s: %m; the others are used.",
					  t.n_skipped, t.first_skipped);
		else
			log_notice("Every cgroup can be opened again.");
	}
	if (!t.self_found)
		t.self[0] = '\0';
	/* s->self is written by the rescanning thread (the event loop) alone. */
	snprintf(old_self, sizeof(old_self), "%s", s->self);
	if (wait)
		pthread_rwlock_wrlock(&s->lock);
	else if (pthread_rwlock_trywrlock(&s->lock) != 0) {
		table_clear(&t);
		return -EBUSY;
	}
	snprintf(s->self, sizeof(s->self), "%s", t.self);
	if (carry_over(s, &t) && s->nr_scans > 0)
		s->nr_scans_added++;
	old = s->cgroups;
	n_old = s->n_cgroups;
	s->cgroups = t.v;
	s->n_cgroups = t.n;
	s->n_skipped = t.n_skipped;
	s->nr_scans++;
	pthread_rwlock_unlock(&s->lock);
	table_clear(&(struct cgroup_table){ .v = old, .n = n_old });
	/* Said when it changes, both ways (not on every rescan). */
	if (!streq(t.self, old_self)) {
		if (*t.self)
			log_info("reclaimd's own cgroup /%s is left out of the candidates.", t.self);
		else
			log_info("reclaimd's own cgroup /%s is no longer found: it is a candidate "
				 "like any other.", old_self);
	}
	return (int)t.n;
}

int cgroup_rescan(struct cgroup_set *s)
{
	return rescan(s, /* wait= */ true);
}

int cgroup_rescan_try(struct cgroup_set *s)
{
	return rescan(s, /* wait= */ false);
}

void cgroup_set_lock_shared(struct cgroup_set *s)
{
	pthread_rwlock_rdlock(&s->lock);
}

void cgroup_set_unlock(struct cgroup_set *s)
{
	pthread_rwlock_unlock(&s->lock);
}

void cgroup_set_quiesce(struct cgroup_set *s)
{
	pthread_rwlock_wrlock(&s->lock);
	pthread_rwlock_unlock(&s->lock);
}

struct cgroup_set *cgroup_set_free(struct cgroup_set *s)
{
	if (!s)
		return NULL;
	table_clear(&(struct cgroup_table){ .v = s->cgroups, .n = s->n_cgroups });
	safe_close(s->root_fd);
	pthread_rwlock_destroy(&s->lock);
	free(s);
	return NULL;
}

int cgroup_set_new(const struct cgroup_config *cfg, struct cgroup_set **ret)
{
	_cleanup_(cgroup_set_freep) struct cgroup_set *s = NULL;
	pthread_rwlockattr_t attr;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->root_fd = -1;
	s->cfg = *cfg;
	if (s->cfg.max_candidates == 0)
		s->cfg.max_candidates = CGROUP_CANDIDATES_MAX_DEFAULT;
	/* Writer preference: a rescan is not starved by back-to-back shrinks. */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&s->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	r = cgroup_discover(cfg, s->mount, sizeof(s->mount));
	if (r < 0)
		return r;
	s->root_fd = open(s->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0)
		return negative_errno();
	r = cgroup_rescan(s);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(s);
	return 0;
}
