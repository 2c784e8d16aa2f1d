//! レセプト点検 over stored receipts, one 診療年月 at a time: 資格点検 (person unknown; service
//! dates outside every eligibility period), 重複 (two receipts of one person from one
//! institution in one month of one type), 縦覧 (`kenpo_domain::review` rules across months) and
//! 突合 (a 調剤 receipt whose prescriber billed no 医科 receipt for the person that month).
//! Findings are stored; a re-run of a month replaces that month's findings in one transaction.
//! Findings name receipts and rules; their text never quotes a name, card or diagnosis.

use crate::audit::Touched;
use crate::batch::{TableBuffer, Val, next_id, take_write_lock};
use crate::{Store, StoreError};
use kenpo_domain::review::{self, LONGITUDINAL_RULES, MonthlyCounts};
use kenpo_domain::{DataCategory, YearMonth};
use kenpo_policy::{AccessContext, Action, Subject};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

const CATEGORIES: [DataCategory; 4] =
    [DataCategory::Identity, DataCategory::Eligibility, DataCategory::ReceiptCost, DataCategory::ReceiptClinical];

/// Rule ids of the checks that are not 縦覧 rules.
pub const UNKNOWN_PERSON: &str = "eligibility.unknown_person";
pub const OUTSIDE_ELIGIBILITY: &str = "eligibility.outside_period";
pub const DUPLICATE: &str = "duplicate.same_month";
pub const PHARMACY_WITHOUT_PRESCRIBER: &str = "match.pharmacy_without_prescriber";

/// What one month's review found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReviewSummary {
    pub month: String,
    pub receipts: u64,
    pub findings: u64,
    pub by_rule: BTreeMap<String, u64>,
}

/// One stored finding, as listed and exported for 再審査請求.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FindingRow {
    pub id: i64,
    pub service_month: String,
    pub rule: String,
    pub receipt_id: i64,
    pub related_receipt_id: Option<i64>,
    /// Whose receipt it is (`None` while the receipt matches no member).
    pub person_id: Option<i64>,
    pub institution_code: String,
    pub institution_name: String,
    pub receipt_kind: String,
    pub total_points: i64,
    pub search_number: Option<String>,
    pub detail: String,
    /// When staff last set the finding's status, and their note.
    pub resolved_at: Option<String>,
    pub resolution: Option<String>,
    /// `None` = 未確認, [`FindingStatus`] id otherwise.
    pub status: Option<String>,
    pub resolved_by: Option<String>,
}

/// What staff decided of a finding. Only [`FindingStatus::NoProblem`] releases its receipts
/// to 高額療養費・付加給付; a finding sent to 再審査請求 keeps holding them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// 再審査請求.
    Rereview,
    /// 問題なし.
    NoProblem,
}

impl FindingStatus {
    pub fn id(self) -> &'static str {
        match self {
            FindingStatus::Rereview => "rereview",
            FindingStatus::NoProblem => "no_problem",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            FindingStatus::Rereview => "再審査請求",
            FindingStatus::NoProblem => "問題なし",
        }
    }
    pub fn from_id(s: &str) -> Option<Self> {
        [FindingStatus::Rereview, FindingStatus::NoProblem].into_iter().find(|f| f.id() == s)
    }
}

struct Finding {
    rule: String,
    receipt: i64,
    related: Option<i64>,
    person: Option<i64>,
    detail: String,
}

type MonthReceipt = (i64, Option<i64>, String, String, String, i64, String, Option<String>, Option<i64>);

impl Store {
    /// Runs every review rule over one 診療年月 and stores the findings.
    pub async fn run_review(&self, ctx: &AccessContext, month: YearMonth) -> Result<ReviewSummary, StoreError> {
        let grant = self.decide(ctx, Action::Write, &CATEGORIES, Subject::Population).await?;
        let m = month.to_string();
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        let receipts: Vec<MonthReceipt> = sqlx::query_as(
            "SELECT id, person_id, kind, setting, institution_code, institution_prefecture, receipt_type, \
                    prescriber_code, prescriber_prefecture \
             FROM receipts WHERE service_month = $1 ORDER BY id",
        )
        .bind(m.clone())
        .fetch_all(&mut *tx)
        .await?;
        let mut findings: Vec<Finding> = Vec::new();

        // 資格点検 (1): nobody holds the card.
        for r in receipts.iter().filter(|r| r.1.is_none()) {
            findings.push(Finding {
                rule: UNKNOWN_PERSON.into(),
                receipt: r.0,
                related: None,
                person: None,
                detail: "記号・番号（枝番・生年月日）に一致する加入者がいない".into(),
            });
        }

        // 資格点検 (2): service dates outside every eligibility period (the same reading the
        // receipts-after-loss list uses).
        for u in crate::history::uncovered_receipts(&mut tx, month).await? {
            let detail = match u.last_loss {
                Some(lost) => format!("資格喪失日 {lost} 以後の診療日が {} 日", u.outside.len()),
                None => format!("資格のない期間の診療日が {} 日（最初 {}）", u.outside.len(), u.outside[0]),
            };
            findings.push(Finding {
                rule: OUTSIDE_ELIGIBILITY.into(),
                receipt: u.receipt,
                related: None,
                person: Some(u.person),
                detail,
            });
        }

        // 重複: one person, institution, month and type (調剤: also the prescriber).
        let keyed = receipts.iter().filter_map(|r| r.1.map(|person| (r.0, duplicate_key(person, r))));
        for (later, first) in review::same_month_duplicates(keyed) {
            let person = receipts.iter().find(|r| r.0 == later).and_then(|r| r.1);
            findings.push(Finding {
                rule: DUPLICATE.into(),
                receipt: later,
                related: Some(first),
                person,
                detail: format!("同一患者・同一医療機関・同月・同種別のレセプトが重複（先のレセプト {first}）"),
            });
        }

        // 突合: a 調剤 receipt needs its prescriber's 医科 receipt for the person that month.
        let mut medical: HashMap<(i64, String), i64> = HashMap::new();
        for r in receipts.iter().filter(|r| r.2 == "medical" || r.2 == "dpc") {
            if let Some(person) = r.1 {
                medical.entry((person, format!("{:02}{}", r.5, r.4))).or_insert(r.0);
            }
        }
        for r in receipts.iter().filter(|r| r.2 == "pharmacy") {
            let Some(person) = r.1 else { continue };
            match (&r.7, r.8) {
                (Some(code), pref) => {
                    let key = (person, format!("{:02}{code}", pref.unwrap_or(0)));
                    if !medical.contains_key(&key) {
                        findings.push(Finding {
                            rule: PHARMACY_WITHOUT_PRESCRIBER.into(),
                            receipt: r.0,
                            related: None,
                            person: Some(person),
                            detail: format!("処方元 {} の同月の医科レセプトがない", key.1),
                        });
                    }
                }
                (None, _) => findings.push(Finding {
                    rule: PHARMACY_WITHOUT_PRESCRIBER.into(),
                    receipt: r.0,
                    related: None,
                    person: Some(person),
                    detail: "処方元医療機関の記録がなく突合できない".into(),
                }),
            }
        }

        // 縦覧: each rule over its window of months.
        for rule in &LONGITUDINAL_RULES {
            let mut first = month;
            for _ in 1..rule.window_months {
                first = first.prev();
            }
            let mut sql = String::from(
                "SELECT r.id, r.person_id, r.service_month, r.institution_prefecture, r.institution_code, l.count \
                 FROM receipt_lines l JOIN receipts r ON r.id = l.receipt_id \
                 WHERE r.person_id IS NOT NULL AND r.service_month >= $1 AND r.service_month <= $2 AND l.code IN (",
            );
            for (i, _) in rule.codes.iter().enumerate() {
                sql.push_str(&format!("{}${}", if i > 0 { ", " } else { "" }, i + 3));
            }
            // Only placeholders are added: the codes are bound.
            sql.push(')');
            let mut q = sqlx::query_as::<_, (i64, i64, String, i64, String, i64)>(sqlx::AssertSqlSafe(sql))
                .bind(first.to_string())
                .bind(m.clone());
            for code in rule.codes {
                q = q.bind(code.to_string());
            }
            let rows = q.fetch_all(&mut *tx).await?;
            let mut counts: BTreeMap<(i64, String), MonthlyCounts> = BTreeMap::new();
            let mut this_month: BTreeMap<(i64, String), i64> = BTreeMap::new();
            for (receipt, person, sm, pref, code, count) in rows {
                let place = if rule.per_institution { format!("{pref:02}{code}") } else { String::new() };
                let sm: YearMonth =
                    sm.parse().map_err(|_| StoreError::Corrupt(format!("receipt {receipt}: bad month")))?;
                *counts.entry((person, place.clone())).or_default().entry(sm).or_default() += count.max(0) as u32;
                if sm == month {
                    this_month.entry((person, place)).or_insert(receipt);
                }
            }
            for ((person, place), receipt) in this_month {
                if let Some(total) = counts.get(&(person, place)).and_then(|c| review::breaks(rule, c, month)) {
                    findings.push(Finding {
                        rule: rule.id.into(),
                        receipt,
                        related: None,
                        person: Some(person),
                        detail: format!(
                            "{}: {}か月で {} 回（上限 {} 回）— {}",
                            rule.name, rule.window_months, total, rule.max, rule.basis
                        ),
                    });
                }
            }
        }

        // Resolutions staff recorded survive a re-run for the same finding (rule and receipts).
        let resolved: Vec<StoredStatus> = sqlx::query_as(
            "SELECT rule, receipt_id, related_receipt_id, resolved_at, resolved_by, resolution, status FROM review_findings \
             WHERE service_month = $1 AND resolved_at IS NOT NULL AND status IS NOT NULL",
        )
        .bind(m.clone())
        .fetch_all(&mut *tx)
        .await?;
        let resolved: HashMap<FindingKey, Resolution> =
            resolved.into_iter().map(|(r, a, b, at, by, note, status)| ((r, a, b), (at, by, note, status))).collect();
        sqlx::query("DELETE FROM review_findings WHERE service_month = $1").bind(m.clone()).execute(&mut *tx).await?;
        let mut next = next_id(&mut tx, "review_findings").await?;
        let found_at = chrono::Utc::now().to_rfc3339();
        let mut rows = TableBuffer::new(
            self.backend,
            "review_findings",
            &[
                "id",
                "service_month",
                "rule",
                "receipt_id",
                "related_receipt_id",
                "person_id",
                "detail",
                "found_at",
                "resolved_at",
                "resolved_by",
                "resolution",
                "status",
            ],
        );
        let mut summary = ReviewSummary { month: m.clone(), receipts: receipts.len() as u64, ..Default::default() };
        let mut people: Vec<i64> = Vec::new();
        for f in findings {
            *summary.by_rule.entry(f.rule.clone()).or_default() += 1;
            summary.findings += 1;
            people.extend(f.person);
            let kept = resolved.get(&(f.rule.clone(), f.receipt, f.related)).cloned();
            rows.push(vec![
                Val::Int(next),
                Val::Text(m.clone()),
                Val::Text(f.rule),
                Val::Int(f.receipt),
                Val::OptInt(f.related),
                Val::OptInt(f.person),
                Val::Text(f.detail),
                Val::Text(found_at.clone()),
                Val::OptText(kept.as_ref().map(|k| k.0.clone())),
                Val::OptText(kept.as_ref().map(|k| k.1.clone())),
                Val::OptText(kept.as_ref().map(|k| k.2.clone())),
                Val::OptText(kept.map(|k| k.3)),
            ]);
            next += 1;
        }
        rows.flush(&mut tx).await?;
        people.sort_unstable();
        people.dedup();
        self.record_in(&mut tx, &grant, &Touched::Set(people)).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Resolves a finding (e.g. a duplicate confirmed as two real visits): the note says why.
    /// 高額療養費・付加給付 then pay on its receipts; the resolution survives a re-run of review.
    pub async fn resolve_finding(&self, ctx: &AccessContext, id: i64, note: &str) -> Result<FindingRow, StoreError> {
        self.set_finding_status(ctx, id, FindingStatus::NoProblem, note).await
    }

    /// Sets a finding's status (再審査請求 or 問題なし) with who, when and why; the status
    /// survives a re-run of review. A finding that does not exist is a logged probe.
    pub async fn set_finding_status(
        &self,
        ctx: &AccessContext,
        id: i64,
        status: FindingStatus,
        note: &str,
    ) -> Result<FindingRow, StoreError> {
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 200 || note.chars().any(char::is_control) {
            return Err(StoreError::Input("--note: say why in 1 to 200 characters, without control characters".into()));
        }
        let grant = self.decide(ctx, Action::Write, &CATEGORIES, Subject::Population).await?;
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        let person: Option<(Option<i64>,)> = sqlx::query_as("SELECT person_id FROM review_findings WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((person,)) = person else {
            drop(tx);
            self.record(&grant, &Touched::Nothing).await?;
            return Err(StoreError::NotFound(format!("review finding #{id}")));
        };
        sqlx::query(
            "UPDATE review_findings SET resolved_at = $1, resolved_by = $2, resolution = $3, status = $4 WHERE id = $5",
        )
        .bind(chrono::Utc::now().to_rfc3339())
        .bind(ctx.actor().to_string())
        .bind(note.to_string())
        .bind(status.id())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        self.record_in(&mut tx, &grant, &Touched::Set(person.into_iter().collect())).await?;
        tx.commit().await?;
        let rows = self.review_findings(ctx, None, None).await?;
        rows.into_iter().find(|r| r.id == id).ok_or_else(|| StoreError::NotFound(format!("review finding #{id}")))
    }

    /// The 診療年月 that have receipts, oldest first.
    pub async fn receipt_months(&self, ctx: &AccessContext) -> Result<Vec<YearMonth>, StoreError> {
        let grant = self.decide(ctx, Action::Read, &[DataCategory::ReceiptCost], Subject::Population).await?;
        let rows: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT service_month FROM receipts ORDER BY service_month")
            .fetch_all(self.db.granted(&grant))
            .await?;
        self.record(&grant, &Touched::Population).await?;
        rows.into_iter()
            .map(|(m,)| m.parse().map_err(|_| StoreError::Corrupt(format!("receipt month {m:?}"))))
            .collect()
    }

    /// Stored findings, optionally of one month and one rule, in receipt order.
    pub async fn review_findings(
        &self,
        ctx: &AccessContext,
        month: Option<YearMonth>,
        rule: Option<&str>,
    ) -> Result<Vec<FindingRow>, StoreError> {
        let grant = self.decide(ctx, Action::Read, &CATEGORIES, Subject::Population).await?;
        let rows: Vec<FindingRow> = sqlx::query_as(
            "SELECT f.id, f.service_month, f.rule, f.receipt_id, f.related_receipt_id, r.person_id, \
                    r.institution_code, r.institution_name, r.kind AS receipt_kind, r.total_points, \
                    r.search_number, f.detail, f.resolved_at, f.resolution, f.status, f.resolved_by \
             FROM review_findings f JOIN receipts r ON r.id = f.receipt_id \
             WHERE ($1 = '' OR f.service_month = $1) AND ($2 = '' OR f.rule = $2) \
             ORDER BY f.service_month, f.receipt_id, f.rule",
        )
        .bind(month.map(|m| m.to_string()).unwrap_or_default())
        .bind(rule.unwrap_or("").to_string())
        .fetch_all(self.db.granted(&grant))
        .await?;
        let people: Vec<(Option<i64>,)> = sqlx::query_as(
            "SELECT DISTINCT person_id FROM review_findings WHERE ($1 = '' OR service_month = $1) AND ($2 = '' OR rule = $2)",
        )
        .bind(month.map(|m| m.to_string()).unwrap_or_default())
        .bind(rule.unwrap_or("").to_string())
        .fetch_all(self.db.granted(&grant))
        .await?;
        let mut people: Vec<i64> = people.into_iter().filter_map(|p| p.0).collect();
        people.sort_unstable();
        self.record(&grant, &Touched::Set(people)).await?;
        Ok(rows)
    }
}

/// A finding as a re-run meets it again (rule, receipt, related receipt), and what staff said of it
/// (resolved at, by, why).
type FindingKey = (String, i64, Option<i64>);
type Resolution = (String, String, String, String);
/// A stored finding's key and what staff said of it, as read before a re-run.
type StoredStatus = (String, i64, Option<i64>, String, String, String, String);

/// The key two receipts of one month share when one duplicates the other (see
/// [`review::same_month_duplicates`]): person, institution, kind, setting, prescriber.
type DuplicateKey = (i64, String, String, String, Option<String>);

fn duplicate_key(person: i64, r: &MonthReceipt) -> DuplicateKey {
    let prescriber = r.7.as_ref().map(|c| format!("{:02}{c}", r.8.unwrap_or(0)));
    (person, format!("{:02}{}", r.5, r.4), r.2.clone(), r.3.clone(), prescriber)
}

/// Japanese name of a review rule, for staff-facing lists and files.
pub fn rule_label(rule: &str) -> &str {
    match rule {
        UNKNOWN_PERSON => "資格: 該当する加入者なし",
        OUTSIDE_ELIGIBILITY => "資格: 資格期間外の診療",
        DUPLICATE => "重複: 同一月の重複請求",
        PHARMACY_WITHOUT_PRESCRIBER => "突合: 処方元の医科レセプトなし",
        other => LONGITUDINAL_RULES.iter().find(|r| r.id == other).map(|r| r.name).unwrap_or(other),
    }
}
