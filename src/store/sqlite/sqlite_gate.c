/* SPDX-License-Identifier: ISC */
/* sqlite_gate.c — the writers' gate (sqlite_gate.h): the file, its mutex,
 * and waiting at it. The file is made whole under a temporary name and
 * linked into place, so no process ever maps a mutex not yet initialised. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/sqlite/sqlite_gate.h"

#define GATE_MAGIC 0x5054474154453031ULL	/* "PTGATE01" */
#define BOOT_ID_SIZE 40

struct gate_file {
	uint64_t magic;
	char boot_id[BOOT_ID_SIZE];	/* the boot whose processes the mutex knows */
	pthread_mutex_t mutex;
};

struct sqlite_gate {
	struct gate_file *file;	/* mapped MAP_SHARED */
	bool broken;
};

/* This boot's id: a mutex left locked by a process of another boot would
 * never be released, as no exit of that process will ever be seen. */
static int read_boot_id(char out[BOOT_ID_SIZE])
{
	memset(out, 0, BOOT_ID_SIZE);
	FILE *file = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (!file)
		return -1;
	int status = fgets(out, BOOT_ID_SIZE, file) ? 0 : -1;
	(void)fclose(file);	/* read only: nothing to lose on close */
	return status;
}

static struct gate_file *map_file(int fd)
{
	struct stat info;
	if (fstat(fd, &info) != 0 || (size_t)info.st_size < sizeof(struct gate_file))
		return NULL;
	void *mapped = mmap(NULL, sizeof(struct gate_file), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mapped == MAP_FAILED)
		return NULL;
	return mapped;
}

/* A new gate file under a temporary name, linked to path: 0, or -1 with
 * errno (EEXIST: another process linked its own first). The temporary name
 * carries this thread's id, which no other living thread has: a file left
 * under it by a dead one is removed first. */
static int make_file(const char *path, const char boot_id[BOOT_ID_SIZE])
{
	char temporary[4096];
	pthread_mutexattr_t attributes;
	struct gate_file *file = NULL;
	int status = -1, saved = 0, fd;
	if ((size_t)snprintf(temporary, sizeof(temporary), "%s.%ld.new", path, (long)gettid()) >= sizeof(temporary)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	unlink(temporary);
	if ((fd = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return -1;
	if (pthread_mutexattr_init(&attributes) != 0)
		goto out;
	if (ftruncate(fd, sizeof(struct gate_file)) != 0 || !(file = map_file(fd)) ||
	    pthread_mutexattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED) != 0 ||
	    pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST) != 0 ||
	    pthread_mutex_init(&file->mutex, &attributes) != 0)
		goto destroy;
	memcpy(file->boot_id, boot_id, BOOT_ID_SIZE);
	file->magic = GATE_MAGIC;
	status = link(temporary, path);
destroy:
	pthread_mutexattr_destroy(&attributes);
out:
	saved = errno;
	if (file)
		munmap(file, sizeof(*file));
	close(fd);
	unlink(temporary);
	errno = saved;
	return status;
}

struct sqlite_gate *sqlite_gate_open(const char *database_path, char *error, size_t error_size)
{
	char path[4096], boot_id[BOOT_ID_SIZE];
	struct sqlite_gate *gate = NULL;
	struct gate_file *file = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s.gate", database_path) >= sizeof(path) || read_boot_id(boot_id) != 0) {
		snprintf(error, error_size, "no gate: the path is too long, or the boot id cannot be read");
		return NULL;
	}
	/* Two tries: the first may find a file of another boot, which is replaced. */
	for (int attempt = 0; attempt < 2 && !file; attempt++) {
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && (make_file(path, boot_id) == 0 || errno == EEXIST))
			fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			break;
		file = map_file(fd);
		close(fd);
		if (file && file->magic == GATE_MAGIC && memcmp(file->boot_id, boot_id, BOOT_ID_SIZE) == 0)
			break;
		if (file)
			munmap(file, sizeof(*file));
		file = NULL;
		unlink(path);	/* another boot's, or not a gate: made anew on the next try */
	}
	if (!file || !(gate = calloc(1, sizeof(*gate)))) {
		snprintf(error, error_size, "no gate at %s: %s", path, file ? "out of memory" : strerror(errno));
		if (file)
			munmap(file, sizeof(*file));
		return NULL;
	}
	gate->file = file;
	return gate;
}

void sqlite_gate_close(struct sqlite_gate *gate)
{
	if (!gate)
		return;
	munmap(gate->file, sizeof(*gate->file));
	free(gate);
}

/* The outcome of a lock call: EOWNERDEAD means the last holder died
 * inside; SQLite rolled its transaction back, and the gate guards no data
 * of its own, so it is whole again. */
static enum sqlite_gate_result settle(struct sqlite_gate *gate, int result)
{
	if (result == EOWNERDEAD)
		result = pthread_mutex_consistent(&gate->file->mutex);
	if (result == 0)
		return SQLITE_GATE_ENTERED;
	if (result == ETIMEDOUT)
		return SQLITE_GATE_TIMEOUT;
	gate->broken = true;	/* ENOTRECOVERABLE and the like: poll from now on */
	return SQLITE_GATE_BROKEN;
}

enum sqlite_gate_result sqlite_gate_enter(struct sqlite_gate *gate, int timeout_ms, bool *waited)
{
	struct timespec deadline;
	*waited = false;
	if (gate->broken)
		return SQLITE_GATE_BROKEN;
	int result = pthread_mutex_trylock(&gate->file->mutex);
	if (result != EBUSY)
		return settle(gate, result);
	*waited = true;
	if (clock_gettime(CLOCK_MONOTONIC, &deadline) != 0)
		return SQLITE_GATE_BROKEN;
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	return settle(gate, pthread_mutex_clocklock(&gate->file->mutex, CLOCK_MONOTONIC, &deadline));
}

void sqlite_gate_leave(struct sqlite_gate *gate)
{
	if (pthread_mutex_unlock(&gate->file->mutex) != 0)
		gate->broken = true;
}
