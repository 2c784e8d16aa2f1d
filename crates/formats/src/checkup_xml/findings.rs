//! From a document's results (by item code) to the plain [`Findings`] the 階層化 rules take.

use super::items::*;
use chrono::NaiveDate;
use kenpo_domain::checkup::{CheckupResult, ResultValue};
use kenpo_domain::date::age_at_fiscal_year_end;
use kenpo_domain::person::Sex;
use kenpo_domain::stratify::{DrawTiming, Findings, Smoking, UrineProtein, judged_blood_pressure};

/// The number a `PQ` result carries, if any. Out-of-range results (`CD` L/H) and 未実施 give
/// none: the rules then treat the item as missing.
fn number(record: &[CheckupResult], codes: &[&str]) -> Option<f64> {
    record.iter().filter(|r| codes.contains(&r.code.as_str())).find_map(|r| match &r.value {
        // A value beyond the measurable range counts as its limit: H 150 is at least 150, so
        // every "≥ threshold" judgement that 150 meets holds for the true value too (and L for
        // "<" judgements).
        ResultValue::Quantity { value, .. } | ResultValue::Beyond { value, .. } => {
            value.trim().parse::<f64>().ok().filter(|v| v.is_finite())
        }
        _ => None,
    })
}

fn coded<'a>(record: &'a [CheckupResult], code: &str) -> Option<&'a str> {
    record.iter().filter(|r| r.code == code).find_map(|r| match &r.value {
        ResultValue::Coded { code, .. } => Some(code.as_str()),
        _ => None,
    })
}

fn yes_no(record: &[CheckupResult], code: &str) -> Option<bool> {
    match coded(record, code)? {
        "1" => Some(true),
        "2" => Some(false),
        _ => None,
    }
}

/// 採血時間(食後), code table 1.2.392.200119.6.2202 (第4期): 2 食後10時間以上 (空腹時), 3 食後3.5
/// 時間以上10時間未満 (随時), 4 食後3.5時間未満 (食直後: 随時 values are not judged). Sources: the
/// JAMI eCheckupReport IG code system `specialCheckup-choice-2202-cs` and its example
/// (`2202#2 食後10時間以上`), a transcription of MHLW's OID表 001082788, and two public
/// converters; the table has no code 1. Older tables used 1 = 食後10時間未満 and 2 = 食後10時間
/// 以上: a 1 says "not fasting" without saying which side of 3.5 h, so it leaves the timing
/// unknown (随時 values are then judged, as with no timing at all).
fn draw_timing(code: &str) -> Option<DrawTiming> {
    match code {
        "2" => Some(DrawTiming::Fasting),
        "3" => Some(DrawTiming::Casual),
        "4" => Some(DrawTiming::SoonAfterMeal),
        _ => None,
    }
}

/// The findings of one document (its person's sex and birth date, its results) for fiscal year
/// `fy` (age at its end). Only values this crate's item table knows are read.
pub fn findings(sex: Sex, birth_date: NaiveDate, record: &[CheckupResult], fy: i32) -> Findings {
    let bmi = number(record, &[BMI]).or_else(|| {
        // BMI from 身長・体重 when the document leaves it out, to one decimal as documents write it.
        let (h, w) = (number(record, &[HEIGHT])?, number(record, &[WEIGHT])?);
        (h > 0.0).then(|| (w / (h / 100.0).powi(2) * 10.0).round() / 10.0)
    });
    Findings {
        sex: Some(sex),
        age: u32::try_from(age_at_fiscal_year_end(birth_date, fy)).unwrap_or(0),
        waist_cm: number(record, WAIST),
        visceral_fat_cm2: number(record, &[VISCERAL_FAT_AREA]),
        bmi,
        systolic: judged_blood_pressure(
            number(record, &[SBP_1]),
            number(record, &[SBP_2]),
            number(record, &[SBP_OTHER]),
        ),
        diastolic: judged_blood_pressure(
            number(record, &[DBP_1]),
            number(record, &[DBP_2]),
            number(record, &[DBP_OTHER]),
        ),
        draw_timing: coded(record, BLOOD_DRAW_TIMING).and_then(draw_timing),
        tg_fasting: number(record, TG_FASTING),
        tg_casual: number(record, TG_CASUAL),
        hdl: number(record, HDL),
        ldl: number(record, LDL),
        non_hdl: number(record, NON_HDL),
        fasting_glucose: number(record, FPG),
        casual_glucose: number(record, CASUAL_GLUCOSE),
        hba1c: number(record, HBA1C),
        ast: number(record, AST),
        alt: number(record, ALT),
        ggt: number(record, GGT),
        egfr: number(record, &[EGFR]),
        urine_protein: URINE_PROTEIN.iter().find_map(|c| coded(record, c)).and_then(UrineProtein::from_code),
        medication_bp: yes_no(record, MEDICATION_BP),
        medication_glucose: yes_no(record, MEDICATION_GLUCOSE),
        medication_lipid: yes_no(record, MEDICATION_LIPID),
        smoking: match coded(record, SMOKING) {
            Some("1") => Some(Smoking::Yes),
            Some("2") => Some(Smoking::Quit),
            Some("3") => Some(Smoking::No),
            _ => None,
        },
    }
}
