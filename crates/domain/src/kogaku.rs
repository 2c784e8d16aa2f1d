//! 高額療養費 (健康保険法 Art. 115, 施行令 Art. 41–42) and the society's 付加給付, as pure
//! functions over one household's month.
//!
//! Rules from `shared/reference/rules-benefits-premiums-privacy.md` §4 (cited there as
//! \[K33\]–\[K41\]):
//! * the unit is one person, one month, one institution, 入院 or 外来, 医科 or 歯科; a 調剤
//!   receipt is merged into the unit of the institution that prescribed it (§4.2);
//! * under 70: 区分 ア–オ from the member's 標準報酬月額; 世帯合算 adds the units of ≥21,000 yen
//!   of the member and the dependants (§4.1, §4.2);
//! * 70–74: every amount counts; the individual 外来 ceiling first, then the 70–74 household
//!   ceiling, then — in a household that also has people under 70 — what is left is added to the
//!   under-70 units of ≥21,000 and the under-70 ceiling applies (§4.2, §4.3);
//! * 多数回該当: from the 4th month with a household payment within 12 months (§4.1); months
//!   in which only the 70–74 外来 ceiling paid do not count (the caller counts household payments);
//! * ceilings and their 所得区分 are dated data (`data/kogaku-ceilings.toml`, [`ceiling_table`]),
//!   each row citing its source; a month is computed with the period in force on its first day.
//!   Entered: 2018-08, 2026-08 (every 区分, with the new 年間上限) and the under-70 subdivision of
//!   2027-08; the 70–74 figures from 2027-08 are still being designed by MHLW, so a household whose
//!   70–74 person has care in such a month is refused ([`KogakuError::ElderlyFiguresPending`]);
//! * 年間上限 ([`yearly_cap`], from the 2026-08 計算期間): over 8月–翌7月, what the household bore
//!   after the monthly 高額療養費 and 付加給付 ([`MonthResult::borne`]) beyond the cap of the
//!   member's bracket on the 基準日 (31 July). The 政令 text was not read here: the unit
//!   (household), what counts and the 付加給付 order follow the MHLW rule for the 70–74 外来
//!   yearly cap (保保発1204第2号) and are said in README "年間上限".
//!
//! Not modelled (said, not hidden): 低所得 (住民税非課税) needs tax data the society does not hold,
//! so 区分 オ and 低所得Ⅰ/Ⅱ are reached only through an explicit flag; the 70–74 外来 yearly cap
//! (144,000, 216,000 from 2026-08; per person, on application) is in the table but not paid; the
//! halved ceilings in the month of the 75th birthday; 現役並み reverting to 一般 on application
//! (income test).
//!
//! 付加給付 ([`AdditionRules`]) follow the shape of the published 規約 of real societies (§4.5):
//! a threshold per unit (tiered by 標準報酬), net of 高額療養費, truncated to 100 or 1,000 yen,
//! with a minimum payable; units with public aid (公費) get none.
//!
//! Must never: read data, know about receipts files or databases, or round anywhere but here.

use crate::Yen;
use crate::date::YearMonth;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;
use std::fmt;

/// What decides a household's 所得区分: the member's 標準報酬月額 in force in the month, and
/// the tax facts the society learns only on application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IncomeFacts {
    pub standard_monthly: Yen,
    /// 住民税非課税 (from a 限度額適用認定 application).
    pub tax_exempt: bool,
    /// 低所得Ⅰ at 70–74 (no income after deductions).
    pub no_income: bool,
}

impl IncomeFacts {
    /// 現役並み at 70–74, who pay 3割 (健康保険法 Art. 74 Para. 1 No. 3: 標準報酬月額 ≥ 280,000).
    /// This is the share rule, not a 高額療養費 bracket, so it does not move with the ceiling table.
    pub fn elderly_active(self) -> bool {
        !self.tax_exempt && self.standard_monthly >= 280_000
    }
}

/// Who falls in a bracket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncomeTest {
    /// 標準報酬月額 at least this much; of the brackets reached, the one with the highest floor wins.
    StandardFrom(Yen),
    /// 住民税非課税.
    TaxExempt,
    /// 70–74: 住民税非課税 with no income after deductions (低所得Ⅰ).
    NoIncome,
}

/// One 所得区分 of one period, with everything that period fixes for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bracket {
    /// Short name as staff know it ("ウ", "現役並みⅠ", "一般").
    pub code: String,
    /// Name in explanations ("区分ウ", "70–74歳 一般").
    pub label: String,
    /// The income it covers ("標準報酬月額28万〜50万円").
    pub range: String,
    pub test: IncomeTest,
    /// Monthly household ceiling.
    pub ceiling: Ceiling,
    /// 多数回該当; `None` where 多数回 does not apply.
    pub many: Option<Yen>,
    /// 70–74: the individual 外来 ceiling (外来特例).
    pub outpatient: Option<Yen>,
    /// 70–74: yearly cap of the 外来特例 (計算期間 8月–翌7月).
    pub outpatient_yearly: Option<Yen>,
    /// 年間上限: yearly cap on what the household bears after the monthly refunds.
    pub yearly: Option<Yen>,
    /// A lower 年間上限 where the member's 標準報酬月額 is at most `.1` (e.g. 410,000 at ≤ 150,000
    /// within 区分エ in 2026-08 … 2027-07): `(cap, max standard)`.
    pub yearly_reduced: Option<(Yen, Yen)>,
    /// Where the figures come from.
    pub source: String,
}

/// A monthly ceiling: `base`, plus 1 % of the 総医療費 above `threshold` when there is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ceiling {
    pub base: Yen,
    pub threshold: Option<Yen>,
}

impl Ceiling {
    /// The ceiling for a 総医療費; the 1 % is rounded to the yen, half up.
    pub fn amount(self, cost: Yen) -> Yen {
        match self.threshold {
            Some(t) if cost > t => self.base + (cost - t + 50) / 100,
            _ => self.base,
        }
    }
    /// The arithmetic of [`Ceiling::amount`] in words.
    pub fn explain(self, cost: Yen) -> String {
        match self.threshold {
            Some(t) if cost > t => {
                format!("{} + ({} − {}) × 1% = {}円", yen(self.base), yen(cost), yen(t), yen(self.amount(cost)))
            }
            Some(t) => format!("{}円 (医療費 {} が {} 以下)", yen(self.base), yen(cost), yen(t)),
            None => format!("{}円", yen(self.base)),
        }
    }
}

/// The brackets in force from one month on. Built only by [`parse_table`], which checks that
/// each list has a bracket from 0 yen and a 住民税非課税 one, so selection always finds one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CeilingFigures {
    from: YearMonth,
    under70: Vec<Bracket>,
    /// `None`: the 70–74 figures of the period are not entered (households with a 70–74 person
    /// are not computed in its months).
    elderly: Option<Vec<Bracket>>,
}

impl CeilingFigures {
    /// The first month of the period these figures belong to.
    pub fn from(&self) -> YearMonth {
        self.from
    }
    pub fn under70(&self) -> &[Bracket] {
        &self.under70
    }
    pub fn elderly(&self) -> Option<&[Bracket]> {
        self.elderly.as_deref()
    }
    /// The under-70 bracket of a household.
    pub fn under70_for(&self, income: IncomeFacts) -> &Bracket {
        select(&self.under70, income)
    }
    /// The 70–74 bracket of a household; `None` where the period's 70–74 figures are pending.
    pub fn elderly_for(&self, income: IncomeFacts) -> Option<&Bracket> {
        self.elderly.as_deref().map(|list| select(list, income))
    }
}

fn select(list: &[Bracket], income: IncomeFacts) -> &Bracket {
    let find = |t: IncomeTest| list.iter().find(|b| b.test == t);
    if income.tax_exempt {
        let low = if income.no_income { find(IncomeTest::NoIncome) } else { None };
        if let Some(b) = low.or_else(|| find(IncomeTest::TaxExempt)) {
            return b;
        }
    }
    list.iter()
        .filter_map(|b| match b.test {
            IncomeTest::StandardFrom(min) if income.standard_monthly >= min => Some((min, b)),
            _ => None,
        })
        .max_by_key(|(min, _)| *min)
        .map(|(_, b)| b)
        .expect("checked when the table was read: every list has a bracket from 0 yen")
}

/// One row of the dated ceiling table.
#[derive(Clone, Debug)]
pub struct CeilingPeriod {
    pub from: YearMonth,
    /// What decided the row.
    pub source: String,
    /// `None`: the change is decided but its figures are not entered.
    pub figures: Option<CeilingFigures>,
}

/// The table as written in `data/kogaku-ceilings.toml`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    period: Vec<PeriodFile>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodFile {
    from: String,
    source: String,
    #[serde(default)]
    pending: bool,
    #[serde(default)]
    elderly_pending: bool,
    #[serde(default)]
    under70: Vec<BracketFile>,
    #[serde(default)]
    elderly: Vec<BracketFile>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BracketFile {
    code: String,
    label: String,
    range: String,
    standard_from: Option<Yen>,
    #[serde(default)]
    tax_exempt: bool,
    #[serde(default)]
    no_income: bool,
    base: Yen,
    threshold: Option<Yen>,
    many: Option<Yen>,
    outpatient: Option<Yen>,
    outpatient_yearly: Option<Yen>,
    yearly: Option<Yen>,
    yearly_reduced: Option<Yen>,
    yearly_reduced_standard_max: Option<Yen>,
    source: String,
}

/// The ceiling table, compiled into the binary: a law's figures are not a setting.
const TABLE_TOML: &str = include_str!("../data/kogaku-ceilings.toml");

/// The dated table, read once. Later rows win from their month on.
pub fn ceiling_table() -> &'static [CeilingPeriod] {
    static TABLE: std::sync::OnceLock<Vec<CeilingPeriod>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        // The file is part of the source and checked by the tests; a broken one is a build defect.
        parse_table(TABLE_TOML).unwrap_or_else(|e| panic!("data/kogaku-ceilings.toml: {e}"))
    })
}

/// Reads and checks a ceiling table.
pub fn parse_table(text: &str) -> Result<Vec<CeilingPeriod>, String> {
    let file: TableFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out: Vec<CeilingPeriod> = Vec::new();
    for p in file.period {
        let from: YearMonth = p.from.parse().map_err(|e| format!("period {}: {e}", p.from))?;
        if out.last().is_some_and(|last| last.from >= from) {
            return Err(format!("period {from}: periods must be in increasing order"));
        }
        let figures = if p.pending {
            if !p.under70.is_empty() || !p.elderly.is_empty() {
                return Err(format!("period {from}: pending, yet brackets are given"));
            }
            None
        } else {
            let under70 = brackets(from, "under70", p.under70)?;
            let elderly = if p.elderly_pending {
                if !p.elderly.is_empty() {
                    return Err(format!("period {from}: elderly pending, yet elderly brackets are given"));
                }
                None
            } else {
                Some(brackets(from, "elderly", p.elderly)?)
            };
            Some(CeilingFigures { from, under70, elderly })
        };
        out.push(CeilingPeriod { from, source: p.source, figures });
    }
    Ok(out)
}

fn brackets(from: YearMonth, list: &str, rows: Vec<BracketFile>) -> Result<Vec<Bracket>, String> {
    let mut out: Vec<Bracket> = Vec::new();
    for b in rows {
        let at = format!("period {from} {list} {}", b.code);
        let test = match (b.standard_from, b.tax_exempt, b.no_income) {
            (Some(m), false, false) if m >= 0 => IncomeTest::StandardFrom(m),
            (None, true, false) => IncomeTest::TaxExempt,
            (None, false, true) => IncomeTest::NoIncome,
            _ => return Err(format!("{at}: exactly one of standard_from (≥ 0), tax_exempt, no_income")),
        };
        let yearly_reduced = match (b.yearly_reduced, b.yearly_reduced_standard_max) {
            (Some(cap), Some(max)) => Some((cap, max)),
            (None, None) => None,
            _ => return Err(format!("{at}: yearly_reduced and yearly_reduced_standard_max go together")),
        };
        let amounts = [
            Some(b.base),
            b.threshold,
            b.many,
            b.outpatient,
            b.outpatient_yearly,
            b.yearly,
            b.yearly_reduced,
            b.yearly_reduced_standard_max,
        ];
        if amounts.iter().flatten().any(|a| *a <= 0 || *a > MAX_RECEIPT_CHARGE) {
            return Err(format!("{at}: amounts must be positive yen"));
        }
        if out.iter().any(|o| o.code == b.code || o.test == test) {
            return Err(format!("{at}: code or income test given twice"));
        }
        out.push(Bracket {
            code: b.code,
            label: b.label,
            range: b.range,
            test,
            ceiling: Ceiling { base: b.base, threshold: b.threshold },
            many: b.many,
            outpatient: b.outpatient,
            outpatient_yearly: b.outpatient_yearly,
            yearly: b.yearly,
            yearly_reduced,
            source: b.source,
        });
    }
    if !out.iter().any(|b| b.test == IncomeTest::StandardFrom(0)) {
        return Err(format!("period {from} {list}: no bracket with standard_from = 0"));
    }
    if !out.iter().any(|b| b.test == IncomeTest::TaxExempt) {
        return Err(format!("period {from} {list}: no tax_exempt bracket"));
    }
    Ok(out)
}

/// Why a month cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KogakuError {
    #[error("{month}: ceilings before 2018-08 are not modelled")]
    NotModelled { month: YearMonth },
    #[error("{month}: the ceilings in force from {from} ({source_note}) have not been entered; no payment is computed")]
    FiguresPending { month: YearMonth, from: YearMonth, source_note: String },
    /// A receipt's points or charge outside what a receipt can carry (HO 合計点数 N8, 負担金額
    /// N9): stored data that did not come through the reader, or a defect. Nothing is paid.
    #[error("receipt #{receipt_id}: {what} is outside what a receipt can carry; no payment is computed")]
    AmountOutOfRange { receipt_id: i64, what: &'static str },
    #[error(
        "{month}: the 70–74 ceilings in force from {from} have not been entered; a household whose 70–74 person has care in the month is not computed"
    )]
    ElderlyFiguresPending { month: YearMonth, from: YearMonth },
    #[error("household {member}: more than {max} receipts in one month; no payment is computed")]
    TooManyClaims { member: i64, max: usize },
}

/// The largest 合計点数 a receipt can carry (HO 合計点数 is 数字 8 bytes).
pub const MAX_RECEIPT_POINTS: i64 = 99_999_999;
/// The largest 負担金額 a receipt can carry (HO 負担金額 is 数字 9 bytes, 円).
pub const MAX_RECEIPT_CHARGE: Yen = 999_999_999;
/// Claims of one household in one month that [`compute`] accepts. With each amount under
/// 10^9 yen every sum below stays under 10^15 yen: i64 cannot overflow.
pub const MAX_HOUSEHOLD_CLAIMS: usize = 1_000_000;

/// 総医療費 and 一部負担金 of one receipt, each checked against what a receipt can carry (the
/// bound that keeps every later sum far from overflow).
pub fn claim_amounts(
    receipt_id: i64,
    points: i64,
    recorded: Option<Yen>,
    share_percent: u32,
) -> Result<(Yen, Yen), KogakuError> {
    if !(0..=MAX_RECEIPT_POINTS).contains(&points) {
        return Err(KogakuError::AmountOutOfRange { receipt_id, what: "合計点数" });
    }
    if recorded.is_some_and(|r| !(0..=MAX_RECEIPT_CHARGE).contains(&r)) || share_percent > 100 {
        return Err(KogakuError::AmountOutOfRange { receipt_id, what: "負担金額" });
    }
    Ok((points * 10, patient_charge(points, recorded, share_percent)))
}

/// The period in force on the first day of `month`.
pub fn period_for(table: &[CeilingPeriod], month: YearMonth) -> Result<&CeilingPeriod, KogakuError> {
    table.iter().rev().find(|p| p.from <= month).ok_or(KogakuError::NotModelled { month })
}

/// The figures in force in `month`.
pub fn ceilings_for(table: &[CeilingPeriod], month: YearMonth) -> Result<&CeilingFigures, KogakuError> {
    let row = period_for(table, month)?;
    row.figures.as_ref().ok_or_else(|| KogakuError::FiguresPending {
        month,
        from: row.from,
        source_note: row.source.clone(),
    })
}

/// Whether a person is a 高齢受給者 (70–74 rules) in `month`: from the month after the 70th
/// birthday, or that month when the birthday is the 1st (§5).
pub fn is_elderly_in(birth: NaiveDate, month: YearMonth) -> bool {
    let Some(seventieth) = birth.with_year(birth.year() + 70).or_else(|| {
        // 29 February: the birthday falls on 1 March in a common year.
        NaiveDate::from_ymd_opt(birth.year() + 70, 3, 1)
    }) else {
        return false;
    };
    let start = if seventieth.day() == 1 { YearMonth::of(seventieth) } else { YearMonth::of(seventieth).next() };
    month >= start
}

/// The patient's share in percent for a month (健康保険法 Art. 74, 110): 2割 before school age
/// (until the 31 March after the 6th birthday), 3割 to 69, at 70–74 2割 or 3割 for 現役並み.
pub fn share_percent(birth: NaiveDate, month: YearMonth, elderly_active: bool) -> u32 {
    // Age is reached the day before the birthday (年齢計算ニ関スル法律), so a child born on
    // 1 April joins the school year of those born before it.
    let sixth = birth.with_year(birth.year() + 6).or_else(|| NaiveDate::from_ymd_opt(birth.year() + 6, 3, 1));
    let reached = sixth.and_then(|d| d.pred_opt());
    let preschool_end = reached.and_then(|r| {
        let march = NaiveDate::from_ymd_opt(r.year(), 3, 31)?;
        if r <= march { Some(march) } else { NaiveDate::from_ymd_opt(r.year() + 1, 3, 31) }
    });
    if preschool_end.is_some_and(|end| month.first_day() <= end) {
        20
    } else if is_elderly_in(birth, month) {
        if elderly_active { 30 } else { 20 }
    } else {
        30
    }
}

/// The 一部負担金 of one receipt: the amount recorded on it (HO 負担金額) when there is one,
/// otherwise 総医療費 × share, rounded to 10 yen (10円未満四捨五入, Art. 75).
pub fn patient_charge(points: i64, recorded: Option<Yen>, share_percent: u32) -> Yen {
    if let Some(r) = recorded {
        return r;
    }
    let raw = points * 10 * i64::from(share_percent); // in 1/100 yen
    (raw + 500) / 1000 * 10
}

/// 入院 or 外来.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Setting {
    Inpatient,
    Outpatient,
}

/// 医科 or 歯科 (a 調剤 receipt takes the table of the prescribing institution).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    Medical,
    Dental,
}

/// One receipt as 高額療養費 sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub receipt_id: i64,
    pub person: i64,
    /// The institution the unit is counted under: a pharmacy's receipt carries its prescriber's.
    pub institution: String,
    /// Display name for explanations (the institution, or "薬局 → 処方元").
    pub institution_label: String,
    pub setting: Setting,
    pub table: Table,
    /// 総医療費 (meals excluded).
    pub cost: Yen,
    /// 一部負担金.
    pub charge: Yen,
    /// A 公費 pays part of it: no 付加給付.
    pub public_aid: bool,
    pub pharmacy: bool,
}

/// A person of the household in the month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseholdPerson {
    pub person: i64,
    pub is_member: bool,
    /// 高齢受給者 in the month ([`is_elderly_in`]).
    pub elderly: bool,
}

/// One household (the member and the dependants) in one month.
#[derive(Clone, Debug)]
pub struct HouseholdMonth {
    pub month: YearMonth,
    pub member: i64,
    pub income: IncomeFacts,
    pub persons: Vec<HouseholdPerson>,
    pub claims: Vec<Claim>,
    /// Months of the previous 12 in which a household 高額療養費 was paid (for 多数回).
    pub prior_household_months: u32,
}

/// Which payment a line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PaymentKind {
    /// 高額療養費 (70–74 外来 個人).
    KogakuOutpatient,
    /// 高額療養費 (70–74 世帯).
    KogakuElderlyHousehold,
    /// 高額療養費 (世帯合算 / single unit, under-70 ceiling).
    KogakuHousehold,
    /// 一部負担還元金 (the member's own care).
    MemberRefund,
    /// 家族療養付加金 (a dependant's care).
    FamilyAddition,
    /// 合算高額療養付加金.
    CombinedAddition,
}

impl PaymentKind {
    pub fn code(self) -> &'static str {
        match self {
            PaymentKind::KogakuOutpatient => "kogaku_outpatient",
            PaymentKind::KogakuElderlyHousehold => "kogaku_elderly_household",
            PaymentKind::KogakuHousehold => "kogaku_household",
            PaymentKind::MemberRefund => "member_refund",
            PaymentKind::FamilyAddition => "family_addition",
            PaymentKind::CombinedAddition => "combined_addition",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            PaymentKind::KogakuOutpatient => "高額療養費（外来個人）",
            PaymentKind::KogakuElderlyHousehold => "高額療養費（70–74歳世帯）",
            PaymentKind::KogakuHousehold => "高額療養費",
            PaymentKind::MemberRefund => "一部負担還元金",
            PaymentKind::FamilyAddition => "家族療養付加金",
            PaymentKind::CombinedAddition => "合算高額療養付加金",
        }
    }
    pub fn is_statutory(self) -> bool {
        matches!(
            self,
            PaymentKind::KogakuOutpatient | PaymentKind::KogakuElderlyHousehold | PaymentKind::KogakuHousehold
        )
    }
    pub fn from_code(code: &str) -> Option<Self> {
        [
            PaymentKind::KogakuOutpatient,
            PaymentKind::KogakuElderlyHousehold,
            PaymentKind::KogakuHousehold,
            PaymentKind::MemberRefund,
            PaymentKind::FamilyAddition,
            PaymentKind::CombinedAddition,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// One payment, with the receipts it is about and its arithmetic in Japanese, line by line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    pub kind: PaymentKind,
    /// Whose care it is about (the member for household payments).
    pub person: i64,
    pub amount: Yen,
    pub receipts: Vec<i64>,
    pub explanation: Vec<String>,
}

/// Truncation unit of 付加給付.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    Hundred,
    Thousand,
}

impl Rounding {
    pub fn unit(self) -> Yen {
        match self {
            Rounding::Hundred => 100,
            Rounding::Thousand => 1000,
        }
    }
}

/// The society's 付加給付 rules (its 規約). Thresholds are per unit; the first tier whose
/// `min_standard_monthly` the member's 標準報酬月額 reaches replaces `threshold`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdditionRules {
    pub threshold: Yen,
    /// (minimum 標準報酬月額, threshold), checked highest first.
    pub tiers: Vec<(Yen, Yen)>,
    pub rounding: Rounding,
    /// Amounts below this (after rounding) are not paid.
    pub minimum: Yen,
    pub combined: bool,
}

impl Default for AdditionRules {
    /// Kenpo's default, modelled on the published 規約 in §4.5 (デサント type): 25,000 yen per
    /// unit, 40,000 where 標準報酬月額 ≥ 530,000; 100-yen truncation; nothing under 1,000 yen;
    /// 合算高額療養付加金 paid.
    fn default() -> Self {
        AdditionRules {
            threshold: 25_000,
            tiers: vec![(530_000, 40_000)],
            rounding: Rounding::Hundred,
            minimum: 1_000,
            combined: true,
        }
    }
}

impl AdditionRules {
    pub fn threshold_for(&self, standard_monthly: Yen) -> Yen {
        let mut tiers = self.tiers.clone();
        tiers.sort_by_key(|t| std::cmp::Reverse(t.0));
        tiers.iter().find(|(min, _)| standard_monthly >= *min).map_or(self.threshold, |t| t.1)
    }
    fn round(&self, amount: Yen) -> Yen {
        let unit = self.rounding.unit();
        let r = amount.max(0) / unit * unit;
        if r < self.minimum { 0 } else { r }
    }
}

/// The 世帯合算 entry threshold under 70 (§4.2).
pub const COMBINE_MIN: Yen = 21_000;

/// One unit (person × institution × setting × table) and what is left of its charge.
#[derive(Clone, Debug)]
struct Unit {
    person: i64,
    label: String,
    setting: Setting,
    table: Table,
    cost: Yen,
    charge: Yen,
    receipts: Vec<i64>,
    public_aid: bool,
    elderly: bool,
    /// 高額療養費 attributed to this unit so far.
    relieved: Yen,
}

impl Unit {
    fn describe(&self) -> String {
        format!(
            "{} {}・{}",
            self.label,
            if self.setting == Setting::Inpatient { "入院" } else { "外来" },
            if self.table == Table::Medical { "医科" } else { "歯科" }
        )
    }
    fn left(&self) -> Yen {
        self.charge - self.relieved
    }
}

/// The whole computation for one household and month: 高額療養費 first, then 付加給付 on what is
/// left. Payments come in a stable order (kind, person, receipts). [`compute_month`] without
/// what the household bore; its checks apply.
pub fn compute(
    h: &HouseholdMonth,
    figures: &CeilingFigures,
    rules: &AdditionRules,
) -> Result<Vec<Payment>, KogakuError> {
    Ok(compute_month(h, figures, rules)?.payments)
}

/// A household month's payments and what it leaves the household to bear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthResult {
    pub payments: Vec<Payment>,
    /// What counts toward the 年間上限: the charges of the units that entered the household
    /// calculation (under 70 those of ≥ 21,000 yen, at 70–74 all), less this month's 高額療養費
    /// and 付加給付 on them. Net of 付加給付 as the MHLW 通知 for the 70–74 外来 yearly cap does
    /// (保保発1204第2号, 2017): what the member did not bear is not refunded twice.
    pub borne: Yen,
    /// The arithmetic of `borne`.
    pub borne_explanation: String,
    /// The bracket the household ceiling was taken from.
    pub bracket: String,
}

/// [`compute`], with what the household bears (for the 年間上限).
///
/// Every claim's amounts are checked first (0 ≤ cost ≤ [`MAX_RECEIPT_POINTS`] × 10, 0 ≤ charge ≤
/// [`MAX_RECEIPT_CHARGE`], at most [`MAX_HOUSEHOLD_CLAIMS`] claims): within those bounds no sum
/// below can overflow, and outside them nothing is paid. A household whose 70–74 person has care
/// is refused where the period's 70–74 figures are pending.
pub fn compute_month(
    h: &HouseholdMonth,
    figures: &CeilingFigures,
    rules: &AdditionRules,
) -> Result<MonthResult, KogakuError> {
    if h.claims.len() > MAX_HOUSEHOLD_CLAIMS {
        return Err(KogakuError::TooManyClaims { member: h.member, max: MAX_HOUSEHOLD_CLAIMS });
    }
    for c in &h.claims {
        if !(0..=MAX_RECEIPT_POINTS * 10).contains(&c.cost) {
            return Err(KogakuError::AmountOutOfRange { receipt_id: c.receipt_id, what: "総医療費" });
        }
        if !(0..=MAX_RECEIPT_CHARGE).contains(&c.charge) {
            return Err(KogakuError::AmountOutOfRange { receipt_id: c.receipt_id, what: "一部負担金" });
        }
    }
    let elderly_claim = h.claims.iter().any(|c| h.persons.iter().any(|p| p.person == c.person && p.elderly));
    if elderly_claim && figures.elderly().is_none() {
        return Err(KogakuError::ElderlyFiguresPending { month: h.month, from: figures.from() });
    }
    Ok(compute_checked(h, figures, rules))
}

fn compute_checked(h: &HouseholdMonth, figures: &CeilingFigures, rules: &AdditionRules) -> MonthResult {
    let elderly_of: BTreeMap<i64, bool> = h.persons.iter().map(|p| (p.person, p.elderly)).collect();
    let mut units: BTreeMap<(i64, String, Setting, Table), Unit> = BTreeMap::new();
    for c in &h.claims {
        let u = units.entry((c.person, c.institution.clone(), c.setting, c.table)).or_insert_with(|| Unit {
            person: c.person,
            label: c.institution_label.clone(),
            setting: c.setting,
            table: c.table,
            cost: 0,
            charge: 0,
            receipts: Vec::new(),
            public_aid: false,
            elderly: elderly_of.get(&c.person).copied().unwrap_or(false),
            relieved: 0,
        });
        if !c.pharmacy {
            u.label.clone_from(&c.institution_label);
        }
        u.cost += c.cost;
        u.charge += c.charge;
        u.receipts.push(c.receipt_id);
        u.public_aid |= c.public_aid;
    }
    let mut units: Vec<Unit> = units.into_values().collect();
    let mut payments = Vec::new();
    let many = h.prior_household_months >= 3;
    let elderly_bracket = figures.elderly_for(h.income);
    let under70_bracket = figures.under70_for(h.income);

    // Step 1: 70–74, the individual 外来 ceiling, every amount counting.
    if let Some((eb, cap)) = elderly_bracket.and_then(|b| Some((b, b.outpatient?))) {
        let people: Vec<i64> = units.iter().filter(|u| u.elderly).map(|u| u.person).collect();
        let mut seen = Vec::new();
        for person in people {
            if seen.contains(&person) {
                continue;
            }
            seen.push(person);
            let idx: Vec<usize> = (0..units.len())
                .filter(|&i| units[i].person == person && units[i].setting == Setting::Outpatient)
                .collect();
            let total: Yen = idx.iter().map(|&i| units[i].left()).sum();
            if total > cap {
                let excess = total - cap;
                let mut lines = vec![format!("{}・外来個人の上限 {}円", eb.label, yen(cap))];
                lines.extend(
                    idx.iter().map(|&i| format!("  {} 自己負担 {}円", units[i].describe(), yen(units[i].left()))),
                );
                lines.push(format!("外来 自己負担計 {}円 − 上限 {}円 = {}円", yen(total), yen(cap), yen(excess)));
                let receipts = allocate(&mut units, &idx, excess);
                payments.push(Payment {
                    kind: PaymentKind::KogakuOutpatient,
                    person,
                    amount: excess,
                    receipts,
                    explanation: lines,
                });
            }
        }
    }

    // The units of a household payment made over two or more units (世帯合算), for the
    // 合算高額療養付加金: step 3's when it pays, else step 2's.
    let mut combined_units: Vec<usize> = Vec::new();

    // Step 2: 70–74 household ceiling over all the 70–74 units.
    let elderly_idx: Vec<usize> = (0..units.len()).filter(|&i| units[i].elderly).collect();
    if let (false, Some(elderly_bracket)) = (elderly_idx.is_empty(), elderly_bracket) {
        let total: Yen = elderly_idx.iter().map(|&i| units[i].left()).sum();
        let cost: Yen = elderly_idx.iter().map(|&i| units[i].cost).sum();
        let (cap, cap_text) = household_cap(elderly_bracket, many, cost);
        if total > cap {
            let excess = total - cap;
            let mut lines = vec![format!("{}・世帯の上限 {}", elderly_bracket.label, cap_text)];
            lines.extend(elderly_idx.iter().map(|&i| {
                format!(
                    "  {} 医療費 {}円 自己負担（残） {}円",
                    units[i].describe(),
                    yen(units[i].cost),
                    yen(units[i].left())
                )
            }));
            lines.push(format!("自己負担計 {}円 − 上限 {}円 = {}円", yen(total), yen(cap), yen(excess)));
            let receipts = allocate(&mut units, &elderly_idx, excess);
            if elderly_idx.len() >= 2 {
                combined_units.clone_from(&elderly_idx);
            }
            payments.push(Payment {
                kind: PaymentKind::KogakuElderlyHousehold,
                person: h.member,
                amount: excess,
                receipts,
                explanation: lines,
            });
        }
    }

    // Step 3: under-70 ceiling over the under-70 units of ≥21,000 plus what is left at 70–74.
    // Without such an under-70 unit there is nothing to add: the 70–74 ceilings already applied.
    let young_qualifying = units.iter().any(|u| !u.elderly && u.charge >= COMBINE_MIN);
    let combined_idx: Vec<usize> = if young_qualifying {
        (0..units.len()).filter(|&i| units[i].elderly || units[i].charge >= COMBINE_MIN).collect()
    } else {
        Vec::new()
    };
    if !combined_idx.is_empty() {
        let total: Yen = combined_idx.iter().map(|&i| units[i].left()).sum();
        let cost: Yen = combined_idx.iter().map(|&i| units[i].cost).sum();
        let (cap, cap_text) = household_cap(under70_bracket, many, cost);
        if total > cap {
            if combined_idx.len() >= 2 {
                combined_units.clone_from(&combined_idx);
            }
            let excess = total - cap;
            let mut lines = vec![format!(
                "{}（標準報酬月額 {}円）の上限 {}",
                under70_bracket.label,
                yen(h.income.standard_monthly),
                cap_text
            )];
            lines.extend(combined_idx.iter().map(|&i| {
                format!(
                    "  {} 医療費 {}円 自己負担{} {}円",
                    units[i].describe(),
                    yen(units[i].cost),
                    if units[i].elderly { "（70–74歳・残）" } else { "" },
                    yen(units[i].left())
                )
            }));
            if combined_idx.len() > 1 {
                lines.push(format!("世帯合算（21,000円以上のレセプト{}件）", combined_idx.len()));
            }
            lines.push(format!("自己負担計 {}円 − 上限 {}円 = {}円", yen(total), yen(cap), yen(excess)));
            let receipts = allocate(&mut units, &combined_idx, excess);
            payments.push(Payment {
                kind: PaymentKind::KogakuHousehold,
                person: h.member,
                amount: excess,
                receipts,
                explanation: lines,
            });
        }
    }

    // 付加給付 on what is left, per unit.
    let threshold = rules.threshold_for(h.income.standard_monthly);
    let mut paid_per_unit = vec![0; units.len()];
    for (i, u) in units.iter().enumerate() {
        if u.public_aid {
            continue;
        }
        let raw = u.left() - threshold;
        let amount = rules.round(raw);
        if amount > 0 {
            paid_per_unit[i] = amount;
            let kind = if u.person == h.member { PaymentKind::MemberRefund } else { PaymentKind::FamilyAddition };
            let mut lines = vec![format!("{} 自己負担 {}円", u.describe(), yen(u.charge))];
            if u.relieved > 0 {
                lines.push(format!("高額療養費 {}円を差し引き {}円", yen(u.relieved), yen(u.left())));
            }
            lines.push(format!(
                "{}円 − 控除額 {}円 = {}円 → {}円未満切捨て {}円",
                yen(u.left()),
                yen(threshold),
                yen(raw),
                yen(rules.rounding.unit()),
                yen(amount)
            ));
            payments.push(Payment { kind, person: u.person, amount, receipts: u.receipts.clone(), explanation: lines });
        }
    }
    if rules.combined && combined_units.len() >= 2 {
        let eligible: Vec<usize> = combined_units.into_iter().filter(|&i| !units[i].public_aid).collect();
        if eligible.len() >= 2 {
            let left: Yen = eligible.iter().map(|&i| units[i].left()).sum();
            let already: Yen = eligible.iter().map(|&i| paid_per_unit[i]).sum();
            let n = eligible.len() as Yen;
            let raw = left - threshold * n - already;
            let amount = rules.round(raw);
            if amount > 0 {
                let mut receipts: Vec<i64> = eligible.iter().flat_map(|&i| units[i].receipts.iter().copied()).collect();
                receipts.sort_unstable();
                let lines = vec![
                    format!("合算対象 {}件 高額療養費後の自己負担計 {}円", n, yen(left)),
                    format!(
                        "{}円 − 控除額 {}円 × {} − 既払の還元金・付加金 {}円 = {}円 → {}円未満切捨て {}円",
                        yen(left),
                        yen(threshold),
                        n,
                        yen(already),
                        yen(raw),
                        yen(rules.rounding.unit()),
                        yen(amount)
                    ),
                ];
                payments.push(Payment {
                    kind: PaymentKind::CombinedAddition,
                    person: h.member,
                    amount,
                    receipts,
                    explanation: lines,
                });
            }
        }
    }
    payments.sort_by(|a, b| (a.kind, a.person, &a.receipts).cmp(&(b.kind, b.person, &b.receipts)));

    // What the household bore on the units the household calculation counted.
    let counted: Vec<usize> = if young_qualifying { combined_idx } else { elderly_idx };
    let left: Yen = counted.iter().map(|&i| units[i].left()).sum();
    let additions: Yen = counted.iter().map(|&i| paid_per_unit[i]).sum::<Yen>()
        + payments.iter().filter(|p| p.kind == PaymentKind::CombinedAddition).map(|p| p.amount).sum::<Yen>();
    let borne = left - additions;
    let borne_explanation = if additions > 0 {
        format!(
            "高額療養費後の自己負担 {}円 − 付加給付 {}円 = {}円（対象 {}件）",
            yen(left),
            yen(additions),
            yen(borne),
            counted.len()
        )
    } else {
        format!("高額療養費後の自己負担 {}円（対象 {}件）", yen(borne), counted.len())
    };
    let bracket = match elderly_bracket {
        Some(b) if !young_qualifying && !counted.is_empty() => b.code.clone(),
        _ => under70_bracket.code.clone(),
    };
    MonthResult { payments, borne, borne_explanation, bracket }
}

/// A 年間上限 計算期間: its first and last months, 8月 of `year` to 7月 of `year + 1` (the 基準日
/// is the last day of the last month, 31 July).
pub fn yearly_period(year: i32) -> Option<(YearMonth, YearMonth)> {
    Some((YearMonth::new(year, 8)?, YearMonth::new(year + 1, 7)?))
}

/// One household month toward the 年間上限, as the monthly run stored it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BorneMonth {
    pub month: YearMonth,
    /// [`MonthResult::borne`].
    pub borne: Yen,
    pub bracket: String,
}

/// One household's 計算期間 for the 年間上限.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearlyHousehold {
    /// The period starts in 8月 of this year.
    pub year: i32,
    pub member: i64,
    /// The member's income facts on the 基準日 (31 July of `year + 1`): they decide the cap.
    pub income: IncomeFacts,
    /// The member is a 高齢受給者 in the 基準日's month: the 70–74 bracket decides the cap.
    pub member_elderly: bool,
    pub months: Vec<BorneMonth>,
}

/// What the 年間上限 pays one household, with its arithmetic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearlyResult {
    pub member: i64,
    pub bracket: String,
    pub cap: Yen,
    pub total: Yen,
    /// `total − cap` when positive, else 0.
    pub amount: Yen,
    pub explanation: Vec<String>,
}

/// Why a 年間上限 cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum YearlyError {
    #[error("{year}年8月〜{next}年7月: the ceilings in force on the 基準日 have no 年間上限 (it starts with 2026-08 診療分)", next = year + 1)]
    NoYearlyCap { year: i32 },
    #[error("{year}: not a 計算期間 year")]
    BadYear { year: i32 },
    #[error("{year}年8月〜: the member is 70–74 on the 基準日 and the 70–74 ceilings then in force are not entered")]
    ElderlyFiguresPending { year: i32 },
    #[error("{month} is outside the 計算期間 {first} – {last}, or given twice")]
    MonthOutside { month: YearMonth, first: YearMonth, last: YearMonth },
    #[error("a month's borne amount is outside 0 ..= {max}")]
    AmountOutOfRange { max: Yen },
}

/// The 年間上限 (高額療養費 年間上限, from the 2026-08 period on) of one household: the sum of what
/// it bore over 8月–翌7月 after the monthly refunds, less the cap of its bracket on the 基準日.
///
/// `figures` are those in force in the 基準日's month (7月 of `year + 1`). The bracket is the
/// member's on the 基準日: the 70–74 list when the member is then 70–74, else the under-70 one;
/// a reduced cap applies where the bracket has one and the 標準報酬月額 is within it.
pub fn yearly_cap(h: &YearlyHousehold, figures: &CeilingFigures) -> Result<YearlyResult, YearlyError> {
    let (first, last) = yearly_period(h.year).ok_or(YearlyError::BadYear { year: h.year })?;
    let mut seen = Vec::new();
    for m in &h.months {
        if m.month < first || m.month > last || seen.contains(&m.month) {
            return Err(YearlyError::MonthOutside { month: m.month, first, last });
        }
        seen.push(m.month);
        // A month's borne amount is bounded by what a household's receipts can carry.
        if !(0..=MAX_RECEIPT_CHARGE * MAX_HOUSEHOLD_CLAIMS as Yen).contains(&m.borne) {
            return Err(YearlyError::AmountOutOfRange { max: MAX_RECEIPT_CHARGE * MAX_HOUSEHOLD_CLAIMS as Yen });
        }
    }
    let bracket = match (h.member_elderly, figures.elderly_for(h.income)) {
        (true, Some(b)) => b,
        (true, None) => return Err(YearlyError::ElderlyFiguresPending { year: h.year }),
        (false, _) => figures.under70_for(h.income),
    };
    let full = bracket.yearly.ok_or(YearlyError::NoYearlyCap { year: h.year })?;
    let (cap, cap_note) = match bracket.yearly_reduced {
        Some((reduced, max)) if !h.income.tax_exempt && h.income.standard_monthly <= max => (
            reduced,
            format!(
                "（標準報酬月額 {}円 ≤ {}円のため {}円に代えて）",
                yen(h.income.standard_monthly),
                yen(max),
                yen(full)
            ),
        ),
        _ => (full, String::new()),
    };
    let mut months = h.months.clone();
    months.sort_by_key(|m| m.month);
    let total: Yen = months.iter().map(|m| m.borne).sum();
    let amount = (total - cap).max(0);
    let mut lines = vec![format!(
        "年間上限 {}年8月〜{}年7月診療分: 基準日 {}-07-31 の{}（{}）の年間上限 {}円{}",
        h.year,
        h.year + 1,
        h.year + 1,
        bracket.label,
        bracket.range,
        yen(cap),
        cap_note
    )];
    lines.extend(months.iter().map(|m| format!("  {} 区分{} 負担 {}円", m.month, m.bracket, yen(m.borne))));
    if amount > 0 {
        lines.push(format!("負担計 {}円 − 年間上限 {}円 = {}円", yen(total), yen(cap), yen(amount)));
    } else {
        lines.push(format!("負担計 {}円 ≤ 年間上限 {}円: 支給なし", yen(total), yen(cap)));
    }
    Ok(YearlyResult { member: h.member, bracket: bracket.code.clone(), cap, total, amount, explanation: lines })
}

/// The household ceiling of a bracket for a month: 多数回 when the household has it and the
/// bracket knows it, else the monthly formula; with its arithmetic.
fn household_cap(b: &Bracket, many: bool, cost: Yen) -> (Yen, String) {
    match (many, b.many) {
        (true, Some(m)) => (m, format!("{}円（多数回該当）", yen(m))),
        _ => (b.ceiling.amount(cost), b.ceiling.explain(cost)),
    }
}

/// Spreads `excess` over the units in proportion to what is left of their charges (largest
/// remainder, so the parts add up to the whole), and returns the receipts concerned.
fn allocate(units: &mut [Unit], idx: &[usize], excess: Yen) -> Vec<i64> {
    let total: Yen = idx.iter().map(|&i| units[i].left()).sum();
    let mut receipts: Vec<i64> = idx.iter().flat_map(|&i| units[i].receipts.iter().copied()).collect();
    receipts.sort_unstable();
    if total <= 0 {
        return receipts;
    }
    let mut shares: Vec<(usize, Yen, Yen)> = idx
        .iter()
        .map(|&i| {
            let num = excess as i128 * units[i].left() as i128;
            (i, (num / total as i128) as Yen, (num % total as i128) as Yen)
        })
        .collect();
    let mut rest = excess - shares.iter().map(|s| s.1).sum::<Yen>();
    shares.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    for s in shares.iter_mut() {
        if rest == 0 {
            break;
        }
        s.1 += 1;
        rest -= 1;
    }
    for (i, part, _) in shares {
        units[i].relieved += part;
    }
    receipts
}

/// 1,234,567 → "1,234,567".
pub fn yen(v: Yen) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if v < 0 { format!("−{out}") } else { out }
}

impl fmt::Display for PaymentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(year: i32, month: u32) -> YearMonth {
        YearMonth::from_parts(year, month)
    }

    #[test]
    fn published_example_category_u() {
        // §4.1 [K35]: ウ, 総医療費 1,000,000 → 80,100 + (1,000,000 − 267,000) × 1% = 87,430.
        let f = ceilings_for(ceiling_table(), ym(2025, 10)).unwrap();
        let u = f.under70_for(IncomeFacts { standard_monthly: 300_000, tax_exempt: false, no_income: false });
        assert_eq!(u.code, "ウ");
        assert_eq!(u.ceiling.amount(1_000_000), 87_430);
    }

    #[test]
    fn yen_groups_digits() {
        assert_eq!(yen(1_234_567), "1,234,567");
        assert_eq!(yen(999), "999");
        assert_eq!(yen(-21_000), "−21,000");
    }

    #[test]
    fn the_embedded_table_reads_and_months_before_2018_08_are_refused() {
        let t = ceiling_table();
        assert!(t.len() >= 2);
        assert!(matches!(ceilings_for(t, ym(2018, 7)), Err(KogakuError::NotModelled { .. })));
        assert!(ceilings_for(t, ym(2018, 8)).is_ok());
    }

    #[test]
    fn a_broken_table_is_refused_naming_the_period() {
        let base = "[[period]]\nfrom = \"2020-01\"\nsource = \"s\"\n";
        let bracket = |extra: &str| {
            format!("[[period.under70]]\ncode = \"x\"\nlabel = \"l\"\nrange = \"r\"\nbase = 1\nsource = \"s\"\n{extra}")
        };
        for (text, what) in [
            (format!("{base}pending = true\n{}", bracket("standard_from = 0\n")), "pending, yet brackets"),
            (format!("{base}{}", bracket("standard_from = 100\n")), "no bracket with standard_from = 0"),
            (format!("{base}{}", bracket("standard_from = 0\ntax_exempt = true\n")), "exactly one of"),
            (format!("{base}{}", bracket("standard_from = 0\nmany = -5\n")), "positive"),
            (format!("{base}pending = true\n{base}pending = true\n"), "increasing order"),
        ] {
            let err = parse_table(&text).unwrap_err();
            assert!(err.contains(what) && err.contains("2020-01"), "{what}: {err}");
        }
    }

    #[test]
    fn a_70_74_member_on_a_base_day_without_70_74_figures_is_refused() {
        // 計算期間 2027-08 – 2028-07: the 基準日's month 2028-07 falls in the 2027-08 period, whose
        // 70–74 figures are not entered; a 70–74 member's cap cannot be known.
        let f = ceilings_for(ceiling_table(), ym(2028, 7)).unwrap();
        let h = YearlyHousehold {
            year: 2027,
            member: 1,
            income: IncomeFacts { standard_monthly: 200_000, tax_exempt: false, no_income: false },
            member_elderly: true,
            months: vec![BorneMonth { month: ym(2027, 9), borne: 600_000, bracket: "x".into() }],
        };
        assert_eq!(yearly_cap(&h, f), Err(YearlyError::ElderlyFiguresPending { year: 2027 }));
        // Under 70 on the same day: the 20万〜26万 band's 530,000 → 600,000 − 530,000 = 70,000.
        let young = YearlyHousehold { member_elderly: false, ..h };
        assert_eq!(yearly_cap(&young, f).map(|r| r.amount), Ok(70_000));
    }

    #[test]
    fn a_pending_period_refuses_its_months_and_names_its_source() {
        // A change decided but not entered: months from it are refused, those before computed.
        let text = "[[period]]\nfrom = \"2030-08\"\nsource = \"decided, figures not published\"\npending = true\n";
        let mut table = ceiling_table().to_vec();
        table.extend(parse_table(text).unwrap());
        assert!(ceilings_for(&table, ym(2030, 7)).is_ok());
        let err = ceilings_for(&table, ym(2031, 1)).unwrap_err();
        assert_eq!(
            err,
            KogakuError::FiguresPending {
                month: ym(2031, 1),
                from: ym(2030, 8),
                source_note: "decided, figures not published".into()
            }
        );
    }
}
