/* SPDX-License-Identifier: ISC */
/* fuzz_idempotency_key.c — idempotency_key_valid() against the contract's
 * rule written out the plain way: 1–255 bytes, each 0x21–0x7E. */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "http/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *key = fuzz_strndup(data, size);
	size_t length;
	bool expected;

	if (!key)
		return 0;
	/* A header value ends at the first NUL. */
	length = memchr(data, '\0', size) ? (size_t)((const uint8_t *)memchr(data, '\0', size) - data) : size;
	expected = length >= 1 && length <= 255;
	for (size_t i = 0; i < length; i++)
		if (data[i] < 0x21 || data[i] > 0x7E)
			expected = false;
	FUZZ_ASSERT(idempotency_key_valid(key) == expected);
	FUZZ_ASSERT(!idempotency_key_valid(NULL));
	free(key);
	return 0;
}
