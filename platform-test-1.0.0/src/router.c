/* router.c — the route table and the matcher over it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "router.h"

/* Indexed by enum endpoint. */
const struct endpoint_info endpoint_table[ENDPOINT__COUNT] = {
	[ENDPOINT_GET_HEARTBEAT] = {ROUTE_HEARTBEAT, HTTP_METHOD_GET, AUTH_POLICY_PUBLIC, "get_heartbeat"},
	[ENDPOINT_CREATE_PLAYER] = {ROUTE_PLAYERS, HTTP_METHOD_POST, AUTH_POLICY_ADMIN, "create_player"},
	[ENDPOINT_GET_PLAYER] = {ROUTE_PLAYER, HTTP_METHOD_GET, AUTH_POLICY_ADMIN_OR_PLAYER, "get_player"},
	[ENDPOINT_LIST_PLAYER_BATTLES] = {ROUTE_PLAYER_BATTLES, HTTP_METHOD_GET, AUTH_POLICY_ADMIN_OR_PLAYER, "list_player_battles"},
	[ENDPOINT_CREATE_SESSION] = {ROUTE_SESSIONS, HTTP_METHOD_POST, AUTH_POLICY_PLAYER_BASIC, "create_session"},
	[ENDPOINT_SUBMIT_BATTLE] = {ROUTE_BATTLES, HTTP_METHOD_POST, AUTH_POLICY_ADMIN_OR_PLAYER, "submit_battle"},
	[ENDPOINT_GET_BATTLE] = {ROUTE_BATTLE, HTTP_METHOD_GET, AUTH_POLICY_ADMIN_OR_PLAYER, "get_battle"},
	[ENDPOINT_GET_LEADERBOARD] = {ROUTE_LEADERBOARD, HTTP_METHOD_GET, AUTH_POLICY_ADMIN_OR_PLAYER, "get_leaderboard"},
};

/* A path pattern is a list of segments; "{id}" matches a positive id. */
struct route_pattern {
	const char *segments[3];
	size_t segment_count;
};

static const struct route_pattern route_patterns[ROUTE__COUNT] = {
	[ROUTE_HEARTBEAT] = {{"heartbeat"}, 1},
	[ROUTE_PLAYERS] = {{"players"}, 1},
	[ROUTE_PLAYER] = {{"players", "{id}"}, 2},
	[ROUTE_PLAYER_BATTLES] = {{"players", "{id}", "battles"}, 3},
	[ROUTE_SESSIONS] = {{"sessions"}, 1},
	[ROUTE_BATTLES] = {{"battles"}, 1},
	[ROUTE_BATTLE] = {{"battles", "{id}"}, 2},
	[ROUTE_LEADERBOARD] = {{"leaderboard"}, 1},
};

static const char *const method_names[] = {
	[HTTP_METHOD_GET] = "GET",
	[HTTP_METHOD_POST] = "POST",
};

enum http_method http_method_parse(const char *name)
{
	if (!name)
		return HTTP_METHOD_OTHER;
	if (strcmp(name, "GET") == 0)
		return HTTP_METHOD_GET;
	if (strcmp(name, "POST") == 0)
		return HTTP_METHOD_POST;
	return HTTP_METHOD_OTHER;
}

int parse_positive_id(const char *text, size_t length, int64_t *id)
{
	int64_t value = 0;
	if (length == 0 || length > 18 || text[0] == '0')
		return -1;
	for (size_t i = 0; i < length; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		value = value * 10 + (text[i] - '0');
	}
	*id = value;
	return 0;
}

static int pattern_matches(const struct route_pattern *pattern, const char *path, int64_t *id)
{
	const char *cursor = path;
	*id = 0;
	for (size_t i = 0; i < pattern->segment_count; i++) {
		if (*cursor != '/')
			return 0;
		cursor++;
		size_t length = strcspn(cursor, "/");
		const char *segment = pattern->segments[i];
		if (strcmp(segment, "{id}") == 0) {
			if (parse_positive_id(cursor, length, id) != 0)
				return 0;
		} else if (strlen(segment) != length || memcmp(segment, cursor, length) != 0) {
			return 0;
		}
		cursor += length;
	}
	return *cursor == '\0';
}

enum router_result router_match(enum http_method method, const char *path,
				struct route_match *match)
{
	memset(match, 0, sizeof(*match));
	if (!path)
		return ROUTER_NOT_FOUND;
	for (size_t route = 0; route < ROUTE__COUNT; route++) {
		if (!pattern_matches(&route_patterns[route], path, &match->id))
			continue;
		match->route = (enum route)route;
		int found = 0;
		size_t used = 0;
		for (size_t e = 0; e < ENDPOINT__COUNT; e++) {
			if (endpoint_table[e].route != route)
				continue;
			used += (size_t)snprintf(match->allow + used, sizeof(match->allow) - used, "%s%s",
						 used ? ", " : "", method_names[endpoint_table[e].method]);
			if (endpoint_table[e].method == method && method != HTTP_METHOD_OTHER) {
				match->endpoint = (enum endpoint)e;
				found = 1;
			}
		}
		return found ? ROUTER_FOUND : ROUTER_METHOD_NOT_ALLOWED;
	}
	match->id = 0;
	return ROUTER_NOT_FOUND;
}
