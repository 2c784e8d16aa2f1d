//! A guidance contractor's side of 特定保健指導, simulated: given the people a society handed
//! over, who started (初回面接), who completed (実績評価 about six months later) and who dropped
//! out, returned as hg08 reports.

use crate::stream;
use chrono::{Datelike, Duration, NaiveDate};
use kenpo_domain::checkup::{CheckupInstitution, GuidanceLevel, GuidanceReport, GuidanceStatus};
use kenpo_domain::person::Sex;
use rand::Rng;

const D_GUIDANCE: u64 = 30;

/// One person as the hand-off file names them.
#[derive(Clone)]
pub struct HandedPerson {
    pub insurer_number: String,
    pub card_symbol: String,
    pub card_number: String,
    pub card_branch: Option<u8>,
    pub name_kana: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub exam_date: NaiveDate,
    pub level: GuidanceLevel,
    /// 腹囲 and 体重 at the checkup, when the file gives them (for the evaluation values).
    pub waist_cm: Option<f64>,
}

/// The reports a contractor returns for `people` (seeded, deterministic): about 60 % start
/// within two months of the checkup, and of those about 75 % complete.
pub fn guidance_reports(people: &[HandedPerson], contractor: &CheckupInstitution, seed: u64) -> Vec<GuidanceReport> {
    let mut out = Vec::new();
    for (i, p) in people.iter().enumerate() {
        let mut rng = stream(seed, D_GUIDANCE, i as u64);
        if !rng.gen_bool(0.6) {
            continue;
        }
        let first = p.exam_date + Duration::days(rng.gen_range(20..60));
        let (status, evaluated_on) = if rng.gen_bool(0.75) {
            (GuidanceStatus::Completed, Some(first + Duration::days(rng.gen_range(90..200))))
        } else {
            (GuidanceStatus::Dropped, Some(first + Duration::days(rng.gen_range(20..80))))
        };
        let waist = p.waist_cm.filter(|_| status == GuidanceStatus::Completed).map(|w| w - rng.gen_range(0.0..4.0));
        out.push(GuidanceReport {
            insurer_number: p.insurer_number.clone(),
            card_symbol: p.card_symbol.clone(),
            card_number: p.card_number.clone(),
            card_branch: p.card_branch,
            name_kana: p.name_kana.clone(),
            sex: p.sex,
            birth_date: p.birth_date,
            postal_code: String::new(),
            address: String::new(),
            institution: contractor.clone(),
            status,
            level: p.level,
            first_interview: first,
            evaluated_on,
            waist_cm: waist.map(|w| format!("{w:.1}")),
            weight_kg: None,
        });
    }
    // Reports are sent in the order the contractor finished them.
    out.sort_by_key(|r| (r.evaluated_on.map(|d| d.num_days_from_ce()), r.first_interview));
    out
}
