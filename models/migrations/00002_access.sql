-- Requests on a customer's behalf, access requests with their automation rules, and SMB upgrades.
-- Portable as 00001: TEXT ids, TIMESTAMP columns holding UTC, JSON kept as TEXT.

-- +goose Up
-- An SA requested on a customer's behalf waits for one of its customer contacts to accept it; the
-- contact who accepts (not the requester) becomes its administrator.
ALTER TABLE smart_accounts ADD COLUMN on_behalf BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE smart_accounts ADD COLUMN customer_contacts TEXT NOT NULL DEFAULT '[]';
ALTER TABLE smart_accounts ADD COLUMN note_to_customer TEXT NOT NULL DEFAULT '';
ALTER TABLE smart_accounts ADD COLUMN accepted_by TEXT NOT NULL DEFAULT '';
ALTER TABLE smart_accounts ADD COLUMN accepted_at TIMESTAMP NULL;
-- The Access Directory lists the requests a person made.
CREATE INDEX smart_accounts_requested_by ON smart_accounts (requested_by);

CREATE TABLE access_requests (
    id                        TEXT PRIMARY KEY,
    smart_account_id          TEXT NOT NULL REFERENCES smart_accounts (id),
    workflow_id               TEXT NOT NULL,
    requested_by              TEXT NOT NULL,
    for_emails                TEXT NOT NULL DEFAULT '[]',
    role                      TEXT NOT NULL,
    virtual_accounts          TEXT NOT NULL DEFAULT '[]',
    reason                    TEXT NOT NULL DEFAULT '',
    status                    TEXT NOT NULL,
    approvers                 TEXT NOT NULL DEFAULT '[]',
    delegated_to              TEXT NOT NULL DEFAULT '',
    outside_domain            TEXT NOT NULL DEFAULT '[]',
    rule_id                   TEXT NOT NULL DEFAULT '',
    decided_by                TEXT NOT NULL DEFAULT '',
    decided_at                TIMESTAMP NULL,
    decision_reason           TEXT NOT NULL DEFAULT '',
    declined_virtual_accounts TEXT NOT NULL DEFAULT '[]',
    expires_at                TIMESTAMP NOT NULL,
    created_at                TIMESTAMP NOT NULL,
    updated_at                TIMESTAMP NOT NULL
);
CREATE INDEX access_requests_account ON access_requests (smart_account_id, status, id);
CREATE INDEX access_requests_requester ON access_requests (requested_by, id);

-- Request automation (AC3): an account's rules, tried in priority order; the first that matches acts.
CREATE TABLE access_rules (
    id               TEXT PRIMARY KEY,
    smart_account_id TEXT NOT NULL REFERENCES smart_accounts (id),
    priority         INTEGER NOT NULL,
    action           TEXT NOT NULL,
    role             TEXT NOT NULL DEFAULT '',
    requester_domain TEXT NOT NULL DEFAULT 'ANY',
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX access_rules_account ON access_rules (smart_account_id, priority);

-- An SMB account's upgrade to a standard account: the account stays ACTIVE and keeps its id while the
-- upgrade waits for its approvals.
CREATE TABLE sa_upgrades (
    id               TEXT PRIMARY KEY,
    smart_account_id TEXT NOT NULL REFERENCES smart_accounts (id),
    workflow_id      TEXT NOT NULL,
    requested_by     TEXT NOT NULL,
    name             TEXT NOT NULL,
    domain           TEXT NOT NULL,
    tld              TEXT NOT NULL,
    headquarters     TEXT NOT NULL DEFAULT '{}',
    visibility       TEXT NOT NULL,
    from_domain      TEXT NOT NULL,
    status           TEXT NOT NULL,
    decided_by       TEXT NOT NULL DEFAULT '',
    decided_at       TIMESTAMP NULL,
    decision_reason  TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sa_upgrades_one_pending ON sa_upgrades (smart_account_id)
    WHERE status IN ('PENDING_DOMAIN_APPROVAL', 'PENDING_APPROVAL');

-- +goose Down
DROP TABLE sa_upgrades;
DROP TABLE access_rules;
DROP TABLE access_requests;
DROP INDEX smart_accounts_requested_by;
ALTER TABLE smart_accounts DROP COLUMN accepted_at;
ALTER TABLE smart_accounts DROP COLUMN accepted_by;
ALTER TABLE smart_accounts DROP COLUMN note_to_customer;
ALTER TABLE smart_accounts DROP COLUMN customer_contacts;
ALTER TABLE smart_accounts DROP COLUMN on_behalf;
