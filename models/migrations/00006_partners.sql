-- Partner organizations as Cisco staff register them, the people their rights come from (its
-- administrators, and the Order Fulfillment Managers the administrators designate), and the
-- resellers a distributor serves (2-tier). A partner right is a lookup of these rows by the user's
-- verified address, never a token's claim (FEATURES OR9, seed 002). Portable to PostgreSQL and SQLite.

-- +goose Up
CREATE TABLE partners (
    domain     TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Held by email, as account roles are, so a person designated before their first sign-in has the
-- right at once. role is ADMINISTRATOR or OFM.
CREATE TABLE partner_people (
    partner_domain TEXT NOT NULL REFERENCES partners (domain),
    role           TEXT NOT NULL,
    email          TEXT NOT NULL,
    granted_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (partner_domain, role, email)
);
-- The rights of one person: the lookup every order request makes.
CREATE INDEX partner_people_email ON partner_people (email, role, partner_domain);

CREATE TABLE partner_resellers (
    distributor_domain TEXT NOT NULL REFERENCES partners (domain),
    reseller_domain    TEXT NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    PRIMARY KEY (distributor_domain, reseller_domain)
);
CREATE INDEX partner_resellers_reseller ON partner_resellers (reseller_domain, distributor_domain);

-- +goose Down
DROP TABLE partner_resellers;
DROP TABLE partner_people;
DROP TABLE partners;
