/* SPDX-License-Identifier: ISC */
/* test_jwt.c — HS256 sign/verify, and every way a forged, damaged or stale
 * token must be refused. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/jwt.h"

#define SECRET "correct horse battery staple"
#define SECRET_LENGTH (sizeof SECRET - 1)
#define NOW INT64_C(1700000100)

/* Computed at test-writing time, independently of jwt.c:
 *   b64u() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
 *   H=$(printf '%s' '{"alg":"HS256","typ":"JWT"}' | b64u)
 *   P=$(printf '%s' '{"sub":"42","iat":1700000000,"exp":1700003600}' | b64u)
 *   S=$(printf '%s' "$H.$P" | openssl dgst -sha256 -hmac "$SECRET" -binary | b64u) */
static const char known_token[] =
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
	".eyJzdWIiOiI0MiIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwfQ"
	".cAILY82Ze3HEVUXWAkatiQPqm0cFgoKo365VwtZsi3U";

static const char good_header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
static const char good_payload[] = "{\"sub\":\"42\",\"iat\":1700000000,\"exp\":1700003600}";

static enum jwt_status verify(const char *token)
{
	return jwt_verify_hs256((const unsigned char *)SECRET, SECRET_LENGTH, token, NOW, NULL);
}

/* Unpadded base64url of data appended at out; returns characters written. */
static size_t b64url(const void *data, size_t length, char *out)
{
	const size_t size = sodium_base64_ENCODED_LEN(length, sodium_base64_VARIANT_URLSAFE_NO_PADDING);

	assert_non_null(sodium_bin2base64(out, size, data, length, sodium_base64_VARIANT_URLSAFE_NO_PADDING));
	return size - 1;
}

/* The test's own JWS builder, so headers and claims jwt.c would never write
 * can still carry a valid signature. Returns a malloc'd token. */
static char *make_token(const char *header, const char *payload, const char *secret)
{
	size_t capacity = (strlen(header) + strlen(payload)) * 2 + 128;
	char *token = malloc(capacity);
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state hmac;
	size_t used;

	assert_non_null(token);
	used = b64url(header, strlen(header), token);
	token[used++] = '.';
	used += b64url(payload, strlen(payload), token + used);
	/* Keyed afresh per token: not jwt.c's cached, copied state. */
	assert_int_equal(crypto_auth_hmacsha256_init(&hmac, (const unsigned char *)secret, strlen(secret)), 0);
	assert_int_equal(crypto_auth_hmacsha256_update(&hmac, (const unsigned char *)token, used), 0);
	assert_int_equal(crypto_auth_hmacsha256_final(&hmac, mac), 0);
	token[used++] = '.';
	b64url(mac, sizeof mac, token + used);
	return token;
}

static void expect_signed(const char *header, const char *payload, enum jwt_status expected)
{
	char *token = make_token(header, payload, SECRET);

	assert_int_equal(verify(token), expected);
	free(token);
}

static void test_round_trip(void **state)
{
	struct jwt_claims claims = {.subject = 7, .issued_at = NOW, .expires_at = NOW + 3600};
	struct jwt_claims out = {0};
	char *token = NULL;

	(void)state;
	assert_int_equal(jwt_sign_hs256((const unsigned char *)SECRET, SECRET_LENGTH, &claims,
					&token), JWT_OK);
	assert_non_null(token);
	assert_int_equal(jwt_verify_hs256((const unsigned char *)SECRET, SECRET_LENGTH, token,
					  NOW, &out), JWT_OK);
	assert_int_equal(out.subject, 7);
	assert_int_equal(out.issued_at, NOW);
	assert_int_equal(out.expires_at, NOW + 3600);
	free(token);
}

static void test_largest_subject_round_trip(void **state)
{
	struct jwt_claims claims = {.subject = INT64_C(999999999999999999), .issued_at = 0,
				    .expires_at = INT64_C(253402300799)};
	struct jwt_claims out = {0};
	char *token = NULL;

	(void)state;
	assert_int_equal(jwt_sign_hs256((const unsigned char *)SECRET, SECRET_LENGTH, &claims,
					&token), JWT_OK);
	assert_int_equal(jwt_verify_hs256((const unsigned char *)SECRET, SECRET_LENGTH, token,
					  NOW, &out), JWT_OK);
	assert_int_equal(out.subject, claims.subject);
	free(token);
}

static void test_known_token_verifies(void **state)
{
	struct jwt_claims out = {0};

	(void)state;
	assert_int_equal(jwt_verify_hs256((const unsigned char *)SECRET, SECRET_LENGTH,
					  known_token, NOW, &out), JWT_OK);
	assert_int_equal(out.subject, 42);
	assert_int_equal(out.issued_at, 1700000000);
	assert_int_equal(out.expires_at, 1700003600);
}

static void test_sign_matches_known_token(void **state)
{
	struct jwt_claims claims = {.subject = 42, .issued_at = 1700000000,
				    .expires_at = 1700003600};
	char *token = NULL;

	(void)state;
	assert_int_equal(jwt_sign_hs256((const unsigned char *)SECRET, SECRET_LENGTH, &claims,
					&token), JWT_OK);
	assert_string_equal(token, known_token);
	free(token);
}

static void test_test_builder_matches_known_token(void **state)
{
	char *token = make_token(good_header, good_payload, SECRET);

	(void)state;
	assert_string_equal(token, known_token);
	free(token);
}

/* Swaps one character for another base64url character at index. */
static char *flipped(const char *token, size_t index)
{
	char *copy = strdup(token);

	assert_non_null(copy);
	copy[index] = copy[index] == 'A' ? 'B' : 'A';
	return copy;
}

static void test_flipped_signature_byte(void **state)
{
	const char *signature = strrchr(known_token, '.') + 1;
	char *token = flipped(known_token, (size_t)(signature - known_token) + 5);

	(void)state;
	assert_int_equal(verify(token), JWT_BAD_SIGNATURE);
	free(token);
}

static void test_flipped_payload_byte(void **state)
{
	const char *payload = strchr(known_token, '.') + 1;
	char *token = flipped(known_token, (size_t)(payload - known_token) + 10);

	(void)state;
	assert_int_equal(verify(token), JWT_BAD_SIGNATURE);
	free(token);
}

static void test_flipped_header_byte(void **state)
{
	/* "eyJhbGci…" → "eyJhbGcA…" keeps valid base64url but breaks the JSON. */
	char *token = flipped(known_token, 7);

	(void)state;
	assert_int_not_equal(verify(token), JWT_OK);
	free(token);
}

static void test_alg_none_empty_signature(void **state)
{
	char token[512];
	const char *header = "{\"alg\":\"none\",\"typ\":\"JWT\"}";
	size_t used;

	(void)state;
	used = b64url(header, strlen(header), token);
	token[used++] = '.';
	used += b64url(good_payload, strlen(good_payload), token + used);
	token[used++] = '.';
	token[used] = '\0';
	assert_int_equal(verify(token), JWT_BAD_ALGORITHM);
}

static void test_alg_none_even_with_valid_mac(void **state)
{
	(void)state;
	expect_signed("{\"alg\":\"none\"}", good_payload, JWT_BAD_ALGORITHM);
}

static void test_wrong_algorithms(void **state)
{
	(void)state;
	expect_signed("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", good_payload, JWT_BAD_ALGORITHM);
	expect_signed("{\"alg\":\"hs256\",\"typ\":\"JWT\"}", good_payload, JWT_BAD_ALGORITHM);
	expect_signed("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", good_payload, JWT_BAD_ALGORITHM);
	expect_signed("{\"alg\":\"HS256 \"}", good_payload, JWT_BAD_ALGORITHM);
	expect_signed("{\"alg\":\"HS256\\u0000\"}", good_payload, JWT_BAD_ALGORITHM);
	expect_signed("{\"alg\":256}", good_payload, JWT_BAD_ALGORITHM);
	expect_signed("{\"alg\":null}", good_payload, JWT_BAD_ALGORITHM);
}

static void test_missing_alg(void **state)
{
	(void)state;
	expect_signed("{\"typ\":\"JWT\"}", good_payload, JWT_BAD_ALGORITHM);
	expect_signed("{}", good_payload, JWT_BAD_ALGORITHM);
}

static void test_header_not_an_object(void **state)
{
	(void)state;
	expect_signed("[\"HS256\"]", good_payload, JWT_MALFORMED);
	expect_signed("\"HS256\"", good_payload, JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"", good_payload, JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"} x", good_payload, JWT_MALFORMED);
	expect_signed("{'alg':'HS256'}", good_payload, JWT_MALFORMED);
}

static void test_crit_header_refused(void **state)
{
	(void)state;
	expect_signed("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", good_payload, JWT_MALFORMED);
}

static void test_other_secret(void **state)
{
	char *token = make_token(good_header, good_payload, "another secret");

	(void)state;
	assert_int_equal(verify(token), JWT_BAD_SIGNATURE);
	free(token);
}

static void test_empty_secret(void **state)
{
	struct jwt_claims claims = {.subject = 1, .issued_at = NOW, .expires_at = NOW + 60};
	char *token = (char *)"unchanged";

	(void)state;
	assert_int_equal(jwt_sign_hs256((const unsigned char *)"", 0, &claims, &token),
			 JWT_MALFORMED);
	assert_null(token);
	assert_int_equal(jwt_verify_hs256((const unsigned char *)"", 0, known_token, NOW, NULL),
			 JWT_BAD_SIGNATURE);
}

static void test_expired(void **state)
{
	struct jwt_claims out = {.subject = -1};

	(void)state;
	assert_int_equal(jwt_verify_hs256((const unsigned char *)SECRET, SECRET_LENGTH,
					  known_token, 1700003600, &out), JWT_EXPIRED);
	assert_int_equal(out.subject, -1);
	assert_int_equal(jwt_verify_hs256((const unsigned char *)SECRET, SECRET_LENGTH,
					  known_token, 1700003601, NULL), JWT_EXPIRED);
	assert_int_equal(jwt_verify_hs256((const unsigned char *)SECRET, SECRET_LENGTH,
					  known_token, 1700003599, NULL), JWT_OK);
}

static void expect_same_claims(const struct jwt_claims *a, const struct jwt_claims *b)
{
	assert_int_equal(a->subject, b->subject);
	assert_int_equal(a->issued_at, b->issued_at);
	assert_int_equal(a->expires_at, b->expires_at);
	assert_int_equal(a->version, b->version);
	assert_string_equal(a->id, b->id);
	assert_memory_equal(a->token_id, b->token_id, sizeof(a->token_id));
}

/* A token verified once is remembered: the same claims again (the token id
 * too), its expiry still checked at each use, nothing carried to another
 * secret, and a token one byte off still refused. */
static void test_remembered_tokens(void **state)
{
	struct jwt_claims first = {0}, again = {0}, untouched = {.subject = -1};
	const char *signature = strrchr(known_token, '.') + 1;
	char *other = flipped(known_token, (size_t)(signature - known_token) + 5);

	(void)state;
	jwt_release_thread_cache();
	assert_int_equal(jwt_verify_hs256((const unsigned char *)SECRET, SECRET_LENGTH, known_token, NOW, &first),
			 JWT_OK);
	assert_int_equal(jwt_verify_hs256((const unsigned char *)SECRET, SECRET_LENGTH, known_token, NOW, &again),
			 JWT_OK);
	expect_same_claims(&first, &again);
	assert_int_equal(jwt_verify_hs256((const unsigned char *)SECRET, SECRET_LENGTH, known_token, 1700003600,
					  &untouched), JWT_EXPIRED);
	assert_int_equal(untouched.subject, -1);
	assert_int_equal(verify(other), JWT_BAD_SIGNATURE);
	assert_int_equal(jwt_verify_hs256((const unsigned char *)"another secret", 14, known_token, NOW, NULL),
			 JWT_BAD_SIGNATURE);
	assert_int_equal(jwt_verify_hs256((const unsigned char *)"", 0, known_token, NOW, NULL), JWT_BAD_SIGNATURE);
	assert_int_equal(verify(known_token), JWT_OK);
	jwt_release_thread_cache();
	assert_int_equal(jwt_verify_hs256((const unsigned char *)SECRET, SECRET_LENGTH, known_token, NOW, &again),
			 JWT_OK);
	expect_same_claims(&first, &again);
	free(other);
}

static void test_subject_must_be_canonical_string(void **state)
{
	(void)state;
	expect_signed("{\"alg\":\"HS256\"}", "{\"sub\":42,\"iat\":1700000000,\"exp\":1700003600}",
		      JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"0\",\"iat\":1700000000,\"exp\":1700003600}",
		      JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"01\",\"iat\":1700000000,\"exp\":1700003600}",
		      JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"-1\",\"iat\":1700000000,\"exp\":1700003600}",
		      JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"\",\"iat\":1700000000,\"exp\":1700003600}",
		      JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"4 2\",\"iat\":1700000000,\"exp\":1700003600}",
		      JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}",
		      "{\"sub\":\"1234567890123456789\",\"iat\":1700000000,\"exp\":1700003600}",
		      JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}", "{\"iat\":1700000000,\"exp\":1700003600}",
		      JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}",
		      "{\"sub\":\"999999999999999999\",\"iat\":1700000000,\"exp\":1700003600}",
		      JWT_OK);
}

static void test_times_must_be_integers(void **state)
{
	(void)state;
	expect_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"42\",\"iat\":1700000000.0,\"exp\":1700003600}",
		      JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"42\",\"iat\":1700000000,\"exp\":\"1700003600\"}",
		      JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"42\",\"iat\":1700000000,\"exp\":1.7e9}",
		      JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"42\",\"iat\":1700000000}", JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"42\",\"exp\":1700003600}", JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}",
		      "{\"sub\":\"42\",\"iat\":1700000000,\"exp\":99999999999999999999}",
		      JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"42\",\"iat\":-5,\"exp\":1700003600}",
		      JWT_MALFORMED);
}

static void test_exp_must_follow_iat(void **state)
{
	(void)state;
	expect_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"42\",\"iat\":1700003600,\"exp\":1700003600}",
		      JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"42\",\"iat\":1700003601,\"exp\":1700003600}",
		      JWT_MALFORMED);
}

static void test_claims_not_an_object(void **state)
{
	(void)state;
	expect_signed("{\"alg\":\"HS256\"}", "[42]", JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}", "", JWT_MALFORMED);
	expect_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"42\",\"iat\":1700000000,\"exp\":1700003600}x",
		      JWT_MALFORMED);
}

static void test_unknown_claims_ignored(void **state)
{
	(void)state;
	expect_signed("{\"alg\":\"HS256\",\"kid\":\"k1\"}",
		      "{\"sub\":\"42\",\"iat\":1700000000,\"exp\":1700003600,\"role\":\"admin\"}",
		      JWT_OK);
}

static void test_wrong_part_count(void **state)
{
	char buffer[1024];
	const char *last_dot = strrchr(known_token, '.');

	(void)state;
	/* two parts */
	memcpy(buffer, known_token, (size_t)(last_dot - known_token));
	buffer[last_dot - known_token] = '\0';
	assert_int_equal(verify(buffer), JWT_MALFORMED);
	/* four parts */
	snprintf(buffer, sizeof buffer, "%s.AAAA", known_token);
	assert_int_equal(verify(buffer), JWT_MALFORMED);
	snprintf(buffer, sizeof buffer, "%s.", known_token);
	assert_int_equal(verify(buffer), JWT_MALFORMED);
	assert_int_equal(verify(""), JWT_MALFORMED);
	assert_int_equal(verify(".."), JWT_MALFORMED);
	assert_int_equal(verify("abc"), JWT_MALFORMED);
	assert_int_equal(verify(NULL), JWT_MALFORMED);
}

static void test_padding_refused(void **state)
{
	char buffer[1024];

	(void)state;
	/* The signature part is 43 characters, so a padded spelling exists. */
	snprintf(buffer, sizeof buffer, "%s=", known_token);
	assert_int_equal(verify(buffer), JWT_MALFORMED);
	/* Header with '=' inserted before the first dot. */
	snprintf(buffer, sizeof buffer, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9=%s",
		 strchr(known_token, '.'));
	assert_int_equal(verify(buffer), JWT_MALFORMED);
}

static void test_invalid_characters(void **state)
{
	static const char bad[] = {'+', '/', ' ', '*', '\t', '\n', '%', '\x80'};
	const char *payload = strchr(known_token, '.') + 1;

	(void)state;
	for (size_t i = 0; i < sizeof bad; i++) {
		char *token = strdup(known_token);

		assert_non_null(token);
		token[(size_t)(payload - known_token) + 3] = bad[i];
		assert_int_equal(verify(token), JWT_MALFORMED);
		free(token);
	}
}

static void test_non_canonical_trailing_bits(void **state)
{
	/* The signature's 43rd character carries 2 unused bits; 'U' is 20 → 'V' is 21. */
	char *token = strdup(known_token);

	(void)state;
	assert_non_null(token);
	assert_int_equal(token[strlen(token) - 1], 'U');
	token[strlen(token) - 1] = 'V';
	assert_int_equal(verify(token), JWT_MALFORMED);
	free(token);
}

static void test_short_signature(void **state)
{
	char *token = strdup(known_token);

	(void)state;
	assert_non_null(token);
	/* 40 characters still decode cleanly, but to 30 bytes, not 32. */
	token[strlen(token) - 3] = '\0';
	assert_int_equal(verify(token), JWT_BAD_SIGNATURE);
	free(token);
}

static void test_huge_token(void **state)
{
	size_t length = JWT_MAX_TOKEN_LENGTH + 100;
	char *token = malloc(length + 1);
	size_t prefix = strlen(known_token);

	(void)state;
	assert_non_null(token);
	memcpy(token, known_token, prefix);
	memset(token + prefix, 'A', length - prefix);
	token[length] = '\0';
	assert_int_equal(verify(token), JWT_MALFORMED);
	free(token);
}

static void test_sign_refuses_bad_claims(void **state)
{
	static const struct jwt_claims bad[] = {
		{.subject = 0, .issued_at = NOW, .expires_at = NOW + 1},
		{.subject = -3, .issued_at = NOW, .expires_at = NOW + 1},
		{.subject = INT64_C(1000000000000000000), .issued_at = NOW, .expires_at = NOW + 1},
		{.subject = 1, .issued_at = NOW, .expires_at = NOW},
		{.subject = 1, .issued_at = -1, .expires_at = NOW},
		{.subject = 1, .issued_at = NOW, .expires_at = INT64_MAX},
	};
	char *token;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		token = (char *)"unchanged";
		assert_int_equal(jwt_sign_hs256((const unsigned char *)SECRET, SECRET_LENGTH,
						&bad[i], &token), JWT_MALFORMED);
		assert_null(token);
	}
	assert_int_equal(jwt_sign_hs256((const unsigned char *)SECRET, SECRET_LENGTH, NULL,
					&token), JWT_MALFORMED);
	assert_int_equal(jwt_sign_hs256((const unsigned char *)SECRET, SECRET_LENGTH, &bad[0],
					NULL), JWT_MALFORMED);
}

static void test_status_text(void **state)
{
	(void)state;
	for (int s = JWT_OK; s <= JWT_NO_MEMORY; s++)
		assert_non_null(jwt_status_text((enum jwt_status)s));
	assert_string_equal(jwt_status_text(JWT_EXPIRED), "token expired");
	assert_non_null(jwt_status_text((enum jwt_status)99));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_largest_subject_round_trip),
		cmocka_unit_test(test_known_token_verifies),
		cmocka_unit_test(test_remembered_tokens),
		cmocka_unit_test(test_sign_matches_known_token),
		cmocka_unit_test(test_test_builder_matches_known_token),
		cmocka_unit_test(test_flipped_signature_byte),
		cmocka_unit_test(test_flipped_payload_byte),
		cmocka_unit_test(test_flipped_header_byte),
		cmocka_unit_test(test_alg_none_empty_signature),
		cmocka_unit_test(test_alg_none_even_with_valid_mac),
		cmocka_unit_test(test_wrong_algorithms),
		cmocka_unit_test(test_missing_alg),
		cmocka_unit_test(test_header_not_an_object),
		cmocka_unit_test(test_crit_header_refused),
		cmocka_unit_test(test_other_secret),
		cmocka_unit_test(test_empty_secret),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_subject_must_be_canonical_string),
		cmocka_unit_test(test_times_must_be_integers),
		cmocka_unit_test(test_exp_must_follow_iat),
		cmocka_unit_test(test_claims_not_an_object),
		cmocka_unit_test(test_unknown_claims_ignored),
		cmocka_unit_test(test_wrong_part_count),
		cmocka_unit_test(test_padding_refused),
		cmocka_unit_test(test_invalid_characters),
		cmocka_unit_test(test_non_canonical_trailing_bits),
		cmocka_unit_test(test_short_signature),
		cmocka_unit_test(test_huge_token),
		cmocka_unit_test(test_sign_refuses_bad_claims),
		cmocka_unit_test(test_status_text),
	};

	if (sodium_init() < 0) {
		fprintf(stderr, "test_jwt: cannot initialise libsodium\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
