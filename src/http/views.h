/* SPDX-License-Identifier: ISC */
/* views.h — the JSON shapes of the contract: player, session, battle
 * (queued, summary, full report), a player's battles page, the turns of a
 * report, leaderboard page, heartbeat. Pure: records in, json-c objects out. */
#ifndef PT_VIEWS_H
#define PT_VIEWS_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "game/engine.h"
#include "redis/leaderboard.h"
#include "store/store.h"

json_object *view_player(const struct player_record *player);
json_object *view_session(const char *token, int64_t expires_in, int64_t player_id);
/* full: with participants and turns when the battle is done. */
json_object *view_battle(const struct battle_record *battle, bool full);
/* {"total", "battles"}: takes battles (an array of view_battle summaries),
 * also when it fails. */
json_object *view_battle_page(int64_t total, json_object *battles);
/* The report's turns as JSON text (malloc'd), as stored and served. */
char *view_turns_text(const struct engine_turn *turns, size_t count);
json_object *view_leaderboard(const struct leaderboard_page *page);
json_object *view_heartbeat(bool sqlite_ok, bool redis_ok, int64_t pending);

#endif
