-- SPDX-License-Identifier: ISC
-- 001_players.sql — players; every bound of the contract is a CHECK, so a bad
-- row is impossible whatever code writes it. SQLite is the source of truth
-- for scores; the Redis leaderboard is an index over this table.
CREATE TABLE players (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	name TEXT NOT NULL UNIQUE
		CHECK (length(name) BETWEEN 1 AND 20
		       AND instr(name, ':') = 0
		       AND lower(name) <> 'admin'
		       AND name NOT GLOB ('*[' || char(1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,
		                                           17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,127) || ']*')),
	description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
	gold INTEGER NOT NULL DEFAULT 0 CHECK (gold BETWEEN 0 AND 1000000000),
	silver INTEGER NOT NULL DEFAULT 0 CHECK (silver BETWEEN 0 AND 1000000000),
	attack INTEGER NOT NULL DEFAULT 70 CHECK (attack BETWEEN 1 AND 1000),
	hit_points INTEGER NOT NULL DEFAULT 100 CHECK (hit_points BETWEEN 1 AND 1000),
	luck INTEGER NOT NULL DEFAULT 10 CHECK (luck BETWEEN 0 AND 90),
	score INTEGER NOT NULL DEFAULT 0 CHECK (score >= 0),
	password_hash TEXT CHECK (password_hash IS NULL OR password_hash GLOB '$*'),
	created_at TEXT NOT NULL
		CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z')
) STRICT;
