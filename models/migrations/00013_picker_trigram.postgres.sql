-- The account picker's partial matches (FEATURES OR3, SA10, X7): models.SearchSmartAccounts finds a
-- domain or a name by any part of it (LIKE '%…%'), which a B-tree cannot answer, so PostgreSQL read
-- every account (p99 267 ms at 100,000, bench/README.md). GIN trigram indexes (pg_trgm) answer LIKE
-- '%…%' and the exact match (=) of the same column, so both arms of the search's OR use an index.
-- PostgreSQL only (the .postgres.sql suffix): SQLite, the dev stack's small database, keeps its scan,
-- and models.Migrate records this version there without running it.

-- +goose Up
-- pg_trgm ships with PostgreSQL's contrib modules (Debian: postgresql-contrib, part of postgresql-15).
-- Fail here, saying what is missing, rather than deep in CREATE EXTENSION.
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        RAISE EXCEPTION 'the PostgreSQL extension pg_trgm is not available on this server: install PostgreSQL''s contrib modules (Debian: apt-get install postgresql-contrib) and migrate again';
    END IF;
END
$$;
-- +goose StatementEnd
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX smart_accounts_domain_trgm ON smart_accounts USING gin (domain gin_trgm_ops);
CREATE INDEX smart_accounts_name_trgm ON smart_accounts USING gin (lower(name) gin_trgm_ops);

-- +goose Down
DROP INDEX smart_accounts_name_trgm;
DROP INDEX smart_accounts_domain_trgm;
