-- The inventory's cards per scope (FEATURES OR1, issue 12): the orders of one reseller, distributor or
-- fulfillment contact domain by booking day, assignment status and type, with their lines by
-- provisioning status and delay reason, as order_rollups keeps them for every order. The cards of an
-- OFM or a customer's colleague add up a few thousand of these rows instead of the scope's orders
-- (100,000 for the largest reseller). The store steps that move an order between order_rollups rows
-- move it between these in the same transaction (models.AddScopeRollups); a domain that is empty (no
-- distributor) has no rows. Filled here from the orders already recorded, so a loaded database only
-- needs migrating. Portable to PostgreSQL and SQLite.

-- +goose Up
CREATE TABLE order_scope_rollups (
    kind                    TEXT NOT NULL,
    domain                  TEXT NOT NULL,
    booked_day              TEXT NOT NULL,
    assignment_status       TEXT NOT NULL,
    type                    TEXT NOT NULL,
    orders                  INTEGER NOT NULL DEFAULT 0,
    lines_not_started       INTEGER NOT NULL DEFAULT 0,
    lines_pending           INTEGER NOT NULL DEFAULT 0,
    lines_provisioned       INTEGER NOT NULL DEFAULT 0,
    lines_failed            INTEGER NOT NULL DEFAULT 0,
    lines_no_account        INTEGER NOT NULL DEFAULT 0,
    lines_account_pending   INTEGER NOT NULL DEFAULT 0,
    lines_in_holding        INTEGER NOT NULL DEFAULT 0,
    lines_awaiting_shipment INTEGER NOT NULL DEFAULT 0,
    lines_fulfillment_error INTEGER NOT NULL DEFAULT 0,
    lines_manual_review     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, domain, booked_day, assignment_status, type)
);

-- The day is date(booked_at) as text, YYYY-MM-DD in UTC on both databases, which is models.RollupOf's
-- booked_day; the same statement as models.RebuildScopeRollups. Inserted in key order, so a domain's
-- rows share pages.
INSERT INTO order_scope_rollups (kind, domain, booked_day, assignment_status, type, orders, lines_not_started,
    lines_pending, lines_provisioned, lines_failed, lines_no_account, lines_account_pending, lines_in_holding,
    lines_awaiting_shipment, lines_fulfillment_error, lines_manual_review)
SELECT kind, domain, CAST(date(booked_at) AS TEXT), assignment_status, type, COUNT(*), SUM(lines_not_started),
    SUM(lines_pending), SUM(lines_provisioned), SUM(lines_failed), SUM(lines_no_account), SUM(lines_account_pending),
    SUM(lines_in_holding), SUM(lines_awaiting_shipment), SUM(lines_fulfillment_error), SUM(lines_manual_review)
FROM (
    SELECT 'RESELLER' AS kind, reseller_domain AS domain, booked_at, assignment_status, type, lines_not_started,
        lines_pending, lines_provisioned, lines_failed, lines_no_account, lines_account_pending, lines_in_holding,
        lines_awaiting_shipment, lines_fulfillment_error, lines_manual_review FROM orders WHERE reseller_domain <> ''
    UNION ALL
    SELECT 'DISTRIBUTOR', distributor_domain, booked_at, assignment_status, type, lines_not_started,
        lines_pending, lines_provisioned, lines_failed, lines_no_account, lines_account_pending, lines_in_holding,
        lines_awaiting_shipment, lines_fulfillment_error, lines_manual_review FROM orders WHERE distributor_domain <> ''
    UNION ALL
    SELECT 'CONTACT_DOMAIN', fc_domain, booked_at, assignment_status, type, lines_not_started,
        lines_pending, lines_provisioned, lines_failed, lines_no_account, lines_account_pending, lines_in_holding,
        lines_awaiting_shipment, lines_fulfillment_error, lines_manual_review FROM orders WHERE fc_domain <> ''
) s
GROUP BY kind, domain, CAST(date(booked_at) AS TEXT), assignment_status, type
ORDER BY kind, domain, CAST(date(booked_at) AS TEXT), assignment_status, type;

-- +goose Down
DROP TABLE order_scope_rollups;
