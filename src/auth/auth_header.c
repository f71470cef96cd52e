/* SPDX-License-Identifier: ISC */
/* auth_header.c — Authorization header parsing (RFC 9110 §11, RFC 7617 Basic,
 * RFC 6750 Bearer); owns what counts as well-formed credentials, not who is right. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/auth_header.h"
#include "util/encoding.h"
#include "util/utf8.h"

/* Encoded length of the longest accepted Basic credentials. */
#define AUTH_BASIC_MAX_ENCODED ((AUTH_BASIC_MAX_DECODED + 2) / 3 * 4)

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* ASCII-only folding: strncasecmp would follow the locale. */
static bool scheme_is(const char *text, size_t length, const char *lower_name)
{
	size_t i;

	if (length != strlen(lower_name))
		return false;
	for (i = 0; i < length; i++) {
		char c = text[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lower_name[i])
			return false;
	}
	return true;
}

/* Decoded "user:password" → out. 0 with out->scheme BASIC or MALFORMED, or -1. */
static int parse_basic(const char *text, size_t length, struct auth_credentials *out)
{
	unsigned char *decoded = NULL;
	size_t decoded_capacity = 0;
	size_t decoded_length = 0;
	const char *colon;
	size_t user_length;
	int result = -1;

	out->scheme = AUTH_SCHEME_MALFORMED;
	if (length > AUTH_BASIC_MAX_ENCODED)
		return 0;
	/* Standard padded base64 (RFC 4648 §4) and nothing else; "" decodes
	 * to no colon, so it is malformed below. */
	switch (base64_decode(text, length, BASE64_STANDARD, &decoded, &decoded_length, &decoded_capacity)) {
	case BASE64_OK:
		break;
	case BASE64_MALFORMED:
		result = 0;
		goto out;
	default:
		goto out;
	}

	result = 0;
	/* NUL would cut the C strings short, so what is checked would not be what is used. */
	if (decoded_length > AUTH_BASIC_MAX_DECODED || memchr(decoded, '\0', decoded_length) ||
	    !utf8_decode_count((const char *)decoded, decoded_length, NULL))
		goto out;
	/* RFC 7617: the user-id ends at the first ':'; the password may hold more. */
	colon = memchr(decoded, ':', decoded_length);
	if (!colon)
		goto out;
	user_length = (size_t)(colon - (const char *)decoded);
	if (user_length == 0 || utf8_has_control((const char *)decoded, user_length))
		goto out;

	result = -1;
	out->user = strndup((const char *)decoded, user_length);
	out->password = strndup(colon + 1, decoded_length - user_length - 1);
	if (!out->user || !out->password) {
		auth_credentials_free(out);
		goto out;
	}
	out->scheme = AUTH_SCHEME_BASIC;
	result = 0;
out:
	if (decoded) {
		sodium_memzero(decoded, decoded_capacity);
		free(decoded);
	}
	return result;
}

static bool is_token_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* 0 with out->scheme BEARER or MALFORMED, or -1. */
static int parse_bearer(const char *text, size_t length, struct auth_credentials *out)
{
	size_t i;

	out->scheme = AUTH_SCHEME_MALFORMED;
	if (length == 0 || length > AUTH_BEARER_MAX_LENGTH)
		return 0;
	for (i = 0; i < length; i++)
		if (!is_token_char((unsigned char)text[i]))
			return 0;
	out->token = strndup(text, length);
	if (!out->token)
		return -1;
	out->scheme = AUTH_SCHEME_BEARER;
	return 0;
}

int auth_header_parse(const char *header, struct auth_credentials *out)
{
	const char *start;
	const char *end;
	const char *scheme_end;
	const char *credentials;
	int result;

	if (!out)
		return -1;
	memset(out, 0, sizeof *out);
	if (!header) {
		out->scheme = AUTH_SCHEME_NONE;
		return 0;
	}
	out->scheme = AUTH_SCHEME_MALFORMED;

	/* RFC 9110 §5.5: surrounding whitespace is not part of a field value. */
	start = header;
	end = header + strlen(header);
	while (start < end && is_blank(*start))
		start++;
	while (end > start && is_blank(end[-1]))
		end--;

	scheme_end = start;
	while (scheme_end < end && !is_blank(*scheme_end))
		scheme_end++;
	credentials = scheme_end;
	while (credentials < end && is_blank(*credentials))
		credentials++;
	if (scheme_end == start || credentials == scheme_end || credentials == end)
		return 0;

	if (scheme_is(start, (size_t)(scheme_end - start), "basic"))
		result = parse_basic(credentials, (size_t)(end - credentials), out);
	else if (scheme_is(start, (size_t)(scheme_end - start), "bearer"))
		result = parse_bearer(credentials, (size_t)(end - credentials), out);
	else
		return 0;
	if (result != 0)
		memset(out, 0, sizeof *out);
	return result;
}

void auth_credentials_free(struct auth_credentials *credentials)
{
	if (!credentials)
		return;
	if (credentials->password) {
		sodium_memzero(credentials->password, strlen(credentials->password));
		free(credentials->password);
	}
	/* A bearer token is a credential too, good until it expires. */
	if (credentials->token) {
		sodium_memzero(credentials->token, strlen(credentials->token));
		free(credentials->token);
	}
	free(credentials->user);
	memset(credentials, 0, sizeof *credentials);
}
