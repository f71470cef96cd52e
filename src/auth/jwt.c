/* SPDX-License-Identifier: ISC */
/* jwt.c — HS256 JWT signing and verification (RFC 7519 / RFC 7515 compact
 * serialisation); owns the token format and every rule a token must pass. */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "auth/jwt.h"
#include "util/json_body.h"
#include "util/digits.h"
#include "util/encoding.h"

#define JWT_MAC_LENGTH crypto_auth_hmacsha256_BYTES
#define JWT_MAX_SUBJECT INT64_C(999999999999999999)	/* 18 digits */
#define JWT_MAX_SUBJECT_DIGITS 18
/* The last second RFC 3339 can print; it also keeps exp - iat far from overflow. */
#define JWT_MAX_TIME INT64_C(253402300799)
/* Our header and claims are flat objects; deeper nesting is only an attack. */

/* Always the same bytes, so a fixed string rather than a serialised object. */
static const char jwt_header_json[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

/* The three parts of a token, base64url-decoded (libsodium refuses any
 * non-canonical spelling). */
enum token_part { PART_HEADER, PART_PAYLOAD, PART_SIGNATURE, PART__COUNT };

struct token_parts {
	unsigned char *bytes[PART__COUNT];
	size_t lengths[PART__COUNT];
};

static enum jwt_status decode_parts(const char *token, size_t length, size_t dot1, size_t dot2,
				    struct token_parts *parts)
{
	const size_t starts[PART__COUNT] = {0, dot1 + 1, dot2 + 1};
	const size_t ends[PART__COUNT] = {dot1, dot2, length};
	memset(parts, 0, sizeof(*parts));
	for (size_t i = 0; i < PART__COUNT; i++) {
		size_t capacity;
		switch (base64_decode(token + starts[i], ends[i] - starts[i], BASE64_URL, &parts->bytes[i],
				      &parts->lengths[i], &capacity)) {
		case BASE64_OK:
			continue;
		case BASE64_MALFORMED:
			return JWT_MALFORMED;
		default:
			return JWT_NO_MEMORY;
		}
	}
	return JWT_OK;
}

static void free_parts(struct token_parts *parts)
{
	for (size_t i = 0; i < PART__COUNT; i++)
		free(parts->bytes[i]);
}

static enum jwt_status parse_json_part(const unsigned char *bytes, size_t length, json_object **out)
{
	struct json_body parsed;

	*out = NULL;
	/* The same strict JSON as request bodies: RFC 8259, UTF-8, one object. */
	switch (json_body_parse("application/json", (const char *)bytes, length, &parsed)) {
	case JSON_BODY_OK:
		*out = parsed.object;
		return JWT_OK;
	case JSON_BODY_NO_MEMORY:
		return JWT_NO_MEMORY;
	default:
		return JWT_MALFORMED;
	}
}

/* Only the exact, case-sensitive "HS256" (RFC 7515 §4.1.1): this is where
 * "none" and algorithm-confusion tokens are turned away. */
static enum jwt_status check_header(json_object *header)
{
	json_object *alg;

	if (!json_object_object_get_ex(header, "alg", &alg) ||
	    !json_object_is_type(alg, json_type_string) ||
	    json_object_get_string_len(alg) != 5 ||
	    memcmp(json_object_get_string(alg), "HS256", 5) != 0)
		return JWT_BAD_ALGORITHM;
	/* RFC 7515 §4.1.11: we understand no extensions, so any "crit" must fail. */
	if (json_object_object_get_ex(header, "crit", NULL))
		return JWT_MALFORMED;
	return JWT_OK;
}

static bool secret_usable(const unsigned char *secret, size_t secret_length)
{
	return secret && secret_length > 0 && secret_length <= INT_MAX;
}

/* Keying HMAC-SHA-256 hashes two blocks of the padded secret, so a keyed
 * state is kept per thread (for the last secret seen) and copied per token,
 * which then hashes only the token. The secret is copied so a different one
 * re-keys; it is wiped when it does. A secret longer than the copy can hold
 * is refused (JWT_NO_MEMORY).
 *
 * With it, the tokens verified under that secret: a client sends the same
 * token with every request, and verifying it (three base64 decodes, two
 * strict JSON parses, the MAC, the token id's SHA-256) took 4.5 µs of a
 * Bearer request's responder CPU, a remembered token 0.9 µs (in isolation;
 * BENCHMARKS.md, "Issue 16: the leaderboard page"). Verifying is a
 * function of the secret and the token, but for the expiry, which is
 * checked again at every use. Entries are found by the token's BLAKE2b
 * keyed with this thread's random key (so no one can aim tokens at a slot
 * or learn anything from a lookup's time), compared in constant time, and
 * go with the secret when it changes. */
#define MAC_CACHE_SECRET_MAX 1024
#define VERIFIED_TOKENS 64

struct verified_token {
	bool used;
	unsigned char digest[crypto_generichash_BYTES];
	struct jwt_claims claims;
};

struct mac_cache {
	bool keyed;
	crypto_auth_hmacsha256_state state;
	size_t secret_length;
	unsigned char secret[MAC_CACHE_SECRET_MAX];
	unsigned char digest_key[crypto_generichash_KEYBYTES];
	struct verified_token verified[VERIFIED_TOKENS];
};

static _Thread_local struct mac_cache mac_cache;

static const crypto_auth_hmacsha256_state *keyed_state(const unsigned char *secret, size_t secret_length)
{
	if (mac_cache.keyed && mac_cache.secret_length == secret_length &&
	    sodium_memcmp(mac_cache.secret, secret, secret_length) == 0)
		return &mac_cache.state;
	sodium_memzero(&mac_cache, sizeof(mac_cache));
	if (secret_length > MAC_CACHE_SECRET_MAX ||
	    crypto_auth_hmacsha256_init(&mac_cache.state, secret, secret_length) != 0) {
		sodium_memzero(&mac_cache, sizeof(mac_cache));
		return NULL;
	}
	mac_cache.keyed = true;
	mac_cache.secret_length = secret_length;
	memcpy(mac_cache.secret, secret, secret_length);
	randombytes_buf(mac_cache.digest_key, sizeof(mac_cache.digest_key));
	return &mac_cache.state;
}

/* The entry a token verified under this secret would be in, its digest in
 * digest; NULL when the secret is not one the cache can hold (then nothing
 * is remembered, and every token is verified in full). */
static struct verified_token *verified_entry(const unsigned char *secret, size_t secret_length, const char *token,
					     size_t length, unsigned char digest[crypto_generichash_BYTES])
{
	if (!secret_usable(secret, secret_length) || !keyed_state(secret, secret_length) ||
	    crypto_generichash(digest, crypto_generichash_BYTES, (const unsigned char *)token, length,
			       mac_cache.digest_key, sizeof(mac_cache.digest_key)) != 0)
		return NULL;
	return &mac_cache.verified[digest[0] % VERIFIED_TOKENS];
}

static enum jwt_status compute_mac(const unsigned char *secret, size_t secret_length,
				   const char *data, size_t data_length,
				   unsigned char mac[JWT_MAC_LENGTH])
{
	enum jwt_status status = JWT_NO_MEMORY;
	const crypto_auth_hmacsha256_state *keyed = keyed_state(secret, secret_length);
	crypto_auth_hmacsha256_state state;

	if (!keyed)
		return JWT_NO_MEMORY;
	state = *keyed;	/* the state is plain data: a copy is an independent MAC */
	if (crypto_auth_hmacsha256_update(&state, (const unsigned char *)data, data_length) == 0 &&
	    crypto_auth_hmacsha256_final(&state, mac) == 0)
		status = JWT_OK;
	sodium_memzero(&state, sizeof(state));
	return status;
}

/* Wipes this thread's keyed state and its copy of the secret. */
void jwt_release_thread_cache(void)
{
	sodium_memzero(&mac_cache, sizeof(mac_cache));
}

/* base64url characters only, as our ids are; anything else is refused. */
static bool id_valid(const char *id, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)id[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return length <= JWT_ID_MAX;
}

static bool claims_valid(const struct jwt_claims *claims)
{
	return claims->subject > 0 && claims->subject <= JWT_MAX_SUBJECT &&
	       claims->issued_at >= 0 && claims->issued_at < claims->expires_at &&
	       claims->expires_at <= JWT_MAX_TIME && claims->version >= 0 && claims->version < INT64_MAX &&
	       id_valid(claims->id, strnlen(claims->id, sizeof(claims->id)));
}

/* sub is a string (RFC 7519 §4.1.2 StringOrURI), so the id is spelled one way only. */
static bool parse_subject(json_object *claims, int64_t *subject)
{
	json_object *sub;
	const char *text;
	int64_t value = 0;
	int length;

	if (!json_object_object_get_ex(claims, "sub", &sub) ||
	    !json_object_is_type(sub, json_type_string))
		return false;
	text = json_object_get_string(sub);
	length = json_object_get_string_len(sub);
	if (length < 0 || digits_parse_positive(text, (size_t)length, JWT_MAX_SUBJECT_DIGITS, &value) != 0)
		return false;
	*subject = value;
	return true;
}

/* json-c saturates out-of-range integers, so the range check also catches
 * anything that did not fit in 64 bits. */
static bool parse_time(json_object *claims, const char *name, int64_t *out)
{
	json_object *field;
	int64_t value;

	if (!json_object_object_get_ex(claims, name, &field) ||
	    !json_object_is_type(field, json_type_int))
		return false;
	value = json_object_get_int64(field);
	if (value < 0 || value > JWT_MAX_TIME)
		return false;
	*out = value;
	return true;
}

/* The optional claims: absent is fine, present must be well-formed. */
static bool parse_session(json_object *payload, struct jwt_claims *claims)
{
	json_object *field;
	if (json_object_object_get_ex(payload, "jti", &field)) {
		int length = json_object_get_string_len(field);
		if (!json_object_is_type(field, json_type_string) || length < 1 ||
		    !id_valid(json_object_get_string(field), (size_t)length))
			return false;
		memcpy(claims->id, json_object_get_string(field), (size_t)length);
		claims->id[length] = '\0';
	}
	if (json_object_object_get_ex(payload, "ver", &field)) {
		if (!json_object_is_type(field, json_type_int))
			return false;
		claims->version = json_object_get_int64(field);
		/* json-c saturates: INT64_MAX is as good as refused. */
		if (claims->version < 0 || claims->version == INT64_MAX)
			return false;
	}
	return true;
}

static enum jwt_status parse_claims(json_object *payload, struct jwt_claims *claims)
{
	memset(claims, 0, sizeof(*claims));
	if (!parse_subject(payload, &claims->subject) ||
	    !parse_time(payload, "iat", &claims->issued_at) ||
	    !parse_time(payload, "exp", &claims->expires_at) ||
	    claims->expires_at <= claims->issued_at || !parse_session(payload, claims))
		return JWT_MALFORMED;
	return JWT_OK;
}

/* Adds value under key, dropping value if the object refuses it (json-c
 * leaves it with the caller then). */
static int object_add(json_object *object, const char *key, json_object *value)
{
	if (!value)
		return -1;
	if (json_object_object_add(object, key, value) != 0) {
		json_object_put(value);
		return -1;
	}
	return 0;
}

static enum jwt_status build_payload(const struct jwt_claims *claims, json_object **out)
{
	json_object *payload;
	char subject[24];

	*out = NULL;
	if (snprintf(subject, sizeof subject, "%" PRId64, claims->subject) < 1)
		return JWT_MALFORMED;
	payload = json_object_new_object();
	if (!payload)
		return JWT_NO_MEMORY;
	if (object_add(payload, "sub", json_object_new_string(subject)) != 0 ||
	    object_add(payload, "iat", json_object_new_int64(claims->issued_at)) != 0 ||
	    object_add(payload, "exp", json_object_new_int64(claims->expires_at)) != 0 ||
	    (claims->id[0] && object_add(payload, "jti", json_object_new_string(claims->id)) != 0) ||
	    (claims->version > 0 && object_add(payload, "ver", json_object_new_int64(claims->version)) != 0)) {
		json_object_put(payload);
		return JWT_NO_MEMORY;
	}
	*out = payload;
	return JWT_OK;
}

enum jwt_status jwt_sign_hs256(const unsigned char *secret, size_t secret_length,
			       const struct jwt_claims *claims, char **token_out)
{
	enum jwt_status status = JWT_MALFORMED;
	const size_t header_length = sizeof jwt_header_json - 1;
	unsigned char mac[JWT_MAC_LENGTH];
	json_object *payload = NULL;
	const char *payload_json;
	size_t payload_length = 0;
	char *token = NULL;
	size_t capacity;
	size_t used;

	if (!token_out)
		return JWT_MALFORMED;
	*token_out = NULL;
	if (!claims || !claims_valid(claims) || !secret_usable(secret, secret_length))
		return JWT_MALFORMED;

	status = build_payload(claims, &payload);
	if (status != JWT_OK)
		goto out;
	payload_json = json_object_to_json_string_length(payload, JSON_C_TO_STRING_PLAIN,
							 &payload_length);
	if (!payload_json) {
		status = JWT_NO_MEMORY;
		goto out;
	}

	capacity = base64url_encoded_size(header_length) + base64url_encoded_size(payload_length) +
		   base64url_encoded_size(JWT_MAC_LENGTH);
	token = malloc(capacity);
	if (!token) {
		status = JWT_NO_MEMORY;
		goto out;
	}
	used = base64url_encode((const unsigned char *)jwt_header_json, header_length, token);
	token[used++] = '.';
	used += base64url_encode((const unsigned char *)payload_json, payload_length, token + used);
	status = compute_mac(secret, secret_length, token, used, mac);
	if (status != JWT_OK)
		goto out;
	token[used++] = '.';
	base64url_encode(mac, sizeof mac, token + used);	/* NUL-terminates the token */

	*token_out = token;
	token = NULL;
	status = JWT_OK;
out:
	sodium_memzero(mac, sizeof mac);
	free(token);
	json_object_put(payload);
	return status;
}

/* Splits at the two dots; a third dot, or fewer than two, is not a JWS. */
static bool split_token(const char *token, size_t length, size_t *first_dot, size_t *second_dot)
{
	const char *dot1;
	const char *dot2;

	dot1 = memchr(token, '.', length);
	if (!dot1)
		return false;
	dot2 = memchr(dot1 + 1, '.', length - (size_t)(dot1 + 1 - token));
	if (!dot2)
		return false;
	if (memchr(dot2 + 1, '.', length - (size_t)(dot2 + 1 - token)))
		return false;
	*first_dot = (size_t)(dot1 - token);
	*second_dot = (size_t)(dot2 - token);
	return true;
}

/* Compares the decoded signature with our own MAC of "header.payload" in
 * constant time. */
static enum jwt_status check_signature(const unsigned char *secret, size_t secret_length,
				       const char *token, size_t signed_length,
				       const unsigned char *given, size_t given_length)
{
	enum jwt_status status;
	unsigned char expected[JWT_MAC_LENGTH];

	if (!secret_usable(secret, secret_length) || given_length != JWT_MAC_LENGTH)
		return JWT_BAD_SIGNATURE;
	status = compute_mac(secret, secret_length, token, signed_length, expected);
	if (status == JWT_OK && sodium_memcmp(expected, given, JWT_MAC_LENGTH) != 0)
		status = JWT_BAD_SIGNATURE;
	sodium_memzero(expected, sizeof expected);
	return status;
}

enum jwt_status jwt_verify_hs256(const unsigned char *secret, size_t secret_length,
				 const char *token, int64_t now, struct jwt_claims *claims_out)
{
	enum jwt_status status = JWT_MALFORMED;
	json_object *header = NULL;
	json_object *payload = NULL;
	struct token_parts parts = {0};
	struct jwt_claims claims;
	struct verified_token *entry;
	unsigned char digest[crypto_generichash_BYTES];
	size_t length;
	size_t dot1;
	size_t dot2;

	if (!token)
		return JWT_MALFORMED;
	length = strnlen(token, JWT_MAX_TOKEN_LENGTH + 1);
	if (length > JWT_MAX_TOKEN_LENGTH || !split_token(token, length, &dot1, &dot2))
		return JWT_MALFORMED;
	entry = verified_entry(secret, secret_length, token, length, digest);
	if (entry && entry->used && sodium_memcmp(entry->digest, digest, sizeof(digest)) == 0) {
		claims = entry->claims;
		status = JWT_OK;
		goto verified;
	}
	/* Every part canonical before anything else is looked at. */
	status = decode_parts(token, length, dot1, dot2, &parts);
	if (status != JWT_OK)
		goto out;
	status = parse_json_part(parts.bytes[PART_HEADER], parts.lengths[PART_HEADER], &header);
	if (status != JWT_OK)
		goto out;
	status = check_header(header);
	if (status != JWT_OK)
		goto out;
	/* Nothing in the payload is trusted, or even parsed, before this passes. */
	status = check_signature(secret, secret_length, token, dot2, parts.bytes[PART_SIGNATURE],
				 parts.lengths[PART_SIGNATURE]);
	if (status != JWT_OK)
		goto out;
	status = parse_json_part(parts.bytes[PART_PAYLOAD], parts.lengths[PART_PAYLOAD], &payload);
	if (status != JWT_OK)
		goto out;
	status = parse_claims(payload, &claims);
	if (status != JWT_OK)
		goto out;
	crypto_hash_sha256(claims.token_id, parts.bytes[PART_SIGNATURE], parts.lengths[PART_SIGNATURE]);
	if (entry) {
		entry->used = true;
		memcpy(entry->digest, digest, sizeof(digest));
		entry->claims = claims;
	}
verified:
	if (now >= claims.expires_at) {
		status = JWT_EXPIRED;
		goto out;
	}
	if (claims_out)
		*claims_out = claims;
out:
	json_object_put(payload);
	json_object_put(header);
	free_parts(&parts);
	return status;
}

const char *jwt_status_text(enum jwt_status status)
{
	switch (status) {
	case JWT_OK:
		return "ok";
	case JWT_MALFORMED:
		return "malformed token";
	case JWT_BAD_ALGORITHM:
		return "algorithm is not HS256";
	case JWT_BAD_SIGNATURE:
		return "bad signature";
	case JWT_EXPIRED:
		return "token expired";
	case JWT_NO_MEMORY:
		return "out of memory";
	}
	return "unknown token status";
}
