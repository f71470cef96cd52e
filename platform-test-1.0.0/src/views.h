/* views.h — the JSON shapes of the contract: player, session, battle
 * (queued, summary, full report), leaderboard page, heartbeat. Pure: records in, json-c objects out. */
#ifndef PT_VIEWS_H
#define PT_VIEWS_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "leaderboard.h"
#include "store.h"

json_object *view_player(const struct player_record *player);
json_object *view_session(const char *token, int64_t expires_in, int64_t player_id);
/* full: with participants and turns when the battle is done. */
json_object *view_battle(const struct battle_record *battle, bool full);
json_object *view_leaderboard(const struct leaderboard_page *page);
json_object *view_heartbeat(bool sqlite_ok, bool redis_ok, int64_t pending);

#endif
