/* SPDX-License-Identifier: ISC */
/* clock.c — wall and monotonic time in the units callers use. */
#include "config.h"

#include <time.h>

#include "util/clock.h"

static int64_t milliseconds_of(clockid_t clock)
{
	struct timespec now;
	clock_gettime(clock, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int64_t clock_unix_seconds(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (int64_t)now.tv_sec;
}

int64_t clock_unix_ms(void)
{
	return milliseconds_of(CLOCK_REALTIME);
}

int64_t clock_monotonic_ms(void)
{
	return milliseconds_of(CLOCK_MONOTONIC);
}

void clock_sleep_ms(int milliseconds)
{
	struct timespec pause = {milliseconds / 1000, (long)(milliseconds % 1000) * 1000000L};
	nanosleep(&pause, NULL);
}
