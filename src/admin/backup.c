/* SPDX-License-Identifier: ISC */
/* backup.c — backup and restore as commands. A restore refuses while the
 * worker holds its lock or any process has the database open, and keeps the
 * worker's lock for itself until it is done, so no worker starts half-way.
 * Redis after a restore: the queue and the processing list are emptied and
 * every queued battle of the restored database is pushed again in id order
 * (ids from after the backup would otherwise be delivered for rows that no
 * longer exist, or that a new battle reuses), and the leaderboard is reset
 * and rebuilt from the restored scores. */
#include "config.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin/backup.h"
#include "redis/battle_queue.h"
#include "redis/leaderboard.h"
#include "store/migrate.h"
#include "worker/worker_lock.h"

#define REBUILD_WAIT_MS 60000
#define QUEUED_PAGE 65536

static void print_summary(const char *what, const char *path, const struct store_summary *summary)
{
	printf("%s %s: %" PRId64 " players, %" PRId64 " battles (%" PRId64 " done, %" PRId64
	       " queued), schema version %d, integrity ok\n",
	       what, path, summary->players, summary->battles, summary->battles_done,
	       summary->battles - summary->battles_done, summary->schema_version);
}

int admin_backup(struct app *app, const char *path)
{
	struct store_summary summary;
	enum store_status status = store_backup(app->store, path, &summary);
	if (status != STORE_OK) {
		fprintf(stderr, "platform-test-admin backup: %s\n", store_error(app->store));
		return status == STORE_CONFLICT ? 2 : 1;
	}
	print_summary("backed up to", path, &summary);
	return 0;
}

/* The highest migration this installation has (0 when none can be read). */
static int newest_migration(const char *directory)
{
	int newest = 0;
	struct dirent *entry;
	DIR *handle = opendir(directory);
	if (!handle)
		return 0;
	while ((entry = readdir(handle))) {
		int version = migrate_file_version(entry->d_name);
		if (version > newest)
			newest = version;
	}
	closedir(handle);
	return newest;
}

/* The queued battles of the restored database, in id order. */
struct queued_ids {
	int64_t *ids;
	size_t count, capacity;
};

static int collect_queued(void *opaque, int64_t id)
{
	struct queued_ids *queued = opaque;
	if (queued->count == queued->capacity) {
		size_t capacity = queued->capacity ? 2 * queued->capacity : QUEUED_PAGE;
		int64_t *grown = realloc(queued->ids, capacity * sizeof(*grown));
		if (!grown)
			return -1;
		queued->ids = grown;
		queued->capacity = capacity;
	}
	queued->ids[queued->count++] = id;
	return 0;
}

/* Pushes the restored queued battles again, in id order. */
static int requeue(struct app *app, int64_t *pushed)
{
	struct queued_ids queued = {NULL, 0, 0};
	int result = -1;
	*pushed = 0;
	if (store_queued_battles_scan(app->store, collect_queued, &queued) != STORE_OK ||
	    battle_queue_reset(&app->redis) != REDIS_LINK_OK)
		goto out;
	for (size_t i = 0; i < queued.count; i++) {
		if (battle_queue_push(&app->redis, queued.ids[i]) != REDIS_LINK_OK)
			goto out;
		(*pushed)++;
	}
	result = 0;
out:
	free(queued.ids);
	return result;
}

/* 0 when nobody else has the database open; the store is closed for the
 * check (see store_in_use) and opened again. */
static int check_unused(struct app *app)
{
	char error[256];
	bool in_use = true;
	enum store_status checked;
	store_close(app->store);
	app->store = NULL;
	checked = store_in_use(app->settings.database_path, &in_use, error, sizeof(error));
	if (store_open(&app->settings, &app->store, error, sizeof(error)) != STORE_OK) {
		fprintf(stderr, "platform-test-admin restore: cannot reopen %s: %s\n", app->settings.database_path, error);
		return 1;
	}
	if (checked != STORE_OK) {
		fprintf(stderr, "platform-test-admin restore: %s\n", error);
		return 1;
	}
	if (in_use) {
		fprintf(stderr, "platform-test-admin restore: refused: another process has %s open "
			"(a responder?): stop platform-test.target first\n", app->settings.database_path);
		return 3;
	}
	return 0;
}

static int rebuild_redis(struct app *app, int64_t *pushed)
{
	if (requeue(app, pushed) != 0) {
		fprintf(stderr, "platform-test-admin restore: the database is restored but the queue was not rebuilt "
			"(%s); the worker's sweep will still apply the queued battles\n",
			app->redis.error[0] ? app->redis.error : store_error(app->store));
		return 1;
	}
	if (leaderboard_reset(&app->redis) != LEADERBOARD_OK ||
	    leaderboard_rebuild(&app->redis, app->store, REBUILD_WAIT_MS) != LEADERBOARD_OK) {
		fprintf(stderr, "platform-test-admin restore: the database is restored but the leaderboard was not "
			"rebuilt (%s): run platform-test-admin rebuild-leaderboard\n", app->redis.error);
		return 1;
	}
	return 0;
}

int admin_restore(struct app *app, const char *path)
{
	struct store_summary summary;
	struct migrate_report report;
	char error[256];
	char dialect_dir[4096];
	int lock = -1, status = 1, newest = 0;
	int64_t pushed = 0;

	/* The migrations of this store's dialect (sql/sqlite/, as migrate reads them). */
	snprintf(dialect_dir, sizeof(dialect_dir), "%s/%s", app->settings.sql_dir, store_backend_name(app->store));
	newest = newest_migration(dialect_dir);

	char *source = realpath(path, NULL), *target = realpath(app->settings.database_path, NULL);
	bool same = source && target && strcmp(source, target) == 0;
	free(source);
	free(target);
	if (same) {
		fprintf(stderr, "platform-test-admin restore: %s is the database itself: refused\n", path);
		return 2;
	}
	if (store_backup_check(app->store, path, &summary) != STORE_OK) {
		fprintf(stderr, "platform-test-admin restore: %s: %s\n", path, store_error(app->store));
		return 2;
	}
	if (summary.schema_version > newest) {
		fprintf(stderr, "platform-test-admin restore: %s is at schema version %d, newer than this "
			"installation's migrations (%d, in %s): refused\n", path, summary.schema_version, newest,
			dialect_dir);
		return 2;
	}
	switch (worker_lock_try(app->settings.database_path, &lock, error, sizeof(error))) {
	case WORKER_LOCK_TAKEN:
		break;
	case WORKER_LOCK_HELD:
		fprintf(stderr, "platform-test-admin restore: refused: the worker is running (it holds %s.worker.lock): "
			"stop platform-test.target first\n", app->settings.database_path);
		return 3;
	case WORKER_LOCK_ERROR:
		fprintf(stderr, "platform-test-admin restore: %s\n", error);
		return 1;
	}
	if ((status = check_unused(app)) != 0)
		goto out;
	status = 1;
	if (store_restore(app->store, path, &summary) != STORE_OK) {
		fprintf(stderr, "platform-test-admin restore: %s\n", store_error(app->store));
		goto out;
	}
	if (migrate_apply(app->store, app->settings.sql_dir, &report) != MIGRATE_OK) {
		fprintf(stderr, "platform-test-admin restore: restored, but migrating failed: %s\n", report.error);
		goto out;
	}
	print_summary("restored from", path, &summary);
	if (rebuild_redis(app, &pushed) != 0)
		goto out;
	printf("queue rebuilt (%" PRId64 " queued battles pushed), leaderboard rebuilt\n", pushed);
	status = 0;
out:
	close(lock);
	return status;
}
