/* pg_store.h — what the PostgreSQL backend's files share and nothing else
 * sees: the connection, its table of statements (each prepared once per
 * connection, on first use), the parameters they take and the helpers that
 * run them. Every query is a row of the statement table (pg_store.c);
 * values are sent as parameters, never spliced. */
#ifndef PT_PG_STORE_H
#define PT_PG_STORE_H

#include <libpq-fe.h>

#include "store/store_backend.h"
#include "store/store_sql.h"

/* Advisory locks, two-key form (classid, objid): PG_LOCK_CLASS is the
 * project's, the second key says which lock. docs/architecture.md tells
 * the design; pg_locks shows them as classid 20260, objid 1..4. */
#define PG_LOCK_CLASS "20260"
/* Shared by submissions and creates; exclusive for the barrier and STORE_READ_SETTLED. */
#define PG_LOCK_SUBMISSIONS PG_LOCK_CLASS ", 1"
#define PG_LOCK_ORDER PG_LOCK_CLASS ", 2"	/* an id and its push: one submitter at a time */
#define PG_LOCK_WORKER PG_LOCK_CLASS ", 3"	/* the worker role */
#define PG_LOCK_MIGRATE PG_LOCK_CLASS ", 4"	/* one migrate at a time */
/* Idempotency keys: (20261, hash of caller and key), so that two retries of
 * one key take turns instead of both inserting it. */
#define PG_LOCK_IDEMPOTENCY_CLASS "20261"

enum pg_statement {
	PG_BEGIN,
	PG_BEGIN_READ,
	PG_COMMIT,
	PG_ROLLBACK,
	PG_SUBMISSION_SHARE,
	PG_ORDER_LOCK,
	PG_ORDER_UNLOCK,
	PG_BARRIER_LOCK,
	PG_BARRIER_UNLOCK,
	PG_SETTLED_LOCK,
	PG_WORKER_TRY_LOCK,
	PG_PING,
	PG_WRITABLE,
	PG_PLAYER_INSERT,
	PG_PLAYER_GET,
	PG_PLAYER_CREDENTIALS,
	PG_PLAYER_CREDENTIALS_BY_ID,
	PG_SESSION_CHECK,
	PG_SESSION_REVOKE,
	PG_SESSIONS_EXPIRED_DELETE,
	PG_PLAYER_REVOKE_SESSIONS,
	PG_PLAYER_SET_PASSWORD,
	PG_PLAYER_EXISTS,
	PG_PLAYERS_EXIST,
	PG_PLAYER_ANY,
	PG_PLAYER_COUNT,
	PG_PLAYER_SCAN,
	PG_PLAYER_UPDATE_BALANCES,
	PG_BATTLE_INSERT,
	PG_BATTLE_GET,
	PG_BATTLE_STATUS,
	PG_BATTLE_APPLY,
	PG_PLAYER_BATTLES_COUNT,
	PG_PLAYER_BATTLES_PAGE,
	PG_PLAYER_BATTLES_BEFORE,
	PG_QUEUED_BATTLES,
	PG_QUEUED_BATTLE_SCAN,
	PG_PLAYERS_STATE,
	PG_IDEMPOTENCY_LOCK,
	PG_IDEMPOTENCY_GET,
	PG_IDEMPOTENCY_DELETE,
	PG_IDEMPOTENCY_INSERT,
	PG_MIGRATIONS_RECORDED,
	PG_MIGRATION_RECORD,
	PG__COUNT
};

struct pg_store {
	struct store base;	/* first: a struct store * is a struct pg_store * */
	PGconn *conn;
	const struct settings *settings;
	bool prepared[PG__COUNT];	/* on this connection */
	bool in_transaction;		/* between a BEGIN and its end: never reconnect there */
	bool order_lock_held;		/* PG_LOCK_ORDER, session-level: released before COMMIT */
	bool worker_claimed;		/* PG_LOCK_WORKER, held by this connection */
	bool worker_session;		/* the worker's: shorter TCP keepalives (store_take_housekeeping) */
	bool reset_needed;		/* a session lock could not be released: start a new session */
	bool pipelined;			/* in STORE_APPLY_BATCH: writes go out in pipeline mode */
	int pipeline_pending;		/* sent since the last read of answers */
	enum store_status pipeline_status;	/* the first failure among them */
	int64_t failed_connect_ms;	/* when the last (re)connect failed, for a short back-off */
};

static inline struct pg_store *pg_of(struct store *store)
{
	return (struct pg_store *)store;
}

/* Parameters of one statement, in text format. */
#define PG_PARAMS_MAX 32
struct pg_params {
	int count;
	const char *values[PG_PARAMS_MAX];
	char numbers[PG_PARAMS_MAX][24];
};
void pg_param_int64(struct pg_params *params, int64_t value);
/* NULL is SQL NULL. The text must outlive the statement's run. */
void pg_param_text(struct pg_params *params, const char *text);

/* Runs a statement (preparing it on this connection first if needed).
 * With result non-NULL, *result holds the rows (PQclear them), else they
 * are dropped. A connection found broken outside a transaction is
 * re-established and the statement tried once more on the new one. */
enum store_status pg_run(struct store *store, enum pg_statement which, const struct pg_params *params,
			 PGresult **result);
/* Prepares a statement on this connection unless it already is. */
enum store_status pg_prepare(struct pg_store *store, enum pg_statement which);
void pg_statement_name(enum pg_statement which, char *out, size_t size);

/* pg_pipeline.c: STORE_APPLY_BATCH's writes in pipeline mode. begin enters
 * it (after BEGIN); send queues a write (its failure surfaces at finish);
 * finish reads every answer and leaves the mode: the first failure, or OK. */
enum store_status pg_pipeline_begin(struct pg_store *store);
enum store_status pg_pipeline_send(struct pg_store *store, enum pg_statement which, const struct pg_params *params);
enum store_status pg_pipeline_finish(struct pg_store *store);

/* Outside a transaction: connects again if the connection is broken. */
enum store_status pg_connect_if_needed(struct store *store);
/* The same with one bigint parameter. */
enum store_status pg_run_id(struct store *store, enum pg_statement which, int64_t id, PGresult **result);
/* Reads at most one row of a statement whose $1 is an id with read (NULL:
 * only whether the row exists): the one lookup players and battles share. */
typedef enum store_status (*pg_row_reader)(const PGresult *result, int row, void *out);
enum store_status pg_get_by_id(struct store *store, enum pg_statement which, int64_t id, pg_row_reader read,
			       void *out);
enum store_status pg_count_by_id(struct store *store, enum pg_statement which, int64_t id, int64_t *count);

int64_t pg_column_int64(const PGresult *result, int row, int column);
/* Copies a text column into a fixed buffer ("" for NULL). */
void pg_column_copy(const PGresult *result, int row, int column, char *out, size_t size);
/* A malloc'd copy of a text column ("" for NULL), or NULL without memory. */
char *pg_column_strdup(const PGresult *result, int row, int column, const char *fallback);

/* Records why a result failed and maps its SQLSTATE: 23505 is a conflict,
 * any other 23xxx an invalid row, the rest unavailability. Clears result. */
enum store_status pg_fail_result(struct store *store, PGresult *result);

/* The backend's half of every call in STORE_OPERATIONS, as pg_NAME. */
#define PG_DECLARE(name, parameters, arguments) enum store_status pg_##name parameters;
STORE_OPERATIONS(PG_DECLARE)
#undef PG_DECLARE

/* pg_sql.c: the statement table, renumbered from store_sql.h's `?` and
 * `?N` to $N. The text of a statement, and how many parameters it takes. */
const char *pg_statement_sql(enum pg_statement which, int *parameter_count);
/* Renumbers one statement into out; -1 when out is too small. */
int pg_renumber(const char *sql, char *out, size_t out_size, int *parameter_count);

/* pg_migrate.c: the migration runner's PostgreSQL half. */
int pg_migration_exec(struct store *store, const char *sql, char *error, size_t error_size);
int pg_migration_recorded(struct store *store, store_migration_visitor visit, void *context, char *error,
			  size_t error_size);
int pg_migration_record(struct store *store, int version, const char *name, char *error, size_t error_size);

#endif
