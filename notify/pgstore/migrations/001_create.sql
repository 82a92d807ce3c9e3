-- paybridge notification dedupe table.
--
-- {{table}} and {{index}} are replaced with the configured, quoted table name and the name of
-- its retention index before this file is run. Every statement is idempotent, so the file
-- can be applied on every start.
--
-- A row is either a claim in progress (outcome IS NULL: claim_token and lease_until are set,
-- and the claim can be taken over once lease_until has passed on the database clock) or a
-- completed notification (outcome set, completed_at set, no claim).

CREATE TABLE IF NOT EXISTS {{table}} (
    key          text        PRIMARY KEY,
    outcome      text        CHECK (outcome IN ('processed', 'failed')),
    claim_token  text,
    lease_until  timestamptz,
    completed_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((outcome IS NULL) = (completed_at IS NULL)),
    CHECK (outcome IS NOT NULL OR (claim_token IS NOT NULL AND lease_until IS NOT NULL))
);

CREATE INDEX IF NOT EXISTS {{index}} ON {{table}} (completed_at) WHERE completed_at IS NOT NULL;
