-- Account properties and notices (FEATURES SA11): each Smart Account Administrator's acknowledgement of
-- the account's notices (licensing operations wait for one of each), and the virtual accounts'
-- addresses the location export lists beside the headquarters. Portable to PostgreSQL and SQLite.

-- +goose Up
CREATE TABLE notice_acknowledgements (
    smart_account_id TEXT NOT NULL REFERENCES smart_accounts (id),
    kind             TEXT NOT NULL,
    email            TEXT NOT NULL,
    acknowledged_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (smart_account_id, kind, email)
);

ALTER TABLE virtual_accounts ADD COLUMN address TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE virtual_accounts DROP COLUMN address;
DROP TABLE notice_acknowledgements;
