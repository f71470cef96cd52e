/* SPDX-License-Identifier: ISC */
/* encoding.h — strict base64 (RFC 4648 §4 and the base64url alphabet of §5)
 * and hex digits, shared by the Authorization header, JWT, JSON and query
 * parsing. "Strict" means one spelling per byte string: only the alphabet,
 * and zero bits under the last character; the bytes come from libsodium. */
#ifndef PT_ENCODING_H
#define PT_ENCODING_H

#include <stddef.h>

enum base64_alphabet {
	BASE64_STANDARD,	/* + and /, padded with '=' to whole quads (HTTP Basic) */
	BASE64_URL,		/* - and _, unpadded (JWT) */
};

enum base64_status { BASE64_OK = 0, BASE64_MALFORMED, BASE64_NO_MEMORY };

/* The value 0..15 of a hex digit (either case), or -1. */
int hex_digit_value(int c);

/* Decodes text into *out, malloc'd and NUL-terminated (the NUL not counted
 * in *out_length); *capacity is the allocation's size, for wiping secrets.
 * BASE64_MALFORMED when text is not the one canonical spelling in its
 * alphabet (libsodium's check: alphabet, padding, zero trailing bits). */
enum base64_status base64_decode(const char *text, size_t length, enum base64_alphabet alphabet,
				 unsigned char **out, size_t *out_length, size_t *capacity);

/* Bytes the unpadded base64url form of length bytes needs, with its NUL. */
size_t base64url_encoded_size(size_t length);

/* Writes the unpadded base64url form of data, NUL-terminated, at out (room
 * for base64url_encoded_size(length) bytes); returns its length. */
size_t base64url_encode(const unsigned char *data, size_t length, char *out);

#endif
