-- Partner Holding Accounts (FEATURES SA12, HA1–HA3, NO2). A partner may keep several holding accounts
-- beside its own customer account, all under its domain: one live customer account per domain stays
-- the rule, and holding accounts of a domain are told apart by name. An order's holding accounts are
-- remembered for as long as the order lives, so that their members are told once it is fulfilled,
-- even after its lines moved out. Portable to PostgreSQL and SQLite.

-- +goose Up
DROP INDEX smart_accounts_live_domain;
CREATE UNIQUE INDEX smart_accounts_live_domain ON smart_accounts (domain)
    WHERE status NOT IN ('DECLINED', 'EXPIRED') AND type = 'CUSTOMER';
CREATE UNIQUE INDEX smart_accounts_live_holding ON smart_accounts (domain, lower(name))
    WHERE status NOT IN ('DECLINED', 'EXPIRED') AND type = 'HOLDING';

-- The holding accounts an order's lines were deposited in; fulfilled_mailed_at is set once their
-- members were told the order is fulfilled.
CREATE TABLE order_holdings (
    order_id            TEXT NOT NULL,
    smart_account_id    TEXT NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    fulfilled_mailed_at TIMESTAMP NULL,
    PRIMARY KEY (order_id, smart_account_id)
);
CREATE INDEX order_holdings_account ON order_holdings (smart_account_id, order_id);

-- +goose Down
DROP TABLE order_holdings;
DROP INDEX smart_accounts_live_holding;
DROP INDEX smart_accounts_live_domain;
CREATE UNIQUE INDEX smart_accounts_live_domain ON smart_accounts (domain)
    WHERE status NOT IN ('DECLINED', 'EXPIRED');
