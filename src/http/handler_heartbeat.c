/* handler_heartbeat.c — GET /heartbeat: really asks SQLite and Redis,
 * including whether they would take a write. */
#include "config.h"

#include "redis/battle_queue.h"
#include "http/handlers.h"
#include "http/views.h"

void handle_get_heartbeat(struct app *app, const struct request *request, const struct route_match *match,
			  const struct caller *caller, struct response *response)
{
	(void)request;
	(void)match;
	(void)caller;
	int64_t pending = 0;
	bool writable = false;
	/* "ok" only when a write could succeed too: the store has room and took
	 * its last write (store_writable), Redis takes writes (a probe). */
	bool sqlite_ok = store_ping(app->store) == STORE_OK && store_writable(app->store) == STORE_OK;
	bool redis_ok = battle_queue_health(&app->redis, &pending, &writable) == REDIS_LINK_OK && writable;
	handler_respond(response, sqlite_ok && redis_ok ? 200 : 503, view_heartbeat(sqlite_ok, redis_ok, pending));
}
