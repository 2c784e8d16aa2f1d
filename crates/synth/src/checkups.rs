//! 特定健診 results for people aged 40-74, with plausible, correlated values, grouped into one
//! archive per 健診機関. Item codes are the 第4期 codes of ../shared/reference/tokutei-kenshin-xml.md §3.

use crate::people::{Society, family};
use crate::{normal, stream};
use chrono::{Datelike, Duration, NaiveDate};
use kenpo_domain::checkup::{CheckupInstitution, CheckupRecord, CheckupResult, ResultValue};
use kenpo_domain::date::age_on;
use kenpo_domain::person::{PersonKind, Sex};
use kenpo_formats::checkup_xml::ArchiveHeader;
use rand::Rng;

const D_CHECKUP: u64 = 20;
const D_CHECKUP_INST: u64 = 21;

fn pq(code: &str, value: f64, decimals: usize, unit: &str) -> CheckupResult {
    CheckupResult {
        code: code.into(),
        value: ResultValue::Quantity { value: format!("{value:.decimals$}"), unit: unit.into() },
    }
}

fn cd(code: &str, value: &str, system: &str) -> CheckupResult {
    CheckupResult { code: code.into(), value: ResultValue::Coded { code: value.into(), code_system: system.into() } }
}

/// Archives for the fiscal year ending on the society's `as_of`: (header, records).
pub fn checkup_archives(society: &Society) -> Vec<(ArchiveHeader, Vec<CheckupRecord>)> {
    let config = &society.config;
    let fy_start = config.fiscal_start();
    let n_inst = (config.members / 2000).clamp(2, 50);
    let mut inst_rng = stream(config.seed, D_CHECKUP_INST, 0);
    let institutions: Vec<CheckupInstitution> = (0..n_inst)
        .map(|i| CheckupInstitution {
            code: format!("26{:08}", 10_000 + i * 7 + inst_rng.gen_range(0..7)),
            name: format!("見本健診センター{}", i + 1),
            address: "京都府見本市試験町1-1".into(),
        })
        .collect();
    let mut by_inst: Vec<Vec<CheckupRecord>> = vec![Vec::new(); institutions.len()];
    for index in 0..config.members {
        for person in family(society, index) {
            // 特定健診 covers those aged 40-74 at the end of the fiscal year.
            let age = age_on(person.birth_date, config.as_of);
            if !(40..=74).contains(&age) || !person.covered_on(config.as_of) {
                continue;
            }
            let slot = index * 8 + person.card.branch as u64;
            let mut rng = stream(config.seed, D_CHECKUP, slot);
            let rate = if person.kind == PersonKind::Dependant { 0.45 } else { 0.78 };
            if !rng.gen_bool(rate) {
                continue;
            }
            let inst = rng.gen_range(0..institutions.len());
            let exam_date = fy_start + Duration::days(rng.gen_range(0..365));
            let male = person.sex == Sex::Male;
            let height = normal(&mut rng, if male { 171.0 } else { 158.0 }, 6.0);
            let bmi = normal(&mut rng, if male { 24.0 } else { 22.0 }, 3.3).clamp(15.0, 45.0);
            let weight = bmi * (height / 100.0).powi(2);
            let bmi = weight / (height / 100.0).powi(2);
            let waist = (bmi * 3.3 + if male { 6.0 } else { 2.0 } + normal(&mut rng, 0.0, 3.5)).clamp(55.0, 150.0);
            let sbp = (95.0 + 0.55 * age as f64 + 1.2 * (bmi - 22.0) + normal(&mut rng, 0.0, 12.0)).round();
            let dbp = (sbp * 0.62 + normal(&mut rng, 0.0, 6.0)).round();
            let tg = (normal(&mut rng, 4.6 + 0.04 * (bmi - 22.0), 0.5).exp()).round();
            let hdl = (normal(&mut rng, if male { 55.0 } else { 66.0 }, 13.0) - 0.8 * (bmi - 22.0))
                .clamp(20.0, 120.0)
                .round();
            let ldl = (normal(&mut rng, 120.0, 30.0)).clamp(40.0, 260.0).round();
            let fpg = (normal(&mut rng, 92.0 + 0.6 * (bmi - 22.0) + 0.15 * (age as f64 - 40.0), 12.0))
                .clamp(60.0, 300.0)
                .round();
            let a1c = (4.6 + fpg / 90.0 + normal(&mut rng, 0.0, 0.25)).clamp(4.0, 13.0);
            let fasting = rng.gen_bool(0.8);
            let bp_med = rng.gen_bool(((age as f64 - 35.0) / 100.0).clamp(0.02, 0.4));
            let glucose_med = rng.gen_bool(if fpg >= 126.0 { 0.5 } else { 0.02 });
            let lipid_med = rng.gen_bool(((age as f64 - 40.0) / 150.0).clamp(0.02, 0.25));
            let smoker = rng.gen_bool(if male { 0.28 } else { 0.08 });
            let mut results = vec![
                pq("9N001000000000001", height, 1, "cm"),
                pq("9N006000000000001", weight, 1, "kg"),
                pq("9N011000000000001", bmi, 1, "kg/m2"),
                pq("9N016160100000001", waist, 1, "cm"),
                pq("9A755000000000001", sbp, 0, "mm[Hg]"),
                pq("9A765000000000001", dbp, 0, "mm[Hg]"),
                pq("3F070000002327101", hdl, 0, "mg/dL"),
                pq("3F077000002327101", ldl, 0, "mg/dL"),
                pq("3B035000002327201", normal(&mut rng, 23.0, 6.0).clamp(8.0, 200.0).round(), 0, "U/L"),
                pq("3B045000002327201", normal(&mut rng, 22.0, 9.0).clamp(5.0, 300.0).round(), 0, "U/L"),
                pq("3B090000002327101", normal(&mut rng, 3.4, 0.6).exp().round(), 0, "U/L"),
                pq("3D046000001906202", a1c, 1, "%"),
                cd("1A020000000191111", if fpg >= 160.0 { "3" } else { "1" }, "1.2.392.200119.6.2102"),
                cd("1A010000000191111", if rng.gen_bool(0.05) { "3" } else { "1" }, "1.2.392.200119.6.2102"),
                cd("9N701000000000011", if bp_med { "1" } else { "2" }, "1.2.392.200119.6.2003"),
                cd("9N706000000000011", if glucose_med { "1" } else { "2" }, "1.2.392.200119.6.2003"),
                cd("9N711000000000011", if lipid_med { "1" } else { "2" }, "1.2.392.200119.6.2003"),
                cd("9N736000000000011", if smoker { "1" } else { "3" }, "1.2.392.200119.6.24060"),
            ];
            if fasting {
                results.push(pq("3F015000002327101", tg, 0, "mg/dL"));
                results.push(pq("3D010000002227101", fpg, 0, "mg/dL"));
            } else {
                results.push(pq("3F015129902327101", (tg * 1.2).round(), 0, "mg/dL"));
                results.push(pq("3D010129902227101", (fpg * 1.15).round(), 0, "mg/dL"));
            }
            // Now and then an item not done, as real files have.
            if rng.gen_bool(0.02) {
                results.push(CheckupResult { code: "3C015000002327101".into(), value: ResultValue::NotPerformed });
            }
            let town = ("京都府見本市試験町", "600-8001");
            by_inst[inst].push(CheckupRecord {
                insurer_number: person.insurer_number.to_string(),
                card_symbol: person.card.symbol.clone(),
                card_number: person.card.number.clone(),
                card_branch: Some(person.card.branch),
                name_kana: person.name_kana.clone(),
                sex: person.sex,
                birth_date: person.birth_date,
                postal_code: town.1.into(),
                address: town.0.into(),
                exam_date,
                institution: institutions[inst].clone(),
                results,
            });
        }
    }
    let created = NaiveDate::from_ymd_opt(config.as_of.year(), config.as_of.month(), 15).unwrap_or(config.as_of);
    institutions
        .into_iter()
        .zip(by_inst)
        .filter(|(_, records)| !records.is_empty())
        .map(|(inst, records)| {
            (
                ArchiveHeader {
                    sender_institution: inst.code.clone(),
                    receiver_insurer: config.insurer_number.clone(),
                    created_on: created,
                    sequence: 0,
                    service_kind: 1,
                },
                records,
            )
        })
        .collect()
}
