-- SPDX-License-Identifier: ISC
-- 004_sessions.sql — ending sessions (API v1.1; sql/postgresql/004 is the
-- same for PostgreSQL). A token carries the
-- player's session_version from when it was issued and is refused once the
-- version moved on ("sign out everywhere", a password change); a single
-- token signed out is listed in revoked_tokens until it would have expired
-- anyway. token_id is the SHA-256 of the token's signature, never the token.
ALTER TABLE players ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0 CHECK (session_version >= 0);

CREATE TABLE revoked_tokens (
	token_id BLOB PRIMARY KEY CHECK (length(token_id) = 32),
	player_id INTEGER NOT NULL REFERENCES players (id),
	expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Expired entries are deleted as new ones arrive.
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);
