/* SPDX-License-Identifier: ISC */
/* write_group.c — holding a responder's deferred writes for one turn of its
 * loop, and handing each kind to its writer (handler_players.c,
 * handler_battles.c). Owns no SQL and no Redis: only who waits for whom. */
#include "config.h"

#include "http/write_group.h"
#include "metrics/metrics.h"

bool write_group_has_room(const struct write_group *group)
{
	return group->battle_count < WRITE_GROUP_MAX && group->player_count < WRITE_GROUP_MAX;
}

bool write_group_join_battle(struct write_group *group, const struct battle_submission *submission)
{
	if (!group || !write_group_has_room(group))
		return false;
	group->battles[group->battle_count++] = *submission;
	submission->response->deferred = true;
	return true;
}

bool write_group_join_player(struct write_group *group, const struct player_submission *submission)
{
	if (!group || !write_group_has_room(group))
		return false;
	group->players[group->player_count++] = *submission;
	submission->response->deferred = true;
	return true;
}

static void write_players(struct app *app, struct player_submission *members, size_t count)
{
	if (player_group_write(app, members, count) == WRITE_GROUP_SPLIT)
		for (size_t i = 0; i < count; i++)
			player_group_write(app, &members[i], 1);
}

static void write_battles(struct app *app, struct battle_submission *members, size_t count)
{
	if (battle_group_write(app, members, count) == WRITE_GROUP_SPLIT)
		for (size_t i = 0; i < count; i++)
			battle_group_write(app, &members[i], 1);
}

/* Creates go first. No submission of the turn can name a player created in
 * it (a player's id is known only from its create's answer), so the order
 * between the kinds changes nothing; each kind keeps its members' order. */
void write_group_commit(struct app *app, struct write_group *group)
{
	if (group->player_count > 0) {
		metrics_observe(METRICS_HISTOGRAM_WRITE_GROUP_SIZE, group->player_count);
		write_players(app, group->players, group->player_count);
	}
	if (group->battle_count > 0) {
		metrics_observe(METRICS_HISTOGRAM_WRITE_GROUP_SIZE, group->battle_count);
		write_battles(app, group->battles, group->battle_count);
	}
	for (size_t i = 0; i < group->player_count; i++) {
		group->players[i].response->deferred = false;
		player_submission_free(&group->players[i]);
	}
	for (size_t i = 0; i < group->battle_count; i++) {
		group->battles[i].response->deferred = false;
		battle_submission_free(&group->battles[i]);
	}
	group->player_count = 0;
	group->battle_count = 0;
}
