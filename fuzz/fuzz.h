/* SPDX-License-Identifier: ISC */
/* fuzz.h — what every fuzz target in fuzz/ shares.
 * Each fuzz_*.c defines LLVMFuzzerTestOneInput. It is linked two ways:
 *  - with clang's libFuzzer (-fsanitize=fuzzer,address,undefined) by
 *    `make fuzz` / `make fuzz-ci`, the module sources compiled in directly;
 *  - with replay_main.c and libplatformtest.a by the normal compiler, as a
 *    `make check` test that replays the seed corpus and every input kept in
 *    fuzz/regressions/ (under ASan/UBSan in the sanitizer build, under
 *    valgrind in `make check-valgrind`).
 * A target states the module's documented contract as assertions
 * (FUZZ_ASSERT), so a wrong answer is a finding too, not only a crash. */
#ifndef PT_FUZZ_H
#define PT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <sodium.h>

#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: libFuzzer (and replay_main.c) call it once before any input when
 * a target defines it; the targets that reach libsodium do, to initialise it. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* abort() rather than assert(): NDEBUG must not turn the checks off. */
#define FUZZ_ASSERT(condition)                                                       \
	do {                                                                         \
		if (!(condition)) {                                                  \
			fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, \
				__LINE__, #condition);                               \
			abort();                                                     \
		}                                                                    \
	} while (0)

/* For a target's LLVMFuzzerInitialize: libFuzzer ignores its result, so a
 * libsodium that cannot start stops the run here. */
static inline void fuzz_init_sodium(const char *target)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "%s: cannot initialise libsodium\n", target);
		exit(1);
	}
}

/* A NUL-terminated copy of data[0..size) (which may itself hold NULs), or
 * NULL when memory ran out; free() it. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);

	if (!copy)
		return NULL;
	if (size)
		memcpy(copy, data, size);
	copy[size] = '\0';
	return copy;
}

/* A 422's "fields": a non-empty object that serialises to valid UTF-8
 * whatever keys and values the input held. */
static inline void fuzz_assert_field_errors(json_object *fields)
{
	size_t length = 0;
	const char *text;

	FUZZ_ASSERT(fields != NULL);
	FUZZ_ASSERT(json_object_is_type(fields, json_type_object));
	FUZZ_ASSERT(json_object_object_length(fields) > 0);
	text = json_object_to_json_string_length(fields, JSON_C_TO_STRING_PLAIN, &length);
	FUZZ_ASSERT(text != NULL);
	FUZZ_ASSERT(utf8_decode_count(text, length, NULL));
}

#endif
