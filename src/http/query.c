/* SPDX-License-Identifier: ISC */
/* query.c — the query-string parser behind query.h's tables.
 * Invariant: each known parameter gets at most one message; being repeated
 * outranks what is wrong with any of its values. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/encoding.h"
#include "http/query.h"
#include "http/response.h"
#include "util/digits.h"
#include "util/utf8.h"

#define MESSAGE_SIZE 96

static const char message_unknown[] = "unknown parameter";
static const char message_repeated[] = "must be given once";
static const char message_empty[] = "must not be empty";
static const char message_bad_escape[] = "has an invalid percent-encoding";
static const char message_not_integer[] = "must be an integer";

/* Decodes text[0..length) into out (room for length bytes); the result may
 * hold NUL bytes, so its length is returned in *decoded_length. */
static bool percent_decode(const char *text, size_t length, char *out, size_t *decoded_length)
{
	size_t written = 0;

	for (size_t i = 0; i < length; i++) {
		if (text[i] == '+') {
			out[written++] = ' ';
		} else if (text[i] != '%') {
			out[written++] = text[i];
		} else {
			int high, low;

			if (length - i < 3 || (high = hex_digit_value(text[i + 1])) < 0 ||
			    (low = hex_digit_value(text[i + 2])) < 0)
				return false;
			out[written++] = (char)(high * 16 + low);
			i += 2;
		}
	}
	*decoded_length = written;
	return true;
}

static const struct query_param_spec *spec_find(const struct query_param_spec *specs, size_t count,
						const char *name, size_t length)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(specs[i].name) == length && memcmp(specs[i].name, name, length) == 0)
			return &specs[i];
	return NULL;
}

/* Returns NULL and sets *value when the decoded text is a number in range,
 * else the message (static, or written into buffer). */
static const char *parse_value(const struct query_param_spec *spec, const char *text, size_t length,
			       int64_t *value, char *buffer, size_t size)
{
	bool negative = length > 0 && text[0] == '-';
	int64_t number = 0;

	if (length == 0)
		return message_empty;
	enum digits_status digits = digits_parse(text + negative, length - negative, &number);
	if (digits == DIGITS_NOT_DIGITS)
		return message_not_integer;
	/* Specs have min >= 0, so any '-' is out of range, "-0" included. */
	if (negative || digits == DIGITS_OVERFLOW || number < spec->min || number > spec->max) {
		snprintf(buffer, size, "must be between %" PRId64 " and %" PRId64, spec->min, spec->max);
		return buffer;
	}
	*value = number;
	return NULL;
}

static bool printable_utf8(const char *text, size_t length)
{
	return utf8_decode_count(text, length, NULL) && !utf8_has_control(text, length);
}

/* The error key for an unknown parameter: its decoded name when that is
 * printable UTF-8 (the common case), else the raw name with every byte
 * outside 0x21–0x7E percent-encoded, so the 422 body stays valid JSON. */
static enum validate_status report_unknown(const char *raw, size_t raw_length, const char *decoded,
					   size_t decoded_length, bool decoded_ok, json_object **fields)
{
	static const char hex[] = "0123456789ABCDEF";
	char *key = NULL;
	size_t key_length = 0;
	enum validate_status status = VALIDATE_NO_MEMORY;

	key = malloc(3 * raw_length + 1);
	if (!key)
		goto out;
	if (decoded_ok && printable_utf8(decoded, decoded_length)) {
		memcpy(key, decoded, decoded_length);
		key_length = decoded_length;
	} else {
		for (size_t i = 0; i < raw_length; i++) {
			unsigned char c = (unsigned char)raw[i];

			if (c >= 0x21 && c <= 0x7E) {
				key[key_length++] = (char)c;
			} else {
				key[key_length++] = '%';
				key[key_length++] = hex[c >> 4];
				key[key_length++] = hex[c & 0x0F];
			}
		}
	}
	key[key_length] = '\0';
	if (field_error_add(fields, key, message_unknown) != 0)
		goto out;
	status = VALIDATE_INVALID;
out:
	free(key);
	return status;
}

enum validate_status query_parse(const char *query_string, const struct query_param_spec *specs,
				 size_t spec_count, struct query_values *out, json_object **fields)
{
	const char *messages[QUERY_MAX_PARAMS] = {0};
	char buffers[QUERY_MAX_PARAMS][MESSAGE_SIZE];
	unsigned counts[QUERY_MAX_PARAMS] = {0};
	char *decoded = NULL;
	const char *cursor = query_string ? query_string : "";
	enum validate_status status = VALIDATE_NO_MEMORY;
	bool invalid = false;

	memset(out, 0, sizeof(*out));
	if (spec_count > QUERY_MAX_PARAMS)
		goto out;
	/* One buffer for every decoded piece: decoding never lengthens text. */
	decoded = malloc(strlen(cursor) + 1);
	if (!decoded)
		goto out;

	while (*cursor != '\0') {
		const char *pair = cursor;
		size_t pair_length = strcspn(pair, "&");
		const char *equals = memchr(pair, '=', pair_length);
		size_t name_length = equals ? (size_t)(equals - pair) : pair_length;
		const char *raw_value = equals ? equals + 1 : pair + pair_length;
		size_t raw_value_length = (size_t)(pair + pair_length - raw_value);
		const struct query_param_spec *spec = NULL;
		size_t decoded_length = 0;
		size_t index;
		bool name_ok;

		cursor = pair + pair_length + (pair[pair_length] == '&');
		if (pair_length == 0)
			continue;

		name_ok = percent_decode(pair, name_length, decoded, &decoded_length);
		if (name_ok)
			spec = spec_find(specs, spec_count, decoded, decoded_length);
		if (!spec) {
			status = report_unknown(pair, name_length, decoded, decoded_length, name_ok, fields);
			if (status == VALIDATE_NO_MEMORY)
				goto out;
			invalid = true;
			continue;
		}
		index = (size_t)(spec - specs);
		if (++counts[index] > 1)
			continue;
		if (!percent_decode(raw_value, raw_value_length, decoded, &decoded_length))
			messages[index] = message_bad_escape;
		else
			messages[index] = parse_value(spec, decoded, decoded_length, &out->values[index],
						      buffers[index], sizeof(buffers[index]));
	}

	for (size_t i = 0; i < spec_count; i++) {
		if (counts[i] > 1)
			messages[i] = message_repeated;
		if (messages[i]) {
			if (field_error_add(fields, specs[i].name, messages[i]) != 0) {
				status = VALIDATE_NO_MEMORY;
				goto out;
			}
			invalid = true;
		} else if (counts[i] == 0) {
			out->values[i] = specs[i].default_value;
		} else {
			out->present[i] = true;
		}
	}
	status = invalid ? VALIDATE_INVALID : VALIDATE_OK;
out:
	free(decoded);
	return status;
}
