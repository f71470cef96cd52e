/* SPDX-License-Identifier: ISC */
/* sqlite_store.c — the SQLite backend's connection: pragmas, the statement
 * table, transactions by intent, housekeeping (WAL checkpoints) and the
 * mapping of SQLite errors to store_status. It keeps store.h's submission
 * order with SQLite's database-wide write lock: every write intent begins
 * with BEGIN IMMEDIATE, which takes it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "metrics/metrics.h"
#include "store/sqlite/sqlite_gate.h"
#include "store/sqlite/sqlite_store.h"
#include "util/clock.h"

/* Indexed by enum sqlite_statement. Every query the program runs is here:
 * nothing is built from strings at run time (the macros above are expanded
 * by the compiler). Unnumbered ? take the next number after the largest so
 * far; the binding code follows the same order. */
static const char *const statement_sql[STMT__COUNT] = {
	[STMT_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
	[STMT_BEGIN_DEFERRED] = "BEGIN DEFERRED",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	[STMT_PING] = "SELECT count(*) FROM schema_migrations",
	[STMT_PLAYER_INSERT] =
		"INSERT INTO players (name, description" PLAYER_ATTRIBUTES(STORE_ATTRIBUTE_COLUMN)
		", password_hash, created_at) VALUES (?, ?" PLAYER_ATTRIBUTES(STORE_ATTRIBUTE_PLACEHOLDER) ", ?, ?)",
	[STMT_PLAYER_GET] =
		"SELECT id, name, description" PLAYER_ATTRIBUTES(STORE_ATTRIBUTE_COLUMN)
		", score, created_at FROM players WHERE id = ?1",
	[STMT_PLAYER_CREDENTIALS] = STORE_CREDENTIALS_COLUMNS " FROM players WHERE name = ?1",
	[STMT_PLAYER_CREDENTIALS_BY_ID] = STORE_CREDENTIALS_COLUMNS " FROM players WHERE id = ?1",
	[STMT_SESSION_CHECK] = STORE_SESSION_CHECK_SQL("?2"),
	[STMT_SESSION_REVOKE] = STORE_SESSION_REVOKE_SQL("?2"),
	[STMT_SESSIONS_EXPIRED_DELETE] = STORE_SESSIONS_EXPIRED_DELETE_SQL,
	[STMT_PLAYER_REVOKE_SESSIONS] = STORE_PLAYER_REVOKE_SESSIONS_SQL,
	[STMT_PLAYER_SET_PASSWORD] = STORE_PLAYER_SET_PASSWORD_SQL,
	[STMT_PLAYER_EXISTS] = "SELECT 1 FROM players WHERE id = ?1",
	[STMT_PLAYER_ANY] = "SELECT EXISTS (SELECT 1 FROM players)",
	[STMT_PLAYER_COUNT] = "SELECT count(*) FROM players",
	[STMT_PLAYER_SCAN] = "SELECT id, name, score FROM players WHERE id > ?1 ORDER BY id LIMIT 1000",
	[STMT_PLAYER_UPDATE_BALANCES] =
		"UPDATE players SET score = ?2" PLAYER_ATTRIBUTES(STORE_BALANCE_SET) " WHERE id = ?1",
	[STMT_BATTLE_INSERT] =
		"INSERT INTO battles (attacker_id, defender_id, status, submitted_at)"
		" VALUES (?1, ?2, 'queued', ?3)",
	[STMT_PARTICIPANT_INSERT] = "INSERT INTO battle_participants (player_id, battle_id) VALUES (?1, ?2)",
	[STMT_BATTLE_GET] = STORE_BATTLE_COLUMNS ", turns FROM battles WHERE id = ?1",
	[STMT_BATTLE_STATUS] = "SELECT status FROM battles WHERE id = ?1",
	[STMT_BATTLE_APPLY] =
		"UPDATE battles SET status = 'done', processed_at = ?2, winner_id = ?3, loser_id = ?4,"
		" percent_stolen = ?5, gold_stolen = ?6, silver_stolen = ?7, score_awarded = ?8, seed = ?9"
		STORE_SIDE_SETS(ATTACKER) STORE_SIDE_SETS(DEFENDER) ", turns = ?"
		" WHERE id = ?1 AND status = 'queued'",
	[STMT_PLAYER_BATTLES_COUNT] = "SELECT count(*) FROM battle_participants WHERE player_id = ?1",
	/* The columns of STMT_BATTLE_GET without the turns: summaries only. */
	[STMT_PLAYER_BATTLES_PAGE] =
		STORE_BATTLE_COLUMNS ", NULL FROM battle_participants JOIN battles ON id = battle_id"
		" WHERE player_id = ?1 ORDER BY battle_id DESC LIMIT ?2 OFFSET ?3",
	[STMT_PLAYER_BATTLES_BEFORE] = STORE_PLAYER_BATTLES_BEFORE_SQL,
	/* Off the partial index of queued rows (sql/sqlite/003). */
	[STMT_QUEUED_BATTLES] =
		STORE_BATTLE_COLUMNS ", NULL FROM battles WHERE status = 'queued' AND id <= ?1 ORDER BY id LIMIT ?2",
	[STMT_QUEUED_BATTLE_SCAN] = STORE_QUEUED_BATTLE_SCAN_SQL,
	[STMT_IDEMPOTENCY_GET] =
		"SELECT request_hash, battle_id, created_at FROM idempotency_keys"
		" WHERE caller = ?1 AND idempotency_key = ?2",
	[STMT_IDEMPOTENCY_DELETE] = "DELETE FROM idempotency_keys WHERE caller = ?1 AND idempotency_key = ?2",
	[STMT_IDEMPOTENCY_INSERT] =
		"INSERT INTO idempotency_keys (caller, idempotency_key, request_hash, battle_id, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5)",
};

/* How each intent begins: readers share a snapshot, every writer takes the
 * write lock up front (so submissions are serialised, store.h's contract). */
static const enum sqlite_statement begin_statement[] = {
	[STORE_READ] = STMT_BEGIN_DEFERRED,
	[STORE_CREATE_PLAYER] = STMT_BEGIN_IMMEDIATE,
	[STORE_SUBMIT_BATTLE] = STMT_BEGIN_IMMEDIATE,
	[STORE_APPLY_BATCH] = STMT_BEGIN_IMMEDIATE,
	[STORE_CHANGE_SESSIONS] = STMT_BEGIN_IMMEDIATE,
	/* The write lock: no create or submission is between its BEGIN and end. */
	[STORE_READ_SETTLED] = STMT_BEGIN_IMMEDIATE,
};

/* SQLite's default busy handler sleeps in steps of up to 100 ms, which
 * turns brief write-lock contention between responders into long stalls.
 * This one yields, then sleeps 50 µs steps, until the configured timeout
 * has passed on the monotonic clock. (Counting the steps instead overshot
 * the timeout 2-4x: a 100 µs nanosleep lasts longer than 100 µs.) */
struct busy_policy {
	int timeout_ms;
};

/* [0]: the settings' timeout; [1]: a WAL reset's brief wait (sqlite_wal.c). */
static struct busy_policy busy_policies[2] = {{0}, {SQLITE_WAL_RESET_WAIT_MS}};

/* When the current wait began; per thread, as a connection is. A write's
 * wait at the writers' gate counts too (gate_wait_started_ms, while its
 * BEGIN runs): the gate and the lock behind it share one timeout, as a
 * holder of the gate may itself be waiting for a writer without it. */
static _Thread_local int64_t busy_started_ms;
static _Thread_local int64_t gate_wait_started_ms;

static int busy_wait(void *context, int attempts)
{
	const struct busy_policy *policy = context;
	int64_t now_ms = clock_monotonic_ms();
	if (attempts == 0) {
		busy_started_ms = gate_wait_started_ms ? gate_wait_started_ms : now_ms;
		metrics_count(METRICS_SQLITE_BUSY);
	}
	if (now_ms - busy_started_ms >= policy->timeout_ms) {
		metrics_count(METRICS_SQLITE_BUSY_TIMEOUTS);
		return 0;
	}
	/* Two yields, then 50 µs naps: on two CPUs a longer spin only burns the
	 * time the lock holder needs (A/B in BENCHMARKS.md: +14-16 % POST rps). */
	if (attempts < 2) {
		sched_yield();
	} else {
		struct timespec pause = {0, 50 * 1000};
		nanosleep(&pause, NULL);
	}
	return 1;
}

enum store_status sqlite_fail(struct store *store, int sqlite_result)
{
	sqlite3 *db = sqlite_db(store);
	const char *message = db ? sqlite3_errmsg(db) : sqlite3_errstr(sqlite_result);
	snprintf(store->error, sizeof(store->error), "sqlite: %s", message);
	switch (sqlite_result & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
		/* The kind of failure the next write would meet too (store_writable). */
		sqlite_of(store)->write_failed_ms = clock_monotonic_ms();
		snprintf(sqlite_of(store)->write_failure, sizeof(sqlite_of(store)->write_failure), "%s", message);
		break;
	default:
		break;
	}
	switch (sqlite_result) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return STORE_CONFLICT;
	default:
		return (sqlite_result & 0xff) == SQLITE_CONSTRAINT ? STORE_INVALID : STORE_UNAVAILABLE;
	}
}

static enum store_status exec_pragma(struct store *store, const char *sql)
{
	int result = sqlite3_exec(sqlite_db(store), sql, NULL, NULL, NULL);
	return result == SQLITE_OK ? STORE_OK : sqlite_fail(store, result);
}

static void sqlite_close(struct store *store)
{
	struct sqlite_store *sqlite = sqlite_of(store);
	for (size_t i = 0; i < STMT__COUNT; i++)
		sqlite3_finalize(sqlite->statements[i]);
	sqlite3_close(sqlite->db);
	if (sqlite->gate_held)
		sqlite_gate_leave(sqlite->gate);
	sqlite_gate_close(sqlite->gate);
	if (sqlite->worker_lock >= 0)
		close(sqlite->worker_lock);
	free(sqlite);
}

static enum store_status sqlite_open(const struct settings *settings, struct store **out, char *error,
				     size_t error_size)
{
	enum store_status status = STORE_UNAVAILABLE;
	struct sqlite_store *sqlite = calloc(1, sizeof(*sqlite));
	*out = NULL;
	if (!sqlite) {
		snprintf(error, error_size, "out of memory");
		return STORE_UNAVAILABLE;
	}
	sqlite->base.backend = &store_backend_sqlite;
	sqlite->database_path = settings->database_path;
	sqlite->worker_lock = -1;
	struct store *store = &sqlite->base;
	int result = sqlite3_open_v2(settings->database_path, &sqlite->db,
				     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (result != SQLITE_OK) {
		status = sqlite_fail(store, result);
		goto fail;
	}
	sqlite3_extended_result_codes(sqlite->db, 1);
	/* One policy per process is enough: every connection uses the same timeout. */
	busy_policies[0].timeout_ms = settings->sqlite_busy_timeout_ms;
	sqlite3_busy_handler(sqlite->db, busy_wait, &busy_policies[0]);
	/* Replaces SQLite's automatic checkpoint (wal_autocheckpoint). */
	sqlite3_wal_hook(sqlite->db, sqlite_wal_committed, store);
	/* WAL lets readers run beside the one writer; NORMAL is durable across a
	 * process crash (the WAL is in the OS cache) and fsyncs only at checkpoints.
	 * A checkpoint in a commit copies the WAL and fsyncs inside a request
	 * (16 % of a responder's time on POST /players, measured), so the worker
	 * checkpoints (store_take_housekeeping, store_housekeeping) and others
	 * only past SQLITE_WAL_RESTART_PAGES, a bound for while no worker keeps
	 * up (sqlite_wal.c). A checkpoint lets the WAL start over from its
	 * beginning but leaves the file as large as it ever grew:
	 * journal_size_limit cuts it back each time it starts over. */
	if ((status = exec_pragma(store, "PRAGMA journal_mode = WAL")) != STORE_OK ||
	    (status = exec_pragma(store, "PRAGMA synchronous = NORMAL")) != STORE_OK ||
	    (status = exec_pragma(store, "PRAGMA journal_size_limit = " SQLITE_WAL_SIZE_LIMIT_BYTES)) != STORE_OK ||
	    (status = exec_pragma(store, "PRAGMA foreign_keys = ON")) != STORE_OK)
		goto fail;
	char gate_error[256];
	sqlite->gate = sqlite_gate_open(sqlite->database_path, gate_error, sizeof(gate_error));
	*out = store;
	return STORE_OK;
fail:
	snprintf(error, error_size, "%s", store->error);
	sqlite_close(store);
	return status;
}

sqlite3_stmt *sqlite_statement(struct store *store, enum sqlite_statement which)
{
	struct sqlite_store *sqlite = sqlite_of(store);
	sqlite3_stmt *statement = sqlite->statements[which];
	if (!statement) {
		int result = sqlite3_prepare_v3(sqlite->db, statement_sql[which], -1,
						SQLITE_PREPARE_PERSISTENT, &statement, NULL);
		if (result != SQLITE_OK) {
			sqlite_fail(store, result);
			return NULL;
		}
		sqlite->statements[which] = statement;
	}
	sqlite3_reset(statement);
	sqlite3_clear_bindings(statement);
	return statement;
}

sqlite3_stmt *sqlite_statement_for_id(struct store *store, enum sqlite_statement which, int64_t id)
{
	sqlite3_stmt *statement = sqlite_statement(store, which);
	if (statement)
		sqlite3_bind_int64(statement, 1, id);
	return statement;
}

enum store_status sqlite_step_done(struct store *store, sqlite3_stmt *statement)
{
	int result = sqlite3_step(statement);
	enum store_status status = result == SQLITE_DONE ? STORE_OK : sqlite_fail(store, result);
	sqlite3_reset(statement);
	return status;
}

static enum store_status run_simple(struct store *store, enum sqlite_statement which)
{
	sqlite3_stmt *statement = sqlite_statement(store, which);
	if (!statement)
		return STORE_UNAVAILABLE;
	int result = sqlite3_step(statement);
	enum store_status status = result == SQLITE_DONE || result == SQLITE_ROW ? STORE_OK : sqlite_fail(store, result);
	sqlite3_reset(statement);
	return status;
}

/* Before BEGIN IMMEDIATE: waits at the writers' gate rather than polling
 * SQLite's lock. A writer without a gate polls; one that waited at it for
 * the whole busy timeout fails as a busy timeout would. */
static enum store_status enter_gate(struct store *store)
{
	struct sqlite_store *sqlite = sqlite_of(store);
	bool waited = false;
	if (!sqlite->gate || sqlite->gate_held)
		return STORE_OK;
	gate_wait_started_ms = clock_monotonic_ms();
	enum sqlite_gate_result result = sqlite_gate_enter(sqlite->gate, busy_policies[0].timeout_ms, &waited);
	if (waited)
		metrics_count(METRICS_SQLITE_BUSY);
	if (result == SQLITE_GATE_TIMEOUT) {
		metrics_count(METRICS_SQLITE_BUSY_TIMEOUTS);
		return store_fail(store, STORE_UNAVAILABLE, "sqlite: database is locked (another writer held it for %d ms)",
				  busy_policies[0].timeout_ms);
	}
	sqlite->gate_held = result == SQLITE_GATE_ENTERED;
	return STORE_OK;
}

/* Once the transaction has ended (committed, or rolled back). */
static void leave_gate(struct store *store)
{
	struct sqlite_store *sqlite = sqlite_of(store);
	if (sqlite->gate_held && sqlite3_get_autocommit(sqlite->db)) {
		sqlite_gate_leave(sqlite->gate);
		sqlite->gate_held = false;
	}
}

static enum store_status begin_writing(struct store *store)
{
	enum store_status status = enter_gate(store);
	if (status == STORE_OK && (status = run_simple(store, STMT_BEGIN_IMMEDIATE)) != STORE_OK)
		leave_gate(store);
	gate_wait_started_ms = 0;
	return status;
}

enum store_status sqlite_begin(struct store *store, enum store_intent intent)
{
	if (intent == STORE_APPLY_BATCH && sqlite_of(store)->worker_lock < 0)
		return store_fail(store, STORE_UNAVAILABLE, "sqlite: this process does not hold the worker lock");
	if (begin_statement[intent] == STMT_BEGIN_IMMEDIATE)
		return begin_writing(store);
	return run_simple(store, begin_statement[intent]);
}

/* Taking the write lock once waits out every submission between its BEGIN
 * IMMEDIATE and its COMMIT or ROLLBACK. */
enum store_status sqlite_wait_for_submissions(struct store *store)
{
	enum store_status status = begin_writing(store);
	return status == STORE_OK ? sqlite_commit(store) : status;
}

void sqlite_busy_brief(struct store *store, bool brief)
{
	sqlite3_busy_handler(sqlite_db(store), busy_wait, &busy_policies[brief ? 1 : 0]);
}

enum store_status sqlite_commit(struct store *store)
{
	enum store_status status = run_simple(store, STMT_COMMIT);
	if (status != STORE_OK && !sqlite3_get_autocommit(sqlite_db(store)))
		run_simple(store, STMT_ROLLBACK);
	else if (status == STORE_OK)
		sqlite_of(store)->write_failed_ms = 0;
	leave_gate(store);
	return status;
}

static void sqlite_rollback(struct store *store)
{
	if (!sqlite3_get_autocommit(sqlite_db(store)))
		run_simple(store, STMT_ROLLBACK);
	leave_gate(store);
}

/* One worker per database: a lock file beside it, which the kernel releases
 * even on kill -9. Held from the first success until the store is closed. */
enum store_status sqlite_claim_worker(struct store *store, bool *active)
{
	struct sqlite_store *sqlite = sqlite_of(store);
	char path[4096];
	*active = sqlite->worker_lock >= 0;
	if (*active)
		return STORE_OK;
	snprintf(path, sizeof(path), "%s.worker.lock", sqlite->database_path);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return store_fail(store, STORE_UNAVAILABLE, "sqlite: cannot open %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int failure = errno;
		close(fd);
		if (failure == EWOULDBLOCK)
			return STORE_OK;
		return store_fail(store, STORE_UNAVAILABLE, "sqlite: cannot lock %s: %s", path, strerror(failure));
	}
	sqlite->worker_lock = fd;
	*active = true;
	return STORE_OK;
}

enum store_status sqlite_get_by_id(struct store *store, enum sqlite_statement which, int64_t id,
				   sqlite_row_reader read, void *out)
{
	enum store_status status = STORE_NOT_FOUND;
	sqlite3_stmt *statement = sqlite_statement_for_id(store, which, id);
	if (!statement)
		return STORE_UNAVAILABLE;
	int result = sqlite3_step(statement);
	if (result == SQLITE_ROW)
		status = read ? read(statement, out) : STORE_OK;
	else if (result != SQLITE_DONE)
		status = sqlite_fail(store, result);
	sqlite3_reset(statement);
	return status;
}

static enum store_status read_count(sqlite3_stmt *statement, void *count)
{
	*(int64_t *)count = sqlite3_column_int64(statement, 0);
	return STORE_OK;
}

enum store_status sqlite_count_by_id(struct store *store, enum sqlite_statement which, int64_t id,
				     int64_t *count)
{
	*count = 0;
	enum store_status status = sqlite_get_by_id(store, which, id, read_count, count);
	return status == STORE_NOT_FOUND ? STORE_OK : status;
}

enum store_status sqlite_scan_by_id(struct store *store, enum sqlite_statement which, sqlite_scan_row row,
				    void *context)
{
	int64_t after = 0;
	for (;;) {
		size_t rows = 0;
		sqlite3_stmt *statement = sqlite_statement_for_id(store, which, after);
		if (!statement)
			return STORE_UNAVAILABLE;
		int result;
		while ((result = sqlite3_step(statement)) == SQLITE_ROW) {
			after = sqlite3_column_int64(statement, 0);
			rows++;
			if (row(statement, context) != 0) {
				sqlite3_reset(statement);
				return STORE_UNAVAILABLE;
			}
		}
		sqlite3_reset(statement);
		if (result != SQLITE_DONE)
			return sqlite_fail(store, result);
		if (rows == 0)
			return STORE_OK;
	}
}

void sqlite_copy_text(sqlite3_stmt *statement, int column, char *out, size_t size)
{
	const unsigned char *text = sqlite3_column_text(statement, column);
	snprintf(out, size, "%s", text ? (const char *)text : "");
}

enum store_status sqlite_ping(struct store *store)
{
	return run_simple(store, STMT_PING);
}

/* SQLite is the default: it takes any settings without PT_DATABASE_URL. */
static bool sqlite_chosen(const struct settings *settings)
{
	return settings->database_path != NULL;
}

#define SQLITE_OPERATION(name, parameters, arguments) .name = sqlite_##name,
const struct store_backend store_backend_sqlite = {
	.name = "sqlite",
	.chosen = sqlite_chosen,
	.open = sqlite_open,
	.close = sqlite_close,
	.rollback = sqlite_rollback,
	STORE_OPERATIONS(SQLITE_OPERATION)
	.migration = {
		.create_table_sql = "CREATE TABLE IF NOT EXISTS schema_migrations ("
				    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT",
		/* BEGIN IMMEDIATE takes the write lock: concurrent runs take turns. */
		.lock_sql = NULL,
		.unlock_sql = NULL,
		.begin_sql = "BEGIN IMMEDIATE",
		.exec = sqlite_migration_exec,
		.recorded = sqlite_migration_recorded,
		.record = sqlite_migration_record,
	},
};
#undef SQLITE_OPERATION
