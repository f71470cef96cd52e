/* SPDX-License-Identifier: ISC */
/* prng.c — splitmix64 seed expansion and the xoshiro256** generator
 * (Blackman & Vigna, public domain reference algorithms). */
#include "config.h"

#include "game/prng.h"

static uint64_t rotate_left(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64_next(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void prng_seed(struct prng *prng, uint64_t seed)
{
	/* splitmix64 is a bijection over distinct counters, so at most one word
	 * can be zero: xoshiro's forbidden all-zero state is never reached. */
	for (int i = 0; i < 4; i++)
		prng->state[i] = splitmix64_next(&seed);
}

uint64_t prng_next(struct prng *prng)
{
	uint64_t *s = prng->state;
	uint64_t result = rotate_left(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotate_left(s[3], 45);
	return result;
}

/* The high bits: xoshiro256**'s strongest, and what the replay rule fixes. */
static uint32_t next_u32(struct prng *prng)
{
	return (uint32_t)(prng_next(prng) >> 32);
}

uint32_t prng_uniform(struct prng *prng, uint32_t bound)
{
	uint64_t product;
	uint32_t low;

	if (bound == 0)
		return 0;
	product = (uint64_t)next_u32(prng) * bound;
	low = (uint32_t)product;
	if (low < bound) {
		/* Only products in the first, short stripe can be biased. */
		uint32_t threshold = (uint32_t)(0u - bound) % bound;

		while (low < threshold) {
			product = (uint64_t)next_u32(prng) * bound;
			low = (uint32_t)product;
		}
	}
	return (uint32_t)(product >> 32);
}
