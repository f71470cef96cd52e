/* SPDX-License-Identifier: ISC */
/* sqlite_battles.c — battles, their participants, idempotency keys, and the
 * worker's reads and writes of player balances. Side columns follow
 * PLAYER_ATTRIBUTES in the order store_sql.h's statements name them. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_store.h"

/* The side's members in column order (STORE_SIDE_MEMBERS); *column moves past them. */
static void read_side(sqlite3_stmt *statement, int *column, int64_t player_id, struct battle_side *side)
{
	int64_t *members[] = STORE_SIDE_MEMBERS(side);
	side->player_id = player_id;
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		*members[i] = sqlite3_column_int64(statement, (*column)++);
}

static void bind_side(sqlite3_stmt *statement, int *column, const struct battle_side *side)
{
	const int64_t *members[] = STORE_SIDE_MEMBERS(side);
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		sqlite3_bind_int64(statement, (*column)++, *members[i]);
}

static enum store_status read_battle_row(sqlite3_stmt *statement, void *opaque)
{
	struct battle_record *out = opaque;
	const unsigned char *status = sqlite3_column_text(statement, 3);
	out->id = sqlite3_column_int64(statement, 0);
	out->attacker_id = sqlite3_column_int64(statement, 1);
	out->defender_id = sqlite3_column_int64(statement, 2);
	out->status = status && strcmp((const char *)status, "done") == 0 ? BATTLE_DONE : BATTLE_QUEUED;
	sqlite_copy_text(statement, 4, out->submitted_at, sizeof(out->submitted_at));
	if (out->status != BATTLE_DONE)
		return STORE_OK;
	sqlite_copy_text(statement, 5, out->processed_at, sizeof(out->processed_at));
	out->winner_id = sqlite3_column_int64(statement, 6);
	out->loser_id = sqlite3_column_int64(statement, 7);
	out->percent_stolen = sqlite3_column_int(statement, 8);
	out->gold_stolen = sqlite3_column_int64(statement, 9);
	out->silver_stolen = sqlite3_column_int64(statement, 10);
	out->score_awarded = sqlite3_column_int64(statement, 11);
	sqlite_copy_text(statement, 12, out->seed, sizeof(out->seed));
	int column = STORE_BATTLE_SIDE_COLUMN;
	read_side(statement, &column, out->attacker_id, &out->attacker);
	read_side(statement, &column, out->defender_id, &out->defender);
	const unsigned char *turns = sqlite3_column_text(statement, column);
	out->turns_json = strdup(turns ? (const char *)turns : "[]");
	return out->turns_json ? STORE_OK : STORE_UNAVAILABLE;
}

enum store_status sqlite_battle_get(struct store *store, int64_t id, struct battle_record *out)
{
	memset(out, 0, sizeof(*out));
	return sqlite_get_by_id(store, STMT_BATTLE_GET, id, read_battle_row, out);
}

static enum store_status read_status(sqlite3_stmt *statement, void *out)
{
	const unsigned char *text = sqlite3_column_text(statement, 0);
	*(enum battle_status_value *)out = text && strcmp((const char *)text, "done") == 0 ? BATTLE_DONE : BATTLE_QUEUED;
	return STORE_OK;
}

enum store_status sqlite_battle_status(struct store *store, int64_t id, enum battle_status_value *status)
{
	return sqlite_get_by_id(store, STMT_BATTLE_STATUS, id, read_status, status);
}

static enum store_status insert_participant(struct store *store, int64_t player_id, int64_t battle_id)
{
	sqlite3_stmt *statement = sqlite_statement(store, STMT_PARTICIPANT_INSERT);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_int64(statement, 1, player_id);
	sqlite3_bind_int64(statement, 2, battle_id);
	return sqlite_step_done(store, statement);
}

enum store_status sqlite_battle_insert(struct store *store, int64_t attacker_id, int64_t defender_id,
				       const char *submitted_at, int64_t *id_out)
{
	enum store_status status;
	sqlite3_stmt *statement = sqlite_statement(store, STMT_BATTLE_INSERT);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_int64(statement, 1, attacker_id);
	sqlite3_bind_int64(statement, 2, defender_id);
	sqlite3_bind_text(statement, 3, submitted_at, -1, SQLITE_STATIC);
	if ((status = sqlite_step_done(store, statement)) != STORE_OK)
		return status;
	*id_out = sqlite3_last_insert_rowid(sqlite_db(store));
	if ((status = insert_participant(store, attacker_id, *id_out)) != STORE_OK)
		return status;
	return insert_participant(store, defender_id, *id_out);
}

enum store_status sqlite_player_battle_count(struct store *store, int64_t player_id, int64_t *total)
{
	return sqlite_count_by_id(store, STMT_PLAYER_BATTLES_COUNT, player_id, total);
}

/* Rows of a battle statement whose ?1 is an id, to visit. */
static enum store_status visit_battles(struct store *store, sqlite3_stmt *statement, store_battle_visitor visit,
				       void *context)
{
	enum store_status status = STORE_OK;
	int result = SQLITE_DONE;
	while (status == STORE_OK && (result = sqlite3_step(statement)) == SQLITE_ROW) {
		struct battle_record battle;
		memset(&battle, 0, sizeof(battle));
		status = read_battle_row(statement, &battle);
		if (status == STORE_OK && visit(context, &battle) != 0)
			status = STORE_UNAVAILABLE;
		battle_record_free(&battle);
	}
	if (status == STORE_OK && result != SQLITE_DONE)
		status = sqlite_fail(store, result);
	sqlite3_reset(statement);
	return status;
}

enum store_status sqlite_player_battles(struct store *store, const struct battle_page_request *page,
					store_battle_visitor visit, void *context)
{
	sqlite3_stmt *statement = sqlite_statement_for_id(
		store, page->before > 0 ? STMT_PLAYER_BATTLES_BEFORE : STMT_PLAYER_BATTLES_PAGE, page->player_id);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_int64(statement, 2, page->limit);
	sqlite3_bind_int64(statement, 3, page->before > 0 ? page->before : page->offset);
	return visit_battles(store, statement, visit, context);
}

enum store_status sqlite_queued_battles(struct store *store, int64_t max_id, size_t limit, store_battle_visitor visit,
					void *context)
{
	sqlite3_stmt *statement = sqlite_statement_for_id(store, STMT_QUEUED_BATTLES, max_id);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_int64(statement, 2, (sqlite3_int64)limit);
	return visit_battles(store, statement, visit, context);
}

/* In-process, a lookup per player costs what one query over them would. */
enum store_status sqlite_players_state(struct store *store, const int64_t *ids, size_t count,
				       struct player_state *out)
{
	for (size_t i = 0; i < count; i++) {
		struct player_record player;
		memset(&out[i], 0, sizeof(out[i]));
		enum store_status status = sqlite_player_get(store, ids[i], &player);
		if (status == STORE_OK)
			store_state_from_record(&player, &out[i]);
		player_record_free(&player);
		if (status != STORE_OK)
			return status;
	}
	return STORE_OK;
}

struct id_scan {
	store_id_visitor visit;
	void *context;
};

static int visit_id_row(sqlite3_stmt *statement, void *opaque)
{
	const struct id_scan *scan = opaque;
	return scan->visit(scan->context, sqlite3_column_int64(statement, 0));
}

enum store_status sqlite_queued_battles_scan(struct store *store, store_id_visitor visit, void *context)
{
	/* Initialised here; cppcheck's cross-file pass takes this context for
	 * another caller's uninitialised variable (ctuuninitvar, a false positive). */
	// cppcheck-suppress ctuuninitvar
	struct id_scan scan = {visit, context};
	return sqlite_scan_by_id(store, STMT_QUEUED_BATTLE_SCAN, visit_id_row, &scan);
}

static void bind_key(sqlite3_stmt *statement, const char *caller, const char *key)
{
	sqlite3_bind_text(statement, 1, caller, -1, SQLITE_STATIC);
	sqlite3_bind_text(statement, 2, key, -1, SQLITE_STATIC);
}

enum store_status sqlite_idempotency_get(struct store *store, const char *caller, const char *key,
					 struct idempotency_record *out)
{
	enum store_status status = STORE_NOT_FOUND;
	sqlite3_stmt *statement = sqlite_statement(store, STMT_IDEMPOTENCY_GET);
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
		status = sqlite_fail(store, result);
	}
	sqlite3_reset(statement);
	return status;
}

enum store_status sqlite_idempotency_delete(struct store *store, const char *caller, const char *key)
{
	sqlite3_stmt *statement = sqlite_statement(store, STMT_IDEMPOTENCY_DELETE);
	if (!statement)
		return STORE_UNAVAILABLE;
	bind_key(statement, caller, key);
	return sqlite_step_done(store, statement);
}

enum store_status sqlite_idempotency_insert(struct store *store, const char *caller, const char *key,
					    const struct idempotency_record *record)
{
	sqlite3_stmt *statement = sqlite_statement(store, STMT_IDEMPOTENCY_INSERT);
	if (!statement)
		return STORE_UNAVAILABLE;
	bind_key(statement, caller, key);
	sqlite3_bind_blob(statement, 3, record->request_hash, sizeof(record->request_hash), SQLITE_STATIC);
	sqlite3_bind_int64(statement, 4, record->battle_id);
	sqlite3_bind_int64(statement, 5, record->created_at);
	return sqlite_step_done(store, statement);
}

enum store_status sqlite_player_state_save(struct store *store, const struct player_state *player)
{
	sqlite3_stmt *statement = sqlite_statement(store, STMT_PLAYER_UPDATE_BALANCES);
	if (!statement)
		return STORE_UNAVAILABLE;
	int column = 3;
	sqlite3_bind_int64(statement, 1, player->id);
	sqlite3_bind_int64(statement, 2, player->score);
#define BIND_BALANCE(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, sqlite3_bind_int64(statement, column++, player->attributes.field);)
	PLAYER_ATTRIBUTES(BIND_BALANCE)
#undef BIND_BALANCE
	return sqlite_step_done(store, statement);
}

enum store_status sqlite_battle_apply(struct store *store, const struct battle_record *battle)
{
	sqlite3_stmt *statement = sqlite_statement(store, STMT_BATTLE_APPLY);
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
	int column = 10;
	bind_side(statement, &column, &battle->attacker);
	bind_side(statement, &column, &battle->defender);
	sqlite3_bind_text(statement, column, battle->turns_json, -1, SQLITE_STATIC);
	enum store_status status = sqlite_step_done(store, statement);
	if (status == STORE_OK && sqlite3_changes(sqlite_db(store)) != 1)
		status = STORE_NOT_FOUND;
	return status;
}
