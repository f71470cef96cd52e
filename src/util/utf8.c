/* SPDX-License-Identifier: ISC */
/* utf8.c — the strict UTF-8 decoder behind every length and validity rule
 * on request strings. Written by hand: it is small, and the tests pin every
 * boundary of the RFC 3629 table. */
#include "config.h"

#include <stdint.h>

#include "util/utf8.h"

/* Bounds of the second byte after each lead byte (RFC 3629, section 4):
 * narrowing the second byte is what rules out overlong forms (E0, F0),
 * surrogates (ED) and code points past U+10FFFF (F4). */
struct utf8_lead {
	unsigned char first_low;
	unsigned char first_high;
	unsigned char second_low;
	unsigned char second_high;
	unsigned char length;
};

static const struct utf8_lead utf8_leads[] = {
	{0xC2, 0xDF, 0x80, 0xBF, 2},
	{0xE0, 0xE0, 0xA0, 0xBF, 3},
	{0xE1, 0xEC, 0x80, 0xBF, 3},
	{0xED, 0xED, 0x80, 0x9F, 3},
	{0xEE, 0xEF, 0x80, 0xBF, 3},
	{0xF0, 0xF0, 0x90, 0xBF, 4},
	{0xF1, 0xF3, 0x80, 0xBF, 4},
	{0xF4, 0xF4, 0x80, 0x8F, 4},
};

static bool is_continuation(unsigned char byte)
{
	return (byte & 0xC0) == 0x80;
}

/* Length of the well-formed sequence at text[0..available), 0 if there is none. */
static size_t utf8_sequence_length(const unsigned char *text, size_t available)
{
	unsigned char lead = text[0];

	if (lead < 0x80)
		return 1;
	for (size_t i = 0; i < sizeof(utf8_leads) / sizeof(utf8_leads[0]); i++) {
		const struct utf8_lead *rule = &utf8_leads[i];

		if (lead < rule->first_low || lead > rule->first_high)
			continue;
		if (available < rule->length)
			return 0;
		if (text[1] < rule->second_low || text[1] > rule->second_high)
			return 0;
		for (size_t k = 2; k < rule->length; k++)
			if (!is_continuation(text[k]))
				return 0;
		return rule->length;
	}
	return 0;	/* 80–C1 (stray continuation, overlong 2-byte lead) or F5–FF */
}

bool utf8_decode_count(const char *text, size_t length, size_t *code_points)
{
	const unsigned char *bytes = (const unsigned char *)text;
	size_t count = 0;
	size_t position = 0;

	while (position < length) {
		size_t step = utf8_sequence_length(bytes + position, length - position);

		if (step == 0)
			return false;
		position += step;
		count++;
	}
	if (code_points)
		*code_points = count;
	return true;
}

bool utf8_has_control(const char *text, size_t length)
{
	const unsigned char *bytes = (const unsigned char *)text;

	for (size_t i = 0; i < length; i++) {
		if (bytes[i] < 0x20 || bytes[i] == 0x7F)
			return true;
		/* U+0080–U+009F are encoded as C2 80 – C2 9F and only so. */
		if (bytes[i] == 0xC2 && i + 1 < length && bytes[i + 1] >= 0x80 && bytes[i + 1] <= 0x9F)
			return true;
	}
	return false;
}
