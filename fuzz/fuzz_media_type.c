/* SPDX-License-Identifier: ISC */
/* fuzz_media_type.c — the Content-Type check of json_body.h over arbitrary
 * header values. Checked against the documented grammar's easy half: what is
 * accepted starts with "application/json" after blanks (any case) and is
 * followed by nothing, blanks, or ';' parameters; json_body_parse() answers
 * 415 exactly when json_media_type_ok() says no. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "util/json_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char object[] = "{\"name\":\"x\"}";
	struct json_body body;
	enum json_body_status status;
	char *content_type = fuzz_strndup(data, size);
	const char *p;
	bool ok;

	if (!content_type)
		return 0;
	ok = json_media_type_ok(content_type);
	if (ok) {
		p = content_type + strspn(content_type, " \t");
		FUZZ_ASSERT(strncasecmp(p, "application/json", 16) == 0);
		p += 16;
		p += strspn(p, " \t");
		FUZZ_ASSERT(*p == '\0' || *p == ';');
	}
	status = json_body_parse(content_type, object, sizeof(object) - 1, &body);
	FUZZ_ASSERT(status == (ok ? JSON_BODY_OK : JSON_BODY_UNSUPPORTED_MEDIA_TYPE) ||
		    status == JSON_BODY_NO_MEMORY);
	json_body_free(&body);
	/* An empty body is 400 whatever the type. */
	FUZZ_ASSERT(json_body_parse(content_type, object, 0, &body) == JSON_BODY_BAD_JSON);
	json_body_free(&body);
	free(content_type);
	return 0;
}
