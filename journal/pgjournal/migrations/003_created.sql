-- paybridge operations journal: listing by creation time.
--
-- Applied after 002_parent.sql, with the same placeholders plus {{created_index}}. Every
-- statement is idempotent, so the file can be applied on every start.
--
-- The index serves "the calls of this scope created between two times, oldest first", which
-- a reconciliation with the provider's books reads (FindCreated). Without it that query scans
-- the whole table, every scope and every year of calls.

CREATE INDEX IF NOT EXISTS {{created_index}} ON {{table}} (scope, created_at);
