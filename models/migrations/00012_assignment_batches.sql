-- Bulk assignments (FEATURES OR3, issue 10): the request as the API checked it, one row per order with
-- what became of it. The API answers each order at once (checked from the database) and hands the
-- accepted ones to the batch's process; that process records how each order's own process applied
-- it, so a second request sees the progress. Portable to PostgreSQL and SQLite.

-- +goose Up
CREATE TABLE assignment_batches (
    id                 TEXT PRIMARY KEY,
    actor              TEXT NOT NULL,
    via                TEXT NOT NULL,
    smart_account_id   TEXT NOT NULL,
    virtual_account_id TEXT NOT NULL,
    reason             TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMP NOT NULL,
    finished_at        TIMESTAMP NULL
);

-- status is PENDING (handed to the order's process), APPLIED or REFUSED (by the API's check, or later
-- by the order's own process, with its reason).
CREATE TABLE assignment_batch_orders (
    batch_id   TEXT NOT NULL REFERENCES assignment_batches (id),
    order_id   TEXT NOT NULL,
    position   INTEGER NOT NULL,
    status     TEXT NOT NULL,
    code       TEXT NOT NULL DEFAULT '',
    field      TEXT NOT NULL DEFAULT '',
    message    TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (batch_id, order_id)
);

-- +goose Down
DROP TABLE assignment_batch_orders;
DROP TABLE assignment_batches;
