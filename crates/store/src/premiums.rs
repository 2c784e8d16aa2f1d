//! 標準報酬 and premiums in the record: the society's dated rates, the employers' 算定基礎届・
//! 月額変更届・賞与支払届 turned into determinations and 標準賞与額 (all or nothing per file),
//! 産前産後・育児休業 for the exemptions, a month's premiums per person and the 保険料納入告知 per
//! payer, the bank's payments, and each payer's statement (入金消込).
//!
//! The rules are `kenpo_domain::remuneration` and `kenpo_domain::premium`; this module reads the
//! facts they need, calls them, and writes what they decided with their reasoning.

use crate::audit::Touched;
use crate::batch::{TableBuffer, Val, iso, next_id, open_import, parse_iso, take_write_lock};
use crate::events::{PersonRef, resolve_person};
use crate::{Store, StoreError};
use chrono::NaiveDate;
use kenpo_domain::Field;
use kenpo_domain::date::{YearMonth, fiscal_year_of};
use kenpo_domain::eligibility::Reasoned;
use kenpo_domain::premium::{self, Component, Due, Leave, MonthFacts, Paid, RateSet, Rounding, SideRates, Statement};
use kenpo_domain::remuneration::{
    self, AnnualInput, Determination, InterimInput, LeaveKind, PayChange, PayMonth, WorkerKind,
};
use kenpo_domain::{DataCategory, Yen};
use kenpo_policy::{AccessContext, Action, Subject};
use serde::Serialize;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

/// The categories a premium run reads and writes.
pub const PREMIUM_CATEGORIES: [DataCategory; 3] =
    [DataCategory::Identity, DataCategory::Eligibility, DataCategory::Remuneration];

fn input(file: &str, line: u64, field: &str, problem: &str) -> StoreError {
    StoreError::Input(format!("{file}:{line}: column {field}: {problem}"))
}

/// A text value as the decision allows it: masked when the use's obligations say so.
fn shown(grant: &crate::guard::Grant<'_>, field: Field, value: String) -> String {
    if grant.mask.contains(&field) { crate::people::MASK.to_string() } else { value }
}

fn json<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn ym(s: &str) -> Result<YearMonth, StoreError> {
    s.parse().map_err(|_| StoreError::Corrupt("a stored month is not YYYY-MM".into()))
}

/// One line of a 報酬の届書, as the store applies it.
#[derive(Clone)]
pub enum PayInput {
    /// 算定基礎届.
    Annual { who: PersonRef, year: i32, months: [PayMonth; 3], worker: WorkerKind, yearly_average: Option<Yen> },
    /// 月額変更届.
    Interim { who: PersonRef, months: [PayMonth; 3], worker: WorkerKind, change: Option<PayChange> },
    /// 育児休業等・産前産後休業終了時報酬月額変更届 (entered by staff).
    LeaveEnd { who: PersonRef, kind: LeaveKind, ended_on: NaiveDate, months: [PayMonth; 3], worker: WorkerKind },
    /// 賞与支払届.
    Bonus { who: PersonRef, paid_on: NaiveDate, amount: Yen },
}

/// A line of a file with its number (for errors).
#[derive(Clone)]
pub struct PayLine {
    pub line: u64,
    pub input: PayInput,
}

/// What a 報酬の届書 did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PaySummary {
    pub import_id: i64,
    pub determinations: u64,
    pub not_revised: u64,
    pub excluded: u64,
    pub bonuses: u64,
    /// Lines with their outcome for the staff (line, 区分, reasoning), in file order.
    pub lines: Vec<(u64, String, Vec<String>)>,
}

/// One determination as the 標準報酬決定通知書 lists it.
#[derive(Debug, Clone, Serialize)]
pub struct DeterminationRow {
    pub id: i64,
    pub person_id: i64,
    pub employer_code: Option<String>,
    pub card_symbol: String,
    pub card_number: String,
    pub name_kanji: String,
    pub birth_date: String,
    pub kind: String,
    pub filed_month: String,
    pub decided: bool,
    pub effective_from: Option<String>,
    pub grade: Option<i64>,
    pub monthly_amount: Option<i64>,
    pub average: Option<i64>,
    pub previous_amount: Option<i64>,
    pub reasoning: Vec<String>,
}

/// A month's run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MonthRun {
    pub month: String,
    pub charged_people: u64,
    pub not_charged: u64,
    pub exempt: u64,
    pub bonus_charges: u64,
    /// People charged on the earliest 標準報酬 known because none was in force yet (to check).
    pub standard_assumed: u64,
    pub invoices: u64,
    pub member_total: i64,
    pub employer_total: i64,
    pub total: i64,
}

/// A 保険料納入告知 (one payer, one month).
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceRow {
    pub id: i64,
    pub payer: String,
    pub payer_kind: String,
    pub payer_name: String,
    pub month: String,
    pub due_on: String,
    pub members: i64,
    pub member_total: i64,
    pub employer_total: i64,
    pub total: i64,
}

/// One line of an invoice's 明細.
#[derive(Debug, Clone, Serialize)]
pub struct ChargeRow {
    pub person_id: i64,
    pub card_symbol: String,
    pub card_number: String,
    pub name_kanji: String,
    pub month: String,
    pub source: String,
    pub base: i64,
    pub general: (i64, i64),
    pub adjustment: (i64, i64),
    pub care: (i64, i64),
    pub support: (i64, i64),
    pub member_total: i64,
    pub employer_total: i64,
    pub reasoning: Vec<String>,
}

/// A payer's account, with the lines that explain it.
#[derive(Debug, Clone, Serialize)]
pub struct PayerStatement {
    pub payer: String,
    pub payer_kind: String,
    pub statement: Statement,
    pub reasoning: Vec<String>,
}

/// What a payments import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PaymentsSummary {
    pub import_id: i64,
    pub payments: u64,
    pub amount: i64,
}

/// A payment row to book.
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub line: u64,
    pub paid_on: NaiveDate,
    pub payer: String,
    pub amount: Yen,
}

/// Which invoices to read.
enum Which {
    All,
    Month(YearMonth),
    One(i64),
}

/// The payer code of a 任意継続被保険者.
pub fn voluntary_payer(person: i64) -> String {
    format!("V{person:09}")
}

type RateRaw = (String, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

fn rate_from(r: RateRaw) -> Result<RateSet, StoreError> {
    Ok(RateSet {
        effective_from: ym(&r.0)?,
        basic: SideRates { member: r.1, employer: r.2 },
        specific: SideRates { member: r.3, employer: r.4 },
        adjustment: SideRates { member: r.5, employer: r.6 },
        care: SideRates { member: r.7, employer: r.8 },
        support: SideRates { member: r.9, employer: r.10 },
        care_for_specified: r.11 != 0,
        voluntary_cap: r.12,
    })
}

const RATE_SELECT: &str = "SELECT effective_from, basic_member, basic_employer, specific_member, specific_employer, \
     adjustment_member, adjustment_employer, care_member, care_employer, support_member, support_employer, \
     care_for_specified, voluntary_cap FROM premium_rates ORDER BY effective_from";

async fn load_rates(tx: &mut Transaction<'static, Any>) -> Result<Vec<RateSet>, StoreError> {
    let rows: Vec<RateRaw> = sqlx::query_as(RATE_SELECT).fetch_all(&mut **tx).await?;
    rows.into_iter().map(rate_from).collect()
}

/// An earlier determination, as the rules of a new one need it.
struct HeldDetermination {
    kind: String,
    filed_month: YearMonth,
    effective_from: Option<YearMonth>,
}

/// What the rules need about the members a file names, read once per file.
#[derive(Default)]
struct Facts {
    /// 被保険者証番号 → person, for the file's employer.
    by_number: HashMap<String, i64>,
    employer_of: HashMap<i64, Option<String>>,
    /// (acquired_on, lost_on, kind) per person.
    periods: HashMap<i64, Vec<(NaiveDate, Option<NaiveDate>, String)>>,
    /// (effective_from, 標準報酬月額), oldest first.
    standards: HashMap<i64, Vec<(NaiveDate, Yen)>>,
    determinations: HashMap<i64, Vec<HeldDetermination>>,
    /// (paid_on, 標準賞与額).
    bonuses: HashMap<i64, Vec<(NaiveDate, Yen)>>,
}

impl Facts {
    /// Everyone at `employer` (its 被保険者 and their histories): one query per table.
    async fn load_employer(&mut self, tx: &mut Transaction<'static, Any>, employer: &str) -> Result<(), StoreError> {
        let people: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, card_number, kind FROM persons WHERE employer_code = $1 AND kind <> 'dependant'",
        )
        .bind(employer.to_string())
        .fetch_all(&mut **tx)
        .await?;
        for (id, number, _) in &people {
            // A number held twice at one employer is ambiguous: neither is taken by number.
            if self.by_number.insert(number.clone(), *id).is_some() {
                self.by_number.insert(number.clone(), -1);
            }
            self.employer_of.insert(*id, Some(employer.to_string()));
        }
        self.by_number.retain(|_, id| *id > 0);
        const SCOPE: &str = "SELECT id FROM persons WHERE employer_code = $1 AND kind <> 'dependant'";
        self.load(tx, &format!("person_id IN ({SCOPE})"), Some(employer), None).await
    }

    /// One person named otherwise (a staff entry, a card, a name and birth).
    async fn load_person(&mut self, tx: &mut Transaction<'static, Any>, person: i64) -> Result<(), StoreError> {
        let employer: Option<(Option<String>,)> = sqlx::query_as("SELECT employer_code FROM persons WHERE id = $1")
            .bind(person)
            .fetch_optional(&mut **tx)
            .await?;
        self.employer_of.insert(person, employer.and_then(|e| e.0));
        self.load(tx, "person_id = $1", None, Some(person)).await
    }

    async fn load(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        scope: &str,
        employer: Option<&str>,
        person: Option<i64>,
    ) -> Result<(), StoreError> {
        macro_rules! fetch {
            ($sql:expr) => {{
                let q = sqlx::query_as(sqlx::AssertSqlSafe($sql));
                match (employer, person) {
                    (Some(e), _) => q.bind(e.to_string()).fetch_all(&mut **tx).await?,
                    (None, Some(p)) => q.bind(p).fetch_all(&mut **tx).await?,
                    (None, None) => Vec::new(),
                }
            }};
        }
        let periods: Vec<(i64, String, Option<String>, String)> = fetch!(format!(
            "SELECT e.person_id, e.acquired_on, e.lost_on, COALESCE(e.kind, p.kind) FROM eligibility_periods e \
             JOIN persons p ON p.id = e.person_id WHERE e.{scope} ORDER BY e.person_id, e.seq"
        ));
        for (p, a, l, k) in periods {
            self.periods.entry(p).or_default().push((parse_iso(&a)?, l.as_deref().map(parse_iso).transpose()?, k));
        }
        let standards: Vec<(i64, String, i64)> = fetch!(format!(
            "SELECT person_id, effective_from, monthly_amount FROM standard_remuneration WHERE {scope} \
             ORDER BY person_id, effective_from"
        ));
        for (p, f, a) in standards {
            self.standards.entry(p).or_default().push((parse_iso(&f)?, a));
        }
        let held: Vec<(i64, String, String, Option<String>)> = fetch!(format!(
            "SELECT person_id, kind, filed_month, effective_from FROM remuneration_determinations WHERE {scope}"
        ));
        for (p, k, m, f) in held {
            self.determinations.entry(p).or_default().push(HeldDetermination {
                kind: k,
                filed_month: ym(&m)?,
                effective_from: f.as_deref().map(ym).transpose()?,
            });
        }
        let bonuses: Vec<(i64, String, i64)> =
            fetch!(format!("SELECT person_id, paid_on, standard_amount FROM bonuses WHERE {scope}"));
        for (p, d, a) in bonuses {
            self.bonuses.entry(p).or_default().push((parse_iso(&d)?, a));
        }
        Ok(())
    }

    /// The period covering `day`: its 取得日 and kind.
    fn period_on(&self, person: i64, day: NaiveDate) -> Option<(NaiveDate, String)> {
        self.periods
            .get(&person)?
            .iter()
            .rev()
            .find(|(a, l, _)| *a <= day && l.is_none_or(|l| l > day))
            .map(|(a, _, k)| (*a, k.clone()))
    }

    /// The 標準報酬月額 in force on `day` (the latest effective on or before it), else the earliest
    /// on file (a roster loaded with only the current grade) with `true` to say it was assumed.
    fn standard_on(&self, person: i64, day: NaiveDate) -> Option<(Yen, bool)> {
        let all = self.standards.get(&person)?;
        match all.iter().filter(|(f, _)| *f <= day).max_by_key(|(f, _)| *f) {
            Some((_, a)) => Some((*a, false)),
            None => all.iter().min_by_key(|(f, _)| *f).map(|(_, a)| (*a, true)),
        }
    }

    /// A revision (not a 資格取得時決定) effective from July, August or September of `year`.
    fn revised_in(&self, person: i64, year: i32) -> Option<YearMonth> {
        self.determinations
            .get(&person)?
            .iter()
            .filter(|d| d.kind != "acquisition")
            .filter_map(|d| d.effective_from)
            .filter(|f| f.year() == year && (7..=9).contains(&f.month()))
            .min()
    }
}

impl Store {
    /// Records the society's rates from a month (規約; validated by the rule's ranges). A month
    /// already invoiced keeps the rates it was charged with: a set starting at or before the last
    /// invoiced month is refused.
    pub async fn set_premium_rates(&self, ctx: &AccessContext, rates: &RateSet) -> Result<(), StoreError> {
        rates.validate().map_err(|e| StoreError::Input(format!("料率: {e}")))?;
        let grant = self.decide(ctx, Action::Write, &[DataCategory::Remuneration], Subject::Population).await?;
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        let last: Option<(Option<String>,)> =
            sqlx::query_as("SELECT MAX(month) FROM invoices").fetch_optional(&mut *tx).await?;
        if let Some((Some(last),)) = last
            && rates.effective_from.to_string() <= last
        {
            return Err(StoreError::Input(format!(
                "料率: {} は納入告知済みの {last} 以前です（告知済みの月の料率は変えられません）",
                rates.effective_from
            )));
        }
        sqlx::query("DELETE FROM premium_rates WHERE effective_from = $1")
            .bind(rates.effective_from.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO premium_rates (effective_from, basic_member, basic_employer, specific_member, specific_employer, \
             adjustment_member, adjustment_employer, care_member, care_employer, support_member, support_employer, \
             care_for_specified, voluntary_cap, recorded_at, actor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(rates.effective_from.to_string())
        .bind(rates.basic.member)
        .bind(rates.basic.employer)
        .bind(rates.specific.member)
        .bind(rates.specific.employer)
        .bind(rates.adjustment.member)
        .bind(rates.adjustment.employer)
        .bind(rates.care.member)
        .bind(rates.care.employer)
        .bind(rates.support.member)
        .bind(rates.support.employer)
        .bind(i64::from(rates.care_for_specified))
        .bind(rates.voluntary_cap)
        .bind(chrono::Utc::now().to_rfc3339())
        .bind(crate::audit::logged_actor(ctx.actor()))
        .execute(&mut *tx)
        .await?;
        self.record_in(&mut tx, &grant, &Touched::Nothing).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The rates on file, oldest first.
    pub async fn premium_rates(&self, ctx: &AccessContext) -> Result<Vec<RateSet>, StoreError> {
        let grant = self.decide(ctx, Action::Read, &[DataCategory::Remuneration], Subject::Population).await?;
        let rows: Vec<RateRaw> = sqlx::query_as(RATE_SELECT).fetch_all(self.db.granted(&grant)).await?;
        self.record(&grant, &Touched::Nothing).await?;
        rows.into_iter().map(rate_from).collect()
    }

    /// Applies one file of 報酬の届書 (or staff's 終了時改定 entries), all or nothing: each line
    /// is matched to its member (who must be at `employer` when given), run through the rule,
    /// and stored with its reasoning; a decided 標準報酬 joins `standard_remuneration`, a bonus
    /// joins `bonuses` with its 標準賞与額 under the fiscal year's cap. The same person, kind and
    /// month filed again is refused by content.
    ///
    /// The facts the rules need (the members, their periods, 標準報酬 history, earlier
    /// determinations and bonuses) are read once per file for the employer, not once per line,
    /// and the results written with multi-row INSERTs: a 算定基礎届 of 100,000 lines is a few
    /// statements, not a million.
    pub async fn apply_pay_lines(
        &self,
        ctx: &AccessContext,
        kind: &'static str,
        file_name: &str,
        content_sha256: &str,
        employer: Option<&str>,
        lines: &[PayLine],
    ) -> Result<PaySummary, StoreError> {
        let grant = self.decide(ctx, Action::Write, &PREMIUM_CATEGORIES, Subject::Population).await?;
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        let import_id = open_import(&mut tx, kind, file_name, content_sha256, ctx, lines.len() as i64).await?;
        let mut next = next_id(&mut tx, "remuneration_determinations").await?;
        let now = chrono::Utc::now().to_rfc3339();
        let actor = crate::audit::logged_actor(ctx.actor());
        let purpose = ctx.purpose().to_string();
        let mut summary = PaySummary { import_id, ..Default::default() };
        let mut facts = Facts::default();
        if let Some(e) = employer {
            facts.load_employer(&mut tx, e).await?;
        }
        let mut determinations = TableBuffer::new(
            self.backend,
            "remuneration_determinations",
            &[
                "id",
                "person_id",
                "kind",
                "filed_month",
                "decided",
                "effective_from",
                "effective_until",
                "grade",
                "monthly_amount",
                "average",
                "previous_amount",
                "months",
                "employer_code",
                "import_id",
                "source_line",
                "recorded_at",
                "actor",
                "purpose",
                "reasoning",
            ],
        );
        let mut bonus_rows =
            TableBuffer::new(self.backend, "bonuses", &["person_id", "paid_on", "amount", "standard_amount"]);
        let mut touched = Vec::new();
        for l in lines {
            let who = match &l.input {
                PayInput::Annual { who, .. }
                | PayInput::Interim { who, .. }
                | PayInput::LeaveEnd { who, .. }
                | PayInput::Bonus { who, .. } => who,
            };
            let person = match (who, employer) {
                (PersonRef::EmployerNumber { employer: e, number }, Some(file_employer)) if e == file_employer => {
                    match facts.by_number.get(number) {
                        Some(id) => *id,
                        None => {
                            return Err(input(
                                file_name,
                                l.line,
                                "被保険者証番号（健保組合）",
                                "no person on file matches",
                            ));
                        }
                    }
                }
                _ => {
                    let id = resolve_person(&mut tx, self, file_name, l.line, who).await?;
                    if !facts.employer_of.contains_key(&id) {
                        facts.load_person(&mut tx, id).await?;
                    }
                    id
                }
            };
            let p_employer = facts.employer_of.get(&person).cloned().flatten();
            if let Some(e) = employer
                && p_employer.as_deref() != Some(e)
            {
                return Err(input(file_name, l.line, "事業所", "the member is not at this employer"));
            }
            touched.push(person);
            // Covered as a 被保険者 on the day the 届 is about: 1 July (算定), the first month of
            // pay (月変, 終了時改定), the day paid (賞与).
            let on = match &l.input {
                PayInput::Annual { year, .. } => NaiveDate::from_ymd_opt(*year, 7, 1),
                PayInput::Interim { months, .. } | PayInput::LeaveEnd { months, .. } => {
                    Some(months[0].month.first_day())
                }
                PayInput::Bonus { paid_on, .. } => Some(*paid_on),
            }
            .ok_or(StoreError::Corrupt("day".into()))?;
            let Some((acquired, period_kind)) = facts.period_on(person, on) else {
                return Err(input(file_name, l.line, "被保険者", "is not covered on the day the 届 is about"));
            };
            if period_kind != "insured" {
                return Err(input(
                    file_name,
                    l.line,
                    "被保険者",
                    "is not a 被保険者 then (任意継続 and 被扶養者 have no 報酬の届書)",
                ));
            }
            let rule_err = |e: remuneration::DeterminationError| input(file_name, l.line, "報酬", &e.to_string());
            match &l.input {
                PayInput::Bonus { paid_on, amount, .. } => {
                    let fy_start = NaiveDate::from_ymd_opt(fiscal_year_of(*paid_on), 4, 1)
                        .ok_or(StoreError::Corrupt("fy".into()))?;
                    let held = facts.bonuses.entry(person).or_default();
                    if held.iter().any(|(d, _)| d == paid_on) {
                        return Err(input(
                            file_name,
                            l.line,
                            "賞与支払年月日",
                            "this member's bonus of that day is already on file",
                        ));
                    }
                    let already: Yen =
                        held.iter().filter(|(d, _)| *d >= fy_start && d < paid_on).map(|(_, a)| *a).sum();
                    let b = remuneration::bonus(*paid_on, *amount, already).map_err(rule_err)?;
                    held.push((*paid_on, b.value));
                    bonus_rows.push(vec![
                        Val::Int(person),
                        Val::Text(iso(*paid_on)),
                        Val::Int(*amount),
                        Val::Int(b.value),
                    ]);
                    summary.bonuses += 1;
                    summary.lines.push((l.line, "標準賞与額".into(), b.reasoning));
                }
                other => {
                    let current_day = match other {
                        PayInput::Annual { year, .. } => NaiveDate::from_ymd_opt(*year, 8, 31),
                        PayInput::Interim { months, .. } | PayInput::LeaveEnd { months, .. } => {
                            Some(months[0].month.first_day())
                        }
                        PayInput::Bonus { .. } => None,
                    }
                    .ok_or(StoreError::Corrupt("day".into()))?;
                    let found = facts.standard_on(person, current_day);
                    let current = found.map(|f| f.0);
                    let assumed = found.is_some_and(|f| f.1);
                    let (kind, filed_month, months, outcome): (
                        remuneration::DeterminationKind,
                        YearMonth,
                        [PayMonth; 3],
                        Reasoned<Option<Determination>>,
                    ) = match other {
                        PayInput::Annual { year, months, worker, yearly_average, .. } => {
                            let revised = facts.revised_in(person, *year);
                            let filed = YearMonth::from_parts(*year, 9);
                            if let Some(why) = remuneration::annual_excluded(*year, acquired, revised) {
                                (
                                    remuneration::DeterminationKind::Annual,
                                    filed,
                                    *months,
                                    Reasoned { value: None, reasoning: vec![why] },
                                )
                            } else {
                                let r = remuneration::annual(&AnnualInput {
                                    year: *year,
                                    months: *months,
                                    worker: *worker,
                                    current,
                                    yearly_average: *yearly_average,
                                })
                                .map_err(rule_err)?;
                                (
                                    r.value.kind,
                                    filed,
                                    *months,
                                    Reasoned { value: Some(r.value), reasoning: r.reasoning },
                                )
                            }
                        }
                        PayInput::Interim { months, worker, change, .. } => {
                            let Some(current) = current else {
                                return Err(input(
                                    file_name,
                                    l.line,
                                    "従前の標準報酬月額",
                                    "none on file for this member",
                                ));
                            };
                            let Some(change) = change else {
                                return Err(input(
                                    file_name,
                                    l.line,
                                    "昇（降）給区分",
                                    "a 月額変更届 needs 昇給 or 降給",
                                ));
                            };
                            let r = remuneration::interim(&InterimInput {
                                months: *months,
                                worker: *worker,
                                change: *change,
                                current,
                                previous_pay: None,
                            })
                            .map_err(rule_err)?;
                            (remuneration::DeterminationKind::Interim, months[2].month.next(), *months, r)
                        }
                        PayInput::LeaveEnd { kind, ended_on, months, worker, .. } => {
                            let Some(current) = current else {
                                return Err(input(
                                    file_name,
                                    l.line,
                                    "従前の標準報酬月額",
                                    "none on file for this member",
                                ));
                            };
                            let r = remuneration::leave_end(*kind, *ended_on, months, *worker, current)
                                .map_err(rule_err)?;
                            let k = if *kind == LeaveKind::Childcare {
                                remuneration::DeterminationKind::ChildcareEnd
                            } else {
                                remuneration::DeterminationKind::MaternityEnd
                            };
                            (k, months[2].month.next(), *months, r)
                        }
                        PayInput::Bonus { .. } => unreachable!("handled above"),
                    };
                    // The same kind and month twice (the kept 定時決定 shares its month with the
                    // decided one) is refused by content.
                    let family = |k: &str| if k.starts_with("annual") { "annual".to_string() } else { k.to_string() };
                    let held = facts.determinations.entry(person).or_default();
                    if held.iter().any(|d| family(&d.kind) == family(kind.code()) && d.filed_month == filed_month) {
                        return Err(input(
                            file_name,
                            l.line,
                            "適用年月",
                            "this member's 届 for that month is already on file",
                        ));
                    }
                    let decided = outcome.value.as_ref();
                    let is_excluded =
                        decided.is_none() && outcome.reasoning.first().is_some_and(|r| r.contains("対象外"));
                    held.push(HeldDetermination {
                        kind: kind.code().to_string(),
                        filed_month,
                        effective_from: decided.map(|d| d.effective_from),
                    });
                    let mut reasoning = outcome.reasoning.clone();
                    if assumed {
                        reasoning.insert(
                            0,
                            "従前の標準報酬月額はその時点の記録がないため最初の記録を用いた（要確認）".into(),
                        );
                    }
                    determinations.push(vec![
                        Val::Int(next),
                        Val::Int(person),
                        Val::Text(kind.code().into()),
                        Val::Text(filed_month.to_string()),
                        Val::Int(i64::from(decided.is_some())),
                        Val::OptText(decided.map(|d| d.effective_from.to_string())),
                        Val::OptText(decided.map(|d| d.effective_until.to_string())),
                        Val::OptInt(decided.map(|d| i64::from(d.grade))),
                        Val::OptInt(decided.map(|d| d.monthly_amount)),
                        Val::OptInt(decided.map(|d| d.average)),
                        Val::OptInt(current),
                        Val::Text(json(&months)?),
                        Val::OptText(p_employer.clone()),
                        Val::Int(import_id),
                        Val::Int(l.line as i64),
                        Val::Text(now.clone()),
                        Val::Text(actor.clone()),
                        Val::Text(purpose.clone()),
                        Val::Text(json(&reasoning)?),
                    ]);
                    next += 1;
                    if let Some(d) = decided {
                        facts
                            .standards
                            .entry(person)
                            .or_default()
                            .push((d.effective_from.first_day(), d.monthly_amount));
                        summary.determinations += 1;
                    } else if is_excluded {
                        summary.excluded += 1;
                    } else {
                        summary.not_revised += 1;
                    }
                    summary.lines.push((l.line, kind.label().to_string(), reasoning));
                }
            }
            if determinations.rows() >= 800 {
                determinations.flush(&mut tx).await?;
            }
            if bonus_rows.rows() >= 3_000 {
                bonus_rows.flush(&mut tx).await?;
            }
        }
        determinations.flush(&mut tx).await?;
        bonus_rows.flush(&mut tx).await?;
        // The decided 標準報酬 replace what the history held for the same month.
        sqlx::query(
            "DELETE FROM standard_remuneration WHERE (person_id, effective_from) IN \
             (SELECT d.person_id, d.effective_from || '-01' FROM remuneration_determinations d \
              WHERE d.import_id = $1 AND d.decided = 1)",
        )
        .bind(import_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO standard_remuneration (person_id, effective_from, grade, monthly_amount) \
             SELECT person_id, effective_from || '-01', grade, monthly_amount FROM remuneration_determinations \
             WHERE import_id = $1 AND decided = 1",
        )
        .bind(import_id)
        .execute(&mut *tx)
        .await?;
        touched.sort_unstable();
        touched.dedup();
        let seq = self.record_in(&mut tx, &grant, &Touched::Set(touched.clone())).await?;
        if kind == "pay_filing" {
            // APPI Art. 30: data received from the employers.
            self.insert_provision(
                &mut tx,
                crate::provisions::NewProvision::received(
                    ctx,
                    "事業主（算定基礎届・月額変更届・賞与支払届）",
                    "法令（健康保険法第48条、第41条〜第45条）",
                    &PREMIUM_CATEGORIES,
                    touched,
                    file_name,
                    seq,
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(summary)
    }

    /// Records a 産前産後休業 or 育児休業等 (from the employer's 取得者申出書) for the exemptions.
    pub async fn add_leave(&self, ctx: &AccessContext, person: i64, leave: Leave) -> Result<(), StoreError> {
        if leave.end < leave.start {
            return Err(StoreError::Input("休業: 終了日が開始日より前です".into()));
        }
        let grant = self
            .decide(ctx, Action::Write, &PREMIUM_CATEGORIES, Subject::Person(kenpo_policy::PersonId(person)))
            .await?;
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        let kind: Option<(String,)> =
            sqlx::query_as("SELECT kind FROM persons WHERE id = $1").bind(person).fetch_optional(&mut *tx).await?;
        if kind.is_none_or(|k| k.0 != "insured") {
            return Err(StoreError::Input("休業: 被保険者ではありません".into()));
        }
        let overlap: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM leaves WHERE person_id = $1 AND kind = $2 AND start_on <= $3 AND end_on >= $4",
        )
        .bind(person)
        .bind(leave.kind.code())
        .bind(iso(leave.end))
        .bind(iso(leave.start))
        .fetch_optional(&mut *tx)
        .await?;
        if overlap.is_some() {
            return Err(StoreError::Input("休業: 同じ種類の休業と期間が重なります".into()));
        }
        sqlx::query("INSERT INTO leaves (person_id, kind, start_on, end_on, recorded_at, actor) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(person)
            .bind(leave.kind.code())
            .bind(iso(leave.start))
            .bind(iso(leave.end))
            .bind(chrono::Utc::now().to_rfc3339())
            .bind(crate::audit::logged_actor(ctx.actor()))
            .execute(&mut *tx)
            .await?;
        self.record_in(&mut tx, &grant, &Touched::Person(person)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Computes `month`'s premiums for everyone charged (被保険者 and 任意継続), with the bonuses
    /// paid in the month, and issues one 納入告知 per payer — one transaction; a month already
    /// invoiced is refused. Employers' invoices are due at the end of the next month (164条);
    /// a 任意継続's by the 10th of the month itself.
    pub async fn run_premium_month(&self, ctx: &AccessContext, month: YearMonth) -> Result<MonthRun, StoreError> {
        let grant = self.decide(ctx, Action::Write, &PREMIUM_CATEGORIES, Subject::Population).await?;
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        let done: Option<(i64,)> = sqlx::query_as("SELECT id FROM invoices WHERE month = $1 LIMIT 1")
            .bind(month.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if done.is_some() {
            return Err(StoreError::Input(format!("{month} の保険料は告知済みです")));
        }
        let rates = load_rates(&mut tx).await?;
        if premium::rates_for(&rates, month).is_none() {
            return Err(StoreError::Input(format!("{month} に適用される保険料率がありません（kenpo premium rates）")));
        }
        let first = iso(month.first_day());
        let last = iso(month.last_day());
        // Everyone with a 被保険者 or 任意継続 period touching the month.
        type PeriodRow = (i64, String, Option<String>, String, String, Option<String>);
        let periods: Vec<PeriodRow> = sqlx::query_as(
            "SELECT e.person_id, e.acquired_on, e.lost_on, COALESCE(e.kind, p.kind), p.birth_date, p.employer_code \
             FROM eligibility_periods e JOIN persons p ON p.id = e.person_id \
             WHERE COALESCE(e.kind, p.kind) IN ('insured', 'voluntary') AND e.acquired_on <= $1 AND (e.lost_on IS NULL OR e.lost_on > $2) \
             ORDER BY e.person_id, e.seq",
        )
        .bind(last.clone())
        .bind(first.clone())
        .fetch_all(&mut *tx)
        .await?;
        // 標準報酬 in force in the month: the latest on or before its last day; for someone whose
        // history starts later (a roster loaded with only the current grade), the earliest known,
        // said so in the line's reasoning and counted in the run.
        let standards: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT s.person_id, s.effective_from, s.monthly_amount FROM standard_remuneration s \
             WHERE s.person_id IN (SELECT e.person_id FROM eligibility_periods e JOIN persons p ON p.id = e.person_id \
             WHERE COALESCE(e.kind, p.kind) IN ('insured', 'voluntary') AND e.acquired_on <= $1 \
             AND (e.lost_on IS NULL OR e.lost_on > $2)) ORDER BY s.person_id, s.effective_from",
        )
        .bind(last.clone())
        .bind(first.clone())
        .fetch_all(&mut *tx)
        .await?;
        let mut standard: HashMap<i64, (i64, bool)> = HashMap::with_capacity(periods.len());
        for (p, from, amount) in standards {
            let in_force = from <= last;
            match standard.get(&p) {
                // A later row replaces an earlier one only while it is in force by the month.
                Some(_) if !in_force => {}
                _ => {
                    standard.insert(p, (amount, !in_force));
                }
            }
        }
        let leave_rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT person_id, kind, start_on, end_on FROM leaves WHERE start_on <= $1 AND end_on >= $2",
        )
        .bind(last.clone())
        .bind(iso(month.first_day().checked_sub_months(chrono::Months::new(1)).unwrap_or(month.first_day())))
        .fetch_all(&mut *tx)
        .await?;
        let mut leaves: HashMap<i64, Vec<Leave>> = HashMap::new();
        for (p, k, s, e) in leave_rows {
            let kind = LeaveKind::parse(&k).ok_or(StoreError::Corrupt("leave kind".into()))?;
            leaves.entry(p).or_default().push(Leave { kind, start: parse_iso(&s)?, end: parse_iso(&e)? });
        }
        // Dependants aged 40–64 in the month, for 特定被保険者 (only read when the 規約 says so).
        let mut care_dependant: std::collections::HashSet<i64> = std::collections::HashSet::new();
        if premium::rates_for(&rates, month).is_some_and(|r| r.care_for_specified) {
            let deps: Vec<(i64, String)> = sqlx::query_as(
                "SELECT p.insured_id, p.birth_date FROM persons p JOIN eligibility_periods e ON e.person_id = p.id \
                 WHERE p.kind = 'dependant' AND e.acquired_on <= $1 AND (e.lost_on IS NULL OR e.lost_on > $1)",
            )
            .bind(last.clone())
            .fetch_all(&mut *tx)
            .await?;
            for (member, birth) in deps {
                if premium::care_month(parse_iso(&birth)?, month).value {
                    care_dependant.insert(member);
                }
            }
        }
        let bonus_rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT person_id, paid_on, standard_amount FROM bonuses WHERE paid_on >= $1 AND paid_on <= $2 ORDER BY person_id, paid_on",
        )
        .bind(first.clone())
        .bind(last.clone())
        .fetch_all(&mut *tx)
        .await?;
        let mut bonuses: HashMap<i64, Vec<(NaiveDate, i64)>> = HashMap::new();
        for (p, d, a) in bonus_rows {
            bonuses.entry(p).or_default().push((parse_iso(&d)?, a));
        }

        // Premiums, per payer.
        struct Payer {
            kind: &'static str,
            members: std::collections::BTreeSet<i64>,
            member: i64,
            employer: i64,
            rows: Vec<(i64, String, premium::Premium, Vec<String>)>,
        }
        let mut payers: std::collections::BTreeMap<String, Payer> = std::collections::BTreeMap::new();
        let mut run = MonthRun { month: month.to_string(), ..Default::default() };
        let mut touched = Vec::with_capacity(periods.len());
        for (person, acquired, lost, kind, birth, employer) in periods {
            let voluntary = kind == "voluntary";
            let facts = MonthFacts {
                month,
                birth: parse_iso(&birth)?,
                acquired_on: parse_iso(&acquired)?,
                lost_on: lost.as_deref().map(parse_iso).transpose()?,
                standard: standard.get(&person).map_or(0, |s| s.0),
                voluntary,
                leaves: leaves.remove(&person).unwrap_or_default(),
                care_dependant: care_dependant.contains(&person),
                rounding: if voluntary { Rounding::Cash } else { Rounding::Withheld },
            };
            if !standard.contains_key(&person) {
                return Err(StoreError::Input(format!(
                    "{month}: 被保険者 (person {person}) に標準報酬月額がありません（資格取得時決定が必要）"
                )));
            }
            let payer_code = if voluntary {
                voluntary_payer(person)
            } else {
                match employer.clone() {
                    Some(e) => e,
                    None => {
                        return Err(StoreError::Input(format!(
                            "{month}: 被保険者 (person {person}) に事業所がありません"
                        )));
                    }
                }
            };
            let mut m = premium::monthly(&rates, &facts).map_err(|e| StoreError::Input(e.to_string()))?;
            if standard.get(&person).is_some_and(|s| s.1) {
                run.standard_assumed += 1;
                m.reasoning
                    .insert(0, format!("{month} 以前の標準報酬月額の記録がないため、最初の記録を用いた（要確認）"));
            }
            touched.push(person);
            let payer = payers.entry(payer_code).or_insert_with(|| Payer {
                kind: if voluntary { "voluntary" } else { "employer" },
                members: Default::default(),
                member: 0,
                employer: 0,
                rows: Vec::new(),
            });
            if m.value.lines.is_empty() {
                if m.value.base > 0 {
                    run.exempt += 1;
                } else {
                    run.not_charged += 1;
                }
            } else {
                run.charged_people += 1;
            }
            if !m.value.lines.is_empty() || m.value.base > 0 {
                payer.members.insert(person);
                payer.member = payer.member.checked_add(m.value.member).ok_or(StoreError::Corrupt("sum".into()))?;
                payer.employer =
                    payer.employer.checked_add(m.value.employer).ok_or(StoreError::Corrupt("sum".into()))?;
                payer.rows.push((person, "monthly".into(), m.value, m.reasoning));
            }
            if !voluntary {
                for (paid_on, amount) in bonuses.remove(&person).unwrap_or_default() {
                    let b = premium::bonus(&rates, &facts, paid_on, amount)
                        .map_err(|e| StoreError::Input(e.to_string()))?;
                    if !b.value.lines.is_empty() {
                        run.bonus_charges += 1;
                    }
                    payer.members.insert(person);
                    payer.member = payer.member.checked_add(b.value.member).ok_or(StoreError::Corrupt("sum".into()))?;
                    payer.employer =
                        payer.employer.checked_add(b.value.employer).ok_or(StoreError::Corrupt("sum".into()))?;
                    payer.rows.push((person, format!("bonus:{}", iso(paid_on)), b.value, b.reasoning));
                }
            }
        }
        // Write invoices and their lines.
        let mut invoice_id = next_id(&mut tx, "invoices").await?;
        let now = chrono::Utc::now().to_rfc3339();
        let actor = crate::audit::logged_actor(ctx.actor());
        let employer_due = iso(month.next().last_day());
        let voluntary_due = iso(premium::voluntary_due(month));
        let mut invoices = TableBuffer::new(
            self.backend,
            "invoices",
            &[
                "id",
                "payer",
                "payer_kind",
                "month",
                "due_on",
                "members",
                "member_total",
                "employer_total",
                "total",
                "issued_at",
                "actor",
            ],
        );
        let mut charges = TableBuffer::new(
            self.backend,
            "premium_charges",
            &[
                "person_id",
                "month",
                "source",
                "invoice_id",
                "base",
                "general_member",
                "general_employer",
                "adjustment_member",
                "adjustment_employer",
                "care_member",
                "care_employer",
                "support_member",
                "support_employer",
                "member_total",
                "employer_total",
                "reasoning",
            ],
        );
        for (code, p) in payers {
            if p.rows.is_empty() {
                continue;
            }
            let total = p.member.checked_add(p.employer).ok_or(StoreError::Corrupt("sum".into()))?;
            invoices.push(vec![
                Val::Int(invoice_id),
                Val::Text(code),
                Val::Text(p.kind.into()),
                Val::Text(month.to_string()),
                Val::Text(if p.kind == "voluntary" { voluntary_due.clone() } else { employer_due.clone() }),
                Val::Int(p.members.len() as i64),
                Val::Int(p.member),
                Val::Int(p.employer),
                Val::Int(total),
                Val::Text(now.clone()),
                Val::Text(actor.clone()),
            ]);
            run.invoices += 1;
            run.member_total += p.member;
            run.employer_total += p.employer;
            run.total += total;
            for (person, source, prem, reasoning) in p.rows {
                let part = |c: Component| {
                    prem.lines.iter().find(|l| l.component == c).map_or((0, 0), |l| (l.member, l.employer))
                };
                let (g, a, c, s) = (
                    part(Component::General),
                    part(Component::Adjustment),
                    part(Component::Care),
                    part(Component::Support),
                );
                charges.push(vec![
                    Val::Int(person),
                    Val::Text(month.to_string()),
                    Val::Text(source),
                    Val::Int(invoice_id),
                    Val::Int(prem.base),
                    Val::Int(g.0),
                    Val::Int(g.1),
                    Val::Int(a.0),
                    Val::Int(a.1),
                    Val::Int(c.0),
                    Val::Int(c.1),
                    Val::Int(s.0),
                    Val::Int(s.1),
                    Val::Int(prem.member),
                    Val::Int(prem.employer),
                    Val::Text(json(&reasoning)?),
                ]);
                if charges.rows() >= 5_000 {
                    // The lines name their invoice: it is written first.
                    invoices.flush(&mut tx).await?;
                    charges.flush(&mut tx).await?;
                }
            }
            invoice_id += 1;
            if invoices.rows() >= 1_000 {
                invoices.flush(&mut tx).await?;
            }
        }
        invoices.flush(&mut tx).await?;
        charges.flush(&mut tx).await?;
        touched.sort_unstable();
        touched.dedup();
        self.record_in(&mut tx, &grant, &Touched::Set(touched)).await?;
        tx.commit().await?;
        Ok(run)
    }

    /// Invoices of a month (or all), by payer.
    pub async fn invoices(&self, ctx: &AccessContext, month: Option<YearMonth>) -> Result<Vec<InvoiceRow>, StoreError> {
        self.invoice_rows(ctx, month.map_or(Which::All, Which::Month)).await
    }

    /// One invoice by its 告知番号.
    pub async fn invoice(&self, ctx: &AccessContext, id: i64) -> Result<Option<InvoiceRow>, StoreError> {
        Ok(self.invoice_rows(ctx, Which::One(id)).await?.pop())
    }

    /// The months invoiced, oldest first (no invoice rows read).
    pub async fn invoice_months(&self, ctx: &AccessContext) -> Result<Vec<YearMonth>, StoreError> {
        let grant = self.decide(ctx, Action::Read, &[DataCategory::Remuneration], Subject::Population).await?;
        let rows: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT month FROM invoices ORDER BY month")
            .fetch_all(self.db.granted(&grant))
            .await?;
        self.record(&grant, &Touched::Nothing).await?;
        rows.iter().map(|r| ym(&r.0)).collect()
    }

    async fn invoice_rows(&self, ctx: &AccessContext, which: Which) -> Result<Vec<InvoiceRow>, StoreError> {
        let grant = self.decide(ctx, Action::Read, &[DataCategory::Remuneration], Subject::Population).await?;
        let pool = self.db.granted(&grant);
        const SQL: &str = "SELECT i.id, i.payer, i.payer_kind, COALESCE(e.name, p.name_kanji, ''), i.month, i.due_on, \
             i.members, i.member_total, i.employer_total, i.total FROM invoices i \
             LEFT JOIN employers e ON e.code = i.payer \
             LEFT JOIN persons p ON p.id = CAST(CASE WHEN i.payer_kind = 'voluntary' THEN SUBSTR(i.payer, 2) END AS BIGINT)";
        type Raw = (i64, String, String, String, String, String, i64, i64, i64, i64);
        let rows: Vec<Raw> = match which {
            Which::Month(m) => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!("{SQL} WHERE i.month = $1 ORDER BY i.payer_kind, i.payer")))
                    .bind(m.to_string())
                    .fetch_all(pool)
                    .await?
            }
            Which::One(id) => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!("{SQL} WHERE i.id = $1"))).bind(id).fetch_all(pool).await?
            }
            Which::All => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!("{SQL} ORDER BY i.month, i.payer_kind, i.payer")))
                    .fetch_all(pool)
                    .await?
            }
        };
        self.record(&grant, &Touched::Population).await?;
        Ok(rows
            .into_iter()
            .map(|r| InvoiceRow {
                id: r.0,
                payer_name: if r.2 == "voluntary" { shown(&grant, Field::NameKanji, r.3) } else { r.3 },
                payer: r.1,
                payer_kind: r.2,
                month: r.4,
                due_on: r.5,
                members: r.6,
                member_total: r.7,
                employer_total: r.8,
                total: r.9,
            })
            .collect())
    }

    /// An invoice's 明細: every charge on it with its reasoning.
    pub async fn invoice_lines(&self, ctx: &AccessContext, invoice: i64) -> Result<Vec<ChargeRow>, StoreError> {
        let grant = self.decide(ctx, Action::Read, &PREMIUM_CATEGORIES, Subject::Population).await?;
        type Raw = (i64, String, String, String, String, String, i64, i64, i64, i64, i64, i64, i64, i64, i64, String);
        let rows: Vec<Raw> = sqlx::query_as(
            "SELECT c.person_id, p.card_symbol, p.card_number, p.name_kanji, c.month, c.source, c.base, \
             c.general_member, c.general_employer, c.adjustment_member, c.adjustment_employer, c.care_member, \
             c.care_employer, c.support_member, c.support_employer, c.reasoning \
             FROM premium_charges c JOIN persons p ON p.id = c.person_id WHERE c.invoice_id = $1 \
             ORDER BY p.card_symbol, p.card_number, c.source DESC",
        )
        .bind(invoice)
        .fetch_all(self.db.granted(&grant))
        .await?;
        let mut ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        ids.dedup();
        self.record(&grant, &Touched::Set(ids)).await?;
        rows.into_iter()
            .map(|r| {
                Ok(ChargeRow {
                    person_id: r.0,
                    card_symbol: shown(&grant, Field::CardSymbol, r.1),
                    card_number: shown(&grant, Field::CardNumber, r.2),
                    name_kanji: shown(&grant, Field::NameKanji, r.3),
                    month: r.4,
                    source: r.5,
                    base: r.6,
                    general: (r.7, r.8),
                    adjustment: (r.9, r.10),
                    care: (r.11, r.12),
                    support: (r.13, r.14),
                    member_total: r.7 + r.9 + r.11 + r.13,
                    employer_total: r.8 + r.10 + r.12 + r.14,
                    reasoning: serde_json::from_str(&r.15).map_err(|_| StoreError::Corrupt("reasoning".into()))?,
                })
            })
            .collect()
    }

    /// Books a bank statement's payments, all or nothing: every payer code must have been
    /// invoiced, and a payment already booked (same day, payer and amount, from any earlier
    /// statement) is refused by content, naming its line.
    pub async fn import_payments(
        &self,
        ctx: &AccessContext,
        file_name: &str,
        content_sha256: &str,
        rows: &[NewPayment],
    ) -> Result<PaymentsSummary, StoreError> {
        let grant = self.decide(ctx, Action::Write, &[DataCategory::Remuneration], Subject::Population).await?;
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        let import_id = open_import(&mut tx, "payments", file_name, content_sha256, ctx, rows.len() as i64).await?;
        let payers: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT payer FROM invoices").fetch_all(&mut *tx).await?;
        let payers: std::collections::HashSet<String> = payers.into_iter().map(|p| p.0).collect();
        let existing: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT paid_on, payer, amount FROM payments").fetch_all(&mut *tx).await?;
        let mut seen: std::collections::HashSet<(String, String, i64)> = existing.into_iter().collect();
        let mut id = next_id(&mut tx, "payments").await?;
        let mut buffer =
            TableBuffer::new(self.backend, "payments", &["id", "import_id", "line", "paid_on", "payer", "amount"]);
        let mut summary = PaymentsSummary { import_id, ..Default::default() };
        for r in rows {
            if !payers.contains(&r.payer) {
                return Err(input(file_name, r.line, "振込依頼人コード", "no invoice was ever issued to this payer"));
            }
            if !seen.insert((iso(r.paid_on), r.payer.clone(), r.amount)) {
                return Err(input(
                    file_name,
                    r.line,
                    "入金日・振込依頼人コード・金額",
                    "the same payment is already booked (or twice in this file)",
                ));
            }
            buffer.push(vec![
                Val::Int(id),
                Val::Int(import_id),
                Val::Int(r.line as i64),
                Val::Text(iso(r.paid_on)),
                Val::Text(r.payer.clone()),
                Val::Int(r.amount),
            ]);
            id += 1;
            summary.payments += 1;
            summary.amount = summary.amount.checked_add(r.amount).ok_or(StoreError::Corrupt("sum".into()))?;
            if buffer.rows() >= 2_000 {
                buffer.flush(&mut tx).await?;
            }
        }
        buffer.flush(&mut tx).await?;
        self.record_in(&mut tx, &grant, &Touched::Nothing).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Every payer's account (or one payer's): invoices settled oldest first by the payments,
    /// shortfalls left outstanding, overpayments carried as credit.
    pub async fn statements(
        &self,
        ctx: &AccessContext,
        payer: Option<&str>,
    ) -> Result<Vec<PayerStatement>, StoreError> {
        let grant = self.decide(ctx, Action::Read, &[DataCategory::Remuneration], Subject::Population).await?;
        let pool = self.db.granted(&grant);
        type Inv = (i64, String, String, String, String, i64);
        type Pay = (i64, String, String, i64);
        let (inv, pay): (Vec<Inv>, Vec<Pay>) = match payer {
            Some(p) => (
                sqlx::query_as("SELECT id, payer, payer_kind, month, due_on, total FROM invoices WHERE payer = $1")
                    .bind(p.to_string())
                    .fetch_all(pool)
                    .await?,
                sqlx::query_as("SELECT id, payer, paid_on, amount FROM payments WHERE payer = $1")
                    .bind(p.to_string())
                    .fetch_all(pool)
                    .await?,
            ),
            None => (
                sqlx::query_as("SELECT id, payer, payer_kind, month, due_on, total FROM invoices")
                    .fetch_all(pool)
                    .await?,
                sqlx::query_as("SELECT id, payer, paid_on, amount FROM payments").fetch_all(pool).await?,
            ),
        };
        let mut dues: std::collections::BTreeMap<String, (String, Vec<Due>, Vec<Paid>)> = Default::default();
        for (id, p, kind, month, due, total) in inv {
            dues.entry(p).or_insert_with(|| (kind.clone(), Vec::new(), Vec::new())).1.push(Due {
                invoice_id: id,
                month: ym(&month)?,
                due_on: parse_iso(&due)?,
                amount: total,
            });
        }
        for (id, p, paid_on, amount) in pay {
            if let Some(e) = dues.get_mut(&p) {
                e.2.push(Paid { payment_id: id, paid_on: parse_iso(&paid_on)?, amount });
            }
        }
        self.record(&grant, &Touched::Population).await?;
        Ok(dues
            .into_iter()
            .map(|(payer, (kind, d, p))| {
                let r = premium::reconcile(&d, &p);
                PayerStatement { payer, payer_kind: kind, statement: r.value, reasoning: r.reasoning }
            })
            .collect())
    }

    /// The determinations of an employer (or all) filed for a month, for the 決定通知書.
    pub async fn determinations(
        &self,
        ctx: &AccessContext,
        employer: Option<&str>,
        filed_month: Option<YearMonth>,
    ) -> Result<Vec<DeterminationRow>, StoreError> {
        let grant = self.decide(ctx, Action::Read, &PREMIUM_CATEGORIES, Subject::Population).await?;
        type Raw = (
            i64,
            i64,
            Option<String>,
            String,
            String,
            String,
            String,
            String,
            String,
            i64,
            Option<String>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            String,
        );
        let rows: Vec<Raw> = sqlx::query_as(
            "SELECT d.id, d.person_id, d.employer_code, p.card_symbol, p.card_number, p.name_kanji, p.birth_date, d.kind, \
             d.filed_month, d.decided, d.effective_from, d.grade, d.monthly_amount, d.average, d.previous_amount, d.reasoning \
             FROM remuneration_determinations d JOIN persons p ON p.id = d.person_id \
             WHERE ($1 = '' OR d.employer_code = $1) AND ($2 = '' OR d.filed_month = $2) \
             ORDER BY d.employer_code, p.card_number, d.id",
        )
        .bind(employer.unwrap_or("").to_string())
        .bind(filed_month.map(|m| m.to_string()).unwrap_or_default())
        .fetch_all(self.db.granted(&grant))
        .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
        self.record(&grant, &Touched::Set(ids)).await?;
        rows.into_iter()
            .map(|r| {
                Ok(DeterminationRow {
                    id: r.0,
                    person_id: r.1,
                    employer_code: r.2,
                    card_symbol: shown(&grant, Field::CardSymbol, r.3),
                    card_number: shown(&grant, Field::CardNumber, r.4),
                    name_kanji: shown(&grant, Field::NameKanji, r.5),
                    birth_date: r.6,
                    kind: r.7,
                    filed_month: r.8,
                    decided: r.9 != 0,
                    effective_from: r.10,
                    grade: r.11,
                    monthly_amount: r.12,
                    average: r.13,
                    previous_amount: r.14,
                    reasoning: serde_json::from_str(&r.15).map_err(|_| StoreError::Corrupt("reasoning".into()))?,
                })
            })
            .collect()
    }

    /// 任意継続 whose premium was not paid by its due day (the 10th) as of `today`: (person,
    /// month, due day). The app turns each into the loss event (LossReason::NonPayment).
    pub async fn voluntary_unpaid(
        &self,
        ctx: &AccessContext,
        today: NaiveDate,
    ) -> Result<Vec<(i64, YearMonth, NaiveDate)>, StoreError> {
        let all = self.statements(ctx, None).await?;
        let grant = self.decide(ctx, Action::Read, &[DataCategory::Eligibility], Subject::Population).await?;
        let open: Vec<(i64,)> = sqlx::query_as(
            "SELECT e.person_id FROM eligibility_periods e JOIN persons p ON p.id = e.person_id \
             WHERE COALESCE(e.kind, p.kind) = 'voluntary' AND e.lost_on IS NULL",
        )
        .fetch_all(self.db.granted(&grant))
        .await?;
        self.record(&grant, &Touched::Population).await?;
        let open: std::collections::HashSet<i64> = open.into_iter().map(|o| o.0).collect();
        let mut out = Vec::new();
        for s in all.iter().filter(|s| s.payer_kind == "voluntary") {
            let Ok(person) = s.payer[1..].parse::<i64>() else { continue };
            if !open.contains(&person) {
                continue;
            }
            // Paid on time means settled on or before the due day.
            if let Some(first) =
                s.statement.invoices.iter().find(|i| i.due_on < today && i.settled_on.is_none_or(|d| d > i.due_on))
            {
                out.push((person, first.month, first.due_on));
            }
        }
        Ok(out)
    }
}

/// A 被保険者 as an employer's 報酬の届書 names them (the demo and the benchmark write files
/// from these, as an employer's payroll would).
#[derive(Clone, Serialize)]
pub struct FilingMember {
    pub person_id: i64,
    pub employer_code: String,
    pub card_number: String,
    pub name_kana: String,
    pub name_kanji: String,
    pub birth_date: NaiveDate,
    pub standard: Option<Yen>,
}

impl std::fmt::Debug for FilingMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FilingMember({})", self.person_id)
    }
}

impl Store {
    /// The 被保険者 covered on `day` with their employer, card number, name, birth and the
    /// 標準報酬月額 in force that day, by employer and card number.
    pub async fn insured_on(&self, ctx: &AccessContext, day: NaiveDate) -> Result<Vec<FilingMember>, StoreError> {
        let grant = self.decide(ctx, Action::Read, &PREMIUM_CATEGORIES, Subject::Population).await?;
        let pool = self.db.granted(&grant);
        let d = iso(day);
        type Raw = (i64, String, String, String, String, String, Option<i64>);
        let rows: Vec<Raw> = sqlx::query_as(
            "SELECT p.id, p.employer_code, p.card_number, p.name_kana, p.name_kanji, p.birth_date, \
             (SELECT s.monthly_amount FROM standard_remuneration s WHERE s.person_id = p.id AND s.effective_from <= $1 \
              ORDER BY s.effective_from DESC LIMIT 1) \
             FROM persons p JOIN eligibility_periods e ON e.person_id = p.id \
             WHERE p.kind = 'insured' AND COALESCE(e.kind, p.kind) = 'insured' AND p.employer_code IS NOT NULL \
             AND e.acquired_on <= $1 AND (e.lost_on IS NULL OR e.lost_on > $1) \
             ORDER BY p.employer_code, p.card_number",
        )
        .bind(d)
        .fetch_all(pool)
        .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        self.record(&grant, &Touched::Set(ids)).await?;
        rows.into_iter()
            .map(|r| {
                Ok(FilingMember {
                    person_id: r.0,
                    employer_code: r.1,
                    card_number: shown(&grant, Field::CardNumber, r.2),
                    name_kana: shown(&grant, Field::NameKana, r.3),
                    name_kanji: shown(&grant, Field::NameKanji, r.4),
                    birth_date: parse_iso(&r.5)?,
                    standard: r.6,
                })
            })
            .collect()
    }
}
