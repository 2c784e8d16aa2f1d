-- Who may log in to `kenpo serve`: staff (a catalogue role), members (their own person, after
-- activating with the one-time code printed on a notice) and contractors (API clients within
-- their contract). Secrets are never stored as given: passwords as argon2id PHC strings,
-- one-time codes as SHA-256, TOTP secrets sealed under the vault key.
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    role TEXT,
    person_id INTEGER REFERENCES persons(id),
    contractor_id TEXT,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    totp_nonce BLOB,
    totp_sealed BLOB,
    onetime_hash TEXT,
    onetime_expires TEXT,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    last_login_at TEXT
);
CREATE UNIQUE INDEX accounts_member ON accounts(person_id);

-- A status per review finding: NULL = 未確認, 'rereview' = 再審査請求, 'no_problem' = 問題なし.
-- Only 'no_problem' releases the receipts to 高額療養費 (as resolved_at did alone before).
ALTER TABLE review_findings ADD COLUMN status TEXT;
UPDATE review_findings SET status = 'no_problem' WHERE resolved_at IS NOT NULL;

-- 加入者検索 by カナ and 生年月日.
CREATE INDEX persons_birth_date ON persons(birth_date);
CREATE INDEX persons_name_kana ON persons(name_kana);
