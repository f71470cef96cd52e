/* SPDX-License-Identifier: ISC */
/* battle_queue.c — the bounded push of a submission group; LMOVE-based reliable take; an exact
 * acknowledgement (the batch's ids are still the head of processing); the
 * audit of the queue against the store. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* KEYS: queue, processing. ARGV: the most battles pending at once (queue +
 * processing), then the ids. All or none: -1 when they would not fit. */
static const struct redis_script push_bounded_script = {
	"local count = #ARGV - 1\n"
	"if redis.call('LLEN', KEYS[1]) + redis.call('LLEN', KEYS[2]) + count > tonumber(ARGV[1]) then\n"
	"  return -1\n"
	"end\n"
	"return redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))\n"};

int battle_queue_push(struct redis_link *link, int64_t battle_id)
{
	redisReply *reply = redis_link_command(link, "RPUSH %s %" PRId64, BATTLE_QUEUE_KEY, battle_id);
	if (!reply)
		return REDIS_LINK_ERR;
	freeReplyObject(reply);
	return REDIS_LINK_OK;
}

int battle_queue_push_bounded(struct redis_link *link, const int64_t *ids, size_t count, int64_t max_pending,
			      bool *full)
{
	char texts[BATTLE_QUEUE_PUSH_MAX][24], max_text[24];
	const char *argv[3 + BATTLE_QUEUE_PUSH_MAX] = {BATTLE_QUEUE_KEY, BATTLE_PROCESSING_KEY, max_text};
	int status = REDIS_LINK_ERR;
	*full = false;
	if (count == 0 || count > BATTLE_QUEUE_PUSH_MAX) {
		snprintf(link->error, sizeof(link->error), "battle queue: %zu ids in one push", count);
		return REDIS_LINK_ERR;
	}
	snprintf(max_text, sizeof(max_text), "%" PRId64, max_pending);
	for (size_t i = 0; i < count; i++) {
		snprintf(texts[i], sizeof(texts[i]), "%" PRId64, ids[i]);
		argv[3 + i] = texts[i];
	}
	redisReply *reply = redis_link_script(link, &push_bounded_script, 2, 3 + (int)count, argv);
	if (!reply)
		return REDIS_LINK_ERR;
	if (reply->type == REDIS_REPLY_INTEGER) {
		*full = reply->integer < 0;
		status = REDIS_LINK_OK;
	} else {
		snprintf(link->error, sizeof(link->error), "battle queue: the push answered no count");
	}
	freeReplyObject(reply);
	return status;
}

void battle_queue_withdraw(struct redis_link *link, const int64_t *ids, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		redisReply *reply = redis_link_command(link, "LREM %s 0 %" PRId64, BATTLE_QUEUE_KEY, ids[i]);
		if (!reply)
			return;
		freeReplyObject(reply);
	}
}

int battle_queue_health(struct redis_link *link, int64_t *pending, bool *writable)
{
	int status = REDIS_LINK_ERR;
	const char *queue[] = {"LLEN", BATTLE_QUEUE_KEY};
	const char *processing[] = {"LLEN", BATTLE_PROCESSING_KEY};
	const char *probe[] = {"RPUSHX", BATTLE_QUEUE_PROBE_KEY, "0"};
	redisReply *replies[3] = {NULL, NULL, NULL};
	size_t sent = writable ? 3 : 2;
	if (redis_link_append_argv(link, 2, queue, NULL) != REDIS_LINK_OK ||
	    redis_link_append_argv(link, 2, processing, NULL) != REDIS_LINK_OK ||
	    (writable && redis_link_append_argv(link, 3, probe, NULL) != REDIS_LINK_OK))
		goto out;
	for (size_t i = 0; i < sent; i++)
		if (!(replies[i] = redis_link_read(link)))
			goto out;
	if (replies[0]->type != REDIS_REPLY_INTEGER || replies[1]->type != REDIS_REPLY_INTEGER)
		goto out;
	*pending = replies[0]->integer + replies[1]->integer;
	status = REDIS_LINK_OK;
	if (!writable)
		goto out;
	*writable = replies[2]->type == REDIS_REPLY_INTEGER;
	if (!*writable)
		snprintf(link->error, sizeof(link->error), "redis refuses writes: %s",
			 replies[2]->type == REDIS_REPLY_ERROR ? replies[2]->str : "unexpected reply");
out:
	for (size_t i = 0; i < sent; i++)
		if (replies[i])
			freeReplyObject(replies[i]);
	return status;
}

/* Each list's length, for the metrics: waiting in the queue, and taken by the worker. */
int battle_queue_depth(struct redis_link *link, int64_t *queued, int64_t *processing)
{
	int status = REDIS_LINK_ERR;
	const char *queue[] = {"LLEN", BATTLE_QUEUE_KEY};
	const char *taken[] = {"LLEN", BATTLE_PROCESSING_KEY};
	redisReply *first = NULL, *second = NULL;
	if (redis_link_append_argv(link, 2, queue, NULL) != REDIS_LINK_OK ||
	    redis_link_append_argv(link, 2, taken, NULL) != REDIS_LINK_OK)
		goto out;
	first = redis_link_read(link);
	second = first ? redis_link_read(link) : NULL;
	if (!first || !second || first->type != REDIS_REPLY_INTEGER || second->type != REDIS_REPLY_INTEGER)
		goto out;
	*queued = first->integer;
	*processing = second->integer;
	status = REDIS_LINK_OK;
out:
	if (first)
		freeReplyObject(first);
	if (second)
		freeReplyObject(second);
	return status;
}

/* Empties both lists (a restore re-pushes the restored queued ids). */
int battle_queue_reset(struct redis_link *link)
{
	redisReply *reply = redis_link_command(link, "DEL %s %s", BATTLE_QUEUE_KEY, BATTLE_PROCESSING_KEY);
	if (!reply)
		return REDIS_LINK_ERR;
	freeReplyObject(reply);
	return REDIS_LINK_OK;
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

/* ---- the audit ---- */

#define AUDIT_CHUNK 10000

struct queued_ids {
	int64_t *ids;
	size_t count, capacity;
};

static int add_id(struct queued_ids *list, int64_t id)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? 2 * list->capacity : 1024;
		int64_t *grown = realloc(list->ids, capacity * sizeof(*grown));
		if (!grown)
			return -1;
		list->ids = grown;
		list->capacity = capacity;
	}
	list->ids[list->count++] = id;
	return 0;
}

static int compare_ids(const void *left, const void *right)
{
	int64_t a = *(const int64_t *)left, b = *(const int64_t *)right;
	return (a > b) - (a < b);
}

static int read_list(struct redis_link *link, const char *key, struct queued_ids *list)
{
	for (long long start = 0;; start += AUDIT_CHUNK) {
		redisReply *reply = redis_link_command(link, "LRANGE %s %lld %lld", key, start, start + AUDIT_CHUNK - 1);
		if (!reply)
			return REDIS_LINK_ERR;
		size_t got = reply->type == REDIS_REPLY_ARRAY ? reply->elements : 0;
		for (size_t i = 0; i < got; i++) {
			if (reply->element[i]->type != REDIS_REPLY_STRING ||
			    add_id(list, strtoll(reply->element[i]->str, NULL, 10)) != 0) {
				freeReplyObject(reply);
				snprintf(link->error, sizeof(link->error), "queue audit: a list entry is no id, or no memory");
				return REDIS_LINK_ERR;
			}
		}
		freeReplyObject(reply);
		if (got < AUDIT_CHUNK)
			return REDIS_LINK_OK;
	}
}

struct queue_audit {
	struct queued_ids delivered;	/* both lists, sorted */
	battle_queue_report report;
	void *context;
};

static int audit_queued(void *opaque, int64_t id)
{
	struct queue_audit *audit = opaque;
	char text[160];
	if (audit->delivered.count > 0 &&
	    bsearch(&id, audit->delivered.ids, audit->delivered.count, sizeof(id), compare_ids))
		return 0;
	snprintf(text, sizeof(text), "battle %" PRId64 " is queued in the store but in neither Redis list", id);
	audit->report(audit->context, BATTLE_QUEUE_MISSING, id, text);
	return 0;
}

int battle_queue_audit(struct redis_link *link, struct store *store, battle_queue_report report, void *context)
{
	struct queue_audit audit = {.report = report, .context = context};
	struct queued_ids queue = {0};
	int status = REDIS_LINK_ERR;
	if (read_list(link, BATTLE_QUEUE_KEY, &queue) != REDIS_LINK_OK ||
	    read_list(link, BATTLE_PROCESSING_KEY, &audit.delivered) != REDIS_LINK_OK)
		goto out;
	for (size_t i = 0; i < queue.count; i++) {
		enum battle_status_value battle_status = BATTLE_QUEUED;
		enum store_status found = store_battle_status(store, queue.ids[i], &battle_status);
		char text[160];
		if (add_id(&audit.delivered, queue.ids[i]) != 0 || (found != STORE_OK && found != STORE_NOT_FOUND)) {
			snprintf(link->error, sizeof(link->error), "queue audit: %s",
				 found != STORE_OK && found != STORE_NOT_FOUND ? store_error(store) : "out of memory");
			goto out;
		}
		if (found == STORE_OK && battle_status == BATTLE_QUEUED)
			continue;
		snprintf(text, sizeof(text), "battle %" PRId64 " is in the Redis queue but %s", queue.ids[i],
			 found == STORE_NOT_FOUND ? "has no row in the store" : "is done in the store");
		report(context, BATTLE_QUEUE_STALE, queue.ids[i], text);
	}
	if (audit.delivered.count > 0)
		qsort(audit.delivered.ids, audit.delivered.count, sizeof(int64_t), compare_ids);
	if (store_queued_battles_scan(store, audit_queued, &audit) != STORE_OK) {
		snprintf(link->error, sizeof(link->error), "queue audit: %s", store_error(store));
		goto out;
	}
	status = REDIS_LINK_OK;
out:
	free(queue.ids);
	free(audit.delivered.ids);
	return status;
}
