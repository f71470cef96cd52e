/* auth.h — who is calling, and may they call this endpoint. Applies the
 * route's auth policy to the Authorization header: 401 when the credentials
 * are missing, malformed or wrong, 403 when they are valid but not enough. */
#ifndef PT_AUTH_H
#define PT_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "auth/policy.h"

enum caller_kind {
	CALLER_ANONYMOUS,
	CALLER_ADMIN,
	CALLER_PLAYER,
};

struct caller {
	enum caller_kind kind;
	int64_t player_id;	/* CALLER_PLAYER only */
	int64_t session_version;	/* CALLER_PLAYER: the player's, when authorized */
	/* Set when a Bearer token authorized the call (to sign it out). */
	bool has_token;
	int64_t token_expires_at;
	unsigned char token_id[32];
};

enum auth_outcome {
	AUTH_ALLOWED,
	AUTH_UNAUTHORIZED,
	AUTH_FORBIDDEN,
	AUTH_UNAVAILABLE,	/* SQLite could not be asked */
};

enum auth_outcome auth_authorize(struct app *app, enum auth_policy policy, const char *authorization,
				 int64_t now, struct caller *caller);

/* A caller's stable identity for idempotency keys: "admin" or "player:ID". */
void auth_caller_name(const struct caller *caller, char *out, size_t out_size);

#endif
