/* pg_store.c — the PostgreSQL backend's connection: connecting from
 * PT_DATABASE_URL, preparing and running the statement table (pg_sql.c),
 * reconnecting, transactions by intent, the advisory locks that keep
 * store.h's contract across many processes on many machines, the worker
 * role, and the mapping of SQLSTATEs to store_status.
 *
 * The locks (docs/architecture.md, "Ordering on PostgreSQL"):
 * - a submission holds PG_LOCK_SUBMISSIONS shared from its BEGIN to its end
 *   (transaction-level), and PG_LOCK_ORDER exclusively from the battle's
 *   insert (which takes the id) to just before COMMIT (session-level), so
 *   ids reach the queue in id order while the commits themselves overlap;
 * - store_wait_for_submissions takes PG_LOCK_SUBMISSIONS exclusively once:
 *   it returns when every submission that had taken an id has ended;
 * - creates hold PG_LOCK_SUBMISSIONS shared too, and STORE_READ_SETTLED
 *   takes it exclusively to its transaction's end (pg_begin);
 * - the worker role is PG_LOCK_WORKER, session-level: the server releases
 *   it when the holder's connection ends, and a reconnected session must
 *   take it again before it may begin STORE_APPLY_BATCH. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgresql/pg_store.h"
#include "util/clock.h"

/* A failed (re)connect is not retried for this long: during an outage each
 * request fails at once instead of each waiting for its own attempt. */
#define PG_RECONNECT_BACKOFF_MS 200
/* A transaction left open this long by a stopped or stuck process is ended
 * by the server, which releases its locks (the submission lock included). */
#define PG_IDLE_IN_TRANSACTION_TIMEOUT "30000"

void pg_param_int64(struct pg_params *params, int64_t value)
{
	if (params->count >= PG_PARAMS_MAX)
		return;
	snprintf(params->numbers[params->count], sizeof(params->numbers[0]), "%lld", (long long)value);
	params->values[params->count] = params->numbers[params->count];
	params->count++;
}

void pg_param_text(struct pg_params *params, const char *text)
{
	if (params->count < PG_PARAMS_MAX)
		params->values[params->count++] = text;
}

enum store_status pg_fail_result(struct store *store, PGresult *result)
{
	const char *state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
	const char *message = result ? PQresultErrorMessage(result) : "";
	if (!message || !*message)
		message = PQerrorMessage(pg_of(store)->conn);
	snprintf(store->error, sizeof(store->error), "postgresql: %.*s", (int)strcspn(message, "\n"), message);
	enum store_status status = STORE_UNAVAILABLE;
	if (state && strcmp(state, "23505") == 0)
		status = STORE_CONFLICT;
	else if (state && strncmp(state, "23", 2) == 0)
		status = STORE_INVALID;
	PQclear(result);	/* state and message point into it */
	return status;
}

/* The worker's session detects a dead peer within seconds, so that the
 * server releases the worker role of a worker cut off from it (over TCP;
 * a unix socket ignores these). */
static enum store_status set_up_worker_session(struct pg_store *store)
{
	PGresult *result = PQexec(store->conn,
				  "SELECT set_config('tcp_keepalives_idle', '2', false),"
				  " set_config('tcp_keepalives_interval', '1', false),"
				  " set_config('tcp_keepalives_count', '2', false), set_config('tcp_user_timeout', '4000', false)");
	if (PQresultStatus(result) != PGRES_TUPLES_OK)
		return pg_fail_result(&store->base, result);
	PQclear(result);
	return STORE_OK;
}

/* Settings every session gets: a statement timeout (a request waits no
 * longer than that for a lock or a query), and an end to transactions left
 * open. Run once per session, before any statement of the table. */
static enum store_status set_up_session(struct pg_store *store)
{
	char timeout[24];
	snprintf(timeout, sizeof(timeout), "%d", store->settings->pg_statement_timeout_ms);
	const char *values[] = {timeout, PG_IDLE_IN_TRANSACTION_TIMEOUT};
	PGresult *result = PQexecParams(store->conn,
					"SELECT set_config('statement_timeout', $1, false),"
					" set_config('idle_in_transaction_session_timeout', $2, false),"
					" set_config('client_min_messages', 'warning', false)",
					2, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(result) != PGRES_TUPLES_OK)
		return pg_fail_result(&store->base, result);
	PQclear(result);
	return store->worker_session ? set_up_worker_session(store) : STORE_OK;
}

/* A new session: nothing is prepared on it, and no lock of ours is held. */
static void forget_session(struct pg_store *store)
{
	memset(store->prepared, 0, sizeof(store->prepared));
	store->order_lock_held = false;
	store->worker_claimed = false;
	store->reset_needed = false;
}

static enum store_status ensure_connected(struct pg_store *store)
{
	if (PQstatus(store->conn) == CONNECTION_OK && !store->reset_needed)
		return STORE_OK;
	if (store->in_transaction)
		return store_fail(&store->base, STORE_UNAVAILABLE, "postgresql: the connection was lost in a transaction");
	int64_t now_ms = clock_monotonic_ms();
	if (store->failed_connect_ms && now_ms - store->failed_connect_ms < PG_RECONNECT_BACKOFF_MS)
		return STORE_UNAVAILABLE;	/* the error of that attempt is still recorded */
	forget_session(store);
	PQreset(store->conn);
	enum store_status status = PQstatus(store->conn) == CONNECTION_OK ? set_up_session(store) : STORE_UNAVAILABLE;
	if (status != STORE_OK) {
		if (PQstatus(store->conn) != CONNECTION_OK)
			pg_fail_result(&store->base, NULL);
		store->failed_connect_ms = now_ms ? now_ms : 1;
		return status;
	}
	store->failed_connect_ms = 0;
	return STORE_OK;
}

enum store_status pg_connect_if_needed(struct store *store)
{
	return ensure_connected(pg_of(store));
}

void pg_statement_name(enum pg_statement which, char *out, size_t size)
{
	snprintf(out, size, "pt%d", (int)which);
}

enum store_status pg_prepare(struct pg_store *store, enum pg_statement which)
{
	char name[16];
	int count = 0;
	if (store->prepared[which])
		return STORE_OK;
	const char *sql = pg_statement_sql(which, &count);
	if (!sql)
		return store_fail(&store->base, STORE_UNAVAILABLE, "postgresql: statement %d does not fit", (int)which);
	pg_statement_name(which, name, sizeof(name));
	PGresult *result = PQprepare(store->conn, name, sql, count, NULL);
	if (PQresultStatus(result) != PGRES_COMMAND_OK)
		return pg_fail_result(&store->base, result);
	PQclear(result);
	store->prepared[which] = true;
	return STORE_OK;
}

static enum store_status run_once(struct pg_store *store, enum pg_statement which, const struct pg_params *params,
				  PGresult **out)
{
	char name[16];
	/* Any statement but the batch's writes waits for their answers first. */
	enum store_status status = store->pipelined ? pg_pipeline_finish(store) : STORE_OK;
	if (status == STORE_OK)
		status = ensure_connected(store);
	if (status == STORE_OK)
		status = pg_prepare(store, which);
	if (status != STORE_OK)
		return status;
	pg_statement_name(which, name, sizeof(name));
	PGresult *result = PQexecPrepared(store->conn, name, params ? params->count : 0, params ? params->values : NULL,
					  NULL, NULL, 0);
	ExecStatusType type = PQresultStatus(result);
	if (type != PGRES_COMMAND_OK && type != PGRES_TUPLES_OK)
		return pg_fail_result(&store->base, result);
	if (out)
		*out = result;
	else
		PQclear(result);
	return STORE_OK;
}

enum store_status pg_run(struct store *base, enum pg_statement which, const struct pg_params *params,
			 PGresult **result)
{
	struct pg_store *store = pg_of(base);
	if (result)
		*result = NULL;
	enum store_status status = run_once(store, which, params, result);
	/* Broken outside a transaction, the statement did nothing (a BEGIN, a
	 * read, a lock): once more on a new session, so that the first request
	 * after a database restart is served rather than refused. */
	if (status == STORE_UNAVAILABLE && !store->in_transaction && PQstatus(store->conn) == CONNECTION_BAD &&
	    !store->failed_connect_ms)
		status = run_once(store, which, params, result);
	return status;
}

enum store_status pg_run_id(struct store *store, enum pg_statement which, int64_t id, PGresult **result)
{
	struct pg_params params = {0};
	pg_param_int64(&params, id);
	return pg_run(store, which, &params, result);
}

enum store_status pg_get_by_id(struct store *store, enum pg_statement which, int64_t id, pg_row_reader read,
			       void *out)
{
	PGresult *result;
	enum store_status status = pg_run_id(store, which, id, &result);
	if (status != STORE_OK)
		return status;
	status = STORE_NOT_FOUND;
	if (PQntuples(result) > 0)
		status = read ? read(result, 0, out) : STORE_OK;
	PQclear(result);
	return status;
}

static enum store_status read_count(const PGresult *result, int row, void *count)
{
	*(int64_t *)count = pg_column_int64(result, row, 0);
	return STORE_OK;
}

enum store_status pg_count_by_id(struct store *store, enum pg_statement which, int64_t id, int64_t *count)
{
	*count = 0;
	enum store_status status = pg_get_by_id(store, which, id, read_count, count);
	return status == STORE_NOT_FOUND ? STORE_OK : status;
}

int64_t pg_column_int64(const PGresult *result, int row, int column)
{
	return PQgetisnull(result, row, column) ? 0 : strtoll(PQgetvalue(result, row, column), NULL, 10);
}

void pg_column_copy(const PGresult *result, int row, int column, char *out, size_t size)
{
	snprintf(out, size, "%s", PQgetisnull(result, row, column) ? "" : PQgetvalue(result, row, column));
}

char *pg_column_strdup(const PGresult *result, int row, int column, const char *fallback)
{
	return strdup(PQgetisnull(result, row, column) ? fallback : PQgetvalue(result, row, column));
}

static bool pg_chosen(const struct settings *settings)
{
	return settings->database_url != NULL;
}

static void pg_close(struct store *store)
{
	PQfinish(pg_of(store)->conn);
	free(store);
}

/* Validates PT_DATABASE_URL and connects. A database that cannot be reached
 * yet is no reason to refuse to start: the first statement connects again
 * (and answers 503 until it can), as Redis is connected lazily. */
static enum store_status pg_open(const struct settings *settings, struct store **out, char *error,
				 size_t error_size)
{
	char *parse_error = NULL;
	*out = NULL;
	PQconninfoOption *options = PQconninfoParse(settings->database_url, &parse_error);
	if (!options) {
		snprintf(error, error_size, "PT_DATABASE_URL: %.*s", parse_error ? (int)strcspn(parse_error, "\n") : 13,
			 parse_error ? parse_error : "out of memory");
		PQfreemem(parse_error);
		return STORE_UNAVAILABLE;
	}
	PQconninfoFree(options);
	struct pg_store *store = calloc(1, sizeof(*store));
	if (!store) {
		snprintf(error, error_size, "out of memory");
		return STORE_UNAVAILABLE;
	}
	store->base.backend = &store_backend_postgresql;
	store->settings = settings;
	/* Defaults first: whatever the URL says overrides them (libpq applies
	 * the expanded dbname's parameters over the earlier ones). */
	const char *const keywords[] = {"connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count",
					"fallback_application_name", "dbname", NULL};
	const char *const values[] = {"3", "10", "2", "3", program_invocation_short_name, settings->database_url, NULL};
	store->conn = PQconnectdbParams(keywords, values, 1);
	if (!store->conn) {
		free(store);
		snprintf(error, error_size, "out of memory");
		return STORE_UNAVAILABLE;
	}
	if (PQstatus(store->conn) == CONNECTION_OK && set_up_session(store) == STORE_OK)
		store->failed_connect_ms = 0;
	else if (PQstatus(store->conn) != CONNECTION_OK)
		pg_fail_result(&store->base, NULL);
	*out = &store->base;
	return STORE_OK;
}

/* Ends the transaction, and gives up the order lock if it is still held
 * (outside the transaction: a session-level lock ignores rollbacks). A lock
 * that cannot be given up ends the session instead. */
static void pg_rollback(struct store *base)
{
	struct pg_store *store = pg_of(base);
	if (store->pipelined)
		pg_pipeline_finish(store);	/* reads what is in flight; the batch is given up */
	if (store->in_transaction && PQstatus(store->conn) == CONNECTION_OK)
		pg_run(base, PG_ROLLBACK, NULL, NULL);
	store->in_transaction = false;
	if (store->order_lock_held) {
		if (PQstatus(store->conn) != CONNECTION_OK || pg_run(base, PG_ORDER_UNLOCK, NULL, NULL) != STORE_OK)
			store->reset_needed = true;
		store->order_lock_held = false;
	}
}

enum store_status pg_begin(struct store *base, enum store_intent intent)
{
	struct pg_store *store = pg_of(base);
	if (intent == STORE_APPLY_BATCH && !store->worker_claimed)
		return store_fail(base, STORE_UNAVAILABLE, "postgresql: this process does not hold the worker role");
	enum store_status status = pg_run(base, intent == STORE_READ ? PG_BEGIN_READ : PG_BEGIN, NULL, NULL);
	if (status != STORE_OK)
		return status;
	store->in_transaction = true;
	/* The BEGIN may have needed a new session, which does not hold the role. */
	if (intent == STORE_APPLY_BATCH && !store->worker_claimed)
		return store_fail(base, STORE_UNAVAILABLE, "postgresql: the worker role was lost with the connection");
	if (intent == STORE_APPLY_BATCH)
		return pg_pipeline_begin(store);
	/* Creates hold the submission lock shared too, only so that
	 * STORE_READ_SETTLED can wait them out as it does submissions. */
	if (intent == STORE_SUBMIT_BATTLE || intent == STORE_CREATE_PLAYER)
		return pg_run(base, PG_SUBMISSION_SHARE, NULL, NULL);
	/* STORE_READ_SETTLED: a READ COMMITTED transaction that first takes the
	 * submission lock exclusively (transaction-level). Every create and
	 * submission holds it shared from its BEGIN to its end, so this waits
	 * until each one begun before has committed or rolled back, and keeps
	 * new ones waiting at their BEGIN until this transaction ends. The
	 * reads after it take their snapshots once the lock is held, so they
	 * see every such commit: nothing half-way (a player already on the
	 * board but not yet in the table, a battle queued but not inserted).
	 * Like SQLite's write lock it stops writers: keep it short.
	 * STORE_CHANGE_SESSIONS needs no more than BEGIN: its updates are of
	 * one player's row, which the row lock orders. */
	if (intent == STORE_READ_SETTLED)
		return pg_run(base, PG_SETTLED_LOCK, NULL, NULL);
	return STORE_OK;
}

enum store_status pg_commit(struct store *base)
{
	struct pg_store *store = pg_of(base);
	PGresult *result = NULL;
	/* The batch's writes, sent in pipeline mode, answer now: all or none. */
	enum store_status status = store->pipelined ? pg_pipeline_finish(store) : STORE_OK;
	/* The push happened under the order lock: let the next submitter take
	 * an id while this transaction commits. */
	if (status == STORE_OK && store->order_lock_held && (status = pg_run(base, PG_ORDER_UNLOCK, NULL, NULL)) == STORE_OK)
		store->order_lock_held = false;
	bool sent = false;
	if (status == STORE_OK) {
		sent = true;
		status = pg_run(base, PG_COMMIT, NULL, &result);
	}
	/* COMMIT of a failed transaction answers ROLLBACK, not an error. */
	if (status == STORE_OK && strcmp(PQcmdStatus(result), "COMMIT") != 0)
		status = store_fail(base, STORE_UNAVAILABLE, "postgresql: the transaction had failed and was rolled back");
	PQclear(result);
	if (status == STORE_OK) {
		store->in_transaction = false;
		return STORE_OK;
	}
	bool lost = sent && PQstatus(store->conn) == CONNECTION_BAD;
	pg_rollback(base);
	if (!lost)
		return status;
	/* The server may have committed before the connection broke. Connect
	 * again (a restart takes a moment) so that the caller can look. */
	int64_t deadline_ms = clock_monotonic_ms() + store->settings->pg_statement_timeout_ms;
	while (ensure_connected(store) != STORE_OK && clock_monotonic_ms() < deadline_ms)
		clock_sleep_ms(PG_RECONNECT_BACKOFF_MS);
	return store_fail(base, STORE_UNKNOWN, "postgresql: the connection broke while the commit was in flight");
}

/* Every submission holds the submission lock shared while it has an id
 * that may not be committed yet; taking it exclusively waits them out (and
 * keeps new ones out for the instant it is held). */
enum store_status pg_wait_for_submissions(struct store *base)
{
#ifdef PT_TEST_NO_SUBMISSION_BARRIER
	/* Only in the test binary that shows why the barrier is needed
	 * (tests/e2e/test_postgresql.sh); never in the installed programs. */
	(void)base;
	return STORE_OK;
#else
	enum store_status status = pg_run(base, PG_BARRIER_LOCK, NULL, NULL);
	if (status == STORE_OK && (status = pg_run(base, PG_BARRIER_UNLOCK, NULL, NULL)) != STORE_OK)
		pg_of(base)->reset_needed = true;
	return status;
#endif
}

enum store_status pg_take_housekeeping(struct store *base)
{
	struct pg_store *store = pg_of(base);
	store->worker_session = true;
	/* Now, and again by every reconnect (set_up_session). */
	return PQstatus(store->conn) == CONNECTION_OK ? set_up_worker_session(store) : STORE_OK;
}

/* Vacuum and checkpoints are the server's (autovacuum, the checkpointer). */
enum store_status pg_housekeeping(struct store *store)
{
	(void)store;
	return STORE_OK;
}

enum store_status pg_ping(struct store *store)
{
	return pg_run(store, PG_PING, NULL, NULL);
}

/* The disk is the server's: a write that fails for space fails there and
 * says so. What a heartbeat can see cheaply is a server that takes no
 * writes at all (a standby, or one set read-only). */
enum store_status pg_writable(struct store *store)
{
	PGresult *result;
	enum store_status status = pg_run(store, PG_WRITABLE, NULL, &result);
	if (status != STORE_OK)
		return status;
	bool writable = PQntuples(result) == 1 && strcmp(PQgetvalue(result, 0, 0), "t") == 0;
	PQclear(result);
	return writable ? STORE_OK : store_fail(store, STORE_UNAVAILABLE, "postgresql: the server takes no writes");
}

enum store_status pg_claim_worker(struct store *base, bool *active)
{
	struct pg_store *store = pg_of(base);
	PGresult *result;
	*active = false;
	if (store->worker_claimed && PQstatus(store->conn) == CONNECTION_OK && !store->reset_needed) {
		*active = true;
		return STORE_OK;
	}
	enum store_status status = pg_run(base, PG_WORKER_TRY_LOCK, NULL, &result);
	if (status != STORE_OK)
		return status;
	store->worker_claimed = PQntuples(result) == 1 && strcmp(PQgetvalue(result, 0, 0), "t") == 0;
	PQclear(result);
	*active = store->worker_claimed;
	return STORE_OK;
}

#define PG_OPERATION(name, parameters, arguments) .name = pg_##name,
const struct store_backend store_backend_postgresql = {
	.name = "postgresql",
	.chosen = pg_chosen,
	.open = pg_open,
	.close = pg_close,
	.rollback = pg_rollback,
	STORE_OPERATIONS(PG_OPERATION)
	.migration = {
		.create_table_sql = "CREATE TABLE IF NOT EXISTS schema_migrations ("
				    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
		/* Concurrent runs (two nodes migrating at once) take turns; a
		 * migration may run longer than a request's statement timeout. */
		.lock_sql = "SET statement_timeout = 0; SELECT pg_advisory_lock(" PG_LOCK_MIGRATE ")",
		.unlock_sql = "SELECT pg_advisory_unlock(" PG_LOCK_MIGRATE ")",
		.begin_sql = "BEGIN",
		.exec = pg_migration_exec,
		.recorded = pg_migration_recorded,
		.record = pg_migration_record,
	},
};
#undef PG_OPERATION
