//! Reading people: which person (the row decision), then which categories (field decisions).

use crate::audit::Touched;
use crate::batch::parse_iso;
use crate::benefits::BenefitView;
pub use crate::guard::Withheld;
use crate::vault::Sealed;
use crate::{Store, StoreError};
use kenpo_domain::person::{
    Bonus, Contact, EligibilityPeriod, Employer, PersonKind, Relationship, Sex, StandardRemuneration,
};
use kenpo_domain::{CardId, DataCategory, Field, MyNumber};
use kenpo_policy::{AccessContext, Action, PersonId, Subject};
use serde::Serialize;

/// 本人特定情報: always present in a view (a view without identity is refused).
#[derive(Debug, Clone, Serialize)]
pub struct IdentityView {
    pub insurer_number: String,
    pub card_symbol: String,
    pub card_number: String,
    pub card_branch: u8,
    pub kind: PersonKind,
    pub name_kanji: String,
    pub name_kana: String,
    pub birth_date: chrono::NaiveDate,
    pub sex: Sex,
}

#[derive(Debug, Clone, Serialize)]
pub struct EligibilityView {
    pub periods: Vec<EligibilityPeriod>,
    pub employer: Option<Employer>,
    /// For an insured person: the ids of their dependants (被扶養者有無).
    pub dependant_ids: Vec<i64>,
    /// For a dependant: the insured person's id.
    pub insured_id: Option<i64>,
    /// Whether a 個人番号 is on file (not the number).
    pub my_number_on_file: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RemunerationView {
    pub monthly: Vec<StandardRemuneration>,
    pub bonuses: Vec<Bonus>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelationView {
    pub relationship: Relationship,
    pub cohabiting: bool,
}

/// A person as one actor may see them for one purpose. Categories the policy refused are
/// `None` here and listed in `withheld` with the rule that refused them.
#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub id: i64,
    pub identity: IdentityView,
    pub eligibility: Option<EligibilityView>,
    pub remuneration: Option<RemunerationView>,
    pub annual_income: Option<i64>,
    pub relation: Option<RelationView>,
    pub contact: Option<Contact>,
    pub cash_benefits: Option<Vec<BenefitView>>,
    pub withheld: Vec<Withheld>,
    /// Fields shown as ＊＊＊ because the use's obligations mask them.
    pub masked: Vec<Field>,
}

/// What a masked text field shows.
pub const MASK: &str = "＊＊＊";

const VIEW_OPTIONAL: [DataCategory; 7] = [
    DataCategory::Eligibility,
    DataCategory::Remuneration,
    DataCategory::Income,
    DataCategory::Relation,
    DataCategory::Contact,
    DataCategory::CashBenefit,
    DataCategory::CashBenefitClinical,
];

#[derive(sqlx::FromRow)]
struct SealedOf {
    person_id: i64,
    #[sqlx(flatten)]
    sealed: Sealed,
}

type PersonRow = (String, String, String, i64, String, Option<i64>, String, String, String, i64, Option<String>);

impl Store {
    /// Finds a person by 保険者番号 and 記号・番号・枝番. A search over everyone: decided as a
    /// read of identity over the population.
    pub async fn find_person(
        &self,
        ctx: &AccessContext,
        insurer_number: &str,
        card: &CardId,
    ) -> Result<PersonId, StoreError> {
        let grant = self.decide(ctx, Action::Read, &[DataCategory::Identity], Subject::Population).await?;
        grant.require(DataCategory::Identity)?;
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM persons WHERE insurer_number = $1 AND card_symbol = $2 AND card_number = $3 AND card_branch = $4",
        )
        .bind(insurer_number.to_string())
        .bind(card.symbol.clone())
        .bind(card.number.clone())
        .bind(card.branch as i64)
        .fetch_optional(self.db.granted(&grant))
        .await?;
        // A hit tells who the card belongs to: recorded as touching that person.
        let touched = row.map(|(id,)| Touched::Person(id)).unwrap_or(Touched::Population);
        self.record(&grant, &touched).await?;
        row.map(|(id,)| PersonId(id)).ok_or_else(|| StoreError::NotFound("no person with that 記号・番号・枝番".into()))
    }

    /// Finds a person by 個人番号 through the blind index (番号法 affairs only).
    pub async fn find_by_my_number(
        &self,
        ctx: &AccessContext,
        number: &MyNumber,
    ) -> Result<Option<PersonId>, StoreError> {
        let grant = self.decide(ctx, Action::Read, &[DataCategory::MyNumber], Subject::Population).await?;
        grant.require(DataCategory::MyNumber)?;
        let index = self.vault.blind_index(number);
        let rows: Vec<SealedOf> = sqlx::query_as(
            "SELECT person_id, key_id, nonce, ciphertext, blind_index FROM my_numbers WHERE blind_index = $1",
        )
        .bind(index)
        .fetch_all(self.db.granted(&grant))
        .await?;
        // Confirm by decrypting: a ciphertext row copied onto another person would carry a
        // matching index but fail to open under that person's id.
        for row in rows {
            let opened = self.vault.open(row.person_id, &row.sealed)?;
            if &opened == number {
                self.record(&grant, &Touched::Person(row.person_id)).await?;
                return Ok(Some(PersonId(row.person_id)));
            }
        }
        self.record(&grant, &Touched::Population).await?;
        Ok(None)
    }

    /// The person's 個人番号 (番号法 affairs only). The returned value masks itself when printed.
    pub async fn my_number(&self, ctx: &AccessContext, person: PersonId) -> Result<Option<MyNumber>, StoreError> {
        let grant = self.decide(ctx, Action::Read, &[DataCategory::MyNumber], Subject::Person(person)).await?;
        grant.require(DataCategory::MyNumber)?;
        let row: Option<Sealed> =
            sqlx::query_as("SELECT key_id, nonce, ciphertext, blind_index FROM my_numbers WHERE person_id = $1")
                .bind(person.0)
                .fetch_optional(self.db.granted(&grant))
                .await?;
        let number = match row {
            None => None,
            Some(sealed) => Some(self.vault.open(person.0, &sealed)?),
        };
        self.record(&grant, &Touched::Person(person.0)).await?;
        Ok(number)
    }

    /// One person, with every category the policy allows for this actor and purpose.
    pub async fn person(&self, ctx: &AccessContext, person: PersonId) -> Result<PersonView, StoreError> {
        let (grant, withheld) = self
            .decide_fields(ctx, Action::Read, DataCategory::Identity, &VIEW_OPTIONAL, Subject::Person(person))
            .await?;
        let row: Option<PersonRow> = sqlx::query_as(
            "SELECT insurer_number, card_symbol, card_number, card_branch, kind, insured_id, name_kanji, name_kana, \
             birth_date, sex, employer_code FROM persons WHERE id = $1",
        )
        .bind(person.0)
        .fetch_optional(self.db.granted(&grant))
        .await?;
        let Some((insurer, symbol, number, branch, kind, insured_id, kanji, kana, birth, sex, employer_code)) = row
        else {
            // A probe for an id that does not exist is an access too: it is logged (nobody's
            // data was touched), so a sweep over ids shows in the log.
            self.record(&grant, &Touched::Nothing).await?;
            return Err(StoreError::NotFound(format!("person {person}")));
        };
        let corrupt = |what: &str| StoreError::Corrupt(format!("person {person}: {what}"));
        let identity = IdentityView {
            insurer_number: insurer,
            card_symbol: symbol,
            card_number: number,
            card_branch: branch as u8,
            kind: PersonKind::from_code(&kind).ok_or_else(|| corrupt("kind"))?,
            name_kanji: kanji,
            name_kana: kana,
            birth_date: parse_iso(&birth)?,
            sex: Sex::from_code(&sex.to_string()).ok_or_else(|| corrupt("sex"))?,
        };

        let eligibility = if grant.covers(DataCategory::Eligibility) {
            let periods: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT acquired_on, acquisition_reason, lost_on, loss_reason FROM eligibility_periods \
                 WHERE person_id = $1 ORDER BY seq",
            )
            .bind(person.0)
            .fetch_all(self.db.granted(&grant))
            .await?;
            let mut out = Vec::new();
            for (acquired, reason, lost, loss_reason) in periods {
                out.push(EligibilityPeriod {
                    acquired_on: parse_iso(&acquired)?,
                    acquisition_reason: reason,
                    lost_on: lost.as_deref().map(parse_iso).transpose()?,
                    loss_reason,
                });
            }
            let employer = match &employer_code {
                Some(code) => sqlx::query_as::<_, (String, String, String)>(
                    "SELECT code, name, address FROM employers WHERE code = $1",
                )
                .bind(code.clone())
                .fetch_optional(self.db.granted(&grant))
                .await?
                .map(|(code, name, address)| Employer { code, name, address }),
                None => None,
            };
            let dependant_ids: Vec<(i64,)> =
                sqlx::query_as("SELECT id FROM persons WHERE insured_id = $1 ORDER BY card_branch")
                    .bind(person.0)
                    .fetch_all(self.db.granted(&grant))
                    .await?;
            let on_file: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM my_numbers WHERE person_id = $1")
                .bind(person.0)
                .fetch_one(self.db.granted(&grant))
                .await?;
            Some(EligibilityView {
                periods: out,
                employer,
                dependant_ids: dependant_ids.into_iter().map(|(id,)| id).collect(),
                insured_id,
                my_number_on_file: on_file.0 > 0,
            })
        } else {
            None
        };

        let remuneration = if grant.covers(DataCategory::Remuneration) {
            let monthly: Vec<(String, i64, i64)> = sqlx::query_as(
                "SELECT effective_from, grade, monthly_amount FROM standard_remuneration WHERE person_id = $1 \
                 ORDER BY effective_from",
            )
            .bind(person.0)
            .fetch_all(self.db.granted(&grant))
            .await?;
            let bonuses: Vec<(String, i64, i64)> = sqlx::query_as(
                "SELECT paid_on, amount, standard_amount FROM bonuses WHERE person_id = $1 ORDER BY paid_on",
            )
            .bind(person.0)
            .fetch_all(self.db.granted(&grant))
            .await?;
            let mut view = RemunerationView { monthly: Vec::new(), bonuses: Vec::new() };
            for (from, grade, amount) in monthly {
                view.monthly.push(StandardRemuneration {
                    effective_from: parse_iso(&from)?,
                    grade: grade as u8,
                    monthly_amount: amount,
                });
            }
            for (paid, amount, standard) in bonuses {
                view.bonuses.push(Bonus { paid_on: parse_iso(&paid)?, amount, standard_amount: standard });
            }
            Some(view)
        } else {
            None
        };

        let dependant: Option<(String, i64, i64)> =
            if grant.covers(DataCategory::Income) || grant.covers(DataCategory::Relation) {
                sqlx::query_as("SELECT relationship, cohabiting, annual_income FROM dependants WHERE person_id = $1")
                    .bind(person.0)
                    .fetch_optional(self.db.granted(&grant))
                    .await?
            } else {
                None
            };
        let annual_income = dependant.as_ref().filter(|_| grant.covers(DataCategory::Income)).map(|d| d.2);
        let relation = match dependant.as_ref().filter(|_| grant.covers(DataCategory::Relation)) {
            Some((label, cohabiting, _)) => Some(RelationView {
                relationship: Relationship::from_label(label).ok_or_else(|| corrupt("relationship"))?,
                cohabiting: *cohabiting != 0,
            }),
            None => None,
        };

        let contact = if grant.covers(DataCategory::Contact) {
            sqlx::query_as::<_, (String, String, String)>(
                "SELECT postal_code, address, phone FROM contacts WHERE person_id = $1",
            )
            .bind(person.0)
            .fetch_optional(self.db.granted(&grant))
            .await?
            .map(|(postal_code, address, phone)| Contact { postal_code, address, phone })
        } else {
            None
        };

        let cash_benefits =
            if grant.covers(DataCategory::CashBenefit) { Some(self.benefits_of(&grant, person).await?) } else { None };

        let mut view = PersonView {
            id: person.0,
            identity,
            eligibility,
            remuneration,
            annual_income,
            relation,
            contact,
            cash_benefits,
            withheld,
            masked: Vec::new(),
        };
        apply_masks(&mut view, &grant.mask);
        self.record(&grant, &Touched::Person(person.0)).await?;
        Ok(view)
    }
}

/// Replaces the text of masked fields. Only text fields can be masked; the catalogue's lint
/// refuses masks on others.
fn apply_masks(view: &mut PersonView, mask: &[Field]) {
    for field in mask {
        let slot: Option<&mut String> = match field {
            Field::NameKanji => Some(&mut view.identity.name_kanji),
            Field::NameKana => Some(&mut view.identity.name_kana),
            Field::CardSymbol => Some(&mut view.identity.card_symbol),
            Field::CardNumber => Some(&mut view.identity.card_number),
            Field::Address => view.contact.as_mut().map(|c| &mut c.address),
            Field::Phone => view.contact.as_mut().map(|c| &mut c.phone),
            Field::PostalCode => view.contact.as_mut().map(|c| &mut c.postal_code),
            _ => None,
        };
        if let Some(text) = slot {
            *text = MASK.to_string();
            view.masked.push(*field);
        }
    }
}

/// 加入者検索: any of カナ (prefix), 記号・番号, 生年月日; at least one must be given.
#[derive(Clone, Debug, Default)]
pub struct PeopleQuery {
    pub kana_prefix: Option<String>,
    pub card_symbol: Option<String>,
    pub card_number: Option<String>,
    pub birth_date: Option<chrono::NaiveDate>,
}

/// One search hit: identity only, masked as the use asks.
#[derive(Debug, Clone, Serialize)]
pub struct PersonHit {
    pub id: i64,
    pub identity: IdentityView,
    pub masked: Vec<Field>,
}

/// The most hits one search returns (a search is not an export).
pub const SEARCH_LIMIT: i64 = 100;

/// One receipt of a person, as listed by month: what it cost (レセプト: 医療費) and, where the
/// use allows 傷病名 (要配慮個人情報), its diagnoses.
#[derive(Debug, Clone, Serialize)]
pub struct PersonReceipt {
    pub id: i64,
    pub service_month: String,
    pub kind: String,
    pub setting: String,
    pub institution_name: String,
    pub days: i64,
    pub total_points: i64,
    pub patient_charge: Option<i64>,
    /// `None` when 傷病名 (receipt_clinical) is withheld.
    pub diagnoses: Option<Vec<String>>,
}

/// A person's receipts and what was withheld.
#[derive(Debug, Clone, Serialize)]
pub struct PersonReceipts {
    pub person_id: i64,
    pub receipts: Vec<PersonReceipt>,
    pub withheld: Vec<Withheld>,
}

type HitRow = (i64, String, String, String, i64, String, String, String, String, i64);
type ReceiptListRow = (i64, String, String, String, String, i64, i64, Option<i64>);

impl Store {
    /// 加入者検索 over everyone: decided as a read of identity over the population; the hits
    /// are recorded as touched. At most [`SEARCH_LIMIT`] hits, by id.
    pub async fn search_people(&self, ctx: &AccessContext, q: &PeopleQuery) -> Result<Vec<PersonHit>, StoreError> {
        let kana = q.kana_prefix.as_deref().map(str::trim).filter(|k| !k.is_empty());
        let symbol = q.card_symbol.as_deref().map(str::trim).filter(|k| !k.is_empty());
        let number = q.card_number.as_deref().map(str::trim).filter(|k| !k.is_empty());
        if kana.is_none() && symbol.is_none() && number.is_none() && q.birth_date.is_none() {
            return Err(StoreError::Input("検索条件: カナ、記号・番号、生年月日のいずれかを指定してください".into()));
        }
        for (field, text) in [("kana", kana), ("symbol", symbol), ("number", number)] {
            if let Some(t) = text
                && (t.chars().count() > 40 || t.chars().any(char::is_control))
            {
                return Err(StoreError::Input(format!("{field}: 40文字以内、制御文字なしで指定してください")));
            }
        }
        let grant = self.decide(ctx, Action::Read, &[DataCategory::Identity], Subject::Population).await?;
        grant.require(DataCategory::Identity)?;
        // LIKE's wildcards in the typed text are matched literally.
        let pattern = kana.map(|k| format!("{}%", k.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
        let sql = format!(
            "SELECT id, insurer_number, card_symbol, card_number, card_branch, kind, name_kanji, name_kana, birth_date, sex \
             FROM persons WHERE ($1 = '' OR name_kana LIKE $1 ESCAPE '\\') AND ($2 = '' OR card_symbol = $2) \
             AND ($3 = '' OR card_number = $3) AND ($4 = '' OR birth_date = $4) ORDER BY id LIMIT {SEARCH_LIMIT}"
        );
        let rows: Vec<HitRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(pattern.unwrap_or_default())
            .bind(symbol.unwrap_or("").to_string())
            .bind(number.unwrap_or("").to_string())
            .bind(q.birth_date.map(|d| d.to_string()).unwrap_or_default())
            .fetch_all(self.db.granted(&grant))
            .await?;
        let mut hits = Vec::with_capacity(rows.len());
        for (id, insurer, symbol, number, branch, kind, kanji, kana, birth, sex) in rows {
            let corrupt = |what: &str| StoreError::Corrupt(format!("person {id}: {what}"));
            let mut view = PersonView {
                id,
                identity: IdentityView {
                    insurer_number: insurer,
                    card_symbol: symbol,
                    card_number: number,
                    card_branch: branch as u8,
                    kind: PersonKind::from_code(&kind).ok_or_else(|| corrupt("kind"))?,
                    name_kanji: kanji,
                    name_kana: kana,
                    birth_date: parse_iso(&birth)?,
                    sex: Sex::from_code(&sex.to_string()).ok_or_else(|| corrupt("sex"))?,
                },
                eligibility: None,
                remuneration: None,
                annual_income: None,
                relation: None,
                contact: None,
                cash_benefits: None,
                withheld: Vec::new(),
                masked: Vec::new(),
            };
            apply_masks(&mut view, &grant.mask);
            hits.push(PersonHit { id, identity: view.identity, masked: view.masked });
        }
        self.record(&grant, &Touched::Set(hits.iter().map(|h| h.id).collect())).await?;
        Ok(hits)
    }

    /// A person's receipts, newest month first: costs under レセプト: 医療費, diagnoses only where
    /// the use also allows 傷病名. An id that does not exist is a logged probe.
    pub async fn person_receipts(&self, ctx: &AccessContext, person: PersonId) -> Result<PersonReceipts, StoreError> {
        let (grant, withheld) = self
            .decide_fields(
                ctx,
                Action::Read,
                DataCategory::ReceiptCost,
                &[DataCategory::ReceiptClinical],
                Subject::Person(person),
            )
            .await?;
        let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM persons WHERE id = $1")
            .bind(person.0)
            .fetch_optional(self.db.granted(&grant))
            .await?;
        if exists.is_none() {
            self.record(&grant, &Touched::Nothing).await?;
            return Err(StoreError::NotFound(format!("person {person}")));
        }
        let rows: Vec<ReceiptListRow> = sqlx::query_as(
            "SELECT id, service_month, kind, setting, institution_name, days, total_points, patient_charge \
             FROM receipts WHERE person_id = $1 ORDER BY service_month DESC, id",
        )
        .bind(person.0)
        .fetch_all(self.db.granted(&grant))
        .await?;
        let clinical = grant.covers(DataCategory::ReceiptClinical);
        let mut receipts = Vec::with_capacity(rows.len());
        for (id, month, kind, setting, institution, days, points, charge) in rows {
            let diagnoses = if clinical {
                let names: Vec<(String, Option<String>)> =
                    sqlx::query_as("SELECT code, name FROM receipt_diagnoses WHERE receipt_id = $1 ORDER BY seq")
                        .bind(id)
                        .fetch_all(self.db.granted(&grant))
                        .await?;
                Some(names.into_iter().map(|(code, name)| name.unwrap_or(code)).collect())
            } else {
                None
            };
            receipts.push(PersonReceipt {
                id,
                service_month: month,
                kind,
                setting,
                institution_name: institution,
                days,
                total_points: points,
                patient_charge: charge,
                diagnoses,
            });
        }
        self.record(&grant, &Touched::Person(person.0)).await?;
        Ok(PersonReceipts { person_id: person.0, receipts, withheld })
    }
}
