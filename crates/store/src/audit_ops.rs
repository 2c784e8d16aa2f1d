//! Operating the audit log: verify, checkpoint, prove, erase after retention; and the two
//! reports the law asks for: a member's disclosure (APPI Art. 33) and contractor supervision
//! (Art. 25).

use crate::audit::{AUDIT_COLUMNS, AuditRow, Touched, subject_tag};
use crate::guard::Grant;
use crate::people::PersonView;
use crate::provisions::{PROVISION_COLUMNS, ProvisionView};
use crate::repo::Operator;
use crate::{Store, StoreError};
use kenpo_audit::{AuditSigningKey, ChainVerifier, Checkpoint, InclusionProof, SignedCheckpoint, VerifyingKey};
use kenpo_domain::DataCategory;
use kenpo_policy::engine::audit_operation;
use kenpo_policy::{AccessContext, Action, PersonId};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The result of `audit verify`.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub entries: u64,
    pub checkpoints: u64,
    /// Checkpoint signatures checked (a public key was given).
    pub signatures_checked: bool,
    /// The first entry (or checkpoint) that does not verify, and why.
    pub first_bad: Option<BadEntry>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BadEntry {
    pub seq: i64,
    pub problem: String,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.first_bad.is_none()
    }
}

const PAGE: i64 = 50_000;

#[derive(sqlx::FromRow)]
struct CheckpointRow {
    size: i64,
    at: String,
    log_id: String,
    root: Vec<u8>,
    last_entry_hash: Vec<u8>,
    signature: Vec<u8>,
}

impl Store {
    /// Whether the actor may perform `operation` on the audit log, as the catalogue's roles say;
    /// a refusal is itself audited.
    pub(crate) async fn require_operator(
        &self,
        ctx: &AccessContext,
        operation: &'static str,
    ) -> Result<Operator, StoreError> {
        let d = audit_operation(&self.catalogue, ctx.actor(), operation);
        if d.is_allowed() {
            return Ok(Operator::checked());
        }
        self.audit_now(ctx, Action::Write, &[], false, d.rule(), &Touched::Nothing).await?;
        Err(StoreError::Denied {
            actor: ctx.actor().to_string(),
            action: operation,
            purpose: ctx.purpose().id().to_string(),
            category: DataCategory::Identity,
            rule: d.rule(),
            policy_version: self.policy.version().to_string(),
        })
    }

    /// Every entry hash, in seq order, checking the chain as it goes. Reads one consistent
    /// snapshot (a read transaction; REPEATABLE READ on PostgreSQL), so appends committed
    /// meanwhile are neither half-seen nor mistaken for tampering.
    async fn walk_chain(&self, op: &Operator) -> Result<(Vec<[u8; 32]>, Option<BadEntry>), StoreError> {
        let mut tx = self.db.operator(op).begin().await?;
        if self.backend == crate::Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *tx).await?;
        }
        let (next, last): (i64, Vec<u8>) =
            sqlx::query_as("SELECT next_seq, last_hash FROM audit_head WHERE id = 1").fetch_one(&mut *tx).await?;
        let mut verifier = ChainVerifier::new();
        let mut hashes = Vec::new();
        let mut from = 0i64;
        loop {
            let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT {PAGE}");
            let rows: Vec<AuditRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(from).fetch_all(&mut *tx).await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let bad = |problem: String| Some(BadEntry { seq: row.seq, problem });
                if row.seq >= next {
                    let problem = format!("entry {} lies beyond the {next} entries ever appended (inserted)", row.seq);
                    return Ok((hashes, Some(BadEntry { seq: next, problem })));
                }
                let (fields, prev, hash) = match (row.fields(), row.prev(), row.hash()) {
                    (Ok(f), Ok(p), Ok(h)) => (f, p, h),
                    _ => return Ok((hashes, bad("row is malformed".into()))),
                };
                if let Err(e) = verifier.push(&fields, &prev, &hash) {
                    let seq = e.seq() as i64;
                    return Ok((hashes, Some(BadEntry { seq, problem: e.to_string() })));
                }
                // A payload still present must be the one the chain committed to.
                if let (Some(nonce), Some(payload)) = (&row.payload_nonce, &row.payload) {
                    let digest: [u8; 32] = Sha256::new().chain_update(nonce).chain_update(payload).finalize().into();
                    if digest != fields.payload_digest {
                        return Ok((hashes, bad("encrypted payload does not match its digest (edited)".into())));
                    }
                }
                hashes.push(hash);
            }
            from = rows.last().map(|r| r.seq + 1).unwrap_or(from);
        }
        tx.rollback().await?;
        // The head remembers how many entries were appended: a deleted tail shows here.
        if next != hashes.len() as i64 || hashes.last().map(|h| h.to_vec()).unwrap_or_else(|| vec![0; 32]) != last {
            let seq = hashes.len() as i64;
            return Ok((
                hashes,
                Some(BadEntry {
                    seq,
                    problem: format!("log ends at {seq} but {next} entries were appended (deleted tail)"),
                }),
            ));
        }
        Ok((hashes, None))
    }

    /// Recomputes the chain and every checkpoint; names the first bad entry.
    pub async fn audit_verify(
        &self,
        ctx: &AccessContext,
        public_key: Option<&VerifyingKey>,
    ) -> Result<VerifyReport, StoreError> {
        let op = self.require_operator(ctx, "verify").await?;
        let (hashes, mut first_bad) = self.walk_chain(&op).await?;
        // kenpo_audit's tree functions take entry hashes and hash the leaves themselves.
        let leaves = &hashes;
        let checkpoints = self.checkpoints(&op).await?;
        if first_bad.is_none() {
            for cp in &checkpoints {
                let size = cp.checkpoint.size as usize;
                let problem = if size == 0 || size > leaves.len() {
                    Some(format!("checkpoint of size {size} covers entries that are missing"))
                } else if kenpo_audit::merkle_root(&leaves[..size]) != cp.checkpoint.root {
                    Some(format!("checkpoint of size {size}: Merkle root differs (entries before it changed)"))
                } else if hashes[size - 1] != cp.checkpoint.last_entry_hash {
                    Some(format!("checkpoint of size {size}: last entry hash differs"))
                } else if let Some(key) = public_key
                    && cp.verify(key).is_err()
                {
                    Some(format!("checkpoint of size {size}: signature does not verify"))
                } else {
                    None
                };
                if let Some(problem) = problem {
                    first_bad = Some(BadEntry { seq: size as i64 - 1, problem });
                    break;
                }
            }
        }
        let report = VerifyReport {
            entries: hashes.len() as u64,
            checkpoints: checkpoints.len() as u64,
            signatures_checked: public_key.is_some(),
            first_bad,
        };
        if report.ok() {
            // Only a sound log gets the verification itself appended to it.
            self.audit_now(ctx, Action::Read, &[], true, "audit_verified", &Touched::Nothing).await?;
        }
        Ok(report)
    }

    async fn checkpoints(&self, op: &Operator) -> Result<Vec<SignedCheckpoint>, StoreError> {
        let rows: Vec<CheckpointRow> = sqlx::query_as(
            "SELECT size, at, log_id, root, last_entry_hash, signature FROM audit_checkpoints ORDER BY size",
        )
        .fetch_all(self.db.operator(op))
        .await?;
        let mut out = Vec::new();
        for CheckpointRow { size, at, log_id, root, last_entry_hash: last, signature: sig } in rows {
            let corrupt = || StoreError::Corrupt(format!("checkpoint {size}"));
            out.push(SignedCheckpoint {
                checkpoint: Checkpoint {
                    log_id,
                    size: size.max(0) as u64,
                    root: root.as_slice().try_into().map_err(|_| corrupt())?,
                    last_entry_hash: last.as_slice().try_into().map_err(|_| corrupt())?,
                    at,
                },
                signature: sig.as_slice().try_into().map_err(|_| corrupt())?,
            });
        }
        Ok(out)
    }

    /// Seals the log so far: Merkle root over every entry, signed with the key held outside
    /// the database. Refuses to seal a log that does not verify.
    pub async fn audit_checkpoint(
        &self,
        ctx: &AccessContext,
        key: &AuditSigningKey,
        log_id: &str,
    ) -> Result<SignedCheckpoint, StoreError> {
        let op = self.require_operator(ctx, "checkpoint").await?;
        let (hashes, bad) = self.walk_chain(&op).await?;
        if let Some(bad) = bad {
            return Err(StoreError::Corrupt(format!(
                "audit entry {}: {} — not sealing a broken log",
                bad.seq, bad.problem
            )));
        }
        if hashes.is_empty() {
            return Err(StoreError::NotFound("the audit log is empty".into()));
        }
        let checkpoint = Checkpoint {
            log_id: log_id.to_string(),
            size: hashes.len() as u64,
            root: kenpo_audit::merkle_root(&hashes),
            last_entry_hash: hashes[hashes.len() - 1],
            at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        };
        let signed = checkpoint.sign(key).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        // One statement, a write from the start: no read-then-write lock upgrade on SQLite.
        {
            sqlx::query(
                "INSERT INTO audit_checkpoints (size, at, log_id, root, last_entry_hash, signature) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (size) DO NOTHING",
            )
            .bind(checkpoint.size as i64)
            .bind(checkpoint.at.clone())
            .bind(checkpoint.log_id.clone())
            .bind(checkpoint.root.to_vec())
            .bind(checkpoint.last_entry_hash.to_vec())
            .bind(signed.signature.to_vec())
            .execute(self.db.operator(&op))
            .await?;
        }
        Ok(signed)
    }

    /// An RFC 6962 inclusion proof of one entry in the latest checkpoint that covers it.
    pub async fn audit_prove(&self, ctx: &AccessContext, seq: i64) -> Result<InclusionProof, StoreError> {
        let op = self.require_operator(ctx, "prove").await?;
        let cp = self.checkpoints(&op).await?.into_iter().rev().find(|c| c.checkpoint.size as i64 > seq).ok_or_else(
            || StoreError::NotFound(format!("no checkpoint covers entry {seq} yet (run `kenpo audit checkpoint`)")),
        )?;
        let size = cp.checkpoint.size as i64;
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq < $1 ORDER BY seq");
        let rows: Vec<AuditRow> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(size).fetch_all(self.db.operator(&op)).await?;
        let row =
            rows.iter().find(|r| r.seq == seq).ok_or_else(|| StoreError::NotFound(format!("audit entry {seq}")))?;
        let leaves: Vec<[u8; 32]> = rows.iter().map(|r| r.hash()).collect::<Result<_, _>>()?;
        if leaves.len() as i64 != size {
            return Err(StoreError::Corrupt("entries under the checkpoint are missing".into()));
        }
        Ok(InclusionProof {
            entry: row.fields()?,
            entry_hash: row.hash()?,
            prev_hash: row.prev()?,
            index: seq as u64,
            size: size as u64,
            path: kenpo_audit::inclusion_proof(&leaves, seq as usize),
            checkpoint: cp,
        })
    }

    /// Erases what the log says about a member (after the retention period): deletes the
    /// member key and the encrypted payloads. Tags become unlinkable; the chain still verifies.
    pub async fn audit_erase_member(
        &self,
        ctx: &AccessContext,
        person: PersonId,
        on: Option<chrono::NaiveDate>,
    ) -> Result<u64, StoreError> {
        let op = self.require_operator(ctx, "erase").await?;
        // The day is today. A caller may name an earlier day (re-running a missed erasure: the
        // retention test is only stricter then), never a later one.
        let today = self.today.unwrap_or_else(|| chrono::Local::now().date_naive());
        let on = match on {
            Some(day) if day > today => {
                return Err(StoreError::Input(format!(
                    "--on {day} lies after today ({today}): erasure is decided on today's date"
                )));
            }
            Some(day) => day,
            None => today,
        };
        let years = self.retention_years();
        let lost: Option<(Option<String>,)> =
            sqlx::query_as("SELECT MAX(lost_on) FROM eligibility_periods WHERE person_id = $1")
                .bind(person.0)
                .fetch_optional(self.db.operator(&op))
                .await?;
        let still_covered: (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM eligibility_periods WHERE person_id = $1 AND lost_on IS NULL")
                .bind(person.0)
                .fetch_one(self.db.operator(&op))
                .await?;
        if still_covered.0 > 0 {
            return Err(StoreError::Input(format!(
                "person {person} is still covered: the retention period has not begun"
            )));
        }
        if let Some((Some(lost),)) = lost {
            let lost = crate::batch::parse_iso(&lost)?;
            let until = lost.checked_add_months(chrono::Months::new(12 * years)).unwrap_or(lost);
            if on < until {
                return Err(StoreError::Input(format!(
                    "retention of {years} years runs until {until}; nothing erased"
                )));
            }
        }
        let mut tx = self.db.operator(&op).begin().await?;
        // A write first: takes SQLite's write lock at once (no failing upgrade later), and tells
        // every process to drop its cached member keys.
        sqlx::query("UPDATE audit_head SET key_epoch = key_epoch + 1 WHERE id = 1").execute(&mut *tx).await?;
        let erased = match self.member_key(&mut tx, person.0).await? {
            None => 0,
            Some(key) => {
                let tag = subject_tag(&key);
                let result =
                    sqlx::query("UPDATE audit_log SET payload = NULL, payload_nonce = NULL WHERE subject_tag = $1")
                        .bind(tag)
                        .execute(&mut *tx)
                        .await?;
                sqlx::query("DELETE FROM member_keys WHERE person_id = $1").bind(person.0).execute(&mut *tx).await?;
                result.rows_affected()
            }
        };
        self.append_audit(&mut tx, ctx, Action::Write, &[], true, "retention_erasure", &Touched::Nothing).await?;
        tx.commit().await?;
        crate::audit::forget_key(&self.member_keys, person.0);
        Ok(erased)
    }

    pub(crate) fn retention_years(&self) -> u32 {
        self.retention.0
    }
}

/// One line of a member's access history.
#[derive(Debug, Clone, Serialize)]
pub struct AccessLine {
    pub at: String,
    /// A role label, a contractor's name, or 「システム処理」; staff names only if the catalogue says so.
    pub who: String,
    pub purpose: String,
    pub action: String,
    pub categories: String,
    pub outcome: String,
    /// For batch entries: how many people the run touched.
    pub batch_size: Option<u64>,
}

impl AccessLine {
    fn of(r: AuditRow, who: String, batch_size: Option<u64>) -> Self {
        Self {
            at: r.at,
            who,
            purpose: r.purpose,
            action: r.action,
            categories: r.categories,
            outcome: r.outcome,
            batch_size,
        }
    }
}

/// The answer to a member's 開示請求.
#[derive(Debug, Clone, Serialize)]
pub struct Disclosure {
    pub person: PersonView,
    /// Every category of data held about the person (APPI Art. 33: all 保有個人データ), with how
    /// many records, their span, and the published uses (別表2) that use the category.
    pub held: Vec<HeldRecords>,
    pub provisions: Vec<ProvisionView>,
    pub accesses: Vec<AccessLine>,
}

/// What the society holds about one person in one category of 別表1.
#[derive(Debug, Clone, Serialize)]
pub struct HeldRecords {
    /// Category id (`receipt_cost`, …).
    pub category: String,
    /// The category as 別表1 words it.
    pub label: String,
    /// What the records are, in staff's words (e.g. レセプト).
    pub what: String,
    pub records: u64,
    /// Earliest and latest date or month of the records, when they carry one.
    pub first: Option<String>,
    pub last: Option<String>,
    /// The uses of 別表2 that use this category: (id, published text).
    pub purposes: Vec<(String, String)>,
    /// Counted but not shown to this reader (the rule that withheld the contents): a member
    /// on the portal learns how many receipts carry 傷病名, not which.
    pub withheld_rule: Option<String>,
}

/// What a contractor received and accessed.
#[derive(Debug, Clone, Serialize)]
pub struct ContractorReport {
    pub contractor: String,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub received: Vec<ProvisionView>,
    /// (purpose, categories, outcome, count)
    pub accesses: Vec<(String, String, String, i64)>,
}

impl Store {
    /// A member's disclosure report: data held (every category but 個人番号, whose presence is
    /// shown), provision records about them, and who looked, when and why. Decided under the
    /// statutory purpose `appi.disclosure` (the 個人情報保護管理者, or the member themself on the
    /// portal without 傷病名).
    pub async fn disclosure(
        &self,
        ctx: &AccessContext,
        person: PersonId,
        name_of: &(dyn Fn(&str) -> String + Sync),
    ) -> Result<Disclosure, StoreError> {
        // The statutory disclosure reads every category but 個人番号 (whose presence alone is
        // shown): one decision for the records, the log and the provision records about them.
        // A member answered on the portal is refused 傷病名 (a written request, on which the
        // 医療機関 is asked first): that category comes back withheld, the rest is answered.
        let optional: Vec<DataCategory> = DataCategory::ALL
            .into_iter()
            .filter(|c| *c != DataCategory::MyNumber && *c != DataCategory::Identity)
            .collect();
        let (grant, withheld) = self
            .decide_fields(ctx, Action::Read, DataCategory::Identity, &optional, kenpo_policy::Subject::Person(person))
            .await?;
        let view = self.person(ctx, person).await?;
        let provisions = self.provisions_about(&grant, person.0).await?;
        let mut accesses = Vec::new();
        let mut tx = self.db.granted(&grant).begin().await?;
        let key = self.member_key(&mut tx, person.0).await?;
        tx.rollback().await?;
        if let Some(key) = key {
            let tag = subject_tag(&key);
            let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE subject_tag = $1 ORDER BY seq");
            let rows: Vec<AuditRow> =
                sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(tag).fetch_all(self.db.granted(&grant)).await?;
            for r in rows {
                // The tag could in principle collide: confirm through the encrypted payload.
                let confirmed = match (&r.payload_nonce, &r.payload) {
                    (Some(n), Some(p)) => Store::open_payload(&key, r.seq, n, p) == Some(person.0),
                    _ => false,
                };
                if confirmed {
                    let who = name_of(&r.actor);
                    accesses.push(AccessLine::of(r, who, None));
                }
            }
        }
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE subject_kind = 'set' ORDER BY seq");
        let rows: Vec<AuditRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(self.db.granted(&grant)).await?;
        for r in rows {
            let set = r.subject_set.clone().unwrap_or_default();
            if kenpo_audit::ranges_contain(&set, person.0).unwrap_or(false) {
                let size = kenpo_audit::decode_ranges(&set)
                    .map(|rs| rs.iter().map(|r| (r.end() - r.start() + 1) as u64).sum())
                    .ok();
                let who = name_of(&r.actor);
                accesses.push(AccessLine::of(r, who, size));
            }
        }
        accesses.sort_by(|a, b| a.at.cmp(&b.at));
        let held = self.held_records(&grant, &withheld, person).await?;
        Ok(Disclosure { person: view, held, provisions, accesses })
    }

    /// Counts of everything held about a person, category by category (the statutory
    /// disclosure reads every category but 個人番号, whose presence alone is shown).
    async fn held_records(
        &self,
        grant: &Grant<'_>,
        withheld: &[crate::guard::Withheld],
        person: PersonId,
    ) -> Result<Vec<HeldRecords>, StoreError> {
        use DataCategory as C;
        // (category, what, SQL giving COUNT, MIN, MAX of one person's rows): fixed text only.
        let queries: [(DataCategory, &str, &str); 16] = [
            (C::Identity, "被保険者・被扶養者の記録", "SELECT COUNT(*), NULL, NULL FROM persons WHERE id = $1"),
            (
                C::MyNumber,
                "個人番号（登録の有無のみ。番号は開示しません）",
                "SELECT COUNT(*), NULL, NULL FROM my_numbers WHERE person_id = $1",
            ),
            (
                C::Eligibility,
                "資格の取得・喪失",
                "SELECT COUNT(*), MIN(acquired_on), MAX(COALESCE(lost_on, acquired_on)) FROM eligibility_periods WHERE person_id = $1",
            ),
            (
                C::Remuneration,
                "標準報酬月額",
                "SELECT COUNT(*), MIN(effective_from), MAX(effective_from) FROM standard_remuneration WHERE person_id = $1",
            ),
            (
                C::Remuneration,
                "標準賞与額",
                "SELECT COUNT(*), MIN(paid_on), MAX(paid_on) FROM bonuses WHERE person_id = $1",
            ),
            (C::Income, "前年度収入", "SELECT COUNT(*), NULL, NULL FROM dependants WHERE person_id = $1"),
            (C::Relation, "続柄・同居", "SELECT COUNT(*), NULL, NULL FROM dependants WHERE person_id = $1"),
            (C::Contact, "住所・電話番号", "SELECT COUNT(*), NULL, NULL FROM contacts WHERE person_id = $1"),
            (
                C::ReceiptCost,
                "レセプト（診療年月、医療機関、日数、医療費）",
                "SELECT COUNT(*), MIN(service_month), MAX(service_month) FROM receipts WHERE person_id = $1",
            ),
            (
                C::ReceiptClinical,
                "レセプトの傷病名・診療内容",
                "SELECT COUNT(*), MIN(service_month), MAX(service_month) FROM receipts WHERE person_id = $1",
            ),
            (
                C::CashBenefit,
                "現金給付の申請",
                "SELECT COUNT(*), MIN(received_on), MAX(received_on) FROM cash_benefits WHERE person_id = $1",
            ),
            (
                C::CashBenefit,
                "高額療養費・付加給付の支給",
                "SELECT COUNT(*), MIN(service_month), MAX(service_month) FROM kogaku_payments WHERE person_id = $1",
            ),
            (
                C::CashBenefit,
                "高額療養費の年間上限の計算に使う月ごとの世帯負担額",
                "SELECT COUNT(*), MIN(service_month), MAX(service_month) FROM kogaku_household_months WHERE member_id = $1",
            ),
            (
                C::CashBenefit,
                "高額療養費（年間上限）の支給",
                "SELECT COUNT(*), MIN(period_start), MAX(period_start) FROM kogaku_yearly_payments WHERE member_id = $1",
            ),
            (
                C::CheckupResult,
                "特定健診の結果",
                "SELECT COUNT(*), MIN(exam_date), MAX(exam_date) FROM checkups WHERE person_id = $1",
            ),
            (
                C::GuidanceRecord,
                "特定保健指導の記録",
                "SELECT COUNT(*), MIN(started_on), MAX(started_on) FROM guidance WHERE person_id = $1",
            ),
        ];
        let mut out = Vec::new();
        for (category, what, sql) in queries {
            let (n, first, last): (i64, Option<String>, Option<String>) =
                sqlx::query_as(sql).bind(person.0).fetch_one(self.db.granted(grant)).await?;
            if n == 0 {
                continue;
            }
            let purposes = self
                .catalogue
                .uses
                .iter()
                .filter(|u| u.categories.iter().any(|c| c == category.id()))
                .map(|u| (u.id.clone(), u.text.clone()))
                .collect();
            out.push(HeldRecords {
                category: category.id().to_string(),
                label: category.label().to_string(),
                what: what.to_string(),
                records: n.unsigned_abs(),
                first,
                last,
                purposes,
                withheld_rule: withheld.iter().find(|w| w.category == category).map(|w| w.rule.to_string()),
            });
        }
        Ok(out)
    }

    /// For APPI Art. 25 supervision: what a contractor received (provision records naming it)
    /// and what it accessed (decisions with it as actor), between two days.
    pub async fn contractor_report(
        &self,
        ctx: &AccessContext,
        contractor_id: &str,
        contractor_name: &str,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<ContractorReport, StoreError> {
        let grant =
            self.decide(ctx, Action::Read, &[DataCategory::Identity], kenpo_policy::Subject::Population).await?;
        let (from_s, to_s) =
            (from.format("%Y-%m-%d").to_string(), (to + chrono::Days::new(1)).format("%Y-%m-%d").to_string());
        let sql = format!(
            "SELECT {PROVISION_COLUMNS} FROM provisions WHERE counterparty = $1 AND at >= $2 AND at < $3 ORDER BY id"
        );
        let received: Vec<ProvisionView> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(contractor_name.to_string())
            .bind(from_s.clone())
            .bind(to_s.clone())
            .fetch_all(self.db.granted(&grant))
            .await?;
        let accesses: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT purpose, categories, outcome, COUNT(*) FROM audit_log WHERE actor = $1 AND at >= $2 AND at < $3 \
             GROUP BY purpose, categories, outcome ORDER BY purpose, categories, outcome",
        )
        .bind(format!("contractor:{contractor_id}"))
        .bind(from_s)
        .bind(to_s)
        .fetch_all(self.db.granted(&grant))
        .await?;
        self.record(&grant, &Touched::Population).await?;
        Ok(ContractorReport { contractor: contractor_id.to_string(), from, to, received, accesses })
    }
}

impl Store {
    /// Appends an operator's mark (no personal data) and returns its seq once committed: used
    /// to bracket maintenance, and by the crash test to know which entries were acknowledged.
    pub async fn audit_mark(&self, ctx: &AccessContext, note: &str) -> Result<i64, StoreError> {
        self.require_operator(ctx, "mark").await?;
        let rule = format!(
            "mark:{}",
            note.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect::<String>()
        );
        self.audit_now(ctx, Action::Write, &[], true, &rule, &Touched::Nothing).await
    }
}

/// Filters of the audit-log viewer; all optional, combined with AND.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    /// Exact actor (`staff:benefits:sato`, `contractor:c03`, …).
    pub actor: Option<String>,
    /// Exact purpose id.
    pub purpose: Option<String>,
    /// `allow` or `deny`.
    pub outcome: Option<String>,
    /// Entries about one person (through the person's audit key, like the disclosure report).
    pub person: Option<PersonId>,
    /// Newest first, at most this many (1–1,000).
    pub limit: i64,
}

/// One audit entry as the viewer shows it: the decision, never the encrypted payload.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntryView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub purpose: String,
    pub action: String,
    pub categories: String,
    pub outcome: String,
    pub rule: String,
    /// none / population / person / set.
    pub subject_kind: String,
}

impl Store {
    /// The audit-log viewer (the catalogue operation `query`: the privacy officer and the
    /// auditor). The query is itself an entry, touching the person when it filters by one.
    pub async fn audit_entries(&self, ctx: &AccessContext, q: &AuditQuery) -> Result<Vec<AuditEntryView>, StoreError> {
        let op = self.require_operator(ctx, "query").await?;
        let limit = q.limit.clamp(1, 1_000);
        for (field, v) in [("actor", &q.actor), ("purpose", &q.purpose), ("outcome", &q.outcome)] {
            if let Some(v) = v
                && (v.chars().count() > 100 || v.chars().any(char::is_control))
            {
                return Err(StoreError::Input(format!("{field}: 100文字以内、制御文字なしで指定してください")));
            }
        }
        let mut sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR purpose = $2) \
             AND ($3 = '' OR outcome = $3)"
        );
        let mut tag: Option<Vec<u8>> = None;
        if let Some(person) = q.person {
            let mut tx = self.db.operator(&op).begin().await?;
            let key = self.member_key(&mut tx, person.0).await?;
            tx.rollback().await?;
            // A person the log never named has no key: nothing about them.
            let Some(key) = key else {
                self.audit_now(ctx, Action::Read, &[], true, "audit:query", &Touched::Person(person.0)).await?;
                return Ok(Vec::new());
            };
            tag = Some(subject_tag(&key));
            sql.push_str(" AND (subject_tag = $4 OR subject_kind = 'set')");
        }
        sql.push_str(" ORDER BY seq DESC");
        if tag.is_none() {
            // Without a person, every row found is shown: the database stops at the limit.
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let query = sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(sql))
            .bind(q.actor.clone().unwrap_or_default())
            .bind(q.purpose.clone().unwrap_or_default())
            .bind(q.outcome.clone().unwrap_or_default());
        let query = match &tag {
            Some(t) => query.bind(t.clone()),
            None => query,
        };
        let rows = query.fetch_all(self.db.operator(&op)).await?;
        let mut out = Vec::new();
        for r in rows {
            if let Some(person) = q.person
                && r.subject_kind == "set"
                && !kenpo_audit::ranges_contain(r.subject_set.as_deref().unwrap_or_default(), person.0).unwrap_or(false)
            {
                continue;
            }
            out.push(AuditEntryView {
                seq: r.seq,
                at: r.at,
                actor: r.actor,
                purpose: r.purpose,
                action: r.action,
                categories: r.categories,
                outcome: r.outcome,
                rule: r.rule,
                subject_kind: r.subject_kind,
            });
            if out.len() as i64 >= limit {
                break;
            }
        }
        let touched = q.person.map(|p| Touched::Person(p.0)).unwrap_or(Touched::Nothing);
        self.audit_now(ctx, Action::Read, &[], true, "audit:query", &touched).await?;
        Ok(out)
    }
}
