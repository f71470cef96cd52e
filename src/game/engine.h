/* engine.h — the battle rules of docs/api.md ("Battle rules (normative)") as a pure
 * function: fighters and a seed in, the full report out; no I/O, no globals. */
#ifndef PT_ENGINE_H
#define PT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "game/player_spec.h"

#define ENGINE_BALANCE_MAX PLAYER_COIN_MAX

/* A player as it stood right before the battle: attack, full hit points,
 * luck (percent chance to dodge), gold and silver, each within the bounds
 * of game/player_spec.h. */
struct engine_fighter {
	int64_t player_id;	/* > 0, distinct from the opponent's */
	struct player_attributes attributes;
};

struct engine_turn {
	uint32_t n;		/* 1-based */
	int64_t striker_id;
	int64_t target_id;
	int32_t attack;		/* the striker's attack value this turn (rule 2) */
	bool missed;
	int32_t damage;		/* 0 when missed */
	int32_t target_hp;	/* target's hit points after the strike */
};

struct engine_result {
	int64_t winner_id, loser_id;
	int32_t percent_stolen;		/* 10..20 */
	/* What actually moved (after the cap); score = gold + silver stolen. */
	int64_t gold_stolen, silver_stolen, score_awarded;
	int64_t attacker_gold_after, attacker_silver_after, defender_gold_after, defender_silver_after;
	struct engine_turn *turns;	/* malloc'd, turn_count entries */
	size_t turn_count;
};

enum engine_status {
	ENGINE_OK = 0,
	ENGINE_INVALID_INPUT,
	ENGINE_NO_MEMORY,
};

/*
 * Rule 2: base - ceil(base * lost / max_hit_points), never below ceil(base / 2).
 * lost is clamped to 0..max_hit_points; base < 1 or max_hit_points < 1 gives 0.
 */
int32_t engine_attack_value(int32_t base, int32_t lost, int32_t max_hit_points);

/*
 * Runs one battle. Replay depends on this exact order of draws from a prng
 * seeded with prng_seed(seed):
 *   1. p = 10 + prng_uniform(11), once, before the first strike;
 *   2. then one prng_uniform(100) per turn, always (even when the target's
 *      luck is 0): the strike misses when the draw < the target's luck.
 * The attacker strikes turn 1; striker and target swap every turn. Nothing
 * else is drawn.
 *
 * On ENGINE_OK, *out owns turns: release with engine_result_free(). On any
 * other status *out is zeroed (when out is not NULL) and owns nothing.
 * ENGINE_INVALID_INPUT: a NULL pointer, an attribute outside its bounds in
 * game/player_spec.h, or equal player ids.
 */
enum engine_status engine_run(const struct engine_fighter *attacker, const struct engine_fighter *defender,
			      uint64_t seed, struct engine_result *out);

/* Frees the turns; safe on a zeroed result, and leaves the result zeroed. */
void engine_result_free(struct engine_result *result);

#endif
