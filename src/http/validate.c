/* validate.c — the contract's body schemas as tables, and the one engine that
 * applies a table to a parsed body.
 * Invariants: every integer bound lies strictly inside int64 (json-c saturates
 * huge literals to INT64_MIN/INT64_MAX, which must land out of range, never on
 * a bound); the tables' int32 fields have bounds that fit int32; strings handed
 * out never contain NUL (each string field has a rule that refuses it). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/response.h"
#include "util/utf8.h"
#include "http/validate.h"

enum field_type { FIELD_INTEGER, FIELD_STRING };

enum length_unit { LENGTH_CODE_POINTS, LENGTH_BYTES };

/* Content rules a string field may opt into (bits of field_spec.rules). */
enum string_rule {
	RULE_NO_NUL = 1u << 0,
	RULE_NO_CONTROL = 1u << 1,	/* C0, DEL, C1; NUL included */
	RULE_NO_COLON = 1u << 2,	/* HTTP Basic splits user:password at the first ':' */
	RULE_NOT_RESERVED = 1u << 3,
};

struct field_spec {
	const char *name;
	enum field_type type;
	bool required;
	int64_t min;			/* integer: the value; string: the length in `unit` */
	int64_t max;
	enum length_unit unit;
	unsigned rules;			/* enum string_rule bits */
	int64_t default_integer;
	const char *default_string;	/* NULL: an absent string stays absent */
};

/* What the engine found for one field of the table. */
struct field_value {
	bool given;
	bool valid;			/* given and broke no rule, or defaulted */
	int64_t integer;
	const char *string;		/* borrowed from the body's tree or the table */
	size_t string_length;
};

/* Room for the longest generated message ("must be between -… and …"). */
#define MESSAGE_SIZE 96

static const char message_required[] = "is required";
static const char message_unknown[] = "unknown field";
static const char message_not_integer[] = "must be an integer";
static const char message_not_string[] = "must be a string";
static const char message_not_unicode[] = "must be valid Unicode";

/* ---- the tables ---------------------------------------------------------- */

/* The string fields, then one row per integer attribute of the player spec. */
#define PLAYER_ATTRIBUTE_FIELD(field, min, max, default_value, role) PLAYER_FIELD_##field,
enum player_field {
	PLAYER_NAME,
	PLAYER_DESCRIPTION,
	PLAYER_PASSWORD,
	PLAYER_ATTRIBUTES(PLAYER_ATTRIBUTE_FIELD)
	PLAYER_FIELD__COUNT
};

#define PLAYER_ATTRIBUTE_RULE(field, min, max, default_value, role) \
	[PLAYER_FIELD_##field] = {#field, FIELD_INTEGER, false, (min), (max), 0, 0, (default_value), NULL},
static const struct field_spec player_fields[PLAYER_FIELD__COUNT] = {
	[PLAYER_NAME] = {"name", FIELD_STRING, true, 1, 20, LENGTH_CODE_POINTS,
			 RULE_NO_CONTROL | RULE_NO_COLON | RULE_NOT_RESERVED, 0, NULL},
	[PLAYER_DESCRIPTION] = {"description", FIELD_STRING, false, 0, 1000, LENGTH_CODE_POINTS,
				RULE_NO_NUL, 0, ""},
	[PLAYER_PASSWORD] = {"password", FIELD_STRING, false, 8, 128, LENGTH_BYTES,
			     RULE_NO_NUL, 0, NULL},
	PLAYER_ATTRIBUTES(PLAYER_ATTRIBUTE_RULE)
};

enum password_field { PASSWORD_NEW, PASSWORD_CURRENT, PASSWORD_FIELD__COUNT };

/* The new one follows the create rule; the current one is whatever a
 * password can be, and whether it is right is the handler's (403). */
static const struct field_spec password_fields[PASSWORD_FIELD__COUNT] = {
	[PASSWORD_NEW] = {"password", FIELD_STRING, true, 8, 128, LENGTH_BYTES, RULE_NO_NUL, 0, NULL},
	[PASSWORD_CURRENT] = {"current_password", FIELD_STRING, false, 1, 128, LENGTH_BYTES, RULE_NO_NUL, 0, NULL},
};

enum battle_field { BATTLE_ATTACKER_ID, BATTLE_DEFENDER_ID, BATTLE_FIELD__COUNT };

/* 2^53 - 1: the largest id every JSON client holds exactly. */
#define BATTLE_ID_MAX INT64_C(9007199254740991)

static const struct field_spec battle_fields[BATTLE_FIELD__COUNT] = {
	[BATTLE_ATTACKER_ID] = {"attacker_id", FIELD_INTEGER, true, 1, BATTLE_ID_MAX, 0, 0, 0, NULL},
	[BATTLE_DEFENDER_ID] = {"defender_id", FIELD_INTEGER, true, 1, BATTLE_ID_MAX, 0, 0, 0, NULL},
};

/* Names no player may take, compared in any ASCII case: "admin" is the
 * Basic-auth user of the administrator. */
static const char *const reserved_names[] = {"admin"};

/* ---- string content rules, in the order they are tried ------------------- */

static bool contains_nul(const char *text, size_t length)
{
	return memchr(text, '\0', length) != NULL;
}

static bool contains_colon(const char *text, size_t length)
{
	return memchr(text, ':', length) != NULL;
}

static bool is_reserved_name(const char *text, size_t length)
{
	for (size_t i = 0; i < sizeof(reserved_names) / sizeof(reserved_names[0]); i++)
		if (strlen(reserved_names[i]) == length && strncasecmp(text, reserved_names[i], length) == 0)
			return true;
	return false;
}

struct string_rule_check {
	unsigned rule;
	bool (*broken)(const char *text, size_t length);
	const char *message;
};

static const struct string_rule_check string_rule_checks[] = {
	{RULE_NO_NUL, contains_nul, "must not contain NUL characters"},
	{RULE_NO_CONTROL, utf8_has_control, "must not contain control characters"},
	{RULE_NO_COLON, contains_colon, "must not contain ':'"},
	{RULE_NOT_RESERVED, is_reserved_name, "is reserved"},
};

/* json-c decodes an unpaired surrogate escape to U+FFFD; json_body only tells
 * that the body had one somewhere, so any string holding U+FFFD is suspect. */
static bool contains_replacement_character(const char *text, size_t length)
{
	static const char replacement[] = "\xEF\xBF\xBD";

	for (size_t i = 0; i + 3 <= length; i++)
		if (memcmp(text + i, replacement, 3) == 0)
			return true;
	return false;
}

/* ---- the engine ---------------------------------------------------------- */

/* Each check returns NULL when the value passes, else its message (a static
 * string or one written into buffer). */
static const char *check_integer(const struct field_spec *spec, json_object *value,
				 struct field_value *out, char *buffer, size_t size)
{
	int64_t number;

	/* json_type_int only: 1.0 and 1e3 are doubles, and a client that sends
	 * them means something the integer would silently change. */
	if (!json_object_is_type(value, json_type_int))
		return message_not_integer;
	number = json_object_get_int64(value);
	if (number < spec->min || number > spec->max) {
		snprintf(buffer, size, "must be between %" PRId64 " and %" PRId64, spec->min, spec->max);
		return buffer;
	}
	out->integer = number;
	return NULL;
}

static const char *check_string(const struct field_spec *spec, json_object *value,
				bool body_has_lone_surrogate, struct field_value *out,
				char *buffer, size_t size)
{
	const char *text;
	size_t length, code_points, measured;

	if (!json_object_is_type(value, json_type_string))
		return message_not_string;
	text = json_object_get_string(value);
	length = (size_t)json_object_get_string_len(value);
	if (!utf8_decode_count(text, length, &code_points) ||
	    (body_has_lone_surrogate && contains_replacement_character(text, length)))
		return message_not_unicode;
	measured = spec->unit == LENGTH_BYTES ? length : code_points;
	if ((int64_t)measured < spec->min || (int64_t)measured > spec->max) {
		snprintf(buffer, size, "must be %" PRId64 " to %" PRId64 " %s", spec->min, spec->max,
			 spec->unit == LENGTH_BYTES ? "bytes" : "characters");
		return buffer;
	}
	for (size_t i = 0; i < sizeof(string_rule_checks) / sizeof(string_rule_checks[0]); i++) {
		const struct string_rule_check *check = &string_rule_checks[i];

		if ((spec->rules & check->rule) && check->broken(text, length))
			return check->message;
	}
	out->string = text;
	out->string_length = length;
	return NULL;
}

static const struct field_spec *spec_find(const struct field_spec *specs, size_t count, const char *name)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(specs[i].name, name) == 0)
			return &specs[i];
	return NULL;
}

static void apply_default(const struct field_spec *spec, struct field_value *value)
{
	value->valid = true;
	value->integer = spec->default_integer;
	value->string = spec->default_string;
	value->string_length = spec->default_string ? strlen(spec->default_string) : 0;
}

/* Checks every key of the body against the table, then fills in what is
 * absent. values[i] answers specs[i]. Adds one message per bad field. */
static enum validate_status schema_apply(const struct field_spec *specs, size_t count,
					 const struct json_body *body, struct field_value *values,
					 json_object **fields)
{
	char buffer[MESSAGE_SIZE];
	bool invalid = false;

	memset(values, 0, count * sizeof(*values));
	/* The caller broke the precondition; refuse rather than guess. */
	if (!body || !json_object_is_type(body->object, json_type_object))
		return VALIDATE_INVALID;

	json_object_object_foreach(body->object, key, member) {
		const struct field_spec *spec = spec_find(specs, count, key);
		const char *message;

		if (!spec) {
			message = message_unknown;
		} else {
			struct field_value *value = &values[spec - specs];

			value->given = true;
			if (spec->type == FIELD_INTEGER)
				message = check_integer(spec, member, value, buffer, sizeof(buffer));
			else
				message = check_string(spec, member, body->has_lone_surrogate, value,
						       buffer, sizeof(buffer));
			value->valid = message == NULL;
		}
		if (message) {
			if (field_error_add(fields, key, message) != 0)
				return VALIDATE_NO_MEMORY;
			invalid = true;
		}
	}

	for (size_t i = 0; i < count; i++) {
		if (values[i].given)
			continue;
		if (specs[i].required) {
			if (field_error_add(fields, specs[i].name, message_required) != 0)
				return VALIDATE_NO_MEMORY;
			invalid = true;
			continue;
		}
		apply_default(&specs[i], &values[i]);
	}
	return invalid ? VALIDATE_INVALID : VALIDATE_OK;
}

/* ---- players ------------------------------------------------------------- */

static void free_secret(char *secret)
{
	if (secret) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
}


enum validate_status player_create_validate(const struct json_body *body, struct player_create *out,
					    json_object **fields)
{
	struct field_value values[PLAYER_FIELD__COUNT];
	const struct field_value *password = &values[PLAYER_PASSWORD];
	enum validate_status status;

	memset(out, 0, sizeof(*out));
	status = schema_apply(player_fields, PLAYER_FIELD__COUNT, body, values, fields);
	if (status != VALIDATE_OK)
		goto out;

	status = VALIDATE_NO_MEMORY;
	out->name = strndup(values[PLAYER_NAME].string, values[PLAYER_NAME].string_length);
	out->description = strndup(values[PLAYER_DESCRIPTION].string,
				     values[PLAYER_DESCRIPTION].string_length);
	if (!out->name || !out->description)
		goto out;
	if (password->string && !(out->password = strndup(password->string, password->string_length)))
		goto out;
#define PLAYER_ATTRIBUTE_VALUE(field, min, max, default_value, role) \
	out->attributes.field = values[PLAYER_FIELD_##field].integer;
	PLAYER_ATTRIBUTES(PLAYER_ATTRIBUTE_VALUE)
	status = VALIDATE_OK;
out:
	if (status != VALIDATE_OK)
		player_create_free(out);
	return status;
}

void player_create_free(struct player_create *player)
{
	if (!player)
		return;
	free(player->name);
	free(player->description);
	free_secret(player->password);
	memset(player, 0, sizeof(*player));
}

/* ---- password change ------------------------------------------------------ */

enum validate_status password_change_validate(const struct json_body *body, struct password_change *out,
					      json_object **fields)
{
	struct field_value values[PASSWORD_FIELD__COUNT];
	enum validate_status status;

	memset(out, 0, sizeof(*out));
	status = schema_apply(password_fields, PASSWORD_FIELD__COUNT, body, values, fields);
	if (status != VALIDATE_OK)
		return status;
	out->password = strndup(values[PASSWORD_NEW].string, values[PASSWORD_NEW].string_length);
	if (values[PASSWORD_CURRENT].string)
		out->current_password =
			strndup(values[PASSWORD_CURRENT].string, values[PASSWORD_CURRENT].string_length);
	if (!out->password || (values[PASSWORD_CURRENT].string && !out->current_password)) {
		password_change_free(out);
		return VALIDATE_NO_MEMORY;
	}
	return VALIDATE_OK;
}

void password_change_free(struct password_change *change)
{
	free_secret(change->password);
	free_secret(change->current_password);
	memset(change, 0, sizeof(*change));
}

/* ---- battles ------------------------------------------------------------- */

enum validate_status battle_submit_validate(const struct json_body *body, struct battle_submit *out,
					    json_object **fields)
{
	struct field_value values[BATTLE_FIELD__COUNT];
	const struct field_value *attacker = &values[BATTLE_ATTACKER_ID];
	const struct field_value *defender = &values[BATTLE_DEFENDER_ID];
	enum validate_status status;

	memset(out, 0, sizeof(*out));
	status = schema_apply(battle_fields, BATTLE_FIELD__COUNT, body, values, fields);
	if (status == VALIDATE_NO_MEMORY)
		goto out;
	/* The one rule across fields; named on defender_id as the contract says. */
	if (attacker->valid && defender->valid && attacker->integer == defender->integer) {
		if (field_error_add(fields, battle_fields[BATTLE_DEFENDER_ID].name,
				    "must differ from attacker_id") != 0) {
			status = VALIDATE_NO_MEMORY;
			goto out;
		}
		status = VALIDATE_INVALID;
	}
	/* Each id that is valid on its own is handed out even when the body is
	 * not, so the caller can answer 403 for another player's attacker_id
	 * before 422 (authorization comes before validation). */
	out->attacker_id = attacker->valid ? attacker->integer : 0;
	out->defender_id = defender->valid ? defender->integer : 0;
out:
	return status;
}

/* ---- headers ------------------------------------------------------------- */

#define IDEMPOTENCY_KEY_MAX 255

bool idempotency_key_valid(const char *key)
{
	size_t length;

	if (!key)
		return false;
	for (length = 0; key[length] != '\0'; length++) {
		unsigned char c = (unsigned char)key[length];

		if (length == IDEMPOTENCY_KEY_MAX || c < 0x21 || c > 0x7E)
			return false;
	}
	return length > 0;
}
