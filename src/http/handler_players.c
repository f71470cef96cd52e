/* SPDX-License-Identifier: ISC */
/* handler_players.c — POST /players and GET /players/{id}.
 * A create joins its responder's write group (http/write_group.h) and writes
 * the store and the leaderboard together: the group's transaction stays
 * open until Redis took every entry, and entries whose commit failed are
 * taken back, so neither exists without the other. When
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
#include "http/write_group.h"

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

/* The undo of creates that did not commit. */
static void take_back_entries(struct app *app, const struct player_submission *members, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (leaderboard_remove(&app->redis, members[i].player_id, members[i].input.name, 0) != LEADERBOARD_OK)
			log_error("create of player %" PRId64 " rolled back, but its leaderboard entry could not be "
				  "taken back (%s); the board check removes it once Redis takes writes",
				  members[i].player_id, app->redis.error);
}

static void answer_unavailable(const struct player_submission *members, size_t count, const char *detail)
{
	for (size_t i = 0; i < count; i++)
		handler_unavailable(members[i].response, detail);
}

/* Every member's entry at score 0, in one pipeline. The deadline falls just
 * before our socket timeout: a write that a stalled Redis runs after we gave
 * up is refused by Redis itself, and one that ran in time but whose reply
 * was late is taken back by the caller. */
static enum leaderboard_status add_entries(struct app *app, const struct player_submission *members, size_t count)
{
	struct leaderboard_scores scores;
	int64_t deadline_ms = clock_unix_ms() + app->settings.redis_timeout_ms - LEADERBOARD_DEADLINE_MARGIN_MS;
	leaderboard_scores_begin(&scores, &app->redis);
	scores.deadline_ms = deadline_ms;
	for (size_t i = 0; i < count; i++)
		leaderboard_scores_add(&scores, members[i].player_id, members[i].input.name, 0);
	return leaderboard_scores_finish(&scores);
}

/* One transaction for the group: every row, then every board entry (the
 * rows stay uncommitted until Redis took them), then the commit. */
enum write_group_result player_group_write(struct app *app, struct player_submission *members, size_t count)
{
	enum store_status status = store_begin(app->store, STORE_CREATE_PLAYER);
	for (size_t i = 0; status == STORE_OK && i < count; i++)
		status = store_player_insert(app->store, &members[i].input, members[i].stored_hash,
					     members[i].created_at, &members[i].player_id);
	if (status != STORE_OK) {
		store_rollback(app->store);
		if ((status == STORE_CONFLICT || status == STORE_INVALID) && count > 1)
			return WRITE_GROUP_SPLIT;
		if (status == STORE_CONFLICT)
			response_error(members[0].response, API_ERROR_CONFLICT, "player name already taken", NULL);
		else
			answer_unavailable(members, count, store_error(app->store));
		return WRITE_GROUP_ANSWERED;
	}
	if (add_entries(app, members, count) != LEADERBOARD_OK) {
		store_rollback(app->store);
		answer_unavailable(members, count, app->redis.error);
		take_back_entries(app, members, count);
		return WRITE_GROUP_ANSWERED;
	}
	enum store_status committed = store_commit(app->store);
	if (committed == STORE_UNKNOWN) {
		/* The connection broke in the COMMIT: the first row says whether it happened. */
		enum store_status found = store_player_exists(app->store, members[0].player_id);
		committed = found == STORE_OK ? STORE_OK : found == STORE_NOT_FOUND ? STORE_UNAVAILABLE : STORE_UNKNOWN;
	}
	for (size_t i = 0; i < count; i++) {
		if (committed == STORE_OK)
			respond_created(members[i].response, &members[i].input, members[i].player_id,
					members[i].created_at);
		else if (committed == STORE_UNKNOWN)	/* the board keeps the entries: they may belong there */
			handler_outcome_unknown(members[i].response, store_error(app->store));
	}
	if (committed != STORE_OK && committed != STORE_UNKNOWN) {
		answer_unavailable(members, count, store_error(app->store));
		take_back_entries(app, members, count);
	}
	return WRITE_GROUP_ANSWERED;
}

void player_submission_free(struct player_submission *submission)
{
	free(submission->stored_hash);
	submission->stored_hash = NULL;
	player_create_free(&submission->input);
}

void handle_create_player(struct app *app, const struct request *request, const struct route_match *match,
			  const struct caller *caller, struct response *response)
{
	(void)match;
	(void)caller;
	struct json_body body = {0};
	struct player_submission member = {.response = response};
	json_object *fields = NULL;

	if (handler_parse_body(request, response, &body) != 0)
		goto out;
	switch (player_create_validate(&body, &member.input, &fields)) {
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
	if (member.input.password && password_hash(member.input.password, &member.stored_hash) != PASSWORD_OK) {
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
		goto out;
	}
	if (timefmt_rfc3339(request->now, member.created_at) != 0) {
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
		goto out;
	}
	if (write_group_join_player(request->group, &member))
		member = (struct player_submission){0};	/* the group owns it now */
	else
		player_group_write(app, &member, 1);
out:
	json_object_put(fields);
	player_submission_free(&member);
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
