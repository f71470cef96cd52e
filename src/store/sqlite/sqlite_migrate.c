/* SPDX-License-Identifier: ISC */
/* sqlite_migrate.c — the migration runner on SQLite. Invariant: schema_migrations holds exactly
 * the versions whose SQL committed, and a version is applied at most once. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrate.h"
#include "store/sqlite/sqlite_store.h"

#define MIGRATE_MAX_FILES 1000

struct migration_file {
	int version;
	char name[256];
};

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

static enum migrate_status list_files(const char *directory, struct migration_file **files_out,
				      size_t *count_out, struct migrate_report *report)
{
	struct migration_file *files = NULL;
	size_t count = 0;
	enum migrate_status status = MIGRATE_BAD_DIRECTORY;
	struct dirent *entry;
	DIR *handle = opendir(directory);
	if (!handle) {
		snprintf(report->error, sizeof(report->error), "cannot open %s: %s", directory, strerror(errno));
		goto out;
	}
	files = calloc(MIGRATE_MAX_FILES, sizeof(*files));
	if (!files)
		goto out;
	while ((entry = readdir(handle))) {
		int version = migrate_file_version(entry->d_name);
		if (version < 0 || count == MIGRATE_MAX_FILES || strlen(entry->d_name) >= sizeof(files->name))
			continue;
		files[count].version = version;
		snprintf(files[count].name, sizeof(files[count].name), "%s", entry->d_name);
		count++;
	}
	qsort(files, count, sizeof(*files), compare_versions);
	for (size_t i = 1; i < count; i++) {
		if (files[i].version == files[i - 1].version) {
			snprintf(report->error, sizeof(report->error), "two migrations share version %d: %s, %s",
				 files[i].version, files[i - 1].name, files[i].name);
			goto out;
		}
	}
	*files_out = files;
	*count_out = count;
	files = NULL;
	status = MIGRATE_OK;
out:
	if (handle)
		closedir(handle);
	free(files);
	return status;
}

static char *read_file(const char *directory, const char *name)
{
	char path[4096];
	char *text = NULL;
	long size;
	snprintf(path, sizeof(path), "%s/%s", directory, name);
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

static int exec_sql(struct store *store, const char *sql, char *error, size_t error_size)
{
	char *message = NULL;
	if (sqlite3_exec(store->db, sql, NULL, NULL, &message) == SQLITE_OK)
		return 0;
	snprintf(error, error_size, "%s", message ? message : sqlite3_errmsg(store->db));
	sqlite3_free(message);
	return -1;
}

/* Versions recorded in the database must all be files we have. */
static enum migrate_status check_recorded(struct store *store, const struct migration_file *files,
					  size_t count, struct migrate_report *report)
{
	sqlite3_stmt *statement = NULL;
	enum migrate_status status = MIGRATE_FAILED;
	int result = sqlite3_prepare_v2(store->db, "SELECT version, name FROM schema_migrations ORDER BY version",
					-1, &statement, NULL);
	if (result != SQLITE_OK)
		goto out;
	while ((result = sqlite3_step(statement)) == SQLITE_ROW) {
		int version = sqlite3_column_int(statement, 0);
		const char *name = (const char *)sqlite3_column_text(statement, 1);
		int known = 0;
		for (size_t i = 0; i < count; i++)
			known |= files[i].version == version && name && strcmp(files[i].name, name) == 0;
		if (!known) {
			snprintf(report->error, sizeof(report->error),
				 "the database records migration %d (%s), which %s does not have: refusing to run",
				 version, name ? name : "?", "this release");
			status = MIGRATE_UNKNOWN_VERSION;
			goto out;
		}
		report->current_version = version;
	}
	if (result == SQLITE_DONE)
		status = MIGRATE_OK;
out:
	if (status == MIGRATE_FAILED)
		snprintf(report->error, sizeof(report->error), "reading schema_migrations: %s", sqlite3_errmsg(store->db));
	sqlite3_finalize(statement);
	return status;
}

static enum migrate_status apply_one(struct store *store, const char *directory,
				     const struct migration_file *file, struct migrate_report *report)
{
	sqlite3_stmt *record = NULL;
	enum migrate_status status = MIGRATE_FAILED;
	char error[400] = "";
	char *sql = read_file(directory, file->name);
	if (!sql) {
		snprintf(error, sizeof(error), "cannot read: %s", strerror(errno));
		goto out;
	}
	if (exec_sql(store, "BEGIN IMMEDIATE", error, sizeof(error)) != 0)
		goto out;
	if (exec_sql(store, sql, error, sizeof(error)) != 0)
		goto out;
	if (sqlite3_prepare_v2(store->db,
			       "INSERT INTO schema_migrations (version, name, applied_at)"
			       " VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
			       -1, &record, NULL) != SQLITE_OK)
		goto sql_error;
	sqlite3_bind_int(record, 1, file->version);
	sqlite3_bind_text(record, 2, file->name, -1, SQLITE_STATIC);
	if (sqlite3_step(record) != SQLITE_DONE)
		goto sql_error;
	if (exec_sql(store, "COMMIT", error, sizeof(error)) != 0)
		goto out;
	report->applied++;
	report->current_version = file->version;
	status = MIGRATE_OK;
	goto out;
sql_error:
	snprintf(error, sizeof(error), "%s", sqlite3_errmsg(store->db));
out:
	if (status != MIGRATE_OK) {
		if (!sqlite3_get_autocommit(store->db))
			sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
		snprintf(report->error, sizeof(report->error), "migration %s failed: %s", file->name, error);
	}
	sqlite3_finalize(record);
	free(sql);
	return status;
}

static int is_recorded(struct store *store, int version)
{
	sqlite3_stmt *statement = NULL;
	int recorded = -1;
	if (sqlite3_prepare_v2(store->db, "SELECT 1 FROM schema_migrations WHERE version = ?1", -1,
			       &statement, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int(statement, 1, version);
	int result = sqlite3_step(statement);
	if (result == SQLITE_ROW)
		recorded = 1;
	else if (result == SQLITE_DONE)
		recorded = 0;
	sqlite3_finalize(statement);
	return recorded;
}

enum migrate_status migrate_apply(struct store *store, const char *sql_directory, struct migrate_report *report)
{
	struct migration_file *files = NULL;
	size_t count = 0;
	enum migrate_status status;

	memset(report, 0, sizeof(*report));
	if (exec_sql(store,
		     "CREATE TABLE IF NOT EXISTS schema_migrations ("
		     " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT",
		     report->error, sizeof(report->error)) != 0)
		return MIGRATE_FAILED;
	status = list_files(sql_directory, &files, &count, report);
	if (status != MIGRATE_OK)
		goto out;
	status = check_recorded(store, files, count, report);
	if (status != MIGRATE_OK)
		goto out;
	for (size_t i = 0; i < count && status == MIGRATE_OK; i++) {
		int recorded = is_recorded(store, files[i].version);
		if (recorded < 0) {
			snprintf(report->error, sizeof(report->error), "reading schema_migrations: %s",
				 sqlite3_errmsg(store->db));
			status = MIGRATE_FAILED;
		} else if (!recorded) {
			status = apply_one(store, sql_directory, &files[i], report);
		}
	}
out:
	free(files);
	return status;
}
