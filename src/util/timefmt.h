/* SPDX-License-Identifier: ISC */
/* timefmt.h — RFC 3339 UTC timestamps with second precision, the contract's only time format. */
#ifndef PT_TIMEFMT_H
#define PT_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TIMEFMT_LENGTH 21	/* "2026-11-26T03:31:28Z" plus NUL */

/* Writes unix seconds as "YYYY-MM-DDTHH:MM:SSZ". 0 or -1. */
int timefmt_rfc3339(int64_t unix_seconds, char out[TIMEFMT_LENGTH]);
/* Reads what timefmt_rfc3339 writes. 0 or -1. */
int timefmt_parse_rfc3339(const char *text, int64_t *unix_seconds);

#endif
