/* store_battles.c — battles, their participants, idempotency keys, and the
 * worker's reads and writes of player balances. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

static enum store_status step_done(struct store *store, sqlite3_stmt *statement)
{
	int result = sqlite3_step(statement);
	enum store_status status = result == SQLITE_DONE ? STORE_OK : store_fail(store, result);
	sqlite3_reset(statement);
	return status;
}

void battle_record_free(struct battle_record *battle)
{
	free(battle->turns_json);
	battle->turns_json = NULL;
}

static void read_side(sqlite3_stmt *statement, int first_column, int64_t player_id, struct battle_side *side)
{
	side->player_id = player_id;
	side->attack = sqlite3_column_int(statement, first_column);
	side->hit_points = sqlite3_column_int(statement, first_column + 1);
	side->luck = sqlite3_column_int(statement, first_column + 2);
	side->gold_before = sqlite3_column_int64(statement, first_column + 3);
	side->silver_before = sqlite3_column_int64(statement, first_column + 4);
	side->gold_after = sqlite3_column_int64(statement, first_column + 5);
	side->silver_after = sqlite3_column_int64(statement, first_column + 6);
}

static enum store_status read_battle_row(sqlite3_stmt *statement, void *opaque)
{
	struct battle_record *out = opaque;
	const unsigned char *status = sqlite3_column_text(statement, 3);
	out->id = sqlite3_column_int64(statement, 0);
	out->attacker_id = sqlite3_column_int64(statement, 1);
	out->defender_id = sqlite3_column_int64(statement, 2);
	out->status = status && strcmp((const char *)status, "done") == 0 ? BATTLE_DONE : BATTLE_QUEUED;
	store_copy_text(statement, 4, out->submitted_at, sizeof(out->submitted_at));
	if (out->status != BATTLE_DONE)
		return STORE_OK;
	store_copy_text(statement, 5, out->processed_at, sizeof(out->processed_at));
	out->winner_id = sqlite3_column_int64(statement, 6);
	out->loser_id = sqlite3_column_int64(statement, 7);
	out->percent_stolen = sqlite3_column_int(statement, 8);
	out->gold_stolen = sqlite3_column_int64(statement, 9);
	out->silver_stolen = sqlite3_column_int64(statement, 10);
	out->score_awarded = sqlite3_column_int64(statement, 11);
	store_copy_text(statement, 12, out->seed, sizeof(out->seed));
	read_side(statement, 13, out->attacker_id, &out->attacker);
	read_side(statement, 20, out->defender_id, &out->defender);
	const unsigned char *turns = sqlite3_column_text(statement, 27);
	out->turns_json = strdup(turns ? (const char *)turns : "[]");
	return out->turns_json ? STORE_OK : STORE_UNAVAILABLE;
}

enum store_status store_battle_get(struct store *store, int64_t id, struct battle_record *out)
{
	memset(out, 0, sizeof(*out));
	return store_get_by_id(store, STMT_BATTLE_GET, id, read_battle_row, out);
}

static enum store_status insert_participant(struct store *store, int64_t player_id, int64_t battle_id)
{
	sqlite3_stmt *statement = store_statement(store, STMT_PARTICIPANT_INSERT);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_int64(statement, 1, player_id);
	sqlite3_bind_int64(statement, 2, battle_id);
	return step_done(store, statement);
}

enum store_status store_battle_insert(struct store *store, int64_t attacker_id, int64_t defender_id,
				      const char *submitted_at, int64_t *id_out)
{
	enum store_status status;
	sqlite3_stmt *statement = store_statement(store, STMT_BATTLE_INSERT);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_int64(statement, 1, attacker_id);
	sqlite3_bind_int64(statement, 2, defender_id);
	sqlite3_bind_text(statement, 3, submitted_at, -1, SQLITE_STATIC);
	if ((status = step_done(store, statement)) != STORE_OK)
		return status;
	*id_out = sqlite3_last_insert_rowid(store->db);
	if ((status = insert_participant(store, attacker_id, *id_out)) != STORE_OK)
		return status;
	return insert_participant(store, defender_id, *id_out);
}

enum store_status store_player_battle_count(struct store *store, int64_t player_id, int64_t *total)
{
	sqlite3_stmt *statement = store_statement(store, STMT_PLAYER_BATTLES_COUNT);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_int64(statement, 1, player_id);
	int result = sqlite3_step(statement);
	enum store_status status = STORE_OK;
	if (result == SQLITE_ROW)
		*total = sqlite3_column_int64(statement, 0);
	else
		status = store_fail(store, result);
	sqlite3_reset(statement);
	return status;
}

enum store_status store_player_battles(struct store *store, int64_t player_id, int64_t limit, int64_t offset,
				       store_battle_visitor visit, void *context)
{
	enum store_status status = STORE_OK;
	sqlite3_stmt *statement = store_statement(store, STMT_PLAYER_BATTLES_PAGE);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_int64(statement, 1, player_id);
	sqlite3_bind_int64(statement, 2, limit);
	sqlite3_bind_int64(statement, 3, offset);
	int result;
	while (status == STORE_OK && (result = sqlite3_step(statement)) == SQLITE_ROW) {
		struct battle_record battle;
		memset(&battle, 0, sizeof(battle));
		status = read_battle_row(statement, &battle);
		if (status == STORE_OK && visit(context, &battle) != 0)
			status = STORE_UNAVAILABLE;
		battle_record_free(&battle);
	}
	if (status == STORE_OK && result != SQLITE_DONE)
		status = store_fail(store, result);
	sqlite3_reset(statement);
	return status;
}

enum store_status store_queued_battle_ids(struct store *store, int64_t max_id, size_t limit, int64_t *ids,
					  size_t *count)
{
	*count = 0;
	sqlite3_stmt *statement = store_statement(store, STMT_QUEUED_BATTLE_IDS);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_int64(statement, 1, max_id);
	sqlite3_bind_int64(statement, 2, (sqlite3_int64)limit);
	int result;
	while ((result = sqlite3_step(statement)) == SQLITE_ROW && *count < limit)
		ids[(*count)++] = sqlite3_column_int64(statement, 0);
	enum store_status status = result == SQLITE_DONE || result == SQLITE_ROW ? STORE_OK : store_fail(store, result);
	sqlite3_reset(statement);
	return status;
}

static void bind_key(sqlite3_stmt *statement, const char *caller, const char *key)
{
	sqlite3_bind_text(statement, 1, caller, -1, SQLITE_STATIC);
	sqlite3_bind_text(statement, 2, key, -1, SQLITE_STATIC);
}

enum store_status store_idempotency_get(struct store *store, const char *caller, const char *key,
					struct idempotency_record *out)
{
	enum store_status status = STORE_NOT_FOUND;
	sqlite3_stmt *statement = store_statement(store, STMT_IDEMPOTENCY_GET);
	if (!statement)
		return STORE_UNAVAILABLE;
	bind_key(statement, caller, key);
	int result = sqlite3_step(statement);
	if (result == SQLITE_ROW) {
		const void *hash = sqlite3_column_blob(statement, 0);
		if (hash && sqlite3_column_bytes(statement, 0) == (int)sizeof(out->request_hash))
			memcpy(out->request_hash, hash, sizeof(out->request_hash));
		out->battle_id = sqlite3_column_int64(statement, 1);
		out->created_at = sqlite3_column_int64(statement, 2);
		status = STORE_OK;
	} else if (result != SQLITE_DONE) {
		status = store_fail(store, result);
	}
	sqlite3_reset(statement);
	return status;
}

enum store_status store_idempotency_delete(struct store *store, const char *caller, const char *key)
{
	sqlite3_stmt *statement = store_statement(store, STMT_IDEMPOTENCY_DELETE);
	if (!statement)
		return STORE_UNAVAILABLE;
	bind_key(statement, caller, key);
	return step_done(store, statement);
}

enum store_status store_idempotency_insert(struct store *store, const char *caller, const char *key,
					   const struct idempotency_record *record)
{
	sqlite3_stmt *statement = store_statement(store, STMT_IDEMPOTENCY_INSERT);
	if (!statement)
		return STORE_UNAVAILABLE;
	bind_key(statement, caller, key);
	sqlite3_bind_blob(statement, 3, record->request_hash, sizeof(record->request_hash), SQLITE_STATIC);
	sqlite3_bind_int64(statement, 4, record->battle_id);
	sqlite3_bind_int64(statement, 5, record->created_at);
	return step_done(store, statement);
}

enum store_status store_player_state(struct store *store, int64_t id, struct player_state *out)
{
	struct player_record player;
	memset(out, 0, sizeof(*out));
	enum store_status status = store_player_get(store, id, &player);
	if (status == STORE_OK) {
		*out = (struct player_state){
			.id = player.id, .attack = player.attack, .hit_points = player.hit_points, .luck = player.luck,
			.gold = player.gold, .silver = player.silver, .score = player.score,
		};
		memcpy(out->name, player.name, sizeof(out->name));
	}
	player_record_free(&player);
	return status;
}

enum store_status store_player_state_save(struct store *store, const struct player_state *player)
{
	sqlite3_stmt *statement = store_statement(store, STMT_PLAYER_UPDATE_BALANCES);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_int64(statement, 1, player->id);
	sqlite3_bind_int64(statement, 2, player->gold);
	sqlite3_bind_int64(statement, 3, player->silver);
	sqlite3_bind_int64(statement, 4, player->score);
	return step_done(store, statement);
}

static void bind_side(sqlite3_stmt *statement, int first, const struct battle_side *side)
{
	sqlite3_bind_int(statement, first, side->attack);
	sqlite3_bind_int(statement, first + 1, side->hit_points);
	sqlite3_bind_int(statement, first + 2, side->luck);
	sqlite3_bind_int64(statement, first + 3, side->gold_before);
	sqlite3_bind_int64(statement, first + 4, side->silver_before);
	sqlite3_bind_int64(statement, first + 5, side->gold_after);
	sqlite3_bind_int64(statement, first + 6, side->silver_after);
}

enum store_status store_battle_apply(struct store *store, const struct battle_record *battle)
{
	sqlite3_stmt *statement = store_statement(store, STMT_BATTLE_APPLY);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_int64(statement, 1, battle->id);
	sqlite3_bind_text(statement, 2, battle->processed_at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(statement, 3, battle->winner_id);
	sqlite3_bind_int64(statement, 4, battle->loser_id);
	sqlite3_bind_int(statement, 5, battle->percent_stolen);
	sqlite3_bind_int64(statement, 6, battle->gold_stolen);
	sqlite3_bind_int64(statement, 7, battle->silver_stolen);
	sqlite3_bind_int64(statement, 8, battle->score_awarded);
	sqlite3_bind_text(statement, 9, battle->seed, -1, SQLITE_STATIC);
	bind_side(statement, 10, &battle->attacker);
	bind_side(statement, 17, &battle->defender);
	sqlite3_bind_text(statement, 24, battle->turns_json, -1, SQLITE_STATIC);
	enum store_status status = step_done(store, statement);
	if (status == STORE_OK && sqlite3_changes(store->db) != 1)
		status = STORE_NOT_FOUND;
	return status;
}
