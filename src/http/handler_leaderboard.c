/* handler_leaderboard.c — GET /leaderboard, by page or around a player.
 * A board that Redis lost (no marker) or that is damaged (its set and hash
 * disagree, a member does not decode, a player of the store is missing
 * from it) is rebuilt from the store before it is served, never shown
 * empty or wrong; what was wrong is logged. */
#include "config.h"

#include "http/handlers.h"
#include "redis/leaderboard.h"
#include "http/query.h"
#include "http/views.h"
#include "util/log.h"

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

/* 0 when the around= player exists, else the response is set. */
static int check_around(struct app *app, const struct query_values *values, struct response *response)
{
	if (!values->present[PARAM_AROUND])
		return 0;
	if (values->present[PARAM_OFFSET]) {
		handler_invalid_field(response, "offset", "cannot be combined with around");
		return -1;
	}
	switch (store_player_exists(app->store, values->values[PARAM_AROUND])) {
	case STORE_OK:
		return 0;
	case STORE_NOT_FOUND:
		handler_invalid_field(response, "around", "no such player");
		return -1;
	default:
		handler_unavailable(response, store_error(app->store));
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
	/* NOT_FOUND: check_around saw the player in the store, and a committed
	 * player is always on the board, so the board lost it. */
	if (status == LEADERBOARD_NOT_BUILT || status == LEADERBOARD_DAMAGED || status == LEADERBOARD_NOT_FOUND) {
		if (status != LEADERBOARD_NOT_BUILT)
			log_error("%s; rebuilding it", app->redis.error);
		if (leaderboard_rebuild(&app->redis, app->store, REBUILD_WAIT_MS) == LEADERBOARD_OK)
			status = read_board(app, &values, &page);
	}
	if (status != LEADERBOARD_OK) {
		handler_unavailable(response, app->redis.error);
		return;
	}
	handler_respond(response, 200, view_leaderboard(&page));
}
