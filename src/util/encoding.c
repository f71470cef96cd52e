/* SPDX-License-Identifier: ISC */
/* encoding.c — hex digits, and base64 through libsodium, which also refuses
 * every non-canonical spelling. */
#include "config.h"

#include <stdlib.h>
#include <sodium.h>

#include "util/encoding.h"

int hex_digit_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* libsodium's variant for each alphabet. */
static int sodium_variant(enum base64_alphabet alphabet)
{
	return alphabet == BASE64_URL ? sodium_base64_VARIANT_URLSAFE_NO_PADDING : sodium_base64_VARIANT_ORIGINAL;
}

enum base64_status base64_decode(const char *text, size_t length, enum base64_alphabet alphabet,
				 unsigned char **out, size_t *out_length, size_t *capacity)
{
	/* Room for whole quads plus the NUL, as callers size their wiping by it. */
	size_t size = (length + 3) / 4 * 3 + 1;
	unsigned char *bytes = malloc(size);
	size_t decoded = 0;
	enum base64_status result = BASE64_NO_MEMORY;

	*out = NULL;
	*out_length = 0;
	*capacity = size;
	if (!bytes)
		goto out;
	/* No characters to ignore and no end pointer: libsodium then fails unless
	 * all of text is in the alphabet, with zero bits under the last character
	 * and, for the padded variant, exactly the padding the length needs. */
	result = BASE64_MALFORMED;
	/* libsodium 1.0.18 (Debian 12) takes every byte from 0x80 up as a digit
	 * (its char-to-value mask sign-extends; measured: all 128 of them pass
	 * in both variants), so those are refused here. */
	for (size_t i = 0; i < length; i++)
		if ((unsigned char)text[i] >= 0x80)
			goto out;
	if (sodium_base642bin(bytes, size - 1, text, length, NULL, &decoded, NULL, sodium_variant(alphabet)) != 0)
		goto out;
	bytes[decoded] = '\0';
	*out_length = decoded;
	*out = bytes;
	bytes = NULL;
	result = BASE64_OK;
out:
	if (bytes) {
		sodium_memzero(bytes, size);
		free(bytes);
	}
	return result;
}

size_t base64url_encoded_size(size_t length)
{
	return sodium_base64_ENCODED_LEN(length, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

size_t base64url_encode(const unsigned char *data, size_t length, char *out)
{
	size_t size = base64url_encoded_size(length);

	/* Never NULL: libsodium aborts (sodium_misuse) rather than write past
	 * size, and callers give out that much room. It NUL-terminates. */
	if (!sodium_bin2base64(out, size, data, length, sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
		out[0] = '\0';
		return 0;
	}
	return size - 1;
}
