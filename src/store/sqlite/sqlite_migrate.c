/* SPDX-License-Identifier: ISC */
/* sqlite_migrate.c — the migration runner's SQLite half (store/migrate.c is
 * the rest): running a migration's script, reading and writing
 * schema_migrations. */
#include "config.h"

#include <stdio.h>

#include "store/sqlite/sqlite_store.h"

int sqlite_migration_exec(struct store *store, const char *sql, char *error, size_t error_size)
{
	char *message = NULL;
	if (sqlite3_exec(sqlite_db(store), sql, NULL, NULL, &message) == SQLITE_OK)
		return 0;
	snprintf(error, error_size, "%s", message ? message : sqlite3_errmsg(sqlite_db(store)));
	sqlite3_free(message);
	return -1;
}

int sqlite_migration_recorded(struct store *store, store_migration_visitor visit, void *context, char *error,
			      size_t error_size)
{
	sqlite3_stmt *statement = NULL;
	int status = -1;
	int result = sqlite3_prepare_v2(sqlite_db(store), "SELECT version, name FROM schema_migrations ORDER BY version",
					-1, &statement, NULL);
	if (result == SQLITE_OK) {
		while ((result = sqlite3_step(statement)) == SQLITE_ROW)
			if (visit(context, sqlite3_column_int(statement, 0),
				  (const char *)sqlite3_column_text(statement, 1)) != 0)
				break;
		status = result == SQLITE_DONE ? 0 : -1;
	}
	if (status != 0 && result != SQLITE_ROW)
		snprintf(error, error_size, "%s", sqlite3_errmsg(sqlite_db(store)));
	sqlite3_finalize(statement);
	return status;
}

int sqlite_migration_record(struct store *store, int version, const char *name, char *error, size_t error_size)
{
	sqlite3_stmt *statement = NULL;
	int status = -1;
	if (sqlite3_prepare_v2(sqlite_db(store),
			       "INSERT INTO schema_migrations (version, name, applied_at)"
			       " VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
			       -1, &statement, NULL) == SQLITE_OK) {
		sqlite3_bind_int(statement, 1, version);
		sqlite3_bind_text(statement, 2, name, -1, SQLITE_STATIC);
		if (sqlite3_step(statement) == SQLITE_DONE)
			status = 0;
	}
	if (status != 0)
		snprintf(error, error_size, "%s", sqlite3_errmsg(sqlite_db(store)));
	sqlite3_finalize(statement);
	return status;
}
