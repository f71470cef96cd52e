/* sqlite_wal.c — keeping the SQLite store's files bounded and telling
 * whether a write can succeed: the WAL hook that replaces the automatic
 * checkpoint, the worker's housekeeping turns, and store_writable. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "store/sqlite/sqlite_store.h"
#include "util/clock.h"

/* WAL sizes, in pages of 4 KiB (docs/operations.md states the bound they
 * give). The worker copies the WAL back into the database in its commits
 * past 4 MB (a passive checkpoint: it waits for no one). Any connection
 * whose commit finds it past 16 MB starts it over (a RESTART checkpoint:
 * passive ones cannot reset a WAL that readers keep using, and under load
 * it grew without bound). */
#define WAL_WORKER_PASSIVE_PAGES 1000
#define WAL_RESTART_PAGES 4000
/* After a failed reset (a reader stuck in a transaction, say) the next
 * waits this long. */
#define WAL_RESET_RETRY_MS 1000

/* A checkpoint that resets the WAL (RESTART, TRUNCATE), waiting for
 * readers only briefly. SQLITE_OK, or SQLITE_BUSY when a reader or writer
 * kept it from finishing. */
static int reset_wal(struct store *store, int mode)
{
	struct sqlite_store *sqlite = sqlite_of(store);
	int64_t now_ms = clock_monotonic_ms();
	if (now_ms < sqlite->wal_reset_not_before_ms)
		return SQLITE_BUSY;
	sqlite_busy_brief(store, true);
	int result = sqlite3_wal_checkpoint_v2(sqlite->db, NULL, mode, NULL, NULL);
	sqlite_busy_brief(store, false);
	if (result == SQLITE_BUSY)
		sqlite->wal_reset_not_before_ms = clock_monotonic_ms() + WAL_RESET_RETRY_MS;
	return result;
}

/* SQLite calls this after each commit, the write lock released. A failed
 * checkpoint here fails nothing: the commit is done, and the next commit or
 * housekeeping turn tries again. */
int sqlite_wal_committed(void *context, sqlite3 *db, const char *name, int frames)
{
	struct store *store = context;
	if (frames >= WAL_RESTART_PAGES)
		(void)reset_wal(store, SQLITE_CHECKPOINT_RESTART);
	else if (sqlite_of(store)->housekeeper && frames >= WAL_WORKER_PASSIVE_PAGES)
		(void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

enum store_status sqlite_take_housekeeping(struct store *store)
{
	sqlite_of(store)->housekeeper = true;
	return STORE_OK;
}

/* Copies committed WAL frames into the database file without waiting for
 * readers or writers (a PASSIVE checkpoint). When a turn finds the WAL
 * wholly copied and no frame written since the previous turn, the database
 * is idle: a TRUNCATE checkpoint then empties the file, which costs no one
 * anything (no writer to hold off, nothing left to copy). */
enum store_status sqlite_housekeeping(struct store *store)
{
	struct sqlite_store *sqlite = sqlite_of(store);
	int frames = 0, copied = 0;
	int result = sqlite3_wal_checkpoint_v2(sqlite->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
	/* BUSY: another connection is checkpointing; the next turn catches up. */
	if (result == SQLITE_BUSY)
		return STORE_OK;
	if (result != SQLITE_OK)
		return sqlite_fail(store, result);
	bool idle = frames > 0 && copied == frames && frames == sqlite->wal_frames_seen;
	sqlite->wal_frames_seen = frames;
	if (!idle)
		return STORE_OK;
	result = reset_wal(store, SQLITE_CHECKPOINT_TRUNCATE);
	if (result == SQLITE_OK)
		sqlite->wal_frames_seen = 0;
	/* BUSY: a writer or a reader came in meanwhile; not idle after all. */
	return result == SQLITE_OK || result == SQLITE_BUSY ? STORE_OK : sqlite_fail(store, result);
}

/* What store_writable looks at: a failed write is remembered this long, the
 * file system looked at this often (a statvfs), and less free space than
 * this is "full" (SQLite needs a few pages per commit, and a checkpoint more). */
#define WRITE_FAILURE_MEMORY_MS 5000
#define SPACE_CHECK_MS 1000
#define SPACE_MIN_BYTES (1024 * 1024)

static void look_at_space(struct sqlite_store *sqlite)
{
	struct statvfs fs;
	const char *path = sqlite3_db_filename(sqlite->db, "main");
	sqlite->space_problem[0] = '\0';
	if (!path || !*path)
		return;	/* an in-memory database: nothing to fill */
	if (statvfs(path, &fs) != 0)
		snprintf(sqlite->space_problem, sizeof(sqlite->space_problem), "cannot look at the file system: %s",
			 strerror(errno));
	else if (fs.f_flag & ST_RDONLY)
		snprintf(sqlite->space_problem, sizeof(sqlite->space_problem), "the file system is read-only");
	else if ((unsigned long long)fs.f_bavail * fs.f_frsize < SPACE_MIN_BYTES)
		snprintf(sqlite->space_problem, sizeof(sqlite->space_problem), "the file system has %llu bytes free",
			 (unsigned long long)fs.f_bavail * fs.f_frsize);
}

enum store_status sqlite_writable(struct store *store)
{
	struct sqlite_store *sqlite = sqlite_of(store);
	int64_t now_ms = clock_monotonic_ms();
	if (sqlite->write_failed_ms != 0 && now_ms - sqlite->write_failed_ms < WRITE_FAILURE_MEMORY_MS)
		return store_fail(store, STORE_UNAVAILABLE, "sqlite: the last write failed: %s", sqlite->write_failure);
	if (sqlite->space_checked_ms == 0 || now_ms - sqlite->space_checked_ms >= SPACE_CHECK_MS) {
		sqlite->space_checked_ms = now_ms;
		look_at_space(sqlite);
	}
	if (sqlite->space_problem[0])
		return store_fail(store, STORE_UNAVAILABLE, "sqlite: %s", sqlite->space_problem);
	return STORE_OK;
}
