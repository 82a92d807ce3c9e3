-- paybridge operations journal: the parent column.
--
-- Applied after 001_create.sql, with the same placeholders plus {{parent_index}}. Every
-- statement is idempotent, so the file can be applied on every start; it upgrades a table
-- created by 001_create.sql alone.
--
-- parent is the provider's id of the object a call acts on, when it acts on an existing one
-- (a refund's payment), or '' when it does not. It is written when the row is created and
-- never changed. The index serves "the calls made against this object, oldest first".
--
-- The column is added only when missing: ALTER TABLE takes an ACCESS EXCLUSIVE lock even when
-- IF NOT EXISTS makes it do nothing, and this file runs on every start.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute
                    WHERE attrelid = '{{table}}'::regclass AND attname = 'parent' AND NOT attisdropped) THEN
        ALTER TABLE {{table}} ADD COLUMN IF NOT EXISTS parent text NOT NULL DEFAULT '';
    END IF;
END
$$;

CREATE INDEX IF NOT EXISTS {{parent_index}} ON {{table}} (scope, parent, created_at) WHERE parent <> '';
