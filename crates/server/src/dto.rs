//! The wire format of `/api/v1`: DTOs of its own, converted from the store's typed rows, so a
//! change of a store type is a compile error here rather than a silent change of the API.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// RFC 9457 problem details, with a Japanese title and a machine code.
#[derive(Serialize, Deserialize, ToSchema, Debug)]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:kenpo:problem:CODE`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Japanese, for staff.
    pub title: String,
    pub status: u16,
    /// What went wrong, naming fields and rules, never personal values.
    pub detail: String,
    /// Stable machine code (`unauthenticated`, `csrf`, `denied`, `not_found`, …).
    pub code: String,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
    /// The 6-digit TOTP code, for roles that need a second factor.
    #[serde(default)]
    pub totp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    pub login: String,
    pub display_name: String,
    /// The actor every decision names (`staff:benefits:sato`, `member:42`, `contractor:c05`).
    pub actor: String,
    /// Send it as `X-CSRF-Token` with every state-changing request made with the cookie.
    pub csrf_token: String,
    /// For API clients (contractors) only: send as `Authorization: Bearer …`. Browsers get the
    /// HttpOnly cookie instead and never see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub idle_timeout_seconds: i64,
    pub absolute_timeout_seconds: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct ActivationRequest {
    pub login: String,
    /// The one-time code printed on the notice (dashes and case ignored).
    pub code: String,
    /// 12 to 128 characters.
    pub password: String,
}

#[derive(Deserialize, IntoParams)]
pub struct SearchParams {
    /// カナ氏名の前方一致.
    pub kana: Option<String>,
    /// 記号.
    pub symbol: Option<String>,
    /// 番号.
    pub number: Option<String>,
    /// 生年月日 (YYYY-MM-DD).
    pub birth_date: Option<chrono::NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct Identity {
    pub insurer_number: String,
    pub card_symbol: String,
    pub card_number: String,
    pub card_branch: u8,
    /// insured / voluntary / dependant.
    pub kind: String,
    pub kind_label: String,
    pub name_kanji: String,
    pub name_kana: String,
    pub birth_date: chrono::NaiveDate,
    /// 男 / 女.
    pub sex: String,
}

impl From<kenpo_store::IdentityView> for Identity {
    fn from(v: kenpo_store::IdentityView) -> Self {
        Self {
            insurer_number: v.insurer_number,
            card_symbol: v.card_symbol,
            card_number: v.card_number,
            card_branch: v.card_branch,
            kind: v.kind.code().to_string(),
            kind_label: v.kind.label().to_string(),
            name_kanji: v.name_kanji,
            name_kana: v.name_kana,
            birth_date: v.birth_date,
            sex: v.sex.label().to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PersonHit {
    pub id: i64,
    pub identity: Identity,
    /// Fields shown as ＊＊＊.
    pub masked: Vec<String>,
}

impl From<kenpo_store::PersonHit> for PersonHit {
    fn from(h: kenpo_store::PersonHit) -> Self {
        Self { id: h.id, identity: h.identity.into(), masked: h.masked.iter().map(|f| format!("{f:?}")).collect() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Withheld {
    /// Category id (`receipt_clinical`, …).
    pub category: String,
    /// The rule that refused it (see `/api/v1/policy/explain`).
    pub rule: String,
}

impl From<kenpo_store::Withheld> for Withheld {
    fn from(w: kenpo_store::Withheld) -> Self {
        Self { category: w.category.id().to_string(), rule: w.rule.to_string() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Period {
    pub acquired_on: chrono::NaiveDate,
    pub acquisition_reason: String,
    pub lost_on: Option<chrono::NaiveDate>,
    pub loss_reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Eligibility {
    pub periods: Vec<Period>,
    pub employer_code: Option<String>,
    pub employer_name: Option<String>,
    pub dependant_ids: Vec<i64>,
    pub insured_id: Option<i64>,
    pub my_number_on_file: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MonthlyRemuneration {
    pub effective_from: chrono::NaiveDate,
    pub grade: u8,
    pub monthly_amount: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Relation {
    pub relationship: String,
    pub cohabiting: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ContactDto {
    pub postal_code: String,
    pub address: String,
    pub phone: String,
}

#[derive(Serialize, ToSchema)]
pub struct CashBenefit {
    pub id: i64,
    pub kind: String,
    pub received_on: chrono::NaiveDate,
    pub status: String,
    pub claimed_amount: i64,
    pub decided_amount: Option<i64>,
}

/// A person as this actor may see them for this purpose; refused categories are absent and
/// listed in `withheld`.
#[derive(Serialize, ToSchema)]
pub struct Person {
    pub id: i64,
    pub identity: Identity,
    pub eligibility: Option<Eligibility>,
    pub remuneration: Option<Vec<MonthlyRemuneration>>,
    pub annual_income: Option<i64>,
    pub relation: Option<Relation>,
    pub contact: Option<ContactDto>,
    pub cash_benefits: Option<Vec<CashBenefit>>,
    pub withheld: Vec<Withheld>,
    pub masked: Vec<String>,
}

impl From<kenpo_store::PersonView> for Person {
    fn from(v: kenpo_store::PersonView) -> Self {
        Self {
            id: v.id,
            identity: v.identity.into(),
            eligibility: v.eligibility.map(|e| Eligibility {
                periods: e
                    .periods
                    .into_iter()
                    .map(|p| Period {
                        acquired_on: p.acquired_on,
                        acquisition_reason: p.acquisition_reason,
                        lost_on: p.lost_on,
                        loss_reason: p.loss_reason,
                    })
                    .collect(),
                employer_code: e.employer.as_ref().map(|x| x.code.clone()),
                employer_name: e.employer.map(|x| x.name),
                dependant_ids: e.dependant_ids,
                insured_id: e.insured_id,
                my_number_on_file: e.my_number_on_file,
            }),
            remuneration: v.remuneration.map(|r| {
                r.monthly
                    .into_iter()
                    .map(|m| MonthlyRemuneration {
                        effective_from: m.effective_from,
                        grade: m.grade,
                        monthly_amount: m.monthly_amount,
                    })
                    .collect()
            }),
            annual_income: v.annual_income,
            relation: v
                .relation
                .map(|r| Relation { relationship: r.relationship.label().to_string(), cohabiting: r.cohabiting }),
            contact: v.contact.map(|c| ContactDto { postal_code: c.postal_code, address: c.address, phone: c.phone }),
            cash_benefits: v.cash_benefits.map(|list| {
                list.into_iter()
                    .map(|b| CashBenefit {
                        id: b.id,
                        kind: b.kind.label().to_string(),
                        received_on: b.received_on,
                        status: b.status.label().to_string(),
                        claimed_amount: b.claimed_amount,
                        decided_amount: b.decided_amount,
                    })
                    .collect()
            }),
            withheld: v.withheld.into_iter().map(Into::into).collect(),
            masked: v.masked.iter().map(|f| format!("{f:?}")).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Receipt {
    pub id: i64,
    /// 診療年月 (YYYY-MM).
    pub service_month: String,
    pub kind: String,
    pub setting: String,
    pub institution_name: String,
    pub days: i64,
    pub total_points: i64,
    pub patient_charge: Option<i64>,
    /// 傷病名; absent when withheld.
    pub diagnoses: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct Receipts {
    pub person_id: i64,
    pub receipts: Vec<Receipt>,
    pub withheld: Vec<Withheld>,
}

impl From<kenpo_store::PersonReceipts> for Receipts {
    fn from(r: kenpo_store::PersonReceipts) -> Self {
        Self {
            person_id: r.person_id,
            receipts: r
                .receipts
                .into_iter()
                .map(|x| Receipt {
                    id: x.id,
                    service_month: x.service_month,
                    kind: x.kind,
                    setting: x.setting,
                    institution_name: x.institution_name,
                    days: x.days,
                    total_points: x.total_points,
                    patient_charge: x.patient_charge,
                    diagnoses: x.diagnoses,
                })
                .collect(),
            withheld: r.withheld.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct FindingParams {
    /// 診療年月 (YYYY-MM).
    pub month: Option<String>,
    pub rule: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Finding {
    pub id: i64,
    pub service_month: String,
    pub rule: String,
    pub rule_label: String,
    pub receipt_id: i64,
    pub related_receipt_id: Option<i64>,
    pub institution_code: String,
    pub institution_name: String,
    pub total_points: i64,
    pub detail: String,
    /// `open` (未確認), `rereview` (再審査請求) or `no_problem` (問題なし).
    pub status: String,
    pub status_label: String,
    pub status_by: Option<String>,
    pub status_at: Option<String>,
    pub note: Option<String>,
}

impl From<kenpo_store::FindingRow> for Finding {
    fn from(f: kenpo_store::FindingRow) -> Self {
        let status = f.status.as_deref().and_then(kenpo_store::FindingStatus::from_id);
        Self {
            id: f.id,
            rule_label: kenpo_store::rule_label(&f.rule).to_string(),
            service_month: f.service_month,
            rule: f.rule,
            receipt_id: f.receipt_id,
            related_receipt_id: f.related_receipt_id,
            institution_code: f.institution_code,
            institution_name: f.institution_name,
            total_points: f.total_points,
            detail: f.detail,
            status: status.map(|s| s.id()).unwrap_or("open").to_string(),
            status_label: status.map(|s| s.label()).unwrap_or("未確認").to_string(),
            status_by: f.resolved_by,
            status_at: f.resolved_at,
            note: f.resolution,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct FindingStatusRequest {
    /// `rereview` (再審査請求) or `no_problem` (問題なし).
    pub status: String,
    /// Why, 1 to 200 characters.
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct KogakuPayment {
    pub employer_code: String,
    pub member_id: i64,
    pub person_id: i64,
    pub member_name: String,
    pub kind: String,
    pub kind_label: String,
    pub amount: i64,
    pub receipts: String,
    /// The arithmetic, line by line.
    pub explanation: Vec<String>,
}

impl From<kenpo_store::KogakuPaymentRow> for KogakuPayment {
    fn from(p: kenpo_store::KogakuPaymentRow) -> Self {
        Self {
            employer_code: p.employer_code,
            member_id: p.member_id,
            person_id: p.person_id,
            member_name: p.member_name,
            kind: p.kind,
            kind_label: p.kind_label,
            amount: p.amount,
            receipts: p.receipts,
            explanation: p.explanation,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CheckupTarget {
    pub person_id: i64,
    pub checkup_id: i64,
    pub exam_date: chrono::NaiveDate,
    pub age: i64,
    pub employer_code: String,
    /// 階層化 level id.
    pub level: String,
    pub referral: Option<String>,
    pub reasons: Vec<String>,
}

impl From<kenpo_store::TargetRow> for CheckupTarget {
    fn from(t: kenpo_store::TargetRow) -> Self {
        Self {
            person_id: t.person_id,
            checkup_id: t.checkup_id,
            exam_date: t.exam_date,
            age: t.age,
            employer_code: t.employer_code,
            level: t.level.code().to_string(),
            referral: t.referral,
            reasons: t.reasons,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ExplainParams {
    /// read / write / export.
    pub action: String,
    /// Category id (`identity`, `receipt_clinical`, …).
    pub category: String,
    /// One person (otherwise the population).
    pub person: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Explanation {
    pub allowed: bool,
    pub rule: String,
    /// The catalogue entries behind the decision, in Japanese.
    pub lines: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Verification {
    pub entries: u64,
    pub checkpoints: u64,
    pub ok: bool,
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct HeldCategory {
    pub category: String,
    pub label: String,
    pub what: String,
    pub records: u64,
    pub first: Option<String>,
    pub last: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ProvisionLine {
    pub at: String,
    pub direction: String,
    pub counterparty: String,
    pub basis: String,
    pub use_id: String,
    pub categories: String,
}

impl From<kenpo_store::ProvisionView> for ProvisionLine {
    fn from(p: kenpo_store::ProvisionView) -> Self {
        Self {
            at: p.at,
            direction: p.direction,
            counterparty: p.counterparty,
            basis: p.basis,
            use_id: p.use_id,
            categories: p.categories,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccessEntry {
    pub at: String,
    pub who: String,
    pub purpose: String,
    pub action: String,
    pub categories: String,
    pub outcome: String,
}

/// 開示請求への回答: what is held, the provision records, and who accessed it and why.
#[derive(Serialize, ToSchema)]
pub struct Disclosure {
    pub person: Person,
    pub held: Vec<HeldCategory>,
    pub provisions: Vec<ProvisionLine>,
    pub accesses: Vec<AccessEntry>,
}

impl From<kenpo_store::Disclosure> for Disclosure {
    fn from(d: kenpo_store::Disclosure) -> Self {
        Self {
            person: d.person.into(),
            held: d
                .held
                .into_iter()
                .map(|h| HeldCategory {
                    category: h.category,
                    label: h.label,
                    what: h.what,
                    records: h.records,
                    first: h.first,
                    last: h.last,
                })
                .collect(),
            provisions: d.provisions.into_iter().map(Into::into).collect(),
            accesses: d
                .accesses
                .into_iter()
                .map(|a| AccessEntry {
                    at: a.at,
                    who: a.who,
                    purpose: a.purpose,
                    action: a.action,
                    categories: a.categories,
                    outcome: a.outcome,
                })
                .collect(),
        }
    }
}

/// An import running or done.
#[derive(Serialize, ToSchema, Clone)]
pub struct ImportJob {
    pub id: u64,
    /// receipts (UKE) / roster (名簿 CSV) / checkups (特定健診 ZIP).
    pub kind: String,
    pub file_name: String,
    /// running / done / refused.
    pub state: String,
    /// Records read so far: receipts, or roster rows written (checkup archives report at the end).
    pub receipts_read: u64,
    pub receipts: Option<u64>,
    pub matched: Option<u64>,
    pub unmatched: Option<u64>,
    /// For a refused file: the file, line, record and field (never the value).
    pub error: Option<String>,
    /// What was imported, in Japanese (one line; counts only).
    pub outcome: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct MonthRequest {
    /// 診療年月 (YYYY-MM).
    pub month: String,
}

/// What one month's レセプト点検 found.
#[derive(Serialize, ToSchema)]
pub struct ReviewRun {
    pub month: String,
    pub receipts: u64,
    pub findings: u64,
    /// Findings per rule id.
    pub by_rule: std::collections::BTreeMap<String, u64>,
}

impl From<kenpo_store::ReviewSummary> for ReviewRun {
    fn from(r: kenpo_store::ReviewSummary) -> Self {
        Self { month: r.month, receipts: r.receipts, findings: r.findings, by_rule: r.by_rule }
    }
}

/// What one month's 高額療養費・付加給付 run paid.
#[derive(Serialize, ToSchema)]
pub struct KogakuRun {
    pub month: String,
    /// The first month of the ceiling period used.
    pub ceilings_from: String,
    pub receipts: u64,
    pub households: u64,
    pub payments: u64,
    pub total: i64,
    /// Months of the 12 before with receipts but no stored run (多数回 may be undercounted).
    pub months_without_run: Vec<String>,
    /// Receipts held back by an open 重複 finding.
    pub held_receipts: Vec<i64>,
}

impl From<kenpo_store::KogakuRunSummary> for KogakuRun {
    fn from(r: kenpo_store::KogakuRunSummary) -> Self {
        Self {
            month: r.month,
            ceilings_from: r.ceilings_from,
            receipts: r.receipts,
            households: r.households,
            payments: r.payments,
            total: r.total,
            months_without_run: r.months_without_run,
            held_receipts: r.held_receipts,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct PeriodParams {
    /// First day (YYYY-MM-DD).
    pub from: chrono::NaiveDate,
    /// Last day (YYYY-MM-DD).
    pub to: chrono::NaiveDate,
}

#[derive(Serialize, ToSchema)]
pub struct ContractorAccess {
    pub purpose: String,
    pub categories: String,
    pub outcome: String,
    pub count: i64,
}

/// 委託先の監督: what a contractor received (provision records) and accessed (audit entries).
#[derive(Serialize, ToSchema)]
pub struct ContractorReport {
    pub contractor: String,
    pub name: String,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub received: Vec<ProvisionLine>,
    pub accesses: Vec<ContractorAccess>,
}

impl ContractorReport {
    pub fn of(name: String, r: kenpo_store::ContractorReport) -> Self {
        Self {
            contractor: r.contractor,
            name,
            from: r.from,
            to: r.to,
            received: r.received.into_iter().map(Into::into).collect(),
            accesses: r
                .accesses
                .into_iter()
                .map(|(purpose, categories, outcome, count)| ContractorAccess { purpose, categories, outcome, count })
                .collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ExportRequest {
    /// `contractor:ID` (委託) or the name of another body (第三者提供), as the catalogue names it.
    pub to: String,
    /// Category ids, comma separated (identity is always included).
    pub categories: String,
    /// `covered`, `covered:YYYY-MM-DD` or `ids:1,2,3`.
    pub who: String,
}

#[derive(Deserialize, IntoParams)]
pub struct AuditParams {
    /// Exact actor (`staff:benefits:sato`, `contractor:c03`, `member:42`).
    pub actor: Option<String>,
    /// Exact purpose id.
    pub purpose: Option<String>,
    /// `allow` or `deny`.
    pub outcome: Option<String>,
    /// Entries about one person.
    pub person: Option<i64>,
    /// Newest first, at most this many (1–1,000; default 200).
    pub limit: Option<i64>,
}

/// One audit entry: the decision (who, for what, which categories, outcome, rule), never the
/// encrypted payload.
#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub purpose: String,
    pub action: String,
    pub categories: String,
    pub outcome: String,
    pub rule: String,
    pub subject_kind: String,
}

impl From<kenpo_store::AuditEntryView> for AuditEntry {
    fn from(e: kenpo_store::AuditEntryView) -> Self {
        Self {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            purpose: e.purpose,
            action: e.action,
            categories: e.categories,
            outcome: e.outcome,
            rule: e.rule,
            subject_kind: e.subject_kind,
        }
    }
}

/// An account as the users screen shows it (no secret).
#[derive(Serialize, ToSchema)]
pub struct Account {
    pub login: String,
    /// staff / member / contractor.
    pub kind: String,
    /// The role, person id or contractor id the account acts as.
    pub acts_as: String,
    pub display_name: String,
    pub has_totp: bool,
    /// active / locked / disabled / not_activated.
    pub state: String,
    pub last_login_at: Option<String>,
}

impl From<kenpo_store::AccountRow> for Account {
    fn from(a: kenpo_store::AccountRow) -> Self {
        let (kind, acts_as) = match &a.kind {
            kenpo_store::AccountKind::Staff { role } => ("staff", role.clone()),
            kenpo_store::AccountKind::Member { person_id } => ("member", person_id.to_string()),
            kenpo_store::AccountKind::Contractor { contractor_id } => ("contractor", contractor_id.clone()),
        };
        let state = a.state();
        Self {
            login: a.login,
            kind: kind.into(),
            acts_as,
            display_name: a.display_name,
            has_totp: a.has_totp,
            state: state.into(),
            last_login_at: a.last_login_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewAccountRequest {
    pub login: String,
    /// staff / member / contractor.
    pub kind: String,
    /// For staff: a catalogue role id; for a member: the person id; for a contractor: its id.
    pub acts_as: String,
    pub display_name: String,
}

/// A new or reset account's secrets, shown once.
#[derive(Serialize, ToSchema)]
pub struct IssuedAccount {
    pub account: Account,
    /// Sets the first password at `POST /api/v1/activation`.
    pub onetime_code: String,
    pub onetime_expires: String,
    /// Base32 TOTP secret, where the role needs a second factor.
    pub totp_secret: Option<String>,
}

impl From<kenpo_app::IssuedAccount> for IssuedAccount {
    fn from(i: kenpo_app::IssuedAccount) -> Self {
        Self {
            account: i.account.into(),
            onetime_code: i.onetime_code,
            onetime_expires: i.onetime_expires,
            totp_secret: i.totp_secret,
        }
    }
}

/// One event of a person's eligibility record.
#[derive(Serialize, ToSchema)]
pub struct EligibilityEvent {
    pub id: i64,
    /// acquire | lose | voluntary | name | address | employer | card | elderly | correction
    pub kind: String,
    pub effective_on: String,
    pub received_on: String,
    pub recorded_at: String,
    pub actor: String,
    pub reason: Option<String>,
    /// The rule's reasoning, line by line.
    pub reasoning: Vec<String>,
    /// The event this one corrects, and the event that corrected this one.
    pub corrects: Option<i64>,
    pub corrected_by: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct EligibilityPeriod {
    pub acquired_on: String,
    pub lost_on: Option<String>,
    pub kind: Option<String>,
    pub acquisition_reason: String,
    pub loss_reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CardHeld {
    pub symbol: String,
    pub number: String,
    pub branch: i64,
    pub valid_from: String,
    /// The first day it no longer was theirs; absent while current.
    pub valid_until: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct History {
    pub person_id: i64,
    pub events: Vec<EligibilityEvent>,
    pub periods: Vec<EligibilityPeriod>,
    pub cards: Vec<CardHeld>,
    /// Earlier 事業所 (転勤), oldest first.
    pub earlier_employers: Vec<EarlierEmployer>,
}

#[derive(Serialize, ToSchema)]
pub struct EarlierEmployer {
    pub employer_code: Option<String>,
    /// The first day it no longer was the person's.
    pub until: String,
}

impl From<kenpo_store::PersonHistory> for History {
    fn from(h: kenpo_store::PersonHistory) -> Self {
        Self {
            person_id: h.person_id,
            events: h
                .events
                .into_iter()
                .map(|e| EligibilityEvent {
                    id: e.id,
                    kind: e.kind,
                    effective_on: e.effective_on,
                    received_on: e.received_on,
                    recorded_at: e.recorded_at,
                    actor: e.actor,
                    reason: e.reason,
                    reasoning: e.reasoning,
                    corrects: e.corrects,
                    corrected_by: e.corrected_by,
                })
                .collect(),
            periods: h
                .periods
                .into_iter()
                .map(|p| EligibilityPeriod {
                    acquired_on: p.0,
                    lost_on: p.1,
                    kind: p.2,
                    acquisition_reason: p.3,
                    loss_reason: p.4,
                })
                .collect(),
            cards: h
                .cards
                .into_iter()
                .map(|c| CardHeld { symbol: c.0, number: c.1, branch: c.2, valid_from: c.3, valid_until: c.4 })
                .collect(),
            earlier_employers: h
                .employers
                .into_iter()
                .map(|(employer_code, until)| EarlierEmployer { employer_code, until })
                .collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct AsOfParams {
    /// The day (YYYY-MM-DD).
    pub day: String,
    /// Person ids, comma separated (1 to 1,000).
    pub ids: String,
}

/// One person's coverage on a day.
#[derive(Serialize, ToSchema)]
pub struct Coverage {
    pub person_id: i64,
    pub covered: bool,
    pub kind: String,
    pub acquired_on: Option<String>,
    pub lost_on: Option<String>,
    pub card_symbol: Option<String>,
    pub card_number: Option<String>,
    pub card_branch: Option<i64>,
    /// The member the person depended on that day.
    pub insured_id: Option<i64>,
    pub relationship: Option<String>,
}

impl From<kenpo_store::CoverageAsOf> for Coverage {
    fn from(c: kenpo_store::CoverageAsOf) -> Self {
        let (symbol, number, branch) = match c.card {
            Some((_, s, n, b)) => (Some(s), Some(n), Some(b)),
            None => (None, None, None),
        };
        Self {
            person_id: c.person_id,
            covered: c.covered,
            kind: c.kind,
            acquired_on: c.acquired_on,
            lost_on: c.lost_on,
            card_symbol: symbol,
            card_number: number,
            card_branch: branch,
            insured_id: c.insured_id,
            relationship: c.relationship,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct OutboxParams {
    /// pending | sent | error | resend
    pub status: Option<String>,
    /// Only rows past their deadline today.
    #[serde(default)]
    pub overdue: bool,
}

/// One change to register with オンライン資格確認.
#[derive(Serialize, ToSchema)]
pub struct OutboxEntry {
    pub id: i64,
    pub event_id: i64,
    pub person_id: i64,
    /// acquire | lose | change
    pub change: String,
    pub received_on: String,
    /// Received + 5 days.
    pub deadline: String,
    /// pending (未送信) | sent (送信済) | error (エラー) | resend (再送)
    pub status: String,
    pub status_label: String,
    pub overdue: bool,
    pub attempts: i64,
    pub error_code: Option<String>,
}

impl From<kenpo_store::OutboxRow> for OutboxEntry {
    fn from(r: kenpo_store::OutboxRow) -> Self {
        Self {
            id: r.id,
            event_id: r.event_id,
            person_id: r.person_id,
            change: r.change,
            received_on: r.received_on,
            deadline: r.deadline,
            status_label: kenpo_store::outbox_status_label(&r.status).into(),
            status: r.status,
            overdue: r.overdue,
            attempts: r.attempts,
            error_code: r.error_code,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct FilingParams {
    /// The day the society received the filing (YYYY-MM-DD; default today).
    pub received: Option<String>,
    /// The society's 事業所番号 (needed for an SHFD file).
    pub employer: Option<String>,
}

/// What a filing did.
#[derive(Serialize, ToSchema)]
pub struct EventSummary {
    pub import_id: i64,
    pub events: u64,
    pub acquired: u64,
    pub lost: u64,
    pub dependants_lost_with_member: u64,
    pub voluntary: u64,
    pub changes: u64,
    pub corrections: u64,
    /// Rows queued for オンライン資格確認.
    pub outbox: u64,
    pub certificates: u64,
    pub my_numbers: u64,
}

impl From<kenpo_store::EventSummary> for EventSummary {
    fn from(s: kenpo_store::EventSummary) -> Self {
        Self {
            import_id: s.import_id,
            events: s.events,
            acquired: s.acquired,
            lost: s.lost,
            dependants_lost_with_member: s.dependants_lost_with_member,
            voluntary: s.voluntary,
            changes: s.changes,
            corrections: s.corrections,
            outbox: s.outbox,
            certificates: s.certificates,
            my_numbers: s.my_numbers,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct PaperParams {
    /// a4 (default) | card
    pub paper: Option<String>,
}

/// A staff entry: one change or correction of a person's record, received today.
#[derive(Deserialize, ToSchema)]
pub struct EntryRequest {
    /// lose | voluntary | name | address | employer | card | correct
    pub kind: String,
    pub person: i64,
    /// YYYY-MM-DD: 退職日・死亡日・申出日 or the change's first day (not for `correct`).
    pub day: Option<String>,
    /// For `lose`: retirement | death | age75 | disability | agreement | covered_elsewhere |
    /// non_payment | own_request | two_years | no_longer_dependant | member_lost
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

#[derive(Deserialize, IntoParams)]
pub struct AfterLossParams {
    /// First 診療年月 (YYYY-MM).
    pub from: String,
    /// Last 診療年月 (YYYY-MM), at most 24 months after `from`.
    pub to: String,
}

/// A receipt for days without coverage.
#[derive(Serialize, ToSchema)]
pub struct AfterLoss {
    pub receipt_id: i64,
    pub person_id: i64,
    pub service_month: String,
    pub institution_name: String,
    pub total_points: i64,
    pub days_outside: u64,
    pub first_day_outside: String,
    pub lost_on: Option<String>,
    pub loss_reason: Option<String>,
    pub patient_share: u8,
    /// 点数 × (10 − 負担割合) yen.
    pub society_paid: i64,
    pub should_have_paid: Option<String>,
    /// レセプト振替 | 返還請求
    pub action: String,
    pub arithmetic: String,
}

impl From<kenpo_store::ReceiptAfterLoss> for AfterLoss {
    fn from(r: kenpo_store::ReceiptAfterLoss) -> Self {
        Self {
            receipt_id: r.receipt_id,
            person_id: r.person_id,
            service_month: r.service_month,
            institution_name: r.institution_name,
            total_points: r.total_points,
            days_outside: r.days_outside,
            first_day_outside: r.first_day_outside,
            lost_on: r.lost_on,
            loss_reason: r.loss_reason,
            patient_share: r.patient_share,
            society_paid: r.society_paid,
            should_have_paid: r.should_have_paid,
            action: r.action,
            arithmetic: r.arithmetic,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct DayRequest {
    /// YYYY-MM-DD (default today).
    pub day: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct KeninRequest {
    /// The 基準日 (YYYY-MM-DD): dependants covered on it are listed.
    pub as_of: String,
    /// For removals: the day the refused stop being dependants (YYYY-MM-DD).
    pub day: Option<String>,
}

/// One dependant on a year's 検認 list.
#[derive(Serialize, ToSchema)]
pub struct KeninRow {
    pub year: i64,
    pub person_id: i64,
    pub member_id: i64,
    pub employer_code: Option<String>,
    pub relationship: String,
    pub listed_on: String,
    pub answered_on: Option<String>,
    /// recognised | refused | documents
    pub outcome: Option<String>,
    pub reasoning: Option<Vec<String>>,
}

impl From<kenpo_store::DependantCheckRow> for KeninRow {
    fn from(r: kenpo_store::DependantCheckRow) -> Self {
        Self {
            year: r.year,
            person_id: r.person_id,
            member_id: r.member_id,
            employer_code: r.employer_code,
            relationship: r.relationship,
            listed_on: r.listed_on,
            answered_on: r.answered_on,
            outcome: r.outcome,
            reasoning: r.reasoning,
        }
    }
}

/// What an uploaded 検認 answer file gave.
#[derive(Serialize, ToSchema)]
pub struct KeninAnswers {
    pub answers: usize,
    pub refused: usize,
    pub documents: usize,
}

/// Evidence for the 被扶養者 rule (nothing is stored).
#[derive(Deserialize, ToSchema)]
pub struct RecogniseRequest {
    /// spouse | common_law_spouse | child | grandchild | ascendant | sibling | other_relative |
    /// common_law_relative | unrelated
    pub kinship: String,
    pub birth_date: String,
    pub recognition_day: String,
    pub cohabiting: bool,
    pub expected_income: Option<i64>,
    #[serde(default)]
    pub disabled: bool,
    pub member_income: Option<i64>,
    pub support_sent: Option<i64>,
    /// japan | excluded_visa | student | accompanying | temporary | formed_abroad | japan_based | abroad
    pub residence: String,
    #[serde(default)]
    pub exception_documents: bool,
}

/// The rule's answer.
#[derive(Serialize, ToSchema)]
pub struct Recognition {
    /// 認定 | 不認定 | 書類不足
    pub outcome: String,
    /// The papers still needed (for 書類不足).
    pub documents: Vec<String>,
    pub reasoning: Vec<String>,
    pub income_limit: Option<i64>,
}

/// Marks outbox rows after the 中間サーバー's answer.
#[derive(Deserialize, ToSchema)]
pub struct OutboxMarkRequest {
    /// Outbox row ids (1 to 1,000).
    pub ids: Vec<i64>,
    /// error (a sent row the 中間サーバー refused) | resend (an error row queued again)
    pub to: String,
    /// The 中間サーバー's error code (1–16 ASCII letters, digits or '-'), for `error`.
    pub code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Marked {
    pub changed: u64,
}

// ── 標準報酬 and premiums ──

/// The society's rates from a month, per mille with up to three decimals ("45.5" = 45.5/1000).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatesRequest {
    /// The rates file as TOML (README §保険料): effective_from, voluntary_cap, care_for_specified,
    /// basic / specific / adjustment / care / support = { member, employer }.
    pub toml: String,
}

/// One component's rate, in millionths of the 標準報酬 (ppm: 43,000 = 43/1000).
#[derive(Serialize, ToSchema)]
pub struct SideRates {
    pub member: i64,
    pub employer: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Rates {
    /// YYYY-MM.
    pub effective_from: String,
    pub basic: SideRates,
    pub specific: SideRates,
    pub adjustment: SideRates,
    pub care: SideRates,
    pub support: SideRates,
    pub care_for_specified: bool,
    pub voluntary_cap: i64,
}

impl From<kenpo_domain::premium::RateSet> for Rates {
    fn from(r: kenpo_domain::premium::RateSet) -> Self {
        let side = |s: kenpo_domain::premium::SideRates| SideRates { member: s.member, employer: s.employer };
        Self {
            effective_from: r.effective_from.to_string(),
            basic: side(r.basic),
            specific: side(r.specific),
            adjustment: side(r.adjustment),
            care: side(r.care),
            support: side(r.support),
            care_for_specified: r.care_for_specified,
            voluntary_cap: r.voluntary_cap,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct PayFilingParams {
    /// The society's 事業所番号 (needed for an SHFD file, which carries the 年金機構's).
    pub employer: Option<String>,
}

/// One line of a 報酬の届書 and what the rule made of it.
#[derive(Serialize, ToSchema)]
pub struct PayLineOutcome {
    pub line: u64,
    /// 定時決定, 随時改定, 標準賞与額 …
    pub kind: String,
    pub reasoning: Vec<String>,
}

/// What a 報酬の届書 did.
#[derive(Serialize, ToSchema)]
pub struct PaySummary {
    pub import_id: i64,
    pub determinations: u64,
    pub not_revised: u64,
    pub excluded: u64,
    pub bonuses: u64,
    pub lines: Vec<PayLineOutcome>,
}

impl From<kenpo_store::PaySummary> for PaySummary {
    fn from(s: kenpo_store::PaySummary) -> Self {
        Self {
            import_id: s.import_id,
            determinations: s.determinations,
            not_revised: s.not_revised,
            excluded: s.excluded,
            bonuses: s.bonuses,
            lines: s
                .lines
                .into_iter()
                .map(|(line, kind, reasoning)| PayLineOutcome { line, kind, reasoning })
                .collect(),
        }
    }
}

/// A month's premium run.
#[derive(Serialize, ToSchema)]
pub struct MonthRun {
    pub month: String,
    pub charged_people: u64,
    pub not_charged: u64,
    pub exempt: u64,
    pub bonus_charges: u64,
    /// Charged on the earliest 標準報酬 known because none was in force yet (to check).
    pub standard_assumed: u64,
    pub invoices: u64,
    pub member_total: i64,
    pub employer_total: i64,
    pub total: i64,
}

impl From<kenpo_store::MonthRun> for MonthRun {
    fn from(r: kenpo_store::MonthRun) -> Self {
        Self {
            month: r.month,
            charged_people: r.charged_people,
            not_charged: r.not_charged,
            exempt: r.exempt,
            bonus_charges: r.bonus_charges,
            standard_assumed: r.standard_assumed,
            invoices: r.invoices,
            member_total: r.member_total,
            employer_total: r.employer_total,
            total: r.total,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct MonthParams {
    /// YYYY-MM.
    pub month: Option<String>,
}

/// A 保険料納入告知.
#[derive(Serialize, ToSchema)]
pub struct Invoice {
    pub id: i64,
    /// The employer's code, or V + the 任意継続被保険者's person id.
    pub payer: String,
    /// employer | voluntary
    pub payer_kind: String,
    pub payer_name: String,
    pub month: String,
    pub due_on: String,
    pub members: i64,
    pub member_total: i64,
    pub employer_total: i64,
    pub total: i64,
}

impl From<kenpo_store::InvoiceRow> for Invoice {
    fn from(r: kenpo_store::InvoiceRow) -> Self {
        Self {
            id: r.id,
            payer: r.payer,
            payer_kind: r.payer_kind,
            payer_name: r.payer_name,
            month: r.month,
            due_on: r.due_on,
            members: r.members,
            member_total: r.member_total,
            employer_total: r.employer_total,
            total: r.total,
        }
    }
}

/// One line of an invoice's 明細: (member, employer) shares per component, with the reasoning.
#[derive(Serialize, ToSchema)]
pub struct Charge {
    pub person_id: i64,
    pub card_symbol: String,
    pub card_number: String,
    pub name_kanji: String,
    pub month: String,
    /// monthly | bonus:YYYY-MM-DD
    pub source: String,
    pub base: i64,
    pub general: [i64; 2],
    pub adjustment: [i64; 2],
    pub care: [i64; 2],
    pub support: [i64; 2],
    pub member_total: i64,
    pub employer_total: i64,
    pub reasoning: Vec<String>,
}

impl From<kenpo_store::ChargeRow> for Charge {
    fn from(r: kenpo_store::ChargeRow) -> Self {
        Self {
            person_id: r.person_id,
            card_symbol: r.card_symbol,
            card_number: r.card_number,
            name_kanji: r.name_kanji,
            month: r.month,
            source: r.source,
            base: r.base,
            general: [r.general.0, r.general.1],
            adjustment: [r.adjustment.0, r.adjustment.1],
            care: [r.care.0, r.care.1],
            support: [r.support.0, r.support.1],
            member_total: r.member_total,
            employer_total: r.employer_total,
            reasoning: r.reasoning,
        }
    }
}

/// What a bank statement booked.
#[derive(Serialize, ToSchema)]
pub struct PaymentsSummary {
    pub import_id: i64,
    pub payments: u64,
    pub amount: i64,
}

impl From<kenpo_store::PaymentsSummary> for PaymentsSummary {
    fn from(s: kenpo_store::PaymentsSummary) -> Self {
        Self { import_id: s.import_id, payments: s.payments, amount: s.amount }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct StatementParams {
    pub payer: Option<String>,
    /// The day arrears are counted on (YYYY-MM-DD; default today).
    pub on: Option<String>,
}

/// One invoice in a payer's account.
#[derive(Serialize, ToSchema)]
pub struct SettledInvoice {
    pub invoice_id: i64,
    pub month: String,
    pub due_on: String,
    pub amount: i64,
    pub paid: i64,
    pub outstanding: i64,
    pub settled_on: Option<String>,
    /// Past its due day on the day asked and not settled.
    pub in_arrears: bool,
}

/// A payer's account (入金消込): invoices settled oldest first, credit carried forward.
#[derive(Serialize, ToSchema)]
pub struct PayerStatement {
    pub payer: String,
    pub payer_kind: String,
    pub billed: i64,
    pub received: i64,
    pub outstanding: i64,
    pub credit: i64,
    pub invoices: Vec<SettledInvoice>,
    pub reasoning: Vec<String>,
}

impl PayerStatement {
    pub fn of(s: kenpo_store::PayerStatement, on: chrono::NaiveDate) -> Self {
        let outstanding = s.statement.outstanding();
        Self {
            payer: s.payer,
            payer_kind: s.payer_kind,
            billed: s.statement.billed,
            received: s.statement.received,
            outstanding,
            credit: s.statement.credit,
            invoices: s
                .statement
                .invoices
                .into_iter()
                .map(|i| SettledInvoice {
                    in_arrears: i.in_arrears(on),
                    invoice_id: i.invoice_id,
                    month: i.month.to_string(),
                    due_on: i.due_on.to_string(),
                    amount: i.amount,
                    paid: i.paid,
                    outstanding: i.outstanding,
                    settled_on: i.settled_on.map(|d| d.to_string()),
                })
                .collect(),
            reasoning: s.reasoning,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct DeterminationParams {
    /// The 適用年月 / 改定年月 filed (YYYY-MM).
    pub month: Option<String>,
    pub employer: Option<String>,
}

/// A filed line and its determination (標準報酬決定通知書).
#[derive(Serialize, ToSchema)]
pub struct Determination {
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

impl From<kenpo_store::DeterminationRow> for Determination {
    fn from(r: kenpo_store::DeterminationRow) -> Self {
        Self {
            id: r.id,
            person_id: r.person_id,
            employer_code: r.employer_code,
            card_symbol: r.card_symbol,
            card_number: r.card_number,
            name_kanji: r.name_kanji,
            birth_date: r.birth_date,
            kind: r.kind,
            filed_month: r.filed_month,
            decided: r.decided,
            effective_from: r.effective_from,
            grade: r.grade,
            monthly_amount: r.monthly_amount,
            average: r.average,
            previous_amount: r.previous_amount,
            reasoning: r.reasoning,
        }
    }
}
