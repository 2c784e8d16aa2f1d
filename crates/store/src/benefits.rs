//! 現金給付 (cash benefit) claims: import and read.

use crate::batch::{TableBuffer, Val, iso, next_id, open_import, parse_iso};
use crate::guard::Grant;
use crate::{Backend, Store, StoreError};
use kenpo_domain::benefit::{BenefitStatus, CashBenefitClaim, CashBenefitKind};
use kenpo_domain::{CardId, DataCategory};
use kenpo_policy::{AccessContext, Action, PersonId, Subject};
use serde::Serialize;

/// One parsed claim row, handed in by the caller.
pub struct NewBenefitClaim {
    pub line: u64,
    pub insurer_number: String,
    pub card: CardId,
    pub claim: CashBenefitClaim,
}

/// A claim as shown to an actor: clinical parts only where 現金給付(臨床) is allowed.
#[derive(Debug, Clone, Serialize)]
pub struct BenefitView {
    pub id: i64,
    pub kind: CashBenefitKind,
    pub received_on: chrono::NaiveDate,
    pub status: BenefitStatus,
    pub period_from: Option<chrono::NaiveDate>,
    pub period_to: Option<chrono::NaiveDate>,
    pub pay_during_period: Option<i64>,
    pub pension_amount: Option<i64>,
    pub days_worked: Option<i64>,
    pub event_date: Option<chrono::NaiveDate>,
    pub claimed_amount: i64,
    pub decided_amount: Option<i64>,
    pub claimant: Option<String>,
    /// `None` when withheld (or not recorded).
    pub diagnosis: Option<String>,
    pub clinical_note: Option<String>,
}

const COLUMNS: [&str; 17] = [
    "id",
    "import_id",
    "person_id",
    "kind",
    "received_on",
    "status",
    "period_from",
    "period_to",
    "diagnosis",
    "clinical_note",
    "pay_during_period",
    "pension_amount",
    "days_worked",
    "event_date",
    "claimed_amount",
    "decided_amount",
    "claimant",
];

type BenefitRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    i64,
    Option<i64>,
    Option<String>,
);

impl Store {
    /// Imports cash-benefit claims; every claim must name a person on file. All or nothing.
    pub async fn import_benefits<I>(
        &self,
        ctx: &AccessContext,
        file_name: &str,
        content_sha256: &str,
        rows: I,
    ) -> Result<u64, StoreError>
    where
        I: IntoIterator<Item = Result<NewBenefitClaim, String>>,
    {
        let grant = self
            .decide(
                ctx,
                Action::Write,
                &[DataCategory::CashBenefit, DataCategory::CashBenefitClinical],
                Subject::Population,
            )
            .await?;
        grant.require(DataCategory::CashBenefit)?;
        let mut tx = self.db.granted(&grant).begin().await?;
        crate::batch::take_write_lock(&mut tx, self.backend).await?;
        if self.backend == Backend::Postgres {
            sqlx::query("LOCK TABLE cash_benefits IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
        }
        let import_id = open_import(&mut tx, "benefits", file_name, content_sha256, ctx, 0).await?;
        let mut next = next_id(&mut tx, "cash_benefits").await?;
        let backend = self.backend;
        let mut buffer = TableBuffer::new(backend, "cash_benefits", &COLUMNS);
        let mut count = 0u64;
        let mut people = Vec::new();
        for row in rows {
            let NewBenefitClaim { line, insurer_number, card, claim } = row.map_err(StoreError::Input)?;
            let person: Option<(i64,)> = sqlx::query_as(
                "SELECT id FROM persons WHERE insurer_number = $1 AND card_symbol = $2 AND card_number = $3 AND card_branch = $4",
            )
            .bind(insurer_number)
            .bind(card.symbol.clone())
            .bind(card.number.clone())
            .bind(card.branch as i64)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((person_id,)) = person else {
                return Err(StoreError::Input(format!(
                    "{file_name}:{line}: column 番号: no person on file with that 記号・番号・枝番"
                )));
            };
            people.push(person_id);
            let c = claim;
            buffer.push(vec![
                Val::Int(next),
                Val::Int(import_id),
                Val::Int(person_id),
                Val::Text(c.kind.code().into()),
                Val::Text(iso(c.received_on)),
                Val::Text(c.status.code().into()),
                Val::OptText(c.period_from.map(iso)),
                Val::OptText(c.period_to.map(iso)),
                Val::OptText(c.diagnosis),
                Val::OptText(c.clinical_note),
                Val::OptInt(c.pay_during_period),
                Val::OptInt(c.pension_amount),
                Val::OptInt(c.days_worked.map(i64::from)),
                Val::OptText(c.event_date.map(iso)),
                Val::Int(c.claimed_amount),
                Val::OptInt(c.decided_amount),
                Val::OptText(c.claimant),
            ]);
            next += 1;
            count += 1;
        }
        sqlx::query("UPDATE imports SET row_count = $1 WHERE id = $2")
            .bind(count as i64)
            .bind(import_id)
            .execute(&mut *tx)
            .await?;
        buffer.flush(&mut tx).await?;
        let seq = self.record_in(&mut tx, &grant, &crate::audit::Touched::Set(people.clone())).await?;
        // Claims come from the members themselves: no Art. 30 record (not a third party).
        let _ = seq;
        tx.commit().await?;
        Ok(count)
    }

    /// Claims of one person under an existing grant (called from [`Store::person`]).
    pub(crate) async fn benefits_of(
        &self,
        grant: &Grant<'_>,
        person: PersonId,
    ) -> Result<Vec<BenefitView>, StoreError> {
        grant.require(DataCategory::CashBenefit)?;
        let clinical = grant.covers(DataCategory::CashBenefitClinical);
        let rows: Vec<BenefitRow> = sqlx::query_as(
            "SELECT id, kind, received_on, status, period_from, period_to, diagnosis, clinical_note, \
             pay_during_period, pension_amount, days_worked, event_date, claimed_amount, decided_amount, claimant \
             FROM cash_benefits WHERE person_id = $1 ORDER BY received_on, id",
        )
        .bind(person.0)
        .fetch_all(self.db.granted(grant))
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let corrupt = || StoreError::Corrupt(format!("cash benefit {}", r.0));
            out.push(BenefitView {
                id: r.0,
                kind: CashBenefitKind::from_code(&r.1).ok_or_else(corrupt)?,
                received_on: parse_iso(&r.2)?,
                status: BenefitStatus::from_code(&r.3).ok_or_else(corrupt)?,
                period_from: r.4.as_deref().map(parse_iso).transpose()?,
                period_to: r.5.as_deref().map(parse_iso).transpose()?,
                diagnosis: if clinical { r.6 } else { None },
                clinical_note: if clinical { r.7 } else { None },
                pay_during_period: r.8,
                pension_amount: r.9,
                days_worked: r.10,
                event_date: r.11.as_deref().map(parse_iso).transpose()?,
                claimed_amount: r.12,
                decided_amount: r.13,
                claimant: r.14,
            });
        }
        Ok(out)
    }
}
