/* auth_throttle.c — the per-address failure counters (auth_throttle.h). */
#include "config.h"

#include <stdio.h>

#include "redis/auth_throttle.h"

#define KEY_PREFIX "pt:authfail:"
/* Room for the prefix and an IPv6 address with its zone. */
#define KEY_MAX 128

/* KEYS: the counter. ARGV: the window. The window starts at the first failure. */
static const struct redis_script record_script = {
	"local n = redis.call('INCR', KEYS[1])\n"
	"if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end\n"
	"return n\n"};

/* KEYS: the counter. Returns {count, milliseconds left}. */
static const struct redis_script check_script = {
	"local n = redis.call('GET', KEYS[1])\n"
	"if not n then return {0, 0} end\n"
	"return {tonumber(n), redis.call('PTTL', KEYS[1])}\n"};

static int counter_key(const char *address, char out[KEY_MAX])
{
	int length = snprintf(out, KEY_MAX, KEY_PREFIX "%s", address ? address : "");
	return length > 0 && length < KEY_MAX ? REDIS_LINK_OK : REDIS_LINK_ERR;
}

int auth_throttle_check(struct redis_link *link, const char *address, bool *blocked, int64_t *retry_after)
{
	char key[KEY_MAX];
	*blocked = false;
	*retry_after = 0;
	if (counter_key(address, key) != REDIS_LINK_OK)
		return REDIS_LINK_ERR;
	const char *argv[] = {key};
	redisReply *reply = redis_link_script(link, &check_script, 1, 1, argv);
	if (!reply)
		return REDIS_LINK_ERR;
	int status = REDIS_LINK_ERR;
	if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
	    reply->element[0]->type == REDIS_REPLY_INTEGER && reply->element[1]->type == REDIS_REPLY_INTEGER) {
		long long left_ms = reply->element[1]->integer;
		*blocked = reply->element[0]->integer >= AUTH_THROTTLE_FAILURES && left_ms > 0;
		*retry_after = *blocked ? (left_ms + 999) / 1000 : 0;
		status = REDIS_LINK_OK;
	}
	freeReplyObject(reply);
	return status;
}

int auth_throttle_record_failure(struct redis_link *link, const char *address)
{
	char key[KEY_MAX], window[16];
	if (counter_key(address, key) != REDIS_LINK_OK)
		return REDIS_LINK_ERR;
	snprintf(window, sizeof(window), "%d", AUTH_THROTTLE_WINDOW_SECONDS);
	const char *argv[] = {key, window};
	redisReply *reply = redis_link_script(link, &record_script, 1, 2, argv);
	if (!reply)
		return REDIS_LINK_ERR;
	freeReplyObject(reply);
	return REDIS_LINK_OK;
}
