/* SPDX-License-Identifier: ISC */
/* backup.h — `platform-test-admin backup FILE` and `restore FILE`: the
 * operator's commands around store_backup and store_restore, with what a
 * restore must also do outside the store (refuse while the services run,
 * migrate, rebuild the Redis board and queue). Each returns the command's
 * exit status: 0, 1 on failure, 2 for bad input, 3 when refused. */
#ifndef PT_ADMIN_BACKUP_H
#define PT_ADMIN_BACKUP_H

#include "app/app.h"

int admin_backup(struct app *app, const char *path);
int admin_restore(struct app *app, const char *path);

#endif
