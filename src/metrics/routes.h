/* SPDX-License-Identifier: ISC */
/* routes.h — the responders' route slots of the metrics segment: one per
 * endpoint row of http/endpoints.h, in its order, then "unmatched" (404 and
 * 405 before any endpoint was chosen). The layout text goes into the
 * segment's fingerprint, so adding or moving a row replaces an old segment
 * instead of counting one route's requests under another's name. */
#ifndef PT_METRICS_ROUTES_H
#define PT_METRICS_ROUTES_H

#include <stddef.h>

#include "http/router.h"
#include "metrics/metrics.h"

#define METRICS_ROUTE_UNMATCHED ((size_t)ENDPOINT__COUNT)
#define METRICS_ROUTE_COUNT ((size_t)ENDPOINT__COUNT + 1)
_Static_assert(ENDPOINT__COUNT + 1 < METRICS_ROUTE_SLOTS, "more endpoints than metrics route slots");

#define PT_METRICS_ROUTE_TEXT(name, method, pattern, policy, handler) #name ","
#define METRICS_ROUTE_LAYOUT PT_ENDPOINTS(PT_METRICS_ROUTE_TEXT) "UNMATCHED"

/* The route label of a slot: the endpoint's name in lower case ("get_heartbeat"), or "unmatched". */
const char *metrics_route_label(size_t slot);

#endif
