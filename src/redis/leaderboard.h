/* SPDX-License-Identifier: ISC */
/* leaderboard.h — the leaderboard, a Redis sorted set indexing the store's
 * scores; every Redis command on its keys is in leaderboard.c.
 *
 * Invariants:
 * - every member has sorted-set score 0 and is "INVERTED:ID:NAME", where
 *   INVERTED = 9223372036854775807 − score and ID are 19 zero-padded digits;
 *   lexical order is therefore score descending, then id ascending, so index
 *   ranges page the board and ZLEXCOUNT counts strictly higher scores in O(log n);
 * - a hash maps each player id to its current member, so a score update
 *   replaces the old member atomically (Lua);
 * - a page is one atomic read: one Lua script run, or for the first page
 *   (offset 0) one MULTI/EXEC of plain commands, the same reads without the
 *   script's cost; around= computes the contract's window,
 *   max(0, min(i − ⌊n/2⌋, total − n)), in the script
 *   (tests/unit/redis/test_leaderboard_script.c checks both on a real Redis);
 * - updates are monotonic (a lower score than the stored one is ignored):
 *   scores only rise, so replays, redeliveries and rebuilds racing with the
 *   worker can never move a player backwards;
 * - a marker key is set when the board is complete; when Redis lost its data
 *   the marker is gone and the board is rebuilt from SQLite;
 * - the set and the hash hold one entry per player of the store, no more:
 *   every set-score or removal changes both in one script. Anything else is
 *   damage (a key deleted, Redis losing its last writes, an undo Redis
 *   refused), found by leaderboard_check (the worker, every second), by a
 *   read that sees it, or by leaderboard_audit (platform-test-admin check),
 *   and repaired by a rebuild.
 * The module's two files: leaderboard.c (encoding, the scripts, reads and
 * writes) and leaderboard_repair.c (check, rebuild, audit: the only part
 * that reads the store). */
#ifndef PT_LEADERBOARD_H
#define PT_LEADERBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "redis/redis_link.h"
#include "store/store.h"

#define LEADERBOARD_KEY "pt:leaderboard"
#define LEADERBOARD_MEMBERS_KEY "pt:leaderboard:members"
#define LEADERBOARD_BUILT_KEY "pt:leaderboard:built"
#define LEADERBOARD_LOCK_KEY "pt:leaderboard:rebuilding"
#define LEADERBOARD_MEMBER_MAX 128
#define LEADERBOARD_PAGE_MAX 100
#define LEADERBOARD_DEADLINE_MARGIN_MS 50

struct leaderboard_entry {
	int64_t rank;
	int64_t player_id;
	int64_t score;
	char name[STORE_NAME_MAX + 1];
};

struct leaderboard_page {
	int64_t total;
	int64_t offset;
	size_t count;
	struct leaderboard_entry entries[LEADERBOARD_PAGE_MAX];
};

enum leaderboard_status {
	LEADERBOARD_OK = 0,
	LEADERBOARD_NOT_BUILT,		/* the marker is missing: rebuild first */
	LEADERBOARD_NOT_FOUND,		/* around= names a player not on the board */
	LEADERBOARD_DAMAGED,		/* the set and the hash disagree, or a member does not decode */
	LEADERBOARD_UNAVAILABLE,
};
/* Every status but LEADERBOARD_OK leaves its detail in link->error. */

/* Pure helpers, unit tested. */
int leaderboard_member_encode(int64_t score, int64_t player_id, const char *name,
			      char *out, size_t out_size);
int leaderboard_member_decode(const char *member, size_t length, struct leaderboard_entry *entry);
/* Fills ranks given the rank of the first entry: equal scores share a rank,
 * otherwise the rank is 1 + the entry's 0-based position on the board. */
void leaderboard_assign_ranks(struct leaderboard_page *page, int64_t first_rank);

/* Redis operations. */
/* deadline_ms (unix milliseconds, 0 for none): Redis ignores the update when
 * it runs later than that, e.g. after a stall the caller already gave up on. */
enum leaderboard_status leaderboard_set_score(struct redis_link *link, int64_t player_id,
					      const char *name, int64_t score, int64_t deadline_ms);
/* Many set-scores in one pipeline (the worker's batch, a rebuild, a group
 * of creates): begin, add each, finish. Players go to Redis
 * LEADERBOARD_SCORES_PER_RUN at a time, in one script run each; nothing is
 * sure to be sent before finish. After a failure the rest are skipped and
 * finish says so; the detail is in link->error. */
#define LEADERBOARD_SCORES_PER_RUN 64	/* players per script run */
struct leaderboard_scores {
	struct redis_link *link;
	size_t pending;		/* script runs sent, reply not read yet */
	bool failed;
	int64_t deadline_ms;	/* 0, or set after begin: as leaderboard_set_score's, for every add */
	size_t buffered;	/* players added and not sent yet */
	char ids[LEADERBOARD_SCORES_PER_RUN][24];
	char members[LEADERBOARD_SCORES_PER_RUN][LEADERBOARD_MEMBER_MAX];
};
enum leaderboard_status leaderboard_scores_begin(struct leaderboard_scores *scores, struct redis_link *link);
enum leaderboard_status leaderboard_scores_add(struct leaderboard_scores *scores, int64_t player_id,
					       const char *name, int64_t score);
enum leaderboard_status leaderboard_scores_finish(struct leaderboard_scores *scores);
/* Removes the player's member if it is still the one given (undo of a failed create). */
enum leaderboard_status leaderboard_remove(struct redis_link *link, int64_t player_id, const char *name,
					   int64_t score);
enum leaderboard_status leaderboard_read_page(struct redis_link *link, int64_t offset, int64_t limit,
					      struct leaderboard_page *page);
enum leaderboard_status leaderboard_read_around(struct redis_link *link, int64_t player_id, int64_t limit,
						struct leaderboard_page *page);
enum leaderboard_status leaderboard_is_built(struct redis_link *link, bool *built);

/* Deletes the board, its members hash and its marker, in one step. */
enum leaderboard_status leaderboard_reset(struct redis_link *link);

/* What the board holds, read in one step. */
struct leaderboard_census {
	bool built;		/* the marker is set */
	int64_t members;	/* in the sorted set */
	int64_t entries;	/* in the id → member hash */
};
enum leaderboard_status leaderboard_census(struct redis_link *link, struct leaderboard_census *census);

/* ---- leaderboard_repair.c: the board against the store ---- */

/* Rebuilds the board from the store under a Redis lock: resets it while no
 * player create is half-way (STORE_READ_SETTLED), so no create's entry is
 * lost, fills it with the store's players, sets the marker. When another
 * process is rebuilding, waits up to wait_ms for it to finish. The lock
 * expires a few seconds after its holder stops renewing it (kill -9). */
enum leaderboard_status leaderboard_rebuild(struct redis_link *link, struct store *store, int wait_ms);

/* The board check, cheap enough for every second: the marker is set and the
 * set, the hash and the store hold as many players each (compared while no
 * create is half-way), and Redis is the same process as at the last check
 * (a restarted Redis may have lost its last second of writes, scores
 * included, which no count shows). Otherwise logs what differs and
 * rebuilds. The watch is the caller's memory between checks (zeroed at
 * first); *rebuilt says whether it rebuilt. */
struct leaderboard_watch {
	char redis_run_id[48];
};
enum leaderboard_status leaderboard_check(struct redis_link *link, struct store *store,
					  struct leaderboard_watch *watch, bool *rebuilt);

/* The full comparison (platform-test-admin check): every player of the store
 * has exactly its member, with its score, in the set and the hash, and the
 * board holds nothing else. Calls report once per difference with a line
 * of text; *differences counts them. */
typedef void (*leaderboard_report)(void *context, const char *difference);
enum leaderboard_status leaderboard_audit(struct redis_link *link, struct store *store,
					  leaderboard_report report, void *context, size_t *differences);

#endif
