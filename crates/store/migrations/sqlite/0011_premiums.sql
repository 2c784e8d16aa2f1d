-- 標準報酬 and premiums (issue 17). Rates are the society's, dated by month, in ppm of the
-- 標準報酬 (93.1/1000 = 93100). Determinations record every filed line and what the rule made of
-- it; a decided one also writes standard_remuneration. Premium charges are one row per person,
-- month and source (the month, or one bonus); invoices sum them per payer (an employer, or a
-- 任意継続被保険者 as V + person id). Payments are the bank's rows as imported; 入金消込 is
-- computed from invoices and payments (kenpo_domain::premium::reconcile), not stored.

CREATE TABLE premium_rates (
    effective_from TEXT PRIMARY KEY,      -- YYYY-MM
    basic_member INTEGER NOT NULL,
    basic_employer INTEGER NOT NULL,
    specific_member INTEGER NOT NULL,
    specific_employer INTEGER NOT NULL,
    adjustment_member INTEGER NOT NULL,
    adjustment_employer INTEGER NOT NULL,
    care_member INTEGER NOT NULL,
    care_employer INTEGER NOT NULL,
    support_member INTEGER NOT NULL,
    support_employer INTEGER NOT NULL,
    care_for_specified INTEGER NOT NULL,
    voluntary_cap INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    actor TEXT NOT NULL
);

CREATE TABLE remuneration_determinations (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL,                   -- acquisition | annual | annual_yearly | annual_kept | interim | childcare_end | maternity_end
    filed_month TEXT NOT NULL,            -- 適用年月 / 改定年月 as filed (YYYY-MM)
    decided INTEGER NOT NULL,             -- 0: not revised or excluded (reasoning says why)
    effective_from TEXT,                  -- YYYY-MM
    effective_until TEXT,
    grade INTEGER,
    monthly_amount INTEGER,
    average INTEGER,
    previous_amount INTEGER,
    months TEXT NOT NULL,                 -- JSON: the filed months (day counts and pay)
    employer_code TEXT,
    import_id INTEGER REFERENCES imports(id),
    source_line INTEGER,
    recorded_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    purpose TEXT NOT NULL,
    reasoning TEXT NOT NULL,              -- JSON array of lines
    UNIQUE (person_id, kind, filed_month)
);
CREATE INDEX remuneration_determinations_employer ON remuneration_determinations(employer_code, filed_month);
CREATE INDEX remuneration_determinations_import ON remuneration_determinations(import_id);
CREATE INDEX remuneration_determinations_person ON remuneration_determinations(person_id);

CREATE TABLE leaves (
    person_id INTEGER NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL,                   -- maternity | childcare
    start_on TEXT NOT NULL,
    end_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    PRIMARY KEY (person_id, kind, start_on)
);

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    payer TEXT NOT NULL,                  -- employer code, or V + person id (任意継続)
    payer_kind TEXT NOT NULL,             -- employer | voluntary
    month TEXT NOT NULL,                  -- YYYY-MM
    due_on TEXT NOT NULL,
    members INTEGER NOT NULL,
    member_total INTEGER NOT NULL,
    employer_total INTEGER NOT NULL,
    total INTEGER NOT NULL,
    issued_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    UNIQUE (payer, month)
);
CREATE INDEX invoices_month ON invoices(month);

CREATE TABLE premium_charges (
    person_id INTEGER NOT NULL REFERENCES persons(id),
    month TEXT NOT NULL,                  -- YYYY-MM
    source TEXT NOT NULL,                 -- monthly | bonus:YYYY-MM-DD
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    base INTEGER NOT NULL,                -- 標準報酬月額 or 標準賞与額
    general_member INTEGER NOT NULL,
    general_employer INTEGER NOT NULL,
    adjustment_member INTEGER NOT NULL,
    adjustment_employer INTEGER NOT NULL,
    care_member INTEGER NOT NULL,
    care_employer INTEGER NOT NULL,
    support_member INTEGER NOT NULL,
    support_employer INTEGER NOT NULL,
    member_total INTEGER NOT NULL,
    employer_total INTEGER NOT NULL,
    reasoning TEXT NOT NULL,              -- JSON array of lines
    PRIMARY KEY (person_id, month, source)
);
CREATE INDEX premium_charges_invoice ON premium_charges(invoice_id);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES imports(id),
    line INTEGER NOT NULL,
    paid_on TEXT NOT NULL,
    payer TEXT NOT NULL,
    amount INTEGER NOT NULL
);
CREATE INDEX payments_payer ON payments(payer, paid_on);
