-- The schema is written once for PostgreSQL and SQLite: TEXT ids (UUIDv7, time ordered),
-- TIMESTAMP columns always holding UTC, JSON kept as TEXT.

-- +goose Up
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL,
    name           TEXT NOT NULL DEFAULT '',
    cco_id         TEXT NOT NULL DEFAULT '',
    company        TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '{}',
    platform_roles TEXT NOT NULL DEFAULT '[]',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);

CREATE TABLE smart_accounts (
    id               TEXT PRIMARY KEY,
    request_id       TEXT NOT NULL,
    workflow_id      TEXT NOT NULL,
    name             TEXT NOT NULL,
    domain           TEXT NOT NULL,
    tld              TEXT NOT NULL,
    type             TEXT NOT NULL DEFAULT 'CUSTOMER',
    smb              BOOLEAN NOT NULL DEFAULT FALSE,
    visibility       TEXT NOT NULL DEFAULT 'UNRESTRICTED',
    status           TEXT NOT NULL,
    headquarters     TEXT NOT NULL DEFAULT '{}',
    note_to_approver TEXT NOT NULL DEFAULT '',
    requested_by     TEXT NOT NULL,
    nominated_admins TEXT NOT NULL DEFAULT '[]',
    decided_by       TEXT NOT NULL DEFAULT '',
    decided_at       TIMESTAMP NULL,
    decision_reason  TEXT NOT NULL DEFAULT '',
    activated_at     TIMESTAMP NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX smart_accounts_request ON smart_accounts (request_id);
-- One live account per exact domain; declined and expired requests free their domain.
CREATE UNIQUE INDEX smart_accounts_live_domain ON smart_accounts (domain)
    WHERE status NOT IN ('DECLINED', 'EXPIRED');
CREATE INDEX smart_accounts_tld_status ON smart_accounts (tld, status);
CREATE INDEX smart_accounts_name ON smart_accounts (lower(name));

CREATE TABLE virtual_accounts (
    id               TEXT PRIMARY KEY,
    smart_account_id TEXT NOT NULL REFERENCES smart_accounts (id),
    parent_id        TEXT NULL REFERENCES virtual_accounts (id),
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    is_default       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX virtual_accounts_name ON virtual_accounts (smart_account_id, lower(name));
CREATE UNIQUE INDEX virtual_accounts_one_default ON virtual_accounts (smart_account_id) WHERE is_default;

-- Roles are held by email so that a nominee who never signed in is already an administrator.
CREATE TABLE account_roles (
    id                 TEXT PRIMARY KEY,
    user_email         TEXT NOT NULL,
    smart_account_id   TEXT NOT NULL REFERENCES smart_accounts (id),
    virtual_account_id TEXT NOT NULL DEFAULT '',
    role               TEXT NOT NULL,
    granted_by         TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX account_roles_unique ON account_roles (user_email, smart_account_id, virtual_account_id, role);
CREATE INDEX account_roles_account ON account_roles (smart_account_id, role);

CREATE TABLE events (
    id               TEXT PRIMARY KEY,
    smart_account_id TEXT NOT NULL DEFAULT '',
    target_type      TEXT NOT NULL,
    target_id        TEXT NOT NULL,
    actor            TEXT NOT NULL,
    action           TEXT NOT NULL,
    details          TEXT NOT NULL DEFAULT '{}',
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX events_account ON events (smart_account_id, id);
CREATE INDEX events_target ON events (target_type, target_id, id);

-- Only the SHA-256 of an emailed token is kept; the token itself lives in the mail alone.
CREATE TABLE action_tokens (
    id          TEXT PRIMARY KEY,
    hash        TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    mail_key    TEXT NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP NULL,
    outcome     TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX action_tokens_hash ON action_tokens (hash);
CREATE INDEX action_tokens_workflow ON action_tokens (workflow_id);

CREATE TABLE mail_log (
    key        TEXT PRIMARY KEY,
    recipients TEXT NOT NULL,
    subject    TEXT NOT NULL,
    sent_at    TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE mail_log;
DROP TABLE action_tokens;
DROP TABLE events;
DROP TABLE account_roles;
DROP TABLE virtual_accounts;
DROP TABLE smart_accounts;
DROP TABLE users;
