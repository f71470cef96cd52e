/* admin_main.c — platform-test-admin: the operator's commands (migrate,
 * rebuild-leaderboard, load-test-data). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "app/app.h"
#include "redis/leaderboard.h"
#include "util/clock.h"
#include "util/log.h"
#include "store/migrate.h"
#include "util/timefmt.h"
#include "http/validate.h"

static int command_migrate(struct app *app)
{
	struct migrate_report report;
	enum migrate_status status = migrate_apply(app->store, app->settings.sql_dir, &report);
	if (status != MIGRATE_OK) {
		fprintf(stderr, "platform-test-admin migrate: %s\n", report.error);
		return status == MIGRATE_UNKNOWN_VERSION ? 3 : 1;
	}
	if (report.applied == 0)
		printf("database is up to date (version %d)\n", report.current_version);
	else
		printf("applied %d migration(s); database is at version %d\n", report.applied, report.current_version);
	return 0;
}

static int command_rebuild(struct app *app)
{
	if (leaderboard_reset(&app->redis) != LEADERBOARD_OK) {
		fprintf(stderr, "platform-test-admin: %s\n", app->redis.error);
		return 1;
	}
	if (leaderboard_rebuild(&app->redis, app->store, 60000) != LEADERBOARD_OK) {
		fprintf(stderr, "platform-test-admin: rebuild failed: %s\n", app->redis.error);
		return 1;
	}
	printf("leaderboard rebuilt from the %s store\n", store_backend_name(app->store));
	return 0;
}

/* Fills the database with count players named PREFIX-N with random scores
 * (many ties), for leaderboard depth tests and benchmarks. */
static int command_load(struct app *app, long count, const char *prefix)
{
	char created_at[TIMEFMT_LENGTH], name[64];
	struct player_create player = {.description = "", .attributes = {PLAYER_ATTRIBUTE_DEFAULTS}};
	if (count <= 0 || strlen(prefix) > 10 || timefmt_rfc3339(clock_unix_seconds(), created_at) != 0) {
		fprintf(stderr, "platform-test-admin load-test-data: COUNT must be positive, PREFIX at most 10 bytes\n");
		return 2;
	}
	if (store_begin(app->store, STORE_CREATE_PLAYER) != STORE_OK)
		goto fail;
	for (long i = 0; i < count; i++) {
		struct player_state state = {0};
		uint32_t random_bits = 0;
		if (getrandom(&random_bits, sizeof(random_bits), 0) != sizeof(random_bits))
			goto fail;
		snprintf(name, sizeof(name), "%s-%ld", prefix, i + 1);
		player.name = name;
		if (store_player_insert(app->store, &player, NULL, created_at, &state.id) != STORE_OK)
			goto fail;
		state.score = random_bits % 100000;
		if (store_player_state_save(app->store, &state) != STORE_OK)
			goto fail;
	}
	if (store_commit(app->store) != STORE_OK)
		goto fail;
	printf("loaded %ld players\n", count);
	return command_rebuild(app);
fail:
	store_rollback(app->store);
	fprintf(stderr, "platform-test-admin load-test-data: %s\n", store_error(app->store));
	return 1;
}

static void usage(FILE *stream)
{
	fprintf(stream,
		"usage: platform-test-admin COMMAND\n"
		"  migrate                          apply pending SQL migrations (PT_SQL_DIR)\n"
		"  rebuild-leaderboard              rebuild the Redis leaderboard from the store\n"
		"  load-test-data COUNT [PREFIX]    add COUNT players named PREFIX-N (default \"load\")\n"
		"Configuration comes from the PT_* environment variables (see README).\n");
}

int main(int argc, char **argv)
{
	struct app app;
	char error[256];
	int status;

	log_set_program("platform-test-admin");
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (app_open(&app, SETTINGS_NEED_STORAGE, error, sizeof(error)) != 0) {
		fprintf(stderr, "platform-test-admin: %s\n", error);
		return 1;
	}
	if (strcmp(argv[1], "migrate") == 0 && argc == 2) {
		status = command_migrate(&app);
	} else if (strcmp(argv[1], "rebuild-leaderboard") == 0 && argc == 2) {
		status = command_rebuild(&app);
	} else if (strcmp(argv[1], "load-test-data") == 0 && (argc == 3 || argc == 4)) {
		status = command_load(&app, strtol(argv[2], NULL, 10), argc == 4 ? argv[3] : "load");
	} else {
		usage(stderr);
		status = 2;
	}
	app_close(&app);
	return status;
}
