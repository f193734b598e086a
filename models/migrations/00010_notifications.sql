-- Notification preferences and digests (FEATURES NO1). A preference is held by email, per account and
-- category; smart_account_id '' is the person's default for every account without its own setting
-- (and for mails about no account). Mails deferred to a digest wait in digest_items until the digest
-- of their period carries them. Unsubscribe links are derived from the link secret and stored by hash
-- only, one per person, account and category, so every mail of a kind carries the same link.

-- +goose Up
CREATE TABLE notification_preferences (
    user_email       TEXT NOT NULL,
    smart_account_id TEXT NOT NULL DEFAULT '',
    category         TEXT NOT NULL,
    delivery         TEXT NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (user_email, smart_account_id, category)
);

CREATE TABLE digest_items (
    id               TEXT PRIMARY KEY,
    mail_key         TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    smart_account_id TEXT NOT NULL DEFAULT '',
    account_name     TEXT NOT NULL DEFAULT '',
    category         TEXT NOT NULL,
    period           TEXT NOT NULL,
    summary          TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    digest_key       TEXT NULL
);
-- A retried mail step defers its mail once.
CREATE UNIQUE INDEX digest_items_mail_key ON digest_items (mail_key);
-- What a digest run reads: the people with items waiting for the period, then each one's items.
CREATE INDEX digest_items_waiting ON digest_items (period, recipient, created_at) WHERE digest_key IS NULL;

CREATE TABLE unsubscribe_links (
    hash             TEXT PRIMARY KEY,
    recipient        TEXT NOT NULL,
    smart_account_id TEXT NOT NULL DEFAULT '',
    category         TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE unsubscribe_links;
DROP TABLE digest_items;
DROP TABLE notification_preferences;
