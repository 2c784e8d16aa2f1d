-- Audit log, checkpoints, per-member keys and APPI provision records (SQLite).
-- Keep in step with ../postgres/0002_audit.sql.

-- The chain head: one row, updated by every append (it serialises appenders).
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    next_seq INTEGER NOT NULL,
    -- Bumped by every erasure, so running processes drop cached member keys.
    key_epoch INTEGER NOT NULL DEFAULT 0,
    last_hash BLOB NOT NULL
);
INSERT INTO audit_head (id, next_seq, last_hash) VALUES (1, 0, X'0000000000000000000000000000000000000000000000000000000000000000');

-- One row per decision. Everything but `payload` and `payload_nonce` is hashed into the chain
-- (the payload through `payload_digest`), so erasing a payload keeps the chain verifiable.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    purpose TEXT NOT NULL,
    action TEXT NOT NULL,
    categories TEXT NOT NULL,
    outcome TEXT NOT NULL,
    rule TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    subject_kind TEXT NOT NULL,        -- none | population | person | set
    subject_tag BLOB,                  -- person: keyed tag (unlinkable once the member key is erased)
    subject_set BLOB,                  -- set: encoded person-id ranges
    payload_nonce BLOB,
    payload BLOB,                      -- personal details, encrypted under the member key; NULL once erased
    payload_digest BLOB NOT NULL,
    prev_hash BLOB NOT NULL,
    entry_hash BLOB NOT NULL
);
CREATE INDEX audit_log_subject_tag ON audit_log(subject_tag);
CREATE INDEX audit_log_actor ON audit_log(actor);

-- Signed checkpoints: the Merkle root over the first `size` entries.
CREATE TABLE audit_checkpoints (
    size INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    log_id TEXT NOT NULL,
    root BLOB NOT NULL,
    last_entry_hash BLOB NOT NULL,
    signature BLOB NOT NULL
);

-- Per-member keys for audit payloads, wrapped with the vault key. Deleting a row erases what
-- the log says about that member (crypto-shredding).
CREATE TABLE member_keys (
    person_id INTEGER PRIMARY KEY,
    key_id TEXT NOT NULL,
    nonce BLOB NOT NULL,
    wrapped BLOB NOT NULL,
    created_at TEXT NOT NULL
);

-- APPI Art. 29 (provision) and Art. 30 (receipt) records.
CREATE TABLE provisions (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    direction TEXT NOT NULL,           -- provide | receive
    counterparty TEXT NOT NULL,
    basis TEXT NOT NULL,
    use_id TEXT NOT NULL,
    categories TEXT NOT NULL,
    fields TEXT NOT NULL,
    subject_set BLOB NOT NULL,
    subject_count INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    actor TEXT NOT NULL,
    audit_seq INTEGER NOT NULL
);
