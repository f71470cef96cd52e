/* SPDX-License-Identifier: ISC */
/* digits.h — the one strict reader of decimal digits: ids in paths and
 * tokens, leaderboard members, query parameters. Only '0'-'9': no sign,
 * no space, no base prefix (strtoll accepts all of those, and rounds
 * nothing away silently only with errno checks everywhere). */
#ifndef PT_DIGITS_H
#define PT_DIGITS_H

#include <stddef.h>
#include <stdint.h>

enum digits_status {
	DIGITS_OK = 0,
	DIGITS_NOT_DIGITS,	/* empty, or a character outside '0'-'9' (checked first) */
	DIGITS_OVERFLOW,	/* only digits, but above INT64_MAX */
};

/* text[0..length) as a number from 0 to INT64_MAX; leading zeros allowed. */
enum digits_status digits_parse(const char *text, size_t length, int64_t *value);

/* A canonical positive id: 1 to max_digits digits (at most 18), no leading
 * zero. 0 and sets *value, or -1. */
int digits_parse_positive(const char *text, size_t length, size_t max_digits, int64_t *value);

#endif
