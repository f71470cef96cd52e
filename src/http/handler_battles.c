/* SPDX-License-Identifier: ISC */
/* handler_battles.c — POST /battles, GET /battles/{id}, GET /players/{id}/battles.
 * A submission inserts the queued row and pushes its id to Redis inside one
 * SQLite write transaction: ids are assigned and pushed under the same lock,
 * so queue order is id order, and a failed push rolls the row back (503,
 * nothing queued). The worker applies an id only when its row exists. */
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

#define IDEMPOTENCY_WINDOW_SECONDS 86400
#define IDEMPOTENCY_HEADER "Idempotency-Key"
#define PLAYER_BATTLES_PAGE_MAX 100

static void respond_battle(struct response *response, int status, const struct battle_record *battle, bool full)
{
	char location[48];
	handler_respond(response, status, view_battle(battle, full));
	snprintf(location, sizeof(location), "/battles/%" PRId64, battle->id);
	if (response->status == status && status == 202 && response_set_header(response, "Location", location) != 0)
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
}

/* Both players must exist: 422 naming each missing one. */
static int check_players_exist(struct app *app, const struct battle_submit *submit, struct response *response)
{
	json_object *fields = NULL;
	const struct {
		const char *field;
		int64_t id;
	} sides[] = {{"attacker_id", submit->attacker_id}, {"defender_id", submit->defender_id}};
	for (size_t i = 0; i < 2; i++) {
		enum store_status status = store_player_exists(app->store, sides[i].id);
		if (status == STORE_NOT_FOUND && field_error_add(&fields, sides[i].field, "no such player") == 0)
			continue;
		if (status != STORE_OK) {
			json_object_put(fields);
			handler_unavailable(response, store_error(app->store));
			return -1;
		}
	}
	if (!fields)
		return 0;
	response_error(response, API_ERROR_INVALID_FIELD, NULL, fields);
	return -1;
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

enum replay {
	REPLAY_NONE,		/* no usable key: queue a new battle */
	REPLAY_SAME,		/* the first battle answers this retry */
	REPLAY_CONFLICT,	/* the key was used with another body */
	REPLAY_ERROR,
};

/* Inside the write transaction: what an Idempotency-Key says about this request. */
static enum replay check_idempotency(struct app *app, const char *caller_name, const char *key, int64_t now,
				     const unsigned char hash[crypto_hash_sha256_BYTES], int64_t *battle_id)
{
	struct idempotency_record record;
	switch (store_idempotency_get(app->store, caller_name, key, &record)) {
	case STORE_NOT_FOUND:
		return REPLAY_NONE;
	case STORE_OK:
		break;
	default:
		return REPLAY_ERROR;
	}
	if (record.created_at + IDEMPOTENCY_WINDOW_SECONDS <= now)
		return store_idempotency_delete(app->store, caller_name, key) == STORE_OK ? REPLAY_NONE : REPLAY_ERROR;
	if (memcmp(record.request_hash, hash, crypto_hash_sha256_BYTES) != 0)
		return REPLAY_CONFLICT;
	*battle_id = record.battle_id;
	return REPLAY_SAME;
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

static void queue_battle(struct app *app, const struct request *request, const struct caller *caller,
			 const struct battle_submit *submit, struct response *response)
{
	char caller_name[48];
	unsigned char hash[crypto_hash_sha256_BYTES];
	struct battle_record battle = {.attacker_id = submit->attacker_id, .defender_id = submit->defender_id};
	const char *key = request->idempotency_key;
	int64_t replay_id = 0;

	auth_caller_name(caller, caller_name, sizeof(caller_name));
	if (request_hash(submit, hash) != 0 || timefmt_rfc3339(request->now, battle.submitted_at) != 0) {
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
		return;
	}
	if (store_begin(app->store, STORE_SUBMIT_BATTLE) != STORE_OK)
		goto unavailable;
	enum replay replay = key ? check_idempotency(app, caller_name, key, request->now, hash, &replay_id)
				 : REPLAY_NONE;
	if (replay == REPLAY_ERROR)
		goto unavailable;
	if (replay != REPLAY_NONE) {
		store_rollback(app->store);
		if (replay == REPLAY_SAME)
			replay_battle(app, replay_id, response);
		else
			response_error(response, API_ERROR_CONFLICT, "Idempotency-Key reused with a different body", NULL);
		return;
	}
	if (store_battle_insert(app->store, submit->attacker_id, submit->defender_id, battle.submitted_at,
				&battle.id) != STORE_OK)
		goto unavailable;
	if (key) {
		struct idempotency_record record = {.battle_id = battle.id, .created_at = request->now};
		memcpy(record.request_hash, hash, sizeof(hash));
		if (store_idempotency_insert(app->store, caller_name, key, &record) != STORE_OK)
			goto unavailable;
	}
	if (battle_queue_push(&app->redis, battle.id) != REDIS_LINK_OK) {
		store_rollback(app->store);
		handler_unavailable(response, app->redis.error);
		return;
	}
	enum store_status committed = store_commit(app->store);
	if (committed == STORE_UNKNOWN)
		committed = commit_outcome(app, battle.id);
	if (committed == STORE_UNKNOWN) {
		/* The id stays queued: if the row committed, the worker applies it. */
		handler_outcome_unknown(response, store_error(app->store));
		return;
	}
	if (committed != STORE_OK) {
		battle_queue_withdraw(&app->redis, battle.id);
		handler_unavailable(response, store_error(app->store));
		return;
	}
	battle.status = BATTLE_QUEUED;
	respond_battle(response, 202, &battle, false);
	return;
unavailable:
	store_rollback(app->store);
	handler_unavailable(response, store_error(app->store));
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
	if (check_players_exist(app, &submit, response) != 0)
		goto out;
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
