-- Users in bulk, user groups and partner grants (FEATURES AC4, AC5, AC8): a role is held directly (by
-- email), through a group's membership, or by a partner's people through a grant to the partner's
-- domain; a virtual account role may reach the virtual account's nested ones (include_children).
-- Effective access is the union of the three, read by one query (models/effective.go). Portable to
-- PostgreSQL and SQLite.

-- +goose Up
ALTER TABLE account_roles ADD COLUMN include_children BOOLEAN NOT NULL DEFAULT FALSE;
-- The users page of an account pages on its members' emails.
CREATE INDEX account_roles_account_email ON account_roles (smart_account_id, user_email);
-- A role given with its children walks the tree down from its virtual account.
CREATE INDEX virtual_accounts_parent ON virtual_accounts (parent_id);

CREATE TABLE user_groups (
    id               TEXT PRIMARY KEY,
    smart_account_id TEXT NOT NULL REFERENCES smart_accounts (id),
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX user_groups_name ON user_groups (smart_account_id, lower(name));

-- Held by email, as account roles are.
CREATE TABLE group_members (
    group_id   TEXT NOT NULL REFERENCES user_groups (id),
    user_email TEXT NOT NULL,
    added_by   TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, user_email)
);
-- The groups of one person: what every access check of theirs reads.
CREATE INDEX group_members_email ON group_members (user_email, group_id);

CREATE TABLE group_roles (
    id                 TEXT PRIMARY KEY,
    group_id           TEXT NOT NULL REFERENCES user_groups (id),
    smart_account_id   TEXT NOT NULL REFERENCES smart_accounts (id),
    virtual_account_id TEXT NOT NULL DEFAULT '',
    role               TEXT NOT NULL,
    include_children   BOOLEAN NOT NULL DEFAULT FALSE,
    granted_by         TEXT NOT NULL,
    created_at         TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX group_roles_unique ON group_roles (group_id, virtual_account_id, role);
CREATE INDEX group_roles_account ON group_roles (smart_account_id, role);

-- A customer's consent that a partner's people (addresses of the partner's domain or a subdomain) hold
-- a role on the account or on virtual accounts. A revoked grant is deleted; its events keep it.
CREATE TABLE partner_grants (
    id                 TEXT PRIMARY KEY,
    smart_account_id   TEXT NOT NULL REFERENCES smart_accounts (id),
    partner_domain     TEXT NOT NULL REFERENCES partners (domain),
    virtual_account_id TEXT NOT NULL DEFAULT '',
    role               TEXT NOT NULL,
    include_children   BOOLEAN NOT NULL DEFAULT FALSE,
    granted_by         TEXT NOT NULL,
    access_request_id  TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX partner_grants_unique ON partner_grants (partner_domain, smart_account_id, virtual_account_id, role);
CREATE INDEX partner_grants_account ON partner_grants (smart_account_id, partner_domain);

-- A partner's request for access names the partner: approved, the grant goes to the partner's domain.
ALTER TABLE access_requests ADD COLUMN partner_domain TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE access_requests DROP COLUMN partner_domain;
DROP TABLE partner_grants;
DROP TABLE group_roles;
DROP TABLE group_members;
DROP TABLE user_groups;
DROP INDEX virtual_accounts_parent;
DROP INDEX account_roles_account_email;
ALTER TABLE account_roles DROP COLUMN include_children;
