//! The employers' 報酬の届書 for a synthetic year: 算定基礎届 in July (April–June pay around each
//! member's 標準報酬, some months short of 17 days, some part-timers), 月額変更届 for a share of
//! members with a fixed-pay change, and 賞与支払届 in June and December (a few executives over
//! the fiscal year's cap). Written as KPFD0006 files by the real writer, one per employer.

use crate::stream;
use chrono::NaiveDate;
use kenpo_domain::Yen;
use kenpo_domain::date::YearMonth;
use kenpo_domain::date::YearMonth as Ym;
use kenpo_domain::remuneration::{PayChange, PayMonth, WorkerKind};
use kenpo_formats::nenkin::{FiledPerson, FilingError, Layout, Office, SocietyFields};
use kenpo_formats::nenkin_pay::{AnnualReport, BonusReport, InterimReport, PayFiling, PayRecord, write_pay_filing};
use rand::Rng;
use std::collections::BTreeMap;

const D_PAY: u64 = 40;

/// A member as their employer's payroll knows them.
#[derive(Clone)]
pub struct Payee {
    pub person_id: i64,
    pub employer: String,
    pub card_number: String,
    pub kana: String,
    pub kanji: String,
    pub birth: NaiveDate,
    /// 標準報酬月額 now (the pay is drawn around it).
    pub standard: Yen,
}

/// One employer's file.
pub struct PayFile {
    pub employer: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub lines: usize,
}

fn person(p: &Payee) -> FiledPerson {
    FiledPerson { kana: p.kana.clone(), kanji: Some(p.kanji.clone()), birth: p.birth, my_number: None }
}

fn society(p: &Payee) -> SocietyFields {
    SocietyFields { office: Some(p.employer.clone()), card_number: Some(p.card_number.clone()) }
}

/// Lines per file: an employer with more members files several (each all or nothing), as the
/// 年金機構's own size limits make them do; 40,000 lines stay well under the reader's 16 MB.
const LINES_PER_FILE: usize = 40_000;

fn files(
    kind: &str,
    created_on: NaiveDate,
    records: BTreeMap<String, Vec<PayRecord>>,
) -> Result<Vec<PayFile>, FilingError> {
    let mut out = Vec::new();
    for (employer, records) in records {
        let parts = records.len().div_ceil(LINES_PER_FILE);
        for (n, chunk) in records.chunks(LINES_PER_FILE).enumerate() {
            // Line numbers as each file will hold them (four header lines, then [data]).
            let records: Vec<PayRecord> = chunk
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut r = r.clone();
                    let line = i as u64 + 6;
                    match &mut r {
                        PayRecord::Annual(a) => a.line = line,
                        PayRecord::Interim(x) => x.line = line,
                        PayRecord::Bonus(b) => b.line = line,
                    }
                    r
                })
                .collect();
            let lines = records.len();
            let filing = PayFiling {
                layout: Layout::Society,
                created_on,
                office: Office { number: employer.clone(), name: format!("事業所{employer}") },
                records,
            };
            let part = if parts > 1 { format!("-{:02}", n + 1) } else { String::new() };
            out.push(PayFile {
                file_name: format!("KPFD0006-{kind}-{}-{employer}{part}.CSV", created_on.format("%Y%m")),
                employer: employer.clone(),
                bytes: write_pay_filing(&filing)?,
                lines,
            });
        }
    }
    Ok(out)
}

fn months_of(rng: &mut impl Rng, first: YearMonth, standard: Yen, factor: f64, short_days: bool) -> [PayMonth; 3] {
    let mut m = first;
    let mut out = [PayMonth { month: first, base_days: 0, cash: 0, in_kind: 0 }; 3];
    for slot in out.iter_mut() {
        let wobble: f64 = rng.gen_range(0.95..1.05);
        let pay = ((standard as f64) * factor * wobble).round() as Yen;
        let days = if short_days && rng.gen_bool(0.5) { rng.gen_range(10..17) } else { rng.gen_range(19..24) };
        *slot = PayMonth { month: m, base_days: days, cash: pay.max(0), in_kind: 0 };
        m = m.next();
    }
    out
}

/// The 算定基礎届 of `year` for everyone on the list (covered on 1 July), filed on 10 July.
pub fn annual_files(seed: u64, year: i32, payees: &[Payee]) -> Result<Vec<PayFile>, FilingError> {
    let mut by: BTreeMap<String, Vec<PayRecord>> = BTreeMap::new();
    for p in payees {
        let mut rng = stream(seed, D_PAY, p.person_id as u64 * 4);
        let part = rng.gen_bool(0.04);
        let short = rng.gen_bool(0.05);
        let factor: f64 = rng.gen_range(0.92..1.10);
        let mut months = months_of(&mut rng, Ym::from_parts(year, 4), p.standard, factor, short);
        if part {
            for m in months.iter_mut() {
                m.base_days = rng.gen_range(14..17);
            }
        }
        let worker = if part { WorkerKind::PartTime } else { WorkerKind::Regular };
        let threshold = 17;
        let mut counted: Vec<&PayMonth> = months.iter().filter(|m| m.base_days >= threshold).collect();
        if counted.is_empty() && part {
            counted = months.iter().filter(|m| m.base_days >= 15).collect();
        }
        let total: Yen = counted.iter().map(|m| m.cash + m.in_kind).sum();
        let average = if counted.is_empty() { 0 } else { total / counted.len() as Yen };
        let records = by.entry(p.employer.clone()).or_default();
        let line = records.len() as u64 + 6;
        records.push(PayRecord::Annual(AnnualReport {
            line,
            person: person(p),
            applies_from: Ym::from_parts(year, 9),
            previous_standard: Some(p.standard),
            pay_change: None,
            retroactive: None,
            months,
            total: total.min(9_999_999),
            average,
            corrected_average: None,
            worker,
            yearly_average: false,
            mid_year_join: false,
            on_leave: false,
            seventy_only: false,
            society: society(p),
        }));
    }
    let created = NaiveDate::from_ymd_opt(year, 7, 10).unwrap_or_default();
    files("santei", created, by)
}

/// 月額変更届 for about `share` of the members whose fixed pay changed in `changed`: a raise of
/// 20–40 % (or, for one in five, a cut), filed in the month the revision starts.
pub fn interim_files(seed: u64, changed: YearMonth, payees: &[Payee], share: f64) -> Result<Vec<PayFile>, FilingError> {
    let mut by: BTreeMap<String, Vec<PayRecord>> = BTreeMap::new();
    for p in payees {
        let mut rng = stream(seed, D_PAY, p.person_id as u64 * 4 + 1);
        if !rng.gen_bool(share) {
            continue;
        }
        let cut = rng.gen_bool(0.2);
        let factor = if cut { rng.gen_range(0.6..0.8) } else { rng.gen_range(1.2..1.4) };
        let months = months_of(&mut rng, changed, p.standard, factor, false);
        let total: Yen = months.iter().map(|m| m.cash + m.in_kind).sum();
        let records = by.entry(p.employer.clone()).or_default();
        let line = records.len() as u64 + 6;
        records.push(PayRecord::Interim(InterimReport {
            line,
            person: person(p),
            revised_from: changed.next().next().next(),
            previous_standard: Some(p.standard),
            pay_change: Some((changed.month(), if cut { PayChange::Cut } else { PayChange::Raise })),
            months,
            total: total.min(9_999_999),
            average: total / 3,
            corrected_average: None,
            worker: WorkerKind::Regular,
            seventy_only: false,
            society: society(p),
        }));
    }
    let revised = changed.next().next().next();
    files("getsuhen", revised.first_day(), by)
}

/// 賞与支払届 for everyone on the list, paid on `paid_on`: 1–2.5 months of pay; one member in
/// 400 is an executive paid 3,100,000 (twice a year crosses the 5,730,000 cap).
pub fn bonus_files(seed: u64, paid_on: NaiveDate, payees: &[Payee]) -> Result<Vec<PayFile>, FilingError> {
    let mut by: BTreeMap<String, Vec<PayRecord>> = BTreeMap::new();
    for p in payees {
        let mut rng = stream(seed, D_PAY, p.person_id as u64 * 4 + 2);
        let executive = p.person_id % 400 == 7;
        let amount: Yen = if executive {
            3_100_000
        } else {
            ((p.standard as f64) * rng.gen_range(1.0..2.5)).round() as Yen + rng.gen_range(0..1000)
        };
        let records = by.entry(p.employer.clone()).or_default();
        let line = records.len() as u64 + 6;
        records.push(PayRecord::Bonus(BonusReport {
            line,
            person: person(p),
            paid_on,
            cash: amount,
            in_kind: 0,
            total: amount / 1000 * 1000,
            first_payment_day: None,
            seventy_only: false,
            society: society(p),
        }));
    }
    files("shoyo", paid_on, by)
}
