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
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};
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
    /// The member's stored audit key, if any (keys are created by the appender, `member_key_in`).
    pub(crate) async fn member_key(
        &self,
        tx: &mut Transaction<'static, Any>,
        person: i64,
    ) -> Result<Option<Zeroizing<[u8; 32]>>, StoreError> {
        let row: Option<(Vec<u8>, Vec<u8>)> =
            sqlx::query_as("SELECT nonce, wrapped FROM member_keys WHERE person_id = $1")
                .bind(person)
                .fetch_optional(&mut **tx)
                .await?;
        match row {
            Some((nonce, wrapped)) => Ok(Some(self.vault.unwrap_member_key(person, &nonce, &wrapped)?)),
            None => Ok(None),
        }
    }

    /// Appends one entry inside `tx` and returns its seq (writes: the entry commits with them).
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
        let job = PendingEntry::new(ctx, action, categories, allowed, rule, touched.clone());
        let seqs = append_batch(tx, &self.audit_env(), std::slice::from_ref(&job)).await?;
        Ok(seqs[0])
    }

    pub(crate) fn audit_env(&self) -> AuditEnv {
        AuditEnv {
            vault: self.vault.clone(),
            backend: self.backend,
            policy_version: self.policy.version().to_string(),
            keys: self.member_keys.clone(),
        }
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
        let job = PendingEntry::new(ctx, action, categories, allowed, rule, touched.clone());
        self.appender.append(vec![job]).await.map(|seqs| seqs[0])
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

/// What an entry needs besides its place in the chain.
#[derive(Clone, Debug)]
pub(crate) struct PendingEntry {
    actor: String,
    purpose: String,
    action: Action,
    categories: Vec<&'static str>,
    allowed: bool,
    rule: String,
    touched: Touched,
}

impl PendingEntry {
    pub(crate) fn new(
        ctx: &AccessContext,
        action: Action,
        categories: &[DataCategory],
        allowed: bool,
        rule: &str,
        touched: Touched,
    ) -> Self {
        let mut categories: Vec<&'static str> = categories.iter().map(|c| c.id()).collect();
        categories.sort_unstable();
        categories.dedup();
        Self {
            actor: logged_actor(ctx.actor()),
            purpose: ctx.purpose().id().to_string(),
            action,
            categories,
            allowed,
            rule: rule.to_string(),
            touched,
        }
    }
}

/// Member keys already read from the table, valid for one erasure epoch.
#[derive(Default)]
pub(crate) struct CachedKeys {
    epoch: i64,
    keys: HashMap<i64, Zeroizing<[u8; 32]>>,
}

pub(crate) type KeyCache = Arc<Mutex<CachedKeys>>;

/// Drops one member's cached key (this process's erasure).
pub(crate) fn forget_key(cache: &KeyCache, person: i64) {
    if let Ok(mut c) = cache.lock() {
        c.keys.remove(&person);
    }
}

/// How an actor is written in the hashed log. A member acting on their own data is written as
/// `member` without the id: the keyed subject tag already says whose data it was, and a plain
/// id here could not be erased.
pub(crate) fn logged_actor(actor: &kenpo_policy::Actor) -> String {
    match actor {
        kenpo_policy::Actor::Member { .. } => "member".to_string(),
        other => other.to_string(),
    }
}

/// What appending needs from the store, owned, so the appender task can hold it.
#[derive(Clone)]
pub(crate) struct AuditEnv {
    vault: Arc<crate::vault::Vault>,
    backend: crate::Backend,
    policy_version: String,
    keys: KeyCache,
}

impl AuditEnv {
    pub(crate) fn new(
        vault: Arc<crate::vault::Vault>,
        backend: crate::Backend,
        policy_version: String,
        keys: KeyCache,
    ) -> Self {
        Self { vault, backend, policy_version, keys }
    }
}

/// Appends entries in order inside `tx`: one head update for the batch, one multi-row insert.
/// Keys created here are cached only by the caller after the commit (`fresh_keys`).
async fn append_batch(
    tx: &mut Transaction<'static, Any>,
    env: &AuditEnv,
    jobs: &[PendingEntry],
) -> Result<Vec<i64>, StoreError> {
    let (next, last, epoch): (i64, Vec<u8>, i64) = sqlx::query_as(
        "UPDATE audit_head SET next_seq = next_seq + $1 WHERE id = 1 RETURNING next_seq, last_hash, key_epoch",
    )
    .bind(jobs.len() as i64)
    .fetch_one(&mut **tx)
    .await?;
    // An erasure (by any process) bumps the epoch: forget every cached member key.
    if let Ok(mut cache) = env.keys.lock()
        && cache.epoch != epoch
    {
        cache.keys.clear();
        cache.epoch = epoch;
    }
    let first = next - jobs.len() as i64;
    let mut prev = hash32(&last, "head hash", first)?;
    let mut rows = TableBuffer::new(env.backend, "audit_log", &AUDIT_INSERT_COLUMNS);
    let mut seqs = Vec::with_capacity(jobs.len());
    for (i, job) in jobs.iter().enumerate() {
        let seq = first + i as i64;
        let (kind, subject, tag, set, nonce, payload, digest) = match &job.touched {
            Touched::Nothing => ("none", AuditSubject::None, None, None, None, None, [0u8; 32]),
            Touched::Population => ("population", AuditSubject::Population, None, None, None, None, [0u8; 32]),
            Touched::Set(ids) => {
                let ranges = kenpo_audit::encode_ranges(ids);
                ("set", AuditSubject::Set { ranges: ranges.clone() }, None, Some(ranges), None, None, [0u8; 32])
            }
            Touched::Person(person) => {
                let key = member_key_in(tx, env, *person).await?;
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
        let fields = EntryFields {
            seq: seq as u64,
            at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            actor: job.actor.clone(),
            purpose: job.purpose.clone(),
            action: job.action.id().to_string(),
            categories: job.categories.iter().map(|s| s.to_string()).collect(),
            outcome: if job.allowed { OUTCOME_ALLOW } else { OUTCOME_DENY }.to_string(),
            rule: job.rule.clone(),
            policy_version: env.policy_version.clone(),
            subject,
            payload_digest: digest,
        };
        let hash = kenpo_audit::entry_hash(&prev, &kenpo_audit::canonical(&fields));
        rows.push(vec![
            Val::Int(seq),
            Val::Text(fields.at),
            Val::Text(fields.actor),
            Val::Text(fields.purpose),
            Val::Text(fields.action),
            Val::Text(job.categories.join(",")),
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
        prev = hash;
        seqs.push(seq);
    }
    rows.flush(tx).await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1").bind(prev.to_vec()).execute(&mut **tx).await?;
    Ok(seqs)
}

/// The member's key: from the cache, else the table, else created inside `tx`.
async fn member_key_in(
    tx: &mut Transaction<'static, Any>,
    env: &AuditEnv,
    person: i64,
) -> Result<Zeroizing<[u8; 32]>, StoreError> {
    if let Some(key) = env.keys.lock().ok().and_then(|cache| cache.keys.get(&person).cloned()) {
        return Ok(key);
    }
    let row: Option<(Vec<u8>, Vec<u8>)> = sqlx::query_as("SELECT nonce, wrapped FROM member_keys WHERE person_id = $1")
        .bind(person)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some((nonce, wrapped)) = row {
        // Stored keys are committed: safe to cache.
        let key = env.vault.unwrap_member_key(person, &nonce, &wrapped)?;
        if let Ok(mut cache) = env.keys.lock() {
            cache.keys.insert(person, key.clone());
        }
        return Ok(key);
    }
    let mut key = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(key.as_mut());
    let (nonce, wrapped) = env.vault.wrap_member_key(person, &key);
    sqlx::query("INSERT INTO member_keys (person_id, key_id, nonce, wrapped, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(person)
        .bind(env.vault.key_id().to_string())
        .bind(nonce)
        .bind(wrapped)
        .bind(chrono::Utc::now().to_rfc3339())
        .execute(&mut **tx)
        .await?;
    // Not cached: the transaction may still roll back; the next use reads it from the table.
    Ok(key)
}

struct Job {
    entries: Vec<PendingEntry>,
    reply: oneshot::Sender<Result<Vec<i64>, String>>,
}

/// Group commit: entries from concurrent requests that arrive while a transaction is being
/// written go into the next one together. Each caller waits for its own acknowledgement (the
/// commit) before handing anything out; nothing acknowledged is ever lost.
#[derive(Clone)]
pub(crate) struct Appender {
    sender: mpsc::Sender<Job>,
}

const GROUP_LIMIT: usize = 512;

impl Appender {
    pub(crate) fn start(pool: sqlx::AnyPool, env: AuditEnv) -> Self {
        let (sender, mut receiver) = mpsc::channel::<Job>(4096);
        tokio::spawn(async move {
            while let Some(first) = receiver.recv().await {
                let mut jobs = vec![first];
                let mut count = jobs[0].entries.len();
                while count < GROUP_LIMIT {
                    match receiver.try_recv() {
                        Ok(job) => {
                            count += job.entries.len();
                            jobs.push(job);
                        }
                        Err(_) => break,
                    }
                }
                let entries: Vec<PendingEntry> = jobs.iter().flat_map(|j| j.entries.iter().cloned()).collect();
                let result: Result<Vec<i64>, StoreError> = async {
                    let mut tx = pool.begin().await?;
                    let seqs = append_batch(&mut tx, &env, &entries).await?;
                    tx.commit().await?;
                    Ok(seqs)
                }
                .await;
                match result {
                    Ok(seqs) => {
                        let mut at = 0;
                        for job in jobs {
                            let n = job.entries.len();
                            let _ = job.reply.send(Ok(seqs[at..at + n].to_vec()));
                            at += n;
                        }
                    }
                    Err(e) => {
                        let message = e.to_string();
                        for job in jobs {
                            let _ = job.reply.send(Err(message.clone()));
                        }
                    }
                }
            }
        });
        Self { sender }
    }

    /// Appends and waits for the commit.
    pub(crate) async fn append(&self, entries: Vec<PendingEntry>) -> Result<Vec<i64>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Job { entries, reply })
            .await
            .map_err(|_| StoreError::Corrupt("the audit appender has stopped".into()))?;
        match answer.await {
            Ok(Ok(seqs)) => Ok(seqs),
            Ok(Err(message)) => Err(StoreError::Audit(message)),
            Err(_) => Err(StoreError::Corrupt("the audit appender has stopped".into())),
        }
    }
}
