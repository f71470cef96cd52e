/* store_players.c — the players table: insert, lookups, and the scan that
 * rebuilds the leaderboard. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "validate.h"

static enum store_status step_done(struct store *store, sqlite3_stmt *statement)
{
	int result = sqlite3_step(statement);
	enum store_status status = result == SQLITE_DONE ? STORE_OK : store_fail(store, result);
	sqlite3_reset(statement);
	return status;
}

enum store_status store_player_insert(struct store *store, const struct player_create *player,
				      const char *stored_hash, const char *created_at, int64_t *id_out)
{
	sqlite3_stmt *statement = store_statement(store, STMT_PLAYER_INSERT);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_text(statement, 1, player->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(statement, 2, player->description ? player->description : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(statement, 3, player->gold);
	sqlite3_bind_int64(statement, 4, player->silver);
	sqlite3_bind_int(statement, 5, player->attack);
	sqlite3_bind_int(statement, 6, player->hit_points);
	sqlite3_bind_int(statement, 7, player->luck);
	if (stored_hash)
		sqlite3_bind_text(statement, 8, stored_hash, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(statement, 8);
	sqlite3_bind_text(statement, 9, created_at, -1, SQLITE_STATIC);
	enum store_status status = step_done(store, statement);
	if (status == STORE_OK)
		*id_out = sqlite3_last_insert_rowid(store->db);
	return status;
}

static enum store_status read_player_row(sqlite3_stmt *statement, void *opaque)
{
	struct player_record *out = opaque;
	const unsigned char *description = sqlite3_column_text(statement, 2);
	out->id = sqlite3_column_int64(statement, 0);
	store_copy_text(statement, 1, out->name, sizeof(out->name));
	out->description = strdup(description ? (const char *)description : "");
	out->gold = sqlite3_column_int64(statement, 3);
	out->silver = sqlite3_column_int64(statement, 4);
	out->attack = sqlite3_column_int(statement, 5);
	out->hit_points = sqlite3_column_int(statement, 6);
	out->luck = sqlite3_column_int(statement, 7);
	out->score = sqlite3_column_int64(statement, 8);
	store_copy_text(statement, 9, out->created_at, sizeof(out->created_at));
	return out->description ? STORE_OK : STORE_UNAVAILABLE;
}

enum store_status store_player_get(struct store *store, int64_t id, struct player_record *out)
{
	memset(out, 0, sizeof(*out));
	return store_get_by_id(store, STMT_PLAYER_GET, id, read_player_row, out);
}

void player_record_free(struct player_record *player)
{
	free(player->description);
	player->description = NULL;
}

enum store_status store_player_exists(struct store *store, int64_t id)
{
	return store_get_by_id(store, STMT_PLAYER_EXISTS, id, NULL, NULL);
}

enum store_status store_player_credentials(struct store *store, const char *name, int64_t *id_out,
					   char **hash_out)
{
	enum store_status status = STORE_NOT_FOUND;
	*hash_out = NULL;
	sqlite3_stmt *statement = store_statement(store, STMT_PLAYER_CREDENTIALS);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_text(statement, 1, name, -1, SQLITE_STATIC);
	int result = sqlite3_step(statement);
	if (result == SQLITE_ROW) {
		const unsigned char *hash = sqlite3_column_text(statement, 1);
		*id_out = sqlite3_column_int64(statement, 0);
		status = STORE_OK;
		if (hash && !(*hash_out = strdup((const char *)hash)))
			status = STORE_UNAVAILABLE;
	} else if (result != SQLITE_DONE) {
		status = store_fail(store, result);
	}
	sqlite3_reset(statement);
	return status;
}

enum store_status store_players_any(struct store *store, bool *any)
{
	sqlite3_stmt *statement = store_statement(store, STMT_PLAYER_ANY);
	if (!statement)
		return STORE_UNAVAILABLE;
	int result = sqlite3_step(statement);
	enum store_status status = STORE_OK;
	if (result == SQLITE_ROW)
		*any = sqlite3_column_int(statement, 0) != 0;
	else
		status = store_fail(store, result);
	sqlite3_reset(statement);
	return status;
}

/* Pages by id so no read transaction stays open across the whole table. */
enum store_status store_players_scan(struct store *store, store_player_visitor visit, void *context)
{
	int64_t after = 0;
	for (;;) {
		size_t rows = 0;
		sqlite3_stmt *statement = store_statement(store, STMT_PLAYER_SCAN);
		if (!statement)
			return STORE_UNAVAILABLE;
		sqlite3_bind_int64(statement, 1, after);
		int result;
		while ((result = sqlite3_step(statement)) == SQLITE_ROW) {
			after = sqlite3_column_int64(statement, 0);
			rows++;
			if (visit(context, after, (const char *)sqlite3_column_text(statement, 1),
				  sqlite3_column_int64(statement, 2)) != 0) {
				sqlite3_reset(statement);
				return STORE_UNAVAILABLE;
			}
		}
		sqlite3_reset(statement);
		if (result != SQLITE_DONE)
			return store_fail(store, result);
		if (rows == 0)
			return STORE_OK;
	}
}
