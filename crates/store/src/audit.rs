//! The audit log in the store: every decision, allowed and denied, appended to a hash chain in
//! the same database (and, for writes, in the same transaction) as the access it records.
//!
//! Personal details stay out of the hashed plaintext: a person appears as a tag keyed with a
//! per-member key, the person id only inside a payload encrypted under that key (the chain
//! hashes the payload's digest). Deleting the member key after the retention period erases
//! what the log says about the member while the chain still verifies. Batch work records the
//! person ids it touched as compact id ranges.

use crate::batch::{TableBuffer, Val};
use crate::{Store, StoreError};
use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload, rand_core::RngCore};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use kenpo_audit::{EntryFields, OUTCOME_ALLOW, OUTCOME_DENY, Subject as AuditSubject};
use kenpo_domain::DataCategory;
use kenpo_policy::{AccessContext, Action};
use sha2::{Digest, Sha256};
use sqlx::{Any, Transaction};
use zeroize::Zeroizing;

/// Whose data an audit entry is about.
#[derive(Clone, Debug)]
pub(crate) enum Touched {
    /// No personal data (e.g. checking the chain).
    Nothing,
    /// The population as a whole (statistics, searches).
    Population,
    /// One person.
    Person(i64),
    /// Many people (imports, exports).
    Set(Vec<i64>),
}

const TAG_CONTEXT: &[u8] = b"kenpo-audit-subject-v1";

/// One row of `audit_log`, as read back.
#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub purpose: String,
    pub action: String,
    pub categories: String,
    pub outcome: String,
    pub rule: String,
    pub policy_version: String,
    pub subject_kind: String,
    pub subject_tag: Option<Vec<u8>>,
    pub subject_set: Option<Vec<u8>>,
    pub payload_nonce: Option<Vec<u8>>,
    pub payload: Option<Vec<u8>>,
    pub payload_digest: Vec<u8>,
    pub prev_hash: Vec<u8>,
    pub entry_hash: Vec<u8>,
}

pub(crate) const AUDIT_COLUMNS: &str = "seq, at, actor, purpose, action, categories, outcome, rule, policy_version, \
     subject_kind, subject_tag, subject_set, payload_nonce, payload, payload_digest, prev_hash, entry_hash";

fn hash32(bytes: &[u8], what: &str, seq: i64) -> Result<[u8; 32], StoreError> {
    bytes.try_into().map_err(|_| StoreError::Corrupt(format!("audit entry {seq}: {what} is not 32 bytes")))
}

impl AuditRow {
    /// The hashed fields, rebuilt from the row.
    pub(crate) fn fields(&self) -> Result<EntryFields, StoreError> {
        let subject = match self.subject_kind.as_str() {
            "none" => AuditSubject::None,
            "population" => AuditSubject::Population,
            "person" => AuditSubject::Person { tag: self.subject_tag.clone().unwrap_or_default() },
            "set" => AuditSubject::Set { ranges: self.subject_set.clone().unwrap_or_default() },
            _ => return Err(StoreError::Corrupt(format!("audit entry {}: unknown subject kind", self.seq))),
        };
        Ok(EntryFields {
            seq: self.seq.max(0) as u64,
            at: self.at.clone(),
            actor: self.actor.clone(),
            purpose: self.purpose.clone(),
            action: self.action.clone(),
            categories: self.categories.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect(),
            outcome: self.outcome.clone(),
            rule: self.rule.clone(),
            policy_version: self.policy_version.clone(),
            subject,
            payload_digest: hash32(&self.payload_digest, "payload digest", self.seq)?,
        })
    }
    pub(crate) fn prev(&self) -> Result<[u8; 32], StoreError> {
        hash32(&self.prev_hash, "prev hash", self.seq)
    }
    pub(crate) fn hash(&self) -> Result<[u8; 32], StoreError> {
        hash32(&self.entry_hash, "entry hash", self.seq)
    }
}

fn member_cipher(key: &[u8; 32]) -> Aes256Gcm {
    Aes256Gcm::new(key.into())
}

pub(crate) fn subject_tag(key: &[u8; 32]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(TAG_CONTEXT);
    mac.finalize().into_bytes()[..16].to_vec()
}

impl Store {
    /// The member's audit key, created (and stored wrapped) on first use inside `tx`.
    pub(crate) async fn member_key(
        &self,
        tx: &mut Transaction<'static, Any>,
        person: i64,
        create: bool,
    ) -> Result<Option<Zeroizing<[u8; 32]>>, StoreError> {
        let row: Option<(Vec<u8>, Vec<u8>)> =
            sqlx::query_as("SELECT nonce, wrapped FROM member_keys WHERE person_id = $1")
                .bind(person)
                .fetch_optional(&mut **tx)
                .await?;
        if let Some((nonce, wrapped)) = row {
            return Ok(Some(self.vault.unwrap_member_key(person, &nonce, &wrapped)?));
        }
        if !create {
            return Ok(None);
        }
        let mut key = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(key.as_mut());
        let (nonce, wrapped) = self.vault.wrap_member_key(person, &key);
        sqlx::query(
            "INSERT INTO member_keys (person_id, key_id, nonce, wrapped, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(person)
        .bind(self.vault.key_id().to_string())
        .bind(nonce)
        .bind(wrapped)
        .bind(chrono::Utc::now().to_rfc3339())
        .execute(&mut **tx)
        .await?;
        Ok(Some(key))
    }

    /// Appends one entry inside `tx` and returns its seq. The head row serialises appenders:
    /// its UPDATE is the transaction's first write, so it takes the write lock at once.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn append_audit(
        &self,
        tx: &mut Transaction<'static, Any>,
        ctx: &AccessContext,
        action: Action,
        categories: &[DataCategory],
        allowed: bool,
        rule: &str,
        touched: &Touched,
    ) -> Result<i64, StoreError> {
        let (next, last): (i64, Vec<u8>) =
            sqlx::query_as("UPDATE audit_head SET next_seq = next_seq + 1 WHERE id = 1 RETURNING next_seq, last_hash")
                .fetch_one(&mut **tx)
                .await?;
        let seq = next - 1;
        let prev = hash32(&last, "head hash", seq)?;
        let (kind, subject, tag, set, nonce, payload, digest) = match touched {
            Touched::Nothing => ("none", AuditSubject::None, None, None, None, None, [0u8; 32]),
            Touched::Population => ("population", AuditSubject::Population, None, None, None, None, [0u8; 32]),
            Touched::Set(ids) => {
                let ranges = kenpo_audit::encode_ranges(ids);
                ("set", AuditSubject::Set { ranges: ranges.clone() }, None, Some(ranges), None, None, [0u8; 32])
            }
            Touched::Person(person) => {
                let key = self.member_key(tx, *person, true).await?.ok_or(StoreError::Corrupt("member key".into()))?;
                let tag = subject_tag(&key);
                let mut nonce = [0u8; 12];
                OsRng.fill_bytes(&mut nonce);
                let plain = format!("{{\"person_id\":{person}}}");
                let aad = format!("kenpo/audit/v1/seq/{seq}");
                let ct = member_cipher(&key)
                    .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain.as_bytes(), aad: aad.as_bytes() })
                    .expect("AES-GCM encryption cannot fail for small inputs");
                let digest: [u8; 32] = Sha256::new().chain_update(nonce).chain_update(&ct).finalize().into();
                (
                    "person",
                    AuditSubject::Person { tag: tag.clone() },
                    Some(tag),
                    None,
                    Some(nonce.to_vec()),
                    Some(ct),
                    digest,
                )
            }
        };
        let mut category_ids: Vec<&str> = categories.iter().map(|c| c.id()).collect();
        category_ids.sort_unstable();
        category_ids.dedup();
        let fields = EntryFields {
            seq: seq as u64,
            at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            actor: ctx.actor().to_string(),
            purpose: ctx.purpose().id().to_string(),
            action: action.id().to_string(),
            categories: category_ids.iter().map(|s| s.to_string()).collect(),
            outcome: if allowed { OUTCOME_ALLOW } else { OUTCOME_DENY }.to_string(),
            rule: rule.to_string(),
            policy_version: self.policy.version().to_string(),
            subject,
            payload_digest: digest,
        };
        let hash = kenpo_audit::entry_hash(&prev, &kenpo_audit::canonical(&fields));
        let mut row = TableBuffer::new(self.backend, "audit_log", &AUDIT_INSERT_COLUMNS);
        row.push(vec![
            Val::Int(seq),
            Val::Text(fields.at),
            Val::Text(fields.actor),
            Val::Text(fields.purpose),
            Val::Text(fields.action),
            Val::Text(category_ids.join(",")),
            Val::Text(fields.outcome),
            Val::Text(fields.rule),
            Val::Text(fields.policy_version),
            Val::Text(kind.to_string()),
            Val::OptBytes(tag),
            Val::OptBytes(set),
            Val::OptBytes(nonce),
            Val::OptBytes(payload),
            Val::Bytes(digest.to_vec()),
            Val::Bytes(prev.to_vec()),
            Val::Bytes(hash.to_vec()),
        ]);
        row.flush(tx).await?;
        sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1").bind(hash.to_vec()).execute(&mut **tx).await?;
        Ok(seq)
    }

    /// Records a decision in its own transaction (reads and denials). Returns once durable: the
    /// caller hands out nothing before this succeeds.
    pub(crate) async fn audit_now(
        &self,
        ctx: &AccessContext,
        action: Action,
        categories: &[DataCategory],
        allowed: bool,
        rule: &str,
        touched: &Touched,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let seq = self.append_audit(&mut tx, ctx, action, categories, allowed, rule, touched).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Decrypts an entry's payload with the member key, if both still exist.
    pub(crate) fn open_payload(key: &[u8; 32], seq: i64, nonce: &[u8], payload: &[u8]) -> Option<i64> {
        if nonce.len() != 12 {
            return None;
        }
        let aad = format!("kenpo/audit/v1/seq/{seq}");
        let plain =
            member_cipher(key).decrypt(Nonce::from_slice(nonce), Payload { msg: payload, aad: aad.as_bytes() }).ok()?;
        let text = String::from_utf8(plain).ok()?;
        text.trim_start_matches("{\"person_id\":").trim_end_matches('}').parse().ok()
    }
}

const AUDIT_INSERT_COLUMNS: [&str; 17] = [
    "seq",
    "at",
    "actor",
    "purpose",
    "action",
    "categories",
    "outcome",
    "rule",
    "policy_version",
    "subject_kind",
    "subject_tag",
    "subject_set",
    "payload_nonce",
    "payload",
    "payload_digest",
    "prev_hash",
    "entry_hash",
];
