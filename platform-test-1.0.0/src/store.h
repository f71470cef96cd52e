/* store.h — the SQLite store: one connection per process (or worker thread),
 * WAL with a busy timeout, every statement prepared once and kept.
 * Every function returns a store_status; detail goes to store->error. */
#ifndef PT_STORE_H
#define PT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>


enum store_status {
	STORE_OK = 0,
	STORE_NOT_FOUND,
	STORE_CONFLICT,		/* a UNIQUE constraint: name taken, key reused */
	STORE_INVALID,		/* a CHECK or foreign key refused the row: a bug upstream */
	STORE_UNAVAILABLE,	/* busy past the timeout, I/O error, disk full, no memory */
};

enum store_statement {
	STMT_BEGIN_IMMEDIATE,
	STMT_BEGIN_DEFERRED,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_PING,
	STMT_PLAYER_INSERT,
	STMT_PLAYER_GET,
	STMT_PLAYER_CREDENTIALS,
	STMT_PLAYER_EXISTS,
	STMT_PLAYER_ANY,
	STMT_PLAYER_SCAN,
	STMT_PLAYER_UPDATE_BALANCES,
	STMT_BATTLE_INSERT,
	STMT_PARTICIPANT_INSERT,
	STMT_BATTLE_GET,
	STMT_BATTLE_APPLY,
	STMT_PLAYER_BATTLES_COUNT,
	STMT_PLAYER_BATTLES_PAGE,
	STMT_QUEUED_BATTLE_IDS,
	STMT_IDEMPOTENCY_GET,
	STMT_IDEMPOTENCY_DELETE,
	STMT_IDEMPOTENCY_INSERT,
	STMT__COUNT
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *statements[STMT__COUNT];
	char error[256];
};

#define STORE_NAME_MAX 80		/* 20 code points of at most 4 bytes, plus NUL */
#define STORE_DESCRIPTION_MAX 4001

struct player_record {
	int64_t id;
	char name[STORE_NAME_MAX + 1];
	char *description;	/* malloc'd */
	int64_t gold, silver, score;
	int32_t attack, hit_points, luck;
	char created_at[24];
};

/* Opens (creating if needed) the database and applies the connection pragmas.
 * Statements are prepared lazily, so a store can be opened before migrating. */
enum store_status store_open(struct store *store, const char *path, int busy_timeout_ms);
void store_close(struct store *store);

enum store_status store_begin(struct store *store);	/* BEGIN IMMEDIATE: takes the write lock */
enum store_status store_begin_read(struct store *store);
enum store_status store_commit(struct store *store);
void store_rollback(struct store *store);

/* The worker's connection checkpoints at SQLite's usual threshold (1,000
 * pages) in its own commits; other connections only past 16,000 pages, so
 * that requests do not (see store_open). */
enum store_status store_take_checkpoints(struct store *store);
/* Copies committed WAL frames into the database file without waiting for
 * readers or writers (a PASSIVE checkpoint): the worker's timer, for when it
 * has nothing to commit. */
enum store_status store_checkpoint(struct store *store);

/* A real read of the schema: fails when the file is gone, locked or unreadable. */
enum store_status store_ping(struct store *store);

/* Looks up a prepared statement, preparing it on first use; reset and unbound. */
sqlite3_stmt *store_statement(struct store *store, enum store_statement which);
/* Runs a statement whose ?1 is an id and reads at most one row with read
 * (which may be NULL to only ask whether the row exists): the one lookup
 * that players, battles and existence checks share. */
typedef enum store_status (*store_row_reader)(sqlite3_stmt *statement, void *out);
enum store_status store_get_by_id(struct store *store, enum store_statement which, int64_t id,
				  store_row_reader read, void *out);
/* Copies a text column into a fixed buffer ("" for NULL). */
void store_copy_text(sqlite3_stmt *statement, int column, char *out, size_t size);
/* Maps an SQLite result code to a store_status and records the message. */
enum store_status store_fail(struct store *store, int sqlite_result);

/* ---- players (store_players.c) ---- */
struct player_create;
enum store_status store_player_insert(struct store *store, const struct player_create *player,
				      const char *stored_hash, const char *created_at, int64_t *id_out);
enum store_status store_player_get(struct store *store, int64_t id, struct player_record *out);
void player_record_free(struct player_record *player);
enum store_status store_player_exists(struct store *store, int64_t id);
/* Copies the stored hash (NULL when the player has no password) into *hash_out (malloc'd). */
enum store_status store_player_credentials(struct store *store, const char *name, int64_t *id_out,
					   char **hash_out);
enum store_status store_players_any(struct store *store, bool *any);
/* Calls visit for every player in id order; stops early when visit returns non-zero. */
typedef int (*store_player_visitor)(void *context, int64_t id, const char *name, int64_t score);
enum store_status store_players_scan(struct store *store, store_player_visitor visit, void *context);

/* ---- battles (store_battles.c) ---- */
enum battle_status_value {
	BATTLE_QUEUED,
	BATTLE_DONE,
};

struct battle_side {
	int64_t player_id;
	int32_t attack, hit_points, luck;
	int64_t gold_before, silver_before, gold_after, silver_after;
};

struct battle_record {
	int64_t id;
	int64_t attacker_id, defender_id;
	enum battle_status_value status;
	char submitted_at[24];
	/* BATTLE_DONE only: */
	char processed_at[24];
	int64_t winner_id, loser_id;
	int32_t percent_stolen;
	int64_t gold_stolen, silver_stolen, score_awarded;
	char seed[17];
	struct battle_side attacker, defender;
	char *turns_json;	/* malloc'd JSON array text */
};

void battle_record_free(struct battle_record *battle);
enum store_status store_battle_get(struct store *store, int64_t id, struct battle_record *out);
/* Inserts a queued battle and its two participant rows; *id_out is the new id. */
enum store_status store_battle_insert(struct store *store, int64_t attacker_id, int64_t defender_id,
				      const char *submitted_at, int64_t *id_out);
enum store_status store_player_battle_count(struct store *store, int64_t player_id, int64_t *total);
/* A page of a player's battles, newest first, without turns: visit is called
 * for each (the record is freed after the call); a non-zero return stops. */
typedef int (*store_battle_visitor)(void *context, const struct battle_record *battle);
enum store_status store_player_battles(struct store *store, int64_t player_id, int64_t limit, int64_t offset,
				       store_battle_visitor visit, void *context);

struct idempotency_record {
	unsigned char request_hash[32];
	int64_t battle_id;
	int64_t created_at;
};
enum store_status store_idempotency_get(struct store *store, const char *caller, const char *key,
					struct idempotency_record *out);
enum store_status store_idempotency_delete(struct store *store, const char *caller, const char *key);
enum store_status store_idempotency_insert(struct store *store, const char *caller, const char *key,
					   const struct idempotency_record *record);

/* Worker: the balances the engine needs, and the write-back of a result. */
struct player_state {
	int64_t id;
	char name[STORE_NAME_MAX + 1];
	int32_t attack, hit_points, luck;
	int64_t gold, silver, score;
};
enum store_status store_player_state(struct store *store, int64_t id, struct player_state *out);
enum store_status store_player_state_save(struct store *store, const struct player_state *player);
/* Ids of queued battles up to max_id, oldest first, at most limit of them. */
enum store_status store_queued_battle_ids(struct store *store, int64_t max_id, size_t limit, int64_t *ids,
					  size_t *count);
/* Marks a queued battle done with its report; STORE_NOT_FOUND when it was not queued. */
enum store_status store_battle_apply(struct store *store, const struct battle_record *battle);

#endif
