/* router.h — the route table: method + raw path → endpoint, with each
 * endpoint's auth policy. Routing runs before authentication (404/405 first). */
#ifndef PT_ROUTER_H
#define PT_ROUTER_H

#include <stddef.h>
#include <stdint.h>

enum http_method {
	HTTP_METHOD_GET,
	HTTP_METHOD_POST,
	HTTP_METHOD_OTHER,	/* anything else: never routable, always 405 on a known path */
};

enum route {
	ROUTE_HEARTBEAT,	/* /heartbeat */
	ROUTE_PLAYERS,		/* /players */
	ROUTE_PLAYER,		/* /players/{id} */
	ROUTE_PLAYER_BATTLES,	/* /players/{id}/battles */
	ROUTE_SESSIONS,		/* /sessions */
	ROUTE_BATTLES,		/* /battles */
	ROUTE_BATTLE,		/* /battles/{id} */
	ROUTE_LEADERBOARD,	/* /leaderboard */
	ROUTE__COUNT
};

enum auth_policy {
	AUTH_POLICY_PUBLIC,		/* anyone */
	AUTH_POLICY_ADMIN,		/* admin Basic only */
	AUTH_POLICY_ADMIN_OR_PLAYER,	/* admin Basic or a player's Bearer token */
	AUTH_POLICY_PLAYER_BASIC,	/* a player's Basic name:password only */
};

enum endpoint {
	ENDPOINT_GET_HEARTBEAT,
	ENDPOINT_CREATE_PLAYER,
	ENDPOINT_GET_PLAYER,
	ENDPOINT_LIST_PLAYER_BATTLES,
	ENDPOINT_CREATE_SESSION,
	ENDPOINT_SUBMIT_BATTLE,
	ENDPOINT_GET_BATTLE,
	ENDPOINT_GET_LEADERBOARD,
	ENDPOINT__COUNT
};

struct endpoint_info {
	enum route route;
	enum http_method method;
	enum auth_policy policy;
	const char *name;	/* for logs */
};

extern const struct endpoint_info endpoint_table[ENDPOINT__COUNT];

enum router_result {
	ROUTER_FOUND,
	ROUTER_NOT_FOUND,
	ROUTER_METHOD_NOT_ALLOWED,
};

struct route_match {
	enum endpoint endpoint;	/* set when ROUTER_FOUND */
	enum route route;	/* set unless ROUTER_NOT_FOUND */
	int64_t id;		/* the {id} segment, 0 when the route has none */
	char allow[32];		/* the Allow header value for the route */
};

enum http_method http_method_parse(const char *name);

/* path is the raw request path without the query string; it is matched
 * exactly (no decoding, no dot-segment or slash folding). */
enum router_result router_match(enum http_method method, const char *path,
				struct route_match *match);

/* Parses a positive decimal id of at most 18 digits (no sign, no leading
 * zero). Returns 0 and sets *id, or -1. Shared by the router and query parsing. */
int parse_positive_id(const char *text, size_t length, int64_t *id);

#endif
