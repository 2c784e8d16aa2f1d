//! Exports to a named recipient for a purpose. The rows are handed out only after the APPI
//! Art. 29 provision record and the audit entry are committed (a failed file write afterwards
//! over-records, never under-records).

use crate::audit::Touched;
use crate::batch::parse_iso;
use crate::people::MASK;
use crate::provisions::NewProvision;
use crate::{Store, StoreError};
use kenpo_domain::{DataCategory, Field};
use kenpo_policy::{AccessContext, AccessRequest, Action, Actor, Decision, ProvisionBasis, Subject};
use serde::Serialize;

/// Who receives an export.
#[derive(Clone, Debug)]
pub enum Recipient {
    /// A contractor of the catalogue (委託): its contract must cover the purpose and categories.
    Contractor { id: String, name: String },
    /// Another body under a provision use (its counterparty, e.g. 事業主).
    Body { name: String },
}

/// Whom to export.
#[derive(Clone, Debug)]
pub enum Selection {
    /// Everyone covered on the day.
    CoveredOn(chrono::NaiveDate),
    /// Listed people.
    People(Vec<i64>),
}

/// The exported table, handed out after the records are written.
#[derive(Debug, Clone, Serialize)]
pub struct ExportedRows {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub provision_id: i64,
    pub audit_seq: i64,
    pub basis: ProvisionBasis,
}

const EXPORTABLE: [DataCategory; 6] = [
    DataCategory::Identity,
    DataCategory::Eligibility,
    DataCategory::Remuneration,
    DataCategory::Income,
    DataCategory::Relation,
    DataCategory::Contact,
];

type ExportRow =
    (i64, String, String, String, i64, String, String, String, i64, Option<String>, Option<String>, Option<String>);

impl Store {
    /// A contractor may receive `categories` only if the catalogue entrusts it, today, with the
    /// context's purpose and those categories; a refusal is audited and returned.
    pub(crate) async fn ensure_contractor_receives(
        &self,
        ctx: &AccessContext,
        id: &str,
        categories: &[DataCategory],
    ) -> Result<Option<kenpo_policy::ProvisionRecord>, StoreError> {
        let as_recipient = AccessContext::new(Actor::Contractor { id: id.to_string() }, ctx.purpose().clone());
        let on = self.today.unwrap_or_else(|| chrono::Local::now().date_naive());
        let mut record = None;
        for &category in categories {
            let d = self.policy.decide(&AccessRequest {
                context: &as_recipient,
                action: Action::Export,
                category,
                subject: &Subject::Population,
                on,
            });
            if !d.is_allowed() {
                self.audit_now(ctx, Action::Export, &[category], false, d.rule(), &Touched::Population).await?;
                return Err(StoreError::Denied {
                    actor: format!("{} → contractor:{id}", ctx.actor()),
                    action: "export",
                    purpose: ctx.purpose().id().to_string(),
                    category,
                    rule: d.rule(),
                    policy_version: self.policy.version().to_string(),
                });
            }
            if let Decision::Allow { obligations, .. } = d {
                record = record.or(obligations.provision);
            }
        }
        Ok(record)
    }

    /// Refuses an export to the wrong recipient, and audits the refusal.
    async fn refuse_recipient<T>(
        &self,
        ctx: &AccessContext,
        wanted: &[DataCategory],
        recipient: &Recipient,
        why: &str,
    ) -> Result<T, StoreError> {
        self.audit_now(ctx, Action::Export, wanted, false, "export.recipient_not_allowed", &Touched::Population)
            .await?;
        let to = match recipient {
            Recipient::Contractor { id, name } => format!("contractor:{id}（{name}）"),
            Recipient::Body { name } => name.clone(),
        };
        Err(StoreError::RecipientRefused {
            recipient: to,
            purpose: ctx.purpose().id().to_string(),
            why: why.to_string(),
        })
    }

    /// Exports the categories of the selected people to a recipient for the context's purpose.
    pub async fn export(
        &self,
        ctx: &AccessContext,
        recipient: &Recipient,
        categories: &[DataCategory],
        who: &Selection,
        file_name: &str,
    ) -> Result<ExportedRows, StoreError> {
        if let Some(c) = categories.iter().find(|c| !EXPORTABLE.contains(c)) {
            return Err(StoreError::Input(format!(
                "export of {c} is not available yet (person-level categories only)"
            )));
        }
        let mut wanted: Vec<DataCategory> = vec![DataCategory::Identity];
        wanted.extend(categories.iter().copied().filter(|c| *c != DataCategory::Identity));
        // The sender: may this actor hand these categories out for this purpose?
        let grant = self.decide(ctx, Action::Export, &wanted, Subject::Population).await?;
        // The recipient, by the use's flow (the sender's decision names it): a 委託 use goes only
        // to a contractor whose contract covers the use and categories today; a 第三者提供 or 番号法
        // use only to the counterparty the catalogue names for it. The provision record's 根拠 and
        // counterparty come from the decision's obligation, never from the caller.
        let Some(sent) = grant.provisions.first().cloned() else {
            return self
                .refuse_recipient(ctx, &wanted, recipient, "この利用目的は組合の外へ提供するものではありません")
                .await;
        };
        let record = match recipient {
            Recipient::Contractor { id, .. } if sent.basis == ProvisionBasis::Entrustment => {
                match self.ensure_contractor_receives(ctx, id, &wanted).await? {
                    Some(r) => r,
                    None => {
                        return self
                            .refuse_recipient(ctx, &wanted, recipient, "委託先の決定に提供記録がありません")
                            .await;
                    }
                }
            }
            Recipient::Body { name } if sent.basis != ProvisionBasis::Entrustment && *name == sent.counterparty => sent,
            _ if sent.basis == ProvisionBasis::Entrustment => {
                return self
                    .refuse_recipient(
                        ctx,
                        &wanted,
                        recipient,
                        "委託の利用目的では、契約のある委託先（contractor:ID）にだけ提供できます",
                    )
                    .await;
            }
            _ => {
                let why = format!("この利用目的の提供先は「{}」だけです（公表事項のとおり）", sent.counterparty);
                return self.refuse_recipient(ctx, &wanted, recipient, &why).await;
            }
        };
        let basis = record.basis;
        let counterparty = record.counterparty.clone();

        let mut headers: Vec<String> = ["保険者番号", "記号", "番号", "枝番", "氏名", "氏名カナ", "生年月日", "性別"]
            .into_iter()
            .map(String::from)
            .collect();
        let has = |c: DataCategory| wanted.contains(&c);
        if has(DataCategory::Eligibility) {
            headers.extend(["資格取得日", "資格喪失日", "事業所番号"].map(String::from));
        }
        if has(DataCategory::Remuneration) {
            headers.push("標準報酬月額".into());
        }
        if has(DataCategory::Income) {
            headers.push("前年度収入".into());
        }
        if has(DataCategory::Relation) {
            headers.extend(["続柄", "同居"].map(String::from));
        }
        if has(DataCategory::Contact) {
            headers.extend(["郵便番号", "住所", "電話番号"].map(String::from));
        }

        let rows: Vec<ExportRow> = sqlx::query_as(
            "SELECT p.id, p.insurer_number, p.card_symbol, p.card_number, p.card_branch, p.name_kanji, p.name_kana, \
             p.birth_date, p.sex, p.employer_code, e.acquired_on, e.lost_on \
             FROM persons p JOIN eligibility_periods e ON e.person_id = p.id AND e.seq = 0 ORDER BY p.id",
        )
        .fetch_all(self.db.granted(&grant))
        .await?;
        let masked = |f: Field, v: String| if grant.mask.contains(&f) { MASK.to_string() } else { v };
        let mut out = Vec::new();
        let mut ids = Vec::new();
        for (id, insurer, symbol, number, branch, kanji, kana, birth, sex, employer, acquired, lost) in rows {
            let selected = match who {
                Selection::People(list) => list.contains(&id),
                Selection::CoveredOn(day) => {
                    let from = acquired.as_deref().map(parse_iso).transpose()?;
                    let until = lost.as_deref().map(parse_iso).transpose()?;
                    from.is_some_and(|f| f <= *day) && until.is_none_or(|l| *day < l)
                }
            };
            if !selected {
                continue;
            }
            let mut row = vec![
                insurer,
                masked(Field::CardSymbol, symbol),
                masked(Field::CardNumber, number),
                format!("{branch:02}"),
                masked(Field::NameKanji, kanji),
                masked(Field::NameKana, kana),
                birth,
                if sex == 1 { "男".into() } else { "女".into() },
            ];
            if has(DataCategory::Eligibility) {
                row.extend([acquired.unwrap_or_default(), lost.unwrap_or_default(), employer.unwrap_or_default()]);
            }
            if has(DataCategory::Remuneration) {
                let r: Option<(i64,)> = sqlx::query_as(
                    "SELECT monthly_amount FROM standard_remuneration WHERE person_id = $1 ORDER BY effective_from DESC LIMIT 1",
                )
                .bind(id)
                .fetch_optional(self.db.granted(&grant))
                .await?;
                row.push(r.map(|(a,)| a.to_string()).unwrap_or_default());
            }
            if has(DataCategory::Income) || has(DataCategory::Relation) {
                let d: Option<(String, i64, i64)> = sqlx::query_as(
                    "SELECT relationship, cohabiting, annual_income FROM dependants WHERE person_id = $1",
                )
                .bind(id)
                .fetch_optional(self.db.granted(&grant))
                .await?;
                if has(DataCategory::Income) {
                    row.push(d.as_ref().map(|d| d.2.to_string()).unwrap_or_default());
                }
                if has(DataCategory::Relation) {
                    row.push(d.as_ref().map(|d| d.0.clone()).unwrap_or_default());
                    row.push(
                        d.as_ref().map(|d| if d.1 != 0 { "同居" } else { "別居" }.to_string()).unwrap_or_default(),
                    );
                }
            }
            if has(DataCategory::Contact) {
                let c: Option<(String, String, String)> =
                    sqlx::query_as("SELECT postal_code, address, phone FROM contacts WHERE person_id = $1")
                        .bind(id)
                        .fetch_optional(self.db.granted(&grant))
                        .await?;
                let (p, a, t) = c.unwrap_or_default();
                row.extend([masked(Field::PostalCode, p), masked(Field::Address, a), masked(Field::Phone, t)]);
            }
            out.push(row);
            ids.push(id);
        }

        let mut tx = self.db.granted(&grant).begin().await?;
        let audit_seq = self.record_in(&mut tx, &grant, &Touched::Set(ids.clone())).await?;
        let provision_id = self
            .insert_provision(
                &mut tx,
                NewProvision {
                    direction: "provide",
                    counterparty,
                    basis: basis.label().to_string(),
                    use_id: ctx.purpose().id().to_string(),
                    categories: wanted.iter().map(|c| c.id().to_string()).collect(),
                    fields: headers.join(","),
                    subjects: ids,
                    file_name: file_name.to_string(),
                    actor: ctx.actor().to_string(),
                    audit_seq,
                },
            )
            .await?;
        tx.commit().await?;
        Ok(ExportedRows { headers, rows: out, provision_id, audit_seq, basis })
    }
}
