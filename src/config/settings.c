/* SPDX-License-Identifier: ISC */
/* settings.c — reads PT_* environment variables once, with defaults and bounds. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/redis_url.h"
#include "config/settings.h"

static int copy_env(char **out, const char *name, const char *fallback)
{
	const char *value = getenv(name);
	if (!value || !*value)
		value = fallback;
	*out = value ? strdup(value) : NULL;
	return (value && !*out) ? -1 : 0;
}

static int integer_env(int64_t *out, const char *name, int64_t fallback, int64_t min, int64_t max,
		       char *error, size_t error_size)
{
	const char *value = getenv(name);
	char *end = NULL;
	if (!value || !*value) {
		*out = fallback;
		return 0;
	}
	errno = 0;
	long long parsed = strtoll(value, &end, 10);
	if (errno || *end || parsed < min || parsed > max) {
		snprintf(error, error_size, "%s must be an integer between %lld and %lld",
			 name, (long long)min, (long long)max);
		return -1;
	}
	*out = parsed;
	return 0;
}

static int default_database_path(char **out)
{
	const char *state = getenv("PT_STATE_DIR");
	if (!state || !*state)
		state = "./var";
	return asprintf(out, "%s/platform-test.db", state) < 0 ? -1 : 0;
}

/* PT_REDIS_URL, when set, names the server instead of PT_REDIS_SOCKET,
 * PT_REDIS_HOST and PT_REDIS_PORT; PT_REDIS_USER and PT_REDIS_PASSWORD,
 * when set, win over the URL's (so that a secret can stay out of it). */
static int redis_settings(struct settings *settings, char *error, size_t error_size)
{
	const char *text = getenv("PT_REDIS_URL");
	struct redis_url url;
	if (text && *text) {
		if (redis_url_parse(text, &url, error, error_size) != 0)
			return -1;
		free(settings->redis_socket);
		free(settings->redis_host);
		settings->redis_socket = url.socket;
		settings->redis_host = url.host ? url.host : strdup("127.0.0.1");
		settings->redis_port = url.port;
		settings->redis_user = url.user;
		settings->redis_password = url.password;
		settings->redis_db = url.db;
		settings->redis_tls = url.tls;
		if (!settings->redis_host) {
			snprintf(error, error_size, "out of memory");
			return -1;
		}
	}
	const char *user = getenv("PT_REDIS_USER"), *password = getenv("PT_REDIS_PASSWORD");
	snprintf(error, error_size, "out of memory");
	if (user && *user) {
		free(settings->redis_user);
		if (!(settings->redis_user = strdup(user)))
			return -1;
	}
	if (password && *password) {
		free(settings->redis_password);
		if (!(settings->redis_password = strdup(password)))
			return -1;
	}
	if (settings->redis_user && !settings->redis_password) {
		snprintf(error, error_size, "PT_REDIS_USER needs a password (PT_REDIS_PASSWORD or the URL's)");
		return -1;
	}
	if (copy_env(&settings->redis_tls_ca, "PT_REDIS_TLS_CA", NULL) != 0 ||
	    copy_env(&settings->redis_tls_cert, "PT_REDIS_TLS_CERT", NULL) != 0 ||
	    copy_env(&settings->redis_tls_key, "PT_REDIS_TLS_KEY", NULL) != 0)
		return -1;
#ifndef HAVE_HIREDIS_SSL
	if (settings->redis_tls) {
		snprintf(error, error_size,
			 "PT_REDIS_URL: rediss:// needs TLS, and this build's hiredis has none (no hiredis_ssl; Debian 12's "
			 "libhiredis 0.14 lacks it): reach Redis through a TLS tunnel on a local port (docs/operations.md)");
		return -1;
	}
#endif
	return 0;
}

static int check_secret(const char *value, const char *name, char *error, size_t error_size)
{
	if (!value || strlen(value) < SETTINGS_SECRET_MIN_LENGTH) {
		snprintf(error, error_size, "%s must be set to at least %d bytes",
			 name, SETTINGS_SECRET_MIN_LENGTH);
		return -1;
	}
	return 0;
}

int settings_load(struct settings *settings, int needs, char *error, size_t error_size)
{
	int64_t number;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(settings, 0, sizeof(*settings));
	snprintf(error, error_size, "out of memory");
	if (copy_env(&settings->database_url, "PT_DATABASE_URL", NULL) != 0 ||
	    copy_env(&settings->database_path, "PT_DB_PATH", NULL) != 0)
		goto fail;
	if (!settings->database_path && default_database_path(&settings->database_path) != 0)
		goto fail;
	if (copy_env(&settings->redis_socket, "PT_REDIS_SOCKET", NULL) != 0 ||
	    copy_env(&settings->redis_host, "PT_REDIS_HOST", "127.0.0.1") != 0 ||
	    copy_env(&settings->sql_dir, "PT_SQL_DIR", PT_SQL_DIR) != 0 ||
	    copy_env(&settings->admin_password, "PT_ADMIN_PASSWORD", NULL) != 0 ||
	    copy_env(&settings->jwt_secret, "PT_JWT_SECRET", NULL) != 0)
		goto fail;
	if (copy_env(&settings->metrics_path, "PT_METRICS_PATH", NULL) != 0)
		goto fail;
	if (integer_env(&number, "PT_REDIS_PORT", 6379, 1, 65535, error, error_size) != 0)
		goto fail;
	settings->redis_port = (int)number;
	if (redis_settings(settings, error, error_size) != 0)
		goto fail;
	if (integer_env(&number, "PT_REDIS_TIMEOUT_MS", 500, 100, 60000, error, error_size) != 0)
		goto fail;
	settings->redis_timeout_ms = (int)number;
	if (integer_env(&number, "PT_SQLITE_BUSY_TIMEOUT_MS", 2000, 0, 600000, error, error_size) != 0)
		goto fail;
	settings->sqlite_busy_timeout_ms = (int)number;
	if (integer_env(&number, "PT_PG_STATEMENT_TIMEOUT_MS", 2000, 100, 600000, error, error_size) != 0)
		goto fail;
	settings->pg_statement_timeout_ms = (int)number;
	if (integer_env(&settings->jwt_lifetime_seconds, "PT_JWT_LIFETIME", 3600, 60, 30 * 86400,
			error, error_size) != 0)
		goto fail;
	if (integer_env(&number, "PT_WORKER_THREADS", cpus > 0 ? cpus : 2, 1, 64, error, error_size) != 0)
		goto fail;
	settings->worker_threads = (int)number;
	if (integer_env(&number, "PT_WORKER_BATCH", 1024, 1, 4096, error, error_size) != 0)
		goto fail;
	settings->worker_batch = (int)number;
	if (integer_env(&settings->battle_queue_max, "PT_BATTLE_QUEUE_MAX", 100000, 1, 100000000, error,
			error_size) != 0)
		goto fail;
	if ((needs & SETTINGS_NEED_SECRETS) &&
	    (check_secret(settings->admin_password, "PT_ADMIN_PASSWORD", error, error_size) != 0 ||
	     check_secret(settings->jwt_secret, "PT_JWT_SECRET", error, error_size) != 0))
		goto fail;
	error[0] = '\0';
	return 0;
fail:
	settings_free(settings);
	return -1;
}

static void free_secret(char *secret)
{
	if (secret)
		explicit_bzero(secret, strlen(secret));
	free(secret);
}

void settings_free(struct settings *settings)
{
	free_secret(settings->database_url);	/* it may hold a password */
	free(settings->database_path);
	free(settings->redis_socket);
	free(settings->redis_host);
	free(settings->redis_user);
	free_secret(settings->redis_password);
	free(settings->redis_tls_ca);
	free(settings->redis_tls_cert);
	free(settings->redis_tls_key);
	free(settings->sql_dir);
	free(settings->metrics_path);
	free_secret(settings->admin_password);
	free_secret(settings->jwt_secret);
	memset(settings, 0, sizeof(*settings));
}
