/* auth.c — the auth policies of the route table, applied to one request. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "auth/admin_credential.h"
#include "auth/auth.h"
#include "auth/auth_header.h"
#include "auth/jwt.h"
#include "auth/password.h"

#define ADMIN_USER "admin"

static int is_admin_user(const char *user)
{
	return strcmp(user, ADMIN_USER) == 0;
}

/* A signed, unexpired token of an existing player, of the player's current
 * session version, and not signed out: one store lookup. */
static enum auth_outcome check_bearer(struct app *app, const char *token, int64_t now, struct caller *caller)
{
	struct jwt_claims claims;
	const struct settings *settings = &app->settings;
	int64_t session_version = 0;
	bool revoked = false;
	if (jwt_verify_hs256((const unsigned char *)settings->jwt_secret, strlen(settings->jwt_secret), token, now,
			     &claims) != JWT_OK)
		return AUTH_UNAUTHORIZED;
	switch (store_session_check(app->store, claims.subject, claims.token_id, &session_version, &revoked)) {
	case STORE_OK:
		break;
	case STORE_NOT_FOUND:
		return AUTH_UNAUTHORIZED;	/* a token for a player that no longer exists */
	default:
		return AUTH_UNAVAILABLE;
	}
	if (revoked || claims.version != session_version)
		return AUTH_UNAUTHORIZED;
	caller->kind = CALLER_PLAYER;
	caller->player_id = claims.subject;
	caller->session_version = session_version;
	caller->has_token = true;
	caller->token_expires_at = claims.expires_at;
	memcpy(caller->token_id, claims.token_id, sizeof(caller->token_id));
	return AUTH_ALLOWED;
}

/* A wrong name costs one hash like a wrong password, so names cannot be probed by timing. */
static enum auth_outcome check_player_basic(struct app *app, const struct auth_credentials *credentials,
					    struct caller *caller)
{
	struct player_credentials stored;
	enum auth_outcome outcome = AUTH_UNAUTHORIZED;
	enum store_status status = store_player_credentials(app->store, credentials->user, &stored);
	if (status == STORE_UNAVAILABLE)
		return AUTH_UNAVAILABLE;
	if (status != STORE_OK || !stored.hash) {
		password_verify_dummy(credentials->password);
		goto out;
	}
	if (password_verify(credentials->password, stored.hash) == PASSWORD_OK) {
		caller->kind = CALLER_PLAYER;
		caller->player_id = stored.id;
		caller->session_version = stored.session_version;
		outcome = AUTH_ALLOWED;
	}
out:
	player_credentials_free(&stored);
	return outcome;
}

static enum auth_outcome apply_policy(struct app *app, enum auth_policy policy,
				      const struct auth_credentials *credentials, int64_t now,
				      struct caller *caller)
{
	int admin_basic = credentials->scheme == AUTH_SCHEME_BASIC && is_admin_user(credentials->user);
	if (admin_basic && !admin_credential_matches(app->settings.admin_password, credentials->password))
		return AUTH_UNAUTHORIZED;

	switch (policy) {
	case AUTH_POLICY_PUBLIC:
		return AUTH_ALLOWED;
	case AUTH_POLICY_ADMIN:
		if (admin_basic) {
			caller->kind = CALLER_ADMIN;
			return AUTH_ALLOWED;
		}
		if (credentials->scheme == AUTH_SCHEME_BEARER) {
			enum auth_outcome outcome = check_bearer(app, credentials->token, now, caller);
			return outcome == AUTH_ALLOWED ? AUTH_FORBIDDEN : outcome;
		}
		return AUTH_UNAUTHORIZED;
	case AUTH_POLICY_ADMIN_OR_PLAYER:
		if (admin_basic) {
			caller->kind = CALLER_ADMIN;
			return AUTH_ALLOWED;
		}
		if (credentials->scheme == AUTH_SCHEME_BEARER)
			return check_bearer(app, credentials->token, now, caller);
		return AUTH_UNAUTHORIZED;
	case AUTH_POLICY_PLAYER_BEARER:
		if (credentials->scheme == AUTH_SCHEME_BEARER)
			return check_bearer(app, credentials->token, now, caller);
		return admin_basic ? AUTH_FORBIDDEN : AUTH_UNAUTHORIZED;
	case AUTH_POLICY_PLAYER_BASIC:
		if (credentials->scheme != AUTH_SCHEME_BASIC || admin_basic)
			return AUTH_UNAUTHORIZED;
		return check_player_basic(app, credentials, caller);
	}
	return AUTH_UNAUTHORIZED;
}

enum auth_outcome auth_authorize(struct app *app, enum auth_policy policy, const char *authorization,
				 int64_t now, struct caller *caller)
{
	struct auth_credentials credentials;
	memset(caller, 0, sizeof(*caller));
	if (policy == AUTH_POLICY_PUBLIC)
		return AUTH_ALLOWED;
	if (auth_header_parse(authorization, &credentials) != 0)
		return AUTH_UNAVAILABLE;
	enum auth_outcome outcome = AUTH_UNAUTHORIZED;
	if (credentials.scheme == AUTH_SCHEME_BASIC || credentials.scheme == AUTH_SCHEME_BEARER)
		outcome = apply_policy(app, policy, &credentials, now, caller);
	auth_credentials_free(&credentials);
	return outcome;
}

void auth_caller_name(const struct caller *caller, char *out, size_t out_size)
{
	if (caller->kind == CALLER_PLAYER)
		snprintf(out, out_size, "player:%" PRId64, caller->player_id);
	else
		snprintf(out, out_size, "%s", caller->kind == CALLER_ADMIN ? ADMIN_USER : "anonymous");
}
