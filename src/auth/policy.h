/* policy.h — who may call an endpoint; each row of http/endpoints.h names
 * one, and auth_authorize() (auth.h) applies it. */
#ifndef PT_POLICY_H
#define PT_POLICY_H

enum auth_policy {
	AUTH_POLICY_PUBLIC,		/* anyone */
	AUTH_POLICY_ADMIN,		/* admin Basic only */
	AUTH_POLICY_ADMIN_OR_PLAYER,	/* admin Basic or a player's Bearer token */
	AUTH_POLICY_PLAYER_BASIC,	/* a player's Basic name:password only */
	AUTH_POLICY_PLAYER_BEARER,	/* a player's Bearer token only (the admin: 403) */
};

#endif
