/* SPDX-License-Identifier: ISC */
/* app.h — what one responder or worker process holds for its whole life:
 * its settings, its store and its Redis link. */
#ifndef PT_APP_H
#define PT_APP_H

#include <stddef.h>

#include "redis/redis_link.h"
#include "config/settings.h"
#include "store/store.h"

struct app {
	struct settings settings;
	struct store *store;
	struct redis_link redis;
};

/* Loads settings (needs: enum settings_need) and opens the store; Redis is
 * connected lazily so a process starts while Redis is down. 0 or -1. */
int app_open(struct app *app, int needs, char *error, size_t error_size);
void app_close(struct app *app);

#endif
