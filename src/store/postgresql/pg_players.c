/* pg_players.c — the players table on PostgreSQL: insert, lookups, and the
 * scan that rebuilds the leaderboard. Attribute columns follow
 * PLAYER_ATTRIBUTES, as store_sql.h generates them. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgresql/pg_store.h"

enum store_status pg_player_insert(struct store *store, const struct player_create *player, const char *stored_hash,
				   const char *created_at, int64_t *id_out)
{
	struct pg_params params = {0};
	PGresult *result;
	pg_param_text(&params, player->name);
	pg_param_text(&params, player->description ? player->description : "");
#define PARAM_ATTRIBUTE(field, min, max, default_value, role) pg_param_int64(&params, player->attributes.field);
	PLAYER_ATTRIBUTES(PARAM_ATTRIBUTE)
#undef PARAM_ATTRIBUTE
	pg_param_text(&params, stored_hash);
	pg_param_text(&params, created_at);
	enum store_status status = pg_run(store, PG_PLAYER_INSERT, &params, &result);
	if (status != STORE_OK)
		return status;
	*id_out = pg_column_int64(result, 0, 0);
	PQclear(result);
	return STORE_OK;
}

static enum store_status read_player_row(const PGresult *result, int row, void *opaque)
{
	struct player_record *out = opaque;
	int column = 3;
	out->id = pg_column_int64(result, row, 0);
	pg_column_copy(result, row, 1, out->name, sizeof(out->name));
	out->description = pg_column_strdup(result, row, 2, "");
#define READ_ATTRIBUTE(field, min, max, default_value, role) out->attributes.field = pg_column_int64(result, row, column++);
	PLAYER_ATTRIBUTES(READ_ATTRIBUTE)
#undef READ_ATTRIBUTE
	out->score = pg_column_int64(result, row, column++);
	pg_column_copy(result, row, column, out->created_at, sizeof(out->created_at));
	return out->description ? STORE_OK : STORE_UNAVAILABLE;
}

enum store_status pg_player_get(struct store *store, int64_t id, struct player_record *out)
{
	memset(out, 0, sizeof(*out));
	return pg_get_by_id(store, PG_PLAYER_GET, id, read_player_row, out);
}

/* ids as one array parameter, "{1,2,3}" (malloc'd), for = ANY($1). */
static char *id_array_text(const int64_t *ids, size_t count)
{
	/* At most 20 digits and a comma per id, and the braces. */
	char *array = malloc(count * 21 + 3), *end = array;
	if (!array)
		return NULL;
	*end++ = '{';
	for (size_t i = 0; i < count; i++)
		end += sprintf(end, "%s%lld", i ? "," : "", (long long)ids[i]);
	*end++ = '}';
	*end = '\0';
	return array;
}

/* One statement over an array of ids; *result is the caller's to clear. */
static enum store_status run_for_ids(struct store *store, enum pg_statement which, const int64_t *ids, size_t count,
				     PGresult **result)
{
	struct pg_params params = {0};
	char *array = id_array_text(ids, count);
	*result = NULL;
	if (!array)
		return store_fail(store, STORE_UNAVAILABLE, "out of memory");
	pg_param_text(&params, array);
	enum store_status status = pg_run(store, which, &params, result);
	free(array);
	return status;
}

enum store_status pg_players_state(struct store *store, const int64_t *ids, size_t count, struct player_state *out)
{
	PGresult *result = NULL;
	if (count == 0)
		return STORE_OK;
	enum store_status status = run_for_ids(store, PG_PLAYERS_STATE, ids, count, &result);
	if (status != STORE_OK || !result)
		return status == STORE_OK ? STORE_UNAVAILABLE : status;
	status = (size_t)PQntuples(result) == count ? STORE_OK : STORE_NOT_FOUND;
	for (size_t i = 0; status == STORE_OK && i < count; i++) {
		struct player_record player;
		memset(&player, 0, sizeof(player));
		status = read_player_row(result, (int)i, &player);
		if (status == STORE_OK && player.id != ids[i])
			status = STORE_NOT_FOUND;
		if (status == STORE_OK)
			store_state_from_record(&player, &out[i]);
		player_record_free(&player);
	}
	PQclear(result);
	return status;
}

enum store_status pg_players_exist(struct store *store, const int64_t *ids, size_t count, bool *exists)
{
	PGresult *result = NULL;
	for (size_t i = 0; i < count; i++)
		exists[i] = false;
	if (count == 0)
		return STORE_OK;
	enum store_status status = run_for_ids(store, PG_PLAYERS_EXIST, ids, count, &result);
	if (status != STORE_OK || !result)
		return status == STORE_OK ? STORE_UNAVAILABLE : status;
	for (int row = 0; row < PQntuples(result); row++) {
		int64_t found = pg_column_int64(result, row, 0);
		for (size_t i = 0; i < count; i++)
			exists[i] |= ids[i] == found;
	}
	PQclear(result);
	return STORE_OK;
}

enum store_status pg_player_exists(struct store *store, int64_t id)
{
	return pg_get_by_id(store, PG_PLAYER_EXISTS, id, NULL, NULL);
}

/* The one integer a statement without parameters answers. */
static enum store_status read_integer(struct store *store, enum pg_statement which, int64_t *value)
{
	PGresult *result;
	enum store_status status = pg_run(store, which, NULL, &result);
	if (status != STORE_OK)
		return status;
	*value = PQntuples(result) == 1 ? pg_column_int64(result, 0, 0) : 0;
	PQclear(result);
	return STORE_OK;
}

enum store_status pg_players_any(struct store *store, bool *any)
{
	int64_t exists = 0;
	enum store_status status = read_integer(store, PG_PLAYER_ANY, &exists);
	*any = exists != 0;
	return status;
}

enum store_status pg_player_count(struct store *store, int64_t *count)
{
	return read_integer(store, PG_PLAYER_COUNT, count);
}

/* Pages by id so no transaction stays open across the whole table. */
enum store_status pg_players_scan(struct store *store, store_player_visitor visit, void *context)
{
	int64_t after = 0;
	for (;;) {
		PGresult *result;
		enum store_status status = pg_run_id(store, PG_PLAYER_SCAN, after, &result);
		if (status != STORE_OK)
			return status;
		int rows = PQntuples(result);
		for (int row = 0; row < rows; row++) {
			after = pg_column_int64(result, row, 0);
			if (visit(context, after, PQgetvalue(result, row, 1), pg_column_int64(result, row, 2)) != 0) {
				PQclear(result);
				return STORE_UNAVAILABLE;
			}
		}
		PQclear(result);
		if (rows == 0)
			return STORE_OK;
	}
}
