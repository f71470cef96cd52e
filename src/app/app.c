/* SPDX-License-Identifier: ISC */
/* app.c — opening and closing a process's long-lived resources. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "app/app.h"

int app_open(struct app *app, int needs, char *error, size_t error_size)
{
	memset(app, 0, sizeof(*app));
	/* Picks libsodium's implementations; hashing, MACs and base64 need it first.
	 * Idempotent (1 when already done), so only -1 is a failure. */
	if (sodium_init() < 0) {
		snprintf(error, error_size, "cannot initialise libsodium");
		return -1;
	}
	if (settings_load(&app->settings, needs, error, error_size) != 0)
		return -1;
	char detail[256];
	if (store_open(&app->settings, &app->store, detail, sizeof(detail)) != STORE_OK) {
		snprintf(error, error_size, "cannot open the store: %s", detail);
		settings_free(&app->settings);
		return -1;
	}
	redis_link_init(&app->redis, &app->settings);
	return 0;
}

void app_close(struct app *app)
{
	redis_link_close(&app->redis);
	store_close(app->store);
	settings_free(&app->settings);
}
