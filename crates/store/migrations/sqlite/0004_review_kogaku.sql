-- 調剤: the institution that wrote the prescription (高額療養費 merges the receipt into its unit;
-- 突合 looks for its 医科 receipt).
ALTER TABLE receipts ADD COLUMN prescriber_code TEXT;
ALTER TABLE receipts ADD COLUMN prescriber_prefecture INTEGER;

-- 点検 findings: what a review rule found about one receipt (and the receipt it relates to).
-- A review run replaces the findings of its months, so re-running is idempotent.
CREATE TABLE review_findings (
    id INTEGER PRIMARY KEY,
    service_month TEXT NOT NULL,
    rule TEXT NOT NULL,
    receipt_id INTEGER NOT NULL REFERENCES receipts(id),
    related_receipt_id INTEGER REFERENCES receipts(id),
    person_id INTEGER REFERENCES persons(id),
    detail TEXT NOT NULL,
    found_at TEXT NOT NULL
);
CREATE INDEX review_findings_month ON review_findings(service_month);

-- 高額療養費・付加給付: one run per 診療年月; a re-run replaces it whole.
CREATE TABLE kogaku_runs (
    service_month TEXT PRIMARY KEY,
    run_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    rules TEXT NOT NULL,
    households INTEGER NOT NULL,
    payments INTEGER NOT NULL,
    total INTEGER NOT NULL
);

CREATE TABLE kogaku_payments (
    service_month TEXT NOT NULL,
    seq INTEGER NOT NULL,
    member_id INTEGER NOT NULL REFERENCES persons(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    employer_code TEXT,
    kind TEXT NOT NULL,
    amount INTEGER NOT NULL,
    receipts TEXT NOT NULL,
    explanation TEXT NOT NULL,
    PRIMARY KEY (service_month, seq)
);
CREATE INDEX kogaku_payments_member ON kogaku_payments(member_id);
