/* SPDX-License-Identifier: ISC */
/* settings.h — the process's configuration, read once from the environment
 * at start-up (see README "Configuration"); nothing re-reads it later. */
#ifndef PT_SETTINGS_H
#define PT_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SETTINGS_SECRET_MIN_LENGTH 16

struct settings {
	char *database_url;		/* PT_DATABASE_URL: a PostgreSQL URI or conninfo; PostgreSQL instead of SQLite */
	int pg_statement_timeout_ms;	/* PT_PG_STATEMENT_TIMEOUT_MS, default 2000 */
	char *database_path;		/* PT_DB_PATH, default $PT_STATE_DIR/platform-test.db */
	/* Redis: PT_REDIS_URL when set (config/redis_url.h), else the three below. */
	char *redis_socket;		/* PT_REDIS_SOCKET: a unix socket path; wins over host/port */
	char *redis_host;		/* PT_REDIS_HOST, default 127.0.0.1 */
	int redis_port;			/* PT_REDIS_PORT, default 6379 */
	char *redis_user;		/* PT_REDIS_USER, or the URL's: AUTH USER PASSWORD (an ACL user) */
	char *redis_password;		/* PT_REDIS_PASSWORD, or the URL's: AUTH [USER] PASSWORD */
	int redis_db;			/* the URL's database number, default 0 */
	bool redis_tls;			/* rediss://: needs a build with hiredis_ssl */
	char *redis_tls_ca;		/* PT_REDIS_TLS_CA: CA certificates (a file); default the system's */
	char *redis_tls_cert;		/* PT_REDIS_TLS_CERT, PT_REDIS_TLS_KEY: a client certificate */
	char *redis_tls_key;
	int redis_timeout_ms;		/* PT_REDIS_TIMEOUT_MS, default 500 */
	int sqlite_busy_timeout_ms;	/* PT_SQLITE_BUSY_TIMEOUT_MS, default 2000 */
	char *sql_dir;			/* PT_SQL_DIR, default the installed migrations */
	char *admin_password;		/* PT_ADMIN_PASSWORD */
	char *jwt_secret;		/* PT_JWT_SECRET */
	int64_t jwt_lifetime_seconds;	/* PT_JWT_LIFETIME, default 3600 */
	int worker_threads;		/* PT_WORKER_THREADS, default number of CPUs */
	int worker_batch;		/* PT_WORKER_BATCH, default 1024 */
	int64_t battle_queue_max;	/* PT_BATTLE_QUEUE_MAX, default 100000: battles pending before POST /battles answers 503 */
	char *metrics_path;		/* PT_METRICS_PATH: the shared metrics segment (on tmpfs); unset: no metrics */
};

enum settings_need {
	SETTINGS_NEED_STORAGE = 1,	/* database and redis */
	SETTINGS_NEED_SECRETS = 2,	/* admin password and JWT secret, each >= 16 bytes */
};

/* Fills settings from the environment. On failure returns -1 and writes
 * a one-line reason into error (size error_size). */
int settings_load(struct settings *settings, int needs, char *error, size_t error_size);
void settings_free(struct settings *settings);

#endif
