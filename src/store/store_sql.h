/* store_sql.h — the SQL that both SQL backends' statement tables share,
 * generated from the player spec (game/player_spec.h) by the preprocessor:
 * the attribute columns of players, the side columns of battles, and the
 * order in which a battle side's members are read and bound. Placeholders
 * are written the SQLite way (`?` is the next number after the largest so
 * far, `?N` is number N); the PostgreSQL backend renumbers them to $N once
 * at start-up (pg_store.c says why). Seen only by src/store/. */
#ifndef PT_STORE_SQL_H
#define PT_STORE_SQL_H

#include "game/player_spec.h"

/* Columns of the player attributes, in PLAYER_ATTRIBUTES order:
 * ", gold, silver, ..." and ", ?, ?, ...". */
#define STORE_ATTRIBUTE_COLUMN(field, min, max, default_value, role) ", " #field
#define STORE_ATTRIBUTE_PLACEHOLDER(field, min, max, default_value, role) ", ?"

/* One side's columns of the battles table: the fighting attributes, then
 * each balance before, then after. */
#define STORE_ATTACKER_FIGHTS(field, min, max, default_value, role) PLAYER_IF_FIGHTS(role, ", attacker_" #field)
#define STORE_ATTACKER_BEFORE(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, ", attacker_" #field "_before")
#define STORE_ATTACKER_AFTER(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, ", attacker_" #field "_after")
#define STORE_DEFENDER_FIGHTS(field, min, max, default_value, role) PLAYER_IF_FIGHTS(role, ", defender_" #field)
#define STORE_DEFENDER_BEFORE(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, ", defender_" #field "_before")
#define STORE_DEFENDER_AFTER(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, ", defender_" #field "_after")
#define STORE_SIDE_COLUMNS(side) \
	PLAYER_ATTRIBUTES(STORE_##side##_FIGHTS) \
	PLAYER_ATTRIBUTES(STORE_##side##_BEFORE) PLAYER_ATTRIBUTES(STORE_##side##_AFTER)

/* The same columns as "column = ?" assignments. */
#define STORE_ATTACKER_FIGHTS_SET(field, min, max, default_value, role) \
	PLAYER_IF_FIGHTS(role, ", attacker_" #field " = ?")
#define STORE_ATTACKER_BEFORE_SET(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, ", attacker_" #field "_before = ?")
#define STORE_ATTACKER_AFTER_SET(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, ", attacker_" #field "_after = ?")
#define STORE_DEFENDER_FIGHTS_SET(field, min, max, default_value, role) \
	PLAYER_IF_FIGHTS(role, ", defender_" #field " = ?")
#define STORE_DEFENDER_BEFORE_SET(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, ", defender_" #field "_before = ?")
#define STORE_DEFENDER_AFTER_SET(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, ", defender_" #field "_after = ?")
#define STORE_SIDE_SETS(side) \
	PLAYER_ATTRIBUTES(STORE_##side##_FIGHTS_SET) \
	PLAYER_ATTRIBUTES(STORE_##side##_BEFORE_SET) PLAYER_ATTRIBUTES(STORE_##side##_AFTER_SET)
#define STORE_BALANCE_SET(field, min, max, default_value, role) PLAYER_IF_BALANCE(role, ", " #field " = ?")

/* What a battle row is read as, in this order (each backend's read_battle_row). */
#define STORE_BATTLE_COLUMNS \
	"SELECT id, attacker_id, defender_id, status, submitted_at, processed_at, winner_id, loser_id," \
	" percent_stolen, gold_stolen, silver_stolen, score_awarded, seed" STORE_SIDE_COLUMNS(ATTACKER) \
	STORE_SIDE_COLUMNS(DEFENDER)
/* The first side column of STORE_BATTLE_COLUMNS (0-based). */
#define STORE_BATTLE_SIDE_COLUMN 13

/* A side's members in the column order above, as an initialiser of an
 * array of pointers: {&side->attack, ..., &side->gold_before, ...}. */
#define STORE_SIDE_FIGHTS_MEMBER(field, min, max, default_value, role) PLAYER_IF_FIGHTS(role, &side->field,)
#define STORE_SIDE_BEFORE_MEMBER(field, min, max, default_value, role) \
	PLAYER_IF_BALANCE(role, &side->field##_before,)
#define STORE_SIDE_AFTER_MEMBER(field, min, max, default_value, role) PLAYER_IF_BALANCE(role, &side->field##_after,)
#define STORE_SIDE_MEMBERS(side) \
	{PLAYER_ATTRIBUTES(STORE_SIDE_FIGHTS_MEMBER) PLAYER_ATTRIBUTES(STORE_SIDE_BEFORE_MEMBER) \
		 PLAYER_ATTRIBUTES(STORE_SIDE_AFTER_MEMBER)}

/* Sessions (sql/DIALECT/004): what signing in reads, by name or by id. */
#define STORE_CREDENTIALS_COLUMNS "SELECT id, session_version, password_hash"
/* token is the dialect's expression of the 32-byte token id bound as ?2. */
#define STORE_SESSION_CHECK_SQL(token) \
	"SELECT session_version, EXISTS (SELECT 1 FROM revoked_tokens WHERE token_id = " token ")" \
	" FROM players WHERE id = ?1"
#define STORE_SESSION_REVOKE_SQL(token) \
	"INSERT INTO revoked_tokens (player_id, token_id, expires_at) VALUES (?1, " token ", ?3)" \
	" ON CONFLICT (token_id) DO NOTHING"
/* Bounded, so one sign-out never pays for a backlog. */
#define STORE_SESSIONS_EXPIRED_DELETE_SQL \
	"DELETE FROM revoked_tokens WHERE token_id IN" \
	" (SELECT token_id FROM revoked_tokens WHERE expires_at <= ?1 LIMIT 100)"
#define STORE_PLAYER_REVOKE_SESSIONS_SQL "UPDATE players SET session_version = session_version + 1 WHERE id = ?1"
#define STORE_PLAYER_SET_PASSWORD_SQL \
	"UPDATE players SET password_hash = ?2, session_version = session_version + 1 WHERE id = ?1"

/* A player's page of battles before an id (keyset paging), without turns. */
#define STORE_PLAYER_BATTLES_BEFORE_SQL \
	STORE_BATTLE_COLUMNS ", NULL FROM battle_participants JOIN battles ON id = battle_id" \
	" WHERE player_id = ?1 AND battle_id < ?3 ORDER BY battle_id DESC LIMIT ?2"
/* Every queued battle's id, a page at a time (the queue's audit). */
#define STORE_QUEUED_BATTLE_SCAN_SQL "SELECT id FROM battles WHERE status = 'queued' AND id > ?1 ORDER BY id LIMIT 1000"

#endif
