/* SPDX-License-Identifier: ISC */
/* fuzz_auth_header.c — auth_header_parse() over arbitrary Authorization
 * values. Checked: Basic credentials hold a non-empty user without ':' or
 * control characters and a password without NUL, both valid UTF-8, and
 * base64("user:password") is exactly the credentials text sent (one accepted
 * spelling per credential); a Bearer token is exactly the text sent, 1–4096
 * base64url/'.' characters; after MALFORMED or NONE nothing is allocated;
 * nothing leaks. */
#include "config.h"

#include <string.h>

#include "auth/auth_header.h"
#include "fuzz.h"
#include "util/utf8.h"

/* The credentials part of a header value: past the scheme and blanks, with
 * the blanks around the whole value trimmed. */
static const char *credentials_part(const char *header, size_t *length)
{
	const char *start = header + strspn(header, " \t");
	const char *end = start + strlen(start);
	const char *credentials;

	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	credentials = start + strcspn(start, " \t");
	credentials += strspn(credentials, " \t");
	*length = credentials < end ? (size_t)(end - credentials) : 0;
	return credentials;
}

static void check_basic(const struct auth_credentials *credentials, const char *sent, size_t sent_length)
{
	size_t user_length = strlen(credentials->user);
	size_t password_length = strlen(credentials->password);
	size_t joined_length = user_length + 1 + password_length;
	char *joined = malloc(joined_length + 1);
	size_t encoded_size = sodium_base64_ENCODED_LEN(joined_length, sodium_base64_VARIANT_ORIGINAL);
	char *encoded = malloc(encoded_size);

	FUZZ_ASSERT(user_length > 0);
	FUZZ_ASSERT(strchr(credentials->user, ':') == NULL);
	FUZZ_ASSERT(utf8_decode_count(credentials->user, user_length, NULL));
	FUZZ_ASSERT(!utf8_has_control(credentials->user, user_length));
	FUZZ_ASSERT(utf8_decode_count(credentials->password, password_length, NULL));
	FUZZ_ASSERT(joined_length <= AUTH_BASIC_MAX_DECODED);
	FUZZ_ASSERT(credentials->token == NULL);
	if (joined && encoded) {
		memcpy(joined, credentials->user, user_length);
		joined[user_length] = ':';
		memcpy(joined + user_length + 1, credentials->password, password_length);
		FUZZ_ASSERT(sodium_bin2base64(encoded, encoded_size, (const unsigned char *)joined, joined_length,
					      sodium_base64_VARIANT_ORIGINAL) != NULL);
		FUZZ_ASSERT(encoded_size - 1 == sent_length);
		FUZZ_ASSERT(memcmp(encoded, sent, sent_length) == 0);
	}
	free(joined);
	free(encoded);
}

static void check_bearer(const struct auth_credentials *credentials, const char *sent, size_t sent_length)
{
	size_t length = strlen(credentials->token);

	FUZZ_ASSERT(length >= 1 && length <= AUTH_BEARER_MAX_LENGTH);
	FUZZ_ASSERT(length == sent_length && memcmp(credentials->token, sent, length) == 0);
	FUZZ_ASSERT(strspn(credentials->token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					       "0123456789-_.") == length);
	FUZZ_ASSERT(credentials->user == NULL && credentials->password == NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init_sodium("fuzz_auth_header");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *header = fuzz_strndup(data, size);
	struct auth_credentials credentials;
	const char *sent;
	size_t sent_length;

	if (!header)
		return 0;
	if (auth_header_parse(header, &credentials) == 0) {
		sent = credentials_part(header, &sent_length);
		switch (credentials.scheme) {
		case AUTH_SCHEME_BASIC:
			check_basic(&credentials, sent, sent_length);
			break;
		case AUTH_SCHEME_BEARER:
			check_bearer(&credentials, sent, sent_length);
			break;
		case AUTH_SCHEME_MALFORMED:
		case AUTH_SCHEME_NONE:
			FUZZ_ASSERT(credentials.user == NULL && credentials.password == NULL &&
				    credentials.token == NULL);
			break;
		default:
			FUZZ_ASSERT(!"unknown scheme");
		}
	}
	auth_credentials_free(&credentials);
	auth_credentials_free(&credentials);	/* safe on a freed (zeroed) struct */
	free(header);
	return 0;
}
