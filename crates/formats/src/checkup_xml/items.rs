//! 特定健診 result item codes of the 第4期 (FY2024–), kept as one data table.
//!
//! Source: the project's reference notes `tokutei-kenshin-xml.md` §3, which transcribe the JAMI
//! code system "特定健診検査項目コード第４期" (`jami-fhir-jp-wg/eCheckupReport`) and mark the codes
//! also seen in a 2024 archive. The reader accepts only these codes: an unknown code is more
//! likely a mis-keyed item (public samples contain wrong codes) than a new one, and a silent
//! pass would feed wrong data to 階層化. Adding an item means adding one row here.
//!
//! Where the reference gives no value type, it follows the JLAC10 結果識別 (last two digits):
//! `01` number (PQ), `11` code (CD), `49` text (ST).

/// The HL7 data type an item's `<value xsi:type="…">` must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// Physical quantity: decimal number plus unit.
    Pq,
    /// Coded value from a code system (OID).
    Cd,
    /// Coded ordinal (e.g. 尿定性 −/±/+), also with a code system.
    Co,
    /// Free text.
    St,
}

impl ValueType {
    /// The `xsi:type` spelling.
    pub fn xsi_type(self) -> &'static str {
        match self {
            ValueType::Pq => "PQ",
            ValueType::Cd => "CD",
            ValueType::Co => "CO",
            ValueType::St => "ST",
        }
    }
}

/// One row of the item table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemDef {
    /// JLAC10 / MHLW 17-character item code.
    pub code: &'static str,
    /// Japanese item name (written as `displayName`).
    pub name: &'static str,
    /// Type the `<value>` must have.
    pub value_type: ValueType,
    /// Canonical (UCUM-style) unit for `PQ` items.
    pub unit: Option<&'static str>,
    /// Code system OID for `CD` / `CO` items.
    pub code_system: Option<&'static str>,
}

impl ItemDef {
    /// Whether `unit` names this item's unit: case-insensitive, `mmHg` ≡ `mm[Hg]`, because
    /// generators differ in exactly these ways.
    pub fn unit_matches(&self, unit: &str) -> bool {
        self.unit.is_some_and(|u| normalize_unit(u) == normalize_unit(unit))
    }
}

/// Unit comparison key: lower case, square brackets and spaces dropped (`mm[Hg]` → `mmhg`).
pub fn normalize_unit(unit: &str) -> String {
    unit.chars().filter(|c| !matches!(c, '[' | ']' | ' ')).flat_map(char::to_lowercase).collect()
}

/// OIDs used in the documents and as code systems of coded results.
pub mod oid {
    /// 特定健診検査項目コード (the item codes; default code system of `observation/code`).
    pub const ITEM_CODE: &str = "1.2.392.200119.6.1005";
    /// 報告区分.
    pub const REPORT_CATEGORY: &str = "1.2.392.200119.6.1001";
    /// プログラム種別.
    pub const PROGRAM_TYPE: &str = "1.2.392.200119.6.1002";
    /// CDA セクションコード.
    pub const SECTION: &str = "1.2.392.200119.6.1010";
    /// 男女区分.
    pub const SEX: &str = "1.2.392.200119.6.1104";
    /// 保険者番号.
    pub const INSURER: &str = "1.2.392.200119.6.101";
    /// 健診・保健指導機関番号 (10 digits).
    pub const INSTITUTION: &str = "1.2.392.200119.6.102";
    /// 代行機関番号 (8 digits).
    pub const AGENCY: &str = "1.2.392.200119.6.103";
    /// 被保険者証等記号.
    pub const CARD_SYMBOL: &str = "1.2.392.200119.6.204";
    /// 被保険者証等番号.
    pub const CARD_NUMBER: &str = "1.2.392.200119.6.205";
    /// 被保険者証等枝番.
    pub const CARD_BRANCH: &str = "1.2.392.200119.6.211";
    /// はい／いいえ (服薬, 既往歴, 受診歴): 1 はい, 2 いいえ.
    pub const YES_NO: &str = "1.2.392.200119.6.2003";
    /// 尿定性: 1 −, 2 ±, 3 1+, 4 2+, 5 3+.
    pub const URINE_QUALITATIVE: &str = "1.2.392.200119.6.2102";
    /// 採血時間 (食後).
    pub const BLOOD_DRAW_TIMING: &str = "1.2.392.200119.6.2202";
    /// 喫煙 (第4期): 1 はい, 2 以前は吸っていたが最近1か月は吸っていない, 3 いいえ.
    pub const SMOKING: &str = "1.2.392.200119.6.24060";
    /// 飲酒頻度.
    pub const DRINKING_FREQUENCY: &str = "1.2.392.200119.6.24040";
    /// 飲酒量.
    pub const DRINKING_AMOUNT: &str = "1.2.392.200119.6.24050";
    /// メタボリックシンドローム判定: 1 基準該当, 2 予備群該当, 3 非該当, 4 判定不能.
    pub const METABOLIC_SYNDROME: &str = "1.2.392.200119.6.1008";
    /// 保健指導レベル: 1 積極的支援, 2 動機付け支援, 3 なし, 4 判定不能.
    pub const GUIDANCE_LEVEL: &str = "1.2.392.200119.6.3001";
    /// HL7 ObservationInterpretation: `L` / `H` mark a result below / above the measurable range.
    pub const OUT_OF_RANGE: &str = "2.16.840.1.113883.5.83";
}

const fn pq(code: &'static str, name: &'static str, unit: &'static str) -> ItemDef {
    ItemDef { code, name, value_type: ValueType::Pq, unit: Some(unit), code_system: None }
}
const fn cd(code: &'static str, name: &'static str, system: &'static str) -> ItemDef {
    ItemDef { code, name, value_type: ValueType::Cd, unit: None, code_system: Some(system) }
}
const fn co(code: &'static str, name: &'static str, system: &'static str) -> ItemDef {
    ItemDef { code, name, value_type: ValueType::Co, unit: None, code_system: Some(system) }
}
const fn st(code: &'static str, name: &'static str) -> ItemDef {
    ItemDef { code, name, value_type: ValueType::St, unit: None, code_system: None }
}

const MG_DL: &str = "mg/dL";
const U_L: &str = "U/L";
const MM_HG: &str = "mm[Hg]";

/// The whole table, in the order of reference §3.
pub static ITEMS: &[ItemDef] = &[
    // 身体計測
    pq(HEIGHT, "身長", "cm"),
    pq(WEIGHT, "体重", "kg"),
    pq(BMI, "BMI", "kg/m2"),
    pq(VISCERAL_FAT_AREA, "内臓脂肪面積", "cm2"),
    pq(WAIST_MEASURED, "腹囲(実測)", "cm"),
    pq(WAIST_SELF_MEASURED, "腹囲(自己判定)", "cm"),
    pq(WAIST_SELF_REPORTED, "腹囲(自己申告)", "cm"),
    // 血圧
    pq(SBP_1, "収縮期血圧(1回目)", MM_HG),
    pq(SBP_2, "収縮期血圧(2回目)", MM_HG),
    pq(SBP_OTHER, "収縮期血圧(その他)", MM_HG),
    pq(DBP_1, "拡張期血圧(1回目)", MM_HG),
    pq(DBP_2, "拡張期血圧(2回目)", MM_HG),
    pq(DBP_OTHER, "拡張期血圧(その他)", MM_HG),
    cd(BLOOD_DRAW_TIMING, "採血時間(食後)", oid::BLOOD_DRAW_TIMING),
    // 脂質
    pq("3F015000002327101", "空腹時中性脂肪(可視吸光光度法)", MG_DL),
    pq("3F015000002327201", "空腹時中性脂肪(紫外吸光光度法)", MG_DL),
    pq("3F015000002399901", "空腹時中性脂肪(その他)", MG_DL),
    pq("3F015129902327101", "随時中性脂肪(可視吸光光度法)", MG_DL),
    pq("3F015129902327201", "随時中性脂肪(紫外吸光光度法)", MG_DL),
    pq("3F015129902399901", "随時中性脂肪(その他)", MG_DL),
    pq("3F070000002327101", "HDLコレステロール(可視吸光光度法)", MG_DL),
    pq("3F070000002327201", "HDLコレステロール(紫外吸光光度法)", MG_DL),
    pq("3F070000002399901", "HDLコレステロール(その他)", MG_DL),
    pq("3F077000002327101", "LDLコレステロール(可視吸光光度法)", MG_DL),
    pq("3F077000002327201", "LDLコレステロール(紫外吸光光度法)", MG_DL),
    pq("3F077000002399901", "LDLコレステロール(その他)", MG_DL),
    pq("3F077000002391901", "LDLコレステロール(計算法)", MG_DL),
    pq("3F069000002391901", "Non-HDLコレステロール", MG_DL),
    // 血糖
    pq("3D010000001926101", "空腹時血糖(電位差法)", MG_DL),
    pq("3D010000002227101", "空腹時血糖(可視吸光光度法)", MG_DL),
    pq("3D010000001927201", "空腹時血糖(紫外吸光光度法)", MG_DL),
    pq("3D010000001999901", "空腹時血糖(その他)", MG_DL),
    pq("3D010129901926101", "随時血糖(電位差法)", MG_DL),
    pq("3D010129902227101", "随時血糖(可視吸光光度法)", MG_DL),
    pq("3D010129901927201", "随時血糖(紫外吸光光度法)", MG_DL),
    pq("3D010129901999901", "随時血糖(その他)", MG_DL),
    pq("3D046000001906202", "HbA1c(NGSP)(免疫学的方法)", "%"),
    pq("3D046000001920402", "HbA1c(NGSP)(HPLC)", "%"),
    pq("3D046000001927102", "HbA1c(NGSP)(酵素法)", "%"),
    pq("3D046000001999902", "HbA1c(NGSP)(その他)", "%"),
    // 肝機能
    pq("3B035000002327201", "AST(GOT)(紫外吸光光度法)", U_L),
    pq("3B035000002399901", "AST(GOT)(その他)", U_L),
    pq("3B045000002327201", "ALT(GPT)(紫外吸光光度法)", U_L),
    pq("3B045000002399901", "ALT(GPT)(その他)", U_L),
    pq("3B090000002327101", "γ-GT(γ-GTP)(可視吸光光度法)", U_L),
    pq("3B090000002399901", "γ-GT(γ-GTP)(その他)", U_L),
    // 尿
    co("1A020000000191111", "尿糖(機械読み取り)", oid::URINE_QUALITATIVE),
    co("1A020000000190111", "尿糖(目視法)", oid::URINE_QUALITATIVE),
    co("1A010000000191111", "尿蛋白(機械読み取り)", oid::URINE_QUALITATIVE),
    co("1A010000000190111", "尿蛋白(目視法)", oid::URINE_QUALITATIVE),
    // 腎機能 (詳細健診)
    pq("3C015000002327101", "血清クレアチニン(可視吸光光度法)", MG_DL),
    pq("3C015000002399901", "血清クレアチニン(その他)", MG_DL),
    pq(EGFR, "eGFR", "mL/min/1.73m2"),
    // 質問票
    cd(MEDICATION_BP, "服薬1(血圧)", oid::YES_NO),
    st("9N701167000000049", "服薬1(血圧)(薬剤名)"),
    st("9N701167100000049", "服薬1(血圧)(服薬理由)"),
    st("9N702167200000049", "服薬1(血圧)(保険者再確認)"),
    cd(MEDICATION_GLUCOSE, "服薬2(血糖)", oid::YES_NO),
    st("9N707167200000049", "服薬2(血糖)(保険者再確認)"),
    cd(MEDICATION_LIPID, "服薬3(脂質)", oid::YES_NO),
    st("9N712167200000049", "服薬3(脂質)(保険者再確認)"),
    cd("9N716000000000011", "既往歴1(脳血管)", oid::YES_NO),
    cd("9N721000000000011", "既往歴2(心血管)", oid::YES_NO),
    cd("9N726000000000011", "既往歴3(腎不全・人工透析)", oid::YES_NO),
    cd("9N731000000000011", "貧血", oid::YES_NO),
    cd(SMOKING, "喫煙", oid::SMOKING),
    cd(DRINKING_FREQUENCY, "飲酒", oid::DRINKING_FREQUENCY),
    co(DRINKING_AMOUNT, "飲酒量", oid::DRINKING_AMOUNT),
    cd(GUIDANCE_HISTORY, "特定保健指導の受診歴", oid::YES_NO),
    // 判定
    cd(METABOLIC_SYNDROME, "メタボリックシンドローム判定", oid::METABOLIC_SYNDROME),
    cd(GUIDANCE_LEVEL, "保健指導レベル", oid::GUIDANCE_LEVEL),
    st(DOCTOR_DIAGNOSIS, "医師の診断(判定)"),
    st(DOCTOR_NAME, "健診を実施した医師の氏名"),
];

/// The table row for `code`, if it is a 第4期 item.
pub fn item(code: &str) -> Option<&'static ItemDef> {
    ITEMS.iter().find(|d| d.code == code)
}

/// 身長 (cm).
pub const HEIGHT: &str = "9N001000000000001";
/// 体重 (kg).
pub const WEIGHT: &str = "9N006000000000001";
/// BMI (kg/m2).
pub const BMI: &str = "9N011000000000001";
/// 内臓脂肪面積 (cm2); ≥ 100 may replace 腹囲 in 階層化.
pub const VISCERAL_FAT_AREA: &str = "9N021000000000001";
/// 腹囲 実測.
pub const WAIST_MEASURED: &str = "9N016160100000001";
/// 腹囲 自己判定.
pub const WAIST_SELF_MEASURED: &str = "9N016160200000001";
/// 腹囲 自己申告.
pub const WAIST_SELF_REPORTED: &str = "9N016160300000001";
/// 腹囲, any of the three ways it was obtained (in order of preference).
pub const WAIST: &[&str] = &[WAIST_MEASURED, WAIST_SELF_MEASURED, WAIST_SELF_REPORTED];
/// 収縮期血圧 1回目.
pub const SBP_1: &str = "9A751000000000001";
/// 収縮期血圧 2回目.
pub const SBP_2: &str = "9A752000000000001";
/// 収縮期血圧 その他.
pub const SBP_OTHER: &str = "9A755000000000001";
/// 収縮期血圧, all readings.
pub const SBP: &[&str] = &[SBP_1, SBP_2, SBP_OTHER];
/// 拡張期血圧 1回目.
pub const DBP_1: &str = "9A761000000000001";
/// 拡張期血圧 2回目.
pub const DBP_2: &str = "9A762000000000001";
/// 拡張期血圧 その他.
pub const DBP_OTHER: &str = "9A765000000000001";
/// 拡張期血圧, all readings.
pub const DBP: &[&str] = &[DBP_1, DBP_2, DBP_OTHER];
/// 採血時間 (食後), decides 空腹時 vs 随時.
pub const BLOOD_DRAW_TIMING: &str = "9N141000000000011";
/// 空腹時中性脂肪, one code per 測定法.
pub const TG_FASTING: &[&str] = &["3F015000002327101", "3F015000002327201", "3F015000002399901"];
/// 随時中性脂肪 (第4期), one code per 測定法.
pub const TG_CASUAL: &[&str] = &["3F015129902327101", "3F015129902327201", "3F015129902399901"];
/// HDLコレステロール.
pub const HDL: &[&str] = &["3F070000002327101", "3F070000002327201", "3F070000002399901"];
/// LDLコレステロール (direct methods and 計算法).
pub const LDL: &[&str] = &["3F077000002327101", "3F077000002327201", "3F077000002399901", "3F077000002391901"];
/// Non-HDLコレステロール.
pub const NON_HDL: &[&str] = &["3F069000002391901"];
/// 空腹時血糖.
pub const FPG: &[&str] = &["3D010000001926101", "3D010000002227101", "3D010000001927201", "3D010000001999901"];
/// 随時血糖.
pub const CASUAL_GLUCOSE: &[&str] =
    &["3D010129901926101", "3D010129902227101", "3D010129901927201", "3D010129901999901"];
/// HbA1c (NGSP).
pub const HBA1C: &[&str] = &["3D046000001906202", "3D046000001920402", "3D046000001927102", "3D046000001999902"];
/// AST.
pub const AST: &[&str] = &["3B035000002327201", "3B035000002399901"];
/// ALT.
pub const ALT: &[&str] = &["3B045000002327201", "3B045000002399901"];
/// γ-GT.
pub const GGT: &[&str] = &["3B090000002327101", "3B090000002399901"];
/// 尿糖.
pub const URINE_GLUCOSE: &[&str] = &["1A020000000191111", "1A020000000190111"];
/// 尿蛋白.
pub const URINE_PROTEIN: &[&str] = &["1A010000000191111", "1A010000000190111"];
/// 血清クレアチニン.
pub const CREATININE: &[&str] = &["3C015000002327101", "3C015000002399901"];
/// eGFR.
pub const EGFR: &str = "8A065000002391901";
/// 服薬1 血圧 (1 はい → not a 特定保健指導 target).
pub const MEDICATION_BP: &str = "9N701000000000011";
/// 服薬2 血糖.
pub const MEDICATION_GLUCOSE: &str = "9N706000000000011";
/// 服薬3 脂質.
pub const MEDICATION_LIPID: &str = "9N711000000000011";
/// 喫煙 (第4期 three choices, see [`oid::SMOKING`]).
pub const SMOKING: &str = "9N736000000000011";
/// 飲酒 (頻度).
pub const DRINKING_FREQUENCY: &str = "9N786000000000011";
/// 飲酒量.
pub const DRINKING_AMOUNT: &str = "9N791000000000011";
/// 特定保健指導の受診歴 (第4期).
pub const GUIDANCE_HISTORY: &str = "9N808000000000011";
/// メタボリックシンドローム判定.
pub const METABOLIC_SYNDROME: &str = "9N501000000000011";
/// 保健指導レベル.
pub const GUIDANCE_LEVEL: &str = "9N506000000000011";
/// 医師の診断 (判定), free text.
pub const DOCTOR_DIAGNOSIS: &str = "9N511000000000049";
/// 健診を実施した医師の氏名.
pub const DOCTOR_NAME: &str = "9N516000000000049";

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_is_well_formed() {
        let mut seen = HashSet::new();
        for d in ITEMS {
            assert_eq!(d.code.len(), 17, "{}", d.code);
            assert!(d.code.bytes().all(|b| b.is_ascii_alphanumeric()), "{}", d.code);
            assert!(seen.insert(d.code), "duplicate {}", d.code);
            match d.value_type {
                ValueType::Pq => assert!(d.unit.is_some() && d.code_system.is_none()),
                ValueType::Cd | ValueType::Co => {
                    assert!(d.unit.is_none() && d.code_system.is_some())
                }
                ValueType::St => assert!(d.unit.is_none() && d.code_system.is_none()),
            }
        }
    }

    #[test]
    fn every_named_code_is_in_the_table() {
        let singles = [
            HEIGHT,
            WEIGHT,
            BMI,
            VISCERAL_FAT_AREA,
            BLOOD_DRAW_TIMING,
            EGFR,
            MEDICATION_BP,
            MEDICATION_GLUCOSE,
            MEDICATION_LIPID,
            SMOKING,
            DRINKING_FREQUENCY,
            DRINKING_AMOUNT,
            GUIDANCE_HISTORY,
            METABOLIC_SYNDROME,
            GUIDANCE_LEVEL,
            DOCTOR_DIAGNOSIS,
            DOCTOR_NAME,
        ];
        let groups = [
            WAIST,
            SBP,
            DBP,
            TG_FASTING,
            TG_CASUAL,
            HDL,
            LDL,
            NON_HDL,
            FPG,
            CASUAL_GLUCOSE,
            HBA1C,
            AST,
            ALT,
            GGT,
            URINE_GLUCOSE,
            URINE_PROTEIN,
            CREATININE,
        ];
        for code in singles.into_iter().chain(groups.into_iter().flatten().copied()) {
            assert!(item(code).is_some(), "{code} missing from ITEMS");
        }
    }

    #[test]
    fn units_compare_loosely() {
        let sbp = item(SBP_1).unwrap();
        assert!(sbp.unit_matches("mmHg"));
        assert!(sbp.unit_matches("MM[HG]"));
        assert!(!sbp.unit_matches("kPa"));
        assert!(item(TG_FASTING[0]).unwrap().unit_matches("mg/dl"));
        assert!(!item(SMOKING).unwrap().unit_matches("cm"));
    }
}
