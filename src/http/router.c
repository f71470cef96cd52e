/* SPDX-License-Identifier: ISC */
/* router.c — the route table generated from endpoints.h, and the matcher
 * over it. Invariant: a path matches at most one pattern (the rows never
 * overlap), so the first match is the only one. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "http/router.h"
#include "util/digits.h"

#define PT_ENDPOINT_ROW(name, method, pattern, policy, handler) \
	[ENDPOINT_##name] = {(pattern), HTTP_METHOD_##method, AUTH_POLICY_##policy},
const struct endpoint_info endpoint_table[ENDPOINT__COUNT] = {
	PT_ENDPOINTS(PT_ENDPOINT_ROW)
};
#undef PT_ENDPOINT_ROW

#define PT_HTTP_METHOD_NAME(name) [HTTP_METHOD_##name] = #name,
static const char *const method_names[] = {
	PT_HTTP_METHODS(PT_HTTP_METHOD_NAME)
};
#undef PT_HTTP_METHOD_NAME

enum http_method http_method_parse(const char *name)
{
	if (!name)
		return HTTP_METHOD_OTHER;
	for (size_t m = 0; m < sizeof(method_names) / sizeof(method_names[0]); m++)
		if (strcmp(name, method_names[m]) == 0)
			return (enum http_method)m;
	return HTTP_METHOD_OTHER;
}

#define ID_SEGMENT "{id}"
/* Ids the router accepts: 1 to 18 digits, no leading zero. */
#define ROUTE_ID_DIGITS 18

/* Walks pattern and path segment by segment; each "/segment" of the pattern
 * must equal the path's, or be {id} over a canonical positive id. */
static int pattern_matches(const char *pattern, const char *path, int64_t *id)
{
	*id = 0;
	while (*pattern == '/') {
		if (*path != '/')
			return 0;
		pattern++;
		path++;
		size_t pattern_length = strcspn(pattern, "/");
		size_t length = strcspn(path, "/");
		if (pattern_length == strlen(ID_SEGMENT) && memcmp(pattern, ID_SEGMENT, pattern_length) == 0) {
			if (digits_parse_positive(path, length, ROUTE_ID_DIGITS, id) != 0)
				return 0;
		} else if (pattern_length != length || memcmp(pattern, path, length) != 0) {
			return 0;
		}
		pattern += pattern_length;
		path += length;
	}
	return *pattern == '\0' && *path == '\0';
}

enum router_result router_match(enum http_method method, const char *path,
				struct route_match *match)
{
	memset(match, 0, sizeof(*match));
	if (!path)
		return ROUTER_NOT_FOUND;
	for (size_t e = 0; e < ENDPOINT__COUNT; e++) {
		if (!pattern_matches(endpoint_table[e].pattern, path, &match->id))
			continue;
		match->pattern = endpoint_table[e].pattern;
		break;
	}
	if (!match->pattern) {
		match->id = 0;
		return ROUTER_NOT_FOUND;
	}
	int found = 0;
	size_t used = 0;
	for (size_t e = 0; e < ENDPOINT__COUNT; e++) {
		if (strcmp(endpoint_table[e].pattern, match->pattern) != 0)
			continue;
		used += (size_t)snprintf(match->allow + used, sizeof(match->allow) - used, "%s%s", used ? ", " : "",
					 method_names[endpoint_table[e].method]);
		if (endpoint_table[e].method == method && method != HTTP_METHOD_OTHER) {
			match->endpoint = (enum endpoint)e;
			found = 1;
		}
	}
	return found ? ROUTER_FOUND : ROUTER_METHOD_NOT_ALLOWED;
}
