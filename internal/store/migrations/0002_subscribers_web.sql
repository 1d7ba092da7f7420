-- venerdi serve: unguessable ids in links, double opt-in, consent records,
-- and suppression of forgotten addresses.

-- uid is what links carry instead of the row id, so a link tells nothing
-- about the list's size or order. Every insert gets a random one.
ALTER TABLE subscribers ADD COLUMN uid INTEGER;
UPDATE subscribers SET uid = abs(random()) WHERE uid IS NULL;
CREATE UNIQUE INDEX subscribers_uid ON subscribers(uid);
CREATE TRIGGER subscribers_uid_on_insert AFTER INSERT ON subscribers
WHEN NEW.uid IS NULL
BEGIN
    UPDATE subscribers SET uid = abs(random()) WHERE id = NEW.id;
END;

-- Confirmation mails sent to an address: at most one per 10 minutes and a
-- few per day, so the form cannot be used to mail-bomb a stranger.
ALTER TABLE subscribers ADD COLUMN confirm_sent_at INTEGER;
ALTER TABLE subscribers ADD COLUMN confirm_day TEXT NOT NULL DEFAULT '';
ALTER TABLE subscribers ADD COLUMN confirm_count INTEGER NOT NULL DEFAULT 0;

-- Consent, as the GDPR asks: who agreed to what, when, from where. One row
-- per event (a request from the form, a confirmation, an import).
CREATE TABLE consents (
    id            INTEGER PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id),
    event         TEXT NOT NULL CHECK (event IN ('requested', 'confirmed', 'imported', 'added', 'unsubscribed')),
    at            INTEGER NOT NULL,
    source        TEXT NOT NULL DEFAULT '',  -- "web form", "import list.csv", "one-click", …
    ip            TEXT NOT NULL DEFAULT '',
    wording       TEXT NOT NULL DEFAULT ''   -- the version of the form's consent text
);
CREATE INDEX consents_subscriber ON consents(subscriber_id);

-- Forgotten addresses: only a hash is kept, so that no import or add brings
-- one back without a new opt-in by its owner.
CREATE TABLE suppressions (
    email_hash TEXT PRIMARY KEY,             -- hex SHA-256 of the lower-cased address
    created_at INTEGER NOT NULL
);
