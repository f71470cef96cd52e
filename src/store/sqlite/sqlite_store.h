/* SPDX-License-Identifier: ISC */
/* sqlite_store.h — what the SQLite backend's files share and nothing else
 * sees: the connection, its table of prepared statements, and the helpers
 * that run them. Every query the program runs is a row of the statement
 * table (sqlite_store.c); values are bound, never spliced. */
#ifndef PT_SQLITE_STORE_H
#define PT_SQLITE_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store_backend.h"
#include "store/store_sql.h"

enum sqlite_statement {
	STMT_BEGIN_IMMEDIATE,
	STMT_BEGIN_DEFERRED,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_PING,
	STMT_PLAYER_INSERT,
	STMT_PLAYER_GET,
	STMT_PLAYER_CREDENTIALS,
	STMT_PLAYER_CREDENTIALS_BY_ID,
	STMT_SESSION_CHECK,
	STMT_SESSION_REVOKE,
	STMT_SESSIONS_EXPIRED_DELETE,
	STMT_PLAYER_REVOKE_SESSIONS,
	STMT_PLAYER_SET_PASSWORD,
	STMT_PLAYER_EXISTS,
	STMT_PLAYER_ANY,
	STMT_PLAYER_COUNT,
	STMT_PLAYER_SCAN,
	STMT_PLAYER_UPDATE_BALANCES,
	STMT_BATTLE_INSERT,
	STMT_PARTICIPANT_INSERT,
	STMT_BATTLE_GET,
	STMT_BATTLE_STATUS,
	STMT_BATTLE_APPLY,
	STMT_PLAYER_BATTLES_COUNT,
	STMT_PLAYER_BATTLES_PAGE,
	STMT_PLAYER_BATTLES_BEFORE,
	STMT_QUEUED_BATTLES,
	STMT_QUEUED_BATTLE_SCAN,
	STMT_IDEMPOTENCY_GET,
	STMT_IDEMPOTENCY_DELETE,
	STMT_IDEMPOTENCY_INSERT,
	STMT__COUNT
};

struct sqlite_store {
	struct store base;	/* first: a struct store * is a struct sqlite_store * */
	sqlite3 *db;
	sqlite3_stmt *statements[STMT__COUNT];
	const char *database_path;	/* the settings' */
	int worker_lock;		/* the worker role's lock file, or -1 */
	struct sqlite_gate *gate;	/* the writers' gate (sqlite_gate.h), or NULL: poll */
	bool gate_held;			/* entered for the open write transaction */
	bool housekeeper;	/* the worker's: checkpoints in its commits */
	int wal_frames_seen;	/* the WAL's length at the last housekeeping turn */
	int64_t wal_reset_not_before_ms;	/* after a failed reset, when to try again */
	/* store_writable's memory: when a write last failed for space or I/O
	 * (0: it succeeded since), why; the last look at the file system. */
	int64_t write_failed_ms;
	char write_failure[128];
	int64_t space_checked_ms;
	char space_problem[128];	/* "" when there is room */
};

static inline struct sqlite_store *sqlite_of(struct store *store)
{
	return (struct sqlite_store *)store;
}

static inline sqlite3 *sqlite_db(struct store *store)
{
	return sqlite_of(store)->db;
}

/* The backend's half of every call in STORE_OPERATIONS, as sqlite_NAME. */
#define SQLITE_DECLARE(name, parameters, arguments) enum store_status sqlite_##name parameters;
STORE_OPERATIONS(SQLITE_DECLARE)
#undef SQLITE_DECLARE

/* sqlite_wal.c: bounding the WAL (docs/operations.md states the bound).
 * A RESTART or TRUNCATE checkpoint holds off writers while it waits for
 * readers: it waits this long at most (busy_policies[1]). After a reset the
 * file is cut back to SQLITE_WAL_SIZE_LIMIT_BYTES (journal_size_limit). */
#define SQLITE_WAL_RESET_WAIT_MS 100
#define SQLITE_WAL_SIZE_LIMIT_BYTES "4194304"
/* The WAL hook: called after each commit with the WAL's length in frames. */
int sqlite_wal_committed(void *context, sqlite3 *db, const char *name, int frames);
/* Switches the connection's busy handler to the WAL reset's brief wait and back. */
void sqlite_busy_brief(struct store *store, bool brief);

/* sqlite_migrate.c: the migration runner's SQLite half. */
int sqlite_migration_exec(struct store *store, const char *sql, char *error, size_t error_size);
int sqlite_migration_recorded(struct store *store, store_migration_visitor visit, void *context, char *error,
			      size_t error_size);
int sqlite_migration_record(struct store *store, int version, const char *name, char *error, size_t error_size);

/* Looks up a prepared statement, preparing it on first use; reset and unbound. */
sqlite3_stmt *sqlite_statement(struct store *store, enum sqlite_statement which);
/* The same, with ?1 bound to an id. */
sqlite3_stmt *sqlite_statement_for_id(struct store *store, enum sqlite_statement which, int64_t id);
/* Steps a statement that returns no row, then resets it. */
enum store_status sqlite_step_done(struct store *store, sqlite3_stmt *statement);
/* Runs a statement whose ?1 is an id and reads at most one row with read
 * (which may be NULL to only ask whether the row exists): the one lookup
 * that players, battles and existence checks share. */
typedef enum store_status (*sqlite_row_reader)(sqlite3_stmt *statement, void *out);
enum store_status sqlite_get_by_id(struct store *store, enum sqlite_statement which, int64_t id,
				   sqlite_row_reader read, void *out);
/* Runs a statement whose ?1 is an id and whose one row holds one integer. */
enum store_status sqlite_count_by_id(struct store *store, enum sqlite_statement which, int64_t id,
				     int64_t *count);
/* Pages through a statement whose ?1 is the last id seen (column 0 of each
 * row) and whose pages end when one is empty, so no read transaction spans
 * the table; row is called for each row, and a non-zero return stops. */
typedef int (*sqlite_scan_row)(sqlite3_stmt *statement, void *context);
enum store_status sqlite_scan_by_id(struct store *store, enum sqlite_statement which, sqlite_scan_row row,
				    void *context);
/* Copies a text column into a fixed buffer ("" for NULL). */
void sqlite_copy_text(sqlite3_stmt *statement, int column, char *out, size_t size);
/* Maps an SQLite result code to a store_status and records the message. */
enum store_status sqlite_fail(struct store *store, int sqlite_result);

#endif
