//! The オンライン資格確認 registration outbox: one row per change the society must register with
//! the 医療保険者等向け中間サーバー, due 5 days after it received the filing.
//!
//! Status: `pending` (未送信) → `sent` (送信済, when a file is handed out) → `error` (エラー, when
//! the result names the row) → `resend` (再送, staff queue it again) → `sent` … The rows hold the
//! registration items as the record said when the event was applied (JSON, no 個人番号: the
//! number is registered only through the vault under a 番号法 use, never from this table).
//! The file layout of the 中間サーバー is not public (docs/research/eligibility-filings.md §4);
//! the app lays the rows out in one module and says so.

use crate::audit::Touched;
use crate::batch::{iso, parse_iso, take_write_lock};
use crate::provisions::NewProvision;
use crate::{Store, StoreError};
use chrono::NaiveDate;
use kenpo_domain::eligibility;
use kenpo_domain::{DataCategory, YearMonth};
use kenpo_policy::{AccessContext, Action, Subject};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Transaction};

/// What the 中間サーバー needs per person and change (inferred from the clinic-side reply,
/// research §4; unverified against the insurer-side specification, which is not public).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationItems {
    pub insurer_number: String,
    pub card_symbol: String,
    pub card_number: String,
    pub card_branch: i64,
    /// 本人 (`1`) or 家族 (`2`).
    pub family: u8,
    pub acquired_on: Option<String>,
    pub lost_on: Option<String>,
    pub loss_reason: Option<String>,
    /// 高齢受給者の一部負担金割合 (tenths) when 70–74 on the change's day.
    pub elderly_share: Option<u8>,
    /// 限度額適用区分 when known: Kenpo holds no 限度額適用認定 applications yet, so always `None`.
    pub limit_category: Option<String>,
}

/// Reads the record as it stands inside the event's transaction.
pub(crate) async fn registration_items(
    tx: &mut Transaction<'static, Any>,
    person: i64,
    on: NaiveDate,
) -> Result<String, StoreError> {
    let (insurer, symbol, number, branch, kind, insured, birth): (String, String, String, i64, String, Option<i64>, String) =
        sqlx::query_as(
            "SELECT insurer_number, card_symbol, card_number, card_branch, kind, insured_id, birth_date FROM persons WHERE id = $1",
        )
        .bind(person)
        .fetch_one(&mut **tx)
        .await?;
    let period: Option<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT acquired_on, lost_on, loss_reason FROM eligibility_periods WHERE person_id = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(person)
    .fetch_optional(&mut **tx)
    .await?;
    let birth = parse_iso(&birth)?;
    let elderly = match eligibility::elderly_start_month(birth) {
        Some(start)
            if YearMonth::of(on) >= start.value
                && eligibility::seventy_fifth_birthday(birth).is_some_and(|d| on < d) =>
        {
            let member = insured.unwrap_or(person);
            let standard: Option<(i64,)> = sqlx::query_as(
                "SELECT monthly_amount FROM standard_remuneration WHERE person_id = $1 AND effective_from <= $2 \
                 ORDER BY effective_from DESC LIMIT 1",
            )
            .bind(member)
            .bind(iso(on))
            .fetch_optional(&mut **tx)
            .await?;
            Some(eligibility::elderly_share(standard.map_or(0, |s| s.0), None).value)
        }
        _ => None,
    };
    let items = RegistrationItems {
        insurer_number: insurer,
        card_symbol: symbol,
        card_number: number,
        card_branch: branch,
        family: if kind == "dependant" { 2 } else { 1 },
        acquired_on: period.as_ref().map(|p| p.0.clone()),
        lost_on: period.as_ref().and_then(|p| p.1.clone()),
        loss_reason: period.and_then(|p| p.2),
        elderly_share: elderly,
        limit_category: None,
    };
    serde_json::to_string(&items).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// One outbox row as listed.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub event_id: i64,
    pub person_id: i64,
    /// acquire | lose | change
    pub change: String,
    pub items: RegistrationItems,
    pub received_on: String,
    pub deadline: String,
    /// pending | sent | error | resend
    pub status: String,
    pub attempts: i64,
    pub last_sent_at: Option<String>,
    pub error_code: Option<String>,
    /// The person as the record holds them now (for the registration's 氏名・生年月日・性別).
    pub name_kanji: String,
    pub name_kana: String,
    pub birth_date: String,
    pub sex: i64,
    /// Past its deadline and not registered (pending, error or resend) on the day asked.
    pub overdue: bool,
}

/// Staff-facing label of a status.
pub fn outbox_status_label(status: &str) -> &'static str {
    match status {
        "pending" => "未送信",
        "sent" => "送信済",
        "error" => "エラー",
        "resend" => "再送",
        _ => "不明",
    }
}

type Raw = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    i64,
);

fn to_row(r: Raw, today: NaiveDate) -> Result<OutboxRow, StoreError> {
    let items: RegistrationItems =
        serde_json::from_str(&r.4).map_err(|_| StoreError::Corrupt("outbox items".into()))?;
    let deadline = parse_iso(&r.6)?;
    let open = matches!(r.7.as_str(), "pending" | "error" | "resend");
    Ok(OutboxRow {
        id: r.0,
        event_id: r.1,
        person_id: r.2,
        change: r.3,
        items,
        received_on: r.5,
        deadline: r.6,
        overdue: open && deadline < today,
        status: r.7,
        attempts: r.8,
        last_sent_at: r.9,
        error_code: r.10,
        name_kanji: r.11,
        name_kana: r.12,
        birth_date: r.13,
        sex: r.14,
    })
}

const SELECT: &str = "SELECT o.id, o.event_id, o.person_id, o.change, o.items, o.received_on, o.deadline, o.status, \
                      o.attempts, o.last_sent_at, o.error_code, p.name_kanji, p.name_kana, p.birth_date, p.sex \
                      FROM online_outbox o JOIN persons p ON p.id = o.person_id";

/// What to do with outbox rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxMark {
    /// The 中間サーバー refused the row (its error code).
    Error,
    /// Queue again after an error.
    Resend,
}

impl Store {
    /// The outbox, all or one status, oldest deadline first; `overdue_only` keeps the rows past
    /// their deadline on `today`.
    pub async fn outbox(
        &self,
        ctx: &AccessContext,
        status: Option<&str>,
        overdue_only: bool,
        today: NaiveDate,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        let grant = self
            .decide(ctx, Action::Read, &[DataCategory::Identity, DataCategory::Eligibility], Subject::Population)
            .await?;
        let pool = self.db.granted(&grant);
        let rows: Vec<Raw> = match status {
            Some(s) => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE o.status = $1 ORDER BY o.deadline, o.id")))
                    .bind(s.to_string())
                    .fetch_all(pool)
                    .await?
            }
            None => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY o.deadline, o.id")))
                    .fetch_all(pool)
                    .await?
            }
        };
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let row = to_row(r, today)?;
            if !overdue_only || row.overdue {
                out.push(row);
            }
        }
        let ids: Vec<i64> = out.iter().map(|r| r.person_id).collect();
        self.record(&grant, &Touched::Set(ids)).await?;
        Ok(out)
    }

    /// Hands out the rows to register (pending and resend), marks them sent, and records the
    /// provision to the オンライン資格確認 system (Art. 29) — one transaction.
    pub async fn outbox_take(
        &self,
        ctx: &AccessContext,
        file_name: &str,
        today: NaiveDate,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        let grant = self
            .decide(ctx, Action::Export, &[DataCategory::Identity, DataCategory::Eligibility], Subject::Population)
            .await?;
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        let rows: Vec<Raw> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE o.status IN ('pending', 'resend') ORDER BY o.deadline, o.id"
        )))
        .fetch_all(&mut *tx)
        .await?;
        let now = chrono::Utc::now().to_rfc3339();
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            sqlx::query(
                "UPDATE online_outbox SET status = 'sent', attempts = attempts + 1, last_sent_at = $1 WHERE id = $2",
            )
            .bind(now.clone())
            .bind(r.0)
            .execute(&mut *tx)
            .await?;
            out.push(to_row(r, today)?);
        }
        let mut subjects: Vec<i64> = out.iter().map(|r| r.person_id).collect();
        subjects.sort_unstable();
        subjects.dedup();
        let seq = self.record_in(&mut tx, &grant, &Touched::Set(subjects.clone())).await?;
        let record = grant.provisions.first();
        self.insert_provision(
            &mut tx,
            NewProvision {
                direction: "provide",
                counterparty: record.map_or_else(
                    || "社会保険診療報酬支払基金（オンライン資格確認等システム）".to_string(),
                    |p| p.counterparty.clone(),
                ),
                basis: record.map(|p| p.basis).unwrap_or(kenpo_policy::ProvisionBasis::Law).label().to_string(),
                use_id: ctx.purpose().id().to_string(),
                categories: vec!["identity".into(), "eligibility".into()],
                fields: "card,family,acquired_on,lost_on,loss_reason,elderly_share,name,birth_date,sex".into(),
                subjects,
                file_name: file_name.to_string(),
                actor: ctx.actor().to_string(),
                audit_seq: seq,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Marks rows after the 中間サーバー's answer: an error (with its code, ASCII ≤ 16) or a
    /// resend. Only a sent row can become an error, only an error can be resent.
    pub async fn outbox_mark(
        &self,
        ctx: &AccessContext,
        ids: &[i64],
        mark: OutboxMark,
        error_code: Option<&str>,
    ) -> Result<u64, StoreError> {
        if let Some(code) = error_code
            && (code.is_empty() || code.len() > 16 || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return Err(StoreError::Input("column エラーコード: 1–16 ASCII letters, digits or '-'".into()));
        }
        let grant = self.decide(ctx, Action::Write, &[DataCategory::Eligibility], Subject::Population).await?;
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        let (from, to) = match mark {
            OutboxMark::Error => ("sent", "error"),
            OutboxMark::Resend => ("error", "resend"),
        };
        let mut changed = 0;
        let mut people = Vec::new();
        for id in ids {
            let row: Option<(i64, String)> =
                sqlx::query_as("SELECT person_id, status FROM online_outbox WHERE id = $1")
                    .bind(*id)
                    .fetch_optional(&mut *tx)
                    .await?;
            match row {
                Some((person, status)) if status == from => {
                    sqlx::query(
                        "UPDATE online_outbox SET status = $1, error_code = COALESCE($2, error_code) WHERE id = $3",
                    )
                    .bind(to)
                    .bind(error_code.map(str::to_string))
                    .bind(*id)
                    .execute(&mut *tx)
                    .await?;
                    people.push(person);
                    changed += 1;
                }
                Some(_) => {
                    return Err(StoreError::Input(format!(
                        "outbox row {id}: status is not {} ({})",
                        outbox_status_label(from),
                        outbox_status_label(to)
                    )));
                }
                None => return Err(StoreError::NotFound(format!("outbox row {id}"))),
            }
        }
        self.record_in(&mut tx, &grant, &Touched::Set(people)).await?;
        tx.commit().await?;
        Ok(changed)
    }
}
