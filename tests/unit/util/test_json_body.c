/* SPDX-License-Identifier: ISC */
/* test_json_body.c — what json_body_parse() takes for a JSON object and what
 * it refuses (415 or 400), including every json-c 0.16 leniency it must undo. */
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

#define JSON "application/json"

/* A body as a literal, NUL bytes included: its length is the literal's. */
#define BODY(literal) literal, sizeof(literal) - 1

struct parse_case {
	const char *content_type;
	const char *body;
	size_t length;
	enum json_body_status expected;
	bool lone_surrogate;	/* expected flag when OK */
};

static void run_cases(const struct parse_case *cases, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct json_body body = {(json_object *)1, true};	/* must be overwritten */
		enum json_body_status status = json_body_parse(cases[i].content_type, cases[i].body,
							       cases[i].length, &body);

		if (status != cases[i].expected)
			fail_msg("case %zu (%.*s): status %d, expected %d", i, (int)cases[i].length,
				 cases[i].body ? cases[i].body : "", status, cases[i].expected);
		if (status == JSON_BODY_OK) {
			assert_true(json_object_is_type(body.object, json_type_object));
			if (body.has_lone_surrogate != cases[i].lone_surrogate)
				fail_msg("case %zu (%.*s): lone surrogate %d", i, (int)cases[i].length,
					 cases[i].body, body.has_lone_surrogate);
		} else {
			assert_null(body.object);
			assert_false(body.has_lone_surrogate);
		}
		json_body_free(&body);
	}
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(cases[0]))

static void test_media_types(void **state)
{
	static const char *const accepted[] = {
		"application/json", "APPLICATION/JSON", "Application/Json",
		"application/json; charset=utf-8", "application/json;charset=UTF-8",
		"application/json ; charset=\"utf-8\"", "application/json; charset=utf8",
		"  application/json  ", "application/json;", "\tapplication/json\t;\tcharset=utf-8",
		"application/json; foo=bar; charset=utf-8", "application/json; foo=\"a;b\"",
	};
	static const char *const refused[] = {
		"", " ", "application/jsonx", "text/json", "application/json+x",
		"application/problem+json", "application/x-www-form-urlencoded", "text/plain",
		"application/json; charset=iso-8859-1", "application/json; charset=\"latin1\"",
		"application/json; charset", "application/json; charset=", "application/json x",
		"application/json; charset=\"utf-8", "application/json, text/plain",
		"application/json/x", "application/", "json", "application /json",
	};

	(void)state;
	assert_false(json_media_type_ok(NULL));
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
		if (!json_media_type_ok(accepted[i]))
			fail_msg("refused \"%s\"", accepted[i]);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (json_media_type_ok(refused[i]))
			fail_msg("accepted \"%s\"", refused[i]);
}

static void test_media_type_before_json(void **state)
{
	static const struct parse_case cases[] = {
		{NULL, BODY("{}"), JSON_BODY_UNSUPPORTED_MEDIA_TYPE, false},
		{"text/plain", BODY("{}"), JSON_BODY_UNSUPPORTED_MEDIA_TYPE, false},
		{"text/json", BODY("{\"a\":1}"), JSON_BODY_UNSUPPORTED_MEDIA_TYPE, false},
		{"application/jsonx", BODY("{}"), JSON_BODY_UNSUPPORTED_MEDIA_TYPE, false},
		/* a non-empty body that is not JSON still gets 415 first */
		{"text/plain", BODY("not json"), JSON_BODY_UNSUPPORTED_MEDIA_TYPE, false},
		{NULL, BODY(" "), JSON_BODY_UNSUPPORTED_MEDIA_TYPE, false},
		{"Application/JSON; Charset=UTF-8", BODY("{}"), JSON_BODY_OK, false},
	};

	(void)state;
	RUN(cases);
}

static void test_empty_body(void **state)
{
	static const struct parse_case cases[] = {
		{JSON, BODY(""), JSON_BODY_BAD_JSON, false},
		{NULL, BODY(""), JSON_BODY_BAD_JSON, false},
		{"text/plain", BODY(""), JSON_BODY_BAD_JSON, false},
		{JSON, NULL, 0, JSON_BODY_BAD_JSON, false},
		{JSON, BODY(" \r\n\t"), JSON_BODY_BAD_JSON, false},
	};

	(void)state;
	RUN(cases);
}

static void test_not_json(void **state)
{
	static const struct parse_case cases[] = {
		{JSON, BODY("hello"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\" 1}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":1 \"b\":2}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{'a':1}"), JSON_BODY_BAD_JSON, false},	/* json-c strict takes it */
		{JSON, BODY("{\"a\":'x'}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{a:1}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":1,}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{,}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":[1,]}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":[,1]}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":1/*c*/}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":1}//c"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":True}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":nul}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":undefined}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"\\x\"}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"\\u00zz\"}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"\\U0041\"}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"\\'\"}"), JSON_BODY_BAD_JSON, false},
		/* raw control characters are not allowed inside strings */
		{JSON, BODY("{\"a\":\"x\ty\"}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"x\ny\"}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"x\001y\"}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"x\0y\"}"), JSON_BODY_BAD_JSON, false},
		/* NUL outside strings */
		{JSON, BODY("\0{}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\0}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":1\0}"), JSON_BODY_BAD_JSON, false},
		/* escaped controls are fine: they are the validator's business */
		{JSON, BODY("{\"a\":\"x\\ty\\u0001\\n\\\"\\\\\\/\\b\\f\\r\"}"), JSON_BODY_OK, false},
	};

	(void)state;
	RUN(cases);
}

static void test_numbers(void **state)
{
	static const struct parse_case cases[] = {
		{JSON, BODY("{\"a\":NaN}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":nan}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":Infinity}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":-Infinity}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":inf}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":[NaN]}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":-01}"), JSON_BODY_BAD_JSON, false},	/* json-c strict takes it */
		{JSON, BODY("{\"a\":01}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":1.}"), JSON_BODY_BAD_JSON, false},	/* json-c strict takes it */
		{JSON, BODY("{\"a\":.5}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":+1}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":0x10}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":1e}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":1e+}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":-}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":1 2}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":0}"), JSON_BODY_OK, false},
		{JSON, BODY("{\"a\":-0}"), JSON_BODY_OK, false},
		{JSON, BODY("{\"a\":1E5}"), JSON_BODY_OK, false},
		{JSON, BODY("{\"a\":-0.5e-3}"), JSON_BODY_OK, false},
		{JSON, BODY("{\"a\":1e+2}"), JSON_BODY_OK, false},
		{JSON, BODY("{\"a\":1e400}"), JSON_BODY_OK, false},	/* valid JSON; a double */
		{JSON, BODY("{\"a\":99999999999999999999}"), JSON_BODY_OK, false},
	};

	(void)state;
	RUN(cases);
}

static void test_top_level_must_be_object(void **state)
{
	static const struct parse_case cases[] = {
		{JSON, BODY("[]"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("[{\"a\":1}]"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("1"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("-1.5"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("\"s\""), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("true"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("false"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("null"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{}"), JSON_BODY_OK, false},
		{JSON, BODY(" \r\n\t{ } \r\n\t"), JSON_BODY_OK, false},
		{JSON, BODY("{\"a\":true,\"b\":false,\"c\":null,\"d\":[],\"e\":{},\"f\":[1,\"x\",[{}]]}"),
		 JSON_BODY_OK, false},
		{JSON, BODY("{ \"a\" : [ 1 , 2 ] , \"b\" : { } }"), JSON_BODY_OK, false},
	};

	(void)state;
	RUN(cases);
}

static void test_truncated_and_trailing(void **state)
{
	static const struct parse_case cases[] = {
		{JSON, BODY("{\"a\":1"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\""), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"abc"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"\\"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"\\u12"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"\\u12\"}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":tru"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":[1,2"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{} x"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{}{}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{},"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{}\0"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{}\v"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{}\f"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{}]"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{} \r\n\t"), JSON_BODY_OK, false},
	};

	(void)state;
	RUN(cases);
}

/* "{"a": [[...[1]...]]}" with `levels` containers in all (the object included). */
static char *nested_body(size_t levels, size_t *length)
{
	size_t arrays = levels - 1;
	char *text = malloc(2 * arrays + 16);
	size_t n = 0;

	assert_non_null(text);
	n += (size_t)sprintf(text, "{\"a\":");
	for (size_t i = 0; i < arrays; i++)
		text[n++] = '[';
	text[n++] = '1';
	for (size_t i = 0; i < arrays; i++)
		text[n++] = ']';
	text[n++] = '}';
	text[n] = '\0';
	*length = n;
	return text;
}

/* {"a":{"a":...{"a":1}...}} with `levels` objects. */
static char *nested_objects(size_t levels, size_t *length)
{
	char *text = malloc(6 * levels + 2);
	size_t n = 0;

	assert_non_null(text);
	for (size_t i = 0; i < levels; i++) {
		memcpy(text + n, "{\"a\":", 5);
		n += 5;
	}
	text[n++] = '1';
	for (size_t i = 0; i < levels; i++)
		text[n++] = '}';
	text[n] = '\0';
	*length = n;
	return text;
}

static void test_nesting_depth(void **state)
{
	struct json_body body;
	size_t length;
	char *text;

	(void)state;
	text = nested_body(JSON_BODY_MAX_DEPTH, &length);
	assert_int_equal(json_body_parse(JSON, text, length, &body), JSON_BODY_OK);
	json_body_free(&body);
	free(text);

	text = nested_body(JSON_BODY_MAX_DEPTH + 1, &length);
	assert_int_equal(json_body_parse(JSON, text, length, &body), JSON_BODY_BAD_JSON);
	json_body_free(&body);
	free(text);

	/* far past the limit: refused without deep recursion */
	text = nested_body(60000, &length);
	assert_int_equal(json_body_parse(JSON, text, length, &body), JSON_BODY_BAD_JSON);
	json_body_free(&body);
	free(text);

	text = nested_objects(JSON_BODY_MAX_DEPTH, &length);
	assert_int_equal(json_body_parse(JSON, text, length, &body), JSON_BODY_OK);
	json_body_free(&body);
	free(text);

	text = nested_objects(JSON_BODY_MAX_DEPTH + 1, &length);
	assert_int_equal(json_body_parse(JSON, text, length, &body), JSON_BODY_BAD_JSON);
	json_body_free(&body);
	free(text);

	text = nested_objects(12000, &length);
	assert_int_equal(json_body_parse(JSON, text, length, &body), JSON_BODY_BAD_JSON);
	json_body_free(&body);
	free(text);

	/* unclosed nesting */
	text = nested_body(8, &length);
	assert_int_equal(json_body_parse(JSON, text, length - 3, &body), JSON_BODY_BAD_JSON);
	json_body_free(&body);
	free(text);
}

static void test_utf8(void **state)
{
	static const struct parse_case cases[] = {
		{JSON, BODY("{\"a\":\"\xff\"}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"\x80\"}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"\xe2\x82\"}"), JSON_BODY_BAD_JSON, false},	/* truncated € */
		{JSON, BODY("{\"a\":\"\xe2\x82"), JSON_BODY_BAD_JSON, false},
		/* overlong '/' and NUL, surrogate, past U+10FFFF: json-c 0.16 takes all four */
		{JSON, BODY("{\"a\":\"\xc0\xaf\"}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"\xc0\x80\"}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"\xe0\x80\xaf\"}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"\xf0\x80\x80\xaf\"}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"\xed\xa0\x80\"}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"a\":\"\xf4\x90\x80\x80\"}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("{\"\xc0\xaf\":1}"), JSON_BODY_BAD_JSON, false},
		{JSON, BODY("\xef\xbb\xbf{}"), JSON_BODY_BAD_JSON, false},	/* byte-order mark */
		{JSON, BODY("{\"a\":1}\xc2\xa0"), JSON_BODY_BAD_JSON, false},	/* NBSP is not JSON whitespace */
		{JSON, BODY("{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"}"), JSON_BODY_OK, false},
		{JSON, BODY("{\"\xc3\xa9\":\"\xef\xbf\xbd\"}"), JSON_BODY_OK, false},	/* a real U+FFFD is fine */
	};

	(void)state;
	RUN(cases);
}

static void test_lone_surrogates(void **state)
{
	static const struct parse_case cases[] = {
		{JSON, BODY("{\"a\":\"\\ud800\"}"), JSON_BODY_OK, true},
		{JSON, BODY("{\"a\":\"\\udc00\"}"), JSON_BODY_OK, true},
		{JSON, BODY("{\"a\":\"\\uDFFF\"}"), JSON_BODY_OK, true},
		{JSON, BODY("{\"a\":\"\\ud800x\"}"), JSON_BODY_OK, true},
		{JSON, BODY("{\"a\":\"\\ud800\\u0041\"}"), JSON_BODY_OK, true},
		{JSON, BODY("{\"a\":\"\\ud800\\ud800\"}"), JSON_BODY_OK, true},
		{JSON, BODY("{\"a\":\"\\udc00\\ud800\"}"), JSON_BODY_OK, true},	/* halves swapped */
		{JSON, BODY("{\"a\":\"\\ud800\\n\"}"), JSON_BODY_OK, true},
		{JSON, BODY("{\"a\":\"\\\\\\ud800\"}"), JSON_BODY_OK, true},	/* \\ then a real \ud800 */
		{JSON, BODY("{\"\\ud800\":1}"), JSON_BODY_OK, true},	/* in a key */
		{JSON, BODY("{\"a\":[\"ok\",\"\\udbff\"]}"), JSON_BODY_OK, true},
		{JSON, BODY("{\"a\":\"\\ud83d\\ude00\"}"), JSON_BODY_OK, false},
		{JSON, BODY("{\"a\":\"\\uD83D\\uDE00\"}"), JSON_BODY_OK, false},
		{JSON, BODY("{\"a\":\"\\udbff\\udfff\"}"), JSON_BODY_OK, false},
		{JSON, BODY("{\"a\":\"\\\\ud800\"}"), JSON_BODY_OK, false},	/* a literal backslash */
		{JSON, BODY("{\"a\":\"\\ud7ff\\ue000\\ufffd\"}"), JSON_BODY_OK, false},
	};

	(void)state;
	RUN(cases);
}

static json_object *parse_ok(const char *text, size_t length, struct json_body *body)
{
	assert_int_equal(json_body_parse(JSON, text, length, body), JSON_BODY_OK);
	return body->object;
}

static void test_decoded_values(void **state)
{
	struct json_body body;
	json_object *value;

	(void)state;
	/* a correct pair decodes to the one code point */
	assert_true(json_object_object_get_ex(parse_ok(BODY("{\"a\":\"\\ud83d\\ude00\"}"), &body), "a", &value));
	assert_int_equal(json_object_get_string_len(value), 4);
	assert_memory_equal(json_object_get_string(value), "\xf0\x9f\x98\x80", 4);
	json_body_free(&body);

	/* an escaped backslash keeps "\ud800" as six characters */
	assert_true(json_object_object_get_ex(parse_ok(BODY("{\"a\":\"\\\\ud800\"}"), &body), "a", &value));
	assert_string_equal(json_object_get_string(value), "\\ud800");
	json_body_free(&body);

	/* a lone surrogate comes out as U+FFFD, hence the flag */
	assert_true(json_object_object_get_ex(parse_ok(BODY("{\"a\":\"\\ud800\"}"), &body), "a", &value));
	assert_string_equal(json_object_get_string(value), "\xef\xbf\xbd");
	assert_true(body.has_lone_surrogate);
	json_body_free(&body);

	/* \u0000 in a value is kept (validate.c refuses it where it matters) */
	assert_true(json_object_object_get_ex(parse_ok(BODY("{\"a\":\"x\\u0000y\"}"), &body), "a", &value));
	assert_int_equal(json_object_get_string_len(value), 3);
	assert_memory_equal(json_object_get_string(value), "x\0y", 3);
	json_body_free(&body);

	/* duplicate keys: the last one wins */
	assert_true(json_object_object_get_ex(parse_ok(BODY("{\"a\":1,\"a\":2}"), &body), "a", &value));
	assert_int_equal(json_object_get_int64(value), 2);
	assert_int_equal(json_object_object_length(body.object), 1);
	json_body_free(&body);
	json_body_free(&body);	/* freeing twice is harmless */
}

static void test_key_with_nul_kept_as_sent(void **state)
{
	struct json_body body;
	json_object *value;
	static const struct parse_case cases[] = {
		{JSON, BODY("{\"a\":{\"b\\u0000\":1}}"), JSON_BODY_OK, false},
		{JSON, BODY("{\"\":1}"), JSON_BODY_OK, false},
	};

	(void)state;
	RUN(cases);
	/* json-c would cut the key to "name": it stays its escaped spelling,
	 * which no field has, beside a real "name" and a value's \u0000. */
	parse_ok(BODY("{\"name\\u0000x\":\"bob\",\"\\u0000\\u0000\":\"a\\u0000\",\"name\":1}"), &body);
	assert_int_equal(json_object_object_length(body.object), 3);
	assert_true(json_object_object_get_ex(body.object, "name\\u0000x", &value));
	assert_string_equal(json_object_get_string(value), "bob");
	assert_true(json_object_object_get_ex(body.object, "\\u0000\\u0000", &value));
	assert_int_equal(json_object_get_string_len(value), 2);
	assert_true(json_object_object_get_ex(body.object, "name", &value));
	assert_int_equal(json_object_get_int64(value), 1);
	json_body_free(&body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_media_types),
		cmocka_unit_test(test_media_type_before_json),
		cmocka_unit_test(test_empty_body),
		cmocka_unit_test(test_not_json),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_top_level_must_be_object),
		cmocka_unit_test(test_truncated_and_trailing),
		cmocka_unit_test(test_nesting_depth),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_lone_surrogates),
		cmocka_unit_test(test_decoded_values),
		cmocka_unit_test(test_key_with_nul_kept_as_sent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
