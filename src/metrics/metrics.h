/* SPDX-License-Identifier: ISC */
/* metrics.h — the counters and histograms of every responder and of the
 * worker, kept in one shared-memory segment: a file (on tmpfs: /run, or the
 * dev stack's run directory) that each process maps MAP_SHARED, so a scrape
 * served by any responder sums them all. Counting is a relaxed atomic add on
 * that memory: no system call, no lock, nothing a request waits for.
 *
 * This module sits with util/ in the layering: any layer may count (the
 * SQLite busy handler, the Redis link, the worker, the responder). It knows
 * no route names: the caller gives slots and a layout text (metrics/routes.h)
 * whose hash is in the segment's header, so a segment written by another
 * build is replaced rather than misread.
 *
 * Invariants: a counter never goes down while the file exists (a process
 * that restarts maps the same counters again); a histogram's count is the
 * sum of its buckets; nothing here fails a request: before metrics_open, or
 * when it failed, every call is a no-op. */
#ifndef PT_METRICS_H
#define PT_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which kind of process counts (the `process` label). */
#define PT_METRICS_PROCESSES(X) \
	X(RESPONDER, "responder") \
	X(WORKER, "worker")

#define PT_METRICS_PROCESS_ENUM(name, label) METRICS_PROCESS_##name,
enum metrics_process {
	PT_METRICS_PROCESSES(PT_METRICS_PROCESS_ENUM)
	METRICS_PROCESS__COUNT
};
#undef PT_METRICS_PROCESS_ENUM

/* Counters every kind of process keeps, labelled by process:
 *   X(NAME, metric name, help) */
#define PT_METRICS_PROCESS_COUNTERS(X) \
	X(REDIS_ERRORS, "platform_test_redis_errors_total", \
	  "Redis commands that failed: no connection, a timeout, or an error reply.") \
	X(SQLITE_BUSY, "platform_test_sqlite_busy_total", \
	  "Waits for SQLite's write lock (another connection held it).") \
	X(SQLITE_BUSY_TIMEOUTS, "platform_test_sqlite_busy_timeouts_total", \
	  "Waits for SQLite's write lock that ran out (PT_SQLITE_BUSY_TIMEOUT_MS): the operation failed.") \
	X(LEADERBOARD_REBUILDS, "platform_test_leaderboard_rebuilds_total", \
	  "Rebuilds of the Redis leaderboard from SQLite (the board was missing).")

#define PT_METRICS_COUNTER_ENUM(name, metric, help) METRICS_##name,
enum metrics_counter {
	PT_METRICS_PROCESS_COUNTERS(PT_METRICS_COUNTER_ENUM)
	METRICS_COUNTER__COUNT
};

/* The worker's own counters (no labels). */
#define PT_METRICS_WORKER_COUNTERS(X) \
	X(BATTLES_APPLIED, "platform_test_battles_applied_total", \
	  "Battles applied (reports written, balances and scores committed).") \
	X(BATCHES_FAILED, "platform_test_battle_batches_failed_total", \
	  "Batches that failed to apply or to be acknowledged; their battles are retried.") \
	X(WORKER_RESTARTS, "platform_test_worker_restarts_total", \
	  "Worker processes started after the first one since the metrics segment was created.")

enum metrics_worker_counter {
	PT_METRICS_WORKER_COUNTERS(PT_METRICS_COUNTER_ENUM)
	METRICS_WORKER_COUNTER__COUNT
};
#undef PT_METRICS_COUNTER_ENUM

/* The unlabelled histograms, each observed by one kind of process (the
 * worker's batches, the responders' write groups):
 *   X(NAME, metric name, help, unit scale, bounds...)
 * Observations are integers in the unit (ms, battles); scale turns a bound
 * or the sum into the metric's base unit. */
#define PT_METRICS_HISTOGRAMS(X) \
	X(BATTLE_LAG, "platform_test_battle_lag_seconds", \
	  "Time from a battle's submission (submitted_at, whole seconds) to the commit that applied it.", 1e-3, \
	  250, 500, 1000, 2000, 5000, 10000, 30000, 60000, 300000, 900000, 3600000) \
	X(BATCH_SIZE, "platform_test_battle_batch_size", \
	  "Battles applied per worker transaction (batches that applied at least one).", 1.0, \
	  1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096) \
	X(WRITE_GROUP_SIZE, "platform_test_write_group_size", \
	  "Creates or submissions a responder wrote in one transaction (http/write_group.h).", 1.0, \
	  1, 2, 4, 8, 16, 32)

#define PT_METRICS_HISTOGRAM_ENUM(name, metric, help, scale, ...) METRICS_HISTOGRAM_##name,
enum metrics_histogram_id {
	PT_METRICS_HISTOGRAMS(PT_METRICS_HISTOGRAM_ENUM)
	METRICS_HISTOGRAM__COUNT
};
#undef PT_METRICS_HISTOGRAM_ENUM

/* The responders' request counters and durations, by route slot (the
 * endpoints, then "unmatched": metrics/routes.h) and by status. */
#define METRICS_ROUTE_SLOTS 32
/* Every status the responders answer; anything else counts as "other". */
#define PT_METRICS_STATUSES(X) \
	X(200) X(201) X(202) X(204) X(400) X(401) X(403) X(404) X(405) X(409) X(413) X(415) X(422) X(429) X(500) \
	X(503)
#define METRICS_STATUS_SLOTS 17	/* the statuses above, then "other" */
/* Request duration buckets, ns (0.1 ms to 2.5 s: a request waits up to the
 * SQLite busy timeout, 2 s by default). */
#define PT_METRICS_DURATION_BOUNDS_NS \
	100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000, 25000000, 50000000, 100000000, \
	250000000, 500000000, 1000000000, 2500000000
#define METRICS_BUCKETS_MAX 16	/* bounds, plus +Inf */

struct metrics_histogram {
	_Atomic uint64_t buckets[METRICS_BUCKETS_MAX];	/* per bucket, not cumulative; the last used is +Inf */
	_Atomic uint64_t sum;				/* in the observation unit */
};

struct metrics_segment {
	uint64_t magic;
	uint64_t layout_hash;
	uint64_t size;
	_Atomic uint64_t requests[METRICS_ROUTE_SLOTS][METRICS_STATUS_SLOTS];
	struct metrics_histogram request_duration[METRICS_ROUTE_SLOTS];	/* ns */
	_Atomic uint64_t counters[METRICS_PROCESS__COUNT][METRICS_COUNTER__COUNT];
	_Atomic uint64_t worker_counters[METRICS_WORKER_COUNTER__COUNT];
	_Atomic uint64_t worker_starts;
	struct metrics_histogram histograms[METRICS_HISTOGRAM__COUNT];
};

/* Maps the segment at path, creating or replacing it when it is missing or
 * another layout's (layout: the caller's description of the route slots).
 * 0, or -1 with error set; counting then stays a no-op. */
int metrics_open(const char *path, enum metrics_process process, const char *layout, char *error,
		 size_t error_size);
void metrics_close(void);
/* The mapped segment, for the scrape; NULL when not open. */
const struct metrics_segment *metrics_segment(void);

void metrics_count(enum metrics_counter counter);
void metrics_worker_add(enum metrics_worker_counter counter, uint64_t amount);
/* One observation of an unlabelled histogram. */
void metrics_observe(enum metrics_histogram_id histogram, uint64_t value);
/* One answered request: its route slot, status and duration. */
void metrics_observe_request(size_t route_slot, int status, uint64_t duration_ns);
/* The monotonic clock in ns (clock_gettime: the vDSO, no system call). */
uint64_t metrics_clock_ns(void);

/* ---- what the exposition needs to read the segment back ---- */
struct metrics_histogram_spec {
	const char *name;
	const char *help;
	double scale;			/* bound or sum x scale = base unit */
	const uint64_t *bounds;
	size_t bound_count;		/* buckets used: bound_count + 1 */
};
extern const struct metrics_histogram_spec metrics_histogram_specs[METRICS_HISTOGRAM__COUNT];
extern const struct metrics_histogram_spec metrics_duration_spec;
extern const int metrics_statuses[METRICS_STATUS_SLOTS - 1];
const char *metrics_process_label(enum metrics_process process);

#endif
