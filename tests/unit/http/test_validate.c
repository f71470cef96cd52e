/* SPDX-License-Identifier: ISC */
/* test_validate.c — the contract's player and battle body rules, the
 * Idempotency-Key rule, and the UTF-8 checks they stand on. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_body.h"
#include "http/response.h"
#include "util/utf8.h"
#include "http/validate.h"

/* ---- helpers ------------------------------------------------------------- */

struct outcome {
	enum validate_status status;
	json_object *fields;
	struct player_create player;
	struct battle_submit battle;
};

static void parse_body(const char *json, struct json_body *body)
{
	if (json_body_parse("application/json", json, strlen(json), body) != JSON_BODY_OK)
		fail_msg("test body is not JSON: %s", json);
}

static struct outcome run_player(const char *json)
{
	struct outcome result = {0};
	struct json_body body;

	parse_body(json, &body);
	result.status = player_create_validate(&body, &result.player, &result.fields);
	json_body_free(&body);
	return result;
}

static struct outcome run_battle(const char *json)
{
	struct outcome result = {0};
	struct json_body body;

	parse_body(json, &body);
	result.status = battle_submit_validate(&body, &result.battle, &result.fields);
	json_body_free(&body);
	return result;
}

static void outcome_free(struct outcome *result)
{
	json_object_put(result->fields);
	player_create_free(&result->player);
}

static const char *field_message(json_object *fields, const char *name)
{
	json_object *message;

	if (!fields || !json_object_object_get_ex(fields, name, &message))
		return NULL;
	return json_object_get_string(message);
}

static void assert_invalid(struct outcome *result, const char *json, const char *field, const char *message)
{
	const char *got;

	if (result->status != VALIDATE_INVALID)
		fail_msg("%s: status %d, expected invalid on %s", json, result->status, field);
	got = field_message(result->fields, field);
	if (!got || strcmp(got, message) != 0)
		fail_msg("%s: %s is \"%s\", expected \"%s\" (fields %s)", json, field, got ? got : "(none)",
			 message, json_object_to_json_string(result->fields));
}

static void expect_player_error(const char *json, const char *field, const char *message)
{
	struct outcome result = run_player(json);

	assert_invalid(&result, json, field, message);
	assert_int_equal(json_object_object_length(result.fields), 1);
	/* nothing is handed out on failure */
	assert_null(result.player.name);
	assert_null(result.player.description);
	assert_null(result.player.password);
	outcome_free(&result);
}

static void expect_player_ok(const char *json)
{
	struct outcome result = run_player(json);

	if (result.status != VALIDATE_OK)
		fail_msg("%s: status %d, fields %s", json, result.status,
			 json_object_to_json_string(result.fields));
	assert_null(result.fields);
	outcome_free(&result);
}

static void expect_battle_error(const char *json, const char *field, const char *message)
{
	struct outcome result = run_battle(json);

	assert_invalid(&result, json, field, message);
	outcome_free(&result);
}

/* `count` copies of `unit`, for names and descriptions of exact lengths. */
static char *repeat(const char *unit, size_t count)
{
	size_t unit_length = strlen(unit);
	char *text = malloc(unit_length * count + 1);

	assert_non_null(text);
	for (size_t i = 0; i < count; i++)
		memcpy(text + i * unit_length, unit, unit_length);
	text[unit_length * count] = '\0';
	return text;
}

/* {"<field>": "<unit × count>"} plus `extra` members (may be ""). */
static char *string_body(const char *field, const char *unit, size_t count, const char *extra)
{
	char *value = repeat(unit, count);
	size_t size = strlen(field) + strlen(value) + strlen(extra) + 16;
	char *json = malloc(size);

	assert_non_null(json);
	snprintf(json, size, "{\"%s\":\"%s\"%s}", field, value, extra);
	free(value);
	return json;
}

static void expect_name_length(const char *unit, size_t count, bool ok)
{
	char *json = string_body("name", unit, count, "");

	if (ok)
		expect_player_ok(json);
	else
		expect_player_error(json, "name", "must be 1 to 20 characters");
	free(json);
}

/* ---- utf8 ---------------------------------------------------------------- */

struct utf8_case {
	const char *text;
	size_t length;
	bool valid;
	size_t code_points;
};

#define TEXT(literal) literal, sizeof(literal) - 1

static void test_utf8_decode_count(void **state)
{
	static const struct utf8_case cases[] = {
		{TEXT(""), true, 0},
		{TEXT("abc"), true, 3},
		{TEXT("a\0b"), true, 3},
		{TEXT("\x7f"), true, 1},
		{TEXT("\xc2\x80"), true, 1},			/* U+0080 */
		{TEXT("\xdf\xbf"), true, 1},			/* U+07FF */
		{TEXT("\xe0\xa0\x80"), true, 1},		/* U+0800 */
		{TEXT("\xed\x9f\xbf"), true, 1},		/* U+D7FF */
		{TEXT("\xee\x80\x80"), true, 1},		/* U+E000 */
		{TEXT("\xef\xbf\xbf"), true, 1},		/* U+FFFF */
		{TEXT("\xf0\x90\x80\x80"), true, 1},		/* U+10000 */
		{TEXT("\xf4\x8f\xbf\xbf"), true, 1},		/* U+10FFFF */
		{TEXT("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), true, 4},
		{TEXT("\xed\xa0\x80"), false, 0},		/* U+D800 */
		{TEXT("\xed\xbf\xbf"), false, 0},		/* U+DFFF */
		{TEXT("\xed\xa0\xbd\xed\xb8\x80"), false, 0},	/* CESU-8 pair */
		{TEXT("\xf4\x90\x80\x80"), false, 0},		/* U+110000 */
		{TEXT("\xf5\x80\x80\x80"), false, 0},
		{TEXT("\xff"), false, 0},
		{TEXT("\xc0\x80"), false, 0},			/* overlong NUL */
		{TEXT("\xc0\xaf"), false, 0},			/* overlong '/' */
		{TEXT("\xc1\xbf"), false, 0},
		{TEXT("\xe0\x9f\xbf"), false, 0},
		{TEXT("\xf0\x8f\xbf\xbf"), false, 0},
		{TEXT("\x80"), false, 0},			/* stray continuation */
		{TEXT("a\xbf"), false, 0},
		{TEXT("\xe2\x82"), false, 0},			/* truncated */
		{TEXT("\xf0\x9f\x98"), false, 0},
		{TEXT("\xc2"), false, 0},
		{TEXT("\xc2" "A"), false, 0},
		{TEXT("\xe2\x82" "A"), false, 0},
	};
	size_t count;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		count = 12345;
		if (utf8_decode_count(cases[i].text, cases[i].length, &count) != cases[i].valid)
			fail_msg("utf8 case %zu: validity", i);
		if (cases[i].valid && count != cases[i].code_points)
			fail_msg("utf8 case %zu: %zu code points", i, count);
	}
	assert_true(utf8_decode_count(NULL, 0, &count));
	assert_int_equal(count, 0);
	assert_true(utf8_decode_count("ab", 2, NULL));
	/* only `length` bytes are read: a valid prefix of an invalid text is valid */
	assert_true(utf8_decode_count("a\xff", 1, &count));
	assert_int_equal(count, 1);
}

static void test_utf8_has_control(void **state)
{
	(void)state;
	assert_true(utf8_has_control(TEXT("\0")));
	assert_true(utf8_has_control(TEXT("a\x01")));
	assert_true(utf8_has_control(TEXT("\x1f")));
	assert_true(utf8_has_control(TEXT("\t")));
	assert_true(utf8_has_control(TEXT("\x7f")));
	assert_true(utf8_has_control(TEXT("\xc2\x80")));	/* U+0080 */
	assert_true(utf8_has_control(TEXT("x\xc2\x85y")));	/* NEL */
	assert_true(utf8_has_control(TEXT("\xc2\x9f")));	/* U+009F */
	assert_false(utf8_has_control(TEXT("")));
	assert_false(utf8_has_control(TEXT(" ~")));
	assert_false(utf8_has_control(TEXT("\xc2\xa0")));	/* NBSP */
	assert_false(utf8_has_control(TEXT("\xc3\xa9\xe2\x80\xa8")));	/* é, U+2028 */
	assert_false(utf8_has_control(TEXT("\xc2")));		/* truncated: no over-read */
	assert_false(utf8_has_control("\x01", 0));
}

/* ---- players ------------------------------------------------------------- */

static void test_player_defaults(void **state)
{
	struct outcome result = run_player("{\"name\":\"bob\"}");

	(void)state;
	assert_int_equal(result.status, VALIDATE_OK);
	assert_null(result.fields);
	assert_string_equal(result.player.name, "bob");
	assert_string_equal(result.player.description, "");
	assert_int_equal(result.player.attributes.gold, 0);
	assert_int_equal(result.player.attributes.silver, 0);
	assert_int_equal(result.player.attributes.attack, 70);
	assert_int_equal(result.player.attributes.hit_points, 100);
	assert_int_equal(result.player.attributes.luck, 10);
	assert_null(result.player.password);
	outcome_free(&result);
}

static void test_player_all_fields(void **state)
{
	struct outcome result = run_player(
		"{\"name\":\"Zo\\u00e9 \xf0\x9f\x98\x80\",\"description\":\"line one\\nline two\","
		"\"gold\":1000000000,\"silver\":5,\"attack\":1000,\"hit_points\":1,\"luck\":90,"
		"\"password\":\"correct horse\"}");

	(void)state;
	assert_int_equal(result.status, VALIDATE_OK);
	assert_string_equal(result.player.name, "Zo\xc3\xa9 \xf0\x9f\x98\x80");
	assert_string_equal(result.player.description, "line one\nline two");
	assert_int_equal(result.player.attributes.gold, 1000000000);
	assert_int_equal(result.player.attributes.silver, 5);
	assert_int_equal(result.player.attributes.attack, 1000);
	assert_int_equal(result.player.attributes.hit_points, 1);
	assert_int_equal(result.player.attributes.luck, 90);
	assert_string_equal(result.player.password, "correct horse");
	outcome_free(&result);
	/* freeing a freed (zeroed) player is harmless */
	player_create_free(&result.player);
	player_create_free(NULL);
}

static void test_name_required_and_type(void **state)
{
	(void)state;
	expect_player_error("{}", "name", "is required");
	expect_player_error("{\"gold\":5}", "name", "is required");
	expect_player_error("{\"name\":5}", "name", "must be a string");
	expect_player_error("{\"name\":null}", "name", "must be a string");
	expect_player_error("{\"name\":true}", "name", "must be a string");
	expect_player_error("{\"name\":[\"bob\"]}", "name", "must be a string");
	expect_player_error("{\"name\":{}}", "name", "must be a string");
}

static void test_name_length(void **state)
{
	(void)state;
	expect_name_length("a", 0, false);
	expect_name_length("a", 1, true);
	expect_name_length("a", 20, true);
	expect_name_length("a", 21, false);
	expect_name_length("\xc3\xa9", 20, true);		/* é: 40 bytes */
	expect_name_length("\xc3\xa9", 21, false);
	expect_name_length("\xe2\x82\xac", 20, true);		/* €: 60 bytes */
	expect_name_length("\xe2\x82\xac", 21, false);
	expect_name_length("\xf0\x9f\x98\x80", 20, true);	/* 😀: 80 bytes */
	expect_name_length("\xf0\x9f\x98\x80", 21, false);
	expect_name_length("\\ud83d\\ude00", 20, true);		/* the same, escaped */
	expect_name_length("\\ud83d\\ude00", 21, false);
	expect_name_length("\\u00e9", 20, true);
	expect_name_length("\\u00e9", 21, false);
}

static void test_name_content(void **state)
{
	static const char *const controls[] = {
		"{\"name\":\"a\\tb\"}", "{\"name\":\"a\\nb\"}", "{\"name\":\"a\\u0000b\"}",
		"{\"name\":\"\\u0000\"}", "{\"name\":\"a\\u001fb\"}", "{\"name\":\"a\\u007fb\"}",
		"{\"name\":\"a\\u0080b\"}", "{\"name\":\"a\\u0085b\"}", "{\"name\":\"a\\u009fb\"}",
		"{\"name\":\"bob\xc2\x85\"}",
	};
	static const char *const reserved[] = {"admin", "Admin", "ADMIN", "aDmIn", "\\u0041dmin"};
	char json[64];

	(void)state;
	for (size_t i = 0; i < sizeof(controls) / sizeof(controls[0]); i++)
		expect_player_error(controls[i], "name", "must not contain control characters");
	expect_player_error("{\"name\":\"a:b\"}", "name", "must not contain ':'");
	expect_player_error("{\"name\":\":\"}", "name", "must not contain ':'");
	expect_player_error("{\"name\":\"a\\u003ab\"}", "name", "must not contain ':'");
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		snprintf(json, sizeof(json), "{\"name\":\"%s\"}", reserved[i]);
		expect_player_error(json, "name", "is reserved");
	}
	expect_player_ok("{\"name\":\"admin1\"}");
	expect_player_ok("{\"name\":\" admin\"}");
	expect_player_ok("{\"name\":\"administrator\"}");
	expect_player_ok("{\"name\":\"a\\u00a0b\"}");		/* NBSP is not a control */
	expect_player_ok("{\"name\":\"a b\"}");
	/* the first rule broken is the one reported */
	expect_player_error("{\"name\":\"aaaaaaaaaaaaaaaaaaaa:\"}", "name", "must be 1 to 20 characters");
}

static void test_name_unicode(void **state)
{
	(void)state;
	expect_player_error("{\"name\":\"\\ud800\"}", "name", "must be valid Unicode");
	expect_player_error("{\"name\":\"\\udc00\"}", "name", "must be valid Unicode");
	expect_player_error("{\"name\":\"a\\ud800x\"}", "name", "must be valid Unicode");
	expect_player_error("{\"name\":\"\\ud800\\u0041\"}", "name", "must be valid Unicode");
	expect_player_ok("{\"name\":\"\\ud83d\\ude00\"}");
	expect_player_ok("{\"name\":\"\\\\ud800\"}");		/* a literal backslash */
	/* a real U+FFFD, with no lone surrogate anywhere, is a character like any other */
	expect_player_ok("{\"name\":\"\xef\xbf\xbd\"}");
	expect_player_ok("{\"name\":\"\\ufffd\"}");
	/* the lone surrogate is pinned on the field that holds it */
	expect_player_error("{\"name\":\"bob\",\"description\":\"x\\udfff\"}", "description",
			    "must be valid Unicode");
	expect_player_error("{\"name\":\"bob\",\"password\":\"12345678\\ud800\"}", "password",
			    "must be valid Unicode");
}

static void test_description(void **state)
{
	char *json;

	(void)state;
	expect_player_ok("{\"name\":\"bob\",\"description\":\"\"}");
	expect_player_ok("{\"name\":\"bob\",\"description\":\"tab\\there\\r\\nnew line\"}");
	json = string_body("description", "\xc3\xa9", 1000, ",\"name\":\"bob\"");
	expect_player_ok(json);
	free(json);
	json = string_body("description", "\xf0\x9f\x98\x80", 1000, ",\"name\":\"bob\"");
	expect_player_ok(json);
	free(json);
	json = string_body("description", "a", 1001, ",\"name\":\"bob\"");
	expect_player_error(json, "description", "must be 0 to 1000 characters");
	free(json);
	json = string_body("description", "\xc3\xa9", 1001, ",\"name\":\"bob\"");
	expect_player_error(json, "description", "must be 0 to 1000 characters");
	free(json);
	expect_player_error("{\"name\":\"bob\",\"description\":\"a\\u0000b\"}", "description",
			    "must not contain NUL characters");
	expect_player_error("{\"name\":\"bob\",\"description\":null}", "description", "must be a string");
	expect_player_error("{\"name\":\"bob\",\"description\":7}", "description", "must be a string");
	expect_player_error("{\"name\":\"bob\",\"description\":false}", "description", "must be a string");
}

struct integer_field {
	const char *name;
	int64_t min;
	int64_t max;
};

static const struct integer_field integer_fields[] = {
	{"gold", 0, 1000000000},
	{"silver", 0, 1000000000},
	{"attack", 1, 1000},
	{"hit_points", 1, 1000},
	{"luck", 0, 90},
};

static void expect_integer(const struct integer_field *field, const char *literal, bool ok)
{
	char json[160], message[96];

	snprintf(json, sizeof(json), "{\"name\":\"bob\",\"%s\":%s}", field->name, literal);
	if (ok) {
		expect_player_ok(json);
		return;
	}
	snprintf(message, sizeof(message), "must be between %lld and %lld", (long long)field->min,
		 (long long)field->max);
	expect_player_error(json, field->name, message);
}

static void test_integer_bounds(void **state)
{
	struct outcome result;
	char literal[32];

	(void)state;
	for (size_t i = 0; i < sizeof(integer_fields) / sizeof(integer_fields[0]); i++) {
		const struct integer_field *field = &integer_fields[i];
		const int64_t edges[][2] = {
			{field->min - 1, 0}, {field->min, 1}, {field->max, 1}, {field->max + 1, 0},
		};

		for (size_t k = 0; k < 4; k++) {
			snprintf(literal, sizeof(literal), "%lld", (long long)edges[k][0]);
			expect_integer(field, literal, edges[k][1]);
		}
		expect_integer(field, "99999999999999999999", false);
		expect_integer(field, "-99999999999999999999", false);
		expect_integer(field, "9223372036854775807", false);
		expect_integer(field, "9223372036854775808", false);
		expect_integer(field, "18446744073709551615", false);
		expect_integer(field, "18446744073709551616", false);
		expect_integer(field, "-9223372036854775808", false);
		expect_integer(field, "-9223372036854775809", false);
		expect_integer(field, "-1", false);
		expect_integer(field, "4294967296", false);	/* would wrap an int32 to 0 */
		expect_integer(field, "4294967297", false);
	}
	/* the stored value is the one given */
	result = run_player("{\"name\":\"bob\",\"gold\":123,\"silver\":999999999,"
					   "\"attack\":2,\"hit_points\":999,\"luck\":0}");
	assert_int_equal(result.status, VALIDATE_OK);
	assert_int_equal(result.player.attributes.gold, 123);
	assert_int_equal(result.player.attributes.silver, 999999999);
	assert_int_equal(result.player.attributes.attack, 2);
	assert_int_equal(result.player.attributes.hit_points, 999);
	assert_int_equal(result.player.attributes.luck, 0);
	outcome_free(&result);
	expect_player_ok("{\"name\":\"bob\",\"gold\":-0}");
	expect_player_error("{\"name\":\"bob\",\"attack\":-0}", "attack", "must be between 1 and 1000");
}

static void test_integer_types(void **state)
{
	static const char *const wrong[] = {
		"\"5\"", "\"\"", "5.0", "1.5", "1e3", "1E2", "-0.0", "1e400", "null", "true", "false", "[5]",
		"{}", "{\"v\":5}",
	};
	char json[160];

	(void)state;
	for (size_t i = 0; i < sizeof(integer_fields) / sizeof(integer_fields[0]); i++) {
		for (size_t k = 0; k < sizeof(wrong) / sizeof(wrong[0]); k++) {
			snprintf(json, sizeof(json), "{\"name\":\"bob\",\"%s\":%s}", integer_fields[i].name, wrong[k]);
			expect_player_error(json, integer_fields[i].name, "must be an integer");
		}
	}
}

static void test_password(void **state)
{
	struct outcome result;
	char *json;

	(void)state;
	json = string_body("password", "a", 7, ",\"name\":\"bob\"");
	expect_player_error(json, "password", "must be 8 to 128 bytes");
	free(json);
	json = string_body("password", "a", 8, ",\"name\":\"bob\"");
	expect_player_ok(json);
	free(json);
	json = string_body("password", "a", 128, ",\"name\":\"bob\"");
	expect_player_ok(json);
	free(json);
	json = string_body("password", "a", 129, ",\"name\":\"bob\"");
	expect_player_error(json, "password", "must be 8 to 128 bytes");
	free(json);
	/* bytes, not characters: 4 × é is 8 bytes, 32 × 😀 is 128, 33 × 😀 is 132 */
	json = string_body("password", "\xc3\xa9", 4, ",\"name\":\"bob\"");
	expect_player_ok(json);
	free(json);
	json = string_body("password", "\xc3\xa9", 3, ",\"name\":\"bob\"");
	expect_player_error(json, "password", "must be 8 to 128 bytes");
	free(json);
	json = string_body("password", "\xf0\x9f\x98\x80", 32, ",\"name\":\"bob\"");
	expect_player_ok(json);
	free(json);
	json = string_body("password", "\xf0\x9f\x98\x80", 33, ",\"name\":\"bob\"");
	expect_player_error(json, "password", "must be 8 to 128 bytes");
	free(json);
	expect_player_error("{\"name\":\"bob\",\"password\":\"abcd\\u0000efgh\"}", "password",
			    "must not contain NUL characters");
	expect_player_error("{\"name\":\"bob\",\"password\":null}", "password", "must be a string");
	expect_player_error("{\"name\":\"bob\",\"password\":12345678}", "password", "must be a string");
	/* anything else goes, colons and spaces included */
	result = run_player("{\"name\":\"bob\",\"password\":\" p:a\\ts s \"}");
	assert_int_equal(result.status, VALIDATE_OK);
	assert_string_equal(result.player.password, " p:a\ts s ");
	outcome_free(&result);
	assert_null(result.player.password);
}

static void test_unknown_fields(void **state)
{
	struct outcome result;

	(void)state;
	expect_player_error("{\"name\":\"bob\",\"hitpoints\":5}", "hitpoints", "unknown field");
	expect_player_error("{\"name\":\"bob\",\"Name\":\"x\"}", "Name", "unknown field");
	expect_player_error("{\"name\":\"bob\",\"id\":1}", "id", "unknown field");
	expect_player_error("{\"name\":\"bob\",\"score\":0}", "score", "unknown field");
	expect_player_error("{\"name\":\"bob\",\"\":0}", "", "unknown field");
	expect_player_error("{\"name\":\"bob\",\"x\\ud800\":0}", "x\xef\xbf\xbd", "unknown field");

	result = run_player("{\"name\":\"bob\",\"a\":1,\"b\":null,\"c\":{\"d\":[]}}");
	assert_invalid(&result, "three unknown", "a", "unknown field");
	assert_invalid(&result, "three unknown", "b", "unknown field");
	assert_invalid(&result, "three unknown", "c", "unknown field");
	assert_int_equal(json_object_object_length(result.fields), 3);
	outcome_free(&result);
}

static void test_duplicate_keys_last_wins(void **state)
{
	struct outcome result = run_player("{\"name\":\"\",\"name\":\"bob\",\"gold\":\"x\",\"gold\":7}");

	(void)state;
	assert_int_equal(result.status, VALIDATE_OK);
	assert_string_equal(result.player.name, "bob");
	assert_int_equal(result.player.attributes.gold, 7);
	outcome_free(&result);
	expect_player_error("{\"name\":\"bob\",\"name\":\"admin\"}", "name", "is reserved");
}

static void test_all_errors_at_once(void **state)
{
	const char *json = "{\"name\":\"\",\"description\":5,\"gold\":-1,\"silver\":1.5,\"attack\":0,"
			   "\"hit_points\":\"100\",\"luck\":91,\"password\":\"short\",\"hitpoints\":1}";
	struct outcome result = run_player(json);

	(void)state;
	assert_invalid(&result, json, "name", "must be 1 to 20 characters");
	assert_invalid(&result, json, "description", "must be a string");
	assert_invalid(&result, json, "gold", "must be between 0 and 1000000000");
	assert_invalid(&result, json, "silver", "must be an integer");
	assert_invalid(&result, json, "attack", "must be between 1 and 1000");
	assert_invalid(&result, json, "hit_points", "must be an integer");
	assert_invalid(&result, json, "luck", "must be between 0 and 90");
	assert_invalid(&result, json, "password", "must be 8 to 128 bytes");
	assert_invalid(&result, json, "hitpoints", "unknown field");
	assert_int_equal(json_object_object_length(result.fields), 9);
	outcome_free(&result);

	/* missing name is reported along with the rest */
	result = run_player("{\"luck\":-5}");
	assert_invalid(&result, "{\"luck\":-5}", "name", "is required");
	assert_invalid(&result, "{\"luck\":-5}", "luck", "must be between 0 and 90");
	assert_int_equal(json_object_object_length(result.fields), 2);
	outcome_free(&result);
}

static void test_fields_are_added_to(void **state)
{
	struct outcome result = {0};
	struct json_body body;

	(void)state;
	/* a caller may have found a header problem already */
	assert_int_equal(field_error_add(&result.fields, "Idempotency-Key",
					 "must be 1 to 255 visible ASCII characters"), 0);
	parse_body("{\"name\":\"bob\"}", &body);
	result.status = player_create_validate(&body, &result.player, &result.fields);
	assert_int_equal(result.status, VALIDATE_OK);
	assert_int_equal(json_object_object_length(result.fields), 1);
	player_create_free(&result.player);
	result.status = battle_submit_validate(&body, &result.battle, &result.fields);
	assert_int_equal(result.status, VALIDATE_INVALID);
	assert_invalid(&result, "kept", "Idempotency-Key", "must be 1 to 255 visible ASCII characters");
	assert_invalid(&result, "added", "attacker_id", "is required");
	assert_invalid(&result, "added", "name", "unknown field");
	json_body_free(&body);
	outcome_free(&result);
}

static void test_body_precondition(void **state)
{
	struct json_body body = {NULL, false};
	struct player_create player;
	struct battle_submit battle;
	json_object *fields = NULL;

	(void)state;
	assert_int_equal(player_create_validate(&body, &player, &fields), VALIDATE_INVALID);
	assert_null(player.name);
	assert_int_equal(battle_submit_validate(NULL, &battle, &fields), VALIDATE_INVALID);
	json_object_put(fields);
}

/* ---- battles ------------------------------------------------------------- */

static void test_battle_ok(void **state)
{
	struct outcome result = run_battle("{\"attacker_id\":1,\"defender_id\":2}");

	(void)state;
	assert_int_equal(result.status, VALIDATE_OK);
	assert_null(result.fields);
	assert_int_equal(result.battle.attacker_id, 1);
	assert_int_equal(result.battle.defender_id, 2);
	outcome_free(&result);

	result = run_battle("{\"defender_id\":9007199254740991,\"attacker_id\":9007199254740990}");
	assert_int_equal(result.status, VALIDATE_OK);
	assert_int_equal(result.battle.attacker_id, INT64_C(9007199254740990));
	assert_int_equal(result.battle.defender_id, INT64_C(9007199254740991));
	outcome_free(&result);
}

static void test_battle_errors(void **state)
{
	static const char range[] = "must be between 1 and 9007199254740991";
	struct outcome result;

	(void)state;
	result = run_battle("{}");
	assert_invalid(&result, "{}", "attacker_id", "is required");
	assert_invalid(&result, "{}", "defender_id", "is required");
	outcome_free(&result);

	expect_battle_error("{\"attacker_id\":1}", "defender_id", "is required");
	expect_battle_error("{\"defender_id\":1}", "attacker_id", "is required");
	expect_battle_error("{\"attacker_id\":3,\"defender_id\":3}", "defender_id", "must differ from attacker_id");
	expect_battle_error("{\"attacker_id\":0,\"defender_id\":2}", "attacker_id", range);
	expect_battle_error("{\"attacker_id\":-1,\"defender_id\":2}", "attacker_id", range);
	expect_battle_error("{\"attacker_id\":1,\"defender_id\":9007199254740992}", "defender_id", range);
	expect_battle_error("{\"attacker_id\":1,\"defender_id\":99999999999999999999}", "defender_id", range);
	expect_battle_error("{\"attacker_id\":1,\"defender_id\":-99999999999999999999}", "defender_id", range);
	expect_battle_error("{\"attacker_id\":\"1\",\"defender_id\":2}", "attacker_id", "must be an integer");
	expect_battle_error("{\"attacker_id\":1.0,\"defender_id\":2}", "attacker_id", "must be an integer");
	expect_battle_error("{\"attacker_id\":1e0,\"defender_id\":2}", "attacker_id", "must be an integer");
	expect_battle_error("{\"attacker_id\":null,\"defender_id\":2}", "attacker_id", "must be an integer");
	expect_battle_error("{\"attacker_id\":true,\"defender_id\":2}", "attacker_id", "must be an integer");
	expect_battle_error("{\"attacker_id\":1,\"defender_id\":2,\"attacker\":1}", "attacker", "unknown field");

	/* equal but invalid: the range is reported, not the difference */
	result = run_battle("{\"attacker_id\":0,\"defender_id\":0}");
	assert_invalid(&result, "0/0", "attacker_id", range);
	assert_invalid(&result, "0/0", "defender_id", range);
	outcome_free(&result);

	/* equal and an unknown field: both reported */
	result = run_battle("{\"attacker_id\":4,\"defender_id\":4,\"x\":1}");
	assert_invalid(&result, "4/4/x", "defender_id", "must differ from attacker_id");
	assert_invalid(&result, "4/4/x", "x", "unknown field");
	/* ids valid by themselves are handed out for the caller's 403 check */
	assert_int_equal(result.battle.attacker_id, 4);
	assert_int_equal(result.battle.defender_id, 4);
	outcome_free(&result);

	result = run_battle("{\"attacker_id\":7,\"defender_id\":\"8\"}");
	assert_invalid(&result, "7/\"8\"", "defender_id", "must be an integer");
	assert_int_equal(result.battle.attacker_id, 7);
	assert_int_equal(result.battle.defender_id, 0);
	outcome_free(&result);

	result = run_battle("{\"attacker_id\":0,\"defender_id\":8}");
	assert_int_equal(result.battle.attacker_id, 0);
	assert_int_equal(result.battle.defender_id, 8);
	outcome_free(&result);
}

/* ---- Idempotency-Key ----------------------------------------------------- */

static void test_idempotency_key(void **state)
{
	char visible[0x7F - 0x21 + 1];
	char *key;

	(void)state;
	assert_false(idempotency_key_valid(NULL));
	assert_false(idempotency_key_valid(""));
	assert_true(idempotency_key_valid("a"));
	assert_true(idempotency_key_valid("550e8400-e29b-41d4-a716-446655440000"));
	key = repeat("k", 255);
	assert_true(idempotency_key_valid(key));
	free(key);
	key = repeat("k", 256);
	assert_false(idempotency_key_valid(key));
	free(key);
	key = repeat("k", 10000);
	assert_false(idempotency_key_valid(key));
	free(key);
	for (int c = 0x21; c <= 0x7E; c++)
		visible[c - 0x21] = (char)c;
	visible[sizeof(visible) - 1] = '\0';
	assert_true(idempotency_key_valid(visible));
	assert_false(idempotency_key_valid("a b"));
	assert_false(idempotency_key_valid(" a"));
	assert_false(idempotency_key_valid("a "));
	assert_false(idempotency_key_valid("a\tb"));
	assert_false(idempotency_key_valid("a\x7f"));
	assert_false(idempotency_key_valid("\x01"));
	assert_false(idempotency_key_valid("caf\xc3\xa9"));
	assert_false(idempotency_key_valid("\xff"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_decode_count),
		cmocka_unit_test(test_utf8_has_control),
		cmocka_unit_test(test_player_defaults),
		cmocka_unit_test(test_player_all_fields),
		cmocka_unit_test(test_name_required_and_type),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_name_content),
		cmocka_unit_test(test_name_unicode),
		cmocka_unit_test(test_description),
		cmocka_unit_test(test_integer_bounds),
		cmocka_unit_test(test_integer_types),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_unknown_fields),
		cmocka_unit_test(test_duplicate_keys_last_wins),
		cmocka_unit_test(test_all_errors_at_once),
		cmocka_unit_test(test_fields_are_added_to),
		cmocka_unit_test(test_body_precondition),
		cmocka_unit_test(test_battle_ok),
		cmocka_unit_test(test_battle_errors),
		cmocka_unit_test(test_idempotency_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
