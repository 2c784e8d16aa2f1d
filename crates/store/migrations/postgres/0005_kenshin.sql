-- 特定健診: 階層化・メタボ判定・受診勧奨 per checkup. One assessment run per fiscal year; a
-- re-run replaces the year's rows, so it is idempotent.
CREATE TABLE checkup_assessments (
    checkup_id BIGINT PRIMARY KEY REFERENCES checkups(id),
    fiscal_year BIGINT NOT NULL,
    person_id BIGINT REFERENCES persons(id),
    age BIGINT NOT NULL,                  -- at the end of the fiscal year
    sex BIGINT NOT NULL,
    level TEXT NOT NULL,               -- intensive | motivational | information | undeterminable
    metabolic TEXT NOT NULL,           -- meets | prone | no | undeterminable
    on_medication BIGINT,                 -- 1 / 0, NULL when the answers are missing
    referral TEXT,                     -- NULL | recommend | urgent
    referral_items TEXT NOT NULL,      -- the flagged items with their values, one per line
    reasons TEXT NOT NULL,             -- the 階層化 and メタボ判定 reasoning, one step per line
    assessed_at TEXT NOT NULL
);
CREATE INDEX checkup_assessments_year ON checkup_assessments(fiscal_year, level);

-- 特定保健指導の委託: one row per person handed to a guidance contractor in a hand-off file.
CREATE TABLE guidance_handoffs (
    fiscal_year BIGINT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    checkup_id BIGINT NOT NULL REFERENCES checkups(id),
    level TEXT NOT NULL,
    contractor TEXT NOT NULL,
    file_name TEXT NOT NULL,
    provision_id BIGINT NOT NULL REFERENCES provisions(id),
    handed_at TEXT NOT NULL,
    PRIMARY KEY (fiscal_year, person_id)
);

-- 特定保健指導 results returned by contractors (hg08): which year, how far it got, from whom.
ALTER TABLE guidance ADD COLUMN fiscal_year BIGINT;
ALTER TABLE guidance ADD COLUMN status TEXT;          -- started | completed | dropped
ALTER TABLE guidance ADD COLUMN import_id BIGINT REFERENCES imports(id);
ALTER TABLE guidance ADD COLUMN waist_cm TEXT;        -- at 実績評価
ALTER TABLE guidance ADD COLUMN weight_kg TEXT;
CREATE INDEX guidance_year ON guidance(fiscal_year);
