/* SPDX-License-Identifier: ISC */
/* test_query.c — query-string parameters against their table: defaults,
 * bounds, repeats, unknown names, signs and percent-decoding. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "http/query.h"
#include "http/response.h"

/* The leaderboard's table, as the handler will declare it. */
enum { LIMIT, OFFSET, AROUND };

static const struct query_param_spec leaderboard[] = {
	[LIMIT] = {"limit", 1, 100, 10},
	[OFFSET] = {"offset", 0, INT64_C(1000000000000000), 0},
	[AROUND] = {"around", 1, INT64_MAX, 0},
};

#define SPEC_COUNT (sizeof(leaderboard) / sizeof(leaderboard[0]))

static const char limit_range[] = "must be between 1 and 100";
static const char offset_range[] = "must be between 0 and 1000000000000000";
static const char around_range[] = "must be between 1 and 9223372036854775807";

struct parsed {
	enum validate_status status;
	struct query_values values;
	json_object *fields;
};

static struct parsed parse(const char *query)
{
	struct parsed result = {0};

	result.status = query_parse(query, leaderboard, SPEC_COUNT, &result.values, &result.fields);
	return result;
}

static void expect_values(const char *query, int64_t limit, int64_t offset, int64_t around)
{
	struct parsed result = parse(query);

	if (result.status != VALIDATE_OK)
		fail_msg("\"%s\": status %d, fields %s", query, result.status,
			 json_object_to_json_string(result.fields));
	assert_null(result.fields);
	assert_int_equal(result.values.values[LIMIT], limit);
	assert_int_equal(result.values.values[OFFSET], offset);
	assert_int_equal(result.values.values[AROUND], around);
}

static void assert_field(const struct parsed *result, const char *query, const char *name, const char *message)
{
	json_object *value;

	if (result->status != VALIDATE_INVALID)
		fail_msg("\"%s\": status %d, expected invalid on %s", query, result->status, name);
	if (!json_object_object_get_ex(result->fields, name, &value) ||
	    strcmp(json_object_get_string(value), message) != 0)
		fail_msg("\"%s\": fields %s, expected %s: %s", query,
			 json_object_to_json_string(result->fields), name, message);
}

/* Exactly one error, on `name`. */
static void expect_error(const char *query, const char *name, const char *message)
{
	struct parsed result = parse(query);

	assert_field(&result, query, name, message);
	assert_int_equal(json_object_object_length(result.fields), 1);
	json_object_put(result.fields);
}

static void test_defaults(void **state)
{
	struct parsed result;

	(void)state;
	expect_values(NULL, 10, 0, 0);
	expect_values("", 10, 0, 0);
	expect_values("&", 10, 0, 0);
	expect_values("&&", 10, 0, 0);
	result = parse(NULL);
	for (size_t i = 0; i < SPEC_COUNT; i++)
		assert_false(result.values.present[i]);
}

static void test_given_values(void **state)
{
	struct parsed result;

	(void)state;
	expect_values("limit=5", 5, 0, 0);
	expect_values("offset=30&limit=20", 20, 30, 0);
	expect_values("around=7&limit=3", 3, 0, 7);
	expect_values("&limit=5&&offset=2&", 5, 2, 0);
	expect_values("limit=007", 7, 0, 0);	/* leading zeros are still decimal */
	expect_values("offset=0000", 10, 0, 0);
	result = parse("offset=0");
	assert_int_equal(result.status, VALIDATE_OK);
	assert_false(result.values.present[LIMIT]);
	assert_true(result.values.present[OFFSET]);
	assert_false(result.values.present[AROUND]);
}

static void test_bounds(void **state)
{
	(void)state;
	expect_error("limit=0", "limit", limit_range);
	expect_values("limit=1", 1, 0, 0);
	expect_values("limit=100", 100, 0, 0);
	expect_error("limit=101", "limit", limit_range);
	expect_values("offset=0", 10, 0, 0);
	expect_values("offset=1000000000000000", 10, INT64_C(1000000000000000), 0);
	expect_error("offset=1000000000000001", "offset", offset_range);
	expect_error("around=0", "around", around_range);
	expect_values("around=1", 10, 0, 1);
	expect_values("around=9223372036854775807", 10, 0, INT64_MAX);
	expect_error("around=9223372036854775808", "around", around_range);
}

static void test_huge_numbers(void **state)
{
	(void)state;
	expect_error("limit=4294967297", "limit", limit_range);	/* would wrap a 32-bit int to 1 */
	expect_error("limit=18446744073709551617", "limit", limit_range);	/* would wrap 64 bits to 1 */
	expect_error("limit=99999999999999999999999999999999999999", "limit", limit_range);
	expect_error("offset=99999999999999999999", "offset", offset_range);
	expect_error("around=18446744073709551615", "around", around_range);
	expect_error("around=99999999999999999999", "around", around_range);
}

static void test_signs(void **state)
{
	(void)state;
	expect_error("limit=-1", "limit", limit_range);
	expect_error("limit=-0", "limit", limit_range);
	expect_error("offset=-0", "offset", offset_range);
	expect_error("offset=-1", "offset", offset_range);
	expect_error("offset=-99999999999999999999", "offset", offset_range);
	expect_error("limit=%2D5", "limit", limit_range);	/* an encoded '-' is a '-' */
	expect_error("limit=+1", "limit", "must be an integer");	/* '+' is a space */
	expect_error("limit=%2B1", "limit", "must be an integer");
	expect_error("limit=-", "limit", "must be an integer");
	expect_error("limit=--1", "limit", "must be an integer");
	expect_error("limit=-x", "limit", "must be an integer");
}

static void test_not_integers(void **state)
{
	static const char *const queries[] = {
		"limit=1e3", "limit=1E1", "limit=0x10", "limit=1.0", "limit=1.", "limit=%201",
		"limit=1%20", "limit=abc", "limit=5abc", "limit=\xd9\xa1", "limit=%00",
		"limit=1%00", "limit=1=2", "limit=%EF%BC%91",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
		expect_error(queries[i], "limit", "must be an integer");
}

static void test_empty_value(void **state)
{
	(void)state;
	expect_error("limit=", "limit", "must not be empty");
	expect_error("limit", "limit", "must not be empty");
	expect_error("limit=&offset=1", "limit", "must not be empty");
	expect_error("offset=1&limit", "limit", "must not be empty");
}

static void test_repeats(void **state)
{
	(void)state;
	expect_error("limit=5&limit=5", "limit", "must be given once");
	expect_error("limit=5&limit=6", "limit", "must be given once");
	expect_error("limit=x&limit=5", "limit", "must be given once");
	expect_error("limit=5&limit=", "limit", "must be given once");
	expect_error("limit=1&offset=2&limit=3", "limit", "must be given once");
	expect_error("limit=1&lim%69t=1", "limit", "must be given once");
	expect_error("limit&limit", "limit", "must be given once");
}

static void test_unknown(void **state)
{
	(void)state;
	expect_error("foo=1", "foo", "unknown parameter");
	expect_error("limit=5&foo", "foo", "unknown parameter");
	expect_error("Limit=5", "Limit", "unknown parameter");
	expect_error("limit =5", "limit ", "unknown parameter");
	expect_error("limit+=5", "limit ", "unknown parameter");
	expect_error("=5", "", "unknown parameter");
	expect_error("foo=1&foo=2", "foo", "unknown parameter");
	expect_error("%C3%A9=1", "\xc3\xa9", "unknown parameter");	/* printable UTF-8: decoded */
	expect_error("\xc3\xa9=1", "\xc3\xa9", "unknown parameter");
	/* not printable UTF-8 once decoded: the raw name, made safe for JSON */
	expect_error("%ff=1", "%ff", "unknown parameter");
	expect_error("\xff=1", "%FF", "unknown parameter");
	expect_error("a%0Ab=1", "a%0Ab", "unknown parameter");
	expect_error("lim%00it=1", "lim%00it", "unknown parameter");
	expect_error("%zz=1", "%zz", "unknown parameter");
	expect_error("a\x01 b=1", "a%01%20b", "unknown parameter");
}

static void test_percent_decoding(void **state)
{
	(void)state;
	expect_values("limit=%31", 1, 0, 0);
	expect_values("limit=%31%30", 10, 0, 0);
	expect_values("lim%69t=5", 5, 0, 0);
	expect_values("%6C%69%6D%69%74=5", 5, 0, 0);
	expect_values("%6c%69%6d%69%74=%35", 5, 0, 0);
	expect_error("limit=%", "limit", "has an invalid percent-encoding");
	expect_error("limit=%3", "limit", "has an invalid percent-encoding");
	expect_error("limit=1%", "limit", "has an invalid percent-encoding");
	expect_error("limit=%zz", "limit", "has an invalid percent-encoding");
	expect_error("limit=%3g", "limit", "has an invalid percent-encoding");
	expect_error("limit=%%31", "limit", "has an invalid percent-encoding");
}

static void test_all_errors_at_once(void **state)
{
	const char *query = "limit=0&offset=-1&foo=1&around=x&around=1&bar";
	struct parsed result = parse(query);

	(void)state;
	assert_field(&result, query, "limit", limit_range);
	assert_field(&result, query, "offset", offset_range);
	assert_field(&result, query, "foo", "unknown parameter");
	assert_field(&result, query, "around", "must be given once");
	assert_field(&result, query, "bar", "unknown parameter");
	assert_int_equal(json_object_object_length(result.fields), 5);
	json_object_put(result.fields);
}

static void test_other_tables(void **state)
{
	static const struct query_param_spec battles[] = {
		{"limit", 1, 100, 20},
		{"offset", 0, INT64_C(1000000000000000), 0},
	};
	static const struct query_param_spec too_many[QUERY_MAX_PARAMS + 1] = {
		{"a", 0, 1, 0}, {"b", 0, 1, 0}, {"c", 0, 1, 0}, {"d", 0, 1, 0}, {"e", 0, 1, 0},
		{"f", 0, 1, 0}, {"g", 0, 1, 0}, {"h", 0, 1, 0}, {"i", 0, 1, 0},
	};
	struct query_values values;
	json_object *fields = NULL;

	(void)state;
	assert_int_equal(query_parse("offset=3", battles, 2, &values, &fields), VALIDATE_OK);
	assert_int_equal(values.values[0], 20);
	assert_int_equal(values.values[1], 3);
	/* around is not in this table */
	assert_int_equal(query_parse("around=3", battles, 2, &values, &fields), VALIDATE_INVALID);
	json_object_put(fields);
	fields = NULL;
	/* no table: every parameter is unknown */
	assert_int_equal(query_parse("", NULL, 0, &values, &fields), VALIDATE_OK);
	assert_int_equal(query_parse("x=1", NULL, 0, &values, &fields), VALIDATE_INVALID);
	json_object_put(fields);
	fields = NULL;
	assert_int_equal(query_parse("a=1", too_many, QUERY_MAX_PARAMS, &values, &fields), VALIDATE_OK);
	assert_int_equal(query_parse("a=1", too_many, QUERY_MAX_PARAMS + 1, &values, &fields),
			 VALIDATE_NO_MEMORY);
	assert_null(fields);
}

static void test_fields_are_added_to(void **state)
{
	struct query_values values;
	json_object *fields = NULL;

	(void)state;
	assert_int_equal(field_error_add(&fields, "earlier", "problem"), 0);
	assert_int_equal(query_parse("limit=5", leaderboard, SPEC_COUNT, &values, &fields), VALIDATE_OK);
	assert_int_equal(query_parse("limit=500", leaderboard, SPEC_COUNT, &values, &fields), VALIDATE_INVALID);
	assert_int_equal(json_object_object_length(fields), 2);
	json_object_put(fields);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_given_values),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_huge_numbers),
		cmocka_unit_test(test_signs),
		cmocka_unit_test(test_not_integers),
		cmocka_unit_test(test_empty_value),
		cmocka_unit_test(test_repeats),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_percent_decoding),
		cmocka_unit_test(test_all_errors_at_once),
		cmocka_unit_test(test_other_tables),
		cmocka_unit_test(test_fields_are_added_to),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
