/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * A kept-open file re-read from offset 0 into a buffer allocated once, at
 * open time (lmkd's reread_file()). reread_file_read() neither allocates nor
 * opens, so the reclaim path can call it while memory is short.
 *
 * Buffer size: at open the file is read once (growing a scratch buffer from
 * 4 KiB), and the kept buffer is sized at twice what was read, at least
 * min_size. Twice, because counters only gain digits slowly (a 64-bit
 * counter is at most 20 digits, most fields are a few) and CPU hot-plug adds
 * per-CPU lines (zoneinfo pagesets, ~190 bytes per CPU per populated zone);
 * a file that outgrows the buffer gives -E2BIG on read, never a silently
 * truncated text, and the caller reopens on its slow path.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct reread_file {
	int fd;
	char *buf;
	size_t size; /* bytes in buf, including room for the NUL */
};

#define REREAD_FILE_NULL ((struct reread_file){.fd = -1})

/* Largest file accepted at open: /proc/zoneinfo on a 64-node 1024-CPU
 * machine is below 32 MiB; anything past that is not a kernel text file. */
#define REREAD_MAX_BYTES (UINT64_C(64) << 20)

/* Open root + path read-only and size the buffer. */
int reread_file_open(const char *root, const char *path, size_t min_size, struct reread_file *ret);

/* Re-read into f->buf (NUL-terminated); returns the length, -E2BIG when
 * the file no longer fits, or a negative errno from pread. */
ssize_t reread_file_read(struct reread_file *f);

void reread_file_close(struct reread_file *f);

/*
 * Every reader's read, in one call: -EINVAL for a NULL reader or output,
 * else re-read the reader's kept file (its member `file`) and return
 * parse(text, length, args..., ret), or the read's negative errno. A macro
 * rather than a callback so that each parser keeps its typed output.
 */
#define REREAD_READER_PARSE(reader, parse, ret, ...)                                               \
	({                                                                                         \
		__typeof__(reader) _rr = (reader);                                                 \
		int _rk = -EINVAL;                                                                 \
                                                                                                   \
		if (_rr && (ret)) {                                                                \
			ssize_t _rn = reread_file_read(&_rr->file);                                \
                                                                                                   \
			_rk = _rn < 0 ? (int)_rn                                                   \
				      : parse(_rr->file.buf, (size_t)_rn, ##__VA_ARGS__, (ret));   \
		}                                                                                  \
		_rk;                                                                               \
	})

/*
 * The kernel readers' objects (zoneinfo, vmstat, meminfo, psi): a kept file
 * as the FIRST member, whatever the parser needs beside it, all allocated
 * once at open. REREAD_READER_OPEN(root, path, min_size, &reader) allocates
 * *reader zeroed and opens the file into it; reread_reader_free() closes
 * and frees it (NULL is fine) and returns NULL.
 */
int reread_reader_open(const char *root, const char *path, size_t min_size, size_t reader_size,
		       void **ret);
void *reread_reader_free(void *reader);
#define REREAD_READER_OPEN(root, path, min_size, ret)                          \
	reread_reader_open((root), (path), (min_size), sizeof(**(ret)), (void **)(ret))
