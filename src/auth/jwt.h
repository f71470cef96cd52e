/* SPDX-License-Identifier: ISC */
/* jwt.h — HS256 JSON Web Tokens in compact form: the player session tokens of
 * POST /sessions, and the strict check every Bearer token goes through. */
#ifndef PT_JWT_H
#define PT_JWT_H

#include <stddef.h>
#include <stdint.h>

/* Longest token jwt_verify_hs256 will look at; anything longer is JWT_MALFORMED. */
#define JWT_MAX_TOKEN_LENGTH 4096

#define JWT_ID_MAX 64
#define JWT_TOKEN_ID_BYTES 32

/* sub is a positive player id of at most 18 decimal digits; iat and exp are
 * Unix seconds with 0 <= iat < exp <= 253402300799 (9999-12-31T23:59:59Z).
 * jti (a session's random id, base64url) and ver (the player's session
 * version when it was issued) are optional: a token without them has id ""
 * and version 0, and signing leaves out an empty id and a version 0. */
struct jwt_claims {
	int64_t subject;
	int64_t issued_at;
	int64_t expires_at;
	char id[JWT_ID_MAX + 1];
	int64_t version;
	/* Set by jwt_verify_hs256 only: SHA-256 of the token's signature, the
	 * one identity every token has (tokens signed without a jti included),
	 * which does not give the token back if it leaks. */
	unsigned char token_id[JWT_TOKEN_ID_BYTES];
};

enum jwt_status {
	JWT_OK = 0,
	JWT_MALFORMED,
	JWT_BAD_ALGORITHM,
	JWT_BAD_SIGNATURE,
	JWT_EXPIRED,
	JWT_NO_MEMORY
};

/* token_out is malloc'd; caller frees. Claims outside the ranges above, an
 * empty secret or a NULL argument give JWT_MALFORMED and *token_out NULL. */
enum jwt_status jwt_sign_hs256(const unsigned char *secret, size_t secret_length,
			       const struct jwt_claims *claims, char **token_out);

/* The signature is checked (constant-time) before any claim is read; a token
 * is expired when now >= exp. claims_out (may be NULL) is written only on
 * JWT_OK. An empty secret verifies nothing: JWT_BAD_SIGNATURE. The thread
 * remembers the last tokens it verified under the same secret (only the
 * expiry is checked again for those): the answer is the same, cheaper. */
enum jwt_status jwt_verify_hs256(const unsigned char *secret, size_t secret_length,
				 const char *token, int64_t now, struct jwt_claims *claims_out);

/* Static English text for logs; never NULL. */
const char *jwt_status_text(enum jwt_status status);

/* Signing and verifying keep a keyed HMAC state (and a copy of the secret,
 * and the tokens verified under it) per thread; a thread (or process) that
 * is done with tokens may wipe it. */
void jwt_release_thread_cache(void);

#endif
