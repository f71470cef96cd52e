/* handler_leaderboard.c — GET /leaderboard, by page or around a player.
 * A board that Redis lost (no marker) is rebuilt from SQLite before it is
 * served, never shown empty; a player missing from the board is put back. */
#include "config.h"

#include "handlers.h"
#include "leaderboard.h"
#include "query.h"
#include "views.h"

#define REBUILD_WAIT_MS 10000

enum leaderboard_param { PARAM_LIMIT, PARAM_OFFSET, PARAM_AROUND, PARAM__COUNT };

static const struct query_param_spec leaderboard_params[PARAM__COUNT] = {
	[PARAM_LIMIT] = {"limit", 1, LEADERBOARD_PAGE_MAX, 10},
	[PARAM_OFFSET] = {"offset", 0, 1000000000000000LL, 0},
	[PARAM_AROUND] = {"around", 1, INT64_MAX, 0},
};

static enum leaderboard_status read_board(struct app *app, const struct query_values *values,
					  struct leaderboard_page *page)
{
	if (values->present[PARAM_AROUND])
		return leaderboard_read_around(&app->redis, values->values[PARAM_AROUND], values->values[PARAM_LIMIT],
					       page);
	return leaderboard_read_page(&app->redis, values->values[PARAM_OFFSET], values->values[PARAM_LIMIT], page);
}

/* The around= player exists in SQLite: put it on the board from there. */
static enum leaderboard_status restore_player(struct app *app, int64_t player_id)
{
	struct player_record player;
	enum leaderboard_status status = LEADERBOARD_UNAVAILABLE;
	if (store_player_get(&app->store, player_id, &player) == STORE_OK)
		status = leaderboard_set_score(&app->redis, player.id, player.name, player.score, 0);
	player_record_free(&player);
	return status;
}

/* 0 when the around= player exists, else the response is set. */
static int check_around(struct app *app, const struct query_values *values, struct response *response)
{
	if (!values->present[PARAM_AROUND])
		return 0;
	if (values->present[PARAM_OFFSET]) {
		handler_invalid_field(response, "offset", "cannot be combined with around");
		return -1;
	}
	switch (store_player_exists(&app->store, values->values[PARAM_AROUND])) {
	case STORE_OK:
		return 0;
	case STORE_NOT_FOUND:
		handler_invalid_field(response, "around", "no such player");
		return -1;
	default:
		handler_unavailable(response, app->store.error);
		return -1;
	}
}

void handle_get_leaderboard(struct app *app, const struct request *request, const struct route_match *match,
			    const struct caller *caller, struct response *response)
{
	(void)match;
	(void)caller;
	struct query_values values;
	struct leaderboard_page page;
	json_object *fields = NULL;

	switch (query_parse(request->query, leaderboard_params, PARAM__COUNT, &values, &fields)) {
	case VALIDATE_OK:
		break;
	case VALIDATE_INVALID:
		response_error(response, API_ERROR_INVALID_FIELD, NULL, fields);
		return;
	default:
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
		return;
	}
	if (check_around(app, &values, response) != 0)
		return;
	enum leaderboard_status status = read_board(app, &values, &page);
	if (status == LEADERBOARD_NOT_BUILT &&
	    leaderboard_rebuild(&app->redis, &app->store, REBUILD_WAIT_MS) == LEADERBOARD_OK)
		status = read_board(app, &values, &page);
	if (status == LEADERBOARD_NOT_FOUND && restore_player(app, values.values[PARAM_AROUND]) == LEADERBOARD_OK)
		status = read_board(app, &values, &page);
	if (status != LEADERBOARD_OK) {
		handler_unavailable(response, app->redis.error);
		return;
	}
	handler_respond(response, 200, view_leaderboard(&page));
}
