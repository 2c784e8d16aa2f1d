-- Audit log, checkpoints, per-member keys and APPI provision records (PostgreSQL).
-- Keep in step with ../sqlite/0002_audit.sql.

-- The chain head: one row, updated by every append (it serialises appenders).
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    next_seq BIGINT NOT NULL,
    -- Bumped by every erasure, so running processes drop cached member keys.
    key_epoch BIGINT NOT NULL DEFAULT 0,
    last_hash BYTEA NOT NULL
);
INSERT INTO audit_head (id, next_seq, last_hash) VALUES (1, 0, decode('0000000000000000000000000000000000000000000000000000000000000000', 'hex'));

-- One row per decision. Everything but `payload` and `payload_nonce` is hashed into the chain
-- (the payload through `payload_digest`), so erasing a payload keeps the chain verifiable.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    purpose TEXT NOT NULL,
    action TEXT NOT NULL,
    categories TEXT NOT NULL,
    outcome TEXT NOT NULL,
    rule TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    subject_kind TEXT NOT NULL,        -- none | population | person | set
    subject_tag BYTEA,                  -- person: keyed tag (unlinkable once the member key is erased)
    subject_set BYTEA,                  -- set: encoded person-id ranges
    payload_nonce BYTEA,
    payload BYTEA,                      -- personal details, encrypted under the member key; NULL once erased
    payload_digest BYTEA NOT NULL,
    prev_hash BYTEA NOT NULL,
    entry_hash BYTEA NOT NULL
);
CREATE INDEX audit_log_subject_tag ON audit_log(subject_tag);
CREATE INDEX audit_log_actor ON audit_log(actor);

-- Signed checkpoints: the Merkle root over the first `size` entries.
CREATE TABLE audit_checkpoints (
    size BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    log_id TEXT NOT NULL,
    root BYTEA NOT NULL,
    last_entry_hash BYTEA NOT NULL,
    signature BYTEA NOT NULL
);

-- Per-member keys for audit payloads, wrapped with the vault key. Deleting a row erases what
-- the log says about that member (crypto-shredding).
CREATE TABLE member_keys (
    person_id BIGINT PRIMARY KEY,
    key_id TEXT NOT NULL,
    nonce BYTEA NOT NULL,
    wrapped BYTEA NOT NULL,
    created_at TEXT NOT NULL
);

-- APPI Art. 29 (provision) and Art. 30 (receipt) records.
CREATE TABLE provisions (
    id BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    direction TEXT NOT NULL,           -- provide | receive
    counterparty TEXT NOT NULL,
    basis TEXT NOT NULL,
    use_id TEXT NOT NULL,
    categories TEXT NOT NULL,
    fields TEXT NOT NULL,
    subject_set BYTEA NOT NULL,
    subject_count BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    actor TEXT NOT NULL,
    audit_seq BIGINT NOT NULL
);
