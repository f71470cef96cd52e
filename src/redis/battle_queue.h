/* SPDX-License-Identifier: ISC */
/* battle_queue.h — the Redis battle queue: responders push battle ids, the
 * worker moves them to a processing list and acknowledges them once applied.
 * Invariant: an id leaves the processing list only after its battle's
 * SQLite transaction committed, so a crash anywhere redelivers, never loses. */
#ifndef PT_BATTLE_QUEUE_H
#define PT_BATTLE_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "redis/redis_link.h"
#include "store/store.h"

#define BATTLE_QUEUE_KEY "pt:battles:queue"
#define BATTLE_PROCESSING_KEY "pt:battles:processing"
/* Never exists: pushing to it only if it does (RPUSHX) is a write Redis
 * refuses exactly when it refuses pushes (MISCONF, OOM, READONLY), and a
 * write that changes nothing, so it costs no AOF byte. */
#define BATTLE_QUEUE_PROBE_KEY "pt:battles:probe"

/* One id, unbounded: a repair or a restore putting back what the store holds. */
int battle_queue_push(struct redis_link *link, int64_t battle_id);
/* A submission group's ids, in order, in one step: none of them when the
 * battles pending (queue + processing) would exceed max_pending, and then
 * *full is true. This is the backpressure: submissions are admitted no
 * faster than the worker drains once the backlog reaches the bound. */
#define BATTLE_QUEUE_PUSH_MAX 56	/* ids per push: the script's arguments */
int battle_queue_push_bounded(struct redis_link *link, const int64_t *ids, size_t count, int64_t max_pending,
			      bool *full);
/* Best effort: takes back ids whose submissions failed to commit. */
void battle_queue_withdraw(struct redis_link *link, const int64_t *ids, size_t count);
/* Queued plus in-flight battles; with writable, also whether Redis takes
 * writes now (a write probe in the same round trip; a refusal's detail is
 * in link->error). */
int battle_queue_health(struct redis_link *link, int64_t *pending, bool *writable);
/* Each list's length: waiting in the queue, and taken by the worker (for the metrics). */
int battle_queue_depth(struct redis_link *link, int64_t *queued, int64_t *processing);
/* Deletes the queue and the processing list; only with the worker stopped
 * (platform-test-admin restore, which then pushes the queued ids again). */
int battle_queue_reset(struct redis_link *link);

/* Worker side. Ids left in the processing list by a previous run (a crash)
 * come first, in order; then up to max ids are moved from the queue, waiting
 * up to timeout_seconds for the first. *count may be 0 on timeout. */
int battle_queue_take(struct redis_link *link, size_t max, double timeout_seconds,
		      int64_t *ids, size_t *count);
/* Removes the batch just applied, ids[0..count) as taken, from the head of
 * the processing list, unless the list no longer starts with it (another
 * worker took it over): then *acknowledged stays false and nothing changes. */
int battle_queue_acknowledge(struct redis_link *link, const int64_t *ids, size_t count, bool *acknowledged);

/* platform-test-admin check: the queue against the store, the one part of
 * the queue that reads it. A queued battle in neither list is MISSING (the
 * worker's idle sweep applies it anyway; a repair pushes it); an id in the
 * queue list whose battle is done or has no row is STALE (the worker skips
 * it; a repair withdraws it). The processing list is the worker's batch in
 * hand and is left to it. Calls report once per difference. */
enum battle_queue_difference {
	BATTLE_QUEUE_MISSING,
	BATTLE_QUEUE_STALE,
};
typedef void (*battle_queue_report)(void *context, enum battle_queue_difference kind, int64_t battle_id,
				    const char *text);
int battle_queue_audit(struct redis_link *link, struct store *store, battle_queue_report report, void *context);

#endif
