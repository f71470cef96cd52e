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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort() rather than assert(): NDEBUG must not turn the checks off. */
#define FUZZ_ASSERT(condition)                                                       \
	do {                                                                         \
		if (!(condition)) {                                                  \
			fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, \
				__LINE__, #condition);                               \
			abort();                                                     \
		}                                                                    \
	} while (0)

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

#endif
