/* handler_sessions.c — POST /sessions: a player's Basic credentials, already
 * verified by auth, exchanged for an HS256 token. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "json_body.h"
#include "jwt.h"
#include "views.h"

void handle_create_session(struct app *app, const struct request *request, const struct route_match *match,
			   const struct caller *caller, struct response *response)
{
	(void)match;
	char *token = NULL;
	const struct settings *settings = &app->settings;
	struct jwt_claims claims = {
		.subject = caller->player_id,
		.issued_at = request->now,
		.expires_at = request->now + settings->jwt_lifetime_seconds,
	};
	/* The contract: a POST with a body must send application/json, else 415.
	 * A session request needs no body; one sent with the right type is ignored. */
	if (request->body_length > 0 && !json_media_type_ok(request->content_type)) {
		response_error(response, API_ERROR_UNSUPPORTED_MEDIA_TYPE, NULL, NULL);
		return;
	}
	if (jwt_sign_hs256((const unsigned char *)settings->jwt_secret, strlen(settings->jwt_secret), &claims,
			   &token) != JWT_OK) {
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
		return;
	}
	handler_respond(response, 201, view_session(token, claims.expires_at - claims.issued_at, caller->player_id));
	free(token);
}
