//! 特定健診 result item codes: the MHLW「XML用特定健診項目情報」tables as data.
//!
//! `data/checkup-items-v4.tsv` is the whole 第4期 table (FY2024–, 322 items: value type, unit,
//! code system and class read from MHLW file 001082795, sources in its header);
//! `data/checkup-items-v3.tsv` the 第3期 (FY2018–2023) as far as public sources show it
//! (reconstructed from the 第4期 with the documented differences; its header lists what is not
//! verified). A document is read with the table of its exam date ([`ItemTable::for_exam_date`]).
//! An item outside the table is reported as a warning with its code and kept out of the results:
//! a 2013 document carries 第2期 questions, and a society migrating old records needs them read.
//! The writer and the generator write 第4期 items only.

use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::OnceLock;

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
    /// 基本的な健診項目, 詳細な健診項目, 質問票, or other (判定, 医師の診断, optional tests).
    pub class: ItemClass,
}

/// Where the MHLW table puts an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemClass {
    /// 基本的な健診項目 (〇 必須 / ● いずれかで可), incl. 既往歴・自覚症状・他覚症状.
    Basic,
    /// 詳細な健診項目 (□ 医師の判断で実施: 貧血, 心電図, 眼底, 血清クレアチニン・eGFR).
    Detailed,
    /// 質問票 (and 生活機能基本チェックリスト, 後期高齢者の質問票).
    Questionnaire,
    /// 医師の判断 (メタボ判定, 保健指導レベル, 医師の診断…) and items outside 特定健診.
    Other,
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

/// Which 期 of the MHLW item table a document is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemTable {
    /// 第3期 (FY2018–2023); documents of earlier years are read with it too, and what it lacks
    /// is reported as unknown items (warnings), not refused.
    Third,
    /// 第4期 (FY2024–).
    Fourth,
}

impl ItemTable {
    /// The table in force on an exam date: 第4期 from 2024-04-01 (the start of FY2024).
    pub fn for_exam_date(date: NaiveDate) -> Self {
        if date >= FOURTH_PERIOD_START { ItemTable::Fourth } else { ItemTable::Third }
    }

    /// Japanese label for messages.
    pub fn label(self) -> &'static str {
        match self {
            ItemTable::Third => "第3期",
            ItemTable::Fourth => "第4期",
        }
    }

    /// The rows of the table.
    pub fn rows(self) -> &'static [ItemDef] {
        &self.loaded().0
    }

    /// The row for `code`, if the table has it.
    pub fn item(self, code: &str) -> Option<&'static ItemDef> {
        let (rows, index) = self.loaded();
        index.get(code).map(|&i| &rows[i])
    }

    /// The table, parsed on first use.
    fn loaded(self) -> &'static Table {
        match self {
            ItemTable::Third => THIRD.get_or_init(|| parse_table(V3_TSV)),
            ItemTable::Fourth => FOURTH.get_or_init(|| parse_table(V4_TSV)),
        }
    }
}

/// First day of the 第4期 (特定健康診査等実施計画 第4期: FY2024–FY2029).
const FOURTH_PERIOD_START: NaiveDate = match NaiveDate::from_ymd_opt(2024, 4, 1) {
    Some(d) => d,
    None => panic!("2024-04-01 is a date"),
};

/// The MHLW tables as data (sources in the files' header comments): every item with its value
/// type, unit, code system and class.
const V4_TSV: &str = include_str!("../../data/checkup-items-v4.tsv");
const V3_TSV: &str = include_str!("../../data/checkup-items-v3.tsv");

type Table = (Vec<ItemDef>, HashMap<&'static str, usize>);
static FOURTH: OnceLock<Table> = OnceLock::new();
static THIRD: OnceLock<Table> = OnceLock::new();

/// Parses a table file. The files are part of the source (checked by this crate's tests), so
/// a malformed row is a build defect: it panics with the row's number, never with data.
fn parse_table(text: &'static str) -> Table {
    let mut rows = Vec::new();
    let mut index = HashMap::new();
    let mut header = true;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if header {
            header = false;
            continue;
        }
        let f: Vec<&'static str> = line.split('\t').collect();
        let row = (|| {
            let [code, name, ty, unit, system, class] = f.as_slice() else { return None };
            let value_type = match *ty {
                "PQ" => ValueType::Pq,
                "CD" => ValueType::Cd,
                "CO" => ValueType::Co,
                "ST" => ValueType::St,
                _ => return None,
            };
            let class = match *class {
                "basic" => ItemClass::Basic,
                "detailed" => ItemClass::Detailed,
                "questionnaire" => ItemClass::Questionnaire,
                "other" => ItemClass::Other,
                _ => return None,
            };
            let opt = |s: &'static str| (!s.is_empty()).then_some(s);
            Some(ItemDef { code, name, value_type, unit: opt(unit), code_system: opt(system), class })
        })();
        let Some(row) = row else { panic!("item table: malformed row at line {}", n + 1) };
        if index.insert(row.code, rows.len()).is_some() {
            panic!("item table: code repeated at line {}", n + 1);
        }
        rows.push(row);
    }
    (rows, index)
}

/// The 第4期 row for `code` (the table the writer writes and the generator uses).
pub fn item(code: &str) -> Option<&'static ItemDef> {
    ItemTable::Fourth.item(code)
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
    fn tables_are_well_formed() {
        // Counts from the source files' headers: 第4期 322 items (MHLW 001082795), 第3期 299.
        assert_eq!(ItemTable::Fourth.rows().len(), 322);
        assert_eq!(ItemTable::Third.rows().len(), 299);
        for table in [ItemTable::Third, ItemTable::Fourth] {
            let mut seen = HashSet::new();
            for d in table.rows() {
                assert_eq!(d.code.len(), 17, "{}", d.code);
                assert!(d.code.bytes().all(|b| b.is_ascii_alphanumeric()), "{}", d.code);
                assert!(seen.insert(d.code), "duplicate {}", d.code);
                match d.value_type {
                    // 7 PQ items have no unit in the MHLW table (尿比重, 視力, A/G).
                    ValueType::Pq => assert!(d.code_system.is_none(), "{}", d.code),
                    ValueType::Cd | ValueType::Co => {
                        assert!(d.unit.is_none() && d.code_system.is_some(), "{}", d.code)
                    }
                    ValueType::St => assert!(d.unit.is_none() && d.code_system.is_none(), "{}", d.code),
                }
                assert_eq!(table.item(d.code), Some(d));
            }
        }
    }

    #[test]
    fn the_table_follows_the_exam_date_and_classes_the_items() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(ItemTable::for_exam_date(day(2024, 3, 31)), ItemTable::Third);
        assert_eq!(ItemTable::for_exam_date(day(2024, 4, 1)), ItemTable::Fourth);
        // 既往歴・自覚症状・他覚症状 are required basic items (MHLW table 〇), 貧血 (ヘマトクリット)
        // and 心電図 are 詳細な健診, 喫煙 a question.
        for code in ["9N056000000000011", "9N061000000000011", "9N066000000000011"] {
            assert_eq!(item(code).map(|d| d.class), Some(ItemClass::Basic), "{code}");
        }
        assert_eq!(item("2A040000001930102").map(|d| d.class), Some(ItemClass::Detailed));
        assert_eq!(item("9A110160700000011").map(|d| d.class), Some(ItemClass::Detailed));
        assert_eq!(item(SMOKING).map(|d| d.class), Some(ItemClass::Questionnaire));
        // 喫煙's answers: はい/いいえ in the 第3期, three answers (24060) from the 第4期.
        assert_eq!(ItemTable::Third.item(SMOKING).and_then(|d| d.code_system), Some(oid::YES_NO));
        assert_eq!(ItemTable::Fourth.item(SMOKING).and_then(|d| d.code_system), Some(oid::SMOKING));
        // 随時中性脂肪 is new in the 第4期.
        assert!(ItemTable::Third.item(TG_CASUAL[0]).is_none() && item(TG_CASUAL[0]).is_some());
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
