//! 特定健診 results and 特定保健指導 records.

use crate::person::Sex;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The value of one result item (by JLAC10 17-character code).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResultValue {
    /// `PQ`: a number (kept as its decimal text, as written) and a UCUM-like unit.
    Quantity { value: String, unit: String },
    /// `CD` / `CO`: a code from a code system (OID).
    Coded { code: String, code_system: String },
    /// `ST`: free text (e.g. 医師の診断).
    Text(String),
    /// A quantity beyond what the method measures, written as two values: `CD` `H` (above) or
    /// `L` (below) in HL7 ObservationInterpretation with the `PQ` limit — e.g. 拡張期血圧
    /// `H` + 150 mm[Hg] means "150 以上". The true value is at least (`H`) or at most (`L`) it.
    Beyond { interpretation: String, value: String, unit: String },
    /// 未実施 (`negationInd="true"`).
    NotPerformed,
    /// 測定不能 (`nullFlavor="NI"`).
    Unmeasurable,
}

impl ResultValue {
    pub fn type_code(&self) -> &'static str {
        match self {
            ResultValue::Quantity { .. } => "PQ",
            ResultValue::Coded { .. } => "CD",
            ResultValue::Text(_) => "ST",
            ResultValue::Beyond { .. } => "PQ_BEYOND",
            ResultValue::NotPerformed => "NOT_PERFORMED",
            ResultValue::Unmeasurable => "UNMEASURABLE",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckupResult {
    /// JLAC10 / MHLW 17-character item code.
    pub code: String,
    pub value: ResultValue,
}

/// 健診機関.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckupInstitution {
    /// 健診機関番号 (10 digits).
    pub code: String,
    pub name: String,
    pub address: String,
}

/// One 特定健診 document (hc08): who, when, where, what.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckupRecord {
    pub insurer_number: String,
    pub card_symbol: String,
    pub card_number: String,
    pub card_branch: Option<u8>,
    pub name_kana: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub postal_code: String,
    pub address: String,
    pub exam_date: NaiveDate,
    pub institution: CheckupInstitution,
    pub results: Vec<CheckupResult>,
}

impl std::fmt::Debug for CheckupRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CheckupRecord {{ institution: {}, results: {}, .. }}", self.institution.code, self.results.len())
    }
}

/// 保健指導レベル.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GuidanceLevel {
    /// 積極的支援.
    Intensive,
    /// 動機付け支援.
    Motivational,
}

impl GuidanceLevel {
    pub fn code(self) -> &'static str {
        match self {
            GuidanceLevel::Intensive => "intensive",
            GuidanceLevel::Motivational => "motivational",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "intensive" | "積極的支援" => Some(GuidanceLevel::Intensive),
            "motivational" | "動機付け支援" => Some(GuidanceLevel::Motivational),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            GuidanceLevel::Intensive => "積極的支援",
            GuidanceLevel::Motivational => "動機付け支援",
        }
    }
}

/// How far a 特定保健指導 got, as the 報告区分 of its hg08 document says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GuidanceStatus {
    /// 21 開始時 (初回面接 done).
    Started,
    /// 22 実績評価時 (completed).
    Completed,
    /// 23 途中終了.
    Dropped,
}

impl GuidanceStatus {
    pub fn code(self) -> &'static str {
        match self {
            GuidanceStatus::Started => "started",
            GuidanceStatus::Completed => "completed",
            GuidanceStatus::Dropped => "dropped",
        }
    }
    /// 報告区分 (code table 1.2.392.200119.6.1001).
    pub fn report_category(self) -> &'static str {
        match self {
            GuidanceStatus::Started => "21",
            GuidanceStatus::Completed => "22",
            GuidanceStatus::Dropped => "23",
        }
    }
    pub fn from_report_category(code: &str) -> Option<Self> {
        match code {
            "21" => Some(GuidanceStatus::Started),
            "22" => Some(GuidanceStatus::Completed),
            "23" => Some(GuidanceStatus::Dropped),
            _ => None,
        }
    }
}

/// One 特定保健指導 document (hg08) a guidance contractor returns: who, which level, how far.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuidanceReport {
    pub insurer_number: String,
    pub card_symbol: String,
    pub card_number: String,
    pub card_branch: Option<u8>,
    pub name_kana: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub postal_code: String,
    pub address: String,
    /// 保健指導機関.
    pub institution: CheckupInstitution,
    pub status: GuidanceStatus,
    pub level: GuidanceLevel,
    /// 初回面接日.
    pub first_interview: NaiveDate,
    /// 実績評価日 (or the day it ended, for 途中終了).
    pub evaluated_on: Option<NaiveDate>,
    /// 腹囲・体重 at the 実績評価, as written (decimal text).
    pub waist_cm: Option<String>,
    pub weight_kg: Option<String>,
}

impl std::fmt::Debug for GuidanceReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GuidanceReport {{ status: {:?}, level: {:?}, .. }}", self.status, self.level)
    }
}
