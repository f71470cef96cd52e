/* SPDX-License-Identifier: ISC */
/* fuzz_query.c — query_parse() over arbitrary query strings, with the two
 * parameter tables the API uses (the leaderboard's limit/offset/around and
 * the battle list's limit/offset). Checked: on success every value is within
 * its spec's bounds, a value not given is the default; on a refusal the
 * fields object names something and serialises to valid UTF-8, so the 422
 * body is valid JSON whatever bytes the client sent; nothing leaks. */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "http/query.h"
#include "util/utf8.h"

static const struct query_param_spec leaderboard_specs[] = {
	{"limit", 1, 100, 10},
	{"offset", 0, INT64_C(1000000000000000), 0},
	{"around", 1, INT64_MAX, 0},
};

static const struct query_param_spec battles_specs[] = {
	{"limit", 1, 100, 20},
	{"offset", 0, INT64_C(1000000000000000), 0},
};

static void run(const char *query, const struct query_param_spec *specs, size_t count)
{
	struct query_values values;
	json_object *fields = NULL;

	switch (query_parse(query, specs, count, &values, &fields)) {
	case VALIDATE_OK:
		FUZZ_ASSERT(fields == NULL);
		for (size_t i = 0; i < count; i++) {
			if (values.present[i]) {
				FUZZ_ASSERT(values.values[i] >= specs[i].min && values.values[i] <= specs[i].max);
				/* A parameter given is named somewhere in the query (maybe %-encoded). */
				FUZZ_ASSERT(strlen(query) > 0);
			} else {
				FUZZ_ASSERT(values.values[i] == specs[i].default_value);
			}
		}
		break;
	case VALIDATE_INVALID:
		fuzz_assert_field_errors(fields);
		break;
	case VALIDATE_NO_MEMORY:
		break;
	default:
		FUZZ_ASSERT(!"unknown status");
	}
	json_object_put(fields);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *query = fuzz_strndup(data, size);

	if (!query)
		return 0;
	run(query, leaderboard_specs, sizeof(leaderboard_specs) / sizeof(leaderboard_specs[0]));
	run(query, battles_specs, sizeof(battles_specs) / sizeof(battles_specs[0]));
	free(query);
	return 0;
}
