/* handler_heartbeat.c — GET /heartbeat: really asks SQLite and Redis,
 * including whether they would take a write. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>

#include "redis/battle_queue.h"
#include "http/handlers.h"
#include "http/views.h"
#include "util/clock.h"

/* Redis's write probe is asked at most once a second per responder; in
 * between, the answer it gave stands. (Responders serve one request at a
 * time, so a process-wide memory needs no lock.) */
#define WRITE_PROBE_EVERY_MS 1000

static int64_t probed_at_ms;
static bool redis_writable;

void handle_get_heartbeat(struct app *app, const struct request *request, const struct route_match *match,
			  const struct caller *caller, struct response *response)
{
	(void)request;
	(void)match;
	(void)caller;
	int64_t pending = 0, now_ms = clock_monotonic_ms();
	bool probe = probed_at_ms == 0 || now_ms - probed_at_ms >= WRITE_PROBE_EVERY_MS;
	/* "ok" only when a write could succeed too: the store has room and took
	 * its last write (store_writable), Redis takes writes (the probe). */
	bool sqlite_ok = store_ping(app->store) == STORE_OK && store_writable(app->store) == STORE_OK;
	bool redis_ok = battle_queue_health(&app->redis, &pending, probe ? &redis_writable : NULL) == REDIS_LINK_OK;
	if (redis_ok && probe)
		probed_at_ms = now_ms;
	redis_ok = redis_ok && redis_writable;
	handler_respond(response, sqlite_ok && redis_ok ? 200 : 503, view_heartbeat(sqlite_ok, redis_ok, pending));
}
