-- The account picker's exact match (FEATURES OR3, SA10, X7): a restricted account is found by its exact
-- domain only, whatever its type, and the live-domain indexes are per type (partial), so the exact
-- match had no B-tree of its own and PostgreSQL answered it from the trigram index, reading the posting
-- lists of every trigram of the domain. Portable to PostgreSQL and SQLite.

-- +goose Up
CREATE INDEX smart_accounts_domain ON smart_accounts (domain);

-- +goose Down
DROP INDEX smart_accounts_domain;
