-- Trusted with a real list: the ledger knows which run holds a row, and a
-- message whose fate the relay never told ("unknown": the connection died
-- after the final ".") is kept apart from a failure, so it is retried at
-- most once.
--
-- SQLite cannot change a CHECK constraint, so the table is rebuilt.
CREATE TABLE deliveries_new (
    issue_id      INTEGER NOT NULL REFERENCES issues(id),
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'bounced', 'skipped', 'unknown')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    message_id    TEXT NOT NULL DEFAULT '',
    last_error    TEXT NOT NULL DEFAULT '',
    updated_at    INTEGER NOT NULL,
    -- The run that claimed the row (status 'sending'); a run never claims
    -- a row its own workers hold.
    run_id        TEXT NOT NULL DEFAULT '',
    -- How many attempts ended with no reply to the final ".".
    uncertain     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (issue_id, subscriber_id)
) WITHOUT ROWID;
INSERT INTO deliveries_new (issue_id, subscriber_id, status, attempts, message_id, last_error, updated_at)
    SELECT issue_id, subscriber_id, status, attempts, message_id, last_error, updated_at FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_status ON deliveries(issue_id, status);
