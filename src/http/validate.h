/* validate.h — the request-body schemas of the contract (player create,
 * battle submit) and the Idempotency-Key rule; each field problem becomes a
 * "field": "message" pair for the 422 body.
 *
 * Rules live in tables in validate.c, one row per field. A field gets one
 * message, the first rule it breaks (type, valid Unicode, length or range,
 * then content); every field is checked, so one 422 names all bad fields.
 * Unknown keys are refused ("unknown field"). For duplicate keys the last one
 * wins (see json_body.h). Existence and uniqueness (404/409) are the caller's. */
#ifndef PT_VALIDATE_H
#define PT_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "store/store.h"
#include "util/json_body.h"

/* struct player_create: store/store.h. */

enum validate_status { VALIDATE_OK = 0, VALIDATE_INVALID, VALIDATE_NO_MEMORY };

/* body comes from json_body_parse() == JSON_BODY_OK. On VALIDATE_INVALID
 * *fields holds "field": "message" pairs (caller frees with json_object_put).
 * *fields may already hold an object (say, an Idempotency-Key error): pairs
 * are added to it, so one 422 can report everything; the caller always
 * json_object_put()s it, whatever the status. Strings in out are malloc'd
 * copies; out is filled only on VALIDATE_OK and zeroed otherwise, so
 * player_create_free() is safe after any status. */
enum validate_status player_create_validate(const struct json_body *body, struct player_create *out,
					    json_object **fields);
void player_create_free(struct player_create *player);	/* wipes password */

/* PUT /players/{id}/password. Both strings malloc'd, wiped when freed. */
struct password_change {
	char *password;
	char *current_password;	/* NULL when absent */
};

/* Same conventions as player_create_validate(). */
enum validate_status password_change_validate(const struct json_body *body, struct password_change *out,
					      json_object **fields);
void password_change_free(struct password_change *change);

struct battle_submit {
	int64_t attacker_id;
	int64_t defender_id;
};

/* Same conventions as player_create_validate(), but for out: on
 * VALIDATE_INVALID each id that is valid by itself is still set (0 when it
 * is not), so the caller can refuse another player's attacker_id with 403
 * before answering 422. Ids are 1 to 2^53 - 1 (the integers every JSON
 * client holds exactly); whether they exist is checked later by the caller. */
enum validate_status battle_submit_validate(const struct json_body *body, struct battle_submit *out,
					    json_object **fields);

/* Idempotency-Key header: 1–255 visible ASCII (0x21–0x7E) characters. NULL → false. */
bool idempotency_key_valid(const char *key);

#endif
