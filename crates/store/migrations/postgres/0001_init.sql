-- Kenpo schema (PostgreSQL). Keep in step with ../sqlite/0001_init.sql: same tables, same columns.
-- Integers are BIGINT (i64), dates TEXT 'YYYY-MM-DD', months TEXT 'YYYY-MM', flags 0/1.
-- Every column holding personal data is listed, with its category, in kenpo_domain::Field.

CREATE TABLE imports (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,               -- roster | benefits | receipts | checkups
    file_name TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    purpose TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    UNIQUE (kind, content_sha256)
);

CREATE TABLE employers (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL
);

CREATE TABLE persons (
    id BIGINT PRIMARY KEY,
    import_id BIGINT NOT NULL REFERENCES imports(id),
    insurer_number TEXT NOT NULL,
    card_symbol TEXT NOT NULL,
    card_number TEXT NOT NULL,
    card_branch BIGINT NOT NULL,
    kind TEXT NOT NULL,               -- insured | voluntary | dependant
    insured_id BIGINT REFERENCES persons(id),
    name_kanji TEXT NOT NULL,
    name_kana TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex BIGINT NOT NULL,             -- 1 男, 2 女
    employer_code TEXT REFERENCES employers(code),
    UNIQUE (insurer_number, card_symbol, card_number, card_branch)
);
CREATE INDEX persons_employer ON persons(employer_code);
CREATE INDEX persons_insured ON persons(insured_id);

CREATE TABLE eligibility_periods (
    person_id BIGINT NOT NULL REFERENCES persons(id),
    seq BIGINT NOT NULL,
    acquired_on TEXT NOT NULL,
    acquisition_reason TEXT NOT NULL,
    lost_on TEXT,
    loss_reason TEXT,
    PRIMARY KEY (person_id, seq)
);

CREATE TABLE standard_remuneration (
    person_id BIGINT NOT NULL REFERENCES persons(id),
    effective_from TEXT NOT NULL,
    grade BIGINT NOT NULL,
    monthly_amount BIGINT NOT NULL,
    PRIMARY KEY (person_id, effective_from)
);

CREATE TABLE bonuses (
    person_id BIGINT NOT NULL REFERENCES persons(id),
    paid_on TEXT NOT NULL,
    amount BIGINT NOT NULL,
    standard_amount BIGINT NOT NULL,
    PRIMARY KEY (person_id, paid_on)
);

CREATE TABLE dependants (
    person_id BIGINT PRIMARY KEY REFERENCES persons(id),
    relationship TEXT NOT NULL,
    cohabiting BIGINT NOT NULL,
    annual_income BIGINT NOT NULL
);

CREATE TABLE contacts (
    person_id BIGINT PRIMARY KEY REFERENCES persons(id),
    postal_code TEXT NOT NULL,
    address TEXT NOT NULL,
    phone TEXT NOT NULL
);

-- My Number vault: AES-256-GCM ciphertext (AAD binds it to the person) and an HMAC-SHA256
-- blind index for equality lookup. The plaintext is never stored.
CREATE TABLE my_numbers (
    person_id BIGINT PRIMARY KEY REFERENCES persons(id),
    key_id TEXT NOT NULL,
    nonce BYTEA NOT NULL,
    ciphertext BYTEA NOT NULL,
    blind_index BYTEA NOT NULL
);
CREATE INDEX my_numbers_blind_index ON my_numbers(blind_index);

CREATE TABLE receipts (
    id BIGINT PRIMARY KEY,
    import_id BIGINT NOT NULL REFERENCES imports(id),
    person_id BIGINT REFERENCES persons(id),   -- NULL while unmatched
    kind TEXT NOT NULL,
    setting TEXT NOT NULL,
    receipt_type TEXT NOT NULL,
    service_month TEXT NOT NULL,
    institution_code TEXT NOT NULL,
    institution_prefecture BIGINT NOT NULL,
    institution_name TEXT NOT NULL,
    institution_address TEXT,
    insurer_number TEXT NOT NULL,
    card_symbol TEXT NOT NULL,
    card_number TEXT NOT NULL,
    card_branch BIGINT,
    patient_name TEXT NOT NULL,
    patient_kana TEXT NOT NULL,
    patient_sex BIGINT NOT NULL,
    patient_birth_date TEXT NOT NULL,
    admission_date TEXT,
    days BIGINT NOT NULL,
    total_points BIGINT NOT NULL,
    patient_charge BIGINT,
    meal_amount BIGINT,
    search_number TEXT
);
CREATE INDEX receipts_person_month ON receipts(person_id, service_month);
CREATE INDEX receipts_month ON receipts(service_month);

CREATE TABLE receipt_diagnoses (
    receipt_id BIGINT NOT NULL REFERENCES receipts(id),
    seq BIGINT NOT NULL,
    code TEXT NOT NULL,
    name TEXT,
    start_date TEXT NOT NULL,
    outcome BIGINT NOT NULL,
    main BIGINT NOT NULL,
    modifiers TEXT NOT NULL,
    PRIMARY KEY (receipt_id, seq)
);

CREATE TABLE receipt_lines (
    receipt_id BIGINT NOT NULL REFERENCES receipts(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,               -- SI | IY | TO
    care_category TEXT NOT NULL,      -- 診療識別
    payer_code TEXT NOT NULL,         -- 負担区分
    code TEXT NOT NULL,
    quantity TEXT NOT NULL,
    points BIGINT,
    count BIGINT NOT NULL,
    service_days TEXT NOT NULL,       -- comma-separated days of month
    PRIMARY KEY (receipt_id, seq)
);

CREATE TABLE cash_benefits (
    id BIGINT PRIMARY KEY,
    import_id BIGINT NOT NULL REFERENCES imports(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL,
    received_on TEXT NOT NULL,
    status TEXT NOT NULL,
    period_from TEXT,
    period_to TEXT,
    diagnosis TEXT,
    clinical_note TEXT,
    pay_during_period BIGINT,
    pension_amount BIGINT,
    days_worked BIGINT,
    event_date TEXT,
    claimed_amount BIGINT NOT NULL,
    decided_amount BIGINT,
    claimant TEXT
);
CREATE INDEX cash_benefits_person ON cash_benefits(person_id);

CREATE TABLE checkups (
    id BIGINT PRIMARY KEY,
    import_id BIGINT NOT NULL REFERENCES imports(id),
    person_id BIGINT REFERENCES persons(id),
    insurer_number TEXT NOT NULL,
    card_symbol TEXT NOT NULL,
    card_number TEXT NOT NULL,
    card_branch BIGINT,
    name_kana TEXT NOT NULL,
    sex BIGINT NOT NULL,
    birth_date TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    address TEXT NOT NULL,
    exam_date TEXT NOT NULL,
    institution_code TEXT NOT NULL,
    institution_name TEXT NOT NULL,
    institution_address TEXT NOT NULL
);
CREATE INDEX checkups_person ON checkups(person_id);

CREATE TABLE checkup_results (
    checkup_id BIGINT NOT NULL REFERENCES checkups(id),
    seq BIGINT NOT NULL,
    item_code TEXT NOT NULL,
    value_type TEXT NOT NULL,         -- PQ | CD | ST | NOT_PERFORMED | UNMEASURABLE
    value TEXT,
    unit TEXT,
    code_system TEXT,
    PRIMARY KEY (checkup_id, seq)
);

CREATE TABLE guidance (
    id BIGINT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    level TEXT NOT NULL,
    started_on TEXT NOT NULL,
    plan TEXT NOT NULL,
    evaluated_on TEXT,
    outcome TEXT,
    contractor TEXT
);
CREATE INDEX guidance_person ON guidance(person_id);
