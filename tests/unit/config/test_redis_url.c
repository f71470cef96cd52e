/* test_redis_url.c — PT_REDIS_URL: the forms redis-cli -u and other clients
 * accept, percent-encoded credentials, and every malformed URL refused with
 * a reason that never shows the password; then settings_load's precedence
 * (the URL over host/port/socket, PT_REDIS_USER/PASSWORD over the URL's). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "config/redis_url.h"
#include "config/settings.h"

static void network_urls_parse(void **state)
{
	(void)state;
	struct redis_url url;
	char error[256];
	assert_int_equal(redis_url_parse("redis://cache.internal", &url, error, sizeof(error)), 0);
	assert_string_equal(url.host, "cache.internal");
	assert_int_equal(url.port, 6379);
	assert_null(url.user);
	assert_null(url.password);
	assert_int_equal(url.db, 0);
	assert_false(url.tls);
	redis_url_free(&url);

	assert_int_equal(redis_url_parse("rediss://pt:s%40cr%3At@10.0.0.7:6380/2", &url, error, sizeof(error)), 0);
	assert_string_equal(url.host, "10.0.0.7");
	assert_int_equal(url.port, 6380);
	assert_string_equal(url.user, "pt");
	assert_string_equal(url.password, "s@cr:t");
	assert_int_equal(url.db, 2);
	assert_true(url.tls);
	redis_url_free(&url);

	/* No user: AUTH PASSWORD. A password may hold an unencoded '@'. */
	assert_int_equal(redis_url_parse("redis://:p@ss@[::1]:7000", &url, error, sizeof(error)), 0);
	assert_string_equal(url.host, "::1");
	assert_int_equal(url.port, 7000);
	assert_null(url.user);
	assert_string_equal(url.password, "p@ss");
	redis_url_free(&url);

	assert_int_equal(redis_url_parse("redis://secret@localhost/", &url, error, sizeof(error)), 0);
	assert_string_equal(url.password, "secret");
	assert_int_equal(url.db, 0);
	redis_url_free(&url);
}

static void unix_urls_parse(void **state)
{
	(void)state;
	struct redis_url url;
	char error[256];
	assert_int_equal(redis_url_parse("unix:///run/redis/redis.sock?db=3", &url, error, sizeof(error)), 0);
	assert_string_equal(url.socket, "/run/redis/redis.sock");
	assert_null(url.host);
	assert_int_equal(url.db, 3);
	redis_url_free(&url);
	assert_int_equal(redis_url_parse("unix://relative.sock", &url, error, sizeof(error)), -1);
	assert_int_equal(redis_url_parse("unix:///x.sock?timeout=1", &url, error, sizeof(error)), -1);
}

static void bad_urls_are_refused_without_the_password(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"http://localhost",
		"redis://",
		"redis://:hunter2@",
		"redis://host:0",
		"redis://host:65536",
		"redis://host:12x",
		"redis://host:",
		"redis://host/db",
		"redis://host/70000",
		"redis://host?x=1",
		"redis://[::1",
		"redis://[::1]x",
		"redis://:hunter2%zz@host",
		"redis://:hunter2%00@host",
		"redis://:hunter2%4@host",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct redis_url url;
		char error[256] = "";
		assert_int_equal(redis_url_parse(bad[i], &url, error, sizeof(error)), -1);
		assert_non_null(strstr(error, "PT_REDIS_URL"));
		assert_null(strstr(error, "hunter2"));
		assert_null(url.host);
		assert_null(url.password);
	}
}

static void settings_take_the_url_and_the_credentials(void **state)
{
	(void)state;
	struct settings settings;
	char error[256];
	setenv("PT_REDIS_SOCKET", "/tmp/ignored.sock", 1);
	setenv("PT_REDIS_URL", "redis://app:from-url@redis.internal:6390/1", 1);
	assert_int_equal(settings_load(&settings, SETTINGS_NEED_STORAGE, error, sizeof(error)), 0);
	assert_null(settings.redis_socket);
	assert_string_equal(settings.redis_host, "redis.internal");
	assert_int_equal(settings.redis_port, 6390);
	assert_string_equal(settings.redis_user, "app");
	assert_string_equal(settings.redis_password, "from-url");
	assert_int_equal(settings.redis_db, 1);
	settings_free(&settings);

	setenv("PT_REDIS_USER", "other", 1);
	setenv("PT_REDIS_PASSWORD", "from-env", 1);
	assert_int_equal(settings_load(&settings, SETTINGS_NEED_STORAGE, error, sizeof(error)), 0);
	assert_string_equal(settings.redis_user, "other");
	assert_string_equal(settings.redis_password, "from-env");
	settings_free(&settings);

	setenv("PT_REDIS_URL", "redis://[::1", 1);
	assert_int_equal(settings_load(&settings, SETTINGS_NEED_STORAGE, error, sizeof(error)), -1);
	assert_non_null(strstr(error, "PT_REDIS_URL"));

	unsetenv("PT_REDIS_URL");
	unsetenv("PT_REDIS_PASSWORD");
	assert_int_equal(settings_load(&settings, SETTINGS_NEED_STORAGE, error, sizeof(error)), -1);
	assert_non_null(strstr(error, "PT_REDIS_USER needs a password"));
	unsetenv("PT_REDIS_USER");
	unsetenv("PT_REDIS_SOCKET");
#ifndef HAVE_HIREDIS_SSL
	setenv("PT_REDIS_URL", "rediss://redis.internal", 1);
	assert_int_equal(settings_load(&settings, SETTINGS_NEED_STORAGE, error, sizeof(error)), -1);
	assert_non_null(strstr(error, "hiredis_ssl"));
	unsetenv("PT_REDIS_URL");
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(network_urls_parse),
		cmocka_unit_test(unix_urls_parse),
		cmocka_unit_test(bad_urls_are_refused_without_the_password),
		cmocka_unit_test(settings_take_the_url_and_the_credentials),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
