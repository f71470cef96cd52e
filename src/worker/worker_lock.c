/* SPDX-License-Identifier: ISC */
/* worker_lock.c — opening and trying the worker's lock file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "worker/worker_lock.h"

enum worker_lock_result worker_lock_try(const char *database_path, int *fd, char *error, size_t error_size)
{
	char path[4096];
	*fd = -1;
	if (snprintf(path, sizeof(path), "%s.worker.lock", database_path) >= (int)sizeof(path)) {
		snprintf(error, error_size, "database path too long");
		return WORKER_LOCK_ERROR;
	}
	int opened = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (opened < 0) {
		snprintf(error, error_size, "cannot open %s: %s", path, strerror(errno));
		return WORKER_LOCK_ERROR;
	}
	if (flock(opened, LOCK_EX | LOCK_NB) != 0) {
		int failure = errno;
		close(opened);
		if (failure == EWOULDBLOCK)
			return WORKER_LOCK_HELD;
		snprintf(error, error_size, "cannot lock %s: %s", path, strerror(failure));
		return WORKER_LOCK_ERROR;
	}
	*fd = opened;
	return WORKER_LOCK_TAKEN;
}
