/* worker.h — applies one batch of queued battles: engine runs on a pool of
 * threads in dependency order, then one SQLite transaction (group commit),
 * then the leaderboard, then the queue acknowledgement.
 *
 * Invariants:
 * - battles that share a player run in id order: a battle starts only after
 *   every earlier battle of the batch that shares a player has finished, and
 *   batches are applied one after another;
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

#include "app.h"

struct worker_batch_report {
	size_t applied;		/* newly applied battles */
	size_t redelivered;	/* already done: skipped */
	size_t dropped;		/* no row: submission never committed */
};

/* Applies the battles ids[0..count) (in queue order) and acknowledges them.
 * 0, or -1 when SQLite or Redis failed: nothing was acknowledged, and the
 * same ids are redelivered by the next take. */
int worker_apply_batch(struct app *app, const int64_t *ids, size_t count, int threads,
		       struct worker_batch_report *report);

#endif
