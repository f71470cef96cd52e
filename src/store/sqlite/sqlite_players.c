/* SPDX-License-Identifier: ISC */
/* sqlite_players.c — the players table: insert, lookups, and the scan that
 * rebuilds the leaderboard. Attribute columns follow PLAYER_ATTRIBUTES. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_store.h"

enum store_status sqlite_player_insert(struct store *store, const struct player_create *player,
				       const char *stored_hash, const char *created_at, int64_t *id_out)
{
	sqlite3_stmt *statement = sqlite_statement(store, STMT_PLAYER_INSERT);
	int column = 1;
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_text(statement, column++, player->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(statement, column++, player->description ? player->description : "", -1, SQLITE_STATIC);
#define BIND_ATTRIBUTE(field, min, max, default_value, role) \
	sqlite3_bind_int64(statement, column++, player->attributes.field);
	PLAYER_ATTRIBUTES(BIND_ATTRIBUTE)
#undef BIND_ATTRIBUTE
	if (stored_hash)
		sqlite3_bind_text(statement, column++, stored_hash, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(statement, column++);
	sqlite3_bind_text(statement, column, created_at, -1, SQLITE_STATIC);
	enum store_status status = sqlite_step_done(store, statement);
	if (status == STORE_OK)
		*id_out = sqlite3_last_insert_rowid(sqlite_db(store));
	return status;
}

static enum store_status read_player_row(sqlite3_stmt *statement, void *opaque)
{
	struct player_record *out = opaque;
	const unsigned char *description = sqlite3_column_text(statement, 2);
	int column = 3;
	out->id = sqlite3_column_int64(statement, 0);
	sqlite_copy_text(statement, 1, out->name, sizeof(out->name));
	out->description = strdup(description ? (const char *)description : "");
#define READ_ATTRIBUTE(field, min, max, default_value, role) \
	out->attributes.field = sqlite3_column_int64(statement, column++);
	PLAYER_ATTRIBUTES(READ_ATTRIBUTE)
#undef READ_ATTRIBUTE
	out->score = sqlite3_column_int64(statement, column++);
	sqlite_copy_text(statement, column, out->created_at, sizeof(out->created_at));
	return out->description ? STORE_OK : STORE_UNAVAILABLE;
}

enum store_status sqlite_player_get(struct store *store, int64_t id, struct player_record *out)
{
	memset(out, 0, sizeof(*out));
	return sqlite_get_by_id(store, STMT_PLAYER_GET, id, read_player_row, out);
}

enum store_status sqlite_player_exists(struct store *store, int64_t id)
{
	return sqlite_get_by_id(store, STMT_PLAYER_EXISTS, id, NULL, NULL);
}

/* An embedded engine: a lookup each costs no round trip. */
enum store_status sqlite_players_exist(struct store *store, const int64_t *ids, size_t count, bool *exists)
{
	for (size_t i = 0; i < count; i++) {
		enum store_status status = sqlite_player_exists(store, ids[i]);
		if (status != STORE_OK && status != STORE_NOT_FOUND)
			return status;
		exists[i] = status == STORE_OK;
	}
	return STORE_OK;
}

/* A statement without parameters whose one row holds one integer. */
static enum store_status read_single_integer(struct store *store, enum sqlite_statement which, int64_t *value)
{
	sqlite3_stmt *statement = sqlite_statement(store, which);
	if (!statement)
		return STORE_UNAVAILABLE;
	int result = sqlite3_step(statement);
	enum store_status status = STORE_OK;
	if (result == SQLITE_ROW)
		*value = sqlite3_column_int64(statement, 0);
	else
		status = sqlite_fail(store, result);
	sqlite3_reset(statement);
	return status;
}

enum store_status sqlite_players_any(struct store *store, bool *any)
{
	int64_t value = 0;
	enum store_status status = read_single_integer(store, STMT_PLAYER_ANY, &value);
	if (status == STORE_OK)
		*any = value != 0;
	return status;
}

enum store_status sqlite_player_count(struct store *store, int64_t *count)
{
	return read_single_integer(store, STMT_PLAYER_COUNT, count);
}

struct player_scan {
	store_player_visitor visit;
	void *context;
};

static int visit_player_row(sqlite3_stmt *statement, void *opaque)
{
	const struct player_scan *scan = opaque;
	return scan->visit(scan->context, sqlite3_column_int64(statement, 0),
			   (const char *)sqlite3_column_text(statement, 1), sqlite3_column_int64(statement, 2));
}

enum store_status sqlite_players_scan(struct store *store, store_player_visitor visit, void *context)
{
	/* Initialised here; cppcheck's cross-file pass takes this context for
	 * another caller's uninitialised variable (ctuuninitvar, a false positive). */
	// cppcheck-suppress ctuuninitvar
	struct player_scan scan = {visit, context};
	return sqlite_scan_by_id(store, STMT_PLAYER_SCAN, visit_player_row, &scan);
}
