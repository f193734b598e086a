-- Training and demo requests (FEATURES TR1): a case per request, routed to a queue by the topic and the
-- requester's region, scheduled and closed by licensing ops. Its process (training-request/<id>) owns
-- every write to its row; each change has its event (events.target_type TRAINING_REQUEST).

-- +goose Up
CREATE TABLE training_requests (
    id              TEXT PRIMARY KEY,
    workflow_id     TEXT NOT NULL,
    requested_by    TEXT NOT NULL,
    requester_name  TEXT NOT NULL DEFAULT '',
    topic           TEXT NOT NULL,
    portal          TEXT NOT NULL,
    message         TEXT NOT NULL DEFAULT '',
    preferred_dates TEXT NOT NULL DEFAULT '[]',
    attendees       TEXT NOT NULL DEFAULT '[]',
    country         TEXT NOT NULL DEFAULT '',
    region          TEXT NOT NULL,
    queue           TEXT NOT NULL,
    status          TEXT NOT NULL,
    scheduled_at    TIMESTAMP NULL,
    schedule_note   TEXT NOT NULL DEFAULT '',
    scheduled_by    TEXT NOT NULL DEFAULT '',
    outcome         TEXT NOT NULL DEFAULT '',
    close_reason    TEXT NOT NULL DEFAULT '',
    closed_by       TEXT NOT NULL DEFAULT '',
    closed_at       TIMESTAMP NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
-- Ops list a queue's open cases, newest first; a requester lists their own.
CREATE INDEX training_requests_queue ON training_requests (queue, status, id);
CREATE INDEX training_requests_requester ON training_requests (requested_by, id);

-- +goose Down
DROP TABLE training_requests;
