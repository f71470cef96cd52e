/* leaderboard.h — the leaderboard, a Redis sorted set indexing SQLite's scores.
 *
 * Invariants:
 * - every member has sorted-set score 0 and is "INVERTED:ID:NAME", where
 *   INVERTED = 9223372036854775807 − score and ID are 19 zero-padded digits;
 *   lexical order is therefore score descending, then id ascending, so index
 *   ranges page the board and ZLEXCOUNT counts strictly higher scores in O(log n);
 * - a hash maps each player id to its current member, so a score update
 *   replaces the old member atomically (Lua);
 * - updates are monotonic (a lower score than the stored one is ignored):
 *   scores only rise, so replays, redeliveries and rebuilds racing with the
 *   worker can never move a player backwards;
 * - a marker key is set when the board is complete; when Redis lost its data
 *   the marker is gone and the board is rebuilt from SQLite. */
#ifndef PT_LEADERBOARD_H
#define PT_LEADERBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "redis_link.h"
#include "store.h"

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
	LEADERBOARD_UNAVAILABLE,
};

/* Pure helpers, unit tested. */
int leaderboard_member_encode(int64_t score, int64_t player_id, const char *name,
			      char *out, size_t out_size);
int leaderboard_member_decode(const char *member, size_t length, struct leaderboard_entry *entry);
/* Fills ranks given the rank of the first entry: equal scores share a rank,
 * otherwise the rank is 1 + the entry's 0-based position on the board. */
void leaderboard_assign_ranks(struct leaderboard_page *page, int64_t first_rank);
/* The contract's around-window: max(0, min(i − ⌊n/2⌋, total − n)). */
int64_t leaderboard_around_offset(int64_t position, int64_t limit, int64_t total);

/* Redis operations. */
/* deadline_ms (unix milliseconds, 0 for none): Redis ignores the update when
 * it runs later than that, e.g. after a stall the caller already gave up on. */
enum leaderboard_status leaderboard_set_score(struct redis_link *link, int64_t player_id,
					      const char *name, int64_t score, int64_t deadline_ms);
/* Loads the set-score script (Redis forgets scripts when it restarts); call
 * before appending set-scores to a pipeline. */
int leaderboard_prepare_pipeline(struct redis_link *link);
/* Appends a set-score to a pipeline (one reply to read later). */
int leaderboard_append_set_score(struct redis_link *link, int64_t player_id, const char *name, int64_t score);
/* Removes the player's member if it is still the one given (undo of a failed create). */
enum leaderboard_status leaderboard_remove(struct redis_link *link, int64_t player_id, const char *name,
					   int64_t score);
enum leaderboard_status leaderboard_read_page(struct redis_link *link, int64_t offset, int64_t limit,
					      struct leaderboard_page *page);
enum leaderboard_status leaderboard_read_around(struct redis_link *link, int64_t player_id, int64_t limit,
						struct leaderboard_page *page);
enum leaderboard_status leaderboard_is_built(struct redis_link *link, bool *built);

/* Rebuilds from SQLite under a Redis lock, then sets the marker. When another
 * process holds the lock, waits for its marker up to wait_ms. */
enum leaderboard_status leaderboard_rebuild(struct redis_link *link, struct store *store, int wait_ms);

#endif
