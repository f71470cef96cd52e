/* SPDX-License-Identifier: ISC */
/* admin_main.c — platform-test-admin: the operator's commands (migrate,
 * rebuild-leaderboard, check [--repair], load-test-data, backup, restore). */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "admin/backup.h"
#include "app/app.h"
#include "redis/battle_queue.h"
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

#define REBUILD_WAIT_MS 60000

static int command_rebuild(struct app *app)
{
	if (leaderboard_rebuild(&app->redis, app->store, REBUILD_WAIT_MS) != LEADERBOARD_OK) {
		fprintf(stderr, "platform-test-admin: rebuild failed: %s\n", app->redis.error);
		return 1;
	}
	printf("leaderboard rebuilt from the %s store\n", store_backend_name(app->store));
	return 0;
}

/* ---- check [--repair] ---- */

/* The two looks of a check are this far apart; see keep_lasting. */
#define CHECK_LOOKS_APART_MS 1000
#define CHECK_TEXT_MAX 352

struct difference {
	char text[CHECK_TEXT_MAX];
	bool board;	/* the leaderboard's: a rebuild repairs it */
	enum battle_queue_difference kind;	/* else the queue's */
	int64_t battle_id;
};

struct differences {
	struct difference *items;
	size_t count, capacity;
	bool failed;	/* out of memory */
};

static void add_difference(struct differences *list, bool board, enum battle_queue_difference kind,
			   int64_t battle_id, const char *text)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? 2 * list->capacity : 64;
		struct difference *grown = realloc(list->items, capacity * sizeof(*grown));
		if (!grown) {
			list->failed = true;
			return;
		}
		list->items = grown;
		list->capacity = capacity;
	}
	struct difference *item = &list->items[list->count++];
	snprintf(item->text, sizeof(item->text), "%s: %s", board ? "leaderboard" : "queue", text);
	item->board = board;
	item->kind = kind;
	item->battle_id = battle_id;
}

static void board_differs(void *context, const char *text)
{
	add_difference(context, true, BATTLE_QUEUE_MISSING, 0, text);
}

static void queue_differs(void *context, enum battle_queue_difference kind, int64_t battle_id, const char *text)
{
	add_difference(context, false, kind, battle_id, text);
}

static int look(struct app *app, struct differences *list)
{
	size_t board_count = 0;
	list->count = 0;
	if (leaderboard_audit(&app->redis, app->store, board_differs, list, &board_count) != LEADERBOARD_OK ||
	    battle_queue_audit(&app->redis, app->store, queue_differs, list) != REDIS_LINK_OK) {
		fprintf(stderr, "platform-test-admin check: %s\n", app->redis.error);
		return -1;
	}
	if (list->failed) {
		fprintf(stderr, "platform-test-admin check: out of memory\n");
		return -1;
	}
	return 0;
}

/* Keeps in first what second saw too. A difference seen once may be a
 * write half-way: a create between its board entry and its commit, a
 * battle between its push and its commit, the worker between its commit
 * and its board update. */
static void keep_lasting(struct differences *first, const struct differences *second)
{
	size_t kept = 0;
	for (size_t i = 0; i < first->count; i++)
		for (size_t j = 0; j < second->count; j++)
			if (strcmp(first->items[i].text, second->items[j].text) == 0) {
				first->items[kept++] = first->items[i];
				break;
			}
	first->count = kept;
}

/* Two looks a second apart; what both saw is printed and left in found. */
static int compare(struct app *app, struct differences *found)
{
	struct differences again = {0};
	int status = look(app, found);
	if (status == 0 && found->count > 0) {
		clock_sleep_ms(CHECK_LOOKS_APART_MS);
		status = look(app, &again);
		if (status == 0)
			keep_lasting(found, &again);
	}
	free(again.items);
	if (status != 0)
		return -1;
	for (size_t i = 0; i < found->count; i++)
		printf("%s\n", found->items[i].text);
	printf("%zu difference(s) between the store and Redis\n", found->count);
	return 0;
}

static int repair(struct app *app, const struct differences *found)
{
	bool board = false;
	for (size_t i = 0; i < found->count; i++) {
		const struct difference *item = &found->items[i];
		board |= item->board;
		/* A missing id is applied in its place in the order however late
		 * it is pushed: the worker applies every queued row up to the
		 * largest id delivered, oldest first. */
		if (!item->board && item->kind == BATTLE_QUEUE_MISSING &&
		    battle_queue_push(&app->redis, item->battle_id) != REDIS_LINK_OK) {
			fprintf(stderr, "platform-test-admin check: %s\n", app->redis.error);
			return -1;
		}
		if (!item->board && item->kind == BATTLE_QUEUE_STALE)
			battle_queue_withdraw(&app->redis, &item->battle_id, 1);
	}
	if (board && command_rebuild(app) != 0)
		return -1;
	return 0;
}

/* 0 when the store and Redis agree (after the repair, with --repair), 4
 * when they differ, 1 when they could not be compared. */
static int command_check(struct app *app, bool repairing)
{
	struct differences found = {0};
	int status = 1;
	if (compare(app, &found) != 0)
		goto out;
	status = found.count == 0 ? 0 : 4;
	if (status == 0 || !repairing)
		goto out;
	status = 1;
	if (repair(app, &found) != 0)
		goto out;
	printf("repaired; checking again\n");
	if (compare(app, &found) == 0)
		status = found.count == 0 ? 0 : 4;
out:
	free(found.items);
	return status;
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
		"  check [--repair]                 compare the store with Redis (players, scores, queued\n"
		"                                   battles), print the differences; --repair fixes them\n"
		"                                   (exit 0: they agree, 4: they differ, 1: error)\n"
		"  load-test-data COUNT [PREFIX]    add COUNT players named PREFIX-N (default \"load\")\n"
		"  backup FILE                      write a checked copy of the database to FILE (online)\n"
		"  restore FILE                     replace the database with FILE, services stopped\n"
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
	} else if (strcmp(argv[1], "check") == 0 && (argc == 2 || (argc == 3 && strcmp(argv[2], "--repair") == 0))) {
		status = command_check(&app, argc == 3);
	} else if (strcmp(argv[1], "load-test-data") == 0 && (argc == 3 || argc == 4)) {
		status = command_load(&app, strtol(argv[2], NULL, 10), argc == 4 ? argv[3] : "load");
	} else if (strcmp(argv[1], "backup") == 0 && argc == 3) {
		status = admin_backup(&app, argv[2]);
	} else if (strcmp(argv[1], "restore") == 0 && argc == 3) {
		status = admin_restore(&app, argv[2]);
	} else {
		usage(stderr);
		status = 2;
	}
	app_close(&app);
	return status;
}
