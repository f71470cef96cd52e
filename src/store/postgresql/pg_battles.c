/* pg_battles.c — battles, their participants, idempotency keys, and the
 * worker's reads and writes of player balances, on PostgreSQL. Side columns
 * follow PLAYER_ATTRIBUTES in the order store_sql.h names them. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "store/postgresql/pg_store.h"

/* The side's members in column order (STORE_SIDE_MEMBERS); *column moves past them. */
static void read_side(const PGresult *result, int row, int *column, int64_t player_id, struct battle_side *side)
{
	int64_t *members[] = STORE_SIDE_MEMBERS(side);
	side->player_id = player_id;
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		*members[i] = pg_column_int64(result, row, (*column)++);
}

static void param_side(struct pg_params *params, const struct battle_side *side)
{
	const int64_t *members[] = STORE_SIDE_MEMBERS(side);
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		pg_param_int64(params, *members[i]);
}

static enum store_status read_battle_row(const PGresult *result, int row, void *opaque)
{
	struct battle_record *out = opaque;
	out->id = pg_column_int64(result, row, 0);
	out->attacker_id = pg_column_int64(result, row, 1);
	out->defender_id = pg_column_int64(result, row, 2);
	out->status = strcmp(PQgetvalue(result, row, 3), "done") == 0 ? BATTLE_DONE : BATTLE_QUEUED;
	pg_column_copy(result, row, 4, out->submitted_at, sizeof(out->submitted_at));
	if (out->status != BATTLE_DONE)
		return STORE_OK;
	pg_column_copy(result, row, 5, out->processed_at, sizeof(out->processed_at));
	out->winner_id = pg_column_int64(result, row, 6);
	out->loser_id = pg_column_int64(result, row, 7);
	out->percent_stolen = (int32_t)pg_column_int64(result, row, 8);
	out->gold_stolen = pg_column_int64(result, row, 9);
	out->silver_stolen = pg_column_int64(result, row, 10);
	out->score_awarded = pg_column_int64(result, row, 11);
	pg_column_copy(result, row, 12, out->seed, sizeof(out->seed));
	int column = STORE_BATTLE_SIDE_COLUMN;
	read_side(result, row, &column, out->attacker_id, &out->attacker);
	read_side(result, row, &column, out->defender_id, &out->defender);
	out->turns_json = pg_column_strdup(result, row, column, "[]");
	return out->turns_json ? STORE_OK : STORE_UNAVAILABLE;
}

enum store_status pg_battle_get(struct store *store, int64_t id, struct battle_record *out)
{
	memset(out, 0, sizeof(*out));
	return pg_get_by_id(store, PG_BATTLE_GET, id, read_battle_row, out);
}

/* Takes the order lock first: from the id's assignment to just before
 * COMMIT (pg_commit), no other submitter can take one, so the ids reach the
 * queue in order. The battle and both participants are one statement. */
enum store_status pg_battle_insert(struct store *store, int64_t attacker_id, int64_t defender_id,
				   const char *submitted_at, int64_t *id_out)
{
	struct pg_params params = {0};
	PGresult *result;
	enum store_status status = STORE_OK;
#ifndef PT_TEST_NO_ORDER_LOCK	/* only the test program that shows why it is needed lacks it */
	if (!pg_of(store)->order_lock_held) {
		if ((status = pg_run(store, PG_ORDER_LOCK, NULL, NULL)) != STORE_OK)
			return status;
		pg_of(store)->order_lock_held = true;
	}
#endif
	pg_param_int64(&params, attacker_id);
	pg_param_int64(&params, defender_id);
	pg_param_text(&params, submitted_at);
	if ((status = pg_run(store, PG_BATTLE_INSERT, &params, &result)) != STORE_OK)
		return status;
	*id_out = pg_column_int64(result, 0, 0);
	PQclear(result);
	return STORE_OK;
}

/* Every row of a battle statement, to visit. */
static enum store_status visit_battles(struct store *store, enum pg_statement which, const struct pg_params *params,
				       store_battle_visitor visit, void *context)
{
	PGresult *result;
	enum store_status status = pg_run(store, which, params, &result);
	if (status != STORE_OK)
		return status;
	for (int row = 0; status == STORE_OK && row < PQntuples(result); row++) {
		struct battle_record battle;
		memset(&battle, 0, sizeof(battle));
		status = read_battle_row(result, row, &battle);
		if (status == STORE_OK && visit(context, &battle) != 0)
			status = STORE_UNAVAILABLE;
		battle_record_free(&battle);
	}
	PQclear(result);
	return status;
}

enum store_status pg_player_battle_count(struct store *store, int64_t player_id, int64_t *total)
{
	return pg_count_by_id(store, PG_PLAYER_BATTLES_COUNT, player_id, total);
}

enum store_status pg_player_battles(struct store *store, const struct battle_page_request *page,
				    store_battle_visitor visit, void *context)
{
	struct pg_params params = {0};
	pg_param_int64(&params, page->player_id);
	pg_param_int64(&params, page->limit);
	pg_param_int64(&params, page->before > 0 ? page->before : page->offset);
	return visit_battles(store, page->before > 0 ? PG_PLAYER_BATTLES_BEFORE : PG_PLAYER_BATTLES_PAGE, &params,
			     visit, context);
}

static enum store_status read_status(const PGresult *result, int row, void *out)
{
	*(enum battle_status_value *)out = strcmp(PQgetvalue(result, row, 0), "done") == 0 ? BATTLE_DONE : BATTLE_QUEUED;
	return STORE_OK;
}

enum store_status pg_battle_status(struct store *store, int64_t id, enum battle_status_value *status)
{
	return pg_get_by_id(store, PG_BATTLE_STATUS, id, read_status, status);
}

/* Pages by id, like the players' scan: no transaction spans the table. */
enum store_status pg_queued_battles_scan(struct store *store, store_id_visitor visit, void *context)
{
	int64_t after = 0;
	for (;;) {
		PGresult *result;
		enum store_status status = pg_run_id(store, PG_QUEUED_BATTLE_SCAN, after, &result);
		if (status != STORE_OK)
			return status;
		int rows = PQntuples(result);
		for (int row = 0; row < rows; row++) {
			after = pg_column_int64(result, row, 0);
			if (visit(context, after) != 0) {
				PQclear(result);
				return STORE_UNAVAILABLE;
			}
		}
		PQclear(result);
		if (rows == 0)
			return STORE_OK;
	}
}

enum store_status pg_queued_battles(struct store *store, int64_t max_id, size_t limit, store_battle_visitor visit,
				    void *context)
{
	struct pg_params params = {0};
	pg_param_int64(&params, max_id);
	pg_param_int64(&params, (int64_t)limit);
	return visit_battles(store, PG_QUEUED_BATTLES, &params, visit, context);
}

static void param_key(struct pg_params *params, const char *caller, const char *key)
{
	pg_param_text(params, caller);
	pg_param_text(params, key);
}

/* Two requests with the same key take turns (a transaction-level lock on
 * the key): the second sees the first's record once that commits, and
 * replays it, instead of failing on the duplicate. */
enum store_status pg_idempotency_get(struct store *store, const char *caller, const char *key,
				     struct idempotency_record *out)
{
	struct pg_params params = {0};
	PGresult *result;
	param_key(&params, caller, key);
	enum store_status status = pg_run(store, PG_IDEMPOTENCY_LOCK, &params, NULL);
	if (status == STORE_OK)
		status = pg_run(store, PG_IDEMPOTENCY_GET, &params, &result);
	if (status != STORE_OK)
		return status;
	status = STORE_NOT_FOUND;
	if (PQntuples(result) > 0) {
		size_t length = 0;
		const char *hex = PQgetvalue(result, 0, 0);
		memset(out->request_hash, 0, sizeof(out->request_hash));
		if (sodium_hex2bin(out->request_hash, sizeof(out->request_hash), hex, strlen(hex), NULL, &length,
				   NULL) != 0 || length != sizeof(out->request_hash))
			memset(out->request_hash, 0, sizeof(out->request_hash));
		out->battle_id = pg_column_int64(result, 0, 1);
		out->created_at = pg_column_int64(result, 0, 2);
		status = STORE_OK;
	}
	PQclear(result);
	return status;
}

enum store_status pg_idempotency_delete(struct store *store, const char *caller, const char *key)
{
	struct pg_params params = {0};
	param_key(&params, caller, key);
	return pg_run(store, PG_IDEMPOTENCY_DELETE, &params, NULL);
}

enum store_status pg_idempotency_insert(struct store *store, const char *caller, const char *key,
					const struct idempotency_record *record)
{
	struct pg_params params = {0};
	char hex[2 * sizeof(record->request_hash) + 1];
	sodium_bin2hex(hex, sizeof(hex), record->request_hash, sizeof(record->request_hash));
	param_key(&params, caller, key);
	pg_param_text(&params, hex);
	pg_param_int64(&params, record->battle_id);
	pg_param_int64(&params, record->created_at);
	return pg_run(store, PG_IDEMPOTENCY_INSERT, &params, NULL);
}

enum store_status pg_player_state_save(struct store *store, const struct player_state *player)
{
	struct pg_params params = {0};
	pg_param_int64(&params, player->id);
	pg_param_int64(&params, player->score);
#define PARAM_BALANCE(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, pg_param_int64(&params, player->attributes.field);)
	PLAYER_ATTRIBUTES(PARAM_BALANCE)
#undef PARAM_BALANCE
	if (pg_of(store)->pipelined)
		return pg_pipeline_send(pg_of(store), PG_PLAYER_UPDATE_BALANCES, &params);
	return pg_run(store, PG_PLAYER_UPDATE_BALANCES, &params, NULL);
}

enum store_status pg_battle_apply(struct store *store, const struct battle_record *battle)
{
	struct pg_params params = {0};
	PGresult *result;
	pg_param_int64(&params, battle->id);
	pg_param_text(&params, battle->processed_at);
	pg_param_int64(&params, battle->winner_id);
	pg_param_int64(&params, battle->loser_id);
	pg_param_int64(&params, battle->percent_stolen);
	pg_param_int64(&params, battle->gold_stolen);
	pg_param_int64(&params, battle->silver_stolen);
	pg_param_int64(&params, battle->score_awarded);
	pg_param_text(&params, battle->seed);
	param_side(&params, &battle->attacker);
	param_side(&params, &battle->defender);
	pg_param_text(&params, battle->turns_json);
	/* In the worker's batch: checked with the others before COMMIT (pg_pipeline.c). */
	if (pg_of(store)->pipelined)
		return pg_pipeline_send(pg_of(store), PG_BATTLE_APPLY, &params);
	enum store_status status = pg_run(store, PG_BATTLE_APPLY, &params, &result);
	if (status != STORE_OK)
		return status;
	if (strcmp(PQcmdTuples(result), "1") != 0)
		status = STORE_NOT_FOUND;
	PQclear(result);
	return status;
}
