-- The inventory's search cards (FEATURES OR1, issue 12): PostgreSQL sized a key prefix's range from a
-- histogram of 100 buckets over millions of keys, inside which a SKU family's range is a sliver, so it
-- estimated one key where there are 50,000 and probed the orders once per key (4.4 s for the largest
-- reseller's cards at a million orders). With 1,000 the SKUs, a few hundred values each shared by
-- thousands of orders, are all among the most common values, and a prefix's count is their sum: the
-- planner hashes the matching keys against the scope's index instead. models.SummarizeOrders counts a
-- search that matches few keys from its orders itself. PostgreSQL only (the .postgres.sql suffix).

-- +goose Up
ALTER TABLE order_keys ALTER COLUMN key SET STATISTICS 1000;
ANALYZE order_keys;

-- +goose Down
ALTER TABLE order_keys ALTER COLUMN key SET STATISTICS -1;
