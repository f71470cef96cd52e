/* SPDX-License-Identifier: ISC */
/* fuzz_utf8.c — utf8_decode_count() and utf8_has_control() against a
 * reference decoder written straight from RFC 3629 (decode the code point,
 * then refuse overlong forms, surrogates and values past U+10FFFF). */
#include "config.h"

#include <stdbool.h>

#include "fuzz.h"
#include "util/utf8.h"

/* Decodes one sequence at data[0..size); 0 when it is not well-formed. */
static size_t reference_decode(const uint8_t *data, size_t size, uint32_t *code_point)
{
	size_t length;
	uint32_t value;

	if (data[0] < 0x80) {
		*code_point = data[0];
		return 1;
	}
	if ((data[0] & 0xE0) == 0xC0) {
		length = 2;
		value = data[0] & 0x1F;
	} else if ((data[0] & 0xF0) == 0xE0) {
		length = 3;
		value = data[0] & 0x0F;
	} else if ((data[0] & 0xF8) == 0xF0) {
		length = 4;
		value = data[0] & 0x07;
	} else {
		return 0;
	}
	if (size < length)
		return 0;
	for (size_t i = 1; i < length; i++) {
		if ((data[i] & 0xC0) != 0x80)
			return 0;
		value = value << 6 | (data[i] & 0x3F);
	}
	if ((length == 2 && value < 0x80) || (length == 3 && value < 0x800) ||
	    (length == 4 && value < 0x10000))
		return 0;	/* overlong */
	if ((value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF)
		return 0;
	*code_point = value;
	return length;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t position = 0, count = 0, counted = 0;
	bool valid = true, control = false;
	bool result;

	while (position < size) {
		uint32_t code_point = 0;
		size_t step = reference_decode(data + position, size - position, &code_point);

		if (step == 0) {
			valid = false;
			break;
		}
		if (code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F))
			control = true;
		position += step;
		count++;
	}
	result = utf8_decode_count((const char *)data, size, &counted);
	FUZZ_ASSERT(result == valid);
	if (valid) {
		FUZZ_ASSERT(counted == count);
		FUZZ_ASSERT(utf8_has_control((const char *)data, size) == control);
	} else {
		(void)utf8_has_control((const char *)data, size);	/* reads only data[0..size) */
	}
	FUZZ_ASSERT(utf8_decode_count(NULL, 0, NULL));
	return 0;
}
