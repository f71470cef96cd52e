/* migrate.c — the migration runner's engine-neutral half: it lists
 * sql/DIALECT/NNN_name.sql, orders them, refuses a database that records a
 * migration this release does not have, and applies each missing one in
 * its own transaction together with its row in schema_migrations. The
 * backend's store_migration_ops run the SQL (store_backend.h).
 *
 * Invariant: schema_migrations holds exactly the versions whose SQL
 * committed, and a version is applied at most once — also when several
 * nodes migrate at once: each migration's transaction checks the recorded
 * versions again after it began (SQLite's BEGIN IMMEDIATE takes the write
 * lock), and a backend whose transactions do not exclude each other that
 * way holds a lock for the whole run (PostgreSQL: an advisory lock). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrate.h"
#include "store/store_backend.h"

#define MIGRATE_MAX_FILES 1000

struct migration_file {
	int version;
	char name[256];
};

struct migration_list {
	struct migration_file *files;
	size_t count, capacity;
};

static void report_error(struct migrate_report *report, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
static void report_error(struct migrate_report *report, const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	vsnprintf(report->error, sizeof(report->error), format, arguments);
	va_end(arguments);
}

int migrate_file_version(const char *file_name)
{
	size_t digits = strspn(file_name, "0123456789");
	size_t length = strlen(file_name);
	if (digits < 3 || digits > 6 || file_name[digits] != '_' || length < digits + 6 ||
	    strcmp(file_name + length - 4, ".sql") != 0)
		return -1;
	/* 3 to 6 digits, checked above: strtol cannot overflow or fail here. */
	return (int)strtol(file_name, NULL, 10);
}

static int compare_versions(const void *left, const void *right)
{
	return ((const struct migration_file *)left)->version - ((const struct migration_file *)right)->version;
}

static int list_add(struct migration_list *list, int version, const char *name)
{
	size_t length = strlen(name);
	if (list->count == MIGRATE_MAX_FILES || length >= sizeof(list->files->name))
		return -1;
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? 2 * list->capacity : 16;
		struct migration_file *grown = realloc(list->files, capacity * sizeof(*grown));
		if (!grown)
			return -1;
		list->files = grown;
		list->capacity = capacity;
	}
	list->files[list->count].version = version;
	memcpy(list->files[list->count].name, name, length + 1);
	list->count++;
	return 0;
}

static void list_free(struct migration_list *list)
{
	free(list->files);
	memset(list, 0, sizeof(*list));
}

static enum migrate_status list_files(const char *directory, struct migration_list *list,
				      struct migrate_report *report)
{
	struct dirent *entry;
	DIR *handle = opendir(directory);
	if (!handle) {
		report_error(report, "cannot open %s: %s", directory, strerror(errno));
		return MIGRATE_BAD_DIRECTORY;
	}
	while ((entry = readdir(handle))) {
		int version = migrate_file_version(entry->d_name);
		if (version >= 0 && list_add(list, version, entry->d_name) != 0) {
			report_error(report, "cannot list %s: too many or too long names",
				 directory);
			closedir(handle);
			return MIGRATE_BAD_DIRECTORY;
		}
	}
	closedir(handle);
	if (list->count > 0)
		qsort(list->files, list->count, sizeof(*list->files), compare_versions);
	for (size_t i = 1; i < list->count; i++) {
		if (list->files[i].version == list->files[i - 1].version) {
			report_error(report, "two migrations share version %d: %s, %s",
				 list->files[i].version, list->files[i - 1].name, list->files[i].name);
			return MIGRATE_BAD_DIRECTORY;
		}
	}
	return MIGRATE_OK;
}

static char *read_file(const char *directory, const char *name)
{
	char path[4096];
	char *text = NULL;
	long size;
	int length = snprintf(path, sizeof(path), "%s/%s", directory, name);
	if (length < 0 || (size_t)length >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	FILE *file = fopen(path, "rb");
	if (!file)
		return NULL;
	if (fseek(file, 0, SEEK_END) != 0 || (size = ftell(file)) < 0 || fseek(file, 0, SEEK_SET) != 0)
		goto out;
	text = malloc((size_t)size + 1);
	if (text && fread(text, 1, (size_t)size, file) != (size_t)size) {
		free(text);
		text = NULL;
	}
	if (text)
		text[size] = '\0';
out:
	fclose(file);
	return text;
}

static int collect_recorded(void *context, int version, const char *name)
{
	return list_add(context, version, name ? name : "?");
}

/* What schema_migrations holds now. */
static enum migrate_status read_recorded(struct store *store, struct migration_list *recorded,
					 struct migrate_report *report)
{
	char error[400] = "";
	recorded->count = 0;
	if (store->backend->migration.recorded(store, collect_recorded, recorded, error, sizeof(error)) != 0) {
		report_error(report, "reading schema_migrations: %s",
			 error[0] ? error : "out of memory");
		return MIGRATE_FAILED;
	}
	return MIGRATE_OK;
}

static const struct migration_file *find(const struct migration_list *list, int version)
{
	for (size_t i = 0; i < list->count; i++)
		if (list->files[i].version == version)
			return &list->files[i];
	return NULL;
}

/* Versions recorded in the database must all be files we have. */
static enum migrate_status check_recorded(const struct migration_list *files, const struct migration_list *recorded,
					  struct migrate_report *report)
{
	for (size_t i = 0; i < recorded->count; i++) {
		const struct migration_file *have = find(files, recorded->files[i].version);
		if (!have || strcmp(have->name, recorded->files[i].name) != 0) {
			report_error(report, "the database records migration %d (%s), which %s does not have: refusing to run",
				 recorded->files[i].version, recorded->files[i].name, "this release");
			return MIGRATE_UNKNOWN_VERSION;
		}
		if (recorded->files[i].version > report->current_version)
			report->current_version = recorded->files[i].version;
	}
	return MIGRATE_OK;
}

static enum migrate_status apply_one(struct store *store, const char *directory, const struct migration_file *file,
				     struct migration_list *recorded, struct migrate_report *report)
{
	const struct store_migration_ops *ops = &store->backend->migration;
	enum migrate_status status = MIGRATE_FAILED;
	char error[sizeof(report->error)] = "";
	char *sql = NULL;
	bool begun = false;

	if (ops->exec(store, ops->begin_sql, error, sizeof(error)) != 0)
		goto out;
	begun = true;
	/* Another node may have applied it since we looked. */
	if (read_recorded(store, recorded, report) != MIGRATE_OK) {
		memcpy(error, report->error, sizeof(error));
		goto out;
	}
	if (find(recorded, file->version)) {
		begun = false;
		status = ops->exec(store, "ROLLBACK", error, sizeof(error)) == 0 ? MIGRATE_OK : MIGRATE_FAILED;
		goto out;
	}
	sql = read_file(directory, file->name);
	if (!sql) {
		snprintf(error, sizeof(error), "cannot read: %s", strerror(errno));
		goto out;
	}
	if (ops->exec(store, sql, error, sizeof(error)) != 0 ||
	    ops->record(store, file->version, file->name, error, sizeof(error)) != 0 ||
	    ops->exec(store, "COMMIT", error, sizeof(error)) != 0)
		goto out;
	begun = false;
	report->applied++;
	report->current_version = file->version;
	status = MIGRATE_OK;
out:
	if (status != MIGRATE_OK) {
		char ignored[64];
		if (begun)
			ops->exec(store, "ROLLBACK", ignored, sizeof(ignored));
		report_error(report, "migration %s failed: %s", file->name, error);
	}
	free(sql);
	return status;
}

enum migrate_status migrate_apply(struct store *store, const char *sql_directory, struct migrate_report *report)
{
	const struct store_migration_ops *ops = &store->backend->migration;
	struct migration_list files = {0}, recorded = {0};
	enum migrate_status status = MIGRATE_FAILED;
	char directory[4096];
	bool locked = false;

	memset(report, 0, sizeof(*report));
	snprintf(directory, sizeof(directory), "%s/%s", sql_directory, store->backend->name);
	if (ops->lock_sql) {
		if (ops->exec(store, ops->lock_sql, report->error, sizeof(report->error)) != 0)
			goto out;
		locked = true;
	}
	if (ops->exec(store, ops->create_table_sql, report->error, sizeof(report->error)) != 0)
		goto out;
	status = list_files(directory, &files, report);
	if (status == MIGRATE_OK)
		status = read_recorded(store, &recorded, report);
	if (status == MIGRATE_OK)
		status = check_recorded(&files, &recorded, report);
	for (size_t i = 0; i < files.count && status == MIGRATE_OK; i++)
		if (!find(&recorded, files.files[i].version))
			status = apply_one(store, directory, &files.files[i], &recorded, report);
out:
	if (locked) {
		char ignored[64];
		ops->exec(store, ops->unlock_sql, ignored, sizeof(ignored));
	}
	list_free(&files);
	list_free(&recorded);
	return status;
}
