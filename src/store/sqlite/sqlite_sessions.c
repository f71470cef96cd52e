/* SPDX-License-Identifier: ISC */
/* sqlite_sessions.c — what signing in and ending sessions read and write:
 * credentials, the session version, revoked tokens. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_store.h"

static enum store_status read_credentials(sqlite3_stmt *statement, void *opaque)
{
	struct player_credentials *out = opaque;
	const unsigned char *hash = sqlite3_column_text(statement, 2);
	out->id = sqlite3_column_int64(statement, 0);
	out->session_version = sqlite3_column_int64(statement, 1);
	if (hash && !(out->hash = strdup((const char *)hash)))
		return STORE_UNAVAILABLE;
	return STORE_OK;
}

enum store_status sqlite_player_credentials(struct store *store, const char *name, struct player_credentials *out)
{
	enum store_status status = STORE_NOT_FOUND;
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *statement = sqlite_statement(store, STMT_PLAYER_CREDENTIALS);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_text(statement, 1, name, -1, SQLITE_STATIC);
	int result = sqlite3_step(statement);
	if (result == SQLITE_ROW)
		status = read_credentials(statement, out);
	else if (result != SQLITE_DONE)
		status = sqlite_fail(store, result);
	sqlite3_reset(statement);
	return status;
}

enum store_status sqlite_player_credentials_by_id(struct store *store, int64_t id, struct player_credentials *out)
{
	memset(out, 0, sizeof(*out));
	return sqlite_get_by_id(store, STMT_PLAYER_CREDENTIALS_BY_ID, id, read_credentials, out);
}

struct session_row {
	int64_t version;
	bool revoked;
};

static enum store_status read_session(sqlite3_stmt *statement, void *opaque)
{
	struct session_row *out = opaque;
	out->version = sqlite3_column_int64(statement, 0);
	out->revoked = sqlite3_column_int(statement, 1) != 0;
	return STORE_OK;
}

enum store_status sqlite_session_check(struct store *store, int64_t player_id,
				       const unsigned char token_id[32], int64_t *session_version, bool *revoked)
{
	struct session_row row = {0, false};
	enum store_status status = STORE_NOT_FOUND;
	sqlite3_stmt *statement = sqlite_statement_for_id(store, STMT_SESSION_CHECK, player_id);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_blob(statement, 2, token_id, 32, SQLITE_STATIC);
	int result = sqlite3_step(statement);
	if (result == SQLITE_ROW)
		status = read_session(statement, &row);
	else if (result != SQLITE_DONE)
		status = sqlite_fail(store, result);
	sqlite3_reset(statement);
	*session_version = row.version;
	*revoked = row.revoked;
	return status;
}

enum store_status sqlite_session_revoke(struct store *store, int64_t player_id, const unsigned char token_id[32],
					int64_t expires_at, int64_t now)
{
	sqlite3_stmt *statement = sqlite_statement_for_id(store, STMT_SESSIONS_EXPIRED_DELETE, now);
	enum store_status status = statement ? sqlite_step_done(store, statement) : STORE_UNAVAILABLE;
	if (status != STORE_OK)
		return status;
	statement = sqlite_statement_for_id(store, STMT_SESSION_REVOKE, player_id);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_blob(statement, 2, token_id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(statement, 3, expires_at);
	return sqlite_step_done(store, statement);
}

/* An update of one player's row: STORE_NOT_FOUND when there is none. */
static enum store_status update_player(struct store *store, sqlite3_stmt *statement)
{
	enum store_status status = sqlite_step_done(store, statement);
	if (status == STORE_OK && sqlite3_changes(sqlite_db(store)) != 1)
		status = STORE_NOT_FOUND;
	return status;
}

enum store_status sqlite_player_revoke_sessions(struct store *store, int64_t player_id)
{
	sqlite3_stmt *statement = sqlite_statement_for_id(store, STMT_PLAYER_REVOKE_SESSIONS, player_id);
	return statement ? update_player(store, statement) : STORE_UNAVAILABLE;
}

enum store_status sqlite_player_set_password(struct store *store, int64_t player_id, const char *stored_hash)
{
	sqlite3_stmt *statement = sqlite_statement_for_id(store, STMT_PLAYER_SET_PASSWORD, player_id);
	if (!statement)
		return STORE_UNAVAILABLE;
	sqlite3_bind_text(statement, 2, stored_hash, -1, SQLITE_STATIC);
	return update_player(store, statement);
}
