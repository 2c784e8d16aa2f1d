//! Roster import: all-or-nothing, in one transaction, with multi-row inserts.

use crate::audit::Touched;
use crate::batch::{TableBuffer, Val, iso, next_id, open_import};
use crate::guard::Grant;
use crate::{Backend, Store, StoreError};
use kenpo_domain::DataCategory;
use kenpo_domain::person::{Employer, Person};
use kenpo_policy::{AccessContext, Action, Subject};
use std::collections::HashMap;

/// One parsed roster row, handed in by the caller (which owns the file format).
pub struct NewPerson {
    /// Line in the source file, for error messages.
    pub line: u64,
    pub person: Person,
    pub employer: Option<Employer>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportSummary {
    pub import_id: i64,
    pub people: u64,
    pub insured: u64,
    pub dependants: u64,
    pub voluntary: u64,
    pub employers_added: u64,
    pub my_numbers: u64,
}

/// The categories a roster row writes (My Number is decided separately, when present).
pub(crate) const ROSTER_CATEGORIES: [DataCategory; 6] = [
    DataCategory::Identity,
    DataCategory::Eligibility,
    DataCategory::Remuneration,
    DataCategory::Income,
    DataCategory::Relation,
    DataCategory::Contact,
];

type CardKey = (String, String, String, u8);

fn card_key(p: &Person) -> CardKey {
    (p.insurer_number.to_string(), p.card.symbol.clone(), p.card.number.clone(), p.card.branch)
}

const BATCH_PEOPLE: usize = 2_000;

struct Buffers {
    employers: TableBuffer,
    persons: TableBuffer,
    periods: TableBuffer,
    remuneration: TableBuffer,
    bonuses: TableBuffer,
    dependants: TableBuffer,
    contacts: TableBuffer,
    my_numbers: TableBuffer,
    cards: TableBuffer,
    dependency: TableBuffer,
}

impl Buffers {
    fn new(backend: Backend) -> Self {
        Self {
            employers: TableBuffer::new(backend, "employers", &["code", "name", "address"]),
            persons: TableBuffer::new(
                backend,
                "persons",
                &[
                    "id",
                    "import_id",
                    "insurer_number",
                    "card_symbol",
                    "card_number",
                    "card_branch",
                    "kind",
                    "insured_id",
                    "name_kanji",
                    "name_kana",
                    "birth_date",
                    "sex",
                    "employer_code",
                ],
            ),
            periods: TableBuffer::new(
                backend,
                "eligibility_periods",
                &["person_id", "seq", "acquired_on", "acquisition_reason", "lost_on", "loss_reason", "kind"],
            ),
            remuneration: TableBuffer::new(
                backend,
                "standard_remuneration",
                &["person_id", "effective_from", "grade", "monthly_amount"],
            ),
            bonuses: TableBuffer::new(backend, "bonuses", &["person_id", "paid_on", "amount", "standard_amount"]),
            dependants: TableBuffer::new(
                backend,
                "dependants",
                &["person_id", "relationship", "cohabiting", "annual_income"],
            ),
            contacts: TableBuffer::new(backend, "contacts", &["person_id", "postal_code", "address", "phone"]),
            my_numbers: TableBuffer::new(
                backend,
                "my_numbers",
                &["person_id", "key_id", "nonce", "ciphertext", "blind_index"],
            ),
            cards: TableBuffer::new(backend, "card_history", &crate::history::CARD_COLUMNS),
            dependency: TableBuffer::new(backend, "dependency_history", &crate::history::DEPENDENCY_COLUMNS),
        }
    }

    /// Parents before children, so foreign keys hold at every statement.
    async fn flush(&mut self, tx: &mut sqlx::Transaction<'static, sqlx::Any>) -> Result<(), sqlx::Error> {
        self.employers.flush(tx).await?;
        self.persons.flush(tx).await?;
        self.periods.flush(tx).await?;
        self.remuneration.flush(tx).await?;
        self.bonuses.flush(tx).await?;
        self.dependants.flush(tx).await?;
        self.contacts.flush(tx).await?;
        self.my_numbers.flush(tx).await?;
        self.cards.flush(tx).await?;
        self.dependency.flush(tx).await?;
        Ok(())
    }
}

impl Store {
    /// Imports a roster. Everything or nothing: any bad row, unknown insured person for a
    /// dependant, card already on file, or refused category rolls the whole import back.
    /// `content_sha256` identifies the file; the same content is refused a second time.
    pub async fn import_roster<I>(
        &self,
        ctx: &AccessContext,
        file_name: &str,
        content_sha256: &str,
        rows: I,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ImportSummary, StoreError>
    where
        I: IntoIterator<Item = Result<NewPerson, String>>,
    {
        let grant = self.decide(ctx, Action::Write, &ROSTER_CATEGORIES, Subject::Population).await?;
        // Needed only if a row carries a 個人番号, so a roster without numbers needs no 番号法
        // purpose. Asked now, outside the import's transaction: a refusal must be logged, and on
        // SQLite the log cannot be written while this import holds the write lock.
        let my_number_decision = self.ask(ctx, Action::Write, DataCategory::MyNumber, &Subject::Population);
        let mut my_number_grant: Option<Grant<'_>> = None;
        let mut my_number_refused = false;

        let mut tx = self.db.granted(&grant).begin().await?;
        crate::batch::take_write_lock(&mut tx, self.backend).await?;
        if self.backend == Backend::Postgres {
            // One roster import at a time: ids are allocated from MAX(id).
            sqlx::query("LOCK TABLE persons IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
        }
        let import_id = open_import(&mut tx, "roster", file_name, content_sha256, ctx, 0).await?;

        // Cards and employers already on file.
        let mut cards: HashMap<CardKey, i64> = HashMap::new();
        let stored: Vec<(i64, String, String, String, i64)> =
            sqlx::query_as("SELECT id, insurer_number, card_symbol, card_number, card_branch FROM persons")
                .fetch_all(&mut *tx)
                .await?;
        for (id, insurer, symbol, number, branch) in stored {
            cards.insert((insurer, symbol, number, branch as u8), id);
        }
        let mut employers: HashMap<String, (String, String)> = HashMap::new();
        let stored: Vec<(String, String, String)> =
            sqlx::query_as("SELECT code, name, address FROM employers").fetch_all(&mut *tx).await?;
        for (code, name, address) in stored {
            employers.insert(code, (name, address));
        }

        let mut next_person = next_id(&mut tx, "persons").await?;
        let first_person = next_person;
        let mut summary = ImportSummary { import_id, ..Default::default() };
        let mut buffers = Buffers::new(self.backend);
        let mut in_batch = 0usize;
        let here = |line: u64, problem: &str| StoreError::Input(format!("{file_name}:{line}: {problem}"));

        for row in rows {
            let NewPerson { line, person, employer } = row.map_err(StoreError::Input)?;
            let key = card_key(&person);
            if cards.contains_key(&key) {
                return Err(here(
                    line,
                    "column 番号: 記号・番号・枝番 is already on file (in this roster or an earlier one)",
                ));
            }
            let insured_id = if person.kind.is_insured() {
                None
            } else {
                let insured_key = (key.0.clone(), key.1.clone(), key.2.clone(), 0u8);
                match cards.get(&insured_key) {
                    Some(id) => Some(*id),
                    None => {
                        return Err(here(
                            line,
                            "column 番号: a 家族 row must follow its 本人 (same 記号・番号, 枝番 00)",
                        ));
                    }
                }
            };
            if let Some(e) = &employer {
                match employers.get(&e.code) {
                    Some((name, address)) if *name != e.name || *address != e.address => {
                        return Err(here(
                            line,
                            "column 事業所名称: differs from an earlier row with the same 事業所番号",
                        ));
                    }
                    Some(_) => {}
                    None => {
                        employers.insert(e.code.clone(), (e.name.clone(), e.address.clone()));
                        buffers.employers.push(vec![
                            Val::Text(e.code.clone()),
                            Val::Text(e.name.clone()),
                            Val::Text(e.address.clone()),
                        ]);
                        summary.employers_added += 1;
                    }
                }
            }
            if let Some(code) = &person.employer_code
                && !employers.contains_key(code)
            {
                return Err(here(
                    line,
                    "column 事業所番号: unknown 事業所 (give its 事業所名称 on the first row that names it)",
                ));
            }

            let id = next_person;
            next_person += 1;
            cards.insert(key.clone(), id);
            let p = &person;
            buffers.persons.push(vec![
                Val::Int(id),
                Val::Int(import_id),
                Val::Text(p.insurer_number.to_string()),
                Val::Text(p.card.symbol.clone()),
                Val::Text(p.card.number.clone()),
                Val::Int(p.card.branch as i64),
                Val::Text(p.kind.code().to_string()),
                Val::OptInt(insured_id),
                Val::Text(p.name_kanji.clone()),
                Val::Text(p.name_kana.clone()),
                Val::Text(iso(p.birth_date)),
                Val::Int(p.sex.code() as i64),
                Val::OptText(p.employer_code.clone()),
            ]);
            for (seq, e) in p.eligibility.iter().enumerate() {
                buffers.periods.push(vec![
                    Val::Int(id),
                    Val::Int(seq as i64),
                    Val::Text(iso(e.acquired_on)),
                    Val::Text(e.acquisition_reason.clone()),
                    Val::OptText(e.lost_on.map(iso)),
                    Val::OptText(e.loss_reason.clone()),
                    Val::Text(p.kind.code().to_string()),
                ]);
            }
            // The card and (for a dependant) the member, from the first 取得日 on file: the
            // history that later events extend.
            let since = p.eligibility.iter().map(|e| e.acquired_on).min().unwrap_or(p.birth_date);
            buffers.cards.push(crate::history::card_row(id, 0, &key.0, &key.1, &key.2, key.3, since, None));
            if let Some(insured) = insured_id {
                let relationship = p.dependant.as_ref().map_or("その他", |d| d.relationship.label());
                buffers.dependency.push(crate::history::dependency_row(id, 0, insured, relationship, since, None));
            }
            for r in &p.remuneration {
                buffers.remuneration.push(vec![
                    Val::Int(id),
                    Val::Text(iso(r.effective_from)),
                    Val::Int(r.grade as i64),
                    Val::Int(r.monthly_amount),
                ]);
            }
            for b in &p.bonuses {
                buffers.bonuses.push(vec![
                    Val::Int(id),
                    Val::Text(iso(b.paid_on)),
                    Val::Int(b.amount),
                    Val::Int(b.standard_amount),
                ]);
            }
            if let Some(d) = &p.dependant {
                buffers.dependants.push(vec![
                    Val::Int(id),
                    Val::Text(d.relationship.label().to_string()),
                    Val::Int(d.cohabiting as i64),
                    Val::Int(d.annual_income),
                ]);
            }
            if let Some(c) = &p.contact {
                buffers.contacts.push(vec![
                    Val::Int(id),
                    Val::Text(c.postal_code.clone()),
                    Val::Text(c.address.clone()),
                    Val::Text(c.phone.clone()),
                ]);
            }
            if let Some(number) = &p.my_number {
                if !my_number_decision.is_allowed() {
                    my_number_refused = true;
                    break;
                }
                if my_number_grant.is_none() {
                    my_number_grant =
                        Some(self.decide(ctx, Action::Write, &[DataCategory::MyNumber], Subject::Population).await?);
                }
                let sealed = self.vault.seal(id, number);
                buffers.my_numbers.push(vec![
                    Val::Int(id),
                    Val::Text(sealed.key_id),
                    Val::Bytes(sealed.nonce),
                    Val::Bytes(sealed.ciphertext),
                    Val::Bytes(sealed.blind_index),
                ]);
                summary.my_numbers += 1;
            }
            summary.people += 1;
            match p.kind {
                kenpo_domain::person::PersonKind::Insured => summary.insured += 1,
                kenpo_domain::person::PersonKind::VoluntaryContinuation => summary.voluntary += 1,
                kenpo_domain::person::PersonKind::Dependant => summary.dependants += 1,
            }
            in_batch += 1;
            if in_batch >= BATCH_PEOPLE {
                buffers.flush(&mut tx).await?;
                in_batch = 0;
                progress(summary.people);
            }
        }
        if my_number_refused {
            // Roll the import back first, then log the refusal and report it.
            tx.rollback().await?;
            self.audit_now(
                ctx,
                Action::Write,
                &[DataCategory::MyNumber],
                false,
                my_number_decision.rule(),
                &Touched::Population,
            )
            .await?;
            return Err(self.denied(ctx, Action::Write, DataCategory::MyNumber, &my_number_decision));
        }
        buffers.flush(&mut tx).await?;
        sqlx::query("UPDATE imports SET row_count = $1 WHERE id = $2")
            .bind(summary.people as i64)
            .bind(import_id)
            .execute(&mut *tx)
            .await?;
        // The write and its audit entries commit together, or not at all.
        let ids: Vec<i64> = (first_person..next_person).collect();
        let seq = self.record_in(&mut tx, &grant, &Touched::Set(ids.clone())).await?;
        if let Some(g) = &my_number_grant {
            self.record_in(&mut tx, g, &Touched::Set(ids.clone())).await?;
        }
        // APPI Art. 30: data received from a third party (employers' 資格取得届 and the like).
        self.insert_provision(
            &mut tx,
            crate::provisions::NewProvision::received(
                ctx,
                "事業主（資格取得届等）",
                "法令（健康保険法第48条）",
                &ROSTER_CATEGORIES,
                ids,
                file_name,
                seq,
            ),
        )
        .await?;
        tx.commit().await?;
        // A roster is a bulk load: with stale statistics PostgreSQL matched each batch of receipt
        // cards by scanning the whole insurer (221 ms per 300 cards at 35k people, 5 ms after).
        crate::db::refresh_statistics(self.db.granted(&grant), self.backend, "persons").await?;
        progress(summary.people);
        Ok(summary)
    }
}
