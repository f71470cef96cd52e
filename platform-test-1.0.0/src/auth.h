/* auth.h — who is calling, and may they call this endpoint. Applies the
 * route's auth policy to the Authorization header: 401 when the credentials
 * are missing, malformed or wrong, 403 when they are valid but not enough. */
#ifndef PT_AUTH_H
#define PT_AUTH_H

#include <stdint.h>

#include "app.h"
#include "router.h"

enum caller_kind {
	CALLER_ANONYMOUS,
	CALLER_ADMIN,
	CALLER_PLAYER,
};

struct caller {
	enum caller_kind kind;
	int64_t player_id;	/* CALLER_PLAYER only */
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
