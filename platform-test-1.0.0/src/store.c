/* store.c — the SQLite connection: pragmas, the prepared-statement table,
 * transactions and the mapping of SQLite errors to store_status. */
#include "config.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store.h"

/* Indexed by enum store_statement. Every query the program runs is here:
 * nothing is built from strings at run time. */
static const char *const statement_sql[STMT__COUNT] = {
	[STMT_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
	[STMT_BEGIN_DEFERRED] = "BEGIN DEFERRED",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	[STMT_PING] = "SELECT count(*) FROM schema_migrations",
	[STMT_PLAYER_INSERT] =
		"INSERT INTO players (name, description, gold, silver, attack, hit_points, luck,"
		" password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[STMT_PLAYER_GET] =
		"SELECT id, name, description, gold, silver, attack, hit_points, luck, score, created_at"
		" FROM players WHERE id = ?1",
	[STMT_PLAYER_CREDENTIALS] = "SELECT id, password_hash FROM players WHERE name = ?1",
	[STMT_PLAYER_EXISTS] = "SELECT 1 FROM players WHERE id = ?1",
	[STMT_PLAYER_ANY] = "SELECT EXISTS (SELECT 1 FROM players)",
	[STMT_PLAYER_SCAN] = "SELECT id, name, score FROM players WHERE id > ?1 ORDER BY id LIMIT 1000",
	[STMT_PLAYER_UPDATE_BALANCES] =
		"UPDATE players SET gold = ?2, silver = ?3, score = ?4 WHERE id = ?1",
	[STMT_BATTLE_INSERT] =
		"INSERT INTO battles (attacker_id, defender_id, status, submitted_at)"
		" VALUES (?1, ?2, 'queued', ?3)",
	[STMT_PARTICIPANT_INSERT] = "INSERT INTO battle_participants (player_id, battle_id) VALUES (?1, ?2)",
	[STMT_BATTLE_GET] =
		"SELECT id, attacker_id, defender_id, status, submitted_at, processed_at, winner_id, loser_id,"
		" percent_stolen, gold_stolen, silver_stolen, score_awarded, seed,"
		" attacker_attack, attacker_hit_points, attacker_luck, attacker_gold_before,"
		" attacker_silver_before, attacker_gold_after, attacker_silver_after,"
		" defender_attack, defender_hit_points, defender_luck, defender_gold_before,"
		" defender_silver_before, defender_gold_after, defender_silver_after, turns"
		" FROM battles WHERE id = ?1",
	[STMT_BATTLE_APPLY] =
		"UPDATE battles SET status = 'done', processed_at = ?2, winner_id = ?3, loser_id = ?4,"
		" percent_stolen = ?5, gold_stolen = ?6, silver_stolen = ?7, score_awarded = ?8, seed = ?9,"
		" attacker_attack = ?10, attacker_hit_points = ?11, attacker_luck = ?12,"
		" attacker_gold_before = ?13, attacker_silver_before = ?14,"
		" attacker_gold_after = ?15, attacker_silver_after = ?16,"
		" defender_attack = ?17, defender_hit_points = ?18, defender_luck = ?19,"
		" defender_gold_before = ?20, defender_silver_before = ?21,"
		" defender_gold_after = ?22, defender_silver_after = ?23, turns = ?24"
		" WHERE id = ?1 AND status = 'queued'",
	[STMT_PLAYER_BATTLES_COUNT] = "SELECT count(*) FROM battle_participants WHERE player_id = ?1",
	/* Same columns as STMT_BATTLE_GET, without the turns: summaries only. */
	[STMT_PLAYER_BATTLES_PAGE] =
		"SELECT b.id, b.attacker_id, b.defender_id, b.status, b.submitted_at, b.processed_at,"
		" b.winner_id, b.loser_id, b.percent_stolen, b.gold_stolen, b.silver_stolen, b.score_awarded, b.seed,"
		" b.attacker_attack, b.attacker_hit_points, b.attacker_luck, b.attacker_gold_before,"
		" b.attacker_silver_before, b.attacker_gold_after, b.attacker_silver_after,"
		" b.defender_attack, b.defender_hit_points, b.defender_luck, b.defender_gold_before,"
		" b.defender_silver_before, b.defender_gold_after, b.defender_silver_after, NULL"
		" FROM battle_participants p JOIN battles b ON b.id = p.battle_id"
		" WHERE p.player_id = ?1 ORDER BY p.battle_id DESC LIMIT ?2 OFFSET ?3",
	[STMT_QUEUED_BATTLE_IDS] =
		"SELECT id FROM battles WHERE status = 'queued' AND id <= ?1 ORDER BY id LIMIT ?2",
	[STMT_IDEMPOTENCY_GET] =
		"SELECT request_hash, battle_id, created_at FROM idempotency_keys"
		" WHERE caller = ?1 AND idempotency_key = ?2",
	[STMT_IDEMPOTENCY_DELETE] = "DELETE FROM idempotency_keys WHERE caller = ?1 AND idempotency_key = ?2",
	[STMT_IDEMPOTENCY_INSERT] =
		"INSERT INTO idempotency_keys (caller, idempotency_key, request_hash, battle_id, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5)",
};

/* SQLite's default busy handler sleeps in steps of up to 100 ms, which
 * turns brief write-lock contention between responders into long stalls.
 * This one yields, then sleeps 50 µs steps, until the configured timeout
 * has passed on the monotonic clock. (Counting the steps instead overshot
 * the timeout 2-4x: a 100 µs nanosleep lasts longer than 100 µs.) */
struct busy_policy {
	int timeout_ms;
};

static struct busy_policy busy_policies[1];

/* When the current wait began; per thread, as a connection is. */
static _Thread_local struct timespec busy_started;

static int busy_wait(void *context, int attempts)
{
	const struct busy_policy *policy = context;
	struct timespec now;
	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return 0;
	if (attempts == 0)
		busy_started = now;
	long long waited_ms = (long long)(now.tv_sec - busy_started.tv_sec) * 1000 +
			      (now.tv_nsec - busy_started.tv_nsec) / 1000000;
	if (waited_ms >= policy->timeout_ms)
		return 0;
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

enum store_status store_fail(struct store *store, int sqlite_result)
{
	const char *message = store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(sqlite_result);
	snprintf(store->error, sizeof(store->error), "sqlite: %s", message);
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
	return result == SQLITE_OK ? STORE_OK : store_fail(store, result);
}

enum store_status store_open(struct store *store, const char *path, int busy_timeout_ms)
{
	enum store_status status;
	memset(store, 0, sizeof(*store));
	int result = sqlite3_open_v2(path, &store->db,
				     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (result != SQLITE_OK) {
		status = store_fail(store, result);
		goto fail;
	}
	sqlite3_extended_result_codes(store->db, 1);
	/* One policy per process is enough: every connection uses the same timeout. */
	busy_policies[0].timeout_ms = busy_timeout_ms;
	sqlite3_busy_handler(store->db, busy_wait, &busy_policies[0]);
	/* WAL lets readers run beside the one writer; NORMAL is durable across a
	 * process crash (the WAL is in the OS cache) and fsyncs only at checkpoints.
	 * The automatic checkpoint runs in the commit that crosses its threshold,
	 * copying the WAL and fsyncing inside a request (16 % of a responder's
	 * time on POST /players, measured). The worker checkpoints instead
	 * (store_take_checkpoints, store_checkpoint); for everyone else the
	 * threshold, raised from 1,000 pages to 16,000 (64 MB), only bounds the
	 * WAL while no worker runs. */
	if ((status = exec_pragma(store, "PRAGMA journal_mode = WAL")) != STORE_OK ||
	    (status = exec_pragma(store, "PRAGMA synchronous = NORMAL")) != STORE_OK ||
	    (status = exec_pragma(store, "PRAGMA wal_autocheckpoint = 16000")) != STORE_OK ||
	    (status = exec_pragma(store, "PRAGMA foreign_keys = ON")) != STORE_OK)
		goto fail;
	return STORE_OK;
fail:
	store_close(store);
	return status;
}

void store_close(struct store *store)
{
	for (size_t i = 0; i < STMT__COUNT; i++)
		sqlite3_finalize(store->statements[i]);
	sqlite3_close(store->db);
	memset(store->statements, 0, sizeof(store->statements));
	store->db = NULL;
}

sqlite3_stmt *store_statement(struct store *store, enum store_statement which)
{
	sqlite3_stmt *statement = store->statements[which];
	if (!statement) {
		int result = sqlite3_prepare_v3(store->db, statement_sql[which], -1,
						SQLITE_PREPARE_PERSISTENT, &statement, NULL);
		if (result != SQLITE_OK) {
			store_fail(store, result);
			return NULL;
		}
		store->statements[which] = statement;
	}
	sqlite3_reset(statement);
	sqlite3_clear_bindings(statement);
	return statement;
}

static enum store_status run_simple(struct store *store, enum store_statement which)
{
	sqlite3_stmt *statement = store_statement(store, which);
	if (!statement)
		return STORE_UNAVAILABLE;
	int result = sqlite3_step(statement);
	enum store_status status = result == SQLITE_DONE || result == SQLITE_ROW ? STORE_OK : store_fail(store, result);
	sqlite3_reset(statement);
	return status;
}

enum store_status store_begin(struct store *store)
{
	return run_simple(store, STMT_BEGIN_IMMEDIATE);
}

enum store_status store_take_checkpoints(struct store *store)
{
	return exec_pragma(store, "PRAGMA wal_autocheckpoint = 1000");
}

enum store_status store_checkpoint(struct store *store)
{
	int result = sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	/* BUSY: another connection is checkpointing; the next turn catches up. */
	return result == SQLITE_OK || result == SQLITE_BUSY ? STORE_OK : store_fail(store, result);
}

enum store_status store_begin_read(struct store *store)
{
	return run_simple(store, STMT_BEGIN_DEFERRED);
}

enum store_status store_commit(struct store *store)
{
	enum store_status status = run_simple(store, STMT_COMMIT);
	if (status != STORE_OK)
		store_rollback(store);
	return status;
}

void store_rollback(struct store *store)
{
	if (!sqlite3_get_autocommit(store->db))
		run_simple(store, STMT_ROLLBACK);
}

enum store_status store_get_by_id(struct store *store, enum store_statement which, int64_t id,
				  store_row_reader read, void *out)
{
	enum store_status status = STORE_NOT_FOUND;
	sqlite3_stmt *statement = store_statement(store, which);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_int64(statement, 1, id);
	int result = sqlite3_step(statement);
	if (result == SQLITE_ROW)
		status = read ? read(statement, out) : STORE_OK;
	else if (result != SQLITE_DONE)
		status = store_fail(store, result);
	sqlite3_reset(statement);
	return status;
}

void store_copy_text(sqlite3_stmt *statement, int column, char *out, size_t size)
{
	const unsigned char *text = sqlite3_column_text(statement, column);
	snprintf(out, size, "%s", text ? (const char *)text : "");
}

enum store_status store_ping(struct store *store)
{
	return run_simple(store, STMT_PING);
}
