/* SPDX-License-Identifier: ISC */
/* scrape.h — the body of GET /metrics: the shared segment (every responder's
 * and the worker's counts), the battle queue's depth read from Redis, and
 * nginx's stub_status, in Prometheus' text format. It sits with http/ in the
 * layering (it reads Redis through app); the responder serves it only to
 * the callers the nginx site lets through (docs/operations.md, "Metrics"). */
#ifndef PT_SCRAPE_H
#define PT_SCRAPE_H

#include <stddef.h>

#include "app/app.h"

/* The whole body, malloc'd into *text. nginx_status_url may be NULL (no
 * nginx figures then, nginx_up 0). 0, or -1 when the segment is not open
 * or memory ran out. */
int metrics_scrape(struct app *app, const char *nginx_status_url, char **text, size_t *length);

#endif
