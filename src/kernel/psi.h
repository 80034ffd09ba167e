/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Pressure stall information: /proc/pressure/{memory,io,cpu} and cgroup v2
 * *.pressure files:
 *	some avg10=0.00 avg60=0.00 avg300=0.00 total=0
 *	full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 * avg* are percentages (kept here in hundredths of a percent, as printed);
 * total is cumulative stall time in microseconds. The averages lag by about
 * 2 s, so control decisions use total deltas.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

struct psi_line {
	uint32_t avg10, avg60, avg300; /* hundredths of a percent: 12.34% = 1234 */
	uint64_t total_usec;
};

struct psi_stat {
	struct psi_line some, full;
	bool has_full; /* cpu has no "full" before 5.13 */
};

/* Returns 0, -EINVAL on malformed input; *ret untouched on failure. */
int psi_parse(const char *buf, size_t len, struct psi_stat *ret);

/*
 * Absent or disabled: /proc/pressure does not exist on kernels before 4.20
 * or without CONFIG_PSI, nor when booted with psi=0 (the directory is not
 * created): opening gives -ENOENT. A cgroup's *.pressure file exists while
 * PSI is disabled but reading it fails with -EOPNOTSUPP (psi_show()), and
 * cgroup.pressure=0 hides the files (-ENOENT). Both readers below return
 * these errors unchanged, so the caller can say "PSI absent" or "PSI
 * disabled" once and turn the feature off.
 */
static inline bool psi_error_is_unavailable(int r)
{
	return r == -ENOENT || r == -EOPNOTSUPP;
}

/* A kept-open PSI file (system or cgroup), re-read without allocating. */
struct psi_reader;
/* Opens root + path ("/proc/pressure/memory", or a cgroup's
 * memory.pressure with root "") and reads it once, so a disabled PSI shows
 * at start-up as -EOPNOTSUPP rather than on the first tick. */
int psi_reader_open(const char *root, const char *path, struct psi_reader **ret);
int psi_reader_read(struct psi_reader *r, struct psi_stat *ret);
struct psi_reader *psi_reader_free(struct psi_reader *r);

DEFINE_TRIVIAL_CLEANUP_FUNC(struct psi_reader *, psi_reader_free);

/*
 * PSI triggers (Documentation/accounting/psi.rst). Opens path
 * O_RDWR|O_NONBLOCK|O_CLOEXEC and writes spec ("some 150000 1000000":
 * stall threshold and window in microseconds, threshold <= window, window
 * at most 10 s (and at least 500 ms on older kernels)) with its terminating
 * NUL, as the kernel's psi_write() expects. Returns 0 and the fd in *ret_fd,
 * or the kernel's error, unchanged: -EINVAL for a bad spec, for a window
 * that is not a multiple of 2 s written without CAP_SYS_RESOURCE (6.5+),
 * and from kernels that refuse triggers on /proc/pressure files, as this
 * project's 6.18 development host does (fall back to polling total
 * deltas); -EPERM opening for write without CAP_SYS_RESOURCE (before 6.5);
 * -EACCES (file not writable); -ENOENT or -EOPNOTSUPP (no PSI: see
 * psi_error_is_unavailable()); -ENODEV (the cgroup went away).
 * *ret_fd untouched on failure.
 *
 * Watching the fd: the kernel signals an event with POLLPRI, and POLLERR
 * when the cgroup is removed. libevent cannot ask epoll for EPOLLPRI, and a
 * level-triggered EV_READ on this fd is always ready (it spins at 100% CPU);
 * nesting an epoll fd loses the event. Use
 *	event_new(base, fd, EV_READ | EV_ET | EV_PERSIST, cb, arg)
 * on a base created with event_config_require_features(cfg, EV_FEATURE_ET).
 * Why this works: psi_trigger_poll() always reports EPOLLIN (its
 * DEFAULT_POLLMASK; hence the spinning level-triggered watch) and adds
 * EPOLLPRI on an event. Edge-triggered, epoll reports the fd again only when
 * the trigger wakes its waitqueue, i.e. once per event, plus once right
 * after registration (a spurious call to ignore). EPOLLERR, on cgroup
 * removal, is always reported and libevent passes it as EV_READ. In the
 * callback re-read the pressure (psi_reader_read) rather than trusting the
 * wake-up alone; a read or write on the trigger fd failing with -ENODEV
 * means the cgroup is gone: close it.
 */
#define PSI_TRIGGER_SPEC_MAX 32 /* psi_write() copies at most 32 bytes */
int psi_trigger_open(const char *path, const char *spec, int *ret_fd);

/*
 * Stall-time growth between two snapshots of total (microseconds), as
 * permyriad (1/10000) of window_usec, the time between the snapshots:
 * 150000 µs of stall in a 1 s window is 1500. Clamped to 10000 (cgroup
 * "some" cannot exceed wall time; rounding of the window can).
 * -EINVAL for a zero window, -ERANGE when total went backwards (the file now
 * belongs to a new cgroup of the same name: take a new baseline). Pure.
 */
int psi_stall_permyriad(uint64_t prev_total_usec, uint64_t cur_total_usec,
			uint64_t window_usec, unsigned *ret_permyriad);

/* The same on two snapshots, for "some" (full = false) or "full";
 * -ENODATA when "full" was asked for and a snapshot has none. */
int psi_stat_stall_permyriad(const struct psi_stat *prev, const struct psi_stat *cur,
			     bool full, uint64_t window_usec, unsigned *ret_permyriad);
