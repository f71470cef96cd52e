/* SPDX-License-Identifier: ISC */
/* clock.h — the time the programs read and the pauses they take: wall
 * time for what the contract shows and for deadlines shared with Redis,
 * the monotonic clock for measuring intervals. */
#ifndef PT_CLOCK_H
#define PT_CLOCK_H

#include <stdint.h>

int64_t clock_unix_seconds(void);
int64_t clock_unix_ms(void);
int64_t clock_monotonic_ms(void);
/* Sleeps about milliseconds; a signal may end it early. */
void clock_sleep_ms(int milliseconds);

#endif
