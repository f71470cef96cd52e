/* SPDX-License-Identifier: ISC */
/* migrate.h — applies the numbered SQL files of sql/ in order, each in its
 * own transaction, recording them in schema_migrations. */
#ifndef PT_MIGRATE_H
#define PT_MIGRATE_H

#include <stddef.h>

#include "store/store.h"

enum migrate_status {
	MIGRATE_OK = 0,
	MIGRATE_UNKNOWN_VERSION,	/* the database records a migration we do not have */
	MIGRATE_BAD_DIRECTORY,		/* unreadable directory, bad or duplicate file name */
	MIGRATE_FAILED,			/* a migration's SQL failed: it was rolled back */
};

struct migrate_report {
	int applied;		/* how many were applied by this run */
	int current_version;	/* the highest version recorded afterwards */
	char error[1024];
};

enum migrate_status migrate_apply(struct store *store, const char *sql_directory, struct migrate_report *report);

/* True when a file name is a migration: three or more digits, '_', a name, ".sql". */
int migrate_file_version(const char *file_name);

#endif
