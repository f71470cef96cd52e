/* sqlite_store.h — what the SQLite backend's files share and nothing else
 * sees: the connection, its table of prepared statements, and the helpers
 * that run them. Every query the program runs is a row of the statement
 * table (sqlite_store.c); values are bound, never spliced. */
#ifndef PT_SQLITE_STORE_H
#define PT_SQLITE_STORE_H

#include <sqlite3.h>

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
	STMT_QUEUED_BATTLES,
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
/* Copies a text column into a fixed buffer ("" for NULL). */
void sqlite_copy_text(sqlite3_stmt *statement, int column, char *out, size_t size);
/* Maps an SQLite result code to a store_status and records the message. */
enum store_status sqlite_fail(struct store *store, int sqlite_result);

#endif
