/* SPDX-License-Identifier: ISC */
/* query.h — query-string parameters declared as data: a table of names,
 * bounds and defaults, one parser that applies it.
 * Invariants: every spec's bounds satisfy 0 <= min <= max <= INT64_MAX
 * (values are decimal digits, so no spec can ask for a negative one);
 * values[i] and present[i] answer specs[i]. */
#ifndef PT_QUERY_H
#define PT_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "http/validate.h"	/* enum validate_status */

#define QUERY_MAX_PARAMS 8

struct query_param_spec {
	const char *name;
	int64_t min;
	int64_t max;
	int64_t default_value;
};

struct query_values {
	int64_t values[QUERY_MAX_PARAMS];
	bool present[QUERY_MAX_PARAMS];	/* given in the query, not defaulted */
};

/* Parses "a=1&b=2" (may be NULL or ""). Each spec'd parameter: optional,
 * decimal digits only (no sign/space/exponent/hex; a leading '-' gives "must
 * be between MIN and MAX"), within [min,max]; missing → default. A parameter
 * given twice → 422 ("must be given once"), an unknown parameter → 422
 * ("unknown parameter"), an empty value ("limit=" or a bare "limit") → 422.
 * Percent-encoding: %XX is decoded first (so "limit=%31" is 1), '+' is a
 * space as in HTML forms; invalid %-escapes → 422. Errors are keyed by the
 * parameter's name; an unknown name that is not printable UTF-8 once decoded
 * is reported as sent, with bytes outside 0x21–0x7E percent-encoded. Empty
 * pairs ("a=1&&b=2", a trailing '&') are skipped. Leading zeros are allowed
 * ("007" is 7).
 * *fields: as in validate.h (added to, caller always frees). spec_count ≤
 * QUERY_MAX_PARAMS, else VALIDATE_NO_MEMORY (a programming error). */
enum validate_status query_parse(const char *query_string, const struct query_param_spec *specs,
				 size_t spec_count, struct query_values *out, json_object **fields);

#endif
