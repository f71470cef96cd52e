/* json_body.h — turns a request body into a JSON object, or says why not
 * (415 or 400). Field-level checks (422) belong to validate.h.
 *
 * What counts as JSON is RFC 8259 exactly, checked on the raw bytes before
 * json-c builds the tree, because json-c 0.16 even in strict mode accepts
 * NaN/Infinity, single-quoted strings, -01, "1.", raw control characters in
 * strings, and overlong or surrogate UTF-8. On top of RFC 8259:
 *  - the whole body must be strict UTF-8 (no byte-order mark);
 *  - nesting deeper than JSON_BODY_MAX_DEPTH arrays/objects is refused;
 *  - an object key containing \u0000 is valid JSON, but json-c would cut
 *    "name\u0000x" down to "name": such a key is kept as its escaped
 *    spelling (the text "name\\u0000x"), which names no field, so
 *    validation answers 422 "unknown field" naming it as sent;
 *  - duplicate keys are accepted and the LAST one wins (json-c's behaviour;
 *    RFC 8259 leaves it to the implementation);
 *  - a \uD800–\uDFFF escape not part of a valid pair is valid JSON but not
 *    valid Unicode: json-c decodes it to U+FFFD, so has_lone_surrogate
 *    records that one was there and validate.c turns it into a 422. */
#ifndef PT_JSON_BODY_H
#define PT_JSON_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

/* Arrays/objects that may nest, the top-level object counting as 1. */
#define JSON_BODY_MAX_DEPTH 16

enum json_body_status {
	JSON_BODY_OK = 0,
	JSON_BODY_UNSUPPORTED_MEDIA_TYPE,
	JSON_BODY_BAD_JSON,
	JSON_BODY_NO_MEMORY
};

struct json_body {
	json_object *object;		/* owned; a json_type_object when OK, else NULL */
	bool has_lone_surrogate;	/* some string escape was an unpaired surrogate */
};

/* content_type may be NULL. A non-empty body needs a media type
 * application/json (case-insensitive, parameters such as "; charset=utf-8"
 * allowed, "application/jsonx" or "text/json" refused) else
 * UNSUPPORTED_MEDIA_TYPE; an EMPTY body is BAD_JSON regardless of type when a
 * body is required; the value must be a JSON object (array/number/string/
 * true/null → BAD_JSON). body may hold NUL bytes; only body[0..length) is read.
 * out is always set; json_body_free() it whatever the status. */
enum json_body_status json_body_parse(const char *content_type, const char *body,
				      size_t length, struct json_body *out);

void json_body_free(struct json_body *body);

/* "application/json" in any case, optionally followed by parameters
 * (";" name "=" token-or-quoted-string, whitespace allowed around ";").
 * A charset parameter must name UTF-8 ("utf-8" or "utf8", any case, quoted
 * or not): the contract says bodies are UTF-8, and a body declared as
 * another charset would be misread. NULL → false. */
bool json_media_type_ok(const char *content_type);

#endif
