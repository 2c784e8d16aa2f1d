//! The record "as of a day": who was covered on D, with which card, under which member. One
//! query shape (`AS_OF_SELECT`) serves the single lookup, the bulk lookup and the services built
//! on them; card matching reads the same `card_history`.
//!
//! Sets of keys (person ids, cards) are handed to the database as **one JSON text parameter**
//! joined as a table (`json_each` on SQLite, `jsonb_to_recordset` on PostgreSQL): one bound
//! value per batch instead of one `OR` term per key. sqlx's `Any` driver binds no arrays, so
//! `= ANY($1)` is out of reach through it; a JSON set is the same plan (a join of the index with
//! a set-returning function) on both backends.

use crate::audit::Touched;
use crate::batch::{Val, iso, parse_iso};
use crate::{Backend, Store, StoreError};
use chrono::NaiveDate;
use kenpo_domain::DataCategory;
use kenpo_policy::{AccessContext, Action, Subject};
use serde::Serialize;

pub(crate) const CARD_COLUMNS: [&str; 9] = [
    "person_id",
    "seq",
    "insurer_number",
    "card_symbol",
    "card_number",
    "card_branch",
    "valid_from",
    "valid_until",
    "event_id",
];

pub(crate) const DEPENDENCY_COLUMNS: [&str; 7] =
    ["person_id", "seq", "insured_id", "relationship", "valid_from", "valid_until", "event_id"];

#[allow(clippy::too_many_arguments)]
pub(crate) fn card_row(
    person: i64,
    seq: i64,
    insurer: &str,
    symbol: &str,
    number: &str,
    branch: u8,
    from: NaiveDate,
    event: Option<i64>,
) -> Vec<Val> {
    vec![
        Val::Int(person),
        Val::Int(seq),
        Val::Text(insurer.to_string()),
        Val::Text(symbol.to_string()),
        Val::Text(number.to_string()),
        Val::Int(i64::from(branch)),
        Val::Text(iso(from)),
        Val::OptText(None),
        Val::OptInt(event),
    ]
}

pub(crate) fn dependency_row(
    person: i64,
    seq: i64,
    insured: i64,
    relationship: &str,
    from: NaiveDate,
    event: Option<i64>,
) -> Vec<Val> {
    vec![
        Val::Int(person),
        Val::Int(seq),
        Val::Int(insured),
        Val::Text(relationship.to_string()),
        Val::Text(iso(from)),
        Val::OptText(None),
        Val::OptInt(event),
    ]
}

/// A set of person ids as one bound value, and the SQL that reads it as a table `k(id)`.
pub(crate) fn id_set(backend: Backend, ids: &[i64]) -> (String, &'static str) {
    let json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let table = match backend {
        Backend::Sqlite => "(SELECT CAST(value AS INTEGER) AS id FROM json_each($1))",
        Backend::Postgres => "(SELECT CAST(value AS BIGINT) AS id FROM jsonb_array_elements_text(CAST($1 AS jsonb)))",
    };
    (json, table)
}

/// A set of cards (保険者番号, 記号, 番号) as one bound value, read as a table `k(i, s, n)`.
pub(crate) fn card_set(backend: Backend, cards: &[(String, String, String)]) -> (String, &'static str) {
    let rows: Vec<[&str; 3]> = cards.iter().map(|(i, s, n)| [i.as_str(), s.as_str(), n.as_str()]).collect();
    let json = serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into());
    let table = match backend {
        Backend::Sqlite => {
            "(SELECT json_extract(value, '$[0]') AS i, json_extract(value, '$[1]') AS s, \
              json_extract(value, '$[2]') AS n FROM json_each($1))"
        }
        Backend::Postgres => {
            "(SELECT e->>0 AS i, e->>1 AS s, e->>2 AS n FROM jsonb_array_elements(CAST($1 AS jsonb)) AS e)"
        }
    };
    (json, table)
}

/// One person's coverage on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageAsOf {
    pub person_id: i64,
    /// Whether a period covers the day.
    pub covered: bool,
    /// insured | voluntary | dependant (the covering period's kind; the person's otherwise).
    pub kind: String,
    pub acquired_on: Option<String>,
    pub lost_on: Option<String>,
    /// The card in force that day (保険者番号, 記号, 番号, 枝番), if one was.
    pub card: Option<(String, String, String, i64)>,
    /// The member the person depended on that day, and the 続柄.
    pub insured_id: Option<i64>,
    pub relationship: Option<String>,
}

/// persons `p` with the period, card and dependency in force on `$2`, for the ids in `k`.
const AS_OF_SELECT: &str = "SELECT p.id, p.kind, e.kind, e.acquired_on, e.lost_on, \
       c.insurer_number, c.card_symbol, c.card_number, c.card_branch, d.insured_id, d.relationship \
     FROM {K} k JOIN persons p ON p.id = k.id \
     LEFT JOIN eligibility_periods e ON e.person_id = p.id AND e.acquired_on <= $2 \
          AND (e.lost_on IS NULL OR e.lost_on > $2) AND (e.lost_on IS NULL OR e.lost_on > e.acquired_on) \
     LEFT JOIN card_history c ON c.person_id = p.id AND c.valid_from <= $2 \
          AND (c.valid_until IS NULL OR c.valid_until > $2) \
     LEFT JOIN dependency_history d ON d.person_id = p.id AND d.valid_from <= $2 \
          AND (d.valid_until IS NULL OR d.valid_until > $2) \
     ORDER BY p.id";

type AsOfRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

/// Ids per as-of query.
pub const AS_OF_BATCH: usize = 5_000;

pub(crate) async fn as_of_in<'c, E>(
    executor: E,
    backend: Backend,
    day: NaiveDate,
    ids: &[i64],
) -> Result<Vec<CoverageAsOf>, StoreError>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let (json, table) = id_set(backend, ids);
    let sql = AS_OF_SELECT.replace("{K}", table);
    let rows: Vec<AsOfRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(json).bind(iso(day)).fetch_all(executor).await?;
    let mut out: Vec<CoverageAsOf> = Vec::with_capacity(rows.len());
    for (id, person_kind, period_kind, acquired, lost, insurer, symbol, number, branch, insured, relationship) in rows {
        // Two overlapping periods cannot be written by events; keep the first row per person.
        if out.last().is_some_and(|c| c.person_id == id) {
            continue;
        }
        let card = match (insurer, symbol, number, branch) {
            (Some(i), Some(s), Some(n), Some(b)) => Some((i, s, n, b)),
            _ => None,
        };
        out.push(CoverageAsOf {
            person_id: id,
            covered: acquired.is_some(),
            kind: period_kind.unwrap_or(person_kind),
            acquired_on: acquired,
            lost_on: lost,
            card,
            insured_id: insured,
            relationship,
        });
    }
    Ok(out)
}

impl Store {
    /// Who was covered on `day`, with which card, under which member — for the given people.
    /// One audited read (identity, eligibility, relation) per call, whatever the count.
    pub async fn coverage_as_of(
        &self,
        ctx: &AccessContext,
        day: NaiveDate,
        ids: &[i64],
    ) -> Result<Vec<CoverageAsOf>, StoreError> {
        let subject = match ids {
            [one] => Subject::Person(kenpo_policy::PersonId(*one)),
            _ => Subject::Population,
        };
        let grant = self
            .decide(
                ctx,
                Action::Read,
                &[DataCategory::Identity, DataCategory::Eligibility, DataCategory::Relation],
                subject,
            )
            .await?;
        let pool = self.db.granted(&grant);
        // Each batch comes back in id order; sorted (and each id once) before batching, so is
        // the whole answer, whatever the order asked and however many batches it takes.
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(AS_OF_BATCH) {
            out.extend(as_of_in(pool, self.backend, day, chunk).await?);
        }
        let touched: Vec<i64> = out.iter().map(|c| c.person_id).collect();
        self.record(&grant, &Touched::Set(touched)).await?;
        Ok(out)
    }

    /// The periods of one person as (取得日, 喪失日, kind), oldest first — what the 資格 checks
    /// need; crate-internal, the callers decide access.
    pub(crate) async fn periods_in(
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        person: i64,
    ) -> Result<Vec<(i64, NaiveDate, Option<NaiveDate>, Option<String>)>, StoreError> {
        let rows: Vec<(i64, String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT seq, acquired_on, lost_on, kind FROM eligibility_periods WHERE person_id = $1 ORDER BY seq",
        )
        .bind(person)
        .fetch_all(&mut **tx)
        .await?;
        rows.into_iter()
            .map(|(seq, a, l, k)| Ok((seq, parse_iso(&a)?, l.as_deref().map(parse_iso).transpose()?, k)))
            .collect()
    }
}

/// What the daily batch has to do on a day (`Store::age_milestones`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AgeMilestones {
    /// Members (被保険者, 任意継続) who reached 75 by the day and are still covered.
    pub members_75: Vec<i64>,
    /// Dependants who reached 75 by the day and are still covered.
    pub dependants_75: Vec<i64>,
    /// People whose 70–74 share starts in the day's month, not recorded yet.
    pub elderly: Vec<(i64, kenpo_domain::YearMonth)>,
}

/// A receipt with service days outside every period of its person.
pub(crate) struct Uncovered {
    pub receipt: i64,
    pub person: i64,
    /// The uncovered days, ascending.
    pub outside: Vec<NaiveDate>,
    /// The latest 喪失日 on or before the first uncovered day, if the days come after a loss.
    pub last_loss: Option<NaiveDate>,
}

/// The month's matched receipts with service days outside coverage. A receipt with dated lines
/// is checked on those days; one without (e.g. 包括) on every day of the month, and listed only
/// when no day of the month is covered. Periods closed on their first day (a corrected
/// 取得) cover nothing.
pub(crate) async fn uncovered_receipts(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    month: kenpo_domain::YearMonth,
) -> Result<Vec<Uncovered>, StoreError> {
    use kenpo_domain::review::{self, Covered};
    use std::collections::HashMap;
    let m = month.to_string();
    let receipts: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, person_id FROM receipts WHERE service_month = $1 AND person_id IS NOT NULL ORDER BY id",
    )
    .bind(m.clone())
    .fetch_all(&mut **tx)
    .await?;
    let days: Vec<(i64, String)> = sqlx::query_as(
        "SELECT l.receipt_id, l.service_days FROM receipt_lines l JOIN receipts r ON r.id = l.receipt_id \
         WHERE r.service_month = $1 AND r.person_id IS NOT NULL",
    )
    .bind(m.clone())
    .fetch_all(&mut **tx)
    .await?;
    let mut service_days: HashMap<i64, Vec<NaiveDate>> = HashMap::new();
    for (receipt, list) in days {
        for day in list.split(',').filter(|d| !d.is_empty()) {
            let day: u32 =
                day.parse().map_err(|_| StoreError::Corrupt(format!("receipt {receipt}: service day not a number")))?;
            if let Some(date) = NaiveDate::from_ymd_opt(month.year(), month.month(), day) {
                service_days.entry(receipt).or_default().push(date);
            }
        }
    }
    let periods: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT e.person_id, e.acquired_on, e.lost_on FROM eligibility_periods e \
         WHERE e.person_id IN (SELECT person_id FROM receipts WHERE service_month = $1)",
    )
    .bind(m)
    .fetch_all(&mut **tx)
    .await?;
    let mut covered: HashMap<i64, Vec<Covered>> = HashMap::new();
    for (person, from, to) in periods {
        covered
            .entry(person)
            .or_default()
            .push(Covered { acquired_on: parse_iso(&from)?, lost_on: to.as_deref().map(parse_iso).transpose()? });
    }
    let mut out = Vec::new();
    for (receipt, person) in receipts {
        let days = match service_days.get(&receipt) {
            Some(d) if !d.is_empty() => d.clone(),
            _ => month.first_day().iter_days().take_while(|d| *d <= month.last_day()).collect(),
        };
        let periods = covered.get(&person).map(Vec::as_slice).unwrap_or(&[]);
        let outside = review::uncovered(&days, periods);
        let all_outside = outside.len() == days.len();
        if !outside.is_empty() && (service_days.contains_key(&receipt) || all_outside) {
            let last_loss = periods.iter().filter_map(|p| p.lost_on).filter(|l| *l <= outside[0]).max();
            out.push(Uncovered { receipt, person, outside, last_loss });
        }
    }
    Ok(out)
}

/// A receipt for days without coverage, listed for レセプト振替 or 返還請求.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptAfterLoss {
    pub receipt_id: i64,
    pub person_id: i64,
    pub service_month: String,
    pub institution_name: String,
    pub total_points: i64,
    /// Uncovered service days and the first of them.
    pub days_outside: u64,
    pub first_day_outside: String,
    pub lost_on: Option<String>,
    pub loss_reason: Option<String>,
    /// The patient's share in tenths on the first uncovered day (2 or 3).
    pub patient_share: u8,
    /// What the society paid: 点数 × 10 × (10 − 負担割合)/10 = 点数 × (10 − 負担割合).
    pub society_paid: i64,
    /// The insurer that should have paid, where the record tells (75歳到達 → 後期高齢者医療).
    pub should_have_paid: Option<String>,
    /// レセプト振替 when the right insurer is known, else 返還請求 (to the person).
    pub action: String,
    pub arithmetic: String,
}

impl Store {
    /// Receipts of the months `from..=to` with service days outside coverage, with what the
    /// society paid for them (purpose `receipts.review`).
    pub async fn receipts_after_loss(
        &self,
        ctx: &AccessContext,
        from: kenpo_domain::YearMonth,
        to: kenpo_domain::YearMonth,
    ) -> Result<Vec<ReceiptAfterLoss>, StoreError> {
        let grant = self
            .decide(
                ctx,
                Action::Read,
                &[DataCategory::Identity, DataCategory::Eligibility, DataCategory::ReceiptCost],
                Subject::Population,
            )
            .await?;
        let mut tx = self.db.granted(&grant).begin().await?;
        let mut out = Vec::new();
        let mut month = from;
        while month <= to {
            for u in uncovered_receipts(&mut tx, month).await? {
                let (name, points, birth): (String, i64, String) = sqlx::query_as(
                    "SELECT r.institution_name, r.total_points, p.birth_date FROM receipts r \
                     JOIN persons p ON p.id = r.person_id WHERE r.id = $1",
                )
                .bind(u.receipt)
                .fetch_one(&mut *tx)
                .await?;
                let loss: Option<(String, Option<String>)> = sqlx::query_as(
                    "SELECT lost_on, loss_reason FROM eligibility_periods WHERE person_id = $1 AND lost_on IS NOT NULL \
                     AND lost_on <= $2 AND lost_on > acquired_on ORDER BY lost_on DESC LIMIT 1",
                )
                .bind(u.person)
                .bind(iso(u.outside[0]))
                .fetch_optional(&mut *tx)
                .await?;
                let first = u.outside[0];
                let birth = parse_iso(&birth)?;
                // 70–74: the share the society would have applied is not known after the loss;
                // 2割 (general) unless the record shows otherwise.
                let share = kenpo_domain::eligibility::patient_share(birth, first, 2).value;
                let paid = points
                    .checked_mul(i64::from(10 - share))
                    .ok_or_else(|| StoreError::Corrupt("receipt points beyond i64".into()))?;
                let reason = loss.as_ref().and_then(|l| l.1.clone());
                let should = match reason.as_deref() {
                    Some(r) if r == kenpo_domain::eligibility::LossReason::Age75.label() => {
                        Some("後期高齢者医療広域連合".to_string())
                    }
                    _ => None,
                };
                out.push(ReceiptAfterLoss {
                    receipt_id: u.receipt,
                    person_id: u.person,
                    service_month: month.to_string(),
                    institution_name: name,
                    total_points: points,
                    days_outside: u.outside.len() as u64,
                    first_day_outside: iso(first),
                    lost_on: loss.as_ref().map(|l| l.0.clone()),
                    loss_reason: reason,
                    patient_share: share,
                    society_paid: paid,
                    action: if should.is_some() { "レセプト振替" } else { "返還請求" }.into(),
                    should_have_paid: should,
                    arithmetic: format!("{points}点 × 10円 × {}/10 = {paid}円", 10 - share),
                });
            }
            month = month.next();
        }
        tx.commit().await?;
        let people: Vec<i64> = out.iter().map(|r| r.person_id).collect();
        self.record(&grant, &Touched::Set(people)).await?;
        Ok(out)
    }
}

/// One event of a person's record, as listed.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub id: i64,
    pub kind: String,
    pub effective_on: String,
    pub received_on: String,
    pub recorded_at: String,
    pub actor: String,
    pub reason: Option<String>,
    pub reasoning: Vec<String>,
    pub corrects: Option<i64>,
    pub corrected_by: Option<i64>,
}

/// A period as listed: (取得日, 喪失日, kind, 取得事由, 喪失事由).
pub type PeriodRow = (String, Option<String>, Option<String>, String, Option<String>);
/// A card held: (記号, 番号, 枝番, first day, first day no longer held).
pub type CardRow = (String, String, i64, String, Option<String>);

/// A person's history: events, periods, cards.
#[derive(Debug, Clone, Serialize)]
pub struct PersonHistory {
    pub person_id: i64,
    pub events: Vec<EventRow>,
    pub periods: Vec<PeriodRow>,
    pub cards: Vec<CardRow>,
    /// Earlier 事業所: (事業所番号, the first day it no longer was theirs), oldest first.
    pub employers: Vec<(Option<String>, String)>,
}

/// A 資格確認書 or 資格情報のお知らせ to print, with what goes on it.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateRow {
    pub id: i64,
    pub person_id: i64,
    /// certificate | notice
    pub kind: String,
    pub issued_on: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub insurer_number: String,
    pub card: (String, String, i64),
    pub name_kanji: String,
    pub name_kana: String,
    pub birth_date: String,
    pub sex: i64,
    /// 本人 / 家族
    pub family: String,
    pub acquired_on: Option<String>,
    /// The member's name for a dependant (被保険者氏名).
    pub member_name: Option<String>,
    /// 70–74: the share in tenths and the month it applies from.
    pub elderly: Option<(u8, String)>,
}

impl Store {
    /// One person's events (with who corrected what), periods and cards.
    pub async fn person_history(&self, ctx: &AccessContext, person: i64) -> Result<PersonHistory, StoreError> {
        let grant = self
            .decide(
                ctx,
                Action::Read,
                &[DataCategory::Identity, DataCategory::Eligibility],
                Subject::Person(kenpo_policy::PersonId(person)),
            )
            .await?;
        let pool = self.db.granted(&grant);
        type Ev = (i64, String, String, String, String, String, Option<String>, String, Option<i64>, Option<i64>);
        let events: Vec<Ev> = sqlx::query_as(
            "SELECT e.id, e.kind, e.effective_on, e.received_on, e.recorded_at, e.actor, e.reason, e.reasoning, e.corrects, \
                    (SELECT c.id FROM eligibility_events c WHERE c.corrects = e.id) \
             FROM eligibility_events e WHERE e.person_id = $1 ORDER BY e.id",
        )
        .bind(person)
        .fetch_all(pool)
        .await?;
        let periods = sqlx::query_as(
            "SELECT acquired_on, lost_on, kind, acquisition_reason, loss_reason FROM eligibility_periods \
             WHERE person_id = $1 ORDER BY seq",
        )
        .bind(person)
        .fetch_all(pool)
        .await?;
        let cards = sqlx::query_as(
            "SELECT card_symbol, card_number, card_branch, valid_from, valid_until FROM card_history \
             WHERE person_id = $1 ORDER BY seq",
        )
        .bind(person)
        .fetch_all(pool)
        .await?;
        let employers = sqlx::query_as(
            "SELECT employer_code, valid_until FROM employer_history WHERE person_id = $1 ORDER BY event_id",
        )
        .bind(person)
        .fetch_all(pool)
        .await?;
        let known: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM persons WHERE id = $1").bind(person).fetch_optional(pool).await?;
        if known.is_none() {
            return Err(StoreError::NotFound(format!("person {person}")));
        }
        self.record(&grant, &Touched::Person(person)).await?;
        Ok(PersonHistory {
            person_id: person,
            events: events
                .into_iter()
                .map(|e| EventRow {
                    id: e.0,
                    kind: e.1,
                    effective_on: e.2,
                    received_on: e.3,
                    recorded_at: e.4,
                    actor: e.5,
                    reason: e.6,
                    reasoning: serde_json::from_str(&e.7).unwrap_or_default(),
                    corrects: e.8,
                    corrected_by: e.9,
                })
                .collect(),
            periods,
            cards,
            employers,
        })
    }

    /// The certificates issued on or after `since` (or to one person), to print.
    pub async fn certificates(
        &self,
        ctx: &AccessContext,
        since: Option<NaiveDate>,
        person: Option<i64>,
    ) -> Result<Vec<CertificateRow>, StoreError> {
        let subject = match person {
            Some(p) => Subject::Person(kenpo_policy::PersonId(p)),
            None => Subject::Population,
        };
        let grant =
            self.decide(ctx, Action::Read, &[DataCategory::Identity, DataCategory::Eligibility], subject).await?;
        let pool = self.db.granted(&grant);
        type Raw = (
            i64,
            i64,
            String,
            String,
            String,
            Option<String>,
            String,
            String,
            String,
            i64,
            String,
            String,
            String,
            i64,
            String,
            Option<i64>,
        );
        let rows: Vec<Raw> = sqlx::query_as(
            "SELECT c.id, c.person_id, c.kind, c.issued_on, c.valid_from, c.valid_until, p.insurer_number, p.card_symbol, \
                    p.card_number, p.card_branch, p.name_kanji, p.name_kana, p.birth_date, p.sex, p.kind, p.insured_id \
             FROM certificates c JOIN persons p ON p.id = c.person_id \
             WHERE ($1 = '' OR c.issued_on >= $1) AND ($2 = 0 OR c.person_id = $2) ORDER BY c.id",
        )
        .bind(since.map(iso).unwrap_or_default())
        .bind(person.unwrap_or(0))
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let member_name = match r.15 {
                Some(m) => {
                    let n: Option<(String,)> = sqlx::query_as("SELECT name_kanji FROM persons WHERE id = $1")
                        .bind(m)
                        .fetch_optional(pool)
                        .await?;
                    n.map(|n| n.0)
                }
                None => None,
            };
            let acquired: Option<(String,)> = sqlx::query_as(
                "SELECT acquired_on FROM eligibility_periods WHERE person_id = $1 AND acquired_on <= $2 ORDER BY seq DESC LIMIT 1",
            )
            .bind(r.1)
            .bind(r.4.clone())
            .fetch_optional(pool)
            .await?;
            let birth = parse_iso(&r.12)?;
            let from = parse_iso(&r.4)?;
            let elderly = match kenpo_domain::eligibility::elderly_start_month(birth) {
                Some(start) if kenpo_domain::eligibility::seventy_fifth_birthday(birth).is_some_and(|d| from < d) => {
                    let member = r.15.unwrap_or(r.1);
                    let standard: Option<(i64,)> = sqlx::query_as(
                        "SELECT monthly_amount FROM standard_remuneration WHERE person_id = $1 ORDER BY effective_from DESC LIMIT 1",
                    )
                    .bind(member)
                    .fetch_optional(pool)
                    .await?;
                    // Shown from its start month when the certificate reaches it.
                    let until_ok =
                        r.5.as_deref().map(parse_iso).transpose()?.is_none_or(|u| start.value.first_day() <= u);
                    // From the start month, or from the certificate's first month if later.
                    let from_month = start.value.max(kenpo_domain::YearMonth::of(from));
                    until_ok.then(|| {
                        (
                            kenpo_domain::eligibility::elderly_share(standard.map_or(0, |s| s.0), None).value,
                            from_month.to_string(),
                        )
                    })
                }
                _ => None,
            };
            out.push(CertificateRow {
                id: r.0,
                person_id: r.1,
                kind: r.2,
                issued_on: r.3,
                valid_from: r.4,
                valid_until: r.5,
                insurer_number: r.6,
                card: (r.7, r.8, r.9),
                name_kanji: r.10,
                name_kana: r.11,
                birth_date: r.12,
                sex: r.13,
                family: if r.14 == "dependant" { "家族" } else { "本人" }.into(),
                acquired_on: acquired.map(|a| a.0),
                member_name,
                elderly,
            });
        }
        let ids: Vec<i64> = out.iter().map(|r| r.person_id).collect();
        self.record(&grant, &Touched::Set(ids)).await?;
        Ok(out)
    }
}

impl Store {
    /// The age milestones of people covered on `day` by an open period (one whose loss is already
    /// recorded, even for a later day, keeps it): who has reached 75 by `day` (後期高齢者医療:
    /// no employer files that for a dependant or a 任意継続 member) — members and dependants
    /// apart, so a batch can take the members first and their dependants with them —, and who
    /// starts the 70–74 share in `day`'s month without a recorded start yet. Ids ascending.
    pub async fn age_milestones(&self, ctx: &AccessContext, day: NaiveDate) -> Result<AgeMilestones, StoreError> {
        let grant = self
            .decide(ctx, Action::Read, &[DataCategory::Identity, DataCategory::Eligibility], Subject::Population)
            .await?;
        let pool = self.db.granted(&grant);
        // Born 69 years or more before: everyone younger is far from both milestones.
        let youngest = iso(day.checked_sub_months(chrono::Months::new(12 * 69)).unwrap_or(day));
        let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT p.id, p.birth_date, p.kind, \
                    (SELECT COUNT(*) FROM eligibility_events v WHERE v.person_id = p.id AND v.kind = 'elderly') \
             FROM persons p JOIN eligibility_periods e ON e.person_id = p.id AND e.acquired_on <= $1 \
                  AND e.lost_on IS NULL \
             WHERE p.birth_date <= $2 ORDER BY p.id",
        )
        .bind(iso(day))
        .bind(youngest)
        .fetch_all(pool)
        .await?;
        let month = kenpo_domain::YearMonth::of(day);
        let mut out = AgeMilestones::default();
        for (id, birth, kind, recorded) in rows {
            let birth = parse_iso(&birth)?;
            if kenpo_domain::eligibility::seventy_fifth_birthday(birth).is_some_and(|b| b <= day) {
                if kind == "dependant" {
                    out.dependants_75.push(id);
                } else {
                    out.members_75.push(id);
                }
            } else if recorded == 0
                && kenpo_domain::eligibility::elderly_start_month(birth).is_some_and(|s| s.value == month)
            {
                out.elderly.push((id, month));
            }
        }
        let mut touched: Vec<i64> = out.members_75.clone();
        touched.extend(&out.dependants_75);
        touched.extend(out.elderly.iter().map(|e| e.0));
        touched.sort_unstable();
        self.record(&grant, &Touched::Set(touched)).await?;
        Ok(out)
    }

    /// 任意継続 periods still open whose two years are over by `day` (Art. 38(1)): (person,
    /// the period's 取得日). Ids ascending.
    pub async fn voluntary_ends(
        &self,
        ctx: &AccessContext,
        day: NaiveDate,
    ) -> Result<Vec<(i64, NaiveDate)>, StoreError> {
        let grant = self.decide(ctx, Action::Read, &[DataCategory::Eligibility], Subject::Population).await?;
        let pool = self.db.granted(&grant);
        let since = iso(day.checked_sub_months(chrono::Months::new(24)).unwrap_or(day));
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT person_id, acquired_on FROM eligibility_periods WHERE kind = 'voluntary' AND lost_on IS NULL \
             AND acquired_on <= $1 ORDER BY person_id",
        )
        .bind(since)
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, acquired) in rows {
            let acquired = parse_iso(&acquired)?;
            // The day after two years have passed, by the rule (a 29 February start ends 1 March).
            if kenpo_domain::eligibility::loss_date(kenpo_domain::eligibility::LossReason::TwoYears, acquired, acquired)
                .is_some_and(|l| l.value <= day)
            {
                out.push((id, acquired));
            }
        }
        self.record(&grant, &Touched::Set(out.iter().map(|o| o.0).collect())).await?;
        Ok(out)
    }
}
