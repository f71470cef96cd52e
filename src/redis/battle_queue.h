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

#define BATTLE_QUEUE_KEY "pt:battles:queue"
#define BATTLE_PROCESSING_KEY "pt:battles:processing"

int battle_queue_push(struct redis_link *link, int64_t battle_id);
/* Best effort: takes back an id whose submission failed to commit. */
void battle_queue_withdraw(struct redis_link *link, int64_t battle_id);
/* Queued plus in-flight battles. */
int battle_queue_pending(struct redis_link *link, int64_t *pending);

/* Worker side. Ids left in the processing list by a previous run (a crash)
 * come first, in order; then up to max ids are moved from the queue, waiting
 * up to timeout_seconds for the first. *count may be 0 on timeout. */
int battle_queue_take(struct redis_link *link, size_t max, double timeout_seconds,
		      int64_t *ids, size_t *count);
/* Removes the batch just applied, ids[0..count) as taken, from the head of
 * the processing list, unless the list no longer starts with it (another
 * worker took it over): then *acknowledged stays false and nothing changes. */
int battle_queue_acknowledge(struct redis_link *link, const int64_t *ids, size_t count, bool *acknowledged);

#endif
