//! Calendar months (診療年月 and the like). Dates themselves are `chrono::NaiveDate`.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A calendar month, e.g. 診療年月 2025-04.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a year-month (expected YYYY-MM or YYYYMM): {0:?}")]
pub struct YearMonthError(pub String);

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1..=12).contains(&month) && (1800..=9999).contains(&year)).then_some(Self { year, month })
    }
    /// For constants written in code; panics on an impossible month at compile time.
    pub const fn from_parts(year: i32, month: u32) -> Self {
        assert!(month >= 1 && month <= 12);
        Self { year, month }
    }
    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u32 {
        self.month
    }
    pub fn of(date: NaiveDate) -> Self {
        Self { year: date.year(), month: date.month() }
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid by construction")
    }
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("valid by construction")
    }
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self { year: self.year + 1, month: 1 }
        } else {
            Self { year: self.year, month: self.month + 1 }
        }
    }
    pub fn prev(self) -> Self {
        if self.month == 1 {
            Self { year: self.year - 1, month: 12 }
        } else {
            Self { year: self.year, month: self.month - 1 }
        }
    }
    /// `YYYYMM`, as 電子レセプト writes 西暦 months.
    pub fn compact(self) -> String {
        format!("{:04}{:02}", self.year, self.month)
    }
    pub fn days_in_month(self) -> u32 {
        self.last_day().day()
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = YearMonthError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || YearMonthError(s.to_string());
        // Byte positions below are character positions only in ASCII: "0\u{80}\u{80}0" is six
        // bytes, and slicing it at 4 would split a character (found by schemathesis).
        if !s.is_ascii() {
            return Err(err());
        }
        let (y, m) = match s.len() {
            7 if s.as_bytes()[4] == b'-' => (&s[..4], &s[5..]),
            6 => (&s[..4], &s[4..]),
            _ => return Err(err()),
        };
        let year = y.parse().map_err(|_| err())?;
        let month = m.parse().map_err(|_| err())?;
        Self::new(year, month).ok_or_else(err)
    }
}

/// Age in completed years on `on` (the day before the birthday counts as reaching it, per
/// 年齢計算ニ関スル法律; for counting ages this only matters at month edges, so we use the
/// plain calendar rule here and keep the legal edge cases in the rules that need them).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// The fiscal year (年度, April–March) a day belongs to, named by the year it starts in.
pub fn fiscal_year_of(day: NaiveDate) -> i32 {
    if day.month() < 4 { day.year() - 1 } else { day.year() }
}

/// Age at the end of fiscal year `fy` (April `fy` – March `fy + 1`), as 特定健診 counts it.
///
/// By 年齢計算ニ関スル法律 an age is reached at the end of the day before the birthday, so
/// someone born on 1 April is a year older on 31 March already: the age at the end of 31 March
/// is the calendar age on 1 April (the same rule that puts 1 April births in the earlier
/// school year).
pub fn age_at_fiscal_year_end(birth: NaiveDate, fy: i32) -> i32 {
    match NaiveDate::from_ymd_opt(fy + 1, 4, 1) {
        Some(april_first) => age_on(birth, april_first),
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_in_both_forms_and_anything_else_is_refused_without_panicking() {
        assert_eq!("2026-08".parse::<YearMonth>().ok(), YearMonth::new(2026, 8));
        assert_eq!("202608".parse::<YearMonth>().ok(), YearMonth::new(2026, 8));
        // Six and seven bytes that are not six or seven ASCII characters (the first was sent by
        // schemathesis and split a character before the ASCII check).
        for bad in ["0\u{80}\u{80}0", "20２6-8", "2026\u{2010}8", "2026-13", "2026-00", "-20261", "", "2026-8"] {
            assert!(bad.parse::<YearMonth>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn fiscal_year_end_age_counts_first_of_april_births_a_year_early() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        // FY2025 ends 2026-03-31. Born 1961-04-01: 65 at the end of 2026-03-31 (the day before
        // the birthday). Born 1961-04-02: still 64.
        assert_eq!(age_at_fiscal_year_end(d(1961, 4, 1), 2025), 65);
        assert_eq!(age_at_fiscal_year_end(d(1961, 4, 2), 2025), 64);
        assert_eq!(age_at_fiscal_year_end(d(1961, 3, 31), 2025), 65);
        assert_eq!(fiscal_year_of(d(2026, 3, 31)), 2025);
        assert_eq!(fiscal_year_of(d(2026, 4, 1)), 2026);
    }

    #[test]
    fn parses_both_month_spellings() {
        assert_eq!("2025-04".parse::<YearMonth>().unwrap(), YearMonth::new(2025, 4).unwrap());
        assert_eq!("202504".parse::<YearMonth>().unwrap(), YearMonth::new(2025, 4).unwrap());
        assert!("2025-13".parse::<YearMonth>().is_err());
        assert!("25-04".parse::<YearMonth>().is_err());
    }

    #[test]
    fn month_edges() {
        let feb = YearMonth::new(2024, 2).unwrap();
        assert_eq!(feb.days_in_month(), 29); // 2024 is a leap year
        assert_eq!(YearMonth::new(2025, 12).unwrap().next(), YearMonth::new(2026, 1).unwrap());
        assert_eq!(YearMonth::new(2025, 1).unwrap().prev(), YearMonth::new(2024, 12).unwrap());
    }

    #[test]
    fn age_counts_completed_years() {
        let birth = NaiveDate::from_ymd_opt(1985, 6, 15).unwrap();
        assert_eq!(age_on(birth, NaiveDate::from_ymd_opt(2025, 6, 14).unwrap()), 39);
        assert_eq!(age_on(birth, NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()), 40);
    }
}
