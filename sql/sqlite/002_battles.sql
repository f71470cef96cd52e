-- SPDX-License-Identifier: ISC
-- 002_battles.sql — battles from submission ('queued') to report ('done').
-- The row is inserted in the same transaction that puts the id on the Redis
-- queue, so the worker applies a queued id only when its row exists; the
-- status flip to 'done' and the balance changes commit together, which makes
-- a redelivered battle recognisable and never applied twice.
CREATE TABLE battles (
	id INTEGER PRIMARY KEY CHECK (id > 0),
	attacker_id INTEGER NOT NULL REFERENCES players (id),
	defender_id INTEGER NOT NULL REFERENCES players (id),
	status TEXT NOT NULL CHECK (status IN ('queued', 'done')),
	submitted_at TEXT NOT NULL,
	processed_at TEXT,
	winner_id INTEGER,
	loser_id INTEGER,
	percent_stolen INTEGER CHECK (percent_stolen BETWEEN 10 AND 20),
	gold_stolen INTEGER CHECK (gold_stolen BETWEEN 0 AND 1000000000),
	silver_stolen INTEGER CHECK (silver_stolen BETWEEN 0 AND 1000000000),
	score_awarded INTEGER CHECK (score_awarded = gold_stolen + silver_stolen),
	seed TEXT CHECK (length(seed) = 16),
	attacker_attack INTEGER, attacker_hit_points INTEGER, attacker_luck INTEGER,
	attacker_gold_before INTEGER, attacker_silver_before INTEGER,
	attacker_gold_after INTEGER, attacker_silver_after INTEGER,
	defender_attack INTEGER, defender_hit_points INTEGER, defender_luck INTEGER,
	defender_gold_before INTEGER, defender_silver_before INTEGER,
	defender_gold_after INTEGER, defender_silver_after INTEGER,
	turns TEXT,
	CHECK (attacker_id <> defender_id),
	CHECK ((status = 'queued' AND processed_at IS NULL AND winner_id IS NULL AND turns IS NULL)
	    OR (status = 'done' AND processed_at IS NOT NULL AND turns IS NOT NULL
	        AND winner_id IN (attacker_id, defender_id)
	        AND loser_id IN (attacker_id, defender_id) AND winner_id <> loser_id
	        AND attacker_gold_before + defender_gold_before = attacker_gold_after + defender_gold_after
	        AND attacker_silver_before + defender_silver_before = attacker_silver_after + defender_silver_after))
) STRICT;

-- Both sides of every battle, so a player's battles page newest-first off an index.
CREATE TABLE battle_participants (
	player_id INTEGER NOT NULL REFERENCES players (id),
	battle_id INTEGER NOT NULL REFERENCES battles (id),
	PRIMARY KEY (player_id, battle_id)
) STRICT, WITHOUT ROWID;

-- Idempotency-Key: the same key from the same caller within 24 h names one battle.
CREATE TABLE idempotency_keys (
	caller TEXT NOT NULL,
	idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
	request_hash BLOB NOT NULL CHECK (length(request_hash) = 32),
	battle_id INTEGER NOT NULL REFERENCES battles (id),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (caller, idempotency_key)
) STRICT, WITHOUT ROWID;
