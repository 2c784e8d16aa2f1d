//! Hand-worked cases for 特定保健指導の階層化, メタボ判定 and 受診勧奨 (`kenpo_domain::stratify`).
//!
//! Every expected result below was derived by hand from the rules, never by running the code:
//! * `shared/reference/stratification.md` §2 (Step 1 腹囲/BMI), §3 (Step 2 ①–④ and the
//!   precedence rules), §4 (Step 3 levels, Step 4 65–74 and 服薬), §5 (受診勧奨判定値),
//!   §6 (メタボ判定);
//! * the research note on the "verify" points (Q1 血圧, Q2 血糖 precedence, Q3 喫煙 answer 2,
//!   Q4 65–74 at 年度末年齢, Q5 判定不能, Q6 腹囲 omission with BMI < 20, Q7 HDL, Q8 urgent tiers);
//! * the choices recorded in the doc comments of `stratify.rs` (BP その他 first else the unrounded
//!   mean; 判定不能 only when a missing item could change the level; the LINES table).
//!
//! Conventions: `base()` is a man aged 50 (年度末年齢) with every value present and below every
//! line (腹囲 80, BMI 22, 血圧 120/75, 空腹時採血, TG 100, HDL 60, LDL 100, Non-HDL 130,
//! 空腹時血糖 90, HbA1c 5.2, AST/ALT 20, γ-GT 30, eGFR 80, 尿蛋白 −), no medication, 喫煙 いいえ.
//! Each test changes only what it names. Levels: 腹囲 group n ≥ 2 → 積極的, n = 1 → 動機付け;
//! BMI group n ≥ 3 → 積極的, n = 1–2 → 動機付け; n = 0 or neither group → 情報提供; 服薬 any →
//! 情報提供; 年度末年齢 65–74 → 積極的 becomes 動機付け.

use ReferralTier::{Recommend, Urgent};
use kenpo_domain::person::Sex;
use kenpo_domain::stratify::{
    DrawTiming, Findings, Level, Metabolic, ObesityGroup, ReferralTier, Smoking, Stratification, UrineProtein,
    judged_blood_pressure, metabolic, referral_tier, referrals, stratify,
};

fn base() -> Findings {
    Findings {
        sex: Some(Sex::Male),
        age: 50,
        waist_cm: Some(80.0),
        visceral_fat_cm2: None,
        bmi: Some(22.0),
        systolic: Some(120.0),
        diastolic: Some(75.0),
        draw_timing: Some(DrawTiming::Fasting),
        tg_fasting: Some(100.0),
        tg_casual: None,
        hdl: Some(60.0),
        ldl: Some(100.0),
        non_hdl: Some(130.0),
        fasting_glucose: Some(90.0),
        casual_glucose: None,
        hba1c: Some(5.2),
        ast: Some(20.0),
        alt: Some(20.0),
        ggt: Some(30.0),
        egfr: Some(80.0),
        urine_protein: Some(UrineProtein::Negative),
        medication_bp: Some(false),
        medication_glucose: Some(false),
        medication_lipid: Some(false),
        smoking: Some(Smoking::No),
    }
}

/// `base()` with 腹囲 over the male line (86 ≥ 85): group 腹囲.
fn waist() -> Findings {
    Findings { waist_cm: Some(86.0), ..base() }
}

/// `base()` with 腹囲 under the line and BMI 26 ≥ 25: group BMI.
fn bmi_group() -> Findings {
    Findings { waist_cm: Some(80.0), bmi: Some(26.0), ..base() }
}

/// A casual draw: no fasting TG / 空腹時血糖; 随時中性脂肪 120 (< 175).
fn casual(f: Findings) -> Findings {
    Findings {
        draw_timing: Some(DrawTiming::Casual),
        tg_fasting: None,
        tg_casual: Some(120.0),
        fasting_glucose: None,
        ..f
    }
}

/// Runs 階層化 and checks the level, that there is reasoning, and that it names the level.
fn check(f: &Findings, level: Level) -> Stratification {
    let s = stratify(f);
    assert_eq!(s.level, level, "reasons: {:#?}", s.reasons);
    assert!(!s.reasons.is_empty(), "no reasons");
    assert!(s.reasons.iter().all(|r| !r.is_empty()), "an empty reason line: {:#?}", s.reasons);
    assert!(
        s.reasons.iter().any(|r| r.contains(level.label())),
        "reasons do not mention {}: {:#?}",
        level.label(),
        s.reasons
    );
    s
}

// ---------------------------------------------------------------------------------------------
// 階層化: each level (§4)
// ---------------------------------------------------------------------------------------------

#[test]
fn intensive_waist_plus_two_risks() {
    // 腹囲 86 ≥ 85 (男) → group 腹囲; BP 132/80: 132 ≥ 130 → ① yes; TG 160 ≥ 150 → ② yes;
    // FPG 90 < 100 → ③ no; 喫煙 いいえ → ④ no; n = 2 → 腹囲 n ≥ 2 → 積極的支援.
    let f = Findings { systolic: Some(132.0), diastolic: Some(80.0), tg_fasting: Some(160.0), ..waist() };
    let s = check(&f, Level::Intensive);
    assert_eq!(s.group, Some(ObesityGroup::Waist));
    assert_eq!(s.blood_pressure_risk, Some(true));
    assert_eq!(s.lipid_risk, Some(true));
    assert_eq!(s.glucose_risk, Some(false));
    assert_eq!(s.smoking_risk, Some(false));
    assert_eq!(s.on_medication, Some(false));
    assert!(s.reasons.iter().any(|r| r.contains("積極的支援")));
}

#[test]
fn intensive_bmi_plus_three_risks() {
    // 腹囲 84 < 85 → not 腹囲; BMI 26.0 ≥ 25 → group BMI.
    // BP 120/86: 86 ≥ 85 → ① yes; HDL 38 < 40 → ② yes; FPG 102 ≥ 100 → ③ yes; n = 3
    // → BMI n ≥ 3 → 積極的支援.
    let f = Findings {
        waist_cm: Some(84.0),
        bmi: Some(26.0),
        diastolic: Some(86.0),
        hdl: Some(38.0),
        fasting_glucose: Some(102.0),
        ..base()
    };
    let s = check(&f, Level::Intensive);
    assert_eq!(s.group, Some(ObesityGroup::Bmi));
    assert_eq!((s.blood_pressure_risk, s.lipid_risk, s.glucose_risk), (Some(true), Some(true), Some(true)));
}

#[test]
fn motivational_waist_plus_one_risk_at_the_male_line() {
    // 腹囲 85.0 ≥ 85 (男, the line itself counts) → group 腹囲; BP 132/80 → ① yes;
    // TG 100 < 150, HDL 60 ≥ 40 → ② no; FPG 90 < 100 → ③ no; n = 1 → 動機付け支援.
    let f = Findings { waist_cm: Some(85.0), systolic: Some(132.0), diastolic: Some(80.0), ..base() };
    let s = check(&f, Level::Motivational);
    assert_eq!(s.group, Some(ObesityGroup::Waist));
    assert_eq!((s.blood_pressure_risk, s.lipid_risk, s.glucose_risk), (Some(true), Some(false), Some(false)));
}

#[test]
fn motivational_bmi_plus_one_risk() {
    // 腹囲 80 < 85; BMI 26 ≥ 25 → group BMI; FPG 100 ≥ 100 (the line counts) → ③ yes;
    // ①, ② no; n = 1 → BMI n 1–2 → 動機付け支援.
    let f = Findings { fasting_glucose: Some(100.0), ..bmi_group() };
    let s = check(&f, Level::Motivational);
    assert_eq!(s.group, Some(ObesityGroup::Bmi));
    assert_eq!(s.glucose_risk, Some(true));
}

#[test]
fn motivational_bmi_plus_two_risks() {
    // group BMI (BMI 26); SBP 130 ≥ 130 → ① yes; TG 150 ≥ 150 → ② yes; FPG 90 → ③ no;
    // n = 2 < 3 → BMI n 1–2 → 動機付け支援 (the same n would be 積極的 in the 腹囲 group).
    let f = Findings { systolic: Some(130.0), tg_fasting: Some(150.0), ..bmi_group() };
    let s = check(&f, Level::Motivational);
    assert_eq!(s.group, Some(ObesityGroup::Bmi));
}

#[test]
fn information_waist_with_no_risk() {
    // 腹囲 90 ≥ 85 → group 腹囲; BP 120/75, TG 100, HDL 60, FPG 90 → ①②③ no; n = 0 → 情報提供.
    let f = Findings { waist_cm: Some(90.0), ..base() };
    let s = check(&f, Level::InformationOnly);
    assert_eq!(s.group, Some(ObesityGroup::Waist));
}

#[test]
fn information_neither_group_even_with_three_risks_and_smoking() {
    // 腹囲 84 < 85, BMI 24.9 < 25 → neither group → 情報提供 regardless of risks (§2).
    // (SBP 145 → ①, TG 200 → ②, FPG 110 → ③, 喫煙 はい → ④ would be n = 4.)
    let f = Findings {
        waist_cm: Some(84.0),
        bmi: Some(24.9),
        systolic: Some(145.0),
        tg_fasting: Some(200.0),
        fasting_glucose: Some(110.0),
        smoking: Some(Smoking::Yes),
        ..base()
    };
    let s = check(&f, Level::InformationOnly);
    assert_eq!(s.group, Some(ObesityGroup::Neither));
}

// ---------------------------------------------------------------------------------------------
// Step 1 lines: female 腹囲, BMI 25.0, 内臓脂肪面積
// ---------------------------------------------------------------------------------------------

#[test]
fn female_waist_just_under_ninety_is_not_the_waist_group() {
    // 女, 腹囲 89.9 < 90 → not 腹囲 (89.9 would be over the male line of 85);
    // BMI 23 < 25 → neither group → 情報提供, although SBP 135 → ① yes.
    let f = Findings { sex: Some(Sex::Female), waist_cm: Some(89.9), bmi: Some(23.0), systolic: Some(135.0), ..base() };
    let s = check(&f, Level::InformationOnly);
    assert_eq!(s.group, Some(ObesityGroup::Neither));
}

#[test]
fn female_waist_ninety_is_the_waist_group() {
    // 女, 腹囲 90.0 ≥ 90 → group 腹囲; SBP 135 → ① yes; ②③ no; n = 1 → 動機付け支援.
    let f = Findings { sex: Some(Sex::Female), waist_cm: Some(90.0), bmi: Some(23.0), systolic: Some(135.0), ..base() };
    let s = check(&f, Level::Motivational);
    assert_eq!(s.group, Some(ObesityGroup::Waist));
}

#[test]
fn bmi_exactly_25_is_the_bmi_group() {
    // 腹囲 80 < 85; BMI 25.0 ≥ 25 → group BMI; HDL 39 < 40 → ② yes; n = 1 → 動機付け支援.
    let f = Findings { bmi: Some(25.0), hdl: Some(39.0), ..base() };
    let s = check(&f, Level::Motivational);
    assert_eq!(s.group, Some(ObesityGroup::Bmi));
    assert_eq!(s.lipid_risk, Some(true));
}

#[test]
fn bmi_24_9_is_neither_group() {
    // 腹囲 80 < 85; BMI 24.9 < 25 → neither → 情報提供 (same HDL 39 risk as above).
    let f = Findings { bmi: Some(24.9), hdl: Some(39.0), ..base() };
    let s = check(&f, Level::InformationOnly);
    assert_eq!(s.group, Some(ObesityGroup::Neither));
}

#[test]
fn visceral_fat_area_100_stands_in_for_waist() {
    // 腹囲 80 < 85 but 内臓脂肪面積 100 ≥ 100 cm² → group 腹囲 (§2); BMI 22 irrelevant.
    // SBP 132 → ① yes; n = 1 → 動機付け支援.
    let f = Findings { visceral_fat_cm2: Some(100.0), systolic: Some(132.0), ..base() };
    let s = check(&f, Level::Motivational);
    assert_eq!(s.group, Some(ObesityGroup::Waist));
}

#[test]
fn visceral_fat_area_under_100_does_not_make_the_group() {
    // 内臓脂肪面積 99.9 < 100, 腹囲 80 < 85, BMI 22 < 25 → neither → 情報提供 (SBP 132 ignored).
    let f = Findings { visceral_fat_cm2: Some(99.9), systolic: Some(132.0), ..base() };
    let s = check(&f, Level::InformationOnly);
    assert_eq!(s.group, Some(ObesityGroup::Neither));
}

// ---------------------------------------------------------------------------------------------
// Precedence: 血糖 (空腹時 > HbA1c > 随時), 中性脂肪 (空腹時 150 / 随時 175)
// ---------------------------------------------------------------------------------------------

#[test]
fn fasting_glucose_99_wins_over_hba1c_6_0() {
    // 腹囲 86 → group 腹囲; SBP 132 → ① yes; ② no.
    // ③: FPG present → use it (Q2, 空腹時血糖を優先): 99 < 100 → no. HbA1c 6.0 (≥ 5.6) is not
    // looked at. n = 1 → 動機付け支援 (counting HbA1c would give n = 2 → 積極的).
    let f = Findings { systolic: Some(132.0), fasting_glucose: Some(99.0), hba1c: Some(6.0), ..waist() };
    let s = check(&f, Level::Motivational);
    assert_eq!(s.glucose_risk, Some(false));
}

#[test]
fn hba1c_5_6_counts_when_there_is_no_fasting_glucose() {
    // 腹囲 86; SBP 132 → ① yes; no FPG → HbA1c 5.6 ≥ 5.6 → ③ yes; n = 2 → 積極的支援.
    let f = Findings { systolic: Some(132.0), fasting_glucose: None, hba1c: Some(5.6), ..waist() };
    let s = check(&f, Level::Intensive);
    assert_eq!(s.glucose_risk, Some(true));
}

#[test]
fn hba1c_5_5_is_no_glucose_risk() {
    // 腹囲 86; SBP 132 → ① yes; no FPG → HbA1c 5.5 < 5.6 → ③ no; n = 1 → 動機付け支援.
    let f = Findings { systolic: Some(132.0), fasting_glucose: None, hba1c: Some(5.5), ..waist() };
    let s = check(&f, Level::Motivational);
    assert_eq!(s.glucose_risk, Some(false));
}

#[test]
fn casual_glucose_100_counts_without_fasting_glucose_and_hba1c() {
    // 随時採血 (3.5–10 h); no FPG, no HbA1c → 随時血糖 100 ≥ 100 → ③ yes (Q2).
    // 腹囲 86; SBP 132 → ① yes; 随時TG 120 < 175, HDL 60 → ② no; n = 2 → 積極的支援.
    let f = Findings { systolic: Some(132.0), hba1c: None, casual_glucose: Some(100.0), ..casual(waist()) };
    let s = check(&f, Level::Intensive);
    assert_eq!(s.glucose_risk, Some(true));
    assert_eq!(s.lipid_risk, Some(false));
}

#[test]
fn casual_glucose_soon_after_meal_is_not_used() {
    // 採血 < 3.5 h after a meal → 随時 values not judged (§3). No FPG, no HbA1c → ③ unknown.
    // 腹囲 86; BP 120/75 → ① no; HDL 38 < 40 → ② yes (TG unusable does not matter).
    // n = 1 (③ no) → 動機付け or n = 2 (③ yes) → 積極的 → 判定不能.
    // (Using 随時血糖 130 would wrongly give ③ yes → 積極的.)
    let f = Findings {
        draw_timing: Some(DrawTiming::SoonAfterMeal),
        tg_fasting: None,
        tg_casual: Some(200.0),
        hdl: Some(38.0),
        fasting_glucose: None,
        hba1c: None,
        casual_glucose: Some(130.0),
        ..waist()
    };
    let s = check(&f, Level::Undeterminable);
    assert_eq!(s.glucose_risk, None);
    assert_eq!(s.lipid_risk, Some(true));
}

#[test]
fn fasting_tg_150_is_a_lipid_risk_and_149_is_not() {
    // 腹囲 86; 空腹時TG 150 ≥ 150 → ② yes; n = 1 → 動機付け支援.
    let f = Findings { tg_fasting: Some(150.0), ..waist() };
    assert_eq!(check(&f, Level::Motivational).lipid_risk, Some(true));
    // 空腹時TG 149 < 150, HDL 60 → ② no; n = 0 → 情報提供.
    let f = Findings { tg_fasting: Some(149.0), ..waist() };
    assert_eq!(check(&f, Level::InformationOnly).lipid_risk, Some(false));
}

#[test]
fn casual_tg_174_is_no_risk() {
    // 随時採血: 随時TG 174 < 175 → no (even though ≥ 150, the fasting line); HDL 60 → ② no.
    // 腹囲 86, ① ③ no (FPG absent, HbA1c 5.2 < 5.6) → n = 0 → 情報提供.
    let f = Findings { tg_casual: Some(174.0), ..casual(waist()) };
    let s = check(&f, Level::InformationOnly);
    assert_eq!(s.lipid_risk, Some(false));
}

#[test]
fn casual_tg_175_is_a_lipid_risk() {
    // 随時TG 175 ≥ 175 → ② yes; 腹囲 86; n = 1 → 動機付け支援.
    let f = Findings { tg_casual: Some(175.0), ..casual(waist()) };
    let s = check(&f, Level::Motivational);
    assert_eq!(s.lipid_risk, Some(true));
}

// ---------------------------------------------------------------------------------------------
// ④ 喫煙
// ---------------------------------------------------------------------------------------------

#[test]
fn smoking_alone_does_not_count() {
    // 腹囲 86; ①②③ no; 喫煙 はい but ④ counts only with ≥ 1 of ①–③ → n = 0 → 情報提供.
    let f = Findings { smoking: Some(Smoking::Yes), ..waist() };
    let s = check(&f, Level::InformationOnly);
    assert_eq!(s.smoking_risk, Some(false));
}

#[test]
fn smoking_adds_to_one_risk() {
    // 腹囲 86; SBP 132 → ① yes; 喫煙 はい with ① → ④ yes; n = 2 → 積極的支援.
    let f = Findings { systolic: Some(132.0), smoking: Some(Smoking::Yes), ..waist() };
    let s = check(&f, Level::Intensive);
    assert_eq!(s.smoking_risk, Some(true));
}

#[test]
fn smoking_makes_the_third_risk_in_the_bmi_group() {
    // BMI 26 → group BMI; SBP 132 → ①, TG 160 → ②, 喫煙 はい → ④; n = 3 → 積極的支援.
    let f = Findings { systolic: Some(132.0), tg_fasting: Some(160.0), smoking: Some(Smoking::Yes), ..bmi_group() };
    check(&f, Level::Intensive);
}

#[test]
fn quit_smoking_answer_is_no_risk() {
    // 喫煙 answer 2 (以前は吸っていたが最近1か月は吸っていない) → no risk (Q3).
    // 腹囲 86; SBP 132 → ① yes; ④ no; n = 1 → 動機付け支援.
    let f = Findings { systolic: Some(132.0), smoking: Some(Smoking::Quit), ..waist() };
    let s = check(&f, Level::Motivational);
    assert_eq!(s.smoking_risk, Some(false));
}

// ---------------------------------------------------------------------------------------------
// Step 4: 65–74 (年度末年齢) and 服薬
// ---------------------------------------------------------------------------------------------

/// 腹囲 86; SBP 132 → ①; TG 160 → ②; n = 2 → 積極的支援 before the age rule.
fn intensive_at(age: u32) -> Findings {
    Findings { age, systolic: Some(132.0), tg_fasting: Some(160.0), ..waist() }
}

#[test]
fn age_64_stays_intensive() {
    // 年度末年齢 64 < 65 → no change → 積極的支援.
    check(&intensive_at(64), Level::Intensive);
}

#[test]
fn age_65_intensive_becomes_motivational() {
    // 年度末年齢 65 in 65–74 → 積極的 → 動機付け支援 (§4 Step 4, Q4).
    let s = check(&intensive_at(65), Level::Motivational);
    assert!(s.reasons.iter().any(|r| r.contains("65")), "{:#?}", s.reasons);
}

#[test]
fn age_74_intensive_becomes_motivational() {
    // 年度末年齢 74 in 65–74 → 動機付け支援.
    check(&intensive_at(74), Level::Motivational);
}

#[test]
fn age_75_at_fiscal_year_end_intensive_becomes_motivational() {
    // Q4: age basis is the 年度末年齢, and the 65–74 band is 「65～74歳（該当年度内に75歳になる者を
    // 含む）」; 実施基準 第1条 keeps those reaching 75 during the 年度 (while under 75) as subjects.
    // So 65 ≤ 年度末年齢 → 積極的 becomes 動機付け: 年度末年齢 75 → 動機付け支援.
    check(&intensive_at(75), Level::Motivational);
}

#[test]
fn age_65_motivational_stays_motivational() {
    // 年度末年齢 70; 腹囲 86, SBP 132 → n = 1 → 動機付け支援; the age rule only lowers 積極的.
    let f = Findings { age: 70, systolic: Some(132.0), ..waist() };
    check(&f, Level::Motivational);
}

#[test]
fn any_medication_gives_information_only_even_with_many_risks() {
    // 腹囲 95 → 腹囲; SBP 150 → ①; TG 200 → ②; FPG 120 → ③; 喫煙 はい → ④; n = 4 → would be
    // 積極的; but 血糖の服薬 はい → 服薬中, not a 特定保健指導 target → 情報提供 (§4 Step 4).
    let f = Findings {
        waist_cm: Some(95.0),
        systolic: Some(150.0),
        tg_fasting: Some(200.0),
        fasting_glucose: Some(120.0),
        smoking: Some(Smoking::Yes),
        medication_glucose: Some(true),
        ..base()
    };
    let s = check(&f, Level::InformationOnly);
    assert_eq!(s.on_medication, Some(true));
    assert_eq!(s.group, Some(ObesityGroup::Waist));
    assert_eq!((s.blood_pressure_risk, s.lipid_risk, s.glucose_risk), (Some(true), Some(true), Some(true)));
}

#[test]
fn lipid_medication_alone_gives_information_only() {
    // BMI 26 → BMI group; SBP 132 → ①, TG 160 → ② → n = 2 → would be 動機付け; 脂質の服薬 はい
    // → 情報提供.
    let f = Findings { systolic: Some(132.0), tg_fasting: Some(160.0), medication_lipid: Some(true), ..bmi_group() };
    let s = check(&f, Level::InformationOnly);
    assert_eq!(s.on_medication, Some(true));
}

// ---------------------------------------------------------------------------------------------
// Missing data: 判定不能 only when a missing item could change the level
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_waist_with_bmi_under_20_is_information_not_undeterminable() {
    // 腹囲 None, BMI 19.5 < 20 → 腹囲 may be omitted (Q6) → neither group → 情報提供, even
    // with SBP 135 → ① yes.
    let f = Findings { waist_cm: None, bmi: Some(19.5), systolic: Some(135.0), ..base() };
    let s = check(&f, Level::InformationOnly);
    assert_eq!(s.group, Some(ObesityGroup::Neither));
}

#[test]
fn missing_waist_with_bmi_23_and_a_risk_is_undeterminable() {
    // 腹囲 None, BMI 23 (≥ 20, so 腹囲 cannot be omitted; < 25 so not BMI group).
    // Group is 腹囲 or neither. SBP 135 → ① yes, n = 1:
    //   腹囲 → 動機付け; neither → 情報提供 → they differ → 判定不能; group unknown.
    let f = Findings { waist_cm: None, bmi: Some(23.0), systolic: Some(135.0), ..base() };
    let s = check(&f, Level::Undeterminable);
    assert_eq!(s.group, None);
}

#[test]
fn missing_waist_with_bmi_23_and_no_risk_is_information() {
    // 腹囲 None, BMI 23; ①②③ all no → n = 0: 腹囲 group → 情報提供, neither → 情報提供
    // → every combination agrees → 情報提供 (the "could change the level" principle).
    let f = Findings { waist_cm: None, bmi: Some(23.0), ..base() };
    let s = check(&f, Level::InformationOnly);
    assert_eq!(s.group, None);
}

#[test]
fn missing_waist_with_bmi_26_and_one_risk_is_motivational() {
    // 腹囲 None, BMI 26 ≥ 25 → group 腹囲 or BMI. SBP 135 → ①, n = 1:
    //   腹囲 n = 1 → 動機付け; BMI n = 1 → 動機付け → both agree → 動機付け支援.
    let f = Findings { waist_cm: None, bmi: Some(26.0), systolic: Some(135.0), ..base() };
    check(&f, Level::Motivational);
}

#[test]
fn missing_waist_with_bmi_26_and_two_risks_is_undeterminable() {
    // 腹囲 None, BMI 26 → 腹囲 or BMI. SBP 135 → ①, TG 160 → ②, n = 2:
    //   腹囲 n = 2 → 積極的; BMI n = 2 → 動機付け → differ → 判定不能.
    let f = Findings { waist_cm: None, bmi: Some(26.0), systolic: Some(135.0), tg_fasting: Some(160.0), ..base() };
    check(&f, Level::Undeterminable);
}

#[test]
fn missing_blood_pressure_when_it_matters_is_undeterminable() {
    // 腹囲 86; BP None → ① unknown; TG 160 → ② yes; FPG 90 → ③ no.
    //   ① no → n = 1 → 動機付け; ① yes → n = 2 → 積極的 → 判定不能.
    let f = Findings { systolic: None, diastolic: None, tg_fasting: Some(160.0), ..waist() };
    let s = check(&f, Level::Undeterminable);
    assert_eq!(s.blood_pressure_risk, None);
}

#[test]
fn missing_blood_pressure_when_two_other_risks_already_is_intensive() {
    // 腹囲 86; BP None → ① unknown; TG 160 → ②; FPG 105 → ③; n ≥ 2 either way → 積極的支援.
    let f =
        Findings { systolic: None, diastolic: None, tg_fasting: Some(160.0), fasting_glucose: Some(105.0), ..waist() };
    let s = check(&f, Level::Intensive);
    assert_eq!(s.blood_pressure_risk, None);
}

#[test]
fn one_blood_pressure_value_over_the_line_is_enough() {
    // 腹囲 86; SBP None, DBP 88 ≥ 85 → ① yes whatever SBP is; ②③ no; n = 1 → 動機付け支援.
    let f = Findings { systolic: None, diastolic: Some(88.0), ..waist() };
    let s = check(&f, Level::Motivational);
    assert_eq!(s.blood_pressure_risk, Some(true));
}

#[test]
fn missing_blood_pressure_in_neither_group_is_information() {
    // 腹囲 80, BMI 22 → neither → 情報提供 whatever ① is.
    let f = Findings { systolic: None, diastolic: None, ..base() };
    check(&f, Level::InformationOnly);
}

#[test]
fn missing_smoking_answer_when_it_decides_is_undeterminable() {
    // 腹囲 86; SBP 132 → ① yes, n = 1 before ④; 喫煙 unknown:
    //   はい → n = 2 → 積極的; not → n = 1 → 動機付け → 判定不能 (Q5 rule 3).
    let f = Findings { systolic: Some(132.0), smoking: None, ..waist() };
    let s = check(&f, Level::Undeterminable);
    assert_eq!(s.smoking_risk, None);
}

#[test]
fn missing_smoking_answer_without_other_risks_does_not_matter() {
    // 腹囲 86; ①②③ no → ④ cannot count → n = 0 → 情報提供; smoking risk known no.
    let f = Findings { smoking: None, ..waist() };
    let s = check(&f, Level::InformationOnly);
    assert_eq!(s.smoking_risk, Some(false));
}

#[test]
fn missing_smoking_answer_in_bmi_group_with_one_risk_does_not_matter() {
    // BMI 26 → BMI group; SBP 132 → ①; 喫煙 unknown → n = 1 or 2 → 動機付け either way.
    let f = Findings { systolic: Some(132.0), smoking: None, ..bmi_group() };
    check(&f, Level::Motivational);
}

#[test]
fn missing_medication_answer_when_level_would_be_intensive_is_undeterminable() {
    // 腹囲 86; SBP 132 → ①; TG 160 → ②; n = 2 → 積極的 if not 服薬; 血圧の服薬 unknown:
    //   はい → 情報提供; いいえ → 積極的 → 判定不能 (Q5 rule 4).
    let f = Findings { systolic: Some(132.0), tg_fasting: Some(160.0), medication_bp: None, ..waist() };
    let s = check(&f, Level::Undeterminable);
    assert_eq!(s.on_medication, None);
}

#[test]
fn missing_medication_answer_when_level_is_information_anyway() {
    // 腹囲 80, BMI 22 → neither → 情報提供; 服薬 unknown changes nothing (服薬 → 情報提供 too).
    let f = Findings { systolic: Some(132.0), medication_lipid: None, ..base() };
    let s = check(&f, Level::InformationOnly);
    assert_eq!(s.on_medication, None);
}

#[test]
fn one_medication_yes_decides_even_with_another_answer_missing() {
    // 血圧の服薬 unknown but 血糖の服薬 はい → 服薬中 known → 情報提供 (腹囲 86 + ①② otherwise 積極的).
    let f = Findings {
        systolic: Some(132.0),
        tg_fasting: Some(160.0),
        medication_bp: None,
        medication_glucose: Some(true),
        ..waist()
    };
    let s = check(&f, Level::InformationOnly);
    assert_eq!(s.on_medication, Some(true));
}

// ---------------------------------------------------------------------------------------------
// 血圧: その他 first, else the unrounded mean of two readings (Q1)
// ---------------------------------------------------------------------------------------------

#[test]
fn blood_pressure_mean_129_5_is_no_risk() {
    // SBP readings 131, 128 → mean (131 + 128) / 2 = 129.5 (not rounded) < 130;
    // DBP readings 80, 82 → 81 < 85 → ① no. 腹囲 86, ②③ no → n = 0 → 情報提供.
    let sbp = judged_blood_pressure(Some(131.0), Some(128.0), None);
    let dbp = judged_blood_pressure(Some(80.0), Some(82.0), None);
    assert_eq!(sbp, Some(129.5));
    assert_eq!(dbp, Some(81.0));
    let f = Findings { systolic: sbp, diastolic: dbp, ..waist() };
    let s = check(&f, Level::InformationOnly);
    assert_eq!(s.blood_pressure_risk, Some(false));
}

#[test]
fn blood_pressure_mean_130_is_a_risk() {
    // SBP 131, 129 → mean 130.0 ≥ 130 → ① yes; 腹囲 86 → n = 1 → 動機付け支援.
    let sbp = judged_blood_pressure(Some(131.0), Some(129.0), None);
    assert_eq!(sbp, Some(130.0));
    let f = Findings { systolic: sbp, ..waist() };
    check(&f, Level::Motivational);
}

#[test]
fn blood_pressure_other_value_comes_first_then_a_single_reading() {
    // その他 134 present → 134, the 1st/2nd (128, 126; mean 127) are not used.
    assert_eq!(judged_blood_pressure(Some(128.0), Some(126.0), Some(134.0)), Some(134.0));
    // Only the 2nd reading → that reading; nothing → None.
    assert_eq!(judged_blood_pressure(None, Some(133.0), None), Some(133.0));
    assert_eq!(judged_blood_pressure(None, None, None), None);
    // 134 ≥ 130 → ① yes; 腹囲 86 → n = 1 → 動機付け支援.
    let f = Findings { systolic: judged_blood_pressure(Some(128.0), Some(126.0), Some(134.0)), ..waist() };
    check(&f, Level::Motivational);
}

// ---------------------------------------------------------------------------------------------
// メタボリックシンドローム判定 (§6): 腹囲 required; 血糖 FPG ≥ 110 (HbA1c ≥ 6.0 only without FPG),
// 脂質 TG ≥ 150 or HDL < 40, 血圧 ≥ 130/85; each component also met by its medication.
// ---------------------------------------------------------------------------------------------

fn metabo(f: &Findings, expected: Metabolic) {
    let (m, reasons) = metabolic(f);
    assert_eq!(m, expected, "reasons: {reasons:#?}");
    assert!(!reasons.is_empty());
    assert!(reasons.iter().any(|r| r.contains(expected.label())), "{reasons:#?}");
}

#[test]
fn metabolic_meets_waist_plus_two() {
    // 腹囲 86 ≥ 85; 血圧 132 ≥ 130 → yes; 脂質 TG 160 ≥ 150 → yes; 血糖 FPG 90 < 110 → no;
    // 2 components → 基準該当.
    metabo(&Findings { systolic: Some(132.0), tg_fasting: Some(160.0), ..waist() }, Metabolic::Meets);
}

#[test]
fn metabolic_prone_waist_plus_one() {
    // 腹囲 86; 血圧 132 → yes; TG 100, HDL 60 → no; FPG 90 → no; 1 component → 予備群該当.
    metabo(&Findings { systolic: Some(132.0), ..waist() }, Metabolic::Prone);
}

#[test]
fn metabolic_waist_with_no_component_is_not() {
    // 腹囲 86, no component → 非該当.
    metabo(&waist(), Metabolic::No);
}

#[test]
fn metabolic_waist_below_line_is_not_whatever_else() {
    // 腹囲 84 < 85 → 非該当, though 血圧 150, TG 200, FPG 130 all meet (BMI 30 is not used).
    let f = Findings {
        waist_cm: Some(84.0),
        bmi: Some(30.0),
        systolic: Some(150.0),
        tg_fasting: Some(200.0),
        fasting_glucose: Some(130.0),
        ..base()
    };
    metabo(&f, Metabolic::No);
}

#[test]
fn metabolic_fasting_glucose_105_wins_over_hba1c_6_2() {
    // 腹囲 86; 血圧 132 → yes. 血糖: FPG present → 105 < 110 → no (HbA1c 6.2 ≥ 6.0 not used).
    // 1 component → 予備群該当. (For 階層化 the same FPG 105 ≥ 100 is ③ yes → n = 2 → 積極的.)
    let f = Findings { systolic: Some(132.0), fasting_glucose: Some(105.0), hba1c: Some(6.2), ..waist() };
    metabo(&f, Metabolic::Prone);
    check(&f, Level::Intensive);
}

#[test]
fn metabolic_fasting_glucose_110_meets_the_glucose_component() {
    // 腹囲 86; 血圧 132 → yes; FPG 110 ≥ 110 → yes; 2 → 基準該当.
    metabo(&Findings { systolic: Some(132.0), fasting_glucose: Some(110.0), ..waist() }, Metabolic::Meets);
}

#[test]
fn metabolic_hba1c_6_0_counts_without_fasting_glucose() {
    // 腹囲 86; 血圧 132 → yes; no FPG → HbA1c 6.0 ≥ 6.0 → yes; 2 → 基準該当.
    let f = Findings { systolic: Some(132.0), fasting_glucose: None, hba1c: Some(6.0), ..waist() };
    metabo(&f, Metabolic::Meets);
    // HbA1c 5.9 < 6.0 → no; 1 → 予備群該当.
    let f = Findings { hba1c: Some(5.9), ..f };
    metabo(&f, Metabolic::Prone);
}

#[test]
fn metabolic_medication_meets_its_component() {
    // 腹囲 86; 血圧 120/75 but 血圧の服薬 はい → 血圧 yes; TG 160 → 脂質 yes; 2 → 基準該当.
    // (階層化 of the same person: 服薬 → 情報提供.)
    let f = Findings { medication_bp: Some(true), tg_fasting: Some(160.0), ..waist() };
    metabo(&f, Metabolic::Meets);
    check(&f, Level::InformationOnly);
}

#[test]
fn metabolic_waist_missing_is_undeterminable() {
    // 腹囲 (and 内臓脂肪面積) missing → the required item is missing → 判定不能, even with
    // BMI 30 and 血圧/脂質 met.
    let f = Findings { waist_cm: None, bmi: Some(30.0), systolic: Some(140.0), tg_fasting: Some(200.0), ..base() };
    metabo(&f, Metabolic::Undeterminable);
}

#[test]
fn metabolic_missing_component_that_could_decide() {
    // 腹囲 86; TG 160 → 脂質 yes; 血圧 None (no 服薬) → unknown; FPG 90 → no.
    // 1 (予備群) or 2 (基準該当) → 判定不能.
    let f = Findings { systolic: None, diastolic: None, tg_fasting: Some(160.0), ..waist() };
    metabo(&f, Metabolic::Undeterminable);
    // With FPG 115 ≥ 110 as well: already 2 → 基準該当 whatever 血圧 is.
    let f = Findings { fasting_glucose: Some(115.0), ..f };
    metabo(&f, Metabolic::Meets);
}

#[test]
fn metabolic_visceral_fat_and_female_line() {
    // 内臓脂肪面積 100 ≥ 100 stands in for 腹囲 80; HDL 35 < 40 → 脂質; DBP 85 ≥ 85 → 血圧; → 基準該当.
    let f = Findings { visceral_fat_cm2: Some(100.0), hdl: Some(35.0), diastolic: Some(85.0), ..base() };
    metabo(&f, Metabolic::Meets);
    // 女 腹囲 89.9 < 90 → 非該当 with the same components.
    let f = Findings { sex: Some(Sex::Female), waist_cm: Some(89.9), hdl: Some(35.0), diastolic: Some(85.0), ..base() };
    metabo(&f, Metabolic::No);
}

// ---------------------------------------------------------------------------------------------
// 受診勧奨 (§5 判定値; urgent lines per Q8 and the LINES table comment)
// ---------------------------------------------------------------------------------------------

/// (item, tier) of every flag, sorted.
fn flags(f: &Findings) -> Vec<(&'static str, ReferralTier)> {
    let r = referrals(f);
    for x in &r {
        assert!(x.reason.contains(x.item), "reason {:?} does not name {}", x.reason, x.item);
    }
    let mut v: Vec<_> = r.iter().map(|x| (x.item, x.tier)).collect();
    v.sort();
    v
}

fn expect(mut v: Vec<(&'static str, ReferralTier)>) -> Vec<(&'static str, ReferralTier)> {
    v.sort();
    v
}

#[test]
fn referral_base_has_no_flags() {
    // Every value of base() is under its 受診勧奨判定値 → nothing; highest tier None.
    assert_eq!(flags(&base()), vec![]);
    assert_eq!(referral_tier(&referrals(&base())), None);
}

#[test]
fn referral_systolic_139_140_159_160() {
    // 収縮期: 139 < 140 → none; 140 ≥ 140 → 受診勧奨; 159 < 160 → 受診勧奨; 160 ≥ 160 → すぐに受診.
    assert_eq!(flags(&Findings { systolic: Some(139.0), ..base() }), vec![]);
    assert_eq!(flags(&Findings { systolic: Some(140.0), ..base() }), vec![("収縮期血圧", Recommend)]);
    assert_eq!(flags(&Findings { systolic: Some(159.0), ..base() }), vec![("収縮期血圧", Recommend)]);
    assert_eq!(flags(&Findings { systolic: Some(160.0), ..base() }), vec![("収縮期血圧", Urgent)]);
}

#[test]
fn referral_diastolic_89_90_99_100() {
    // 拡張期: 89 < 90 → none; 90 → 受診勧奨; 99 < 100 → 受診勧奨; 100 ≥ 100 → すぐに受診.
    assert_eq!(flags(&Findings { diastolic: Some(89.0), ..base() }), vec![]);
    assert_eq!(flags(&Findings { diastolic: Some(90.0), ..base() }), vec![("拡張期血圧", Recommend)]);
    assert_eq!(flags(&Findings { diastolic: Some(99.0), ..base() }), vec![("拡張期血圧", Recommend)]);
    assert_eq!(flags(&Findings { diastolic: Some(100.0), ..base() }), vec![("拡張期血圧", Urgent)]);
}

#[test]
fn referral_ldl_139_140_180() {
    // LDL: 139 < 140 → none; 140 → 受診勧奨; 179 → 受診勧奨; 180 ≥ 180 → すぐに受診 (Q8).
    assert_eq!(flags(&Findings { ldl: Some(139.0), ..base() }), vec![]);
    assert_eq!(flags(&Findings { ldl: Some(140.0), ..base() }), vec![("LDLコレステロール", Recommend)]);
    assert_eq!(flags(&Findings { ldl: Some(179.0), ..base() }), vec![("LDLコレステロール", Recommend)]);
    assert_eq!(flags(&Findings { ldl: Some(180.0), ..base() }), vec![("LDLコレステロール", Urgent)]);
}

#[test]
fn referral_non_hdl_169_170() {
    // Non-HDL: 169 < 170 → none; 170 → 受診勧奨 (no urgent line).
    assert_eq!(flags(&Findings { non_hdl: Some(169.0), ..base() }), vec![]);
    assert_eq!(flags(&Findings { non_hdl: Some(170.0), ..base() }), vec![("Non-HDLコレステロール", Recommend)]);
    assert_eq!(flags(&Findings { non_hdl: Some(250.0), ..base() }), vec![("Non-HDLコレステロール", Recommend)]);
}

#[test]
fn referral_fasting_tg_299_300_500() {
    // 空腹時TG: 299 < 300 → none (though ≥ 150 for 階層化); 300 → 受診勧奨; 499 → 受診勧奨;
    // 500 → すぐに受診.
    assert_eq!(flags(&Findings { tg_fasting: Some(299.0), ..base() }), vec![]);
    assert_eq!(flags(&Findings { tg_fasting: Some(300.0), ..base() }), vec![("空腹時中性脂肪", Recommend)]);
    assert_eq!(flags(&Findings { tg_fasting: Some(499.0), ..base() }), vec![("空腹時中性脂肪", Recommend)]);
    assert_eq!(flags(&Findings { tg_fasting: Some(500.0), ..base() }), vec![("空腹時中性脂肪", Urgent)]);
}

#[test]
fn referral_casual_tg_299_300_500() {
    // 随時TG (3.5–10 h): same 300 line (第4期 「空腹時採血、随時採血を問わない」) and 500.
    assert_eq!(flags(&Findings { tg_casual: Some(299.0), ..casual(base()) }), vec![]);
    assert_eq!(flags(&Findings { tg_casual: Some(300.0), ..casual(base()) }), vec![("随時中性脂肪", Recommend)]);
    assert_eq!(flags(&Findings { tg_casual: Some(500.0), ..casual(base()) }), vec![("随時中性脂肪", Urgent)]);
}

#[test]
fn referral_hba1c_6_4_6_5() {
    // HbA1c 6.4 < 6.5 → none; 6.5 → 受診勧奨; 9.0 → still 受診勧奨 (no urgent line read).
    assert_eq!(flags(&Findings { hba1c: Some(6.4), ..base() }), vec![]);
    assert_eq!(flags(&Findings { hba1c: Some(6.5), ..base() }), vec![("HbA1c", Recommend)]);
    assert_eq!(flags(&Findings { hba1c: Some(9.0), ..base() }), vec![("HbA1c", Recommend)]);
}

#[test]
fn referral_glucose_125_126() {
    // 空腹時血糖 125 < 126 → none; 126 → 受診勧奨.
    assert_eq!(flags(&Findings { fasting_glucose: Some(125.0), ..base() }), vec![]);
    assert_eq!(flags(&Findings { fasting_glucose: Some(126.0), ..base() }), vec![("空腹時血糖", Recommend)]);
    // 随時血糖 (3.5–10 h) 125 → none; 126 → 受診勧奨.
    assert_eq!(flags(&Findings { casual_glucose: Some(125.0), ..casual(base()) }), vec![]);
    assert_eq!(flags(&Findings { casual_glucose: Some(126.0), ..casual(base()) }), vec![("随時血糖", Recommend)]);
}

#[test]
fn referral_casual_values_soon_after_meal_are_not_flagged() {
    // 採血 < 3.5 h after a meal: 随時TG 600 and 随時血糖 200 are not judged → no flag.
    let f = Findings {
        draw_timing: Some(DrawTiming::SoonAfterMeal),
        tg_fasting: None,
        tg_casual: Some(600.0),
        fasting_glucose: None,
        casual_glucose: Some(200.0),
        ..base()
    };
    assert_eq!(flags(&f), vec![]);
}

#[test]
fn referral_egfr_45_and_44_9() {
    // eGFR 45 is not < 45 → none (45–59 is not flagged by the 判定値 table); 59 → none;
    // 44.9 < 45 → すぐに受診 (Q8: eGFR < 45 → ①).
    assert_eq!(flags(&Findings { egfr: Some(45.0), ..base() }), vec![]);
    assert_eq!(flags(&Findings { egfr: Some(59.0), ..base() }), vec![]);
    assert_eq!(flags(&Findings { egfr: Some(44.9), ..base() }), vec![("eGFR", Urgent)]);
}

#[test]
fn referral_ggt_100_101() {
    // γ-GT 100 < 101 → none; 101 → 受診勧奨.
    assert_eq!(flags(&Findings { ggt: Some(100.0), ..base() }), vec![]);
    assert_eq!(flags(&Findings { ggt: Some(101.0), ..base() }), vec![("γ-GT", Recommend)]);
}

#[test]
fn referral_ast_alt_50_51() {
    // AST/ALT 50 < 51 → none; 51 → 受診勧奨 each.
    assert_eq!(flags(&Findings { ast: Some(50.0), alt: Some(50.0), ..base() }), vec![]);
    assert_eq!(flags(&Findings { ast: Some(51.0), ..base() }), vec![("AST", Recommend)]);
    assert_eq!(flags(&Findings { alt: Some(51.0), ..base() }), vec![("ALT", Recommend)]);
    assert_eq!(
        flags(&Findings { ast: Some(51.0), alt: Some(60.0), ..base() }),
        expect(vec![("AST", Recommend), ("ALT", Recommend)])
    );
}

#[test]
fn referral_urine_protein_trace_and_one_plus() {
    // 尿蛋白 (±) is the 保健指導判定値 only → none; (1+) 以上 → 受診勧奨; 3+ → 受診勧奨.
    assert_eq!(flags(&Findings { urine_protein: Some(UrineProtein::Trace), ..base() }), vec![]);
    assert_eq!(flags(&Findings { urine_protein: Some(UrineProtein::OnePlus), ..base() }), vec![("尿蛋白", Recommend)]);
    assert_eq!(
        flags(&Findings { urine_protein: Some(UrineProtein::ThreePlus), ..base() }),
        vec![("尿蛋白", Recommend)]
    );
    // Code table order: "2" = ±, "3" = 1+.
    assert_eq!(UrineProtein::from_code("2"), Some(UrineProtein::Trace));
    assert_eq!(UrineProtein::from_code("3"), Some(UrineProtein::OnePlus));
}

#[test]
fn referral_hdl_30_is_not_flagged() {
    // 第4期 has no HDL 受診勧奨判定値 (Q7; ≤ 34 was 第3期) → HDL 30 gives no flag.
    assert_eq!(flags(&Findings { hdl: Some(30.0), ..base() }), vec![]);
}

#[test]
fn referral_is_independent_of_medication() {
    // 血圧の服薬 はい does not remove the flag: SBP 150 ≥ 140 (< 160) → 受診勧奨.
    let f = Findings { medication_bp: Some(true), systolic: Some(150.0), ..base() };
    assert_eq!(flags(&f), vec![("収縮期血圧", Recommend)]);
}

#[test]
fn referral_tier_is_the_highest() {
    // SBP 150 → 受診勧奨; HbA1c 7.0 → 受診勧奨; eGFR 40 < 45 → すぐに受診 → highest すぐに受診.
    let f = Findings { systolic: Some(150.0), hba1c: Some(7.0), egfr: Some(40.0), ..base() };
    assert_eq!(flags(&f), expect(vec![("収縮期血圧", Recommend), ("HbA1c", Recommend), ("eGFR", Urgent)]));
    assert_eq!(referral_tier(&referrals(&f)), Some(Urgent));
    // SBP 150 and LDL 150 → both 受診勧奨 → highest 受診勧奨.
    let f = Findings { systolic: Some(150.0), ldl: Some(150.0), ..base() };
    assert_eq!(referral_tier(&referrals(&f)), Some(Recommend));
    // SBP 145 → 受診勧奨, DBP 100 → すぐに受診 → すぐに受診.
    let f = Findings { systolic: Some(145.0), diastolic: Some(100.0), ..base() };
    assert_eq!(flags(&f), expect(vec![("収縮期血圧", Recommend), ("拡張期血圧", Urgent)]));
    assert_eq!(referral_tier(&referrals(&f)), Some(Urgent));
}

#[test]
fn visceral_fat_area_under_100_stands_in_for_a_missing_waist() {
    // 内臓脂肪面積 90 < 100, no 腹囲: the area answers step 1 → not group (1); BMI 26 ≥ 25 →
    // group (2). ① SBP 132 ≥ 130, ② TG 160 ≥ 150 → 2 risks → BMI group with 1–2 → 動機付け支援.
    let f = Findings {
        waist_cm: None,
        visceral_fat_cm2: Some(90.0),
        bmi: Some(26.0),
        systolic: Some(132.0),
        tg_fasting: Some(160.0),
        ..base()
    };
    check(&f, Level::Motivational);
    // Without the area 腹囲 is unknown: group (1) with 2 risks → 積極的, group (2) → 動機付け →
    // the missing item decides → 判定不能.
    let g = Findings { visceral_fat_cm2: None, ..f };
    check(&g, Level::Undeterminable);
}
