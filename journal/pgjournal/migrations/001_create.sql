-- paybridge operations journal.
--
-- {{table}}, {{ref_index}}, {{pid_index}} and {{done_index}} are replaced with the configured,
-- quoted table name and the names of its indexes before this file is run. Every statement is
-- idempotent, so the file can be applied on every start.
--
-- A row is one money-moving call, named by (scope, op, key). While a caller talks to the
-- provider it holds the row: claim_token and lease_until are set, and a claim whose lease has
-- passed on the database clock can be taken over. A pending row (the first attempt in flight)
-- taken over becomes uncertain. Settled and failed rows are final; pending and uncertain rows
-- are never pruned.

CREATE TABLE IF NOT EXISTS {{table}} (
    scope          text        NOT NULL,
    op             text        NOT NULL,
    key            text        NOT NULL,
    fingerprint    text        NOT NULL,
    reference      text        NOT NULL DEFAULT '',
    amount_minor   bigint,
    currency       text,
    provider_id    text,
    state          text        NOT NULL CHECK (state IN ('pending', 'settled', 'failed', 'uncertain')),
    result         bytea,
    error_code     text,
    error_message  text,
    attempts       integer     NOT NULL DEFAULT 1,
    claim_token    text,
    lease_until    timestamptz,
    sent_at        timestamptz NOT NULL DEFAULT now(),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, op, key),
    CHECK ((amount_minor IS NULL) = (currency IS NULL)),
    CHECK (state <> 'settled' OR result IS NOT NULL),
    CHECK (state <> 'failed' OR error_code IS NOT NULL),
    CHECK ((claim_token IS NULL) = (lease_until IS NULL))
);

CREATE INDEX IF NOT EXISTS {{ref_index}} ON {{table}} (scope, reference) WHERE reference <> '';
CREATE UNIQUE INDEX IF NOT EXISTS {{pid_index}} ON {{table}} (scope, provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS {{done_index}} ON {{table}} (updated_at) WHERE state IN ('settled', 'failed');
