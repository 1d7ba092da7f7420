-- Times are INTEGER Unix seconds (UTC); renderers convert to the site zone.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per configured source (feed or catalog).
CREATE TABLE sources (
    url           TEXT PRIMARY KEY,          -- as configured
    current_url   TEXT NOT NULL,             -- after permanent redirects
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    checked_at    INTEGER,
    ok_at         INTEGER,
    last_error    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE posts (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,      -- guid:…, link:… or hash:…
    guid          TEXT NOT NULL DEFAULT '',
    link          TEXT NOT NULL DEFAULT '',
    link_key      TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL,
    feed_title    TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    author        TEXT NOT NULL DEFAULT '',
    published_at  INTEGER NOT NULL,          -- the feed's date, else first_seen_at
    dated         INTEGER NOT NULL DEFAULT 1,-- 0: the feed gave no date
    first_seen_at INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    excerpt       TEXT NOT NULL DEFAULT '',
    content_html  TEXT NOT NULL DEFAULT '',
    image_url     TEXT NOT NULL DEFAULT '',
    categories    TEXT NOT NULL DEFAULT '[]' -- JSON array
);
CREATE INDEX posts_guid ON posts(guid) WHERE guid <> '';
CREATE INDEX posts_link_key ON posts(link_key) WHERE link_key <> '';
CREATE INDEX posts_published ON posts(published_at);

CREATE TABLE webinars (
    id                TEXT PRIMARY KEY,
    title             TEXT NOT NULL,
    speaker           TEXT NOT NULL DEFAULT '',
    description       TEXT NOT NULL DEFAULT '',
    url               TEXT NOT NULL DEFAULT '',
    recording_url     TEXT NOT NULL DEFAULT '',
    starts_at         INTEGER NOT NULL,
    duration_min      INTEGER NOT NULL,
    all_day           INTEGER NOT NULL DEFAULT 0,
    cancelled         INTEGER NOT NULL DEFAULT 0,
    first_seen_at     INTEGER NOT NULL,
    recording_seen_at INTEGER,               -- when recording_url first appeared
    updated_at        INTEGER NOT NULL
);
CREATE INDEX webinars_starts ON webinars(starts_at);

-- An issue is frozen once composed: a resumed send uses these bytes.
CREATE TABLE issues (
    id          INTEGER PRIMARY KEY,
    week        TEXT UNIQUE,                 -- ISO week; NULL for one-off letters
    kind        TEXT NOT NULL DEFAULT 'digest',
    subject     TEXT NOT NULL,
    html        TEXT NOT NULL,
    text        TEXT NOT NULL,
    composed_at INTEGER NOT NULL,
    cutoff_at   INTEGER NOT NULL,            -- posts up to here are covered
    status      TEXT NOT NULL DEFAULT 'composed' CHECK (status IN ('composed', 'sending', 'done')),
    finished_at INTEGER
);

-- What an issue covers. For webinars, the announced start and state are kept
-- so that a later change can be reported once.
CREATE TABLE issue_items (
    issue_id  INTEGER NOT NULL REFERENCES issues(id),
    kind      TEXT NOT NULL CHECK (kind IN ('post', 'webinar', 'recording', 'change')),
    ref       TEXT NOT NULL,                 -- posts.id or webinars.id
    starts_at INTEGER,
    cancelled INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (issue_id, kind, ref)
);
CREATE INDEX issue_items_ref ON issue_items(kind, ref);

CREATE TABLE subscribers (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name       TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL CHECK (status IN ('active', 'pending', 'unsubscribed', 'bounced')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The ledger: one row per (issue, subscriber). It is the truth about who got what.
CREATE TABLE deliveries (
    issue_id      INTEGER NOT NULL REFERENCES issues(id),
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'bounced', 'skipped')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    message_id    TEXT NOT NULL DEFAULT '',
    last_error    TEXT NOT NULL DEFAULT '',
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (issue_id, subscriber_id)
) WITHOUT ROWID;
CREATE INDEX deliveries_status ON deliveries(issue_id, status);
