-- Orders from commerce, their lines with assignment and provisioning, the delegations of their
-- assignment, and the two lookup tables the inventory pages on. Portable to PostgreSQL and SQLite.

-- +goose Up
CREATE TABLE orders (
    id                  TEXT PRIMARY KEY,
    type                TEXT NOT NULL,
    purchase_order      TEXT NOT NULL DEFAULT '',
    end_customer        TEXT NOT NULL DEFAULT '{}',
    reseller            TEXT NOT NULL DEFAULT '{}',
    distributor         TEXT NOT NULL DEFAULT '{}',
    -- The parties' domains and the fulfillment contact's domains are kept apart from the JSON so the
    -- inventory's scopes (OFM company, FC domain) are index lookups.
    reseller_domain     TEXT NOT NULL DEFAULT '',
    distributor_domain  TEXT NOT NULL DEFAULT '',
    fulfillment_contact TEXT NOT NULL DEFAULT '',
    fc_domain           TEXT NOT NULL DEFAULT '',
    fc_tld              TEXT NOT NULL DEFAULT '',
    booked_at           TIMESTAMP NOT NULL,
    shipped_at          TIMESTAMP NULL,
    -- Roll-ups of the lines, rewritten with them, so the cards never read the lines.
    assignment_status   TEXT NOT NULL,
    line_count          INTEGER NOT NULL,
    lines_not_started   INTEGER NOT NULL DEFAULT 0,
    lines_pending       INTEGER NOT NULL DEFAULT 0,
    lines_provisioned   INTEGER NOT NULL DEFAULT 0,
    lines_failed        INTEGER NOT NULL DEFAULT 0,
    payload_hash        TEXT NOT NULL,
    workflow_id         TEXT NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
-- Each scope of the inventory has its index: the scope's column, then (booked_at, id), the inventory's
-- sort and keyset, then the roll-up the filters and the cards read, so pages and cards are index-only
-- scans that never visit the table.
CREATE INDEX orders_booked ON orders (booked_at, id, assignment_status, type,
    lines_not_started, lines_pending, lines_provisioned, lines_failed);
CREATE INDEX orders_fc ON orders (fulfillment_contact, booked_at, id, assignment_status, type,
    lines_not_started, lines_pending, lines_provisioned, lines_failed);
CREATE INDEX orders_fc_domain ON orders (fc_domain, booked_at, id, assignment_status, type,
    lines_not_started, lines_pending, lines_provisioned, lines_failed);
CREATE INDEX orders_fc_tld ON orders (fc_tld, booked_at, id, assignment_status, type,
    lines_not_started, lines_pending, lines_provisioned, lines_failed);
CREATE INDEX orders_reseller ON orders (reseller_domain, booked_at, id, assignment_status, type,
    lines_not_started, lines_pending, lines_provisioned, lines_failed) WHERE reseller_domain <> '';
CREATE INDEX orders_distributor ON orders (distributor_domain, booked_at, id, assignment_status, type,
    lines_not_started, lines_pending, lines_provisioned, lines_failed) WHERE distributor_domain <> '';

CREATE TABLE order_lines (
    order_id            TEXT NOT NULL REFERENCES orders (id),
    id                  TEXT NOT NULL,
    position            INTEGER NOT NULL,
    sku                 TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    kind                TEXT NOT NULL,
    quantity            INTEGER NOT NULL,
    smart_license       BOOLEAN NOT NULL DEFAULT FALSE,
    sa_mandatory        BOOLEAN NOT NULL DEFAULT FALSE,
    term_months         INTEGER NOT NULL DEFAULT 0,
    assignment_status   TEXT NOT NULL,
    smart_account_id    TEXT NOT NULL DEFAULT '',
    virtual_account_id  TEXT NOT NULL DEFAULT '',
    provisioning_status TEXT NOT NULL,
    delay_reason        TEXT NOT NULL DEFAULT '',
    assigned_by         TEXT NOT NULL DEFAULT '',
    assigned_at         TIMESTAMP NULL,
    updated_at          TIMESTAMP NOT NULL,
    PRIMARY KEY (order_id, id)
);
CREATE INDEX order_lines_account ON order_lines (smart_account_id) WHERE smart_account_id <> '';

-- Which Smart Accounts hold lines of an order: the inventory of one account pages on it.
CREATE TABLE order_accounts (
    smart_account_id TEXT NOT NULL,
    order_id         TEXT NOT NULL REFERENCES orders (id),
    booked_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (smart_account_id, booked_at, order_id)
);
CREATE INDEX order_accounts_order ON order_accounts (order_id);

-- The free-text search's keys: the order id, the purchase order and each SKU, upper-cased, matched by
-- prefix with a range on the index.
CREATE TABLE order_keys (
    order_id TEXT NOT NULL REFERENCES orders (id),
    key      TEXT NOT NULL,
    PRIMARY KEY (order_id, key)
);
CREATE INDEX order_keys_key ON order_keys (key, order_id);

-- Orders by booking day, assignment status and type, with their lines by provisioning status: the
-- cards over every order (Cisco staff's inventory) add up these rows instead of a million orders.
-- Every write of an order's roll-up moves its count between rows in the same transaction.
CREATE TABLE order_rollups (
    booked_day        TEXT NOT NULL,
    assignment_status TEXT NOT NULL,
    type              TEXT NOT NULL,
    orders            INTEGER NOT NULL DEFAULT 0,
    lines_not_started INTEGER NOT NULL DEFAULT 0,
    lines_pending     INTEGER NOT NULL DEFAULT 0,
    lines_provisioned INTEGER NOT NULL DEFAULT 0,
    lines_failed      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (booked_day, assignment_status, type)
);

CREATE TABLE order_delegations (
    id          TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL REFERENCES orders (id),
    delegator   TEXT NOT NULL,
    delegate    TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    closed_by   TEXT NOT NULL DEFAULT '',
    closed_at   TIMESTAMP NULL,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX order_delegations_order ON order_delegations (order_id, created_at);
CREATE INDEX order_delegations_delegate ON order_delegations (delegate, status);

-- +goose Down
DROP TABLE order_delegations;
DROP TABLE order_rollups;
DROP TABLE order_keys;
DROP TABLE order_accounts;
DROP TABLE order_lines;
DROP TABLE orders;
