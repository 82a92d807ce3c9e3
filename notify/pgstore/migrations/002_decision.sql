-- paybridge notification dedupe table: the decision column.
--
-- Applied after 001_create.sql, with the same placeholders. Every statement is idempotent,
-- so the file can be applied on every start; it upgrades a table created by 001_create.sql
-- alone.
--
-- decision is the application's answer to a notification the provider waits on (a Trustly
-- kyc or Withdraw debit), recorded with its outcome so that a redelivery gets the same
-- answer: 'continue' or 'abort'; NULL when the application gave none, and for every other
-- notification.
--
-- The column is added only when missing: ALTER TABLE takes an ACCESS EXCLUSIVE lock even when
-- IF NOT EXISTS makes it do nothing, and this file runs on every start.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute
                    WHERE attrelid = '{{table}}'::regclass AND attname = 'decision' AND NOT attisdropped) THEN
        ALTER TABLE {{table}} ADD COLUMN IF NOT EXISTS decision text CHECK (decision IN ('continue', 'abort'));
    END IF;
END
$$;
