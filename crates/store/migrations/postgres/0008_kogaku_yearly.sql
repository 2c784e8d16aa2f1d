-- 高額療養費 年間上限 (from the 2026-08 計算期間): what each household bore in a month after the
-- monthly refunds, written by the monthly run (and replaced with it), read by the yearly run.
CREATE TABLE kogaku_household_months (
    service_month TEXT NOT NULL,
    member_id BIGINT NOT NULL REFERENCES persons(id),
    bracket TEXT NOT NULL,
    borne BIGINT NOT NULL,
    explanation TEXT NOT NULL,
    PRIMARY KEY (service_month, member_id)
);
CREATE INDEX kogaku_household_months_member ON kogaku_household_months(member_id);

-- One yearly run per 計算期間 (8月–翌7月, named by its first month); a re-run replaces it whole.
CREATE TABLE kogaku_yearly_runs (
    period_start TEXT PRIMARY KEY,
    run_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    households BIGINT NOT NULL,
    payments BIGINT NOT NULL,
    total BIGINT NOT NULL
);

CREATE TABLE kogaku_yearly_payments (
    period_start TEXT NOT NULL,
    seq BIGINT NOT NULL,
    member_id BIGINT NOT NULL REFERENCES persons(id),
    employer_code TEXT,
    bracket TEXT NOT NULL,
    cap BIGINT NOT NULL,
    total_borne BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    explanation TEXT NOT NULL,
    PRIMARY KEY (period_start, seq)
);
CREATE INDEX kogaku_yearly_payments_member ON kogaku_yearly_payments(member_id);
