/* pg_sessions.c — what signing in and ending sessions read and write on
 * PostgreSQL: credentials, the session version, revoked tokens (the same
 * statements as SQLite's, store_sql.h; the token id sent as hex). */
#include "config.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgresql/pg_store.h"

static enum store_status read_credentials(const PGresult *result, int row, void *opaque)
{
	struct player_credentials *out = opaque;
	out->id = pg_column_int64(result, row, 0);
	out->session_version = pg_column_int64(result, row, 1);
	if (!PQgetisnull(result, row, 2) && !(out->hash = strdup(PQgetvalue(result, row, 2))))
		return STORE_UNAVAILABLE;
	return STORE_OK;
}

enum store_status pg_player_credentials(struct store *store, const char *name, struct player_credentials *out)
{
	struct pg_params params = {0};
	PGresult *result;
	memset(out, 0, sizeof(*out));
	pg_param_text(&params, name);
	enum store_status status = pg_run(store, PG_PLAYER_CREDENTIALS, &params, &result);
	if (status != STORE_OK)
		return status;
	status = PQntuples(result) > 0 ? read_credentials(result, 0, out) : STORE_NOT_FOUND;
	PQclear(result);
	return status == STORE_UNAVAILABLE ? store_fail(store, status, "out of memory") : status;
}

enum store_status pg_player_credentials_by_id(struct store *store, int64_t id, struct player_credentials *out)
{
	memset(out, 0, sizeof(*out));
	return pg_get_by_id(store, PG_PLAYER_CREDENTIALS_BY_ID, id, read_credentials, out);
}

/* $1 the player, $2 the token id in hex. */
static void param_token(struct pg_params *params, int64_t player_id, const unsigned char token_id[32],
			char hex[65])
{
	sodium_bin2hex(hex, 65, token_id, 32);
	pg_param_int64(params, player_id);
	pg_param_text(params, hex);
}

/* One query: the player's version and whether this token was revoked. */
enum store_status pg_session_check(struct store *store, int64_t player_id, const unsigned char token_id[32],
				   int64_t *session_version, bool *revoked)
{
	struct pg_params params = {0};
	char hex[65];
	PGresult *result;
	*session_version = 0;
	*revoked = false;
	param_token(&params, player_id, token_id, hex);
	enum store_status status = pg_run(store, PG_SESSION_CHECK, &params, &result);
	if (status != STORE_OK)
		return status;
	status = STORE_NOT_FOUND;
	if (PQntuples(result) > 0) {
		*session_version = pg_column_int64(result, 0, 0);
		*revoked = strcmp(PQgetvalue(result, 0, 1), "t") == 0;
		status = STORE_OK;
	}
	PQclear(result);
	return status;
}

/* A bounded delete of expired entries (at most 100), then the insert;
 * revoking a token twice is not an error (ON CONFLICT DO NOTHING). */
enum store_status pg_session_revoke(struct store *store, int64_t player_id, const unsigned char token_id[32],
				    int64_t expires_at, int64_t now)
{
	struct pg_params params = {0};
	char hex[65];
	enum store_status status = pg_run_id(store, PG_SESSIONS_EXPIRED_DELETE, now, NULL);
	if (status != STORE_OK)
		return status;
	param_token(&params, player_id, token_id, hex);
	pg_param_int64(&params, expires_at);
	return pg_run(store, PG_SESSION_REVOKE, &params, NULL);
}

/* An update of one player's row: STORE_NOT_FOUND when there is none. */
static enum store_status update_player(struct store *store, enum pg_statement which, const struct pg_params *params)
{
	PGresult *result;
	enum store_status status = pg_run(store, which, params, &result);
	if (status != STORE_OK)
		return status;
	status = strcmp(PQcmdTuples(result), "1") == 0 ? STORE_OK : STORE_NOT_FOUND;
	PQclear(result);
	return status;
}

enum store_status pg_player_revoke_sessions(struct store *store, int64_t player_id)
{
	struct pg_params params = {0};
	pg_param_int64(&params, player_id);
	return update_player(store, PG_PLAYER_REVOKE_SESSIONS, &params);
}

enum store_status pg_player_set_password(struct store *store, int64_t player_id, const char *stored_hash)
{
	struct pg_params params = {0};
	pg_param_int64(&params, player_id);
	pg_param_text(&params, stored_hash);
	return update_player(store, PG_PLAYER_SET_PASSWORD, &params);
}
