/* endpoints.h — every endpoint of the API, one row each:
 *   X(NAME, METHOD, pattern, POLICY, handler)
 * NAME gives enum endpoint its ENDPOINT_NAME; METHOD is an enum http_method
 * without its HTTP_METHOD_ prefix; the pattern is the raw path, where a
 * segment "{id}" matches a positive decimal id (any depth, at most one id);
 * POLICY is an enum auth_policy without its AUTH_POLICY_ prefix, checked
 * before the handler runs; the handler (http/handlers.h) answers.
 * The router's table, the dispatcher's handler table and the handlers'
 * declarations are all generated from these rows: a new route is a row here
 * and its handler (docs/architecture.md). */
#ifndef PT_ENDPOINTS_H
#define PT_ENDPOINTS_H

#define PT_ENDPOINTS(X) \
	X(GET_HEARTBEAT, GET, "/heartbeat", PUBLIC, handle_get_heartbeat) \
	X(CREATE_PLAYER, POST, "/players", ADMIN, handle_create_player) \
	X(GET_PLAYER, GET, "/players/{id}", ADMIN_OR_PLAYER, handle_get_player) \
	X(LIST_PLAYER_BATTLES, GET, "/players/{id}/battles", ADMIN_OR_PLAYER, handle_list_player_battles) \
	X(CREATE_SESSION, POST, "/sessions", PLAYER_BASIC, handle_create_session) \
	X(SUBMIT_BATTLE, POST, "/battles", ADMIN_OR_PLAYER, handle_submit_battle) \
	X(GET_BATTLE, GET, "/battles/{id}", ADMIN_OR_PLAYER, handle_get_battle) \
	X(GET_LEADERBOARD, GET, "/leaderboard", ADMIN_OR_PLAYER, handle_get_leaderboard) \
	X(END_SESSION, DELETE, "/sessions/current", PLAYER_BEARER, handle_end_session) \
	X(END_PLAYER_SESSIONS, DELETE, "/players/{id}/sessions", ADMIN_OR_PLAYER, handle_end_player_sessions) \
	X(CHANGE_PASSWORD, PUT, "/players/{id}/password", ADMIN_OR_PLAYER, handle_change_password)

#endif
