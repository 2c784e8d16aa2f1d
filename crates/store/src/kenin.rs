//! 検認 (被扶養者資格の再確認): once a year the society lists every dependant covered on a day,
//! per employer, asks for evidence, runs the recognition rule again on the answers and removes
//! (by events) those who no longer qualify. The rule is `kenpo_domain::dependant::recognise`; the
//! store keeps the list, the answers' outcomes and their reasoning.

use crate::audit::Touched;
use crate::batch::{iso, take_write_lock};
use crate::{Store, StoreError};
use chrono::NaiveDate;
use kenpo_domain::DataCategory;
use kenpo_policy::{AccessContext, Action, Subject};
use serde::Serialize;

/// One dependant on a year's 検認 list.
#[derive(Debug, Clone, Serialize)]
pub struct DependantCheckRow {
    pub year: i64,
    pub person_id: i64,
    pub member_id: i64,
    pub employer_code: Option<String>,
    pub card: (String, String, i64),
    pub name_kana: String,
    pub birth_date: String,
    pub relationship: String,
    pub listed_on: String,
    pub answered_on: Option<String>,
    /// recognised | refused | documents (None until answered).
    pub outcome: Option<String>,
    pub reasoning: Option<Vec<String>>,
}

/// The rule's answer for one listed dependant.
#[derive(Debug, Clone)]
pub struct DependantCheckResult {
    pub line: u64,
    pub person_id: i64,
    pub answered_on: NaiveDate,
    pub outcome: &'static str,
    pub reasoning: Vec<String>,
}

const CATEGORIES: [DataCategory; 4] =
    [DataCategory::Identity, DataCategory::Eligibility, DataCategory::Relation, DataCategory::Income];

type Raw = (
    i64,
    i64,
    i64,
    Option<String>,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Store {
    /// Lists the dependants covered on `as_of` for the `year`'s 検認 (adding those not listed
    /// yet) and returns the whole list, per employer then card (the dependants of 任意継続
    /// members, who have no employer, last — on both backends).
    pub async fn dependant_checks(
        &self,
        ctx: &AccessContext,
        year: i32,
        as_of: NaiveDate,
    ) -> Result<Vec<DependantCheckRow>, StoreError> {
        let grant = self.decide(ctx, Action::Write, &CATEGORIES, Subject::Population).await?;
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        sqlx::query(
            "INSERT INTO dependant_checks (year, person_id, employer_code, listed_on) \
             SELECT $1, p.id, m.employer_code, $2 FROM persons p JOIN persons m ON m.id = p.insured_id \
             JOIN eligibility_periods e ON e.person_id = p.id AND e.acquired_on <= $2 \
                  AND (e.lost_on IS NULL OR e.lost_on > $2) AND (e.lost_on IS NULL OR e.lost_on > e.acquired_on) \
             WHERE p.kind = 'dependant' \
               AND NOT EXISTS (SELECT 1 FROM dependant_checks c WHERE c.year = $1 AND c.person_id = p.id)",
        )
        .bind(i64::from(year))
        .bind(iso(as_of))
        .execute(&mut *tx)
        .await?;
        let rows: Vec<Raw> = sqlx::query_as(
            "SELECT c.year, c.person_id, p.insured_id, c.employer_code, p.card_symbol, p.card_number, p.card_branch, \
                    p.name_kana, p.birth_date, COALESCE(d.relationship, ''), c.listed_on, c.answered_on, c.outcome, c.reasoning \
             FROM dependant_checks c JOIN persons p ON p.id = c.person_id LEFT JOIN dependants d ON d.person_id = p.id \
             WHERE c.year = $1 \
             ORDER BY c.employer_code IS NULL, c.employer_code, p.card_symbol, p.card_number, p.card_branch",
        )
        .bind(i64::from(year))
        .fetch_all(&mut *tx)
        .await?;
        let out: Vec<DependantCheckRow> = rows
            .into_iter()
            .map(|r| DependantCheckRow {
                year: r.0,
                person_id: r.1,
                member_id: r.2,
                employer_code: r.3,
                card: (r.4, r.5, r.6),
                name_kana: r.7,
                birth_date: r.8,
                relationship: r.9,
                listed_on: r.10,
                answered_on: r.11,
                outcome: r.12,
                reasoning: r.13.and_then(|t| serde_json::from_str(&t).ok()),
            })
            .collect();
        let ids: Vec<i64> = out.iter().map(|r| r.person_id).collect();
        self.record_in(&mut tx, &grant, &Touched::Set(ids)).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Stores the rule's outcomes for answered dependants, all or nothing: every result must
    /// name a dependant on the year's list.
    pub async fn record_dependant_checks(
        &self,
        ctx: &AccessContext,
        file_name: &str,
        year: i32,
        results: &[DependantCheckResult],
    ) -> Result<u64, StoreError> {
        let grant = self.decide(ctx, Action::Write, &CATEGORIES, Subject::Population).await?;
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        for r in results {
            let reasoning = serde_json::to_string(&r.reasoning).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let done = sqlx::query(
                "UPDATE dependant_checks SET answered_on = $1, outcome = $2, reasoning = $3 WHERE year = $4 AND person_id = $5",
            )
            .bind(iso(r.answered_on))
            .bind(r.outcome)
            .bind(reasoning)
            .bind(i64::from(year))
            .bind(r.person_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Input(format!(
                    "{file_name}:{}: column 記号・番号: not on the {year} 検認 list",
                    r.line
                )));
            }
        }
        let ids: Vec<i64> = results.iter().map(|r| r.person_id).collect();
        self.record_in(&mut tx, &grant, &Touched::Set(ids)).await?;
        tx.commit().await?;
        Ok(results.len() as u64)
    }
}
