//! Eligibility use cases: employers' filings turned into events, staff entries, the 検認, the
//! オンライン資格確認 outbox and the 資格確認書. The rules are `kenpo_domain::eligibility` and
//! `kenpo_domain::dependant`; the record is the store's; this module maps one onto the other.

use crate::AppError;
use chrono::NaiveDate;
use kenpo_domain::dependant::{self, Evidence, Kinship, Outcome, Residence};
use kenpo_domain::eligibility::LossReason;
use kenpo_domain::person::{PersonKind, Relationship};
use kenpo_formats::nenkin::{self, DependantChange, FiledPerson, Filing, FilingRecord, Layout};
use kenpo_policy::AccessContext;
use kenpo_store::{Change, EventSummary, NewAcquisition, NewEvent, PersonRef, Store};

/// How to find the member a filing names: the KPFD 被保険者証番号, else the 個人番号 (through
/// the vault's blind index), else カナ氏名 + 生年月日.
pub(crate) fn member_ref(person: &FiledPerson, employer: &str, card_number: Option<&String>) -> PersonRef {
    if let Some(number) = card_number {
        return PersonRef::EmployerNumber { employer: employer.to_string(), number: number.clone() };
    }
    if let Some(n) = &person.my_number {
        return PersonRef::MyNumber(n.clone());
    }
    PersonRef::KanaBirth { kana: person.kana.clone(), birth: person.birth }
}

fn dependant_ref(person: &FiledPerson) -> PersonRef {
    match &person.my_number {
        Some(n) => PersonRef::MyNumber(n.clone()),
        None => PersonRef::KanaBirth { kana: person.kana.clone(), birth: person.birth },
    }
}

/// The events a filing asks for, in file order. `employer` overrides the file's 事業所番号 (an
/// SHFD file carries the 年金事務所's number, not the society's).
pub fn filing_events(
    file: &str,
    filing: &Filing,
    employer: Option<&str>,
    received_on: NaiveDate,
) -> Result<Vec<NewEvent>, AppError> {
    let office = match (employer, filing.layout) {
        (Some(e), _) => e.to_string(),
        (None, Layout::Society) => filing.office.number.clone(),
        (None, Layout::Pension) => {
            return Err(AppError::Invalid(format!(
                "{file}: a 年金事務所 file (SHFD) names the employer by the 年金機構's number: give the society's 事業所番号 (--employer)"
            )));
        }
    };
    let mut events = Vec::new();
    for record in &filing.records {
        match record {
            FilingRecord::Acquisition(a) => {
                let employer = a.society.office.clone().unwrap_or_else(|| office.clone());
                events.push(NewEvent {
                    line: a.line,
                    received_on,
                    change: Change::Acquire(Box::new(NewAcquisition {
                        kind: PersonKind::Insured,
                        member: None,
                        relationship: None,
                        cohabiting: false,
                        annual_income: None,
                        name_kanji: a.person.kanji.clone().unwrap_or_else(|| a.person.kana.clone()),
                        name_kana: a.person.kana.clone(),
                        birth_date: a.person.birth,
                        sex: a.sex,
                        employer_code: Some(employer),
                        insurer: String::new(),
                        card: None,
                        number: a.society.card_number.clone(),
                        acquired_on: a.acquired_on,
                        reason: "資格取得届".into(),
                        my_number: a.person.my_number.clone(),
                        certificate_requested: a.certificate,
                        postal_code: a.postal_code.clone(),
                        address: a.address.clone(),
                        monthly_pay: Some(a.monthly_pay),
                    })),
                });
            }
            FilingRecord::Loss(l) => {
                let employer = l.society.office.clone().unwrap_or_else(|| office.clone());
                events.push(NewEvent {
                    line: l.line,
                    received_on,
                    change: Change::Lose {
                        who: member_ref(&l.person, &employer, l.society.card_number.as_ref()),
                        reason: l.reason,
                        event_day: l.event_day,
                    },
                });
            }
            FilingRecord::Dependants(d) => {
                let employer = d.society.office.clone().unwrap_or_else(|| office.clone());
                let member = member_ref(&d.member, &employer, d.society.card_number.as_ref());
                for dep in &d.dependants {
                    let sex = || {
                        dep.sex.ok_or_else(|| {
                            AppError::Invalid(format!("{file}:{}: column 被扶養者の性別: required for 該当", d.line))
                        })
                    };
                    let change = match d.change {
                        DependantChange::Added => Change::Acquire(Box::new(NewAcquisition {
                            kind: PersonKind::Dependant,
                            member: Some(member.clone()),
                            relationship: Some(dep.relationship),
                            cohabiting: dep.cohabiting.ok_or_else(|| {
                                AppError::Invalid(format!(
                                    "{file}:{}: column 同居・別居の別: required for 該当",
                                    d.line
                                ))
                            })?,
                            annual_income: dep.income,
                            name_kanji: dep.person.kanji.clone().unwrap_or_else(|| dep.person.kana.clone()),
                            name_kana: dep.person.kana.clone(),
                            birth_date: dep.person.birth,
                            sex: sex()?,
                            employer_code: None,
                            insurer: String::new(),
                            card: None,
                            number: None,
                            acquired_on: dep.since.unwrap_or(received_on),
                            reason: "被扶養者異動届（該当）".into(),
                            my_number: dep.person.my_number.clone(),
                            certificate_requested: dep.certificate,
                            postal_code: None,
                            address: None,
                            monthly_pay: None,
                        })),
                        DependantChange::Removed => {
                            let until = dep.until.unwrap_or(received_on);
                            // でなくなった理由 4 = 75歳到達: the birthday decides the day.
                            let reason = match dep.removal_reason.as_deref() {
                                Some("4") => LossReason::Age75,
                                _ => LossReason::NoLongerDependant,
                            };
                            Change::Lose { who: dependant_ref(&dep.person), reason, event_day: until }
                        }
                        DependantChange::Changed => {
                            return Err(AppError::Invalid(format!(
                                "{file}:{}: column 異動の別: 3 (変更) is entered by staff (kenpo eligibility name / address / card)",
                                d.line
                            )));
                        }
                    };
                    events.push(NewEvent { line: d.line, received_on, change });
                }
            }
        }
    }
    Ok(events)
}

/// Reads a filing and applies it, all or nothing.
pub async fn import_filing_bytes(
    store: &Store,
    ctx: &AccessContext,
    file_name: &str,
    bytes: &[u8],
    employer: Option<&str>,
    received_on: NaiveDate,
) -> Result<EventSummary, AppError> {
    let filing = nenkin::read_filing(file_name, bytes).map_err(|e| AppError::Invalid(e.to_string()))?;
    let events = filing_events(file_name, &filing, employer, received_on)?;
    let sha = crate::imports::sha256_hex(bytes);
    Ok(store.apply_events(ctx, "filing", file_name, &sha, &events).await?)
}

/// Applies one staff entry (a change, a correction) as its own small file of one event.
pub async fn apply_entry(
    store: &Store,
    ctx: &AccessContext,
    what: &str,
    event: NewEvent,
) -> Result<EventSummary, AppError> {
    // Each entry is its own import; its "content" is who entered what, when.
    let stamp = format!("{}|{}|{}", ctx.actor(), what, chrono::Utc::now().to_rfc3339());
    let sha = crate::imports::sha256_hex(stamp.as_bytes());
    Ok(store.apply_events(ctx, "entry", what, &sha, &[event]).await?)
}

/// One 検認 answer as the CSV gives it (see README "検認"): the dependant's card, the answer's
/// date, and the evidence.
#[derive(Debug, Clone)]
pub struct KeninAnswer {
    pub line: u64,
    pub person_id: i64,
    pub answered_on: NaiveDate,
    pub cohabiting: bool,
    pub expected_income: Option<i64>,
    pub member_income: Option<i64>,
    pub support_sent: Option<i64>,
    pub disabled: bool,
    pub residence: Residence,
    pub exception_documents: bool,
}

/// The kinship the rule reads from a stored 続柄.
pub fn kinship_of(relationship: &str) -> Kinship {
    match Relationship::from_label(relationship) {
        Some(Relationship::Spouse) => Kinship::Spouse,
        Some(Relationship::Child) => Kinship::Child,
        Some(Relationship::Parent) | Some(Relationship::Grandparent) => Kinship::LinealAscendant,
        Some(Relationship::Sibling) => Kinship::Sibling,
        Some(Relationship::Grandchild) => Kinship::Grandchild,
        // その他: relatives within the 3rd degree, who must live with the member.
        Some(Relationship::Other) | None => Kinship::OtherRelativeWithin3rd,
    }
}

/// Runs the recognition rule on each answer against the year's list and stores the outcomes.
/// Returns the results (refused ones are removed by `kenin_remove`).
pub async fn kenin_answers(
    store: &Store,
    ctx: &AccessContext,
    file_name: &str,
    year: i32,
    as_of: NaiveDate,
    answers: &[KeninAnswer],
) -> Result<Vec<kenpo_store::DependantCheckResult>, AppError> {
    let list = store.dependant_checks(ctx, year, as_of).await?;
    let mut results = Vec::with_capacity(answers.len());
    for a in answers {
        let Some(row) = list.iter().find(|r| r.person_id == a.person_id) else {
            return Err(AppError::Invalid(format!(
                "{file_name}:{}: column 加入者ID: not on the {year} 検認 list",
                a.line
            )));
        };
        let birth = NaiveDate::parse_from_str(&row.birth_date, "%Y-%m-%d")
            .map_err(|_| AppError::Internal("a stored birth date is not a date".into()))?;
        let ruled = dependant::recognise(&Evidence {
            kinship: kinship_of(&row.relationship),
            birth_date: birth,
            cohabiting: a.cohabiting,
            expected_income: a.expected_income,
            disabled: a.disabled,
            member_income: a.member_income,
            support_sent: a.support_sent,
            residence: a.residence,
            exception_documents: a.exception_documents,
            recognition_day: a.answered_on,
        });
        let outcome = match ruled.outcome {
            Outcome::Recognised => "recognised",
            Outcome::Refused => "refused",
            Outcome::DocumentsNeeded(_) => "documents",
        };
        results.push(kenpo_store::DependantCheckResult {
            line: a.line,
            person_id: a.person_id,
            answered_on: a.answered_on,
            outcome,
            reasoning: ruled.reasoning,
        });
    }
    store.record_dependant_checks(ctx, file_name, year, &results).await?;
    Ok(results)
}

/// Removes, as events, the dependants the year's 検認 refused, from `day`.
pub async fn kenin_remove(
    store: &Store,
    ctx: &AccessContext,
    year: i32,
    as_of: NaiveDate,
    day: NaiveDate,
) -> Result<EventSummary, AppError> {
    let list = store.dependant_checks(ctx, year, as_of).await?;
    let events: Vec<NewEvent> = list
        .iter()
        .filter(|r| r.outcome.as_deref() == Some("refused"))
        .enumerate()
        .map(|(i, r)| NewEvent {
            line: i as u64 + 1,
            received_on: day,
            change: Change::Lose {
                who: PersonRef::Id(r.person_id),
                reason: LossReason::NoLongerDependant,
                event_day: day,
            },
        })
        .collect();
    if events.is_empty() {
        return Ok(EventSummary::default());
    }
    let sha = crate::imports::sha256_hex(format!("kenin|{year}|{day}|{}", events.len()).as_bytes());
    Ok(store.apply_events(ctx, "kenin", &format!("検認{year}"), &sha, &events).await?)
}

/// The daily batch for `day`, as events in two files: first 任意継続 ended by its two years and
/// the members who reached 75 (their dependants lose with them, on the member's 喪失日); then,
/// read again, the dependants who reached 75 and are still covered (on their own birthday) and
/// the 高齢受給者 starts of `day`'s month.
pub async fn age_batch(store: &Store, ctx: &AccessContext, day: NaiveDate) -> Result<EventSummary, AppError> {
    let first = store.age_milestones(ctx, day).await?;
    let two_years = store.voluntary_ends(ctx, day).await?;
    let mut members = Vec::new();
    for (id, acquired) in &two_years {
        // 75 first: a 任意継続 member reaching both by the day leaves at 75 (listed below).
        if !first.members_75.contains(id) {
            members.push(Change::Lose { who: PersonRef::Id(*id), reason: LossReason::TwoYears, event_day: *acquired });
        }
    }
    for id in &first.members_75 {
        members.push(Change::Lose { who: PersonRef::Id(*id), reason: LossReason::Age75, event_day: day });
    }
    let mut total = apply_batch(store, ctx, day, 1, members).await?;
    let second = store.age_milestones(ctx, day).await?;
    let mut rest = Vec::new();
    for id in &second.dependants_75 {
        rest.push(Change::Lose { who: PersonRef::Id(*id), reason: LossReason::Age75, event_day: day });
    }
    for (id, month) in second.elderly {
        rest.push(Change::Elderly { who: PersonRef::Id(id), month });
    }
    let s = apply_batch(store, ctx, day, 2, rest).await?;
    total.events += s.events;
    total.lost += s.lost;
    total.dependants_lost_with_member += s.dependants_lost_with_member;
    total.changes += s.changes;
    total.outbox += s.outbox;
    Ok(total)
}

async fn apply_batch(
    store: &Store,
    ctx: &AccessContext,
    day: NaiveDate,
    part: u8,
    changes: Vec<Change>,
) -> Result<EventSummary, AppError> {
    if changes.is_empty() {
        return Ok(EventSummary::default());
    }
    let events: Vec<NewEvent> = changes
        .into_iter()
        .enumerate()
        .map(|(i, change)| NewEvent { line: i as u64 + 1, received_on: day, change })
        .collect();
    let sha = crate::imports::sha256_hex(format!("age|{day}|{part}|{}", events.len()).as_bytes());
    Ok(store.apply_events(ctx, "age", &format!("年齢到達 {day} ({part})"), &sha, &events).await?)
}

/// A staff entry as an interface receives it (a form, a JSON body): which change, whose, from
/// when, and the fields that change needs. Parsed here once for both interfaces.
#[derive(Debug, Clone, Default)]
pub struct StaffEntry {
    /// lose | voluntary | name | address | employer | card | correct
    pub kind: String,
    pub person: i64,
    /// The event's day (退職日, 申出日, the change's first day); not needed for `correct`.
    pub day: Option<NaiveDate>,
    /// For `lose`: a `LossReason` code.
    pub reason: Option<String>,
    pub kanji: Option<String>,
    pub kana: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub employer: Option<String>,
    pub symbol: Option<String>,
    pub number: Option<String>,
    pub branch: Option<u8>,
    /// For `correct`: the event to reverse.
    pub event: Option<i64>,
}

fn required<'a>(v: &'a Option<String>, field: &str, max: usize) -> Result<&'a str, AppError> {
    let v = v.as_deref().map(str::trim).unwrap_or("");
    if v.is_empty() {
        return Err(AppError::Invalid(format!("{field}: required")));
    }
    if let Some(p) = kenpo_formats::text::cell_problem(v, max) {
        return Err(AppError::Invalid(format!("{field}: {p}")));
    }
    Ok(v)
}

/// The change a staff entry asks for, and its name for the import record.
pub fn staff_change(e: &StaffEntry) -> Result<(&'static str, Change), AppError> {
    let who = PersonRef::Id(e.person);
    let day = || e.day.ok_or_else(|| AppError::Invalid("day: required (YYYY-MM-DD)".into()));
    Ok(match e.kind.as_str() {
        "lose" => {
            let code = required(&e.reason, "reason", 30)?;
            let reason =
                LossReason::from_code(code).ok_or_else(|| AppError::Invalid("reason: not a loss reason".into()))?;
            ("資格喪失", Change::Lose { who, reason, event_day: day()? })
        }
        "voluntary" => ("任意継続", Change::Voluntary { who, applied_on: day()? }),
        "name" => (
            "氏名変更",
            Change::Name {
                who,
                on: day()?,
                kanji: required(&e.kanji, "kanji", 50)?.to_string(),
                kana: required(&e.kana, "kana", 50)?.to_string(),
            },
        ),
        "address" => (
            "住所変更",
            Change::Address {
                who,
                on: day()?,
                postal_code: required(&e.postal_code, "postal_code", 10)?.to_string(),
                address: required(&e.address, "address", 120)?.to_string(),
            },
        ),
        "employer" => {
            let code = required(&e.employer, "employer", 10)?;
            if !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(AppError::Invalid("employer: letters and digits".into()));
            }
            ("転勤", Change::Employer { who, on: day()?, employer: code.to_string() })
        }
        "card" => {
            let card = kenpo_domain::CardId::new(
                required(&e.symbol, "symbol", 20)?,
                required(&e.number, "number", 20)?,
                e.branch.unwrap_or(0),
            )
            .map_err(|err| AppError::Invalid(format!("symbol/number/branch: {err}")))?;
            (
                "証番号変更",
                Change::Card { who, on: day()?, symbol: card.symbol, number: card.number, branch: card.branch },
            )
        }
        "correct" => {
            let event = e.event.ok_or_else(|| AppError::Invalid("event: required".into()))?;
            ("訂正", Change::Correct { event_id: event })
        }
        _ => return Err(AppError::Invalid("kind: lose, voluntary, name, address, employer, card or correct".into())),
    })
}

/// Applies a staff entry received today.
pub async fn apply_staff_entry(
    store: &Store,
    ctx: &AccessContext,
    entry: &StaffEntry,
    today: NaiveDate,
) -> Result<EventSummary, AppError> {
    let (what, change) = staff_change(entry)?;
    apply_entry(store, ctx, what, NewEvent { line: 1, received_on: today, change }).await
}

/// The kinship words of the CLI, the API and the screens.
pub fn kinship(s: &str) -> Option<Kinship> {
    Some(match s {
        "spouse" => Kinship::Spouse,
        "common_law_spouse" => Kinship::CommonLawSpouse,
        "child" => Kinship::Child,
        "grandchild" => Kinship::Grandchild,
        "ascendant" => Kinship::LinealAscendant,
        "sibling" => Kinship::Sibling,
        "other_relative" => Kinship::OtherRelativeWithin3rd,
        "common_law_relative" => Kinship::CommonLawSpousesParentOrChild,
        "unrelated" => Kinship::Unrelated,
        _ => return None,
    })
}

/// The residence words of the 検認 CSV and the CLI.
pub fn residence(s: &str) -> Option<Residence> {
    use kenpo_domain::dependant::AbroadException;
    Some(match s {
        "japan" => Residence::InJapan,
        "excluded_visa" => Residence::InJapanExcludedVisa,
        "student" => Residence::Abroad(AbroadException::Student),
        "accompanying" => Residence::Abroad(AbroadException::AccompanyingPostedMember),
        "temporary" => Residence::Abroad(AbroadException::TemporaryTrip),
        "formed_abroad" => Residence::Abroad(AbroadException::FormedDuringPosting),
        "japan_based" => Residence::Abroad(AbroadException::OtherJapanBased),
        "abroad" => Residence::AbroadNoException,
        _ => return None,
    })
}

/// The answered 検認 CSV (the list's columns with 回答日, 同居 (1/0), 収入見込, 被保険者収入,
/// 仕送り額, 障害 (1/0), 居住 (`residence` words) and 例外書類 (1/0) filled): the year the list
/// is of (column 検認年, when the file has it) and the answers. Rows without a 回答日 are not
/// answered yet and skipped. Errors name file, line and column, never the value.
pub fn read_kenin_answers(file: &str, bytes: &[u8]) -> Result<(Option<i32>, Vec<KeninAnswer>), AppError> {
    let bytes = kenpo_formats::csv_out::strip_bom(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let bad = |line: u64, field: &str, what: &str| AppError::Invalid(format!("{file}:{line}: column {field}: {what}"));
    let headers = reader.headers().map_err(|_| bad(1, "見出し", "no header line"))?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name).ok_or_else(|| bad(1, name, "missing"));
    let year_col = headers.iter().position(|h| h == "検認年");
    let (id, answered, cohab, income, member, support, disabled, residence_col, docs) = (
        col("加入者ID")?,
        col("回答日")?,
        col("同居")?,
        col("収入見込")?,
        col("被保険者収入")?,
        col("仕送り額")?,
        col("障害")?,
        col("居住")?,
        col("例外書類")?,
    );
    let mut year: Option<i32> = None;
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let record = record.map_err(|_| bad(line, "行", "not a CSV line"))?;
        let get = |c: usize| record.get(c).unwrap_or("").trim();
        if let Some(c) = year_col {
            let y: i32 = get(c).parse().map_err(|_| bad(line, "検認年", "not a year"))?;
            if year.is_some_and(|seen| seen != y) {
                return Err(bad(line, "検認年", "differs from the lines before"));
            }
            year = Some(y);
        }
        if get(answered).is_empty() {
            continue;
        }
        let yen = |c: usize, field: &str| -> Result<Option<i64>, AppError> {
            let v = get(c);
            if v.is_empty() {
                return Ok(None);
            }
            let n: i64 = v.parse().map_err(|_| bad(line, field, "not a whole number of yen"))?;
            if !(0..=kenpo_formats::text::MAX_YEN).contains(&n) {
                return Err(bad(line, field, "out of range"));
            }
            Ok(Some(n))
        };
        let flag = |c: usize, field: &str| -> Result<bool, AppError> {
            match get(c) {
                "1" => Ok(true),
                "0" | "" => Ok(false),
                _ => Err(bad(line, field, "must be 1 or 0")),
            }
        };
        let place = get(residence_col);
        out.push(KeninAnswer {
            line,
            person_id: get(id).parse().map_err(|_| bad(line, "加入者ID", "not a number"))?,
            answered_on: NaiveDate::parse_from_str(get(answered), "%Y-%m-%d")
                .map_err(|_| bad(line, "回答日", "not YYYY-MM-DD"))?,
            cohabiting: flag(cohab, "同居")?,
            expected_income: yen(income, "収入見込")?,
            member_income: yen(member, "被保険者収入")?,
            support_sent: yen(support, "仕送り額")?,
            disabled: flag(disabled, "障害")?,
            residence: residence(if place.is_empty() { "japan" } else { place })
                .ok_or_else(|| bad(line, "居住", "not one of the listed words"))?,
            exception_documents: flag(docs, "例外書類")?,
        });
    }
    Ok((year, out))
}
