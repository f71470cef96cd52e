/* handler_sessions.c — opening and ending sessions, and changing a password
 * (which ends the older ones): POST /sessions, DELETE /sessions/current,
 * DELETE /players/{id}/sessions, PUT /players/{id}/password. Tokens carry
 * the player's session version (store.h); ending "every session" moves the
 * version on, ending one lists that token as revoked until it expires. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "auth/jwt.h"
#include "auth/password.h"
#include "http/handlers.h"
#include "http/validate.h"
#include "http/views.h"
#include "util/encoding.h"
#include "util/json_body.h"

#define SESSION_ID_BYTES 16

void handle_create_session(struct app *app, const struct request *request, const struct route_match *match,
			   const struct caller *caller, struct response *response)
{
	(void)match;
	char *token = NULL;
	unsigned char random_id[SESSION_ID_BYTES];
	const struct settings *settings = &app->settings;
	struct jwt_claims claims = {
		.subject = caller->player_id,
		.issued_at = request->now,
		.expires_at = request->now + settings->jwt_lifetime_seconds,
		.version = caller->session_version,
	};
	/* The contract: a POST with a body must send application/json, else 415.
	 * A session request needs no body; one sent with the right type is ignored. */
	if (request->body_length > 0 && !json_media_type_ok(request->content_type)) {
		response_error(response, API_ERROR_UNSUPPORTED_MEDIA_TYPE, NULL, NULL);
		return;
	}
	/* A random id makes every token distinct, so one can be signed out alone. */
	randombytes_buf(random_id, sizeof(random_id));
	base64url_encode(random_id, sizeof(random_id), claims.id);
	if (jwt_sign_hs256((const unsigned char *)settings->jwt_secret, strlen(settings->jwt_secret), &claims,
			   &token) != JWT_OK) {
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
		return;
	}
	handler_respond(response, 201, view_session(token, claims.expires_at - claims.issued_at, caller->player_id));
	free(token);
}

/* One write in its own transaction; the response says how it went. */
typedef enum store_status (*session_write)(struct app *app, const struct request *request,
					   const struct route_match *match, const struct caller *caller,
					   const void *input);

static void write_sessions(struct app *app, const struct request *request, const struct route_match *match,
			   const struct caller *caller, session_write write, const void *input,
			   struct response *response)
{
	enum store_status status = store_begin(app->store, STORE_CHANGE_SESSIONS);
	if (status == STORE_OK)
		status = write(app, request, match, caller, input);
	if (status == STORE_OK)
		status = store_commit(app->store);
	if (status != STORE_OK)
		store_rollback(app->store);
	if (status == STORE_OK) {
		if (response_no_content(response) != 0)
			response_error(response, API_ERROR_INTERNAL, NULL, NULL);
	} else if (status == STORE_NOT_FOUND)
		response_error(response, API_ERROR_NOT_FOUND, "no such player", NULL);
	else
		handler_unavailable(response, store_error(app->store));
}

static enum store_status revoke_token(struct app *app, const struct request *request,
				      const struct route_match *match, const struct caller *caller, const void *input)
{
	(void)match;
	(void)input;
	return store_session_revoke(app->store, caller->player_id, caller->token_id, caller->token_expires_at,
				    request->now);
}

void handle_end_session(struct app *app, const struct request *request, const struct route_match *match,
			const struct caller *caller, struct response *response)
{
	write_sessions(app, request, match, caller, revoke_token, NULL, response);
}

/* The admin, or the player {id} itself. */
static int check_own(const struct route_match *match, const struct caller *caller, struct response *response)
{
	if (caller->kind == CALLER_PLAYER && caller->player_id != match->id) {
		response_error(response, API_ERROR_FORBIDDEN, "players may only change their own sessions", NULL);
		return -1;
	}
	return 0;
}

static enum store_status revoke_all(struct app *app, const struct request *request,
				    const struct route_match *match, const struct caller *caller, const void *input)
{
	(void)request;
	(void)caller;
	(void)input;
	return store_player_revoke_sessions(app->store, match->id);
}

void handle_end_player_sessions(struct app *app, const struct request *request, const struct route_match *match,
				const struct caller *caller, struct response *response)
{
	if (check_own(match, caller, response) == 0)
		write_sessions(app, request, match, caller, revoke_all, NULL, response);
}

static enum store_status set_password(struct app *app, const struct request *request,
				      const struct route_match *match, const struct caller *caller, const void *input)
{
	(void)request;
	(void)caller;
	return store_player_set_password(app->store, match->id, input);
}

/* 0 when the current password may be passed over or is right; else the
 * response is set (404, 403, 503). */
static int check_current_password(struct app *app, const struct route_match *match,
				  const struct password_change *change, struct response *response)
{
	struct player_credentials stored;
	int result = -1;
	switch (store_player_credentials_by_id(app->store, match->id, &stored)) {
	case STORE_OK:
		break;
	case STORE_NOT_FOUND:
		response_error(response, API_ERROR_NOT_FOUND, "no such player", NULL);
		goto out;
	default:
		handler_unavailable(response, store_error(app->store));
		goto out;
	}
	/* The admin may leave it out; whoever sends it must send the right one. */
	if (!change->current_password ||
	    (stored.hash && password_verify(change->current_password, stored.hash) == PASSWORD_OK))
		result = 0;
	else
		response_error(response, API_ERROR_FORBIDDEN, "current_password is wrong", NULL);
out:
	player_credentials_free(&stored);
	return result;
}

void handle_change_password(struct app *app, const struct request *request, const struct route_match *match,
			    const struct caller *caller, struct response *response)
{
	struct json_body body = {0};
	struct password_change change = {0};
	json_object *fields = NULL;
	char *stored_hash = NULL;

	if (check_own(match, caller, response) != 0 || handler_parse_body(request, response, &body) != 0)
		goto out;
	enum validate_status status = password_change_validate(&body, &change, &fields);
	if (status == VALIDATE_OK && caller->kind == CALLER_PLAYER && !change.current_password &&
	    field_error_add(&fields, "current_password", "is required") == 0)
		status = VALIDATE_INVALID;
	if (status != VALIDATE_OK) {
		if (status == VALIDATE_INVALID)
			response_error(response, API_ERROR_INVALID_FIELD, NULL, fields);
		else
			response_error(response, API_ERROR_INTERNAL, NULL, NULL);
		fields = NULL;
		goto out;
	}
	if (check_current_password(app, match, &change, response) != 0)
		goto out;
	if (password_hash(change.password, &stored_hash) != PASSWORD_OK) {
		response_error(response, API_ERROR_INTERNAL, NULL, NULL);
		goto out;
	}
	write_sessions(app, request, match, caller, set_password, stored_hash, response);
out:
	free(stored_hash);
	json_object_put(fields);
	password_change_free(&change);
	json_body_free(&body);
}
