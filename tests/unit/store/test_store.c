/* test_store.c — the store's dispatch and the PostgreSQL backend's parts
 * that need no server: which backend the settings choose, a bad
 * PT_DATABASE_URL refused at open, an unreachable server opened lazily and
 * answered with STORE_UNAVAILABLE (and freed: valgrind runs this), the
 * worker role refused without a connection, and the renumbering of the
 * statement table's ? and ?N placeholders to $N. The backends' behaviour
 * against real databases is the end-to-end suites' (both stores). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store/postgresql/pg_store.h"
#include "store/store.h"

static void renumbering_follows_sqlite_rules(void **state)
{
	(void)state;
	char out[256];
	int count = -1;
	assert_int_equal(pg_renumber("SELECT 1", out, sizeof(out), &count), 0);
	assert_string_equal(out, "SELECT 1");
	assert_int_equal(count, 0);
	assert_int_equal(pg_renumber("VALUES (?, ?, ?)", out, sizeof(out), &count), 0);
	assert_string_equal(out, "VALUES ($1, $2, $3)");
	assert_int_equal(count, 3);
	/* A bare ? is the next number after the largest so far. */
	assert_int_equal(pg_renumber("SET a = ?2, b = ?, c = ? WHERE id = ?1", out, sizeof(out), &count), 0);
	assert_string_equal(out, "SET a = $2, b = $3, c = $4 WHERE id = $1");
	assert_int_equal(count, 4);
	assert_int_equal(pg_renumber("x = ?1 OR y = ?1::bigint", out, sizeof(out), &count), 0);
	assert_string_equal(out, "x = $1 OR y = $1::bigint");
	assert_int_equal(count, 1);
	assert_int_equal(pg_renumber("?12", out, sizeof(out), &count), 0);
	assert_string_equal(out, "$12");
	/* Too small a buffer is refused, never overrun. */
	assert_int_equal(pg_renumber("VALUES (?, ?)", out, 10, &count), -1);
	assert_int_equal(pg_renumber("abc", out, 3, &count), -1);
	assert_int_equal(pg_renumber("abc", out, 4, &count), 0);
}

static void every_statement_renumbers(void **state)
{
	(void)state;
	for (int which = 0; which < PG__COUNT; which++) {
		int count = -1;
		const char *sql = pg_statement_sql((enum pg_statement)which, &count);
		assert_non_null(sql);
		assert_null(strchr(sql, '?'));
		assert_in_range(count, 0, PG_PARAMS_MAX);
	}
	int count = 0;
	/* The battle's report: 9 fixed columns, 7 per side, the turns. */
	assert_non_null(pg_statement_sql(PG_BATTLE_APPLY, &count));
	assert_int_equal(count, 24);
	assert_non_null(strstr(pg_statement_sql(PG_PLAYER_UPDATE_BALANCES, &count), "score = $2, gold = $3, silver = $4"));
}

static struct settings settings_for(const char *database_url, const char *database_path)
{
	struct settings settings;
	memset(&settings, 0, sizeof(settings));
	settings.database_url = (char *)database_url;
	settings.database_path = (char *)database_path;
	settings.sqlite_busy_timeout_ms = 100;
	settings.pg_statement_timeout_ms = 100;
	return settings;
}

static void sqlite_is_the_default(void **state)
{
	(void)state;
	char path[] = "/tmp/pt-test-store-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct settings settings = settings_for(NULL, path);
	struct store *store = NULL;
	char error[256];
	assert_int_equal(store_open(&settings, &store, error, sizeof(error)), STORE_OK);
	assert_string_equal(store_backend_name(store), "sqlite");
	/* Not migrated: the schema's read fails, and says so. */
	assert_int_equal(store_ping(store), STORE_UNAVAILABLE);
	assert_non_null(strstr(store_error(store), "schema_migrations"));
	/* Without the worker role, no batch may begin. */
	assert_int_equal(store_begin(store, STORE_APPLY_BATCH), STORE_UNAVAILABLE);
	bool active = false;
	assert_int_equal(store_claim_worker(store, &active), STORE_OK);
	assert_true(active);
	store_close(store);
	char lock[sizeof(path) + 16];
	snprintf(lock, sizeof(lock), "%s.worker.lock", path);
	unlink(lock);
	unlink(path);
}

static void a_bad_database_url_is_refused(void **state)
{
	(void)state;
	struct settings settings = settings_for("postgresql://[", "/nonexistent/unused.db");
	struct store *store = (struct store *)&settings;	/* must be reset to NULL */
	char error[256] = "";
	assert_int_not_equal(store_open(&settings, &store, error, sizeof(error)), STORE_OK);
	assert_null(store);
	assert_non_null(strstr(error, "PT_DATABASE_URL"));
	settings = settings_for("host=/tmp port=notanumber nosuchkeyword=1", "/nonexistent/unused.db");
	assert_int_not_equal(store_open(&settings, &store, error, sizeof(error)), STORE_OK);
	assert_non_null(strstr(error, "PT_DATABASE_URL"));
}

static void an_unreachable_server_opens_lazily(void **state)
{
	(void)state;
	/* A socket directory where no server listens. */
	struct settings settings =
		settings_for("postgresql://nobody@/nothing?host=/nonexistent-pt-socket-dir&port=1&connect_timeout=2",
			     "/nonexistent/unused.db");
	struct store *store = NULL;
	char error[256];
	assert_int_equal(store_open(&settings, &store, error, sizeof(error)), STORE_OK);
	assert_string_equal(store_backend_name(store), "postgresql");
	assert_int_equal(store_ping(store), STORE_UNAVAILABLE);
	assert_non_null(strstr(store_error(store), "postgresql"));
	assert_int_equal(store_begin(store, STORE_READ), STORE_UNAVAILABLE);
	store_rollback(store);
	bool active = true;
	assert_int_equal(store_claim_worker(store, &active), STORE_UNAVAILABLE);
	assert_false(active);
	assert_int_equal(store_begin(store, STORE_APPLY_BATCH), STORE_UNAVAILABLE);
	struct player_record player;
	assert_int_equal(store_player_get(store, 1, &player), STORE_UNAVAILABLE);
	player_record_free(&player);
	store_close(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(renumbering_follows_sqlite_rules),
		cmocka_unit_test(every_statement_renumbers),
		cmocka_unit_test(sqlite_is_the_default),
		cmocka_unit_test(a_bad_database_url_is_refused),
		cmocka_unit_test(an_unreachable_server_opens_lazily),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
