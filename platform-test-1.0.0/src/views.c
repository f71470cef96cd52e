/* views.c — builds the contract's JSON objects. A NULL return means out of memory. */
#include "config.h"

#include <json-c/json.h>

#include "views.h"

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
	    add_string(object, "description", player->description ? player->description : "") ||
	    add_int(object, "gold", player->gold) || add_int(object, "silver", player->silver) ||
	    add_int(object, "attack", player->attack) || add_int(object, "hit_points", player->hit_points) ||
	    add_int(object, "luck", player->luck) || add_int(object, "score", player->score) ||
	    add_string(object, "created_at", player->created_at)) {
		json_object_put(object);
		return NULL;
	}
	return object;
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
	if (add_int(object, "player_id", side->player_id) || add_int(object, "attack", side->attack) ||
	    add_int(object, "hit_points", side->hit_points) || add_int(object, "luck", side->luck) ||
	    add_int(object, "gold_before", side->gold_before) ||
	    add_int(object, "silver_before", side->silver_before) ||
	    add_int(object, "gold_after", side->gold_after) || add_int(object, "silver_after", side->silver_after)) {
		json_object_put(object);
		return NULL;
	}
	return object;
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
	/* The turns were serialised by the worker from the engine's result. */
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

json_object *view_leaderboard(const struct leaderboard_page *page)
{
	json_object *object = json_object_new_object();
	json_object *entries = json_object_new_array_ext((int)page->count);
	if (!object || !entries)
		goto fail;
	if (add_int(object, "total", page->total) || add_int(object, "offset", page->offset))
		goto fail;
	for (size_t i = 0; i < page->count; i++) {
		const struct leaderboard_entry *entry = &page->entries[i];
		json_object *item = json_object_new_object();
		if (!item || json_object_array_add(entries, item) != 0) {
			json_object_put(item);
			goto fail;
		}
		if (add_int(item, "rank", entry->rank) || add_int(item, "player_id", entry->player_id) ||
		    add_string(item, "name", entry->name) || add_int(item, "score", entry->score))
			goto fail;
	}
	if (add(object, "entries", entries) == 0)
		return object;
	entries = NULL;
fail:
	json_object_put(entries);
	json_object_put(object);
	return NULL;
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
