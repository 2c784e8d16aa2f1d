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
//! * 多数回該当: from the 4th month with a household payment within 12 months (§4.1);
//! * ceilings are dated data ([`ceilings_for`]); the 2026-08 and 2027-08 changes are decided but
//!   their figures are not in our notes (§4.4), so a month from 2026-08 on is refused with
//!   [`KogakuError::FiguresPending`] until they are entered.
//!
//! Not modelled (said, not hidden): 低所得 (住民税非課税) needs tax data the society does not hold,
//! so 区分 オ and 低所得Ⅰ/Ⅱ are reached only through an explicit flag; the 70–74 外来 yearly cap
//! (144,000, Aug–Jul) is an annual, on-application benefit; the halved ceilings in the month of
//! the 75th birthday; 現役並み reverting to 一般 on application (income test).
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

/// 所得区分 under 70 (since 2015-01).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Under70 {
    /// ア: 標準報酬月額 ≥ 830,000.
    A,
    /// イ: 530,000–790,000.
    I,
    /// ウ: 280,000–500,000.
    U,
    /// エ: ≤ 260,000.
    E,
    /// オ: 住民税非課税.
    O,
}

/// 所得区分 at 70–74 (since 2018-08).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Elderly {
    /// 現役並みⅢ: ≥ 830,000.
    Active3,
    /// 現役並みⅡ: 530,000–790,000.
    Active2,
    /// 現役並みⅠ: 280,000–500,000.
    Active1,
    /// 一般: ≤ 260,000.
    General,
    /// 低所得Ⅱ: 住民税非課税.
    LowIncome2,
    /// 低所得Ⅰ: 非課税 with no income after deductions.
    LowIncome1,
}

impl Under70 {
    pub fn label(self) -> &'static str {
        match self {
            Under70::A => "ア",
            Under70::I => "イ",
            Under70::U => "ウ",
            Under70::E => "エ",
            Under70::O => "オ",
        }
    }
    fn index(self) -> usize {
        self as usize
    }
}

impl Elderly {
    pub fn label(self) -> &'static str {
        match self {
            Elderly::Active3 => "現役並みⅢ",
            Elderly::Active2 => "現役並みⅡ",
            Elderly::Active1 => "現役並みⅠ",
            Elderly::General => "一般",
            Elderly::LowIncome2 => "低所得Ⅱ",
            Elderly::LowIncome1 => "低所得Ⅰ",
        }
    }
    fn index(self) -> usize {
        self as usize
    }
    /// 現役並み pay 3割 at 70–74 (§5).
    pub fn is_active(self) -> bool {
        matches!(self, Elderly::Active3 | Elderly::Active2 | Elderly::Active1)
    }
}

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
    pub fn under70(self) -> Under70 {
        match self.standard_monthly {
            _ if self.tax_exempt => Under70::O,
            m if m >= 830_000 => Under70::A,
            m if m >= 530_000 => Under70::I,
            m if m >= 280_000 => Under70::U,
            _ => Under70::E,
        }
    }
    pub fn elderly(self) -> Elderly {
        match self.standard_monthly {
            _ if self.tax_exempt && self.no_income => Elderly::LowIncome1,
            _ if self.tax_exempt => Elderly::LowIncome2,
            m if m >= 830_000 => Elderly::Active3,
            m if m >= 530_000 => Elderly::Active2,
            m if m >= 280_000 => Elderly::Active1,
            _ => Elderly::General,
        }
    }
}

/// A monthly ceiling: `base`, plus 1 % of the 総医療費 above `threshold` when there is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ceiling {
    pub base: Yen,
    pub threshold: Option<Yen>,
}

impl Ceiling {
    const fn flat(base: Yen) -> Self {
        Ceiling { base, threshold: None }
    }
    const fn formula(base: Yen, threshold: Yen) -> Self {
        Ceiling { base, threshold: Some(threshold) }
    }
    /// The ceiling for a 総医療費; the 1 % is rounded to the yen, half up.
    pub fn amount(self, cost: Yen) -> Yen {
        match self.threshold {
            Some(t) if cost > t => self.base + (cost - t + 50) / 100,
            _ => self.base,
        }
    }
    fn explain(self, cost: Yen) -> String {
        match self.threshold {
            Some(t) if cost > t => {
                format!("{} + ({} − {}) × 1% = {}円", yen(self.base), yen(cost), yen(t), yen(self.amount(cost)))
            }
            Some(t) => format!("{}円 (医療費 {} が {} 以下)", yen(self.base), yen(cost), yen(t)),
            None => format!("{}円", yen(self.base)),
        }
    }
}

/// The ceilings in force from one month on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CeilingFigures {
    /// Indexed by [`Under70`] (ア, イ, ウ, エ, オ).
    pub under70: [Ceiling; 5],
    pub under70_many: [Yen; 5],
    /// Indexed by [`Elderly`]; `None` where there is no individual 外来 ceiling (現役並み).
    pub elderly_outpatient: [Option<Yen>; 6],
    pub elderly_household: [Ceiling; 6],
    /// `None` where 多数回 does not apply (低所得).
    pub elderly_many: [Option<Yen>; 6],
}

/// One row of the dated ceiling table.
#[derive(Clone, Debug)]
pub struct CeilingPeriod {
    pub from: YearMonth,
    /// What decided the row.
    pub source: &'static str,
    /// `None`: the change is decided but its figures are not known yet.
    pub figures: Option<CeilingFigures>,
}

const fn ym(year: i32, month: u32) -> YearMonth {
    YearMonth::from_parts(year, month)
}

/// The ceilings since 2018-08 (施行令 Art. 42 as amended; §4.1 and §4.3 of the reference).
fn figures_2018_08() -> CeilingFigures {
    CeilingFigures {
        under70: [
            Ceiling::formula(252_600, 842_000),
            Ceiling::formula(167_400, 558_000),
            Ceiling::formula(80_100, 267_000),
            Ceiling::flat(57_600),
            Ceiling::flat(35_400),
        ],
        under70_many: [140_100, 93_000, 44_400, 44_400, 24_600],
        elderly_outpatient: [None, None, None, Some(18_000), Some(8_000), Some(8_000)],
        elderly_household: [
            Ceiling::formula(252_600, 842_000),
            Ceiling::formula(167_400, 558_000),
            Ceiling::formula(80_100, 267_000),
            Ceiling::flat(57_600),
            Ceiling::flat(24_600),
            Ceiling::flat(15_000),
        ],
        elderly_many: [Some(140_100), Some(93_000), Some(44_400), Some(44_400), None, None],
    }
}

/// The dated table. Later rows win from their month on.
pub fn ceiling_table() -> Vec<CeilingPeriod> {
    vec![
        CeilingPeriod {
            from: ym(2018, 8),
            source: "健康保険法施行令 Art. 42 (2018-08 改正: 70–74 現役並み細分化、一般 外来 18,000)",
            figures: Some(figures_2018_08()),
        },
        CeilingPeriod {
            from: ym(2026, 8),
            source: "2025-12-24 大臣合意 第1段階 (限度額引上げ・年間上限の新設): 政令の数値未確認",
            figures: None,
        },
        CeilingPeriod {
            from: ym(2027, 8),
            source: "2025-12-24 大臣合意 第2段階 (所得区分の細分化): 政令の数値未確認",
            figures: None,
        },
    ]
}

/// Why a month cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KogakuError {
    #[error("{month}: ceilings before 2018-08 are not modelled")]
    NotModelled { month: YearMonth },
    #[error("{month}: the ceilings in force from {from} ({source_note}) have not been entered; no payment is computed")]
    FiguresPending { month: YearMonth, from: YearMonth, source_note: &'static str },
    /// A receipt's points or charge outside what a receipt can carry (HO 合計点数 N8, 負担金額
    /// N9): stored data that did not come through the reader, or a defect. Nothing is paid.
    #[error("receipt #{receipt_id}: {what} is outside what a receipt can carry; no payment is computed")]
    AmountOutOfRange { receipt_id: i64, what: &'static str },
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

/// The figures in force in `month`.
pub fn ceilings_for(table: &[CeilingPeriod], month: YearMonth) -> Result<CeilingFigures, KogakuError> {
    let row = table.iter().rev().find(|p| p.from <= month).ok_or(KogakuError::NotModelled { month })?;
    row.figures.clone().ok_or(KogakuError::FiguresPending { month, from: row.from, source_note: row.source })
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
/// left. Payments come in a stable order (kind, person, receipts).
///
/// Every claim's amounts are checked first (0 ≤ cost ≤ [`MAX_RECEIPT_POINTS`] × 10, 0 ≤ charge ≤
/// [`MAX_RECEIPT_CHARGE`], at most [`MAX_HOUSEHOLD_CLAIMS`] claims): within those bounds no sum
/// below can overflow, and outside them nothing is paid.
pub fn compute(
    h: &HouseholdMonth,
    figures: &CeilingFigures,
    rules: &AdditionRules,
) -> Result<Vec<Payment>, KogakuError> {
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
    Ok(compute_checked(h, figures, rules))
}

fn compute_checked(h: &HouseholdMonth, figures: &CeilingFigures, rules: &AdditionRules) -> Vec<Payment> {
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
    let elderly_bracket = h.income.elderly();
    let under70_bracket = h.income.under70();
    let ei = elderly_bracket.index();

    // Step 1: 70–74, the individual 外来 ceiling, every amount counting.
    if let Some(cap) = figures.elderly_outpatient[ei] {
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
                let mut lines = vec![format!("70–74歳 {}・外来個人の上限 {}円", elderly_bracket.label(), yen(cap))];
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
    if !elderly_idx.is_empty() {
        let total: Yen = elderly_idx.iter().map(|&i| units[i].left()).sum();
        let cost: Yen = elderly_idx.iter().map(|&i| units[i].cost).sum();
        let (cap, cap_text) = match (many, figures.elderly_many[ei]) {
            (true, Some(m)) => (m, format!("{}円（多数回該当）", yen(m))),
            _ => {
                let c = figures.elderly_household[ei];
                (c.amount(cost), c.explain(cost))
            }
        };
        if total > cap {
            let excess = total - cap;
            let mut lines = vec![format!("70–74歳 {}・世帯の上限 {}", elderly_bracket.label(), cap_text)];
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
        let ui = under70_bracket.index();
        let (cap, cap_text) = if many {
            (figures.under70_many[ui], format!("{}円（多数回該当）", yen(figures.under70_many[ui])))
        } else {
            let c = figures.under70[ui];
            (c.amount(cost), c.explain(cost))
        };
        if total > cap {
            if combined_idx.len() >= 2 {
                combined_units.clone_from(&combined_idx);
            }
            let excess = total - cap;
            let mut lines = vec![format!(
                "区分{}（標準報酬月額 {}円）の上限 {}",
                under70_bracket.label(),
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
    payments
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

    #[test]
    fn published_example_category_u() {
        // §4.1 [K35]: ウ, 総医療費 1,000,000 → 80,100 + (1,000,000 − 267,000) × 1% = 87,430.
        assert_eq!(figures_2018_08().under70[Under70::U.index()].amount(1_000_000), 87_430);
    }

    #[test]
    fn yen_groups_digits() {
        assert_eq!(yen(1_234_567), "1,234,567");
        assert_eq!(yen(999), "999");
        assert_eq!(yen(-21_000), "−21,000");
    }

    #[test]
    fn months_from_2026_08_wait_for_their_figures() {
        let t = ceiling_table();
        assert!(ceilings_for(&t, ym(2026, 7)).is_ok());
        assert!(matches!(ceilings_for(&t, ym(2026, 8)), Err(KogakuError::FiguresPending { .. })));
        assert!(
            matches!(ceilings_for(&t, ym(2027, 9)), Err(KogakuError::FiguresPending { from, .. }) if from == ym(2027, 8))
        );
        assert!(matches!(ceilings_for(&t, ym(2018, 7)), Err(KogakuError::NotModelled { .. })));
    }
}
