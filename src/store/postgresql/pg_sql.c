/* pg_sql.c — the PostgreSQL backend's statement table. Every query the
 * backend runs is a row here; the columns come from the player spec through
 * store_sql.h, like SQLite's.
 *
 * Why the rows are renumbered at run time: PostgreSQL numbers its
 * placeholders ($1, $2, ...), and the columns generated from the spec's
 * X-macro rows need one placeholder each. The preprocessor cannot count, so
 * $N could only be generated with a numbered macro per position, which
 * every new attribute would have to extend. Instead the rows are written
 * with SQLite's `?` (the next number after the largest so far) and `?N`,
 * exactly as the SQLite backend's, and pg_renumber() turns them into $N
 * once per process, into a static buffer (pthread_once): the text is fixed
 * before the first statement is prepared and never changes after. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgresql/pg_store.h"

static const char *const statement_sql[PG__COUNT] = {
	[PG_BEGIN] = "BEGIN",
	/* One snapshot for all the reads of the transaction (store.h's STORE_READ). */
	[PG_BEGIN_READ] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	[PG_COMMIT] = "COMMIT",
	[PG_ROLLBACK] = "ROLLBACK",
	[PG_SUBMISSION_SHARE] = "SELECT pg_advisory_xact_lock_shared(" PG_LOCK_SUBMISSIONS ")",
	[PG_ORDER_LOCK] = "SELECT pg_advisory_lock(" PG_LOCK_ORDER ")",
	[PG_ORDER_UNLOCK] = "SELECT pg_advisory_unlock(" PG_LOCK_ORDER ")",
	[PG_BARRIER_LOCK] = "SELECT pg_advisory_lock(" PG_LOCK_SUBMISSIONS ")",
	[PG_BARRIER_UNLOCK] = "SELECT pg_advisory_unlock(" PG_LOCK_SUBMISSIONS ")",
	/* STORE_READ_SETTLED: exclusive, to the transaction's end (pg_begin). */
	[PG_SETTLED_LOCK] = "SELECT pg_advisory_xact_lock(" PG_LOCK_SUBMISSIONS ")",
	[PG_WORKER_TRY_LOCK] = "SELECT pg_try_advisory_lock(" PG_LOCK_WORKER ")",
	[PG_PING] = "SELECT count(*) FROM schema_migrations",
	[PG_WRITABLE] = "SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'",
	[PG_PLAYER_INSERT] =
		"INSERT INTO players (name, description" PLAYER_ATTRIBUTES(STORE_ATTRIBUTE_COLUMN)
		", password_hash, created_at) VALUES (?, ?" PLAYER_ATTRIBUTES(STORE_ATTRIBUTE_PLACEHOLDER)
		", ?, ?) RETURNING id",
	[PG_PLAYER_GET] =
		"SELECT id, name, description" PLAYER_ATTRIBUTES(STORE_ATTRIBUTE_COLUMN)
		", score, created_at FROM players WHERE id = ?1",
	[PG_PLAYER_CREDENTIALS] = STORE_CREDENTIALS_COLUMNS " FROM players WHERE name = ?1",
	[PG_PLAYER_CREDENTIALS_BY_ID] = STORE_CREDENTIALS_COLUMNS " FROM players WHERE id = ?1",
	/* The token id travels as hex (parameters are text): bytea by decode. */
	[PG_SESSION_CHECK] = STORE_SESSION_CHECK_SQL("decode(?2, 'hex')"),
	[PG_SESSION_REVOKE] = STORE_SESSION_REVOKE_SQL("decode(?2, 'hex')"),
	[PG_SESSIONS_EXPIRED_DELETE] = STORE_SESSIONS_EXPIRED_DELETE_SQL,
	[PG_PLAYER_REVOKE_SESSIONS] = STORE_PLAYER_REVOKE_SESSIONS_SQL,
	[PG_PLAYER_SET_PASSWORD] = STORE_PLAYER_SET_PASSWORD_SQL,
	[PG_PLAYER_EXISTS] = "SELECT 1 FROM players WHERE id = ?1",
	[PG_PLAYERS_EXIST] = "SELECT id FROM players WHERE id = ANY(?1::bigint[])",
	[PG_PLAYER_ANY] = "SELECT EXISTS (SELECT 1 FROM players)::int",
	[PG_PLAYER_COUNT] = "SELECT count(*) FROM players",
	[PG_PLAYER_SCAN] = "SELECT id, name, score FROM players WHERE id > ?1 ORDER BY id LIMIT 1000",
	[PG_PLAYER_UPDATE_BALANCES] =
		"UPDATE players SET score = ?2" PLAYER_ATTRIBUTES(STORE_BALANCE_SET) " WHERE id = ?1",
	/* The battle and both participant rows in one round trip: the id is
	 * taken (and the order lock held) for as short a time as possible. */
	[PG_BATTLE_INSERT] =
		"WITH battle AS (INSERT INTO battles (attacker_id, defender_id, status, submitted_at)"
		" VALUES (?1, ?2, 'queued', ?3) RETURNING id),"
		" sides AS (INSERT INTO battle_participants (player_id, battle_id)"
		" SELECT ?1::bigint, id FROM battle UNION ALL SELECT ?2::bigint, id FROM battle)"
		" SELECT id FROM battle",
	[PG_BATTLE_GET] = STORE_BATTLE_COLUMNS ", turns FROM battles WHERE id = ?1",
	[PG_BATTLE_STATUS] = "SELECT status FROM battles WHERE id = ?1",
	[PG_BATTLE_APPLY] =
		"UPDATE battles SET status = 'done', processed_at = ?2, winner_id = ?3, loser_id = ?4,"
		" percent_stolen = ?5, gold_stolen = ?6, silver_stolen = ?7, score_awarded = ?8, seed = ?9"
		STORE_SIDE_SETS(ATTACKER) STORE_SIDE_SETS(DEFENDER) ", turns = ?"
		" WHERE id = ?1 AND status = 'queued'",
	[PG_PLAYER_BATTLES_COUNT] = "SELECT count(*) FROM battle_participants WHERE player_id = ?1",
	/* The columns of PG_BATTLE_GET without the turns: summaries only. */
	[PG_PLAYER_BATTLES_PAGE] =
		STORE_BATTLE_COLUMNS ", NULL FROM battle_participants JOIN battles ON id = battle_id"
		" WHERE player_id = ?1 ORDER BY battle_id DESC LIMIT ?2 OFFSET ?3",
	[PG_PLAYER_BATTLES_BEFORE] = STORE_PLAYER_BATTLES_BEFORE_SQL,
	/* Off the partial index of queued rows (sql/postgresql/003). */
	[PG_QUEUED_BATTLES] =
		STORE_BATTLE_COLUMNS ", NULL FROM battles WHERE status = 'queued' AND id <= ?1 ORDER BY id LIMIT ?2",
	[PG_QUEUED_BATTLE_SCAN] = STORE_QUEUED_BATTLE_SCAN_SQL,
	/* A batch's players in one round trip: ?1 is an array literal. */
	[PG_PLAYERS_STATE] =
		"SELECT id, name, description" PLAYER_ATTRIBUTES(STORE_ATTRIBUTE_COLUMN)
		", score, created_at FROM players WHERE id = ANY (?1::bigint[]) ORDER BY id",
	[PG_IDEMPOTENCY_LOCK] =
		"SELECT pg_advisory_xact_lock(" PG_LOCK_IDEMPOTENCY_CLASS ", hashtext(?1::text || chr(10) || ?2::text))",
	[PG_IDEMPOTENCY_GET] =
		"SELECT encode(request_hash, 'hex'), battle_id, created_at FROM idempotency_keys"
		" WHERE caller = ?1 AND idempotency_key = ?2",
	[PG_IDEMPOTENCY_DELETE] = "DELETE FROM idempotency_keys WHERE caller = ?1 AND idempotency_key = ?2",
	[PG_IDEMPOTENCY_INSERT] =
		"INSERT INTO idempotency_keys (caller, idempotency_key, request_hash, battle_id, created_at)"
		" VALUES (?1, ?2, decode(?3, 'hex'), ?4, ?5)",
	[PG_MIGRATIONS_RECORDED] = "SELECT version, name FROM schema_migrations ORDER BY version",
	[PG_MIGRATION_RECORD] =
		"INSERT INTO schema_migrations (version, name, applied_at)"
		" VALUES (?1, ?2, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
};

int pg_renumber(const char *sql, char *out, size_t out_size, int *parameter_count)
{
	size_t used = 0;
	int largest = 0;
	for (const char *p = sql; *p; p++) {
		if (*p != '?') {
			if (used + 2 > out_size)
				return -1;
			out[used++] = *p;
			continue;
		}
		int value = 0;
		while (p[1] >= '0' && p[1] <= '9' && value < 1000)
			value = value * 10 + (*++p - '0');
		if (value == 0)
			value = largest + 1;
		if (value > largest)
			largest = value;
		int written = snprintf(out + used, out_size - used, "$%d", value);
		if (written < 0 || used + (size_t)written + 1 > out_size)
			return -1;
		used += (size_t)written;
	}
	if (used + 1 > out_size)
		return -1;
	out[used] = '\0';
	*parameter_count = largest;
	return 0;
}

/* Comfortably more than the table needs (about 4 KB today); a statement
 * that does not fit fails to prepare with a clear error. */
static char renumbered[16384];
static const char *renumbered_sql[PG__COUNT];
static int renumbered_count[PG__COUNT];
static pthread_once_t renumber_once = PTHREAD_ONCE_INIT;

static void renumber_all(void)
{
	size_t used = 0;
	for (size_t i = 0; i < PG__COUNT; i++) {
		int count = 0;
		if (pg_renumber(statement_sql[i], renumbered + used, sizeof(renumbered) - used, &count) != 0)
			continue;
		renumbered_sql[i] = renumbered + used;
		renumbered_count[i] = count;
		used += strlen(renumbered + used) + 1;
	}
}

const char *pg_statement_sql(enum pg_statement which, int *parameter_count)
{
	pthread_once(&renumber_once, renumber_all);
	*parameter_count = renumbered_count[which];
	return renumbered_sql[which];
}
