-- Letters beside the weekly digest, and streams: what each subscriber gets.
--
-- A letter is an issue of kind 'letter' (week NULL) sent to a stream. It is
-- identified by a hash of its file's content (front matter and body), so the
-- same file sent twice is one letter; source is the file it came from, so an
-- edited file is recognised as a new version of a letter already sent.
-- send_at is when it is due (the moment of the send, or 'letter send --at');
-- archive_key names it in the web archive (/archive/{key}).
ALTER TABLE issues ADD COLUMN stream TEXT NOT NULL DEFAULT 'digest' CHECK (stream IN ('digest', 'letters'));
ALTER TABLE issues ADD COLUMN content_hash TEXT;
ALTER TABLE issues ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE issues ADD COLUMN send_at INTEGER;
ALTER TABLE issues ADD COLUMN archive_key TEXT;
CREATE UNIQUE INDEX issues_content_hash ON issues(content_hash) WHERE content_hash IS NOT NULL;
CREATE UNIQUE INDEX issues_archive_key ON issues(archive_key) WHERE archive_key IS NOT NULL;
CREATE INDEX issues_due ON issues(status, send_at) WHERE send_at IS NOT NULL;

-- The streams a subscriber has stopped; everyone gets every stream they
-- have not stopped, so a new subscriber gets both and a stream added later
-- reaches the whole list.
CREATE TABLE stream_optouts (
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id),
    stream        TEXT NOT NULL CHECK (stream IN ('digest', 'letters')),
    at            INTEGER NOT NULL,
    PRIMARY KEY (subscriber_id, stream)
) WITHOUT ROWID;
