/* timefmt.c — formatting of unix seconds as RFC 3339 UTC. */
#include "config.h"

#include <time.h>

#include "timefmt.h"

int timefmt_rfc3339(int64_t unix_seconds, char out[TIMEFMT_LENGTH])
{
	struct tm broken_down;
	time_t seconds = (time_t)unix_seconds;
	if (!gmtime_r(&seconds, &broken_down))
		return -1;
	return strftime(out, TIMEFMT_LENGTH, "%Y-%m-%dT%H:%M:%SZ", &broken_down) == TIMEFMT_LENGTH - 1 ? 0 : -1;
}

int64_t timefmt_now(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (int64_t)now.tv_sec;
}

int64_t timefmt_now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}
