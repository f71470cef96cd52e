/* SPDX-License-Identifier: ISC */
/* sqlite_backup.c — store_backup and store_restore with SQLite's online
 * backup API, and the in-use check a restore needs. A backup copies every
 * page in one step, inside one read transaction of the live connection: in
 * WAL mode writers go on meanwhile and the copy is the snapshot at its start.
 * The copy is switched to a rollback journal (one self-contained file) and
 * passes PRAGMA integrity_check before it is linked to its name. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/sqlite/sqlite_store.h"
#include "store/store_backend.h"

/* Where SQLite's WAL index keeps its "dead man switch" lock: every
 * connection to a WAL database holds a shared lock on this byte of the
 * -shm file while it is open (https://www.sqlite.org/walformat.html, 2.3.2). */
#define SHM_DMS_LOCK_OFFSET 128

/* "what" followed by "detail" as the store's error. */
static enum store_status fail_with(struct store *store, const char *what, const char *detail)
{
	snprintf(store->error, sizeof(store->error), "%s%s", what, detail);
	return STORE_UNAVAILABLE;
}

/* These calls copy SQLite files; another backend has its own tools. */
static bool is_sqlite(struct store *store)
{
	if (store->backend == &store_backend_sqlite)
		return true;
	fail_with(store, "backup and restore copy the SQLite store; ",
		  "back up PostgreSQL with pg_dump and restore with pg_restore (docs/operations.md)");
	return false;
}

static enum store_status fail_db(struct store *store, const char *what, sqlite3 *db)
{
	snprintf(store->error, sizeof(store->error), "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
	return STORE_UNAVAILABLE;
}

/* integrity_check's verdict, then what the copy holds. */
static enum store_status check_copy(struct store *store, sqlite3 *db, struct store_summary *summary)
{
	static const char summary_sql[] =
		"SELECT (SELECT count(*) FROM players), (SELECT count(*) FROM battles),"
		" (SELECT count(*) FROM battles WHERE status = 'done'),"
		" (SELECT coalesce(max(version), 0) FROM schema_migrations)";
	sqlite3_stmt *statement = NULL;
	enum store_status status = STORE_UNAVAILABLE;
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, NULL) != SQLITE_OK)
		return fail_db(store, "integrity check", db);
	if (sqlite3_step(statement) != SQLITE_ROW) {
		status = fail_db(store, "integrity check", db);
		goto out;
	}
	const unsigned char *verdict = sqlite3_column_text(statement, 0);
	if (!verdict || strcmp((const char *)verdict, "ok") != 0) {
		status = fail_with(store, "integrity check failed: ", verdict ? (const char *)verdict : "(null)");
		goto out;
	}
	sqlite3_finalize(statement);
	statement = NULL;
	if (sqlite3_prepare_v2(db, summary_sql, -1, &statement, NULL) != SQLITE_OK) {
		status = fail_db(store, "not a Platform Test database", db);
		goto out;
	}
	if (sqlite3_step(statement) != SQLITE_ROW) {
		status = fail_db(store, "reading the backup", db);
		goto out;
	}
	summary->players = sqlite3_column_int64(statement, 0);
	summary->battles = sqlite3_column_int64(statement, 1);
	summary->battles_done = sqlite3_column_int64(statement, 2);
	summary->schema_version = sqlite3_column_int(statement, 3);
	status = STORE_OK;
out:
	sqlite3_finalize(statement);
	return status;
}

/* Copies all of from into to in one step. */
static enum store_status copy_all(struct store *store, sqlite3 *to, sqlite3 *from)
{
	sqlite3_backup *backup = sqlite3_backup_init(to, "main", from, "main");
	if (!backup)
		return fail_db(store, "backup", to);
	int stepped = sqlite3_backup_step(backup, -1);
	int finished = sqlite3_backup_finish(backup);
	if (stepped != SQLITE_DONE || finished != SQLITE_OK) {
		snprintf(store->error, sizeof(store->error), "backup: %s",
			 sqlite3_errstr(stepped != SQLITE_DONE ? stepped : finished));
		return STORE_UNAVAILABLE;
	}
	return STORE_OK;
}

static void remove_copy(const char *path)
{
	static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
	char name[4200];
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", path, suffixes[i]);
		unlink(name);
	}
}

/* The new name survives a crash only once its directory is on disk. */
static void sync_directory(const char *path)
{
	char copy[4096];
	snprintf(copy, sizeof(copy), "%s", path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

enum store_status store_backup(struct store *store, const char *path, struct store_summary *summary)
{
	if (!is_sqlite(store))
		return STORE_UNAVAILABLE;
	char partial[4096];
	struct stat existing;
	sqlite3 *copy = NULL;
	enum store_status status;
	if (lstat(path, &existing) == 0 || errno != ENOENT) {
		snprintf(store->error, sizeof(store->error), "%s already exists (or cannot be checked): not overwritten",
			 path);
		return STORE_CONFLICT;
	}
	if (snprintf(partial, sizeof(partial), "%s.partial-%ld", path, (long)getpid()) >= (int)sizeof(partial))
		return fail_with(store, "backup path too long", "");
	remove_copy(partial);
	if (sqlite3_open_v2(partial, &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		status = fail_db(store, "cannot create the backup", copy);
		goto out;
	}
	if ((status = copy_all(store, copy, sqlite_db(store))) != STORE_OK)
		goto out;
	if (sqlite3_exec(copy, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		status = fail_db(store, "backup journal mode", copy);
		goto out;
	}
	if ((status = check_copy(store, copy, summary)) != STORE_OK)
		goto out;
	if (sqlite3_close(copy) != SQLITE_OK) {
		status = fail_db(store, "closing the backup", copy);
		goto out;
	}
	copy = NULL;
	/* link() rather than rename(): it refuses a path created meanwhile. */
	if (link(partial, path) != 0) {
		snprintf(store->error, sizeof(store->error), "cannot name the backup %s: %s", path, strerror(errno));
		status = errno == EEXIST ? STORE_CONFLICT : STORE_UNAVAILABLE;
		goto out;
	}
	sync_directory(path);
	status = STORE_OK;
out:
	if (copy)
		sqlite3_close(copy);
	remove_copy(partial);
	return status;
}

enum store_status store_backup_check(struct store *store, const char *path, struct store_summary *summary)
{
	if (!is_sqlite(store))
		return STORE_UNAVAILABLE;
	sqlite3 *backup = NULL;
	enum store_status status;
	struct stat file;
	if (stat(path, &file) != 0 || !S_ISREG(file.st_mode))
		return fail_with(store, path, " is not a readable file");
	if (sqlite3_open_v2(path, &backup, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		status = fail_db(store, "cannot open the backup", backup);
	else
		status = check_copy(store, backup, summary);
	sqlite3_close(backup);
	return status;
}

enum store_status store_restore(struct store *store, const char *path, struct store_summary *summary)
{
	if (!is_sqlite(store))
		return STORE_UNAVAILABLE;
	sqlite3 *backup = NULL;
	enum store_status status = store_backup_check(store, path, summary);
	if (status != STORE_OK)
		return status;
	if (sqlite3_open_v2(path, &backup, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		status = fail_db(store, "cannot open the backup", backup);
	else
		status = copy_all(store, sqlite_db(store), backup);
	sqlite3_close(backup);
	if (status != STORE_OK)
		return status;
	/* The restored pages are in the WAL; fold them into the file now. */
	if (sqlite3_wal_checkpoint_v2(sqlite_db(store), NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
		return fail_db(store, "checkpoint after the restore", sqlite_db(store));
	return check_copy(store, sqlite_db(store), summary);
}

enum store_status store_in_use(const char *location, bool *in_use, char *error, size_t error_size)
{
	char shm[4200];
	struct flock probe = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = SHM_DMS_LOCK_OFFSET, .l_len = 1};
	*in_use = false;
	snprintf(shm, sizeof(shm), "%s-shm", location);
	int fd = open(shm, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return STORE_OK;	/* no WAL index: no connection has it open */
	if (fd < 0 || fcntl(fd, F_GETLK, &probe) != 0) {
		snprintf(error, error_size, "cannot check %s: %s", shm, strerror(errno));
		if (fd >= 0)
			close(fd);
		return STORE_UNAVAILABLE;
	}
	close(fd);
	*in_use = probe.l_type != F_UNLCK;
	return STORE_OK;
}
