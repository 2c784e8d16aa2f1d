//! One receipt as the paper レセプト shows it, and a person's checkups and guidance: reads of one
//! person's records for the screens (staff and the member portal). Which person first (the row
//! decision on that person), then which categories: 傷病名 and the 診療行為・医薬品 lines are
//! レセプト: 傷病名・診療内容 (要配慮個人情報) and come back only where the use allows them.

use crate::audit::Touched;
use crate::guard::Withheld;
use crate::{Store, StoreError};
use kenpo_domain::{DataCategory, Field};
use kenpo_policy::{AccessContext, Action, PersonId, Subject};
use serde::Serialize;

/// The header of one receipt (レセプト共通: RE, HO, the 医療機関).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReceiptHeader {
    pub id: i64,
    pub person_id: i64,
    pub service_month: String,
    pub kind: String,
    pub setting: String,
    pub receipt_type: String,
    pub institution_code: String,
    pub institution_prefecture: i64,
    pub institution_name: String,
    pub insurer_number: String,
    pub card_symbol: String,
    pub card_number: String,
    pub card_branch: Option<i64>,
    pub patient_name: String,
    pub patient_sex: i64,
    pub patient_birth_date: String,
    pub admission_date: Option<String>,
    pub days: i64,
    pub total_points: i64,
    pub patient_charge: Option<i64>,
    pub meal_amount: Option<i64>,
    pub search_number: Option<String>,
}

/// One 傷病名 (SY) of a receipt.
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosisLine {
    pub code: String,
    pub name: Option<String>,
    pub start_date: String,
    pub outcome: i64,
    pub main: bool,
}

/// One 診療行為 (SI), 医薬品 (IY) or 特定器材 (TO) line.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CareLine {
    pub seq: i64,
    pub kind: String,
    pub care_category: String,
    pub payer_code: String,
    pub code: String,
    pub quantity: String,
    pub points: Option<i64>,
    pub count: i64,
    pub service_days: String,
}

/// One receipt: the header under レセプト: 医療費; 傷病名 and lines only where allowed.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptView {
    pub header: ReceiptHeader,
    pub diagnoses: Option<Vec<DiagnosisLine>>,
    pub lines: Option<Vec<CareLine>>,
    pub withheld: Vec<Withheld>,
    /// Fields shown as ＊＊＊ because the use's obligations mask them.
    pub masked: Vec<Field>,
}

/// One checkup of a person, with its 階層化 where it has been assessed.
#[derive(Debug, Clone, Serialize)]
pub struct CheckupView {
    pub id: i64,
    pub exam_date: String,
    pub institution_name: String,
    /// 検査項目: JLAC10 item code, value and unit.
    pub results: Vec<(String, Option<String>, Option<String>)>,
    pub level: Option<String>,
    pub metabolic: Option<String>,
    pub referral: Option<String>,
}

/// One 特定保健指導 record of a person.
#[derive(Debug, Clone, Serialize)]
pub struct GuidanceView {
    pub level: String,
    pub started_on: String,
    pub evaluated_on: Option<String>,
    pub outcome: Option<String>,
}

/// A person's checkups and guidance (guidance `None` when withheld).
#[derive(Debug, Clone, Serialize)]
pub struct PersonCheckups {
    pub person_id: i64,
    pub checkups: Vec<CheckupView>,
    pub guidance: Option<Vec<GuidanceView>>,
    pub withheld: Vec<Withheld>,
}

/// (id, exam_date, institution_name, level, metabolic, referral)
type CheckupRow = (i64, String, String, Option<String>, Option<String>, Option<String>);

impl Store {
    /// One receipt of one person (the paper レセプト view). The receipt must be that person's:
    /// an id of someone else's receipt is answered as not found, and logged as a probe.
    pub async fn person_receipt(
        &self,
        ctx: &AccessContext,
        person: PersonId,
        receipt_id: i64,
    ) -> Result<ReceiptView, StoreError> {
        let (grant, withheld) = self
            .decide_fields(
                ctx,
                Action::Read,
                DataCategory::ReceiptCost,
                &[DataCategory::ReceiptClinical],
                Subject::Person(person),
            )
            .await?;
        let row: Option<ReceiptHeader> = sqlx::query_as(
            "SELECT id, COALESCE(person_id, 0) AS person_id, service_month, kind, setting, receipt_type, institution_code, institution_prefecture, \
             institution_name, insurer_number, card_symbol, card_number, card_branch, patient_name, patient_sex, \
             patient_birth_date, admission_date, days, total_points, patient_charge, meal_amount, search_number \
             FROM receipts WHERE id = $1 AND person_id = $2",
        )
        .bind(receipt_id)
        .bind(person.0)
        .fetch_optional(self.db.granted(&grant))
        .await?;
        let Some(mut header) = row else {
            self.record(&grant, &Touched::Nothing).await?;
            return Err(StoreError::NotFound(format!("receipt {receipt_id} of person {person}")));
        };
        // The use's masks hold on the receipt's copy of the patient's identity too.
        let mut masked = Vec::new();
        for field in &grant.mask {
            let slot = match field {
                Field::NameKanji => Some(&mut header.patient_name),
                Field::CardSymbol => Some(&mut header.card_symbol),
                Field::CardNumber => Some(&mut header.card_number),
                _ => None,
            };
            if let Some(text) = slot {
                *text = crate::people::MASK.to_string();
                masked.push(*field);
            }
        }
        let (diagnoses, lines) = if grant.covers(DataCategory::ReceiptClinical) {
            let d: Vec<(String, Option<String>, String, i64, i64)> = sqlx::query_as(
                "SELECT code, name, start_date, outcome, main FROM receipt_diagnoses WHERE receipt_id = $1 ORDER BY seq",
            )
            .bind(receipt_id)
            .fetch_all(self.db.granted(&grant))
            .await?;
            let lines: Vec<CareLine> = sqlx::query_as(
                "SELECT seq, kind, care_category, payer_code, code, quantity, points, count, service_days \
                 FROM receipt_lines WHERE receipt_id = $1 ORDER BY seq",
            )
            .bind(receipt_id)
            .fetch_all(self.db.granted(&grant))
            .await?;
            (
                Some(
                    d.into_iter()
                        .map(|(code, name, start_date, outcome, main)| DiagnosisLine {
                            code,
                            name,
                            start_date,
                            outcome,
                            main: main != 0,
                        })
                        .collect(),
                ),
                Some(lines),
            )
        } else {
            (None, None)
        };
        self.record(&grant, &Touched::Person(person.0)).await?;
        Ok(ReceiptView { header, diagnoses, lines, withheld, masked })
    }

    /// A person's 特定健診 (results and 階層化) and, where the use allows, 特定保健指導.
    pub async fn person_checkups(&self, ctx: &AccessContext, person: PersonId) -> Result<PersonCheckups, StoreError> {
        let (grant, withheld) = self
            .decide_fields(
                ctx,
                Action::Read,
                DataCategory::CheckupResult,
                &[DataCategory::GuidanceRecord],
                Subject::Person(person),
            )
            .await?;
        let rows: Vec<CheckupRow> = sqlx::query_as(
            "SELECT c.id, c.exam_date, c.institution_name, a.level, a.metabolic, a.referral \
             FROM checkups c LEFT JOIN checkup_assessments a ON a.checkup_id = c.id \
             WHERE c.person_id = $1 ORDER BY c.exam_date DESC, c.id",
        )
        .bind(person.0)
        .fetch_all(self.db.granted(&grant))
        .await?;
        let mut checkups = Vec::with_capacity(rows.len());
        for (id, exam_date, institution_name, level, metabolic, referral) in rows {
            let results: Vec<(String, Option<String>, Option<String>)> =
                sqlx::query_as("SELECT item_code, value, unit FROM checkup_results WHERE checkup_id = $1 ORDER BY seq")
                    .bind(id)
                    .fetch_all(self.db.granted(&grant))
                    .await?;
            checkups.push(CheckupView { id, exam_date, institution_name, results, level, metabolic, referral });
        }
        let guidance = if grant.covers(DataCategory::GuidanceRecord) {
            let g: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT level, started_on, evaluated_on, outcome FROM guidance WHERE person_id = $1 ORDER BY started_on DESC",
            )
            .bind(person.0)
            .fetch_all(self.db.granted(&grant))
            .await?;
            Some(
                g.into_iter()
                    .map(|(level, started_on, evaluated_on, outcome)| GuidanceView {
                        level,
                        started_on,
                        evaluated_on,
                        outcome,
                    })
                    .collect(),
            )
        } else {
            None
        };
        self.record(&grant, &Touched::Person(person.0)).await?;
        Ok(PersonCheckups { person_id: person.0, checkups, guidance, withheld })
    }
}
