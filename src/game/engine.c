/* SPDX-License-Identifier: ISC */
/* engine.c — runs a battle turn by turn and settles the money, exactly as the
 * normative battle rules say; the only randomness is a prng seeded by the caller. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "game/engine.h"
#include "game/prng.h"

#define ENGINE_PERCENT_MIN 10
#define ENGINE_PERCENT_SPAN 11		/* 10..20 inclusive */
#define ENGINE_TURNS_INITIAL 64

static bool fighter_is_valid(const struct engine_fighter *fighter)
{
	return fighter->player_id > 0 && player_attributes_valid(&fighter->attributes);
}

/* Ceiling of a / b for a >= 0, b > 0. */
static int64_t ceil_div(int64_t a, int64_t b)
{
	return a / b + (a % b != 0);
}

int32_t engine_attack_value(int32_t base, int32_t lost, int32_t max_hit_points)
{
	int64_t value, floor_value;

	if (base < 1 || max_hit_points < 1)
		return 0;
	if (lost < 0)
		lost = 0;
	if (lost > max_hit_points)
		lost = max_hit_points;
	/* int64: base * lost overflows int32 long before the stat limits do. */
	value = base - ceil_div((int64_t)base * lost, max_hit_points);
	floor_value = ceil_div(base, 2);
	return (int32_t)(value > floor_value ? value : floor_value);
}

/* Room for one more turn; geometric growth keeps 20,000-turn battles cheap. */
static enum engine_status turns_reserve(struct engine_result *result, size_t *capacity)
{
	size_t new_capacity;
	struct engine_turn *grown;

	/* Turn numbers are uint32_t; no real battle comes near this or SIZE_MAX. */
	if (result->turn_count >= UINT32_MAX)
		return ENGINE_NO_MEMORY;
	if (result->turn_count < *capacity)
		return ENGINE_OK;
	new_capacity = *capacity ? *capacity * 2 : ENGINE_TURNS_INITIAL;
	if (new_capacity <= *capacity || new_capacity > SIZE_MAX / sizeof(*grown))
		return ENGINE_NO_MEMORY;
	grown = realloc(result->turns, new_capacity * sizeof(*grown));
	if (!grown)
		return ENGINE_NO_MEMORY;
	result->turns = grown;
	*capacity = new_capacity;
	return ENGINE_OK;
}

/* One strike; returns the target's hit points afterwards. */
static int32_t strike(const struct engine_fighter *striker, int32_t striker_hp,
		      const struct engine_fighter *target, int32_t target_hp,
		      struct prng *prng, struct engine_turn *turn)
{
	/* Zeroed first so no stale bytes from realloc sit in the padding. */
	memset(turn, 0, sizeof(*turn));
	turn->striker_id = striker->player_id;
	turn->target_id = target->player_id;
	turn->attack = engine_attack_value((int32_t)striker->attributes.attack,
					   (int32_t)striker->attributes.hit_points - striker_hp,
					   (int32_t)striker->attributes.hit_points);
	/* Drawn every turn, luck 0 included, so the draw sequence never depends on stats. */
	turn->missed = prng_uniform(prng, 100) < (uint32_t)target->attributes.luck;
	if (!turn->missed)
		turn->damage = turn->attack < target_hp ? turn->attack : target_hp;
	turn->target_hp = target_hp - turn->damage;
	return turn->target_hp;
}

/* Rules 1, 3 and 4: alternate strikes, attacker first, until someone is at 0. */
static enum engine_status fight(const struct engine_fighter *attacker, const struct engine_fighter *defender,
				struct prng *prng, struct engine_result *result)
{
	const struct engine_fighter *fighters[2] = { attacker, defender };
	/* Within 1..1000 (fighter_is_valid), so the narrowing is exact. */
	int32_t hp[2] = { (int32_t)attacker->attributes.hit_points, (int32_t)defender->attributes.hit_points };
	size_t capacity = 0;
	int striker = 0;
	enum engine_status status;

	for (;;) {
		int target = 1 - striker;
		struct engine_turn *turn;

		status = turns_reserve(result, &capacity);
		if (status != ENGINE_OK)
			return status;
		turn = &result->turns[result->turn_count];
		hp[target] = strike(fighters[striker], hp[striker], fighters[target], hp[target], prng, turn);
		turn->n = (uint32_t)++result->turn_count;
		if (hp[target] == 0) {
			result->winner_id = fighters[striker]->player_id;
			result->loser_id = fighters[target]->player_id;
			return ENGINE_OK;
		}
		striker = target;
	}
}

/*
 * Rule 5 for one currency: p% of the loser's balance, but no more than fits
 * under the winner's cap, so the loser loses exactly what the winner gains.
 * 1e9 * 20 needs int64, which the balances already are.
 */
static int64_t amount_moved(int64_t loser_balance, int64_t winner_balance, int32_t percent)
{
	int64_t due = loser_balance * percent / 100;
	int64_t room = ENGINE_BALANCE_MAX - winner_balance;

	return due < room ? due : room;
}

static void settle(const struct engine_fighter *attacker, const struct engine_fighter *defender,
		   struct engine_result *result)
{
	bool attacker_won = result->winner_id == attacker->player_id;
	const struct engine_fighter *winner = attacker_won ? attacker : defender;
	const struct engine_fighter *loser = attacker_won ? defender : attacker;
	int64_t sign = attacker_won ? 1 : -1;	/* direction of flow, seen from the attacker */

	result->gold_stolen = amount_moved(loser->attributes.gold, winner->attributes.gold, result->percent_stolen);
	result->silver_stolen = amount_moved(loser->attributes.silver, winner->attributes.silver, result->percent_stolen);
	result->score_awarded = result->gold_stolen + result->silver_stolen;
	result->attacker_gold_after = attacker->attributes.gold + sign * result->gold_stolen;
	result->attacker_silver_after = attacker->attributes.silver + sign * result->silver_stolen;
	result->defender_gold_after = defender->attributes.gold - sign * result->gold_stolen;
	result->defender_silver_after = defender->attributes.silver - sign * result->silver_stolen;
}

enum engine_status engine_run(const struct engine_fighter *attacker, const struct engine_fighter *defender,
			      uint64_t seed, struct engine_result *out)
{
	struct prng prng;
	enum engine_status status = ENGINE_INVALID_INPUT;

	if (!out)
		return ENGINE_INVALID_INPUT;
	memset(out, 0, sizeof(*out));
	if (!attacker || !defender || !fighter_is_valid(attacker) || !fighter_is_valid(defender) ||
	    attacker->player_id == defender->player_id)
		goto out;

	prng_seed(&prng, seed);
	/* Drawn before the first strike: the replay order documented in engine.h. */
	out->percent_stolen = ENGINE_PERCENT_MIN + (int32_t)prng_uniform(&prng, ENGINE_PERCENT_SPAN);
	status = fight(attacker, defender, &prng, out);
	if (status != ENGINE_OK)
		goto out;
	settle(attacker, defender, out);
out:
	if (status != ENGINE_OK)
		engine_result_free(out);
	return status;
}

void engine_result_free(struct engine_result *result)
{
	if (!result)
		return;
	free(result->turns);
	memset(result, 0, sizeof(*result));
}
