/* SPDX-License-Identifier: ISC */
/* worker.h — applies one batch of queued battles: engine runs on a pool of
 * threads in dependency order, then one SQLite transaction (group commit),
 * then the leaderboard, then the queue acknowledgement.
 *
 * Invariants:
 * - battles that share a player run in id order: a battle starts only after
 *   every earlier battle of the batch that shares a player has finished, and
 *   batches are applied one after another;
 * - every queued row is applied: ids come from SQLite's queued rows, Redis
 *   only wakes the worker up and paces it;
 * - exactly once: a battle's report, its players' balances and scores commit
 *   in one transaction that also flips its row from 'queued' to 'done'; a
 *   redelivered id finds 'done' and is skipped; an id without a row (its
 *   submission rolled back) is dropped;
 * - the leaderboard is set from SQLite's committed scores (monotonic), so a
 *   redelivery or a crash between commit and acknowledgement never doubles. */
#ifndef PT_WORKER_H
#define PT_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "app/app.h"

struct worker_batch_report {
	size_t applied;		/* newly applied battles */
	size_t skipped;		/* delivered ids already done, or without a row (never committed) */
};

/* Applies the battles delivered as ids[0..count) (in queue order) and
 * acknowledges them. SQLite, not the delivery, decides what is applied:
 * every queued battle up to the largest delivered id, in id order, at most
 * batch_limit of them — so a battle whose id Redis lost (an acknowledged
 * write that never reached the AOF before Redis was killed) is applied in
 * its place, never late and out of order. With count 0 it sweeps: the oldest
 * queued battles, whatever Redis holds.
 * 0, or -1 when SQLite or Redis failed: nothing was acknowledged, and the
 * same ids are redelivered by the next take. */
int worker_apply_batch(struct app *app, const int64_t *ids, size_t count, size_t batch_limit, int threads,
		       struct worker_batch_report *report);

#endif
