//! 標準報酬月額の決定・改定 (健康保険法 41–43の3) and 標準賞与額 (45): pure, dated rules over plain
//! types, each returning its reasoning line by line for the 決定通知書 and the staff screens.
//!
//! Sources: `shared/reference/rules-benefits-premiums-privacy.md` §1.3 (41 定時決定, 42 資格取得時,
//! 43 随時改定, 43の2 育児休業等終了時, 43の3 産前産後休業終了時, the 2-grade rule of 昭和36年
//! 保発第4号 with its grade-1/50 exceptions) and the 日本年金機構's 算定基礎届 guidance for the
//! 支払基礎日数 thresholds (17 days; 11 for 短時間労働者 of a 特定適用事業所; パート: 17, else 15).
//!
//! Averages truncate below 1 yen (the 届's 平均額 has no fractions).

use crate::date::YearMonth;
use crate::eligibility::Reasoned;
use crate::grades::{self, Grade, GradeError};
use crate::{Yen, era};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One month of pay as the 届 reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayMonth {
    pub month: YearMonth,
    /// 報酬支払基礎日数.
    pub base_days: u32,
    /// 通貨によるものの額.
    pub cash: Yen,
    /// 現物によるものの額.
    pub in_kind: Yen,
}

impl PayMonth {
    pub fn total(&self) -> Option<Yen> {
        self.cash.checked_add(self.in_kind)
    }
}

/// Which 支払基礎日数 threshold applies to the worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WorkerKind {
    /// 一般: 17 days.
    Regular,
    /// 特定適用事業所の短時間労働者 (4分の3未満): 11 days.
    ShortTime,
    /// パートタイマー (4分の3以上だが短時間): 17 days, else 15 days for 定時決定.
    PartTime,
}

impl WorkerKind {
    fn threshold(self) -> u32 {
        match self {
            WorkerKind::ShortTime => 11,
            WorkerKind::Regular | WorkerKind::PartTime => 17,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            WorkerKind::Regular => "regular",
            WorkerKind::ShortTime => "short_time",
            WorkerKind::PartTime => "part_time",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "regular" => Some(WorkerKind::Regular),
            "short_time" => Some(WorkerKind::ShortTime),
            "part_time" => Some(WorkerKind::PartTime),
            _ => None,
        }
    }
}

/// The kind of a determination; the code is what the store keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeterminationKind {
    /// 資格取得時決定 (42条).
    Acquisition,
    /// 定時決定 (41条).
    Annual,
    /// 定時決定のうち保険者算定（年間平均）.
    AnnualYearly,
    /// 定時決定で算定月がなく従前の額で決定.
    AnnualKept,
    /// 随時改定 (43条).
    Interim,
    /// 育児休業等終了時改定 (43条の2).
    ChildcareEnd,
    /// 産前産後休業終了時改定 (43条の3).
    MaternityEnd,
}

impl DeterminationKind {
    pub fn code(self) -> &'static str {
        match self {
            DeterminationKind::Acquisition => "acquisition",
            DeterminationKind::Annual => "annual",
            DeterminationKind::AnnualYearly => "annual_yearly",
            DeterminationKind::AnnualKept => "annual_kept",
            DeterminationKind::Interim => "interim",
            DeterminationKind::ChildcareEnd => "childcare_end",
            DeterminationKind::MaternityEnd => "maternity_end",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "acquisition" => DeterminationKind::Acquisition,
            "annual" => DeterminationKind::Annual,
            "annual_yearly" => DeterminationKind::AnnualYearly,
            "annual_kept" => DeterminationKind::AnnualKept,
            "interim" => DeterminationKind::Interim,
            "childcare_end" => DeterminationKind::ChildcareEnd,
            "maternity_end" => DeterminationKind::MaternityEnd,
            _ => return None,
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            DeterminationKind::Acquisition => "資格取得時決定",
            DeterminationKind::Annual => "定時決定",
            DeterminationKind::AnnualYearly => "定時決定（保険者算定・年間平均）",
            DeterminationKind::AnnualKept => "定時決定（従前の額）",
            DeterminationKind::Interim => "随時改定",
            DeterminationKind::ChildcareEnd => "育児休業等終了時改定",
            DeterminationKind::MaternityEnd => "産前産後休業終了時改定",
        }
    }
}

/// A decided 標準報酬月額 and the months it is in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Determination {
    pub kind: DeterminationKind,
    pub grade: u8,
    pub monthly_amount: Yen,
    /// 報酬月額 (the average the grade was read from).
    pub average: Yen,
    /// First month in force (改定月 / 適用年月).
    pub effective_from: YearMonth,
    /// Last month in force unless revised earlier (August).
    pub effective_until: YearMonth,
    /// The months the average was taken over.
    pub counted: Vec<YearMonth>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeterminationError {
    #[error(transparent)]
    Grade(#[from] GradeError),
    #[error("報酬額が負または桁あふれです")]
    Amount,
    #[error("算定対象の3か月が揃っていません")]
    Months,
}

fn ym(y: i32, m: u32) -> YearMonth {
    YearMonth::from_parts(y, m)
}

/// Yen as the reasoning shows them (digits grouped as the 高額療養費 explanations group them).
fn yen(v: Yen) -> String {
    format!("{}円", crate::kogaku::yen(v))
}

/// The August up to which a determination made effective in `from` stays: January–June → that
/// August; July–December → the next August (41条2項, 42条2項, 43条2項).
pub fn until_august(from: YearMonth) -> YearMonth {
    if from.month() <= 6 { ym(from.year(), 8) } else { ym(from.year() + 1, 8) }
}

fn checked_total(m: &PayMonth) -> Result<Yen, DeterminationError> {
    if m.cash < 0 || m.in_kind < 0 {
        return Err(DeterminationError::Amount);
    }
    m.total().ok_or(DeterminationError::Amount)
}

fn average(totals: &[Yen]) -> Result<Yen, DeterminationError> {
    let mut sum: Yen = 0;
    for t in totals {
        sum = sum.checked_add(*t).ok_or(DeterminationError::Amount)?;
    }
    // 1円未満切捨て.
    Ok(if totals.is_empty() { 0 } else { sum / totals.len() as Yen })
}

/// 資格取得時決定 (42条): the 報酬月額 declared on the 資格取得届 (already converted to a month
/// for daily or hourly pay), in force from the month of acquisition to August (acquired
/// January–May) or the next August (June–December).
pub fn acquisition(acquired_on: NaiveDate, monthly_pay: Yen) -> Result<Reasoned<Determination>, DeterminationError> {
    if monthly_pay < 0 {
        return Err(DeterminationError::Amount);
    }
    let g = grades::grade_for_pay(acquired_on, monthly_pay)?;
    let from = YearMonth::of(acquired_on);
    // 1〜5月取得 → その年の8月まで; 6〜12月取得 → 翌年8月まで.
    let until = if from.month() <= 5 { ym(from.year(), 8) } else { ym(from.year() + 1, 8) };
    Ok(Reasoned {
        reasoning: vec![
            format!("資格取得日 {}、資格取得時の報酬月額 {}", era::era_date(acquired_on), yen(monthly_pay)),
            format!("{}級 標準報酬月額 {}（{}以上）", g.grade, yen(g.monthly_amount), yen(g.lower_bound)),
            format!("適用 {from} から {until} まで（42条: 1〜5月取得はその年の8月、6〜12月取得は翌年8月まで）"),
        ],
        value: Determination {
            kind: DeterminationKind::Acquisition,
            grade: g.grade,
            monthly_amount: g.monthly_amount,
            average: monthly_pay,
            effective_from: from,
            effective_until: until,
            counted: vec![from],
        },
    })
}

/// The 算定基礎届 of one person for `year` (pay of April, May, June).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnualInput {
    pub year: i32,
    pub months: [PayMonth; 3],
    pub worker: WorkerKind,
    /// 従前の標準報酬月額 (kept when no month counts).
    pub current: Option<Yen>,
    /// 保険者算定（年間平均）の申立て: the average of the previous July to this June.
    pub yearly_average: Option<Yen>,
}

/// Whether a 定時決定 is made for someone this year (41条3項): not for those who acquired on
/// 1 June – 1 July, nor for those revised (随時改定 etc.) from July, August or September.
pub fn annual_excluded(year: i32, acquired_on: NaiveDate, revised_from: Option<YearMonth>) -> Option<String> {
    let june1 = NaiveDate::from_ymd_opt(year, 6, 1)?;
    let july1 = NaiveDate::from_ymd_opt(year, 7, 1)?;
    if acquired_on > july1 {
        return Some(format!(
            "資格取得日 {} が7月1日より後: 7月1日に被保険者でないため定時決定の対象外（41条1項）",
            era::era_date(acquired_on)
        ));
    }
    if acquired_on >= june1 && acquired_on <= july1 {
        return Some(format!(
            "資格取得日 {} が6月1日〜7月1日のため定時決定の対象外（41条3項）",
            era::era_date(acquired_on)
        ));
    }
    if let Some(r) = revised_from
        && r.year() == year
        && (7..=9).contains(&r.month())
    {
        return Some(format!("{r} から改定されるため定時決定の対象外（41条3項）"));
    }
    None
}

/// 定時決定 (41条) from the 算定基礎届.
pub fn annual(input: &AnnualInput) -> Result<Reasoned<Determination>, DeterminationError> {
    let expected = [ym(input.year, 4), ym(input.year, 5), ym(input.year, 6)];
    if input.months.iter().map(|m| m.month).ne(expected) {
        return Err(DeterminationError::Months);
    }
    let day = NaiveDate::from_ymd_opt(input.year, 9, 1).ok_or(DeterminationError::Months)?;
    let from = ym(input.year, 9);
    let until = ym(input.year + 1, 8);
    let mut reasoning = Vec::new();
    let mut totals = Vec::new();
    let mut counted = Vec::new();
    let threshold = input.worker.threshold();
    for m in &input.months {
        let t = checked_total(m)?;
        if m.base_days >= threshold {
            reasoning.push(format!(
                "{} 支払基礎日数 {}日（{}日以上）報酬 {} を算入",
                m.month,
                m.base_days,
                threshold,
                yen(t)
            ));
            totals.push(t);
            counted.push(m.month);
        } else {
            reasoning.push(format!("{} 支払基礎日数 {}日（{}日未満）を除く", m.month, m.base_days, threshold));
        }
    }
    if totals.is_empty() && input.worker == WorkerKind::PartTime {
        // パート: no month with 17 days → the months with 15 days or more.
        for m in &input.months {
            if m.base_days >= 15 {
                let t = checked_total(m)?;
                reasoning.push(format!(
                    "{} パートのため15日以上の月として算入（{}日、{}）",
                    m.month,
                    m.base_days,
                    yen(t)
                ));
                totals.push(t);
                counted.push(m.month);
            }
        }
    }
    if totals.is_empty() {
        let Some(current) = input.current else {
            return Err(DeterminationError::Months);
        };
        let g = grade_of_amount(day, current)?;
        reasoning.push(format!("算定できる月がないため従前の標準報酬月額 {} で決定（保険者決定）", yen(current)));
        return Ok(Reasoned {
            value: Determination {
                kind: DeterminationKind::AnnualKept,
                grade: g.grade,
                monthly_amount: g.monthly_amount,
                average: current,
                effective_from: from,
                effective_until: until,
                counted,
            },
            reasoning,
        });
    }
    let avg = average(&totals)?;
    let g = grades::grade_for_pay(day, avg)?;
    reasoning.push(format!(
        "平均 {}（{}か月、1円未満切捨て）→ {}級 {}",
        yen(avg),
        totals.len(),
        g.grade,
        yen(g.monthly_amount)
    ));
    let mut kind = DeterminationKind::Annual;
    let mut chosen = (g, avg);
    if let Some(yearly) = input.yearly_average {
        if yearly < 0 {
            return Err(DeterminationError::Amount);
        }
        let gy = grades::grade_for_pay(day, yearly)?;
        let diff = (i32::from(g.grade) - i32::from(gy.grade)).abs();
        if diff >= 2 {
            reasoning.push(format!(
                "年間平均 {} → {}級: 通常の算定と{}等級の差（2等級以上）があり申立てにより年間平均で決定（保険者算定）",
                yen(yearly),
                gy.grade,
                diff
            ));
            kind = DeterminationKind::AnnualYearly;
            chosen = (gy, yearly);
        } else {
            reasoning.push(format!(
                "年間平均 {} → {}級: 差が{}等級（2等級未満）のため通常の算定",
                yen(yearly),
                gy.grade,
                diff
            ));
        }
    }
    reasoning.push(format!("適用 {from} から {until} まで（41条2項）"));
    Ok(Reasoned {
        value: Determination {
            kind,
            grade: chosen.0.grade,
            monthly_amount: chosen.0.monthly_amount,
            average: chosen.1,
            effective_from: from,
            effective_until: until,
            counted,
        },
        reasoning,
    })
}

fn grade_of_amount(day: NaiveDate, monthly_amount: Yen) -> Result<Grade, DeterminationError> {
    let t = grades::table_on(day)?;
    t.grades
        .iter()
        .find(|g| g.monthly_amount == monthly_amount)
        .copied()
        .ok_or(DeterminationError::Grade(GradeError::NoGrade(0)))
}

/// The direction of the 固定的賃金 change that starts a 随時改定.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayChange {
    /// 昇給.
    Raise,
    /// 降給.
    Cut,
}

/// A 月額変更届: the three months from the month the changed fixed pay was first paid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterimInput {
    pub months: [PayMonth; 3],
    pub worker: WorkerKind,
    pub change: PayChange,
    /// 従前の標準報酬月額.
    pub current: Yen,
    /// 従前の報酬月額, needed only at the table's ends (1級 and 50級).
    pub previous_pay: Option<Yen>,
}

// 随時改定の特例 at the table's ends (健康保険, 50等級): the 51st and 0th grades that do not exist
// are read as "報酬月額 1,415,000 以上" and "53,000 未満" (昭和36年 保発第4号 as amended).
const TOP_VIRTUAL_LOWER: Yen = 1_415_000;
const BOTTOM_VIRTUAL_UPPER: Yen = 53_000;

/// 随時改定 (43条): a fixed-pay change, three months each with enough 支払基礎日数, and a
/// difference of 2 grades or more in the direction of the change. `Ok(None)` (with the reasoning)
/// when no revision is made.
pub fn interim(input: &InterimInput) -> Result<Reasoned<Option<Determination>>, DeterminationError> {
    let first = input.months[0].month;
    if input.months[1].month != first.next() || input.months[2].month != first.next().next() {
        return Err(DeterminationError::Months);
    }
    let day = first.first_day();
    let threshold = input.worker.threshold();
    let mut reasoning = vec![format!(
        "固定的賃金の{}: {} 支払分から",
        if input.change == PayChange::Raise { "増額（昇給）" } else { "減額（降給）" },
        first
    )];
    let mut totals = Vec::new();
    for m in &input.months {
        let t = checked_total(m)?;
        if m.base_days < threshold {
            reasoning.push(format!(
                "{} 支払基礎日数 {}日（{}日未満）: 3か月とも{}日以上の要件を満たさず随時改定しない",
                m.month, m.base_days, threshold, threshold
            ));
            return Ok(Reasoned { value: None, reasoning });
        }
        reasoning.push(format!("{} 支払基礎日数 {}日 報酬 {}", m.month, m.base_days, yen(t)));
        totals.push(t);
    }
    let avg = average(&totals)?;
    let now = grade_of_amount(day, input.current)?;
    let new = grades::grade_for_pay(day, avg)?;
    reasoning.push(format!(
        "3か月平均 {}（1円未満切捨て）→ {}級 {}、従前 {}級 {}",
        yen(avg),
        new.grade,
        yen(new.monthly_amount),
        now.grade,
        yen(now.monthly_amount)
    ));
    let diff = i32::from(new.grade) - i32::from(now.grade);
    let direction_ok = match input.change {
        PayChange::Raise => diff > 0,
        PayChange::Cut => diff < 0,
    };
    let top = grades::table_on(day)?.grades.len() as u8;
    let edge = match (input.change, now.grade, new.grade) {
        // 49級 → 50級: the average reaches 1,415,000.
        (PayChange::Raise, g, n) if g == top - 1 && n == top => {
            if avg >= TOP_VIRTUAL_LOWER {
                Some(format!("{}級→{}級の特例: 平均が {} 以上", g, n, yen(TOP_VIRTUAL_LOWER)))
            } else {
                None
            }
        }
        // 1級 → 2級: the pay before was under 53,000 and the average reaches 63,000 (2級).
        (PayChange::Raise, 1, 2) => {
            if input.previous_pay.is_some_and(|p| p < BOTTOM_VIRTUAL_UPPER) {
                Some(format!("1級→2級の特例: 従前の報酬月額が {} 未満", yen(BOTTOM_VIRTUAL_UPPER)))
            } else {
                None
            }
        }
        // 50級 → 49級: the pay before was 1,415,000 or more.
        (PayChange::Cut, g, n) if g == top && n == top - 1 => {
            if input.previous_pay.is_some_and(|p| p >= TOP_VIRTUAL_LOWER) {
                Some(format!("{}級→{}級の特例: 従前の報酬月額が {} 以上", g, n, yen(TOP_VIRTUAL_LOWER)))
            } else {
                None
            }
        }
        // 2級 → 1級: the average falls under 53,000.
        (PayChange::Cut, 2, 1) => {
            if avg < BOTTOM_VIRTUAL_UPPER {
                Some(format!("2級→1級の特例: 平均が {} 未満", yen(BOTTOM_VIRTUAL_UPPER)))
            } else {
                None
            }
        }
        _ => None,
    };
    if !direction_ok {
        reasoning.push("固定的賃金の変動と平均の増減の向きが一致しないため随時改定しない".into());
        return Ok(Reasoned { value: None, reasoning });
    }
    if diff.abs() < 2 && edge.is_none() {
        reasoning.push(format!("等級差 {}（2等級未満）のため随時改定しない", diff.abs()));
        return Ok(Reasoned { value: None, reasoning });
    }
    match &edge {
        Some(e) => reasoning.push(format!("{e}（1等級差でも改定）")),
        None => reasoning.push(format!("等級差 {}（2等級以上）", diff.abs())),
    }
    // 変動月から4か月目に改定.
    let from = first.next().next().next();
    let until = until_august(from);
    reasoning.push(format!("改定 {from}（変動月から4か月目）から {until} まで（43条2項）"));
    Ok(Reasoned {
        value: Some(Determination {
            kind: DeterminationKind::Interim,
            grade: new.grade,
            monthly_amount: new.monthly_amount,
            average: avg,
            effective_from: from,
            effective_until: until,
            counted: input.months.iter().map(|m| m.month).collect(),
        }),
        reasoning,
    })
}

/// Which leave ended, for 43条の2 / 43条の3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LeaveKind {
    /// 産前産後休業.
    Maternity,
    /// 育児休業等.
    Childcare,
}

impl LeaveKind {
    pub fn code(self) -> &'static str {
        match self {
            LeaveKind::Maternity => "maternity",
            LeaveKind::Childcare => "childcare",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "maternity" => Some(LeaveKind::Maternity),
            "childcare" => Some(LeaveKind::Childcare),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            LeaveKind::Maternity => "産前産後休業",
            LeaveKind::Childcare => "育児休業等",
        }
    }
}

/// 育児休業等終了時改定 / 産前産後休業終了時改定 (on the member's request): the three months
/// starting with the month holding the day after the leave ended; months under the threshold
/// are left out; any difference of one grade or more revises, from the fourth month.
pub fn leave_end(
    kind: LeaveKind,
    leave_ended: NaiveDate,
    months: &[PayMonth; 3],
    worker: WorkerKind,
    current: Yen,
) -> Result<Reasoned<Option<Determination>>, DeterminationError> {
    let after = leave_ended.succ_opt().ok_or(DeterminationError::Months)?;
    let first = YearMonth::of(after);
    let expected = [first, first.next(), first.next().next()];
    if months.iter().map(|m| m.month).ne(expected) {
        return Err(DeterminationError::Months);
    }
    let threshold = worker.threshold();
    let mut reasoning =
        vec![format!("{}終了日 {}、翌日の属する月 {} から3か月", kind.label(), era::era_date(leave_ended), first)];
    let mut totals = Vec::new();
    let mut counted = Vec::new();
    for m in months {
        let t = checked_total(m)?;
        if m.base_days >= threshold {
            reasoning.push(format!("{} 支払基礎日数 {}日 報酬 {} を算入", m.month, m.base_days, yen(t)));
            totals.push(t);
            counted.push(m.month);
        } else {
            reasoning.push(format!("{} 支払基礎日数 {}日（{}日未満）を除く", m.month, m.base_days, threshold));
        }
    }
    if totals.is_empty() {
        reasoning.push("算定できる月がないため改定しない".into());
        return Ok(Reasoned { value: None, reasoning });
    }
    let day = first.first_day();
    let avg = average(&totals)?;
    let now = grade_of_amount(day, current)?;
    let new = grades::grade_for_pay(day, avg)?;
    reasoning.push(format!("平均 {} → {}級 {}、従前 {}級", yen(avg), new.grade, yen(new.monthly_amount), now.grade));
    if new.grade == now.grade {
        reasoning.push("等級が同じため改定しない".into());
        return Ok(Reasoned { value: None, reasoning });
    }
    let from = first.next().next().next();
    let until = until_august(from);
    reasoning.push(format!("1等級以上の差により {from} から {until} まで改定（申出による）"));
    Ok(Reasoned {
        value: Some(Determination {
            kind: if kind == LeaveKind::Childcare {
                DeterminationKind::ChildcareEnd
            } else {
                DeterminationKind::MaternityEnd
            },
            grade: new.grade,
            monthly_amount: new.monthly_amount,
            average: avg,
            effective_from: from,
            effective_until: until,
            counted,
        }),
        reasoning,
    })
}

/// 標準賞与額 (45条) with its reasoning: 1,000-yen truncation and the fiscal year's cap.
pub fn bonus(paid_on: NaiveDate, amount: Yen, already_this_year: Yen) -> Result<Reasoned<Yen>, DeterminationError> {
    if amount < 0 || already_this_year < 0 {
        return Err(DeterminationError::Amount);
    }
    let cap = grades::table_on(paid_on)?.bonus_annual_cap;
    let standard = grades::standard_bonus(paid_on, amount, already_this_year)?;
    let truncated = amount / 1000 * 1000;
    let mut reasoning =
        vec![format!("賞与 {}（{}支払）→ 1,000円未満切捨て {}", yen(amount), era::era_date(paid_on), yen(truncated))];
    if standard < truncated {
        reasoning.push(format!(
            "年度の累計 {} に加えると上限 {} を超えるため {} のみ算入",
            yen(already_this_year),
            yen(cap),
            yen(standard)
        ));
    } else {
        reasoning.push(format!(
            "年度の累計 {} → {}（上限 {}）",
            yen(already_this_year),
            yen(already_this_year + standard),
            yen(cap)
        ));
    }
    Ok(Reasoned { value: standard, reasoning })
}
