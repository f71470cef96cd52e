/* auth.c — the auth policies of the route table, applied to one request. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "auth.h"
#include "auth_header.h"
#include "jwt.h"
#include "password.h"

#define ADMIN_USER "admin"

/* Compares digests, not the strings, so neither length nor content leaks through timing. */
static int admin_password_matches(const char *expected, const char *given)
{
	unsigned char expected_digest[crypto_hash_sha256_BYTES], given_digest[crypto_hash_sha256_BYTES];
	/* libsodium's SHA-256 cannot fail (it returns 0); a failure would still refuse. */
	if (crypto_hash_sha256(expected_digest, (const unsigned char *)expected, strlen(expected)) != 0 ||
	    crypto_hash_sha256(given_digest, (const unsigned char *)given, strlen(given)) != 0)
		return 0;
	return sodium_memcmp(expected_digest, given_digest, crypto_hash_sha256_BYTES) == 0;
}

static int is_admin_user(const char *user)
{
	return strcmp(user, ADMIN_USER) == 0;
}

static enum auth_outcome check_bearer(struct app *app, const char *token, int64_t now, struct caller *caller)
{
	struct jwt_claims claims;
	const struct settings *settings = &app->settings;
	if (jwt_verify_hs256((const unsigned char *)settings->jwt_secret, strlen(settings->jwt_secret), token, now,
			     &claims) != JWT_OK)
		return AUTH_UNAUTHORIZED;
	switch (store_player_exists(&app->store, claims.subject)) {
	case STORE_OK:
		caller->kind = CALLER_PLAYER;
		caller->player_id = claims.subject;
		return AUTH_ALLOWED;
	case STORE_NOT_FOUND:
		return AUTH_UNAUTHORIZED;	/* a token for a player that no longer exists */
	default:
		return AUTH_UNAVAILABLE;
	}
}

/* A wrong name costs one hash like a wrong password, so names cannot be probed by timing. */
static enum auth_outcome check_player_basic(struct app *app, const struct auth_credentials *credentials,
					    struct caller *caller)
{
	int64_t player_id = 0;
	char *hash = NULL;
	enum auth_outcome outcome = AUTH_UNAUTHORIZED;
	enum store_status status = store_player_credentials(&app->store, credentials->user, &player_id, &hash);
	if (status == STORE_UNAVAILABLE)
		return AUTH_UNAVAILABLE;
	if (status != STORE_OK || !hash) {
		password_verify_dummy(credentials->password);
		goto out;
	}
	if (password_verify(credentials->password, hash) == PASSWORD_OK) {
		caller->kind = CALLER_PLAYER;
		caller->player_id = player_id;
		outcome = AUTH_ALLOWED;
	}
out:
	free(hash);
	return outcome;
}

static enum auth_outcome apply_policy(struct app *app, enum auth_policy policy,
				      const struct auth_credentials *credentials, int64_t now,
				      struct caller *caller)
{
	int admin_basic = credentials->scheme == AUTH_SCHEME_BASIC && is_admin_user(credentials->user);
	if (admin_basic && !admin_password_matches(app->settings.admin_password, credentials->password))
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
