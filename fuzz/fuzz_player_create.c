/* SPDX-License-Identifier: ISC */
/* fuzz_player_create.c — a request body through json_body_parse() and
 * player_create_validate(), as POST /players runs them. Checked: what is
 * handed out obeys every rule of the contract's player table; a refusal
 * names at least one field and hands out nothing; the 422 "fields" object
 * serialises to valid UTF-8; nothing leaks. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "util/json_body.h"
#include "util/utf8.h"
#include "http/validate.h"

static void check_name(const char *name)
{
	size_t length, code_points;

	FUZZ_ASSERT(name != NULL);
	length = strlen(name);
	FUZZ_ASSERT(utf8_decode_count(name, length, &code_points));
	FUZZ_ASSERT(code_points >= 1 && code_points <= 20);
	FUZZ_ASSERT(!utf8_has_control(name, length));
	FUZZ_ASSERT(strchr(name, ':') == NULL);
	FUZZ_ASSERT(strcasecmp(name, "admin") != 0);
	/* U+FFFD stands for a lone surrogate escape only when the body had one. */
}

static void check_player(const struct player_create *player)
{
	size_t code_points;

	check_name(player->name);
	FUZZ_ASSERT(player->description != NULL);
	FUZZ_ASSERT(utf8_decode_count(player->description, strlen(player->description), &code_points));
	FUZZ_ASSERT(code_points <= 1000);
	FUZZ_ASSERT(player->attributes.gold >= 0 && player->attributes.gold <= 1000000000);
	FUZZ_ASSERT(player->attributes.silver >= 0 && player->attributes.silver <= 1000000000);
	FUZZ_ASSERT(player->attributes.attack >= 1 && player->attributes.attack <= 1000);
	FUZZ_ASSERT(player->attributes.hit_points >= 1 && player->attributes.hit_points <= 1000);
	FUZZ_ASSERT(player->attributes.luck >= 0 && player->attributes.luck <= 90);
	if (player->password) {
		size_t length = strlen(player->password);

		FUZZ_ASSERT(length >= 8 && length <= 128);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_body body;
	struct player_create player;
	json_object *fields = NULL;
	enum validate_status status;

	if (json_body_parse("application/json", (const char *)data, size, &body) != JSON_BODY_OK) {
		json_body_free(&body);
		return 0;
	}
	status = player_create_validate(&body, &player, &fields);
	switch (status) {
	case VALIDATE_OK:
		FUZZ_ASSERT(fields == NULL);
		check_player(&player);
		break;
	case VALIDATE_INVALID:
		fuzz_assert_field_errors(fields);
		FUZZ_ASSERT(player.name == NULL && player.description == NULL && player.password == NULL);
		break;
	case VALIDATE_NO_MEMORY:
		break;
	default:
		FUZZ_ASSERT(!"unknown status");
	}
	player_create_free(&player);
	FUZZ_ASSERT(player.name == NULL && player.password == NULL);
	json_object_put(fields);
	json_body_free(&body);
	return 0;
}
