/* SPDX-License-Identifier: ISC */
/* metrics.c — the shared segment: creating, checking and mapping its file,
 * and the atomic adds. Invariant: the file at the path always holds a
 * complete header (it is sized and stamped before anyone else can map it:
 * under flock, or under a temporary name renamed into place), so every
 * process that maps it counts into the same, right-shaped memory. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "metrics/metrics.h"

#define METRICS_MAGIC 0x5054204d45545231ULL	/* "PT METR1" */

/* Processes share these counters through the mapping: only lock-free
 * atomics are address-free, so only they work across processes. */
_Static_assert(ATOMIC_LONG_LOCK_FREE == 2 && ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free");
#define OPEN_ATTEMPTS 8

static struct metrics_segment *segment;
static enum metrics_process self;

#define PT_METRICS_STATUS_ROW(code) (code),
const int metrics_statuses[METRICS_STATUS_SLOTS - 1] = {PT_METRICS_STATUSES(PT_METRICS_STATUS_ROW)};
#undef PT_METRICS_STATUS_ROW

static const uint64_t duration_bounds[] = {PT_METRICS_DURATION_BOUNDS_NS};
const struct metrics_histogram_spec metrics_duration_spec = {
	"platform_test_http_request_duration_seconds",
	"Time a responder spent on a request, from reading it to writing its response.",
	1e-9, duration_bounds, sizeof(duration_bounds) / sizeof(duration_bounds[0])};

#define PT_METRICS_BOUNDS_ARRAY(name, metric, help, scale, ...) static const uint64_t name##_bounds[] = {__VA_ARGS__};
PT_METRICS_HISTOGRAMS(PT_METRICS_BOUNDS_ARRAY)
#undef PT_METRICS_BOUNDS_ARRAY
#define PT_METRICS_SPEC_ROW(name, metric, help, scale, ...) \
	[METRICS_HISTOGRAM_##name] = {metric, help, scale, name##_bounds, sizeof(name##_bounds) / sizeof(uint64_t)},
const struct metrics_histogram_spec metrics_histogram_specs[METRICS_HISTOGRAM__COUNT] = {
	PT_METRICS_HISTOGRAMS(PT_METRICS_SPEC_ROW)
};
#undef PT_METRICS_SPEC_ROW

#define PT_METRICS_PROCESS_LABEL(name, label) [METRICS_PROCESS_##name] = (label),
static const char *const process_labels[METRICS_PROCESS__COUNT] = {PT_METRICS_PROCESSES(PT_METRICS_PROCESS_LABEL)};
#undef PT_METRICS_PROCESS_LABEL

const char *metrics_process_label(enum metrics_process process)
{
	return (unsigned)process < METRICS_PROCESS__COUNT ? process_labels[process] : "unknown";
}

/* FNV-1a over bytes: the layout's fingerprint, not a security measure. */
static uint64_t fnv1a(const void *data, size_t length, uint64_t hash)
{
	const unsigned char *bytes = data;
	for (size_t i = 0; i < length; i++)
		hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
	return hash;
}

/* What gives the segment's slots their meaning: the caller's route layout,
 * this module's tables, and the structure's size. */
static uint64_t layout_hash(const char *layout)
{
	uint64_t hash = fnv1a(layout, strlen(layout), 0xcbf29ce484222325ULL);
	uint64_t size = sizeof(struct metrics_segment);
	hash = fnv1a(metrics_statuses, sizeof(metrics_statuses), hash);
	hash = fnv1a(duration_bounds, sizeof(duration_bounds), hash);
	for (size_t h = 0; h < METRICS_HISTOGRAM__COUNT; h++) {
		const struct metrics_histogram_spec *spec = &metrics_histogram_specs[h];
		hash = fnv1a(spec->name, strlen(spec->name), hash);
		hash = fnv1a(spec->bounds, spec->bound_count * sizeof(uint64_t), hash);
	}
	return fnv1a(&size, sizeof(size), hash);
}

static struct metrics_segment *map_file(int fd)
{
	void *memory = mmap(NULL, sizeof(struct metrics_segment), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (memory == MAP_FAILED)
		return NULL;
	/* The caller keeps the mapping (the process's segment) or unmaps it. */
	// cppcheck-suppress memleak
	return memory;
}

/* Sizes a new (empty) file, zero-filled, and stamps its header. */
static struct metrics_segment *initialise(int fd, uint64_t hash)
{
	struct metrics_segment *mapped;
	if (ftruncate(fd, (off_t)sizeof(struct metrics_segment)) != 0 || !(mapped = map_file(fd)))
		return NULL;
	mapped->layout_hash = hash;
	mapped->size = sizeof(struct metrics_segment);
	mapped->magic = METRICS_MAGIC;
	return mapped;
}

/* Another build's segment (or a damaged file) is replaced: a new file under
 * a temporary name, stamped, then renamed over the path. Processes still
 * mapping the old one count into it unseen until they restart, as they do
 * after an upgrade. */
static struct metrics_segment *replace(const char *path, uint64_t hash)
{
	char temporary[4096];
	struct metrics_segment *mapped = NULL;
	if (snprintf(temporary, sizeof(temporary), "%s.new.%ld", path, (long)getpid()) >= (int)sizeof(temporary))
		return NULL;
	int fd = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return NULL;
	mapped = initialise(fd, hash);
	if (mapped && rename(temporary, path) != 0) {
		munmap(mapped, sizeof(*mapped));
		mapped = NULL;
	}
	if (!mapped)
		unlink(temporary);
	close(fd);
	return mapped;
}

/* Under the file's lock: map it as it is, initialise it, or replace it. */
static struct metrics_segment *attach_locked(int fd, const struct stat *status, const char *path, uint64_t hash)
{
	struct metrics_segment *mapped;
	if (status->st_size == 0)
		return initialise(fd, hash);
	if (status->st_size == (off_t)sizeof(struct metrics_segment) && (mapped = map_file(fd))) {
		if (mapped->magic == METRICS_MAGIC && mapped->layout_hash == hash && mapped->size == sizeof(*mapped))
			return mapped;
		munmap(mapped, sizeof(*mapped));
	}
	return replace(path, hash);
}

int metrics_open(const char *path, enum metrics_process process, const char *layout, char *error,
		 size_t error_size)
{
	uint64_t hash = layout_hash(layout);
	metrics_close();
	for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
		struct stat opened, named;
		struct metrics_segment *mapped = NULL;
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0) {
			snprintf(error, error_size, "cannot open %s: %s", path, strerror(errno));
			return -1;
		}
		if (flock(fd, LOCK_EX) != 0 || fstat(fd, &opened) != 0) {
			snprintf(error, error_size, "cannot lock %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		/* Replaced by another process while this one waited for the lock:
		 * the path names a newer file now; take that one. */
		if (stat(path, &named) != 0 || named.st_dev != opened.st_dev || named.st_ino != opened.st_ino) {
			flock(fd, LOCK_UN);
			close(fd);
			continue;
		}
		mapped = attach_locked(fd, &opened, path, hash);
		if (!mapped)
			snprintf(error, error_size, "cannot map %s: %s", path, strerror(errno));
		/* Unlocked explicitly: the mapping keeps the open file, and with
		 * it the lock, alive after close. */
		flock(fd, LOCK_UN);
		close(fd);
		if (!mapped)
			return -1;
		segment = mapped;
		self = process;
		if (process == METRICS_PROCESS_WORKER &&
		    atomic_fetch_add_explicit(&segment->worker_starts, 1, memory_order_relaxed) > 0)
			metrics_worker_add(METRICS_WORKER_RESTARTS, 1);
		return 0;
	}
	snprintf(error, error_size, "%s kept being replaced while opening it", path);
	return -1;
}

void metrics_close(void)
{
	if (segment)
		munmap(segment, sizeof(*segment));
	segment = NULL;
}

const struct metrics_segment *metrics_segment(void)
{
	return segment;
}

void metrics_count(enum metrics_counter counter)
{
	if (segment && (unsigned)counter < METRICS_COUNTER__COUNT)
		atomic_fetch_add_explicit(&segment->counters[self][counter], 1, memory_order_relaxed);
}

void metrics_worker_add(enum metrics_worker_counter counter, uint64_t amount)
{
	if (segment && (unsigned)counter < METRICS_WORKER_COUNTER__COUNT)
		atomic_fetch_add_explicit(&segment->worker_counters[counter], amount, memory_order_relaxed);
}

static void observe(struct metrics_histogram *histogram, const struct metrics_histogram_spec *spec, uint64_t value)
{
	size_t bucket = 0;
	while (bucket < spec->bound_count && value > spec->bounds[bucket])
		bucket++;
	atomic_fetch_add_explicit(&histogram->buckets[bucket], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&histogram->sum, value, memory_order_relaxed);
}

void metrics_observe(enum metrics_histogram_id histogram, uint64_t value)
{
	if (segment && (unsigned)histogram < METRICS_HISTOGRAM__COUNT)
		observe(&segment->histograms[histogram], &metrics_histogram_specs[histogram], value);
}

static size_t status_slot(int status)
{
	size_t slot = 0;
	while (slot < METRICS_STATUS_SLOTS - 1 && metrics_statuses[slot] != status)
		slot++;
	return slot;
}

void metrics_observe_request(size_t route_slot, int status, uint64_t duration_ns)
{
	if (!segment)
		return;
	if (route_slot >= METRICS_ROUTE_SLOTS)
		route_slot = METRICS_ROUTE_SLOTS - 1;
	atomic_fetch_add_explicit(&segment->requests[route_slot][status_slot(status)], 1, memory_order_relaxed);
	observe(&segment->request_duration[route_slot], &metrics_duration_spec, duration_ns);
}

uint64_t metrics_clock_ns(void)
{
	struct timespec now;
	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return 0;
	return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
}
