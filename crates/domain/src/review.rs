//! レセプト点検 rules that are pure: 縦覧点検 (the same 診療行為 across months) as a small rule
//! framework, and the checks of one receipt's service dates against eligibility periods.
//!
//! A 縦覧 rule says: this set of 診療行為 codes may be billed at most `max` times within any
//! `window` consecutive months (per institution, or across all). A finding is raised for a
//! month whose window, ending in that month, exceeds the limit and in which the code was billed.
//!
//! The shipped rules carry the codes our synthetic generator uses for the 点数表 items named;
//! they are placeholders shaped like 診療行為 master codes (see ARCHITECTURE.md). A society sets
//! the real master codes in its own rule list.
//!
//! Must never: read data or decide what a finding leads to (that is the reviewer's call).

use crate::date::YearMonth;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One 縦覧 rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LongitudinalRule {
    pub id: &'static str,
    /// What staff read (Japanese).
    pub name: &'static str,
    pub codes: &'static [&'static str],
    pub window_months: u32,
    pub max: u32,
    pub per_institution: bool,
    /// The 点数表 text the limit comes from.
    pub basis: &'static str,
}

/// The rules Kenpo ships.
pub const LONGITUDINAL_RULES: [LongitudinalRule; 2] = [
    LongitudinalRule {
        id: "longitudinal.first_visit_repeat",
        name: "初診料の短期間での再算定",
        codes: &["111000110"],
        window_months: 3,
        max: 1,
        per_institution: true,
        basis: "A000 初診料: 同一傷病の診療継続中は再診として扱う（連月の初診料は点検対象）",
    },
    LongitudinalRule {
        id: "longitudinal.specific_disease_management",
        name: "特定疾患療養管理料の算定回数超過",
        codes: &["113001810"],
        window_months: 1,
        max: 2,
        per_institution: true,
        basis: "B000 特定疾患療養管理料: 月2回に限り算定",
    },
];

/// How often a rule's codes were billed, per month, for one person (and institution).
pub type MonthlyCounts = BTreeMap<YearMonth, u32>;

/// Whether `month` breaks the rule, given the counts of the months up to it. Returns the count
/// in the window when it does.
pub fn breaks(rule: &LongitudinalRule, counts: &MonthlyCounts, month: YearMonth) -> Option<u32> {
    let this = counts.get(&month).copied().unwrap_or(0);
    if this == 0 {
        return None;
    }
    let mut first = month;
    for _ in 1..rule.window_months {
        first = first.prev();
    }
    let total: u32 = counts.range(first..=month).map(|(_, c)| *c).sum();
    (total > rule.max).then_some(total)
}

/// An eligibility period: covered from `acquired_on` until the day before `lost_on`
/// (喪失日 is the day after leaving, 健康保険法 Art. 36).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Covered {
    pub acquired_on: NaiveDate,
    pub lost_on: Option<NaiveDate>,
}

impl Covered {
    pub fn covers(&self, day: NaiveDate) -> bool {
        day >= self.acquired_on && self.lost_on.is_none_or(|l| day < l)
    }
}

/// The service dates not covered by any period.
pub fn uncovered(days: &[NaiveDate], periods: &[Covered]) -> Vec<NaiveDate> {
    let mut out: Vec<NaiveDate> = days.iter().copied().filter(|d| !periods.iter().any(|p| p.covers(*d))).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// 重複: receipts of one month that share a key (one person, institution, type; 調剤 also the
/// prescriber) after the first. Returns (later receipt, first receipt) in input order. Both
/// レセプト点検 and 高額療養費 use it, so payment holds back exactly what review reports.
pub fn same_month_duplicates<K: Eq + std::hash::Hash>(receipts: impl IntoIterator<Item = (i64, K)>) -> Vec<(i64, i64)> {
    let mut first_of: std::collections::HashMap<K, i64> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for (id, key) in receipts {
        match first_of.get(&key) {
            Some(&first) => out.push((id, first)),
            None => {
                first_of.insert(key, id);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).unwrap()
    }
    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn first_visit_twice_within_three_months_breaks_the_rule() {
        let rule = &LONGITUDINAL_RULES[0];
        // 初診料 in April and June: the window May–July… ending in June (Apr, May, Jun) holds 2 > 1.
        let counts: MonthlyCounts = [(ym(2025, 4), 1), (ym(2025, 6), 1)].into_iter().collect();
        assert_eq!(breaks(rule, &counts, ym(2025, 4)), None);
        assert_eq!(breaks(rule, &counts, ym(2025, 6)), Some(2));
        // April and July: the window ending in July is May–July, which holds only July.
        let counts: MonthlyCounts = [(ym(2025, 4), 1), (ym(2025, 7), 1)].into_iter().collect();
        assert_eq!(breaks(rule, &counts, ym(2025, 7)), None);
        // A month without the code raises nothing even inside a crowded window.
        let counts: MonthlyCounts = [(ym(2025, 4), 1), (ym(2025, 5), 1)].into_iter().collect();
        assert_eq!(breaks(rule, &counts, ym(2025, 6)), None);
    }

    #[test]
    fn monthly_limit_of_two() {
        let rule = &LONGITUDINAL_RULES[1];
        let counts: MonthlyCounts = [(ym(2025, 4), 2), (ym(2025, 5), 3)].into_iter().collect();
        assert_eq!(breaks(rule, &counts, ym(2025, 4)), None);
        assert_eq!(breaks(rule, &counts, ym(2025, 5)), Some(3));
    }

    #[test]
    fn loss_day_is_not_covered() {
        // Left employment on 15 June: 喪失日 16 June; the 16th is outside, the 15th inside.
        let p = [Covered { acquired_on: d(2020, 4, 1), lost_on: Some(d(2025, 6, 16)) }];
        assert_eq!(
            uncovered(&[d(2025, 6, 15), d(2025, 6, 16), d(2025, 6, 20)], &p),
            vec![d(2025, 6, 16), d(2025, 6, 20)]
        );
        assert!(uncovered(&[d(2020, 4, 1)], &p).is_empty());
        assert_eq!(uncovered(&[d(2020, 3, 31)], &p), vec![d(2020, 3, 31)]);
    }
}
