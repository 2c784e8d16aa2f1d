//! Eligibility events: the only way the record changes after the roster's initial load.
//!
//! `Store::apply_events` applies a file's events (a filing, a 検認 result, staff entries) in one
//! transaction: each event resolves its person, asks the pure rules of `kenpo_domain::eligibility`
//! for its dates, changes the projections (periods, cards, names, addresses, dependency), writes
//! its `eligibility_events` row with what it changed (keys and before values, never a name or a
//! number) and the rule's reasoning, and queues the オンライン資格確認 registration
//! (`online_outbox`, due 5 days after the filing was received). Any error rolls back the whole
//! file; the error names the file, line and field, never a value.
//!
//! Nothing is ever updated so that an old value is lost: a period's 喪失日 goes from empty to a
//! date; earlier names, addresses and cards move to their history tables; a correction
//! (`Change::Correct`) is a new event that names the one it reverses and restores what it
//! recorded as "before".

use crate::audit::Touched;
use crate::batch::{iso, next_id, open_import, parse_iso, take_write_lock};
use crate::guard::Grant;
use crate::{Store, StoreError};
use chrono::{Days, Months, NaiveDate};
use kenpo_domain::eligibility::{self, LossReason};
use kenpo_domain::person::{PersonKind, Relationship, Sex};
use kenpo_domain::{DataCategory, MyNumber, Yen};
use kenpo_policy::{AccessContext, Action, Subject};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Transaction};

/// The categories an event may write: the roster's, since an event changes what a roster row
/// holds (My Number is decided apart, when a filing carries one).
pub const EVENT_CATEGORIES: [DataCategory; 6] = crate::roster::ROSTER_CATEGORIES;

/// Days the society has to register a change with オンライン資格確認 after receiving the filing.
pub const REGISTRATION_DAYS: u64 = 5;
/// Validity of a 資格確認書 the society issues (at most 5 years, §10); it ends earlier at 75.
pub const CERTIFICATE_YEARS: u32 = 5;

/// Who an event is about.
#[derive(Clone, PartialEq, Eq)]
pub enum PersonRef {
    Id(i64),
    /// The current card: 保険者番号, 記号, 番号, 枝番.
    Card {
        insurer: String,
        symbol: String,
        number: String,
        branch: u8,
    },
    /// Found through the vault's blind index; the number itself is never stored by this path.
    MyNumber(MyNumber),
    /// カナ氏名 and birth date, when the filing has neither card nor number (must be unique).
    KanaBirth {
        kana: String,
        birth: NaiveDate,
    },
    /// The 被保険者証番号 a KPFD filing carries: the member's 番号 at the employer (枝番 00).
    EmployerNumber {
        employer: String,
        number: String,
    },
}

impl std::fmt::Debug for PersonRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Personal data never goes to debug output.
        match self {
            PersonRef::Id(id) => write!(f, "PersonRef::Id({id})"),
            PersonRef::Card { .. } => write!(f, "PersonRef::Card(..)"),
            PersonRef::MyNumber(_) => write!(f, "PersonRef::MyNumber(..)"),
            PersonRef::KanaBirth { .. } => write!(f, "PersonRef::KanaBirth(..)"),
            PersonRef::EmployerNumber { .. } => write!(f, "PersonRef::EmployerNumber(..)"),
        }
    }
}

/// A new member or dependant (資格取得届, 被扶養者（異動）届 該当).
#[derive(Clone)]
pub struct NewAcquisition {
    /// `Insured` or `Dependant` (任意継続 starts with `Change::Voluntary`).
    pub kind: PersonKind,
    /// For a dependant: the member.
    pub member: Option<PersonRef>,
    pub relationship: Option<Relationship>,
    pub cohabiting: bool,
    pub annual_income: Option<Yen>,
    pub name_kanji: String,
    pub name_kana: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    /// For a member; a dependant takes the member's.
    pub employer_code: Option<String>,
    /// 保険者番号.
    pub insurer: String,
    /// The whole card if known; else `number` under the employer's 記号 (KPFD 被保険者証番号);
    /// else the society assigns the next number.
    pub card: Option<(String, String, u8)>,
    pub number: Option<String>,
    pub acquired_on: NaiveDate,
    pub reason: String,
    pub my_number: Option<MyNumber>,
    /// 資格確認書発行要否 as filed.
    pub certificate_requested: bool,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    /// 報酬月額 at 取得 (資格取得時決定 of the 標準報酬月額).
    pub monthly_pay: Option<Yen>,
}

/// What an event does.
#[derive(Clone)]
pub enum Change {
    Acquire(Box<NewAcquisition>),
    /// 資格喪失 (or 被扶養者 削除 with `NoLongerDependant`); `event_day` as `loss_date` reads it.
    Lose {
        who: PersonRef,
        reason: LossReason,
        event_day: NaiveDate,
    },
    /// 任意継続 申出 after a 退職.
    Voluntary {
        who: PersonRef,
        applied_on: NaiveDate,
    },
    Name {
        who: PersonRef,
        on: NaiveDate,
        kanji: String,
        kana: String,
    },
    Address {
        who: PersonRef,
        on: NaiveDate,
        postal_code: String,
        address: String,
    },
    /// 転勤: the member moves to another of the society's 事業所 from `on` (their dependants
    /// follow, as the dependants' employer is read from the member).
    Employer {
        who: PersonRef,
        on: NaiveDate,
        employer: String,
    },
    /// Card reissue (記号・番号・枝番 change).
    Card {
        who: PersonRef,
        on: NaiveDate,
        symbol: String,
        number: String,
        branch: u8,
    },
    /// Reverses an earlier event.
    Correct {
        event_id: i64,
    },
    /// 高齢受給者: the 70–74 share starts in `month` (its first day is the event's day); the
    /// share is registered with オンライン資格確認. Made by the age batch, not filed.
    Elderly {
        who: PersonRef,
        month: kenpo_domain::YearMonth,
    },
}

#[derive(Clone)]
pub struct NewEvent {
    /// Line (or record) in the source, for errors.
    pub line: u64,
    /// When the society received the filing: the 5-day registration clock starts here.
    pub received_on: NaiveDate,
    pub change: Change,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct EventSummary {
    pub import_id: i64,
    pub events: u64,
    pub acquired: u64,
    pub lost: u64,
    /// Dependants who lost status with their member (one event each).
    pub dependants_lost_with_member: u64,
    pub voluntary: u64,
    pub changes: u64,
    pub corrections: u64,
    pub outbox: u64,
    pub certificates: u64,
    pub my_numbers: u64,
}

/// What an event recorded, enough to reverse it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
enum Detail {
    Acquire { seq: i64 },
    Lose { seq: i64, cascade: Vec<i64> },
    Voluntary { seq: i64, restored: Vec<(i64, i64)> },
    Name,
    Address { had_contact: bool },
    Employer,
    Card { old_seq: i64, new_seq: i64 },
    Correction { of: i64 },
    Elderly,
}

struct Ids {
    person: i64,
    event: i64,
    outbox: i64,
    certificate: i64,
}

struct Run<'a> {
    store: &'a Store,
    ctx: &'a AccessContext,
    import_id: i64,
    file: &'a str,
    ids: Ids,
    summary: EventSummary,
    touched: Vec<i64>,
    my_number_grant: Option<Grant<'a>>,
    now: String,
    /// The next free 番号 (and its width) per (保険者番号, 記号), read once per file.
    next_numbers: std::collections::HashMap<(String, String), (u64, usize)>,
}

fn input(file: &str, line: u64, field: &str, problem: &str) -> StoreError {
    StoreError::Input(format!("{file}:{line}: column {field}: {problem}"))
}

impl Store {
    /// Applies a file of eligibility events, all or nothing. `kind` names the source in
    /// `imports` (`filing`, `events`, `kenin`); the same content is refused twice.
    pub async fn apply_events(
        &self,
        ctx: &AccessContext,
        kind: &'static str,
        file_name: &str,
        content_sha256: &str,
        events: &[NewEvent],
    ) -> Result<EventSummary, StoreError> {
        let grant = self.decide(ctx, Action::Write, &EVENT_CATEGORIES, Subject::Population).await?;
        let carries_number = events.iter().any(|e| match &e.change {
            Change::Acquire(a) => a.my_number.is_some(),
            Change::Lose { who: PersonRef::MyNumber(_), .. } => true,
            _ => false,
        });
        // Decided before the transaction (a refusal must be logged, and SQLite's log cannot be
        // written while this import holds the write lock).
        let my_number_grant = if carries_number {
            Some(self.decide(ctx, Action::Write, &[DataCategory::MyNumber], Subject::Population).await?)
        } else {
            None
        };
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        if self.backend == crate::Backend::Postgres {
            // ids are allocated from MAX(id), as the roster does.
            sqlx::query("LOCK TABLE persons IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
        }
        let import_id = open_import(&mut tx, kind, file_name, content_sha256, ctx, 0).await?;
        let ids = Ids {
            person: next_id(&mut tx, "persons").await?,
            event: next_id(&mut tx, "eligibility_events").await?,
            outbox: next_id(&mut tx, "online_outbox").await?,
            certificate: next_id(&mut tx, "certificates").await?,
        };
        let mut run = Run {
            store: self,
            ctx,
            import_id,
            file: file_name,
            ids,
            summary: EventSummary { import_id, ..Default::default() },
            touched: Vec::new(),
            my_number_grant,
            now: chrono::Utc::now().to_rfc3339(),
            next_numbers: std::collections::HashMap::new(),
        };
        for event in events {
            run.apply(&mut tx, event).await?;
        }
        sqlx::query("UPDATE imports SET row_count = $1 WHERE id = $2")
            .bind(run.summary.events as i64)
            .bind(import_id)
            .execute(&mut *tx)
            .await?;
        let mut touched = std::mem::take(&mut run.touched);
        touched.sort_unstable();
        touched.dedup();
        let seq = self.record_in(&mut tx, &grant, &Touched::Set(touched.clone())).await?;
        if let Some(g) = &run.my_number_grant {
            self.record_in(&mut tx, g, &Touched::Set(touched.clone())).await?;
        }
        if kind == "filing" {
            // APPI Art. 30: data received from the employers.
            self.insert_provision(
                &mut tx,
                crate::provisions::NewProvision::received(
                    ctx,
                    "事業主（資格取得届・資格喪失届・被扶養者異動届）",
                    "法令（健康保険法第48条）",
                    &EVENT_CATEGORIES,
                    touched,
                    file_name,
                    seq,
                ),
            )
            .await?;
        }
        let summary = run.summary;
        tx.commit().await?;
        Ok(summary)
    }
}

impl Run<'_> {
    async fn apply(&mut self, tx: &mut Transaction<'static, Any>, e: &NewEvent) -> Result<(), StoreError> {
        match &e.change {
            Change::Acquire(a) => self.acquire(tx, e, a).await,
            Change::Lose { who, reason, event_day } => {
                let person = self.resolve(tx, e.line, who).await?;
                self.lose(tx, e, person, *reason, *event_day, None).await.map(|_| ())
            }
            Change::Voluntary { who, applied_on } => {
                let person = self.resolve(tx, e.line, who).await?;
                self.voluntary(tx, e, person, *applied_on).await
            }
            Change::Name { who, on, kanji, kana } => {
                let person = self.resolve(tx, e.line, who).await?;
                self.name(tx, e, person, *on, kanji, kana, None).await
            }
            Change::Address { who, on, postal_code, address } => {
                let person = self.resolve(tx, e.line, who).await?;
                self.address(tx, e, person, *on, Some(postal_code.clone()), Some(address.clone()), None).await
            }
            Change::Employer { who, on, employer } => {
                let person = self.resolve(tx, e.line, who).await?;
                self.employer(tx, e, person, *on, Some(employer.clone()), None).await
            }
            Change::Card { who, on, symbol, number, branch } => {
                let person = self.resolve(tx, e.line, who).await?;
                self.card(tx, e, person, *on, symbol, number, *branch, None).await
            }
            Change::Correct { event_id } => self.correct(tx, e, *event_id).await,
            Change::Elderly { who, month } => {
                let person = self.resolve(tx, e.line, who).await?;
                self.elderly(tx, e, person, *month).await
            }
        }
    }

    async fn resolve(&self, tx: &mut Transaction<'static, Any>, line: u64, who: &PersonRef) -> Result<i64, StoreError> {
        resolve_person(tx, self.store, self.file, line, who).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn event_row(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        person: i64,
        kind: &str,
        effective_on: NaiveDate,
        received_on: NaiveDate,
        reason: Option<&str>,
        detail: &Detail,
        reasoning: &[String],
        corrects: Option<i64>,
    ) -> Result<i64, StoreError> {
        let id = self.ids.event;
        self.ids.event += 1;
        let detail = serde_json::to_string(detail).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let reasoning = serde_json::to_string(reasoning).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO eligibility_events (id, person_id, kind, effective_on, received_on, recorded_at, actor, \
             purpose, import_id, reason, detail, reasoning, corrects) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(id)
        .bind(person)
        .bind(kind.to_string())
        .bind(iso(effective_on))
        .bind(iso(received_on))
        .bind(self.now.clone())
        .bind(self.ctx.actor().to_string())
        .bind(self.ctx.purpose().id().to_string())
        .bind(self.import_id)
        .bind(reason.map(str::to_string))
        .bind(detail)
        .bind(reasoning)
        .bind(corrects)
        .execute(&mut **tx)
        .await?;
        self.summary.events += 1;
        self.touched.push(person);
        Ok(id)
    }

    /// Queues the registration of a change with オンライン資格確認 (items read back from the
    /// projections, so the outbox shows what the record now says).
    async fn outbox(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        event: i64,
        person: i64,
        change: &str,
        effective_on: NaiveDate,
        received_on: NaiveDate,
    ) -> Result<(), StoreError> {
        let items = crate::outbox::registration_items(tx, person, effective_on).await?;
        let deadline = received_on.checked_add_days(Days::new(REGISTRATION_DAYS)).unwrap_or(received_on);
        let id = self.ids.outbox;
        self.ids.outbox += 1;
        sqlx::query(
            "INSERT INTO online_outbox (id, event_id, person_id, change, items, received_on, deadline, status, attempts) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0)",
        )
        .bind(id)
        .bind(event)
        .bind(person)
        .bind(change.to_string())
        .bind(items)
        .bind(iso(received_on))
        .bind(iso(deadline))
        .execute(&mut **tx)
        .await?;
        self.summary.outbox += 1;
        Ok(())
    }

    async fn acquire(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        e: &NewEvent,
        a: &NewAcquisition,
    ) -> Result<(), StoreError> {
        let line = e.line;
        if a.acquired_on < a.birth_date {
            return Err(input(self.file, line, "資格取得年月日", "before the birth date"));
        }
        if eligibility::seventy_fifth_birthday(a.birth_date).is_some_and(|b| b <= a.acquired_on) {
            return Err(input(
                self.file,
                line,
                "生年月日",
                "75 or over on the 取得日: 後期高齢者医療, not this society",
            ));
        }
        let (insured_id, employer) = match a.kind {
            PersonKind::Dependant => {
                let Some(member) = &a.member else {
                    return Err(input(self.file, line, "被保険者", "a dependant needs the member"));
                };
                let member = self.resolve(tx, line, member).await?;
                let row: (Option<String>, String) =
                    sqlx::query_as("SELECT employer_code, kind FROM persons WHERE id = $1")
                        .bind(member)
                        .fetch_one(&mut **tx)
                        .await?;
                if row.1 == "dependant" {
                    return Err(input(self.file, line, "被保険者", "names a dependant, not a member"));
                }
                let covered: Option<(i64,)> = sqlx::query_as(
                    "SELECT seq FROM eligibility_periods WHERE person_id = $1 AND acquired_on <= $2 \
                     AND (lost_on IS NULL OR lost_on > $2)",
                )
                .bind(member)
                .bind(iso(a.acquired_on))
                .fetch_optional(&mut **tx)
                .await?;
                if covered.is_none() {
                    return Err(input(self.file, line, "被扶養者になった日", "the member is not covered on that day"));
                }
                (Some(member), row.0)
            }
            PersonKind::Insured => (None, a.employer_code.clone()),
            PersonKind::VoluntaryContinuation => {
                return Err(input(self.file, line, "取得区分", "任意継続 starts from a 申出 after a loss"));
            }
        };
        if let Some(code) = &employer {
            let known: Option<(String,)> = sqlx::query_as("SELECT code FROM employers WHERE code = $1")
                .bind(code.clone())
                .fetch_optional(&mut **tx)
                .await?;
            if known.is_none() {
                return Err(input(self.file, line, "事業所番号", "unknown 事業所"));
            }
        }
        let insurer = if a.insurer.is_empty() {
            let found: Option<(String,)> = sqlx::query_as("SELECT insurer_number FROM persons ORDER BY id LIMIT 1")
                .fetch_optional(&mut **tx)
                .await?;
            found.map(|f| f.0).ok_or_else(|| input(self.file, line, "保険者番号", "no roster loaded yet"))?
        } else {
            a.insurer.clone()
        };
        let a = &NewAcquisition { insurer, ..a.clone() };
        let (symbol, number, branch) = match (&a.card, insured_id) {
            (Some(card), _) => card.clone(),
            (None, Some(member)) => {
                let (s, n): (String, String) =
                    sqlx::query_as("SELECT card_symbol, card_number FROM persons WHERE id = $1")
                        .bind(member)
                        .fetch_one(&mut **tx)
                        .await?;
                let (max,): (Option<i64>,) = sqlx::query_as(
                    "SELECT MAX(card_branch) FROM persons WHERE insurer_number = $1 AND card_symbol = $2 AND card_number = $3",
                )
                .bind(a.insurer.clone())
                .bind(s.clone())
                .bind(n.clone())
                .fetch_one(&mut **tx)
                .await?;
                let next = max.unwrap_or(0) + 1;
                let branch = u8::try_from(next)
                    .ok()
                    .filter(|b| *b <= 99)
                    .ok_or_else(|| input(self.file, line, "枝番", "no free 枝番 left on the card"))?;
                (s, n, branch)
            }
            (None, None) => self.assign_card(tx, line, &a.insurer, employer.as_deref(), a.number.as_deref()).await?,
        };
        let taken: Option<(i64,)> = sqlx::query_as(
            "SELECT person_id FROM card_history WHERE insurer_number = $1 AND card_symbol = $2 AND card_number = $3 \
             AND card_branch = $4",
        )
        .bind(a.insurer.clone())
        .bind(symbol.clone())
        .bind(number.clone())
        .bind(i64::from(branch))
        .fetch_optional(&mut **tx)
        .await?;
        if taken.is_some() {
            return Err(input(self.file, line, "被保険者証番号", "記号・番号・枝番 already issued"));
        }
        // The same person filed twice (a re-sent file with other bytes, or two employers'
        // files) is found by content: the 個人番号 through the blind index, else カナ氏名 and
        // 生年月日 at the same employer or under the same member, while covered.
        let open_twin: Option<(i64,)> = match &a.my_number {
            Some(n) => {
                sqlx::query_as(
                    "SELECT m.person_id FROM my_numbers m JOIN eligibility_periods e ON e.person_id = m.person_id \
                     WHERE m.blind_index = $1 AND e.lost_on IS NULL LIMIT 1",
                )
                .bind(self.store.vault.blind_index(n))
                .fetch_optional(&mut **tx)
                .await?
            }
            None => {
                sqlx::query_as(
                    "SELECT p.id FROM persons p JOIN eligibility_periods e ON e.person_id = p.id \
                     WHERE p.name_kana = $1 AND p.birth_date = $2 AND e.lost_on IS NULL \
                       AND (($3 <> 0 AND p.insured_id = $3) OR ($3 = 0 AND p.employer_code = $4 AND p.insured_id IS NULL)) \
                     LIMIT 1",
                )
                .bind(a.name_kana.clone())
                .bind(iso(a.birth_date))
                .bind(insured_id.unwrap_or(0))
                .bind(employer.clone().unwrap_or_default())
                .fetch_optional(&mut **tx)
                .await?
            }
        };
        if open_twin.is_some() {
            let field = if a.my_number.is_some() { "個人番号" } else { "氏名（カナ）・生年月日" };
            return Err(input(
                self.file,
                line,
                field,
                "already covered: the same person is on file with an open period",
            ));
        }
        let id = self.ids.person;
        self.ids.person += 1;
        sqlx::query(
            "INSERT INTO persons (id, import_id, insurer_number, card_symbol, card_number, card_branch, kind, insured_id, \
             name_kanji, name_kana, birth_date, sex, employer_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(id)
        .bind(self.import_id)
        .bind(a.insurer.clone())
        .bind(symbol.clone())
        .bind(number.clone())
        .bind(i64::from(branch))
        .bind(a.kind.code().to_string())
        .bind(insured_id)
        .bind(a.name_kanji.clone())
        .bind(a.name_kana.clone())
        .bind(iso(a.birth_date))
        .bind(i64::from(a.sex.code()))
        .bind(employer.clone())
        .execute(&mut **tx)
        .await?;
        let event = self.ids.event;
        sqlx::query(
            "INSERT INTO eligibility_periods (person_id, seq, acquired_on, acquisition_reason, lost_on, loss_reason, kind) \
             VALUES ($1, 0, $2, $3, NULL, NULL, $4)",
        )
        .bind(id)
        .bind(iso(a.acquired_on))
        .bind(a.reason.clone())
        .bind(a.kind.code().to_string())
        .execute(&mut **tx)
        .await?;
        insert_card(tx, id, 0, &a.insurer, &symbol, &number, branch, a.acquired_on, event).await?;
        if let Some(member) = insured_id {
            let relationship = a.relationship.unwrap_or(Relationship::Other).label();
            sqlx::query(
                "INSERT INTO dependency_history (person_id, seq, insured_id, relationship, valid_from, valid_until, event_id) \
                 VALUES ($1, 0, $2, $3, $4, NULL, $5)",
            )
            .bind(id)
            .bind(member)
            .bind(relationship.to_string())
            .bind(iso(a.acquired_on))
            .bind(event)
            .execute(&mut **tx)
            .await?;
            sqlx::query(
                "INSERT INTO dependants (person_id, relationship, cohabiting, annual_income) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(relationship.to_string())
            .bind(i64::from(a.cohabiting))
            .bind(a.annual_income.unwrap_or(0))
            .execute(&mut **tx)
            .await?;
        }
        if let (Some(postal), Some(address)) = (&a.postal_code, &a.address) {
            sqlx::query("INSERT INTO contacts (person_id, postal_code, address, phone) VALUES ($1, $2, $3, '')")
                .bind(id)
                .bind(postal.clone())
                .bind(address.clone())
                .execute(&mut **tx)
                .await?;
        }
        let mut reasoning = vec![format!("資格取得日 {}（{}）", kenpo_domain::era::era_date(a.acquired_on), a.reason)];
        if let (Some(pay), PersonKind::Insured) = (a.monthly_pay, a.kind) {
            let grade = kenpo_domain::grades::grade_for_pay(a.acquired_on, pay)
                .map_err(|_| input(self.file, line, "報酬月額", "no 標準報酬 grade for that day"))?;
            sqlx::query("INSERT INTO standard_remuneration (person_id, effective_from, grade, monthly_amount) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(iso(a.acquired_on))
                .bind(i64::from(grade.grade))
                .bind(grade.monthly_amount)
                .execute(&mut **tx)
                .await?;
            reasoning.push(format!(
                "資格取得時決定: 報酬月額 {pay}円 → {}等級 標準報酬月額 {}円",
                grade.grade, grade.monthly_amount
            ));
        }
        let has_number = if let Some(n) = &a.my_number {
            if self.my_number_grant.is_none() {
                return Err(StoreError::Corrupt("a My Number without its decision".into()));
            }
            let sealed = self.store.vault.seal(id, n);
            sqlx::query("INSERT INTO my_numbers (person_id, key_id, nonce, ciphertext, blind_index) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(sealed.key_id)
                .bind(sealed.nonce)
                .bind(sealed.ciphertext)
                .bind(sealed.blind_index)
                .execute(&mut **tx)
                .await?;
            self.summary.my_numbers += 1;
            true
        } else {
            false
        };
        let event = self
            .event_row(
                tx,
                id,
                "acquire",
                a.acquired_on,
                e.received_on,
                Some(&a.reason),
                &Detail::Acquire { seq: 0 },
                &reasoning,
                None,
            )
            .await?;
        self.summary.acquired += 1;
        self.outbox(tx, event, id, "acquire", a.acquired_on, e.received_on).await?;
        // §10: a 資格確認書 for whoever has no usable マイナ保険証 (no 個人番号 filed, or the
        // employer asked for one); the others get a 資格情報のお知らせ.
        let certificate = a.certificate_requested || !has_number;
        self.issue(tx, id, event, certificate, a.acquired_on, a.birth_date).await?;
        Ok(())
    }

    /// The next 番号 under the employer's 記号 (the 記号 its members already carry).
    async fn assign_card(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        line: u64,
        insurer: &str,
        employer: Option<&str>,
        requested: Option<&str>,
    ) -> Result<(String, String, u8), StoreError> {
        let Some(employer) = employer else {
            return Err(input(self.file, line, "事業所番号", "needed to assign a card"));
        };
        let symbol: Option<(String,)> = sqlx::query_as(
            "SELECT card_symbol FROM persons WHERE employer_code = $1 AND kind = 'insured' ORDER BY id LIMIT 1",
        )
        .bind(employer.to_string())
        .fetch_optional(&mut **tx)
        .await?;
        let symbol = symbol.map(|s| s.0).unwrap_or_else(|| employer.to_string());
        if let Some(number) = requested {
            return Ok((symbol, number.to_string(), 0));
        }
        let key = (insurer.to_string(), symbol.clone());
        if !self.next_numbers.contains_key(&key) {
            let numbers: Vec<(String,)> = sqlx::query_as(
                "SELECT DISTINCT card_number FROM card_history WHERE insurer_number = $1 AND card_symbol = $2",
            )
            .bind(insurer.to_string())
            .bind(symbol.clone())
            .fetch_all(&mut **tx)
            .await?;
            let width = numbers.iter().map(|n| n.0.len()).max().unwrap_or(5);
            let max = numbers.iter().filter_map(|n| n.0.parse::<u64>().ok()).max().unwrap_or(0);
            self.next_numbers.insert(key.clone(), (max.saturating_add(1), width));
        }
        let slot = self.next_numbers.get_mut(&key).ok_or_else(|| StoreError::Corrupt("number cache".into()))?;
        let next = slot.0;
        let width = slot.1;
        slot.0 = next.checked_add(1).ok_or_else(|| input(self.file, line, "被保険者証番号", "no number left"))?;
        let number = format!("{next:0width$}");
        if number.len() > 8 {
            return Err(input(self.file, line, "被保険者証番号", "no number left under the 記号"));
        }
        Ok((symbol, number, 0))
    }

    /// Records a 資格確認書 (or 資格情報のお知らせ) issued from `from`.
    async fn issue(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        person: i64,
        event: i64,
        certificate: bool,
        from: NaiveDate,
        birth: NaiveDate,
    ) -> Result<(), StoreError> {
        let until = if certificate {
            let five = from.checked_add_months(Months::new(12 * CERTIFICATE_YEARS)).and_then(|d| d.pred_opt());
            let before_75 = eligibility::seventy_fifth_birthday(birth).and_then(|d| d.pred_opt());
            match (five, before_75) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        } else {
            None
        };
        let id = self.ids.certificate;
        self.ids.certificate += 1;
        sqlx::query(
            "INSERT INTO certificates (id, person_id, event_id, kind, issued_on, valid_from, valid_until) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(person)
        .bind(event)
        .bind(if certificate { "certificate" } else { "notice" })
        .bind(iso(from))
        .bind(iso(from))
        .bind(until.map(iso))
        .execute(&mut **tx)
        .await?;
        self.summary.certificates += 1;
        Ok(())
    }

    /// 資格喪失. Returns the event id. A member's dependants lose with them (one event each).
    async fn lose(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        e: &NewEvent,
        person: i64,
        reason: LossReason,
        event_day: NaiveDate,
        cause: Option<i64>,
    ) -> Result<i64, StoreError> {
        let line = e.line;
        let (kind, birth): (String, String) = sqlx::query_as("SELECT kind, birth_date FROM persons WHERE id = $1")
            .bind(person)
            .fetch_one(&mut **tx)
            .await?;
        let birth = parse_iso(&birth)?;
        let ruled = eligibility::loss_date(reason, event_day, birth)
            .ok_or_else(|| input(self.file, line, "資格喪失年月日", "outside the calendar"))?;
        let lost_on = ruled.value;
        let open = Store::periods_in(tx, person).await?.into_iter().rfind(|p| p.2.is_none());
        let Some((seq, acquired, _, _)) = open else {
            return Err(input(self.file, line, "資格喪失年月日", "the person has no open period"));
        };
        let mut reasoning = ruled.reasoning;
        let lost_on = if lost_on > acquired {
            lost_on
        } else if cause.is_some() {
            // A dependant whose coverage would start on or after the member's 喪失日 (a child born
            // after the member left, filed late) was never covered: the period closes on its
            // first day.
            reasoning.push(format!(
                "被扶養者の資格取得日 {} が被保険者の喪失日以後のため、資格はなかったものとする",
                kenpo_domain::era::era_date(acquired)
            ));
            acquired
        } else if reason == LossReason::Age75 {
            // Already 75 on the 取得日 (an older dependant on an initial roster): never eligible
            // here — 後期高齢者医療 covered them — so the period closes on its first day.
            reasoning.push(format!(
                "資格取得日 {} に既に75歳のため、資格はなかったものとする（後期高齢者医療）",
                kenpo_domain::era::era_date(acquired)
            ));
            acquired
        } else {
            return Err(input(self.file, line, "資格喪失年月日", "not after the 取得日"));
        };
        if reason == LossReason::NoLongerDependant && kind != "dependant" {
            return Err(input(self.file, line, "異動の別", "names a member, not a dependant"));
        }
        sqlx::query("UPDATE eligibility_periods SET lost_on = $1, loss_reason = $2 WHERE person_id = $3 AND seq = $4 AND lost_on IS NULL")
            .bind(iso(lost_on))
            .bind(reason.label().to_string())
            .bind(person)
            .bind(seq)
            .execute(&mut **tx)
            .await?;
        sqlx::query("UPDATE dependency_history SET valid_until = $1 WHERE person_id = $2 AND valid_until IS NULL")
            .bind(iso(lost_on))
            .bind(person)
            .execute(&mut **tx)
            .await?;
        // The dependants covered on the loss day lose with the member.
        let mut cascade = Vec::new();
        let mut cascaded: Vec<(i64, NaiveDate)> = Vec::new();
        if kind != "dependant" {
            let deps: Vec<(i64, String)> = sqlx::query_as(
                "SELECT p.id, p.birth_date FROM persons p JOIN eligibility_periods e ON e.person_id = p.id \
                 WHERE p.insured_id = $1 AND e.lost_on IS NULL ORDER BY p.id",
            )
            .bind(person)
            .fetch_all(&mut **tx)
            .await?;
            for (id, b) in deps {
                cascaded.push((id, parse_iso(&b)?));
            }
        }
        let event_id = self.ids.event;
        self.ids.event += 1; // reserved: the dependants' events name it as their cause
        for (dep, _) in eligibility::dependants_losing_with(lost_on, &cascaded) {
            let id = Box::pin(self.lose(tx, e, dep, LossReason::MemberLost, lost_on, Some(event_id))).await?;
            cascade.push(id);
            self.summary.dependants_lost_with_member += 1;
        }
        if !cascade.is_empty() {
            reasoning.push(format!("被扶養者 {}人 も同日に資格喪失", cascade.len()));
        }
        if let Some(c) = cause {
            reasoning.push(format!("被保険者の資格喪失（事象 {c}）による"));
        }
        // Write this event under its reserved id.
        let next = self.ids.event;
        self.ids.event = event_id;
        let written = self
            .event_row(
                tx,
                person,
                "lose",
                lost_on,
                e.received_on,
                Some(reason.code()),
                &Detail::Lose { seq, cascade },
                &reasoning,
                None,
            )
            .await?;
        self.ids.event = next;
        self.summary.lost += u64::from(cause.is_none());
        self.outbox(tx, written, person, "lose", lost_on, e.received_on).await?;
        Ok(written)
    }

    /// 任意継続: a new period from the 喪失日, for a member who left on 退職 and applied in time;
    /// the dependants who lost with them are covered again from the same day.
    async fn voluntary(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        e: &NewEvent,
        person: i64,
        applied_on: NaiveDate,
    ) -> Result<(), StoreError> {
        let line = e.line;
        let periods = Store::periods_in(tx, person).await?;
        let Some((seq, acquired, Some(lost_on), _)) = periods.last().cloned() else {
            return Err(input(self.file, line, "申出日", "the person has not lost status"));
        };
        let last_loss: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT reason FROM eligibility_events WHERE person_id = $1 AND kind = 'lose' ORDER BY id DESC LIMIT 1",
        )
        .bind(person)
        .fetch_optional(&mut **tx)
        .await?;
        let by_retirement = match last_loss {
            Some((Some(r),)) => r == LossReason::Retirement.code(),
            // Lost before events were kept: the roster's reason text.
            _ => true,
        };
        if !by_retirement {
            return Err(input(self.file, line, "申出日", "任意継続 follows a loss by 退職 only"));
        }
        // Continuous coverage before the loss: from the first of the adjoining periods.
        let mut from = acquired;
        for p in periods.iter().rev().skip(1) {
            if p.2 == Some(from) {
                from = p.1;
            } else {
                break;
            }
        }
        let ruled = eligibility::voluntary_application(from, lost_on, applied_on)
            .ok_or_else(|| input(self.file, line, "申出日", "outside the calendar"))?;
        let start = match ruled.value {
            Ok(start) => start,
            Err(eligibility::VoluntaryRefusal::Late) => {
                return Err(input(self.file, line, "申出日", "after the 20-day deadline (任意継続 refused)"));
            }
            Err(eligibility::VoluntaryRefusal::TooShort) => {
                return Err(input(self.file, line, "資格取得年月日", "less than 2 months covered before the loss"));
            }
        };
        let new_seq = seq + 1;
        sqlx::query(
            "INSERT INTO eligibility_periods (person_id, seq, acquired_on, acquisition_reason, lost_on, loss_reason, kind) \
             VALUES ($1, $2, $3, '任意継続', NULL, NULL, 'voluntary')",
        )
        .bind(person)
        .bind(new_seq)
        .bind(iso(start))
        .execute(&mut **tx)
        .await?;
        sqlx::query("UPDATE persons SET kind = 'voluntary' WHERE id = $1").bind(person).execute(&mut **tx).await?;
        let deps: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT e.person_id, e.seq FROM eligibility_periods e JOIN persons p ON p.id = e.person_id \
             WHERE p.insured_id = $1 AND e.lost_on = $2 AND e.loss_reason = $3",
        )
        .bind(person)
        .bind(iso(lost_on))
        .bind(LossReason::MemberLost.label().to_string())
        .fetch_all(&mut **tx)
        .await?;
        let mut restored = Vec::new();
        for (dep, dep_seq) in deps {
            sqlx::query(
                "INSERT INTO eligibility_periods (person_id, seq, acquired_on, acquisition_reason, lost_on, loss_reason, kind) \
                 VALUES ($1, $2, $3, '任意継続被保険者の被扶養者', NULL, NULL, 'dependant')",
            )
            .bind(dep)
            .bind(dep_seq + 1)
            .bind(iso(start))
            .execute(&mut **tx)
            .await?;
            reopen_dependency(tx, dep, start).await?;
            restored.push((dep, dep_seq + 1));
        }
        let mut reasoning = ruled.reasoning;
        if !restored.is_empty() {
            reasoning.push(format!("被扶養者 {}人 も同日から任意継続被保険者の被扶養者", restored.len()));
        }
        let event = self
            .event_row(
                tx,
                person,
                "voluntary",
                start,
                e.received_on,
                Some("任意継続"),
                &Detail::Voluntary { seq: new_seq, restored: restored.clone() },
                &reasoning,
                None,
            )
            .await?;
        self.summary.voluntary += 1;
        self.outbox(tx, event, person, "acquire", start, e.received_on).await?;
        for (dep, _) in &restored {
            self.outbox(tx, event, *dep, "acquire", start, e.received_on).await?;
        }
        // 任意継続 members get their own 資格確認書 (they file no 個人番号 through an employer).
        let (birth,): (String,) =
            sqlx::query_as("SELECT birth_date FROM persons WHERE id = $1").bind(person).fetch_one(&mut **tx).await?;
        let has_number: Option<(i64,)> = sqlx::query_as("SELECT person_id FROM my_numbers WHERE person_id = $1")
            .bind(person)
            .fetch_optional(&mut **tx)
            .await?;
        self.issue(tx, person, event, has_number.is_none(), start, parse_iso(&birth)?).await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn name(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        e: &NewEvent,
        person: i64,
        on: NaiveDate,
        kanji: &str,
        kana: &str,
        corrects: Option<i64>,
    ) -> Result<(), StoreError> {
        let reasoning = vec![format!("氏名変更 {}（旧氏名は履歴に保存）", kenpo_domain::era::era_date(on))];
        let detail = match corrects {
            Some(of) => Detail::Correction { of },
            None => Detail::Name,
        };
        let kind = if corrects.is_some() { "correction" } else { "name" };
        // The event first: name_history.event_id references it (checked per statement).
        let id = self.event_row(tx, person, kind, on, e.received_on, None, &detail, &reasoning, corrects).await?;
        sqlx::query(
            "INSERT INTO name_history (person_id, event_id, valid_until, name_kanji, name_kana) \
             SELECT id, $1, $2, name_kanji, name_kana FROM persons WHERE id = $3",
        )
        .bind(id)
        .bind(iso(on))
        .bind(person)
        .execute(&mut **tx)
        .await?;
        sqlx::query("UPDATE persons SET name_kanji = $1, name_kana = $2 WHERE id = $3")
            .bind(kanji.to_string())
            .bind(kana.to_string())
            .bind(person)
            .execute(&mut **tx)
            .await?;
        self.summary.changes += 1;
        self.outbox(tx, id, person, "change", on, e.received_on).await
    }

    /// 転勤: the earlier employer moves to `employer_history`, the new one is the person's.
    async fn employer(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        e: &NewEvent,
        person: i64,
        on: NaiveDate,
        employer: Option<String>,
        corrects: Option<i64>,
    ) -> Result<(), StoreError> {
        let line = e.line;
        let (kind, current): (String, Option<String>) =
            sqlx::query_as("SELECT kind, employer_code FROM persons WHERE id = $1")
                .bind(person)
                .fetch_one(&mut **tx)
                .await?;
        if kind != "insured" {
            return Err(input(self.file, line, "事業所番号", "only an employed member (被保険者) changes 事業所"));
        }
        if let Some(code) = &employer {
            let known: Option<(String,)> = sqlx::query_as("SELECT code FROM employers WHERE code = $1")
                .bind(code.clone())
                .fetch_optional(&mut **tx)
                .await?;
            if known.is_none() {
                return Err(input(self.file, line, "事業所番号", "unknown 事業所"));
            }
            if current.as_deref() == Some(code.as_str()) && corrects.is_none() {
                return Err(input(self.file, line, "事業所番号", "already the person's 事業所"));
            }
        }
        let reasoning =
            vec![format!("事業所の変更（転勤） {}（旧事業所は履歴に保存）", kenpo_domain::era::era_date(on))];
        let detail = match corrects {
            Some(of) => Detail::Correction { of },
            None => Detail::Employer,
        };
        let kind = if corrects.is_some() { "correction" } else { "employer" };
        let id = self.event_row(tx, person, kind, on, e.received_on, None, &detail, &reasoning, corrects).await?;
        sqlx::query(
            "INSERT INTO employer_history (person_id, event_id, valid_until, employer_code) VALUES ($1, $2, $3, $4)",
        )
        .bind(person)
        .bind(id)
        .bind(iso(on))
        .bind(current)
        .execute(&mut **tx)
        .await?;
        // The member's dependants carry the member's employer (the roster's convention).
        sqlx::query("UPDATE persons SET employer_code = $1 WHERE id = $2 OR insured_id = $2")
            .bind(employer)
            .bind(person)
            .execute(&mut **tx)
            .await?;
        self.summary.changes += 1;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn address(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        e: &NewEvent,
        person: i64,
        on: NaiveDate,
        postal: Option<String>,
        address: Option<String>,
        corrects: Option<i64>,
    ) -> Result<(), StoreError> {
        let had: Option<(String, String)> =
            sqlx::query_as("SELECT postal_code, address FROM contacts WHERE person_id = $1")
                .bind(person)
                .fetch_optional(&mut **tx)
                .await?;
        let reasoning = vec![format!("住所変更 {}（旧住所は履歴に保存）", kenpo_domain::era::era_date(on))];
        let detail = match corrects {
            Some(of) => Detail::Correction { of },
            None => Detail::Address { had_contact: had.is_some() },
        };
        let kind = if corrects.is_some() { "correction" } else { "address" };
        // The event first: address_history.event_id references it (checked per statement).
        let event = self.event_row(tx, person, kind, on, e.received_on, None, &detail, &reasoning, corrects).await?;
        sqlx::query("INSERT INTO address_history (person_id, event_id, valid_until, postal_code, address) VALUES ($1, $2, $3, $4, $5)")
            .bind(person)
            .bind(event)
            .bind(iso(on))
            .bind(had.as_ref().map(|h| h.0.clone()))
            .bind(had.as_ref().map(|h| h.1.clone()))
            .execute(&mut **tx)
            .await?;
        match (&had, postal, address) {
            (Some(_), Some(p), Some(a)) => {
                sqlx::query("UPDATE contacts SET postal_code = $1, address = $2 WHERE person_id = $3")
                    .bind(p)
                    .bind(a)
                    .bind(person)
                    .execute(&mut **tx)
                    .await?;
            }
            (None, Some(p), Some(a)) => {
                sqlx::query("INSERT INTO contacts (person_id, postal_code, address, phone) VALUES ($1, $2, $3, '')")
                    .bind(person)
                    .bind(p)
                    .bind(a)
                    .execute(&mut **tx)
                    .await?;
            }
            (Some(_), _, _) => {
                // A correction back to "no address on file".
                sqlx::query("DELETE FROM contacts WHERE person_id = $1").bind(person).execute(&mut **tx).await?;
            }
            (None, _, _) => {}
        }
        self.summary.changes += 1;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn card(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        e: &NewEvent,
        person: i64,
        on: NaiveDate,
        symbol: &str,
        number: &str,
        branch: u8,
        corrects: Option<i64>,
    ) -> Result<(), StoreError> {
        let line = e.line;
        let (insurer,): (String,) = sqlx::query_as("SELECT insurer_number FROM persons WHERE id = $1")
            .bind(person)
            .fetch_one(&mut **tx)
            .await?;
        let taken: Option<(i64,)> = sqlx::query_as(
            "SELECT person_id FROM card_history WHERE insurer_number = $1 AND card_symbol = $2 AND card_number = $3 \
             AND card_branch = $4 AND person_id <> $5",
        )
        .bind(insurer.clone())
        .bind(symbol.to_string())
        .bind(number.to_string())
        .bind(i64::from(branch))
        .bind(person)
        .fetch_optional(&mut **tx)
        .await?;
        if taken.is_some() {
            return Err(input(self.file, line, "被保険者証番号", "記号・番号・枝番 already issued to someone else"));
        }
        let (old_seq, from): (i64, String) = sqlx::query_as(
            "SELECT seq, valid_from FROM card_history WHERE person_id = $1 AND valid_until IS NULL ORDER BY seq DESC LIMIT 1",
        )
        .bind(person)
        .fetch_one(&mut **tx)
        .await?;
        if on <= parse_iso(&from)? {
            return Err(input(self.file, line, "変更年月日", "not after the current card's first day"));
        }
        sqlx::query("UPDATE card_history SET valid_until = $1 WHERE person_id = $2 AND seq = $3")
            .bind(iso(on))
            .bind(person)
            .bind(old_seq)
            .execute(&mut **tx)
            .await?;
        let (max,): (i64,) = sqlx::query_as("SELECT MAX(seq) FROM card_history WHERE person_id = $1")
            .bind(person)
            .fetch_one(&mut **tx)
            .await?;
        let event = self.ids.event;
        insert_card(tx, person, max + 1, &insurer, symbol, number, branch, on, event).await?;
        sqlx::query("UPDATE persons SET card_symbol = $1, card_number = $2, card_branch = $3 WHERE id = $4")
            .bind(symbol.to_string())
            .bind(number.to_string())
            .bind(i64::from(branch))
            .bind(person)
            .execute(&mut **tx)
            .await?;
        let reasoning =
            vec![format!("被保険者等記号・番号・枝番の変更 {}（旧番号は履歴に保存）", kenpo_domain::era::era_date(on))];
        let detail = match corrects {
            Some(of) => Detail::Correction { of },
            None => Detail::Card { old_seq, new_seq: max + 1 },
        };
        let kind = if corrects.is_some() { "correction" } else { "card" };
        let id = self.event_row(tx, person, kind, on, e.received_on, None, &detail, &reasoning, corrects).await?;
        self.summary.changes += 1;
        self.outbox(tx, id, person, "change", on, e.received_on).await
    }

    /// 高齢受給者: records the start of the 70–74 share in `month` and queues its registration.
    /// Refused unless `month` is the person's start month (the rule's) and they are covered in it.
    async fn elderly(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        e: &NewEvent,
        person: i64,
        month: kenpo_domain::YearMonth,
    ) -> Result<(), StoreError> {
        let line = e.line;
        let (birth, insured): (String, Option<i64>) =
            sqlx::query_as("SELECT birth_date, insured_id FROM persons WHERE id = $1")
                .bind(person)
                .fetch_one(&mut **tx)
                .await?;
        let birth = parse_iso(&birth)?;
        let start = eligibility::elderly_start_month(birth)
            .ok_or_else(|| input(self.file, line, "生年月日", "outside the calendar"))?;
        if start.value != month {
            return Err(input(self.file, line, "開始月", "not the person's 高齢受給者 start month"));
        }
        let day = month.first_day();
        let last = month.last_day();
        let covered = Store::periods_in(tx, person)
            .await?
            .iter()
            .any(|p| p.1 <= last && p.2.is_none_or(|l| l > day) && p.2 != Some(p.1));
        if !covered {
            return Err(input(self.file, line, "開始月", "the person is not covered in that month"));
        }
        let done: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM eligibility_events WHERE person_id = $1 AND kind = 'elderly'")
                .bind(person)
                .fetch_optional(&mut **tx)
                .await?;
        if done.is_some() {
            return Err(input(self.file, line, "開始月", "already recorded"));
        }
        let member = insured.unwrap_or(person);
        let standard: Option<(i64,)> = sqlx::query_as(
            "SELECT monthly_amount FROM standard_remuneration WHERE person_id = $1 AND effective_from <= $2 \
             ORDER BY effective_from DESC LIMIT 1",
        )
        .bind(member)
        .bind(iso(day))
        .fetch_optional(&mut **tx)
        .await?;
        let share = eligibility::elderly_share(standard.map_or(0, |s| s.0), None);
        let mut reasoning = start.reasoning;
        reasoning.extend(share.reasoning);
        let id =
            self.event_row(tx, person, "elderly", day, e.received_on, None, &Detail::Elderly, &reasoning, None).await?;
        self.summary.changes += 1;
        self.outbox(tx, id, person, "change", day, e.received_on).await
    }

    /// Reverses an earlier event by a new one that names it.
    async fn correct(&mut self, tx: &mut Transaction<'static, Any>, e: &NewEvent, of: i64) -> Result<(), StoreError> {
        let line = e.line;
        let row: Option<(i64, String, String, String)> =
            sqlx::query_as("SELECT person_id, kind, effective_on, detail FROM eligibility_events WHERE id = $1")
                .bind(of)
                .fetch_optional(&mut **tx)
                .await?;
        let Some((person, kind, effective, detail)) = row else {
            return Err(input(self.file, line, "訂正対象", "no such event"));
        };
        let already: Option<(i64,)> = sqlx::query_as("SELECT id FROM eligibility_events WHERE corrects = $1")
            .bind(of)
            .fetch_optional(&mut **tx)
            .await?;
        if already.is_some() {
            return Err(input(self.file, line, "訂正対象", "already corrected"));
        }
        let detail: Detail = serde_json::from_str(&detail).map_err(|_| StoreError::Corrupt("event detail".into()))?;
        let effective = parse_iso(&effective)?;
        let reasoning = |what: &str| vec![format!("事象 {of}（{kind}）の訂正: {what}")];
        match detail {
            Detail::Lose { seq, cascade } => {
                // A later period that never covered a day (a corrected 取得 or 任意継続) rests on
                // nothing.
                let later: Option<(i64,)> = sqlx::query_as(
                    "SELECT seq FROM eligibility_periods WHERE person_id = $1 AND seq > $2 \
                     AND (lost_on IS NULL OR lost_on > acquired_on)",
                )
                .bind(person)
                .bind(seq)
                .fetch_optional(&mut **tx)
                .await?;
                if later.is_some() {
                    return Err(input(
                        self.file,
                        line,
                        "訂正対象",
                        "a later period rests on this loss; correct that first",
                    ));
                }
                for dep_event in cascade {
                    Box::pin(self.correct(tx, e, dep_event)).await?;
                }
                sqlx::query("UPDATE eligibility_periods SET lost_on = NULL, loss_reason = NULL WHERE person_id = $1 AND seq = $2")
                    .bind(person)
                    .bind(seq)
                    .execute(&mut **tx)
                    .await?;
                // The link the loss closed, not one opened and voided on the 喪失日 (a corrected 任意継続).
                sqlx::query(
                    "UPDATE dependency_history SET valid_until = NULL WHERE person_id = $1 AND valid_until = $2 \
                     AND valid_from < $2",
                )
                .bind(person)
                .bind(iso(effective))
                .execute(&mut **tx)
                .await?;
                let id = self
                    .event_row(
                        tx,
                        person,
                        "correction",
                        effective,
                        e.received_on,
                        None,
                        &Detail::Correction { of },
                        &reasoning("資格喪失を取り消し、資格を継続"),
                        Some(of),
                    )
                    .await?;
                self.summary.corrections += 1;
                self.outbox(tx, id, person, "change", effective, e.received_on).await
            }
            Detail::Acquire { seq } | Detail::Voluntary { seq, .. } => {
                let restored = match &detail {
                    Detail::Voluntary { restored, .. } => restored.clone(),
                    _ => Vec::new(),
                };
                // The period is closed on its first day: it never covered a day.
                sqlx::query(
                    "UPDATE eligibility_periods SET lost_on = acquired_on, loss_reason = '取消' \
                     WHERE person_id = $1 AND seq = $2 AND lost_on IS NULL",
                )
                .bind(person)
                .bind(seq)
                .execute(&mut **tx)
                .await?;
                if kind == "voluntary" {
                    sqlx::query("UPDATE persons SET kind = 'insured' WHERE id = $1")
                        .bind(person)
                        .execute(&mut **tx)
                        .await?;
                }
                let id = self
                    .event_row(
                        tx,
                        person,
                        "correction",
                        effective,
                        e.received_on,
                        None,
                        &Detail::Correction { of },
                        &reasoning("資格取得を取り消し"),
                        Some(of),
                    )
                    .await?;
                self.summary.corrections += 1;
                self.outbox(tx, id, person, "lose", effective, e.received_on).await?;
                // The dependants a 任意継続 covered again lose that cover with it: their periods
                // and links from its first day are closed on that day too.
                for (dep, dep_seq) in restored {
                    sqlx::query(
                        "UPDATE eligibility_periods SET lost_on = acquired_on, loss_reason = '取消' \
                         WHERE person_id = $1 AND seq = $2 AND lost_on IS NULL",
                    )
                    .bind(dep)
                    .bind(dep_seq)
                    .execute(&mut **tx)
                    .await?;
                    sqlx::query(
                        "UPDATE dependency_history SET valid_until = valid_from \
                         WHERE person_id = $1 AND valid_from = $2 AND valid_until IS NULL",
                    )
                    .bind(dep)
                    .bind(iso(effective))
                    .execute(&mut **tx)
                    .await?;
                    self.touched.push(dep);
                    self.outbox(tx, id, dep, "lose", effective, e.received_on).await?;
                }
                Ok(())
            }
            Detail::Name => {
                let (kanji, kana): (String, String) = sqlx::query_as(
                    "SELECT name_kanji, name_kana FROM name_history WHERE person_id = $1 AND event_id = $2",
                )
                .bind(person)
                .bind(of)
                .fetch_one(&mut **tx)
                .await?;
                self.name(tx, e, person, effective, &kanji, &kana, Some(of)).await?;
                self.summary.corrections += 1;
                Ok(())
            }
            Detail::Address { had_contact } => {
                let (postal, address): (Option<String>, Option<String>) = sqlx::query_as(
                    "SELECT postal_code, address FROM address_history WHERE person_id = $1 AND event_id = $2",
                )
                .bind(person)
                .bind(of)
                .fetch_one(&mut **tx)
                .await?;
                let (postal, address) = if had_contact { (postal, address) } else { (None, None) };
                self.address(tx, e, person, effective, postal, address, Some(of)).await?;
                self.summary.corrections += 1;
                Ok(())
            }
            Detail::Employer => {
                let (code,): (Option<String>,) =
                    sqlx::query_as("SELECT employer_code FROM employer_history WHERE person_id = $1 AND event_id = $2")
                        .bind(person)
                        .bind(of)
                        .fetch_one(&mut **tx)
                        .await?;
                self.employer(tx, e, person, effective, code, Some(of)).await?;
                self.summary.corrections += 1;
                Ok(())
            }
            Detail::Card { old_seq, .. } => {
                let (symbol, number, branch): (String, String, i64) = sqlx::query_as(
                    "SELECT card_symbol, card_number, card_branch FROM card_history WHERE person_id = $1 AND seq = $2",
                )
                .bind(person)
                .bind(old_seq)
                .fetch_one(&mut **tx)
                .await?;
                let on = e.received_on.max(effective.succ_opt().unwrap_or(effective));
                let branch = u8::try_from(branch).map_err(|_| StoreError::Corrupt("card branch".into()))?;
                self.card(tx, e, person, on, &symbol, &number, branch, Some(of)).await?;
                self.summary.corrections += 1;
                Ok(())
            }
            Detail::Correction { .. } => {
                Err(input(self.file, line, "訂正対象", "a correction is not corrected; file the change again"))
            }
            Detail::Elderly => Err(input(
                self.file,
                line,
                "訂正対象",
                "the 高齢受給者 start follows from the birth date; correct the birth date instead",
            )),
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_card(
    tx: &mut Transaction<'static, Any>,
    person: i64,
    seq: i64,
    insurer: &str,
    symbol: &str,
    number: &str,
    branch: u8,
    from: NaiveDate,
    event: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO card_history (person_id, seq, insurer_number, card_symbol, card_number, card_branch, valid_from, \
         valid_until, event_id) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8)",
    )
    .bind(person)
    .bind(seq)
    .bind(insurer.to_string())
    .bind(symbol.to_string())
    .bind(number.to_string())
    .bind(i64::from(branch))
    .bind(iso(from))
    .bind(event)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A dependant covered again (任意継続): the dependency row closed at the loss opens a new one.
async fn reopen_dependency(tx: &mut Transaction<'static, Any>, person: i64, from: NaiveDate) -> Result<(), StoreError> {
    let last: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT seq, insured_id, relationship FROM dependency_history WHERE person_id = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(person)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some((seq, insured, relationship)) = last {
        sqlx::query(
            "INSERT INTO dependency_history (person_id, seq, insured_id, relationship, valid_from, valid_until, event_id) \
             VALUES ($1, $2, $3, $4, $5, NULL, NULL)",
        )
        .bind(person)
        .bind(seq + 1)
        .bind(insured)
        .bind(relationship)
        .bind(iso(from))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Finds the one person a filing line names, inside the caller's transaction; the error names
/// file, line and the field used, never the value.
pub(crate) async fn resolve_person(
    tx: &mut Transaction<'static, Any>,
    store: &Store,
    file: &str,
    line: u64,
    who: &PersonRef,
) -> Result<i64, StoreError> {
    let found: Vec<(i64,)> = match who {
        PersonRef::Id(id) => {
            sqlx::query_as("SELECT id FROM persons WHERE id = $1").bind(*id).fetch_all(&mut **tx).await?
        }
        PersonRef::Card { insurer, symbol, number, branch } => {
            sqlx::query_as(
                "SELECT id FROM persons WHERE insurer_number = $1 AND card_symbol = $2 AND card_number = $3 \
                 AND card_branch = $4",
            )
            .bind(insurer.clone())
            .bind(symbol.clone())
            .bind(number.clone())
            .bind(i64::from(*branch))
            .fetch_all(&mut **tx)
            .await?
        }
        PersonRef::MyNumber(n) => {
            sqlx::query_as("SELECT person_id FROM my_numbers WHERE blind_index = $1")
                .bind(store.vault.blind_index(n))
                .fetch_all(&mut **tx)
                .await?
        }
        PersonRef::KanaBirth { kana, birth } => {
            sqlx::query_as("SELECT id FROM persons WHERE name_kana = $1 AND birth_date = $2")
                .bind(kana.clone())
                .bind(iso(*birth))
                .fetch_all(&mut **tx)
                .await?
        }
        PersonRef::EmployerNumber { employer, number } => {
            sqlx::query_as(
                "SELECT id FROM persons WHERE employer_code = $1 AND card_number = $2 AND card_branch = 0 \
                 AND kind <> 'dependant'",
            )
            .bind(employer.clone())
            .bind(number.clone())
            .fetch_all(&mut **tx)
            .await?
        }
    };
    let field = match who {
        PersonRef::Id(_) => "person",
        PersonRef::Card { .. } => "記号・番号",
        PersonRef::MyNumber(_) => "個人番号",
        PersonRef::KanaBirth { .. } => "氏名（カナ）・生年月日",
        PersonRef::EmployerNumber { .. } => "被保険者証番号（健保組合）",
    };
    match found.as_slice() {
        [(id,)] => Ok(*id),
        [] => Err(input(file, line, field, "no person on file matches")),
        _ => Err(input(file, line, field, "more than one person matches; give the card")),
    }
}
