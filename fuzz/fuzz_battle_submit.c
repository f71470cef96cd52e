/* SPDX-License-Identifier: ISC */
/* fuzz_battle_submit.c — a request body through json_body_parse() and
 * battle_submit_validate(), as POST /battles runs them. Checked: accepted
 * ids are 1..2^53-1 and differ; on a refusal each id handed out is 0 or
 * valid by itself (the 403-before-422 rule relies on it); the fields object
 * names something and serialises to valid UTF-8. */
#include "config.h"

#include "fuzz.h"
#include "util/json_body.h"
#include "util/utf8.h"
#include "http/validate.h"

#define ID_MAX INT64_C(9007199254740991)

static int id_ok(int64_t id)
{
	return id >= 1 && id <= ID_MAX;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_body body;
	struct battle_submit submit;
	json_object *fields = NULL;

	if (json_body_parse("application/json", (const char *)data, size, &body) != JSON_BODY_OK) {
		json_body_free(&body);
		return 0;
	}
	switch (battle_submit_validate(&body, &submit, &fields)) {
	case VALIDATE_OK:
		FUZZ_ASSERT(fields == NULL);
		FUZZ_ASSERT(id_ok(submit.attacker_id) && id_ok(submit.defender_id));
		FUZZ_ASSERT(submit.attacker_id != submit.defender_id);
		break;
	case VALIDATE_INVALID:
		fuzz_assert_field_errors(fields);
		FUZZ_ASSERT(submit.attacker_id == 0 || id_ok(submit.attacker_id));
		FUZZ_ASSERT(submit.defender_id == 0 || id_ok(submit.defender_id));
		break;
	case VALIDATE_NO_MEMORY:
		break;
	default:
		FUZZ_ASSERT(!"unknown status");
	}
	json_object_put(fields);
	json_body_free(&body);
	return 0;
}
