/* fuzz_jwt.c — jwt_verify_hs256() over arbitrary tokens, and the
 * jwt_sign_hs256() → jwt_verify_hs256() round trip.
 * An input starting with '!' is "!HEADER\nPAYLOAD", both raw JSON text: the
 * target base64url-encodes them and signs the result with the fuzz secret
 * itself, so header and claims parsing are reached with JSON the fuzzer
 * shapes directly (random bytes almost never carry a right signature). Any
 * other input is verified as sent. Checked: a token verifies only with its own secret (never with
 * another, never with an empty one); claims handed out are in range and
 * unexpired; the result of verification never depends on the claims before
 * the signature passed (a token that fails the signature check is never
 * EXPIRED); signing any valid claims gives a token that verifies to them. */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "util/encoding.h"
#include "auth/jwt.h"

#define NOW INT64_C(1800000000)
#define MAX_TIME INT64_C(253402300799)

static const unsigned char secret[] = "fuzz-secret-0123456789abcdef-0123456789";
static const unsigned char other_secret[] = "another-secret-0123456789abcdef-0123456";

/* base64url_encode(header) "." base64url_encode(payload) "." HS256 signature under
 * secret, from "HEADER\nPAYLOAD" (no newline: all header, empty payload);
 * malloc'd, NULL on failure. */
static char *sign_json(const uint8_t *text, size_t length)
{
	const uint8_t *newline = memchr(text, '\n', length);
	size_t header_length = newline ? (size_t)(newline - text) : length;
	const uint8_t *payload = newline ? newline + 1 : text + length;
	size_t payload_length = (size_t)(text + length - payload);
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state hmac;
	char *token = malloc((length + 2) / 3 * 4 + 8 + 2 + 64);
	size_t used;

	if (!token)
		return NULL;
	used = base64url_encode(text, header_length, token);
	token[used++] = '.';
	used += base64url_encode(payload, payload_length, token + used);
	if (crypto_auth_hmacsha256_init(&hmac, secret, sizeof(secret) - 1) != 0 ||
	    crypto_auth_hmacsha256_update(&hmac, (const unsigned char *)token, used) != 0 ||
	    crypto_auth_hmacsha256_final(&hmac, mac) != 0) {
		free(token);
		return NULL;
	}
	token[used++] = '.';
	base64url_encode(mac, sizeof mac, token + used);
	return token;
}

static void check_verify(const char *token)
{
	struct jwt_claims claims = {0};
	enum jwt_status status = jwt_verify_hs256(secret, sizeof(secret) - 1, token, NOW, &claims);

	FUZZ_ASSERT(status >= JWT_OK && status <= JWT_NO_MEMORY);
	FUZZ_ASSERT(jwt_status_text(status) != NULL);
	if (status == JWT_OK) {
		FUZZ_ASSERT(claims.subject >= 1 && claims.subject <= INT64_C(999999999999999999));
		FUZZ_ASSERT(claims.issued_at >= 0 && claims.issued_at < claims.expires_at);
		FUZZ_ASSERT(claims.expires_at > NOW && claims.expires_at <= MAX_TIME);
	} else {
		FUZZ_ASSERT(claims.subject == 0 && claims.issued_at == 0 && claims.expires_at == 0);
	}
	/* Another secret, or none, never lets the same token through. */
	status = jwt_verify_hs256(other_secret, sizeof(other_secret) - 1, token, NOW, NULL);
	FUZZ_ASSERT(status != JWT_OK && status != JWT_EXPIRED);
	status = jwt_verify_hs256(secret, 0, token, NOW, NULL);
	FUZZ_ASSERT(status != JWT_OK && status != JWT_EXPIRED);
	status = jwt_verify_hs256(NULL, 0, token, NOW, NULL);
	FUZZ_ASSERT(status != JWT_OK && status != JWT_EXPIRED);
}

static int64_t read_int64(const uint8_t *data)
{
	uint64_t value = 0;

	for (int i = 0; i < 8; i++)
		value = value << 8 | data[i];
	return (int64_t)value;
}

static void check_round_trip(const uint8_t *data, size_t size)
{
	struct jwt_claims claims = {0}, verified;
	char *token = NULL;
	enum jwt_status status;

	if (size < 24)
		return;
	claims.subject = read_int64(data);
	claims.issued_at = read_int64(data + 8);
	claims.expires_at = read_int64(data + 16);
	/* A session version, when the input has one (the id stays empty). */
	if (size >= 32)
		claims.version = read_int64(data + 24);
	status = jwt_sign_hs256(secret, sizeof(secret) - 1, &claims, &token);
	if (claims.subject < 1 || claims.subject > INT64_C(999999999999999999) || claims.issued_at < 0 ||
	    claims.issued_at >= claims.expires_at || claims.expires_at > MAX_TIME || claims.version < 0 ||
	    claims.version == INT64_MAX) {
		FUZZ_ASSERT(status == JWT_MALFORMED && token == NULL);
		return;
	}
	if (status == JWT_NO_MEMORY)
		return;
	FUZZ_ASSERT(status == JWT_OK && token != NULL);
	status = jwt_verify_hs256(secret, sizeof(secret) - 1, token, claims.issued_at, &verified);
	FUZZ_ASSERT(status == JWT_OK);
	FUZZ_ASSERT(verified.subject == claims.subject && verified.issued_at == claims.issued_at &&
		    verified.expires_at == claims.expires_at && verified.version == claims.version &&
		    verified.id[0] == '\0');
	FUZZ_ASSERT(jwt_verify_hs256(secret, sizeof(secret) - 1, token, claims.expires_at, NULL) == JWT_EXPIRED);
	free(token);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init_sodium("fuzz_jwt");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *token;

	if (size > 0 && data[0] == '!') {
		token = sign_json(data + 1, size - 1);
	} else {
		token = fuzz_strndup(data, size);
	}
	if (token) {
		check_verify(token);
		free(token);
	}
	check_round_trip(data, size);
	return 0;
}
