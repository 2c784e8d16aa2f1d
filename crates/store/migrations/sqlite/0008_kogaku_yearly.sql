-- 高額療養費 年間上限 (from the 2026-08 計算期間): what each household bore in a month after the
-- monthly refunds, written by the monthly run (and replaced with it), read by the yearly run.
CREATE TABLE kogaku_household_months (
    service_month TEXT NOT NULL,
    member_id INTEGER NOT NULL REFERENCES persons(id),
    bracket TEXT NOT NULL,
    borne INTEGER NOT NULL,
    explanation TEXT NOT NULL,
    PRIMARY KEY (service_month, member_id)
);
CREATE INDEX kogaku_household_months_member ON kogaku_household_months(member_id);

-- One yearly run per 計算期間 (8月–翌7月, named by its first month); a re-run replaces it whole.
CREATE TABLE kogaku_yearly_runs (
    period_start TEXT PRIMARY KEY,
    run_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    households INTEGER NOT NULL,
    payments INTEGER NOT NULL,
    total INTEGER NOT NULL
);

CREATE TABLE kogaku_yearly_payments (
    period_start TEXT NOT NULL,
    seq INTEGER NOT NULL,
    member_id INTEGER NOT NULL REFERENCES persons(id),
    employer_code TEXT,
    bracket TEXT NOT NULL,
    cap INTEGER NOT NULL,
    total_borne INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    explanation TEXT NOT NULL,
    PRIMARY KEY (period_start, seq)
);
CREATE INDEX kogaku_yearly_payments_member ON kogaku_yearly_payments(member_id);
