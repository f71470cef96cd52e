/* SPDX-License-Identifier: ISC */
/* store.h — the store of record, in the domain's words: players, battles,
 * idempotency keys, the queued battles, and transactions named by what they
 * are for. One connection per process (or worker thread); no engine's type
 * or concept crosses this interface. Two backends implement it: SQLite
 * (store/sqlite/, the embedded default) and PostgreSQL (store/postgresql/,
 * chosen by PT_DATABASE_URL); store.c picks one from the settings and
 * forwards every call to it (store_backend.h).
 *
 * The contract every backend keeps (the battle guarantees rest on it,
 * docs/architecture.md):
 * - Submission order. From store_battle_insert() in a STORE_SUBMIT_BATTLE
 *   transaction to its commit or rollback, no other submission can take a
 *   battle id. A submitter pushes its id to the queue before it commits, so
 *   ids reach the queue in increasing order. (SQLite: the database-wide
 *   write lock; PostgreSQL: an advisory lock held from the insert to just
 *   before COMMIT.)
 * - store_wait_for_submissions() returns only once every submission that
 *   had taken an id when it was called has committed or rolled back: after
 *   it, no battle id below the largest one committed can still appear.
 *   (SQLite: the write lock again; PostgreSQL: submitters hold an advisory
 *   lock shared for their whole transaction, which the barrier takes
 *   exclusively once. docs/architecture.md has the argument.)
 * - Balances and scores change only in STORE_APPLY_BATCH transactions, which
 *   only the holder of the worker role may begin (store_claim_worker), and
 *   that role is held by one process at a time and for as long as its
 *   connection lives: what the worker read in its STORE_READ transaction is
 *   still current when it writes.
 * - A failed call leaves its transaction open: the caller rolls back, so a
 *   5xx leaves nothing behind.
 * Every function returns a store_status; store_error() says why. */
#ifndef PT_STORE_H
#define PT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/settings.h"
#include "game/player_spec.h"

enum store_status {
	STORE_OK = 0,
	STORE_NOT_FOUND,
	STORE_CONFLICT,		/* a uniqueness rule: name taken, key reused */
	STORE_INVALID,		/* a CHECK or foreign key refused the row: a bug upstream */
	STORE_UNAVAILABLE,	/* busy past the timeout, I/O error, disk full, no memory */
	STORE_UNKNOWN,		/* store_commit only: the connection broke while the COMMIT was in
				 * flight, so it may have committed; ask whether its rows exist */
};

/* What a transaction is for; each backend maps it to its own locking. */
enum store_intent {
	STORE_READ,		/* several reads from one snapshot */
	STORE_CREATE_PLAYER,	/* players inserted */
	STORE_SUBMIT_BATTLE,	/* idempotency check, insert, queue push: see the contract */
	STORE_APPLY_BATCH,	/* the worker's reports, balances and scores */
	STORE_CHANGE_SESSIONS,	/* sessions ended, passwords changed */
	/* Reads from a settled store: every create or submission begun before
	 * has committed or rolled back, and none begins until this ends (SQLite:
	 * the write lock, so keep it short). Comparing Redis with the store
	 * inside it sees no write half-way, e.g. a player on the board whose
	 * create has not committed yet. */
	STORE_READ_SETTLED,
};

struct store;

#define STORE_NAME_MAX PLAYER_NAME_MAX_BYTES
#define STORE_TIME_SIZE 24

/* Opens the store the settings name: PostgreSQL when PT_DATABASE_URL is
 * set, else the SQLite file (created if needed). Statements are prepared
 * lazily, so a store can be opened before migrating. On failure *out is
 * NULL and error says why. The settings must outlive the store. */
enum store_status store_open(const struct settings *settings, struct store **out, char *error,
			     size_t error_size);
void store_close(struct store *store);
const char *store_error(const struct store *store);
/* "sqlite" or "postgresql": for logs and the migrations' folder (sql/NAME/). */
const char *store_backend_name(const struct store *store);

enum store_status store_begin(struct store *store, enum store_intent intent);
/* Rolls back when it fails. STORE_UNKNOWN (PostgreSQL): the server may have
 * committed before the connection broke; the store has reconnected if it
 * could within its timeout, so a lookup of what was written tells. */
enum store_status store_commit(struct store *store);
void store_rollback(struct store *store);		/* a no-op outside a transaction */
enum store_status store_wait_for_submissions(struct store *store);

/* The worker's connection takes on the store's housekeeping (for SQLite,
 * WAL checkpoints in its commits); store_housekeeping() does the idle-time
 * part, waiting for no one (SQLite: copies the WAL back, and empties it once
 * nothing was written since the previous turn). Other connections do as
 * little as they can, so that requests do not; every connection keeps the
 * store's files within the bound docs/operations.md states. */
enum store_status store_take_housekeeping(struct store *store);
enum store_status store_housekeeping(struct store *store);

/* A real read of the schema: fails when the store is gone, locked or unreadable. */
enum store_status store_ping(struct store *store);
/* Whether a write can be expected to succeed now, cheaply enough for every
 * heartbeat: STORE_UNAVAILABLE, the reason in store_error(), while this
 * connection's last write failed for want of space or by an I/O error
 * (for a few seconds, or until a write succeeds), or while the store's
 * file system is read-only or nearly full (looked at once a second). */
enum store_status store_writable(struct store *store);

/* The worker role: exactly one process at a time may apply battles
 * (STORE_APPLY_BATCH refuses to begin elsewhere). Never waits: *active says
 * whether this process holds the role now, taking it when it is free. Call
 * it before each batch: a backend can lose the role (PostgreSQL: with the
 * connection that held it), and then it is taken again or reported lost.
 * SQLite: a lock file beside the database; PostgreSQL: a session advisory
 * lock, released by the server when the holder dies or is cut off. */
enum store_status store_claim_worker(struct store *store, bool *active);

/* ---- players ---- */
struct player_record {
	int64_t id;
	char name[STORE_NAME_MAX + 1];
	char *description;	/* malloc'd */
	struct player_attributes attributes;
	int64_t score;
	char created_at[STORE_TIME_SIZE];
};

/* A new player, as POST /players validated it. */
struct player_create {
	char *name;
	char *description;
	struct player_attributes attributes;	/* each given or defaulted (game/player_spec.h) */
	char *password;	/* NULL when absent */
};
enum store_status store_player_insert(struct store *store, const struct player_create *player,
				      const char *stored_hash, const char *created_at, int64_t *id_out);
enum store_status store_player_get(struct store *store, int64_t id, struct player_record *out);
void player_record_free(struct player_record *player);
enum store_status store_player_exists(struct store *store, int64_t id);
/* exists[i]: whether ids[i] is a player, for count ids (repeats allowed), in
 * one query where the engine is a server (a write group's checks). */
enum store_status store_players_exist(struct store *store, const int64_t *ids, size_t count, bool *exists);
/* What signing in needs: by name or by id, the player's stored hash (NULL
 * when the player has no password; malloc'd) and session version. */
struct player_credentials {
	int64_t id;
	int64_t session_version;
	char *hash;
};
enum store_status store_player_credentials(struct store *store, const char *name, struct player_credentials *out);
enum store_status store_player_credentials_by_id(struct store *store, int64_t id, struct player_credentials *out);
void player_credentials_free(struct player_credentials *credentials);

/* ---- sessions ----
 * A token is good while its player exists, its version is the player's
 * session version, and it was not revoked by itself. */
enum store_status store_session_check(struct store *store, int64_t player_id,
				      const unsigned char token_id[32], int64_t *session_version, bool *revoked);
/* Refuses one token from now on (until expires_at, when it would expire anyway). */
enum store_status store_session_revoke(struct store *store, int64_t player_id, const unsigned char token_id[32],
				       int64_t expires_at, int64_t now);
/* Refuses every token issued so far: the session version moves on. */
enum store_status store_player_revoke_sessions(struct store *store, int64_t player_id);
/* A new password hash, and every older token refused. */
enum store_status store_player_set_password(struct store *store, int64_t player_id, const char *stored_hash);
enum store_status store_players_any(struct store *store, bool *any);
enum store_status store_player_count(struct store *store, int64_t *count);
/* Calls visit for every player in id order; stops early when visit returns non-zero. */
typedef int (*store_player_visitor)(void *context, int64_t id, const char *name, int64_t score);
enum store_status store_players_scan(struct store *store, store_player_visitor visit, void *context);

/* ---- battles ---- */
enum battle_status_value {
	BATTLE_QUEUED,
	BATTLE_DONE,
};

struct battle_record {
	int64_t id;
	int64_t attacker_id, defender_id;
	enum battle_status_value status;
	char submitted_at[STORE_TIME_SIZE];
	/* BATTLE_DONE only: */
	char processed_at[STORE_TIME_SIZE];
	int64_t winner_id, loser_id;
	int32_t percent_stolen;
	int64_t gold_stolen, silver_stolen, score_awarded;
	char seed[17];
	struct battle_side attacker, defender;
	char *turns_json;	/* malloc'd JSON array text */
};

void battle_record_free(struct battle_record *battle);
enum store_status store_battle_get(struct store *store, int64_t id, struct battle_record *out);
/* Just the status; STORE_NOT_FOUND when there is no such battle. */
enum store_status store_battle_status(struct store *store, int64_t id, enum battle_status_value *status);
/* Inserts a queued battle and its two participant rows; *id_out is the new id. */
enum store_status store_battle_insert(struct store *store, int64_t attacker_id, int64_t defender_id,
				      const char *submitted_at, int64_t *id_out);
enum store_status store_player_battle_count(struct store *store, int64_t player_id, int64_t *total);
/* A page of a player's battles, newest first, without turns: visit is called
 * for each (the record is freed after the call); a non-zero return stops.
 * With before > 0 the page holds the battles with a smaller id (keyset
 * paging: the cost does not grow with depth) and offset is not used. */
typedef int (*store_battle_visitor)(void *context, const struct battle_record *battle);
struct battle_page_request {
	int64_t player_id;
	int64_t limit;
	int64_t offset;
	int64_t before;
};
enum store_status store_player_battles(struct store *store, const struct battle_page_request *page,
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

/* ---- the worker: the balances the engine needs, and the write-back ---- */
struct player_state {
	int64_t id;
	char name[STORE_NAME_MAX + 1];
	struct player_attributes attributes;
	int64_t score;
};
enum store_status store_player_state(struct store *store, int64_t id, struct player_state *out);
/* The states of count players, ids ascending and distinct, into
 * out[0..count) in that order: one query where the engine is a server.
 * STORE_NOT_FOUND when one of them does not exist. */
enum store_status store_players_state(struct store *store, const int64_t *ids, size_t count,
				      struct player_state *out);
/* Writes the balances and the score. */
enum store_status store_player_state_save(struct store *store, const struct player_state *player);
/* The queued battles up to max_id, oldest first, at most limit of them:
 * visit is called for each (the record is freed after the call); a
 * non-zero return stops. */
enum store_status store_queued_battles(struct store *store, int64_t max_id, size_t limit, store_battle_visitor visit,
				       void *context);
/* Calls visit for every queued battle's id, oldest first; a non-zero return stops. */
typedef int (*store_id_visitor)(void *context, int64_t id);
enum store_status store_queued_battles_scan(struct store *store, store_id_visitor visit, void *context);
/* Marks a queued battle done with its report; STORE_NOT_FOUND when it was not queued. */
enum store_status store_battle_apply(struct store *store, const struct battle_record *battle);

/* ---- backup and restore ----
 * A backup is a single file holding a consistent copy of the whole store,
 * taken while the services run; it is checked before it is kept. */
struct store_summary {
	int64_t players, battles, battles_done;
	int schema_version;	/* the highest migration it records */
};
/* Writes the copy to path, which must not exist: under a temporary name
 * beside it, checked (SQLite: PRAGMA integrity_check), then linked into
 * place. STORE_CONFLICT when path exists; nothing is left behind on failure. */
enum store_status store_backup(struct store *store, const char *path, struct store_summary *summary);
/* Checks a backup without changing anything. */
enum store_status store_backup_check(struct store *store, const char *path, struct store_summary *summary);
/* Replaces everything in the store with the backup at path (checked
 * first). Only while no other process uses the store (store_in_use). */
enum store_status store_restore(struct store *store, const char *path, struct store_summary *summary);
/* Whether any process has the store at location open. The caller must not
 * have it open itself (SQLite: close it first; the check reads the WAL
 * index's lock, and closing a file in the process that holds it would drop it). */
enum store_status store_in_use(const char *location, bool *in_use, char *error, size_t error_size);

#endif
