/* SPDX-License-Identifier: ISC */
/* leaderboard.c — member encoding, rank arithmetic, and the Lua scripts that
 * keep the sorted set and its id → member hash in step. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "redis/leaderboard.h"
#include "util/clock.h"
#include "util/digits.h"
#include "util/log.h"

#define INVERTED_BASE INT64_MAX
#define FIELD_DIGITS 19

/* KEYS: board, members. ARGV: deadline (unix ms, 0 for none), then id,
 * member, id, member, ...: the set-scores of many players in one run. Each
 * replaces the player's member unless the stored one already carries the
 * same or a higher score (a lexically smaller or equal prefix); that one is
 * then put back in the set should it be missing there (ZADD of a member
 * already in place changes nothing and is not even written to the AOF).
 * Past the deadline it does nothing and answers -1: a client that timed out
 * and rolled back must not have its write land later, when a stalled Redis
 * resumes; else it answers how many members it replaced. Many players per
 * run because each run costs Redis a fixed overhead (the Lua call, the
 * arguments turned into Lua values) several times the work of one
 * set-score: one run per player was most of Redis' CPU per applied battle
 * (BENCHMARKS.md, issue 16). */
static const struct redis_script set_scores_script = {
	"local deadline = tonumber(ARGV[1])\n"
	"if deadline > 0 then\n"
	"  local now = redis.call('TIME')\n"
	"  if tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) > deadline then return -1 end\n"
	"end\n"
	"local replaced = 0\n"
	"for i = 2, #ARGV - 1, 2 do\n"
	"  local id, member = ARGV[i], ARGV[i + 1]\n"
	"  local old = redis.call('HGET', KEYS[2], id)\n"
	"  if old and string.sub(old, 1, 19) <= string.sub(member, 1, 19) then\n"
	"    redis.call('ZADD', KEYS[1], 0, old)\n"
	"  else\n"
	"    if old then\n"
	"      redis.call('ZREM', KEYS[1], old)\n"
	"    end\n"
	"    redis.call('ZADD', KEYS[1], 0, member)\n"
	"    redis.call('HSET', KEYS[2], id, member)\n"
	"    replaced = replaced + 1\n"
	"  end\n"
	"end\n"
	"return replaced\n"};

/* KEYS: board, members. ARGV: id, member. */
static const struct redis_script remove_script = {
	"if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then\n"
	"  redis.call('HDEL', KEYS[2], ARGV[1])\n"
	"  redis.call('ZREM', KEYS[1], ARGV[2])\n"
	"end\n"
	"return 0\n"};

/* KEYS: board, marker, members. ARGV: offset, limit, [player id for around].
 * Returns {built, total, entries, offset, first_rank, members...}, entries
 * being the hash's size (equal to total unless the board is damaged); with
 * a player that is not on the board, {built, -1} when the hash has no entry
 * for it and {built, -2} when its member is missing from the set. One round
 * trip per page; around= reads the player's member from the hash, so it
 * never races a score update. The first entry's rank counts the members
 * with a higher score (its ties share it); at offset 0 that count is 0, so
 * it is not asked. The first page without a player (offset 0) does not
 * come here: read_first_page reads it with plain commands. */
static const struct redis_script page_script = {
	"local built = redis.call('EXISTS', KEYS[2])\n"
	"local total = redis.call('ZCARD', KEYS[1])\n"
	"local limit = tonumber(ARGV[2])\n"
	"local offset = tonumber(ARGV[1])\n"
	"if ARGV[3] then\n"
	"  local member = redis.call('HGET', KEYS[3], ARGV[3])\n"
	"  if not member then return {built, -1} end\n"
	"  local position = redis.call('ZRANK', KEYS[1], member)\n"
	"  if not position then return {built, -2} end\n"
	"  offset = math.max(0, math.min(position - math.floor(limit / 2), total - limit))\n"
	"end\n"
	"local members = redis.call('ZRANGE', KEYS[1], offset, offset + limit - 1)\n"
	"local first_rank = 0\n"
	"if #members > 0 and offset == 0 then\n"
	"  first_rank = 1\n"
	"elseif #members > 0 then\n"
	"  first_rank = 1 + redis.call('ZLEXCOUNT', KEYS[1], '-', '(' .. string.sub(members[1], 1, 19) .. ':')\n"
	"end\n"
	"local result = {built, total, redis.call('HLEN', KEYS[3]), offset, first_rank}\n"
	"for i = 1, #members do result[5 + i] = members[i] end\n"
	"return result\n"};

/* KEYS: marker, board, members. One atomic read of the board's shape. */
static const struct redis_script census_script = {
	"return {redis.call('EXISTS', KEYS[1]), redis.call('ZCARD', KEYS[2]), redis.call('HLEN', KEYS[3])}\n"};

#define PAGE_HEADER 5

int leaderboard_member_encode(int64_t score, int64_t player_id, const char *name,
			      char *out, size_t out_size)
{
	if (score < 0 || player_id <= 0)
		return -1;
	int length = snprintf(out, out_size, "%019" PRId64 ":%019" PRId64 ":%s",
			      INVERTED_BASE - score, player_id, name);
	return length < 0 || (size_t)length >= out_size ? -1 : 0;
}

int leaderboard_member_decode(const char *member, size_t length, struct leaderboard_entry *entry)
{
	int64_t inverted, player_id;
	size_t name_length;
	if (length < 2 * FIELD_DIGITS + 2 || member[FIELD_DIGITS] != ':' || member[2 * FIELD_DIGITS + 1] != ':')
		return -1;
	if (digits_parse(member, FIELD_DIGITS, &inverted) != DIGITS_OK ||
	    digits_parse(member + FIELD_DIGITS + 1, FIELD_DIGITS, &player_id) != DIGITS_OK)
		return -1;
	name_length = length - 2 * FIELD_DIGITS - 2;
	if (name_length > STORE_NAME_MAX)
		return -1;
	entry->score = INVERTED_BASE - inverted;
	entry->player_id = player_id;
	memcpy(entry->name, member + 2 * FIELD_DIGITS + 2, name_length);
	entry->name[name_length] = '\0';
	entry->rank = 0;
	return 0;
}

void leaderboard_assign_ranks(struct leaderboard_page *page, int64_t first_rank)
{
	for (size_t i = 0; i < page->count; i++) {
		struct leaderboard_entry *entry = &page->entries[i];
		if (i == 0)
			entry->rank = first_rank;
		else if (entry->score == page->entries[i - 1].score)
			entry->rank = page->entries[i - 1].rank;
		else
			entry->rank = page->offset + (int64_t)i + 1;
	}
}

static void id_text(int64_t value, char out[24])
{
	snprintf(out, 24, "%" PRId64, value);
}

/* One player: a pipeline of one (leaderboard_scores_*), so that one script
 * keeps the set-score rule. */
enum leaderboard_status leaderboard_set_score(struct redis_link *link, int64_t player_id,
					      const char *name, int64_t score, int64_t deadline_ms)
{
	struct leaderboard_scores scores;
	(void)leaderboard_scores_begin(&scores, link);	/* a failure makes finish fail */
	scores.deadline_ms = deadline_ms;
	(void)leaderboard_scores_add(&scores, player_id, name, score);
	return leaderboard_scores_finish(&scores);
}

enum leaderboard_status leaderboard_remove(struct redis_link *link, int64_t player_id, const char *name,
					   int64_t score)
{
	char member[LEADERBOARD_MEMBER_MAX], id[24];
	if (leaderboard_member_encode(score, player_id, name, member, sizeof(member)) != 0) {
		snprintf(link->error, sizeof(link->error), "leaderboard: player %" PRId64 " cannot be encoded", player_id);
		return LEADERBOARD_UNAVAILABLE;
	}
	id_text(player_id, id);
	const char *argv[] = {LEADERBOARD_KEY, LEADERBOARD_MEMBERS_KEY, id, member};
	redisReply *reply = redis_link_script(link, &remove_script, 2, 4, argv);
	if (!reply)
		return LEADERBOARD_UNAVAILABLE;
	freeReplyObject(reply);
	return LEADERBOARD_OK;
}

/* What a read of the board answered, whichever way it was read. */
struct page_answer {
	long long built;
	long long total;	/* ZCARD of the set */
	long long entries;	/* HLEN of the members hash: total unless the board is damaged */
	long long offset;
	long long first_rank;
	redisReply *const *members;
	size_t count;
};

/* The checks every page gets, then the entries decoded and ranked. */
static enum leaderboard_status page_from_answer(struct redis_link *link, const struct page_answer *answer,
						struct leaderboard_page *page)
{
	if (!answer->built) {
		snprintf(link->error, sizeof(link->error), "leaderboard: not built (its marker key is missing)");
		return LEADERBOARD_NOT_BUILT;
	}
	if (answer->count > LEADERBOARD_PAGE_MAX) {
		snprintf(link->error, sizeof(link->error), "leaderboard: the page holds %zu members", answer->count);
		return LEADERBOARD_UNAVAILABLE;
	}
	page->total = answer->total;
	if (answer->entries != page->total) {
		snprintf(link->error, sizeof(link->error),
			 "leaderboard damaged: the set holds %" PRId64 " members, the members hash %lld", page->total,
			 answer->entries);
		return LEADERBOARD_DAMAGED;
	}
	page->offset = answer->offset;
	page->count = answer->count;
	for (size_t i = 0; i < page->count; i++) {
		const redisReply *member = answer->members[i];
		if (member->type != REDIS_REPLY_STRING ||
		    leaderboard_member_decode(member->str, member->len, &page->entries[i]) != 0) {
			snprintf(link->error, sizeof(link->error),
				 "leaderboard damaged: the member at position %" PRId64 " does not decode",
				 page->offset + (int64_t)i);
			return LEADERBOARD_DAMAGED;
		}
	}
	leaderboard_assign_ranks(page, answer->first_rank);
	return LEADERBOARD_OK;
}

static enum leaderboard_status parse_page_reply(struct redis_link *link, const redisReply *reply,
						int64_t around_player_id, struct leaderboard_page *page)
{
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2) {
		snprintf(link->error, sizeof(link->error), "leaderboard: the page script answered no page");
		return LEADERBOARD_UNAVAILABLE;
	}
	struct page_answer answer = {.built = reply->element[0]->integer};
	if (answer.built && reply->element[1]->integer < 0) {
		snprintf(link->error, sizeof(link->error), "leaderboard: player %" PRId64 " is not on the board (%s)",
			 around_player_id, reply->element[1]->integer == -1 ? "no entry in the members hash"
									    : "its member is missing from the set");
		return LEADERBOARD_NOT_FOUND;
	}
	if (answer.built && reply->elements < PAGE_HEADER) {
		snprintf(link->error, sizeof(link->error), "leaderboard: the page script answered %zu elements",
			 reply->elements);
		return LEADERBOARD_UNAVAILABLE;
	}
	if (answer.built) {
		answer.total = reply->element[1]->integer;
		answer.entries = reply->element[2]->integer;
		answer.offset = reply->element[3]->integer;
		answer.first_rank = reply->element[4]->integer;
		answer.members = reply->element + PAGE_HEADER;
		answer.count = reply->elements - PAGE_HEADER;
	}
	return page_from_answer(link, &answer, page);
}

/* The first page, the one most read (the web page's board, ?limit=N): the
 * same reads as the page script's, as plain commands in one transaction
 * (one round trip, one atomic read). No rank to ask for: its first entry's
 * is 1. A third less of Redis' CPU than the script (BENCHMARKS.md, "Issue
 * 16: the leaderboard page"). */
static enum leaderboard_status read_first_page(struct redis_link *link, const char *last_text,
					       struct leaderboard_page *page)
{
	const char *exists[] = {"EXISTS", LEADERBOARD_BUILT_KEY};
	const char *zcard[] = {"ZCARD", LEADERBOARD_KEY};
	const char *hlen[] = {"HLEN", LEADERBOARD_MEMBERS_KEY};
	const char *zrange[] = {"ZRANGE", LEADERBOARD_KEY, "0", last_text};
	const struct redis_argv commands[] = {{2, exists}, {2, zcard}, {2, hlen}, {4, zrange}};
	enum { EXISTS, ZCARD, HLEN, ZRANGE, COMMANDS };
	enum leaderboard_status status = LEADERBOARD_UNAVAILABLE;
	redisReply *reply = redis_link_transaction(link, COMMANDS, commands);

	if (!reply)
		return status;
	for (size_t i = 0; i < COMMANDS; i++) {
		if (reply->element[i]->type == REDIS_REPLY_ERROR) {
			snprintf(link->error, sizeof(link->error), "redis leaderboard: %s", reply->element[i]->str);
			goto out;
		}
		if (reply->element[i]->type != (i == ZRANGE ? REDIS_REPLY_ARRAY : REDIS_REPLY_INTEGER)) {
			snprintf(link->error, sizeof(link->error), "leaderboard: the first page's read answered no page");
			goto out;
		}
	}
	const redisReply *members = reply->element[ZRANGE];
	const struct page_answer answer = {
		.built = reply->element[EXISTS]->integer,
		.total = reply->element[ZCARD]->integer,
		.entries = reply->element[HLEN]->integer,
		.offset = 0,
		.first_rank = 1,
		.members = members->element,
		.count = members->elements,
	};
	status = page_from_answer(link, &answer, page);
out:
	freeReplyObject(reply);
	return status;
}

static enum leaderboard_status read_page(struct redis_link *link, int64_t offset, int64_t limit,
					 int64_t around_player_id, struct leaderboard_page *page)
{
	char offset_text[24], limit_text[24], around_text[24], last_text[24];
	if (limit < 1 || limit > LEADERBOARD_PAGE_MAX) {
		snprintf(link->error, sizeof(link->error), "leaderboard: page limit %" PRId64 " out of range", limit);
		return LEADERBOARD_UNAVAILABLE;
	}
	memset(page, 0, sizeof(*page));
	if (offset == 0 && around_player_id <= 0) {
		id_text(limit - 1, last_text);
		return read_first_page(link, last_text, page);
	}
	id_text(offset, offset_text);
	id_text(limit, limit_text);
	id_text(around_player_id, around_text);
	const char *argv[] = {LEADERBOARD_KEY, LEADERBOARD_BUILT_KEY, LEADERBOARD_MEMBERS_KEY,
			      offset_text, limit_text, around_text};
	redisReply *reply = redis_link_script(link, &page_script, 3, around_player_id > 0 ? 6 : 5, argv);
	if (!reply)
		return LEADERBOARD_UNAVAILABLE;
	enum leaderboard_status status = parse_page_reply(link, reply, around_player_id, page);
	freeReplyObject(reply);
	return status;
}

enum leaderboard_status leaderboard_read_page(struct redis_link *link, int64_t offset, int64_t limit,
					      struct leaderboard_page *page)
{
	return read_page(link, offset, limit, 0, page);
}

enum leaderboard_status leaderboard_read_around(struct redis_link *link, int64_t player_id, int64_t limit,
						struct leaderboard_page *page)
{
	return read_page(link, 0, limit, player_id, page);
}

enum leaderboard_status leaderboard_is_built(struct redis_link *link, bool *built)
{
	redisReply *reply = redis_link_command(link, "EXISTS %s", LEADERBOARD_BUILT_KEY);
	if (!reply)
		return LEADERBOARD_UNAVAILABLE;
	*built = reply->type == REDIS_REPLY_INTEGER && reply->integer == 1;
	freeReplyObject(reply);
	return LEADERBOARD_OK;
}

enum leaderboard_status leaderboard_census(struct redis_link *link, struct leaderboard_census *census)
{
	const char *argv[] = {LEADERBOARD_BUILT_KEY, LEADERBOARD_KEY, LEADERBOARD_MEMBERS_KEY};
	redisReply *reply = redis_link_script(link, &census_script, 3, 3, argv);
	enum leaderboard_status status = LEADERBOARD_UNAVAILABLE;
	if (!reply)
		return status;
	if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3) {
		census->built = reply->element[0]->integer == 1;
		census->members = reply->element[1]->integer;
		census->entries = reply->element[2]->integer;
		status = LEADERBOARD_OK;
	} else {
		snprintf(link->error, sizeof(link->error), "leaderboard: the census script answered no census");
	}
	freeReplyObject(reply);
	return status;
}

/* UNLINK frees a large set in the background, so Redis does not stall. */
enum leaderboard_status leaderboard_reset(struct redis_link *link)
{
	redisReply *reply = redis_link_command(link, "UNLINK %s %s %s", LEADERBOARD_BUILT_KEY, LEADERBOARD_KEY,
					       LEADERBOARD_MEMBERS_KEY);
	if (!reply)
		return LEADERBOARD_UNAVAILABLE;
	freeReplyObject(reply);
	return LEADERBOARD_OK;
}

/* ---- set-scores in one pipeline (the worker's batch, a rebuild, a group of creates) ---- */

/* Replies are read every so many script runs (each of up to
 * LEADERBOARD_SCORES_PER_RUN players), so neither side buffers a whole
 * table's worth. */
#define SCORES_PIPELINE_DEPTH 16

/* One script run for the players buffered so far. */
static enum leaderboard_status send_buffered(struct leaderboard_scores *scores)
{
	const char *argv[3 + 2 * LEADERBOARD_SCORES_PER_RUN];
	char deadline[24];
	if (scores->failed || scores->buffered == 0)
		return scores->failed ? LEADERBOARD_UNAVAILABLE : LEADERBOARD_OK;
	id_text(scores->deadline_ms, deadline);
	argv[0] = LEADERBOARD_KEY;
	argv[1] = LEADERBOARD_MEMBERS_KEY;
	argv[2] = deadline;
	for (size_t i = 0; i < scores->buffered; i++) {
		argv[3 + 2 * i] = scores->ids[i];
		argv[4 + 2 * i] = scores->members[i];
	}
	int argc = 3 + 2 * (int)scores->buffered;
	scores->buffered = 0;
	if (redis_link_append_script(scores->link, &set_scores_script, 2, argc, argv) != REDIS_LINK_OK) {
		scores->failed = true;
		return LEADERBOARD_UNAVAILABLE;
	}
	return LEADERBOARD_OK;
}

static enum leaderboard_status read_pending(struct leaderboard_scores *scores)
{
	for (; scores->pending > 0; scores->pending--) {
		redisReply *reply = redis_link_read(scores->link);
		bool late = reply && reply->type == REDIS_REPLY_INTEGER && reply->integer < 0;
		if (reply && reply->type == REDIS_REPLY_ERROR)
			snprintf(scores->link->error, sizeof(scores->link->error), "redis leaderboard: %s", reply->str);
		if (late)
			snprintf(scores->link->error, sizeof(scores->link->error),
				 "redis: leaderboard update arrived after its deadline");
		if (!reply || reply->type == REDIS_REPLY_ERROR || late)
			scores->failed = true;
		if (reply)
			freeReplyObject(reply);
		if (!reply) {
			scores->pending = 0;
			break;
		}
	}
	return scores->failed ? LEADERBOARD_UNAVAILABLE : LEADERBOARD_OK;
}

enum leaderboard_status leaderboard_scores_begin(struct leaderboard_scores *scores, struct redis_link *link)
{
	*scores = (struct leaderboard_scores){.link = link};
	/* Redis forgets scripts when it restarts; pipelined EVALSHAs need it loaded. */
	scores->failed = redis_link_script_load(link, &set_scores_script) != REDIS_LINK_OK;
	return scores->failed ? LEADERBOARD_UNAVAILABLE : LEADERBOARD_OK;
}

enum leaderboard_status leaderboard_scores_add(struct leaderboard_scores *scores, int64_t player_id,
					       const char *name, int64_t score)
{
	if (scores->failed)
		return LEADERBOARD_UNAVAILABLE;
	size_t slot = scores->buffered;
	if (leaderboard_member_encode(score, player_id, name, scores->members[slot], sizeof(scores->members[slot])) != 0) {
		snprintf(scores->link->error, sizeof(scores->link->error),
			 "leaderboard: player %" PRId64 " cannot be encoded", player_id);
		scores->failed = true;
		return LEADERBOARD_UNAVAILABLE;
	}
	id_text(player_id, scores->ids[slot]);
	if (++scores->buffered < LEADERBOARD_SCORES_PER_RUN)
		return LEADERBOARD_OK;
	if (send_buffered(scores) != LEADERBOARD_OK)
		return LEADERBOARD_UNAVAILABLE;
	if (++scores->pending == SCORES_PIPELINE_DEPTH)
		return read_pending(scores);
	return LEADERBOARD_OK;
}

enum leaderboard_status leaderboard_scores_finish(struct leaderboard_scores *scores)
{
	if (scores->buffered > 0 && send_buffered(scores) == LEADERBOARD_OK)
		scores->pending++;
	return read_pending(scores);
}
