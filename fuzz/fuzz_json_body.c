/* SPDX-License-Identifier: ISC */
/* fuzz_json_body.c — json_body_parse() over arbitrary request bodies.
 * Checked: a body is accepted only as a JSON object in strict UTF-8, nested
 * at most JSON_BODY_MAX_DEPTH deep; the result is always safe to free; the
 * same bytes give the same answer with any accepted media type spelling. */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "util/json_body.h"
#include "util/utf8.h"

/* Deepest [ / { nesting outside strings; the body is already known to be JSON. */
static unsigned nesting_depth(const uint8_t *data, size_t size)
{
	unsigned depth = 0, deepest = 0;
	int in_string = 0;

	for (size_t i = 0; i < size; i++) {
		if (in_string) {
			if (data[i] == '\\')
				i++;
			else if (data[i] == '"')
				in_string = 0;
		} else if (data[i] == '"') {
			in_string = 1;
		} else if (data[i] == '[' || data[i] == '{') {
			if (++depth > deepest)
				deepest = depth;
		} else if (data[i] == ']' || data[i] == '}') {
			depth--;
		}
	}
	return deepest;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_body body;
	struct json_body again;
	enum json_body_status status;

	status = json_body_parse("application/json", (const char *)data, size, &body);
	FUZZ_ASSERT(status == JSON_BODY_OK || status == JSON_BODY_BAD_JSON ||
		    status == JSON_BODY_NO_MEMORY);
	if (status == JSON_BODY_OK) {
		FUZZ_ASSERT(body.object != NULL);
		FUZZ_ASSERT(json_object_is_type(body.object, json_type_object));
		FUZZ_ASSERT(utf8_decode_count((const char *)data, size, NULL));
		FUZZ_ASSERT(nesting_depth(data, size) <= JSON_BODY_MAX_DEPTH);
		/* The first byte that is not whitespace opens the object. */
		size_t first = 0;

		while (first < size && (data[first] == ' ' || data[first] == '\t' || data[first] == '\r' ||
					data[first] == '\n'))
			first++;
		FUZZ_ASSERT(first < size && data[first] == '{');
	} else {
		FUZZ_ASSERT(body.object == NULL);
		FUZZ_ASSERT(!body.has_lone_surrogate);
	}

	/* Another accepted spelling of the media type changes nothing. */
	FUZZ_ASSERT(json_body_parse(" Application/JSON ; charset=\"UTF-8\"", (const char *)data, size,
				    &again) == status);
	FUZZ_ASSERT(again.has_lone_surrogate == body.has_lone_surrogate);
	json_body_free(&again);

	json_body_free(&body);
	FUZZ_ASSERT(body.object == NULL);
	json_body_free(&body);	/* twice is harmless */
	return 0;
}
