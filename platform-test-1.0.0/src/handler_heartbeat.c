/* handler_heartbeat.c — GET /heartbeat: really asks SQLite and Redis. */
#include "config.h"

#include "battle_queue.h"
#include "handlers.h"
#include "views.h"

void handle_get_heartbeat(struct app *app, const struct request *request, const struct route_match *match,
			  const struct caller *caller, struct response *response)
{
	(void)request;
	(void)match;
	(void)caller;
	int64_t pending = 0;
	bool sqlite_ok = store_ping(&app->store) == STORE_OK;
	bool redis_ok = battle_queue_pending(&app->redis, &pending) == REDIS_LINK_OK;
	handler_respond(response, sqlite_ok && redis_ok ? 200 : 503, view_heartbeat(sqlite_ok, redis_ok, pending));
}
