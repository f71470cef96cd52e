/* auth_throttle.h — failed authentication counted per client address in
 * Redis, so every responder on every node sees the same count: after
 * AUTH_THROTTLE_FAILURES failures within AUTH_THROTTLE_WINDOW_SECONDS of the
 * first, that address is refused (429) on routes that need credentials
 * until the window has passed. Keys: pt:authfail:ADDRESS, expiring with
 * their window. */
#ifndef PT_AUTH_THROTTLE_H
#define PT_AUTH_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#include "redis/redis_link.h"

#define AUTH_THROTTLE_FAILURES 10
#define AUTH_THROTTLE_WINDOW_SECONDS 60

/* *retry_after: whole seconds until the window ends (at least 1) when blocked. */
int auth_throttle_check(struct redis_link *link, const char *address, bool *blocked, int64_t *retry_after);
int auth_throttle_record_failure(struct redis_link *link, const char *address);

#endif
