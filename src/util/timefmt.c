/* SPDX-License-Identifier: ISC */
/* timefmt.c — unix seconds as RFC 3339 UTC, and back. */
#include "config.h"

#include <string.h>
#include <time.h>

#include "util/timefmt.h"

int timefmt_rfc3339(int64_t unix_seconds, char out[TIMEFMT_LENGTH])
{
	struct tm broken_down;
	time_t seconds = (time_t)unix_seconds;
	if (!gmtime_r(&seconds, &broken_down))
		return -1;
	return strftime(out, TIMEFMT_LENGTH, "%Y-%m-%dT%H:%M:%SZ", &broken_down) == TIMEFMT_LENGTH - 1 ? 0 : -1;
}

int timefmt_parse_rfc3339(const char *text, int64_t *unix_seconds)
{
	struct tm broken_down;
	const char *end;
	memset(&broken_down, 0, sizeof(broken_down));
	end = text ? strptime(text, "%Y-%m-%dT%H:%M:%SZ", &broken_down) : NULL;
	if (!end || *end)
		return -1;
	*unix_seconds = (int64_t)timegm(&broken_down);
	return 0;
}
