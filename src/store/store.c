/* store.c — picks the backend the settings name and forwards every call of
 * store.h to it; what all backends share (freeing records, a player's state
 * from its record) lives here too. No engine is named below but in the
 * table of backends. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_backend.h"

/* Tried in order: the first whose chosen() accepts the settings opens the
 * store. SQLite accepts any, so it stays the default. */
static const struct store_backend *const backends[] = {
	&store_backend_postgresql,
	&store_backend_sqlite,
};

enum store_status store_open(const struct settings *settings, struct store **out, char *error,
			     size_t error_size)
{
	*out = NULL;
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (backends[i]->chosen(settings))
			return backends[i]->open(settings, out, error, error_size);
	snprintf(error, error_size, "no store backend accepts these settings");
	return STORE_UNAVAILABLE;
}

void store_close(struct store *store)
{
	if (store)
		store->backend->close(store);
}

void store_rollback(struct store *store)
{
	store->backend->rollback(store);
}

const char *store_error(const struct store *store)
{
	return store->error;
}

const char *store_backend_name(const struct store *store)
{
	return store->backend->name;
}

enum store_status store_fail(struct store *store, enum store_status status, const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	vsnprintf(store->error, sizeof(store->error), format, arguments);
	va_end(arguments);
	return status;
}

#define STORE_FORWARD(name, parameters, arguments) \
	enum store_status store_##name parameters \
	{ \
		return store->backend->name arguments; \
	}
STORE_OPERATIONS(STORE_FORWARD)
#undef STORE_FORWARD

void player_record_free(struct player_record *player)
{
	free(player->description);
	player->description = NULL;
}

void player_credentials_free(struct player_credentials *credentials)
{
	free(credentials->hash);
	credentials->hash = NULL;
}

void battle_record_free(struct battle_record *battle)
{
	free(battle->turns_json);
	battle->turns_json = NULL;
}

void store_state_from_record(const struct player_record *record, struct player_state *out)
{
	*out = (struct player_state){.id = record->id, .attributes = record->attributes, .score = record->score};
	memcpy(out->name, record->name, sizeof(out->name));
}

enum store_status store_player_state(struct store *store, int64_t id, struct player_state *out)
{
	struct player_record player;
	memset(out, 0, sizeof(*out));
	enum store_status status = store_player_get(store, id, &player);
	if (status == STORE_OK)
		store_state_from_record(&player, out);
	player_record_free(&player);
	return status;
}
