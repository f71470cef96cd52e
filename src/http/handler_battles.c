/* SPDX-License-Identifier: ISC */
/* handler_battles.c — POST /battles, GET /battles/{id}, GET /players/{id}/battles.
 * A submission joins its responder's write group (http/write_group.h): the
 * group's queued rows are inserted and their ids pushed to Redis inside one
 * store write transaction, so ids are assigned and pushed under the same
 * lock (queue order is id order), a failed push rolls every row back (503,
 * nothing queued), and each 202 is sent once the group committed. The
 * worker applies an id only when its row exists. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "redis/battle_queue.h"
#include "http/handlers.h"
#include "http/query.h"
#include "util/timefmt.h"
#include "http/validate.h"
#include "http/views.h"
#include "http/write_group.h"

#define IDEMPOTENCY_WINDOW_SECONDS 86400
#define IDEMPOTENCY_HEADER "Idempotency-Key"
#define PLAYER_BATTLES_PAGE_MAX 100
#define BATTLE_QUEUE_RETRY_AFTER "1"

_Static_assert(WRITE_GROUP_MAX <= BATTLE_QUEUE_PUSH_MAX, "a group's ids fit in one push");

static void respond_battle(struct response *response, int status, const struct battle_record *battle, bool full)
{
	char location[48];
	handler_respond(response, status, view_battle(battle, full));
	snprintf(location, sizeof(location), "/battles/%" PRId64, battle->id);
	if (response->status == status && status == 202 && response_set_header(response, "Location", location) != 0)
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
}

/* The stored column holds exactly one SHA-256. */
_Static_assert(sizeof(((struct idempotency_record *)0)->request_hash) == crypto_hash_sha256_BYTES,
	       "request_hash is a SHA-256");

/* 0, or -1 when the hash could not be made (libsodium's SHA-256 never fails). */
static int request_hash(const struct battle_submit *submit, unsigned char out[crypto_hash_sha256_BYTES])
{
	char canonical[64];
	int length = snprintf(canonical, sizeof(canonical), "%" PRId64 ":%" PRId64, submit->attacker_id,
			      submit->defender_id);
	if (length < 0 || (size_t)length >= sizeof(canonical))
		return -1;
	return crypto_hash_sha256(out, (const unsigned char *)canonical, (unsigned long long)length) == 0 ? 0 : -1;
}

/* What writing a submission came to, inside its group's transaction. */
enum submission_outcome {
	SUBMISSION_QUEUED,	/* a new battle, pushed with the group */
	SUBMISSION_REPLAY,	/* the key's first battle answers this retry */
	SUBMISSION_CONFLICT,	/* the key was used with another body */
	SUBMISSION_NO_PLAYER,	/* a player does not exist: 422 */
	SUBMISSION_NO_MEMORY,	/* the 422 could not be made: 500 */
};

/* Inside the write transaction: what an Idempotency-Key says about this
 * submission. STORE_OK with the outcome set, or the failure. */
static enum store_status check_idempotency(struct app *app, struct battle_submission *member)
{
	struct idempotency_record record;
	if (!member->idempotency_key)
		return STORE_OK;
	enum store_status status = store_idempotency_get(app->store, member->caller_name, member->idempotency_key,
							 &record);
	if (status == STORE_NOT_FOUND)
		return STORE_OK;
	if (status != STORE_OK)
		return status;
	if (record.created_at + IDEMPOTENCY_WINDOW_SECONDS <= member->now)
		return store_idempotency_delete(app->store, member->caller_name, member->idempotency_key);
	if (memcmp(record.request_hash, member->request_hash, crypto_hash_sha256_BYTES) != 0) {
		member->outcome = SUBMISSION_CONFLICT;
		return STORE_OK;
	}
	member->outcome = SUBMISSION_REPLAY;
	member->battle_id = record.battle_id;
	return STORE_OK;
}

/* Inside the write transaction, before any id is taken: both players of
 * every member must exist (read in the transaction that inserts, in one
 * query for the group where the store is a server). A member with a missing
 * player is left SUBMISSION_NO_PLAYER with the 422's fields naming each. */
static enum store_status check_players_exist(struct app *app, struct battle_submission *members, size_t count)
{
	int64_t ids[2 * WRITE_GROUP_MAX];
	bool exists[2 * WRITE_GROUP_MAX];
	for (size_t i = 0; i < count; i++) {
		/* A member written again alone, after its group split, starts afresh. */
		members[i].outcome = SUBMISSION_QUEUED;
		json_object_put(members[i].missing_players);
		members[i].missing_players = NULL;
		ids[2 * i] = members[i].attacker_id;
		ids[2 * i + 1] = members[i].defender_id;
	}
	enum store_status status = store_players_exist(app->store, ids, 2 * count, exists);
	for (size_t i = 0; status == STORE_OK && i < count; i++) {
		struct battle_submission *member = &members[i];
		if ((!exists[2 * i] && field_error_add(&member->missing_players, "attacker_id", "no such player") != 0) ||
		    (!exists[2 * i + 1] && field_error_add(&member->missing_players, "defender_id", "no such player") != 0))
			member->outcome = SUBMISSION_NO_MEMORY;
		else if (member->missing_players)
			member->outcome = SUBMISSION_NO_PLAYER;
	}
	return status;
}

/* Inside the write transaction: the key's check, then for a new battle its
 * row and the key. A key used earlier in the same group is seen here, so a
 * retry that lands beside its first try replays it. */
static enum store_status insert_member(struct app *app, struct battle_submission *member)
{
	if (member->outcome != SUBMISSION_QUEUED)
		return STORE_OK;
	enum store_status status = check_idempotency(app, member);
	if (status != STORE_OK || member->outcome != SUBMISSION_QUEUED)
		return status;
	status = store_battle_insert(app->store, member->attacker_id, member->defender_id, member->submitted_at,
				     &member->battle_id);
	if (status != STORE_OK || !member->idempotency_key)
		return status;
	struct idempotency_record record = {.battle_id = member->battle_id, .created_at = member->now};
	memcpy(record.request_hash, member->request_hash, sizeof(record.request_hash));
	return store_idempotency_insert(app->store, member->caller_name, member->idempotency_key, &record);
}

static void replay_battle(struct app *app, int64_t battle_id, struct response *response)
{
	struct battle_record battle;
	if (store_battle_get(app->store, battle_id, &battle) == STORE_OK)
		respond_battle(response, 202, &battle, false);
	else
		handler_unavailable(response, store_error(app->store));
	battle_record_free(&battle);
}

/* After a commit whose outcome is unknown: the battle's row says. OK when it
 * committed, UNAVAILABLE when it did not, UNKNOWN when the store cannot say. */
static enum store_status commit_outcome(struct app *app, int64_t battle_id)
{
	struct battle_record stored;
	enum store_status status = store_battle_get(app->store, battle_id, &stored);
	battle_record_free(&stored);
	return status == STORE_OK ? STORE_OK : status == STORE_NOT_FOUND ? STORE_UNAVAILABLE : STORE_UNKNOWN;
}

/* The group failed as a whole: 503 (nothing written), or 502 when the
 * commit's outcome could not be learnt. */
static void answer_all(struct battle_submission *members, size_t count, bool outcome_unknown, const char *detail)
{
	for (size_t i = 0; i < count; i++) {
		if (outcome_unknown)
			handler_outcome_unknown(members[i].response, detail);
		else
			handler_unavailable(members[i].response, detail);
	}
}

/* The queue is at its bound: 503 with Retry-After, nothing queued. */
static void answer_queue_full(struct battle_submission *members, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (response_error(members[i].response, API_ERROR_UNAVAILABLE,
				   "the battle queue is full: retry later", NULL) == 0)
			response_set_header(members[i].response, "Retry-After", BATTLE_QUEUE_RETRY_AFTER);
}

/* After the commit: each member's answer. */
static void answer_written(struct app *app, struct battle_submission *members, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct battle_submission *member = &members[i];
		if (member->outcome == SUBMISSION_REPLAY) {
			replay_battle(app, member->battle_id, member->response);
		} else if (member->outcome == SUBMISSION_CONFLICT) {
			response_error(member->response, API_ERROR_CONFLICT,
				       "Idempotency-Key reused with a different body", NULL);
		} else if (member->outcome == SUBMISSION_NO_MEMORY) {
			response_error(member->response, API_ERROR_INTERNAL, NULL, NULL);
		} else if (member->outcome == SUBMISSION_NO_PLAYER) {
			response_error(member->response, API_ERROR_INVALID_FIELD, NULL, member->missing_players);
			member->missing_players = NULL;	/* the response owns it */
		} else {
			struct battle_record battle = {.id = member->battle_id,
						       .attacker_id = member->attacker_id,
						       .defender_id = member->defender_id,
						       .status = BATTLE_QUEUED};
			memcpy(battle.submitted_at, member->submitted_at, sizeof(battle.submitted_at));
			respond_battle(member->response, 202, &battle, false);
		}
	}
}

/* One transaction for the whole group: every row, then one push of the new
 * ids in id order, then the commit. The push precedes the commit (a failed
 * push rolls back: nothing queued); a failed commit withdraws the ids. */
enum write_group_result battle_group_write(struct app *app, struct battle_submission *members, size_t count)
{
	int64_t ids[WRITE_GROUP_MAX];
	size_t queued = 0;
	bool full = false;
	enum store_status status = store_begin(app->store, STORE_SUBMIT_BATTLE);
	/* Every read first, so that (PostgreSQL) the order lock, taken by the
	 * first insert, is held only for the inserts and the push. */
	if (status == STORE_OK)
		status = check_players_exist(app, members, count);
	for (size_t i = 0; status == STORE_OK && i < count; i++) {
		status = insert_member(app, &members[i]);
		if (status == STORE_OK && members[i].outcome == SUBMISSION_QUEUED)
			ids[queued++] = members[i].battle_id;
	}
	if (status == STORE_CONFLICT || status == STORE_INVALID) {
		store_rollback(app->store);
		if (count > 1)
			return WRITE_GROUP_SPLIT;
	}
	if (status != STORE_OK)
		goto unavailable;
	if (queued == 0) {	/* only replays and conflicts: nothing to write */
		store_rollback(app->store);
		answer_written(app, members, count);
		return WRITE_GROUP_ANSWERED;
	}
	if (battle_queue_push_bounded(&app->redis, ids, queued, app->settings.battle_queue_max, &full) !=
	    REDIS_LINK_OK) {
		store_rollback(app->store);
		answer_all(members, count, false, app->redis.error);
		return WRITE_GROUP_ANSWERED;
	}
	if (full) {
		store_rollback(app->store);
		answer_queue_full(members, count);
		return WRITE_GROUP_ANSWERED;
	}
	status = store_commit(app->store);
	if (status == STORE_UNKNOWN)
		status = commit_outcome(app, ids[0]);	/* one transaction: its first row tells for all */
	if (status == STORE_UNKNOWN) {
		/* The ids stay queued: if the rows committed, the worker applies them. */
		answer_all(members, count, true, store_error(app->store));
		return WRITE_GROUP_ANSWERED;
	}
	if (status != STORE_OK) {
		battle_queue_withdraw(&app->redis, ids, queued);
		goto unavailable;
	}
	answer_written(app, members, count);
	return WRITE_GROUP_ANSWERED;
unavailable:
	store_rollback(app->store);
	answer_all(members, count, false, store_error(app->store));
	return WRITE_GROUP_ANSWERED;
}

void battle_submission_free(struct battle_submission *submission)
{
	free(submission->idempotency_key);
	submission->idempotency_key = NULL;
	json_object_put(submission->missing_players);
	submission->missing_players = NULL;
}

/* Everything the write needs, taken out of the request; -1 when memory ran out. */
static int prepare_submission(const struct request *request, const struct caller *caller,
			      const struct battle_submit *submit, struct response *response,
			      struct battle_submission *member)
{
	memset(member, 0, sizeof(*member));
	member->attacker_id = submit->attacker_id;
	member->defender_id = submit->defender_id;
	member->now = request->now;
	member->response = response;
	auth_caller_name(caller, member->caller_name, sizeof(member->caller_name));
	if (request_hash(submit, member->request_hash) != 0 ||
	    timefmt_rfc3339(request->now, member->submitted_at) != 0)
		return -1;
	if (request->idempotency_key && !(member->idempotency_key = strdup(request->idempotency_key)))
		return -1;
	return 0;
}

/* Joins the responder's group when it has room, else writes alone now. */
static void queue_battle(struct app *app, const struct request *request, const struct caller *caller,
			 const struct battle_submit *submit, struct response *response)
{
	struct battle_submission member;
	if (prepare_submission(request, caller, submit, response, &member) != 0) {
		battle_submission_free(&member);
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
		return;
	}
	if (write_group_join_battle(request->group, &member))
		return;
	battle_group_write(app, &member, 1);
	battle_submission_free(&member);
}

void handle_submit_battle(struct app *app, const struct request *request, const struct route_match *match,
			  const struct caller *caller, struct response *response)
{
	(void)match;
	struct json_body body = {0};
	struct battle_submit submit = {0};
	json_object *fields = NULL;

	if (handler_parse_body(request, response, &body) != 0)
		goto out;
	enum validate_status status = battle_submit_validate(&body, &submit, &fields);
	if (status == VALIDATE_NO_MEMORY) {
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
		goto out;
	}
	/* A player may only attack as itself; checked once attacker_id is readable. */
	if (caller->kind == CALLER_PLAYER && submit.attacker_id > 0 && submit.attacker_id != caller->player_id) {
		response_error(response, API_ERROR_FORBIDDEN, "players may only submit battles as the attacker", NULL);
		goto out;
	}
	if (request->idempotency_key && !idempotency_key_valid(request->idempotency_key) &&
	    field_error_add(&fields, IDEMPOTENCY_HEADER, "must be 1 to 255 visible ASCII characters") == 0)
		status = VALIDATE_INVALID;
	if (status != VALIDATE_OK) {
		response_error(response, API_ERROR_INVALID_FIELD, NULL, fields);
		fields = NULL;
		goto out;
	}
	queue_battle(app, request, caller, &submit, response);
out:
	json_object_put(fields);
	json_body_free(&body);
}

void handle_get_battle(struct app *app, const struct request *request, const struct route_match *match,
		       const struct caller *caller, struct response *response)
{
	(void)request;
	(void)caller;
	struct battle_record battle;
	switch (store_battle_get(app->store, match->id, &battle)) {
	case STORE_OK:
		respond_battle(response, 200, &battle, true);
		break;
	case STORE_NOT_FOUND:
		response_error(response, API_ERROR_NOT_FOUND, "no such battle", NULL);
		break;
	default:
		handler_unavailable(response, store_error(app->store));
		break;
	}
	battle_record_free(&battle);
}

enum player_battles_param { PARAM_LIMIT, PARAM_OFFSET, PARAM_BEFORE, PARAM__COUNT };

static const struct query_param_spec player_battles_params[PARAM__COUNT] = {
	[PARAM_LIMIT] = {"limit", 1, PLAYER_BATTLES_PAGE_MAX, 20},
	[PARAM_OFFSET] = {"offset", 0, 1000000000000000LL, 0},
	[PARAM_BEFORE] = {"before", 1, INT64_MAX, 0},
};

static int add_summary(void *context, const struct battle_record *battle)
{
	json_object *item = view_battle(battle, false);
	if (!item || json_object_array_add(context, item) != 0) {
		json_object_put(item);
		return -1;
	}
	return 0;
}

void handle_list_player_battles(struct app *app, const struct request *request, const struct route_match *match,
				const struct caller *caller, struct response *response)
{
	(void)caller;
	struct query_values values;
	json_object *fields = NULL, *page = NULL;
	json_object *list = json_object_new_array();
	int64_t total = 0;

	switch (query_parse(request->query, player_battles_params, PARAM__COUNT, &values, &fields)) {
	case VALIDATE_OK:
		if (!values.present[PARAM_BEFORE] || !values.present[PARAM_OFFSET])
			break;
		handler_invalid_field(response, "before", "cannot be combined with offset");
		goto out;
	case VALIDATE_INVALID:
		response_error(response, API_ERROR_INVALID_FIELD, NULL, fields);
		goto out;
	default:
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
		goto out;
	}
	/* One read transaction: total and page come from the same snapshot. */
	if (!list || store_begin(app->store, STORE_READ) != STORE_OK)
		goto unavailable;
	enum store_status status = store_player_exists(app->store, match->id);
	if (status == STORE_NOT_FOUND) {
		response_error(response, API_ERROR_NOT_FOUND, "no such player", NULL);
		goto out;
	}
	struct battle_page_request page_request = {
		.player_id = match->id,
		.limit = values.values[PARAM_LIMIT],
		.offset = values.values[PARAM_OFFSET],
		.before = values.values[PARAM_BEFORE],
	};
	if (status != STORE_OK || store_player_battle_count(app->store, match->id, &total) != STORE_OK ||
	    store_player_battles(app->store, &page_request, add_summary, list) != STORE_OK)
		goto unavailable;
	page = view_battle_page(total, list);
	list = NULL;	/* owned by page, or freed with it */
	handler_respond(response, 200, page);
	goto out;
unavailable:
	handler_unavailable(response, store_error(app->store));
out:
	store_rollback(app->store);
	json_object_put(list);
}
