//! 特定健診 import: one archive per transaction, all or nothing, refused a second time (content
//! hash). Each document is matched to a person by 保険者番号 + 記号・番号 (+ 枝番, or the birth
//! date when the document carries no 枝番); unmatched documents are kept with no person.

use crate::batch::{TableBuffer, Val, iso, next_id, open_import, take_write_lock};
use crate::matching::CardMatcher;
use crate::provisions::Received;
use crate::{Store, StoreError};
use kenpo_domain::DataCategory;
use kenpo_domain::checkup::{CheckupRecord, ResultValue};
use kenpo_policy::{AccessContext, Action, Subject};
use serde::Serialize;

/// What one archive's import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckupImportSummary {
    pub import_id: i64,
    pub archives: u64,
    pub documents: u64,
    pub results: u64,
    pub matched: u64,
    pub unmatched: u64,
    /// What the reader did not read (items outside the document's table), stored with the import.
    pub warnings: u64,
}

const CATEGORIES: [DataCategory; 4] =
    [DataCategory::Identity, DataCategory::Eligibility, DataCategory::Contact, DataCategory::CheckupResult];

impl Store {
    /// Imports the documents of one archive (read and validated whole by the caller's reader).
    /// `sender` names the 健診機関 (or 代行機関) the archive came from, for the Art. 30 record.
    pub async fn import_checkups(
        &self,
        ctx: &AccessContext,
        archive_name: &str,
        content_sha256: &str,
        sender: &str,
        records: &[CheckupRecord],
        warnings: &[String],
    ) -> Result<CheckupImportSummary, StoreError> {
        let grant = self.decide(ctx, Action::Write, &CATEGORIES, Subject::Population).await?;
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        let import_id =
            open_import(&mut tx, "checkups", archive_name, content_sha256, ctx, records.len() as i64).await?;
        let mut cards = CardMatcher::default();
        let keys = records.iter().map(|r| (r.insurer_number.clone(), r.card_symbol.clone(), r.card_number.clone()));
        cards.load(&mut tx, self.backend, keys).await?;
        let b = self.backend;
        let mut checkup_rows = TableBuffer::new(
            b,
            "checkups",
            &[
                "id",
                "import_id",
                "person_id",
                "insurer_number",
                "card_symbol",
                "card_number",
                "card_branch",
                "name_kana",
                "sex",
                "birth_date",
                "postal_code",
                "address",
                "exam_date",
                "institution_code",
                "institution_name",
                "institution_address",
                "content_key",
            ],
        );
        let identities: Vec<String> = records.iter().map(document_identity).collect();
        refuse_held_documents(&mut tx, archive_name, &identities).await?;
        let mut result_rows = TableBuffer::new(
            b,
            "checkup_results",
            &["checkup_id", "seq", "item_code", "value_type", "value", "unit", "code_system", "interpretation"],
        );
        let mut next = next_id(&mut tx, "checkups").await?;
        let mut summary = CheckupImportSummary { import_id, archives: 1, ..Default::default() };
        let mut people = Vec::new();
        for (r, identity) in records.iter().zip(&identities) {
            let key = (r.insurer_number.clone(), r.card_symbol.clone(), r.card_number.clone());
            let person = cards.person(&key, r.card_branch, r.birth_date, r.exam_date, r.exam_date);
            match person {
                Some(id) => {
                    summary.matched += 1;
                    people.push(id);
                }
                None => summary.unmatched += 1,
            }
            checkup_rows.push(vec![
                Val::Int(next),
                Val::Int(import_id),
                Val::OptInt(person),
                Val::Text(r.insurer_number.clone()),
                Val::Text(r.card_symbol.clone()),
                Val::Text(r.card_number.clone()),
                Val::OptInt(r.card_branch.map(i64::from)),
                Val::Text(r.name_kana.clone()),
                Val::Int(i64::from(r.sex.code())),
                Val::Text(iso(r.birth_date)),
                Val::Text(r.postal_code.clone()),
                Val::Text(r.address.clone()),
                Val::Text(iso(r.exam_date)),
                Val::Text(r.institution.code.clone()),
                Val::Text(r.institution.name.clone()),
                Val::Text(r.institution.address.clone()),
                Val::Text(identity.clone()),
            ]);
            for (seq, res) in r.results.iter().enumerate() {
                let (value, unit, system, interpretation) = match &res.value {
                    ResultValue::Quantity { value, unit } => (Some(value.clone()), Some(unit.clone()), None, None),
                    ResultValue::Coded { code, code_system } => {
                        (Some(code.clone()), None, Some(code_system.clone()), None)
                    }
                    ResultValue::Text(t) => (Some(t.clone()), None, None, None),
                    ResultValue::Beyond { interpretation, value, unit } => {
                        (Some(value.clone()), Some(unit.clone()), None, Some(interpretation.clone()))
                    }
                    ResultValue::NotPerformed | ResultValue::Unmeasurable => (None, None, None, None),
                };
                result_rows.push(vec![
                    Val::Int(next),
                    Val::Int(seq as i64),
                    Val::Text(res.code.clone()),
                    Val::Text(res.value.type_code().into()),
                    Val::OptText(value),
                    Val::OptText(unit),
                    Val::OptText(system),
                    Val::OptText(interpretation),
                ]);
                summary.results += 1;
            }
            summary.documents += 1;
            next += 1;
        }
        checkup_rows.flush(&mut tx).await?;
        result_rows.flush(&mut tx).await?;
        let mut warning_rows = TableBuffer::new(self.backend, "import_warnings", &["import_id", "seq", "message"]);
        for (seq, w) in warnings.iter().enumerate() {
            warning_rows.push(vec![Val::Int(import_id), Val::Int(seq as i64), Val::Text(w.clone())]);
        }
        warning_rows.flush(&mut tx).await?;
        summary.warnings = warnings.len() as u64;
        // APPI Art. 30: the results come from the 健診機関 the society entrusted with the checkup.
        let received = Received {
            from: sender,
            basis: "委託（高齢者の医療の確保に関する法律第28条: 特定健康診査の実施の委託）",
            categories: &CATEGORIES,
            file_name: archive_name,
        };
        self.record_import(&mut tx, &grant, people, received).await?;
        tx.commit().await?;
        Ok(summary)
    }
}

/// A 特定健診 document's identity: one person (保険者番号, 記号・番号・枝番, 生年月日) examined on
/// one day by one 健診機関, hashed (SHA-256, hex). The same document re-zipped, or sent twice in
/// one archive, has the same identity; a corrected re-send would too and is refused as well
/// (replacing a held result is not supported: the held one must be dealt with first).
fn document_identity(r: &CheckupRecord) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [
        r.insurer_number.as_str(),
        r.card_symbol.as_str(),
        r.card_number.as_str(),
        &r.card_branch.map(|b| b.to_string()).unwrap_or_default(),
        &iso(r.birth_date),
        &iso(r.exam_date),
        r.institution.code.as_str(),
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Refuses an archive holding a document twice, or one already held (from any archive).
async fn refuse_held_documents(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    archive_name: &str,
    identities: &[String],
) -> Result<(), StoreError> {
    let mut seen = std::collections::HashSet::new();
    for (i, id) in identities.iter().enumerate() {
        if !seen.insert(id.as_str()) {
            return Err(StoreError::Input(format!(
                "{archive_name}: document {} repeats an earlier document of the archive (same person, exam day and \
                 健診機関); the archive is refused (nothing imported)",
                i + 1
            )));
        }
    }
    for part in identities.chunks(500) {
        let placeholders: Vec<String> = (1..=part.len()).map(|i| format!("${i}")).collect();
        let sql =
            format!("SELECT MIN(import_id), COUNT(*) FROM checkups WHERE content_key IN ({})", placeholders.join(","));
        // Only placeholders are added to the text: the identities are bound.
        let mut q = sqlx::query_as::<_, (Option<i64>, i64)>(sqlx::AssertSqlSafe(sql));
        for id in part {
            q = q.bind(id.clone());
        }
        let (import, held) = q.fetch_one(&mut **tx).await?;
        if held > 0 {
            return Err(StoreError::Input(format!(
                "{archive_name}: {held} document(s) already held (same person, exam day and 健診機関; import #{}); \
                 the archive is refused (nothing imported)",
                import.unwrap_or(0)
            )));
        }
    }
    Ok(())
}
