/* SPDX-License-Identifier: ISC */
/* leaderboard_repair.c — keeping the board equal to the store: the rebuild
 * (under a Redis lock that expires when its holder dies), the cheap check
 * the worker runs every second, and the full audit of platform-test-admin
 * check. The one part of the leaderboard that reads the store. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "metrics/metrics.h"
#include "redis/leaderboard.h"
#include "util/clock.h"
#include "util/digits.h"
#include "util/log.h"

/* The rebuild lock lives this long unless renewed; a rebuild renews it
 * every RENEW_EVERY players, so a holder killed mid-way blocks the next
 * rebuild for seconds, not minutes. */
#define LOCK_TTL_MS "5000"
#define RENEW_EVERY 1000
#define WAIT_STEP_MS 50
#define AUDIT_CHUNK 1000

/* KEYS: lock. ARGV: token, ttl. Renews the lock if it is still ours. */
static const struct redis_script renew_script = {
	"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end\n"
	"return 0\n"};

/* KEYS: lock. ARGV: token. Releases the lock if it is still ours, never another's. */
static const struct redis_script unlock_script = {
	"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end\n"
	"return 0\n"};

/* KEYS: marker, lock. {built, rebuilding}. */
static const struct redis_script rebuild_state_script = {
	"return {redis.call('EXISTS', KEYS[1]), redis.call('EXISTS', KEYS[2])}\n"};

struct rebuild {
	struct redis_link *link;
	struct leaderboard_scores scores;
	char token[48];
	size_t visited;
};

static int run_lock_script(struct redis_link *link, const struct redis_script *script, const char *token)
{
	const char *argv[] = {LEADERBOARD_LOCK_KEY, token, LOCK_TTL_MS};
	redisReply *reply = redis_link_script(link, script, 1, script == &renew_script ? 3 : 2, argv);
	if (!reply)
		return -1;
	freeReplyObject(reply);
	return 0;
}

static int rebuild_visit(void *opaque, int64_t id, const char *name, int64_t score)
{
	struct rebuild *rebuild = opaque;
	if (leaderboard_scores_add(&rebuild->scores, id, name, score) != LEADERBOARD_OK)
		return -1;
	/* Only between pipeline rounds: a command now would read a set-score's reply. */
	if (++rebuild->visited % RENEW_EVERY == 0 && rebuild->scores.pending == 0)
		return run_lock_script(rebuild->link, &renew_script, rebuild->token);
	return 0;
}

static bool take_lock(struct redis_link *link, const char *token, bool *failed)
{
	redisReply *reply = redis_link_command(link, "SET %s %s NX PX %s", LEADERBOARD_LOCK_KEY, token, LOCK_TTL_MS);
	*failed = !reply;
	bool locked = reply && reply->type == REDIS_REPLY_STATUS;
	if (reply)
		freeReplyObject(reply);
	return locked;
}

/* Whether the marker is set, and whether anyone holds the lock. */
static enum leaderboard_status rebuild_state(struct redis_link *link, bool *built, bool *locked)
{
	const char *argv[] = {LEADERBOARD_BUILT_KEY, LEADERBOARD_LOCK_KEY};
	redisReply *reply = redis_link_script(link, &rebuild_state_script, 2, 2, argv);
	if (!reply)
		return LEADERBOARD_UNAVAILABLE;
	bool shaped = reply->type == REDIS_REPLY_ARRAY && reply->elements == 2;
	*built = shaped && reply->element[0]->integer == 1;
	*locked = !shaped || reply->element[1]->integer == 1;
	freeReplyObject(reply);
	return LEADERBOARD_OK;
}

/* The reset happens while no create is half-way: a create whose entry was
 * written before it would otherwise commit a player the board lost. */
static enum leaderboard_status reset_settled(struct redis_link *link, struct store *store)
{
	if (store_begin(store, STORE_READ_SETTLED) != STORE_OK) {
		snprintf(link->error, sizeof(link->error), "leaderboard rebuild: %s", store_error(store));
		return LEADERBOARD_UNAVAILABLE;
	}
	enum leaderboard_status status = leaderboard_reset(link);
	store_rollback(store);
	return status;
}

static enum leaderboard_status fill(struct rebuild *rebuild, struct store *store)
{
	struct redis_link *link = rebuild->link;
	if (leaderboard_scores_begin(&rebuild->scores, link) != LEADERBOARD_OK)
		return LEADERBOARD_UNAVAILABLE;
	enum store_status scanned = store_players_scan(store, rebuild_visit, rebuild);
	if (leaderboard_scores_finish(&rebuild->scores) != LEADERBOARD_OK)
		return LEADERBOARD_UNAVAILABLE;
	if (scanned != STORE_OK) {
		if (!rebuild->scores.failed)
			snprintf(link->error, sizeof(link->error), "leaderboard rebuild: %s", store_error(store));
		return LEADERBOARD_UNAVAILABLE;
	}
	redisReply *reply = redis_link_command(link, "SET %s 1", LEADERBOARD_BUILT_KEY);
	if (!reply)
		return LEADERBOARD_UNAVAILABLE;
	freeReplyObject(reply);
	return LEADERBOARD_OK;
}

static enum leaderboard_status rebuild_locked(struct redis_link *link, struct store *store, struct rebuild *rebuild)
{
	enum leaderboard_status status = reset_settled(link, store);
	if (status == LEADERBOARD_OK)
		status = fill(rebuild, store);
	if (status == LEADERBOARD_OK) {
		metrics_count(METRICS_LEADERBOARD_REBUILDS);
		log_event(LOG_EVENT_LEADERBOARD_REBUILT, NULL, "leaderboard rebuilt from the %s store: %zu players",
			  store_backend_name(store), rebuild->visited);
	} else
		log_error("leaderboard rebuild failed: %s", link->error);
	/* Saved: releasing the lock must not overwrite why the rebuild failed. */
	char error[sizeof(link->error)];
	memcpy(error, link->error, sizeof(error));
	(void)run_lock_script(link, &unlock_script, rebuild->token);	/* else it expires */
	memcpy(link->error, error, sizeof(error));
	return status;
}

/* Rebuilds, or waits for another process's rebuild; when that one's holder
 * died (its lock expired with no marker set), takes over. */
enum leaderboard_status leaderboard_rebuild(struct redis_link *link, struct store *store, int wait_ms)
{
	struct rebuild rebuild = {.link = link};
	uint32_t nonce = 0;
	bool failed = false, built = false, locked = false;
	if (getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce)) {
		snprintf(link->error, sizeof(link->error), "leaderboard rebuild: no random bytes for the lock");
		return LEADERBOARD_UNAVAILABLE;
	}
	snprintf(rebuild.token, sizeof(rebuild.token), "%ld-%08" PRIx32, (long)getpid(), nonce);
	if (take_lock(link, rebuild.token, &failed))
		return rebuild_locked(link, store, &rebuild);
	if (failed)
		return LEADERBOARD_UNAVAILABLE;
	for (int waited = 0; waited < wait_ms; waited += WAIT_STEP_MS) {
		clock_sleep_ms(WAIT_STEP_MS);
		if (rebuild_state(link, &built, &locked) != LEADERBOARD_OK)
			return LEADERBOARD_UNAVAILABLE;
		if (built && !locked)
			return LEADERBOARD_OK;
		if (!locked && take_lock(link, rebuild.token, &failed))
			return rebuild_locked(link, store, &rebuild);
		if (failed)
			return LEADERBOARD_UNAVAILABLE;
	}
	snprintf(link->error, sizeof(link->error), "leaderboard: another process is rebuilding it (waited %d ms)",
		 wait_ms);
	return LEADERBOARD_NOT_BUILT;
}

/* ---- the check ---- */

static bool agrees(const struct leaderboard_census *census, int64_t players)
{
	return census->built && census->members == players && census->entries == players;
}

/* Redis's run id: a new one for every start of the server. */
static enum leaderboard_status redis_run_id(struct redis_link *link, char *out, size_t size)
{
	redisReply *reply = redis_link_command(link, "INFO server");
	if (!reply)
		return LEADERBOARD_UNAVAILABLE;
	const char *found = reply->type == REDIS_REPLY_STRING ? strstr(reply->str, "\nrun_id:") : NULL;
	if (found) {
		found += strlen("\nrun_id:");
		size_t length = strcspn(found, "\r\n");
		snprintf(out, size, "%.*s", (int)(length < size ? length : size - 1), found);
	}
	freeReplyObject(reply);
	if (!found) {
		snprintf(link->error, sizeof(link->error), "leaderboard check: INFO server names no run_id");
		return LEADERBOARD_UNAVAILABLE;
	}
	return LEADERBOARD_OK;
}

enum leaderboard_status leaderboard_check(struct redis_link *link, struct store *store,
					  struct leaderboard_watch *watch, bool *rebuilt)
{
	struct leaderboard_census census;
	char run_id[sizeof(watch->redis_run_id)];
	int64_t players = 0;
	*rebuilt = false;
	if (redis_run_id(link, run_id, sizeof(run_id)) != LEADERBOARD_OK)
		return LEADERBOARD_UNAVAILABLE;
	if (watch->redis_run_id[0] && strcmp(run_id, watch->redis_run_id) != 0) {
		log_info("Redis restarted (a new run id): rebuilding the leaderboard, which may have lost its last writes");
		enum leaderboard_status status = leaderboard_rebuild(link, store, 0);
		/* Remembered only once rebuilt: a failed rebuild is tried again. */
		if (status == LEADERBOARD_OK)
			memcpy(watch->redis_run_id, run_id, sizeof(run_id));
		*rebuilt = status == LEADERBOARD_OK;
		return status;
	}
	memcpy(watch->redis_run_id, run_id, sizeof(run_id));
	/* First without the lock: agreement is the common case and needs no
	 * more. A disagreement may only be a create half-way, so it is read
	 * again from a settled store before anything is rebuilt. */
	if (leaderboard_census(link, &census) != LEADERBOARD_OK)
		return LEADERBOARD_UNAVAILABLE;
	if (store_player_count(store, &players) != STORE_OK)
		goto store_failed;
	if (agrees(&census, players))
		return LEADERBOARD_OK;
	if (store_begin(store, STORE_READ_SETTLED) != STORE_OK)
		goto store_failed;
	enum store_status counted = store_player_count(store, &players);
	enum leaderboard_status status = leaderboard_census(link, &census);
	store_rollback(store);
	if (counted != STORE_OK)
		goto store_failed;
	if (status != LEADERBOARD_OK || agrees(&census, players))
		return status;
	if (!census.built && census.members == 0 && census.entries == 0)
		log_info("leaderboard not built (Redis has no board): building it from the store");
	else
		log_error("leaderboard damaged: marker %s, %" PRId64 " members in the set, %" PRId64
			  " in the members hash, %" PRId64 " players in the store; rebuilding it",
			  census.built ? "set" : "missing", census.members, census.entries, players);
	status = leaderboard_rebuild(link, store, 0);
	*rebuilt = status == LEADERBOARD_OK;
	return status;
store_failed:
	snprintf(link->error, sizeof(link->error), "leaderboard check: %s", store_error(store));
	store_rollback(store);
	return LEADERBOARD_UNAVAILABLE;
}

/* ---- the audit ---- */

struct board_item {
	int64_t id;		/* 0 when the member does not decode */
	char *member;
};

struct board_items {
	struct board_item *items;
	size_t count, capacity, next;
};

struct audit {
	leaderboard_report report;
	void *context;
	size_t differences;
	struct board_items hash, set;
};

static void differ(struct audit *audit, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void differ(struct audit *audit, const char *format, ...)
{
	char text[320];
	va_list arguments;
	va_start(arguments, format);
	vsnprintf(text, sizeof(text), format, arguments);
	va_end(arguments);
	audit->differences++;
	audit->report(audit->context, text);
}

static int add_item(struct board_items *items, int64_t id, const char *member, size_t length)
{
	if (items->count == items->capacity) {
		size_t capacity = items->capacity ? 2 * items->capacity : 1024;
		struct board_item *grown = realloc(items->items, capacity * sizeof(*grown));
		if (!grown)
			return -1;
		items->items = grown;
		items->capacity = capacity;
	}
	char *copy = strndup(member, length);
	if (!copy)
		return -1;
	struct board_item *item = &items->items[items->count++];
	item->id = id;
	item->member = copy;
	return 0;
}

static void free_items(struct board_items *items)
{
	for (size_t i = 0; i < items->count; i++)
		free(items->items[i].member);
	free(items->items);
}

static int compare_items(const void *left, const void *right)
{
	const struct board_item *a = left, *b = right;
	if (a->id != b->id)
		return (a->id > b->id) - (a->id < b->id);
	return strcmp(a->member, b->member);
}

/* Every member of the set, by index range; a member that does not decode
 * keeps id 0 and is reported by the merge. */
static enum leaderboard_status read_set(struct redis_link *link, struct board_items *set)
{
	for (long long start = 0;; start += AUDIT_CHUNK) {
		redisReply *reply = redis_link_command(link, "ZRANGE %s %lld %lld", LEADERBOARD_KEY, start,
						       start + AUDIT_CHUNK - 1);
		if (!reply)
			return LEADERBOARD_UNAVAILABLE;
		size_t got = reply->type == REDIS_REPLY_ARRAY ? reply->elements : 0;
		for (size_t i = 0; i < got; i++) {
			const redisReply *member = reply->element[i];
			struct leaderboard_entry entry;
			int64_t id = member->type == REDIS_REPLY_STRING &&
						     leaderboard_member_decode(member->str, member->len, &entry) == 0
					     ? entry.player_id : 0;
			if (add_item(set, id, member->type == REDIS_REPLY_STRING ? member->str : "", member->len) != 0) {
				freeReplyObject(reply);
				snprintf(link->error, sizeof(link->error), "leaderboard audit: out of memory");
				return LEADERBOARD_UNAVAILABLE;
			}
		}
		freeReplyObject(reply);
		if (got < AUDIT_CHUNK)
			return LEADERBOARD_OK;
	}
}

/* Every field of the members hash; a field that is not an id keeps id 0. */
static enum leaderboard_status read_hash(struct redis_link *link, struct board_items *hash)
{
	char cursor[32] = "0";
	do {
		redisReply *reply = redis_link_command(link, "HSCAN %s %s COUNT %d", LEADERBOARD_MEMBERS_KEY, cursor,
						       AUDIT_CHUNK);
		if (!reply)
			return LEADERBOARD_UNAVAILABLE;
		bool shaped = reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
			      reply->element[0]->type == REDIS_REPLY_STRING &&
			      reply->element[1]->type == REDIS_REPLY_ARRAY;
		if (!shaped) {
			freeReplyObject(reply);
			snprintf(link->error, sizeof(link->error), "leaderboard audit: HSCAN answered no page");
			return LEADERBOARD_UNAVAILABLE;
		}
		snprintf(cursor, sizeof(cursor), "%s", reply->element[0]->str);
		const redisReply *pairs = reply->element[1];
		for (size_t i = 0; i + 1 < pairs->elements; i += 2) {
			int64_t id = 0;
			if (digits_parse(pairs->element[i]->str, pairs->element[i]->len, &id) != DIGITS_OK)
				id = 0;
			if (add_item(hash, id, pairs->element[i + 1]->str, pairs->element[i + 1]->len) != 0) {
				freeReplyObject(reply);
				snprintf(link->error, sizeof(link->error), "leaderboard audit: out of memory");
				return LEADERBOARD_UNAVAILABLE;
			}
		}
		freeReplyObject(reply);
	} while (strcmp(cursor, "0") != 0);
	return LEADERBOARD_OK;
}

/* Items below id belong to no player of the store. */
static void skip_strangers(struct audit *audit, int64_t id)
{
	for (; audit->hash.next < audit->hash.count && audit->hash.items[audit->hash.next].id < id; audit->hash.next++)
		differ(audit, "the members hash has an entry for %" PRId64 ", which is not a player",
		       audit->hash.items[audit->hash.next].id);
	for (; audit->set.next < audit->set.count && audit->set.items[audit->set.next].id < id; audit->set.next++) {
		const struct board_item *item = &audit->set.items[audit->set.next];
		differ(audit, "member \"%.120s\" on the board %s", item->member,
		       item->id == 0 ? "does not decode" : "is not a player");
	}
}

/* "score N" followed by suffix (or what it holds, when that is no member). */
static void describe_member(char *out, size_t size, const char *member, const char *suffix)
{
	struct leaderboard_entry entry;
	if (leaderboard_member_decode(member, strlen(member), &entry) == 0)
		snprintf(out, size, "score %" PRId64 "%s", entry.score, suffix);
	else
		snprintf(out, size, "\"%.60s\"%s", member, suffix);
}

/* One line per player whose entries differ from the store: what the store
 * says, what the hash and the set hold. */
static int audit_visit(void *opaque, int64_t id, const char *name, int64_t score)
{
	struct audit *audit = opaque;
	struct board_items *hash = &audit->hash, *set = &audit->set;
	char expected[LEADERBOARD_MEMBER_MAX], in_hash[96] = "no entry in the members hash", in_set[160] = "";
	size_t used = 0;
	bool right = true;
	if (leaderboard_member_encode(score, id, name, expected, sizeof(expected)) != 0)
		return -1;
	skip_strangers(audit, id);
	if (hash->next < hash->count && hash->items[hash->next].id == id) {
		const char *member = hash->items[hash->next++].member;
		right = strcmp(member, expected) == 0;
		describe_member(in_hash, sizeof(in_hash), member, " in the members hash");
	} else {
		right = false;
	}
	size_t members = 0;
	for (; set->next < set->count && set->items[set->next].id == id; set->next++, members++) {
		char one[80];
		right = right && strcmp(set->items[set->next].member, expected) == 0;
		describe_member(one, sizeof(one), set->items[set->next].member, "");
		if (used < sizeof(in_set))
			used += (size_t)snprintf(in_set + used, sizeof(in_set) - used, "%s%s", members ? ", " : "", one);
	}
	if (members != 1 || !right)
		differ(audit, "player %" PRId64 " (%s): the store says score %" PRId64 "; the board has %s, %s%s",
		       id, name, score, in_hash, members ? in_set : "no member in the set", members ? " in the set" : "");
	return 0;
}

enum leaderboard_status leaderboard_audit(struct redis_link *link, struct store *store,
					  leaderboard_report report, void *context, size_t *differences)
{
	struct audit audit = {.report = report, .context = context};
	bool built = false;
	enum leaderboard_status status = leaderboard_is_built(link, &built);
	if (status == LEADERBOARD_OK && !built)
		differ(&audit, "the marker key is missing: the board counts as not built");
	if (status == LEADERBOARD_OK)
		status = read_hash(link, &audit.hash);
	if (status == LEADERBOARD_OK)
		status = read_set(link, &audit.set);
	if (status == LEADERBOARD_OK) {
		if (audit.hash.count > 0)
			qsort(audit.hash.items, audit.hash.count, sizeof(*audit.hash.items), compare_items);
		if (audit.set.count > 0)
			qsort(audit.set.items, audit.set.count, sizeof(*audit.set.items), compare_items);
		if (store_players_scan(store, audit_visit, &audit) == STORE_OK) {
			skip_strangers(&audit, INT64_MAX);
		} else {
			snprintf(link->error, sizeof(link->error), "leaderboard audit: %s", store_error(store));
			status = LEADERBOARD_UNAVAILABLE;
		}
	}
	free_items(&audit.hash);
	free_items(&audit.set);
	*differences = audit.differences;
	return status;
}
