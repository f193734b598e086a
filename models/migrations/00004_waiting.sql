-- Whom a Smart Account or an SMB upgrade waits for, stored with its status by the store step that
-- moves it (FEATURES X1): reads and authorization need no process to answer. JSON kept as TEXT.

-- +goose Up
ALTER TABLE smart_accounts ADD COLUMN waiting_on TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sa_upgrades ADD COLUMN waiting_on TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE sa_upgrades DROP COLUMN waiting_on;
ALTER TABLE smart_accounts DROP COLUMN waiting_on;
