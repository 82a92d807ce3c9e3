-- paybridge operations journal: the keep column.
--
-- Applied after 003_created.sql, with the same placeholders. Every statement is idempotent,
-- so the file can be applied on every start; it upgrades a table created by the earlier
-- files.
--
-- keep marks the record of something that lasts beyond its call — a direct-debit mandate,
-- and what notifications said of it — which later calls read for as long as it lasts:
-- Prune leaves it whatever its age. It is written when the row is created and never
-- changed.
--
-- The column is added only when missing: ALTER TABLE takes an ACCESS EXCLUSIVE lock even when
-- IF NOT EXISTS makes it do nothing, and this file runs on every start.
--
-- When it is added, the rows of mandates created before the upgrade are marked kept as the
-- Gateway marks them since: its CreateMandate calls, and the facts the Trustly adapter
-- records of a mandate (marks named trustly.mandate.*), which its charges read for as long
-- as the mandate lasts. Left unmarked, Prune would remove them and every later charge of
-- those mandates would be refused.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute
                    WHERE attrelid = '{{table}}'::regclass AND attname = 'keep' AND NOT attisdropped) THEN
        ALTER TABLE {{table}} ADD COLUMN IF NOT EXISTS keep boolean NOT NULL DEFAULT false;
        UPDATE {{table}} SET keep = true
         WHERE NOT keep AND (op = 'create_mandate' OR op LIKE 'mark:trustly.mandate.%');
    END IF;
END
$$;
