/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * PF_MEMALLOC's userspace half, checked: a test program linked with
 * alloc-count.c and $(ALLOC_COUNT_LDFLAGS) (-Wl,--wrap=malloc,calloc,
 * realloc,open,open64,openat,openat64,fopen,pread) routes every such call made
 * by the library's objects through counters. --wrap rewrites undefined
 * references in the objects being linked, so the library's calls are
 * caught; cmocka and libc's own internal calls are not.
 *
 *	alloc_count_start();
 *	... the code that must not allocate or open ...
 *	alloc_count_stop();
 *	assert_int_equal(alloc_count_allocs(), 0);
 */

void alloc_count_start(void); /* zero the counters and count */
void alloc_count_stop(void);
unsigned alloc_count_allocs(void);
unsigned alloc_count_opens(void);
/* pread() calls: how many files a reclaim pass reads (pread_file() takes
 * two per small file, the second seeing EOF). */
unsigned alloc_count_preads(void);
/* pread() calls on one fd (alloc_count_watch_fd(), -1: none) while
 * counting: whether a pass reads one particular file. */
void alloc_count_watch_fd(int fd);
unsigned alloc_count_fd_preads(void);
