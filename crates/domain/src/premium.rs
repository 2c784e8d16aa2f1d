//! 保険料 (健康保険法 155–166): who is charged for a month, which components, each side's share
//! with the 50銭 rule, bonus premiums, exemptions for 産前産後休業 and 育児休業等, 任意継続 (the whole
//! premium, the cap, 前納), and 入金消込 of payments against invoices. Pure, dated functions over
//! plain types that return their reasoning line by line.
//!
//! Sources: `shared/reference/rules-benefits-premiums-privacy.md` §2 (156 rates and the month
//! rule, 160 the rate range, 161–162 the split, 附則2 調整保険料, 介護 2号 40–64 and the day an
//! age is reached, 子ども・子育て支援金 from 2026-04, 通貨単位法 3 for 50銭); 159 and 159の3 for the
//! exemptions (from 2022-10: a childcare leave of 14 days or more inside one month exempts that
//! month; bonus premiums only for a leave of more than one month); 165 and 施行令 49 for 前納
//! (年4分の複利現価法, each month discounted from the first month of the period).
//!
//! Rates are held in parts per million of the 標準報酬 (93.1/1000 = 93,100 ppm; 0.566/1000 =
//! 566 ppm), so every product is an exact integer of millionths of a yen before rounding.

use crate::date::YearMonth;
use crate::eligibility::Reasoned;
use crate::remuneration::LeaveKind;
use crate::{Yen, era};
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

const MILLION: i128 = 1_000_000;

/// One component's rate on each side, in ppm of the 標準報酬.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideRates {
    pub member: i64,
    pub employer: i64,
}

impl SideRates {
    pub fn total(self) -> i64 {
        self.member + self.employer
    }
}

/// The society's rates from a month on (規約で定める保険料率; 厚生労働大臣の認可).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateSet {
    pub effective_from: YearMonth,
    /// 基本保険料率.
    pub basic: SideRates,
    /// 特定保険料率 (後期高齢者支援金等).
    pub specific: SideRates,
    /// 調整保険料率.
    pub adjustment: SideRates,
    /// 介護保険料率 (第2号被保険者).
    pub care: SideRates,
    /// 子ども・子育て支援金率 (from 2026-04).
    pub support: SideRates,
    /// 特定被保険者 (under 40 or 65+, with a 2号 dependant) are charged 介護 (規約).
    pub care_for_specified: bool,
    /// 任意継続被保険者の標準報酬月額の上限 (規約; 47条).
    pub voluntary_cap: Yen,
}

/// The month support money (子ども・子育て支援金) is first collected.
pub const SUPPORT_FROM: YearMonth = YearMonth::from_parts(2026, 4);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RateError {
    #[error("{0} の料率が範囲外です")]
    OutOfRange(&'static str),
    #[error("一般保険料率（基本＋特定）は 30/1000 以上 130/1000 以下です（160条）")]
    GeneralRange,
    #[error("子ども・子育て支援金は 2026-04 より前には設定できません")]
    SupportTooEarly,
    #[error("任意継続の上限額が不正です")]
    Cap,
}

impl RateSet {
    /// 一般保険料率 = 基本 + 特定 (both sides).
    pub fn general_total(&self) -> i64 {
        self.basic.total() + self.specific.total()
    }

    /// Checks a rate set as entered by the society: shares non-negative and under 20 %, the
    /// general rate within 160条's 30–130/1000, no support money before 2026-04.
    pub fn validate(&self) -> Result<(), RateError> {
        let parts = [
            ("基本", self.basic),
            ("特定", self.specific),
            ("調整", self.adjustment),
            ("介護", self.care),
            ("子ども・子育て支援金", self.support),
        ];
        for (name, r) in parts {
            if !(0..=200_000).contains(&r.member) || !(0..=200_000).contains(&r.employer) {
                return Err(RateError::OutOfRange(name));
            }
        }
        if !(30_000..=130_000).contains(&self.general_total()) {
            return Err(RateError::GeneralRange);
        }
        if self.effective_from < SUPPORT_FROM && self.support.total() != 0 {
            return Err(RateError::SupportTooEarly);
        }
        if !(0..=10_000_000).contains(&self.voluntary_cap) {
            return Err(RateError::Cap);
        }
        Ok(())
    }
}

/// The rates in force in `month`: the latest set starting on or before it.
pub fn rates_for(sets: &[RateSet], month: YearMonth) -> Option<&RateSet> {
    sets.iter().filter(|r| r.effective_from <= month).max_by_key(|r| r.effective_from)
}

/// How a member pays their share: withheld from pay (≤ 0.50 dropped) or in cash (< 0.50 dropped).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rounding {
    Withheld,
    Cash,
}

/// Rounds millionths of a yen to yen by 通貨単位法 3 and the 50銭 rule: withheld from pay, 50銭
/// or less is dropped and more rounds up; paid in cash, under 50銭 is dropped and 50銭 or more
/// rounds up.
pub fn round_share(micro: i128, rounding: Rounding) -> Yen {
    let whole = micro.div_euclid(MILLION);
    let frac = micro.rem_euclid(MILLION);
    let up = match rounding {
        Rounding::Withheld => frac > MILLION / 2,
        Rounding::Cash => frac >= MILLION / 2,
    };
    (whole + i128::from(up)) as Yen
}

/// Yen as the reasoning shows them (digits grouped as the 高額療養費 explanations group them).
fn money(v: Yen) -> String {
    format!("{}円", crate::kogaku::yen(v))
}

fn micro_text(micro: i128) -> String {
    let whole = micro.div_euclid(MILLION);
    let frac = micro.rem_euclid(MILLION);
    let f = format!("{frac:06}");
    let f = f.trim_end_matches('0');
    let whole = money(whole as Yen);
    let whole = whole.trim_end_matches('円');
    if f.is_empty() { format!("{whole}円") } else { format!("{whole}.{f}円") }
}

fn ppm_text(ppm: i64) -> String {
    // 93,100 ppm → 93.1/1000.
    let whole = ppm / 1000;
    let frac = ppm % 1000;
    if frac == 0 {
        format!("{whole}/1000")
    } else {
        format!("{whole}.{}/1000", format!("{frac:03}").trim_end_matches('0'))
    }
}

/// The day an age is reached: the end of the day before the birthday (年齢計算ニ関スル法律).
pub fn day_age_reached(birth: NaiveDate, age: u32) -> Option<NaiveDate> {
    birth.pred_opt()?.checked_add_months(Months::new(age * 12))
}

/// 介護保険第2号被保険者 (40–64) in `month`: from the month holding the day before the 40th
/// birthday to the month before the one holding the day before the 65th birthday. A month in
/// which the member stops being 2号 is charged no 介護 (156条2項).
pub fn care_month(birth: NaiveDate, month: YearMonth) -> Reasoned<bool> {
    let (Some(d40), Some(d65)) = (day_age_reached(birth, 40), day_age_reached(birth, 65)) else {
        return Reasoned {
            value: false, reasoning: vec!["生年月日から40歳・65歳到達日を求められない".into()]
        };
    };
    let from = YearMonth::of(d40);
    let end = YearMonth::of(d65);
    let value = month >= from && month < end;
    let line = if month < from {
        format!("40歳到達日（誕生日の前日）{} の属する {from} より前: 介護保険料なし", era::era_date(d40))
    } else if month >= end {
        format!("65歳到達日 {} の属する {end} 以後: 第1号被保険者となり介護保険料なし", era::era_date(d65))
    } else {
        format!("第2号被保険者（{from} から {} まで）: 介護保険料あり", end.prev())
    };
    Reasoned { value, reasoning: vec![line] }
}

/// Whether `month` is charged for a period of coverage (156条3項): the month of 取得 is charged;
/// the month holding the 喪失日 is not, unless 取得 was in the same month.
pub fn month_charged(month: YearMonth, acquired_on: NaiveDate, lost_on: Option<NaiveDate>) -> Reasoned<bool> {
    if acquired_on > month.last_day() {
        return Reasoned {
            value: false,
            reasoning: vec![format!("資格取得日 {} は {month} より後", era::era_date(acquired_on))],
        };
    }
    if let Some(lost) = lost_on {
        if lost <= month.first_day() {
            return Reasoned {
                value: false, reasoning: vec![format!("資格喪失日 {} 以降の月", era::era_date(lost))]
            };
        }
        if YearMonth::of(lost) == month {
            if YearMonth::of(acquired_on) == month {
                return Reasoned {
                    value: true,
                    reasoning: vec![format!(
                        "同月得喪: 資格取得日 {}、資格喪失日 {} が同じ月のため {month} 分を徴収",
                        era::era_date(acquired_on),
                        era::era_date(lost)
                    )],
                };
            }
            return Reasoned {
                value: false,
                reasoning: vec![format!(
                    "資格喪失日 {} の属する月は徴収しない（156条3項。退職日 {} の翌日が喪失日）",
                    era::era_date(lost),
                    era::era_date(lost.pred_opt().unwrap_or(lost))
                )],
            };
        }
    }
    Reasoned {
        value: true,
        reasoning: vec![format!("{month} は被保険者期間（資格取得日 {}）", era::era_date(acquired_on))],
    }
}

/// A 産前産後休業 or 育児休業等 (first and last day).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leave {
    pub kind: LeaveKind,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The day the 14-day same-month rule and the bonus one-month rule begin (令和4年10月1日).
pub const LEAVE_RULES_2022: NaiveDate = match NaiveDate::from_ymd_opt(2022, 10, 1) {
    Some(d) => d,
    None => panic!(),
};

/// Whether the monthly premium of `month` is exempt (159条, 159条の3): the months from the one
/// holding the start to the one before the month holding the day after the end; and, for
/// childcare leave from 2022-10, a month in which a leave of 14 days or more starts and ends.
pub fn month_exempt(month: YearMonth, leaves: &[Leave]) -> Option<String> {
    for l in leaves {
        let Some(after) = l.end.succ_opt() else { continue };
        if month >= YearMonth::of(l.start) && month < YearMonth::of(after) {
            return Some(format!(
                "{}（{}〜{}）: {month} は開始月から終了日翌日の属する月の前月までのため免除",
                l.kind.label(),
                era::era_date(l.start),
                era::era_date(l.end)
            ));
        }
        let days = (l.end - l.start).num_days() + 1;
        if l.kind == LeaveKind::Childcare
            && l.start >= LEAVE_RULES_2022
            && YearMonth::of(l.start) == month
            && YearMonth::of(l.end) == month
            && days >= 14
        {
            return Some(format!(
                "育児休業等（{}〜{}）: 同じ月の中で{}日（14日以上）取得のため {month} は免除",
                era::era_date(l.start),
                era::era_date(l.end),
                days
            ));
        }
    }
    None
}

/// Whether the bonus premium of a bonus paid in `month` is exempt: as for the month, except
/// that from 2022-10 a childcare leave must last more than one month.
pub fn bonus_exempt(month: YearMonth, leaves: &[Leave]) -> Option<String> {
    for l in leaves {
        let Some(after) = l.end.succ_opt() else { continue };
        if !(month >= YearMonth::of(l.start) && month < YearMonth::of(after)) {
            continue;
        }
        if l.kind == LeaveKind::Childcare && l.start >= LEAVE_RULES_2022 {
            // 1か月を超える: the end is on or after the day one month after the start.
            let over_a_month = l.start.checked_add_months(Months::new(1)).is_some_and(|m| l.end >= m);
            if !over_a_month {
                continue;
            }
        }
        return Some(format!(
            "{}（{}〜{}）の期間中に支払われた賞与のため免除",
            l.kind.label(),
            era::era_date(l.start),
            era::era_date(l.end)
        ));
    }
    None
}

/// The parts of a premium, each shown as its own line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Component {
    /// 一般保険料 (基本 + 特定).
    General,
    /// 調整保険料.
    Adjustment,
    /// 介護保険料.
    Care,
    /// 子ども・子育て支援金.
    Support,
}

impl Component {
    pub fn label(self) -> &'static str {
        match self {
            Component::General => "一般保険料",
            Component::Adjustment => "調整保険料",
            Component::Care => "介護保険料",
            Component::Support => "子ども・子育て支援金",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Component::General => "general",
            Component::Adjustment => "adjustment",
            Component::Care => "care",
            Component::Support => "support",
        }
    }
}

/// One component of one premium.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PremiumLine {
    pub component: Component,
    pub rates: SideRates,
    pub member: Yen,
    pub employer: Yen,
}

/// A month's (or a bonus's) premium: zero lines when not charged or exempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Premium {
    pub base: Yen,
    pub lines: Vec<PremiumLine>,
    pub member: Yen,
    pub employer: Yen,
}

impl Premium {
    pub fn total(&self) -> Yen {
        self.member + self.employer
    }
    fn none(base: Yen) -> Self {
        Premium { base, lines: Vec::new(), member: 0, employer: 0 }
    }
}

/// What the rule needs to know about one person for one month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthFacts {
    pub month: YearMonth,
    pub birth: NaiveDate,
    pub acquired_on: NaiveDate,
    pub lost_on: Option<NaiveDate>,
    /// 標準報酬月額 in force in the month (for 任意継続: before the cap).
    pub standard: Yen,
    /// 任意継続被保険者: pays both sides, in cash, on the capped 標準報酬.
    pub voluntary: bool,
    pub leaves: Vec<Leave>,
    /// Has a dependant who is 2号 in the month (特定被保険者 when the member is not).
    pub care_dependant: bool,
    pub rounding: Rounding,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PremiumError {
    #[error("{0} に適用される保険料率がありません")]
    NoRates(YearMonth),
    #[error("標準報酬が負の値です")]
    Negative,
}

/// The 任意継続's 標準報酬月額 (47条): the lower of the member's at the loss and the cap.
pub fn voluntary_standard(at_loss: Yen, cap: Yen) -> Reasoned<Yen> {
    if at_loss <= cap {
        Reasoned {
            value: at_loss,
            reasoning: vec![format!(
                "任意継続: 資格喪失時の標準報酬月額 {} （上限 {} 以下）",
                money(at_loss),
                money(cap)
            )],
        }
    } else {
        Reasoned {
            value: cap,
            reasoning: vec![format!(
                "任意継続: 資格喪失時の標準報酬月額 {} が規約の上限 {} を超えるため上限額",
                money(at_loss),
                money(cap)
            )],
        }
    }
}

fn compute_lines(
    rates: &RateSet,
    base: Yen,
    care: bool,
    voluntary: bool,
    rounding: Rounding,
    month: YearMonth,
    reasoning: &mut Vec<String>,
) -> Premium {
    let general = SideRates {
        member: rates.basic.member + rates.specific.member,
        employer: rates.basic.employer + rates.specific.employer,
    };
    let mut parts = vec![(Component::General, general), (Component::Adjustment, rates.adjustment)];
    if care {
        parts.push((Component::Care, rates.care));
    }
    if month >= SUPPORT_FROM && rates.support.total() > 0 {
        parts.push((Component::Support, rates.support));
    }
    let mut p = Premium::none(base);
    for (component, r) in parts {
        if r.total() == 0 {
            continue;
        }
        let b = i128::from(base);
        let total_micro = b * i128::from(r.total());
        let (member, employer) = if voluntary {
            // 任意継続: the whole premium is the member's, paid in cash.
            let m = round_share(total_micro, Rounding::Cash);
            reasoning.push(format!(
                "{}: {} × {} = {} → {}（全額本人負担、50銭以上切上げ）",
                component.label(),
                money(base),
                ppm_text(r.total()),
                micro_text(total_micro),
                money(m)
            ));
            (m, 0)
        } else {
            let member_micro = b * i128::from(r.member);
            let member = round_share(member_micro, rounding);
            let whole = total_micro.div_euclid(MILLION) as Yen;
            // The employer pays the rest of the whole (円未満切捨て); never below zero.
            let employer = (whole - member).max(0);
            reasoning.push(format!(
                "{}: 全額 {} × {} = {} → {}; 被保険者 {} × {} = {} → {}（{}）; 事業主 {} − {} = {}",
                component.label(),
                money(base),
                ppm_text(r.total()),
                micro_text(total_micro),
                money(whole),
                money(base),
                ppm_text(r.member),
                micro_text(member_micro),
                money(member),
                match rounding {
                    Rounding::Withheld => "給与控除: 50銭以下切捨て、50銭超切上げ",
                    Rounding::Cash => "現金払: 50銭未満切捨て、50銭以上切上げ",
                },
                money(whole.max(member)),
                money(member),
                money(employer)
            ));
            (member, employer)
        };
        p.member += member;
        p.employer += employer;
        p.lines.push(PremiumLine { component, rates: r, member, employer });
    }
    p
}

fn care_applies(rates: &RateSet, f: &MonthFacts, month: YearMonth, reasoning: &mut Vec<String>) -> bool {
    let c = care_month(f.birth, month);
    reasoning.extend(c.reasoning);
    if c.value {
        return true;
    }
    if rates.care_for_specified && f.care_dependant && !f.voluntary {
        reasoning.push("特定被保険者（40〜64歳の被扶養者あり）: 規約により介護保険料を徴収".into());
        return true;
    }
    false
}

/// The monthly premium of one person (被保険者 or 任意継続被保険者) for `f.month`.
pub fn monthly(sets: &[RateSet], f: &MonthFacts) -> Result<Reasoned<Premium>, PremiumError> {
    if f.standard < 0 {
        return Err(PremiumError::Negative);
    }
    let rates = rates_for(sets, f.month).ok_or(PremiumError::NoRates(f.month))?;
    let charged = month_charged(f.month, f.acquired_on, f.lost_on);
    let mut reasoning = charged.reasoning;
    if !charged.value {
        return Ok(Reasoned { value: Premium::none(0), reasoning });
    }
    let base = if f.voluntary {
        let v = voluntary_standard(f.standard, rates.voluntary_cap);
        reasoning.extend(v.reasoning);
        v.value
    } else {
        reasoning.push(format!("標準報酬月額 {}", money(f.standard)));
        f.standard
    };
    if !f.voluntary
        && let Some(why) = month_exempt(f.month, &f.leaves)
    {
        reasoning.push(why);
        return Ok(Reasoned { value: Premium::none(base), reasoning });
    }
    let care = care_applies(rates, f, f.month, &mut reasoning);
    let p = compute_lines(rates, base, care, f.voluntary, f.rounding, f.month, &mut reasoning);
    reasoning.push(format!("計 被保険者 {}、事業主 {}", money(p.member), money(p.employer)));
    Ok(Reasoned { value: p, reasoning })
}

/// The premium on one bonus (156条: 標準賞与額 × the same rates), charged only if the month it
/// was paid in is charged and it was paid before the 喪失日.
pub fn bonus(
    sets: &[RateSet],
    f: &MonthFacts,
    paid_on: NaiveDate,
    standard_bonus: Yen,
) -> Result<Reasoned<Premium>, PremiumError> {
    if standard_bonus < 0 {
        return Err(PremiumError::Negative);
    }
    let month = YearMonth::of(paid_on);
    let rates = rates_for(sets, month).ok_or(PremiumError::NoRates(month))?;
    let charged = month_charged(month, f.acquired_on, f.lost_on);
    let mut reasoning = vec![format!("賞与支払日 {}、標準賞与額 {}", era::era_date(paid_on), money(standard_bonus))];
    reasoning.extend(charged.reasoning);
    if !charged.value || f.lost_on.is_some_and(|l| paid_on >= l) {
        reasoning.push("保険料を徴収しない月の賞与のため賞与保険料なし（標準賞与額は年度累計に算入）".into());
        return Ok(Reasoned { value: Premium::none(standard_bonus), reasoning });
    }
    if let Some(why) = bonus_exempt(month, &f.leaves) {
        reasoning.push(why);
        return Ok(Reasoned { value: Premium::none(standard_bonus), reasoning });
    }
    let care = care_applies(rates, f, month, &mut reasoning);
    let p = compute_lines(rates, standard_bonus, care, false, f.rounding, month, &mut reasoning);
    reasoning.push(format!("計 被保険者 {}、事業主 {}", money(p.member), money(p.employer)));
    Ok(Reasoned { value: p, reasoning })
}

/// 任意継続's due day for a month's premium: the 10th of that month (164条).
pub fn voluntary_due(month: YearMonth) -> NaiveDate {
    month.first_day().with_day(10).unwrap_or(month.first_day())
}

/// 前納 (165条, 施行令49条): each month's premium discounted by 年4分 compound interest over the
/// months from the first month of the period to it (the first month not discounted), the sum
/// truncated to yen. Floating point is used only for the discount factor.
pub fn prepaid(monthly_premiums: &[Yen]) -> Reasoned<Yen> {
    let mut sum = 0f64;
    let mut plain: Yen = 0;
    for (k, p) in monthly_premiums.iter().enumerate() {
        plain += *p;
        sum += *p as f64 / 1.04f64.powf(k as f64 / 12.0);
    }
    // Guard the float against landing a hair under a whole yen.
    let value = ((sum + 1e-7).floor() as Yen).min(plain);
    Reasoned {
        value,
        reasoning: vec![
            format!("前納 {}か月、各月の保険料の合計 {}", monthly_premiums.len(), money(plain)),
            format!(
                "各月を最初の月からの月数 k について 1.04^(k/12) で割り引いた合計 → {}（1円未満切捨て、割引 {}）",
                money(value),
                money(plain - value)
            ),
        ],
    }
}

/// An amount owed by one payer (an employer, or a 任意継続被保険者).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub invoice_id: i64,
    pub month: YearMonth,
    pub due_on: NaiveDate,
    pub amount: Yen,
}

/// A payment received from one payer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paid {
    pub payment_id: i64,
    pub paid_on: NaiveDate,
    pub amount: Yen,
}

/// Where an invoice stands after the payments are applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settled {
    pub invoice_id: i64,
    pub month: YearMonth,
    pub due_on: NaiveDate,
    pub amount: Yen,
    pub paid: Yen,
    pub outstanding: Yen,
    /// The day the invoice was fully paid, if it was.
    pub settled_on: Option<NaiveDate>,
}

/// A payer's account: invoices with what was applied to each, and credit left over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub invoices: Vec<Settled>,
    pub credit: Yen,
    pub billed: Yen,
    pub received: Yen,
}

impl Settled {
    /// Past its due day on `day` and not settled.
    pub fn in_arrears(&self, day: NaiveDate) -> bool {
        self.due_on < day && self.outstanding > 0
    }
}

impl Statement {
    pub fn outstanding(&self) -> Yen {
        self.invoices.iter().map(|s| s.outstanding).sum()
    }
    /// Invoices past their due day and not settled by it, as of `day`.
    pub fn arrears(&self, day: NaiveDate) -> Vec<&Settled> {
        self.invoices.iter().filter(|s| s.in_arrears(day)).collect()
    }
}

/// 入金消込: payments, in the order received, settle the oldest open invoice first; anything
/// left is credit carried forward to later invoices.
pub fn reconcile(dues: &[Due], payments: &[Paid]) -> Reasoned<Statement> {
    let mut dues: Vec<&Due> = dues.iter().collect();
    dues.sort_by_key(|d| (d.month, d.invoice_id));
    let mut pays: Vec<&Paid> = payments.iter().collect();
    pays.sort_by_key(|p| (p.paid_on, p.payment_id));
    let mut settled: Vec<Settled> = dues
        .iter()
        .map(|d| Settled {
            invoice_id: d.invoice_id,
            month: d.month,
            due_on: d.due_on,
            amount: d.amount,
            paid: 0,
            outstanding: d.amount,
            settled_on: None,
        })
        .collect();
    let mut reasoning = Vec::new();
    let mut credit: Yen = 0;
    let mut received: Yen = 0;
    for p in pays {
        received += p.amount;
        let mut left = p.amount;
        reasoning.push(format!("入金 {} {}", era::era_date(p.paid_on), money(p.amount)));
        for s in settled.iter_mut().filter(|s| s.outstanding > 0) {
            if left == 0 {
                break;
            }
            let take = left.min(s.outstanding);
            s.paid += take;
            s.outstanding -= take;
            left -= take;
            if s.outstanding == 0 {
                s.settled_on = Some(p.paid_on);
            }
            reasoning.push(format!(
                "  {} 分（{}）に {} を充当、残 {}",
                s.month,
                money(s.amount),
                money(take),
                money(s.outstanding)
            ));
        }
        if left > 0 {
            reasoning.push(format!("  過納 {} を繰越", money(left)));
            credit += left;
        }
    }
    let billed = settled.iter().map(|s| s.amount).sum();
    let outstanding: Yen = settled.iter().map(|s| s.outstanding).sum();
    reasoning.push(format!(
        "請求 {}、入金 {}、未納 {}、過納繰越 {}",
        money(billed),
        money(received),
        money(outstanding),
        money(credit)
    ));
    Reasoned { value: Statement { invoices: settled, credit, billed, received }, reasoning }
}
