/* SPDX-License-Identifier: ISC */
/* worker.c — one batch of battles, from queued ids to committed reports. */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <json-c/json.h>

#include "game/engine.h"
#include "http/views.h"
#include "metrics/metrics.h"
#include "redis/battle_queue.h"
#include "redis/leaderboard.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "worker/worker.h"

#define NO_BATTLE SIZE_MAX

struct planned_battle {
	struct battle_record record;	/* loaded row; the report is filled in by run_battle */
	size_t attacker_index, defender_index;	/* into the batch's player table */
	size_t successors[2];		/* the next battle of each player, or NO_BATTLE */
	int waiting_for;		/* unfinished predecessors */
	uint64_t seed;
	bool failed;
};

struct batch {
	struct planned_battle *battles;
	size_t battle_count;
	struct player_state *players;	/* sorted by id */
	size_t player_count;
	/* the scheduler */
	pthread_mutex_t lock;
	pthread_cond_t changed;
	size_t *ready;
	size_t ready_count;
	size_t finished;
	bool failed;
};

static int compare_ids(const void *left, const void *right)
{
	int64_t a = *(const int64_t *)left, b = *(const int64_t *)right;
	return (a > b) - (a < b);
}

static int compare_players(const void *left, const void *right)
{
	return compare_ids(&((const struct player_state *)left)->id, &((const struct player_state *)right)->id);
}

static size_t player_index(const struct batch *batch, int64_t id)
{
	struct player_state key = {.id = id};
	const struct player_state *found = bsearch(&key, batch->players, batch->player_count,
						   sizeof(*batch->players), compare_players);
	return found ? (size_t)(found - batch->players) : NO_BATTLE;
}

/* ---- loading ---- */

/* The queued battles to apply: all queued rows up to the largest delivered
 * id (or the oldest ones, when sweeping). *covers_delivery says whether every
 * delivered id is now either in the batch, already done, or without a row. */
struct queued_load {
	struct batch *batch;
	size_t limit;
	int64_t last_id;
};

/* Keeps a queued row in the batch (a queued battle has no turns, so the
 * copy owns nothing; a report's turns are copied all the same). */
static int keep_queued(void *context, const struct battle_record *battle)
{
	struct queued_load *load = context;
	if (load->batch->battle_count >= load->limit)
		return -1;
	struct battle_record *record = &load->batch->battles[load->batch->battle_count].record;
	*record = *battle;
	record->turns_json = battle->turns_json ? strdup(battle->turns_json) : NULL;
	if (battle->turns_json && !record->turns_json)
		return -1;
	load->batch->battle_count++;
	load->last_id = battle->id;
	return 0;
}

static int load_battles(struct app *app, const int64_t *ids, size_t count, size_t limit, struct batch *batch,
			struct worker_batch_report *report, bool *covers_delivery)
{
	int64_t max_id = count ? ids[0] : INT64_MAX;
	struct queued_load load = {.batch = batch, .limit = limit};
	for (size_t i = 1; i < count; i++)
		if (ids[i] > max_id)
			max_id = ids[i];
	if (store_queued_battles(app->store, max_id, limit, keep_queued, &load) != STORE_OK)
		return -1;
	size_t queued_count = batch->battle_count;
	*covers_delivery = queued_count < limit || (queued_count > 0 && load.last_id >= max_id);
	report->skipped = count > queued_count ? count - queued_count : 0;
	return 0;
}

static int load_players(struct app *app, struct batch *batch)
{
	int64_t *ids = malloc(2 * batch->battle_count * sizeof(*ids) + 1);
	size_t count = 0, unique = 0;
	int result = -1;
	if (!ids)
		return -1;
	for (size_t i = 0; i < batch->battle_count; i++) {
		ids[count++] = batch->battles[i].record.attacker_id;
		ids[count++] = batch->battles[i].record.defender_id;
	}
	qsort(ids, count, sizeof(*ids), compare_ids);
	for (size_t i = 0; i < count; i++)
		if (i == 0 || ids[i] != ids[i - 1])
			ids[unique++] = ids[i];
	batch->players = calloc(unique + 1, sizeof(*batch->players));
	if (!batch->players || store_players_state(app->store, ids, unique, batch->players) != STORE_OK)
		goto out;
	batch->player_count = unique;
	result = 0;
out:
	free(ids);
	return result;
}

/* Links each battle to the next battle of each of its players. */
static int plan_dependencies(struct batch *batch)
{
	size_t *last = malloc((batch->player_count + 1) * sizeof(*last));
	if (!last)
		return -1;
	for (size_t p = 0; p < batch->player_count; p++)
		last[p] = NO_BATTLE;
	for (size_t i = 0; i < batch->battle_count; i++) {
		struct planned_battle *battle = &batch->battles[i];
		size_t sides[2];
		battle->attacker_index = sides[0] = player_index(batch, battle->record.attacker_id);
		battle->defender_index = sides[1] = player_index(batch, battle->record.defender_id);
		/* load_players() loaded every player of the batch; should that ever
		 * break, refuse the batch rather than index past the table. */
		if (sides[0] >= batch->player_count || sides[1] >= batch->player_count) {
			free(last);
			return -1;
		}
		battle->successors[0] = battle->successors[1] = NO_BATTLE;
		battle->waiting_for = 0;
		for (size_t s = 0; s < 2; s++) {
			size_t previous = last[sides[s]];
			if (previous != NO_BATTLE) {
				struct planned_battle *before = &batch->battles[previous];
				before->successors[before->successors[0] == NO_BATTLE ? 0 : 1] = i;
				battle->waiting_for++;
			}
			last[sides[s]] = i;
		}
	}
	free(last);
	return 0;
}

/* ---- running ---- */

/* Runs while no other thread touches these two players (the scheduler's promise). */
static int run_battle(struct batch *batch, struct planned_battle *planned, const char *processed_at)
{
	struct player_state *attacker = &batch->players[planned->attacker_index];
	struct player_state *defender = &batch->players[planned->defender_index];
	struct battle_record *record = &planned->record;
	struct engine_result result = {0};
	struct engine_fighter fighters[2] = {
		{attacker->id, attacker->attributes},
		{defender->id, defender->attributes},
	};
	if (engine_run(&fighters[0], &fighters[1], planned->seed, &result) != ENGINE_OK)
		return -1;
	record->turns_json = view_turns_text(result.turns, result.turn_count);
	if (!record->turns_json) {
		engine_result_free(&result);
		return -1;
	}
	battle_side_record(&record->attacker, attacker->id, &attacker->attributes);
	battle_side_record(&record->defender, defender->id, &defender->attributes);
	snprintf(record->processed_at, sizeof(record->processed_at), "%s", processed_at);
	snprintf(record->seed, sizeof(record->seed), "%016" PRIx64, planned->seed);
	record->status = BATTLE_DONE;
	record->winner_id = result.winner_id;
	record->loser_id = result.loser_id;
	record->percent_stolen = result.percent_stolen;
	record->gold_stolen = result.gold_stolen;
	record->silver_stolen = result.silver_stolen;
	record->score_awarded = result.score_awarded;
	record->attacker.gold_after = attacker->attributes.gold = result.attacker_gold_after;
	record->attacker.silver_after = attacker->attributes.silver = result.attacker_silver_after;
	record->defender.gold_after = defender->attributes.gold = result.defender_gold_after;
	record->defender.silver_after = defender->attributes.silver = result.defender_silver_after;
	(result.winner_id == attacker->id ? attacker : defender)->score += result.score_awarded;
	engine_result_free(&result);
	return 0;
}

struct runner {
	struct batch *batch;
	const char *processed_at;
};

static void *run_ready_battles(void *opaque)
{
	struct runner *runner = opaque;
	struct batch *batch = runner->batch;
	pthread_mutex_lock(&batch->lock);
	while (batch->finished < batch->battle_count) {
		if (batch->ready_count == 0) {
			pthread_cond_wait(&batch->changed, &batch->lock);
			continue;
		}
		size_t index = batch->ready[--batch->ready_count];
		struct planned_battle *planned = &batch->battles[index];
		pthread_mutex_unlock(&batch->lock);
		int failed = run_battle(batch, planned, runner->processed_at) != 0;
		pthread_mutex_lock(&batch->lock);
		planned->failed = failed;
		batch->failed |= failed;
		batch->finished++;
		for (size_t s = 0; s < 2; s++) {
			size_t next = planned->successors[s];
			if (next != NO_BATTLE && --batch->battles[next].waiting_for == 0)
				batch->ready[batch->ready_count++] = next;
		}
		pthread_cond_broadcast(&batch->changed);
	}
	pthread_mutex_unlock(&batch->lock);
	return NULL;
}

static int run_all(struct batch *batch, int threads, const char *processed_at)
{
	struct runner runner = {batch, processed_at};
	pthread_t pool[64];
	int started = 0;
	batch->ready = malloc((batch->battle_count + 1) * sizeof(*batch->ready));
	if (!batch->ready)
		return -1;
	for (size_t i = batch->battle_count; i-- > 0;)
		if (batch->battles[i].waiting_for == 0)
			batch->ready[batch->ready_count++] = i;
	if ((size_t)threads > batch->battle_count)
		threads = (int)batch->battle_count;
	/* The calling thread is one of the pool. */
	for (int t = 1; t < threads && t < 64; t++)
		if (pthread_create(&pool[started], NULL, run_ready_battles, &runner) == 0)
			started++;
	run_ready_battles(&runner);
	for (int t = 0; t < started; t++)
		pthread_join(pool[t], NULL);
	return batch->failed ? -1 : 0;
}

/* ---- committing ---- */

static int commit_batch(struct app *app, struct batch *batch)
{
	for (size_t i = 0; i < batch->battle_count; i++)
		if (store_battle_apply(app->store, &batch->battles[i].record) != STORE_OK)
			return -1;
	for (size_t p = 0; p < batch->player_count; p++)
		if (store_player_state_save(app->store, &batch->players[p]) != STORE_OK)
			return -1;
	return store_commit(app->store) == STORE_OK ? 0 : -1;
}

/* Sets every touched player's score from what the store now holds. */
static int publish_scores(struct app *app, const struct batch *batch)
{
	struct leaderboard_scores scores;
	(void)leaderboard_scores_begin(&scores, &app->redis);	/* a failure makes finish fail */
	for (size_t p = 0; p < batch->player_count; p++) {
		const struct player_state *player = &batch->players[p];
		if (leaderboard_scores_add(&scores, player->id, player->name, player->score) != LEADERBOARD_OK)
			break;
	}
	return leaderboard_scores_finish(&scores) == LEADERBOARD_OK ? 0 : -1;
}

static void log_battles(const struct batch *batch)
{
	struct log_batch lines;
	if (log_batch_open(&lines) != 0)
		return;
	for (size_t i = 0; i < batch->battle_count; i++) {
		const struct battle_record *record = &batch->battles[i].record;
		log_batch_info(&lines, "battle %" PRId64 " done: %" PRId64 " vs %" PRId64 ", winner %" PRId64
			       ", %d%% stolen: %" PRId64 " gold, %" PRId64 " silver, seed %s",
			       record->id, record->attacker_id, record->defender_id, record->winner_id,
			       record->percent_stolen, record->gold_stolen, record->silver_stolen, record->seed);
	}
	log_batch_flush(&lines);
}

/* The batch's figures for the metrics: its size, and each battle's lag
 * from submission (whole seconds, so up to a second too long) to now. */
static void count_batch(const struct batch *batch)
{
	int64_t now_ms = clock_unix_ms();
	if (batch->battle_count == 0)
		return;
	metrics_worker_add(METRICS_BATTLES_APPLIED, batch->battle_count);
	metrics_observe(METRICS_HISTOGRAM_BATCH_SIZE, batch->battle_count);
	for (size_t i = 0; i < batch->battle_count; i++) {
		int64_t submitted = 0;
		if (timefmt_parse_rfc3339(batch->battles[i].record.submitted_at, &submitted) != 0)
			continue;
		int64_t lag_ms = now_ms - submitted * 1000;
		metrics_observe(METRICS_HISTOGRAM_BATTLE_LAG, lag_ms > 0 ? (uint64_t)lag_ms : 0);
	}
}

static void batch_free(struct batch *batch)
{
	for (size_t i = 0; i < batch->battle_count; i++)
		battle_record_free(&batch->battles[i].record);
	free(batch->battles);
	free(batch->players);
	free(batch->ready);
	pthread_mutex_destroy(&batch->lock);
	pthread_cond_destroy(&batch->changed);
}

/* Players of battles that were already done still get their score published:
 * a crash may have come between that commit and the leaderboard update. */
static int load_redelivered_players(struct app *app, const int64_t *ids, size_t count, struct batch *batch)
{
	if (batch->battle_count > 0 || count == 0)
		return 0;
	/* Only redelivered or dropped ids: load the players of the done ones.
	 * load_players() already allocated an (empty) array: replace it. */
	free(batch->players);
	batch->player_count = 0;
	batch->players = calloc(2 * count, sizeof(*batch->players));
	if (!batch->players)
		return -1;
	for (size_t i = 0; i < count; i++) {
		struct battle_record record;
		if (store_battle_get(app->store, ids[i], &record) != STORE_OK)
			continue;
		if (store_player_state(app->store, record.attacker_id, &batch->players[batch->player_count]) == STORE_OK)
			batch->player_count++;
		if (store_player_state(app->store, record.defender_id, &batch->players[batch->player_count]) == STORE_OK)
			batch->player_count++;
		battle_record_free(&record);
	}
	return 0;
}

int worker_apply_batch(struct app *app, const int64_t *ids, size_t count, size_t batch_limit, int threads,
		       struct worker_batch_report *report)
{
	struct batch batch = {0};
	char processed_at[TIMEFMT_LENGTH];
	bool covers_delivery = false;
	int result = -1;

	memset(report, 0, sizeof(*report));
	pthread_mutex_init(&batch.lock, NULL);
	pthread_cond_init(&batch.changed, NULL);
	batch.battles = calloc(batch_limit + 1, sizeof(*batch.battles));
	if (!batch.battles || timefmt_rfc3339(clock_unix_seconds(), processed_at) != 0)
		goto out;
	/* A barrier first: it waits out any submission still between its push
	 * and its commit, so every row up to the largest delivered id is final
	 * (store.h's contract). The batch is then read and computed inside a
	 * read transaction, and a write transaction is begun only for the
	 * writes, so submissions do not queue behind the engine. Balances read
	 * here are still current at the writes: only this worker changes them,
	 * and one worker at a time runs (worker_main.c). */
	if (store_wait_for_submissions(app->store) != STORE_OK || store_begin(app->store, STORE_READ) != STORE_OK)
		goto out;
	if (load_battles(app, ids, count, batch_limit, &batch, report, &covers_delivery) != 0 ||
	    load_players(app, &batch) != 0 ||
	    load_redelivered_players(app, ids, count, &batch) != 0)
		goto out;
	for (size_t i = 0; i < batch.battle_count; i++)
		if (getrandom(&batch.battles[i].seed, sizeof(batch.battles[i].seed), 0) != sizeof(uint64_t))
			goto out;
	if (plan_dependencies(&batch) != 0)
		goto out;
	if (batch.battle_count > 0 && run_all(&batch, threads, processed_at) != 0)
		goto out;
	store_rollback(app->store);	/* ends the read transaction */
	if (store_begin(app->store, STORE_APPLY_BATCH) != STORE_OK || commit_batch(app, &batch) != 0)
		goto out;
	report->applied = batch.battle_count;
	count_batch(&batch);
	log_battles(&batch);
	/* Delivered ids beyond this batch stay in the processing list for the next one. */
	bool acknowledged = true;
	if (publish_scores(app, &batch) != 0 ||
	    (count > 0 && covers_delivery &&
	     battle_queue_acknowledge(&app->redis, ids, count, &acknowledged) != REDIS_LINK_OK)) {
		log_event(LOG_EVENT_BATCH_UNACKNOWLEDGED,
			  (const struct log_field[]){{"ERROR", app->redis.error}, {NULL, NULL}},
			  "batch committed but not acknowledged (%s): it will be redelivered and skipped",
			  app->redis.error);
		goto out;
	}
	if (!acknowledged)
		log_info("batch committed; the processing list is no longer this batch (another worker took it "
			 "over): left for that worker, which skips what is done");
	result = 0;
out:
	if (result != 0)
		metrics_worker_add(METRICS_BATCHES_FAILED, 1);
	if (result != 0 && report->applied == 0) {
		char delivered[24];
		snprintf(delivered, sizeof(delivered), "%zu", count);
		log_event(LOG_EVENT_BATCH_FAILED,
			  (const struct log_field[]){{"DELIVERED", delivered}, {"ERROR", store_error(app->store)},
						     {NULL, NULL}},
			  "batch of %zu battles not applied: %s", count, store_error(app->store));
	}
	store_rollback(app->store);
	batch_free(&batch);
	return result;
}
