//! Monthly receipts: per person and month, visits to the person's usual clinic(s), pharmacy,
//! dentist, and now and then a hospital stay; grouped into one UKE file per institution.
//!
//! Codes: 医科 procedure and drug codes are real master codes seen in a public synthetic UKE
//! (receiptisan's sample: 初診料 111000110 288点, 再診料 112007410 73点, …). The 入院基本料,
//! 歯科 and 調剤 codes below are **placeholders shaped like master codes** (prefix 1/3/4) and
//! are not checked against the master; diagnosis codes are written without names, as the
//! spec writes coded 傷病名.

use crate::people::{Society, family};
use crate::{normal, poisson, stream};
use chrono::NaiveDate;
use kenpo_domain::person::{Person, PersonKind};
use kenpo_domain::receipt::{CareSetting, Diagnosis, Institution, LineKind, Receipt, ReceiptKind, ReceiptLine};
use kenpo_domain::{YearMonth, date::age_on};
use kenpo_formats::uke::UkeFile;
use rand::Rng;
use std::collections::BTreeMap;

const D_INSTITUTIONS: u64 = 10;
const D_HOME: u64 = 11;
const D_MONTH: u64 = 12;

/// The institutions members use, by kind.
pub struct Institutions {
    pub clinics: Vec<Institution>,
    pub hospitals: Vec<Institution>,
    pub pharmacies: Vec<Institution>,
    pub dentists: Vec<Institution>,
}

impl Institutions {
    pub fn new(society: &Society) -> Self {
        let m = society.config.members;
        let mut rng = stream(society.config.seed, D_INSTITUTIONS, 0);
        let mut make = |count: u64, first_digit: u32, label: &str| -> Vec<Institution> {
            (0..count)
                .map(|i| {
                    let prefecture = [13u8, 27, 26, 14, 23, 28, 40, 11][rng.gen_range(0..8)];
                    Institution {
                        code: format!("{first_digit}{:06}", 100 + i),
                        prefecture,
                        name: format!("見本{label}{}", i + 1),
                        address: None,
                    }
                })
                .collect()
        };
        Self {
            clinics: make((m / 100).clamp(10, 1000), 1, "クリニック"),
            hospitals: make((m / 2000).clamp(2, 100), 2, "総合病院"),
            pharmacies: make((m / 150).clamp(5, 800), 4, "薬局"),
            dentists: make((m / 300).clamp(5, 500), 3, "歯科医院"),
        }
    }
}

/// 別表5 last digit: 本人/家族, 未就学, 高齢受給者 (一般・低所得 / 7割), odd = 入院.
fn receipt_type(kind: ReceiptKind, person: &Person, insured_monthly: i64, day: NaiveDate, inpatient: bool) -> String {
    let table = match kind {
        ReceiptKind::Medical | ReceiptKind::Dpc => '1',
        ReceiptKind::Dental => '3',
        ReceiptKind::Pharmacy => '4',
    };
    let age = age_on(person.birth_date, day);
    // 未就学: before the 1 April after the 6th birthday; approximated by age < 6.
    let outpatient_digit = if age >= 70 {
        if insured_monthly >= 280_000 { 0 } else { 8 }
    } else if age < 6 {
        4
    } else if person.kind == PersonKind::Dependant {
        6
    } else {
        2
    };
    let digit = if inpatient { if outpatient_digit == 0 { 9 } else { outpatient_digit - 1 } } else { outpatient_digit };
    format!("{table}11{digit}")
}

fn line(kind: LineKind, cat: &str, code: &str, points: i64, count: u32, days: Vec<u8>) -> ReceiptLine {
    ReceiptLine {
        kind,
        care_category: cat.to_string(),
        payer_code: "1".to_string(),
        code: code.to_string(),
        quantity: if kind == LineKind::Procedure { String::new() } else { "1".to_string() },
        points: Some(points),
        count,
        service_days: days,
    }
}

fn days_in(rng: &mut impl Rng, month: YearMonth, n: u32) -> Vec<u8> {
    let mut days: Vec<u8> = Vec::new();
    while days.len() < n as usize {
        let d = rng.gen_range(1..=month.days_in_month()) as u8;
        if !days.contains(&d) {
            days.push(d);
        }
    }
    days.sort_unstable();
    days
}

const DIAGNOSES: [&str; 6] = ["2500013", "8848176", "4659007", "5559001", "8833421", "4019004"];
const DRUGS: [(&str, i64); 5] =
    [("620098801", 2), ("611170005", 1), ("622265501", 11), ("620003855", 10), ("622038501", 82)];

fn base(
    person: &Person,
    kind: ReceiptKind,
    setting: CareSetting,
    month: YearMonth,
    inst: &Institution,
    rtype: String,
) -> Receipt {
    Receipt {
        kind,
        setting,
        receipt_type: rtype,
        service_month: month,
        institution: inst.clone(),
        patient_name: person.name_kanji.clone(),
        patient_name_kana: person.name_kana.clone(),
        sex: person.sex,
        birth_date: person.birth_date,
        insurer_number: person.insurer_number.to_string(),
        card_symbol: person.card.symbol.clone(),
        card_number: person.card.number.clone(),
        card_branch: Some(person.card.branch),
        admission_date: None,
        days: 0,
        total_points: 0,
        patient_charge: None,
        meal_amount: None,
        search_number: None,
        prescriber: None,
        diagnoses: Vec::new(),
        lines: Vec::new(),
        delivery: None,
    }
}

fn finish(mut r: Receipt) -> Receipt {
    r.total_points = r.line_points();
    let mut days: Vec<u8> = r.lines.iter().flat_map(|l| l.service_days.iter().copied()).collect();
    days.sort_unstable();
    days.dedup();
    r.days = days.len() as u32;
    r
}

/// Receipts of one month for the whole society, one file per institution.
pub fn month_receipts(society: &Society, institutions: &Institutions, month: YearMonth) -> Vec<UkeFile> {
    let mut by_institution: BTreeMap<(u8, String), (ReceiptKind, Institution, Vec<Receipt>)> = BTreeMap::new();
    let first = month.first_day();
    let month_index = (month.year() as u64) * 12 + month.month() as u64;
    for index in 0..society.config.members {
        let people = family(society, index);
        let insured_monthly = people[0].remuneration_on(first).map(|r| r.monthly_amount).unwrap_or(300_000);
        for person in &people {
            if !person.covered_on(first) || person.birth_date > month.last_day() {
                continue;
            }
            let slot = index * 8 + person.card.branch as u64;
            let mut home = stream(society.config.seed, D_HOME, slot);
            let clinic = &institutions.clinics[home.gen_range(0..institutions.clinics.len())];
            let second_clinic = &institutions.clinics[home.gen_range(0..institutions.clinics.len())];
            let pharmacy = &institutions.pharmacies[home.gen_range(0..institutions.pharmacies.len())];
            let dentist = &institutions.dentists[home.gen_range(0..institutions.dentists.len())];
            let hospital = &institutions.hospitals[home.gen_range(0..institutions.hospitals.len())];
            let chronic = home.gen_bool(0.25);

            let mut rng = stream(society.config.seed, D_MONTH, slot * 1200 + month_index % 1200);
            let age = age_on(person.birth_date, first);
            // Visits per month: about 15 receipts a person a year in all, children and the
            // elderly more, young adults less.
            let rate = match age {
                0..=5 => 1.1,
                6..=19 => 0.45,
                20..=39 => 0.35,
                40..=59 => 0.55,
                _ => 0.95,
            } * 1.15
                + if chronic { 0.5 } else { 0.0 };
            let visits = poisson(&mut rng, rate).min(2);
            let mut push = |r: Receipt| {
                let key = (kind_order(r.kind), r.institution.code.clone());
                by_institution.entry(key).or_insert_with(|| (r.kind, r.institution.clone(), Vec::new())).2.push(r);
            };
            for v in 0..visits {
                let inst = if v == 0 { clinic } else { second_clinic };
                if v > 0 && inst.code == clinic.code {
                    // One receipt per patient, institution and month: a second visit to the same
                    // clinic is on the same receipt, not a new one.
                    continue;
                }
                let rtype = receipt_type(ReceiptKind::Medical, person, insured_monthly, first, false);
                let mut r = base(person, ReceiptKind::Medical, CareSetting::Outpatient, month, inst, rtype);
                let n_days = 1 + poisson(&mut rng, 0.6).min(5);
                let days = days_in(&mut rng, month, n_days);
                let start = NaiveDate::from_ymd_opt(month.year(), month.month(), days[0] as u32).unwrap_or(first);
                let code = DIAGNOSES[rng.gen_range(0..DIAGNOSES.len())];
                r.diagnoses.push(Diagnosis {
                    code: code.into(),
                    name: None,
                    start_date: start,
                    outcome: 1,
                    main: true,
                    modifiers: String::new(),
                });
                if rng.gen_bool(0.2) {
                    r.lines.push(line(LineKind::Procedure, "11", "111000110", 288, 1, vec![days[0]]));
                    if days.len() > 1 {
                        r.lines.push(line(
                            LineKind::Procedure,
                            "12",
                            "112007410",
                            73,
                            days.len() as u32 - 1,
                            days[1..].to_vec(),
                        ));
                    }
                } else {
                    r.lines.push(line(LineKind::Procedure, "12", "112007410", 73, days.len() as u32, days.clone()));
                    r.lines.push(line(LineKind::Procedure, "12", "112015570", 50, days.len() as u32, days.clone()));
                }
                if chronic && v == 0 {
                    // 特定疾患療養管理料 (月2回まで); now and then billed a third time, for 縦覧点検.
                    let times = if rng.gen_bool(0.01) { 3 } else { days.len().min(2) };
                    let on: Vec<u8> = days[..days.len().min(2)].to_vec();
                    r.lines.push(line(LineKind::Procedure, "13", "113001810", 225, times as u32, on));
                }
                if rng.gen_bool(0.4) {
                    r.lines.push(line(LineKind::Procedure, "60", "160081130", 112, 1, vec![days[0]]));
                    r.lines.push(line(LineKind::Procedure, "60", "160084650", 48, 1, vec![days[0]]));
                }
                // Heavy tail: a procedure now and then.
                if rng.gen_bool(0.02) {
                    r.lines.push(line(LineKind::Procedure, "50", "150253010", 12_100, 1, vec![days[0]]));
                } else if rng.gen_bool(0.03) {
                    r.lines.push(line(LineKind::Procedure, "50", "150183410", 7_000, 1, vec![days[0]]));
                }
                let prescribes = rng.gen_bool(0.6);
                if !prescribes && rng.gen_bool(0.3) {
                    let (code, pts) = DRUGS[rng.gen_range(0..DRUGS.len())];
                    r.lines.push(line(LineKind::Drug, "33", code, pts, 1, vec![days[0]]));
                }
                push(finish(r));
                if prescribes {
                    let rtype = receipt_type(ReceiptKind::Pharmacy, person, insured_monthly, first, false);
                    let mut p = base(person, ReceiptKind::Pharmacy, CareSetting::Outpatient, month, pharmacy, rtype);
                    p.prescriber = Some(inst.clone());
                    let supply_days = [7u32, 14, 28, 30][rng.gen_range(0..4)];
                    // The 調剤 layout we write has one CZ (調剤行為, placeholder code) carrying the
                    // points of the prescription (技術料 + 薬剤料), and IY drug lines without points.
                    let n_drugs = rng.gen_range(1..4);
                    let mut drugs = Vec::new();
                    let mut drug_points = 0;
                    for _ in 0..n_drugs {
                        let (code, pts) = DRUGS[rng.gen_range(0..DRUGS.len())];
                        drug_points += pts * supply_days as i64;
                        drugs.push(ReceiptLine {
                            points: None,
                            quantity: supply_days.to_string(),
                            ..line(LineKind::Drug, "", code, 0, 1, vec![days[0]])
                        });
                    }
                    p.lines.push(line(LineKind::Procedure, "", "401000010", 45 + 24 + drug_points, 1, vec![days[0]]));
                    p.lines.extend(drugs);
                    push(finish(p));
                }
            }
            if rng.gen_bool(if age < 6 { 0.04 } else { 0.1 }) {
                let rtype = receipt_type(ReceiptKind::Dental, person, insured_monthly, first, false);
                let mut d = base(person, ReceiptKind::Dental, CareSetting::Outpatient, month, dentist, rtype);
                let n_days = 1 + poisson(&mut rng, 0.8).min(4);
                let days = days_in(&mut rng, month, n_days);
                let start = NaiveDate::from_ymd_opt(month.year(), month.month(), days[0] as u32).unwrap_or(first);
                d.diagnoses.push(Diagnosis {
                    code: "0000999".into(),
                    name: Some("う蝕".into()),
                    start_date: start,
                    outcome: 1,
                    main: true,
                    modifiers: String::new(),
                });
                d.lines.push(line(LineKind::Procedure, "12", "301000110", 58, days.len() as u32, days.clone()));
                d.lines.push(line(LineKind::Procedure, "40", "309000210", rng.gen_range(100..900), 1, vec![days[0]]));
                push(finish(d));
            }
            // Hospital stays: about 1.4% of people a year, more with age; log-normal length.
            let admit_p = if age >= 60 { 0.003 } else { 0.001 };
            if rng.gen_bool(admit_p) {
                let rtype = receipt_type(ReceiptKind::Medical, person, insured_monthly, first, true);
                let mut h = base(person, ReceiptKind::Medical, CareSetting::Inpatient, month, hospital, rtype);
                let stay = (normal(&mut rng, 1.9, 0.7).exp().round() as u32).clamp(1, month.days_in_month());
                let admit_day = rng.gen_range(1..=month.days_in_month() - stay + 1);
                let days: Vec<u8> = (admit_day..admit_day + stay).map(|d| d as u8).collect();
                let admitted = NaiveDate::from_ymd_opt(month.year(), month.month(), admit_day).unwrap_or(first);
                h.admission_date = Some(admitted);
                h.diagnoses.push(Diagnosis {
                    code: DIAGNOSES[rng.gen_range(0..DIAGNOSES.len())].into(),
                    name: None,
                    start_date: admitted,
                    outcome: 2,
                    main: true,
                    modifiers: String::new(),
                });
                h.lines.push(line(LineKind::Procedure, "90", "190117710", 1_650, stay, days.clone()));
                if rng.gen_bool(0.5) {
                    h.lines.push(line(LineKind::Procedure, "50", "150253010", 12_100, 1, vec![days[0]]));
                }
                if rng.gen_bool(0.1) {
                    // The rare very expensive stay (high-cost drugs or surgery).
                    let extra = (normal(&mut rng, 11.0, 0.8).exp() as i64).clamp(10_000, 2_000_000);
                    h.lines.push(line(LineKind::Drug, "33", "622038501", extra, 1, vec![days[0]]));
                }
                push(finish(h));
            }
        }
    }
    let billing = month.next();
    by_institution
        .into_values()
        .map(|(kind, institution, mut receipts)| {
            receipts.sort_by(|a, b| {
                (a.card_symbol.as_str(), a.card_number.as_str(), a.card_branch).cmp(&(
                    b.card_symbol.as_str(),
                    b.card_number.as_str(),
                    b.card_branch,
                ))
            });
            UkeFile {
                review_body: 1,
                institution,
                kind,
                billing_month: billing,
                phone: "03-0000-0000".into(),
                receipts,
            }
        })
        .collect()
}

fn kind_order(kind: ReceiptKind) -> u8 {
    match kind {
        ReceiptKind::Medical => 1,
        ReceiptKind::Dpc => 2,
        ReceiptKind::Dental => 3,
        ReceiptKind::Pharmacy => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::SocietyConfig;

    #[test]
    fn receipt_types_follow_table_5() {
        // 別表5: 医科 本人入院外 1112, 家族入院外 1116, 本人入院 1111; 調剤 本人 4112.
        let society = Society::new(SocietyConfig::new(50, 3));
        let people = family(&society, 0);
        let day = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
        let insured = &people[0];
        if age_on(insured.birth_date, day) < 70 {
            assert_eq!(receipt_type(ReceiptKind::Medical, insured, 300_000, day, false), "1112");
            assert_eq!(receipt_type(ReceiptKind::Medical, insured, 300_000, day, true), "1111");
            assert_eq!(receipt_type(ReceiptKind::Pharmacy, insured, 300_000, day, false), "4112");
        }
    }

    #[test]
    fn about_fifteen_receipts_a_person_a_year() {
        let society = Society::new(SocietyConfig::new(400, 11));
        let institutions = Institutions::new(&society);
        let mut receipts = 0usize;
        let mut people = 0usize;
        for i in 0..400 {
            people += family(&society, i).len();
        }
        for m in [4u32, 8, 12] {
            let month = YearMonth::new(2025, m).unwrap();
            for f in month_receipts(&society, &institutions, month) {
                for r in &f.receipts {
                    assert_eq!(r.total_points, r.line_points());
                }
                receipts += f.receipts.len();
            }
        }
        let per_year = receipts as f64 / people as f64 * 4.0;
        assert!((9.0..22.0).contains(&per_year), "receipts per person-year {per_year}");
    }
}
