/* SPDX-License-Identifier: ISC */
/* handler_players.c — POST /players and GET /players/{id}.
 * A create writes SQLite and the leaderboard together: the SQLite
 * transaction stays open until Redis took the entry, and an entry whose
 * commit failed is taken back, so neither exists without the other. When
 * Redis refuses the undo too (e.g. MISCONF: it took the entry in memory but
 * could not write its AOF), the failure is logged and the worker's board
 * check removes the entry, a member that is no player, once Redis takes
 * writes again (leaderboard_check). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/handlers.h"
#include "redis/leaderboard.h"
#include "util/log.h"
#include "auth/password.h"
#include "util/clock.h"
#include "util/timefmt.h"
#include "http/validate.h"
#include "http/views.h"

static void respond_created(struct response *response, const struct player_create *input, int64_t id,
			    const char *created_at)
{
	char location[48];
	struct player_record record = {
		.id = id, .description = input->description, .attributes = input->attributes, .score = 0,
	};
	snprintf(record.name, sizeof(record.name), "%s", input->name);
	snprintf(record.created_at, sizeof(record.created_at), "%s", created_at);
	snprintf(location, sizeof(location), "/players/%" PRId64, id);
	handler_respond(response, 201, view_player(&record));
	if (response->status == 201 && response_set_header(response, "Location", location) != 0)
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
}

/* The undo of a create that did not commit. */
static void take_back_entry(struct app *app, int64_t id, const char *name)
{
	if (leaderboard_remove(&app->redis, id, name, 0) != LEADERBOARD_OK)
		log_error("create of player %" PRId64 " rolled back, but its leaderboard entry could not be taken back"
			  " (%s); the board check removes it once Redis takes writes", id, app->redis.error);
}

/* Returns the stored id, or 0 with the response already set. */
static int64_t insert_with_leaderboard(struct app *app, const struct player_create *input,
				       const char *stored_hash, const char *created_at,
				       struct response *response)
{
	int64_t id = 0;
	enum store_status status = store_begin(app->store, STORE_CREATE_PLAYER);
	if (status == STORE_OK)
		status = store_player_insert(app->store, input, stored_hash, created_at, &id);
	if (status != STORE_OK) {
		store_rollback(app->store);
		if (status == STORE_CONFLICT)
			response_error(response, API_ERROR_CONFLICT, "player name already taken", NULL);
		else
			handler_unavailable(response, store_error(app->store));
		return 0;
	}
	/* The deadline falls just before our socket timeout: a write that a
	 * stalled Redis runs after we gave up is refused by Redis itself, and one
	 * that ran in time but whose reply was late is taken back below. */
	int64_t deadline_ms = clock_unix_ms() + app->settings.redis_timeout_ms - LEADERBOARD_DEADLINE_MARGIN_MS;
	if (leaderboard_set_score(&app->redis, id, input->name, 0, deadline_ms) != LEADERBOARD_OK) {
		store_rollback(app->store);
		handler_unavailable(response, app->redis.error);
		take_back_entry(app, id, input->name);
		return 0;
	}
	enum store_status committed = store_commit(app->store);
	if (committed == STORE_UNKNOWN) {
		/* The connection broke in the COMMIT: the row says whether it happened. */
		enum store_status found = store_player_exists(app->store, id);
		committed = found == STORE_OK ? STORE_OK : found == STORE_NOT_FOUND ? STORE_UNAVAILABLE : STORE_UNKNOWN;
	}
	if (committed == STORE_UNKNOWN) {
		/* The board keeps the entry: if the row committed, it belongs there. */
		handler_outcome_unknown(response, store_error(app->store));
		return 0;
	}
	if (committed != STORE_OK) {
		handler_unavailable(response, store_error(app->store));
		take_back_entry(app, id, input->name);
		return 0;
	}
	return id;
}

void handle_create_player(struct app *app, const struct request *request, const struct route_match *match,
			  const struct caller *caller, struct response *response)
{
	(void)match;
	(void)caller;
	struct json_body body = {0};
	struct player_create input = {0};
	json_object *fields = NULL;
	char *stored_hash = NULL;
	char created_at[TIMEFMT_LENGTH];

	if (handler_parse_body(request, response, &body) != 0)
		goto out;
	switch (player_create_validate(&body, &input, &fields)) {
	case VALIDATE_OK:
		break;
	case VALIDATE_INVALID:
		response_error(response, API_ERROR_INVALID_FIELD, NULL, fields);
		fields = NULL;
		goto out;
	default:
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
		goto out;
	}
	if (input.password && password_hash(input.password, &stored_hash) != PASSWORD_OK) {
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
		goto out;
	}
	if (timefmt_rfc3339(request->now, created_at) != 0) {
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
		goto out;
	}
	int64_t id = insert_with_leaderboard(app, &input, stored_hash, created_at, response);
	if (id > 0)
		respond_created(response, &input, id, created_at);
out:
	json_object_put(fields);
	free(stored_hash);
	player_create_free(&input);
	json_body_free(&body);
}

void handle_get_player(struct app *app, const struct request *request, const struct route_match *match,
		       const struct caller *caller, struct response *response)
{
	(void)request;
	(void)caller;
	struct player_record player;
	switch (store_player_get(app->store, match->id, &player)) {
	case STORE_OK:
		handler_respond(response, 200, view_player(&player));
		break;
	case STORE_NOT_FOUND:
		response_error(response, API_ERROR_NOT_FOUND, "no such player", NULL);
		break;
	default:
		handler_unavailable(response, store_error(app->store));
		break;
	}
	player_record_free(&player);
}
