/* SPDX-License-Identifier: ISC */
/* test_digits.c — the one strict digit reader: canonical positive ids (paths,
 * token subjects) and plain digit runs (leaderboard members, query values). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/digits.h"

static void ids_parse_strictly(void **state)
{
	(void)state;
	int64_t id = 0;
	assert_int_equal(digits_parse_positive("1", 1, 18, &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(digits_parse_positive("999999999999999999", 18, 18, &id), 0);
	assert_int_equal(id, 999999999999999999LL);
	assert_int_equal(digits_parse_positive("0", 1, 18, &id), -1);
	assert_int_equal(digits_parse_positive("", 0, 18, &id), -1);
	assert_int_equal(digits_parse_positive("+1", 2, 18, &id), -1);
	assert_int_equal(digits_parse_positive("1 ", 2, 18, &id), -1);
	assert_int_equal(digits_parse_positive("1000000000000000000", 19, 18, &id), -1);
	assert_int_equal(digits_parse_positive("12", 2, 1, &id), -1);
}

static void digit_runs_parse_with_leading_zeros_and_detect_overflow(void **state)
{
	(void)state;
	int64_t value = -1;
	assert_int_equal(digits_parse("007", 3, &value), DIGITS_OK);
	assert_int_equal(value, 7);
	assert_int_equal(digits_parse("9223372036854775807", 19, &value), DIGITS_OK);
	assert_int_equal(value, INT64_MAX);
	assert_int_equal(digits_parse("9223372036854775808", 19, &value), DIGITS_OVERFLOW);
	assert_int_equal(digits_parse("99999999999999999999999", 23, &value), DIGITS_OVERFLOW);
	/* A stray character outranks an overflow before it. */
	assert_int_equal(digits_parse("99999999999999999999x", 21, &value), DIGITS_NOT_DIGITS);
	assert_int_equal(digits_parse("", 0, &value), DIGITS_NOT_DIGITS);
	assert_int_equal(digits_parse("-1", 2, &value), DIGITS_NOT_DIGITS);
	assert_int_equal(digits_parse("1e3", 3, &value), DIGITS_NOT_DIGITS);
	assert_int_equal(digits_parse("12", 1, &value), DIGITS_OK);
	assert_int_equal(value, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids_parse_strictly),
		cmocka_unit_test(digit_runs_parse_with_leading_zeros_and_detect_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
