/* SPDX-License-Identifier: ISC */
/* views.c — builds the contract's JSON objects, all of them: a change of
 * shape is a change here. A NULL return means out of memory. Player
 * attributes come from the player spec (game/player_spec.h), in its order. */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <json-c/printbuf.h>

#include "http/views.h"

/* json-c's add functions take ownership even of NULL; one failed allocation
 * anywhere is caught by checking the finished object's children once. */
static int add(json_object *object, const char *key, json_object *value)
{
	if (!value)
		return -1;
	return json_object_object_add(object, key, value);
}

static int add_int(json_object *object, const char *key, int64_t value)
{
	return add(object, key, json_object_new_int64(value));
}

static int add_string(json_object *object, const char *key, const char *value)
{
	return add(object, key, json_object_new_string(value));
}

json_object *view_player(const struct player_record *player)
{
	json_object *object = json_object_new_object();
	if (!object)
		return NULL;
	if (add_int(object, "id", player->id) || add_string(object, "name", player->name) ||
	    add_string(object, "description", player->description ? player->description : ""))
		goto fail;
#define ADD_ATTRIBUTE(field, min, max, default_value, role) \
	if (add_int(object, #field, player->attributes.field)) \
		goto fail;
	PLAYER_ATTRIBUTES(ADD_ATTRIBUTE)
#undef ADD_ATTRIBUTE
	if (add_int(object, "score", player->score) || add_string(object, "created_at", player->created_at))
		goto fail;
	return object;
fail:
	json_object_put(object);
	return NULL;
}

json_object *view_session(const char *token, int64_t expires_in, int64_t player_id)
{
	json_object *object = json_object_new_object();
	if (!object)
		return NULL;
	if (add_string(object, "token", token) || add_string(object, "token_type", "Bearer") ||
	    add_int(object, "expires_in", expires_in) || add_int(object, "player_id", player_id)) {
		json_object_put(object);
		return NULL;
	}
	return object;
}

static json_object *view_side(const struct battle_side *side)
{
	json_object *object = json_object_new_object();
	if (!object)
		return NULL;
	if (add_int(object, "player_id", side->player_id))
		goto fail;
#define ADD_FIGHTS(field, min, max, default_value, role) \
	PLAYER_IF_FIGHTS(role, if (add_int(object, #field, side->field)) goto fail;)
#define ADD_BEFORE(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, if (add_int(object, #field "_before", side->field##_before)) goto fail;)
#define ADD_AFTER(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, if (add_int(object, #field "_after", side->field##_after)) goto fail;)
	PLAYER_ATTRIBUTES(ADD_FIGHTS)
	PLAYER_ATTRIBUTES(ADD_BEFORE)
	PLAYER_ATTRIBUTES(ADD_AFTER)
#undef ADD_FIGHTS
#undef ADD_BEFORE
#undef ADD_AFTER
	return object;
fail:
	json_object_put(object);
	return NULL;
}

static int add_report(json_object *object, const struct battle_record *battle, bool full)
{
	if (add_string(object, "processed_at", battle->processed_at) ||
	    add_int(object, "winner_id", battle->winner_id) || add_int(object, "loser_id", battle->loser_id) ||
	    add_int(object, "percent_stolen", battle->percent_stolen) ||
	    add_int(object, "gold_stolen", battle->gold_stolen) ||
	    add_int(object, "silver_stolen", battle->silver_stolen) ||
	    add_int(object, "score_awarded", battle->score_awarded) || add_string(object, "seed", battle->seed))
		return -1;
	if (!full)
		return 0;
	json_object *participants = json_object_new_object();
	if (add(object, "participants", participants) ||
	    add(participants, "attacker", view_side(&battle->attacker)) ||
	    add(participants, "defender", view_side(&battle->defender)))
		return -1;
	/* Stored as view_turns_text() wrote them when the battle was applied. */
	return add(object, "turns", json_tokener_parse(battle->turns_json ? battle->turns_json : "[]"));
}

json_object *view_battle(const struct battle_record *battle, bool full)
{
	json_object *object = json_object_new_object();
	if (!object)
		return NULL;
	if (add_int(object, "id", battle->id) ||
	    add_string(object, "status", battle->status == BATTLE_DONE ? "done" : "queued") ||
	    add_int(object, "attacker_id", battle->attacker_id) || add_int(object, "defender_id", battle->defender_id) ||
	    add_string(object, "submitted_at", battle->submitted_at) ||
	    (battle->status == BATTLE_DONE && add_report(object, battle, full))) {
		json_object_put(object);
		return NULL;
	}
	return object;
}

json_object *view_battle_page(int64_t total, json_object *battles)
{
	json_object *object = json_object_new_object();
	if (!object || add_int(object, "total", total) || json_object_object_add(object, "battles", battles) != 0)
		goto fail;
	return object;
fail:
	/* Not added, so still ours. */
	json_object_put(battles);
	json_object_put(object);
	return NULL;
}

char *view_turns_text(const struct engine_turn *turns, size_t count)
{
	char *text = NULL;
	json_object *array = json_object_new_array_ext((int)count);
	for (size_t i = 0; array && i < count; i++) {
		const struct engine_turn *turn = &turns[i];
		json_object *item = json_object_new_object();
		if (!item || json_object_array_add(array, item) != 0) {
			json_object_put(item);
			goto out;
		}
		if (add_int(item, "n", turn->n) || add_int(item, "striker_id", turn->striker_id) ||
		    add_int(item, "target_id", turn->target_id) || add_int(item, "attack", turn->attack) ||
		    add(item, "missed", json_object_new_boolean(turn->missed)) ||
		    add_int(item, "damage", turn->damage) || add_int(item, "target_hp", turn->target_hp))
			goto out;
	}
	if (array)
		text = strdup(json_object_to_json_string_ext(array, JSON_C_TO_STRING_PLAIN));
out:
	json_object_put(array);
	return text;
}

/* The leaderboard page, the most read body, has a fixed shape and many
 * small objects: json-c built and printed a page of ten entries as a tree in
 * 6.2 µs, measured in isolation (BENCHMARKS.md, "Issue 16: the leaderboard
 * page"). So the view is one json_object holding a copy of the page, with a
 * serializer of its own that writes the page into json-c's printbuf: the
 * keys and integers as text, each name through json-c's string serializer
 * (json-c's escaping, with the caller's flags) — 2.2 µs. Always plain, as
 * every body of the contract. tests/unit/http/test_views.c checks that it
 * writes byte for byte what json-c writes for the same tree. */
struct rendered_page {
	int64_t total;
	int64_t offset;
	size_t count;
	struct leaderboard_entry entries[];
};

static int write_page(json_object *object, struct printbuf *out, int level, int flags)
{
	const struct rendered_page *page = json_object_get_userdata(object);
	int failed = sprintbuf(out, "{\"total\":%" PRId64 ",\"offset\":%" PRId64 ",\"entries\":[", page->total,
			       page->offset) < 0;
	(void)level;
	for (size_t i = 0; i < page->count && !failed; i++) {
		const struct leaderboard_entry *entry = &page->entries[i];
		/* A new string each time: json-c 0.16's json_object_set_string
		 * leaks when it shrinks a string to "". */
		json_object *name = json_object_new_string(entry->name);
		const char *quoted = NULL;
		size_t length = 0;
		failed = !name || !(quoted = json_object_to_json_string_length(name, flags, &length)) ||
			 length > INT_MAX ||
			 sprintbuf(out, "%s{\"rank\":%" PRId64 ",\"player_id\":%" PRId64 ",\"name\":", i ? "," : "",
				   entry->rank, entry->player_id) < 0 ||
			 printbuf_memappend(out, quoted, (int)length) < 0 ||
			 sprintbuf(out, ",\"score\":%" PRId64 "}", entry->score) < 0;
		json_object_put(name);
	}
	if (!failed)
		failed = printbuf_strappend(out, "]}") < 0;
	return failed ? -1 : 0;
}

static void free_page(json_object *object, void *page)
{
	(void)object;
	free(page);
}

json_object *view_leaderboard(const struct leaderboard_page *page)
{
	size_t entries = page->count * sizeof(page->entries[0]);
	struct rendered_page *copy = malloc(sizeof(*copy) + entries);
	json_object *object = json_object_new_object();
	if (!copy || !object) {
		free(copy);
		json_object_put(object);
		return NULL;
	}
	copy->total = page->total;
	copy->offset = page->offset;
	copy->count = page->count;
	memcpy(copy->entries, page->entries, entries);
	json_object_set_serializer(object, write_page, copy, free_page);
	return object;
}

json_object *view_heartbeat(bool sqlite_ok, bool redis_ok, int64_t pending)
{
	json_object *object = json_object_new_object();
	json_object *checks = json_object_new_object();
	json_object *queue = json_object_new_object();
	if (!object || !checks || !queue)
		goto fail;
	if (add_string(checks, "sqlite", sqlite_ok ? "ok" : "error") ||
	    add_string(checks, "redis", redis_ok ? "ok" : "error"))
		goto fail;
	/* Unknown while Redis is down: null rather than a made-up 0. */
	if (redis_ok ? add_int(queue, "pending", pending) : json_object_object_add(queue, "pending", NULL))
		goto fail;
	if (add_string(object, "status", sqlite_ok && redis_ok ? "ok" : "degraded") ||
	    add_string(object, "version", PT_VERSION))
		goto fail;
	json_object_object_add(object, "checks", checks);
	checks = NULL;
	json_object_object_add(object, "queue", queue);
	return object;
fail:
	json_object_put(queue);
	json_object_put(checks);
	json_object_put(object);
	return NULL;
}
