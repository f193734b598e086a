-- An order's partner-services lines whose reseller has no account of its own wait for the reseller's
-- Order Fulfillment Managers, not for the fulfillment contact (issue 13, item 6): whom they were mailed
-- and since when, on the order's row, so the order's waitingOn is derived from its row as the rest of it
-- is (models.OrderWaiting). The index is what an account's activation reads to find the orders of its
-- domain that wait for one. Portable to PostgreSQL and SQLite.

-- +goose Up
ALTER TABLE orders ADD COLUMN partner_ofms TEXT;
ALTER TABLE orders ADD COLUMN partner_waiting_since TIMESTAMP;
CREATE INDEX orders_partner_waiting ON orders (reseller_domain) WHERE partner_waiting_since IS NOT NULL;

-- +goose Down
DROP INDEX orders_partner_waiting;
ALTER TABLE orders DROP COLUMN partner_waiting_since;
ALTER TABLE orders DROP COLUMN partner_ofms;
