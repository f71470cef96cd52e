/* SPDX-License-Identifier: ISC */
/* sqlite_store.c — the SQLite backend's connection: pragmas, the statement
 * table, transactions by intent, housekeeping (WAL checkpoints) and the
 * mapping of SQLite errors to store_status. It keeps store.h's submission
 * order with SQLite's database-wide write lock: every write intent begins
 * with BEGIN IMMEDIATE, which takes it. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include "metrics/metrics.h"
#include "store/sqlite/sqlite_store.h"
#include "util/clock.h"

/* WAL sizes, in pages of 4 KiB (docs/operations.md states the bound they
 * give). The worker copies the WAL back into the database in its commits
 * past 4 MB (a passive checkpoint: it waits for no one). Any connection
 * whose commit finds it past 16 MB starts it over (a RESTART checkpoint:
 * passive ones cannot reset a WAL that readers keep using, and under load
 * it grew without bound). After a reset the file is cut back to 4 MB. */
#define WAL_WORKER_PASSIVE_PAGES 1000
#define WAL_RESTART_PAGES 4000
#define WAL_SIZE_LIMIT_BYTES "4194304"
/* A RESTART or TRUNCATE checkpoint holds off writers while it waits for
 * readers: it waits this long at most, and after a failed one (a reader
 * stuck in a transaction, say) the next waits this long. */
#define WAL_RESET_WAIT_MS 100
#define WAL_RESET_RETRY_MS 1000

/* One side's columns of the battles table, generated from the player spec:
 * the fighting attributes, then each balance before, then after. */
#define ATTACKER_FIGHTS(field, min, max, default_value, role) PLAYER_IF_FIGHTS(role, ", attacker_" #field)
#define ATTACKER_BEFORE(field, min, max, default_value, role) PLAYER_IF_BALANCE(role, ", attacker_" #field "_before")
#define ATTACKER_AFTER(field, min, max, default_value, role) PLAYER_IF_BALANCE(role, ", attacker_" #field "_after")
#define DEFENDER_FIGHTS(field, min, max, default_value, role) PLAYER_IF_FIGHTS(role, ", defender_" #field)
#define DEFENDER_BEFORE(field, min, max, default_value, role) PLAYER_IF_BALANCE(role, ", defender_" #field "_before")
#define DEFENDER_AFTER(field, min, max, default_value, role) PLAYER_IF_BALANCE(role, ", defender_" #field "_after")
#define SIDE_COLUMNS(side) PLAYER_ATTRIBUTES(side##_FIGHTS) PLAYER_ATTRIBUTES(side##_BEFORE) PLAYER_ATTRIBUTES(side##_AFTER)
/* The same columns as "column = ?" assignments. */
#define ATTACKER_FIGHTS_SET(field, min, max, default_value, role) PLAYER_IF_FIGHTS(role, ", attacker_" #field " = ?")
#define ATTACKER_BEFORE_SET(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, ", attacker_" #field "_before = ?")
#define ATTACKER_AFTER_SET(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, ", attacker_" #field "_after = ?")
#define DEFENDER_FIGHTS_SET(field, min, max, default_value, role) PLAYER_IF_FIGHTS(role, ", defender_" #field " = ?")
#define DEFENDER_BEFORE_SET(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, ", defender_" #field "_before = ?")
#define DEFENDER_AFTER_SET(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, ", defender_" #field "_after = ?")
#define SIDE_SETS(side) \
	PLAYER_ATTRIBUTES(side##_FIGHTS_SET) PLAYER_ATTRIBUTES(side##_BEFORE_SET) PLAYER_ATTRIBUTES(side##_AFTER_SET)
#define BALANCE_SET(field, min, max, default_value, role) PLAYER_IF_BALANCE(role, ", " #field " = ?")

/* What sqlite_battles.c reads, in this order (its read_battle_row). */
#define BATTLE_COLUMNS \
	"SELECT id, attacker_id, defender_id, status, submitted_at, processed_at, winner_id, loser_id," \
	" percent_stolen, gold_stolen, silver_stolen, score_awarded, seed" SIDE_COLUMNS(ATTACKER) SIDE_COLUMNS(DEFENDER)

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
		"INSERT INTO players (name, description" PLAYER_ATTRIBUTES(SQLITE_ATTRIBUTE_COLUMN)
		", password_hash, created_at) VALUES (?, ?" PLAYER_ATTRIBUTES(SQLITE_ATTRIBUTE_PLACEHOLDER) ", ?, ?)",
	[STMT_PLAYER_GET] =
		"SELECT id, name, description" PLAYER_ATTRIBUTES(SQLITE_ATTRIBUTE_COLUMN)
		", score, created_at FROM players WHERE id = ?1",
	[STMT_PLAYER_CREDENTIALS] = "SELECT id, session_version, password_hash FROM players WHERE name = ?1",
	[STMT_PLAYER_CREDENTIALS_BY_ID] = "SELECT id, session_version, password_hash FROM players WHERE id = ?1",
	[STMT_SESSION_CHECK] =
		"SELECT session_version, EXISTS (SELECT 1 FROM revoked_tokens WHERE token_id = ?2)"
		" FROM players WHERE id = ?1",
	[STMT_SESSION_REVOKE] =
		"INSERT INTO revoked_tokens (player_id, token_id, expires_at) VALUES (?1, ?2, ?3)"
		" ON CONFLICT (token_id) DO NOTHING",
	/* Bounded, so one sign-out never pays for a backlog. */
	[STMT_SESSIONS_EXPIRED_DELETE] =
		"DELETE FROM revoked_tokens WHERE token_id IN"
		" (SELECT token_id FROM revoked_tokens WHERE expires_at <= ?1 LIMIT 100)",
	[STMT_PLAYER_REVOKE_SESSIONS] = "UPDATE players SET session_version = session_version + 1 WHERE id = ?1",
	[STMT_PLAYER_SET_PASSWORD] =
		"UPDATE players SET password_hash = ?2, session_version = session_version + 1 WHERE id = ?1",
	[STMT_PLAYER_EXISTS] = "SELECT 1 FROM players WHERE id = ?1",
	[STMT_PLAYER_ANY] = "SELECT EXISTS (SELECT 1 FROM players)",
	[STMT_PLAYER_COUNT] = "SELECT count(*) FROM players",
	[STMT_PLAYER_SCAN] = "SELECT id, name, score FROM players WHERE id > ?1 ORDER BY id LIMIT 1000",
	[STMT_PLAYER_UPDATE_BALANCES] =
		"UPDATE players SET score = ?2" PLAYER_ATTRIBUTES(BALANCE_SET) " WHERE id = ?1",
	[STMT_BATTLE_INSERT] =
		"INSERT INTO battles (attacker_id, defender_id, status, submitted_at)"
		" VALUES (?1, ?2, 'queued', ?3)",
	[STMT_PARTICIPANT_INSERT] = "INSERT INTO battle_participants (player_id, battle_id) VALUES (?1, ?2)",
	[STMT_BATTLE_GET] = BATTLE_COLUMNS ", turns FROM battles WHERE id = ?1",
	[STMT_BATTLE_STATUS] = "SELECT status FROM battles WHERE id = ?1",
	[STMT_BATTLE_APPLY] =
		"UPDATE battles SET status = 'done', processed_at = ?2, winner_id = ?3, loser_id = ?4,"
		" percent_stolen = ?5, gold_stolen = ?6, silver_stolen = ?7, score_awarded = ?8, seed = ?9"
		SIDE_SETS(ATTACKER) SIDE_SETS(DEFENDER) ", turns = ?"
		" WHERE id = ?1 AND status = 'queued'",
	[STMT_PLAYER_BATTLES_COUNT] = "SELECT count(*) FROM battle_participants WHERE player_id = ?1",
	/* The columns of STMT_BATTLE_GET without the turns: summaries only. */
	[STMT_PLAYER_BATTLES_PAGE] =
		BATTLE_COLUMNS ", NULL FROM battle_participants JOIN battles ON id = battle_id"
		" WHERE player_id = ?1 ORDER BY battle_id DESC LIMIT ?2 OFFSET ?3",
	[STMT_PLAYER_BATTLES_BEFORE] =
		BATTLE_COLUMNS ", NULL FROM battle_participants JOIN battles ON id = battle_id"
		" WHERE player_id = ?1 AND battle_id < ?3 ORDER BY battle_id DESC LIMIT ?2",
	[STMT_QUEUED_BATTLE_IDS] =
		"SELECT id FROM battles WHERE status = 'queued' AND id <= ?1 ORDER BY id LIMIT ?2",
	[STMT_QUEUED_BATTLE_SCAN] = "SELECT id FROM battles WHERE status = 'queued' AND id > ?1 ORDER BY id LIMIT 1000",
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

/* [0] every connection's, [1] a resetting checkpoint's short wait. */
static struct busy_policy busy_policies[2] = {{0}, {WAL_RESET_WAIT_MS}};

/* When the current wait began; per thread, as a connection is. */
static _Thread_local int64_t busy_started_ms;

static int busy_wait(void *context, int attempts)
{
	const struct busy_policy *policy = context;
	int64_t now_ms = clock_monotonic_ms();
	if (attempts == 0) {
		busy_started_ms = now_ms;
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

static int wal_committed(void *context, sqlite3 *db, const char *name, int frames);

enum store_status sqlite_fail(struct store *store, int sqlite_result)
{
	const char *message = store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(sqlite_result);
	snprintf(store->error, sizeof(store->error), "sqlite: %s", message);
	switch (sqlite_result & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
		/* The kind of failure the next write would meet too (store_writable). */
		store->write_failed_ms = clock_monotonic_ms();
		snprintf(store->write_failure, sizeof(store->write_failure), "%s", message);
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
	int result = sqlite3_exec(store->db, sql, NULL, NULL, NULL);
	return result == SQLITE_OK ? STORE_OK : sqlite_fail(store, result);
}

enum store_status store_open(const char *location, int busy_timeout_ms, struct store **out, char *error,
			     size_t error_size)
{
	enum store_status status = STORE_UNAVAILABLE;
	struct store *store = calloc(1, sizeof(*store));
	*out = NULL;
	if (!store) {
		snprintf(error, error_size, "out of memory");
		return STORE_UNAVAILABLE;
	}
	int result = sqlite3_open_v2(location, &store->db,
				     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (result != SQLITE_OK) {
		status = sqlite_fail(store, result);
		goto fail;
	}
	sqlite3_extended_result_codes(store->db, 1);
	/* One policy per process is enough: every connection uses the same timeout. */
	busy_policies[0].timeout_ms = busy_timeout_ms;
	sqlite3_busy_handler(store->db, busy_wait, &busy_policies[0]);
	/* Replaces SQLite's automatic checkpoint (wal_autocheckpoint). */
	sqlite3_wal_hook(store->db, wal_committed, store);
	/* WAL lets readers run beside the one writer; NORMAL is durable across a
	 * process crash (the WAL is in the OS cache) and fsyncs only at checkpoints.
	 * A checkpoint in a commit copies the WAL and fsyncs inside a request
	 * (16 % of a responder's time on POST /players, measured), so the worker
	 * checkpoints (store_take_housekeeping, store_housekeeping) and others
	 * only past WAL_RESTART_PAGES, a bound for while no worker keeps up
	 * (wal_committed). A checkpoint lets the WAL start over from its
	 * beginning but leaves the file as large as it ever grew:
	 * journal_size_limit cuts it back each time it starts over. */
	if ((status = exec_pragma(store, "PRAGMA journal_mode = WAL")) != STORE_OK ||
	    (status = exec_pragma(store, "PRAGMA synchronous = NORMAL")) != STORE_OK ||
	    (status = exec_pragma(store, "PRAGMA journal_size_limit = " WAL_SIZE_LIMIT_BYTES)) != STORE_OK ||
	    (status = exec_pragma(store, "PRAGMA foreign_keys = ON")) != STORE_OK)
		goto fail;
	*out = store;
	return STORE_OK;
fail:
	snprintf(error, error_size, "%s", store->error);
	store_close(store);
	return status;
}

void store_close(struct store *store)
{
	if (!store)
		return;
	for (size_t i = 0; i < STMT__COUNT; i++)
		sqlite3_finalize(store->statements[i]);
	sqlite3_close(store->db);
	free(store);
}

const char *store_error(const struct store *store)
{
	return store->error;
}

sqlite3_stmt *sqlite_statement(struct store *store, enum sqlite_statement which)
{
	sqlite3_stmt *statement = store->statements[which];
	if (!statement) {
		int result = sqlite3_prepare_v3(store->db, statement_sql[which], -1,
						SQLITE_PREPARE_PERSISTENT, &statement, NULL);
		if (result != SQLITE_OK) {
			sqlite_fail(store, result);
			return NULL;
		}
		store->statements[which] = statement;
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

enum store_status store_begin(struct store *store, enum store_intent intent)
{
	return run_simple(store, begin_statement[intent]);
}

/* Taking the write lock once waits out every submission between its BEGIN
 * IMMEDIATE and its COMMIT or ROLLBACK. */
enum store_status store_wait_for_submissions(struct store *store)
{
	enum store_status status = run_simple(store, STMT_BEGIN_IMMEDIATE);
	return status == STORE_OK ? store_commit(store) : status;
}

/* A checkpoint that resets the WAL (RESTART, TRUNCATE), waiting for
 * readers only briefly (see WAL_RESET_WAIT_MS). SQLITE_OK, or SQLITE_BUSY
 * when a reader or writer kept it from finishing. */
static int reset_wal(struct store *store, int mode)
{
	int64_t now_ms = clock_monotonic_ms();
	if (now_ms < store->wal_reset_not_before_ms)
		return SQLITE_BUSY;
	sqlite3_busy_handler(store->db, busy_wait, &busy_policies[1]);
	int result = sqlite3_wal_checkpoint_v2(store->db, NULL, mode, NULL, NULL);
	sqlite3_busy_handler(store->db, busy_wait, &busy_policies[0]);
	if (result == SQLITE_BUSY)
		store->wal_reset_not_before_ms = clock_monotonic_ms() + WAL_RESET_RETRY_MS;
	return result;
}

/* SQLite calls this after each commit, the write lock released, with the
 * WAL's length in frames. A failed checkpoint here fails nothing: the
 * commit is done, and the next commit or housekeeping turn tries again. */
static int wal_committed(void *context, sqlite3 *db, const char *name, int frames)
{
	struct store *store = context;
	if (frames >= WAL_RESTART_PAGES)
		(void)reset_wal(store, SQLITE_CHECKPOINT_RESTART);
	else if (store->housekeeper && frames >= WAL_WORKER_PASSIVE_PAGES)
		(void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

enum store_status store_take_housekeeping(struct store *store)
{
	store->housekeeper = true;
	return STORE_OK;
}

/* Copies committed WAL frames into the database file without waiting for
 * readers or writers (a PASSIVE checkpoint). When a turn finds the WAL
 * wholly copied and no frame written since the previous turn, the database
 * is idle: a TRUNCATE checkpoint then empties the file, which costs no one
 * anything (no writer to hold off, nothing left to copy). */
enum store_status store_housekeeping(struct store *store)
{
	int frames = 0, copied = 0;
	int result = sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
	/* BUSY: another connection is checkpointing; the next turn catches up. */
	if (result == SQLITE_BUSY)
		return STORE_OK;
	if (result != SQLITE_OK)
		return sqlite_fail(store, result);
	bool idle = frames > 0 && copied == frames && frames == store->wal_frames_seen;
	store->wal_frames_seen = frames;
	if (!idle)
		return STORE_OK;
	result = reset_wal(store, SQLITE_CHECKPOINT_TRUNCATE);
	if (result == SQLITE_OK)
		store->wal_frames_seen = 0;
	/* BUSY: a writer or a reader came in meanwhile; not idle after all. */
	return result == SQLITE_OK || result == SQLITE_BUSY ? STORE_OK : sqlite_fail(store, result);
}

enum store_status store_commit(struct store *store)
{
	enum store_status status = run_simple(store, STMT_COMMIT);
	if (status != STORE_OK)
		store_rollback(store);
	else
		store->write_failed_ms = 0;
	return status;
}

void store_rollback(struct store *store)
{
	if (!sqlite3_get_autocommit(store->db))
		run_simple(store, STMT_ROLLBACK);
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

void sqlite_copy_text(sqlite3_stmt *statement, int column, char *out, size_t size)
{
	const unsigned char *text = sqlite3_column_text(statement, column);
	snprintf(out, size, "%s", text ? (const char *)text : "");
}

enum store_status store_ping(struct store *store)
{
	return run_simple(store, STMT_PING);
}

/* What store_writable looks at: a failed write is remembered this long, the
 * file system looked at this often (a statvfs), and less free space than
 * this is "full" (SQLite needs a few pages per commit, and a checkpoint more). */
#define WRITE_FAILURE_MEMORY_MS 5000
#define SPACE_CHECK_MS 1000
#define SPACE_MIN_BYTES (1024 * 1024)

static void look_at_space(struct store *store)
{
	struct statvfs fs;
	const char *path = sqlite3_db_filename(store->db, "main");
	store->space_problem[0] = '\0';
	if (!path || !*path)
		return;	/* an in-memory database: nothing to fill */
	if (statvfs(path, &fs) != 0)
		snprintf(store->space_problem, sizeof(store->space_problem), "cannot look at the file system: %s",
			 strerror(errno));
	else if (fs.f_flag & ST_RDONLY)
		snprintf(store->space_problem, sizeof(store->space_problem), "the file system is read-only");
	else if ((unsigned long long)fs.f_bavail * fs.f_frsize < SPACE_MIN_BYTES)
		snprintf(store->space_problem, sizeof(store->space_problem), "the file system has %llu bytes free",
			 (unsigned long long)fs.f_bavail * fs.f_frsize);
}

enum store_status store_writable(struct store *store)
{
	int64_t now_ms = clock_monotonic_ms();
	if (store->write_failed_ms != 0 && now_ms - store->write_failed_ms < WRITE_FAILURE_MEMORY_MS) {
		snprintf(store->error, sizeof(store->error), "sqlite: the last write failed: %s", store->write_failure);
		return STORE_UNAVAILABLE;
	}
	if (store->space_checked_ms == 0 || now_ms - store->space_checked_ms >= SPACE_CHECK_MS) {
		store->space_checked_ms = now_ms;
		look_at_space(store);
	}
	if (store->space_problem[0]) {
		snprintf(store->error, sizeof(store->error), "sqlite: %s", store->space_problem);
		return STORE_UNAVAILABLE;
	}
	return STORE_OK;
}
