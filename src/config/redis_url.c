/* redis_url.c — parsing PT_REDIS_URL (see redis_url.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/redis_url.h"
#include "util/digits.h"
#include "util/encoding.h"

/* A malloc'd, percent-decoded copy of text[0..length); NULL on a bad
 * escape, a decoded NUL, or no memory. */
static char *decode(const char *text, size_t length)
{
	char *out = malloc(length + 1), *end = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < length; i++) {
		if (text[i] != '%') {
			*end++ = text[i];
			continue;
		}
		int high = i + 2 < length ? hex_digit_value(text[i + 1]) : -1;
		int low = i + 2 < length ? hex_digit_value(text[i + 2]) : -1;
		if (high < 0 || low < 0 || (high == 0 && low == 0)) {
			free(out);
			return NULL;
		}
		*end++ = (char)(high * 16 + low);
		i += 2;
	}
	*end = '\0';
	return out;
}

/* text[0..length) is a number within [min, max], digits only. */
static int small_number(const char *text, size_t length, int min, int max, int *out)
{
	int64_t value = 0;
	if (digits_parse(text, length, &value) != DIGITS_OK || value < min || value > max)
		return -1;
	*out = (int)value;
	return 0;
}

static int fail(struct redis_url *url, char *error, size_t error_size, const char *reason)
{
	redis_url_free(url);
	snprintf(error, error_size, "PT_REDIS_URL: %s", reason);
	return -1;
}

static int parse_unix(const char *rest, struct redis_url *url, char *error, size_t error_size)
{
	size_t path_length = strcspn(rest, "?");
	if (path_length == 0 || rest[0] != '/')
		return fail(url, error, error_size, "unix:// needs an absolute socket path");
	if (rest[path_length] == '?') {
		const char *query = rest + path_length + 1;
		if (strncmp(query, "db=", 3) != 0 || small_number(query + 3, strlen(query + 3), 0, 65535, &url->db) != 0)
			return fail(url, error, error_size, "the only query parameter of unix:// is db=NUMBER");
	}
	url->socket = strndup(rest, path_length);
	return url->socket ? 0 : fail(url, error, error_size, "out of memory");
}

static int parse_userinfo(const char *text, size_t length, struct redis_url *url)
{
	const char *colon = memchr(text, ':', length);
	size_t user_length = colon ? (size_t)(colon - text) : length;
	/* redis://:PASSWORD@ (no user) and redis://PASSWORD@ (redis-cli reads a
	 * lone name as the password) both mean AUTH PASSWORD. */
	if (!colon)
		return (url->password = decode(text, length)) ? 0 : -1;
	if (user_length > 0 && !(url->user = decode(text, user_length)))
		return -1;
	return (url->password = decode(colon + 1, length - user_length - 1)) ? 0 : -1;
}

static int parse_network(const char *rest, struct redis_url *url, char *error, size_t error_size)
{
	size_t authority_length = strcspn(rest, "/?#");
	const char *at = memchr(rest, '@', authority_length);
	const char *host = rest;
	if (at) {
		/* The last '@' ends the userinfo: a password may hold '@' unencoded. */
		const char *last = at;
		while ((at = memchr(last + 1, '@', authority_length - (size_t)(last + 1 - rest))))
			last = at;
		if (parse_userinfo(rest, (size_t)(last - rest), url) != 0)
			return fail(url, error, error_size, "bad percent-encoding in the user or password");
		host = last + 1;
	}
	size_t host_length = authority_length - (size_t)(host - rest);
	const char *port = NULL;
	if (host_length > 0 && host[0] == '[') {
		const char *close = memchr(host, ']', host_length);
		if (!close)
			return fail(url, error, error_size, "an IPv6 address needs its closing ]");
		url->host = strndup(host + 1, (size_t)(close - host - 1));
		if (close + 1 < host + host_length) {
			if (close[1] != ':')
				return fail(url, error, error_size, "junk after the IPv6 address");
			port = close + 2;
		}
	} else {
		const char *colon = memchr(host, ':', host_length);
		url->host = strndup(host, colon ? (size_t)(colon - host) : host_length);
		port = colon ? colon + 1 : NULL;
	}
	if (!url->host)
		return fail(url, error, error_size, "out of memory");
	if (!url->host[0])
		return fail(url, error, error_size, "no host");
	if (port && small_number(port, (size_t)(host + host_length - port), 1, 65535, &url->port) != 0)
		return fail(url, error, error_size, "the port must be a number from 1 to 65535");
	const char *path = rest + authority_length;
	if (*path == '/' && path[1] && small_number(path + 1, strlen(path + 1), 0, 65535, &url->db) != 0)
		return fail(url, error, error_size, "the path must be a database number");
	if (*path == '?' || *path == '#')
		return fail(url, error, error_size, "redis:// takes no query or fragment");
	return 0;
}

int redis_url_parse(const char *text, struct redis_url *out, char *error, size_t error_size)
{
	memset(out, 0, sizeof(*out));
	out->port = 6379;
	if (strncmp(text, "unix://", 7) == 0)
		return parse_unix(text + 7, out, error, error_size);
	if (strncmp(text, "rediss://", 9) == 0) {
		out->tls = true;
		return parse_network(text + 9, out, error, error_size);
	}
	if (strncmp(text, "redis://", 8) == 0)
		return parse_network(text + 8, out, error, error_size);
	return fail(out, error, error_size, "must begin with redis://, rediss:// or unix://");
}

static void free_secret(char *secret)
{
	if (secret)
		explicit_bzero(secret, strlen(secret));
	free(secret);
}

void redis_url_free(struct redis_url *url)
{
	free(url->socket);
	free(url->host);
	free(url->user);
	free_secret(url->password);
	memset(url, 0, sizeof(*url));
	url->port = 6379;
}
