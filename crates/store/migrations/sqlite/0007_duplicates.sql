-- A receipt's content (everything the 審査支払機関 bills but the names, SHA-256 hex): a file
-- that repeats a receipt already held — re-sent, re-saved with other line ends, or copied into
-- another file — is refused on it, not only on the file's bytes.
ALTER TABLE receipts ADD COLUMN content_key TEXT;
CREATE INDEX receipts_content_key ON receipts(content_key);

-- A finding stays open until staff resolve it (e.g. a duplicate confirmed as two real visits);
-- 高額療養費・付加給付 hold back receipts of an open duplicate finding.
ALTER TABLE review_findings ADD COLUMN resolved_at TEXT;
ALTER TABLE review_findings ADD COLUMN resolved_by TEXT;
ALTER TABLE review_findings ADD COLUMN resolution TEXT;

-- A 特定健診 document's identity (受診者 + 実施日 + 健診機関 + the results, SHA-256 hex): the
-- same document re-zipped into another archive is refused.
ALTER TABLE checkups ADD COLUMN content_key TEXT;
CREATE INDEX checkups_content_key ON checkups(content_key);
