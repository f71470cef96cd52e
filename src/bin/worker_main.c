/* SPDX-License-Identifier: ISC */
/* worker_main.c — platform-test-worker: the battle worker daemon. Drains the
 * Redis queue batch by batch, keeps the leaderboard built, and on SIGTERM
 * finishes the batch in hand and exits 0. One worker applies at a time: the
 * store's worker role (store_claim_worker: SQLite, a lock file beside the
 * database; PostgreSQL, an advisory lock held by the worker's connection,
 * so one worker may run per machine and a standby takes over within a
 * poll of the active one's death or disconnection). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "app/app.h"
#include "metrics/metrics.h"
#include "metrics/routes.h"
#include "redis/battle_queue.h"
#include "redis/leaderboard.h"
#include "util/clock.h"
#include "util/log.h"
#include "worker/worker.h"

#define TAKE_TIMEOUT_SECONDS 0.5
#define LEADERBOARD_CHECK_SECONDS 1
#define RETRY_PAUSE_MS 200
#define SWEEP_SECONDS 2
#define CHECKPOINT_INTERVAL_MS 250
/* How often a standby asks for the worker role: the takeover after the
 * active worker dies takes at most this long once the store released it. */
#define STANDBY_POLL_MS 250

static volatile sig_atomic_t stopping;

static void on_terminate(int signal_number)
{
	(void)signal_number;
	stopping = 1;
}

static void notify(const char *state)
{
#ifdef HAVE_LIBSYSTEMD
	sd_notify(0, state);
#else
	(void)state;
#endif
}

/* The board check (leaderboard_check): Redis lost the board or part of it,
 * or holds members that are no players (an undo Redis refused): rebuild it
 * from the store. A Redis that is down is the take's to report. */
static void keep_leaderboard_right(struct app *app, time_t *last_check, struct leaderboard_watch *watch)
{
	bool rebuilt = false;
	time_t now = time(NULL);
	if (now - *last_check < LEADERBOARD_CHECK_SECONDS)
		return;
	*last_check = now;
	(void)leaderboard_check(&app->redis, app->store, watch, &rebuilt);
}

/* While the worker commits, its commits checkpoint the WAL as it fills
 * (store_take_housekeeping); when it is idle, this does, while responders
 * write, so that no request's commit has to (see store_open). A checkpoint
 * between busy batches as well only slowed the drain, in A/B runs. */
static void checkpoint_when_due(struct app *app, int64_t *last_checkpoint_ms)
{
	int64_t now_ms = clock_monotonic_ms();
	if (now_ms - *last_checkpoint_ms < CHECKPOINT_INTERVAL_MS)
		return;
	*last_checkpoint_ms = now_ms;
	if (store_housekeeping(app->store) != STORE_OK)
		log_event(LOG_EVENT_STORE_FAULT, (const struct log_field[]){{"ERROR", store_error(app->store)}, {NULL, NULL}},
			  "checkpoint failed: %s", store_error(app->store));
}

enum role { ROLE_UNKNOWN, ROLE_STANDBY, ROLE_ACTIVE };

/* Logs a failure to claim the role once, and again only when it changes or
 * every ERROR_REPEAT_MS: a standby asks four times a second, also while the
 * database is down. */
#define ERROR_REPEAT_MS 10000
static void log_claim_error(const char *error)
{
	static char last[256];
	static int64_t last_ms;
	int64_t now_ms = clock_monotonic_ms();
	if (strncmp(last, error, sizeof(last) - 1) == 0 && now_ms - last_ms < ERROR_REPEAT_MS)
		return;
	snprintf(last, sizeof(last), "%s", error);
	last_ms = now_ms;
	log_error("cannot claim the worker role: %s", error);
}

/* Whether this worker may apply battles now; logs each change of role. */
static bool claim_role(struct app *app, enum role *role)
{
	bool active = false;
	enum store_status status = store_claim_worker(app->store, &active);
	enum role now = active ? ROLE_ACTIVE : ROLE_STANDBY;
	if (status != STORE_OK)
		log_claim_error(store_error(app->store));
	if (now != *role) {
		if (now == ROLE_ACTIVE)
			log_info("active: this worker applies the battles (%s store)", store_backend_name(app->store));
		else if (*role == ROLE_ACTIVE)
			log_info("standby: the worker role was lost; waiting to take it again");
		else
			log_info("standby: another worker is active; taking over when it stops");
		*role = now;
	}
	return active;
}

static int run(struct app *app)
{
	size_t batch_size = (size_t)app->settings.worker_batch;
	int64_t *ids = calloc(batch_size, sizeof(*ids));
	time_t last_check = 0, last_sweep = 0;
	struct leaderboard_watch watch = {{0}};
	int64_t last_checkpoint_ms = 0;
	unsigned long long applied = 0;
	enum role role = ROLE_UNKNOWN;
	if (!ids)
		return 1;
	log_event(LOG_EVENT_WORKER_STARTED, NULL, "started: %d engine threads, batches of up to %zu",
		  app->settings.worker_threads, batch_size);
	notify("READY=1");
	while (!stopping) {
		size_t count = 0;
		struct worker_batch_report report;
		if (!claim_role(app, &role)) {
			clock_sleep_ms(STANDBY_POLL_MS);
			continue;
		}
		keep_leaderboard_right(app, &last_check, &watch);
		if (battle_queue_take(&app->redis, batch_size, TAKE_TIMEOUT_SECONDS, ids, &count) != REDIS_LINK_OK) {
			log_event(LOG_EVENT_REDIS_FAULT, (const struct log_field[]){{"ERROR", app->redis.error}, {NULL, NULL}},
				  "%s", app->redis.error);
			clock_sleep_ms(RETRY_PAUSE_MS);
			continue;
		}
		if (count == 0)
			checkpoint_when_due(app, &last_checkpoint_ms);
		/* Idle: sweep the store for queued battles whose delivery Redis lost. */
		if (count == 0 && time(NULL) - last_sweep < SWEEP_SECONDS)
			continue;
		if (count == 0)
			last_sweep = time(NULL);
		if (worker_apply_batch(app, ids, count, batch_size, app->settings.worker_threads, &report) != 0) {
			clock_sleep_ms(RETRY_PAUSE_MS);
			continue;
		}
		applied += report.applied;
	}
	notify("STOPPING=1");
	log_event(LOG_EVENT_WORKER_STOPPED, NULL, "stopping after %llu battles", applied);
	free(ids);
	return 0;
}

int main(int argc, char **argv)
{
	struct app app;
	struct sigaction action;
	char error[256];
	(void)argc;
	(void)argv;

	log_set_program("platform-test-worker");
	memset(&action, 0, sizeof(action));
	action.sa_handler = on_terminate;
	sigemptyset(&action.sa_mask);
	if (sigaction(SIGTERM, &action, NULL) != 0 || sigaction(SIGINT, &action, NULL) != 0 ||
	    signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		log_error("cannot install signal handlers: %s", strerror(errno));
		return 1;
	}

	if (app_open(&app, SETTINGS_NEED_STORAGE, error, sizeof(error)) != 0) {
		log_error("refusing to start: %s", error);
		return 1;
	}
	/* The blocking take must end before the socket's read timeout does. */
	if (app.settings.redis_timeout_ms < 2000 * TAKE_TIMEOUT_SECONDS + 1000)
		app.settings.redis_timeout_ms = (int)(2000 * TAKE_TIMEOUT_SECONDS) + 1000;
	if (store_take_housekeeping(app.store) != STORE_OK) {
		log_error("refusing to start: %s", store_error(app.store));
		app_close(&app);
		return 1;
	}
	/* Counted from the start: a standby that starts is a worker started. */
	if (app.settings.metrics_path &&
	    metrics_open(app.settings.metrics_path, METRICS_PROCESS_WORKER, METRICS_ROUTE_LAYOUT, error,
			 sizeof(error)) != 0)
		log_error("metrics off: %s", error);
	int status = run(&app);
	metrics_close();
	app_close(&app);
	return status;
}
