-- Eligibility as the system of record (issue 16). The roster stays the initial load; after it the
-- record changes only by events (eligibility_events), each audited, none ever updated or deleted.
-- A later event may correct an earlier one (corrects = its id); the projections below are what the
-- events made of the record, each row naming the event that wrote it.

-- Every card a person has held, with the days it was theirs (valid_until = the first day it no
-- longer was; NULL while current). persons keeps the current card; matching reads this table so a
-- receipt is matched with the card in force in its 診療年月.
CREATE TABLE card_history (
    person_id INTEGER NOT NULL REFERENCES persons(id),
    seq INTEGER NOT NULL,
    insurer_number TEXT NOT NULL,
    card_symbol TEXT NOT NULL,
    card_number TEXT NOT NULL,
    card_branch INTEGER NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    event_id INTEGER,
    PRIMARY KEY (person_id, seq)
);
CREATE INDEX card_history_card ON card_history(insurer_number, card_symbol, card_number);
INSERT INTO card_history (person_id, seq, insurer_number, card_symbol, card_number, card_branch, valid_from, valid_until, event_id)
SELECT p.id, 0, p.insurer_number, p.card_symbol, p.card_number, p.card_branch,
       COALESCE((SELECT MIN(e.acquired_on) FROM eligibility_periods e WHERE e.person_id = p.id), p.birth_date), NULL, NULL
FROM persons p;

CREATE TABLE eligibility_events (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL,               -- acquire | lose | voluntary | name | address | employer | card | elderly | correction
    effective_on TEXT NOT NULL,
    received_on TEXT NOT NULL,        -- when the filing reached the society (the 5-day clock)
    recorded_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    purpose TEXT NOT NULL,
    import_id INTEGER REFERENCES imports(id),
    reason TEXT,                      -- LossReason code or acquisition reason
    detail TEXT NOT NULL,             -- JSON: what the event changed (row keys and before values), never a name or number
    reasoning TEXT NOT NULL,          -- JSON array of lines (the rule's reasoning)
    corrects INTEGER REFERENCES eligibility_events(id)
);
CREATE INDEX eligibility_events_person ON eligibility_events(person_id);
CREATE UNIQUE INDEX eligibility_events_corrects ON eligibility_events(corrects);

-- Earlier names and addresses (the current ones live in persons and contacts).
CREATE TABLE name_history (
    person_id INTEGER NOT NULL REFERENCES persons(id),
    event_id INTEGER NOT NULL REFERENCES eligibility_events(id),
    valid_until TEXT NOT NULL,
    name_kanji TEXT NOT NULL,
    name_kana TEXT NOT NULL,
    PRIMARY KEY (person_id, event_id)
);
CREATE TABLE address_history (
    person_id INTEGER NOT NULL REFERENCES persons(id),
    event_id INTEGER NOT NULL REFERENCES eligibility_events(id),
    valid_until TEXT NOT NULL,
    postal_code TEXT,
    address TEXT,
    PRIMARY KEY (person_id, event_id)
);
-- Earlier employers (転勤 between the society's 事業所; the current one is persons.employer_code).
CREATE TABLE employer_history (
    person_id INTEGER NOT NULL REFERENCES persons(id),
    event_id INTEGER NOT NULL REFERENCES eligibility_events(id),
    valid_until TEXT NOT NULL,
    employer_code TEXT,
    PRIMARY KEY (person_id, event_id)
);
-- Whose dependant a person was, from when (the current link is persons.insured_id).
CREATE TABLE dependency_history (
    person_id INTEGER NOT NULL REFERENCES persons(id),
    seq INTEGER NOT NULL,
    insured_id INTEGER NOT NULL REFERENCES persons(id),
    relationship TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    event_id INTEGER,
    PRIMARY KEY (person_id, seq)
);
INSERT INTO dependency_history (person_id, seq, insured_id, relationship, valid_from, valid_until, event_id)
SELECT p.id, 0, p.insured_id, COALESCE(d.relationship, 'その他'),
       COALESCE((SELECT MIN(e.acquired_on) FROM eligibility_periods e WHERE e.person_id = p.id), p.birth_date), NULL, NULL
FROM persons p LEFT JOIN dependants d ON d.person_id = p.id WHERE p.insured_id IS NOT NULL;

-- The オンライン資格確認 registration outbox: one row per change to register with the 中間サーバー,
-- due 5 days after the filing was received. items = the registration items (JSON, no 個人番号: that
-- goes only through the vault under a 番号法 use). status: pending | sent | error | resend.
CREATE TABLE online_outbox (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES eligibility_events(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    change TEXT NOT NULL,             -- acquire | lose | change
    items TEXT NOT NULL,
    received_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_sent_at TEXT,
    error_code TEXT
);
CREATE INDEX online_outbox_status ON online_outbox(status, deadline);

-- 資格確認書 / 資格情報のお知らせ issued, with their validity.
CREATE TABLE certificates (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    event_id INTEGER REFERENCES eligibility_events(id),
    kind TEXT NOT NULL,               -- certificate (資格確認書) | notice (資格情報のお知らせ)
    issued_on TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT
);
CREATE INDEX certificates_person ON certificates(person_id);

-- 検認: a yearly re-check of dependants. One row per dependant listed; the answer and the rule's
-- outcome once imported.
CREATE TABLE dependant_checks (
    year INTEGER NOT NULL,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    employer_code TEXT,
    listed_on TEXT NOT NULL,
    answered_on TEXT,
    outcome TEXT,                     -- recognised | refused | documents
    reasoning TEXT,
    PRIMARY KEY (year, person_id)
);

-- The kind of coverage a period gives (insured | voluntary | dependant); NULL on rows from before
-- this migration, where persons.kind tells.
ALTER TABLE eligibility_periods ADD COLUMN kind TEXT;
