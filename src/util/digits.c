/* SPDX-License-Identifier: ISC */
/* digits.c — strict decimal digits (see digits.h). */
#include "config.h"

#include "util/digits.h"

enum digits_status digits_parse(const char *text, size_t length, int64_t *value)
{
	int64_t result = 0;
	int overflow = 0;
	if (length == 0)
		return DIGITS_NOT_DIGITS;
	for (size_t i = 0; i < length; i++) {
		if (text[i] < '0' || text[i] > '9')
			return DIGITS_NOT_DIGITS;
		int digit = text[i] - '0';
		/* Past INT64_MAX is all that matters: stop growing instead of wrapping. */
		if (overflow || result > (INT64_MAX - digit) / 10)
			overflow = 1;
		else
			result = result * 10 + digit;
	}
	if (overflow)
		return DIGITS_OVERFLOW;
	*value = result;
	return DIGITS_OK;
}

int digits_parse_positive(const char *text, size_t length, size_t max_digits, int64_t *value)
{
	if (length == 0 || length > max_digits || max_digits > 18 || text[0] == '0')
		return -1;
	return digits_parse(text, length, value) == DIGITS_OK ? 0 : -1;
}
