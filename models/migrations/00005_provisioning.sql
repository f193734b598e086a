-- Provisioning (FEATURES PR1, PR2, PR3, OR11): each line's shipment and provisioning as its order's
-- process moves it, the licenses provisioned lines put in accounts, and the order's lines counted by
-- delay reason so the inventory filters and cards stay index-only. Portable to PostgreSQL and SQLite.

-- +goose Up
ALTER TABLE order_lines ADD COLUMN shipped_at TIMESTAMP NULL;
-- pending_since is when the line became PENDING (ops sort on it), reason_since when its current delay
-- reason began (what waitingOn says since).
ALTER TABLE order_lines ADD COLUMN pending_since TIMESTAMP NULL;
ALTER TABLE order_lines ADD COLUMN reason_since TIMESTAMP NULL;
ALTER TABLE order_lines ADD COLUMN prov_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN prov_error TEXT NOT NULL DEFAULT '';
-- prov_rejects counts the attempts the service refused the SKU: enough of them send the line to review.
ALTER TABLE order_lines ADD COLUMN prov_rejects INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN provisioned_at TIMESTAMP NULL;
-- stuck_at is set once, when the line was still pending at its SLA; the ops alert went out then.
ALTER TABLE order_lines ADD COLUMN stuck_at TIMESTAMP NULL;
ALTER TABLE order_lines ADD COLUMN entitlement_id TEXT NOT NULL DEFAULT '';

-- The ops list: pending lines oldest first, whole or by reason or by account, in keyset pages.
CREATE INDEX order_lines_pending ON order_lines (pending_since, order_id, id)
    WHERE provisioning_status = 'PENDING';
CREATE INDEX order_lines_pending_reason ON order_lines (delay_reason, pending_since, order_id, id)
    WHERE provisioning_status = 'PENDING';
CREATE INDEX order_lines_pending_account ON order_lines (smart_account_id, pending_since, order_id, id)
    WHERE provisioning_status = 'PENDING';
CREATE INDEX order_lines_stuck ON order_lines (pending_since, order_id, id)
    WHERE provisioning_status = 'PENDING' AND stuck_at IS NOT NULL;

-- Lines by delay reason, beside the lines by provisioning status, rewritten with them.
ALTER TABLE orders ADD COLUMN lines_no_account INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN lines_account_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN lines_in_holding INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN lines_awaiting_shipment INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN lines_fulfillment_error INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN lines_manual_review INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_rollups ADD COLUMN lines_no_account INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_rollups ADD COLUMN lines_account_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_rollups ADD COLUMN lines_in_holding INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_rollups ADD COLUMN lines_awaiting_shipment INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_rollups ADD COLUMN lines_fulfillment_error INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_rollups ADD COLUMN lines_manual_review INTEGER NOT NULL DEFAULT 0;
-- Existing orders: their pending lines as they were counted by reason.
UPDATE orders SET
    lines_no_account = (SELECT COUNT(*) FROM order_lines l WHERE l.order_id = orders.id
        AND l.provisioning_status = 'PENDING' AND l.delay_reason = 'NO_SMART_ACCOUNT'),
    lines_account_pending = (SELECT COUNT(*) FROM order_lines l WHERE l.order_id = orders.id
        AND l.provisioning_status = 'PENDING' AND l.delay_reason = 'SMART_ACCOUNT_PENDING'),
    lines_in_holding = (SELECT COUNT(*) FROM order_lines l WHERE l.order_id = orders.id
        AND l.provisioning_status = 'PENDING' AND l.delay_reason = 'IN_HOLDING_ACCOUNT'),
    lines_awaiting_shipment = (SELECT COUNT(*) FROM order_lines l WHERE l.order_id = orders.id
        AND l.provisioning_status = 'PENDING' AND l.delay_reason = 'AWAITING_SHIPMENT');
UPDATE order_lines SET pending_since = updated_at, reason_since = updated_at WHERE provisioning_status = 'PENDING';

-- The inventory's indexes again, with the counts by reason in them (the filters and the card read them).
DROP INDEX orders_booked;
DROP INDEX orders_fc;
DROP INDEX orders_fc_domain;
DROP INDEX orders_fc_tld;
DROP INDEX orders_reseller;
DROP INDEX orders_distributor;
CREATE INDEX orders_booked ON orders (booked_at, id, assignment_status, type,
    lines_not_started, lines_pending, lines_provisioned, lines_failed, lines_no_account, lines_account_pending,
    lines_in_holding, lines_awaiting_shipment, lines_fulfillment_error, lines_manual_review);
CREATE INDEX orders_fc ON orders (fulfillment_contact, booked_at, id, assignment_status, type,
    lines_not_started, lines_pending, lines_provisioned, lines_failed, lines_no_account, lines_account_pending,
    lines_in_holding, lines_awaiting_shipment, lines_fulfillment_error, lines_manual_review);
CREATE INDEX orders_fc_domain ON orders (fc_domain, booked_at, id, assignment_status, type,
    lines_not_started, lines_pending, lines_provisioned, lines_failed, lines_no_account, lines_account_pending,
    lines_in_holding, lines_awaiting_shipment, lines_fulfillment_error, lines_manual_review);
CREATE INDEX orders_fc_tld ON orders (fc_tld, booked_at, id, assignment_status, type,
    lines_not_started, lines_pending, lines_provisioned, lines_failed, lines_no_account, lines_account_pending,
    lines_in_holding, lines_awaiting_shipment, lines_fulfillment_error, lines_manual_review);
CREATE INDEX orders_reseller ON orders (reseller_domain, booked_at, id, assignment_status, type,
    lines_not_started, lines_pending, lines_provisioned, lines_failed, lines_no_account, lines_account_pending,
    lines_in_holding, lines_awaiting_shipment, lines_fulfillment_error, lines_manual_review)
    WHERE reseller_domain <> '';
CREATE INDEX orders_distributor ON orders (distributor_domain, booked_at, id, assignment_status, type,
    lines_not_started, lines_pending, lines_provisioned, lines_failed, lines_no_account, lines_account_pending,
    lines_in_holding, lines_awaiting_shipment, lines_fulfillment_error, lines_manual_review)
    WHERE distributor_domain <> '';

-- A license is a provisioned line's quantity in one virtual account. A line's licenses may be split
-- across the account's VAs by transfers, and moved with the line to another account; one row per line
-- and place, so a move or transfer adds to the row that is already there.
CREATE TABLE licenses (
    id                 TEXT PRIMARY KEY,
    smart_account_id   TEXT NOT NULL,
    virtual_account_id TEXT NOT NULL,
    order_id           TEXT NOT NULL,
    line_id            TEXT NOT NULL,
    sku                TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    quantity           INTEGER NOT NULL CHECK (quantity > 0),
    -- ACTIVE or HELD (in a Partner Holding Account); EXPIRED is read from ends_at.
    status             TEXT NOT NULL,
    starts_at          TIMESTAMP NULL,
    ends_at            TIMESTAMP NULL,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    UNIQUE (order_id, line_id, smart_account_id, virtual_account_id)
);
-- The licenses page of an account: by SKU then id (the keyset), with what the totals add up.
CREATE INDEX licenses_account ON licenses (smart_account_id, sku, id, virtual_account_id, status, ends_at, quantity);
CREATE INDEX licenses_va ON licenses (smart_account_id, virtual_account_id, sku, id);

-- +goose Down
DROP TABLE licenses;
DROP INDEX orders_booked;
DROP INDEX orders_fc;
DROP INDEX orders_fc_domain;
DROP INDEX orders_fc_tld;
DROP INDEX orders_reseller;
DROP INDEX orders_distributor;
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
ALTER TABLE order_rollups DROP COLUMN lines_manual_review;
ALTER TABLE order_rollups DROP COLUMN lines_fulfillment_error;
ALTER TABLE order_rollups DROP COLUMN lines_awaiting_shipment;
ALTER TABLE order_rollups DROP COLUMN lines_in_holding;
ALTER TABLE order_rollups DROP COLUMN lines_account_pending;
ALTER TABLE order_rollups DROP COLUMN lines_no_account;
ALTER TABLE orders DROP COLUMN lines_manual_review;
ALTER TABLE orders DROP COLUMN lines_fulfillment_error;
ALTER TABLE orders DROP COLUMN lines_awaiting_shipment;
ALTER TABLE orders DROP COLUMN lines_in_holding;
ALTER TABLE orders DROP COLUMN lines_account_pending;
ALTER TABLE orders DROP COLUMN lines_no_account;
DROP INDEX order_lines_stuck;
DROP INDEX order_lines_pending_account;
DROP INDEX order_lines_pending_reason;
DROP INDEX order_lines_pending;
ALTER TABLE order_lines DROP COLUMN entitlement_id;
ALTER TABLE order_lines DROP COLUMN stuck_at;
ALTER TABLE order_lines DROP COLUMN provisioned_at;
ALTER TABLE order_lines DROP COLUMN prov_error;
ALTER TABLE order_lines DROP COLUMN prov_rejects;
ALTER TABLE order_lines DROP COLUMN prov_attempts;
ALTER TABLE order_lines DROP COLUMN reason_since;
ALTER TABLE order_lines DROP COLUMN pending_since;
ALTER TABLE order_lines DROP COLUMN shipped_at;
