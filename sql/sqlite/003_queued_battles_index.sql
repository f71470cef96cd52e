-- SPDX-License-Identifier: ISC
-- 003_queued_battles_index.sql — the worker applies queued battles in id
-- order straight from SQLite (Redis only delivers ids), so it needs the
-- queued ones without scanning the done ones: a partial index stays tiny.
CREATE INDEX battles_queued ON battles (id) WHERE status = 'queued';
