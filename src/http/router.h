/* router.h — method + raw path → endpoint, over the rows of endpoints.h,
 * with each endpoint's auth policy. Routing runs before authentication
 * (404/405 first). */
#ifndef PT_ROUTER_H
#define PT_ROUTER_H

#include <stddef.h>
#include <stdint.h>

#include "auth/policy.h"
#include "http/endpoints.h"

/* Every method some endpoint answers, one row each; anything else is
 * HTTP_METHOD_OTHER, never routable (405 on a known path). */
#define PT_HTTP_METHODS(X) \
	X(GET) \
	X(POST) \
	X(PUT) \
	X(DELETE)

#define PT_HTTP_METHOD_ENUM(name) HTTP_METHOD_##name,
enum http_method {
	PT_HTTP_METHODS(PT_HTTP_METHOD_ENUM)
	HTTP_METHOD_OTHER,
};
#undef PT_HTTP_METHOD_ENUM

#define PT_ENDPOINT_ENUM(name, method, pattern, policy, handler) ENDPOINT_##name,
enum endpoint {
	PT_ENDPOINTS(PT_ENDPOINT_ENUM)
	ENDPOINT__COUNT
};
#undef PT_ENDPOINT_ENUM

struct endpoint_info {
	const char *pattern;	/* e.g. "/players/{id}/battles" */
	enum http_method method;
	enum auth_policy policy;
};

/* Indexed by enum endpoint. */
extern const struct endpoint_info endpoint_table[ENDPOINT__COUNT];

enum router_result {
	ROUTER_FOUND,
	ROUTER_NOT_FOUND,
	ROUTER_METHOD_NOT_ALLOWED,
};

struct route_match {
	enum endpoint endpoint;	/* set when ROUTER_FOUND */
	const char *pattern;	/* the matched path's pattern, unless ROUTER_NOT_FOUND */
	int64_t id;		/* the {id} segment, 0 when the pattern has none */
	char allow[32];		/* the Allow header value for the path */
};

enum http_method http_method_parse(const char *name);

/* path is the raw request path without the query string; it is matched
 * exactly (no decoding, no dot-segment or slash folding). */
enum router_result router_match(enum http_method method, const char *path,
				struct route_match *match);

#endif
