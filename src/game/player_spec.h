/* SPDX-License-Identifier: ISC */
/* player_spec.h — every integer attribute of a player, declared once.
 *
 * Each row of PLAYER_ATTRIBUTES is X(field, min, max, default, role):
 *   field    the C member of struct player_attributes, the JSON key of the
 *            player object and of POST /players, and the column of players;
 *   min/max  the contract's bounds (validation; the engine refuses others);
 *   default  what POST /players stores when the field is absent;
 *   role     FIGHTS: the engine fights with it, and every battle records it
 *            for both sides (participants.*, battles.attacker_FIELD and
 *            battles.defender_FIELD);
 *            BALANCE: coins the engine moves, recorded before and after for
 *            both sides (FIELD_before, FIELD_after).
 * Validation, the store's statements, binding and reading, the JSON views
 * and the engine's fighter are all generated from these rows, so adding an
 * integer attribute is a migration (its column and CHECK), one row here, and
 * tests (docs/architecture.md). The string fields (name, description,
 * password) have rules of their own in http/validate.c. */
#ifndef PT_PLAYER_SPEC_H
#define PT_PLAYER_SPEC_H

#include <stdint.h>

#define PLAYER_COIN_MAX INT64_C(1000000000)
#define PLAYER_NAME_MAX_BYTES 80	/* 20 code points of at most 4 bytes */

#define PLAYER_ATTRIBUTES(X) \
	X(gold, 0, PLAYER_COIN_MAX, 0, BALANCE) \
	X(silver, 0, PLAYER_COIN_MAX, 0, BALANCE) \
	X(attack, 1, 1000, 70, FIGHTS) \
	X(hit_points, 1, 1000, 100, FIGHTS) \
	X(luck, 0, 90, 10, FIGHTS)

/* PLAYER_IF_FIGHTS(role, ...) keeps its text for FIGHTS rows only, and
 * PLAYER_IF_BALANCE(role, ...) for BALANCE rows only. */
#define PLAYER_IF_FIGHTS(role, ...) PLAYER_IF_FIGHTS_##role(__VA_ARGS__)
#define PLAYER_IF_FIGHTS_FIGHTS(...) __VA_ARGS__
#define PLAYER_IF_FIGHTS_BALANCE(...)
#define PLAYER_IF_BALANCE(role, ...) PLAYER_IF_BALANCE_##role(__VA_ARGS__)
#define PLAYER_IF_BALANCE_FIGHTS(...)
#define PLAYER_IF_BALANCE_BALANCE(...) __VA_ARGS__

#define PLAYER_ATTRIBUTE_MEMBER(field, min, max, default_value, role) int64_t field;
struct player_attributes {
	PLAYER_ATTRIBUTES(PLAYER_ATTRIBUTE_MEMBER)
};

/* Designated initialisers with every default: {PLAYER_ATTRIBUTE_DEFAULTS}. */
#define PLAYER_ATTRIBUTE_DEFAULT(field, min, max, default_value, role) .field = (default_value),
#define PLAYER_ATTRIBUTE_DEFAULTS PLAYER_ATTRIBUTES(PLAYER_ATTRIBUTE_DEFAULT)

/* One side of a battle as recorded: the fighting attributes as they stood,
 * and each balance before and after. */
#define PLAYER_SIDE_FIGHTS_MEMBER(field, min, max, default_value, role) PLAYER_IF_FIGHTS(role, int64_t field;)
#define PLAYER_SIDE_BEFORE_MEMBER(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, int64_t field##_before;)
#define PLAYER_SIDE_AFTER_MEMBER(field, min, max, default_value, role) PLAYER_IF_BALANCE(role, int64_t field##_after;)
struct battle_side {
	int64_t player_id;
	PLAYER_ATTRIBUTES(PLAYER_SIDE_FIGHTS_MEMBER)
	PLAYER_ATTRIBUTES(PLAYER_SIDE_BEFORE_MEMBER)
	PLAYER_ATTRIBUTES(PLAYER_SIDE_AFTER_MEMBER)
};

/* True when every attribute lies within its bounds. */
static inline int player_attributes_valid(const struct player_attributes *attributes)
{
#define PLAYER_ATTRIBUTE_IN_RANGE(field, min, max, default_value, role) \
	if (attributes->field < (min) || attributes->field > (max)) \
		return 0;
	PLAYER_ATTRIBUTES(PLAYER_ATTRIBUTE_IN_RANGE)
#undef PLAYER_ATTRIBUTE_IN_RANGE
	return 1;
}

/* Records a side from the attributes it fought with (the _after balances
 * are the engine's to set). */
static inline void battle_side_record(struct battle_side *side, int64_t player_id,
				      const struct player_attributes *attributes)
{
	side->player_id = player_id;
#define PLAYER_SIDE_FIGHTS_COPY(field, min, max, default_value, role) PLAYER_IF_FIGHTS(role, side->field = attributes->field;)
#define PLAYER_SIDE_BEFORE_COPY(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, side->field##_before = attributes->field;)
	PLAYER_ATTRIBUTES(PLAYER_SIDE_FIGHTS_COPY)
	PLAYER_ATTRIBUTES(PLAYER_SIDE_BEFORE_COPY)
#undef PLAYER_SIDE_FIGHTS_COPY
#undef PLAYER_SIDE_BEFORE_COPY
}

#endif
