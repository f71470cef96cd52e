/* encoding.c — the alphabet and canonical-form checks here; the base64
 * decoding and encoding themselves are libsodium's. */
#include "config.h"

#include <stdlib.h>
#include <sodium.h>

#include "encoding.h"

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

static int base64_digit_value(unsigned char c, enum base64_alphabet alphabet)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (alphabet == BASE64_URL ? '-' : '+'))
		return 62;
	if (c == (alphabet == BASE64_URL ? '_' : '/'))
		return 63;
	return -1;
}

bool base64_canonical(const char *text, size_t length, enum base64_alphabet alphabet)
{
	int value = 0;
	if (length % 4 == 1)
		return false;
	for (size_t i = 0; i < length; i++) {
		value = base64_digit_value((unsigned char)text[i], alphabet);
		if (value < 0)
			return false;
	}
	/* A final group of 2 or 3 characters carries 4 or 2 bits that must be zero. */
	if (length % 4 == 2)
		return (value & 0x0f) == 0;
	if (length % 4 == 3)
		return (value & 0x03) == 0;
	return true;
}

/* libsodium's variant for each alphabet, both without padding. */
static int sodium_variant(enum base64_alphabet alphabet)
{
	return alphabet == BASE64_URL ? sodium_base64_VARIANT_URLSAFE_NO_PADDING
				      : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
}

int base64_decode(const char *text, size_t length, enum base64_alphabet alphabet, unsigned char **out,
		  size_t *out_length, size_t *capacity)
{
	/* Room for whole quads plus the NUL, as callers size their wiping by it. */
	size_t size = (length + 3) / 4 * 3 + 1;
	unsigned char *bytes = malloc(size);
	size_t decoded = 0;
	int result = -1;

	*out = NULL;
	*out_length = 0;
	*capacity = size;
	if (!bytes)
		goto out;
	/* No characters to ignore and no end pointer: libsodium then fails unless
	 * all of text is in the alphabet with zero bits under the last character. */
	if (sodium_base642bin(bytes, size - 1, text, length, NULL, &decoded, NULL, sodium_variant(alphabet)) != 0)
		goto out;
	bytes[decoded] = '\0';
	*out_length = decoded;
	*out = bytes;
	bytes = NULL;
	result = 0;
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
