/* SPDX-License-Identifier: ISC */
/* write_group.h — the write path that shares its work: the player creates
 * and battle submissions a responder has in hand at one turn of its loop are
 * written as one store transaction and one Redis round trip per kind, and
 * each request is answered only once its group has committed.
 *
 * Invariants (docs/architecture.md, "Group commit"):
 * - a member's response stays deferred until the group's transaction ended;
 *   a 201/202 is sent only for a committed row, so "durably written" means
 *   what it meant for a write alone;
 * - a group is all or nothing: a dependency failure answers every member
 *   503 and leaves nothing; a member that the store itself refuses (a name
 *   taken, a row a CHECK refuses) makes the group roll back and each member
 *   be written alone, so one request's failure stays its own;
 * - the battles of a group take their ids and are pushed under one
 *   submission lock (store.h's contract), in member order: queue order is
 *   id order, as for one submission. */
#ifndef PT_WRITE_GROUP_H
#define PT_WRITE_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "http/response.h"  /* and json-c */
#include "store/store.h"

/* The largest group: the Redis push takes every id as an argument of one
 * script run, and a responder rarely has more requests in hand at once
 * (nginx's kept connections spread over the pool). */
#define WRITE_GROUP_MAX 32
#define BATTLE_CALLER_NAME_SIZE 48

/* A validated POST /battles waiting for its group. */
struct battle_submission {
	int64_t attacker_id, defender_id;
	char caller_name[BATTLE_CALLER_NAME_SIZE];
	char *idempotency_key;		/* owned; NULL when the request had none */
	unsigned char request_hash[32];	/* SHA-256 of the body's meaning, for key reuse */
	int64_t now;
	char submitted_at[STORE_TIME_SIZE];
	struct response *response;	/* answered when the group is written */
	/* Set while the group is written: */
	int64_t battle_id;		/* the new battle, or the one a key replays */
	int outcome;			/* handler_battles.c's enum submission_outcome */
	json_object *missing_players;	/* owned: the 422's fields when a player does not exist */
};

/* A validated POST /players waiting for its group. */
struct player_submission {
	struct player_create input;	/* owned (player_create_free) */
	char *stored_hash;		/* owned; NULL without a password */
	char created_at[STORE_TIME_SIZE];
	struct response *response;
	int64_t player_id;		/* set once inserted */
};

struct write_group {
	size_t battle_count, player_count;
	struct battle_submission battles[WRITE_GROUP_MAX];
	struct player_submission players[WRITE_GROUP_MAX];
};

/* Whether another member of either kind fits. */
bool write_group_has_room(const struct write_group *group);
/* Takes the member (its owned parts too) and defers its response; false,
 * taking nothing, when there is no group (NULL) or it has no room: the
 * caller then writes the member alone. */
bool write_group_join_battle(struct write_group *group, const struct battle_submission *submission);
bool write_group_join_player(struct write_group *group, const struct player_submission *submission);
/* Writes what the group holds (creates first, then submissions), answers
 * every member's response, frees what they owned and empties the group. */
void write_group_commit(struct app *app, struct write_group *group);

/* How a group's write ended. */
enum write_group_result {
	WRITE_GROUP_ANSWERED,	/* every member is answered: written, or refused with nothing left behind */
	WRITE_GROUP_SPLIT,	/* rolled back, nobody answered: the store refused one member, so each
				 * must be written alone (never for a group of one) */
};

/* Each kind's writer, in its handler's file: writes count members as one
 * transaction (a group of one is the write alone). */
enum write_group_result battle_group_write(struct app *app, struct battle_submission *members, size_t count);
enum write_group_result player_group_write(struct app *app, struct player_submission *members, size_t count);
void battle_submission_free(struct battle_submission *submission);
void player_submission_free(struct player_submission *submission);

#endif
