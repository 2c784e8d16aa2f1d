//! Receipt import: one 電子レセプト file per transaction, all or nothing, refused a second time
//! (content hash). Each receipt is matched to a person by 保険者番号 + 記号・番号 (+ 枝番, or the
//! birth date when the file carries no 枝番); unmatched receipts are kept with no person.

use crate::batch::{TableBuffer, Val, iso, next_id, open_import, take_write_lock};
use crate::matching::CardMatcher;
use crate::provisions::Received;
use crate::{Store, StoreError};
use kenpo_domain::DataCategory;
use kenpo_domain::receipt::Receipt;
use kenpo_policy::{AccessContext, Action, Subject};
use serde::Serialize;
use std::collections::HashSet;

/// What one file's import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReceiptImportSummary {
    pub import_id: i64,
    pub files: u64,
    pub receipts: u64,
    pub lines: u64,
    pub points: i64,
    pub matched: u64,
    pub unmatched: u64,
    pub warnings: u64,
    /// JY 補正 the 審査支払機関 made, applied to the receipts (deliveries only).
    pub corrections: u64,
}

const CATEGORIES: [DataCategory; 4] =
    [DataCategory::Identity, DataCategory::Eligibility, DataCategory::ReceiptCost, DataCategory::ReceiptClinical];

/// Where an import's receipts come from: a streaming reader, one receipt at a time, so that
/// memory does not grow with the file.
pub trait ReceiptSource: Send {
    /// The next receipt, or the reason the file is refused (file, line, record, field).
    fn next_receipt(&mut self) -> Option<Result<Receipt, String>>;
    /// Every warning the reader raised, after the last receipt.
    fn warnings(&mut self) -> Vec<String>;
}

/// Receipts already in memory (tests, small files).
struct SliceSource<'a> {
    receipts: std::slice::Iter<'a, Receipt>,
    warnings: &'a [String],
}

impl ReceiptSource for SliceSource<'_> {
    fn next_receipt(&mut self) -> Option<Result<Receipt, String>> {
        self.receipts.next().map(|r| Ok(r.clone()))
    }
    fn warnings(&mut self) -> Vec<String> {
        self.warnings.to_vec()
    }
}

/// Receipts are written in chunks of this many, each chunk's cards looked up together.
const CHUNK: usize = 2_000;

impl Store {
    /// Imports the receipts of one file held in memory (`warnings` are the reader's).
    pub async fn import_receipts(
        &self,
        ctx: &AccessContext,
        file_name: &str,
        content_sha256: &str,
        receipts: &[Receipt],
        warnings: &[String],
    ) -> Result<ReceiptImportSummary, StoreError> {
        let mut source = SliceSource { receipts: receipts.iter(), warnings };
        self.import_receipt_stream(ctx, file_name, content_sha256, &mut source).await
    }

    /// Imports one file's receipts as its reader yields them, in one transaction: a reader error
    /// anywhere in the file rolls everything back.
    pub async fn import_receipt_stream(
        &self,
        ctx: &AccessContext,
        file_name: &str,
        content_sha256: &str,
        source: &mut dyn ReceiptSource,
    ) -> Result<ReceiptImportSummary, StoreError> {
        let grant = self.decide(ctx, Action::Write, &CATEGORIES, Subject::Population).await?;
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        let import_id = open_import(&mut tx, "receipts", file_name, content_sha256, ctx, 0).await?;
        // The people behind the cards the file names, filled chunk by chunk.
        let mut cards = CardMatcher::default();
        let b = self.backend;
        let mut receipt_rows = TableBuffer::new(b, "receipts", &RECEIPT_COLUMNS);
        let mut diagnosis_rows = TableBuffer::new(
            b,
            "receipt_diagnoses",
            &["receipt_id", "seq", "code", "name", "start_date", "outcome", "main", "modifiers"],
        );
        let mut line_rows = TableBuffer::new(
            b,
            "receipt_lines",
            &[
                "receipt_id",
                "seq",
                "kind",
                "care_category",
                "payer_code",
                "code",
                "quantity",
                "points",
                "count",
                "service_days",
            ],
        );
        let mut correction_rows = TableBuffer::new(
            b,
            "receipt_corrections",
            &[
                "receipt_id",
                "seq",
                "kind",
                "record",
                "row_number",
                "branch_number",
                "new_row_number",
                "new_branch_number",
                "reason",
                "fields",
                "code",
                "points_before",
                "points_after",
                "charge_before",
                "charge_after",
            ],
        );
        // 検索番号 seen in this file: the same receipt twice in one delivery is refused too.
        let mut search_numbers = HashSet::new();
        let mut next = next_id(&mut tx, "receipts").await?;
        let mut summary = ReceiptImportSummary { import_id, files: 1, ..Default::default() };
        let mut people = Vec::new();
        let mut chunk: Vec<Receipt> = Vec::with_capacity(CHUNK);
        loop {
            chunk.clear();
            while chunk.len() < CHUNK {
                match source.next_receipt() {
                    Some(Ok(r)) => chunk.push(r),
                    Some(Err(e)) => return Err(StoreError::Input(e)),
                    None => break,
                }
            }
            if chunk.is_empty() {
                break;
            }
            // Hashed once per receipt: the refusal checks the keys, the rows store them.
            let content_keys: Vec<String> = chunk.iter().map(content_key).collect();
            refuse_held_receipts(&mut tx, file_name, summary.receipts, &chunk, &content_keys, &mut search_numbers)
                .await?;
            let keys = chunk.iter().map(|r| (r.insurer_number.clone(), r.card_symbol.clone(), r.card_number.clone()));
            cards.load(&mut tx, self.backend, keys).await?;
            for (r, content) in chunk.iter().zip(&content_keys) {
                let key = (r.insurer_number.clone(), r.card_symbol.clone(), r.card_number.clone());
                let person = cards.person(
                    &key,
                    r.card_branch,
                    r.birth_date,
                    r.service_month.first_day(),
                    r.service_month.last_day(),
                );
                match person {
                    Some(id) => {
                        summary.matched += 1;
                        people.push(id);
                    }
                    None => summary.unmatched += 1,
                }
                receipt_rows.push(vec![
                    Val::Int(next),
                    Val::Int(import_id),
                    Val::OptInt(person),
                    Val::Text(r.kind.code().into()),
                    Val::Text(r.setting.code().into()),
                    Val::Text(r.receipt_type.clone()),
                    Val::Text(r.service_month.to_string()),
                    Val::Text(r.institution.code.clone()),
                    Val::Int(r.institution.prefecture as i64),
                    Val::Text(r.institution.name.clone()),
                    Val::OptText(r.institution.address.clone()),
                    Val::Text(r.insurer_number.clone()),
                    Val::Text(r.card_symbol.clone()),
                    Val::Text(r.card_number.clone()),
                    Val::OptInt(r.card_branch.map(i64::from)),
                    Val::Text(r.patient_name.clone()),
                    Val::Text(r.patient_name_kana.clone()),
                    Val::Int(r.sex.code() as i64),
                    Val::Text(iso(r.birth_date)),
                    Val::OptText(r.admission_date.map(iso)),
                    Val::Int(r.days as i64),
                    Val::Int(r.total_points),
                    Val::OptInt(r.patient_charge),
                    Val::OptInt(r.meal_amount),
                    Val::OptText(r.search_number.clone()),
                    Val::OptText(r.prescriber.as_ref().map(|p| p.code.clone())),
                    Val::OptInt(r.prescriber.as_ref().map(|p| i64::from(p.prefecture))),
                    Val::OptText(r.delivery.as_ref().map(|d| d.management_number.clone())),
                    Val::OptText(r.delivery.as_ref().and_then(|d| d.processing_month).map(|m| m.to_string())),
                    Val::OptText(match &r.delivery {
                        Some(d) => {
                            Some(serde_json::to_string(&d.review).map_err(|e| StoreError::Corrupt(e.to_string()))?)
                        }
                        None => None,
                    }),
                    Val::OptText(r.delivery.as_ref().map(|d| d.record_control.join(" "))),
                    Val::Text(content.clone()),
                ]);
                let corrections = r.delivery.iter().flat_map(|d| d.corrections.iter());
                for (seq, c) in corrections.enumerate() {
                    correction_rows.push(vec![
                        Val::Int(next),
                        Val::Int(seq as i64),
                        Val::Int(i64::from(c.kind.code())),
                        Val::Text(c.record.clone()),
                        Val::Int(i64::from(c.row)),
                        Val::Int(i64::from(c.branch)),
                        Val::OptInt(c.new_row.map(i64::from)),
                        Val::OptInt(c.new_branch.map(i64::from)),
                        Val::Text(c.reason.clone()),
                        Val::Text(c.fields.clone()),
                        Val::OptText(c.code.clone()),
                        Val::OptInt(c.points_before),
                        Val::OptInt(c.points_after),
                        Val::OptInt(c.charge_before),
                        Val::OptInt(c.charge_after),
                    ]);
                    summary.corrections += 1;
                }
                for (seq, d) in r.diagnoses.iter().enumerate() {
                    diagnosis_rows.push(vec![
                        Val::Int(next),
                        Val::Int(seq as i64),
                        Val::Text(d.code.clone()),
                        Val::OptText(d.name.clone()),
                        Val::Text(iso(d.start_date)),
                        Val::Int(d.outcome as i64),
                        Val::Int(d.main as i64),
                        Val::Text(d.modifiers.clone()),
                    ]);
                }
                for (seq, l) in r.lines.iter().enumerate() {
                    line_rows.push(vec![
                        Val::Int(next),
                        Val::Int(seq as i64),
                        Val::Text(l.kind.code().into()),
                        Val::Text(l.care_category.clone()),
                        Val::Text(l.payer_code.clone()),
                        Val::Text(l.code.clone()),
                        Val::Text(l.quantity.clone()),
                        Val::OptInt(l.points),
                        Val::Int(l.count as i64),
                        Val::Text(l.service_days.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(",")),
                    ]);
                }
                summary.receipts += 1;
                summary.lines += r.lines.len() as u64;
                summary.points += r.total_points;
                next += 1;
            }
            receipt_rows.flush(&mut tx).await?;
            diagnosis_rows.flush(&mut tx).await?;
            line_rows.flush(&mut tx).await?;
            correction_rows.flush(&mut tx).await?;
        }
        sqlx::query("UPDATE imports SET row_count = $1 WHERE id = $2")
            .bind(summary.receipts as i64)
            .bind(import_id)
            .execute(&mut *tx)
            .await?;
        let warnings = source.warnings();
        let mut warning_rows = TableBuffer::new(b, "import_warnings", &["import_id", "seq", "message"]);
        for (seq, w) in warnings.iter().enumerate() {
            warning_rows.push(vec![Val::Int(import_id), Val::Int(seq as i64), Val::Text(w.clone())]);
        }
        warning_rows.flush(&mut tx).await?;
        summary.warnings = warnings.len() as u64;

        // APPI Art. 30: receipts come from the 審査支払機関.
        let received = Received {
            from: "社会保険診療報酬支払基金",
            basis: "法令（健康保険法第76条第5項）",
            categories: &CATEGORIES,
            file_name,
        };
        self.record_import(&mut tx, &grant, people, received).await?;
        tx.commit().await?;
        // The next file's content-key and 検索番号 checks look these tables up by index.
        crate::db::refresh_statistics(self.db.granted(&grant), self.backend, "receipts").await?;
        Ok(summary)
    }
}

/// Refuses a chunk holding a receipt already held, or held twice in the file: by 検索番号 (the
/// 審査支払機関 gives each receipt one) and by content ([`content_key`]: the same bill from a file
/// re-sent with other bytes — line ends, padding after the EOF mark, another file name). Either
/// would pay it twice. The message names the file and the receipt's place in it, never a value.
/// No field of the UKE says a receipt is a 月遅れ or 返戻再請求 (記録条件仕様 R4; see README): a
/// late or re-billed receipt is a new bill and differs from the one returned, so it is not caught
/// here unless it is the same bill again.
async fn refuse_held_receipts(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    file_name: &str,
    before: u64,
    chunk: &[Receipt],
    keys: &[String],
    seen: &mut HashSet<String>,
) -> Result<(), StoreError> {
    for (i, r) in chunk.iter().enumerate() {
        let ordinal = before + i as u64 + 1;
        if let Some(n) = &r.search_number
            && !seen.insert(format!("search:{n}"))
        {
            return Err(StoreError::Input(format!(
                "{file_name}: receipt {ordinal} of the file repeats the 検索番号 of an earlier receipt in it; \
                 the file is refused (nothing imported)"
            )));
        }
        if !seen.insert(format!("content:{}", keys[i])) {
            return Err(StoreError::Input(format!(
                "{file_name}: receipt {ordinal} of the file repeats an earlier receipt in it (same institution, \
                 month, card, lines and amounts); the file is refused (nothing imported)"
            )));
        }
    }
    let numbers: Vec<&str> = chunk.iter().filter_map(|r| r.search_number.as_deref()).collect();
    for (column, values, what) in [
        ("search_number", numbers, "a 検索番号 already held"),
        ("content_key", keys.iter().map(String::as_str).collect(), "the same content as a receipt already held"),
    ] {
        for part in values.chunks(500) {
            let placeholders: Vec<String> = (1..=part.len()).map(|i| format!("${i}")).collect();
            let sql =
                format!("SELECT MIN(import_id), COUNT(*) FROM receipts WHERE {column} IN ({})", placeholders.join(","));
            // Only a fixed column name and placeholders are added to the text: the values are bound.
            let mut q = sqlx::query_as::<_, (Option<i64>, i64)>(sqlx::AssertSqlSafe(sql));
            for n in part {
                q = q.bind((*n).to_string());
            }
            let (import, held) = q.fetch_one(&mut **tx).await?;
            if held > 0 {
                return Err(StoreError::Input(format!(
                    "{file_name}: {held} receipt(s) with {what} (import #{}); the file is refused \
                     (nothing imported)",
                    import.unwrap_or(0)
                )));
            }
        }
    }
    Ok(())
}

/// A receipt's content as the 審査支払機関 bills it, hashed (SHA-256, hex): institution, month,
/// type, card and birth date, days, points and amounts, every diagnosis and line. Names are left
/// out (the same bill with a name spelt otherwise is still the same bill); each part is length-
/// prefixed so no two contents hash alike by shifting text between fields.
pub(crate) fn content_key(r: &Receipt) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut part = |s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    part(r.kind.code());
    part(r.setting.code());
    part(&r.receipt_type);
    part(&r.service_month.to_string());
    part(&r.institution.code);
    part(&r.institution.prefecture.to_string());
    part(&r.insurer_number);
    part(&r.card_symbol);
    part(&r.card_number);
    part(&opt(r.card_branch.map(i64::from)));
    part(&iso(r.birth_date));
    part(&r.sex.code().to_string());
    part(&r.admission_date.map(iso).unwrap_or_default());
    part(&r.days.to_string());
    part(&r.total_points.to_string());
    part(&opt(r.patient_charge));
    part(&opt(r.meal_amount));
    part(&r.prescriber.as_ref().map(|p| format!("{:02}{}", p.prefecture, p.code)).unwrap_or_default());
    part(&r.diagnoses.len().to_string());
    for d in &r.diagnoses {
        part(&d.code);
        part(&iso(d.start_date));
        part(&d.outcome.to_string());
        part(if d.main { "1" } else { "0" });
        part(&d.modifiers);
    }
    part(&r.lines.len().to_string());
    for l in &r.lines {
        part(l.kind.code());
        part(&l.care_category);
        part(&l.payer_code);
        part(&l.code);
        part(&l.quantity);
        part(&opt(l.points));
        part(&l.count.to_string());
        part(&l.service_days.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(","));
    }
    hex::encode(h.finalize())
}

const RECEIPT_COLUMNS: [&str; 32] = [
    "id",
    "import_id",
    "person_id",
    "kind",
    "setting",
    "receipt_type",
    "service_month",
    "institution_code",
    "institution_prefecture",
    "institution_name",
    "institution_address",
    "insurer_number",
    "card_symbol",
    "card_number",
    "card_branch",
    "patient_name",
    "patient_kana",
    "patient_sex",
    "patient_birth_date",
    "admission_date",
    "days",
    "total_points",
    "patient_charge",
    "meal_amount",
    "search_number",
    "prescriber_code",
    "prescriber_prefecture",
    "management_number",
    "processing_month",
    "review_operation",
    "record_control",
    "content_key",
];
