/* SPDX-License-Identifier: ISC */
/* worker_lock.h — the lock file beside the database, "<database>.worker.lock":
 * the worker holds an exclusive flock on it for its whole life (the kernel
 * releases it even on kill -9), so one worker runs per database, and
 * `platform-test-admin restore` knows whether one runs. */
#ifndef PT_WORKER_LOCK_H
#define PT_WORKER_LOCK_H

#include <stddef.h>

enum worker_lock_result {
	WORKER_LOCK_TAKEN,	/* *fd holds the lock until closed */
	WORKER_LOCK_HELD,	/* another process holds it */
	WORKER_LOCK_ERROR,	/* error says why */
};

/* Tries once, without waiting. */
enum worker_lock_result worker_lock_try(const char *database_path, int *fd, char *error, size_t error_size);

#endif
