//! The monthly 高額療養費・付加給付 run: reads a 診療年月's matched receipts with the people and
//! 標準報酬 behind them, lets `kenpo_domain::kogaku` compute each household, and stores the
//! payments (a re-run of a month replaces its results whole, in one transaction, so it is
//! idempotent). Also the payment list per employer, as staff read it (with the arithmetic) and
//! as the employer receives it for payroll (who, what, how much — nothing about the care).

use crate::audit::Touched;
use crate::batch::{TableBuffer, Val, iso, parse_iso, take_write_lock};
use crate::guard::Grant;
use crate::provisions::NewProvision;
use crate::{Store, StoreError};
use kenpo_domain::DataCategory;
use kenpo_domain::YearMonth;
use kenpo_domain::kogaku::{
    self, AdditionRules, Claim, HouseholdMonth, HouseholdPerson, IncomeFacts, PaymentKind, Setting, Table,
};
use kenpo_policy::{AccessContext, Action, Subject};
use serde::Serialize;
use sqlx::{Any, Transaction};
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub(crate) const RUN_CATEGORIES: [DataCategory; 5] = [
    DataCategory::Identity,
    DataCategory::Eligibility,
    DataCategory::Remuneration,
    DataCategory::ReceiptCost,
    DataCategory::CashBenefit,
];

/// What one month's run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KogakuRunSummary {
    pub month: String,
    /// The first month of the ceiling period used (the month's own, or another for a comparison).
    pub ceilings_from: String,
    pub receipts: u64,
    pub households: u64,
    pub payments: u64,
    pub total: i64,
    /// Per payment kind: (count, yen).
    pub by_kind: BTreeMap<String, (u64, i64)>,
    /// Months of the 12 before with receipts but no stored run: 多数回 may be undercounted.
    pub months_without_run: Vec<String>,
    /// Receipts held back because they duplicate another of the month (an open 重複 finding):
    /// nothing is paid on them until staff resolve it (`review resolve`) and run the month again.
    pub held_receipts: Vec<i64>,
}

/// What `kogaku payroll` hands out: one file per employer, and what is paid otherwise.
#[derive(Debug, Clone)]
pub struct Payroll {
    pub files: Vec<PayrollFile>,
    /// 任意継続 members (no employer): paid by bank transfer to their own account, which Kenpo
    /// does not make yet — listed as 口座振込待ち.
    pub transfer_pending: TransferPending,
}

/// Payments waiting for a bank transfer (口座振込待ち).
#[derive(Debug, Clone, Default, Serialize)]
pub struct TransferPending {
    pub members: u64,
    pub payments: u64,
    pub total: i64,
}

/// One stored payment as staff see it.
#[derive(Debug, Clone, Serialize)]
pub struct KogakuPaymentRow {
    pub employer_code: String,
    pub member_id: i64,
    pub member_card: String,
    pub member_name: String,
    pub person_id: i64,
    pub kind: String,
    pub kind_label: String,
    pub amount: i64,
    pub receipts: String,
    pub explanation: Vec<String>,
}

/// One employer's payroll file, as written for it.
#[derive(Debug, Clone, Serialize)]
pub struct PayrollFile {
    pub employer_code: String,
    pub file_name: String,
    pub rows: u64,
    pub total: i64,
    /// One line per member and benefit kind: exactly the fields its provision record names
    /// (card, name, benefit kind, amount).
    pub lines: Vec<PayrollLine>,
}

/// One line of an employer's payroll file.
#[derive(Debug, Clone, Serialize)]
pub struct PayrollLine {
    /// 被保険者証 記号-番号.
    pub card: String,
    pub name: String,
    /// 給付の種類 (高額療養費, 一部負担還元金, …).
    pub benefit: String,
    pub amount: i64,
}

struct ReceiptRow {
    id: i64,
    person: i64,
    household: i64,
    birth: chrono::NaiveDate,
    kind: String,
    setting: String,
    receipt_type: String,
    institution: String,
    institution_name: String,
    prescriber: Option<String>,
    points: i64,
    recorded_charge: Option<i64>,
}

type RawReceipt = (
    i64,
    i64,
    Option<i64>,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<i64>,
    i64,
    Option<i64>,
);

type PaymentRaw = (Option<String>, i64, String, String, String, i64, String, i64, String, String);

/// A month's households as 高額療養費 sees them, read in one transaction.
pub(crate) struct MonthInput {
    pub(crate) households: Vec<HouseholdMonth>,
    pub(crate) receipts: u64,
    /// Receipts held back (an open 重複 finding).
    pub(crate) held: BTreeSet<i64>,
    /// Months of the 12 before with receipts but no stored run.
    pub(crate) months_without_run: Vec<String>,
    pub(crate) employer: HashMap<i64, Option<String>>,
}

/// Reads a 診療年月's matched receipts with the people, 標準報酬 and 多数回 history behind them.
pub(crate) async fn month_input(
    tx: &mut Transaction<'static, Any>,
    month: YearMonth,
) -> Result<MonthInput, StoreError> {
    let m = month.to_string();
    let raw: Vec<RawReceipt> = sqlx::query_as(
        "SELECT r.id, r.person_id, p.insured_id, p.birth_date, r.kind, r.setting, r.receipt_type, \
                r.institution_code, r.institution_prefecture, r.institution_name, r.prescriber_code, \
                r.prescriber_prefecture, r.total_points, r.patient_charge \
         FROM receipts r JOIN persons p ON p.id = r.person_id \
         WHERE r.service_month = $1 ORDER BY r.id",
    )
    .bind(m.clone())
    .fetch_all(&mut **tx)
    .await?;
    let mut rows = Vec::with_capacity(raw.len());
    for (id, person, insured, birth, kind, setting, rtype, code, pref, name, pcode, ppref, points, charge) in raw {
        rows.push(ReceiptRow {
            id,
            person,
            household: insured.unwrap_or(person),
            birth: parse_iso(&birth)?,
            kind,
            setting,
            receipt_type: rtype,
            institution: format!("{pref:02}{code}"),
            institution_name: name,
            prescriber: pcode.map(|c| format!("{:02}{c}", ppref.unwrap_or(0))),
            points,
            recorded_charge: charge,
        });
    }
    // 重複: never pay on a receipt that duplicates another of the month (the rule レセプト点検
    // reports, computed here too so that payment does not depend on review having run),
    // unless staff resolved that finding. Both receipts of a pair are held back.
    let resolved: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT receipt_id, related_receipt_id FROM review_findings \
         WHERE service_month = $1 AND rule = $2 AND status = 'no_problem'",
    )
    .bind(m.clone())
    .bind(crate::review::DUPLICATE)
    .fetch_all(&mut **tx)
    .await?;
    let resolved: BTreeSet<(i64, Option<i64>)> = resolved.into_iter().collect();
    let keyed = rows
        .iter()
        .map(|r| (r.id, (r.person, r.institution.clone(), r.kind.clone(), r.setting.clone(), r.prescriber.clone())));
    let mut held: BTreeSet<i64> = BTreeSet::new();
    for (later, first) in kenpo_domain::review::same_month_duplicates(keyed) {
        if !resolved.contains(&(later, Some(first))) {
            held.insert(later);
            held.insert(first);
        }
    }
    rows.retain(|r| !held.contains(&r.id));

    // 標準報酬月額 in force in the month, for each household's member.
    let remuneration: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT s.person_id, s.effective_from, s.monthly_amount FROM standard_remuneration s \
         WHERE s.effective_from <= $1 AND s.person_id IN ( \
           SELECT COALESCE(p.insured_id, p.id) FROM receipts r JOIN persons p ON p.id = r.person_id \
           WHERE r.service_month = $2) ORDER BY s.person_id, s.effective_from",
    )
    .bind(iso(month.last_day()))
    .bind(m.clone())
    .fetch_all(&mut **tx)
    .await?;
    let mut standard: HashMap<i64, i64> = HashMap::new();
    for (person, _, amount) in remuneration {
        standard.insert(person, amount); // ordered by date: the last one is in force
    }
    let employers: Vec<(i64, Option<String>)> = sqlx::query_as(
        "SELECT p.id, p.employer_code FROM persons p WHERE p.id IN ( \
           SELECT COALESCE(q.insured_id, q.id) FROM receipts r JOIN persons q ON q.id = r.person_id \
           WHERE r.service_month = $1)",
    )
    .bind(m.clone())
    .fetch_all(&mut **tx)
    .await?;
    let employer: HashMap<i64, Option<String>> = employers.into_iter().collect();

    // 多数回: months of the previous 12 with a household payment.
    let from = (0..12).fold(month, |m, _| m.prev());
    let history: Vec<(i64, String)> = sqlx::query_as(
        "SELECT DISTINCT member_id, service_month FROM kogaku_payments \
         WHERE service_month >= $1 AND service_month < $2 AND kind IN ($3, $4)",
    )
    .bind(from.to_string())
    .bind(m.clone())
    .bind(PaymentKind::KogakuElderlyHousehold.code())
    .bind(PaymentKind::KogakuHousehold.code())
    .fetch_all(&mut **tx)
    .await?;
    let mut prior: HashMap<i64, u32> = HashMap::new();
    for (member, _) in history {
        *prior.entry(member).or_default() += 1;
    }
    let runs: Vec<(String,)> =
        sqlx::query_as("SELECT service_month FROM kogaku_runs WHERE service_month >= $1 AND service_month < $2")
            .bind(from.to_string())
            .bind(m.clone())
            .fetch_all(&mut **tx)
            .await?;
    let receipt_months: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT service_month FROM receipts WHERE service_month >= $1 AND service_month < $2 \
         ORDER BY service_month",
    )
    .bind(from.to_string())
    .bind(m.clone())
    .fetch_all(&mut **tx)
    .await?;
    let ran: BTreeSet<String> = runs.into_iter().map(|r| r.0).collect();
    let months_without_run: Vec<String> =
        receipt_months.into_iter().map(|r| r.0).filter(|mm| !ran.contains(mm)).collect();

    // One household per member.
    let mut by_household: BTreeMap<i64, Vec<&ReceiptRow>> = BTreeMap::new();
    for r in &rows {
        by_household.entry(r.household).or_default().push(r);
    }
    let mut households = Vec::with_capacity(by_household.len());
    for (member, receipts) in by_household {
        let income = IncomeFacts {
            standard_monthly: standard.get(&member).copied().unwrap_or(0),
            tax_exempt: false,
            no_income: false,
        };
        let active = income.elderly_active();
        let mut persons: BTreeMap<i64, HouseholdPerson> = BTreeMap::new();
        let mut claims = Vec::with_capacity(receipts.len());
        for r in receipts {
            let elderly = kogaku::is_elderly_in(r.birth, month);
            persons.entry(r.person).or_insert(HouseholdPerson {
                person: r.person,
                is_member: r.person == member,
                elderly,
            });
            let share = kogaku::share_percent(r.birth, month, active);
            let pharmacy = r.kind == "pharmacy";
            let (institution, label) = match (&r.prescriber, pharmacy) {
                (Some(p), true) => (p.clone(), format!("処方元 {p}（{}の調剤を含む）", r.institution_name)),
                _ => (r.institution.clone(), r.institution_name.clone()),
            };
            let (cost, charge) = kogaku::claim_amounts(r.id, r.points, r.recorded_charge, share)
                .map_err(|e| StoreError::Input(e.to_string()))?;
            claims.push(Claim {
                receipt_id: r.id,
                person: r.person,
                institution,
                institution_label: label,
                setting: if r.setting == "inpatient" { Setting::Inpatient } else { Setting::Outpatient },
                table: if r.kind == "dental" { Table::Dental } else { Table::Medical },
                cost,
                charge,
                // レセプト種別 3rd digit: 1 単独; 2–5 with one or more 公費 (別表5).
                public_aid: r.receipt_type.as_bytes().get(2).is_some_and(|d| *d != b'1'),
                pharmacy,
            });
        }
        households.push(HouseholdMonth {
            month,
            member,
            income,
            persons: persons.into_values().collect(),
            claims,
            prior_household_months: prior.get(&member).copied().unwrap_or(0),
        });
    }
    Ok(MonthInput { households, receipts: rows.len() as u64, held, months_without_run, employer })
}

impl Store {
    /// Computes and stores 高額療養費 and 付加給付 for one 診療年月, with the ceilings in force on
    /// its first day, and what each household bore (for the 年間上限).
    pub async fn run_kogaku(
        &self,
        ctx: &AccessContext,
        month: YearMonth,
        rules: &AdditionRules,
    ) -> Result<KogakuRunSummary, StoreError> {
        let grant = self.decide(ctx, Action::Write, &RUN_CATEGORIES, Subject::Population).await?;
        let figures =
            kogaku::ceilings_for(kogaku::ceiling_table(), month).map_err(|e| StoreError::Input(e.to_string()))?;
        let m = month.to_string();
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        let input = month_input(&mut tx, month).await?;
        let mut payment_rows = TableBuffer::new(
            self.backend,
            "kogaku_payments",
            &[
                "service_month",
                "seq",
                "member_id",
                "person_id",
                "employer_code",
                "kind",
                "amount",
                "receipts",
                "explanation",
            ],
        );
        let mut borne_rows = TableBuffer::new(
            self.backend,
            "kogaku_household_months",
            &["service_month", "member_id", "bracket", "borne", "explanation"],
        );
        let mut summary = KogakuRunSummary {
            month: m.clone(),
            ceilings_from: figures.from().to_string(),
            receipts: input.receipts,
            households: input.households.len() as u64,
            months_without_run: input.months_without_run,
            held_receipts: input.held.iter().copied().collect(),
            ..Default::default()
        };
        let employer = &input.employer;
        let mut seq = 0i64;
        // Members whose payments or borne amounts the run stores.
        let mut touched = Vec::new();
        for h in &input.households {
            let member = h.member;
            let result = kogaku::compute_month(h, figures, rules).map_err(|e| StoreError::Input(e.to_string()))?;
            if result.borne > 0 {
                borne_rows.push(vec![
                    Val::Text(m.clone()),
                    Val::Int(member),
                    Val::Text(result.bracket.clone()),
                    Val::Int(result.borne),
                    Val::Text(result.borne_explanation.clone()),
                ]);
            }
            let payments = result.payments;
            if !payments.is_empty() || result.borne > 0 {
                touched.push(member);
            }
            for p in payments {
                let e = summary.by_kind.entry(p.kind.code().to_string()).or_default();
                e.0 += 1;
                // Each payment is bounded by its household's charges (< 10^15 yen): checked all the same.
                let overflow = || StoreError::Corrupt("a payment total beyond i64".into());
                e.1 = e.1.checked_add(p.amount).ok_or_else(overflow)?;
                summary.payments += 1;
                summary.total = summary.total.checked_add(p.amount).ok_or_else(overflow)?;
                payment_rows.push(vec![
                    Val::Text(m.clone()),
                    Val::Int(seq),
                    Val::Int(member),
                    Val::Int(p.person),
                    Val::OptText(employer.get(&member).cloned().flatten()),
                    Val::Text(p.kind.code().into()),
                    Val::Int(p.amount),
                    Val::Text(p.receipts.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(",")),
                    Val::Text(p.explanation.join("\n")),
                ]);
                seq += 1;
            }
        }
        sqlx::query("DELETE FROM kogaku_payments WHERE service_month = $1").bind(m.clone()).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM kogaku_runs WHERE service_month = $1").bind(m.clone()).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM kogaku_household_months WHERE service_month = $1")
            .bind(m.clone())
            .execute(&mut *tx)
            .await?;
        payment_rows.flush(&mut tx).await?;
        borne_rows.flush(&mut tx).await?;
        sqlx::query(
            "INSERT INTO kogaku_runs (service_month, run_at, actor, rules, households, payments, total) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(m.clone())
        .bind(chrono::Utc::now().to_rfc3339())
        .bind(ctx.actor().to_string())
        .bind(format!("{rules:?}"))
        .bind(summary.households as i64)
        .bind(summary.payments as i64)
        .bind(summary.total)
        .execute(&mut *tx)
        .await?;
        touched.sort_unstable();
        self.record_in(&mut tx, &grant, &Touched::Set(touched)).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// The stored payments of a month (optionally one employer's), with their arithmetic.
    pub async fn kogaku_payments(
        &self,
        ctx: &AccessContext,
        month: YearMonth,
        employer: Option<&str>,
    ) -> Result<Vec<KogakuPaymentRow>, StoreError> {
        let grant = self
            .decide(
                ctx,
                Action::Read,
                &[DataCategory::Identity, DataCategory::CashBenefit, DataCategory::ReceiptCost],
                Subject::Population,
            )
            .await?;
        let rows = self.payment_rows(&grant, month, employer).await?;
        let mut people: Vec<i64> = rows.iter().map(|r| r.member_id).collect();
        people.sort_unstable();
        people.dedup();
        self.record(&grant, &Touched::Set(people)).await?;
        Ok(rows)
    }

    async fn payment_rows(
        &self,
        grant: &Grant<'_>,
        month: YearMonth,
        employer: Option<&str>,
    ) -> Result<Vec<KogakuPaymentRow>, StoreError> {
        let raw: Vec<PaymentRaw> = sqlx::query_as(
            "SELECT k.employer_code, k.member_id, p.card_symbol, p.card_number, p.name_kanji, k.person_id, \
                    k.kind, k.amount, k.receipts, k.explanation \
             FROM kogaku_payments k JOIN persons p ON p.id = k.member_id \
             WHERE k.service_month = $1 AND ($2 = '' OR k.employer_code = $2) \
             ORDER BY k.employer_code, k.member_id, k.seq",
        )
        .bind(month.to_string())
        .bind(employer.unwrap_or("").to_string())
        .fetch_all(self.db.granted(grant))
        .await?;
        Ok(raw
            .into_iter()
            .map(|(employer_code, member_id, symbol, number, name, person_id, kind, amount, receipts, explanation)| {
                let kind_label = PaymentKind::from_code(&kind).map(|k| k.label()).unwrap_or("?").to_string();
                KogakuPaymentRow {
                    employer_code: employer_code.unwrap_or_default(),
                    member_id,
                    member_card: format!("{symbol}-{number}"),
                    member_name: name,
                    person_id,
                    kind,
                    kind_label,
                    amount,
                    receipts,
                    explanation: explanation.lines().map(str::to_string).collect(),
                }
            })
            .collect())
    }

    /// The payroll files for employers (別表2 group 1, 事業主の給与口座への支払い): per employer,
    /// who is paid which benefit and how much — nothing about the care. Each file leaves an
    /// APPI Art. 29 provision record. Members without an employer (任意継続) are not in any file.
    pub async fn kogaku_payroll(&self, ctx: &AccessContext, month: YearMonth) -> Result<Payroll, StoreError> {
        let grant = self
            .decide(
                ctx,
                Action::Export,
                &[DataCategory::Identity, DataCategory::Eligibility, DataCategory::CashBenefit],
                Subject::Population,
            )
            .await?;
        let rows = self.payment_rows(&grant, month, None).await?;
        let mut per_employer: BTreeMap<String, Vec<&KogakuPaymentRow>> = BTreeMap::new();
        // 任意継続 members have no employer: they are paid to their own account (口座振込), not
        // through an employer; counted here so the run says where those payments go.
        let mut transfer = TransferPending::default();
        let mut transfer_members = BTreeSet::new();
        for r in &rows {
            if r.employer_code.is_empty() {
                transfer_members.insert(r.member_id);
                transfer.payments += 1;
                transfer.total = transfer
                    .total
                    .checked_add(r.amount)
                    .ok_or_else(|| StoreError::Corrupt("a total beyond i64".into()))?;
            } else {
                per_employer.entry(r.employer_code.clone()).or_default().push(r);
            }
        }
        transfer.members = transfer_members.len() as u64;
        let mut files = Vec::new();
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        for (code, list) in per_employer {
            // One line per member and benefit kind: the employer pays totals, not receipts.
            let mut totals: BTreeMap<(i64, String, String, String), i64> = BTreeMap::new();
            for r in &list {
                let t = totals
                    .entry((r.member_id, r.member_card.clone(), r.member_name.clone(), r.kind_label.clone()))
                    .or_default();
                *t = t.checked_add(r.amount).ok_or_else(|| StoreError::Corrupt("a payroll total beyond i64".into()))?;
            }
            let mut lines = Vec::with_capacity(totals.len());
            let mut total: i64 = 0;
            for ((_, card, name, label), amount) in &totals {
                lines.push(PayrollLine {
                    card: card.clone(),
                    name: name.clone(),
                    benefit: label.clone(),
                    amount: *amount,
                });
                total = total
                    .checked_add(*amount)
                    .ok_or_else(|| StoreError::Corrupt("a payroll total beyond i64".into()))?;
            }
            let file_name = format!("payroll-{}-{code}.csv", month.compact());
            let mut subjects: Vec<i64> = totals.keys().map(|k| k.0).collect();
            subjects.dedup();
            let seq = self.record_in(&mut tx, &grant, &Touched::Set(subjects.clone())).await?;
            self.insert_provision(
                &mut tx,
                NewProvision {
                    direction: "provide",
                    counterparty: format!("事業主（事業所 {code}）"),
                    basis: grant
                        .provisions
                        .first()
                        .map(|p| p.basis)
                        .unwrap_or(kenpo_policy::ProvisionBasis::Consent)
                        .label()
                        .to_string(),
                    use_id: ctx.purpose().id().to_string(),
                    categories: vec!["identity".into(), "eligibility".into(), "cash_benefit".into()],
                    fields: "card,name,benefit_kind,amount".into(),
                    subjects,
                    file_name: file_name.clone(),
                    actor: ctx.actor().to_string(),
                    audit_seq: seq,
                },
            )
            .await?;
            files.push(PayrollFile { employer_code: code, file_name, rows: totals.len() as u64, total, lines });
        }
        tx.commit().await?;
        Ok(Payroll { files, transfer_pending: transfer })
    }
}
