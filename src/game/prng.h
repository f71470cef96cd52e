/* SPDX-License-Identifier: ISC */
/* prng.h — the only source of randomness in battles: xoshiro256** seeded
 * through splitmix64, so one 64-bit seed in a report replays a battle exactly. */
#ifndef PT_PRNG_H
#define PT_PRNG_H

#include <stdint.h>

struct prng {
	uint64_t state[4];
};

/* Fills state with the first four splitmix64 outputs of seed; never all zero. */
void prng_seed(struct prng *prng, uint64_t seed);

/* The next xoshiro256** output. */
uint64_t prng_next(struct prng *prng);

/*
 * An unbiased integer in [0, bound), by Lemire's multiply-and-reject on the
 * high 32 bits of prng_next(): each attempt consumes exactly one prng_next(),
 * and attempts repeat only while the low half of the product is below
 * (2^32 - bound) % bound. Replays in other languages must do the same.
 * bound must be > 0; bound 0 returns 0 without consuming anything.
 */
uint32_t prng_uniform(struct prng *prng, uint32_t bound);

#endif
