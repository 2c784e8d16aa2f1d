//! APPI Art. 29/30 records: what left the society (provide) or came in from a third party
//! (receive), to whom or from whom, on what basis, about whom, which items. Written in the same
//! transaction as the export or import they record.

use crate::batch::{TableBuffer, Val, next_id};
use crate::{Store, StoreError};
use serde::Serialize;
use sqlx::{Any, Transaction};

pub(crate) struct NewProvision {
    pub direction: &'static str,
    pub counterparty: String,
    pub basis: String,
    pub use_id: String,
    pub categories: Vec<String>,
    /// Field names, comma separated (empty = the whole categories).
    pub fields: String,
    pub subjects: Vec<i64>,
    pub file_name: String,
    pub actor: String,
    pub audit_seq: i64,
}

impl NewProvision {
    /// The Art. 30 record of an import: who sent the data, on what basis, about whom.
    pub fn received(
        ctx: &kenpo_policy::AccessContext,
        counterparty: impl Into<String>,
        basis: impl Into<String>,
        categories: &[kenpo_domain::DataCategory],
        subjects: Vec<i64>,
        file_name: &str,
        audit_seq: i64,
    ) -> Self {
        NewProvision {
            direction: "receive",
            counterparty: counterparty.into(),
            basis: basis.into(),
            use_id: ctx.purpose().id().to_string(),
            categories: categories.iter().map(|c| c.id().to_string()).collect(),
            fields: String::new(),
            subjects,
            file_name: file_name.to_string(),
            actor: ctx.actor().to_string(),
            audit_seq,
        }
    }
}

/// A provision record as shown in reports (subjects as a count; membership is tested apart).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProvisionView {
    pub id: i64,
    pub at: String,
    pub direction: String,
    pub counterparty: String,
    pub basis: String,
    pub use_id: String,
    pub categories: String,
    pub fields: String,
    pub subject_count: i64,
    pub file_name: String,
    pub audit_seq: i64,
}

pub(crate) const PROVISION_COLUMNS: &str =
    "id, at, direction, counterparty, basis, use_id, categories, fields, subject_count, file_name, audit_seq";

/// Where an import came from, for its Art. 30 record.
pub(crate) struct Received<'a> {
    /// The sender (支払基金, a 健診機関, a contractor…).
    pub from: &'a str,
    /// The legal basis the data came in on.
    pub basis: &'a str,
    pub categories: &'a [kenpo_domain::DataCategory],
    pub file_name: &'a str,
}

impl Store {
    /// Closes an import inside its transaction: the audit entry for the people it touched and
    /// the APPI Art. 30 record of who sent them, on what basis.
    pub(crate) async fn record_import(
        &self,
        tx: &mut Transaction<'static, Any>,
        grant: &crate::guard::Grant<'_>,
        mut people: Vec<i64>,
        received: Received<'_>,
    ) -> Result<(), StoreError> {
        people.sort_unstable();
        people.dedup();
        let seq = self.record_in(tx, grant, &crate::audit::Touched::Set(people.clone())).await?;
        let Received { from, basis, categories, file_name } = received;
        self.insert_provision(
            tx,
            NewProvision::received(grant.context, from, basis, categories, people, file_name, seq),
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn insert_provision(
        &self,
        tx: &mut Transaction<'static, Any>,
        p: NewProvision,
    ) -> Result<i64, StoreError> {
        let id = next_id(tx, "provisions").await?;
        let mut row = TableBuffer::new(
            self.backend,
            "provisions",
            &[
                "id",
                "at",
                "direction",
                "counterparty",
                "basis",
                "use_id",
                "categories",
                "fields",
                "subject_set",
                "subject_count",
                "file_name",
                "actor",
                "audit_seq",
            ],
        );
        row.push(vec![
            Val::Int(id),
            Val::Text(chrono::Utc::now().to_rfc3339()),
            Val::Text(p.direction.to_string()),
            Val::Text(p.counterparty),
            Val::Text(p.basis),
            Val::Text(p.use_id),
            Val::Text(p.categories.join(",")),
            Val::Text(p.fields),
            Val::Bytes(kenpo_audit::encode_ranges(&p.subjects)),
            Val::Int(p.subjects.len() as i64),
            Val::Text(p.file_name),
            Val::Text(p.actor),
            Val::Int(p.audit_seq),
        ]);
        row.flush(tx).await?;
        Ok(id)
    }

    /// Provision records whose subjects include `person` (reads every record's id ranges).
    pub(crate) async fn provisions_about(
        &self,
        grant: &crate::guard::Grant<'_>,
        person: i64,
    ) -> Result<Vec<ProvisionView>, StoreError> {
        let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as("SELECT id, subject_set FROM provisions ORDER BY id")
            .fetch_all(self.db.granted(grant))
            .await?;
        let mut ids = Vec::new();
        for (id, set) in rows {
            if kenpo_audit::ranges_contain(&set, person)
                .map_err(|_| StoreError::Corrupt(format!("provision {id}: subject set")))?
            {
                ids.push(id);
            }
        }
        let mut out = Vec::new();
        for id in ids {
            let sql = format!("SELECT {PROVISION_COLUMNS} FROM provisions WHERE id = $1");
            let v: ProvisionView =
                sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(self.db.granted(grant)).await?;
            out.push(v);
        }
        Ok(out)
    }
}
