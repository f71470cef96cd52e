/* encoding.c — the alphabet checks here; the decoding itself is EVP_DecodeBlock. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

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

int base64_decode(const char *text, size_t length, enum base64_alphabet alphabet, unsigned char **out,
		  size_t *out_length, size_t *capacity)
{
	size_t padded = (length + 3) / 4 * 4;
	unsigned char *standard = malloc(padded + 1);
	unsigned char *bytes = malloc(padded / 4 * 3 + 1);
	int result = -1;

	*out = NULL;
	*out_length = 0;
	*capacity = padded / 4 * 3 + 1;
	if (!standard || !bytes)
		goto out;
	/* EVP_DecodeBlock speaks standard, padded base64 only. */
	for (size_t i = 0; i < padded; i++) {
		unsigned char c = i < length ? (unsigned char)text[i] : '=';
		if (alphabet == BASE64_URL && c == '-')
			c = '+';
		else if (alphabet == BASE64_URL && c == '_')
			c = '/';
		standard[i] = c;
	}
	int decoded = EVP_DecodeBlock(bytes, standard, (int)padded);
	if (decoded < 0 || (size_t)decoded < padded - length)
		goto out;
	/* EVP_DecodeBlock counts each '=' as a zero byte. */
	*out_length = (size_t)decoded - (padded - length);
	bytes[*out_length] = '\0';
	*out = bytes;
	bytes = NULL;
	result = 0;
out:
	if (standard) {
		OPENSSL_cleanse(standard, padded + 1);
		free(standard);
	}
	if (bytes) {
		OPENSSL_cleanse(bytes, *capacity);
		free(bytes);
	}
	return result;
}

size_t base64url_encoded_size(size_t length)
{
	/* EVP_EncodeBlock writes the padded form, then the padding is cut. */
	return (length + 2) / 3 * 4 + 1;
}

size_t base64url_encode(const unsigned char *data, size_t length, char *out)
{
	int written = EVP_EncodeBlock((unsigned char *)out, data, (int)length);
	while (written > 0 && out[written - 1] == '=')
		written--;
	for (int i = 0; i < written; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	out[written] = '\0';
	return (size_t)written;
}
