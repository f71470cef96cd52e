/* battle_queue.c — RPUSH on submit; LMOVE-based reliable take; an exact
 * acknowledgement (the batch's ids are still the head of processing). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "redis/battle_queue.h"

/* KEYS: queue, processing. ARGV: max. Moves up to max ids atomically, so the
 * processing list always holds a prefix of the queue's order. */
static const struct redis_script take_script = {
	"local moved = {}\n"
	"for i = 1, tonumber(ARGV[1]) do\n"
	"  local id = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')\n"
	"  if not id then break end\n"
	"  moved[i] = id\n"
	"end\n"
	"return moved\n"};

/* KEYS: processing. ARGV: count, first id, last id. Trims the batch off the
 * head of processing only if the head is still that batch: a worker that
 * lost its role while it finished a batch must not trim the ids its
 * successor has taken since. 1, or 0 when the list is not that batch. */
static const struct redis_script acknowledge_script = {
	"local n = tonumber(ARGV[1])\n"
	"if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[2] or redis.call('LINDEX', KEYS[1], n - 1) ~= ARGV[3] then\n"
	"  return 0\n"
	"end\n"
	"redis.call('LTRIM', KEYS[1], n, -1)\n"
	"return 1\n"};

int battle_queue_push(struct redis_link *link, int64_t battle_id)
{
	redisReply *reply = redis_link_command(link, "RPUSH %s %" PRId64, BATTLE_QUEUE_KEY, battle_id);
	if (!reply)
		return REDIS_LINK_ERR;
	freeReplyObject(reply);
	return REDIS_LINK_OK;
}

void battle_queue_withdraw(struct redis_link *link, int64_t battle_id)
{
	redisReply *reply = redis_link_command(link, "LREM %s 0 %" PRId64, BATTLE_QUEUE_KEY, battle_id);
	if (reply)
		freeReplyObject(reply);
}

int battle_queue_pending(struct redis_link *link, int64_t *pending)
{
	int status = REDIS_LINK_ERR;
	const char *queue[] = {"LLEN", BATTLE_QUEUE_KEY};
	const char *processing[] = {"LLEN", BATTLE_PROCESSING_KEY};
	redisReply *first = NULL, *second = NULL;
	if (redis_link_append_argv(link, 2, queue, NULL) != REDIS_LINK_OK ||
	    redis_link_append_argv(link, 2, processing, NULL) != REDIS_LINK_OK)
		goto out;
	first = redis_link_read(link);
	second = first ? redis_link_read(link) : NULL;
	if (!first || !second || first->type != REDIS_REPLY_INTEGER || second->type != REDIS_REPLY_INTEGER)
		goto out;
	*pending = first->integer + second->integer;
	status = REDIS_LINK_OK;
out:
	if (first)
		freeReplyObject(first);
	if (second)
		freeReplyObject(second);
	return status;
}

static int parse_ids(const redisReply *reply, size_t max, int64_t *ids, size_t *count)
{
	*count = 0;
	if (reply->type != REDIS_REPLY_ARRAY)
		return REDIS_LINK_ERR;
	for (size_t i = 0; i < reply->elements && *count < max; i++) {
		const redisReply *element = reply->element[i];
		if (element->type != REDIS_REPLY_STRING)
			return REDIS_LINK_ERR;
		ids[(*count)++] = strtoll(element->str, NULL, 10);
	}
	return REDIS_LINK_OK;
}

int battle_queue_take(struct redis_link *link, size_t max, double timeout_seconds,
		      int64_t *ids, size_t *count)
{
	char max_text[24];
	int status;
	*count = 0;
	/* Anything already in processing was taken by a run that did not ack it. */
	redisReply *reply = redis_link_command(link, "LRANGE %s 0 %lld", BATTLE_PROCESSING_KEY, (long long)max - 1);
	if (!reply)
		return REDIS_LINK_ERR;
	status = parse_ids(reply, max, ids, count);
	freeReplyObject(reply);
	if (status != REDIS_LINK_OK || *count > 0)
		return status;

	char timeout_text[32];
	snprintf(timeout_text, sizeof(timeout_text), "%.3f", timeout_seconds);
	reply = redis_link_command(link, "BLMOVE %s %s LEFT RIGHT %s", BATTLE_QUEUE_KEY, BATTLE_PROCESSING_KEY,
				   timeout_text);
	if (!reply)
		return REDIS_LINK_ERR;
	if (reply->type == REDIS_REPLY_NIL) {
		freeReplyObject(reply);
		return REDIS_LINK_OK;
	}
	status = reply->type == REDIS_REPLY_STRING ? REDIS_LINK_OK : REDIS_LINK_ERR;
	if (status == REDIS_LINK_OK)
		ids[(*count)++] = strtoll(reply->str, NULL, 10);
	freeReplyObject(reply);
	if (status != REDIS_LINK_OK || max == 1)
		return status;

	snprintf(max_text, sizeof(max_text), "%zu", max - 1);
	const char *argv[] = {BATTLE_QUEUE_KEY, BATTLE_PROCESSING_KEY, max_text};
	reply = redis_link_script(link, &take_script, 2, 3, argv);
	if (!reply)
		return REDIS_LINK_ERR;
	size_t more = 0;
	status = parse_ids(reply, max - 1, ids + 1, &more);
	*count += more;
	freeReplyObject(reply);
	return status;
}

int battle_queue_acknowledge(struct redis_link *link, const int64_t *ids, size_t count, bool *acknowledged)
{
	char count_text[24], first[24], last[24];
	*acknowledged = false;
	if (count == 0)
		return REDIS_LINK_OK;
	snprintf(count_text, sizeof(count_text), "%zu", count);
	snprintf(first, sizeof(first), "%" PRId64, ids[0]);
	snprintf(last, sizeof(last), "%" PRId64, ids[count - 1]);
	const char *argv[] = {BATTLE_PROCESSING_KEY, count_text, first, last};
	redisReply *reply = redis_link_script(link, &acknowledge_script, 1, 4, argv);
	if (!reply)
		return REDIS_LINK_ERR;
	*acknowledged = reply->type == REDIS_REPLY_INTEGER && reply->integer == 1;
	freeReplyObject(reply);
	return REDIS_LINK_OK;
}
