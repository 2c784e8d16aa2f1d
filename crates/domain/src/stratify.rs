//! 特定保健指導の階層化 (第4期, FY2024–2029), メタボリックシンドローム判定 and 受診勧奨 flags:
//! pure functions over the values of one 特定健診, each returning the reasoning it used.
//!
//! Sources: `reference/stratification.md` ([PROG] 標準的な健診・保健指導プログラム 令和6年度版,
//! [KENTO] 第4期 検討会 判定値表, [OSAKA] citing the 手引き, [JPM] メタボ判定基準). Where that note
//! says "verify", the choice made here and its source are given beside the rule.
//!
//! Missing data is handled in one way throughout: each factor is known true, known false, or
//! unknown; the result is computed for every combination of the unknowns, and it is 判定不能 only
//! when those combinations disagree. So a missing 腹囲 with BMI < 20 changes nothing (no
//! combination reaches a level) while a missing 血圧 for someone with 腹囲 over the line does.
//!
//! The "verify" points, as looked up (project research note, 2026-11; the final 手引き 第4.x PDF
//! could not be opened, so the MHLW draft text via wic-net and public code were read instead):
//! - 判定不能: no 第4期 text found. ORCA's reference implementation (`orcacvsmirror/tokutei`
//!   `JKaisoukaHantei.java`, after the MHLW 欠損値 document of 2008) follows the same principle
//!   (服薬 はい decides first; 積極的 stays 積極的 whatever is missing; a missing 喫煙 matters only
//!   when it decides) except one rule: it calls 情報提供 with any missing non-服薬 item 判定不能.
//!   Here such a person is 情報提供, because no value of the missing item changes that.
//! - 65–74 rule: age reached by 31 March of the year (「実施年度中に達する年齢」, insurers'
//!   pages; 実施基準 第1条), including those who turn 75 during the year.
//! - 喫煙: only answer 1 is a risk (the draft's 「喫煙の有無」; answer 2 exists to tell former
//!   smokers from never-smokers).
//! - 血糖 precedence 空腹時 > HbA1c > 随時: the draft allows 随時血糖 only without HbA1c; the
//!   空腹時-first sentence is from the 手引き as quoted by 健保連大阪 and implemented by ORCA.
//! - 腹囲 omitted with BMI < 20: 告示 text seen for 安衛則 (H22 第26号); the 特定健診 告示 is
//!   believed to match and no 第4期 change was found.

use crate::person::Sex;
use serde::{Deserialize, Serialize};
use std::fmt;

/// 採血時間 (食後), item 9N141: which glucose/TG values may be judged. [PROG]: 空腹時 = 10 h or
/// more since the last meal; 随時 = 3.5 h or more and under 10 h; under 3.5 h is not judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrawTiming {
    Fasting,
    Casual,
    SoonAfterMeal,
}

/// 喫煙 (9N736, 第4期 three answers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Smoking {
    /// 1 はい (現在、習慣的に喫煙している).
    Yes,
    /// 2 以前は吸っていたが最近1か月は吸っていない.
    Quit,
    /// 3 いいえ.
    No,
}

/// 尿蛋白 (定性): the code table 1.2.392.200119.6.2102 orders −, ±, 1+, 2+, 3+ as 1–5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum UrineProtein {
    Negative,
    Trace,
    OnePlus,
    TwoPlus,
    ThreePlus,
}

impl UrineProtein {
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "1" => Self::Negative,
            "2" => Self::Trace,
            "3" => Self::OnePlus,
            "4" => Self::TwoPlus,
            "5" => Self::ThreePlus,
            _ => return None,
        })
    }
}

/// The values one checkup gives to the rules. `None` = not in the document (or 未実施 / 測定不能).
/// Holds health data: `Debug` prints nothing of it.
#[derive(Clone, Default, PartialEq)]
pub struct Findings {
    pub sex: Option<Sex>,
    /// Age at the end of the fiscal year (see [`crate::date::age_at_fiscal_year_end`]).
    pub age: u32,
    pub waist_cm: Option<f64>,
    pub visceral_fat_cm2: Option<f64>,
    pub bmi: Option<f64>,
    /// 収縮期 / 拡張期血圧, already the value to judge (see [`judged_blood_pressure`]).
    pub systolic: Option<f64>,
    pub diastolic: Option<f64>,
    pub draw_timing: Option<DrawTiming>,
    pub tg_fasting: Option<f64>,
    pub tg_casual: Option<f64>,
    pub hdl: Option<f64>,
    pub ldl: Option<f64>,
    pub non_hdl: Option<f64>,
    pub fasting_glucose: Option<f64>,
    pub casual_glucose: Option<f64>,
    pub hba1c: Option<f64>,
    pub ast: Option<f64>,
    pub alt: Option<f64>,
    pub ggt: Option<f64>,
    pub egfr: Option<f64>,
    pub urine_protein: Option<UrineProtein>,
    /// 服薬 (9N701 血圧, 9N706 血糖, 9N711 脂質): `Some(true)` = はい.
    pub medication_bp: Option<bool>,
    pub medication_glucose: Option<bool>,
    pub medication_lipid: Option<bool>,
    pub smoking: Option<Smoking>,
}

impl fmt::Debug for Findings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Findings { .. }")
    }
}

/// The blood pressure to judge from the readings a document carries: その他 when present,
/// else the mean of the 1st and 2nd readings, else the one that exists.
///
/// Source: the 実施通知 on 血圧 「原則2回とし、その2回の測定値の平均値を用いること…1回の測定に
/// ついても可」 (research note, mfeesw.com/t/0310007/01/2). その他 (9A755/9A765) is where a
/// 健診機関 writes the single or already-averaged value; ORCA's reference implementation reads it
/// first (orcacvsmirror/tokutei). The mean is not rounded (no rule found): 129.5 is below 130.
pub fn judged_blood_pressure(first: Option<f64>, second: Option<f64>, other: Option<f64>) -> Option<f64> {
    if other.is_some() {
        return other;
    }
    match (first, second) {
        (Some(a), Some(b)) => Some((a + b) / 2.0),
        (Some(a), None) | (None, Some(a)) => Some(a),
        (None, None) => None,
    }
}

/// 保健指導レベル (9N506, code table 1.2.392.200119.6.3001).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    /// 1 積極的支援.
    #[serde(rename = "intensive")]
    Intensive,
    /// 2 動機付け支援.
    #[serde(rename = "motivational")]
    Motivational,
    /// 3 なし (情報提供).
    #[serde(rename = "information")]
    InformationOnly,
    /// 4 判定不能.
    #[serde(rename = "undeterminable")]
    Undeterminable,
}

impl Level {
    pub fn xml_code(self) -> u8 {
        match self {
            Level::Intensive => 1,
            Level::Motivational => 2,
            Level::InformationOnly => 3,
            Level::Undeterminable => 4,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Level::Intensive => "intensive",
            Level::Motivational => "motivational",
            Level::InformationOnly => "information",
            Level::Undeterminable => "undeterminable",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [Level::Intensive, Level::Motivational, Level::InformationOnly, Level::Undeterminable]
            .into_iter()
            .find(|l| l.code() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Level::Intensive => "積極的支援",
            Level::Motivational => "動機付け支援",
            Level::InformationOnly => "情報提供",
            Level::Undeterminable => "判定不能",
        }
    }
}

/// Step 1 group: 腹囲 (or 内臓脂肪面積) over the line, else BMI ≥ 25, else neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObesityGroup {
    Waist,
    Bmi,
    Neither,
}

/// The result of 階層化 with the reasoning, one Japanese line per step.
#[derive(Clone, PartialEq)]
pub struct Stratification {
    pub level: Level,
    /// `None` when the group itself is unknown.
    pub group: Option<ObesityGroup>,
    /// ①–③ and ④ as found (`None` = unknown); smoking already gated by ①–③.
    pub blood_pressure_risk: Option<bool>,
    pub lipid_risk: Option<bool>,
    pub glucose_risk: Option<bool>,
    pub smoking_risk: Option<bool>,
    /// Under treatment for 血圧・血糖・脂質 (any): not a 特定保健指導 target.
    pub on_medication: Option<bool>,
    pub reasons: Vec<String>,
}

impl fmt::Debug for Stratification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stratification {{ level: {:?}, .. }}", self.level)
    }
}

/// Three-valued OR: true if any is true, false if all are known false, else unknown.
fn any3(values: &[Option<bool>]) -> Option<bool> {
    if values.contains(&Some(true)) {
        Some(true)
    } else if values.iter().all(Option::is_some) {
        Some(false)
    } else {
        None
    }
}

fn at_least(v: Option<f64>, t: f64) -> Option<bool> {
    v.map(|v| v >= t)
}

fn below(v: Option<f64>, t: f64) -> Option<bool> {
    v.map(|v| v < t)
}

/// Every value an unknown factor may take.
fn choices<T: Copy>(known: Option<T>, all: &[T]) -> Vec<T> {
    match known {
        Some(v) => vec![v],
        None => all.to_vec(),
    }
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "該当",
        Some(false) => "非該当",
        None => "不明（項目なし）",
    }
}

fn num(v: f64) -> String {
    // Values are written with at most one decimal in the documents; print them that way.
    if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.1}") }
}

/// Waist threshold of step 1 by sex: 男 85 cm, 女 90 cm [PROG].
fn waist_line(sex: Sex) -> f64 {
    match sex {
        Sex::Male => 85.0,
        Sex::Female => 90.0,
    }
}

/// Step 1 — 腹囲 / BMI, with the lines explaining it.
fn obesity_group(f: &Findings, reasons: &mut Vec<String>) -> Option<ObesityGroup> {
    // 内臓脂肪面積 ≥ 100 cm² may stand in for 腹囲 [PROG].
    let waist_over: Option<bool> = match (f.visceral_fat_cm2, f.waist_cm, f.sex) {
        (Some(v), _, _) if v >= 100.0 => {
            reasons.push(format!("内臓脂肪面積 {}cm² ≥ 100 → 腹囲基準該当", num(v)));
            Some(true)
        }
        (_, Some(w), Some(sex)) => {
            let line = waist_line(sex);
            let over = w >= line;
            let cmp = if over { "≥" } else { "<" };
            reasons.push(format!("腹囲 {}cm {cmp} {}cm（{}）", num(w), num(line), sex_label(sex)));
            Some(over)
        }
        (_, Some(_), None) => {
            reasons.push("性別がないため腹囲を判定できない".into());
            None
        }
        // 内臓脂肪面積 measured (under 100) and no 腹囲: the area stands in for it. With both, either
        // one over its line puts the person in group (1) (no source says which one wins).
        (Some(v), None, _) => {
            reasons.push(format!("内臓脂肪面積 {}cm² < 100（腹囲なし）→ 腹囲基準非該当", num(v)));
            Some(false)
        }
        (None, None, _) => None,
    };
    if waist_over == Some(true) {
        return Some(ObesityGroup::Waist);
    }
    let bmi_over = at_least(f.bmi, 25.0);
    if let Some(b) = f.bmi {
        reasons.push(format!("BMI {} {} 25", num(b), if b >= 25.0 { "≥" } else { "<" }));
    }
    match (waist_over, bmi_over) {
        (Some(false), Some(true)) => Some(ObesityGroup::Bmi),
        (Some(false), Some(false)) => Some(ObesityGroup::Neither),
        // 腹囲 may be left out when BMI < 20 (実施基準; see module docs): such a person is in
        // neither group, as 腹囲 could not be over the line either way in the rule's view.
        (None, Some(false)) if f.bmi.is_some_and(|b| b < 20.0) => {
            reasons.push("腹囲なし・BMI < 20（腹囲省略可）→ 腹囲・BMIとも非該当".into());
            Some(ObesityGroup::Neither)
        }
        (None, _) => {
            reasons.push("腹囲がない（BMI < 20 でないため省略できない）".into());
            None
        }
        (Some(false), None) => {
            reasons.push("BMIがない".into());
            None
        }
        (Some(true), _) => Some(ObesityGroup::Waist),
    }
}

fn sex_label(sex: Sex) -> &'static str {
    match sex {
        Sex::Male => "男性",
        Sex::Female => "女性",
    }
}

/// ③ 血糖 with the precedence of the 手引き: 空腹時血糖 if present, else HbA1c, else 随時血糖
/// (never a sample under 3.5 h after a meal). [OSAKA] quoting the 手引き: "空腹時血糖と HbA1c の
/// 両方を測定している場合は、空腹時血糖の値を優先".
fn glucose_risk(f: &Findings, reasons: &mut Vec<String>) -> Option<bool> {
    if let Some(v) = f.fasting_glucose {
        let r = v >= 100.0;
        reasons.push(format!("血糖: 空腹時血糖 {}mg/dL {} 100（空腹時血糖を優先）", num(v), if r { "≥" } else { "<" }));
        return Some(r);
    }
    if let Some(v) = f.hba1c {
        let r = v >= 5.6;
        reasons.push(format!("血糖: HbA1c {}% {} 5.6（空腹時血糖なし）", num(v), if r { "≥" } else { "<" }));
        return Some(r);
    }
    match (f.casual_glucose, f.draw_timing) {
        (Some(_), Some(DrawTiming::SoonAfterMeal)) => {
            reasons.push("血糖: 随時血糖は食後3.5時間未満の採血のため判定に使えない".into());
            None
        }
        (Some(v), _) => {
            let r = v >= 100.0;
            reasons.push(format!(
                "血糖: 随時血糖 {}mg/dL {} 100（空腹時血糖・HbA1cなし）",
                num(v),
                if r { "≥" } else { "<" }
            ));
            Some(r)
        }
        (None, _) => {
            reasons.push("血糖: 空腹時血糖・HbA1c・随時血糖のいずれもない".into());
            None
        }
    }
}

/// ② 脂質: 空腹時中性脂肪 ≥ 150 (随時 ≥ 175, 第4期) or HDL < 40.
fn lipid_risk(f: &Findings, reasons: &mut Vec<String>) -> Option<bool> {
    let tg = if let Some(v) = f.tg_fasting {
        let r = v >= 150.0;
        reasons.push(format!("脂質: 空腹時中性脂肪 {}mg/dL {} 150", num(v), if r { "≥" } else { "<" }));
        Some(r)
    } else {
        match (f.tg_casual, f.draw_timing) {
            (Some(_), Some(DrawTiming::SoonAfterMeal)) => {
                reasons.push("脂質: 随時中性脂肪は食後3.5時間未満の採血のため判定に使えない".into());
                None
            }
            (Some(v), _) => {
                let r = v >= 175.0;
                reasons.push(format!("脂質: 随時中性脂肪 {}mg/dL {} 175", num(v), if r { "≥" } else { "<" }));
                Some(r)
            }
            (None, _) => None,
        }
    };
    let hdl = below(f.hdl, 40.0);
    if let Some(v) = f.hdl {
        reasons.push(format!("脂質: HDL {}mg/dL {} 40", num(v), if v < 40.0 { "<" } else { "≥" }));
    }
    any3(&[tg, hdl])
}

/// ① 血圧: 収縮期 ≥ 130 or 拡張期 ≥ 85.
fn blood_pressure_risk(f: &Findings, reasons: &mut Vec<String>) -> Option<bool> {
    let s = at_least(f.systolic, 130.0);
    let d = at_least(f.diastolic, 85.0);
    if let (Some(sv), Some(dv)) = (f.systolic, f.diastolic) {
        reasons.push(format!("血圧: {}/{}mmHg（基準 130/85）→ {}", num(sv), num(dv), yes_no(any3(&[s, d]))));
    } else {
        reasons.push(format!("血圧: 値が揃わない → {}", yes_no(any3(&[s, d]))));
    }
    any3(&[s, d])
}

fn level_for(
    group: ObesityGroup,
    bp: bool,
    lipid: bool,
    glucose: bool,
    smoker: bool,
    medicated: bool,
    age: u32,
) -> Level {
    let mut n = u32::from(bp) + u32::from(lipid) + u32::from(glucose);
    // ④ 喫煙歴 counts only alongside at least one of ①–③ [PROG].
    if n >= 1 && smoker {
        n += 1;
    }
    let level = match group {
        ObesityGroup::Neither => Level::InformationOnly,
        ObesityGroup::Waist if n >= 2 => Level::Intensive,
        ObesityGroup::Waist if n == 1 => Level::Motivational,
        ObesityGroup::Bmi if n >= 3 => Level::Intensive,
        ObesityGroup::Bmi if n >= 1 => Level::Motivational,
        ObesityGroup::Waist | ObesityGroup::Bmi => Level::InformationOnly,
    };
    if medicated {
        // 服薬中 is managed by a doctor: not a 特定保健指導 target [PROG].
        return Level::InformationOnly;
    }
    if level == Level::Intensive && age >= 65 {
        // 65–74 歳: 積極的支援 → 動機付け支援 [PROG]. Age at the fiscal-year end, so someone who
        // turns 75 during the year (still a subject until the birthday) counts as 75 here:
        // 「65～74歳（該当年度内に75歳になる者を含む）」 (research note Q4).
        return Level::Motivational;
    }
    level
}

/// 階層化 of one checkup.
pub fn stratify(f: &Findings) -> Stratification {
    let mut reasons = Vec::new();
    let group = obesity_group(f, &mut reasons);
    let bp = blood_pressure_risk(f, &mut reasons);
    let lipid = lipid_risk(f, &mut reasons);
    let glucose = glucose_risk(f, &mut reasons);
    let smoker = f.smoking.map(|s| s == Smoking::Yes);
    match f.smoking {
        Some(Smoking::Yes) => reasons.push("喫煙: はい（①〜③が1つ以上あるときだけ数える）".into()),
        Some(Smoking::Quit) => reasons.push("喫煙: 以前は吸っていたが最近1か月は吸っていない → 喫煙なし".into()),
        Some(Smoking::No) => reasons.push("喫煙: いいえ".into()),
        None => reasons.push("喫煙: 回答なし".into()),
    }
    let medicated = any3(&[f.medication_bp, f.medication_glucose, f.medication_lipid]);
    match medicated {
        Some(true) => reasons.push("服薬中（血圧・血糖・脂質のいずれか）→ 特定保健指導の対象外".into()),
        Some(false) => reasons.push("服薬なし".into()),
        None => reasons.push("服薬の回答が揃わない".into()),
    }
    let any_of_three = any3(&[bp, lipid, glucose]);
    let smoking_risk = match (smoker, any_of_three) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    };

    let mut levels = Vec::new();
    let groups = match group {
        Some(g) => vec![g],
        None => {
            // Unknown group: BMI, when known, still narrows it.
            match f.bmi {
                Some(b) if b >= 25.0 => vec![ObesityGroup::Waist, ObesityGroup::Bmi],
                Some(_) => vec![ObesityGroup::Waist, ObesityGroup::Neither],
                None => vec![ObesityGroup::Waist, ObesityGroup::Bmi, ObesityGroup::Neither],
            }
        }
    };
    let tf = [true, false];
    for &g in &groups {
        for &b in &choices(bp, &tf) {
            for &l in &choices(lipid, &tf) {
                for &gl in &choices(glucose, &tf) {
                    for &s in &choices(smoker, &tf) {
                        for &m in &choices(medicated, &tf) {
                            let level = level_for(g, b, l, gl, s, m, f.age);
                            if !levels.contains(&level) {
                                levels.push(level);
                            }
                        }
                    }
                }
            }
        }
    }
    let level = match levels.as_slice() {
        [one] => *one,
        _ => Level::Undeterminable,
    };
    if level == Level::Undeterminable {
        reasons.push("欠けている項目によってレベルが変わるため判定不能".into());
    } else {
        if group.is_some_and(|g| g != ObesityGroup::Neither) && medicated == Some(false) {
            let n = [bp, lipid, glucose, smoking_risk].iter().filter(|r| **r == Some(true)).count();
            reasons.push(format!("追加リスク数 {n}"));
        }
        if f.age >= 65 && levels_would_be_intensive(group, bp, lipid, glucose, smoker, medicated) {
            reasons.push(format!("年度末年齢 {} 歳（65歳以上）→ 積極的支援を動機付け支援とする", f.age));
        }
        reasons.push(format!("保健指導レベル: {}", level.label()));
    }
    Stratification {
        level,
        group,
        blood_pressure_risk: bp,
        lipid_risk: lipid,
        glucose_risk: glucose,
        smoking_risk,
        on_medication: medicated,
        reasons,
    }
}

/// Whether the known factors give 積極的支援 before the age rule (for the explanation only).
fn levels_would_be_intensive(
    group: Option<ObesityGroup>,
    bp: Option<bool>,
    lipid: Option<bool>,
    glucose: Option<bool>,
    smoker: Option<bool>,
    medicated: Option<bool>,
) -> bool {
    match (group, bp, lipid, glucose, smoker, medicated) {
        (Some(g), Some(b), Some(l), Some(gl), Some(s), Some(m)) => level_for(g, b, l, gl, s, m, 0) == Level::Intensive,
        _ => false,
    }
}

/// メタボリックシンドローム判定 (9N501, code table …6.1008).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metabolic {
    /// 1 基準該当.
    Meets,
    /// 2 予備群該当.
    Prone,
    /// 3 非該当.
    No,
    /// 4 判定不能.
    Undeterminable,
}

impl Metabolic {
    pub fn xml_code(self) -> u8 {
        match self {
            Metabolic::Meets => 1,
            Metabolic::Prone => 2,
            Metabolic::No => 3,
            Metabolic::Undeterminable => 4,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Metabolic::Meets => "meets",
            Metabolic::Prone => "prone",
            Metabolic::No => "no",
            Metabolic::Undeterminable => "undeterminable",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Metabolic::Meets => "基準該当",
            Metabolic::Prone => "予備群該当",
            Metabolic::No => "非該当",
            Metabolic::Undeterminable => "判定不能",
        }
    }
}

/// メタボ判定 with its reasoning [JPM]: 腹囲 required; components 血糖 (空腹時血糖 ≥ 110, HbA1c
/// ≥ 6.0 only without 空腹時血糖), 脂質 (中性脂肪 ≥ 150 or HDL < 40), 血圧 (≥ 130 / ≥ 85), each
/// also met by its medication. 2+ components 基準該当, 1 予備群該当.
///
/// 随時 values: the 第4期 手引き is not at hand; this follows the one published reading found
/// (reference §6: 随時中性脂肪 judged at 150 as well) and does not use 随時血糖.
pub fn metabolic(f: &Findings) -> (Metabolic, Vec<String>) {
    let mut reasons = Vec::new();
    // As in step 1 of 階層化: the area or the 腹囲 over its line; the area alone stands in.
    let waist_over = match (f.visceral_fat_cm2, f.waist_cm, f.sex) {
        (Some(v), _, _) if v >= 100.0 => Some(true),
        (_, Some(w), Some(sex)) => Some(w >= waist_line(sex)),
        (Some(_), None, _) => Some(false),
        _ => None,
    };
    let glucose = any3(&[
        if f.fasting_glucose.is_some() { at_least(f.fasting_glucose, 110.0) } else { at_least(f.hba1c, 6.0) },
        f.medication_glucose,
    ]);
    let tg = match (f.tg_fasting, f.tg_casual, f.draw_timing) {
        (Some(v), _, _) => Some(v >= 150.0),
        (None, Some(_), Some(DrawTiming::SoonAfterMeal)) => None,
        (None, Some(v), _) => Some(v >= 150.0),
        (None, None, _) => None,
    };
    let lipid = any3(&[tg, below(f.hdl, 40.0), f.medication_lipid]);
    let bp = any3(&[at_least(f.systolic, 130.0), at_least(f.diastolic, 85.0), f.medication_bp]);
    reasons.push(format!(
        "腹囲 {}; 血糖 {}; 脂質 {}; 血圧 {}",
        yes_no(waist_over),
        yes_no(glucose),
        yes_no(lipid),
        yes_no(bp)
    ));
    let result = match waist_over {
        Some(false) => Metabolic::No,
        None => Metabolic::Undeterminable,
        Some(true) => {
            let known = [glucose, lipid, bp].iter().filter(|c| **c == Some(true)).count();
            let unknown = [glucose, lipid, bp].iter().filter(|c| c.is_none()).count();
            let verdict = |n: usize| match n {
                0 => Metabolic::No,
                1 => Metabolic::Prone,
                _ => Metabolic::Meets,
            };
            if verdict(known) == verdict(known + unknown) { verdict(known) } else { Metabolic::Undeterminable }
        }
    };
    reasons.push(format!("メタボリックシンドローム判定: {}", result.label()));
    (result, reasons)
}

/// How pressing a 受診勧奨 is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReferralTier {
    /// 受診勧奨判定値以上: 医療機関の受診を勧める.
    Recommend,
    /// すぐに医療機関を受診 (e.g. 血圧 ≥ 160/100).
    Urgent,
}

impl ReferralTier {
    pub fn code(self) -> &'static str {
        match self {
            ReferralTier::Recommend => "recommend",
            ReferralTier::Urgent => "urgent",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ReferralTier::Recommend => "受診勧奨",
            ReferralTier::Urgent => "すぐに受診",
        }
    }
}

/// One item at or over its 受診勧奨判定値.
#[derive(Clone, PartialEq)]
pub struct Referral {
    /// Short item name (Japanese), e.g. `収縮期血圧`.
    pub item: &'static str,
    pub tier: ReferralTier,
    /// The value and the line it crossed, e.g. `収縮期血圧 162 ≥ 160`.
    pub reason: String,
}

impl fmt::Debug for Referral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Referral {{ item: {}, tier: {:?} }}", self.item, self.tier)
    }
}

/// Direction of a threshold.
#[derive(Clone, Copy)]
enum Cmp {
    AtLeast,
    Below,
}

/// One row of the 受診勧奨 table: item, recommend line, urgent line (if any).
struct Line {
    item: &'static str,
    cmp: Cmp,
    recommend: f64,
    urgent: Option<f64>,
}

/// 受診勧奨判定値 ([KENTO] 第4期 table, reference §5) and the urgent lines (「すぐに医療機関の
/// 受診を」) of the 第4期 フィードバック文例 as read in the 令和6年度版 draft (research note Q8):
/// 血圧 ≥ 160/100 (official text); 中性脂肪 ≥ 500 (the draft gives 300–499 as 受診勧奨 "空腹時
/// 採血、随時採血を問わない", so 500 is where the urgent band starts); LDL ≥ 180; eGFR < 45 is
/// already the urgent band (45–59 are told to see a doctor when convenient, which the 判定値 table
/// does not flag). No urgent line was found for 血糖, 肝機能 and Non-HDL: they have `None`.
/// HDL: the 第4期 table has no 受診勧奨判定値 ("—"; older tables' ≤ 34 is 第3期), so HDL is
/// not flagged.
const LINES: [Line; 13] = [
    Line { item: "収縮期血圧", cmp: Cmp::AtLeast, recommend: 140.0, urgent: Some(160.0) },
    Line { item: "拡張期血圧", cmp: Cmp::AtLeast, recommend: 90.0, urgent: Some(100.0) },
    Line { item: "空腹時中性脂肪", cmp: Cmp::AtLeast, recommend: 300.0, urgent: Some(500.0) },
    Line { item: "随時中性脂肪", cmp: Cmp::AtLeast, recommend: 300.0, urgent: Some(500.0) },
    Line { item: "LDLコレステロール", cmp: Cmp::AtLeast, recommend: 140.0, urgent: Some(180.0) },
    Line { item: "Non-HDLコレステロール", cmp: Cmp::AtLeast, recommend: 170.0, urgent: None },
    Line { item: "空腹時血糖", cmp: Cmp::AtLeast, recommend: 126.0, urgent: None },
    Line { item: "随時血糖", cmp: Cmp::AtLeast, recommend: 126.0, urgent: None },
    Line { item: "HbA1c", cmp: Cmp::AtLeast, recommend: 6.5, urgent: None },
    Line { item: "AST", cmp: Cmp::AtLeast, recommend: 51.0, urgent: None },
    Line { item: "ALT", cmp: Cmp::AtLeast, recommend: 51.0, urgent: None },
    Line { item: "γ-GT", cmp: Cmp::AtLeast, recommend: 101.0, urgent: None },
    Line { item: "eGFR", cmp: Cmp::Below, recommend: 45.0, urgent: Some(45.0) },
];

/// 受診勧奨 flags, one per item at or over its line, with the urgent tier where it applies.
/// Independent of 階層化 and of 服薬 (a person under treatment is still told the value is high).
pub fn referrals(f: &Findings) -> Vec<Referral> {
    let values = [
        f.systolic,
        f.diastolic,
        f.tg_fasting,
        f.tg_casual.filter(|_| f.draw_timing != Some(DrawTiming::SoonAfterMeal)),
        f.ldl,
        f.non_hdl,
        f.fasting_glucose,
        f.casual_glucose.filter(|_| f.draw_timing != Some(DrawTiming::SoonAfterMeal)),
        f.hba1c,
        f.ast,
        f.alt,
        f.ggt,
        f.egfr,
    ];
    let mut out = Vec::new();
    for (line, value) in LINES.iter().zip(values) {
        let Some(v) = value else { continue };
        let crosses = |t: f64| match line.cmp {
            Cmp::AtLeast => v >= t,
            Cmp::Below => v < t,
        };
        let sign = match line.cmp {
            Cmp::AtLeast => "≥",
            Cmp::Below => "<",
        };
        if let Some(u) = line.urgent.filter(|u| crosses(*u)) {
            out.push(Referral {
                item: line.item,
                tier: ReferralTier::Urgent,
                reason: format!("{} {} {sign} {}", line.item, num(v), num(u)),
            });
        } else if crosses(line.recommend) {
            out.push(Referral {
                item: line.item,
                tier: ReferralTier::Recommend,
                reason: format!("{} {} {sign} {}", line.item, num(v), num(line.recommend)),
            });
        }
    }
    // 尿蛋白 (1+) 以上 is the 受診勧奨判定値; no urgent band was read for it.
    if f.urine_protein.is_some_and(|p| p >= UrineProtein::OnePlus) {
        out.push(Referral {
            item: "尿蛋白",
            tier: ReferralTier::Recommend,
            reason: "尿蛋白 1+以上（1+以上で受診勧奨）".into(),
        });
    }
    out
}

/// The highest tier among the flags, if any.
pub fn referral_tier(flags: &[Referral]) -> Option<ReferralTier> {
    flags.iter().map(|r| r.tier).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_or_is_unknown_only_when_nothing_decides_it() {
        assert_eq!(any3(&[None, Some(true)]), Some(true));
        assert_eq!(any3(&[None, Some(false)]), None);
        assert_eq!(any3(&[Some(false), Some(false)]), Some(false));
    }

    #[test]
    fn blood_pressure_is_the_mean_of_two_readings_unrounded() {
        assert_eq!(judged_blood_pressure(Some(131.0), Some(128.0), None), Some(129.5));
        assert_eq!(judged_blood_pressure(None, Some(128.0), None), Some(128.0));
        assert_eq!(judged_blood_pressure(Some(131.0), Some(128.0), Some(150.0)), Some(150.0));
    }

    #[test]
    fn levels_round_trip_their_codes() {
        for l in [Level::Intensive, Level::Motivational, Level::InformationOnly, Level::Undeterminable] {
            assert_eq!(Level::from_code(l.code()), Some(l));
            // JSON spells a level as its stored code.
            assert_eq!(serde_json::to_string(&l).unwrap(), format!("\"{}\"", l.code()));
        }
    }
}
