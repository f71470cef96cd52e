/* fuzz_router.c — router_match() over "METHOD path" inputs (the method is
 * everything up to the first space; no space means GET). Checked: a match
 * is the route table's own (method and pattern agree with endpoint_table), and
 * its path is the one canonical spelling of that route and id, so no path
 * trick (dot segments, doubled slashes, %-escapes, leading zeros, signs,
 * huge ids) reaches a handler; Allow is always a terminated, non-empty list
 * on 405; ids are 0 unless the route has one. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "http/router.h"

static int pattern_has_id(const char *pattern)
{
	return strstr(pattern, "{id}") != NULL;
}

/* The one spelling of the pattern (with id) that may match, into buffer. */
static void canonical_path(const char *pattern, int64_t id, char *buffer, size_t size)
{
	const char *at = strstr(pattern, "{id}");
	int written = at ? snprintf(buffer, size, "%.*s%" PRId64 "%s", (int)(at - pattern), pattern, id, at + 4)
			 : snprintf(buffer, size, "%s", pattern);
	FUZZ_ASSERT(written > 0 && (size_t)written < size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *input = fuzz_strndup(data, size);
	char canonical[64];
	const char *path;
	char *space;
	enum http_method method = HTTP_METHOD_GET;
	struct route_match match;
	enum router_result result;

	if (!input)
		return 0;
	space = strchr(input, ' ');
	path = input;
	if (space) {
		*space = '\0';
		method = http_method_parse(input);
		path = space + 1;
	}
	FUZZ_ASSERT((unsigned)method <= HTTP_METHOD_OTHER);

	result = router_match(method, path, &match);
	switch (result) {
	case ROUTER_FOUND:
		FUZZ_ASSERT((unsigned)match.endpoint < ENDPOINT__COUNT);
		FUZZ_ASSERT(endpoint_table[match.endpoint].pattern == match.pattern);
		FUZZ_ASSERT(endpoint_table[match.endpoint].method == method);
		FUZZ_ASSERT(method != HTTP_METHOD_OTHER);
		/* fall through */
	case ROUTER_METHOD_NOT_ALLOWED:
		FUZZ_ASSERT(match.pattern != NULL);
		FUZZ_ASSERT(pattern_has_id(match.pattern) ? match.id > 0 : match.id == 0);
		FUZZ_ASSERT(memchr(match.allow, '\0', sizeof(match.allow)) != NULL);
		FUZZ_ASSERT(match.allow[0] != '\0');
		canonical_path(match.pattern, match.id, canonical, sizeof(canonical));
		FUZZ_ASSERT(strcmp(canonical, path) == 0);
		break;
	case ROUTER_NOT_FOUND:
		FUZZ_ASSERT(match.id == 0);
		break;
	default:
		FUZZ_ASSERT(!"unknown result");
	}
	FUZZ_ASSERT(router_match(method, NULL, &match) == ROUTER_NOT_FOUND);
	free(input);
	return 0;
}
